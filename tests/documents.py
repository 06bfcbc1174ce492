"""The status report as the city writes it: a Word document built from a Report, its PDF, other formats.

`SAMPLE` is one small report with everything the readers must handle in every format that
can carry it (title rows above the header, the printed layout, a merged cell, a date cell,
a number and a number typed as text, the Stichtag in the title block); `sample_files` writes
it as .xlsx, .xlsb, CSV, .docx and text, and LibreOffice turns those into .ods, .xls and PDF.

`report_docx` writes what the city's Word report has: the title block with "Stand:", the
header table (Projektmanager, Projekttitel, …), one table per Handlungsfeld (a first row
with one merged cell naming it, the header with the report's typos, rows with one merged
cell naming a Zielgruppe, cells with several paragraphs), the sections under headings
with bullet lists, and the balanced scorecard under its perspective headings. `convert`
prints or converts files with LibreOffice headless (one run for many files).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
import pytest
from docx.shared import Cm

from mayen_dash.formatting import format_date
from mayen_dash.model import Report
from mayen_dash.vocabulary import REPORT_FIELDS
from tests.builders import csv_bytes, xlsx_bytes
from tests.xlsb_writer import xlsb_bytes

# The headers as the report of 31.08.2022 writes them, one set per Handlungsfeld (typos included).
HEADERS = [
    ["Maßnahme", "Status", "Verantwortlichkeit", "Zieldatum", "Anmerkungen"],
    ["Maßnahme", "Staus", "Verantwortlich keit", "Zeitrah men", "Anmerkung"],
    ["Maßnahme", "Status", "Verantwortlich keit", "Zeitrah men", "Anmerkung"],
    ["Maßnahme", "Status", "Verantwortlichkeit", "Zeitraumen", "Anmerkung"],
]
# Narrow enough that "Zentralbereich" breaks inside the word when printed.
WIDTHS = [Cm(5.5), Cm(2.3), Cm(2.0), Cm(1.9), Cm(5.3)]


def _merged_row(table, text: str, bold: bool = True) -> None:
    cells = table.add_row().cells
    merged = cells[0].merge(cells[-1])
    run = merged.paragraphs[0].add_run(text)
    run.bold = bold


def report_docx(report: Report, *, narrow: bool = True) -> bytes:
    """A Word document of `report` laid out as the city's status report."""
    document = docx.Document()
    info = report.info
    document.add_heading(info["title"], level=0)
    for line in info["subtitle"].replace(", ", ",\n").splitlines():
        document.add_paragraph(line)
    document.add_paragraph(f"-{info['document']}-")
    document.add_paragraph(f"Stand: {format_date(report.report_date)}")
    fields = document.add_table(rows=0, cols=2)
    fields.style = "Table Grid"
    for key in ("manager", "project_title", "background", "benefit", "goal"):
        cells = fields.add_row().cells
        cells[0].text = "Projekttitle" if key == "project_title" else REPORT_FIELDS[key]
        cells[1].text = info[key]
    measures = report.measures
    for number, (area, rows) in enumerate(measures.groupby("area", sort=False, observed=True)):
        document.add_paragraph()
        table = document.add_table(rows=0, cols=5)
        table.style = "Table Grid"
        _merged_row(table, str(area))
        header = table.add_row().cells
        for cell, text in zip(header, HEADERS[number % 4], strict=True):
            cell.text = text
        group = None
        for row in rows.itertuples():
            if row.group and row.group != group:
                _merged_row(table, row.group)
            group = row.group
            cells = table.add_row().cells
            values = [row.title, row.status_raw, row.responsible, row.target]
            for cell, text in zip(cells, values, strict=False):
                cell.text = text
            remarks = [part for part in row.remarks.split(". ") if part] if row.remarks else []
            if remarks:
                cells[4].text = remarks[0] + ("." if len(remarks) > 1 else "")
                for part in remarks[1:]:
                    cells[4].add_paragraph(part + ("." if part != remarks[-1] else ""))
        if narrow:
            for column, width in zip(table.columns, WIDTHS, strict=True):
                for cell in column.cells:
                    cell.width = width
    for key in ("progress", "next_steps", "problems"):
        document.add_heading(REPORT_FIELDS[key], level=1)
        _section(document, info[key])
    document.add_paragraph().add_run("Weitere Anhänge:").bold = True
    for line in info["attachments"].splitlines():
        document.add_paragraph(line)
    for perspective, rows in report.scorecard.groupby("perspective", sort=False):
        document.add_heading(str(perspective), level=2)
        first = rows.iloc[0]
        document.add_paragraph().add_run(f"Leitfrage: {first['question']}").bold = False
        table = document.add_table(rows=2, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ["Strat. Ziele", "Maßnahmen", "Messgrößen"], strict=True):
            cell.text = text
        # Each entry a paragraph starting with a dash, as the city's report writes them.
        items = [first["goals"].splitlines(), first["actions"].splitlines(), list(rows["indicator"])]
        for cell, lines in zip(table.rows[1].cells, items, strict=True):
            cell.text = "-" + lines[0]
            for line in lines[1:]:
                cell.add_paragraph("-" + line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _section(document, text: str) -> None:
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            continue
        if paragraph.startswith("  - "):
            document.add_paragraph(paragraph[4:], style="List Bullet 2")
        elif paragraph.startswith("- "):
            document.add_paragraph(paragraph[2:], style="List Bullet")
        else:
            document.add_paragraph(paragraph)


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_or_skip() -> None:
    """Skip a test that needs LibreOffice where it is missing, unless MAYEN_REQUIRE_BROWSER=1 (make test) demands it."""
    if libreoffice() is None:
        reason = "LibreOffice (soffice) ist nicht installiert"
        if os.environ.get("MAYEN_REQUIRE_BROWSER"):
            pytest.fail(f"MAYEN_REQUIRE_BROWSER ist gesetzt, aber {reason}")
        pytest.skip(reason)


def convert(files: dict[str, bytes], target: str, timeout: float = 240) -> dict[str, bytes]:
    """Files converted by LibreOffice headless to `target` ("ods", "xls", "pdf", ...), in one run."""
    program = libreoffice()
    if program is None:
        raise RuntimeError("LibreOffice (soffice) is missing: make system-deps installs it")
    with tempfile.TemporaryDirectory(prefix="mayen-lo-") as folder:
        work = Path(folder)
        for name, data in files.items():
            (work / name).write_bytes(data)
        subprocess.run(
            [
                program,
                f"-env:UserInstallation={(work / 'profile').as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                target,
                "--outdir",
                str(work / "out"),
                *(str(work / name) for name in files),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        return {name: (work / "out" / (Path(name).stem + "." + target)).read_bytes() for name in files}


# --- one small report in every format -----------------------------------------------------------------------------

SAMPLE_TITLE = ["Statusbericht Digitalisierung Musterstadt", "Stand: 30.09.2024"]
SAMPLE_STICHTAG = dt.date(2024, 9, 30)
MERGED = object()  # the cell below a merged one, which shows the value above it
# Per Handlungsfeld: its header (the second with the report's typos) and its Zielgruppen with their rows.
SAMPLE = [
    (
        "E-Government und Onlinezugangsgesetz",
        ["Maßnahme", "Status", "Verantwortlichkeit", "Zieldatum", "Anmerkungen"],
        [
            (
                "Bürger",
                [
                    ["Hundeanmeldung", "erledigt", "Zentralbereich 1", dt.date(2023, 3, 15), None],
                    ["Wohngeld", "In Bearbeitung", MERGED, 2024, "Planungsphase"],
                ],
            )
        ],
    ),
    (
        "Innovatives Wissen",
        ["Maßnahme", "Staus", "Verantwortlich keit", "Zeitrah men", "Anmerkung"],
        [(None, [["Co-Working", "offen", "Fachbereich 1", "2025", "VOBA"]])],
    ),
]
SAMPLE_FORMATS = ("xlsx", "ods", "xls", "xlsb", "csv", "docx", "pdf", "txt")


def _as_text(value) -> str:
    if isinstance(value, dt.date):
        return format_date(value)
    return "" if value is None or value is MERGED else str(value)


def sample_rows() -> tuple[list[list], list[str]]:
    """SAMPLE as the rows of one sheet in the printed layout, with its merged ranges ("C8:C9")."""
    rows: list[list] = [[SAMPLE_TITLE[0]], [SAMPLE_TITLE[1]], []]
    merges: list[str] = []
    for area, header, groups in SAMPLE:
        rows += [[area], header]
        for group, measures in groups:
            if group:
                rows.append([group])
            for measure in measures:
                for column, value in enumerate(measure):
                    if value is MERGED:
                        letter = "ABCDE"[column]
                        merges.append(f"{letter}{len(rows)}:{letter}{len(rows) + 1}")
                rows.append([None if value is MERGED else value for value in measure])
        rows.append([])
    return rows, merges


def sample_docx() -> bytes:
    """SAMPLE as the city's Word report writes it: the title block, then one table per Handlungsfeld."""
    document = docx.Document()
    document.add_heading(SAMPLE_TITLE[0], level=0)
    document.add_paragraph(SAMPLE_TITLE[1])
    for area, header, groups in SAMPLE:
        document.add_paragraph()
        table = document.add_table(rows=0, cols=5)
        table.style = "Table Grid"
        _merged_row(table, area)
        for cell, text in zip(table.add_row().cells, header, strict=True):
            cell.text = text
        for group, measures in groups:
            if group:
                _merged_row(table, group)
            for measure in measures:
                cells = table.add_row().cells
                for column, value in enumerate(measure):
                    if value is MERGED:
                        table.rows[len(table.rows) - 2].cells[column].merge(cells[column])
                    else:
                        cells[column].text = _as_text(value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def sample_text() -> bytes:
    """SAMPLE as the text copied out of its PDF: prose lines, table rows with tabs, a blank line between tables."""
    lines = [*SAMPLE_TITLE, ""]
    for area, header, groups in SAMPLE:
        lines += [area + "\t" * 4, "\t".join(header)]
        for group, measures in groups:
            if group:
                lines.append(group + "\t" * 4)
            lines += ["\t".join(_as_text(value) for value in measure) for measure in measures]
        lines.append("")
    return "\n".join(lines).encode("utf-8")


def sample_files() -> dict[str, bytes]:
    """SAMPLE in every format the dashboard reads, by format key; LibreOffice writes .ods, .xls and the PDF."""
    rows, merges = sample_rows()
    workbook = xlsx_bytes({"Tabelle1": rows}, merges={"Tabelle1": merges})
    word = sample_docx()
    files = {
        "xlsx": workbook,
        "xlsb": xlsb_bytes({"Tabelle1": rows}, merges={"Tabelle1": merges}),
        "csv": csv_bytes([[_as_text(value) for value in row] for row in rows]),
        "docx": word,
        "txt": sample_text(),
    }
    files["ods"] = convert({"bericht.xlsx": workbook}, "ods")["bericht.xlsx"]
    files["xls"] = convert({"bericht.xlsx": workbook}, "xls")["bericht.xlsx"]
    files["pdf"] = convert({"bericht.docx": word}, "pdf")["bericht.docx"]
    return {key: files[key] for key in SAMPLE_FORMATS}


def report_text(report: Report) -> bytes:
    """`report` as the text copied out of its PDF (the layout of the seed text): what the paste box receives."""
    info = report.info
    lines = [info["title"], "", *info["subtitle"].replace(", ", ",\n").splitlines(), "", f"-{info['document']}-", ""]
    lines += [f"Stand: {format_date(report.report_date)}", ""]
    for key in ("manager", "project_title", "background", "benefit", "goal"):
        label = "Projekttitle" if key == "project_title" else REPORT_FIELDS[key]
        lines.append(f"{label} {info[key]}")
    for number, (area, rows) in enumerate(report.measures.groupby("area", sort=False, observed=True)):
        lines += ["", f"{area}" + "\t" * 4, "\t".join(HEADERS[number % 4])]
        group = None
        for row in rows.itertuples():
            if row.group and row.group != group:
                lines.append(row.group + "\t" * 4)
            group = row.group
            lines.append("\t".join([row.title, row.status_raw, row.responsible, row.target, row.remarks or ""]))
    for key in ("progress", "next_steps", "problems"):
        lines += ["", REPORT_FIELDS[key], *info[key].split("\n")]
    lines += ["", "Weitere Anhänge:", *info["attachments"].splitlines()]
    for perspective, rows in report.scorecard.groupby("perspective", sort=False):
        first = rows.iloc[0]
        lines += ["", str(perspective), "", f"Leitfrage: **{first['question']}**", ""]
        lines.append("Strat. Ziele\tMaßnahmen\tMessgrößen")
        # One row, each cell's entries after a dash, as the copied PDF gives them.
        cells = [first["goals"].splitlines(), first["actions"].splitlines(), list(rows["indicator"])]
        lines.append("\t".join(" ".join(f"-{item}" for item in items) for items in cells))
    return "\n".join(lines).encode("utf-8")
