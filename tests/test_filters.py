import datetime as dt

import pytest

from mayen_dash.filters import Filters, from_params, snapshot_from_params
from mayen_dash.loader import load_report
from tests.builders import BUNDLED


@pytest.fixture(scope="module")
def report():
    return load_report(BUNDLED)


def test_params_set_the_filters(report):
    filters = from_params(
        {
            "einheit": ["Bereich 2.1"],
            "feld": ["Innovatives Wissen"],
            "status": ["erledigt", "in Bearbeitung"],
            "q": ["Homepage"],
            "stichtag": ["2023-06-30"],
        },
        report,
    )
    assert filters == Filters(
        ("Bereich 2.1",), ("Innovatives Wissen",), ("erledigt", "in_bearbeitung"), "Homepage", dt.date(2023, 6, 30)
    )
    assert filters.ignored == ()


def test_a_link_to_bereich_2_1_shows_its_nine_measures(report):
    filters = from_params({"einheit": "Bereich 2.1"}, report)
    assert len(filters.apply(report)) == 9
    assert filters.reference_date(report) == dt.date(2022, 8, 31)


def test_unknown_values_are_dropped_and_named(report):
    filters = from_params(
        {"einheit": ["Bereich 9.9", "Bereich 2.1"], "status": ["fast fertig"], "stichtag": ["gestern"]}, report
    )
    assert filters.units == ("Bereich 2.1",)
    assert filters.statuses == ()
    assert filters.as_of is None
    assert filters.ignored == (("einheit", "Bereich 9.9"), ("status", "fast fertig"), ("stichtag", "gestern"))


def test_round_trip_through_params(report):
    filters = Filters(
        ("Bereich 2.1", "Fachbereich 1"), ("Innovatives Wissen",), ("offen",), "App", dt.date(2023, 1, 31)
    )
    params = filters.to_params()
    assert params == {
        "einheit": ["Bereich 2.1", "Fachbereich 1"],
        "feld": ["Innovatives Wissen"],
        "status": ["offen"],
        "q": "App",
        "stichtag": "2023-01-31",
    }
    assert from_params(params, report) == filters


def test_empty_filters_write_no_params(report):
    assert Filters().to_params() == {}
    assert Filters().is_empty()
    assert len(Filters().apply(report)) == 101


def test_german_date_in_link(report):
    assert from_params({"stichtag": "31.12.2023"}, report).as_of == dt.date(2023, 12, 31)


def test_snapshot_from_params():
    assert snapshot_from_params({"stand": "3"}, [1, 3]) == 3
    assert snapshot_from_params({"stand": ["7"]}, [1, 3]) is None
    assert snapshot_from_params({"stand": "drei"}, [1, 3]) is None
    assert snapshot_from_params({}, [1, 3]) is None


def test_describe_names_every_criterion_in_german():
    assert Filters().describe() == ""
    text = Filters(
        units=("Bereich 2.1",), areas=("Innovatives Wissen",), statuses=("offen", "in_bearbeitung"), query="x"
    ).describe()
    assert text == (
        "Organisationseinheit: Bereich 2.1 · Handlungsfeld: Innovatives Wissen · "
        "Status: offen, in Bearbeitung · Suche: „x“"
    )
