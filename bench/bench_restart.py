"""Restart: how soon after a server start the newest of two 100,000-measure Stände is on the first page.

Run: .venv/bin/python bench/bench_restart.py [--rows 100000] [--restarts 3] [--warm 3]

Two Stände of `--rows` measures each (bench/bigdata.stored_reports: stored as the Daten page stores
them, with their ready form, mayen_dash/derived.py) lie in a fresh data folder. The dashboard is then
started `--restarts` times on it as the browser tests start it (tests/browser/serving.py); after each start:
  - start: seconds from launching the server until its health endpoint answers (the lifespan's warm
    start, web/startup.py, reads the newest Stand and the one before it first; its own log line
    gives the seconds it took);
  - first page: the first visitor's Übersicht, in server time: from the request on Streamlit's
    websocket (bench/streamlit_client.py, the wire of a browser without its drawing) until
    script_finished; it must show the newest Stand ("Stand 31.12.2023" and all `--rows` measures);
  - warm page: the same for `--warm` visitors after it, one after another, median.
Targets (issue 14): the first page within 1 s of server time, and within 1.5x of a warm first page.
Writes bench/results/restart.json with the machine's load before and after (bench/measuring.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bigdata import ROWS, STORED, stored_reports  # noqa: E402
from bench.measuring import process_memory_mib, write_results  # noqa: E402
from bench.streamlit_client import Run, Session  # noqa: E402
from mayen_dash.formatting import format_count, format_date  # noqa: E402
from mayen_dash.store import SnapshotStore  # noqa: E402
from tests.browser.serving import dashboard_process  # noqa: E402

TARGET_FIRST_S = 1.0
TARGET_RATIO = 1.5
WARM_START = re.compile(r"warm start: (\d+) Stände, the newest ready, in ([\d.]+) s")


def shows_newest(run: Run, rows: int) -> list[str]:
    """What the Übersicht lacks of the newest Stand: its date in the caption and the count of all its measures."""
    missing = []
    stand = f"Stand {format_date(STORED[-1][2])}"
    # The app escapes Markdown: "31\\.12\\.2023".
    texts = [e.markdown.body.replace("\\", "") for _s, e in run.elements if e.WhichOneof("type") == "markdown"]
    if not any(stand in text for text in texts):
        missing.append(f"„{stand}“ nicht auf der Seite")
    shown = run.metric("Maßnahmen")
    if shown is None or shown[1] != format_count(rows):
        missing.append(f"Maßnahmen {shown[1] if shown else 'fehlt'}, erwartet {format_count(rows)}")
    return missing + run.problems()


async def visit(base: str, rows: int) -> float:
    """Server seconds of one new visitor's first page; an incomplete page is an error."""
    session, run = await Session.open(base, timeout=120)
    await session.close()
    missing = shows_newest(run, rows)
    if missing:
        raise RuntimeError("; ".join(missing))
    return run.seconds


def ready_forms(rows: int) -> int:
    """How many stored Stände have a ready form of today's loader (else the server would parse them)."""
    store = SnapshotStore.from_environment()
    try:
        ready = [store.derived_report(snapshot.id) for snapshot in store.snapshots()]
    finally:
        store.close()
    assert all(len(report.measures) == rows for report in ready if report is not None)
    return sum(report is not None for report in ready)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--restarts", type=int, default=3)
    parser.add_argument("--warm", type=int, default=3, help="visitors after the first, per start")
    args = parser.parse_args()
    load_before = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, Last (1 min) {load_before[0]:.1f}. Zwei Stände mit je {args.rows:,} Maßnahmen …")
    folder, preparation = stored_reports(args.rows, "mayen-bench-restart-")
    ready = ready_forms(args.rows)
    starts: list[dict[str, float]] = []
    for attempt in range(args.restarts):
        log_path = folder / f"server-{attempt}.log"
        with log_path.open("w") as log, dashboard_process(folder, log, startup_seconds=180) as (base, startup, server):
            first = asyncio.run(visit(base, args.rows))
            warm = [asyncio.run(visit(base, args.rows)) for _ in range(args.warm)]
            memory = process_memory_mib(server.pid)
        warm_start = WARM_START.search(log_path.read_text())
        starts.append(
            {
                "start_s": startup,
                "warm_start_s": float(warm_start[2]) if warm_start else float("nan"),
                "first_page_s": first,
                "warm_page_s": statistics.median(warm),
                "ratio": first / statistics.median(warm),
                "server_rss_mib": memory["rss_mib"],
            }
        )
        time.sleep(1)
    figures = {key: statistics.median(start[key] for start in starts) for key in starts[0]}
    verdict = {
        "first_page_within_1_s": figures["first_page_s"] <= TARGET_FIRST_S,
        "first_within_1_5x_warm": figures["ratio"] <= TARGET_RATIO,
        "ready_forms": ready == len(STORED),
    }
    print(f"Bereite Form gespeichert für {ready} von {len(STORED)} Ständen")
    for number, start in enumerate(starts, 1):
        print(
            f"  Start {number}: gesund nach {start['start_s']:.1f} s (Warmstart {start['warm_start_s']:.2f} s), "
            f"erste Seite {start['first_page_s']:.3f} s, warm {start['warm_page_s']:.3f} s, "
            f"Faktor {start['ratio']:.2f}, Server {start['server_rss_mib']:.0f} MiB"
        )
    print(
        f"Median: erste Seite nach dem Neustart {figures['first_page_s']:.3f} s Serverzeit "
        f"(Ziel <= {TARGET_FIRST_S} s), "
        f"warm {figures['warm_page_s']:.3f} s, Faktor {figures['ratio']:.2f} (Ziel <= {TARGET_RATIO})"
    )
    write_results(
        "restart",
        {
            "rows_per_report": args.rows,
            "preparation_s": preparation,
            "ready_forms": ready,
            "starts": starts,
            "median": figures,
            "targets": {"first_page_s": TARGET_FIRST_S, "ratio": TARGET_RATIO},
            "verdict": verdict,
        },
        load_before,
    )
    print("Ziele erreicht." if all(verdict.values()) else "Ziele NICHT erreicht.")
    return 0 if all(verdict.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
