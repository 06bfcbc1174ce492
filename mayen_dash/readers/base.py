"""What every reader shares: cells, sheets, the workbook a reader returns, and the limits.

A reader turns bytes into a `Workbook`: sheets of cells, as the loader reads them,
whatever the format. Documents (Word, PDF, pasted text) become sheets too (see
readers.document), so that one loader interprets everything.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..formatting import format_decimal
from ..model import Finding, FindingCode, LoadError

# The limits of every file, in one place. Each bounds what one accepted file costs the server; the corpus of
# tests/test_hostile.py stays within 5 s and 1 GiB. A 100,000-measure report (bench/bench_load.py) fits; the old
# 1,000,000 rows and 10,000,000 cells admitted a CSV that took 24 s and 2.2 GiB. At the row and cell limits with
# every text unique, loading and storing takes 3.5 to 10 s (bench/bench_hostile.py --limits): the loader's work
# per row, not the reading, is what is left.
MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
# An Excel workbook's table of shared texts, unpacked: calamine holds all of it, used or not.
MAX_SHARED_TEXT_BYTES = 50 * 1024 * 1024
# Members of a zip archive: each costs time to list before anything is read (50,000 sheets: 100,000 members).
MAX_ARCHIVE_MEMBERS = 10_000
MAX_SHEETS = 1_000
MAX_ROWS = 110_000
# Cells of the sheets' rectangles from A1 to their last filled cell, all sheets together: the reader holds each.
# The dashboard's own Excel export of MAX_ROWS measures (12 columns, and 3 sheets of its own) must load again:
# 1,000,000 refused the export of 100,000 measures (L100001, 1,200,012 cells; bench/bench_load.py).
MAX_CELLS = 1_500_000

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None


@dataclass(frozen=True)
class Place:
    """Where a row of a document stands: its page (PDF), its table (Word, PDF) and its row there, or a line."""

    page: int | None
    table: int | None
    row: int

    def text(self) -> str:
        parts = [f"Seite {self.page}"] if self.page else []
        parts += [f"Tabelle {self.table}", f"Zeile {self.row}"] if self.table else [f"Zeile {self.row}"]
        return ", ".join(parts)


@dataclass
class Sheet:
    """A sheet's cells: row i is Excel row i + 1, column j is column j + 1.

    A sheet made from a document has `places`: where each of its rows stands in the
    document, so that a finding names page, table and row instead of a row of this sheet.
    """

    name: str
    rows: list[list[Cell]] = field(default_factory=list)
    places: list[Place] | None = None

    def where(self, index: int) -> dict[str, object]:
        """The location of row `index` as keyword arguments of Finding and LoadError."""
        if self.places is None:
            return {"sheet": self.name, "row": index + 1}
        place = self.places[index]
        return {"sheet": None, "row": place.row, "page": place.page, "table": place.table}

    def origin(self, index: int) -> tuple[str, int]:
        """The measure's `sheet` and `row` fields: the sheet and its row, or a document's page and table."""
        if self.places is None:
            return self.name, index + 1
        place = self.places[index]
        return ", ".join(place.text().split(", ")[:-1]) or self.name, place.row


@dataclass
class Workbook:
    """What a reader returns: the sheets, what it noticed, and the format it read.

    `kind` is the format's key ("xlsx", "ods", "docx", ...); `document` says whether
    the sheets were made from a document (whose cells cannot be written back).
    """

    sheets: list[Sheet]
    kind: str
    document: bool = False
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class Format:
    """A file format the dashboard reads: its German name, the endings it goes by, and its reader."""

    key: str
    name: str
    suffixes: tuple[str, ...]
    read: Callable[[bytes, str], Workbook]
    document: bool = False


def megabytes(size: int) -> str:
    """Megabytes as Germans write them, rounded up to a tenth so that "26 MB" is never shown as "25 MB"."""
    tenths = math.ceil(size * 10 / 1024 / 1024)
    return f"{format_decimal(tenths / 10, 0 if tenths % 10 == 0 else 1)} MB"


def limits_text() -> str:
    """The limits in German, as the upload page states them (made from the constants above)."""
    return (
        f"Je Datei höchstens {megabytes(MAX_FILE_BYTES)}, entpackt höchstens {megabytes(MAX_UNCOMPRESSED_BYTES)} "
        f"(davon gemeinsame Texte einer Excel-Arbeitsmappe höchstens {megabytes(MAX_SHARED_TEXT_BYTES)}), "
        f"höchstens {format_decimal(MAX_SHEETS)} Blätter, {format_decimal(MAX_ROWS)} Zeilen je Blatt und "
        f"{format_decimal(MAX_CELLS)} Zellen insgesamt."
    )


def too_many_sheets(what: str, sheets: int, limit: int) -> LoadError:
    return LoadError(
        f"{what} hat {format_decimal(sheets)} Blätter; erlaubt sind höchstens {format_decimal(limit)}. "
        "Bitte die Maßnahmen in eine Datei mit weniger Blättern kopieren und erneut hochladen.",
        code=FindingCode.TOO_MANY_SHEETS,
    )


def too_many_cells_in_all(what: str, cells: int, limit: int) -> LoadError:
    return LoadError(
        f"{what} hat in allen Blättern zusammen {format_decimal(cells)} Zellen (von A1 bis zur letzten gefüllten "
        f"Zelle jedes Blatts); erlaubt sind höchstens {format_decimal(limit)}. Bitte nicht benötigte Blätter und "
        "leere Zeilen und Spalten löschen und erneut hochladen.",
        code=FindingCode.TOO_MANY_CELLS,
    )


def too_many_rows(sheet: str, rows: int, limit: int, *, at_least: bool = False) -> LoadError:
    counted = f"mindestens {format_decimal(rows)}" if at_least else format_decimal(rows)
    return LoadError(
        f"{sheet} hat {counted} Zeilen; erlaubt sind höchstens {format_decimal(limit)}.", code=FindingCode.TOO_MANY_ROWS
    )


def too_many_cells(sheet: str, rows: int, columns: int, limit: int) -> LoadError:
    letters, number = "", columns
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return LoadError(
        f"{sheet} reicht bis Zelle {letters}{rows}, das sind {format_decimal(rows * columns)} Zellen; erlaubt sind "
        f"höchstens {format_decimal(limit)}. Bitte leere Zeilen und Spalten am Ende des Blatts löschen und erneut "
        "hochladen.",
        code=FindingCode.TOO_MANY_CELLS,
    )


def broken_archive(what: str) -> LoadError:
    return LoadError(
        f"Die Datei ist beschädigt oder unvollständig (kein lesbares ZIP-Archiv, {what}). "
        "Bitte die Datei im Programm, das sie erstellt hat, öffnen, neu speichern und erneut hochladen.",
        code=FindingCode.DAMAGED_FILE,
    )


ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, RuntimeError, NotImplementedError)


_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_END_OF_DIRECTORY = b"PK\x06\x06"


def archive_members(data: bytes) -> int:
    """How many members a zip archive's end record declares (0 if it has none): read before zipfile lists them."""
    tail_start = max(0, len(data) - 22 - 0xFFFF)  # the end record, after which only a comment may follow
    end = data.rfind(_END_OF_DIRECTORY, tail_start)
    if end < 0:
        return 0
    count = int.from_bytes(data[end + 10 : end + 12], "little")
    if count == 0xFFFF:  # ZIP64: the real count stands in the ZIP64 end record before it
        zip64 = data.rfind(_ZIP64_END_OF_DIRECTORY, max(0, end - 0xFFFF), end)
        if zip64 >= 0:
            count = int.from_bytes(data[zip64 + 32 : zip64 + 40], "little")
    return count


