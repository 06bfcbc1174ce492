"""Broken and hostile files, built on the fly, and a bounded process to load them in.

Each builder returns the bytes of one file that a careless or malicious user
could upload: every kind of file the loader refuses, and files that try to
make it read too much, follow links, run code or choke on odd text. Nothing
large is committed: big files are generated, most of them as a repeated
deflate block, so that a 300 MB sheet costs a few hundred kilobytes and a few
milliseconds to build.

`run_isolated` loads a file in a child process limited to 1 GiB of address
space (RLIMIT_AS) and 5 seconds, optionally adding it to a SnapshotStore as an
accepted upload would be, and returns what happened as a dict. The child also
records, through an audit hook, any attempt to open a socket or start a
process while loading.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import multiprocessing
import multiprocessing.context
import os
import re
import resource
import struct
import sys
import time
import types
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from mayen_dash import readers
from mayen_dash.loader import load_report
from mayen_dash.model import LoadError
from mayen_dash.store import SnapshotStore

ROOT = Path(__file__).resolve().parent.parent
MEMORY_LIMIT = 1 << 30  # bytes of address space for the loading process
TIME_LIMIT = 5.0  # seconds for one load (and store.add); the imports are done before
# The Stichtag the user gives the upload page for a file that names none (it is never guessed).
ASKED_STICHTAG = dt.date(2024, 9, 30)
MB = 1024 * 1024

# --- zip archives, written by hand so that they can lie ------------------------------------------


@dataclass(frozen=True)
class Repeated:
    """prefix + chunk * times + suffix, deflated without ever holding the whole text."""

    prefix: bytes
    chunk: bytes
    times: int
    suffix: bytes = b""

    def deflated(self) -> tuple[bytes, int, int]:
        """The raw deflate stream, its CRC-32 and the real uncompressed size.

        After a full flush a deflate stream depends on nothing before it, so the
        chunk is compressed once and its block repeated.
        """
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        head = compressor.compress(self.prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
        block = compressor.compress(self.chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
        tail = compressor.compress(self.suffix) + compressor.flush()
        crc = zlib.crc32(self.prefix)
        for _ in range(self.times):
            crc = zlib.crc32(self.chunk, crc)
        crc = zlib.crc32(self.suffix, crc)
        return head + block * self.times + tail, crc, len(self.prefix) + len(self.chunk) * self.times + len(self.suffix)


Content = bytes | str | Repeated


def zip_archive(
    parts: dict[str, Content], declared: dict[str, int] | None = None, crcs: dict[str, int] | None = None
) -> bytes:
    """A zip archive of deflated members; `declared` and `crcs` override a member's size and CRC-32."""
    out = io.BytesIO()
    directory = []
    for name, content in parts.items():
        if isinstance(content, Repeated):
            payload, crc, size = content.deflated()
        else:
            data = content.encode("utf-8") if isinstance(content, str) else content
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            payload, crc, size = compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)
        size_in_directory = (declared or {}).get(name, size)
        crc = (crcs or {}).get(name, crc)
        encoded = name.encode("utf-8")
        offset = out.tell()
        out.write(
            struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0x800, 8, 0, 0x21, crc, len(payload), size, len(encoded), 0)
        )
        out.write(encoded)
        out.write(payload)
        directory.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0x800,
                8,
                0,
                0x21,
                crc,
                len(payload),
                size_in_directory,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    out.write(b"".join(directory))
    out.write(
        struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(directory), len(directory), out.tell() - start, start, 0)
    )
    return out.getvalue()


