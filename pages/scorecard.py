"""Balanced Scorecard: the four perspectives side by side, figures only where the city recorded them."""

import streamlit as st

import ui
from mayen_dash import text_alternatives
from mayen_dash.charts import indicator_chart
from mayen_dash.formatting import escape_markdown
from mayen_dash.scorecard import perspectives

view = ui.current_view()


def bullets(items: list[str] | tuple[str, ...]) -> str:
    return "\n".join(f"- {escape_markdown(item)}" for item in items)


st.title("Balanced Scorecard", anchor=False)
st.caption(escape_markdown(view.report.title))

items = perspectives(view.report.scorecard)
if not items:
    st.info("Die Datei enthält keine Balanced Scorecard (Blatt „Scorecard“).")
grid = [column for _ in range(0, len(items), 2) for column in st.columns(2, border=True)]
for column, perspective in zip(grid, items, strict=False):
    with column:
        st.markdown(f"#### {escape_markdown(perspective.name)}")
        if perspective.question:
            st.markdown(f"**Leitfrage**  \n{escape_markdown(perspective.question)}")
        st.markdown("**Strategische Ziele**\n\n" + bullets(perspective.goals))
        st.markdown("**Maßnahmen**\n\n" + bullets(perspective.actions))
        st.markdown("**Messgrößen**")
        for indicator in perspective.indicators:
            if indicator.has_figures:
                figures = (indicator.name, indicator.actual, indicator.target, indicator.unit)
                ui.chart(indicator_chart(*figures), text_alternatives.indicator(*figures))
            else:
                st.markdown(bullets([indicator.name]))
        if not any(i.has_figures for i in perspective.indicators):
            st.caption("Für diese Messgrößen sind noch keine Ist- und Zielwerte erfasst.")
