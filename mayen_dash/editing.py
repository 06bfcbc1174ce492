"""Meeting mode: edits made on screen, checked, and written back into the file they came from.

In a meeting the E-Government team changes Status, Zieldatum and Anmerkungen of
measures in the table on screen. `find_edits` turns the edited table into a
list of cell edits, `validate_edits` says in German what cannot be saved, and
`apply_edits` returns the uploaded file with only those cells changed: a
workbook keeps its sheets, formatting and merged cells, a CSV file keeps its
encoding, delimiter, quoting and line endings byte for byte outside the edits.

The cell of an edit is found the way the loader found the measure: the header
row that governs the row (the nearest header above it, as the loader reads
repeated headers in the printed layout) names the column through the
vocabulary. Before a cell is written, the row must still hold the measure's
title, so a file changed since the upload is refused instead of overwritten in
the wrong place.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import logging
import re
import zipfile
from collections import Counter
from copy import copy
from dataclasses import dataclass

import pandas as pd
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.worksheet.worksheet import Worksheet

from .formatting import format_count
from .model import ERROR, ColumnMapping, Finding, FindingCode, LoadError, refusals_in_german
from .normalize import READABLE_TARGETS_TEXT, parse_target
from .readers import Sheet, delimited, identify, read_sheets
from .tables import RepeatedHeader, blank, cell_text, first_header, report_key
from .vocabulary import (
    ASSIGNABLE_STATUSES,
    COLUMN_BY_KEY,
    STATUS_LABELS,
    UNKNOWN_STATUS,
    sheet_role,
    status_code_for_label,
)
from .xlsx import MAX_CELL_CHARS

log = logging.getLogger(__name__)

# The fields a meeting may change, with the German column names of the table on screen.
EDITABLE_KEYS: tuple[str, ...] = ("status", "target", "remarks")
EDITABLE_LABELS: dict[str, str] = {key: COLUMN_BY_KEY[key].label for key in EDITABLE_KEYS}

_CHANGED_FILE = (
    "Die Datei wurde seit dem Hochladen verändert. Bitte die aktuelle Fassung hochladen und die Änderungen "
    "erneut eintragen."
)
_WRITE_FAILED = Finding(
    "Die Änderungen konnten nicht in die Datei geschrieben werden. Bitte die Datei in Excel öffnen, als .xlsx "
    "speichern, erneut hochladen und die Änderungen noch einmal eintragen; hilft das nicht, die Datei dem "
    "Sachgebiet E-Government schicken.",
    code=FindingCode.WRITE_FAILED,
)
# The formats whose cells meeting mode writes; every other Stand is refused with what to do instead.
WRITABLE_FORMATS: tuple[str, ...] = ("xlsx", "csv")
# The other formats as the refusal names them ("Ein Stand aus …").
_NOT_WRITABLE: dict[str, str] = {
    "ods": "einer LibreOffice-Tabelle (.ods)",
    "xls": "einer Excel-Arbeitsmappe im alten Format (.xls)",
    "xlsb": "einer Excel-Arbeitsmappe im Binärformat (.xlsb)",
    "docx": "einem Word-Dokument",
    "pdf": "einem PDF-Dokument",
    "txt": "einem Text (eingefügt oder als .txt-Datei)",
}
_ALLOWED_STATUSES = ", ".join(f"„{STATUS_LABELS[code]}“" for code in ASSIGNABLE_STATUSES)


@dataclass(frozen=True)
class Edit:
    """One changed cell: the measure's place in the file, which field, and the new text."""

    sheet: str
    row: int
    key: str
    value: str
    title: str = ""

    def __post_init__(self) -> None:
        if self.key not in EDITABLE_KEYS:
            raise ValueError(f"not an editable field: {self.key!r}")


# --- Finding the edits -------------------------------------------------------------------------------------------


def _text(value: object) -> str:
    """A cell of the edited table as stripped text; a cleared cell (None, NaN, NA) is empty."""
    if value is None:
        return ""
    if not isinstance(value, str):
        try:
            if pd.isna(value):
                return ""
        except (TypeError, ValueError):
            pass
    return str(value).strip()