# --- minimal .xlsx workbooks, part by part --------------------------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_WORKBOOK_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def column_letter(index: int) -> str:
    """Excel's name of the 0-based column `index`: 0 -> A, 26 -> AA, 16383 -> XFD."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_xml(row: int, column: int, value: object) -> str:
    """One cell: text inline, numbers as numbers, a (formula, cached value) pair as a formula cell."""
    ref = f"{column_letter(column)}{row + 1}"
    if value is None:
        return ""
    if isinstance(value, tuple):
        formula, cached = value
        if cached is None:
            return f"<c r={quoteattr(ref)}><f>{escape(formula)}</f></c>"
        if isinstance(cached, str):
            return f'<c r={quoteattr(ref)} t="str"><f>{escape(formula)}</f><v>{escape(cached)}</v></c>'
        return f"<c r={quoteattr(ref)}><f>{escape(formula)}</f><v>{cached}</v></c>"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"<c r={quoteattr(ref)}><v>{value}</v></c>"
    return f'<c r={quoteattr(ref)} t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def rows_xml(rows: list[list[object]], first: int = 0) -> str:
    return "".join(
        f'<row r="{first + i + 1}">' + "".join(cell_xml(first + i, j, v) for j, v in enumerate(row)) + "</row>"
        for i, row in enumerate(rows)
    )


def sheet_xml(rows: list[list[object]], *, before: str = "") -> str:
    return (
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{before}<sheetData>{rows_xml(rows)}</sheetData></worksheet>'
    )


def workbook_parts(
    sheets: dict[str, Content],
    *,
    shared_strings: Content | None = None,
    macro: bool = False,
    workbook_extra: str = "",
    extra_relationships: str = "",
    extra_types: str = "",
    sheet_relationships: dict[int, str] | None = None,
) -> dict[str, Content]:
    """The parts of a workbook whose sheets are given as their XML, in order, named as given."""
    names = list(sheets)
    types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_TYPE}"/>'
        for i in range(1, len(names) + 1)
    )
    if shared_strings is not None:
        types += (
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    parts: dict[str, Content] = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{MACRO_WORKBOOK_TYPE if macro else WORKBOOK_TYPE}"/>'
            f"{types}{extra_types}</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{REL_TYPE}officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
            + "".join(f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, 1))
            + f"</sheets>{workbook_extra}</workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG_REL_NS}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{REL_TYPE}worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(names) + 1)
            )
            + (
                f'<Relationship Id="rId{len(names) + 1}" Type="{REL_TYPE}sharedStrings" Target="sharedStrings.xml"/>'
                if shared_strings is not None
                else ""
            )
            + f"{extra_relationships}</Relationships>"
        ),
    }
    for i, content in enumerate(sheets.values(), 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = content
        if sheet_relationships and i in sheet_relationships:
            parts[f"xl/worksheets/_rels/sheet{i}.xml.rels"] = (
                f'<Relationships xmlns="{PKG_REL_NS}">{sheet_relationships[i]}</Relationships>'
            )
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    return parts


def xlsx(rows: list[list[object]], sheet: str = "Maßnahmen") -> bytes:
    return zip_archive(workbook_parts({sheet: sheet_xml(rows)}))


# Three measures as the city writes them; most hostile files carry them so that a load can be checked.
HEADER = ["ID", "Maßnahme", "Status", "Verantwortlichkeit", "Zieldatum"]
MEASURES = [
    ["EG-01", "Online-Antrag Wohngeld", "in Bearbeitung", "Fachbereich 1", "08/2023"],
    ["EG-02", "Hundeanmeldung", "erledigt", "ZB 1/Bereich 2.1", "2022"],
    ["EG-03", "E-Akte", "offen", "Zentralbereich 1", "Q3/2024"],
]
TITLES = [row[1] for row in MEASURES]
STATUSES = ["in_bearbeitung", "erledigt", "offen"]


def csv_text(rows: list[list[object]], delimiter: str = ";") -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


# --- the builders: each returns the bytes of one file ------------------------------------------------


def not_a_spreadsheet() -> bytes:
    """A Windows program renamed to .xlsx."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 64


def pdf_document() -> bytes:
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + b"0" * 2000 + b"\n%%EOF\n"


def word_document() -> bytes:
    return zip_archive({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})


def corrupt_sheet_xml() -> bytes:
    """A workbook whose sheet XML breaks off inside a tag and nests wrongly."""
    parts = workbook_parts({"Maßnahmen": "<worksheet><sheetData><row r='1'><c r='A1' t='inlineStr'><is><t>Maß</is"})
    return zip_archive(parts)


