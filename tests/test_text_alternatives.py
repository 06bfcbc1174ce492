"""The charts' text alternatives: the name the chart's title says, one sentence with its figures, its table."""

import datetime as dt

import pandas as pd
import pytest

from mayen_dash import charts, history
from mayen_dash import text_alternatives as ta
from mayen_dash.loader import load_report
from tests.builders import BUNDLED, FLAT_HEADER, csv_bytes
from tests.test_charts import EG, IW, ROWS

AS_OF = dt.date(2022, 8, 31)
STATUS_COLUMNS = ["erledigt", "in Bearbeitung", "laufend", "offen", "zurückgestellt"]


@pytest.fixture(scope="module")
def measures() -> pd.DataFrame:
    return load_report(csv_bytes([FLAT_HEADER, *ROWS]), "status.csv").measures


@pytest.fixture(scope="module")
def none() -> pd.DataFrame:
    return load_report(csv_bytes([FLAT_HEADER, *ROWS]), "status.csv").measures.head(0)


def rows(alternative: ta.TextAlternative) -> list[list[str]]:
    return alternative.data.to_numpy().tolist()


def test_progress_by_area_says_done_of_all_then_of_each_field(measures):
    alternative = ta.progress_by_area(measures)
    assert alternative.name == "Umsetzungsstand je Handlungsfeld"
    assert alternative.summary == (
        "5 von 11 Maßnahmen erledigt (45,5 %); E-Government und Onlinezugangsgesetz: 5 von 9 erledigt (55,6 %); "
        "Innovatives Wissen: 0 von 2 erledigt (0,0 %)."
    )
    assert list(alternative.data.columns) == ["Handlungsfeld", *STATUS_COLUMNS, "Summe"]
    assert rows(alternative) == [[EG, "5", "1", "0", "3", "0", "9"], [IW, "0", "0", "1", "0", "1", "2"]]


def test_status_distribution_counts_and_shares(measures):
    alternative = ta.status_distribution(measures)
    assert alternative.summary == (
        "Von 11 Maßnahmen im Filter sind 5 erledigt (45,5 %), 1 in Bearbeitung (9,1 %), 1 laufend (9,1 %), "
        "3 offen (27,3 %) und 1 zurückgestellt (9,1 %)."
    )
    assert rows(alternative)[0] == ["erledigt", "5", "45,5 %"]
    assert list(alternative.data.columns) == ["Status", "Anzahl", "Anteil"]


def test_drilldown_names_where_the_open_work_sits(measures):
    alternative = ta.drilldown(measures)
    assert alternative.summary == (
        "11 Maßnahmen in 2 Handlungsfeldern; die meisten nicht erledigten Maßnahmen hat "
        "E-Government und Onlinezugangsgesetz, Zielgruppe Mitarbeiter (3)."
    )
    assert list(alternative.data.columns) == ["Handlungsfeld", "Zielgruppe", *STATUS_COLUMNS, "Summe"]
    assert rows(alternative) == [
        [EG, "Bürger", "3", "1", "0", "0", "0", "4"],
        [EG, "Mitarbeiter", "0", "0", "0", "3", "0", "3"],
        [EG, "Unternehmen", "2", "0", "0", "0", "0", "2"],
        [IW, "ohne Zielgruppe", "0", "0", "1", "0", "1", "2"],
    ]


def test_status_by_unit_counts_shared_measures_for_each_unit(measures):
    alternative = ta.status_by_unit(measures)
    assert alternative.summary == (
        "3 Einheiten sind beteiligt; die meisten Maßnahmen hat Zentralbereich 1 (7). "
        "Gemeinsame Maßnahmen zählen bei jeder beteiligten Einheit."
    )
    assert [row[0] for row in rows(alternative)] == ["Zentralbereich 1", "Bereich 2.1", "Bereich 3.2"]
    assert rows(alternative)[0][-1] == "7"


def test_overdue_lists_the_late_measures_with_their_days(measures):
    alternative = ta.overdue(measures, AS_OF)
    assert alternative.name == "3 Maßnahmen überfällig zum Stichtag 31.08.2022"
    assert alternative.summary == (
        "3 Maßnahmen überfällig zum Stichtag 31.08.2022; am längsten überfällig ist „E-Akte“ (608 Tage)."
    )
    assert rows(alternative) == [
        ["EG-06", "E-Akte", "offen", "31.12.2020", "608"],
        ["EG-07", "Dokumentenmanagement", "offen", "31.12.2021", "243"],
        ["EG-09", "Terminvergabe", "in Bearbeitung", "30.06.2022", "62"],
    ]


def test_overdue_without_late_measures_says_so(measures):
    alternative = ta.overdue(measures, dt.date(2020, 1, 1))
    assert alternative.summary == "Keine überfälligen Maßnahmen zum Stichtag 01.01.2020."
    assert alternative.data.empty
    assert list(alternative.data.columns) == ["ID", "Maßnahme", "Status", "Fällig", "Tage überfällig"]


