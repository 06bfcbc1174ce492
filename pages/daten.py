"""Daten: upload reports (several at once, any format the readers know, or pasted text), check them, store them.

A refused file never replaces the data in use. A readable table whose
Maßnahme or Status column is not recognised can be mapped by hand; the mapping
is remembered for the next file of the same shape.
"""

import datetime as dt
import hashlib
from dataclasses import replace

import streamlit as st

import ui
from mayen_dash.exports import findings_frame
from mayen_dash.formatting import escape_markdown, format_count, format_count_noun, format_date
from mayen_dash.loader import PASTED_NAME, preview
from mayen_dash.mappings import signature, suggested_column, suggested_status
from mayen_dash.metrics import shown_statuses, status_counts
from mayen_dash.model import FINDING_LABELS, ColumnMapping, LoadError, Report, by_code
from mayen_dash.readers import FORMATS, READABLE, limits_text
from mayen_dash.settings import TEMPLATE
from mayen_dash.store import snapshot_table
from mayen_dash.units import names_frame, suggestions
from mayen_dash.vocabulary import COLUMNS, STATUS_CODES, STATUS_LABELS

NOT_MAPPED = "—"
OTHER_DATE = "anderes Datum"
SAVE_ONE = "Diese Daten verwenden"
SAME_DATE_CHOICES = {"Ersetzen": "replace", "Beide behalten": "keep"}
FORMAT_NAMES = {f.key: f.name for f in FORMATS}

view = ui.current_view()

st.title("Daten", anchor=False)
st.markdown(
    f"Angezeigt wird **{escape_markdown(view.snapshot.label)}** mit "
    f"{format_count_noun(len(view.report.measures), 'Maßnahme', 'Maßnahmen')}"
    + (f"; Stichtag aus: {escape_markdown(view.report.report_date_source)}." if view.report.report_date_source else ".")
)


def status_line(report: Report) -> str:
    counts = status_counts(report.measures)
    return " · ".join(f"{format_count(counts[code])} {STATUS_LABELS[code]}" for code in shown_statuses(counts))


def ask_report_date(source: ui.Source, report: Report) -> dt.date | None:
    """The Stichtag of a file that names none: chosen from its suggestions or typed; never preset to today."""
    st.warning(
        "Die Datei nennt keinen Stichtag (weder im Blatt „Bericht“ noch in einer Titelzeile wie „Stand: 30.09.2024“ "
        "noch im Dateinamen). Bitte angeben, auf welchen Tag sich dieser Stand bezieht; ohne Stichtag wird er nicht "
        "gespeichert."
    )
    key = f"stichtag_{source.sha256}"
    suggested = {f"{format_date(date)} ({where})": date for date, where in report.date_suggestions}
    if suggested:
        choice = st.radio("Vorschläge aus der Datei", [*suggested, OTHER_DATE], index=None, key=f"{key}_vorschlag")
        if choice in suggested:
            return suggested[choice]
    return st.date_input("Stichtag dieses Stands", value=None, format="DD.MM.YYYY", key=key)


def same_date_policy(source: ui.Source, report_date: dt.date) -> str | None:
    """For a Stichtag already stored: replace that Stand or keep both (the user says which); "ask" if none is."""
    existing = [s for s in view.snapshots if s.report_date == report_date]
    if not existing:
        return "ask"
    st.info(
        f"Für den Stichtag {format_date(report_date)} ist bereits „{escape_markdown(existing[-1].file_name)}“ "
        "gespeichert."
    )
    choice = st.radio(
        "Was soll mit dem gespeicherten Stand geschehen?",
        list(SAME_DATE_CHOICES),
        index=None,
        key=f"gleicher_tag_{source.sha256}",
        horizontal=True,
    )
    return SAME_DATE_CHOICES.get(choice)


