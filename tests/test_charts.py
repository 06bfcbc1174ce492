"""The charts: what they show, in which order and colour, and that they stay small for big tables."""

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from mayen_dash import charts, metrics
from mayen_dash.loader import load_report
from mayen_dash.vocabulary import AREAS, OVERDUE_COLOR, STATUS_BY_CODE, STATUS_COLORS, STATUSES
from tests.builders import BUNDLED, FLAT_HEADER, csv_bytes, xlsx_bytes

EG = "E-Government und Onlinezugangsgesetz"
IW = "Innovatives Wissen"
AS_OF = dt.date(2022, 8, 31)

# Eleven measures: E-Government has target groups, Innovatives Wissen has none.
# Overdue on 31.08.2022: EG-06 (due 31.12.2020), EG-07 (31.12.2021), EG-09 (30.06.2022);
# EG-01 is done and IW-02 deferred, so neither is late whatever its date says.
ROWS = [
    ["EG-01", EG, "Bürger", "Online-Anmeldung", "erledigt", "Zentralbereich 1", "2021", ""],
    ["EG-02", EG, "Bürger", "Wohngeld online", "erledigt", "Zentralbereich 1", "", ""],
    ["EG-03", EG, "Bürger", "Führerscheinantrag", "erledigt", "Zentralbereich 1/Bereich 2.1", "", ""],
    ["EG-04", EG, "Unternehmen", "Gewerbeanmeldung", "erledigt", "Bereich 2.1", "08/2022", ""],
    ["EG-05", EG, "Unternehmen", "Gewerbeabmeldung", "erledigt", "Bereich 2.1", "", ""],
    ["EG-06", EG, "Mitarbeiter", "E-Akte", "offen", "Zentralbereich 1", "2020", ""],
    ["EG-07", EG, "Mitarbeiter", "Dokumentenmanagement", "offen", "Zentralbereich 1", "2021", ""],
    ["EG-08", EG, "Mitarbeiter", "Videokonferenzen", "offen", "Zentralbereich 1", "2023", ""],
    ["EG-09", EG, "Bürger", "Terminvergabe", "in Bearbeitung", "Bereich 2.1", "06/2022", ""],
    ["IW-01", IW, "", "Schulungen", "laufend", "Zentralbereich 1", "laufend", ""],
    ["IW-02", IW, "", "Wissensdatenbank", "zurückgestellt", "Bereich 3.2", "2020", ""],
]
PRESENT = ["erledigt", "in Bearbeitung", "laufend", "offen", "zurückgestellt"]
CODES = {status.label: status.code for status in STATUSES}


@pytest.fixture(scope="module")
def measures() -> pd.DataFrame:
    return load_report(csv_bytes([FLAT_HEADER, *ROWS]), "status.csv").measures


@pytest.fixture(scope="module")
def bundled():
    return load_report(BUNDLED)


@pytest.fixture(scope="module")
def huge(bundled) -> pd.DataFrame:
    copies = 100_000 // len(bundled.measures) + 1
    table = pd.concat([bundled.measures] * copies, ignore_index=True).head(100_000)
    assert len(table) == 100_000
    return table


def bars(fig: go.Figure) -> list[go.Bar]:
    return [t for t in fig.data if t.type == "bar"]


def status_bars(fig: go.Figure) -> list[go.Bar]:
    return [t for t in bars(fig) if t.name in STATUS_COLORS]