def truncated_workbook() -> bytes:
    data = xlsx([HEADER, *MEASURES])
    return data[: len(data) * 3 // 5]


def empty_file() -> bytes:
    return b""


def no_data_rows() -> bytes:
    return xlsx([["Stand: 31.08.2023"], [], HEADER])


def no_measure_or_status_column() -> bytes:
    return xlsx([["Name", "Betrag", "Datum"], ["Kopierpapier", 123.5, "2023"]])


def password_protected() -> bytes:
    """An OLE compound file as Excel writes an encrypted workbook: EncryptionInfo and EncryptedPackage streams."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHH", header, 24, 0x3E, 3, 0xFFFE)
    struct.pack_into("<H", header, 30, 9)
    directory = bytearray(512)
    for i, name in enumerate(("Root Entry", "EncryptionInfo", "EncryptedPackage")):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        directory[i * 128 : i * 128 + len(encoded)] = encoded
        struct.pack_into("<HB", directory, i * 128 + 64, len(encoded), 5 if i == 0 else 2)
    return bytes(header) + bytes(directory) + os.urandom(4096)


def over_25_mb() -> bytes:
    """A real CSV just over the file limit (not zeros: it would load if it were allowed)."""
    line = csv_text([["EG-01", "Online-Antrag Wohngeld " + "x" * 200, "offen"]]).encode()
    head = csv_text([["ID", "Maßnahme", "Status"]]).encode()
    return head + line * ((25 * MB) // len(line) + 1)


def zip_bomb() -> bytes:
    """201 MB of sheet, honestly declared, in a file of a few hundred kilobytes."""
    sheet = Repeated(f'<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode(), b" " * MB, 201, b"</sheetData></worksheet>")
    return zip_archive(workbook_parts({"Maßnahmen": sheet}))


LIE_ROW = (
    '<row><c t="inlineStr"><is><t>Maßnahme '
    + "x" * 60
    + '</t></is></c><c t="inlineStr"><is><t>offen</t></is></c></row>'
)
LIE_SHEET = Repeated(
    f'<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode(),
    (LIE_ROW * (MB // len(LIE_ROW))).encode(),
    300,
    b"</sheetData></worksheet>",
)
LIE_SIZE = 700


def lying_zip() -> bytes:
    """A sheet whose directory entry says 700 bytes; it inflates to 300 MB of rows (CRC of all 300 MB)."""
    return zip_archive(workbook_parts({"Maßnahmen": LIE_SHEET}), declared={"xl/worksheets/sheet1.xml": LIE_SIZE})


def lying_zip_matching_crc() -> bytes:
    """The same lie with the CRC of the first 700 bytes, so that a reader that stops there finds no fault."""
    prefix = (LIE_SHEET.prefix + LIE_SHEET.chunk)[:LIE_SIZE]
    return zip_archive(
        workbook_parts({"Maßnahmen": LIE_SHEET}),
        declared={"xl/worksheets/sheet1.xml": LIE_SIZE},
        crcs={"xl/worksheets/sheet1.xml": zlib.crc32(prefix)},
    )


def too_many_rows() -> bytes:
    """1,000,001 measure rows below the header, each cell with its reference as Excel writes it."""
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>M</t></is></c><c r="B%d"><v>1</v></c></row>' % (r, r, r)
        for r in range(2, 1_000_003)
    )
    header = rows_xml([["Maßnahme", "Status"]])
    return zip_archive(
        workbook_parts(
            {
                "Maßnahmen": f'<worksheet xmlns="{MAIN_NS}"><sheetData>{header}'.encode()
                + rows
                + b"</sheetData></worksheet>"
            }
        )
    )


def too_many_rows_implicit() -> bytes:
    """1,000,001 measure rows written without any r attribute (legal: each row follows the last)."""
    row = b'<row><c t="inlineStr"><is><t>M</t></is></c><c t="inlineStr"><is><t>offen</t></is></c></row>'
    sheet = Repeated(
        f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows_xml([["Maßnahme", "Status"]])}'.encode(),
        row * 1000,
        1000,
        row + b"</sheetData></worksheet>",
    )
    return zip_archive(workbook_parts({"Maßnahmen": sheet}))


def _with_far_cell(ref: str) -> bytes:
    row = "".join(ch for ch in ref if ch.isdigit())
    rows = rows_xml([HEADER, *MEASURES]) + f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>'
    sheet = f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>'
    return zip_archive(workbook_parts({"Maßnahmen": sheet}))


def far_corner_cell() -> bytes:
    """Two cells, A1 and XFD1048576: a dense reader would allocate 17 billion cells."""
    return _with_far_cell("XFD1048576")


def far_column_cell() -> bytes:
    """The measures and one number in XFD1000: 16 million cells, far below the row limit."""
    return _with_far_cell("XFD1000")


def styled_far_cell() -> bytes:
    """A formatted but empty cell in XFD1048576 (as Excel writes formatting): nothing to read there."""
    rows = rows_xml([HEADER, *MEASURES]) + '<row r="1048576"><c r="XFD1048576" s="1"/></row>'
    return zip_archive(
        workbook_parts({"Maßnahmen": f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>'})
    )


def lying_dimension() -> bytes:
    """A small table whose dimension element claims the whole grid."""
    return zip_archive(
        workbook_parts({"Maßnahmen": sheet_xml([HEADER, *MEASURES], before='<dimension ref="A1:XFD1048576"/>')})
    )


def external_links(url: str = "http://127.0.0.1:9/kosten.xlsx") -> bytes:
    """Formulas that read another workbook on a web server; only their cached values may count."""
    rows = [
        HEADER,
        [*MEASURES[0][:2], ("[1]Tabelle1!C2", "in Bearbeitung"), *MEASURES[0][3:]],
        [*MEASURES[1][:2], ("[1]Tabelle1!C3", "erledigt"), *MEASURES[1][3:]],
        [*MEASURES[2][:2], ("[1]Tabelle1!C4", "offen"), *MEASURES[2][3:]],
    ]
    link = (
        f'<externalLink xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><externalBook r:id="rId1"><sheetNames>'
        '<sheetName val="Tabelle1"/></sheetNames><sheetDataSet><sheetData sheetId="0"><row r="2">'
        '<cell r="C2" t="str"><v>erledigt</v></cell></row></sheetData></sheetDataSet></externalBook></externalLink>'
    )
    parts = workbook_parts(
        {"Maßnahmen": sheet_xml(rows)},
        workbook_extra='<externalReferences><externalReference r:id="rId99"/></externalReferences>',
        extra_relationships=(
            f'<Relationship Id="rId99" Type="{REL_TYPE}externalLink" Target="externalLinks/externalLink1.xml"/>'
        ),
        extra_types=(
            '<Override PartName="/xl/externalLinks/externalLink1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>'
        ),
    )
    parts["xl/externalLinks/externalLink1.xml"] = link
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{REL_TYPE}externalLinkPath" '
        f'Target={quoteattr(url)} TargetMode="External"/></Relationships>'
    )
    return zip_archive(parts)


VBA_SOURCE = (
    'Attribute VB_Name = "ThisWorkbook"\r\nPrivate Sub Workbook_Open()\r\n'
    '    Shell "cmd /c echo pwned > %TEMP%\\pwned.txt"\r\nEnd Sub\r\n'
    "Sub AutoOpen()\r\n    Workbook_Open\r\nEnd Sub\r\n"
)


def macro_workbook() -> bytes:
    """An .xlsm with a vbaProject.bin whose Workbook_Open would start a shell."""
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + VBA_SOURCE.encode("cp1252") * 8
    parts = workbook_parts(
        {"Maßnahmen": sheet_xml([HEADER, *MEASURES])},
        macro=True,
        extra_relationships=(
            '<Relationship Id="rId98" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
            'Target="vbaProject.bin"/>'
        ),
        extra_types='<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>',
    )
    parts["xl/vbaProject.bin"] = vba
    return zip_archive(parts)


def _shared_string_cells(rows: list[list[object]]) -> tuple[str, list[str]]:
    """Rows as cells that refer to the shared strings, returned with the strings in order."""
    strings: list[str] = []
    xml = []
    for i, row in enumerate(rows):
        cells = []
        for j, value in enumerate(row):
            strings.append(str(value))
            cells.append(f'<c r="{column_letter(j)}{i + 1}" t="s"><v>{len(strings) - 1}</v></c>')
        xml.append(f'<row r="{i + 1}">{"".join(cells)}</row>')
    return "".join(xml), strings


def huge_shared_strings() -> bytes:
    """150 MB of shared strings (1.5 million of 100 bytes) in a file of a few hundred kilobytes."""
    rows, strings = _shared_string_cells([HEADER, *MEASURES])
    own = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    filler = "<si><t>" + "Füllwort " * 8 + "Ende</t></si>"  # 100 bytes in UTF-8
    assert len(filler.encode()) == 100
    table = Repeated(f'<sst xmlns="{MAIN_NS}">{own}'.encode(), filler.encode() * 10_000, 150, b"</sst>")
    sheet = f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>'
    return zip_archive(workbook_parts({"Maßnahmen": sheet}, shared_strings=table))


def shared_string_amplifier() -> bytes:
    """One 32,767-character shared string referred to by 100,000 cells: 3.3 GB of text when expanded."""
    rows, strings = _shared_string_cells([HEADER, *MEASURES])
    strings.append("Anmerkung " + "x" * 32_757)
    own = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    big = len(strings) - 1
    extra = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{column_letter(j)}{r}" t="s"><v>{big}</v></c>' for j in range(5, 25))
        + "</row>"
        for r in range(5, 5_005)
    )
    sheet = f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}{extra}</sheetData></worksheet>'
    return zip_archive(workbook_parts({"Maßnahmen": sheet}, shared_strings=f'<sst xmlns="{MAIN_NS}">{own}</sst>'))


def deeply_nested_xml() -> bytes:
    """100,000 nested elements inside a sheet, between the header and the measures."""
    depth = 100_000
    nested = "<x>" * depth + "</x>" * depth
    sheet = (
        f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows_xml([HEADER])}{nested}'
        f"{rows_xml(MEASURES, first=1)}</sheetData></worksheet>"
    )
    return zip_archive(workbook_parts({"Maßnahmen": sheet}))


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + "]>"
)


def billion_laughs_sheet() -> bytes:
    """An entity that expands to a billion "lol"s, used in a title cell of the sheet."""
    rows = [HEADER, [MEASURES[0][0], "&lol9;", *MEASURES[0][2:]], *MEASURES[1:]]
    sheet = BILLION_LAUGHS + sheet_xml(rows).replace("&amp;lol9;", "&lol9;")
    return zip_archive(workbook_parts({"Maßnahmen": sheet}))


def billion_laughs_shared_strings() -> bytes:
    rows, strings = _shared_string_cells([HEADER, *MEASURES])
    strings[6] = "&lol9;"  # the first title
    table = (
        BILLION_LAUGHS
        + f'<sst xmlns="{MAIN_NS}">'
        + "".join(f"<si><t>{s if s.startswith('&') else escape(s)}</t></si>" for s in strings)
        + "</sst>"
    )
    sheet = f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>'
    return zip_archive(workbook_parts({"Maßnahmen": sheet}, shared_strings=table))


def formulas_everywhere(url: str = "http://127.0.0.1:9/status") -> bytes:
    """Every cell a formula: cached values where Excel saved them, none where it did not."""
    rows = [
        [('"ID"', "ID"), ('"Maßnahme"', "Maßnahme"), ('"Status"', "Status"), ('"Zieldatum"', "Zieldatum")],
        [
            ('"EG-"&TEXT(1,"00")', "EG-01"),
            (f'HYPERLINK("{url}/1","Online-Antrag Wohngeld")', "Online-Antrag Wohngeld"),
            (f'WEBSERVICE("{url}")', "in Bearbeitung"),
            ("1+1", 2023),
        ],
        [
            ('"EG-02"', "EG-02"),
            ('CONCATENATE("Hunde","anmeldung")', "Hundeanmeldung"),
            (f'FILTERXML(WEBSERVICE("{url}?q="&A3),"//s")', "erledigt"),
            ("DATE(2022,12,31)", 44926),
        ],
        [('"EG-03"', "EG-03"), ('"E-Akte"', "E-Akte"), (f'WEBSERVICE("{url}")', None), ("1+1", None)],
    ]
    return zip_archive(workbook_parts({"Maßnahmen": sheet_xml(rows)}))


def wide_sheet_without_header() -> bytes:
    """100 rows of 2,000 distinct made-up words and no header: every word looks like a misspelt header."""
    rows = [[f"wert{column_letter(1000 + r * 2000 + j).lower()}" for j in range(2000)] for r in range(100)]
    return zip_archive(workbook_parts({"Daten": sheet_xml(rows)}))


def ten_thousand_columns() -> bytes:
    """The measures in columns A-E, then 9,995 more columns with header-like names and values."""
    extra_headers = [f"Spalte Verantwortlich {i}" for i in range(9_995)]
    rows = [HEADER + extra_headers] + [row + [f"Wert {i}" for i in range(9_995)] for row in MEASURES]
    return zip_archive(workbook_parts({"Maßnahmen": sheet_xml(rows)}))


LONG_CELL = 1_000_000


def very_long_cell() -> bytes:
    """A title of a million characters and a remark as long (Excel's own limit is 32,767)."""
    title = "Langer Titel " + "ä" * (LONG_CELL - 13)
    rows = [[*HEADER, "Anmerkungen"], [*MEASURES[0][:1], title, *MEASURES[0][2:], "x" * LONG_CELL], *MEASURES[1:]]
    return zip_archive(workbook_parts({"Maßnahmen": sheet_xml(rows)}))


CONTROL = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") + "\x7f"
BIDI = "\u202e\u202d\u2066\u2067\u2068\u2069\u202a\u202b\u202c"


def _control_rows() -> list[list[str]]:
    return [
        ["ID", "Ma\u202eßnahme\x07", "\x1bStatus\x00", "Verantwortlich\x0bkeit", "Zieldatum"],
        ["EG-01", f"Wohn{CONTROL}geld", "\x1b[31min Bearbeitung\x1b[0m", "Fachbereich 1", "08/2023"],
        ["EG-02", f"\u202eHunde{BIDI}anmeldung", "erle\x00digt", "ZB 1/\x01Bereich 2.1", "2022\x00"],
        ["EG-03", "E-Akte\x7f", "\u202eoffen", "Zentralbereich 1", "Q3/2024"],
    ]


def control_characters_xlsx() -> bytes:
    """Control characters and bidi overrides in headers, titles and statuses, as Excel escapes them (_x0007_)."""

    def excel_escape(text: str) -> str:
        return "".join(f"_x{ord(ch):04X}_" if ord(ch) < 0x20 and ch not in "\t\n\r" else ch for ch in text)

    return xlsx([[excel_escape(c) for c in row] for row in _control_rows()])


def control_characters_csv() -> bytes:
    """The same texts in a CSV, raw; the header comes after 4 KB of preamble so that NUL passes the sniffing."""
    return csv_text([["Bericht " + "=" * 4200], *_control_rows()]).encode("utf-8")


def mixed_encodings_csv() -> bytes:
    """A CSV pasted together from two exports: header and one line UTF-8, the others Windows-1252."""
    utf8 = csv_text([HEADER, ["EG-01", "Prüfung Förderanträge", "in Bearbeitung", "Fachbereich 1", "08/2023"]])
    cp1252 = csv_text(
        [
            ["EG-02", "Gebührenbescheide für Straßenreinigung", "erledigt", "ZB 1", "2022"],
            ["EG-03", "Bürgerportal – 50 € Gebühr", "offen", "Zentralbereich 1", "Q3/2024"],
        ]
    )
    return utf8.encode("utf-8") + cp1252.encode("cp1252")


def csv_with_nul_byte() -> bytes:
    """A CSV export with one stray NUL byte in the first line."""
    return csv_text([HEADER, *MEASURES]).replace("Status", "Sta\x00tus", 1).encode("cp1252")


def csv_with_empty_lines() -> bytes:
    """Header, a measure, 100,000 empty lines (half of them bare, half delimiters only), two more measures."""
    head = csv_text([HEADER, MEASURES[0]])
    return (head + "\r\n" * 50_000 + ";;;;\r\n" * 50_000 + csv_text(MEASURES[1:])).encode("cp1252")


def utf16_csv() -> bytes:
    """Excel's "Unicode-Text" as UTF-16 big-endian with BOM, tab-separated."""
    return b"\xfe\xff" + csv_text([HEADER, *MEASURES], "\t").encode("utf-16-be")


def utf16_csv_without_bom() -> bytes:
    """UTF-16 without its byte order mark: every other byte is NUL."""
    return csv_text([HEADER, *MEASURES], ";").encode("utf-16-le")


def utf16_csv_truncated() -> bytes:
    """A UTF-16 CSV with its byte order mark whose last character lost a byte."""
    return b"\xff\xfe" + csv_text([HEADER, *MEASURES], ";").encode("utf-16-le") + b"x"


CONTROL_SHEET_NAME = "Maß\x07nahmen\x1b\u202e"
EMOJI_SHEET_NAME = "📊" * 31


def control_sheet_name() -> bytes:
    """The measure sheet named with a bell, an escape and a bidi override (character references)."""
    parts = workbook_parts({"X": sheet_xml([HEADER, *MEASURES])})
    parts["xl/workbook.xml"] = str(parts["xl/workbook.xml"]).replace('name="X"', 'name="Maß&#7;nahmen&#27;&#x202E;"')
    return zip_archive(parts)


def emoji_sheet_name() -> bytes:
    """The measure sheet named with 31 emoji (Excel's longest name, 62 UTF-16 units) after a sheet of notes."""
    return zip_archive(
        workbook_parts(
            {"Notizen": sheet_xml([["Notiz"], ["nichts"]]), EMOJI_SHEET_NAME: sheet_xml([HEADER, *MEASURES])}
        )
    )


def two_hundred_sheets() -> bytes:
    """199 sheets of notes, then the measure table on the 200th."""
    sheets: dict[str, Content] = {f"Tabelle{i}": sheet_xml([[f"Notiz {i}", "ohne Tabelle"]]) for i in range(1, 200)}
    sheets["Tabelle200"] = sheet_xml([HEADER, *MEASURES])
    return zip_archive(workbook_parts(sheets))


def million_row_csv() -> bytes:
    """A CSV of 999,999 measures (10 MB, within the file size): as many rows as the old row limit let through."""
    return ("Maßnahme;Status\r\n" + "Maßnahme;offen\r\n" * 999_999).encode("utf-8")


def fifty_thousand_sheets() -> bytes:
    """49,999 sheets of one note each, then the measure table on the 50,000th (2 MB)."""
    note = sheet_xml([["Notiz"]])
    sheets: dict[str, Content] = {f"T{i}": note for i in range(1, 50_000)}
    sheets["Maßnahmen"] = sheet_xml([HEADER, *MEASURES])
    return zip_archive(workbook_parts(sheets))


UNUSED_STRING_BYTES = 150 * MB


def unused_huge_shared_string() -> bytes:
    """One shared string of 150 MB that no cell refers to, after the three measures' own (155 KB packed)."""
    rows, strings = _shared_string_cells([HEADER, *MEASURES])
    own = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    table = Repeated(f'<sst xmlns="{MAIN_NS}">{own}<si><t>'.encode(), b"x" * MB, 150, b"</t></si></sst>")
    sheet = f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>'
    return zip_archive(workbook_parts({"Maßnahmen": sheet}, shared_strings=table))


# --- files at the limits: the largest work the limits admit, which must still take at most 5 s and 1 GiB ---

LIMIT_ROW = ["EG-{}", "Online-Antrag für die Verwaltung Nummer {}", "in Bearbeitung", "Fachbereich 1/ZB 2", "08/2023"]


def rows_at_limit_csv() -> bytes:
    """As many rows as allowed (MAX_ROWS), each a measure with an Anmerkung, within the file size."""
    remark = "Abstimmung mit dem Fachbereich läuft, Termin im nächsten Quartal"
    rows = [[*HEADER, "Anmerkungen"]] + [
        [*(cell.format(i) for cell in LIMIT_ROW), remark] for i in range(1, readers.MAX_ROWS)
    ]
    data = csv_text(rows).encode("utf-8")
    assert len(data) <= readers.MAX_FILE_BYTES
    return data


def cells_at_limit_csv() -> bytes:
    """As many fields as allowed (MAX_CELLS) in as many rows as allowed, within the file size."""
    width = readers.MAX_CELLS // readers.MAX_ROWS
    header = [*HEADER, *(f"Spalte {j}" for j in range(len(HEADER), width))]
    rows = [header] + [
        [*(cell.format(i)[:9] for cell in LIMIT_ROW), *(f"{i % 10**7:07d}" for _ in range(len(HEADER), width))]
        for i in range(1, readers.MAX_ROWS)
    ]
    data = csv_text(rows).encode("utf-8")
    assert len(data) <= readers.MAX_FILE_BYTES
    assert len(rows) * width <= readers.MAX_CELLS
    return data


def cells_at_limit_xlsx() -> bytes:
    """A sheet of MAX_ROWS rows as wide as MAX_CELLS allows, every cell a text, as Excel refers to cells."""
    width = readers.MAX_CELLS // readers.MAX_ROWS
    header = rows_xml([[*HEADER, *(f"Spalte {j}" for j in range(len(HEADER), width))]])
    letters = [column_letter(j) for j in range(width)]
    body = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{letters[j]}{r}" t="inlineStr"><is><t>{"offen" if j == 2 else f"Text {r} {j}"}</t></is></c>'
            for j in range(width)
        )
        + "</row>"
        for r in range(2, readers.MAX_ROWS + 1)
    )
    sheet = f'<worksheet xmlns="{MAIN_NS}"><sheetData>{header}{body}</sheetData></worksheet>'
    return zip_archive(workbook_parts({"Maßnahmen": sheet}))


