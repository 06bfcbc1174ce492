"""Builders for the small spreadsheets each test writes for itself."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "status_2022-08.xlsx"
# The totals of the PDF of 31.08.2022, which the bundled workbook transcribes (tests of loader and CLI).
BUNDLED_BY_STATUS = {
    "erledigt": 56,
    "in_bearbeitung": 19,
    "laufend": 3,
    "offen": 23,
    "zurueckgestellt": 0,
    "unbekannt": 0,
}
BUNDLED_BY_AREA = {
    "E-Government und Onlinezugangsgesetz": 74,
    "Innovatives Wissen": 6,
    "Digitale Infrastruktur und Klimaschutz": 9,
    "Innovative Wirtschaft- und Tourismusmanagement": 12,
}

FLAT_HEADER = [
    "ID",
    "Handlungsfeld",
    "Zielgruppe",
    "Maßnahme",
    "Status",
    "Verantwortlichkeit",
    "Zieldatum",
    "Anmerkungen",
]


def xlsx_bytes(
    sheets: dict[str, list[list]],
    merges: dict[str, list[str]] | None = None,
    text_columns: dict[str, str] | None = None,
) -> bytes:
    """An .xlsx workbook with the given rows per sheet; `merges` names ranges like "A2:A4"."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cell_range in (merges or {}).get(name, []):
            sheet.merge_cells(cell_range)
        for letter in (text_columns or {}).get(name, ""):
            for cell in sheet[letter]:
                cell.number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], delimiter: str = ";", encoding: str = "cp1252", bom: bool = False) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data
