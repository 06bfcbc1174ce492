"""A small .xlsx writer for German tables: text cells, dates, numbers, and nothing that can become a formula.

Why not openpyxl, which wrote these files before: at 100,000 measures
(1.2 million cells) it spends most of its time building and serialising one
XML element per cell. Its write-only mode took 13 s for 1.2 million plain text
cells on the project's machine (11 s with lxml installed), the normal mode 24 s
for the export. This writer formats each cell as one string, converts each
distinct value of a column once and streams the rows into the zip member:
about 2.5 s for the same export, most of it in zlib.

The rules of the export hold by construction: there is no code path that
writes a formula (`<f>`), every text is an inline string (t="inlineStr"), and
the text is escaped as ECMA-376 ST_Xstring (`xlsx_text`) before XML escaping,
so a leading "=", a tab or a carriage return stays exactly what it was.
Every cell carries its reference (`<c r="A1" ...>`), as Excel writes it, which
the loader's size check reads on its fast path.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import numbers
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

WIDE_WIDTH = 50
NARROW_WIDTH = 20
DATE_FORMAT = "DD.MM.YYYY"
# Excel holds at most this many characters in a cell; openpyxl cut texts to it, and so does this writer.
MAX_CELL_CHARS = 32_767

# Indexes into cellXfs of _STYLES.
_PLAIN, _HEADER, _DATE, _WRAP, _DATE_WRAP = range(5)

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_STYLES = (
    f'{_DECLARATION}<styleSheet xmlns="{_MAIN_NS}">'
    f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/></numFmts>'
    '<fonts count="2">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b val="1"/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)

_ROOT_RELS = (
    f'{_DECLARATION}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)

# Characters XML 1.0 cannot carry, plus the carriage return, which XML readers turn into a line feed.
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
# Text that already looks like the workbook escape must be escaped itself to stay literal.
_XML_ESCAPE_LOOKALIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
# Excel refuses these in a sheet name; the name also may not begin or end with an apostrophe.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\\*?:/\[\]\x00-\x1f]")

# Rows per write to the zip member: large enough to be cheap, small enough to keep memory flat.
_ROWS_PER_CHUNK = 2_000


# eq=False: two tables compare cell by cell in pandas, not to one truth value.
@dataclass(frozen=True, eq=False)
class Sheet:
    """One sheet: its name, its table, and which columns are wide (wrapped text) or hold dates.

    The header row is bold and frozen, the auto filter covers the table,
    wide columns are 50 characters, the others 20.
    """

    name: str
    frame: pd.DataFrame
    wide: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()


def xlsx_text(text: str) -> str:
    """A text as an .xlsx string cell holds it exactly (ECMA-376 ST_Xstring escaping)."""
    text = _XML_ESCAPE_LOOKALIKE.sub(r"_x005F_\1", text)
    return _XML_UNSAFE.sub(lambda m: f"_x{ord(m[0]):04X}_", text)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as an .xlsx workbook, the first one open.

    Raises ValueError for no sheets, a name Excel refuses (empty, longer than
    31 characters, one of \\ * ? : / [ ], an apostrophe at either end) or a
    name used twice, and TypeError for a cell value that is not text, a number,
    a truth value, a date or empty.
    """
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    _check_names([sheet.name for sheet in sheets])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _put(archive, "[Content_Types].xml", _content_types(len(sheets)))
        _put(archive, "_rels/.rels", _ROOT_RELS)
        _put(archive, "xl/workbook.xml", _workbook(sheets))
        _put(archive, "xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        _put(archive, "xl/styles.xml", _STYLES)
        for number, sheet in enumerate(sheets, start=1):
            member = zipfile.ZipInfo(f"xl/worksheets/sheet{number}.xml", date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(member, "w") as stream:
                for part in _worksheet(sheet, selected=number == 1):
                    stream.write(part.encode("utf-8"))
    return buffer.getvalue()


def _put(archive: zipfile.ZipFile, name: str, text: str) -> None:
    # A fixed timestamp: the same table gives the same bytes.
    member = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    archive.writestr(member, text.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)


def _check_names(names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if not name or len(name) > 31 or _SHEET_NAME_FORBIDDEN.search(name) or name[0] == "'" or name[-1] == "'":
            raise ValueError(f"Excel does not accept the sheet name {name!r}")
        if name.casefold() in seen:
            raise ValueError(f"the sheet name {name!r} is used twice")
        seen.add(name.casefold())


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, count + 1)
    )
    return (
        f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{sheets}</Types>"
    )


def _workbook(sheets: Sequence[Sheet]) -> str:
    entries = "".join(
        f'<sheet name={quoteattr(sheet.name)} sheetId="{n}" r:id="rId{n}"/>' for n, sheet in enumerate(sheets, start=1)
    )
    # Excel keeps each sheet's auto filter range in a hidden defined name as well.
    quoted = ("'" + sheet.name.replace("'", "''") + "'" for sheet in sheets)
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
        f"{escape(name)}!{_extent(sheet.frame, absolute=True)}</definedName>"
        for n, (name, sheet) in enumerate(zip(quoted, sheets, strict=True))
    )
    return (
        f'{_DECLARATION}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{entries}</sheets>'
        f"<definedNames>{names}</definedNames></workbook>"
    )


