"""Sheets through calamine, the one parser of .xlsx, .xlsb, .xls and .ods, once each format has checked its limits."""

from __future__ import annotations

import io

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, PasswordError

from ..model import FindingCode, LoadError
from .base import MAX_CELLS, MAX_ROWS, MAX_SHEETS, Cell, Sheet, too_many_cells_in_all, too_many_rows, too_many_sheets

# A merged block as (top, left, bottom, right), 0-based and inclusive, where calamine does not report it (.ods).
Merge = tuple[int, int, int, int]


def read_sheets(data: bytes, what: str, program: str, merges: dict[str, list[Merge]] | None = None) -> list[Sheet]:
    """Every sheet of a workbook calamine reads; `what` and `program` name it in a refusal."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if len(workbook.sheet_names) > MAX_SHEETS:
            raise too_many_sheets(what, len(workbook.sheet_names), MAX_SHEETS)
        sheets, cells = [], 0
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            cells += (sheet.end[0] + 1) * (sheet.end[1] + 1) if sheet.end else 0
            if cells > MAX_CELLS:  # before the sheet's cells become Python objects
                raise too_many_cells_in_all(what, cells, MAX_CELLS)
            sheets.append(_sheet(sheet, name, (merges or {}).get(name)))
        return sheets
    except PasswordError as error:
        raise LoadError(
            f"{what} ist mit einem Kennwort geschützt. Bitte den Kennwortschutz {program} entfernen und erneut "
            "hochladen.",
            code=FindingCode.PASSWORD_PROTECTED,
        ) from error
    except (CalamineError, ValueError, OSError) as error:
        raise LoadError(
            f"{what} ist beschädigt und kann nicht gelesen werden. Bitte {program} öffnen, neu speichern und "
            "erneut hochladen.",
            code=FindingCode.DAMAGED_FILE,
        ) from error


def _sheet(sheet: CalamineSheet, name: str, merges: list[Merge] | None) -> Sheet:
    height = sheet.end[0] + 1 if sheet.end else 0  # total_height is the last row's index, not a count
    if height > MAX_ROWS:
        raise too_many_rows(f"Das Blatt „{name}“", height, MAX_ROWS)
    rows: list[list[Cell]] = sheet.to_python(skip_empty_area=False)
    ranges = (
        merges
        if merges is not None
        else [(top, left, bottom, right) for (top, left), (bottom, right) in sheet.merged_cell_ranges or ()]
    )
    # A merged block shows its value once; fill it down its first column so that
    # every row it spans carries it, as the reader of the printed sheet sees it.
    for top, left, bottom, _right in ranges:
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for r in range(top + 1, min(bottom, len(rows) - 1) + 1):
            if left < len(rows[r]) and rows[r][left] in ("", None):
                rows[r][left] = value
    return Sheet(name, rows)
