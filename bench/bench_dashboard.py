"""Benchmark of the dashboard as people use it: how fast a filter change is, and how fast the first page is usable.

Not a test: it measures and prints, and writes the figures to bench/results/dashboard.json.

(a) Server time of a filter change, with Streamlit's AppTest: app.py is loaded and run once, then
    `at.sidebar.multiselect(key=...).select(...).run()` (and the matching unselect) is timed for several
    filters, at least five times each, for the bundled report and for a generated workbook of 100,000
    measures (the bundled ones repeated with unique IDs and titles, units and statuses varied). The app
    shows the newest report of its snapshot store (SQLite in MAYEN_DATA_DIR): each data set gets a fresh
    data directory, the 100k workbook is stored there as a snapshot before the app runs.
(b) Time until the first page is usable in a real browser: a Streamlit server is started and healthy,
    then page.goto("/") is timed until the "Maßnahmen" metric is visible, in three fresh browser contexts.

Run: .venv/bin/python bench/bench_dashboard.py   (about two to four minutes)
"""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
# The app keeps its snapshot store and column mappings in MAYEN_DATA_DIR; keep the benchmark's out of var/.
os.environ["MAYEN_DATA_DIR"] = tempfile.mkdtemp(prefix="mayen-bench-")
os.environ.pop("MAYEN_DB_URL", None)
os.environ.pop("MAYEN_SHARED", None)
# AppTest runs without a server: Streamlit warns about that on every cache and context access.
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

import streamlit  # noqa: E402
from streamlit import logger as streamlit_logger  # noqa: E402

streamlit_logger.set_log_level("error")

from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import ui  # noqa: E402
from bench.bigdata import ROWS, big_workbook  # noqa: E402
from bench.measuring import write_results  # noqa: E402
from mayen_dash.loader import load_report  # noqa: E402
from mayen_dash.store import SnapshotStore  # noqa: E402
from tests.browser.serving import CHROMIUM, CHROMIUM_ARGS, dashboard_server  # noqa: E402

REPEATS = 5
BIG_ROWS = ROWS
BROWSER_RUNS = 3
TARGET_FILTER_MS = {"bundled": 300.0, "100k": 1500.0}
TARGET_FIRST_PAGE_S = 3.0

# Filter changes as people make them in the sidebar: (name, widget key, value).
FILTER_CHANGES = [
    ("Organisationseinheit = Bereich 2.1", ui.keys.UNITS, "Bereich 2.1"),
    ("Handlungsfeld = Innovatives Wissen", ui.keys.AREAS, "Innovatives Wissen"),
    ("Status = offen", ui.keys.STATUSES, "offen"),
]
# Pages the filter change is measured on: the start page, and the table that shows every row.
PAGES = {"Übersicht": None, "Maßnahmen": "pages/massnahmen.py"}
PAGE_TITLES = {None: "", "pages/massnahmen.py": "Maßnahmen"}

# ------------------------------------------------------------------------------------- (a) filter change


