import datetime as dt

import pytest

from mayen_dash.normalize import (
    READABLE_TARGETS,
    Period,
    parse_target,
    parse_units_cell,
    report_date_from_filename,
    split_units,
)

D = dt.date


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2023", D(2023, 12, 31)),
        ("08/2022", D(2022, 8, 31)),
        ("2022/2023", D(2023, 12, 31)),
        ("2022/2024", D(2024, 12, 31)),
        ("2022/23", D(2023, 12, 31)),
        ("2022 bis 2023", D(2023, 12, 31)),
        ("10/2020", D(2020, 10, 31)),
        ("02/2024", D(2024, 2, 29)),
        ("31.12.2023", D(2023, 12, 31)),
        ("1.3.24", D(2024, 3, 1)),
        ("2023-06-30", D(2023, 6, 30)),
        ("2023-06", D(2023, 6, 30)),
        ("Q3/2023", D(2023, 9, 30)),
        ("q1 2024", D(2024, 3, 31)),
        ("2. Quartal 2023", D(2023, 6, 30)),
        ("1. Halbjahr 2023", D(2023, 6, 30)),
        ("2. Hj. 2024", D(2024, 12, 31)),
        ("H1 2023", D(2023, 6, 30)),
        ("H2/2023", D(2023, 12, 31)),
        ("Ende 2023", D(2023, 12, 31)),
        ("Mitte 2023", D(2023, 6, 30)),
        ("Anfang 2024", D(2024, 3, 31)),
        ("bis Ende 2023", D(2023, 12, 31)),
        ("vsl. Q3/2023", D(2023, 9, 30)),
        ("Oktober 2022", D(2022, 10, 31)),
        ("Okt. 2022", D(2022, 10, 31)),
        ("März 2023", D(2023, 3, 31)),
        ("KW 12/2023", D(2023, 3, 26)),
        ("  2023 ", D(2023, 12, 31)),
    ],
)
def test_target_texts_give_due_dates(text, due):
    period = parse_target(text)
    assert period is not None
    assert period.due == due
    assert period.start <= period.due


def test_target_periods_have_sensible_starts():
    assert parse_target("2022/2023") == Period(D(2022, 1, 1), D(2023, 12, 31))
    assert parse_target("08/2022") == Period(D(2022, 8, 1), D(2022, 8, 31))
    assert parse_target("Q3/2023").start == D(2023, 7, 1)


@pytest.mark.parametrize("text", ["laufend", "Laufend", "fortlaufend", "dauerhaft"])
def test_ongoing_without_date(text):
    assert parse_target(text) == Period(ongoing=True)


@pytest.mark.parametrize("text", ["", "Offen", "offen", "k.A.", "n/a", None])
def test_no_date(text):
    assert parse_target(text) == Period()


def test_ongoing_with_year_is_due_at_year_end():
    assert parse_target("Laufend, 2022") == Period(D(2022, 1, 1), D(2022, 12, 31), ongoing=True)


def test_excel_date_and_number_cells():
    assert parse_target(dt.datetime(2023, 5, 17)) == Period(D(2023, 5, 17), D(2023, 5, 17))
    assert parse_target(D(2023, 5, 17)).due == D(2023, 5, 17)
    assert parse_target(2023.0).due == D(2023, 12, 31)
    assert parse_target(2023).due == D(2023, 12, 31)


@pytest.mark.parametrize(
    "text",
    [
        "irgendwann",
        "31.02.2023",
        "13/2023",
        "2023/2021",
        "Q5/2023",
        12.5,
        float("nan"),
        float("inf"),
        True,
        "2023 oder 2024",
    ],
)
def test_unreadable_targets_return_none(text):
    assert parse_target(text) is None


@pytest.mark.parametrize(
    ("text", "units"),
    [
        (
            "Zentralbereich 1/Bereich 2.1/Kreisverwaltung Mayen-Koblenz",
            ("Zentralbereich 1", "Bereich 2.1", "Kreisverwaltung Mayen-Koblenz"),
        ),
        ("Fachbereich 1 in Zusammenarbeit mit dem Fachbereich 3", ("Fachbereich 1", "Fachbereich 3")),
        ("Zentralbereich 1 (Personal)", ("Zentralbereich 1",)),
        ("Zentralbereich 1/ Fachbereich 1", ("Zentralbereich 1", "Fachbereich 1")),
        ("Zentralbereich 1/Bereich 2.1 /Bereich 3.2", ("Zentralbereich 1", "Bereich 2.1", "Bereich 3.2")),
        ("Bereich 3.2 und Klimaschutz", ("Bereich 3.2", "Klimaschutz")),
        ("FB 1, ZB1", ("Fachbereich 1", "Zentralbereich 1")),
        ("  Bereich   2.1  ", ("Bereich 2.1",)),
        ("Bereich 2.1/Bereich 2.1", ("Bereich 2.1",)),
        ("", ()),
    ],
)
def test_split_units(text, units):
    assert split_units(text) == units


def test_organisation_mapping_wins_over_splitting():
    mapping = {"bereich3.2undklimaschutz/umwelt": ("Bereich 3.2", "Klimaschutz/Umwelt")}
    assert split_units("Bereich 3.2 und Klimaschutz/Umwelt", mapping) == ("Bereich 3.2", "Klimaschutz/Umwelt")
    assert split_units("Bereich 3.2 und  Klimaschutz/Umwelt", mapping) == ("Bereich 3.2", "Klimaschutz/Umwelt")
    assert split_units("Klimaschutz/Umwelt") == ("Klimaschutz", "Umwelt")


def test_units_cell_of_the_organisation_sheet():
    assert parse_units_cell("Bereich 3.2; Klimaschutz/Umwelt") == ("Bereich 3.2", "Klimaschutz/Umwelt")
    assert parse_units_cell("A\nB; A") == ("A", "B")


@pytest.mark.parametrize(
    ("name", "date"),
    [
        ("status_2023-06.xlsx", D(2023, 6, 30)),
        ("status_2024-02.csv", D(2024, 2, 29)),
        ("Bericht 2023_12_15.xlsx", D(2023, 12, 15)),
        ("status.xlsx", None),
        ("status_2023-13.xlsx", None),
        ("", None),
    ],
)
def test_report_date_from_filename(name, date):
    assert report_date_from_filename(name) == date


@pytest.mark.parametrize("example", READABLE_TARGETS)
def test_the_examples_a_refusal_names_are_readable(example):
    assert parse_target(example) is not None
