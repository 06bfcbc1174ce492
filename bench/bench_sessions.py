"""Load test: 20 sessions browse, filter and upload at once for 60 s, on loopback only.

Run: .venv/bin/python bench/bench_sessions.py [--sessions 20] [--seconds 60] [--uploaders 2] [--think 0.5 2]

Why this shape: the browsers of twenty people run on twenty machines, the server on one. Twenty
Chromium tabs on the two cores of the development machine would spend the CPU on drawing and
measure the browsers, not the server. So only `--uploaders` sessions are real headless Chromium
(Debian's /usr/bin/chromium through Playwright); the others speak Streamlit's websocket protocol
directly (bench/streamlit_client.py) and ask the server for exactly what a browser asks for.

It starts the dashboard on a free loopback port with an empty data folder (the bundled report
becomes snapshot 1 on the first run; every session stays on it with ?stand=1). Then, until the time
is up, with a think time between steps (--think, 0.5–2 s unless told):
- each protocol session changes the Organisationseinheit filter (first back to "alle" when a unit is
  chosen, then to one unit; both timed from the rerun request until script_finished, with the new
  "Maßnahmen" figure checked against mayen_dash.metrics.filter_measures), or opens another page by
  its sidebar link and comes back (both timed as page changes);
- each Chromium session uploads a new small CSV through the Daten page and stores it, or changes the
  filter in the sidebar (timed from the click on the option until the right figure is on screen: the same count
  the protocol sessions read, seen in a real browser).
Errors are exceptions or error boxes the app shows, compile errors, closed websockets, timeouts and
wrong counts. Afterwards the store is checked: every confirmed upload is there exactly once and
complete, and the bundled report exactly once. The server's peak memory (VmHWM of its process) and
CPU time are read from /proc. Prints p50/p95/max of filter and page changes and writes
bench/results/sessions.json; exits 1 on any error. Bounded: fixed session count, fixed duration,
loopback only, a hard timeout on every step.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measuring import process_memory_mib, write_results  # noqa: E402
from bench.streamlit_client import Run, Session  # noqa: E402
from mayen_dash.formatting import format_count  # noqa: E402
from mayen_dash.loader import load_report  # noqa: E402
from mayen_dash.metrics import filter_measures  # noqa: E402
from mayen_dash.settings import BUNDLED_REPORT  # noqa: E402
from mayen_dash.store import SnapshotStore  # noqa: E402
from tests.browser.serving import CHROMIUM, CHROMIUM_ARGS, dashboard_process  # noqa: E402

PAGES = ["status", "ueberfaellig", "verlauf", "scorecard", "massnahmen"]
START_PAGE = ""
FILTER = "Organisationseinheit"
FIGURE = "Maßnahmen"
STEP_TIMEOUT_S = 60
RAMP_UP_SECONDS = 0.25
# A pause between two steps, so that the sessions read and click like people rather than in lockstep.
THINK_SECONDS = (0.5, 2.0)
# The bundled report is stored first (snapshot 1); browsing sessions stay on it while uploads add newer ones.
PINNED = "stand=1"
# Stichtage of the uploads start here, after every Stand the bench's store holds.
UPLOADS_FROM = dt.date(2030, 1, 1)


@dataclass
class Results:
    """What all sessions measured and found: the sessions append, main() condenses."""

    filter_seconds: list[float] = field(default_factory=list)
    filter_figure_seconds: list[float] = field(default_factory=list)
    page_seconds: list[float] = field(default_factory=list)
    open_seconds: list[float] = field(default_factory=list)
    browser_filter_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    uploads_tried: list[str] = field(default_factory=list)
    upload_rows: dict[str, int] = field(default_factory=dict)
    uploads: list[str] = field(default_factory=list)


def check_run(run: Run, tag: int, what: str, results: Results) -> None:
    """Every exception, error box or compile error a run showed is an error of the load test."""
    for problem in run.problems():
        results.errors.append(f"Sitzung {tag}, {what}: {problem}")


def check_figure(run: Run, tag: int, what: str, expected: int, results: Results) -> float | None:
    """The start page shows the expected number of measures; returns the seconds until that figure arrived."""
    shown = run.metric(FIGURE)
    if shown is None:
        results.errors.append(f"Sitzung {tag}, {what}: keine Kennzahl „{FIGURE}“")
        return None
    seconds, value = shown
    if value != format_count(expected):
        results.errors.append(f"Sitzung {tag}, {what}: {FIGURE} {value}, erwartet {format_count(expected)}")
    return seconds


async def change_filter(session: Session, unit: str, units: dict[str, int], tag: int, results: Results) -> None:
    """Choose one unit ("" for all) on the start page; the run must end with the right count on screen."""
    what = f"Filter {unit or 'alle'}"
    run = await session.set_multiselect(FILTER, [unit] if unit else [], timeout=STEP_TIMEOUT_S)
    results.filter_seconds.append(run.seconds)
    check_run(run, tag, what, results)
    arrived = check_figure(run, tag, what, units[unit], results)
    if arrived is not None:
        results.filter_figure_seconds.append(arrived)


async def protocol_session(
    *, base: str, tag: int, until: float, think: tuple[float, float], units: dict[str, int], results: Results
) -> None:
    """One reader on the wire: filter by unit, look at other pages, come back."""
    rng = random.Random(tag)
    chosen: str | None = None
    try:
        session, run = await Session.open(base, START_PAGE, PINNED, timeout=STEP_TIMEOUT_S)
    except Exception as error:  # a session that cannot start is a finding of the load test, not a crash of it
        results.errors.append(f"Sitzung {tag}: Start: {type(error).__name__}: {error}")
        return
    try:
        results.open_seconds.append(run.seconds)
        check_run(run, tag, "Start", results)
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(*think))
            if rng.random() < 0.7:
                if chosen is not None:
                    await change_filter(session, "", units, tag, results)
                    await asyncio.sleep(rng.uniform(*think) / 2)
                chosen = rng.choice([u for u in units if u and u != chosen])
                await change_filter(session, chosen, units, tag, results)
            else:
                page = rng.choice(PAGES)
                run = await session.goto(page, timeout=STEP_TIMEOUT_S)
                results.page_seconds.append(run.seconds)
                check_run(run, tag, f"Seite {page}", results)
                await asyncio.sleep(rng.uniform(*think))
                run = await session.goto(START_PAGE, timeout=STEP_TIMEOUT_S)
                results.page_seconds.append(run.seconds)
                check_run(run, tag, "zurück zur Übersicht", results)
                check_figure(run, tag, "zurück zur Übersicht", units[chosen or ""], results)
    except Exception as error:  # a failed session is a finding of the load test, not a crash of it
        results.errors.append(f"Sitzung {tag}: {type(error).__name__}: {error}")
    finally:
        await session.close()


async def idle(page: Page) -> None:
    """Wait until the browser says the script run is over."""
    await (
        page.get_by_test_id("stApp")
        .and_(page.locator('[data-test-script-state="notRunning"]'))
        .wait_for(timeout=STEP_TIMEOUT_S * 1000)
    )


async def figure_shown(page: Page, value: int) -> None:
    """Wait until the start page's "Maßnahmen" card shows this count."""
    await page.wait_for_function(
        """want => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
            m.innerText.startsWith('Maßnahmen') &&
            m.querySelector('[data-testid="stMetricValue"]').innerText.trim() === want)""",
        arg=format_count(value),
        timeout=STEP_TIMEOUT_S * 1000,
    )


