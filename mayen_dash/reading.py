"""From bytes to sheets of cells, within limits.

This module knows file formats and nothing about measures. It decides what a
file is by its content, not its name, refuses what it cannot or must not read
(before parsing, where the check allows it) and hands the loader plain rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import math
import operator
import posixpath
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter

from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from .model import LoadError

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 1_000_000
# Cells of a sheet's rectangle from A1 to its last filled cell: the reader holds every one of them.
MAX_CELLS = 10_000_000

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None

# A single cell may be as long as the whole file allows; the file limit bounds it.
csv.field_size_limit(MAX_FILE_BYTES)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


@dataclass
class Sheet:
    """A sheet's cells: row i is Excel row i + 1, column j is column j + 1."""

    name: str
    rows: list[list[Cell]] = field(default_factory=list)


def _german(number: float, decimals: int = 0) -> str:
    return f"{number:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _mb(size: int) -> str:
    """Megabytes as Germans write them, rounded up to a tenth so that "26 MB" is never shown as "25 MB"."""
    tenths = math.ceil(size * 10 / 1024 / 1024)
    return f"{_german(tenths / 10, 0 if tenths % 10 == 0 else 1)} MB"


def read_sheets(data: bytes, filename: str = "") -> list[Sheet]:
    """All sheets of an .xlsx workbook or a CSV file, refusing anything else."""
    if not data:
        raise LoadError("Die Datei ist leer.")
    if len(data) > MAX_FILE_BYTES:
        raise LoadError(f"Die Datei ist {_mb(len(data))} groß; erlaubt sind höchstens {_mb(MAX_FILE_BYTES)}.")
    if data.startswith(b"PK"):
        return _read_xlsx(data)
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            raise LoadError(
                "Die Arbeitsmappe ist mit einem Kennwort geschützt. Bitte den Kennwortschutz "
                "in Excel entfernen (Datei > Informationen > Arbeitsmappe schützen) und erneut hochladen."
            )
        raise LoadError(
            "Die Datei ist im alten Excel-Format (.xls). Bitte in Excel als "
            "„Excel-Arbeitsmappe (.xlsx)“ speichern und erneut hochladen."
        )
    if data.startswith(b"%PDF"):
        raise LoadError(
            "Die Datei ist ein PDF-Dokument, keine Tabelle. Bitte die Excel-Tabelle (.xlsx) "
            "oder eine CSV-Datei hochladen."
        )
    return [_read_csv(data, filename)]


def _read_xlsx(data: bytes) -> list[Sheet]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            unpacked = sum(entry.file_size for entry in entries)
            if "xl/workbook.xml" not in names:
                kind = "ein Word-Dokument" if "word/document.xml" in names else "ein ZIP-Archiv"
                raise LoadError(f"Die Datei ist {kind}, keine Excel-Arbeitsmappe (.xlsx).")
            if unpacked > MAX_UNCOMPRESSED_BYTES:
                raise LoadError(
                    f"Die Arbeitsmappe enthält entpackt {_mb(unpacked)} Daten; erlaubt sind höchstens "
                    f"{_mb(MAX_UNCOMPRESSED_BYTES)}. Die Datei wurde nicht geöffnet."
                )
            _check_extent(archive, entries, unpacked)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as error:
        raise LoadError(
            "Die Datei ist beschädigt oder unvollständig (kein lesbares ZIP/Excel-Archiv). "
            "Bitte die Datei in Excel öffnen, neu speichern und erneut hochladen."
        ) from error
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [_calamine_sheet(workbook, name) for name in workbook.sheet_names]
    except PasswordError as error:
        raise LoadError("Die Arbeitsmappe ist mit einem Kennwort geschützt.") from error
    except (CalamineError, ValueError, OSError) as error:
        raise LoadError(
            "Die Arbeitsmappe ist beschädigt und kann nicht gelesen werden. Bitte in Excel "
            "öffnen, neu speichern und erneut hochladen."
        ) from error
    return sheets


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


def _blocks(archive: zipfile.ZipFile, entry: zipfile.ZipInfo):
    """A member's bytes in blocks of about 8 MB, each cut before a "<" so that no tag is split."""
    with archive.open(entry) as member:
        pending = b""
        while block := member.read(_SCAN_BLOCK):
            pending += block
            cut = pending.rfind(b"<")
            if cut > 0:
                yield pending[:cut]
                pending = pending[cut:]
        if pending:
            yield pending


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


def _cells_text(sheet: str, rows: int, columns: int) -> str:
    letters, number = "", columns
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return (
        f"{sheet} reicht bis Zelle {letters}{rows}, das sind {_german(rows * columns)} Zellen; erlaubt sind "
        f"höchstens {_german(MAX_CELLS)}. Bitte leere Zeilen und Spalten am Ende des Blatts löschen und erneut "
        "hochladen."
    )


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
    for block in _blocks(archive, entry):
        if _PREFIXED.search(block):
            return None
        found = _FAR_OR_ODD_CELL.findall(block)
        if any(map(itemgetter(2), found)):
            return None
        if found:
            extent.rows = max(extent.rows, *map(int, set(map(itemgetter(1), found))))
            extent.columns = max(extent.columns, *map(_column, set(map(itemgetter(0), found))))
        cells = cells or b'<c r="' in block
        extent.shared += _shared_cells(block) if strings else 0
    extent.last_row = extent.rows
    if not cells:
        extent.exact = True
    elif extent.cells() > MAX_CELLS and extent.rows <= MAX_ROWS:
        # Only a bound so far (any ref up to Z99999 counts as Z99999): measure exactly.
        for block in _blocks(archive, entry):
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
    for block in _blocks(archive, entry):
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
    for block in _blocks(archive, entry):
        pieces = _SHARED_ITEM.split(block)
        if lengths:
            lengths[-1] += len(pieces[0])
        lengths.extend(map(len, pieces[1:]))
    return lengths


