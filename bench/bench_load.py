"""Benchmark: loading 100,000 measures, against a plain pandas + openpyxl read.

Run: .venv/bin/python bench/bench_load.py [--rows N] [--repeat K]

It builds a flat workbook of N measures in a temporary folder (statuses,
targets and responsibilities varied as the city writes them), then times in
the same run:
  - project: mayen_dash.load_report (read with calamine, find the table,
    normalise statuses, dates and units, collect findings);
  - baseline: pandas.read_excel(engine="openpyxl"), which only reads;
  - refusal of a 201 MB zip bomb (checked before any parsing);
  - export of the loaded measures as .xlsx and as CSV (mayen_dash.export_measures,
    as the Maßnahmen page's downloads), the .xlsx read back as the same measures.
Targets (issue 2): project at least 4x faster than the baseline, 100,000 rows
in under 3 s, zip bomb refused in well under a second; each export in under 5 s
(the openpyxl writer before it took 24 s for the .xlsx).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mayen_dash.exports import export_measures
from mayen_dash.loader import load_report
from mayen_dash.model import LoadError

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
    args = parser.parse_args()

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
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "load.json").write_text(json.dumps(result, indent=2) + "\n")
    ok = (
        result["project_load_s"] < 3
        and result["speedup"] >= 4
        and result["zip_bomb_refusal_ms"] < 1000
        and result["export_xlsx_s"] < 5
        and result["export_csv_s"] < 5
    )
    print("Ziele erreicht." if ok else "Ziele NICHT erreicht.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
