"""Vergleich: "Fortschritte seit letztem Bericht" between two stored reports, ready for the next report's text."""

import streamlit as st

import ui
from mayen_dash.diff import (
    CONFIRMED,
    change_figures,
    changes_frame,
    fuzzy_review_frame,
    split_overrides,
    summary_lines,
)
from mayen_dash.exports import frame_xlsx
from mayen_dash.formatting import escape_markdown, format_count, format_date

SHOWN_PER_LINE = 50

view = ui.current_view()
st.title("Vergleich", anchor=False)
st.caption(ui.filter_caption(view))

if len(view.snapshots) < 2:
    st.info(
        "Zum Vergleichen braucht es mindestens zwei gespeicherte Stände. Ein neuer Stand entsteht, wenn auf der "
        "Seite „Daten“ eine aktualisierte Tabelle hochgeladen oder auf der Seite „Maßnahmen“ gespeichert wird."
    )
    st.stop()

by_id = {s.id: s for s in view.snapshots}
newest_first = [s.id for s in reversed(view.snapshots)]
left, right = st.columns(2)
older_id = left.selectbox(
    "Früherer Stand", newest_first, index=1, format_func=lambda i: by_id[i].label, key="compare_old"
)
newer_id = right.selectbox(
    "Späterer Stand", newest_first, index=0, format_func=lambda i: by_id[i].label, key="compare_new"
)
older, newer = by_id[older_id], by_id[newer_id]

first = ui.comparison(older, newer, view.filters)
confirmed = [True] * len(first.fuzzy_matches)
if len(first.fuzzy_matches):
    st.subheader("Zuordnungen über ähnliche Titel prüfen", anchor=False)
    st.write(
        "Diese Maßnahmen haben keine gemeinsame ID und leicht verschiedene Titel. Stimmt eine Zuordnung "
        "nicht, das Häkchen entfernen: dann gilt die alte als entfallen und die neue als neu aufgenommen."
    )
    edited = ui.data_editor(
        fuzzy_review_frame(first),
        hide_index=True,
        disabled=["vorher", "nachher", "Ähnlichkeit"],
        column_config={"Ähnlichkeit": st.column_config.NumberColumn(format="percent")},
        key=f"compare_fuzzy_{older_id}_{newer_id}",
    )
    confirmed = edited[CONFIRMED].tolist()
unpaired = tuple(split_overrides(first.fuzzy_matches, confirmed))
comparison = ui.comparison(older, newer, view.filters, unpaired) if unpaired else first

span = " → ".join(format_date(s.report_date) or "unbekannt" for s in (older, newer))
st.header(f"Änderungen {span}", anchor=False)
figures = change_figures(comparison)
for column, (label, value, help_text) in zip([*st.columns(3), *st.columns(3)], figures, strict=True):
    column.metric(label, format_count(value), help=help_text, border=True)

st.subheader("Text für den nächsten Bericht", anchor=False)
lines = summary_lines(comparison)
shown = summary_lines(comparison, limit=SHOWN_PER_LINE)
st.markdown("\n".join(f"- {escape_markdown(line.removeprefix('- '))}" for line in shown))
if shown != lines:
    st.caption(f"Gezeigt werden je Zeile die ersten {SHOWN_PER_LINE} Maßnahmen; der Download enthält alle.")
table = changes_frame(comparison)
left, right = st.columns(2)
name = f"aenderungen_{older.report_date}_{newer.report_date}"
left.download_button(
    "Text herunterladen (.txt)",
    data="\n".join(lines) + "\n",
    file_name=f"{name}.txt",
    mime="text/plain",
    icon=":material/download:",
)
right.download_button(
    "Änderungen als Excel",
    data=lambda: frame_xlsx(table, "Änderungen", wide=("Maßnahme",)),
    file_name=f"{name}.xlsx",
    icon=":material/download:",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
if table.empty:
    st.success("Zwischen den beiden Ständen hat sich an den Maßnahmen im Filter nichts geändert.")
else:
    ui.dataframe(table, hide_index=True, column_config={"Maßnahme": st.column_config.TextColumn(width="medium")})
