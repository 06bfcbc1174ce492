"""CSV files: whichever encoding, delimiter and line ending the exporting program chose."""

from __future__ import annotations

import csv
import io
import re

from ..formatting import format_count
from ..model import FindingCode, LoadError
from .base import MAX_CELLS, MAX_FILE_BYTES, MAX_ROWS, Cell, Format, Sheet, Workbook, unreadable

# A single cell may be as long as the whole file allows; the file limit bounds it.
csv.field_size_limit(MAX_FILE_BYTES)


# What a file is that holds neither cells nor readable text.
NOT_TEXT = "weder eine Tabelle noch ein Text, den das Dashboard lesen kann"


def is_binary(data: bytes) -> bool:
    """NUL bytes near the start: no text file of any usual 8-bit encoding (UTF-16 with its BOM aside)."""
    return not data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" in data[:4096]


def read(data: bytes, filename: str) -> Workbook:
    return Workbook([read_sheet(data, filename)], "csv")


FORMAT = Format("csv", "CSV-Datei", (".csv", ".tsv"), read)


def decode(data: bytes) -> str:
    """Text of a CSV file, whichever of the usual encodings wrote it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")  # a lost last byte must not end the upload
    if is_binary(data):
        raise unreadable(NOT_TEXT)
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


def delimiter(text: str) -> str:
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


def read_sheet(data: bytes, filename: str) -> Sheet:
    text = decode(data)
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:4096])
    if printable < 0.9 * len(text[:4096]):
        raise unreadable(NOT_TEXT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))
    rows: list[list[Cell]] = []
    cells = 0
    try:
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise LoadError(
                    f"Die Datei hat mehr als {format_count(MAX_ROWS)} Zeilen.", code=FindingCode.TOO_MANY_ROWS
                )
            cells += len(row)
            if cells > MAX_CELLS:
                raise LoadError(
                    f"Die Datei hat mehr als {format_count(MAX_CELLS)} Felder (bis Zeile {len(rows) + 1}); erlaubt "
                    f"sind höchstens {format_count(MAX_CELLS)}.",
                    code=FindingCode.TOO_MANY_CELLS,
                )
            rows.append(list(row))
    except csv.Error as error:
        raise LoadError(
            f"Die CSV-Datei ist fehlerhaft und kann ab Zeile {reader.line_num} nicht gelesen werden.",
            code=FindingCode.DAMAGED_FILE,
        ) from error
    stem = filename.rsplit("/", 1)[-1] or "CSV"
    return Sheet(stem, rows)