def _too_many_members(members: int) -> LoadError:
    return LoadError(
        f"Die Datei besteht aus {format_decimal(members)} Teilen (Blätter, Bilder und Ähnliches); erlaubt sind "
        f"höchstens {format_decimal(MAX_ARCHIVE_MEMBERS)}. Die Datei wurde nicht geöffnet.",
        code=FindingCode.TOO_MANY_PARTS,
    )


def open_archive(data: bytes) -> zipfile.ZipFile:
    """A zip archive within the limits of members and unpacked size (the directory's sizes, which zipfile enforces)."""
    members = archive_members(data)
    if members > MAX_ARCHIVE_MEMBERS:
        raise _too_many_members(members)
    archive = zipfile.ZipFile(io.BytesIO(data))
    if len(archive.infolist()) > MAX_ARCHIVE_MEMBERS:  # an end record that lies about its count
        members = len(archive.infolist())
        archive.close()
        raise _too_many_members(members)
    unpacked = sum(entry.file_size for entry in archive.infolist())
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        archive.close()
        raise LoadError(
            f"Die Datei enthält entpackt {megabytes(unpacked)} Daten; erlaubt sind höchstens "
            f"{megabytes(MAX_UNCOMPRESSED_BYTES)}. Die Datei wurde nicht geöffnet.",
            code=FindingCode.UNPACKED_TOO_LARGE,
        )
    return archive


SCAN_BLOCK = 8 * 1024 * 1024


def blocks(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's bytes in blocks of about 8 MB, each cut before a "<" so that no tag is split."""
    with archive.open(entry) as member:
        pending = b""
        while block := member.read(SCAN_BLOCK):
            pending += block
            cut = pending.rfind(b"<")
            if cut > 0:
                yield pending[:cut]
                pending = pending[cut:]
        if pending:
            yield pending


# Every format the dashboard reads, as the refusals and the upload page name them.
READABLE = (
    "Excel-Arbeitsmappen (.xlsx, .xlsm, .xlsb, .xls), LibreOffice-Tabellen (.ods), CSV-Dateien, "
    "Word-Dokumente (.docx), PDF-Dokumente mit Text und Text (.txt)"
)


def unreadable(what: str, advice: str = "") -> LoadError:
    """A refusal that says what the file was recognised as, what is read, and what to do."""
    return LoadError(
        f"Die Datei ist {what}. Gelesen werden {READABLE}. "
        + (advice or "Bitte die Tabelle oder den Bericht in einem dieser Formate speichern und erneut hochladen."),
        code=FindingCode.UNSUPPORTED_FORMAT,
    )