def sheets_at_limit() -> bytes:
    """As many sheets as allowed (MAX_SHEETS): notes, then the measure table on the last one."""
    note = sheet_xml([["Notiz"]])
    sheets: dict[str, Content] = {f"T{i}": note for i in range(1, readers.MAX_SHEETS)}
    sheets["Maßnahmen"] = sheet_xml([HEADER, *MEASURES])
    return zip_archive(workbook_parts(sheets))


def shared_text_at_limit() -> bytes:
    """Shared texts of just under MAX_SHARED_TEXT_BYTES: the measures' own and one long string no cell uses."""
    rows, strings = _shared_string_cells([HEADER, *MEASURES])
    own = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    head = f'<sst xmlns="{MAIN_NS}">{own}<si><t>'.encode()
    times = (readers.MAX_SHARED_TEXT_BYTES - len(head) - 100) // MB
    table = Repeated(head, b"x" * MB, times, b"</t></si></sst>")
    sheet = f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>'
    return zip_archive(workbook_parts({"Maßnahmen": sheet}, shared_strings=table))


def csv_formula_text() -> bytes:
    """A CSV whose cells look like formulas (CSV injection); they must stay text."""
    rows = [
        HEADER,
        ["EG-01", "=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example","erledigt")', "@SUM(A1)", "+2023"],
    ]
    return csv_text(rows).encode("utf-8")