def find_edits(measures: pd.DataFrame, edited: pd.DataFrame) -> list[Edit]:
    """The cells of Status, Zieldatum and Anmerkungen the user changed, measure by measure.

    `edited` is what the data editor returns for `exports.display_frame(measures)`: same
    index, German columns. A status counts as changed only when its label means another
    code than the measure has, so "In Bearbeitung" shown as "in Bearbeitung" is no edit.
    Rows the editor added or dropped and all other columns are ignored.
    """
    common = measures.index.intersection(edited.index, sort=False)
    current = measures.loc[common]
    new = edited.loc[common]
    places = list(zip(current["sheet"], current["row"], current["title"], strict=True))
    found: list[list[Edit]] = [[] for _ in places]

    status_label = EDITABLE_LABELS["status"]
    if status_label in new.columns:
        old_codes = current["status"].astype(str).tolist()
        for i, (value, old) in enumerate(zip(new[status_label], old_codes, strict=True)):
            label = _text(value)
            code = status_code_for_label(label) if label else None
            if code != old:
                sheet, row, title = places[i]
                found[i].append(Edit(str(sheet), int(row), "status", STATUS_LABELS[code] if code else label, title))

    for key in ("target", "remarks"):
        label = EDITABLE_LABELS[key]
        if label not in new.columns:
            continue
        for i, (value, old) in enumerate(zip(new[label], current[key], strict=True)):
            text = _text(value)
            if text != _text(old):
                sheet, row, title = places[i]
                found[i].append(Edit(str(sheet), int(row), key, text, title))
    return [edit for edits in found for edit in edits]


# Columns of `pending_changes`.
CHANGE_COLUMNS: tuple[str, ...] = ("ID", "Maßnahme", "Feld", "bisher", "neu")


def pending_changes(measures: pd.DataFrame, edits: list[Edit]) -> pd.DataFrame:
    """The edits not yet saved, one row per changed field: ID, Maßnahme, Feld, bisher → neu.

    What the meeting sees before it decides to save; "bisher" is the value of the Stand shown,
    as the table showed it (a status by its label), "neu" the value to be written.
    """
    places = zip(measures.index, measures["sheet"], measures["row"], strict=True)
    by_place = {(str(sheet), int(row)): label for label, sheet, row in places}
    rows = []
    for edit in edits:
        measure = measures.loc[by_place[(edit.sheet, edit.row)]]
        old = _text(measure[edit.key])
        if edit.key == "status":
            old = STATUS_LABELS.get(old, old)
        rows.append((_text(measure["id"]), _text(measure["title"]), EDITABLE_LABELS[edit.key], old, edit.value))
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS), dtype=object)


def validate_edits(edits: list[Edit]) -> list[Finding]:
    """What cannot be saved: unreadable Zieldatum, unknown or missing status, overlong text."""
    findings: list[Finding] = []
    for edit in edits:
        column = EDITABLE_LABELS[edit.key]
        title = f" für „{edit.title}“" if edit.title else ""
        found: dict[FindingCode, str] = {}
        if edit.key == "status":
            code = status_code_for_label(edit.value) if edit.value.strip() else None
            if not edit.value.strip():
                found[FindingCode.MISSING_STATUS] = f"Kein Status gewählt{title}. Erlaubt sind: {_ALLOWED_STATUSES}."
            elif code is None:
                found[FindingCode.UNKNOWN_STATUS] = (
                    f"Unbekannter Status „{edit.value}“{title}. Erlaubt sind: {_ALLOWED_STATUSES}."
                )
            elif code == UNKNOWN_STATUS:
                found[FindingCode.UNSAVABLE_STATUS] = (
                    f"Der Status „{STATUS_LABELS[UNKNOWN_STATUS]}“{title} kann nicht gespeichert werden. "
                    f"Bitte einen dieser Werte wählen: {_ALLOWED_STATUSES}."
                )
        elif edit.key == "target" and parse_target(edit.value) is None:
            found[FindingCode.BAD_TARGET_DATE] = (
                f"Das Zieldatum „{edit.value}“{title} ist nicht lesbar. Lesbar sind z. B. {READABLE_TARGETS_TEXT}."
            )
        if len(edit.value) > MAX_CELL_CHARS:
            found[FindingCode.TEXT_TOO_LONG] = (
                f"Der Text{title} ist {format_count(len(edit.value))} Zeichen lang; eine Excel-Zelle fasst "
                f"höchstens {format_count(MAX_CELL_CHARS)} Zeichen."
            )
        findings.extend(
            Finding(message, edit.sheet, edit.row, column, ERROR, code=code) for code, message in found.items()
        )
    return findings