async def choose_unit(page: Page, unit: str, units: dict[str, int]) -> float:
    """Select exactly one unit in the sidebar filter; seconds from the click until the start page shows its count.

    The option is clicked by its exact name: typing a name and pressing Enter selects every option that
    contains it ("Fachbereich" also takes "Fachbereich 1" and "Fachbereich 3").
    """
    box = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").first
    chips = box.get_by_role("button", name=re.compile(" entfernen$"))  # "Remove …" in German (web/frontend.py)
    chosen = await chips.count()
    if chosen:
        for _ in range(chosen):
            await chips.first.click()
        await figure_shown(page, units[""])
    await box.locator("input").click()
    await page.keyboard.type(unit)
    start = time.perf_counter()
    await page.get_by_role("option", name=unit, exact=True).click()
    await page.keyboard.press("Escape")
    await figure_shown(page, units[unit])
    return time.perf_counter() - start


async def upload(page: Page, base: str, path: Path) -> None:
    """Upload a report through the Daten page and store it; returns once the app confirmed it."""
    await page.goto(f"{base}/daten")
    await idle(page)
    await page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(path))
    await page.get_by_role("button", name="Diese Daten verwenden").click()
    await page.get_by_text("Gespeichert und angezeigt").wait_for()
    await page.goto(f"{base}/?{PINNED}")
    await idle(page)


