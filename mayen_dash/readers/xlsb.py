"""Binary Excel workbooks (.xlsb): bounded by walking their sheet records before calamine reads them.

An .xlsb sheet is a stream of records (a type, a length, a payload). calamine holds the
rectangle spanned by the value cells and copies a shared string into every cell that
refers to it; the walk measures both. It is plain Python, about a microsecond a record,
so a sheet part may unpack to at most XLSB_SHEET_BYTES (a sheet of 100,000 measures is
about 10 MB).
"""

from __future__ import annotations

import re
import struct
import zipfile

from ..model import FindingCode, LoadError
from . import spreadsheet
from .base import (
    ARCHIVE_ERRORS,
    MAX_CELLS,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    Format,
    Workbook,
    broken_archive,
    megabytes,
    open_archive,
    too_many_cells,
    too_many_rows,
)
from .spreadsheet import Merge

XLSB_SHEET_BYTES = 32 * 1024 * 1024
_ROW_HEADER, _SHARED_CELL, _SHARED_ITEM = 0x0000, 0x0007, 0x0013
_SHEET_ENTRY, _MERGE_CELL = 0x009C, 0x00B0
_RELATION = re.compile(rb"<Relationship\b[^>]*>")
_ATTRIBUTE = re.compile(rb'(\w+)="([^"]*)"')
_VALUE_CELLS = frozenset(range(0x0002, 0x000C))  # Rk, Error, Bool, Real, St, Isst, and the formula cells
_BYTES_PER_CHARACTER = 4


def _records(data: bytes):
    """(type, payload start, payload length) of each record."""
    position, end = 0, len(data)
    while position < end:
        kind = data[position]
        position += 1
        if kind & 0x80:
            if position >= end:
                return
            kind = (kind & 0x7F) | (data[position] & 0x7F) << 7
            position += 1
        length = shift = 0
        for _ in range(4):
            if position >= end:
                return
            byte = data[position]
            position += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        yield kind, position, length
        position += length


def _part(archive: zipfile.ZipFile, name: str) -> bytes:
    entry = archive.getinfo(name)
    if entry.file_size > XLSB_SHEET_BYTES:
        raise LoadError(
            f"Ein Blatt der Arbeitsmappe (.xlsb) enthält entpackt {megabytes(entry.file_size)} Daten; erlaubt sind "
            f"höchstens {megabytes(XLSB_SHEET_BYTES)}. Bitte in Excel als „Excel-Arbeitsmappe (.xlsx)“ speichern "
            "und erneut hochladen.",
            code=FindingCode.UNPACKED_TOO_LARGE,
        )
    return archive.read(entry)


def _wide(data: bytes, start: int) -> tuple[str, int]:
    """An XLWideString at `start`: the text and where the next field begins."""
    count = struct.unpack_from("<L", data, start)[0]
    end = start + 4 + 2 * count
    return data[start + 4 : end].decode("utf-16-le", "replace"), end


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each worksheet part's sheet name, from workbook.bin's sheet entries and their relationships."""
    names = archive.namelist()
    if "xl/workbook.bin" not in names or "xl/_rels/workbook.bin.rels" not in names:
        return {}
    targets: dict[str, str] = {}
    for tag in _RELATION.findall(_part(archive, "xl/_rels/workbook.bin.rels")):
        attributes = {key.decode(): value.decode("utf-8", "replace") for key, value in _ATTRIBUTE.findall(tag)}
        if "Id" in attributes and "Target" in attributes:
            targets[attributes["Id"]] = attributes["Target"]
    book = _part(archive, "xl/workbook.bin")
    parts: dict[str, str] = {}
    for kind, start, length in _records(book):
        if kind == _SHEET_ENTRY and length >= 16:
            relation, after = _wide(book, start + 8)
            name, _ = _wide(book, after)
            if relation in targets:
                parts["xl/" + targets[relation].lstrip("/").removeprefix("xl/")] = name
    return parts


def _check(archive: zipfile.ZipFile) -> dict[str, list[Merge]]:
    """Refuse a workbook beyond the limits; else its merged cells by sheet name (calamine reports none for .xlsb)."""
    names = archive.namelist()
    sheet_names = _sheet_names(archive)
    merges: dict[str, list[Merge]] = {}
    lengths: list[int] = []
    if "xl/sharedStrings.bin" in names:
        strings = _part(archive, "xl/sharedStrings.bin")
        for kind, start, length in _records(strings):
            if kind == _SHARED_ITEM and length >= 5:
                lengths.append(struct.unpack_from("<L", strings, start + 1)[0])
    longest = max(lengths, default=0)
    copied = 0
    for name in sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".bin")):
        sheet = _part(archive, name)
        rows = columns = row = 0
        for kind, start, length in _records(sheet):
            if kind == _ROW_HEADER and length >= 4:
                row = struct.unpack_from("<L", sheet, start)[0]
            elif kind == _MERGE_CELL and length >= 16 and name in sheet_names:
                top, bottom, left, right = struct.unpack_from("<LLLL", sheet, start)
                merges.setdefault(sheet_names[name], []).append((top, left, bottom, right))
            elif kind in _VALUE_CELLS and length >= 4:
                column = struct.unpack_from("<L", sheet, start)[0]
                rows, columns = max(rows, row + 1), max(columns, column + 1)
                if kind == _SHARED_CELL and length >= 12:
                    index = struct.unpack_from("<L", sheet, start + 8)[0]
                    copied += lengths[index] if index < len(lengths) else longest
        what = f"Ein Blatt der Arbeitsmappe ({name.rsplit('/', 1)[-1]})"
        if rows > MAX_ROWS:
            raise too_many_rows(what, rows, MAX_ROWS)
        if rows * columns > MAX_CELLS:
            raise too_many_cells(what, rows, columns, MAX_CELLS)
    if copied * _BYTES_PER_CHARACTER > MAX_UNCOMPRESSED_BYTES:
        raise LoadError(
            f"Die Arbeitsmappe enthält, mit ihren mehrfach verwendeten Texten, {megabytes(copied * 4)} Daten; "
            f"erlaubt sind höchstens {megabytes(MAX_UNCOMPRESSED_BYTES)}. Die Datei wurde nicht geöffnet.",
            code=FindingCode.UNPACKED_TOO_LARGE,
        )
    return merges


def read(data: bytes, filename: str) -> Workbook:
    try:
        with open_archive(data) as archive:
            merges = _check(archive)
    except (*ARCHIVE_ERRORS, struct.error) as error:
        raise broken_archive("keine lesbare Excel-Arbeitsmappe (.xlsb)") from error
    return Workbook(spreadsheet.read_sheets(data, "Die Arbeitsmappe", "in Excel", merges), "xlsb")


FORMAT = Format("xlsb", "Excel-Arbeitsmappe (.xlsb)", (".xlsb",), read)
