"""The measure table for people: German column names on screen and in Excel, CSV, JSON and calendar files.

`export_measures` is the one implementation behind the Maßnahmen page's
downloads and `python -m mayen_dash export`.

Nothing exported can turn into a formula. The Excel export writes every text
as a text cell (never a formula, whatever it begins with), so a title like
"=HYPERLINK(...)" typed into the city's sheet stays inert in the file the
council opens. The CSV export, which Excel parses itself, puts an apostrophe
before every text that begins with =, +, -, @, a tab or a carriage return
(OWASP's CSV-injection rule); the text after it is whole. Excel shows that
apostrophe, and so does this project's loader: reading such a CSV back gives
"'=1+1", not "=1+1" (a CSV is for reading in Excel; the .xlsx export is the one
that travels back without a trace). The headers of both are the loader's own,
so an export reads back in as the same measures.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import urllib.parse

import pandas as pd
from icalendar import Calendar, Event, vDuration

from .diff import normalize_title
from .formatting import EMPTY, format_date, text_or_empty
from .metrics import DUE_SOON_DAYS, due_soon, overdue, overdue_mask
from .model import Finding, Report
from .vocabulary import COLUMN_BY_KEY, ORGANISATION_LABELS, STATUS_LABELS
from .xlsx import Sheet, workbook_bytes

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
    frame[DUE_LABEL] = measures["due"]
    if as_of is not None:
        frame[OVERDUE_LABEL] = overdue_mask(measures, as_of)
    frame[SOURCE_ROW_LABEL] = measures["row"]
    return frame


FINDING_COLUMNS = ("Code", "Blatt", "Zeile", "Spalte", "Hinweis")


def findings_frame(findings: list[Finding], *, code: bool = True) -> pd.DataFrame:
    """What was noticed in a file, one row per finding, located as Excel shows it.

    The Code column is the machine code (model.FindingCode) for programs and files; a screen,
    where the code's German label heads the group instead, leaves it out with `code=False`.
    """
    frame = pd.DataFrame(
        [(str(f.code), f.sheet or "", f.row, f.column or "", f.message) for f in findings],
        columns=list(FINDING_COLUMNS),
    )
    return frame if code else frame.drop(columns=FINDING_COLUMNS[0])


def frame_xlsx(
    frame: pd.DataFrame,
    sheet: str,
    wide: tuple[str, ...] = (),
    dates: tuple[str, ...] = (),
    *,
    extra: dict[str, pd.DataFrame] | None = None,
) -> bytes:
    """Any German table as an .xlsx file: text cells stay text (never formulas), dates are real dates.

    Texts are kept exactly, leading "=", tab or carriage return included:
    characters that XML cannot carry are written in the workbook's own escape
    (_x000D_), which Excel and the loader turn back into the character.
    `extra` adds further sheets, by name, written the same way with every
    column wide. The writer is `mayen_dash.xlsx`, fast enough for 100,000 rows.
    """
    sheets = [Sheet(sheet, frame, wide, dates)]
    sheets += [Sheet(name, other, wide=tuple(other.columns)) for name, other in (extra or {}).items()]
    return workbook_bytes(sheets)


def measures_xlsx(measures: pd.DataFrame, as_of: dt.date | None = None, sheet: str = "Maßnahmen") -> bytes:
    """The measures as an .xlsx file whose headers the loader reads back as the same measures.

    A second sheet "Organisation" lists the units of each Verantwortlichkeit
    text, so the units read back as they were, also where the source file
    had its own Organisation sheet (e.g. "Klimaschutz/Umwelt" as one unit).
    """
    wide = (COLUMN_BY_KEY["title"].label, COLUMN_BY_KEY["remarks"].label)
    return frame_xlsx(
        display_frame(measures, as_of),
        sheet,
        wide=wide,
        dates=(DUE_LABEL,),
        extra={ORGANISATION_SHEET: organisation_frame(measures)},
    )


ORGANISATION_SHEET = "Organisation"


def organisation_frame(measures: pd.DataFrame) -> pd.DataFrame:
    """Each distinct Verantwortlichkeit text with its units ("; "-separated), as the loader's Organisation sheet."""
    pairs = dict(zip(measures["responsible"], measures["units"], strict=True))
    rows = [(text, "; ".join(units)) for text, units in pairs.items() if str(text).strip() and units]
    return pd.DataFrame(
        rows, columns=[ORGANISATION_LABELS["responsible"], ORGANISATION_LABELS["units"]], dtype=object
    ).astype(str)


