"""What editors do to the stored reports: store a checked file (and its mapping), answer a Stichtag conflict, delete."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from mayen_dash.formatting import escape_markdown, format_count_noun
from mayen_dash.model import ColumnMapping, Report
from mayen_dash.store import SameDateError, Snapshot, StoreError
from web.uploads import release

from . import keys
from .data import Source, store, store_unavailable
from .sidebar import show_snapshot
from .signin import can_edit


def _refused(action: str) -> bool:
    """Say in German why `action` is not done: not an editor, or the store is away (nothing could be written)."""
    if not can_edit():
        st.error(f"{action} ist nur für angemeldete Bearbeiter möglich.")
        return True
    if store_unavailable():
        st.error(f"{action} ist gerade nicht möglich: die Datenbank ist nicht erreichbar. Es wurde nichts geändert.")
        return True
    return False


def store_and_show(source: Source, report: Report, on_same_date: str = "ask", token: str = "") -> None:
    """Store an accepted file as a snapshot and switch every page to it.

    A second file for a stored Stichtag is not stored yet: the conflict is kept, under
    `token` (default: the file's hash), for `same_date_choice` to ask: replace or keep both.
    """
    if _refused("Speichern"):
        return
    try:
        result = store().add(source.data, source.name, report, source.mapping, on_same_date=on_same_date)
    except SameDateError as conflict:
        st.session_state[keys.SAME_DATE] = (token or source.sha256, str(conflict))
        st.rerun()
    except StoreError as error:
        st.error(escape_markdown(str(error)))
        return
    st.session_state.pop(keys.SAME_DATE, None)
    label = escape_markdown(result.snapshot.label)
    st.session_state[keys.NOTICE] = (
        f"Gespeichert und angezeigt: {label}."
        if result.created
        else f"Diese Datei ist schon gespeichert ({label}); sie wird jetzt angezeigt."
    )
    show_snapshot(result.snapshot.id)
    st.rerun()


def remember_mapping(shape: str, mapping: ColumnMapping) -> None:
    """Offer this column mapping again for the next file of this shape, on every app server of the installation."""
    try:
        store().remember_mapping(shape, mapping)
    except StoreError as error:
        st.warning(f"Die Zuordnung der Spalten konnte nicht gemerkt werden. {escape_markdown(str(error))}")


def store_all(checked: list[tuple[Source, Report, str]], uploads: Sequence[UploadedFile] = ()) -> None:
    """Store checked files, each with its Stichtag and same-date policy, then show the newest; one message.

    Once all are stored, the server lets go of the `uploads` they came from (web/uploads.py); a refused
    upload stays, so that the page still says why it was not stored.

    A file stored meanwhile (by another session, or as the bundled report of an empty store) is
    named as already stored, not as stored now. A refusal stops there and says what was stored before it.
    """
    if _refused("Speichern"):
        return
    stored: list[Snapshot] = []
    already: list[Snapshot] = []
    for source, report, policy in checked:
        try:
            result = store().add(source.data, source.name, report, source.mapping, on_same_date=policy)
        except StoreError as error:
            done = f" Davor gespeichert: {_labels(stored)}." if stored else ""
            st.error(f"„{escape_markdown(source.name)}“: {escape_markdown(str(error))}{done}")
            return
        (stored if result.created else already).append(result.snapshot)
    shown = max([*stored, *already], key=lambda s: (s.report_date or dt.date.min, s.uploaded_at))
    parts = []
    if len(stored) == 1 and not already:
        parts.append(f"Gespeichert und angezeigt: {escape_markdown(shown.label)}.")
    else:
        if stored:
            parts.append(f"Gespeichert: {format_count_noun(len(stored), 'Stand', 'Stände')} ({_labels(stored)}).")
        if already:
            parts.append(f"Schon gespeichert war: {_labels(already)}.")
        parts.append(f"Angezeigt wird {escape_markdown(shown.label)}.")
    st.session_state[keys.NOTICE] = " ".join(parts)
    stored_bytes = {source.sha256 for source, _report, _policy in checked}
    release(file for file in uploads if hashlib.sha256(file.getvalue()).hexdigest() in stored_bytes)
    show_snapshot(shown.id)
    st.rerun()


def _labels(snapshots: list[Snapshot]) -> str:
    return "; ".join(escape_markdown(s.label) for s in snapshots)


def correct_report_date(snapshot: Snapshot, report_date: dt.date, on_same_date: str = "ask") -> None:
    """Give a stored Stand its right Stichtag (editors only); the Stände re-sort by it."""
    if _refused("Ändern"):
        return
    try:
        changed = store().set_report_date(snapshot.id, report_date, on_same_date=on_same_date)
    except SameDateError as conflict:
        st.session_state[keys.SAME_DATE] = (f"date:{snapshot.id}:{report_date}", str(conflict))
        st.rerun()
    except StoreError as error:
        st.error(escape_markdown(str(error)))
        return
    st.session_state.pop(keys.SAME_DATE, None)
    st.session_state[keys.NOTICE] = f"Stichtag geändert: {escape_markdown(changed.label)}."
    show_snapshot(changed.id)
    st.rerun()


def delete_snapshot(snapshot: Snapshot) -> None:
    """Delete a stored report for good (editors only) and show the newest that is left."""
    if _refused("Löschen"):
        return
    try:
        store().delete(snapshot.id)
    except StoreError as error:
        st.error(escape_markdown(str(error)))
        return
    st.session_state[keys.NOTICE] = f"Gelöscht: {escape_markdown(snapshot.label)}."
    st.rerun()


def same_date_choice(source: Source, report: Report, token: str = "") -> bool:
    """If storing `source` met a stored Stichtag, ask: replace or keep both. True while asking."""
    token = token or source.sha256
    conflict = st.session_state.get(keys.SAME_DATE)
    if not conflict or conflict[0] != token:
        return False
    st.warning(escape_markdown(conflict[1]))
    left, right = st.columns(2)
    if left.button("Ersetzen", type="primary"):
        store_and_show(source, report, "replace", token)
    if right.button("Beide behalten"):
        store_and_show(source, report, "keep", token)
    return True


def show_notice() -> None:
    """The message of the last store or delete, once, on whatever page follows."""
    if notice := st.session_state.pop(keys.NOTICE, None):
        st.success(notice)


def merge_units(names: tuple[str, ...], into: str) -> None:
    """Let the spellings `names` count as the unit `into` in every Stand (editors only)."""
    if _refused("Zusammenführen"):
        return
    others = [n for n in names if n != into]
    try:
        store().merge_units(others, into)
    except StoreError as error:
        st.error(escape_markdown(str(error)))
        return
    listed = ", ".join(f"„{n}“" for n in others)
    st.session_state[keys.NOTICE] = escape_markdown(
        f"Zusammengeführt: {listed} {'zählt' if len(others) == 1 else 'zählen'} jetzt als „{into}“, in allen Ständen."
    )
    st.rerun()


def separate_unit(name: str) -> None:
    """Let the spelling `name` count as a unit of its own again (editors only)."""
    if _refused("Trennen"):
        return
    try:
        store().separate_unit(name)
    except StoreError as error:
        st.error(escape_markdown(str(error)))
        return
    st.session_state[keys.NOTICE] = escape_markdown(f"Getrennt: „{name}“ zählt wieder als eigene Einheit.")
    st.rerun()
