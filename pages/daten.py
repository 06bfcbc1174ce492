"""Daten: upload an updated spreadsheet, check it, and only then store and show it; manage what is stored.

A refused file never replaces the data in use. A readable table whose
Maßnahme or Status column is not recognised can be mapped by hand; the mapping
is remembered for the next file of the same shape.
"""

import hashlib

import streamlit as st

import ui
from mayen_dash.exports import findings_frame
from mayen_dash.formatting import escape_markdown, format_count, format_count_noun, format_date
from mayen_dash.loader import preview
from mayen_dash.mappings import MappingMemory, signature, suggested_column, suggested_status
from mayen_dash.model import ColumnMapping, LoadError, Report
from mayen_dash.settings import TEMPLATE, data_dir
from mayen_dash.store import snapshot_table
from mayen_dash.units import names_frame, suggestions
from mayen_dash.vocabulary import COLUMNS, STATUS_CODES, STATUS_LABELS

NOT_MAPPED = "—"

view = ui.current_view()
memory = MappingMemory(data_dir() / "zuordnungen.json")

st.title("Daten", anchor=False)
st.markdown(
    f"Angezeigt wird **{escape_markdown(view.snapshot.label)}** mit "
    f"{format_count(len(view.report.measures))} Maßnahmen."
)


def show_check(source: ui.Source, report: Report) -> None:
    """What the file contains and what was noticed, and the button that stores and shows it."""
    st.success(
        f"Die Datei ist lesbar: {format_count(len(report.measures))} Maßnahmen, "
        f"Stand {format_date(report.report_date) or 'unbekannt (kein Stichtag in der Datei)'}."
    )
    counts = report.measures["status"].value_counts()
    columns = st.columns(len(STATUS_CODES))
    for column, code in zip(columns, STATUS_CODES, strict=True):
        column.metric(STATUS_LABELS[code], format_count(int(counts.get(code, 0))))
    if report.warnings:
        st.warning(
            f"{format_count(len(report.warnings))} Hinweise zu einzelnen Zeilen. Die Zeilen werden trotzdem "
            "übernommen; bitte bei Gelegenheit in der Tabelle berichtigen."
        )
        st.dataframe(findings_frame(report.warnings), hide_index=True)
    if source.sha256 == view.snapshot.sha256:
        st.info("Diese Datei wird bereits angezeigt.")
        return
    if not ui.same_date_choice(source, report) and st.button(
        "Diese Daten verwenden",
        type="primary",
        help="Speichert die Datei als neuen Stand; alle Seiten zeigen sie dann.",
    ):
        if source.mapping:
            memory.put(signature(preview(source.data, source.name).headers), source.mapping)
        ui.store_and_show(source, report)


def mapping_form(source: ui.Source) -> ColumnMapping | None:
    """Let the user say which column is which and what its status values mean."""
    columns = preview(source.data, source.name)
    if columns is None:
        return None
    shape = signature(columns.headers)
    remembered = memory.get(shape) or ColumnMapping()
    if remembered:
        st.info(
            "Für Tabellen mit diesen Spalten ist eine Zuordnung gespeichert; sie ist unten voreingestellt "
            "und kann geändert werden."
        )
    st.subheader("Spalten zuordnen", anchor=False)
    options = [NOT_MAPPED, *columns.headers]
    chosen: dict[str, str] = {}
    left, right = st.columns(2)
    for i, column in enumerate(COLUMNS):
        guess = suggested_column(column.key, columns.headers, remembered) or NOT_MAPPED
        label = column.label + (" (Pflicht)" if column.required else "")
        value = (left if i % 2 == 0 else right).selectbox(
            label,
            options,
            index=options.index(guess) if guess in options else 0,
            key=f"map_{shape}_{column.key}",
            format_func=escape_markdown,
        )
        if value != NOT_MAPPED:
            chosen[column.key] = value
    if "title" not in chosen or "status" not in chosen:
        st.warning("Bitte mindestens die Spalten für „Maßnahme“ und „Status“ wählen.")
        return None
    st.subheader(f"Werte der Spalte „{escape_markdown(chosen['status'])}“ zuordnen", anchor=False)
    values: dict[str, str] = {}
    status_options = list(STATUS_CODES)
    for value in columns.samples.get(chosen["status"], []):
        guess = suggested_status(value, remembered)
        values[value] = st.selectbox(
            f"„{escape_markdown(value)}“ bedeutet",
            status_options,
            index=status_options.index(guess),
            format_func=STATUS_LABELS.get,
            key=f"map_{shape}_value_{value}",
        )
    return ColumnMapping(chosen, values)


