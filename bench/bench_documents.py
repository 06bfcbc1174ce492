"""Benchmark: the status report as an 18-page PDF, and 100,000 measures as .ods against the same table as .xlsx.

Run: .venv/bin/python bench/bench_documents.py [--rows N] [--repeat K]

It builds, in the same run:
  - the bundled report as the city's Word document (tests/documents.report_docx), with measures added
    until LibreOffice prints it on at least 18 pages, and times mayen_dash.load_report on that PDF;
  - the Land-wide list of N measures (bench/bigdata.big_workbook) as .xlsx, and the same workbook saved
    as .ods by LibreOffice, and times load_report on both.
Each time is the median of K loads. Targets (issue 12): the PDF read in under 3 s; the .ods within 2x
the .xlsx load of the same table. LibreOffice headless is needed (make system-deps installs it).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pdfplumber

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bigdata import ROWS, big_workbook
from bench.measuring import write_results
from mayen_dash.loader import load_report
from mayen_dash.settings import BUNDLED_REPORT
from tests.documents import convert, report_docx

PAGES = 18


def _median_seconds(data: bytes, name: str, repeat: int) -> tuple[float, int]:
    times = []
    count = 0
    for _ in range(repeat):
        started = time.perf_counter()
        report = load_report(data, name)
        times.append(time.perf_counter() - started)
        count = len(report.measures)
    return statistics.median(times), count


def report_pdf(pages: int = PAGES) -> tuple[bytes, int, int]:
    """The bundled report printed by LibreOffice, with measures of its first field added until it has `pages`."""
    bundled = load_report(BUNDLED_REPORT)
    extra = 0
    while True:
        measures = bundled.measures
        if extra:
            added = measures[measures["area"] == measures["area"].iloc[0]].head(extra).copy()
            added["title"] = [f"{title} (weitere)" for title in added["title"]]
            measures = pd.concat([measures.head(74), added, measures.iloc[74:]], ignore_index=True)
        pdf = convert({"bericht.docx": report_docx(replace(bundled, measures=measures))}, "pdf")["bericht.docx"]
        with pdfplumber.open(io.BytesIO(pdf)) as document:
            printed = len(document.pages)
        if printed >= pages:
            return pdf, printed, len(measures)
        extra += 8 * (pages - printed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()

    pdf, pages, measures = report_pdf()
    pdf_seconds, pdf_count = _median_seconds(pdf, "Statusbericht.pdf", args.repeat)
    print(f"PDF: {pages} Seiten, {measures} Maßnahmen gedruckt, {pdf_count} gelesen in {pdf_seconds:.2f} s (< 3 s)")

    workbook = big_workbook(args.rows)
    started = time.perf_counter()
    ods = convert({"liste.xlsx": workbook}, "ods", timeout=1800)["liste.xlsx"]
    converted = time.perf_counter() - started
    xlsx_seconds, xlsx_count = _median_seconds(workbook, "liste.xlsx", args.repeat)
    ods_seconds, ods_count = _median_seconds(ods, "liste.ods", args.repeat)
    ratio = ods_seconds / xlsx_seconds
    print(
        f".xlsx: {xlsx_count} Maßnahmen in {xlsx_seconds:.2f} s; .ods: {ods_count} in {ods_seconds:.2f} s "
        f"({ratio:.2f}x, Ziel <= 2x; .ods {len(ods) / 1e6:.1f} MB, von LibreOffice in {converted:.0f} s geschrieben)"
    )
    write_results(
        "documents",
        {
            "pdf": {"pages": pages, "measures_printed": measures, "measures_read": pdf_count, "seconds": pdf_seconds},
            "spreadsheet": {
                "rows": args.rows,
                "xlsx_seconds": xlsx_seconds,
                "ods_seconds": ods_seconds,
                "ods_to_xlsx": ratio,
                "xlsx_bytes": len(workbook),
                "ods_bytes": len(ods),
                "measures_read": [xlsx_count, ods_count],
            },
            "repeat": args.repeat,
            "targets": {"pdf_seconds": 3.0, "ods_to_xlsx": 2.0},
        },
        load_before,
    )


if __name__ == "__main__":
    main()