@dataclass(frozen=True)
class HostileFile:
    key: str
    filename: str
    build: Callable[[], bytes]

    @property
    def what(self) -> str:
        return (self.build.__doc__ or self.key).strip().splitlines()[0]


CORPUS: dict[str, HostileFile] = {
    f.key: f
    for f in (
        HostileFile("not_a_spreadsheet", "programm.xlsx", not_a_spreadsheet),
        HostileFile("pdf", "bericht.xlsx", pdf_document),
        HostileFile("word", "bericht.xlsx", word_document),
        HostileFile("corrupt", "kaputt.xlsx", corrupt_sheet_xml),
        HostileFile("truncated", "abgeschnitten.xlsx", truncated_workbook),
        HostileFile("empty", "leer.xlsx", empty_file),
        HostileFile("no_data_rows", "nur_kopf.xlsx", no_data_rows),
        HostileFile("no_columns", "kosten.xlsx", no_measure_or_status_column),
        HostileFile("password", "geschuetzt.xlsx", password_protected),
        HostileFile("over_25_mb", "riesig.csv", over_25_mb),
        HostileFile("zip_bomb", "bombe.xlsx", zip_bomb),
        HostileFile("lying_zip", "luege.xlsx", lying_zip),
        HostileFile("lying_zip_crc", "luege2.xlsx", lying_zip_matching_crc),
        HostileFile("too_many_rows", "zeilen.xlsx", too_many_rows),
        HostileFile("too_many_rows_implicit", "zeilen2.xlsx", too_many_rows_implicit),
        HostileFile("far_corner_cell", "ecke.xlsx", far_corner_cell),
        HostileFile("far_column_cell", "spalte.xlsx", far_column_cell),
        HostileFile("styled_far_cell", "format.xlsx", styled_far_cell),
        HostileFile("lying_dimension", "dimension.xlsx", lying_dimension),
        HostileFile("external_links", "verknuepft.xlsx", external_links),
        HostileFile("macros", "makros.xlsm", macro_workbook),
        HostileFile("huge_shared_strings", "texte.xlsx", huge_shared_strings),
        HostileFile("shared_string_amplifier", "verstaerker.xlsx", shared_string_amplifier),
        HostileFile("deeply_nested", "tief.xlsx", deeply_nested_xml),
        HostileFile("billion_laughs_sheet", "lol.xlsx", billion_laughs_sheet),
        HostileFile("billion_laughs_sst", "lol2.xlsx", billion_laughs_shared_strings),
        HostileFile("formulas", "formeln.xlsx", formulas_everywhere),
        HostileFile("ten_thousand_columns", "breit.xlsx", ten_thousand_columns),
        HostileFile("wide_without_header", "woerter.xlsx", wide_sheet_without_header),
        HostileFile("very_long_cell", "lang.xlsx", very_long_cell),
        HostileFile("control_xlsx", "steuer.xlsx", control_characters_xlsx),
        HostileFile("control_csv", "steuer.csv", control_characters_csv),
        HostileFile("mixed_encodings", "gemischt.csv", mixed_encodings_csv),
        HostileFile("nul_byte_csv", "nul.csv", csv_with_nul_byte),
        HostileFile("empty_lines_csv", "leerzeilen.csv", csv_with_empty_lines),
        HostileFile("utf16_csv", "unicode.txt", utf16_csv),
        HostileFile("utf16_csv_no_bom", "unicode.csv", utf16_csv_without_bom),
        HostileFile("utf16_csv_truncated", "unicode2.csv", utf16_csv_truncated),
        HostileFile("control_sheet_name", "blattname.xlsx", control_sheet_name),
        HostileFile("emoji_sheet_name", "emoji.xlsx", emoji_sheet_name),
        HostileFile("two_hundred_sheets", "200.xlsx", two_hundred_sheets),
        HostileFile("csv_formula_text", "injektion.csv", csv_formula_text),
        HostileFile("million_row_csv", "zeilen.csv", million_row_csv),
        HostileFile("fifty_thousand_sheets", "blaetter.xlsx", fifty_thousand_sheets),
        HostileFile("unused_huge_shared_string", "ungenutzt.xlsx", unused_huge_shared_string),
        HostileFile("sheets_at_limit", "blaetter_grenze.xlsx", sheets_at_limit),
        HostileFile("shared_text_at_limit", "texte_grenze.xlsx", shared_text_at_limit),
    )
}