# --- Locating an edit in the file ---------------------------------------------------------------------------------


@dataclass
class _Block:
    """A header row and the rows it governs, up to the next header row."""

    header: int  # 0-based index of the header row
    keys: dict[str, int]  # column key -> 0-based column index
    end: int  # 0-based index after the block's last row
    width: int | None = None  # columns the block uses; found when a column must be appended


class _Table:
    """The measure table of one sheet, block by block, as the loader reads it."""

    def __init__(self, sheet: Sheet, mapping: ColumnMapping) -> None:
        self.sheet = sheet
        self.blocks = _blocks(sheet, mapping)
        self.starts = [block.header for block in self.blocks]

    def locate(self, edit: Edit) -> tuple[_Block, int]:
        """The block governing the edit's row and the row's 0-based index, checked against the title."""
        index = edit.row - 1
        position = bisect.bisect_left(self.starts, index) - 1
        if not self.blocks:
            raise LoadError(
                f"Auf dem Blatt „{self.sheet.name}“ wurde keine Maßnahmentabelle gefunden. {_CHANGED_FILE}",
                code=FindingCode.FILE_CHANGED,
                sheet=edit.sheet,
            )
        if position < 0 or index >= len(self.sheet.rows):
            raise LoadError(_missing_measure(edit), code=FindingCode.FILE_CHANGED, sheet=edit.sheet, row=edit.row)
        block = self.blocks[position]
        j = block.keys.get("title")
        if edit.title and j is not None:
            row = self.sheet.rows[index]
            if (cell_text(row[j]) if j < len(row) else "") != edit.title:
                raise LoadError(
                    _missing_measure(edit), code=FindingCode.FILE_CHANGED, sheet=edit.sheet, row=edit.row
                )
        return block, index

    def column(self, block: _Block, key: str) -> tuple[int, bool]:
        """The 0-based column of `key` in the block, appended after the block's last column if missing."""
        if key in block.keys:
            return block.keys[key], False
        if block.width is None:
            block.width = max(
                (max((j for j, cell in enumerate(row) if not blank(cell)), default=-1) + 1)
                for row in self.sheet.rows[block.header : block.end]
            )
        column = block.width
        block.width += 1
        block.keys[key] = column
        return column, True


def _missing_measure(edit: Edit) -> str:
    what = f"Die Maßnahme „{edit.title}“" if edit.title else "Die Maßnahme"
    return f"{what} steht nicht mehr in Zeile {edit.row}. {_CHANGED_FILE}"


def _blocks(sheet: Sheet, mapping: ColumnMapping) -> list[_Block]:
    """The sheet's header rows as `tables.find_measure_table` sees them: the first, then each repetition.

    Header rows are recognised by the loader's own rule (tables.RepeatedHeader).
    """
    found = first_header(sheet, mapping)
    if found is None:
        return []
    header, keys = found
    starts = [(header, keys)]
    rows = sheet.rows
    repeated_header = RepeatedHeader(mapping)
    for i in range(header + 1, len(rows)):
        repeated = repeated_header(rows[i], keys)
        if repeated is not None:
            keys = repeated
            starts.append((i, keys))
    ends = [i for i, _ in starts[1:]] + [len(rows)]
    return [_Block(i, dict(k), end) for (i, k), end in zip(starts, ends, strict=True)]


def _file_value(edit: Edit) -> str:
    """The text written into the file: a status as its German label, everything else as typed."""
    if edit.key == "status":
        return STATUS_LABELS[status_code_for_label(edit.value) or UNKNOWN_STATUS]
    return edit.value


# --- Writing ------------------------------------------------------------------------------------------------------


def apply_edits(
    data: bytes,
    filename: str,
    edits: list[Edit],
    report_date: dt.date | None = None,
    *,
    mapping: ColumnMapping | None = None,
) -> bytes:
    """The uploaded file with only the edited cells changed, or a German refusal (LoadError).

    `mapping` is the column mapping the file was loaded with, if the user gave one. With
    `report_date`, the Stichtag in a workbook's Bericht sheet is set too; a file without
    one gets none (a CSV file never has one).
    """
    with refusals_in_german(
        log, f"writing edits into {filename!r}", "Die Datei ist zu groß, um sie zu bearbeiten.", _WRITE_FAILED
    ):
        return _apply(data, filename, edits, report_date, mapping or ColumnMapping())


