"""Überfällig: what is late at the reference date, what falls due next, and the whole timeline."""

import streamlit as st

import ui
from mayen_dash import text_alternatives
from mayen_dash.charts import overdue_chart, timeline_chart
from mayen_dash.exports import DUE_LABEL, due_soon_frame, overdue_frame
from mayen_dash.formatting import escape_markdown, format_date
from mayen_dash.metrics import DEFINITIONS, DUE_SOON_DAYS
from mayen_dash.opendata import settings, subscription_address

view = ui.current_view()
as_of = format_date(view.as_of)
date_column = st.column_config.DateColumn(DUE_LABEL, format="DD.MM.YYYY")

st.title("Überfällig", anchor=False)
st.caption(ui.filter_caption(view))

late = overdue_frame(view.measures, view.as_of)
st.header(f"Überfällig am {as_of}: {len(late)}", anchor=False, help=DEFINITIONS["overdue"].format(as_of=as_of))
if late.empty:
    st.success(f"Zum Stichtag {as_of} ist keine Maßnahme im Filter überfällig.")
else:
    ui.dataframe(late, hide_index=True, column_config={DUE_LABEL: date_column})
    ui.chart(
        ui.view_figure(overdue_chart, view.as_of),
        ui.view_alternative(text_alternatives.overdue, view.as_of),
        help="Tage zwischen Fälligkeit und Stichtag, die am längsten überfälligen oben.",
    )

soon = due_soon_frame(view.measures, view.as_of)
st.header(
    f"Fällig in den nächsten {DUE_SOON_DAYS} Tagen: {len(soon)}",
    anchor=False,
    help=DEFINITIONS["due_soon"].format(as_of=as_of, days=DUE_SOON_DAYS),
)
if soon.empty:
    st.info(f"In den {DUE_SOON_DAYS} Tagen nach dem Stichtag wird keine Maßnahme im Filter fällig.")
else:
    ui.dataframe(soon, hide_index=True, column_config={DUE_LABEL: date_column})

st.header("Zeitplan", anchor=False)
ui.chart(
    ui.view_figure(timeline_chart, view.as_of),
    ui.view_alternative(text_alternatives.timeline, view.as_of),
    help="Alle Maßnahmen mit Zeitraum: „2022/2023“ reicht vom 01.01.2022 bis 31.12.2023, „08/2022“ über den "
    "August 2022. Die senkrechte Linie ist der Stichtag.",
)

st.header(
    "Kalender abonnieren",
    anchor=False,
    help="Ein ganztägiger Termin je Maßnahme mit Fälligkeit, immer aus dem neuesten Stand; der Kalender "
    "aktualisiert sich selbst, statt Termine zu verdoppeln.",
)
units = view.filters.units
st.write(
    "Die Zieldaten von „" + escape_markdown(", ".join(units)) + "“ als Kalender:"
    if units
    else "Die Zieldaten aller Organisationseinheiten als Kalender (für eine Einheit links filtern):"
)
for unit in units or (None,):
    st.code(subscription_address(st.context.url, unit, settings()), language=None)
st.caption(
    "Adresse kopieren und einfügen: in Outlook unter „Kalender hinzufügen“ → „Aus dem Internet abonnieren“, "
    "in Thunderbird unter „Neuer Kalender“ → „Im Netzwerk“. Nimmt ein Programm webcal:// nicht an, die "
    "Adresse mit https:// (bzw. http://) statt webcal:// beginnen."
)
