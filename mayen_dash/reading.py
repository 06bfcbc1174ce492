"""From bytes to sheets of cells, within limits.

This module knows file formats and nothing about measures. It decides what a
file is by its content, not its name, refuses what it cannot or must not read
(before parsing, where the check allows it) and hands the loader plain rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from .model import LoadError

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 1_000_000

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


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB".replace(".", ",")


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
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise LoadError(
            "Die Datei ist beschädigt oder unvollständig (kein lesbares ZIP/Excel-Archiv). "
            "Bitte die Datei in Excel öffnen, neu speichern und erneut hochladen."
        ) from error
    if "xl/workbook.xml" not in names:
        kind = "ein Word-Dokument" if "word/document.xml" in names else "ein ZIP-Archiv"
        raise LoadError(f"Die Datei ist {kind}, keine Excel-Arbeitsmappe (.xlsx).")
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise LoadError(
            f"Die Arbeitsmappe enthält entpackt {_mb(unpacked)} Daten; erlaubt sind höchstens "
            f"{_mb(MAX_UNCOMPRESSED_BYTES)}. Die Datei wurde nicht geöffnet."
        )
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


def _calamine_sheet(workbook: CalamineWorkbook, name: str) -> Sheet:
    sheet = workbook.get_sheet_by_name(name)
    if sheet.total_height > MAX_ROWS:
        raise LoadError(
            f"Das Blatt „{name}“ hat {sheet.total_height:,} Zeilen; erlaubt sind höchstens {MAX_ROWS:,}.".replace(
                ",", "."
            )
        )
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
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise LoadError("Die Datei ist weder eine Excel-Arbeitsmappe (.xlsx) noch eine CSV-Datei.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
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