# The largest row and cell counts the limits admit, written to cost the most per row (every text unique).
# Measured by bench/bench_hostile.py --limits, not timed in the tests: see the note in readers/base.py.
AT_LIMITS: dict[str, HostileFile] = {
    f.key: f
    for f in (
        HostileFile("rows_at_limit_csv", "zeilen_grenze.csv", rows_at_limit_csv),
        HostileFile("cells_at_limit_csv", "zellen_grenze.csv", cells_at_limit_csv),
        HostileFile("cells_at_limit_xlsx", "zellen_grenze.xlsx", cells_at_limit_xlsx),
    )
}


# --- loading in a bounded child process --------------------------------------------------------------
#
# Each load runs in a process of its own, forked from a forkserver that imported pandas, calamine
# and SQLAlchemy once (a fresh interpreter per file would spend 0.6 s importing them). The child
# limits its address space to 1 GiB before it reads the file; the parent waits 5 s for the answer
# and kills the child after that. Timing is a limit here, not a measurement: bench/bench_hostile.py
# measures.

# Audit events that mean code tried to reach the network or start a program.
FORBIDDEN_EVENTS = (
    "socket.",
    "subprocess.",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "urllib.",
    "webbrowser.",
    "ctypes.dlopen",
)
SUMMARY_TEXT = 200  # characters of each text kept in the child's answer


