"""Excel workbooks (.xlsx, .xlsm): refused before calamine reads them if they would grow beyond the limits."""

from __future__ import annotations

import html
import operator
import posixpath
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter

from ..model import FindingCode, LoadError
from . import spreadsheet
from .base import (
    ARCHIVE_ERRORS,
    MAX_CELLS,
    MAX_ROWS,
    MAX_SHARED_TEXT_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    Format,
    Workbook,
    blocks,
    broken_archive,
    megabytes,
    open_archive,
    too_many_cells,
    too_many_rows,
)


def read(data: bytes, filename: str) -> Workbook:
    try:
        with open_archive(data) as archive:
            entries = archive.infolist()
            _check_extent(archive, entries, sum(entry.file_size for entry in entries))
    except ARCHIVE_ERRORS as error:
        raise broken_archive("keine lesbare Excel-Arbeitsmappe") from error
    return Workbook(spreadsheet.read_sheets(data, "Die Arbeitsmappe", "in Excel"), "xlsx")


FORMAT = Format("xlsx", "Excel-Arbeitsmappe (.xlsx)", (".xlsx", ".xlsm"), read)


# --- What the reader would build, measured before it builds it -------------------------------------
#
# The zip directory bounds the unpacked bytes, but not what they become: calamine allocates the
# whole rectangle from A1 to the last filled cell (two cells, A1 and XFD1048576, ask for 17 billion,
# and the process aborts), and copies a shared string into every cell that refers to it (one long
# string referred to by 100,000 cells is gigabytes). So every member is streamed through zipfile
# (which also holds each member to its declared size, whatever calamine would do) and searched with
# a few regular expressions, without building anything. Files as Excel, LibreOffice and openpyxl
# write them (every cell `<c r="A1" ...>`) take the fast path, about 0.2 s for 100,000 measures;
# anything else gets a bound that follows calamine's rules for implied positions.

