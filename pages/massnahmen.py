"""Maßnahmen: every field of every measure in the filter, one measure in detail, and the table as Excel."""

import streamlit as st

import ui
from mayen_dash.exports import DUE_LABEL, OVERDUE_LABEL, SCREEN_ORDER, display_frame, measure_details, measures_xlsx
from mayen_dash.formatting import escape_markdown, format_count

view = ui.current_view()
st.title("Maßnahmen", anchor=False)
st.caption(ui.filter_caption(view))

table = display_frame(view.measures, view.as_of)
left, right = st.columns([3, 1], vertical_alignment="bottom")
left.write(
    f"{format_count(len(table))} Maßnahmen. Die Suche im Seitenmenü durchsucht ID, Maßnahme, "
    "Verantwortlichkeit, Zieldatum und Anmerkungen. Eine Zeile anklicken zeigt die Einzelheiten."
)
right.download_button(
    "Excel herunterladen",
    data=measures_xlsx(view.measures, view.as_of),
    file_name=f"massnahmen_{view.as_of.isoformat()}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
)
selection = st.dataframe(
    table,
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="measure_table",
    column_order=SCREEN_ORDER,
    height=560,
    column_config={
        DUE_LABEL: st.column_config.DateColumn(DUE_LABEL, format="DD.MM.YYYY"),
        OVERDUE_LABEL: st.column_config.CheckboxColumn(OVERDUE_LABEL),
        "Maßnahme": st.column_config.TextColumn("Maßnahme", width="large"),
        "Anmerkungen": st.column_config.TextColumn("Anmerkungen", width="large"),
    },
)

rows = selection.selection.rows
if rows:
    measure = table.iloc[rows[0]]
    with st.container(border=True):
        st.subheader(escape_markdown(measure["Maßnahme"]), anchor=False)
        for label, text in measure_details(measure.drop("Maßnahme"), view.as_of):
            st.markdown(f"**{escape_markdown(label)}**")
            st.text(text)
