"""Verlauf: the stored reports as a series, and where the trend leads by 2025."""

import datetime as dt

import streamlit as st

import ui
from mayen_dash import text_alternatives
from mayen_dash.charts import done_share_chart, history_chart
from mayen_dash.formatting import format_count_noun, format_date, format_percent
from mayen_dash.history import TARGET_YEAR, done_share_over_time, projection, share_at, status_over_time

view = ui.current_view()
st.title("Verlauf", anchor=False)
st.caption(ui.filter_caption(view))

dated = [s for s in view.snapshots if s.report_date]
reports = [(s.report_date, view.filters.apply(ui.snapshot_report(s))) for s in dated]
if len(dated) < len(view.snapshots):
    undated = format_count_noun(
        len(view.snapshots) - len(dated),
        "gespeicherter Stand ohne Stichtag ist",
        "gespeicherte Stände ohne Stichtag sind",
    )
    st.caption(f"{undated} hier nicht enthalten; der Stichtag lässt sich auf der Seite „Daten“ eintragen.")
if len(reports) < 2:
    st.info(
        "Für einen Verlauf braucht es mindestens zwei gespeicherte Stände mit Stichtag. Neue Stände entstehen, "
        "wenn auf der Seite „Daten“ eine aktualisierte Tabelle hochgeladen oder auf der Seite „Maßnahmen“ "
        "ein bearbeiteter Stand gespeichert wird."
    )
    st.stop()

counts = status_over_time(reports)
ui.chart(
    history_chart(counts),
    text_alternatives.history(counts),
    help="Anzahl der Maßnahmen je Status an jedem Stichtag, im aktuellen Filter.",
)

target = dt.date(TARGET_YEAR, 12, 31)
shares = done_share_over_time(reports)
line = projection(shares)
ui.chart(
    done_share_chart(shares, line, target),
    text_alternatives.done_share(shares, line, target),
    help="Anteil „erledigt“ an allen Maßnahmen des Handlungsfelds zum jeweiligen Stichtag. Die gestrichelte "
    "Linie ist eine Projektion: eine gerade Linie durch die Anteile aller Berichte, fortgeschrieben bis Ende "
    f"{TARGET_YEAR} und darüber hinaus. Sie ist keine Prognose; sie zeigt nur, wohin das bisherige Tempo führt.",
)
projected = share_at(line, target)
if projected is not None:
    st.metric(
        f"Projektion für den {format_date(target)}",
        format_percent(projected),
        help="Gerade Linie durch den Anteil „erledigt“ aller Berichte, fortgeschrieben.",
    )
