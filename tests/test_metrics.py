import datetime as dt

import pytest

from mayen_dash.loader import load_report
from mayen_dash.metrics import (
    DEFINITIONS,
    DUE_SOON_DAYS,
    cards,
    cards_sum,
    department_names,
    drilldown,
    due_soon,
    filter_measures,
    overdue,
    overdue_mask,
    progress_by_area,
    reference_date,
    shown_statuses,
    status_by_unit,
    status_counts,
    summary,
    timeline,
)
from mayen_dash.vocabulary import NOT_OVERDUE_STATUSES, STATUS_LABELS
from tests.builders import BUNDLED, csv_bytes

D = dt.date

ROWS = [
    ["ID", "Handlungsfeld", "Maßnahme", "Status", "Verantwortlichkeit", "Zieldatum", "Anmerkungen"],
    ["A", "Innovatives Wissen", "Alt und offen", "offen", "Fachbereich 1", "2021", ""],
    ["B", "Innovatives Wissen", "Alt aber erledigt", "erledigt", "Fachbereich 1", "2021", ""],
    ["C", "Innovatives Wissen", "Alt aber zurückgestellt", "pausiert", "Bereich 2.1", "2021", ""],
    [
        "D",
        "Digitale Infrastruktur und Klimaschutz",
        "Fällig Ende August",
        "in Arbeit",
        "Bereich 2.1/Fachbereich 1",
        "08/2022",
        "Glasfaser",
    ],
    ["E", "Digitale Infrastruktur und Klimaschutz", "Laufend", "laufend", "Bereich 3.2", "laufend", ""],
    ["F", "Digitale Infrastruktur und Klimaschutz", "Bald fällig", "offen", "Bereich 3.2", "10/2022", ""],
]


@pytest.fixture
def report():
    return load_report(csv_bytes(ROWS), "status_2022-08.csv")


def test_overdue_rule_at_a_reference_date(report):
    m = report.measures
    assert m[overdue_mask(m, D(2022, 8, 31))]["id"].tolist() == ["A"]
    assert m[overdue_mask(m, D(2022, 9, 1))]["id"].tolist() == ["A", "D"]
    late = overdue(m, D(2022, 9, 1))
    assert late["id"].tolist() == ["A", "D"]
    assert late["days_overdue"].tolist() == [(D(2022, 9, 1) - D(2021, 12, 31)).days, 1]


def test_due_soon_within_90_days(report):
    soon = due_soon(report.measures, D(2022, 8, 15))
    assert soon["id"].tolist() == ["D", "F"]
    assert soon["days_left"].tolist() == [16, 77]
    assert due_soon(report.measures, D(2022, 8, 1))["id"].tolist() == ["D"]  # F is 91 days away


def test_filters_combine(report):
    m = report.measures
    assert filter_measures(m, units=["Bereich 2.1"])["id"].tolist() == ["C", "D"]
    assert filter_measures(m, units=["Bereich 2.1", "Bereich 3.2"])["id"].tolist() == ["C", "D", "E", "F"]
    assert filter_measures(m, areas=["Innovatives Wissen"], statuses=["offen"])["id"].tolist() == ["A"]
    assert filter_measures(m, query="GLASFASER")["id"].tolist() == ["D"]
    assert filter_measures(m, query="  ")["id"].tolist() == list("ABCDEF")
    assert filter_measures(m, query="[(")["id"].tolist() == []


def test_counts_and_kpis(report):
    m = report.measures
    assert status_counts(m) == {
        "erledigt": 1,
        "in_bearbeitung": 1,
        "laufend": 1,
        "offen": 2,
        "zurueckgestellt": 1,
        "unbekannt": 0,
    }
    figures = cards(m, D(2022, 9, 1))
    assert [(c.key, c.label, c.value) for c in figures] == [
        ("measures", "Maßnahmen", 6),
        ("erledigt", "erledigt", 1),
        ("in_bearbeitung", "in Bearbeitung", 1),
        ("laufend", "laufend", 1),
        ("offen", "offen", 2),
        ("zurueckgestellt", "zurückgestellt", 1),
        ("overdue", "überfällig", 2),
    ]
    assert figures[1].share == 1 / 6
    assert figures[0].share is None
    assert figures[-1].share is None
    assert "01.09.2022" in figures[-1].help
    assert all(c.help for c in figures)
    assert cards_sum(figures) == (
        "1 erledigt + 1 in Bearbeitung + 1 laufend + 2 offen + 1 zurückgestellt = 6 Maßnahmen"
    )


