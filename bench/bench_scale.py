"""Scale: every page of the dashboard with 100,000 measures, in a real browser, and the server's memory.

Run: .venv/bin/python bench/bench_scale.py [--rows 100000] [--repeat 3]   (about five minutes)

Two reports of `--rows` measures each (bench/bigdata.py; the later one with a tenth of the
statuses moved on) are stored in a fresh data folder, then the dashboard is started on it as
the browser tests start it (tests/browser/serving.py) and driven with Debian's headless Chromium.
For each of the eight pages it measures, in seconds:
  - cold: a fresh browser context (empty cache, new session) opens the page's address until the
    page is usable: the script has finished, nothing on screen is stale, every visible chart is
    drawn and every visible table has its grid;
  - warm: the same, opening the page again in that context (Streamlit's JavaScript cached);
  - filter: choosing one Organisationseinheit in the sidebar until the page is usable again.
The very first visit after the server's start also reads the reports from the store; it is
reported on its own ("first visit"). The server's memory is read from /proc (VmRSS, and VmHWM,
the peak) after start, after the first visit and at the end. Writes bench/results/scale.json (bench/measuring.py).
Targets (issue 6): every page usable in under 3 s, a filter change under 1.5 s, server under 1 GB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bigdata import ROWS, stored_reports  # noqa: E402
from bench.measuring import process_memory_mib, write_results  # noqa: E402
from tests.browser.serving import CHROMIUM, CHROMIUM_ARGS, dashboard_process  # noqa: E402

PAGES = {
    "Übersicht": "",
    "Status": "status",
    "Überfällig": "ueberfaellig",
    "Verlauf": "verlauf",
    "Vergleich": "vergleich",
    "Balanced Scorecard": "scorecard",
    "Maßnahmen": "massnahmen",
    "Daten": "daten",
}
UNIT = "Bereich 3.2"
TIMEOUT_MS = 120_000
TARGET_PAGE_S = 3.0
TARGET_FILTER_S = 1.5
TARGET_MEMORY_MIB = 1024

# Usable: the script is done, nothing is greyed out as stale, the page title is there, and every
# visible chart and table has been drawn (Plotly's SVG, the data grid's canvas).
USABLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (!document.querySelector('[data-testid="stMain"] h1')) return false;
    if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
    const visible = el => el.offsetParent !== null;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].filter(visible);
    if (charts.some(chart => !chart.querySelector('.main-svg'))) return false;
    const grids = [...document.querySelectorAll('[data-testid="stDataFrame"]')].filter(visible);
    return !grids.some(grid => !grid.querySelector('canvas'));
}"""


def usable_after(page: Page, action) -> float:
    """Seconds from `action()` until the page is usable; an exception on the page is an error."""
    start = time.perf_counter()
    action()
    page.wait_for_function(USABLE, timeout=TIMEOUT_MS, polling=50)
    seconds = time.perf_counter() - start
    if page.get_by_test_id("stException").count():
        raise RuntimeError(f"Ausnahme auf {page.url}: {page.get_by_test_id('stException').first.inner_text()}")
    return seconds


def open_page(page: Page, url: str) -> float:
    """Seconds from typing the address until the page is usable."""
    return usable_after(page, lambda: page.goto(url, wait_until="commit"))


def choose_unit(page: Page) -> float:
    """Seconds from choosing UNIT in the sidebar until the page shows the narrowed data."""
    box = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").first
    box.locator("input").click()
    page.keyboard.type(UNIT)
    option = page.get_by_role("option", name=UNIT, exact=True)  # Enter would also take "Bereich 3.2 und …"

    def choose() -> None:
        option.click()
        page.wait_for_url("**einheit=*", timeout=TIMEOUT_MS)  # the app writes the filter to the address

    seconds = usable_after(page, choose)
    page.keyboard.press("Escape")
    return seconds