def _shared_text(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, lengths: list[int], longest: int) -> int:
    """Bytes of shared text that the cells of `entry` pull in (a cell whose index is not found: the longest)."""
    total = 0
    for block in _blocks(archive, entry):
        indices = Counter(_ANY_SHARED_VALUE.findall(block))
        total += sum(count * lengths[int(i)] for i, count in indices.items() if int(i) < len(lengths))
        total += max(_shared_cells(block) - indices.total(), 0) * longest
    return total


def _check_extent(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], unpacked: int) -> None:
    """Refuse a workbook whose cells would grow beyond the limits once read, before calamine reads it."""
    table = next((e for e in entries if e.filename.casefold() == "xl/sharedstrings.xml"), None)
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
                raise LoadError(
                    f"{_sheet_text(entry, sheets)} hat {_german(extent.last_row)} Zeilen; erlaubt sind höchstens "
                    f"{_german(MAX_ROWS)}."
                )
            raise LoadError(_cells_text(_sheet_text(entry, sheets), extent.rows, extent.columns))
        if extent.shared:
            shared.append((entry, extent.shared))
    # Every shared cell as long as the longest string is a cheap bound; only past the limit count exactly.
    if unpacked + sum(count for _, count in shared) * longest <= MAX_UNCOMPRESSED_BYTES:
        return
    expanded = unpacked + sum(_shared_text(archive, entry, lengths, longest) for entry, _ in shared)
    if expanded > MAX_UNCOMPRESSED_BYTES:
        raise LoadError(
            f"Die Arbeitsmappe enthält entpackt, mit ihren mehrfach verwendeten Texten, {_mb(expanded)} "
            f"Daten; erlaubt sind höchstens {_mb(MAX_UNCOMPRESSED_BYTES)}. Die Datei wurde nicht geöffnet."
        )


def _calamine_sheet(workbook: CalamineWorkbook, name: str) -> Sheet:
    sheet = workbook.get_sheet_by_name(name)
    height = sheet.end[0] + 1 if sheet.end else 0  # total_height is the last row's index, not a count
    if height > MAX_ROWS:
        raise LoadError(f"Das Blatt „{name}“ hat {_german(height)} Zeilen; erlaubt sind höchstens {_german(MAX_ROWS)}.")
    rows: list[list[Cell]] = sheet.to_python(skip_empty_area=False)
    # A merged block shows its value once; fill it down its first column so that
    # every row it spans carries it, as the reader of the printed sheet sees it.
    for (top, left), (bottom, _right) in sheet.merged_cell_ranges or ():
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for r in range(top + 1, min(bottom, len(rows) - 1) + 1):
            if left < len(rows[r]) and rows[r][left] in ("", None):
                rows[r][left] = value
    return Sheet(name, rows)


def _decode(data: bytes) -> str:
    """Text of a CSV file, whichever of the usual encodings wrote it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")  # a lost last byte must not end the upload
    if b"\x00" in data[:4096]:
        raise LoadError("Die Datei ist weder eine Excel-Arbeitsmappe (.xlsx) noch eine CSV-Datei.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if _UTF8_SEQUENCE.search(data):
        # Pasted together from two exports: each line in the encoding it decodes in.
        return "".join(map(_decode_line, data.removeprefix(b"\xef\xbb\xbf").splitlines(keepends=True)))
    return _decode_line(data)


# A multi-byte UTF-8 sequence; Windows-1252 German text practically never contains one.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def _decode_line(data: bytes) -> str:
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


def _delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently into several fields."""
    sample = [line for line in text.splitlines()[:50] if line.strip()]
    best, best_score = ",", -1
    for candidate in (";", ",", "\t", "|"):
        counts = [len(row) for row in csv.reader(sample, delimiter=candidate)]
        if not counts:
            continue
        widest = max(counts)
        if widest < 2:
            continue
        score = sum(1 for c in counts if c >= 2) * 100 + widest
        if score > best_score:
            best, best_score = candidate, score
    return best


def _read_csv(data: bytes, filename: str) -> Sheet:
    text = _decode(data)
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:4096])
    if printable < 0.9 * len(text[:4096]):
        raise LoadError("Die Datei ist weder eine Excel-Arbeitsmappe (.xlsx) noch eine CSV-Datei.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[list[Cell]] = []
    try:
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise LoadError(f"Die Datei hat mehr als {MAX_ROWS:,} Zeilen.".replace(",", "."))
            rows.append(list(row))
    except csv.Error as error:
        raise LoadError(
            f"Die CSV-Datei ist fehlerhaft und kann ab Zeile {reader.line_num} nicht gelesen werden."
        ) from error
    stem = filename.rsplit("/", 1)[-1] or "CSV"
    return Sheet(stem, rows)