def check_file(source: ui.Source, report: Report) -> tuple[ui.Source, Report, str] | None:
    """What a file holds and what was noticed; the file with its Stichtag and policy once it can be stored."""
    stored = {s.sha256: s for s in view.snapshots}
    name = escape_markdown(source.name)
    kind = escape_markdown(FORMAT_NAMES.get(report.kind, report.kind))
    count = format_count_noun(len(report.measures), "Maßnahme", "Maßnahmen")
    st.success(f"Die Datei ist lesbar: {count} ({status_line(report)}). **{name}**, {kind}.")
    if report.warnings:
        st.warning(
            f"{format_count_noun(len(report.warnings), 'Hinweis', 'Hinweise')} zu einzelnen Zeilen. Die Zeilen werden "
            "trotzdem übernommen; bitte bei Gelegenheit in der Datei berichtigen."
        )
        with st.expander("Hinweise ansehen"):
            for code, group in by_code(report.warnings).items():
                st.subheader(f"{FINDING_LABELS[code]} ({format_count(len(group))})", anchor=False)
                ui.dataframe(findings_frame(group, code=False), hide_index=True)
    if source.sha256 in stored:
        st.info(f"Diese Datei ist schon gespeichert als {escape_markdown(stored[source.sha256].label)}.")
        return None
    if report.report_date is not None:
        st.write(f"Stichtag {format_date(report.report_date)}, gefunden: {escape_markdown(report.report_date_source)}.")
        report_date = report.report_date
    else:
        report_date = ask_report_date(source, report)
        if report_date is None:
            return None
    policy = same_date_policy(source, report_date)
    if policy is None:
        return None
    return (
        source,
        replace(
            report,
            report_date=report_date,
            report_date_source="von Hand eingetragen" if report.report_date is None else report.report_date_source,
        ),
        policy,
    )


def mapping_form(source: ui.Source) -> ColumnMapping | None:
    """Let the user say which column is which and what its status values mean."""
    columns = preview(source.data, source.name)
    if columns is None:
        return None
    shape = signature(columns.headers)
    remembered = ui.remembered_mapping(shape) or ColumnMapping()
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


def checked_source(source: ui.Source) -> tuple[ui.Source, Report, str] | None:
    """One uploaded file in its own box: refused, mapped by hand, or checked and ready to store."""
    with st.container(border=True):
        try:
            return check_file(source, ui.load_source(source))
        except LoadError as error:
            if not error.columns_missing:
                st.error(
                    f"„{escape_markdown(source.name)}“ wurde nicht übernommen. {escape_markdown(str(error))}\n\n"
                    "Die bisherigen Daten bleiben unverändert."
                )
                return None
            st.warning(f"{escape_markdown(str(error))}\n\nBitte unten zuordnen, welche Spalte welche ist.")
            mapping = mapping_form(source)
            if mapping is None:
                return None
            mapped = ui.Source(source.data, source.name, mapping)
            try:
                return check_file(mapped, ui.load_source(mapped))
            except LoadError as mapped_error:
                st.error(escape_markdown(str(mapped_error)))
                return None