def _keep_st_navigation_in_charge() -> None:
    """AppTest re-detects the pages/ folder before every run and would run a page file alone (see
    tests/test_app.py); keep the flag cleared so every run goes through app.py as on the real server."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def _check(at: AppTest, page: str | None = None) -> None:
    """No exception, and still on the page being measured."""
    if at.exception:
        raise RuntimeError(f"Die App meldet einen Fehler: {[e.value for e in at.exception]}")
    expected = PAGE_TITLES[page]
    if expected and (not at.title or at.title[0].value != expected):
        raise RuntimeError(f"Erwartet war die Seite {expected}, gezeigt wird {[t.value for t in at.title]}.")


def data_dir_with(workbook: tuple[bytes, str] | None) -> str:
    """A fresh data directory; with a workbook, that workbook is stored as its only (so newest) report."""
    directory = tempfile.mkdtemp(prefix="mayen-bench-data-")
    if workbook is not None:
        os.environ["MAYEN_DATA_DIR"] = directory
        store = SnapshotStore.from_environment()
        data, name = workbook
        store.add(data, name, load_report(data, name))
        store.close()
    return directory


def filter_change_times(directory: str, page: str | None) -> tuple[dict[str, list[float]], float, int]:
    """Milliseconds per filter change (select and unselect timed separately), first-run time, measures shown."""
    os.environ["MAYEN_DATA_DIR"] = directory
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    first_run = _timed(at.run)
    _check(at)
    if page:
        at.switch_page(page).run()
        _check(at, page)
    total = len(at.session_state["view"].measures)
    times: dict[str, list[float]] = {}
    for _ in range(REPEATS):
        for name, key, value in FILTER_CHANGES:
            widget = at.sidebar.multiselect(key=key)
            times.setdefault(f"{name} wählen", []).append(_timed(widget.select(value).run))
            _check(at, page)
            if len(at.session_state["view"].measures) >= total:
                raise RuntimeError(f"Der Filter {name} hat nichts eingeschränkt.")
            widget = at.sidebar.multiselect(key=key)
            times.setdefault(f"{name} abwählen", []).append(_timed(widget.unselect(value).run))
            _check(at, page)
    return times, first_run, total


def summarize(samples: list[float]) -> dict[str, float]:
    return {"median": statistics.median(samples), "max": max(samples), "n": len(samples)}


# --------------------------------------------------------------------------------- (b) first page usable


@contextlib.contextmanager
def server() -> Iterator[tuple[str, float]]:
    """A dashboard server as the browser tests start it; yields its URL and the seconds until it was healthy."""
    with (
        tempfile.TemporaryDirectory(prefix="mayen-bench-server-") as data_dir,
        open(os.devnull, "w") as log,
        dashboard_server(Path(data_dir), log) as started,
    ):
        yield started


def first_page_times() -> tuple[list[dict[str, float]], float]:
    """Per fresh browser context: seconds from page.goto("/") until the "Maßnahmen" metric is visible.

    Also noted: when the app's frame (the sidebar navigation) is visible, i.e. Streamlit's JavaScript is
    loaded and connected, and how many KiB the browser fetched; the rest is the script run and drawing.
    """
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415  (only part (b) needs it)

    runs = []
    with server() as (url, startup), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for _ in range(BROWSER_RUNS):
                context = browser.new_context(viewport={"width": 1366, "height": 768})
                page = context.new_page()
                label = page.get_by_test_id("stMetricLabel").get_by_text("Maßnahmen", exact=True)
                value = page.get_by_test_id("stMetric").filter(has=label).get_by_test_id("stMetricValue")
                start = time.perf_counter()
                page.goto(url + "/", wait_until="commit")
                expect(page.get_by_test_id("stSidebarNav")).to_be_visible(timeout=60_000)
                shell = time.perf_counter() - start
                expect(value).to_be_visible(timeout=60_000)
                usable = time.perf_counter() - start
                expect(value).to_have_text("101")
                fetched = page.evaluate(
                    "() => performance.getEntriesByType('resource').reduce((sum, r) => sum + r.transferSize, 0)"
                )
                runs.append({"usable_s": usable, "frame_s": shell, "fetched_kib": fetched / 1024})
                context.close()
        finally:
            browser.close()
    return runs, startup


# ------------------------------------------------------------------------------------------------ report


def _verdict(ok: bool) -> str:
    return "ja" if ok else "NEIN"


def _ms(value: float) -> str:
    return f"{value:.0f} ms"


def _row(label: str, median: str, maximum: str, target: str, ok: str) -> str:
    return f"{label:<66} {median:>9} {maximum:>9} {target:>10}  {ok}"


def main() -> None:
    _keep_st_navigation_in_charge()
    load_before = os.getloadavg()
    print(
        f"Streamlit {streamlit.__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"Last (1 min) {load_before[0]:.1f}"
    )

    start = time.perf_counter()
    big = big_workbook()
    build_seconds = time.perf_counter() - start
    print(f"Arbeitsmappe mit {BIG_ROWS:,} Maßnahmen erzeugt: {len(big) / 1e6:.1f} MB in {build_seconds:.1f} s")

    start = time.perf_counter()
    directories = {"bundled": data_dir_with(None), "100k": data_dir_with((big, "big_2023-06.xlsx"))}
    print(f"100k-Arbeitsmappe als Stand gespeichert in {time.perf_counter() - start:.1f} s")
    filter_results: dict[str, dict] = {}
    for dataset, directory in directories.items():
        for page_name, page in PAGES.items():
            print(f"Filterwechsel messen: {dataset}, Seite {page_name} …", flush=True)
            times, first_run, total = filter_change_times(directory, page)
            everything = [t for samples in times.values() for t in samples]
            filter_results[f"{dataset} / {page_name}"] = {
                "dataset": dataset,
                "page": page_name,
                "measures": total,
                "first_run_ms": first_run,
                "changes": {name: summarize(samples) for name, samples in times.items()},
                "all": summarize(everything),
                "target_ms": TARGET_FILTER_MS[dataset],
                "ok": max(everything) < TARGET_FILTER_MS[dataset],
            }

    print("Erste Seite im Browser messen …", flush=True)
    details, startup = first_page_times()
    runs = [run["usable_s"] for run in details]
    first_page = {
        "runs_s": runs,
        "runs": details,
        "median_s": statistics.median(runs),
        "max_s": max(runs),
        "server_startup_s": startup,
        "target_s": TARGET_FIRST_PAGE_S,
        "ok": statistics.median(runs) < TARGET_FIRST_PAGE_S,
    }

    lines = [_row("Messung", "Median", "Max", "Ziel", "erfüllt")]
    for key, result in filter_results.items():
        target = f"< {result['target_ms']:.0f} ms"
        lines.append(
            f"Filterwechsel {key}: {result['measures']:,} Maßnahmen, erster Lauf {result['first_run_ms']:.0f} ms"
        )
        for name, figures in result["changes"].items():
            ok = figures["max"] < result["target_ms"]
            lines.append(_row(f"  {name}", _ms(figures["median"]), _ms(figures["max"]), target, _verdict(ok)))
        every = result["all"]
        label = f"  alle Filterwechsel (n={every['n']})"
        lines.append(_row(label, _ms(every["median"]), _ms(every["max"]), target, _verdict(result["ok"])))
    lines.append(
        _row(
            f"Erste Seite benutzbar (Median aus {BROWSER_RUNS} frischen Kontexten)",
            f"{first_page['median_s']:.2f} s",
            f"{first_page['max_s']:.2f} s",
            f"< {TARGET_FIRST_PAGE_S:.0f} s",
            _verdict(first_page["ok"]),
        )
    )
    single = ", ".join(f"{r['usable_s']:.2f} s (Rahmen nach {r['frame_s']:.2f} s)" for r in details)
    lines.append(f"  Einzelläufe, der erste ist die erste Sitzung des Servers: {single}")
    lines.append(f"  je Kontext geladen: {details[0]['fetched_kib']:,.0f} KiB (JavaScript, Schriften, Daten)")
    load_after = os.getloadavg()
    lines.append(
        f"Serverstart bis health: {startup:.1f} s. Rechnerlast (1 min) vorher {load_before[0]:.1f}, "
        f"nachher {load_after[0]:.1f} bei {os.cpu_count()} CPUs: über der CPU-Zahl sind die Zahlen zu hoch."
    )
    table = "\n".join(lines)
    print()
    print(table)

    write_results(
        "dashboard",
        {
            "streamlit": streamlit.__version__,
            "big_workbook": {"measures": BIG_ROWS, "bytes": len(big), "build_s": build_seconds},
            "repeats": REPEATS,
            "filter_change": filter_results,
            "first_page": first_page,
            "table": table,
        },
        load_before,
    )


if __name__ == "__main__":
    main()
