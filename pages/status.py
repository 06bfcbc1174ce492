"""Status: how the measures are distributed, by field, target group and unit."""

import streamlit as st

import ui
from mayen_dash.charts import drilldown_chart, status_by_unit_chart, status_chart

view = ui.current_view()

st.title("Status", anchor=False)
st.caption(ui.filter_caption(view))

st.header("Verteilung", anchor=False)
ui.clickable_chart(
    ui.view_figure(status_chart),
    key="chart_status",
    filter_key=ui.keys.STATUSES,
    help="Anzahl und Anteil je Status an allen Maßnahmen im Filter. Ein Klick filtert auf den Status.",
)

st.header("Aufgeschlüsselt", anchor=False)
kind = st.segmented_control(
    "Darstellung", ["Sonnendiagramm", "Kacheln"], default="Sonnendiagramm", key="drilldown_kind"
)
ui.chart(
    ui.view_figure(drilldown_chart, kind="treemap" if kind == "Kacheln" else "sunburst"),
    help="Handlungsfeld → Zielgruppe → Status; die Fläche entspricht der Anzahl der Maßnahmen. "
    "Ein Klick auf einen Ring vergrößert ihn.",
)

st.header("Nach Organisationseinheit", anchor=False)
ui.clickable_chart(
    ui.view_figure(status_by_unit_chart),
    key="chart_units",
    filter_key=ui.keys.UNITS,
    help="Maßnahmen, an denen eine Einheit beteiligt ist; gemeinsame Maßnahmen zählen bei jeder beteiligten "
    "Einheit. Ein Klick auf einen Balken filtert auf die Einheit.",
)
