"""Status: how the measures are distributed, by field, target group and unit."""

import streamlit as st

import ui
from mayen_dash import text_alternatives
from mayen_dash.charts import drilldown_chart, status_by_unit_chart, status_chart

view = ui.current_view()

st.title("Status", anchor=False)
st.caption(ui.filter_caption(view))

st.header("Verteilung", anchor=False)
ui.clickable_chart(
    ui.view_figure(status_chart),
    ui.view_alternative(text_alternatives.status_distribution),
    key="chart_status",
    filter_key=ui.keys.STATUSES,
    help="Anzahl und Anteil je Status an allen Maßnahmen im Filter. Ein Klick filtert auf den Status.",
)

st.header("Aufgeschlüsselt", anchor=False)
kind = st.segmented_control("Darstellung", ["Balken", "Kacheln"], default="Balken", key="drilldown_kind")
if kind == "Kacheln":
    ui.chart(
        ui.view_figure(drilldown_chart, kind="treemap"),
        ui.view_alternative(text_alternatives.drilldown),
        help="Jedes Handlungsfeld ist eine Fläche mit seinem Namen als Überschrift, darin je Zielgruppe eine "
        "Fläche und darin je Status eine Kachel mit der Anzahl. Die Größe einer Fläche folgt der Zahl ihrer "
        "Maßnahmen; die Überschriften nehmen etwas davon ein. Ein Klick auf eine Fläche vergrößert sie, die "
        "Leiste darüber führt zurück.",
    )
else:
    ui.chart(
        ui.view_figure(drilldown_chart, kind="bars"),
        ui.view_alternative(text_alternatives.drilldown),
        help="Je Handlungsfeld ein Balken mit allen seinen Maßnahmen („alle“), darunter je Zielgruppe ein Balken "
        "(„davon …“); ein Handlungsfeld ohne Zielgruppen hat nur seinen Balken. Die Länge entspricht der Anzahl, "
        "die Farben und Muster dem Status, die Zahl im Balken ist die Anzahl.",
    )

st.header("Nach Organisationseinheit", anchor=False)
ui.clickable_chart(
    ui.view_figure(status_by_unit_chart),
    ui.view_alternative(text_alternatives.status_by_unit),
    key="chart_units",
    filter_key=ui.keys.UNITS,
    help="Maßnahmen, an denen eine Einheit beteiligt ist; gemeinsame Maßnahmen zählen bei jeder beteiligten "
    "Einheit. Ein Klick auf einen Balken filtert auf die Einheit.",
)
