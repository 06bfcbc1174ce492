"""Benchmark: how long each hostile or broken file takes to load or be refused, and how much memory.

Not a test: it measures and prints, and writes the figures to bench/results/hostile.json.
tests/test_hostile.py only enforces the limits (5 s, 1 GiB); this says how far inside them we are.

For every file of tests/hostile_files.CORPUS: the file is built, then loaded `--repeat` times,
each time in a process of its own (forked from a forkserver that imported pandas, calamine and
SQLAlchemy once, address space limited to 1 GiB as in the tests). Reported: the median time of
load_report (or of its refusal), the peak resident memory of the process (ru_maxrss; it includes
the ~80 MB a process has after the imports) and the outcome.

Then the cost of the scan that readers/xlsx.py runs before calamine (zip members streamed and
searched for far cells and shared-string amplification) on normal workbooks of 100,000 measures:
as openpyxl writes them (inline strings, the 4 MB file of bench_load.py) and as Excel writes them
(shared strings), with and without the scan.

With --limits also the files of tests/hostile_files.AT_LIMITS (the most rows and cells the limits admit, every
text unique), each loaded and stored in a SQLite store as the upload page does.

Run: .venv/bin/python bench/bench_hostile.py [--repeat 3] [--only KEY ...] [--limits]   (about a minute)
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_load import build_workbook  # noqa: E402

from mayen_dash.loader import load_report  # noqa: E402
from mayen_dash.readers import read_sheets  # noqa: E402
from mayen_dash.readers import xlsx as xlsx_reader  # noqa: E402
from tests import hostile_files as hostile  # noqa: E402

BENCH_LIMIT = 120.0  # seconds: measure slow files instead of killing them


def corpus_figures(
    keys: list[str],
    repeat: int,
    workdir: Path,
    corpus: dict[str, hostile.HostileFile] = hostile.CORPUS,
    *,
    store: bool = False,
) -> list[dict[str, object]]:
    """Each file loaded `repeat` times in a process of its own; with `store`, an accepted one is also stored."""
    figures = []
    for key in keys:
        item = corpus[key]
        data = item.build()
        runs = []
        for attempt in range(repeat):
            url = f"sqlite:///{workdir / f'{key}-{attempt}.sqlite3'}" if store else None
            try:
                runs.append(hostile.run_isolated(data, item.filename, workdir, store=url, time_limit=BENCH_LIMIT))
            except hostile.ChildFailedError as failure:
                runs.append({"outcome": "crashed", "message": str(failure), "seconds": float("nan"), "maxrss_mb": 0})
        last = runs[-1]
        report = last.get("report") or {}
        figures.append(
            {
                "key": key,
                "file": item.filename,
                "what": item.what,
                "bytes": len(data),
                "outcome": last["outcome"],
                "detail": last.get("message") or f"{report.get('count')} Maßnahmen",
                "seconds": statistics.median(run["seconds"] for run in runs),
                "peak_mb": max(run["maxrss_mb"] for run in runs),
                "start_mb": last.get("started_rss_mb", 0),
            }
        )
        row = figures[-1]
        print(
            f"{key:26} {row['bytes'] / 1e6:8.2f} MB  {row['seconds']:6.3f} s  {row['peak_mb']:6.0f} MB  "
            f"{row['outcome']:8}  {str(row['detail'])[:90]}",
            flush=True,
        )
    return figures


def excel_like(path: Path, rows: int) -> bytes:
    """The bench_load workbook rewritten with a shared-string table, as Excel writes text cells."""
    values = read_sheets(path.read_bytes())[0].rows
    index: dict[str, int] = {}
    xml = []
    for i, row in enumerate(values[: rows + 1], start=1):
        cells = []
        for j, value in enumerate(row):
            if value in ("", None):
                continue
            number = index.setdefault(str(value), len(index))
            cells.append(f'<c r="{hostile.column_letter(j)}{i}" s="0" t="s"><v>{number}</v></c>')
        xml.append(f'<row r="{i}" spans="1:8">{"".join(cells)}</row>')
    table = "".join(f"<si><t>{escape(text)}</t></si>" for text in index)
    sheet = f'<worksheet xmlns="{hostile.MAIN_NS}"><sheetData>{"".join(xml)}</sheetData></worksheet>'
    shared = f'<sst xmlns="{hostile.MAIN_NS}" count="{len(index)}" uniqueCount="{len(index)}">{table}</sst>'
    return hostile.zip_archive(hostile.workbook_parts({"Maßnahmen": sheet}, shared_strings=shared))


def best(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def scan_figures(repeat: int, workdir: Path) -> list[dict[str, object]]:
    path = workdir / "gross.xlsx"
    build_workbook(path, 100_000)
    workbooks = {
        "openpyxl (Inline-Texte)": path.read_bytes(),
        "wie Excel (gemeinsame Texte)": excel_like(path, 100_000),
    }
    figures = []
    for name, data in workbooks.items():
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            unpacked = sum(e.file_size for e in entries)
            scan = best(lambda a=archive, e=entries, u=unpacked: xlsx_reader._check_extent(a, e, u), repeat)
        with_scan = best(lambda d=data: load_report(d, "gross.xlsx"), repeat)
        original, xlsx_reader._check_extent = xlsx_reader._check_extent, lambda *_: None
        try:
            without_scan = best(lambda d=data: load_report(d, "gross.xlsx"), repeat)
        finally:
            xlsx_reader._check_extent = original
        figures.append(
            {
                "workbook": name,
                "file_mb": round(len(data) / 1e6, 1),
                "unpacked_mb": round(unpacked / 1e6, 1),
                "scan_s": round(scan, 3),
                "load_with_scan_s": round(with_scan, 3),
                "load_without_scan_s": round(without_scan, 3),
            }
        )
        row = figures[-1]
        print(
            f"  {name:30} Datei {row['file_mb']:4.1f} MB, entpackt {row['unpacked_mb']:5.1f} MB: "
            f"Prüfung {row['scan_s'] * 1000:4.0f} ms; load_report {row['load_without_scan_s']:.3f} s ohne, "
            f"{row['load_with_scan_s']:.3f} s mit Prüfung",
            flush=True,
        )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=None, help="keys of the corpus to measure")
    parser.add_argument("--no-scan", action="store_true", help="skip the 100,000-row workbooks")
    parser.add_argument(
        "--limits", action="store_true", help="also the files at the row and cell limits, loaded and stored"
    )
    args = parser.parse_args()
    keys = args.only or list(hostile.CORPUS)
    print(f"{len(keys)} Dateien, je {args.repeat} Läufe in eigenen Prozessen (Adressraum 1 GiB)")
    print(f"{'Datei':26} {'Größe':>11}  {'Zeit':>8}  {'Spitze':>9}  Ergebnis")
    with tempfile.TemporaryDirectory() as folder:
        corpus = corpus_figures(keys, args.repeat, Path(folder))
        if args.limits:
            print("An den Grenzen (Zeilen, Zellen), geladen und gespeichert:")
            corpus += corpus_figures(list(hostile.AT_LIMITS), args.repeat, Path(folder), hostile.AT_LIMITS, store=True)
        scans = []
        if not args.no_scan:
            print("Prüfung vor calamine, 100.000 Maßnahmen:")
            scans = scan_figures(args.repeat, Path(folder))
    slowest = max(corpus, key=lambda row: row["seconds"])
    heaviest = max(corpus, key=lambda row: row["peak_mb"])
    print(
        f"Langsamste Datei: {slowest['key']} ({slowest['seconds']:.2f} s); meister Speicher: {heaviest['key']} "
        f"({heaviest['peak_mb']:.0f} MB)"
    )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "hostile.json").write_text(
        json.dumps({"machine": platform.platform(), "corpus": corpus, "scan": scans}, indent=2, ensure_ascii=False)
        + "\n"
    )
    within = all(row["seconds"] < hostile.TIME_LIMIT and row["peak_mb"] < 1024 for row in corpus)
    crashed = [row["key"] for row in corpus if row["outcome"] == "crashed"]
    print("Alle Dateien innerhalb 5 s und 1 GiB." if within and not crashed else f"NICHT innerhalb: {crashed}")
    return 0 if within and not crashed else 1


if __name__ == "__main__":
    sys.exit(main())
