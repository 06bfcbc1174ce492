"""Load test: 20 browser sessions browse, filter and upload at once for 60 s, on loopback only.

Run: .venv/bin/python bench/bench_sessions.py [--sessions 20] [--seconds 60] [--uploaders 2]

Starts the dashboard on a free loopback port with an empty data folder, then drives
N headless Chromium sessions (Debian's /usr/bin/chromium through Playwright) in one
browser. Every session opens the start page and then, until the time is up, changes
the Organisationseinheit filter in the sidebar (timed from the keystroke to the new
"Maßnahmen" figure on screen) or opens another page by link; the first `--uploaders`
sessions also upload a new spreadsheet every few seconds and store it. Afterwards it
checks the store: every confirmed upload is there exactly once and complete (no lost
or half-written snapshot). It prints the p50/p95/max of a filter change and writes
bench/results/sessions.json. Bounded: fixed session count, fixed duration, loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mayen_dash.loader import load_report  # noqa: E402
from mayen_dash.metrics import filter_measures  # noqa: E402
from mayen_dash.settings import BUNDLED_REPORT  # noqa: E402
from mayen_dash.store import SnapshotStore  # noqa: E402
from tests.browser.serving import CHROMIUM, CHROMIUM_ARGS, dashboard_server  # noqa: E402

PAGES = ["status", "ueberfaellig", "verlauf", "scorecard", "massnahmen"]
TIMEOUT_MS = 90_000
RAMP_UP_SECONDS = 0.5
# The bundled report is stored first (snapshot 1); browsing sessions stay on it while uploads add newer ones.
PINNED = "stand=1"


async def idle(page: Page) -> None:
    await (
        page.get_by_test_id("stApp")
        .and_(page.locator('[data-test-script-state="notRunning"]'))
        .wait_for(timeout=TIMEOUT_MS)
    )


async def measures_shown(page: Page) -> str:
    card = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Maßnahmen", exact=True)).first
    return (await card.get_by_test_id("stMetricValue").inner_text()).strip()


async def choose_unit(page: Page, unit: str, expected: int) -> float:
    """Select one unit in the sidebar filter; seconds until the start page shows its count."""
    box = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").first
    clear = box.get_by_role("button", name="Clear all")
    if await clear.count():
        await clear.first.click()
        await idle(page)
    await box.click()
    await page.keyboard.type(unit)
    start = time.perf_counter()
    await page.keyboard.press("Enter")
    await page.keyboard.press("Escape")
    want = f"{expected:,}".replace(",", ".")
    await page.wait_for_function(
        """want => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
            m.innerText.startsWith('Maßnahmen') &&
            m.querySelector('[data-testid="stMetricValue"]').innerText.trim() === want)""",
        arg=want,
        timeout=TIMEOUT_MS,
    )
    return time.perf_counter() - start


async def upload(page: Page, base: str, folder: Path, n: int, tag: int) -> bool:
    """Upload a new small report through the Daten page and store it; True when the app confirmed it."""
    path = folder / f"status_{tag}_{n}.csv"
    rows = ["Maßnahme;Status"] + [
        f"Sitzung {tag} Upload {n} Maßnahme {i};{'erledigt' if i % 2 else 'offen'}" for i in range(5 + n % 7)
    ]
    path.write_bytes(("\n".join(rows) + "\n").encode("cp1252"))
    await page.goto(f"{base}/daten")
    await idle(page)
    await page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(path))
    await page.get_by_role("button", name="Diese Daten verwenden").click(timeout=TIMEOUT_MS)
    await page.get_by_text("Gespeichert und angezeigt").wait_for(timeout=TIMEOUT_MS)
    await page.goto(f"{base}/?{PINNED}")
    await idle(page)
    return True


async def session(
    *,
    browser: Browser,
    base: str,
    tag: int,
    until: float,
    units: dict[str, int],
    uploader: bool,
    folder: Path,
    result: dict,
) -> None:
    await asyncio.sleep(tag * RAMP_UP_SECONDS)  # people arrive one after another, not in the same millisecond
    context = await browser.new_context(viewport={"width": 1366, "height": 768}, base_url=base)
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: result["errors"].append(f"Sitzung {tag}: {error}"))
    rng = random.Random(tag)
    uploads = 0
    try:
        await page.goto(f"{base}/?{PINNED}")
        await idle(page)
        while time.monotonic() < until:
            action = rng.random()
            if uploader and action < 0.3:
                uploads += 1
                if await upload(page, base, folder, uploads, tag):
                    result["uploads"].append(f"status_{tag}_{uploads}.csv")
                    result["upload_rows"][f"status_{tag}_{uploads}.csv"] = 5 + uploads % 7
                continue
            if action < 0.75 and not uploader:
                unit = rng.choice(list(units))
                result["filter_seconds"].append(await choose_unit(page, unit, units[unit]))
            else:
                await page.goto(f"{base}/{rng.choice(PAGES)}?{PINNED}")
                await idle(page)
                await page.goto(f"{base}/?{PINNED}")
                await idle(page)
            if await page.get_by_test_id("stException").count():
                result["errors"].append(f"Sitzung {tag}: Ausnahme auf der Seite")
    except Exception as error:  # a failed session is a finding of the load test, not a crash of it
        result["errors"].append(f"Sitzung {tag}: {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        await context.close()


async def run(sessions: int, seconds: int, uploaders: int) -> dict:
    report = load_report(BUNDLED_REPORT)
    units = {u: len(filter_measures(report.measures, units=[u])) for u in report.units}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        result: dict = {"filter_seconds": [], "errors": [], "uploads": [], "upload_rows": {}}
        with (folder / "server.log").open("w") as log, dashboard_server(folder / "var", log) as (base, _seconds):
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                until = time.monotonic() + seconds
                await asyncio.gather(
                    *(
                        session(
                            browser=browser,
                            base=base,
                            tag=i,
                            until=until,
                            units=units,
                            uploader=i < uploaders,
                            folder=folder,
                            result=result,
                        )
                        for i in range(sessions)
                    )
                )
                await browser.close()
        store = SnapshotStore(f"sqlite:///{folder / 'var' / 'mayen.sqlite3'}")
        stored = {s.file_name: s for s in store.snapshots()}
        for name in result["uploads"]:
            snapshot = stored.get(name)
            if snapshot is None:
                result["errors"].append(f"verloren: {name}")
            elif len(store.measures(snapshot.id)) != result["upload_rows"][name]:
                result["errors"].append(f"unvollständig: {name}")
        result["snapshots"] = len(stored)
        store.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--uploaders", type=int, default=2)
    args = parser.parse_args()
    result = asyncio.run(run(args.sessions, args.seconds, args.uploaders))
    times = sorted(result["filter_seconds"])
    summary = {
        "sessions": args.sessions,
        "seconds": args.seconds,
        "filter_changes": len(times),
        "filter_p50_s": round(statistics.median(times), 3) if times else None,
        "filter_p95_s": round(statistics.quantiles(times, n=100, method="inclusive")[94], 3)
        if len(times) > 1
        else None,
        "filter_max_s": round(times[-1], 3) if times else None,
        "uploads_confirmed": len(result["uploads"]),
        "snapshots_in_store": result["snapshots"],
        "errors": result["errors"],
    }
    print(
        f"{args.sessions} Sitzungen, {args.seconds} s: {summary['filter_changes']} Filterwechsel, "
        f"p50 {summary['filter_p50_s']} s, p95 {summary['filter_p95_s']} s, max {summary['filter_max_s']} s"
    )
    print(
        f"Hochgeladen und bestätigt: {summary['uploads_confirmed']}, Stände im Speicher: "
        f"{summary['snapshots_in_store']} (1 mitgeliefert + Uploads)"
    )
    print("Fehler: " + ("keine" if not result["errors"] else "\n  " + "\n  ".join(result["errors"])))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "sessions.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return 0 if not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