def test_cards_add_up_to_the_total_and_keep_the_four_main_statuses_at_zero(report):
    none = cards(report.measures.iloc[0:0], D(2022, 9, 1))
    assert [c.key for c in none] == ["measures", "erledigt", "in_bearbeitung", "laufend", "offen", "overdue"]
    assert none[1].share == 0.0
    bundled = cards(load_report(BUNDLED).measures, D(2022, 8, 31))
    parts = [c for c in bundled if c.share is not None]
    assert [c.value for c in parts] == [56, 19, 3, 23]
    assert sum(c.value for c in parts) == bundled[0].value == 101


def test_progress_by_area_shares_sum_to_one(report):
    table = progress_by_area(report.measures)
    assert set(table["area"]) == {"Innovatives Wissen", "Digitale Infrastruktur und Klimaschutz"}
    assert table.groupby("area", observed=True)["share"].sum().round(9).tolist() == [1.0, 1.0]
    row = table[(table["area"] == "Innovatives Wissen") & (table["status"] == "erledigt")].iloc[0]
    assert (row["count"], round(row["share"], 4), row["status_label"]) == (1, 0.3333, "erledigt")


def test_status_by_unit_counts_shared_measures_for_each_unit(report):
    table = status_by_unit(report.measures)
    per_unit = table.groupby("unit")["count"].sum().to_dict()
    assert per_unit == {"Bereich 2.1": 2, "Bereich 3.2": 2, "Fachbereich 1": 3}


def test_drilldown_and_timeline(report):
    tree = drilldown(report.measures)
    assert tree["count"].sum() == 6
    assert set(tree["group"]) == {"ohne Zielgruppe"}
    assert timeline(report.measures)["id"].tolist() == ["A", "B", "C", "D", "F"]


def test_summary_of_the_bundled_report():
    report = load_report(BUNDLED)
    result = summary(report)
    assert result["measures"] == 101
    assert result["report_date"] == result["as_of"] == "2022-08-31"
    assert result["overdue"] == 0
    later = summary(report, as_of=D(2024, 1, 1))
    assert later["overdue"] > 0
    assert summary(report, department="bereich 2.1")["measures"] == 9
    assert department_names(report, "Bereich 2.1") == ["Bereich 2.1"]
    assert summary(report, department="Gibt es nicht")["measures"] == 0


def test_the_reference_date_is_the_chosen_date_else_the_stichtag_else_today():
    dated = load_report(csv_bytes([["Maßnahme", "Status"], ["A", "offen"]]), "status_2023-06.csv")
    undated = load_report(csv_bytes([["Maßnahme", "Status"], ["A", "offen"]]), "liste.csv")
    assert reference_date(dated, dt.date(2024, 1, 2)) == dt.date(2024, 1, 2)
    assert reference_date(dated) == dt.date(2023, 6, 30)
    assert reference_date(undated) == dt.date.today()
    assert summary(undated)["as_of"] == dt.date.today().isoformat()


def test_due_soon_looks_ahead_the_window_of_its_constant():
    measures = load_report(
        csv_bytes([["Maßnahme", "Status", "Zieldatum"], ["A", "offen", "31.03.2023"], ["B", "offen", "01.04.2023"]])
    ).measures
    start = dt.date(2023, 3, 31) - dt.timedelta(days=DUE_SOON_DAYS)
    assert due_soon(measures, start)["title"].tolist() == ["A"]


def test_summaries_show_the_card_statuses_always_and_the_others_when_they_occur():
    counts = {"erledigt": 0, "in_bearbeitung": 1, "laufend": 0, "offen": 0, "zurueckgestellt": 0, "unbekannt": 2}
    assert shown_statuses(counts) == ["erledigt", "in_bearbeitung", "laufend", "offen", "unbekannt"]


@pytest.mark.parametrize("key", ["overdue", "due_soon"])
def test_the_definitions_name_the_statuses_that_are_never_late(key):
    text = DEFINITIONS[key]
    assert all(f"„{STATUS_LABELS[code]}“" in text for code in NOT_OVERDUE_STATUSES)
    assert "{as_of}" in text
