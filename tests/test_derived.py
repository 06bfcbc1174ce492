"""A report taken apart for the store and put together again is the report the loader built."""

import datetime as dt

import pandas as pd
import pytest

from mayen_dash import derived
from mayen_dash.loader import load_report
from mayen_dash.model import Finding
from tests.builders import BUNDLED, FLAT_HEADER, csv_bytes


def assert_same_report(left, right):
    pd.testing.assert_frame_equal(left.measures, right.measures)
    pd.testing.assert_frame_equal(left.scorecard, right.scorecard)
    assert (left.info, left.report_date, left.findings, left.source_name, left.sha256) == (
        right.info,
        right.report_date,
        right.findings,
        right.source_name,
        right.sha256,
    )
    assert (left.organised, left.unit_names) == (right.organised, right.unit_names)
    assert isinstance(left.organised, frozenset)
    assert isinstance(left.unit_names, tuple)


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
    assert report.findings  # the unknown status "kaputt"
    assert report.report_date == dt.date(2023, 6, 30)
    back = derived.from_parts(derived.to_parts(report))
    assert_same_report(back, report)
    assert back.measures["units"].iloc[0] == ("Bereich 2.1", "Bereich 3.1")
    assert back.measures["units"].iloc[1] == ()
    assert isinstance(back.findings[0], Finding)


def test_loader_version_follows_the_source(tmp_path, monkeypatch):
    (tmp_path / "loader.py").write_text("A = 1\n")
    monkeypatch.setattr(derived, "PACKAGE", tmp_path)
    before = derived._loader_version()
    (tmp_path / "loader.py").write_text("A = 2\n")
    assert derived._loader_version() != before


@pytest.mark.parametrize("name", ["measures", "scorecard", "meta"])
def test_parts_are_bytes(name):
    assert isinstance(derived.to_parts(load_report(BUNDLED))[name], bytes)
