"""From bytes to sheets of cells, within limits: one module per format behind one small interface.

Each format's module has a `FORMAT` (its German name, the file endings it goes by, and
`read(data, filename) -> Workbook`). This package decides what a file is by its content,
not its name, and refuses what it cannot or must not read, saying what it recognised.
A new format is a new module and a line in `identify`.

Spreadsheets (.xlsx, .xlsb, .xls, .ods, CSV) give their sheets as they are; documents
(Word, PDF, pasted text) give the sheets a workbook of the same report would have
(readers.document), so that the loader reads every format the same way.
"""

from __future__ import annotations

from pathlib import PurePath

from ..model import FindingCode, LoadError
from ..normalize import visible
from . import delimited, docx, ods, pdf, text, xls, xlsb, xlsx
from .base import (
    ARCHIVE_ERRORS,
    MAX_ARCHIVE_MEMBERS,
    MAX_CELLS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_SHARED_TEXT_BYTES,
    MAX_SHEETS,
    MAX_UNCOMPRESSED_BYTES,
    READABLE,
    Cell,
    Format,
    Place,
    Sheet,
    Workbook,
    broken_archive,
    limits_text,
    megabytes,
    open_archive,
    unreadable,
)
from .ole import MAGIC as OLE_MAGIC
from .ole import CompoundFile

FORMATS: tuple[Format, ...] = (
    xlsx.FORMAT,
    xlsb.FORMAT,
    xls.FORMAT,
    ods.FORMAT,
    delimited.FORMAT,
    docx.FORMAT,
    pdf.FORMAT,
    text.FORMAT,
)
# Every file ending the upload offers; the content decides, the ending only helps the file dialog.
SUFFIXES: tuple[str, ...] = tuple(suffix for f in FORMATS for suffix in f.suffixes)
_BY_KEY = {f.key: f for f in FORMATS}

# Files people pick by mistake: their signature and what to call them.
_OTHER_FILES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "ein Bild (PNG)"),
    (b"\xff\xd8\xff", "ein Bild (JPEG)"),
    (b"GIF8", "ein Bild (GIF)"),
    (b"II*\x00", "ein Bild (TIFF)"),
    (b"MM\x00*", "ein Bild (TIFF)"),
    (b"MZ", "ein Windows-Programm"),
    (b"\x7fELF", "ein Programm"),
    (b"\x1f\x8b", "ein gepacktes Archiv (gzip)"),
    (b"7z\xbc\xaf", "ein gepacktes Archiv (7-Zip)"),
    (b"Rar!", "ein gepacktes Archiv (RAR)"),
    (b"{\\rtf", "ein RTF-Dokument"),
)
_ZIP_MEMBERS: tuple[tuple[str, str], ...] = (
    ("xl/workbook.xml", "xlsx"),
    ("xl/workbook.bin", "xlsb"),
    ("word/document.xml", "docx"),
)
_OTHER_ZIPS: tuple[tuple[str, str, str], ...] = (
    ("ppt/presentation.xml", "eine PowerPoint-Präsentation", ""),
    (
        "application/vnd.oasis.opendocument.text",
        "ein LibreOffice-Textdokument (.odt)",
        "Bitte in LibreOffice als Word-Dokument (.docx) oder als PDF speichern und erneut hochladen.",
    ),
)


