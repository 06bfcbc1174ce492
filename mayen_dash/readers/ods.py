"""LibreOffice Calc spreadsheets (.ods): bounded before calamine reads them.

ODS declares repetition instead of writing cells: `table:number-rows-repeated` and
`table:number-columns-repeated` make a million rows out of a few bytes, and LibreOffice
itself writes its empty rows down to row 1,048,576 and its empty cells out to column
16,384 in every ordinary file. calamine drops what is empty at the end of a row and of a
sheet and builds the rest; so does this scan, counting what calamine would build, from
content.xml as it streams out of the archive. Rows written the ordinary way (no
repetition but the empty cells at their end) are counted with a few byte searches;
only rows with repetitions or merged cells are looked at cell by cell.

calamine does not report merged cells of an .ods; the scan collects them on its way.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field

from ..model import FindingCode, LoadError
from . import spreadsheet
from .base import (
    ARCHIVE_ERRORS,
    MAX_CELLS,
    MAX_ROWS,
    Format,
    Workbook,
    blocks,
    broken_archive,
    open_archive,
    too_many_cells,
    too_many_rows,
)
from .spreadsheet import Merge

_ROW_END = b"</table:table-row>"
# An empty cell as LibreOffice writes them at the end of a row (calamine builds no cell for them).
_EMPTY_CELL = re.compile(
    rb'<table:(?:covered-)?table-cell(?:\s+table:(?:number-columns-repeated|style-name)="[^"<>]*")*\s*/>'
)
_TABLE_START = re.compile(rb"<table:table(?=[\s>])([^>]*)>")
_ROW_START = re.compile(rb"<table:table-row(?=[\s>/])([^>]*?)(/?)>")
_CELL = re.compile(rb"<table:(?:covered-)?table-cell(?=[\s>/])([^>]*?)(/?)>")
_REPEATED_ROWS = re.compile(rb'table:number-rows-repeated\s*=\s*"(\d+)"')
_REPEATED_COLUMNS = re.compile(rb'table:number-columns-repeated\s*=\s*"(\d+)"')
_SPANNED_ROWS = re.compile(rb'table:number-rows-spanned\s*=\s*"(\d+)"')
_SPANNED_COLUMNS = re.compile(rb'table:number-columns-spanned\s*=\s*"(\d+)"')
_NAME = re.compile(rb'table:name\s*=\s*"([^"]*)"')
# More than nine digits is more than any limit: counted as a billion, never converted digit by digit.
_HUGE = 1_000_000_000


def _count(match: re.Match[bytes] | None) -> int:
    if match is None:
        return 1
    digits = match[1]
    return _HUGE if len(digits) > 9 else max(int(digits), 1)


@dataclass
class _Table:
    name: str
    row: int = 0  # rows so far, with their repetitions
    last_row: int = 0  # rows up to the last one with a cell calamine builds
    width: int = 0  # columns up to the last such cell, in the widest row
    merges: list[Merge] = field(default_factory=list)


class _Scan:
    def __init__(self) -> None:
        self.tables: list[_Table] = []

    def piece(self, text: bytes) -> None:
        """Everything up to and including one row's end: maybe a new table, then the row."""
        for match in _TABLE_START.finditer(text):
            name = _NAME.search(match[1])
            self._check()
            self.tables.append(_Table(html.unescape(name[1].decode("utf-8", "replace")) if name else ""))
        starts = list(_ROW_START.finditer(text))
        start = starts[-1] if starts else None
        if start is None or not self.tables:
            return
        table = self.tables[-1]
        repeats = _count(_REPEATED_ROWS.search(start[1]))
        cells = text[start.end() :]
        if b"-repeated" not in cells and b"-spanned" not in cells:
            width = cells.count(b"<table:table-cell") + cells.count(b"<table:covered-table-cell")
        else:
            width = self._cells(table, cells, repeats)
        table.row += repeats
        if width:
            table.last_row, table.width = table.row, max(table.width, width)
        self._check(table)

    def _cells(self, table: _Table, cells: bytes, repeats: int) -> int:
        column = width = 0
        for match in _CELL.finditer(cells):
            attributes, empty = match[1], match[2] == b"/"
            count = _count(_REPEATED_COLUMNS.search(attributes))
            if not empty or b"value-type" in attributes:
                width = column + count
                rows = _count(_SPANNED_ROWS.search(attributes))
                if rows > 1 and repeats == 1:
                    columns = _count(_SPANNED_COLUMNS.search(attributes))
                    table.merges.append((table.row, column, table.row + rows - 1, column + columns - 1))
            column += count
            if column > _HUGE:
                break
        return width

    def _check(self, table: _Table | None = None) -> None:
        table = table or (self.tables[-1] if self.tables else None)
        if table is None:
            return
        name = f"Das Blatt „{table.name}“"
        if table.last_row > MAX_ROWS:
            raise too_many_rows(name, table.last_row, MAX_ROWS)
        if table.last_row * table.width > MAX_CELLS:
            raise too_many_cells(name, table.last_row, table.width, MAX_CELLS)


def _without_trailing_empty(row: bytes) -> bytes:
    """A row without the empty cells at its end, taken off from the end (a search over the whole
    content.xml for them took two thirds of the scan)."""
    end = len(row)
    while row.endswith(b"/>", 0, end):
        start = row.rfind(b"<table:", 0, end)
        if start < 0 or not _EMPTY_CELL.fullmatch(row, start, end):
            break
        end = start
    return row[:end]


def scan(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> dict[str, list[Merge]]:
    """Refuse content.xml if calamine would build too much of it; else the merged blocks per sheet."""
    result = _Scan()
    pending = b""
    for block in blocks(archive, entry):
        pieces = (pending + block).split(_ROW_END)
        pending = pieces.pop()
        for piece in pieces:
            result.piece(_without_trailing_empty(piece))
    result.piece(pending)
    return {table.name: table.merges for table in result.tables if table.merges}


def read(data: bytes, filename: str) -> Workbook:
    try:
        with open_archive(data) as archive:
            names = set(archive.namelist())
            manifest = archive.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
            if b"encryption-data" in manifest:
                raise LoadError(
                    "Die Tabelle ist mit einem Kennwort geschützt. Bitte in LibreOffice ohne Kennwort speichern "
                    "(Datei > Speichern unter, „Mit Kennwort speichern“ abwählen) und erneut hochladen.",
                    code=FindingCode.PASSWORD_PROTECTED,
                )
            if "content.xml" not in names:
                raise broken_archive("keine lesbare LibreOffice-Tabelle")
            merges = scan(archive, archive.getinfo("content.xml"))
    except ARCHIVE_ERRORS as error:
        raise broken_archive("keine lesbare LibreOffice-Tabelle") from error
    return Workbook(spreadsheet.read_sheets(data, "Die Tabelle", "in LibreOffice", merges), "ods")


FORMAT = Format("ods", "LibreOffice-Tabelle (.ods)", (".ods",), read)
