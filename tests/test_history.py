import datetime as dt

from mayen_dash.charts import done_share_chart, history_chart
from mayen_dash.history import ALL_AREAS, done_share_over_time, projection, share_at, status_over_time
from mayen_dash.loader import load_report
from tests.builders import csv_bytes

D = dt.date


def measures(done: int, total: int = 4):
    rows = [["Handlungsfeld", "Maßnahme", "Status"]] + [
        [
            "Innovatives Wissen" if i % 2 else "Digitale Infrastruktur und Klimaschutz",
            f"M{i}",
            "erledigt" if i < done else "offen",
        ]
        for i in range(total)
    ]
    return load_report(csv_bytes(rows), "x.csv").measures


SERIES = [(D(2022, 8, 31), measures(1)), (D(2023, 8, 31), measures(2))]


def test_status_over_time():
    table = status_over_time(SERIES)
    done = table[table["status"] == "erledigt"]
    assert done["count"].tolist() == [1, 2]
    assert table.groupby("report_date")["count"].sum().tolist() == [4, 4]


def test_done_share_over_time_per_area_and_overall():
    shares = done_share_over_time(SERIES)
    overall = shares[shares["area"] == ALL_AREAS]
    assert overall["share"].tolist() == [0.25, 0.5]
    per_area = shares[shares["area"] == "Digitale Infrastruktur und Klimaschutz"]
    assert per_area["share"].tolist() == [0.5, 0.5]


def test_projection_is_a_straight_line_clipped_to_full():
    line = projection(done_share_over_time(SERIES))
    assert line["report_date"].min() == dt.datetime(2023, 8, 31)
    assert line["report_date"].max() == dt.datetime(2025, 12, 31)
    assert round(line["share"].iloc[0], 9) == 0.5
    assert 0.5 < share_at(line, D(2024, 8, 31)) < 0.76
    assert line["share"].max() <= 1.0
    assert share_at(line, D(2030, 1, 1)) is None


def test_no_projection_from_a_single_report():
    assert projection(done_share_over_time(SERIES[:1])).empty


def test_history_charts():
    fig = history_chart(status_over_time(SERIES))
    assert [t.name for t in fig.data] == ["erledigt", "offen"]
    shares = done_share_over_time(SERIES)
    fig = done_share_chart(shares, projection(shares), D(2025, 12, 31))
    assert fig.data[-1].name.startswith("Projektion")
    assert fig.data[-1].line.dash == "dash"
    assert any(a.text == "Ziel 2025" for a in fig.layout.annotations)
    one = history_chart(status_over_time(SERIES[:1]))
    assert "mindestens zwei" in one.layout.annotations[0].text