def _summary(report) -> dict[str, object]:
    measures = report.measures

    def texts(column: str) -> list[str]:
        return [str(v)[:SUMMARY_TEXT] for v in measures[column].astype(object).tolist()]

    return {
        "count": len(measures),
        "sheet": texts("sheet")[0] if len(measures) else None,
        "ids": texts("id"),
        "titles": texts("title"),
        "title_lengths": [len(str(v)) for v in measures["title"].tolist()],
        "remark_lengths": [len(str(v)) for v in measures["remarks"].tolist()],
        "statuses": texts("status"),
        "status_raw": texts("status_raw"),
        "responsible": texts("responsible"),
        "units": [list(u) for u in measures["units"].tolist()],
        "targets": texts("target"),
        "due": [None if pd.isna(v) else str(v)[:10] for v in measures["due"].astype(object).tolist()],
        "rows": [int(v) for v in measures["row"].tolist()],
        "texts": [
            str(v)
            for column in ("id", "title", "status_raw", "responsible", "target", "remarks", "group")
            for v in measures[column].astype(object).tolist()
        ],
        "findings": [str(f)[:SUMMARY_TEXT] for f in report.findings],
    }


def _address_space(field: str = "VmSize") -> int:
    """Kilobytes of address space of this process (what RLIMIT_AS limits)."""
    status = Path("/proc/self/status").read_text()
    found = re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)
    return int(found[1]) if found else 0