def measure_pages(browser: Browser, base: str, repeat: int) -> dict[str, dict[str, list[float]]]:
    results: dict[str, dict[str, list[float]]] = {}
    for _ in range(repeat):
        for title, path in PAGES.items():
            figures = results.setdefault(title, {"cold": [], "warm": [], "filter": []})
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            url = f"{base}/{path}"
            figures["cold"].append(open_page(page, url))
            figures["warm"].append(open_page(page, url))
            figures["filter"].append(choose_unit(page))
            context.close()
    return results


def summary(samples: list[float]) -> dict[str, float]:
    return {"median_s": statistics.median(samples), "max_s": max(samples), "n": len(samples)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, Last (1 min) {load_before[0]:.1f}. Zwei Stände mit je {args.rows:,} Maßnahmen …")
    folder, preparation = stored_reports(args.rows, "mayen-bench-scale-")
    memory: dict[str, dict[str, float]] = {}
    with (
        (folder / "server.log").open("w") as log,
        dashboard_process(folder, log) as (base, startup, server),
        sync_playwright() as playwright,
    ):
        pid = server.pid
        memory["nach dem Start"] = process_memory_mib(pid)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        first_visit = open_page(page, base + "/")
        context.close()
        memory["nach dem ersten Besuch"] = process_memory_mib(pid)
        pages = measure_pages(browser, base, args.repeat)
        memory["am Ende"] = process_memory_mib(pid)
        browser.close()
    load_after = os.getloadavg()

    figures = {title: {kind: summary(samples) for kind, samples in kinds.items()} for title, kinds in pages.items()}
    peak = max(m["peak_mib"] for m in memory.values())
    verdict = {
        "pages_under_3_s": all(f["cold"]["median_s"] < TARGET_PAGE_S for f in figures.values()),
        "filter_under_1_5_s": all(f["filter"]["max_s"] < TARGET_FILTER_S for f in figures.values()),
        "memory_under_1_gb": peak < TARGET_MEMORY_MIB,
    }
    lines = [f"{'Seite':<20} {'kalt (Median/Max)':>20} {'warm (Median/Max)':>20} {'Filter (Median/Max)':>20}"]
    for title, kinds in figures.items():
        cells = [f"{kinds[k]['median_s']:.2f} / {kinds[k]['max_s']:.2f} s" for k in ("cold", "warm", "filter")]
        lines.append(f"{title:<20} {cells[0]:>20} {cells[1]:>20} {cells[2]:>20}")
    lines.append(
        f"Erster Besuch nach dem Serverstart (liest den neuesten Stand, {args.rows:,} Maßnahmen, aus dem Speicher): "
        f"{first_visit:.2f} s; Serverstart {startup:.1f} s"
    )
    lines.append(
        "Serverspeicher: "
        + "; ".join(f"{when} {m['rss_mib']:.0f} MiB (Spitze {m['peak_mib']:.0f} MiB)" for when, m in memory.items())
    )
    lines.append(
        f"Ziele: jede Seite < {TARGET_PAGE_S:.0f} s (kalt, Median) {'ja' if verdict['pages_under_3_s'] else 'NEIN'}; "
        f"Filterwechsel < {TARGET_FILTER_S} s (max.) {'ja' if verdict['filter_under_1_5_s'] else 'NEIN'}; "
        f"Speicher < 1 GB {'ja' if verdict['memory_under_1_gb'] else 'NEIN'}"
    )
    lines.append(f"Rechnerlast (1 min) vorher {load_before[0]:.1f}, nachher {load_after[0]:.1f}")
    table = "\n".join(lines)
    print(table)
    write_results(
        "scale",
        {
            "rows_per_report": args.rows,
            "preparation_s": preparation,
            "server_startup_s": startup,
            "first_visit_s": first_visit,
            "pages": figures,
            "memory_mib": memory,
            "targets": {"page_s": TARGET_PAGE_S, "filter_s": TARGET_FILTER_S, "memory_mib": TARGET_MEMORY_MIB},
            "verdict": verdict,
            "table": table,
        },
        load_before,
    )
    return 0 if all(verdict.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
