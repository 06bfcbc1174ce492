"""The measure table for people: German column names on screen and in Excel files.

The Excel export writes every text as a text cell, never as a formula, so a
title like "=HYPERLINK(...)" typed into the city's sheet stays inert in the
file the council opens. Its headers are the loader's own, so an export reads
back in as the same measures.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .formatting import format_date
from .metrics import due_soon, overdue, overdue_mask
from .vocabulary import COLUMN_BY_KEY, STATUS_LABELS

# Derived columns, named so that the loader never mistakes them for source columns.
UNITS_LABEL = "Einheiten (berechnet)"
DUE_LABEL = "Fällig (berechnet)"
OVERDUE_LABEL = "Überfällig zum Stichtag"
SOURCE_ROW_LABEL = "Zeile in der Datei"

_SOURCE_KEYS = ("id", "area", "group", "title", "status", "responsible", "target", "remarks")


# The order in which the table on screen shows the columns: what a meeting asks for first.
SCREEN_ORDER = (
    "ID",
    "Maßnahme",
    "Status",
    "Verantwortlichkeit",
    "Zieldatum",
    DUE_LABEL,
    OVERDUE_LABEL,
    "Anmerkungen",
    "Handlungsfeld",
    "Zielgruppe",
    UNITS_LABEL,
    SOURCE_ROW_LABEL,
)


def display_frame(measures: pd.DataFrame, as_of: dt.date | None = None) -> pd.DataFrame:
    """Every field of the measures, with German headers, status labels and units as text."""
    frame = pd.DataFrame(
        {COLUMN_BY_KEY[key].label: measures[key].astype(str) for key in _SOURCE_KEYS}, index=measures.index
    )
    frame[COLUMN_BY_KEY["status"].label] = measures["status"].map(STATUS_LABELS).astype(str)
    frame[UNITS_LABEL] = measures["units"].map("; ".join)
    frame[DUE_LABEL] = measures["due"].dt.date
    if as_of is not None:
        frame[OVERDUE_LABEL] = overdue_mask(measures, as_of)
    frame[SOURCE_ROW_LABEL] = measures["row"]
    return frame


def frame_xlsx(frame: pd.DataFrame, sheet: str, wide: tuple[str, ...] = (), dates: tuple[str, ...] = ()) -> bytes:
    """Any German table as an .xlsx file: text cells stay text (never formulas), dates are real dates."""
    workbook = Workbook()
    table = workbook.active
    table.title = sheet
    table.append([str(c) for c in frame.columns])
    for cell in table[1]:
        cell.font = Font(bold=True)
    for values in frame.itertuples(index=False):
        table.append([_cell_value(v) for v in values])
        for cell in table[table.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for column, label in zip(table.iter_cols(min_row=1, max_row=table.max_row), frame.columns, strict=True):
        letter = column[0].column_letter
        table.column_dimensions[letter].width = 50 if label in wide else 20
        for cell in column[1:]:
            if label in dates:
                cell.number_format = "DD.MM.YYYY"
            if label in wide:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    table.freeze_panes = "A2"
    table.auto_filter.ref = table.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def measures_xlsx(measures: pd.DataFrame, as_of: dt.date | None = None, sheet: str = "Maßnahmen") -> bytes:
    """The measures as an .xlsx file whose headers the loader reads back as the same measures."""
    wide = (COLUMN_BY_KEY["title"].label, COLUMN_BY_KEY["remarks"].label)
    return frame_xlsx(display_frame(measures, as_of), sheet, wide=wide, dates=(DUE_LABEL,))


def _cell_value(value: object) -> object:
    if value is None or (not isinstance(value, str | bool) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return "ja" if value else "nein"
    return value


_BRIEF_KEYS = ("id", "title", "status", "responsible", "target")


def _brief(measures: pd.DataFrame) -> pd.DataFrame:
    frame = display_frame(measures)
    return frame[[COLUMN_BY_KEY[k].label for k in _BRIEF_KEYS] + [DUE_LABEL]]


def overdue_frame(measures: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Overdue measures for the table on screen, longest overdue first."""
    late = overdue(measures, as_of)
    return _brief(late).assign(**{"Tage überfällig": late["days_overdue"]})


def due_soon_frame(measures: pd.DataFrame, as_of: dt.date, days: int = 90) -> pd.DataFrame:
    """Measures falling due within `days` of the reference date, soonest first."""
    soon = due_soon(measures, as_of, days)
    return _brief(soon).assign(**{"Tage bis fällig": soon["days_left"]})


def measure_details(measure: pd.Series, as_of: dt.date) -> list[tuple[str, str]]:
    """One row of `display_frame` as label/text pairs for the detail card, empty fields as "–"."""
    details = []
    for label, value in measure.items():
        if label == DUE_LABEL:
            text = format_date(value) or "keine Fälligkeit"
        elif label == OVERDUE_LABEL:
            text = f"ja (Stichtag {format_date(as_of)})" if value else "nein"
        else:
            text = str(value)
        details.append((str(label), text or "–"))
    return details
