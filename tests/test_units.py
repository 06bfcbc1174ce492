"""One name per organisational unit: which spellings are offered for merging, and how a merge applies."""

import pandas as pd
import pytest

from mayen_dash.loader import load_report
from mayen_dash.metrics import filter_measures
from mayen_dash.units import ABBREVIATION, PREFIX, SAME_SPELLING, merge_units, names_frame, suggestions, unit_key
from tests.builders import BUNDLED, csv_bytes, xlsx_bytes


def measures_of(*responsible: str) -> pd.DataFrame:
    rows = [["Maßnahme", "Status", "Verantwortlichkeit"]] + [[f"M{i}", "offen", r] for i, r in enumerate(responsible)]
    return load_report(csv_bytes(rows), "status.csv").measures


def offered(measures: pd.DataFrame) -> list[tuple[tuple[str, ...], str]]:
    return [(s.names, s.reason) for s in suggestions(measures)]


def test_the_bundled_report_offers_its_incomplete_unit_names():
    found = suggestions(load_report(BUNDLED).measures)
    assert [(s.names, s.counts, s.reason) for s in found] == [
        (("Zentralbereich", "Zentralbereich 1"), (4, 73), PREFIX),
        (("Fachbereich", "Fachbereich 1", "Fachbereich 3"), (1, 19, 1), PREFIX),
        (("Klimaschutz", "Klimaschutz/Umwelt"), (2, 1), PREFIX),
    ]
    assert found[0].message == (
        "„Zentralbereich“ (4 Maßnahmen) und „Zentralbereich 1“ (73 Maßnahmen) beginnen gleich; der kürzere Name "
        "ist wohl unvollständig. Meinen sie dieselbe Organisationseinheit?"
    )
    assert [s.into for s in found] == ["Zentralbereich 1", "Fachbereich 1", "Klimaschutz/Umwelt"]


def test_case_spacing_umlauts_and_abbreviations_are_the_same_unit():
    measures = measures_of(
        "Bürgerbüro", "Buergerbuero", "Bürgerbüro", "bereich 2.1", "Bereich 2.1", "Bereich 2.1", "ZB", "Zentralbereich"
    )
    assert offered(measures) == [
        (("Bereich 2.1", "bereich 2.1"), SAME_SPELLING),
        (("Bürgerbüro", "Buergerbuero"), SAME_SPELLING),
        (("Zentralbereich", "ZB"), ABBREVIATION),
    ]
    assert suggestions(measures)[2].into == "Zentralbereich"
    assert unit_key("ZB 1") == unit_key("Zentralbereich 1") == unit_key("zentral bereich 1")


def test_units_that_only_look_alike_are_left_alone():
    # "Bereich 2" is the Bereich above "Bereich 2.1"; "Bereich" in "Bereichsleitung" is part of a word.
    assert offered(measures_of("Bereich 2", "Bereich 2.1", "Bereichsleitung", "Jugendamt")) == []


def test_a_merge_renames_every_spelling_and_counts_a_shared_measure_once():
    report = load_report(BUNDLED)
    merged = merge_units(report, {"Zentralbereich": "Zentralbereich 1", "Fachbereich": "Fachbereich 1"})
    assert "Zentralbereich" not in merged.units
    assert "Fachbereich" not in merged.units
    assert len(filter_measures(merged.measures, units=["Zentralbereich 1"])) == 73 + 4
    assert merged.unit_names == (("Fachbereich", "Fachbereich 1"), ("Zentralbereich", "Zentralbereich 1"))
    assert report.measures["units"].map(lambda u: "Zentralbereich" in u).sum() == 4  # the original is untouched
    assert merged.measures["title"] is not None
    assert merge_units(report, {}) is report
    # "Zentralbereich 1/Zentralbereich" would name the unit twice: once is enough.
    both = load_report(csv_bytes([["Maßnahme", "Status", "Verantwortlichkeit"], ["A", "offen", "ZB 1/Zentralbereich"]]))
    assert merge_units(both, {"Zentralbereich": "Zentralbereich 1"}).measures["units"].tolist() == [
        ("Zentralbereich 1",)
    ]


def test_the_organisation_sheet_wins_for_its_own_texts():
    sheets = {
        "Maßnahmen": [
            ["Maßnahme", "Status", "Verantwortlichkeit"],
            ["Lampen", "offen", "Klimaschutz/Umwelt"],
            ["Monitoring", "offen", "Klimaschutz/Bereich 3.3"],
        ],
        "Organisation": [
            ["Verantwortlichkeit", "Organisationseinheiten"],
            ["Klimaschutz/Umwelt", "Klimaschutz/Umwelt"],  # a decision: one unit, though the text reads two
            ["Klimaschutz/Bereich 3.3", "Klimaschutz; Bereich 3.3"],  # only what the text says anyway
        ],
    }
    report = load_report(xlsx_bytes(sheets), "status.xlsx")
    assert report.organised == {"klimaschutz/umwelt"}
    merged = merge_units(report, {"Klimaschutz/Umwelt": "Klimaschutz", "Bereich 3.3": "Bereich 3.3 Umwelt"})
    assert merged.measures["units"].tolist() == [("Klimaschutz/Umwelt",), ("Klimaschutz", "Bereich 3.3 Umwelt")]


def test_names_frame():
    frame = names_frame({"ZB": "Zentralbereich 1", "Fachbereich": "Fachbereich 1"})
    assert frame.to_numpy().tolist() == [["Fachbereich", "Fachbereich 1"], ["ZB", "Zentralbereich 1"]]


@pytest.mark.parametrize("names", [("",), ("Jugendamt",)])
def test_no_suggestion_for_one_unit_or_none(names):
    assert suggestions(measures_of(*names)) == []
