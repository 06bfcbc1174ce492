"""A council member's first visit over a home line or the town hall's VPN, and the first visit after a restart.

(a) Cold visit: a fresh browser (empty cache) opens a page on a line Chromium throttles to
    16 Mbit/s down, 8 Mbit/s up and 40 ms latency. Measured: the bytes on the wire and the seconds
    until the page is usable (bench_scale's definition), for plain Streamlit (`streamlit run app.py`,
    the dashboard before the ASGI entry) and for the dashboard (`streamlit run server.py`: German
    index, compressed bundles), alternating in the same run. Targets: ≤ 2.5 MB and ≤ 0.5× the time.
(b) Warm start: the server is restarted, and a fresh browser opens the start page at once, then a
    second fresh browser does the same. Target: the first within 1.5× of the second.

    .venv/bin/python bench/bench_frontend.py [--runs 3]
    .venv/bin/python bench/bench_frontend.py --timeline   (one throttled visit's requests over time)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, sync_playwright  # noqa: E402

from bench.bench_scale import USABLE  # noqa: E402
from bench.measuring import write_results  # noqa: E402
from tests.browser.serving import CHROMIUM, CHROMIUM_ARGS, dashboard_server  # noqa: E402
from web.compression import precompress  # noqa: E402

PAGES = {"Übersicht": "", "Überfällig": "ueberfaellig"}
LINE = {"offline": False, "latency": 40, "downloadThroughput": 16e6 / 8, "uploadThroughput": 8e6 / 8}
TARGET_BYTES = 2.5e6
TARGET_TIME_RATIO = 0.5
TARGET_RESTART_RATIO = 1.5
TIMEOUT_MS = 120_000


@contextlib.contextmanager
def server(script: str, data_dir: Path | None = None) -> Iterator[str]:
    with contextlib.ExitStack() as stack:
        folder = data_dir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mayen-bench-front-")))
        log = stack.enter_context(open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "w"))
        url, _seconds = stack.enter_context(dashboard_server(folder, log, startup_seconds=120, script=script))
        yield url


def visit(browser: Browser, url: str, throttled: bool, timeline: list[dict] | None = None) -> dict[str, float]:
    """A fresh browser context opens `url`: seconds until usable and bytes received on the wire.

    With `timeline`, each request's start and end (seconds after the first) and size are appended to it.
    """
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if throttled:
            cdp.send("Network.emulateNetworkConditions", LINE)
        received = []
        cdp.on("Network.loadingFinished", lambda event: received.append(event["encodedDataLength"]))
        started: dict[str, tuple[str, float]] = {}
        ended: dict[str, tuple[float, float]] = {}

        def request(event: dict) -> None:
            started.setdefault(event["requestId"], (event["request"]["url"], event["timestamp"]))

        def finished(event: dict) -> None:
            ended.setdefault(event["requestId"], (event["timestamp"], event["encodedDataLength"]))

        cdp.on("Network.requestWillBeSent", request)
        cdp.on("Network.loadingFinished", finished)
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_function(USABLE, timeout=TIMEOUT_MS, polling=50)
        seconds = time.perf_counter() - start
        page.wait_for_timeout(500)  # late requests of the page (fonts, icons) still count as its bytes
        if timeline is not None and started:
            first = min(when for _url, when in started.values())
            for key, (address, when) in sorted(started.items(), key=lambda item: item[1][1]):
                end, size = ended.get(key, (when, 0.0))
                name = address.rsplit("/", 1)[-1]
                timeline.append({"file": name, "start_s": when - first, "end_s": end - first, "bytes": size})
        return {"seconds": seconds, "bytes": float(sum(received))}
    finally:
        context.close()


def cold_visits(browser: Browser, runs: int) -> dict[str, dict[str, dict[str, list[float]]]]:
    results: dict[str, dict[str, dict[str, list[float]]]] = {}
    with server("app.py") as plain, server("server.py") as ours:
        for title, path in PAGES.items():
            for base in (plain, ours):
                visit(browser, f"{base}/{path}", throttled=False)  # the server's first run of the page
            for _ in range(runs):  # alternating, so that a busy moment of the machine hits both alike
                for name, base in (("Streamlit", plain), ("Dashboard", ours)):
                    figures = results.setdefault(title, {}).setdefault(name, {"seconds": [], "bytes": []})
                    measured = visit(browser, f"{base}/{path}", throttled=True)
                    figures["seconds"].append(measured["seconds"])
                    figures["bytes"].append(measured["bytes"])
    return results


def restarts(browser: Browser, runs: int) -> dict[str, list[float]]:
    """Per restart: the first fresh browser's seconds to a usable start page, and the second's."""
    figures: dict[str, list[float]] = {"first_after_restart": [], "warm": []}
    with tempfile.TemporaryDirectory(prefix="mayen-bench-restart-") as folder:
        for _ in range(runs + 1):
            with server("server.py", Path(folder)) as url:
                first = visit(browser, f"{url}/", throttled=False)["seconds"]
                warm = visit(browser, f"{url}/", throttled=False)["seconds"]
            figures["first_after_restart"].append(first)
            figures["warm"].append(warm)
    return {name: values[1:] for name, values in figures.items()}  # the very first start also seeds the store


def waterfall(browser: Browser) -> int:
    """One throttled cold visit of the dashboard's start page: which requests start when, in 0.1 s steps.

    Shows what the time goes to: bytes (a large file that ends late) or round trips (waves of small
    files that each wait for the one importing them).
    """
    load_before = os.getloadavg()
    timeline: list[dict] = []
    with server("server.py") as ours:
        visit(browser, f"{ours}/", throttled=False)  # the server's first run of the page
        seconds = visit(browser, f"{ours}/", throttled=True, timeline=timeline)["seconds"]
    waves: dict[float, list[dict]] = {}
    for request in timeline:
        waves.setdefault(round(request["start_s"], 1), []).append(request)
    print(f"Startseite benutzbar nach {seconds:.2f} s; Anfragen nach Beginn (s): Anzahl, kB, spätestes Ende")
    for start, requests in sorted(waves.items()):
        largest = max(requests, key=lambda r: r["bytes"])
        print(
            f"  {start:4.1f} s: {len(requests):3d} Dateien, {sum(r['bytes'] for r in requests) / 1e3:7.1f} kB, "
            f"fertig bis {max(r['end_s'] for r in requests):.2f} s (größte: {largest['file']})"
        )
    write_results("frontend_timeline", {"line": LINE, "usable_s": seconds, "requests": timeline}, load_before)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeline", action="store_true", help="only: one throttled visit's requests over time")
    args = parser.parse_args()
    load_before = os.getloadavg()
    written = precompress()
    print(f"Vorab komprimiert: {written} neue Dateien")
    if args.timeline:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                return waterfall(browser)
            finally:
                browser.close()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            cold = cold_visits(browser, args.runs)
            restart = restarts(browser, args.runs)
        finally:
            browser.close()
    ok = True
    print(f"\nKalter Besuch, Leitung 16 Mbit/s, 40 ms (Median aus {args.runs} Läufen):")
    summary: dict[str, dict[str, float]] = {}
    for title, by_server in cold.items():
        plain, ours = by_server["Streamlit"], by_server["Dashboard"]
        row = {
            "streamlit_mb": statistics.median(plain["bytes"]) / 1e6,
            "dashboard_mb": statistics.median(ours["bytes"]) / 1e6,
            "streamlit_s": statistics.median(plain["seconds"]),
            "dashboard_s": statistics.median(ours["seconds"]),
        }
        row["time_ratio"] = row["dashboard_s"] / row["streamlit_s"]
        passed = row["dashboard_mb"] * 1e6 <= TARGET_BYTES and row["time_ratio"] <= TARGET_TIME_RATIO
        ok &= passed
        summary[title] = row
        print(
            f"  {title:<11} {row['streamlit_mb']:.2f} MB → {row['dashboard_mb']:.2f} MB, "
            f"{row['streamlit_s']:.2f} s → {row['dashboard_s']:.2f} s ({row['time_ratio']:.2f}×)"
            f"  {'ja' if passed else 'NEIN'}"
        )
    first = statistics.median(restart["first_after_restart"])
    warm = statistics.median(restart["warm"])
    restart_ok = first <= TARGET_RESTART_RATIO * warm
    ok &= restart_ok
    print(
        f"\nNach einem Neustart: erste Seite {first:.2f} s, danach {warm:.2f} s ({first / warm:.2f}×, "
        f"Ziel ≤ {TARGET_RESTART_RATIO}×)  {'ja' if restart_ok else 'NEIN'}"
    )
    write_results(
        "bench_frontend",
        {"line": LINE, "runs": args.runs, "cold": summary, "cold_samples": cold, "restart": restart, "ok": ok},
        load_before,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
