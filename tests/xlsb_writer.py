"""A small .xlsb writer for the tests: Excel's binary workbook, which neither LibreOffice nor openpyxl writes.

It writes what the readers' tests need and nothing more: sheets of text, numbers and date
cells (a date is a number with the built-in date format 14, as Excel stores it), and merged
cells. The records follow [MS-XLSB]: each is a type and a length as 7-bit varints, then its payload.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile

# Record types of [MS-XLSB] 2.3.2.
_BEGIN_BOOK, _END_BOOK, _BEGIN_SHEETS, _END_SHEETS, _SHEET = 0x83, 0x84, 0x8F, 0x90, 0x9C
_BEGIN_SHEET, _END_SHEET, _DIMENSION, _BEGIN_DATA, _END_DATA = 0x81, 0x82, 0x94, 0x91, 0x92
_ROW, _REAL, _TEXT = 0x00, 0x05, 0x06
_BEGIN_MERGES, _MERGE, _END_MERGES = 0xB1, 0xB0, 0xB2
_BEGIN_FORMATS, _FORMAT, _END_FORMATS = 0x0269, 0x002F, 0x026A
_DATE_STYLE = 1  # the second cell format: built-in number format 14, a date
_EXCEL_EPOCH = dt.date(1899, 12, 30)

Cell = str | int | float | dt.date | None


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _record(kind: int, payload: bytes = b"") -> bytes:
    head = bytes([kind]) if kind < 0x80 else bytes([(kind & 0x7F) | 0x80, kind >> 7])
    return head + _varint(len(payload)) + payload


def _wide(text: str) -> bytes:
    encoded = text.encode("utf-16-le")
    return struct.pack("<I", len(encoded) // 2) + encoded


def _range(top: int, bottom: int, left: int, right: int) -> bytes:
    return struct.pack("<IIII", top, bottom, left, right)


def _cell(column: int, value: Cell) -> bytes:
    if isinstance(value, str):
        return _record(_TEXT, struct.pack("<II", column, 0) + _wide(value))
    if isinstance(value, dt.date):
        serial = (value - _EXCEL_EPOCH).days
        return _record(_REAL, struct.pack("<IId", column, _DATE_STYLE, float(serial)))
    return _record(_REAL, struct.pack("<IId", column, 0, float(value)))


def _coordinates(reference: str) -> tuple[int, int]:
    """'C7' as (row, column), 0-based."""
    letters = "".join(ch for ch in reference if ch.isalpha())
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(reference[len(letters) :]) - 1, column - 1


def _sheet(rows: list[list[Cell]], merges: list[str]) -> bytes:
    width = max((len(row) for row in rows), default=1)
    parts = [_record(_BEGIN_SHEET), _record(_DIMENSION, _range(0, max(len(rows) - 1, 0), 0, width - 1))]
    parts.append(_record(_BEGIN_DATA))
    for number, row in enumerate(rows):
        cells = [(column, value) for column, value in enumerate(row) if value is not None]
        if not cells:
            continue
        parts.append(_record(_ROW, struct.pack("<IIHBBBI", number, 0, 300, 0, 0, 0, 0)))
        parts.extend(_cell(column, value) for column, value in cells)
    parts.append(_record(_END_DATA))
    if merges:
        parts.append(_record(_BEGIN_MERGES, struct.pack("<I", len(merges))))
        for merge in merges:
            (top, left), (bottom, right) = (_coordinates(corner) for corner in merge.split(":"))
            parts.append(_record(_MERGE, _range(top, bottom, left, right)))
        parts.append(_record(_END_MERGES))
    parts.append(_record(_END_SHEET))
    return b"".join(parts)


def _styles() -> bytes:
    formats = [struct.pack("<HHHHHBBH", 0, number_format, 0, 0, 0, 0, 0, 0) for number_format in (0, 14)]
    return b"".join(
        [
            _record(_BEGIN_FORMATS, struct.pack("<I", len(formats))),
            *(_record(_FORMAT, payload) for payload in formats),
            _record(_END_FORMATS),
        ]
    )


def xlsb_bytes(sheets: dict[str, list[list[Cell]]], merges: dict[str, list[str]] | None = None) -> bytes:
    """A workbook of `sheets` (name to rows) with `merges` (name to ranges like "C7:C8")."""
    merges = merges or {}
    names = list(sheets)
    book = [_record(_BEGIN_BOOK), _record(_BEGIN_SHEETS)]
    for number, name in enumerate(names, start=1):
        book.append(_record(_SHEET, struct.pack("<II", 0, number) + _wide(f"rId{number}") + _wide(name)))
    book += [_record(_END_SHEETS), _record(_END_BOOK)]
    relations = "".join(
        f'<Relationship Id="rId{n}" Target="worksheets/sheet{n}.bin" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet"/>'
        for n in range(1, len(names) + 1)
    )
    relations += (
        f'<Relationship Id="rId{len(names) + 1}" Target="styles.bin" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>'
    )
    package = "http://schemas.openxmlformats.org/package/2006"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.bin" ContentType="application/vnd.ms-excel.worksheet"/>'
        for n in range(1, len(names) + 1)
    )
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{package}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.'
            'main"/><Override PartName="/xl/styles.bin" ContentType="application/vnd.ms-excel.styles"/>'
            f"{overrides}</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}/relationships">'
            '<Relationship Id="rId1" Target="xl/workbook.bin" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument"/></Relationships>'
        ),
        "xl/_rels/workbook.bin.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}/relationships">'
            f"{relations}</Relationships>"
        ),
        "xl/workbook.bin": b"".join(book),
        "xl/styles.bin": _styles(),
    }
    for number, name in enumerate(names, start=1):
        parts[f"xl/worksheets/sheet{number}.bin"] = _sheet(sheets[name], merges.get(name, []))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()