def test_timeline_gives_the_span_and_says_late_in_words(measures):
    alternative = ta.timeline(measures, AS_OF)
    assert alternative.summary == (
        "7 Maßnahmen mit Beginn und Fälligkeit, vom 01.01.2020 bis 31.12.2023; "
        "zum Stichtag 31.08.2022 sind 3 davon überfällig."
    )
    assert rows(alternative)[:2] == [
        ["EG-06", "E-Akte", "offen", "01.01.2020", "31.12.2020", "ja"],
        ["IW-02", "Wissensdatenbank", "zurückgestellt", "01.01.2020", "31.12.2020", "nein"],
    ]
    early = ta.timeline(measures, dt.date(2020, 6, 1))
    assert "zum Stichtag 01.06.2020 ist keine davon überfällig." in early.summary


def test_history_and_done_share_tell_the_first_and_last_report(measures):
    older = measures.assign(status=measures["status"].where(measures["status"] != "erledigt", "offen"))
    reports = [(dt.date(2022, 1, 31), older), (AS_OF, measures)]
    counts = ta.history(history.status_over_time(reports))
    assert counts.summary == (
        "2 Berichte vom 31.01.2022 bis 31.08.2022: erledigt von 0 auf 5, in Bearbeitung von 1 auf 1, "
        "laufend von 1 auf 1, offen von 8 auf 3 und zurückgestellt von 1 auf 1."
    )
    assert rows(counts) == [
        ["31.01.2022", "0", "1", "1", "8", "1", "11"],
        ["31.08.2022", "5", "1", "1", "3", "1", "11"],
    ]
    shares = history.done_share_over_time(reports)
    line = history.projection(shares)
    done = ta.done_share(shares, line, dt.date(2025, 12, 31))
    assert done.summary == (
        "Insgesamt stieg der Anteil erledigt vom 31.01.2022 bis 31.08.2022 von 0,0 % auf 45,5 %; die Projektion "
        "(eine gerade Linie durch alle Berichte, keine Prognose) erreicht am 31.12.2025 100,0 %."
    )
    assert ["31.08.2022", "alle Handlungsfelder", "5", "11", "45,5 %"] in rows(done)
    short = ta.history(history.status_over_time(reports[:1]))
    assert short.summary == "Für einen Verlauf braucht es mindestens zwei Stände mit Stichtag."


def test_indicator_says_the_distance_from_the_target():
    below = ta.indicator("Prozesskosten", 12.5, 20, "%")
    assert below.summary == "Istwert 12,5 %, Zielwert 20 %: 7,5 % unter dem Ziel."
    assert rows(below) == [["Prozesskosten", "12,5", "20", "%"]]
    assert (
        ta.indicator("Online-Dienste", 1234.5, 1000).summary == "Istwert 1.234,5, Zielwert 1.000: 234,5 über dem Ziel."
    )
    missing = ta.indicator("Zufriedenheit", None, 80)
    assert missing.summary == "Ist- oder Zielwert ist noch nicht erfasst."
    assert rows(missing) == [["Zufriedenheit", "–", "80", "–"]]


def test_an_empty_filter_says_so_for_every_chart(none):
    for alternative in (
        ta.progress_by_area(none),
        ta.status_distribution(none),
        ta.drilldown(none),
        ta.status_by_unit(none),
        ta.overdue(none, AS_OF),
        ta.timeline(none, AS_OF),
    ):
        assert alternative.summary == "Keine Maßnahmen im aktuellen Filter."
        assert alternative.data.empty


def test_names_are_the_titles_of_the_figures():
    bundled = load_report(BUNDLED).measures
    as_of = dt.date(2023, 6, 1)
    pairs = [
        (charts.progress_by_area_chart(bundled), ta.progress_by_area(bundled)),
        (charts.status_chart(bundled), ta.status_distribution(bundled)),
        (charts.drilldown_chart(bundled), ta.drilldown(bundled)),
        (charts.drilldown_chart(bundled, "treemap"), ta.drilldown(bundled)),
        (charts.status_by_unit_chart(bundled), ta.status_by_unit(bundled)),
        (charts.overdue_chart(bundled, as_of), ta.overdue(bundled, as_of)),
        (charts.timeline_chart(bundled, as_of), ta.timeline(bundled, as_of)),
        (charts.indicator_chart("Prozesskosten", 12.5, 20, "%"), ta.indicator("Prozesskosten", 12.5, 20, "%")),
    ]
    for figure, alternative in pairs:
        assert figure.layout.title.text == alternative.name


def test_cells_never_read_none_nan_or_nat(measures):
    gaps = measures.copy()
    gaps.loc[gaps["id"] == "EG-06", "id"] = ""
    for alternative in (ta.overdue(gaps, AS_OF), ta.timeline(gaps, AS_OF)):
        text = alternative.data.to_string()
        assert "–" in text
        assert not any(word in text for word in ("None", "nan", "NaT"))
