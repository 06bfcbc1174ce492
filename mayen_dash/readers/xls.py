"""Old Excel workbooks (.xls, BIFF8): bounded by their OLE stream and their cell records before calamine reads them.

calamine holds the rectangle spanned by a sheet's value cells and copies a shared string
into every cell that refers to it; both are measured here, walking the records of the
Workbook stream (at most the file's 25 MB), before anything is built.
"""

from __future__ import annotations

import struct

from ..model import FindingCode, LoadError
from . import spreadsheet
from .base import (
    MAX_CELLS,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    Format,
    Workbook,
    megabytes,
    too_many_cells,
    too_many_rows,
)
from .ole import CompoundFile, damaged

_BOF, _EOF, _BOUNDSHEET, _FILEPASS, _SST, _CONTINUE, _LABELSST = 0x0809, 0x000A, 0x0085, 0x002F, 0x00FC, 0x003C, 0x00FD
_MULRK = 0x00BD
# Records of one value cell each, row and column first: FORMULA, NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST.
_CELLS = frozenset({0x0006, 0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, _LABELSST})
# Python holds a character in up to four bytes; a shared string copied into a cell costs its characters so.
_BYTES_PER_CHARACTER = 4


def password_protected() -> LoadError:
    return LoadError(
        "Die Arbeitsmappe ist mit einem Kennwort geschützt. Bitte den Kennwortschutz in Excel oder LibreOffice "
        "entfernen (Datei > Informationen > Arbeitsmappe schützen) und erneut hochladen.",
        code=FindingCode.PASSWORD_PROTECTED,
    )


def workbook_stream(ole: CompoundFile) -> bytes:
    name = "Workbook" if "Workbook" in ole.streams else "Book"
    return ole.read(name)


def read(data: bytes, filename: str) -> Workbook:
    ole = CompoundFile(data)
    if "EncryptedPackage" in ole.streams:
        raise password_protected()
    _check(workbook_stream(ole))
    return Workbook(spreadsheet.read_sheets(data, "Die Arbeitsmappe", "in Excel oder LibreOffice"), "xls")


FORMAT = Format("xls", "Excel-Arbeitsmappe im alten Format (.xls)", (".xls",), read)


def _records(stream: bytes):
    position, end = 0, len(stream) - 4
    while position <= end:
        kind, length = struct.unpack_from("<HH", stream, position)
        yield kind, position + 4, length
        position += 4 + length


def _string_lengths(payloads: list[bytes]) -> list[int]:
    """Characters of each string of the SST record (its payload and those of its CONTINUE records)."""
    lengths: list[int] = []
    segment, position = 0, 8  # the SST's own payload starts with two counts

    def take(count: int) -> bytes:
        nonlocal segment, position
        taken = b""
        while len(taken) < count:
            if segment >= len(payloads):
                raise damaged()
            chunk = payloads[segment][position : position + count - len(taken)]
            taken += chunk
            position += len(chunk)
            if position >= len(payloads[segment]) and len(taken) < count:
                segment, position = segment + 1, 0
        return taken

    total = struct.unpack_from("<L", payloads[0], 4)[0] if len(payloads[0]) >= 8 else 0
    for _ in range(total):
        if segment < len(payloads) and position >= len(payloads[segment]):
            segment, position = segment + 1, 0
        if segment >= len(payloads):
            break
        characters, flags = struct.unpack("<HB", take(3))
        runs = struct.unpack("<H", take(2))[0] if flags & 0x08 else 0
        extension = struct.unpack("<l", take(4))[0] if flags & 0x04 else 0
        left, wide = characters, flags & 0x01
        while left:
            available = len(payloads[segment]) - position if segment < len(payloads) else 0
            if available <= 0:  # the characters go on in the next CONTINUE, after a new flags byte
                segment, position = segment + 1, 0
                wide = take(1)[0] & 0x01
                continue
            step = min(left, available // (2 if wide else 1)) or 1
            take(step * (2 if wide else 1))
            left -= step
        take(4 * runs + max(extension, 0))
        lengths.append(characters)
    return lengths


def _check(stream: bytes) -> None:
    """Refuse a workbook whose sheets would hold too many cells, or too much copied text, once read."""
    names: list[str] = []
    sheets: list[tuple[int, int]] = []  # per sheet: rows, columns spanned from A1
    lengths: list[int] = []
    shared: list[int] = []  # the string index of every LABELSST cell
    rows = columns = 0
    depth = -1
    records = _records(stream)
    for kind, start, length in records:
        if kind == _BOF:
            depth += 1
            rows = columns = 0
        elif kind == _EOF:
            if depth > 0:
                sheets.append((rows, columns))
            depth -= 1
        elif kind == _FILEPASS:
            raise password_protected()
        elif kind == _BOUNDSHEET and length > 8:
            count, flags = stream[start + 6], stream[start + 7]
            raw = stream[start + 8 : start + 8 + count * (2 if flags & 1 else 1)]
            names.append(raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace"))
        elif kind == _SST:
            payloads = [stream[start : start + length]]
            following = start + length
            while following + 4 <= len(stream) and struct.unpack_from("<H", stream, following)[0] == _CONTINUE:
                size = struct.unpack_from("<H", stream, following + 2)[0]
                payloads.append(stream[following + 4 : following + 4 + size])
                following += 4 + size
            lengths = _string_lengths(payloads) if length >= 8 else []
        elif kind in _CELLS and length >= 4:
            row, column = struct.unpack_from("<HH", stream, start)
            rows, columns = max(rows, row + 1), max(columns, column + 1)
            if kind == _LABELSST and length >= 10:
                shared.append(struct.unpack_from("<L", stream, start + 6)[0])
        elif kind == _MULRK and length >= 6:
            row = struct.unpack_from("<H", stream, start)[0]
            last = struct.unpack_from("<H", stream, start + length - 2)[0]
            rows, columns = max(rows, row + 1), max(columns, last + 1)
    for number, (height, width) in enumerate(sheets):
        name = f"Das Blatt „{names[number]}“" if number < len(names) else "Ein Blatt der Arbeitsmappe"
        if height > MAX_ROWS:
            raise too_many_rows(name, height, MAX_ROWS)
        if height * width > MAX_CELLS:
            raise too_many_cells(name, height, width, MAX_CELLS)
    longest = max(lengths, default=0)
    copied = sum(lengths[i] if i < len(lengths) else longest for i in shared) * _BYTES_PER_CHARACTER
    if copied > MAX_UNCOMPRESSED_BYTES:
        raise LoadError(
            f"Die Arbeitsmappe enthält, mit ihren mehrfach verwendeten Texten, {megabytes(copied)} Daten; erlaubt "
            f"sind höchstens {megabytes(MAX_UNCOMPRESSED_BYTES)}. Die Datei wurde nicht geöffnet.",
            code=FindingCode.UNPACKED_TOO_LARGE,
        )