def identify(data: bytes, filename: str = "") -> Format:
    """The format of a file by its content, or a German refusal that says what it is instead."""
    if not data:
        raise LoadError("Die Datei ist leer.", code=FindingCode.EMPTY_FILE)
    if len(data) > MAX_FILE_BYTES:
        raise LoadError(
            f"Die Datei ist {megabytes(len(data))} groß; erlaubt sind höchstens {megabytes(MAX_FILE_BYTES)}.",
            code=FindingCode.FILE_TOO_LARGE,
        )
    if data.startswith(b"PK"):
        return _zipped(data)
    if data.startswith(OLE_MAGIC):
        return _compound(data)
    if data.startswith(b"%PDF"):
        return pdf.FORMAT
    for signature, what in _OTHER_FILES:
        if data.startswith(signature):
            raise unreadable(what)
    if delimited.is_binary(data):
        raise unreadable(delimited.NOT_TEXT)
    named = _BY_KEY.get(PurePath(filename).suffix.lower().lstrip(".").replace("xlsm", "xlsx"))
    if named is not None and named.key not in ("csv", "txt"):
        raise unreadable(
            f"keine {named.name}, sie enthält nur Text (der Name „{PurePath(filename).name}“ passt nicht zum Inhalt)",
            "Ist es eine CSV-Datei, bitte mit der Endung .csv hochladen; sonst die Datei im Programm, das sie "
            "erstellt hat, im richtigen Format speichern.",
        )
    return text.FORMAT if text.is_report_text(data, filename) else delimited.FORMAT


def _zipped(data: bytes) -> Format:
    try:
        with open_archive(data) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100].decode("ascii", "replace") if "mimetype" in names else ""
    except LoadError:
        raise
    except ARCHIVE_ERRORS as error:
        raise broken_archive("weder Excel-Arbeitsmappe noch Word- oder LibreOffice-Dokument") from error
    for member, key in _ZIP_MEMBERS:
        if member in names:
            return _BY_KEY[key]
    if mimetype.strip() == "application/vnd.oasis.opendocument.spreadsheet" or (
        "content.xml" in names and not mimetype
    ):
        return ods.FORMAT
    for marker, what, advice in _OTHER_ZIPS:
        if marker in names or mimetype.strip() == marker:
            raise unreadable(what, advice)
    raise unreadable("ein ZIP-Archiv, keine Excel-Arbeitsmappe (.xlsx) und kein Dokument")


_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def _compound(data: bytes) -> Format:
    # Searched in the bytes first: an encrypted file's directory may be unreadable without its key.
    if _ENCRYPTED_PACKAGE in data or "EncryptedPackage" in CompoundFile(data).streams:
        raise LoadError(
            "Die Datei ist mit einem Kennwort geschützt. Bitte den Kennwortschutz im Programm, das sie erstellt hat, "
            "entfernen (in Excel: Datei > Informationen > Arbeitsmappe schützen) und erneut hochladen.",
            code=FindingCode.PASSWORD_PROTECTED,
        )
    ole = CompoundFile(data)
    if "Workbook" in ole.streams or "Book" in ole.streams:
        return xls.FORMAT
    if "WordDocument" in ole.streams:
        raise unreadable(
            "ein Word-Dokument im alten Format (.doc)",
            "Bitte in Word oder LibreOffice als Word-Dokument (.docx) speichern und erneut hochladen.",
        )
    raise unreadable("ein Office-Dokument im alten Format, keine Excel-Arbeitsmappe")


def read_workbook(data: bytes, filename: str = "") -> Workbook:
    """The sheets of any file the dashboard reads, or a German refusal (LoadError).

    Sheet names are shown and stored (a measure's place): without control and bidi characters.
    """
    workbook = identify(data, filename).read(data, filename)
    for sheet in workbook.sheets:
        sheet.name = visible(sheet.name)
    return workbook


def read_sheets(data: bytes, filename: str = "") -> list[Sheet]:
    """The sheets of a file, as read_workbook finds them."""
    return read_workbook(data, filename).sheets


def read_pasted(text_: str) -> Workbook:
    """Report text pasted into the page, read like a .txt file of the same text."""
    return text.read(text_.encode("utf-8"), "")


def format_of(key: str) -> Format:
    return _BY_KEY[key]


__all__ = [
    "FORMATS",
    "MAX_ARCHIVE_MEMBERS",
    "MAX_CELLS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_SHARED_TEXT_BYTES",
    "MAX_SHEETS",
    "MAX_UNCOMPRESSED_BYTES",
    "READABLE",
    "SUFFIXES",
    "Cell",
    "Format",
    "Place",
    "Sheet",
    "Workbook",
    "format_of",
    "identify",
    "limits_text",
    "megabytes",
    "read_pasted",
    "read_sheets",
    "read_workbook",
]