_BRIEF_KEYS = ("id", "title", "status", "responsible", "target")


def _brief(measures: pd.DataFrame) -> pd.DataFrame:
    frame = display_frame(measures)
    return frame[[COLUMN_BY_KEY[k].label for k in _BRIEF_KEYS] + [DUE_LABEL]]


def overdue_frame(measures: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Overdue measures for the table on screen, longest overdue first."""
    late = overdue(measures, as_of)
    return _brief(late).assign(**{"Tage überfällig": late["days_overdue"]})


def due_soon_frame(measures: pd.DataFrame, as_of: dt.date, days: int = DUE_SOON_DAYS) -> pd.DataFrame:
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
        details.append((str(label), text or EMPTY))
    return details


# --- one export for the page and the command line ---------------------------------------------------

FORMATS: tuple[str, ...] = ("xlsx", "csv", "json", "ics")
MEDIA_TYPES: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "ics": "text/calendar; charset=utf-8",
}
FORMAT_NAMES: dict[str, str] = {
    "xlsx": "Excel-Arbeitsmappe",
    "csv": "CSV für Excel",
    "json": "JSON für das Open-Data-Portal",
    "ics": "Kalender (iCalendar)",
}


def export_measures(
    measures: pd.DataFrame,
    fmt: str,
    as_of: dt.date | None = None,
    *,
    report: Report | None = None,
    exported_at: dt.datetime | None = None,
) -> bytes:
    """The measures (already filtered) as a file in `fmt`: "xlsx", "csv", "json" or "ics".

    Every measure given is written, in the given order; nothing is dropped.
    `as_of` adds the column "Überfällig zum Stichtag" to xlsx and csv, and "overdue" to json.
    `report` supplies the title and Stichtag for the json and ics metadata;
    `exported_at` (default: now, UTC) is the moment recorded in json and ics.
    Raises ValueError for an unknown format.
    """
    exported_at = exported_at or dt.datetime.now(dt.UTC)
    if fmt == "xlsx":
        return measures_xlsx(measures, as_of)
    if fmt == "csv":
        return measures_csv(measures, as_of)
    if fmt == "json":
        return measures_json(measures, report=report, exported_at=exported_at, as_of=as_of)
    if fmt == "ics":
        return measures_ics(measures, report=report, exported_at=exported_at)
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")


def export_file_name(fmt: str, as_of: dt.date | None = None, stem: str = "massnahmen") -> str:
    """A download name such as massnahmen_2022-08-31.csv."""
    return f"{stem}_{as_of.isoformat()}.{fmt}" if as_of else f"{stem}.{fmt}"


# --- CSV as German Excel opens it by double-click -------------------------------------------------

# OWASP: cells beginning with these are read by spreadsheet programs as formulas (or as parts of one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(text: str) -> str:
    """A text that a spreadsheet program will not evaluate: an apostrophe before a formula trigger."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _csv_value(value: object) -> str:
    if value is None or (not isinstance(value, str | bool) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, dt.date):
        return format_date(value)
    return neutralize(str(value))


def measures_csv(measures: pd.DataFrame, as_of: dt.date | None = None) -> bytes:
    """The measures as a CSV file for German Excel: ";" separated, UTF-8 with BOM, CRLF, dates as 31.08.2022.

    Same columns as the Excel export; texts that begin with a formula trigger
    are neutralised (`neutralize`). Quoted fields keep line breaks and ";".
    The units come back from the Verantwortlichkeit text when the file is
    loaded again; a source workbook's own Organisation mapping travels in
    the .xlsx export only.
    """
    frame = display_frame(measures, as_of)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([_csv_value(c) for c in frame.columns])
    for values in frame.itertuples(index=False):
        writer.writerow([_csv_value(v) for v in values])
    return buffer.getvalue().encode("utf-8-sig")


# --- JSON for the open-data portal ------------------------------------------------------------------


def _iso(value: object) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def measure_records(measures: pd.DataFrame, as_of: dt.date | None = None) -> list[dict[str, object]]:
    """The measures as plain dicts with the stable English keys of the JSON export.

    With `as_of`, each record also says whether the measure is overdue at that Stichtag.
    """
    late = overdue_mask(measures, as_of).tolist() if as_of is not None else None
    records = []
    for position, row in enumerate(measures.itertuples(index=False)):
        code = text_or_empty(row.status)
        records.append(
            {
                "id": text_or_empty(row.id),
                "area": text_or_empty(row.area),
                "group": text_or_empty(row.group),
                "title": text_or_empty(row.title),
                "status": code,
                "status_label": STATUS_LABELS.get(code, code),
                "status_raw": text_or_empty(row.status_raw),
                "responsible": text_or_empty(row.responsible),
                "units": list(row.units),
                "target": text_or_empty(row.target),
                "start": _iso(row.start),
                "due": _iso(row.due),
                "ongoing": bool(row.ongoing),
                "remarks": text_or_empty(row.remarks),
            }
        )
        if late is not None:
            records[-1]["overdue"] = bool(late[position])
    return records


# Raised when a key of the JSON documents (export and open-data API) is renamed or removed; adding keys keeps it.
SCHEMA_VERSION = "1.0"


def measures_json(
    measures: pd.DataFrame,
    *,
    report: Report | None = None,
    exported_at: dt.datetime | None = None,
    as_of: dt.date | None = None,
    about: dict[str, object] | None = None,
) -> bytes:
    """The normalised measures with their raw fields as UTF-8 JSON, for the city's open-data portal.

    Shape (keys are stable; new keys may be added, none renamed)::

        {
          "schema_version": "1.0",          # SCHEMA_VERSION
          "title": "Digitalisierungsstrategie der Stadt Mayen",   # report title ("" without report)
          "report_date": "2022-08-31",      # Stichtag of the report, or null
          "exported_at": "2024-01-31T09:15:00+00:00",  # ISO 8601 with offset
          "as_of": "2022-08-31",            # Stichtag for "overdue" (only with as_of)
          ...                               # the keys of `about` (the API: "snapshot", "filter")
          "count": 101,                     # == len(measures)
          "measures": [
            {
              "id": "EG-B-01",              # "" where the file has none
              "area": "E-Government und Onlinezugangsgesetz",   # Handlungsfeld
              "group": "Bürger",            # Zielgruppe, "" where none
              "title": "Evaluierung Homepage",
              "status": "in_bearbeitung",   # code: erledigt, in_bearbeitung, laufend, offen,
                                            #       zurueckgestellt, unbekannt
              "status_label": "in Bearbeitung",
              "status_raw": "In Bearbeitung",   # as written in the file
              "responsible": "Zentralbereich 1",  # Verantwortlichkeit as written
              "units": ["Zentralbereich 1"],      # organisational units read from it
              "target": "2023",             # Zieldatum as written
              "start": "2023-01-01",        # period read from the Zieldatum, ISO date or null
              "due": "2023-12-31",          # due date, ISO date or null
              "ongoing": false,             # "laufend": a permanent task
              "remarks": "",                # Anmerkungen
              "overdue": false              # overdue at as_of (only with as_of)
            }
          ]
        }
    """
    exported_at = exported_at or dt.datetime.now(dt.UTC)
    document: dict[str, object] = {
        "schema_version": SCHEMA_VERSION,
        "title": report.title if report is not None else "",
        "report_date": report.report_date.isoformat() if report is not None and report.report_date else None,
        "exported_at": exported_at.isoformat(timespec="seconds"),
    }
    if as_of is not None:
        document["as_of"] = as_of.isoformat()
    document.update(about or {})
    document["count"] = len(measures)
    document["measures"] = measure_records(measures, as_of)
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


# --- iCalendar of the due dates -----------------------------------------------------------------------

ICS_DOMAIN = "mayen-dashboard"
ICS_PRODID = "-//Stadt Mayen//Mayen Digital-Dashboard//DE"
# How often a subscribed calendar asks again: a new Stand arrives every few months, a fix on the same day.
ICS_REFRESH = dt.timedelta(hours=6)
# Control characters other than tab and line feed are not allowed in iCalendar text.
_ICS_UNSAFE = re.compile("[\\x00-\\x08\\x0b-\\x1f\\x7f]")


def _ics_text(text: str) -> str:
    return _ICS_UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def measure_uid(identifier: str, title: str, responsible: str) -> str:
    """A calendar UID that stays the same from export to export, so a re-import updates the event.

    From the ID where there is one (spaces and case ignored, as the comparison
    of reports does), else from a hash of the normalised title and
    Verantwortlichkeit. `measure_uids` makes repeated ones unique.
    """
    key = "".join(identifier.split()).casefold()
    if key:
        return f"massnahme-{urllib.parse.quote(key, safe='')}@{ICS_DOMAIN}"
    basis = normalize_title(title) + "\n" + " ".join(responsible.split()).casefold()
    return f"titel-{hashlib.sha256(basis.encode('utf-8')).hexdigest()[:24]}@{ICS_DOMAIN}"


def measure_uids(measures: pd.DataFrame) -> list[str]:
    """`measure_uid` of each row; the second of two equal ones gets "-2" before the "@", and so on."""
    seen: dict[str, int] = {}
    uids = []
    for identifier, title, responsible in zip(measures["id"], measures["title"], measures["responsible"], strict=True):
        uid = measure_uid(text_or_empty(identifier), text_or_empty(title), text_or_empty(responsible))
        seen[uid] = seen.get(uid, 0) + 1
        if seen[uid] > 1:
            local, _, domain = uid.rpartition("@")
            uid = f"{local}-{seen[uid]}@{domain}"
        uids.append(uid)
    return uids


def measures_ics(
    measures: pd.DataFrame,
    *,
    report: Report | None = None,
    exported_at: dt.datetime | None = None,
    subscription: str | None = None,
) -> bytes:
    """The due dates of the measures as an iCalendar file: one all-day event per measure with a due date.

    SUMMARY "Titel (Status)", DESCRIPTION with Verantwortlichkeit, the
    Zieldatum as written and Anmerkungen; UIDs from `measure_uids`; DTSTAMP
    is `exported_at`. Measures without a due date ("laufend", empty or
    unreadable Zieldatum) have no event.

    `subscription` makes it the calendar a program subscribes to (/kalender/…):
    its name gets that text (e.g. the unit) and it asks to be refreshed every
    ICS_REFRESH, which Outlook reads as X-PUBLISHED-TTL and others as REFRESH-INTERVAL.
    """
    exported_at = (exported_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    calendar = Calendar()
    calendar.add("prodid", ICS_PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = report.title if report is not None else "Maßnahmen"
    suffix = f" – {subscription}" if subscription else ""
    calendar.add("x-wr-calname", _ics_text(f"{name}: Zieldaten der Maßnahmen{suffix}"))
    if subscription:
        calendar.add("refresh-interval", ICS_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(ICS_REFRESH))
    uids = measure_uids(measures)
    for uid, row in zip(uids, measures.itertuples(index=False), strict=True):
        if pd.isna(row.due):
            continue
        due = pd.Timestamp(row.due).date()
        label = STATUS_LABELS.get(text_or_empty(row.status), text_or_empty(row.status))
        title = text_or_empty(row.title).strip() or text_or_empty(row.id).strip() or "Maßnahme"
        lines = [
            f"ID: {text_or_empty(row.id)}" if text_or_empty(row.id) else "",
            f"Status: {label}",
            f"Verantwortlichkeit: {text_or_empty(row.responsible) or '–'}",
            f"Zieldatum: {text_or_empty(row.target) or '–'} (fällig {format_date(due)})",
            f"Anmerkungen: {text_or_empty(row.remarks) or '–'}",
            f"Handlungsfeld: {text_or_empty(row.area)}",
        ]
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", exported_at)
        event.add("dtstart", due)
        event.add("dtend", due + dt.timedelta(days=1))
        event.add("summary", _ics_text(f"{title} ({label})"))
        event.add("description", _ics_text("\n".join(line for line in lines if line)))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
