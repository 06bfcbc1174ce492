import datetime as dt
import io

from openpyxl import load_workbook

from mayen_dash.exports import (
    DUE_LABEL,
    OVERDUE_LABEL,
    UNITS_LABEL,
    display_frame,
    due_soon_frame,
    measure_details,
    measures_xlsx,
    overdue_frame,
)
from mayen_dash.loader import load_report
from tests.builders import BUNDLED, csv_bytes

HOSTILE = ["=1+1", "+49 2651", "-Investitionen", "@SUM(A1)", "\tTab", '=HYPERLINK("http://x","klick")']


def test_display_frame_has_german_headers_and_labels():
    report = load_report(BUNDLED)
    frame = display_frame(report.measures, dt.date(2023, 1, 1))
    assert list(frame.columns)[:8] == [
        "ID",
        "Handlungsfeld",
        "Zielgruppe",
        "Maßnahme",
        "Status",
        "Verantwortlichkeit",
        "Zieldatum",
        "Anmerkungen",
    ]
    row = frame[frame["ID"] == "EG-B-41"].iloc[0]
    assert row["Status"] == "in Bearbeitung"
    assert row[UNITS_LABEL] == "Zentralbereich 1; Bereich 2.1; Kreisverwaltung Mayen-Koblenz"
    assert row[DUE_LABEL] == dt.date(2024, 12, 31)
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