def annotation_texts(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def rows_by_position(fig: go.Figure) -> list[str]:
    """Measure IDs of a position-axis chart, top row first."""
    points = [(y, c[0]) for t in status_bars(fig) for y, c in zip(t.y, t.customdata, strict=True)]
    return [measure_id for _, measure_id in sorted(points)]


# --- progress by area -------------------------------------------------------------------------


def test_progress_has_one_trace_per_present_status_in_status_order(measures):
    fig = charts.progress_by_area_chart(measures)
    assert [t.name for t in fig.data] == PRESENT
    assert all(t.orientation == "h" for t in fig.data)
    assert fig.layout.barmode == "stack"


def test_progress_bars_are_the_areas_in_report_order_and_add_up_to_100(measures):
    fig = charts.progress_by_area_chart(measures)
    for trace in fig.data:
        assert list(trace.y) == ["E-Government und<br>Onlinezugangsgesetz", IW]  # wrapped for the axis
        assert [list(c) for c in trace.customdata] == [[EG, CODES[trace.name]], [IW, CODES[trace.name]]]
    for position in range(2):
        assert sum(t.x[position] for t in fig.data) == pytest.approx(100)
    assert list(fig.layout.yaxis.categoryarray) == list(fig.data[0].y)
    assert fig.layout.yaxis.autorange == "reversed"  # first field on top


def test_progress_shares_counts_and_german_hover(measures):
    fig = charts.progress_by_area_chart(measures)
    done = fig.data[0]
    assert done.x[0] == pytest.approx(500 / 9)
    assert list(done.text) == ["5", ""]  # no "0" written into an empty segment
    assert "erledigt: 5 von 9 Maßnahmen (55,6 %)" in done.hovertext[0]
    deferred = fig.data[-1]
    assert "zurückgestellt: 1 von 2 Maßnahmen (50,0 %)" in deferred.hovertext[1]
    assert done.textposition == "inside"
    assert done.insidetextanchor == "middle"


def test_progress_wraps_long_area_names_at_a_word_boundary(bundled):
    fig = charts.progress_by_area_chart(bundled.measures)
    labels = list(fig.data[0].y)
    assert [c[0] for c in fig.data[0].customdata] == list(AREAS)
    for area, label in zip(AREAS, labels, strict=True):
        if len(area) > charts.LABEL_WIDTH:
            first, second = label.split("<br>")
            assert f"{first} {second}" == area
            assert abs(len(first) - len(second)) < 12
        else:
            assert label == area


def test_bundled_progress_matches_the_report(bundled):
    fig = charts.progress_by_area_chart(bundled.measures)
    assert [t.name for t in fig.data] == ["erledigt", "in Bearbeitung", "laufend", "offen"]
    assert "erledigt: 43 von 74 Maßnahmen (58,1 %)" in fig.data[0].hovertext[0]
    for position in range(len(AREAS)):
        assert sum(t.x[position] for t in fig.data) == pytest.approx(100)


# --- status -----------------------------------------------------------------------------------


def test_status_chart_bars_counts_and_shares(measures):
    fig = charts.status_chart(measures)
    (trace,) = fig.data
    assert list(trace.y) == PRESENT
    assert list(trace.x) == [5, 1, 1, 3, 1]
    assert [c[0] for c in trace.customdata] == ["erledigt", "in_bearbeitung", "laufend", "offen", "zurueckgestellt"]
    assert trace.text[0] == "5 (45,5 %)"
    assert trace.hovertext[0] == "erledigt: 5 von 11 Maßnahmen (45,5 %)"
    assert list(trace.marker.color) == [STATUS_COLORS[label] for label in PRESENT]
    assert fig.layout.yaxis.autorange == "reversed"


# --- colours and patterns ---------------------------------------------------------------------


def test_status_colours_and_patterns_come_from_the_vocabulary(measures):
    status_codes = ["erledigt", "in_bearbeitung", "laufend", "offen", "zurueckgestellt"]
    for fig in (charts.progress_by_area_chart(measures), charts.status_by_unit_chart(measures)):
        for trace, code in zip(fig.data, status_codes, strict=True):
            status = STATUS_BY_CODE[code]
            assert trace.name == status.label
            assert trace.marker.color == status.color
            assert trace.marker.pattern.shape == status.pattern
    (trace,) = charts.status_chart(measures).data
    assert list(trace.marker.pattern.shape) == [STATUS_BY_CODE[c].pattern for c in status_codes]
    # Every status but "erledigt" carries a pattern, so no two statuses differ by colour alone.
    assert len({STATUS_BY_CODE[c].pattern for c in status_codes}) == len(status_codes)


# --- drilldown --------------------------------------------------------------------------------


def test_drilldown_treemap_hierarchy_values_and_colours(measures):
    fig = charts.drilldown_chart(measures, kind="treemap")
    (trace,) = fig.data
    assert trace.type == "treemap"
    assert trace.branchvalues == "total"
    nodes = dict(zip(trace.ids, zip(trace.parents, trace.values, trace.customdata, strict=True), strict=True))
    children: dict[str, int] = {}
    for parent, value, _ in nodes.values():
        children[parent] = children.get(parent, 0) + value
    for node, total in children.items():
        if node:
            assert nodes[node][1] == total  # branchvalues "total": a parent is the sum of its children
    assert nodes[EG][1] == 9
    assert nodes[IW][1] == 2
    # E-Government has groups; Innovatives Wissen has none, so its statuses hang on the field.
    assert nodes[f"{EG} › Mitarbeiter"][0] == EG
    assert list(nodes[f"{EG} › Mitarbeiter › offen"][2]) == [EG, "Mitarbeiter", "offen"]
    assert nodes[f"{IW} › laufend"][0] == IW
    assert list(nodes[f"{IW} › laufend"][2]) == [IW, None, "laufend"]
    assert not any("ohne Zielgruppe" in node for node in nodes)
    colours = dict(zip(trace.ids, trace.marker.colors, strict=True))
    assert colours[f"{EG} › Bürger › erledigt"] == STATUS_COLORS["erledigt"]
    assert colours[f"{IW} › zurückgestellt"] == STATUS_COLORS["zurückgestellt"]
    assert colours[EG] not in STATUS_COLORS.values()
    hover = dict(zip(trace.ids, trace.hovertext, strict=True))
    assert hover[f"{EG} › Mitarbeiter › offen"] == f"{EG} › Mitarbeiter › offen: 3 Maßnahmen"
    assert hover[f"{IW} › laufend"] == f"{IW} › laufend: 1 Maßnahme"
    # Every field's header is labelled: "hide" would drop the headers wider than their tile.
    assert fig.layout.uniformtext.mode is False
    assert {trace.labels[trace.ids.index(area)] for area in (EG, IW)} == {EG, IW}


def test_drilldown_bars_are_true_to_the_counts_and_label_every_field(measures):
    fig = charts.drilldown_chart(measures)
    assert {trace.type for trace in fig.data} == {"bar"}
    assert [trace.name for trace in fig.data] == PRESENT
    rows = list(fig.layout.yaxis.categoryarray)
    # A field bar of all its measures, then one per Zielgruppe; a field without groups has its bar only.
    assert rows == [
        f"<b>{charts._wrap(EG)}</b><br>alle 9",
        "davon Bürger",
        "davon Unternehmen",
        "davon Mitarbeiter",
        f"<b>{IW}</b><br>alle 2",
    ]
    length: dict[str, int] = {}
    for trace in fig.data:
        for y, x, custom in zip(trace.y, trace.x, trace.customdata, strict=True):
            length[y] = length.get(y, 0) + x
            assert custom[2] == CODES[trace.name]
    assert length == {rows[0]: 9, rows[1]: 4, rows[2]: 2, rows[3]: 3, rows[4]: 2}
    # The groups add up to their field: no measure is drawn twice within a level or left out.
    assert length[rows[0]] == length[rows[1]] + length[rows[2]] + length[rows[3]]
    offen = next(trace for trace in fig.data if trace.name == "offen")
    assert [list(c) for c in offen.customdata] == [[EG, None, "offen"], [EG, "Mitarbeiter", "offen"]]
    assert f"{EG} › Mitarbeiter · offen: 3 Maßnahmen" in offen.hovertext


def test_drilldown_keeps_an_empty_group_beside_named_ones():
    rows = [
        FLAT_HEADER,
        ["A-1", EG, "Bürger", "Eins", "erledigt", "", "", ""],
        ["A-2", EG, "", "Zwei", "offen", "", "", ""],
    ]
    fig = charts.drilldown_chart(load_report(csv_bytes(rows), "status.csv").measures, kind="treemap")
    (trace,) = fig.data
    assert trace.type == "treemap"
    custom = dict(zip(trace.ids, trace.customdata, strict=True))
    assert list(custom[f"{EG} › ohne Zielgruppe"]) == [EG, "", None]
    assert list(custom[f"{EG} › ohne Zielgruppe › offen"]) == [EG, "", "offen"]


def test_drilldown_rejects_an_unknown_kind(measures):
    with pytest.raises(ValueError, match="'bars' or 'treemap'"):
        charts.drilldown_chart(measures, kind="pie")


# --- units ------------------------------------------------------------------------------------


def test_units_sorted_by_total_with_shared_measures_counted_for_each(measures):
    fig = charts.status_by_unit_chart(measures)
    assert [t.name for t in fig.data] == PRESENT
    units = ["Zentralbereich 1", "Bereich 2.1", "Bereich 3.2"]
    for trace in fig.data:
        assert list(trace.y) == units
        assert [c[0] for c in trace.customdata] == units
    totals = [sum(t.x[i] for t in fig.data) for i in range(len(units))]
    assert totals == [7, 4, 1]  # EG-03 counts for Zentralbereich 1 and Bereich 2.1
    assert sum(totals) > len(measures)
    assert "jeder" in fig.layout.title.subtitle.text
    assert fig.layout.yaxis.autorange == "reversed"


def test_units_are_capped_and_the_title_says_so():
    rows = [FLAT_HEADER] + [
        ["", EG, "", f"Maßnahme {i}", "offen", "/".join(f"Bereich {u}" for u in range(1, i + 1)), "", ""]
        for i in range(1, 31)
    ]
    fig = charts.status_by_unit_chart(load_report(csv_bytes(rows), "status.csv").measures)
    (trace,) = fig.data
    assert len(trace.y) == charts.UNIT_LIMIT
    assert trace.y[0] == "Bereich 1"  # in all 30 measures
    assert fig.layout.title.text.endswith("(25 von 30)")
    assert "jeder" in fig.layout.title.subtitle.text
    assert fig.layout.height > charts.HEIGHT


# --- timeline ---------------------------------------------------------------------------------


def test_timeline_shows_only_measures_with_a_period_and_the_reference_date(measures):
    fig = charts.timeline_chart(measures, AS_OF)
    shown = {c[0] for t in status_bars(fig) for c in t.customdata}
    assert shown == {"EG-01", "EG-04", "EG-06", "EG-07", "EG-08", "EG-09", "IW-02"}
    assert rows_by_position(fig) == ["EG-06", "IW-02", "EG-01", "EG-07", "EG-09", "EG-04", "EG-08"]
    assert list(fig.layout.yaxis.ticktext)[:2] == ["E-Akte", "Wissensdatenbank"]
    (line,) = fig.layout.shapes
    assert line.type == "line"
    assert line.x0 == line.x1 == "2022-08-31"
    assert (line.yref, line.y0, line.y1) == ("paper", 0, 1)
    assert "Stichtag 31.08.2022" in annotation_texts(fig)
    assert fig.layout.xaxis.type == "date"


def test_timeline_bars_span_the_period_and_hover_in_german(measures):
    fig = charts.timeline_chart(measures, AS_OF)
    for trace in status_bars(fig):
        for base, width, custom, hover in zip(trace.base, trace.x, trace.customdata, trace.hovertext, strict=True):
            row = measures.set_index("id").loc[custom[0]]
            assert pd.Timestamp(base) == row["start"]
            assert pd.Timedelta(milliseconds=width) == row["due"] - row["start"] + pd.Timedelta(days=1)
            assert f"{row['start']:%d.%m.%Y} – {row['due']:%d.%m.%Y}" in hover


def test_timeline_marks_overdue_measures_in_vermilion(measures):
    fig = charts.timeline_chart(measures, AS_OF)
    late = [t for t in fig.data if t.name == "überfällig"]
    assert {t.type for t in late} == {"bar", "scatter"}
    for trace in late:
        assert {c[0] for c in trace.customdata} == {"EG-06", "EG-07", "EG-09"}
    outline = next(t for t in late if t.type == "bar")
    assert outline.marker.line.color == OVERDUE_COLOR
    diamonds = next(t for t in late if t.type == "scatter")
    assert diamonds.marker.color == OVERDUE_COLOR
    assert any("überfällig seit 62 Tagen" in h for h in diamonds.hovertext)


def test_timeline_without_overdue_measures_has_no_overdue_marks(measures):
    fig = charts.timeline_chart(measures, dt.date(2020, 1, 1))
    assert [t.name for t in fig.data] == ["erledigt", "in Bearbeitung", "offen", "zurückgestellt"]


def test_timeline_shortens_long_titles_but_hovers_them_in_full():
    title = "Digitale Bauakte mit Anbindung an das Portal des Landes und elektronischer Signatur"
    rows = [FLAT_HEADER, ["B-1", EG, "", title, "offen", "", "2023", ""]]
    fig = charts.timeline_chart(load_report(csv_bytes(rows), "status.csv").measures, AS_OF)
    (label,) = fig.layout.yaxis.ticktext
    assert label.endswith("…")
    assert len(label) <= charts.TITLE_WIDTH
    assert title.startswith(label[:-1])
    assert fig.data[0].customdata[0][1] == title
    assert title.rsplit(maxsplit=1)[-1] in fig.data[0].hovertext[0]


# --- overdue ----------------------------------------------------------------------------------


def test_overdue_lists_the_late_measures_longest_first(measures):
    fig = charts.overdue_chart(measures, AS_OF)
    assert rows_by_position(fig) == ["EG-06", "EG-07", "EG-09"]
    days = {c[0]: x for t in status_bars(fig) for x, c in zip(t.x, t.customdata, strict=True)}
    assert days == {"EG-06": 608, "EG-07": 243, "EG-09": 62}
    assert list(fig.layout.yaxis.ticktext) == ["E-Akte", "Dokumentenmanagement", "Terminvergabe"]
    assert fig.layout.yaxis.range[0] > fig.layout.yaxis.range[1]  # first row on top
    assert fig.layout.title.text == "3 Maßnahmen überfällig zum Stichtag 31.08.2022"
    assert [t.name for t in fig.data] == ["in Bearbeitung", "offen"]


def test_overdue_without_late_measures_says_so(bundled):
    fig = charts.overdue_chart(bundled.measures, AS_OF)
    assert annotation_texts(fig) == ["Keine überfälligen Maßnahmen zum Stichtag 31.08.2022"]
    assert not fig.data


# --- indicator --------------------------------------------------------------------------------


def test_indicator_is_a_bullet_against_the_target():
    fig = charts.indicator_chart("Bürgerzufriedenheit", 72.5, 80, "%")
    (trace,) = fig.data
    assert trace.mode == "number+gauge+delta"
    assert trace.gauge.shape == "bullet"
    assert trace.value == 72.5
    assert trace.delta.reference == 80
    assert trace.gauge.threshold.value == 80
    assert trace.number.suffix == " %"
    assert "80 %" in trace.title.text
    assert fig.layout.separators == ",."
    assert fig.layout.title.text == "Bürgerzufriedenheit"


def test_indicator_without_values_says_so():
    fig = charts.indicator_chart("Investitionsquote", None, float("nan"))
    assert not fig.data
    assert annotation_texts(fig) == ["Ist- oder Zielwert ist noch nicht erfasst"]


# --- shared look and empty input --------------------------------------------------------------


def every_chart(measures: pd.DataFrame, as_of: dt.date = AS_OF) -> dict[str, go.Figure]:
    return {
        "progress": charts.progress_by_area_chart(measures),
        "status": charts.status_chart(measures),
        "bars": charts.drilldown_chart(measures),
        "treemap": charts.drilldown_chart(measures, kind="treemap"),
        "units": charts.status_by_unit_chart(measures),
        "timeline": charts.timeline_chart(measures, as_of),
        "overdue": charts.overdue_chart(measures, as_of),
    }


def test_every_chart_has_the_shared_look(measures):
    figures = {**every_chart(measures), "indicator": charts.indicator_chart("Prozesszeit", 3, 5, "Tage")}
    for name, fig in figures.items():
        layout = fig.layout
        assert layout.template == pio.templates["plotly_white"], name
        assert layout.separators == ",.", name
        assert layout.font.size >= 14, name
        assert layout.uniformtext.minsize >= 14, name
        assert layout.legend.orientation == "h", name
        assert layout.title.text, name
        assert 200 <= layout.height <= 1000, name


@pytest.mark.parametrize("name", ["progress", "status", "bars", "treemap", "units", "timeline", "overdue"])
def test_empty_input_gives_a_message_not_an_exception(measures, name):
    fig = every_chart(measures.iloc[:0])[name]
    assert not fig.data
    assert annotation_texts(fig) == [charts.EMPTY_MESSAGE]


def test_measures_without_periods_or_units_say_what_is_missing():
    rows = [FLAT_HEADER, ["X-1", EG, "", "Ohne alles", "offen", "", "", ""]]
    measures = load_report(xlsx_bytes({"Maßnahmen": rows}), "status.xlsx").measures
    assert "Beginn und Fälligkeit" in annotation_texts(charts.timeline_chart(measures, AS_OF))[0]
    assert "Organisationseinheit" in annotation_texts(charts.status_by_unit_chart(measures))[0]


def test_user_text_is_escaped_in_labels():
    rows = [FLAT_HEADER, ["X-1", EG, "", "Wert <5 & mehr", "offen", "Amt <A>", "2023", ""]]
    measures = load_report(csv_bytes(rows), "status.csv").measures
    assert list(charts.timeline_chart(measures, AS_OF).layout.yaxis.ticktext) == ["Wert &lt;5 &amp; mehr"]
    units = charts.status_by_unit_chart(measures).data[0]
    assert list(units.y) == ["Amt &lt;A&gt;"]
    assert units.customdata[0][0] == "Amt <A>"  # the filter value stays as written


# --- 100,000 measures -------------------------------------------------------------------------


def test_charts_of_100000_measures_stay_aggregated(huge):
    later = dt.date(2023, 6, 30)
    figures = every_chart(huge, later)

    def points(fig: go.Figure) -> int:
        return sum(len(t.ids if t.type == "treemap" else t.x) for t in fig.data)

    assert points(figures["progress"]) <= 6 * len(AREAS)
    assert points(figures["status"]) <= 6
    assert points(figures["units"]) <= 6 * charts.UNIT_LIMIT
    assert points(figures["bars"]) <= 6 * 4 * len(AREAS)
    assert points(figures["treemap"]) <= 60
    assert len(rows_by_position(figures["timeline"])) == charts.TIMELINE_LIMIT
    assert f"{charts.TIMELINE_LIMIT} von" in figures["timeline"].layout.title.text
    assert len(rows_by_position(figures["overdue"])) == charts.OVERDUE_LIMIT
    assert "30 am längsten" in figures["overdue"].layout.title.subtitle.text
    late = len(metrics.overdue(huge, later))
    assert late > 1000
    assert figures["overdue"].layout.title.text.startswith(f"{late:_} Maßnahmen".replace("_", "."))
    # The shares are still those of the bundled report, the counts written the German way.
    egov = huge[huge["area"] == EG]
    done = int((egov["status"] == "erledigt").sum())
    assert done > 1000
    expected = f"erledigt: {done:_} von {len(egov):_} Maßnahmen (58,1 %)".replace("_", ".")
    assert expected in figures["progress"].data[0].hovertext[0]


def test_timeline_cut_keeps_the_overdue_measures_first(huge):
    fig = charts.timeline_chart(huge, dt.date(2023, 6, 30))
    (outline,) = (t for t in fig.data if t.type == "bar" and t.name == "überfällig")
    assert len(outline.x) == charts.TIMELINE_LIMIT  # thousands are late, so every row shown is


def test_timeline_cut_without_overdue_keeps_those_due_next(huge):
    fig = charts.timeline_chart(huge, AS_OF)
    assert not any(t.name == "überfällig" for t in fig.data)
    hover = [h for t in status_bars(fig) for h in t.hovertext]
    assert len(hover) == charts.TIMELINE_LIMIT
    # Nothing is late on 31.08.2022; the soonest due date on or after it is that day itself.
    assert all("– 31.08.2022" in h for h in hover)