def _workbook_rels(count: int) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    )
    return (
        f'{_DECLARATION}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'{sheets}<Relationship Id="rId{count + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>'
    )


def _extent(frame: pd.DataFrame, absolute: bool = False) -> str:
    """The table's range from A1, header included (A1:A1 for a table without columns)."""
    last = get_column_letter(max(len(frame.columns), 1))
    rows = len(frame) + 1 if len(frame.columns) else 1
    return f"$A$1:${last}${rows}" if absolute else f"A1:{last}{rows}"


def _worksheet(sheet: Sheet, selected: bool) -> Iterator[str]:
    frame = sheet.frame
    extent = _extent(frame)
    letters = [get_column_letter(n) for n in range(1, len(frame.columns) + 1)]
    widths = "".join(
        f'<col min="{n}" max="{n}" width="{WIDE_WIDTH if label in sheet.wide else NARROW_WIDTH}" customWidth="1"/>'
        for n, label in enumerate(frame.columns, start=1)
    )
    tab = ' tabSelected="1"' if selected else ""
    yield (
        f'{_DECLARATION}<worksheet xmlns="{_MAIN_NS}"><dimension ref="{extent}"/>'
        f'<sheetViews><sheetView{tab} workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"{f'<cols>{widths}</cols>' if widths else ''}<sheetData>"
    )
    header = "".join(
        _cell(f"{letter}1", _tail(str(label), _HEADER)) for letter, label in zip(letters, frame.columns, strict=True)
    )
    yield f'<row r="1">{header}</row>'
    columns = [
        _column_cells(frame.iloc[:, n], letter, _style(label in sheet.wide, label in sheet.dates))
        for n, (letter, label) in enumerate(zip(letters, frame.columns, strict=True))
    ]
    rows = (f'<row r="{n}">{"".join(cells)}</row>' for n, cells in enumerate(zip(*columns, strict=True), start=2))
    while chunk := "".join(islice(rows, _ROWS_PER_CHUNK)):
        yield chunk
    yield (
        f'</sheetData><autoFilter ref="{extent}"/>'
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>'
    )


def _style(wide: bool, date: bool) -> int:
    if wide:
        return _DATE_WRAP if date else _WRAP
    return _DATE if date else _PLAIN


def _column_cells(values: pd.Series, letter: str, style: int) -> Iterator[str]:
    """Each value of a column as its cell's XML, from row 2 on ("" for an unstyled empty cell).

    A cell's XML after its reference depends on the value alone, and most
    columns repeat their values (status, area, Verantwortlichkeit, due date):
    each distinct value is converted and escaped once.
    """
    tails: dict[object, str] = {}
    for row, value in enumerate(values.tolist(), start=2):
        # By type as well: 1, 1.0 and True are equal keys but different cells.
        key = value if type(value) is str else (type(value), value)
        try:
            tail = tails[key]
        except KeyError:
            tail = tails[key] = _tail(value, style)
        except TypeError:  # unhashable, so no cell value either: _tail says so
            tail = _tail(value, style)
        yield _cell(f"{letter}{row}", tail)


def _cell(ref: str, tail: str) -> str:
    """The cell at `ref` with what `_tail` made of its value; "" where the cell is left out."""
    return f'<c r="{ref}{tail}' if tail else ""


def _tail(value: object, style: int) -> str:
    """A cell's XML after `<c r="A1`, from its value and style index; "" for an unstyled empty cell."""
    if type(value) is str:
        return _text_tail(value, style)
    if value is None or value is pd.NaT or value is pd.NA:
        return _empty_tail(style)
    if isinstance(value, bool | np.bool_):
        return _text_tail("ja" if value else "nein", style)
    if isinstance(value, str):
        return _text_tail(str(value), style)
    if isinstance(value, dt.date):
        # Every date gets the date format, also outside the declared date columns: never a bare serial number.
        return _number_tail(to_excel(value), _DATE_WRAP if style in (_WRAP, _DATE_WRAP) else _DATE)
    if isinstance(value, numbers.Integral):
        return _number_tail(int(value), style)
    if isinstance(value, numbers.Real):
        # NaN and infinities have no cell value in Excel: the cell stays empty, as a missing value does.
        return _number_tail(float(value), style) if math.isfinite(value) else _empty_tail(style)
    raise TypeError(f"cannot write {type(value).__name__} {value!r} into an Excel cell")


def _style_attribute(style: int) -> str:
    return f' s="{style}"' if style else ""


def _empty_tail(style: int) -> str:
    return f'" s="{style}"/>' if style else ""


def _text_tail(text: str, style: int) -> str:
    if not text:
        return _empty_tail(style)
    body = escape(xlsx_text(text)[:MAX_CELL_CHARS])
    space = ' xml:space="preserve"' if body != body.strip() else ""
    return f'"{_style_attribute(style)} t="inlineStr"><is><t{space}>{body}</t></is></c>'


def _number_tail(number: float, style: int) -> str:
    return f'"{_style_attribute(style)}><v>{number!r}</v></c>'
