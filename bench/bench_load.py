"""Benchmark: loading 100,000 measures, against python-calamine's bare read and a plain pandas + openpyxl read.

Run: .venv/bin/python bench/bench_load.py [--rows N] [--repeat K] [--process-repeat P]

Whole process, in fresh interpreters taking turns (`--process-repeat` each), on the Land-wide list of
N measures (bench/bigdata.py):
  - calamine: `python -c` that imports python_calamine and reads every sheet to lists;
  - project: `python -c` that imports mayen_dash and loads the file (read, normalise, validate);
each one's CPU time (user + system of the child, resource.getrusage) and wall time, and the ratio
of the medians. Imports count: a council member's upload starts a process that imports them too.
Target (issue 14): project within 3x the bare read's CPU time.

Then it builds a flat workbook of N measures in a temporary folder (statuses,
targets and responsibilities varied as the city writes them), and times in
the same process:
  - project: mayen_dash.load_report (read with calamine, find the table,
    normalise statuses, dates and units, collect findings);
  - baseline: pandas.read_excel(engine="openpyxl"), which only reads;
  - refusal of a 201 MB zip bomb (checked before any parsing);
  - export of the loaded measures as .xlsx and as CSV (mayen_dash.export_measures,
    as the Maßnahmen page's downloads), the .xlsx read back as the same measures.
Targets (issue 2): project at least 4x faster than the baseline, 100,000 rows
in under 3 s, zip bomb refused in well under a second; each export in under 5 s
(the openpyxl writer before it took 24 s for the .xlsx).
Writes bench/results/load.json with the machine's load before and after (bench/measuring.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bigdata import big_workbook  # noqa: E402
from bench.measuring import write_results  # noqa: E402
from mayen_dash.exports import export_measures  # noqa: E402
from mayen_dash.loader import load_report  # noqa: E402
from mayen_dash.model import LoadError  # noqa: E402

HEADER = ["ID", "Handlungsfeld", "Zielgruppe", "Maßnahme", "Status", "Verantwortlichkeit", "Zieldatum", "Anmerkungen"]
AREAS = [
    "E-Government und Onlinezugangsgesetz",
    "Innovatives Wissen",
    "Digitale Infrastruktur und Klimaschutz",
    "Innovative Wirtschaft- und Tourismusmanagement",
]
STATUSES = ["erledigt", "In Bearbeitung", "in Bearbeitung", "offen", "Offen", "laufend", "abgeschlossen", "geplant"]
TARGETS = ["2023", "08/2022", "2022/2023", "laufend", "", "Laufend, 2022", "Q3/2023", "1. Halbjahr 2024", "31.12.2025"]
UNITS = [
    "Zentralbereich 1",
    "Zentralbereich 1/Bereich 2.1",
    "Fachbereich 1 in Zusammenarbeit mit dem Fachbereich 3",
    "Bereich 3.2",
    "Zentralbereich 1 (Personal)",
]
# The exports' "Überfällig zum Stichtag" column is computed for this date.
EXPORT_AS_OF = dt.date(2023, 1, 1)
# Fields the .xlsx export must give back unchanged when it is loaded again.
ROUND_TRIP = ("id", "area", "group", "title", "status", "responsible", "units", "target", "due", "remarks")


def build_workbook(path: Path, rows: int) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Maßnahmen")
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append(
            [
                f"M-{i:06d}",
                AREAS[i % 4],
                "",
                f"Maßnahme {i} in Gemeinde {i // 100}",
                STATUSES[i % len(STATUSES)],
                f"{UNITS[i % len(UNITS)]}/Gemeinde {i % 250}",
                TARGETS[i % len(TARGETS)],
                "Anmerkung" if i % 3 else "",
            ]
        )
    workbook.save(path)


# Each child prints the CPU time its imports took, so that a miss says whether imports or loading grew.
CALAMINE_CHILD = """
import sys, time
from python_calamine import CalamineWorkbook
imported = time.process_time()
workbook = CalamineWorkbook.from_path(sys.argv[1])
rows = sum(len(workbook.get_sheet_by_name(name).to_python()) for name in workbook.sheet_names)
assert rows > int(sys.argv[2]), rows
print(imported)
"""
PROJECT_CHILD = """
import sys, time
from mayen_dash.loader import load_report
imported = time.process_time()
report = load_report(sys.argv[1])
assert len(report.measures) == int(sys.argv[2]), len(report.measures)
print(imported)
"""
TARGET_PROCESS_RATIO = 3.0


def child_cost(code: str, path: Path, rows: int) -> dict[str, float]:
    """CPU (user + system), wall and import CPU seconds of one fresh interpreter running `code`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, str(path), str(rows)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return {"cpu_s": cpu, "wall_s": wall, "import_cpu_s": float(done.stdout.strip())}


