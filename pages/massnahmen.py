"""Maßnahmen: every field of every measure in the filter, one measure in detail, the table as Excel,
and the meeting mode: edit status, Zieldatum and Anmerkungen, then store the result as a new Stand."""

from dataclasses import replace
from functools import partial
from pathlib import PurePath

import streamlit as st

import ui
from mayen_dash.editing import EDITABLE_LABELS, apply_edits, find_edits, pending_changes, validate_edits
from mayen_dash.exports import (
    DUE_LABEL,
    FORMAT_NAMES,
    MEDIA_TYPES,
    OVERDUE_LABEL,
    SCREEN_ORDER,
    display_frame,
    export_file_name,
    export_measures,
    findings_frame,
    measure_details,
)
from mayen_dash.formatting import escape_markdown, format_count, format_count_noun
from mayen_dash.loader import load_report
from mayen_dash.model import LoadError
from mayen_dash.vocabulary import ASSIGNABLE_STATUSES, STATUS_LABELS

view = ui.current_view()
st.title("Maßnahmen", anchor=False)
st.caption(ui.filter_caption(view))

table = display_frame(view.measures, view.as_of)
table_height = min(560, 38 * (len(table) + 1) + 3)  # short lists without a block of empty rows
column_config = {
    DUE_LABEL: st.column_config.DateColumn(DUE_LABEL, format="DD.MM.YYYY"),
    OVERDUE_LABEL: st.column_config.CheckboxColumn(OVERDUE_LABEL),
    "Maßnahme": st.column_config.TextColumn("Maßnahme", width="large"),
    "Anmerkungen": st.column_config.TextColumn("Anmerkungen", width="large"),
}
left, right = st.columns([3, 1], vertical_alignment="bottom")
editing = left.toggle(
    "Bearbeiten (Besprechungsmodus)",
    key="edit_mode",
    disabled=not ui.can_edit() or ui.store_unavailable(),
    help="Status, Zieldatum und Anmerkungen direkt in der Tabelle ändern und als neuen Stand speichern."
    + ("" if ui.can_edit() else " Nur für angemeldete Bearbeiter."),
)
right.download_button(
    "Excel herunterladen",
    data=partial(export_measures, view.measures, "xlsx", view.as_of, report=view.report),
    file_name=export_file_name("xlsx", view.as_of),
    mime=MEDIA_TYPES["xlsx"],
    icon=":material/download:",
    help="Die Maßnahmen im aktuellen Filter; Texte bleiben Text, Excel rechnet nichts aus.",
)
# The table's own toolbar offers no download (client.disableDataExport): its CSV is not formula-safe; this one is.
right.download_button(
    "Als CSV herunterladen",
    data=partial(export_measures, view.measures, "csv", view.as_of, report=view.report),
    file_name=export_file_name("csv", view.as_of),
    mime=MEDIA_TYPES["csv"],
    icon=":material/download:",
    help="Die Maßnahmen im aktuellen Filter als CSV für Excel; Texte, die wie Formeln aussehen, bleiben Text.",
)
with right.popover("Weitere Formate", icon=":material/download:"):
    for fmt in ("json", "ics"):
        st.download_button(
            FORMAT_NAMES[fmt],
            data=partial(export_measures, view.measures, fmt, view.as_of, report=view.report),
            file_name=export_file_name(fmt, view.as_of),
            mime=MEDIA_TYPES[fmt],
            key=f"export_{fmt}",
        )

if not editing or not ui.can_edit():
    st.write(
        f"{format_count(len(table))} Maßnahmen. Die Suche im Seitenmenü durchsucht ID, Maßnahme, "
        "Verantwortlichkeit, Zieldatum und Anmerkungen. Das Kästchen links in einer Zeile zeigt die Einzelheiten."
    )
    selection = ui.dataframe(
        table,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="measure_table",
        column_order=SCREEN_ORDER,
        height=table_height,
        column_config=column_config,
    )
    rows = selection.selection.rows
    if rows:
        measure = table.iloc[rows[0]]
        with st.container(border=True):
            st.subheader(escape_markdown(measure["Maßnahme"]), anchor=False)
            for label, text in measure_details(measure.drop("Maßnahme"), view.as_of):
                st.markdown(f"**{escape_markdown(label)}**")
                st.text(text)
    st.stop()