def not_writable(kind: str, document: bool) -> LoadError:
    """Why a Stand of this format cannot be edited here, and what to do instead.

    Meeting mode changes only the edited cells and keeps everything else of the file; it can do so
    only in the formats it can write back without loss (.xlsx and CSV).
    """
    what = _NOT_WRITABLE.get(kind, "dieser Datei")
    if document:
        advice = (
            "Ein Dokument hat keine Zellen, in die Änderungen geschrieben werden könnten. Bitte ohne Filter "
            "„Excel herunterladen“ wählen, die Änderungen in dieser Tabelle eintragen und sie auf der Seite "
            "„Daten“ als neuen Stand hochladen (der Stichtag wird dort erfragt); oder den Bericht künftig als "
            "Excel-Arbeitsmappe (.xlsx) pflegen."
        )
    else:
        advice = (
            "Bitte die Originaldatei (Seite „Daten“) in Excel oder LibreOffice öffnen, als "
            "„Excel-Arbeitsmappe (.xlsx)“ speichern, auf der Seite „Daten“ hochladen und dann hier bearbeiten."
        )
    return LoadError(
        f"Ein Stand aus {what} kann im Besprechungsmodus nicht bearbeitet werden; geändert werden nur "
        f"Excel-Arbeitsmappen (.xlsx) und CSV-Dateien. {advice}",
        code=FindingCode.NOT_WRITABLE,
    )


def _apply(data: bytes, filename: str, edits: list[Edit], report_date: dt.date | None, mapping: ColumnMapping) -> bytes:
    problems = validate_edits(edits)
    if problems:
        first = problems[0]
        raise LoadError(first.message, code=first.code, sheet=first.sheet, row=first.row, column=first.column)
    kind = identify(data, filename)
    if kind.key not in WRITABLE_FORMATS:
        raise not_writable(kind.key, kind.document)
    sheets = read_sheets(data, filename)
    is_workbook = kind.key == "xlsx"
    if not edits and (report_date is None or not is_workbook):
        return data
    if is_workbook:
        return _apply_xlsx(data, sheets, edits, report_date, mapping)
    return _apply_csv(data, sheets[0], edits, mapping)


def _apply_xlsx(
    data: bytes, sheets: list[Sheet], edits: list[Edit], report_date: dt.date | None, mapping: ColumnMapping
) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        keep_vba = "xl/vbaProject.bin" in archive.namelist()
    try:
        workbook = load_workbook(io.BytesIO(data), keep_vba=keep_vba, rich_text=True)
    except Exception as error:
        log.warning("openpyxl cannot open a workbook that calamine read", exc_info=True)
        raise LoadError(
            "Die Arbeitsmappe kann gelesen, aber nicht bearbeitet werden. Bitte in Excel öffnen, als "
            "„Excel-Arbeitsmappe (.xlsx)“ speichern und erneut hochladen.",
            code=FindingCode.NOT_WRITABLE,
        ) from error
    by_name = {sheet.name: sheet for sheet in sheets}
    tables: dict[str, _Table] = {}
    for edit in edits:
        if edit.sheet not in by_name or edit.sheet not in workbook.sheetnames:
            raise LoadError(
                f"Das Blatt „{edit.sheet}“ gibt es in der Datei nicht. {_CHANGED_FILE}",
                code=FindingCode.FILE_CHANGED,
                sheet=edit.sheet,
            )
        if edit.sheet not in tables:
            tables[edit.sheet] = _Table(by_name[edit.sheet], mapping)
        table = tables[edit.sheet]
        block, index = table.locate(edit)
        column, appended = table.column(block, edit.key)
        worksheet = workbook[edit.sheet]
        if appended:
            header = _writable(worksheet, block.header + 1, column + 1, edit)
            _style_like_left(worksheet, header)
            _write_text(header, EDITABLE_LABELS[edit.key])
        cell = _writable(worksheet, index + 1, column + 1, edit)
        if appended:
            _style_like_left(worksheet, cell)
        _write_text(cell, _file_value(edit))
        if edit.key == "target":
            cell.number_format = "@"
    if report_date is not None:
        _set_report_date(workbook, sheets, report_date)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _writable(worksheet: Worksheet, row: int, column: int, edit: Edit):
    """The cell to write, refusing one hidden inside merged cells (its value lives elsewhere)."""
    cell = worksheet.cell(row=row, column=column)
    if isinstance(cell, MergedCell):
        merged = next(r for r in worksheet.merged_cells.ranges if cell.coordinate in r)
        raise LoadError(
            f"Die Zelle {cell.coordinate} gehört zu den verbundenen Zellen {merged.coord}; dort kann nur die erste "
            f"Zeile geändert werden. Bitte die Änderung für „{edit.title}“ in Excel eintragen oder die "
            "Verbindung der Zellen aufheben und die Datei erneut hochladen.",
            code=FindingCode.MERGED_CELL,
            sheet=edit.sheet,
            row=row,
            column=EDITABLE_LABELS[edit.key],
        )
    return cell


