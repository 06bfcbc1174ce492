"""The report model: what a loaded spreadsheet becomes.

Everything downstream (metrics, charts, pages, CLI, exports) works on a
`Report`, never on a workbook, so the many spreadsheet layouts are handled
once in the loader and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd

from .vocabulary import AREAS, REPORT_FIELDS

ERROR = "error"
WARNING = "warning"
NO_AREA = "ohne Handlungsfeld"
NO_GROUP = "ohne Zielgruppe"


class FindingCode(StrEnum):
    """What kind of thing a finding or a refusal says, for programs: tests, grouping, the CLI's JSON.

    The German message is for people and may be reworded; the code stays (as pandera's
    SchemaErrorReason tells its errors apart). One code per kind of message.
    """

    # Noticed while loading; the row is kept.
    UNKNOWN_STATUS = "unknown_status"
    MISSING_STATUS = "missing_status"
    BAD_TARGET_DATE = "bad_target_date"
    DUPLICATE_ID = "duplicate_id"
    ROW_WITHOUT_TITLE = "row_without_title"
    BAD_REPORT_DATE = "bad_report_date"
    NOT_A_NUMBER = "not_a_number"
    UNPLACED_PARAGRAPH = "unplaced_paragraph"
    UNPLACED_TABLE = "unplaced_table"
    # What an edit in meeting mode cannot save.
    UNSAVABLE_STATUS = "unsavable_status"
    TEXT_TOO_LONG = "text_too_long"
    # Refusals of a whole file (LoadError).
    EMPTY_FILE = "empty_file"
    FILE_TOO_LARGE = "file_too_large"
    UNPACKED_TOO_LARGE = "unpacked_too_large"
    OUT_OF_MEMORY = "out_of_memory"
    TOO_MANY_ROWS = "too_many_rows"
    TOO_MANY_CELLS = "too_many_cells"
    TOO_MANY_SHEETS = "too_many_sheets"
    TOO_MANY_PARTS = "too_many_parts"
    DOCUMENT_TOO_COMPLEX = "document_too_complex"
    DAMAGED_FILE = "damaged_file"
    PASSWORD_PROTECTED = "password_protected"
    UNSUPPORTED_FORMAT = "unsupported_format"
    NO_TEXT = "no_text"
    NO_DATA = "no_data"
    NO_MEASURE_TABLE = "no_measure_table"
    MISSING_COLUMNS = "missing_columns"
    NO_DATA_ROWS = "no_data_rows"
    UNREADABLE = "unreadable"
    # Refusals to write edits back into the file.
    NOT_WRITABLE = "not_writable"
    FILE_CHANGED = "file_changed"
    MERGED_CELL = "merged_cell"
    AMBIGUOUS_ENCODING = "ambiguous_encoding"
    UNENCODABLE_CHARACTER = "unencodable_character"
    WRITE_FAILED = "write_failed"


# The German heading of each code, as the Daten page groups findings under it.
FINDING_LABELS: dict[FindingCode, str] = {
    FindingCode.UNKNOWN_STATUS: "Unbekannter Status",
    FindingCode.MISSING_STATUS: "Kein Status eingetragen",
    FindingCode.BAD_TARGET_DATE: "Zieldatum nicht lesbar",
    FindingCode.DUPLICATE_ID: "ID doppelt vergeben",
    FindingCode.ROW_WITHOUT_TITLE: "Zeile ohne Maßnahme",
    FindingCode.BAD_REPORT_DATE: "Stichtag nicht lesbar",
    FindingCode.NOT_A_NUMBER: "Wert ist keine Zahl",
    FindingCode.UNPLACED_PARAGRAPH: "Absatz ohne Teil des Berichts",
    FindingCode.UNPLACED_TABLE: "Tabelle ohne Teil des Berichts",
    FindingCode.UNSAVABLE_STATUS: "Status nicht speicherbar",
    FindingCode.TEXT_TOO_LONG: "Text zu lang für eine Zelle",
    FindingCode.EMPTY_FILE: "Datei leer",
    FindingCode.FILE_TOO_LARGE: "Datei zu groß",
    FindingCode.UNPACKED_TOO_LARGE: "Entpackt zu groß",
    FindingCode.OUT_OF_MEMORY: "Zu groß zum Verarbeiten",
    FindingCode.TOO_MANY_ROWS: "Zu viele Zeilen",
    FindingCode.TOO_MANY_CELLS: "Zu viele Zellen",
    FindingCode.TOO_MANY_SHEETS: "Zu viele Blätter",
    FindingCode.TOO_MANY_PARTS: "Zu viele Teile",
    FindingCode.DOCUMENT_TOO_COMPLEX: "Dokument zu umfangreich",
    FindingCode.DAMAGED_FILE: "Datei beschädigt",
    FindingCode.PASSWORD_PROTECTED: "Mit Kennwort geschützt",
    FindingCode.UNSUPPORTED_FORMAT: "Format nicht lesbar",
    FindingCode.NO_TEXT: "Kein Text im Dokument",
    FindingCode.NO_DATA: "Keine Daten",
    FindingCode.NO_MEASURE_TABLE: "Keine Maßnahmentabelle",
    FindingCode.MISSING_COLUMNS: "Spalten nicht gefunden",
    FindingCode.NO_DATA_ROWS: "Keine Datenzeilen",
    FindingCode.UNREADABLE: "Datei nicht lesbar",
    FindingCode.NOT_WRITABLE: "Nicht bearbeitbar",
    FindingCode.FILE_CHANGED: "Datei seit dem Hochladen verändert",
    FindingCode.MERGED_CELL: "Verbundene Zellen",
    FindingCode.AMBIGUOUS_ENCODING: "Zeichenkodierung nicht eindeutig",
    FindingCode.UNENCODABLE_CHARACTER: "Zeichen nicht speicherbar",
    FindingCode.WRITE_FAILED: "Schreiben fehlgeschlagen",
}


def location_text(
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    page: int | None = None,
    table: int | None = None,
) -> str:
    """A place in a file as the user finds it: "Blatt „Liste“, Zeile 4, Spalte „Status“"."""
    parts = []
    if sheet:
        parts.append(f"Blatt „{sheet}“")
    if page:
        parts.append(f"Seite {page}")
    if table:
        parts.append(f"Tabelle {table}")
    if row:
        parts.append(f"Zeile {row}")
    if column:
        parts.append(f"Spalte „{column}“")
    return ", ".join(parts)


@dataclass(frozen=True)
class Finding:
    """Something the user should know about their file, located as Excel shows it."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    severity: str = WARNING
    # In a document (Word, PDF, text) instead of a sheet: the page and the table the row is in.
    page: int | None = None
    table: int | None = None
    code: FindingCode = field(kw_only=True)

    def as_dict(self) -> dict[str, object]:
        located = {
            "code": str(self.code),
            "message": self.message,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
        }
        return located | ({"page": self.page, "table": self.table} if self.page or self.table else {})

    def location(self) -> str:
        return location_text(self.sheet, self.row, self.column, self.page, self.table)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


