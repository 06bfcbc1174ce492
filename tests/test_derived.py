"""A report taken apart for the store and put together again is the report the loader built."""

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from mayen_dash import derived
from mayen_dash.loader import load_report
from mayen_dash.model import Finding, FindingCode, Report
from tests.builders import BUNDLED, FLAT_HEADER, csv_bytes


def assert_same_report(left, right):
    """Every field of Report, so that a field added to the model is checked without touching this test."""
    for item in dataclasses.fields(Report):
        if item.name in ("measures", "scorecard"):
            pd.testing.assert_frame_equal(getattr(left, item.name), getattr(right, item.name))
        else:
            assert getattr(left, item.name) == getattr(right, item.name), item.name
            assert type(getattr(left, item.name)) is type(getattr(right, item.name)), item.name


def test_bundled_report_round_trips_exactly():
    report = load_report(BUNDLED)
    assert report.organised  # its Organisation sheet decides some texts ("Klimaschutz/Umwelt" is one unit)
    assert_same_report(derived.from_parts(derived.to_parts(report)), report)


def test_missing_values_units_findings_and_dates_round_trip():
    rows = [
        ["X-1", "E-Government und Onlinezugangsgesetz", "Bürger", "Antrag", "kaputt", "Bereich 2.1/Bereich 3.1",
         "2023", ""],
        ["X-2", "", "", "Ohne alles", "offen", "", "", ""],
    ]
    report = load_report(csv_bytes([FLAT_HEADER, *rows]), "status_2023-06.csv")
    assert [f.code for f in report.findings] == [FindingCode.UNKNOWN_STATUS]  # the status "kaputt"
    assert report.report_date == dt.date(2023, 6, 30)
    back = derived.from_parts(derived.to_parts(report))
    assert_same_report(back, report)
    assert back.measures["units"].iloc[0] == ("Bereich 2.1", "Bereich 3.1")
    assert back.measures["units"].iloc[1] == ()
    assert isinstance(back.findings[0], Finding)
    assert type(back.findings[0].code) is FindingCode


def test_stichtag_source_suggestions_format_and_document_places_round_trip():
    report = dataclasses.replace(
        load_report(BUNDLED),
        report_date=None,
        report_date_source="",
        date_suggestions=((dt.date(2022, 8, 31), "Titelzeile „Stand: 31.08.2022“"), (dt.date(2022, 9, 1), "Dateiname")),
        kind="pdf",
        document=True,
        findings=[
            Finding("Status unbekannt", row=4, column="Status", page=3, table=2, code=FindingCode.UNKNOWN_STATUS)
        ],
    )
    back = derived.from_parts(derived.to_parts(report))
    assert_same_report(back, report)
    assert back.date_suggestions[0] == (dt.date(2022, 8, 31), "Titelzeile „Stand: 31.08.2022“")
    assert (back.findings[0].page, back.findings[0].table) == (3, 2)


def test_loader_version_follows_the_source(tmp_path, monkeypatch):
    (tmp_path / "loader.py").write_text("A = 1\n")
    monkeypatch.setattr(derived, "PACKAGE", tmp_path)
    before = derived._loader_version()
    (tmp_path / "loader.py").write_text("A = 2\n")
    assert derived._loader_version() != before


@pytest.mark.parametrize("name", ["measures", "scorecard", "meta"])
def test_parts_are_bytes(name):
    assert isinstance(derived.to_parts(load_report(BUNDLED))[name], bytes)