def _style_like_left(worksheet: Worksheet, cell) -> None:
    """Give a cell of an appended column the look of its left neighbour (font, border, fill)."""
    if cell.column > 1:
        left = worksheet.cell(row=cell.row, column=cell.column - 1)
        if left.has_style:
            cell._style = copy(left._style)


def _write_text(cell, value: str) -> None:
    """A text cell, never a formula or an error value; an empty text empties the cell."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value:
        cell.value = None
        return
    cell.value = value
    cell.data_type = "s"


def _set_report_date(workbook, sheets: list[Sheet], report_date: dt.date) -> None:
    """Every Stichtag row of the Bericht sheets, read as `tables.read_report_info` reads them."""
    date = report_date.date() if isinstance(report_date, dt.datetime) else report_date
    for sheet in sheets:
        if sheet_role(sheet.name) != "report" or sheet.name not in workbook.sheetnames:
            continue
        worksheet = workbook[sheet.name]
        for i, row in enumerate(sheet.rows):
            filled = [j for j, cell in enumerate(row) if not blank(cell)]
            if not filled or report_key(row[filled[0]]) != "report_date":
                continue
            column = filled[1] if len(filled) > 1 else filled[0] + 1
            cell = worksheet.cell(row=i + 1, column=column + 1)
            if isinstance(cell, MergedCell):
                merged = next(r for r in worksheet.merged_cells.ranges if cell.coordinate in r)
                cell = worksheet.cell(row=merged.min_row, column=merged.min_col)
            cell.value = date
            cell.number_format = "DD.MM.YYYY"


# --- CSV ----------------------------------------------------------------------------------------------------------

# (byte order mark, codec) in the order `readers.delimited.decode` tries them.
_CSV_CODECS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"", "utf-8"),
    (b"", "cp1252"),
    (b"", "latin-1"),
)
_CODEC_NAMES = {"cp1252": "Windows-1252", "latin-1": "ISO-8859-1"}


def _csv_codec(data: bytes, text: str) -> tuple[bytes, str]:
    """The byte order mark and codec that turn the decoded text back into exactly these bytes."""
    for bom, codec in _CSV_CODECS:
        if not data.startswith(bom):
            continue
        try:
            if bom + text.encode(codec) == data:
                return bom, codec
        except UnicodeEncodeError:
            continue
    raise LoadError(
        "Die Zeichenkodierung der CSV-Datei ist nicht eindeutig; die Datei kann nicht bearbeitet werden.",
        code=FindingCode.AMBIGUOUS_ENCODING,
    )


def _csv_patterns(delimiter: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A field and a record (fields, then the line ending) as `csv.reader` reads well-formed text."""
    d = re.escape(delimiter)
    field = rf'"(?:[^"]|"")*"|(?!")[^{d}\r\n]*'
    return re.compile(field), re.compile(rf"((?:{field})(?:{d}(?:{field}))*)(\r\n|\r|\n|\Z)")


def _csv_records(text: str, record: re.Pattern[str]) -> list[tuple[str, str]] | None:
    """Each record's text and line ending, so unchanged records are written back as they were."""
    records: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = record.match(text, position)
        if match is None or match.end() == position:
            return None
        records.append((match[1], match[2]))
        position = match.end()
    return records


def _csv_fields(fields: str, field: re.Pattern[str], delimiter: str) -> list[str] | None:
    """A record's fields as written (quotes included); None if the text does not split into fields."""
    if not fields:
        return []
    raw: list[str] = []
    position = 0
    while True:
        match = field.match(fields, position)
        if match is None:
            return None
        raw.append(match[0])
        position = match.end()
        if position >= len(fields):
            return raw
        position += len(delimiter)