st.info(
    "Besprechungsmodus: Status, Zieldatum und Anmerkungen lassen sich in der Tabelle ändern. Gespeichert wird "
    "erst mit „Als neuen Stand speichern“; der bisherige Stand bleibt erhalten. Die übrigen Spalten sind gesperrt."
)
status_options = [STATUS_LABELS[code] for code in ASSIGNABLE_STATUSES]
edited = ui.data_editor(
    table,
    hide_index=True,
    key=f"editor_{view.snapshot.id}",
    column_order=SCREEN_ORDER,
    height=table_height,
    num_rows="fixed",
    disabled=[c for c in table.columns if c not in EDITABLE_LABELS.values()],
    column_config={
        **column_config,
        "Status": st.column_config.SelectboxColumn("Status", options=status_options, required=True),
        "Zieldatum": st.column_config.TextColumn(
            "Zieldatum", help="z. B. 2023, 08/2022, 2022/2023, Q3/2023, 1. Halbjahr 2023, 31.12.2023, laufend"
        ),
    },
)
edits = find_edits(view.measures, edited)
problems = validate_edits(edits)
if not edits:
    st.caption("Noch keine Änderungen.")
    st.stop()

st.subheader(
    format_count_noun(len(edits), "geändertes Feld", "geänderte Felder") + ", noch nicht gespeichert", anchor=False
)
ui.dataframe(
    pending_changes(view.measures, edits).style.set_properties(
        subset=["neu"], **{"background-color": "#FFF3C4", "color": "#1A1A1A", "font-weight": "bold"}
    ),
    hide_index=True,
    key="pending_changes",
)
if problems:
    st.error("Bitte zuerst berichtigen; so kann der Stand nicht gespeichert werden.")
    ui.dataframe(findings_frame(problems, code=False), hide_index=True)
    st.stop()

snapshot = view.snapshot
if (stored_file := ui.original(snapshot)) is None:
    st.stop()
original, name = stored_file
suffix = PurePath(name).suffix or ".xlsx"
left, right = st.columns(2, vertical_alignment="bottom")
report_date = left.date_input(
    "Stichtag des neuen Stands",
    value=None,
    format="DD.MM.YYYY",
    key="edit_report_date",
    help="Der Tag, für den die geänderten Angaben gelten, meist der Tag der Sitzung. Es ist bewusst kein Tag "
    "voreingestellt.",
)
new_name = f"status_{report_date.isoformat()}{suffix}" if report_date else f"{PurePath(name).stem}_bearbeitet{suffix}"


def edited_file() -> bytes:
    """The original file with the edited cells changed (and the Stichtag, where it has one)."""
    return apply_edits(original, name, edits, report_date=report_date, mapping=snapshot.mapping)


right.download_button(
    "Bearbeitete Datei herunterladen",
    data=edited_file,
    file_name=new_name,
    mime=MEDIA_TYPES["xlsx"] if suffix == ".xlsx" else "text/csv",
    icon=":material/download:",
    help="Die ursprüngliche Datei mit allen Blättern; nur die geänderten Zellen sind neu.",
)
# The edited file is built when it is needed: to save, or to answer "replace or keep both?".
token = f"edit:{snapshot.id}:{report_date}:{hash(tuple(edits))}"
if report_date is None:
    st.caption("Zum Speichern bitte zuerst den Stichtag des neuen Stands wählen.")
save = st.button("Als neuen Stand speichern", type="primary", disabled=report_date is None)
if save or st.session_state.get(ui.keys.SAME_DATE, ("",))[0] == token:
    try:
        changed = edited_file()
        report = replace(load_report(changed, new_name, mapping=snapshot.mapping), report_date=report_date)
    except LoadError as error:
        st.error(escape_markdown(str(error)))
        st.stop()
    source = ui.Source(changed, new_name, snapshot.mapping)
    if not ui.same_date_choice(source, report, token) and save:
        ui.store_and_show(source, report, token=token)
