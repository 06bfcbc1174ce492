"""Open data under load: /api/v1/massnahmen.json filtered by unit at 100,000 measures, many clients at once.

Run: .venv/bin/python bench/bench_api.py [--rows 100000] [--clients 50] [--seconds 30]   (about two minutes)

One report of `--rows` measures (bench/bigdata.py) is stored in a fresh data folder and the
dashboard is started on it as the tests start it (tests/browser/serving.py), with the rate limit
switched off (MAYEN_API_RATE_LIMIT=0): the bench measures the server, not the limit, which would
answer a client in a loop with 429 after its first 30 requests. Then:
  - first requests: each unit once, one after the other; each builds its unit's document, which later
    requests are served from (the Stand itself was read by the server's warm start, web/startup.py);
  - load: `--clients` threads, each with its own keep-alive connection and its own X-Forwarded-For
    address, ask for /api/v1/massnahmen.json?einheit=<unit> in a loop for `--seconds`, the units in
    turn, accepting gzip as a portal's harvester does. A request counts as an error when it fails,
    does not answer 200, or its body differs in length from that unit's first answer.
Latency is from sending the request to the last byte of the answer, measured in the client.
The server's memory is read from /proc (bench/measuring.py). Writes bench/results/api.json.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bigdata import ROWS, big_workbook  # noqa: E402
from bench.measuring import process_memory_mib, write_results  # noqa: E402
from mayen_dash.loader import load_report  # noqa: E402
from mayen_dash.store import SnapshotStore  # noqa: E402
from tests.browser.serving import dashboard_process  # noqa: E402

# Units of bench/bigdata.py: each appears alone and in shared responsibilities (Zentralbereich 1/Bereich 2.1).
UNITS = ["Bereich 2.1", "Bereich 3.2", "Zentralbereich 1", "Fachbereich 1", "Jugendamt"]
TIMEOUT_S = 120


def prepared_data_dir(rows: int) -> tuple[Path, float]:
    """A data folder holding one report of `rows` measures; returns it and the seconds to store it."""
    folder = Path(tempfile.mkdtemp(prefix="mayen-bench-api-"))
    store = SnapshotStore(f"sqlite:///{folder / 'mayen.sqlite3'}")
    data = big_workbook(rows)
    start = time.perf_counter()
    store.add(data, "land_2022-08.xlsx", load_report(data, "land_2022-08.xlsx"))
    store.close()
    return folder, time.perf_counter() - start


def path_for(unit: str) -> str:
    return "/api/v1/massnahmen.json?" + urllib.parse.urlencode({"einheit": unit})


def first_requests(base: str) -> dict[str, dict[str, float]]:
    """Each unit's first request: seconds, measures, and the bytes of its plain and gzip answer."""
    parts = urllib.parse.urlsplit(base)
    found = {}
    for unit in UNITS:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT_S)
        start = time.perf_counter()
        connection.request("GET", path_for(unit), headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        body = response.read()
        seconds = time.perf_counter() - start
        connection.close()
        if response.status != 200:
            raise RuntimeError(f"{unit}: {response.status} {body[:300]!r}")
        plain = gzip.decompress(body)
        found[unit] = {
            "seconds": seconds,
            "measures": json.loads(plain)["count"],
            "bytes_gzip": len(body),
            "bytes_plain": len(plain),
        }
    return found


def load(base: str, clients: int, seconds: float, expected: dict[str, int]) -> tuple[list[float], list[str]]:
    """`clients` threads asking in a loop until `seconds` have passed; returns latencies and errors."""
    parts = urllib.parse.urlsplit(base)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT_S)
        headers = {"Accept-Encoding": "gzip", "X-Forwarded-For": f"198.51.100.{number}"}
        turn = number
        while time.perf_counter() < deadline:
            unit = UNITS[turn % len(UNITS)]
            turn += 1
            start = time.perf_counter()
            try:
                connection.request("GET", path_for(unit), headers=headers)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    errors.append(f"{unit}: {type(error).__name__}: {error}")
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT_S)
                continue
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if response.status != 200:
                    errors.append(f"{unit}: HTTP {response.status}")
                elif len(body) != expected[unit]:
                    errors.append(f"{unit}: {len(body)} bytes instead of {expected[unit]}")
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    load_before = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, Last (1 min) {load_before[0]:.1f}. Ein Stand mit {args.rows:,} Maßnahmen …")
    folder, stored_s = prepared_data_dir(args.rows)
    environment = {"MAYEN_API_RATE_LIMIT": "0", "MAYEN_TRUSTED_PROXIES": "127.0.0.1"}
    with (
        (folder / "server.log").open("w") as log,
        dashboard_process(folder, log, environment=environment) as (base, startup, server),
    ):
        memory = {"nach dem Start": process_memory_mib(server.pid)}
        first = first_requests(base)
        memory["nach den ersten Anfragen"] = process_memory_mib(server.pid)
        expected = {unit: int(figures["bytes_gzip"]) for unit, figures in first.items()}
        start = time.perf_counter()
        latencies, errors = load(base, args.clients, args.seconds, expected)
        wall = time.perf_counter() - start
        memory["am Ende"] = process_memory_mib(server.pid)

    figures = {
        "rows": args.rows,
        "clients": args.clients,
        "seconds": round(wall, 1),
        "server_start_s": round(startup, 2),
        "store_report_s": round(stored_s, 2),
        "first_requests": {unit: {k: round(v, 3) for k, v in f.items()} for unit, f in first.items()},
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / wall, 1),
        "latency_s": {
            "p50": round(statistics.median(latencies), 3),
            "p95": round(percentile(latencies, 0.95), 3),
            "p99": round(percentile(latencies, 0.99), 3),
            "max": round(max(latencies), 3),
        },
        "errors": len(errors),
        "error_examples": errors[:10],
        "server_memory_mib": {k: {n: round(v) for n, v in m.items()} for k, m in memory.items()},
    }
    for unit, f in first.items():
        print(
            f"Erste Anfrage {unit:<18} {f['seconds']:6.2f} s  {int(f['measures']):>6} Maßnahmen  "
            f"{f['bytes_plain'] / 2**20:5.1f} MiB JSON, {f['bytes_gzip'] / 2**20:4.2f} MiB mit gzip"
        )
    latency = figures["latency_s"]
    print(
        f"{args.clients} Clients, {wall:.0f} s: {len(latencies)} Anfragen ({figures['requests_per_s']}/s), "
        f"p50 {latency['p50']:.3f} s, p95 {latency['p95']:.3f} s, p99 {latency['p99']:.3f} s, "
        f"max. {latency['max']:.3f} s, Fehler {len(errors)}"
    )
    print(f"Speicher des Servers: {figures['server_memory_mib']}")
    write_results("api", figures, load_before)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
