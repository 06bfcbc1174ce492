"""The report model: what a loaded spreadsheet becomes.

Everything downstream (metrics, charts, pages, CLI, exports) works on a
`Report`, never on a workbook, so the many spreadsheet layouts are handled
once in the loader and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pandas as pd

from .vocabulary import AREAS, REPORT_FIELDS

ERROR = "error"
WARNING = "warning"
NO_AREA = "ohne Handlungsfeld"
NO_GROUP = "ohne Zielgruppe"


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

    def as_dict(self) -> dict[str, object]:
        located = {"message": self.message, "sheet": self.sheet, "row": self.row, "column": self.column}
        return located | ({"page": self.page, "table": self.table} if self.page or self.table else {})

    def location(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"Blatt „{self.sheet}“")
        if self.page:
            parts.append(f"Seite {self.page}")
        if self.table:
            parts.append(f"Tabelle {self.table}")
        if self.row:
            parts.append(f"Zeile {self.row}")
        if self.column:
            parts.append(f"Spalte „{self.column}“")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class LoadError(Exception):
    """A file that cannot be used at all. The message is German and meant for the user.

    `columns_missing` marks the one refusal the user can mend in the browser:
    a readable table whose Maßnahme or Status column was not recognised.
    """

    def __init__(
        self,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        columns_missing: bool = False,
        page: int | None = None,
        table: int | None = None,
    ) -> None:
        super().__init__(message)
        self.finding = Finding(message, sheet, row, column, ERROR, page, table)
        self.columns_missing = columns_missing

    def __str__(self) -> str:
        return str(self.finding)


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
