"""The sidebar every page shares: the Stand shown and the filters, both mirrored into the URL; the site's links."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from mayen_dash.filters import PARAM_SNAPSHOT, PARAMS, Filters, from_params, snapshot_from_params
from mayen_dash.formatting import escape_markdown, format_date
from mayen_dash.model import Report
from mayen_dash.settings import site_info, time_zone
from mayen_dash.store import Snapshot, default_snapshot
from mayen_dash.vocabulary import STATUS_CODES, STATUS_LABELS

from . import keys

ACCESSIBILITY_PAGE = "pages/barrierefreiheit.py"


def show_snapshot(snapshot_id: int) -> None:
    """Switch every page to this snapshot on the next run (the picker widget is already drawn in this one)."""
    st.session_state[keys.PENDING_SNAPSHOT] = snapshot_id


def _params() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in (*PARAMS, PARAM_SNAPSHOT)}


def snapshot_picker(stored: list[Snapshot]) -> Snapshot:
    """The "Stand" select box: from a pending switch, else the link, else the newest."""
    state = st.session_state
    by_id = {s.id: s for s in stored}
    pending = state.pop(keys.PENDING_SNAPSHOT, None)
    if pending in by_id:
        state[keys.SNAPSHOT] = pending
    elif state.get(keys.SNAPSHOT) not in by_id:
        state[keys.SNAPSHOT] = snapshot_from_params(_params(), list(by_id)) or default_snapshot(stored).id
    st.sidebar.selectbox(
        "Stand",
        [s.id for s in reversed(stored)],
        format_func=lambda i: by_id[i].label,
        key=keys.SNAPSHOT,
        help="Welcher gespeicherte Bericht angezeigt wird; der neueste steht oben.",
    )
    snapshot = by_id[state[keys.SNAPSHOT]]
    # The select box cuts long file names; the caption wraps and shows the whole name.
    uploaded = snapshot.uploaded_at.astimezone(time_zone())
    st.sidebar.caption(escape_markdown(f"Datei {snapshot.file_name}, gespeichert am {uploaded:%d.%m.%Y um %H:%M} Uhr"))
    if snapshot.report_date is None:
        st.sidebar.warning(
            "Dieser Stand hat keinen Stichtag; „überfällig“ wird deshalb zum heutigen Tag berechnet. Bearbeiter "
            "tragen den Stichtag auf der Seite „Daten“ ein."
        )
    if st.query_params.get(PARAM_SNAPSHOT) != str(snapshot.id):
        st.query_params[PARAM_SNAPSHOT] = str(snapshot.id)
    return snapshot


def _seed_filters(report: Report) -> None:
    """Set the widgets from the link on a session's first run, or keep what still applies after an upload."""
    state = st.session_state
    if keys.FILTERS_FOR not in state:
        filters = from_params(_params(), report)
        if filters.ignored:
            state[keys.FILTERS_IGNORED] = filters.ignored
    else:
        filters = Filters(
            units=tuple(u for u in state.get(keys.UNITS, []) if u in report.units),
            areas=tuple(a for a in state.get(keys.AREAS, []) if a in report.areas),
            statuses=tuple(state.get(keys.STATUSES, [])),
            query=state.get(keys.QUERY, ""),
        )
    state[keys.UNITS] = list(filters.units)
    state[keys.AREAS] = list(filters.areas)
    state[keys.STATUSES] = list(filters.statuses)
    state[keys.QUERY] = filters.query
    state[keys.AS_OF] = filters.reference_date(report)
    state[keys.FILTERS_FOR] = report.sha256


def _set_today() -> None:
    st.session_state[keys.AS_OF] = dt.date.today()


def _reset_filters() -> None:
    for key in (keys.UNITS, keys.AREAS, keys.STATUSES):
        st.session_state[key] = []
    st.session_state[keys.QUERY] = ""


def sidebar_filters(report: Report) -> Filters:
    """The filters in the sidebar of every page, mirrored into the URL."""
    state = st.session_state
    if state.get(keys.FILTERS_FOR) != report.sha256:
        _seed_filters(report)
    sidebar = st.sidebar
    sidebar.header("Filter")
    # No "select all matches" row: with it, typing "Bereich 3.2" and Enter also takes "Bereich 3.2 und
    # Klimaschutz/Umwelt"; without it, Enter takes the best match only. An empty filter already means all.
    sidebar.multiselect(
        "Organisationseinheit",
        report.units,
        key=keys.UNITS,
        placeholder="alle",
        help="Maßnahmen, an denen die Einheit beteiligt ist (allein oder mit anderen).",
        select_all=False,
    )
    sidebar.multiselect("Handlungsfeld", report.areas, key=keys.AREAS, placeholder="alle", select_all=False)
    sidebar.multiselect(
        "Status",
        list(STATUS_CODES),
        format_func=STATUS_LABELS.get,
        key=keys.STATUSES,
        placeholder="alle",
        select_all=False,
    )
    sidebar.text_input(
        "Suche",
        key=keys.QUERY,
        placeholder="Titel, ID, Verantwortlichkeit, Anmerkung …",
        help="Sucht ohne Rücksicht auf Groß-/Kleinschreibung in ID, Maßnahme, "
        "Verantwortlichkeit, Zieldatum und Anmerkungen.",
    )
    left, right = sidebar.columns([3, 2], vertical_alignment="bottom")
    left.date_input(
        "Stichtag",
        key=keys.AS_OF,
        format="DD.MM.YYYY",
        help="Bezugsdatum für „überfällig“. Voreingestellt ist der Stichtag des Berichts"
        + (f" ({format_date(report.report_date)})." if report.report_date else "."),
    )
    right.button("Heute", on_click=_set_today, help="Stichtag auf das heutige Datum setzen")
    default = Filters().reference_date(report)
    as_of = state[keys.AS_OF] or default
    filters = Filters(
        units=tuple(state[keys.UNITS]),
        areas=tuple(state[keys.AREAS]),
        statuses=tuple(state[keys.STATUSES]),
        query=state[keys.QUERY].strip(),
        as_of=None if as_of == default else as_of,
    )
    if not filters.is_empty():
        sidebar.button("Filter zurücksetzen", on_click=_reset_filters)
    ignored = state.pop(keys.FILTERS_IGNORED, ())
    if ignored:
        values = ", ".join(value for _parameter, value in ignored)
        sidebar.warning("Aus dem Link nicht übernommen (in diesen Daten unbekannt): " + escape_markdown(values))
    _write_params(filters)
    return filters


def _write_params(filters: Filters) -> None:
    wanted = filters.to_params()
    for name in PARAMS:
        value = wanted.get(name)
        current = st.query_params.get_all(name)
        target = [value] if isinstance(value, str) else list(value or [])
        if current != target:
            if target:
                st.query_params[name] = target if len(target) > 1 else target[0]
            else:
                del st.query_params[name]


def site_links(shared: bool) -> None:
    """Impressum, Datenschutzerklärung (where configured) and Barrierefreiheit at the foot of the sidebar.

    A public body must link them from every page of a website it puts in front of others; on one's own
    machine (not shared) there is nobody to tell, and the page "Barrierefreiheit" is in the menu anyway.
    """
    if not shared:
        return
    site = site_info()
    sidebar = st.sidebar
    sidebar.divider()
    if site.impressum_url:
        sidebar.page_link(site.impressum_url, label="Impressum", icon=":material/info:")
    if site.privacy_url:
        sidebar.page_link(site.privacy_url, label="Datenschutzerklärung", icon=":material/privacy_tip:")
    sidebar.page_link(ACCESSIBILITY_PAGE, label="Barrierefreiheit", icon=":material/accessibility:")