def whole_process(rows: int, repeat: int) -> dict[str, object]:
    """The bare calamine read against the project's load, each in fresh processes taking turns."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "land.xlsx"
        path.write_bytes(big_workbook(rows))
        runs: dict[str, list[dict[str, float]]] = {"calamine": [], "project": []}
        for _ in range(repeat):
            runs["calamine"].append(child_cost(CALAMINE_CHILD, path, rows))
            runs["project"].append(child_cost(PROJECT_CHILD, path, rows))
    medians = {
        name: {key: round(statistics.median(run[key] for run in cost), 3) for key in cost[0]}
        for name, cost in runs.items()
    }
    return {
        **medians,
        "cpu_ratio": round(medians["project"]["cpu_s"] / medians["calamine"]["cpu_s"], 2),
        "wall_ratio": round(medians["project"]["wall_s"] / medians["calamine"]["wall_s"], 2),
        "cpu_ratio_per_pair": [
            round(p["cpu_s"] / c["cpu_s"], 2) for c, p in zip(runs["calamine"], runs["project"], strict=True)
        ],
    }


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (201 * 1024 * 1024))
    return buffer.getvalue()


def timed(action, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--process-repeat", type=int, default=5, help="fresh processes of each kind")
    args = parser.parse_args()
    load_before = os.getloadavg()

    process = whole_process(args.rows, args.process_repeat)
    print(f"{args.rows:,} Maßnahmen (bench/bigdata.py), ganzer Prozess, Median aus {args.process_repeat} Läufen:")
    for name, label in (("calamine", "python-calamine, nur lesen"), ("project", "Projekt, laden")):
        cost = process[name]
        print(
            f"  {label:27} CPU {cost['cpu_s']:.2f} s (Importe {cost['import_cpu_s']:.2f} s), "
            f"Wanduhr {cost['wall_s']:.2f} s"
        )
    print(
        f"  Faktor CPU {process['cpu_ratio']}x (Ziel <= {TARGET_PROCESS_RATIO}x), Wanduhr {process['wall_ratio']}x; "
        f"je Paar {process['cpu_ratio_per_pair']}"
    )

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gross.xlsx"
        build_workbook(path, args.rows)
        report = load_report(path)
        assert len(report.measures) == args.rows, len(report.measures)
        project = timed(lambda: load_report(path), args.repeat)
        baseline = timed(lambda: pd.read_excel(path, engine="openpyxl"), max(1, args.repeat - 1))
        size_mb = path.stat().st_size / 1e6

    measures = report.measures
    xlsx = timed(lambda: export_measures(measures, "xlsx", EXPORT_AS_OF), args.repeat)
    csv = timed(lambda: export_measures(measures, "csv", EXPORT_AS_OF), args.repeat)
    exported = export_measures(measures, "xlsx", EXPORT_AS_OF)
    again = load_report(exported, "export.xlsx").measures
    for column in ROUND_TRIP:
        assert again[column].astype(str).tolist() == measures[column].astype(str).tolist(), column

    bomb = zip_bomb()

    def refuse() -> None:
        try:
            load_report(bomb, "bombe.xlsx")
        except LoadError:
            return
        raise AssertionError("zip bomb was not refused")

    refusal = timed(refuse, args.repeat)

    result = {
        "rows": args.rows,
        "whole_process": process,
        "file_mb": round(size_mb, 1),
        "project_load_s": round(statistics.median(project), 3),
        "baseline_openpyxl_read_s": round(statistics.median(baseline), 3),
        "speedup": round(statistics.median(baseline) / statistics.median(project), 1),
        "zip_bomb_refusal_ms": round(statistics.median(refusal) * 1000, 2),
        "zip_bomb_mb": round(len(bomb) / 1e6, 2),
        "export_xlsx_s": round(statistics.median(xlsx), 3),
        "export_xlsx_mb": round(len(exported) / 1e6, 1),
        "export_csv_s": round(statistics.median(csv), 3),
    }
    print(f"{args.rows:,} Maßnahmen, Datei {result['file_mb']} MB")
    print(f"  Projekt (lesen + normalisieren + prüfen): {result['project_load_s']:.3f} s (Ziel < 3 s)")
    print(f"  pandas + openpyxl (nur lesen):           {result['baseline_openpyxl_read_s']:.3f} s")
    print(f"  Faktor: {result['speedup']}x (Ziel >= 4x)")
    print(
        f"  Zip-Bombe ({result['zip_bomb_mb']} MB, entpackt 201 MB) abgelehnt in {result['zip_bomb_refusal_ms']:.2f} ms"
    )
    print(
        f"  Export .xlsx ({result['export_xlsx_mb']} MB, wieder eingelesen gleich): "
        f"{result['export_xlsx_s']:.3f} s (Ziel < 5 s)"
    )
    print(f"  Export CSV: {result['export_csv_s']:.3f} s (Ziel < 5 s)")
    write_results("load", result, load_before)
    ok = (
        process["cpu_ratio"] <= TARGET_PROCESS_RATIO
        and result["project_load_s"] < 3
        and result["speedup"] >= 4
        and result["zip_bomb_refusal_ms"] < 1000
        and result["export_xlsx_s"] < 5
        and result["export_csv_s"] < 5
    )
    print("Ziele erreicht." if ok else "Ziele NICHT erreicht.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
