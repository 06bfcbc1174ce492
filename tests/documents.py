"""The status report as the city writes it: a Word document built from a Report, its PDF, other formats.

`report_docx` writes what the city's Word report has: the title block with "Stand:", the
header table (Projektmanager, Projekttitel, …), one table per Handlungsfeld (a first row
with one merged cell naming it, the header with the report's typos, rows with one merged
cell naming a Zielgruppe, cells with several paragraphs), the sections under headings
with bullet lists, and the balanced scorecard under its perspective headings. `convert`
prints or converts files with LibreOffice headless (one run for many files).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
from docx.shared import Cm

from mayen_dash.formatting import format_date
from mayen_dash.model import Report
from mayen_dash.vocabulary import REPORT_FIELDS

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