def write_upload(folder: Path, tag: int, n: int) -> tuple[Path, int]:
    """A new small semicolon CSV in cp1252, as exported from Excel; its name and row count identify it later.

    The name gives its Stichtag (no Stichtag is guessed, and a Stichtag already stored would ask whether to
    replace it): a day of its own for every session's every upload.
    """
    rows = 5 + n % 7
    path = folder / f"status_{(UPLOADS_FROM + dt.timedelta(days=1000 * tag + n)).isoformat()}.csv"
    lines = ["Maßnahme;Status"] + [
        f"Sitzung {tag} Upload {n} Maßnahme {i};{'erledigt' if i % 2 else 'offen'}" for i in range(rows)
    ]
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    return path, rows


async def browser_session(
    *,
    browser: Browser,
    base: str,
    tag: int,
    until: float,
    think: tuple[float, float],
    units: dict[str, int],
    folder: Path,
    results: Results,
) -> None:
    """One editor in a real browser: upload and store new reports, and filter in between."""
    rng = random.Random(tag)
    context = await browser.new_context(viewport={"width": 1366, "height": 768}, base_url=base)
    page = await context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_S * 1000)
    page.set_default_navigation_timeout(STEP_TIMEOUT_S * 1000)
    page.on("pageerror", lambda error: results.errors.append(f"Sitzung {tag} (Browser): {error}"))
    uploads = 0
    try:
        await page.goto(f"{base}/?{PINNED}")
        await idle(page)
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(*think))
            if rng.random() < 0.5:
                uploads += 1
                path, rows = write_upload(folder, tag, uploads)
                results.uploads_tried.append(path.name)
                results.upload_rows[path.name] = rows
                await upload(page, base, path)
                results.uploads.append(path.name)
            else:
                unit = rng.choice([u for u in units if u])
                results.browser_filter_seconds.append(await choose_unit(page, unit, units))
            if await page.get_by_test_id("stException").count():
                results.errors.append(f"Sitzung {tag} (Browser): Ausnahme auf der Seite")
    except Exception as error:  # a failed session is a finding of the load test, not a crash of it
        results.errors.append(f"Sitzung {tag} (Browser): {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        await context.close()


def proc_cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def check_store(database: Path, results: Results) -> int:
    """Every confirmed upload stored once and complete, the bundled report once; returns the snapshot count."""
    store = SnapshotStore(f"sqlite:///{database}")
    try:
        snapshots = store.snapshots()
        names = [s.file_name for s in snapshots]
        if names.count(BUNDLED_REPORT.name) != 1:
            results.errors.append(f"mitgelieferter Bericht {names.count(BUNDLED_REPORT.name)}-mal gespeichert")
        for name in set(names) - {BUNDLED_REPORT.name} - set(results.uploads_tried):
            results.errors.append(f"unerwarteter Stand: {name}")
        by_name = {s.file_name: s for s in snapshots}
        for name in results.uploads:
            if names.count(name) == 0:
                results.errors.append(f"verloren: {name}")
            elif names.count(name) > 1:
                results.errors.append(f"doppelt: {name}")
            elif len(store.measures(by_name[name].id)) != results.upload_rows[name]:
                results.errors.append(f"unvollständig: {name}")
        return len(snapshots)
    finally:
        store.close()


@dataclass(frozen=True)
class Plan:
    """The bounded load: how many sessions, how many of them Chromium uploaders, how long, how fast."""

    sessions: int
    seconds: int
    uploaders: int
    think: tuple[float, float]


def children_cpu_seconds() -> float:
    """CPU time of the ended child processes with all their descendants (Playwright's driver and Chromium)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_cpu() -> tuple[int, int]:
    """Busy and total CPU ticks of the whole machine since boot, from /proc/stat."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return sum(ticks) - idle, sum(ticks)


async def load(
    plan: Plan, *, base: str, pid: int, browser: Browser, units: dict[str, int], folder: Path, results: Results
) -> dict[str, float]:
    """All sessions at once for the given time; CPU time and memory of the server, CPU of the machine.

    VmHWM is the kernel's own record of the peak resident memory, so no sampling can miss a spike. The
    machine's busy share shows whether the load generator and the other processes left the server room.
    """
    memory_start = process_memory_mib(pid)
    cpu_start = proc_cpu_seconds(pid)
    driver_start = time.process_time()
    busy_start, total_start = machine_cpu()
    started = time.monotonic()
    until = started + plan.seconds

    async def arrive(tag: int) -> None:
        await asyncio.sleep(tag * RAMP_UP_SECONDS)  # people arrive one after another
        common = {"base": base, "tag": tag, "until": until, "think": plan.think, "units": units, "results": results}
        if tag < plan.uploaders:
            await browser_session(browser=browser, folder=folder, **common)
        else:
            await protocol_session(**common)

    await asyncio.gather(*(arrive(i) for i in range(plan.sessions)))
    elapsed = time.monotonic() - started
    cpu_seconds = proc_cpu_seconds(pid) - cpu_start
    busy_end, total_end = machine_cpu()
    memory_end = process_memory_mib(pid)
    return {
        "elapsed_s": elapsed,
        "server_cpu_s": cpu_seconds,
        "driver_cpu_s": time.process_time() - driver_start,
        "machine_busy": (busy_end - busy_start) / max(total_end - total_start, 1),
        "server_rss_start_mib": memory_start["rss_mib"],
        "server_rss_end_mib": memory_end["rss_mib"],
        "server_rss_peak_mib": memory_end["peak_mib"],
    }


async def run(plan: Plan) -> dict:
    """Start a fresh server, put the load on it, stop it, then check what the uploads left in its store."""
    report = load_report(BUNDLED_REPORT)
    units = {"": len(report.measures)} | {u: len(filter_measures(report.measures, units=[u])) for u in report.units}
    results = Results()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with (
            (folder / "server.log").open("w") as log,
            dashboard_process(folder / "var", log) as (base, _startup, server),
        ):
            children_before = children_cpu_seconds()
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                measured = await load(
                    plan, base=base, pid=server.pid, browser=browser, units=units, folder=folder, results=results
                )
                await browser.close()
            # Playwright's driver has ended and been reaped here, the server not yet: this is Chromium's share.
            measured["browsers_cpu_s"] = children_cpu_seconds() - children_before
        if server.returncode not in (0, -15):
            results.errors.append(f"Server endete mit {server.returncode}")
        snapshots = check_store(folder / "var" / "mayen.sqlite3", results)
    return {**measured, "results": results, "snapshots": snapshots}


def spread(times: list[float]) -> dict[str, float | int | None]:
    """Count, median, 95th percentile and maximum in seconds."""
    ordered = sorted(times)
    return {
        "count": len(ordered),
        "p50_s": round(statistics.median(ordered), 3) if ordered else None,
        "p95_s": round(statistics.quantiles(ordered, n=100, method="inclusive")[94], 3) if len(ordered) > 1 else None,
        "max_s": round(ordered[-1], 3) if ordered else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--uploaders", type=int, default=2, help="how many of the sessions are Chromium uploaders")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=THINK_SECONDS,
        metavar=("MIN", "MAX"),
        help="pause between two steps of a session, in seconds (default: 0.5 2)",
    )
    args = parser.parse_args()
    if not 0 <= args.uploaders <= args.sessions:
        parser.error("--uploaders must lie between 0 and --sessions")
    if not 0 <= args.think[0] <= args.think[1]:
        parser.error("--think needs 0 <= MIN <= MAX")
    plan = Plan(sessions=args.sessions, seconds=args.seconds, uploaders=args.uploaders, think=tuple(args.think))
    load_before = os.getloadavg()
    measured = asyncio.run(run(plan))
    results: Results = measured["results"]
    summary = {
        "sessions": plan.sessions,
        "protocol_sessions": plan.sessions - plan.uploaders,
        "browser_sessions": plan.uploaders,
        "seconds": plan.seconds,
        "think_s": list(plan.think),
        "filter_change": spread(results.filter_seconds),
        "filter_figure_arrived": spread(results.filter_figure_seconds),
        "page_change": spread(results.page_seconds),
        "first_page": spread(results.open_seconds),
        "browser_filter_change": spread(results.browser_filter_seconds),
        "uploads_confirmed": len(results.uploads),
        "snapshots_in_store": measured["snapshots"],
        "server_rss_start_mib": round(measured["server_rss_start_mib"], 1),
        "server_rss_end_mib": round(measured["server_rss_end_mib"], 1),
        "server_rss_peak_mib": round(measured["server_rss_peak_mib"], 1),
        "server_cpu_s": round(measured["server_cpu_s"], 1),
        "server_cpu_cores_used": round(measured["server_cpu_s"] / measured["elapsed_s"], 2),
        "driver_cpu_s": round(measured["driver_cpu_s"], 1),
        "browsers_cpu_s": round(measured["browsers_cpu_s"], 1),
        "machine_busy_pct": round(100 * measured["machine_busy"]),
        "errors": results.errors,
    }

    def line(name: str, figures: dict) -> str:
        count, p50, p95, top = (figures[k] for k in ("count", "p50_s", "p95_s", "max_s"))
        return f"{name}: {count}, p50 {p50} s, p95 {p95} s, max {top} s"

    print(
        f"{plan.sessions} Sitzungen ({summary['protocol_sessions']} über das Protokoll, {plan.uploaders} Chromium), "
        f"{plan.seconds} s, Pausen {plan.think[0]}–{plan.think[1]} s; Last vorher {[round(x, 2) for x in load_before]}"
    )
    print(line("Filterwechsel (Server, bis script_finished)", summary["filter_change"]))
    print(line("  davon Kennzahl angekommen", summary["filter_figure_arrived"]))
    print(line("Seitenwechsel (Server, bis script_finished)", summary["page_change"]))
    print(line("erste Seite (Server)", summary["first_page"]))
    print(line("Filterwechsel im Chromium (bis zur Anzeige)", summary["browser_filter_change"]))
    print(
        f"Hochgeladen und bestätigt: {summary['uploads_confirmed']}, Stände im Speicher: "
        f"{summary['snapshots_in_store']} (1 mitgeliefert + Uploads)"
    )
    print(
        f"Server: Speicher {summary['server_rss_start_mib']} MiB zu Beginn, "
        f"{summary['server_rss_end_mib']} MiB am Ende, "
        f"Spitze {summary['server_rss_peak_mib']} MiB; "
        f"CPU {summary['server_cpu_s']} s ({summary['server_cpu_cores_used']} Kerne im Mittel)"
    )
    print(
        f"Lastgenerator: CPU {summary['driver_cpu_s']} s Protokollsitzungen, {summary['browsers_cpu_s']} s Chromium; "
        f"Maschine insgesamt zu {summary['machine_busy_pct']} % ausgelastet"
    )
    print("Fehler: " + ("keine" if not results.errors else "\n  " + "\n  ".join(results.errors)))
    write_results("sessions", summary, load_before)
    return 0 if not results.errors else 1


if __name__ == "__main__":
    sys.exit(main())