def _unquote(raw: str) -> str:
    return raw[1:-1].replace('""', '"') if raw.startswith('"') else raw


def _quote(value: str, delimiter: str) -> str:
    """A field as `csv.writer` with QUOTE_MINIMAL writes it."""
    if not value:
        return ""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow([value])
    return buffer.getvalue()[:-2]


def _line_ending(text: str) -> str:
    endings = Counter(re.findall(r"\r\n|\r|\n", text[:65536]))
    return endings.most_common(1)[0][0] if endings else "\r\n"


def _apply_csv(data: bytes, sheet: Sheet, edits: list[Edit], mapping: ColumnMapping) -> bytes:
    text = delimited.decode(data)
    bom, codec = _csv_codec(data, text)
    delimiter = delimited.delimiter(text)
    table = _Table(sheet, mapping)
    # The sheet's name comes from the file name, which a download may change: a CSV file has one table.
    changes: dict[int, dict[int, str]] = {}
    for edit in edits:
        block, index = table.locate(edit)
        column, appended = table.column(block, edit.key)
        if appended:
            changes.setdefault(block.header, {})[column] = EDITABLE_LABELS[edit.key]
        value = _file_value(edit)
        try:
            value.encode(codec)
        except UnicodeEncodeError as error:
            raise LoadError(
                f"Das Zeichen „{error.object[error.start : error.end]}“ für „{edit.title}“ kann in dieser CSV-Datei "
                f"(Zeichenkodierung {_CODEC_NAMES.get(codec, codec)}) nicht gespeichert werden. Bitte das Zeichen "
                "ersetzen oder die Datei als „CSV UTF-8“ speichern und erneut hochladen.",
                code=FindingCode.UNENCODABLE_CHARACTER,
                sheet=edit.sheet,
                row=edit.row,
                column=EDITABLE_LABELS[edit.key],
            ) from error
        changes.setdefault(index, {})[column] = value

    widths = {len(row) for row in sheet.rows if row}
    field, record = _csv_patterns(delimiter)
    records = _csv_records(text, record)
    if records is not None and len(records) == len(sheet.rows):
        written = _patch_records(records, sheet.rows, changes, field, delimiter, rectangular=len(widths) == 1)
        if written is not None:
            return bom + written.encode(codec)
    # Quoting the pattern does not know (csv.reader is lenient): write every record anew.
    log.info("CSV records not matched exactly; rewriting all records with csv.writer")
    rows = [list(row) for row in sheet.rows]
    for index, cells in changes.items():
        _set_fields(rows[index], cells)
    _pad(rows, len(widths) == 1)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator=_line_ending(text)).writerows(rows)
    return bom + buffer.getvalue().encode(codec)


def _set_fields(fields: list[str], cells: dict[int, str]) -> None:
    fields.extend([""] * (max(cells) + 1 - len(fields)))
    for j, value in cells.items():
        fields[j] = value


def _pad(rows: list[list[str]], rectangular: bool) -> None:
    """Keep a file whose records all had the same number of fields that way after a column was appended."""
    width = max((len(row) for row in rows), default=0)
    if rectangular:
        for row in rows:
            if row:
                row.extend([""] * (width - len(row)))


def _patch_records(
    records: list[tuple[str, str]],
    rows: list[list],
    changes: dict[int, dict[int, str]],
    field: re.Pattern[str],
    delimiter: str,
    *,
    rectangular: bool,
) -> str | None:
    """The file's text with only the changed fields rewritten; None if a record reads otherwise than csv.reader."""
    patched = list(records)
    counts = [len(row) for row in rows]
    for index, cells in changes.items():
        fields, ending = records[index]
        raw = _csv_fields(fields, field, delimiter)
        if raw is None or [_unquote(f) for f in raw] != rows[index]:
            return None
        raw.extend([""] * (max(cells) + 1 - len(raw)))
        for j, value in cells.items():
            raw[j] = _quote(value, delimiter)
        patched[index] = (delimiter.join(raw), ending)
        counts[index] = len(raw)
    width = max(counts, default=0)
    if rectangular:
        for index, count in enumerate(counts):
            if 0 < count < width:
                fields, ending = patched[index]
                patched[index] = (fields + delimiter * (width - count), ending)
    return "".join(fields + ending for fields, ending in patched)