def upload_section() -> None:
    """Upload several files or paste report text; each becomes its own Stand, stored only after the check."""
    st.header("Neue Berichte hochladen", anchor=False)
    st.write(
        f"Gelesen werden {READABLE}. {limits_text()} Mehrere Dateien auf einmal werden je ein eigener Stand "
        "mit eigenem Stichtag, etwa frühere Statusberichte. Alles wird zuerst geprüft und hier aufgelistet; erst nach "
        "„Speichern“ werden die Stände gespeichert und auf allen Seiten gezeigt."
    )
    if not ui.editors_only("Hochladen"):
        return
    # No type filter in the widget: its refusal would be English; the readers say in German what a file is.
    uploaded = st.file_uploader("Dateien hochladen", accept_multiple_files=True, key="upload", help=limits_text())
    sources = [ui.Source(file.getvalue(), file.name) for file in uploaded or []]
    with st.expander("Berichtstext einfügen (aus dem PDF kopiert)"):
        pasted = st.text_area(
            "Text des Statusberichts",
            key="pasted_report",
            height=200,
            help="Den ganzen Bericht im PDF markieren, kopieren und hier einfügen; Tabellenzeilen bleiben erhalten.",
        )
        if pasted.strip():
            sources.append(ui.Source(pasted.encode("utf-8"), PASTED_NAME))
    if not sources:
        return
    checked = [ready for source in sources if (ready := checked_source(source)) is not None]
    stored = {s.sha256 for s in view.snapshots}
    waiting = len(sources) - len(checked) - sum(source.sha256 in stored for source in sources)
    if not checked:
        return
    label = SAVE_ONE if len(checked) == 1 else f"Diese {len(checked)} Stände speichern"
    if waiting:
        st.caption(f"{format_count_noun(waiting, 'Datei wird', 'Dateien werden')} nicht gespeichert (siehe oben).")
    if st.button(
        label, type="primary", help="Speichert jede Datei als eigenen Stand; alle Seiten zeigen den neuesten."
    ):
        for source, _, _ in checked:
            if source.mapping:
                ui.remember_mapping(signature(preview(source.data, source.name).headers), source.mapping)
        ui.store_all(checked, uploaded or [])


def stored_section() -> None:
    """The stored Stände: download the shown one's file, correct its Stichtag, delete it."""
    st.header("Gespeicherte Stände", anchor=False)
    undated = [s for s in view.snapshots if s.report_date is None]
    if undated:
        st.warning(
            f"{format_count_noun(len(undated), 'Stand hat', 'Stände haben')} keinen Stichtag; "
            f"{'er wird' if len(undated) == 1 else 'sie werden'} nie von selbst angezeigt und fehlen im Verlauf. "
            "Bitte den Stand in der Seitenleiste wählen und hier seinen Stichtag eintragen."
        )
    ui.dataframe(snapshot_table(view.snapshots), hide_index=True)
    snapshot = view.snapshot
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(snapshot.label)}** (wird angezeigt)")
        left, right = st.columns(2, vertical_alignment="bottom")
        if stored_file := ui.original(snapshot):
            data, name = stored_file
            left.download_button("Originaldatei herunterladen", data=data, file_name=name, icon=":material/download:")
        if not ui.can_edit() or ui.store_unavailable():
            return
        with right.popover("Diesen Stand löschen", icon=":material/delete:"):
            st.write("Der Stand wird mit seiner Originaldatei endgültig gelöscht.")
            if st.button("Endgültig löschen", type="primary"):
                ui.delete_snapshot(snapshot)
        date_left, date_right = st.columns(2, vertical_alignment="bottom")
        corrected = date_left.date_input(
            "Stichtag des angezeigten Stands",
            value=snapshot.report_date,
            format="DD.MM.YYYY",
            key=f"korrektur_{snapshot.id}",
        )
        if date_right.button("Stichtag ändern", disabled=corrected in (None, snapshot.report_date)):
            ui.correct_report_date(snapshot, corrected)
        conflict = st.session_state.get(ui.keys.SAME_DATE)
        if conflict and conflict[0] == f"date:{snapshot.id}:{corrected}":
            st.warning(escape_markdown(conflict[1]))
            replace_it, keep = st.columns(2)
            if replace_it.button("Ersetzen", type="primary", key="datum_ersetzen"):
                ui.correct_report_date(snapshot, corrected, "replace")
            if keep.button("Beide behalten", key="datum_behalten"):
                ui.correct_report_date(snapshot, corrected, "keep")


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
    editor = ui.can_edit() and not ui.store_unavailable()
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
    merged = ui.unit_names()
    if merged:
        st.subheader("Zusammengeführt", anchor=False)
        ui.dataframe(names_frame(merged), hide_index=True)
        if editor:
            left, right = st.columns([3, 1], vertical_alignment="bottom")
            name = left.selectbox("Schreibweise", list(merged), key="unit_separate_name")
            if right.button("Wieder trennen", key="unit_separate"):
                ui.separate_unit(name)


upload_section()
stored_section()
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