def _load_in_child(request: dict[str, object], answer_to) -> None:
    """The child: limit memory, load one file as an upload would be loaded, send what happened."""
    started_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started_vm = _address_space()
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    logged: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            logged.append(record.getMessage())

    logging.getLogger("mayen_dash").addHandler(Collect())
    data = Path(str(request["path"])).read_bytes()
    events: list[str] = []

    def audit(event: str, _args: object) -> None:
        if event.startswith(FORBIDDEN_EVENTS):
            events.append(event)

    sys.addaudithook(audit)
    answer: dict[str, object] = {}
    started = time.perf_counter()
    try:
        report = load_report(data, str(request["filename"]))
    except LoadError as error:
        answer.update(
            outcome="refused", code=str(error.code), message=str(error), columns_missing=error.columns_missing
        )
    except BaseException as error:  # the parent must hear of anything the loader let through
        answer.update(outcome="crashed", message=f"{type(error).__name__}: {error}")
    else:
        answer.update(outcome="loaded", report=_summary(report))
        if request.get("store"):
            store = SnapshotStore(str(request["store"]))
            if report.report_date is None:
                report = replace(report, report_date=ASKED_STICHTAG, report_date_source="von Hand eingetragen")
            try:
                answer["stored"] = store.add(data, str(request["filename"]), report).snapshot.id
            finally:
                store.close()
    answer["seconds"] = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    answer.update(
        maxrss_mb=peak / 1024,
        started_rss_mb=started_rss / 1024,
        started_vm_mb=started_vm / 1024,
        peak_vm_mb=_address_space("VmPeak") / 1024,
        events=events,
        logged=logged,
    )
    answer_to.send(answer)
    answer_to.close()


class ChildFailedError(AssertionError):
    """The child process died, ran out of time or answered nothing."""


_CONTEXT: list[multiprocessing.context.ForkServerContext] = []


def _forkserver() -> multiprocessing.context.ForkServerContext:
    if not _CONTEXT:
        # One BLAS thread: the forked children run single-threaded, and BLAS pools reserve address space.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["mayen_dash.loader", "mayen_dash.store", "tests.hostile_files"])
        _CONTEXT.append(context)
    return _CONTEXT[0]


def run_isolated(
    data: bytes, filename: str, workdir: Path, store: str | None = None, time_limit: float = TIME_LIMIT
) -> dict[str, object]:
    """Load `data` in a child process with 1 GiB of address space and `time_limit` seconds.

    With `store` (a database URL) an accepted file is added to that SnapshotStore, as the
    upload page does. Returns the child's answer: outcome "loaded", "refused" or "crashed".
    """
    path = workdir / f"upload-{time.monotonic_ns()}"
    path.write_bytes(data)
    context = _forkserver()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_load_in_child, args=({"path": str(path), "filename": filename, "store": store}, send), daemon=True
    )
    try:
        # multiprocessing re-runs the parent's __main__ in every child; under pytest that may be any
        # script (Streamlit's AppTest installs app.py there, 1 GB of address space). Hide it meanwhile.
        main, sys.modules["__main__"] = sys.modules["__main__"], types.ModuleType("__main__")
        try:
            child.start()
        finally:
            sys.modules["__main__"] = main
        send.close()
        if not receive.poll(time_limit):
            raise ChildFailedError(f"{filename}: no answer within {time_limit} s")
        try:
            return receive.recv()
        except EOFError:
            child.join(1)
            raise ChildFailedError(f"{filename}: the child died with exit code {child.exitcode}") from None
    finally:
        if child.pid is not None:
            if child.is_alive():
                child.kill()
            child.join(5)
        receive.close()
        path.unlink(missing_ok=True)