st.header("Neue Tabelle hochladen", anchor=False)
st.write(
    "Excel-Arbeitsmappe (.xlsx) oder CSV-Datei, höchstens 25 MB. Die Datei wird zuerst geprüft; erst nach "
    "„Diese Daten verwenden“ wird sie als neuer Stand gespeichert und auf allen Seiten gezeigt."
)
uploaded = (
    st.file_uploader("Tabelle hochladen", type=["xlsx", "csv"], key="upload") if ui.editors_only("Hochladen") else None
)
if uploaded is not None:
    source = ui.Source(uploaded.getvalue(), uploaded.name)
    try:
        show_check(source, ui.load_source(source))
    except LoadError as error:
        if error.columns_missing:
            st.warning(f"{escape_markdown(str(error))}\n\nBitte unten zuordnen, welche Spalte welche ist.")
        else:
            st.error(
                f"Die Datei wurde nicht übernommen. {escape_markdown(str(error))}\n\n"
                "Die bisherigen Daten bleiben unverändert."
            )
        if error.columns_missing:
            mapping = mapping_form(source)
            if mapping is not None:
                mapped = ui.Source(source.data, source.name, mapping)
                try:
                    show_check(mapped, ui.load_source(mapped))
                except LoadError as mapped_error:
                    st.error(escape_markdown(str(mapped_error)))

st.header("Gespeicherte Stände", anchor=False)
st.dataframe(snapshot_table(view.snapshots), hide_index=True)
with st.container(border=True):
    st.markdown(f"**{escape_markdown(view.snapshot.label)}** (wird angezeigt)")
    data, name = ui.store().original(view.snapshot.id)
    left, right = st.columns(2, vertical_alignment="bottom")
    left.download_button("Originaldatei herunterladen", data=data, file_name=name, icon=":material/download:")
    if ui.can_edit():
        with right.popover("Diesen Stand löschen", icon=":material/delete:"):
            st.write("Der Stand wird mit seiner Originaldatei endgültig gelöscht.")
            if st.button("Endgültig löschen", type="primary"):
                ui.delete_snapshot(view.snapshot)

def unit_names_section() -> None:
    """One name per organisational unit: the spellings that probably mean one unit, and the editors' merges.

    Separate from upload and stored Stände: a merge holds for every Stand (mayen_dash.units).
    """
    st.header("Organisationseinheiten", anchor=False)
    st.write(
        "Ähnliche Schreibweisen derselben Einheit (etwa „Zentralbereich“ und „Zentralbereich 1“) würden im Filter, "
        "in den Zahlen und im Bericht getrennt gezählt. Zusammengeführte Schreibweisen gelten für alle Stände; "
        "was das Blatt „Organisation“ einer Datei festlegt, bleibt für deren Texte bestehen."
    )
    editor = ui.can_edit()
    found = suggestions(view.report.measures)
    if not found:
        st.write("Im angezeigten Stand gibt es keine ähnlichen Schreibweisen.")
    else:
        st.markdown(
            f"**{format_count_noun(len(found), 'Hinweis', 'Hinweise')}** zum angezeigten Stand:"
        )
    for suggestion in found:
        key = "unit_" + hashlib.sha256("\x1f".join(suggestion.names).encode()).hexdigest()[:12]
        with st.container(border=True):
            st.markdown(escape_markdown(suggestion.message))
            if editor:
                left, right = st.columns([3, 1], vertical_alignment="bottom")
                into = left.selectbox(
                    "Gemeinsamer Name",
                    suggestion.names,
                    index=suggestion.names.index(suggestion.into),
                    key=f"{key}_into",
                )
                if right.button("Zusammenführen", key=f"{key}_merge"):
                    ui.merge_units(suggestion.names, into)
    if editor:
        with st.expander("Andere Einheiten zusammenführen"):
            chosen = st.multiselect(
                "Schreibweisen derselben Einheit", view.report.units, key="unit_manual", placeholder="wählen"
            )
            if len(chosen) >= 2:
                into = st.selectbox("Gemeinsamer Name", chosen, key="unit_manual_into")
                if st.button("Zusammenführen", key="unit_manual_merge"):
                    ui.merge_units(tuple(chosen), into)
    else:
        ui.editors_only("Zusammenführen")
    merged = ui.store().unit_names()
    if merged:
        st.subheader("Zusammengeführt", anchor=False)
        st.dataframe(names_frame(merged), hide_index=True)
        if editor:
            left, right = st.columns([3, 1], vertical_alignment="bottom")
            name = left.selectbox("Schreibweise", list(merged), key="unit_separate_name")
            if right.button("Wieder trennen", key="unit_separate"):
                ui.separate_unit(name)


unit_names_section()

st.header("Vorlage", anchor=False)
st.write("Eine leere Tabelle mit allen Spalten, den erlaubten Status-Werten und Hinweisen zum Ausfüllen.")
st.download_button(
    "Vorlage herunterladen (vorlage.xlsx)",
    data=TEMPLATE.read_bytes(),
    file_name="vorlage.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
)