_SCAN_BLOCK = 8 * 1024 * 1024
_FEW_ROWS, _FEW_COLUMNS = 99_999, 26  # what refs of at most five digits and one letter can reach
# A filled cell outside A1:Z99999 (letters, digits), or a cell tag written in an unusual way (odd).
_FAR_OR_ODD_CELL = re.compile(rb'<c(?: r="([A-Za-z]{2,}|[A-Za-z](?=\d{6}))(\d+)"[^>]*(?<!/)>|([\t\n\r/>]| (?!r=")))')
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_CELL_REF = re.compile(rb'<c r="([A-Za-z]+)(\d+)"[^>]*(?<!/)>')
# Any attribute "r" (and any other name ending in r whose value looks like a reference: more is safe).
_ANY_R_ATTRIBUTE = re.compile(rb"""r\s*=\s*["']([A-Za-z]*)(\d+)["']""")
_ANY_SHARED_VALUE = re.compile(rb"""\st\s*=\s*["']s["'][^<]*<(?:[A-Za-z_][\w.-]*:)?v>\s*(\d+)\s*<""")
# A row start with an explicit number (not an empty <row r="5"/>, which calamine skips), a row end.
_EXPLICIT_ROW = re.compile(rb"""<row\b[^<>]*?\sr\s*=\s*["'](\d+)["'][^<>]*(?<!/)>""")
_EXPLICIT_ANY_ROW = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?row\b[^<>]*?\sr\s*=\s*["'](\d+)["'][^<>]*(?<!/)>""")
_ROW_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?row\s*>")
# The end of a value or text that is not empty: <v>1</v>, <t>x</t>.
_VALUE_END = re.compile(rb"[^>\s]\s*</(?:[A-Za-z_][\w.-]*:)?[vt]>")
_SHARED_ITEM = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si(?=[\s/>])")


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _sheet_names(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Member path -> sheet name, to name the sheet in a refusal (best effort: messages only)."""
    if "xl/_rels/workbook.xml.rels" not in names:
        return {}
    targets = {}
    for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", archive.read("xl/_rels/workbook.xml.rels")):
        found = dict(re.findall(rb"""\b(Id|Target)\s*=\s*["']([^"']*)["']""", tag))
        if b"Id" in found and b"Target" in found:
            target = html.unescape(found[b"Target"].decode("utf-8", "replace"))
            targets[found[b"Id"]] = posixpath.normpath(target[1:] if target.startswith("/") else "xl/" + target)
    sheets = {}
    for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", archive.read("xl/workbook.xml")):
        name = re.search(rb"""\bname\s*=\s*["']([^"']*)["']""", tag)
        identifier = re.search(rb"""\b\w+:id\s*=\s*["']([^"']*)["']""", tag)
        if name and identifier and identifier[1] in targets:
            sheets[targets[identifier[1]]] = html.unescape(name[1].decode("utf-8", "replace"))
    return sheets


def _sheet_text(entry: zipfile.ZipInfo, sheets: dict[str, str]) -> str:
    name = sheets.get(entry.filename)
    return f"Das Blatt „{name}“" if name is not None else "Ein Blatt der Arbeitsmappe"


@dataclass
class _Extent:
    """How far a member's cells reach and how many of them refer to a shared string.

    `rows` and `columns` bound the furthest cell; unless `exact`, cells up to Z99999 may not
    have been looked at, so the rectangle is only known to be within max(rows, 99,999) times
    max(columns, 26). `last_row` is the row of a cell known to be there (0: not known).
    `shared` counts at least every cell of type "s" (each quoted "s" in the member).
    """

    rows: int = 0
    columns: int = 0
    shared: int = 0
    exact: bool = False
    last_row: int = 0
    partial: bool = False  # the scan stopped once a row beyond the limit was seen: last_row is a lower bound

    def cells(self) -> int:
        if self.exact:
            return self.rows * self.columns
        return max(self.rows, _FEW_ROWS) * max(self.columns, _FEW_COLUMNS)


def _shared_cells(block: bytes) -> int:
    """At least the cells of type "s" in `block`: calamine compares the raw value of t with b"s"."""
    return block.count(b'"s"') + block.count(b"'s'")


def _fast_extent(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, strings: bool) -> _Extent | None:
    """The extent of a member whose cells all start `<c r="`; None if any cell is written otherwise."""
    extent, cells = _Extent(), False
    for block in blocks(archive, entry):
        if _PREFIXED.search(block):
            return None
        found = _FAR_OR_ODD_CELL.findall(block)
        if any(map(itemgetter(2), found)):
            return None
        if found:
            extent.rows = max(extent.rows, *map(int, set(map(itemgetter(1), found))))
            extent.columns = max(extent.columns, *map(_column, set(map(itemgetter(0), found))))
            if extent.rows > MAX_ROWS:  # refused whatever follows: no need to read the rest
                extent.last_row, extent.partial = extent.rows, True
                return extent
        cells = cells or b'<c r="' in block
        extent.shared += _shared_cells(block) if strings else 0
    extent.last_row = extent.rows
    if not cells:
        extent.exact = True
    elif extent.cells() > MAX_CELLS and extent.rows <= MAX_ROWS:
        # Only a bound so far (any ref up to Z99999 counts as Z99999): measure exactly.
        for block in blocks(archive, entry):
            refs = _CELL_REF.findall(block)
            if refs:
                extent.rows = max(extent.rows, *map(int, set(map(itemgetter(1), refs))))
                extent.columns = max(extent.columns, *map(_column, set(map(itemgetter(0), refs))))
        extent.exact = True
    return extent


def _slow_extent(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, strings: bool) -> _Extent:
    """A bound of any member's extent, wherever its cells' positions are implicit or oddly written.

    calamine places a cell without "r" after the previous one and a row without "r" after the
    previous row; so no cell lies beyond the largest explicit row number plus the number of row
    ends, nor beyond the largest explicit column plus the most cell ends between two row ends.
    Rows are also followed from one explicit row number to the next, so that a sheet whose
    rows are only implied is known to be too long without reading it (`last_row`).
    """
    extent = _Extent(exact=True)
    row_ends = run = widest = index = 0
    for block in blocks(archive, entry):
        refs = _ANY_R_ATTRIBUTE.findall(block)
        if refs:
            extent.rows = max(extent.rows, *map(int, set(map(itemgetter(1), refs))))
            extent.columns = max(extent.columns, *map(_column, set(map(itemgetter(0), refs))))
        rows = block.split(b"row>")
        row_ends += len(rows) - 1
        cells = list(map(bytes.count, rows, repeat(b"</c")))  # </c> and </c >; also </col…: more is safe
        if b":c" in block:  # prefixed cells, </x:c>
            cells = list(map(operator.add, cells, map(bytes.count, rows, repeat(b":c"))))
        cells[0] += run
        widest, run = max(widest, *cells), cells[-1]
        extent.shared += _shared_cells(block) if strings else 0
        pieces = (_EXPLICIT_ANY_ROW if b":row" in block else _EXPLICIT_ROW).split(block)  # text, number, …, text
        for i in range(0, len(pieces), 2):
            index = int(pieces[i - 1]) - 1 if i else index
            ends = len(_ROW_END.findall(pieces[i])) if b":row" in pieces[i] else pieces[i].count(b"</row")
            if ends and index + ends > MAX_ROWS and _implied_value_in_last_row(pieces[i]):
                extent.last_row = max(extent.last_row, index + ends)
            index += ends
    extent.rows += row_ends + 1
    extent.columns += widest
    return extent


def _implied_value_in_last_row(text: bytes) -> bool:
    """Whether the last row ended in `text` holds a value in a cell without an explicit position."""
    ends = [m.start() for m in _ROW_END.finditer(text)] if b":row" in text else [text.rfind(b"</row")]
    closed = text[: ends[-1]]
    row = closed[closed.rfind(b"row>") + 4 :]  # after the row before it, or after this row's <row>
    return bool(_VALUE_END.search(row)) and not _ANY_R_ATTRIBUTE.search(row)


def _shared_lengths(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> list[int]:
    """Bytes of each shared string's XML, an upper bound of the text calamine makes of it."""
    lengths: list[int] = []
    for block in blocks(archive, entry):
        pieces = _SHARED_ITEM.split(block)
        if lengths:
            lengths[-1] += len(pieces[0])
        lengths.extend(map(len, pieces[1:]))
    return lengths


def _shared_text(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, lengths: list[int], longest: int) -> int:
    """Bytes of shared text that the cells of `entry` pull in (a cell whose index is not found: the longest)."""
    total = 0
    for block in blocks(archive, entry):
        indices = Counter(_ANY_SHARED_VALUE.findall(block))
        total += sum(count * lengths[int(i)] for i, count in indices.items() if int(i) < len(lengths))
        total += max(_shared_cells(block) - indices.total(), 0) * longest
    return total


def _check_extent(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], unpacked: int) -> None:
    """Refuse a workbook whose cells would grow beyond the limits once read, before calamine reads it."""
    table = next((e for e in entries if e.filename.casefold() == "xl/sharedstrings.xml"), None)
    if table is not None and table.file_size > MAX_SHARED_TEXT_BYTES:
        raise LoadError(
            f"Die Arbeitsmappe enthält {megabytes(table.file_size)} gemeinsame Texte (entpackt); erlaubt sind "
            f"höchstens {megabytes(MAX_SHARED_TEXT_BYTES)}. Die Datei wurde nicht geöffnet.",
            code=FindingCode.UNPACKED_TOO_LARGE,
        )
    lengths = _shared_lengths(archive, table) if table else []
    longest = max(lengths, default=0)
    sheets: dict[str, str] | None = None
    shared: list[tuple[zipfile.ZipInfo, int]] = []
    for entry in entries:
        if entry.is_dir() or entry is table:
            continue
        strings = longest > 0  # without shared strings there is nothing to count
        extent = _fast_extent(archive, entry, strings) or _slow_extent(archive, entry, strings)
        if extent.last_row > MAX_ROWS or extent.cells() > MAX_CELLS:
            sheets = _sheet_names(archive, {e.filename for e in entries}) if sheets is None else sheets
            if extent.last_row > MAX_ROWS:
                raise too_many_rows(_sheet_text(entry, sheets), extent.last_row, MAX_ROWS, at_least=extent.partial)
            raise too_many_cells(_sheet_text(entry, sheets), extent.rows, extent.columns, MAX_CELLS)
        if extent.shared:
            shared.append((entry, extent.shared))
    # Every shared cell as long as the longest string is a cheap bound; only past the limit count exactly.
    if unpacked + sum(count for _, count in shared) * longest <= MAX_UNCOMPRESSED_BYTES:
        return
    expanded = unpacked + sum(_shared_text(archive, entry, lengths, longest) for entry, _ in shared)
    if expanded > MAX_UNCOMPRESSED_BYTES:
        raise LoadError(
            f"Die Arbeitsmappe enthält entpackt, mit ihren mehrfach verwendeten Texten, {megabytes(expanded)} "
            f"Daten; erlaubt sind höchstens {megabytes(MAX_UNCOMPRESSED_BYTES)}. Die Datei wurde nicht geöffnet.",
            code=FindingCode.UNPACKED_TOO_LARGE,
        )