def by_code(findings: list[Finding]) -> dict[FindingCode, list[Finding]]:
    """Findings grouped by their code, the codes in the order they first appear (the file's order)."""
    groups: dict[FindingCode, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.code, []).append(finding)
    return groups


class LoadError(Exception):
    """A file that cannot be used at all. The message is German and meant for the user.

    `columns_missing` marks the one refusal the user can mend in the browser:
    a readable table whose Maßnahme or Status column was not recognised.
    """

    def __init__(
        self,
        message: str,
        *,
        code: FindingCode,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        columns_missing: bool = False,
        page: int | None = None,
        table: int | None = None,
    ) -> None:
        super().__init__(message)
        self.finding = Finding(message, sheet, row, column, ERROR, page, table, code=code)
        self.columns_missing = columns_missing

    @property
    def code(self) -> FindingCode:
        return self.finding.code

    def __str__(self) -> str:
        return str(self.finding)


@contextmanager
def refusals_in_german(log: logging.Logger, doing: str, too_large: str, failure: Finding) -> Iterator[None]:
    """Whatever goes wrong inside reaches the user as a LoadError in German, never as a traceback.

    A LoadError passes unchanged; running out of memory says `too_large`; anything else is
    logged for the developers ("unexpected failure while `doing`") and says `failure`.
    """
    try:
        yield
    except LoadError:
        raise
    except MemoryError as error:
        raise LoadError(too_large, code=FindingCode.OUT_OF_MEMORY) from error
    except Exception as error:
        log.exception("unexpected failure while %s", doing)
        raise LoadError(failure.message, code=failure.code) from error


@dataclass(frozen=True)
class ColumnMapping:
    """The user's word on a file whose headers the vocabulary does not know.

    `columns` maps a column key ("title", "status", ...) to the header text in
    the file; `status_values` maps a cell value as written to a status code.
    """

    columns: dict[str, str] = field(default_factory=dict)
    status_values: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.columns or self.status_values)

    def key(self) -> str:
        """A text that differs exactly when the mappings differ, for cache keys."""
        return json.dumps([self.columns, self.status_values], sort_keys=True, ensure_ascii=False)


# The measure table's columns, in display order. `units` holds a tuple per row.
MEASURE_COLUMNS: tuple[str, ...] = (
    "id",
    "area",
    "group",
    "title",
    "status",
    "status_raw",
    "responsible",
    "units",
    "target",
    "start",
    "due",
    "ongoing",
    "remarks",
    "sheet",
    "row",
)


@dataclass
class Report:
    """One status report: the measures, the scorecard, the narrative and what was found."""

    measures: pd.DataFrame
    scorecard: pd.DataFrame
    info: dict[str, str] = field(default_factory=dict)
    report_date: dt.date | None = None
    findings: list[Finding] = field(default_factory=list)
    source_name: str = ""
    sha256: str = ""
    # Verantwortlichkeit texts (as normalize.responsibility_key) whose units the Organisation sheet decides
    # otherwise than the text reads; a merge of unit names leaves them alone (units.merge_units).
    organised: frozenset[str] = frozenset()
    # The unit spellings merged into one name in this report (units.merge_units), sorted: part of cache keys.
    unit_names: tuple[tuple[str, str], ...] = ()
    # Where the Stichtag was found, in German ("Blatt „Bericht“", "Titelzeile „Stand: …“", "Dateiname"); "" for none.
    report_date_source: str = ""
    # Dates the file suggests without naming them its Stichtag, each with where it stands (asked for when undated).
    date_suggestions: tuple[tuple[dt.date, str], ...] = ()
    # The file's format ("xlsx", "ods", "docx", "pdf", "txt", ...) and whether it is a document, not a table.
    kind: str = ""
    document: bool = False

    @property
    def title(self) -> str:
        return self.info.get("title") or "Statusbericht"

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def units(self) -> list[str]:
        """Every organisational unit that appears, sorted for a filter list."""
        return sorted({u for units in self.measures["units"] for u in units}, key=str.casefold)

    @property
    def areas(self) -> list[str]:
        return [a for a in self.measures["area"].cat.categories if (self.measures["area"] == a).any()]


def area_categories(values: list[str]) -> list[str]:
    """Mayen's fields of action first, in report order, then any others as they appear."""
    present = dict.fromkeys(values)
    return [a for a in AREAS if a in present] + [a for a in present if a not in AREAS]


def empty_info() -> dict[str, str]:
    return {key: "" for key in REPORT_FIELDS if key != "report_date"}
