"""Streamlit glue shared by app.py and the pages: loading, the sidebar filters, small renderers.

Everything that computes lives in mayen_dash; this module only moves values
between Streamlit's session state, the URL and the package.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from mayen_dash.access import (
    HOW_TO_ENABLE_EDITING,
    OIDC,
    OPEN,
    PASSWORD,
    READ_ONLY,
    AccessPolicy,
    verify_password,
)
from mayen_dash.diff import Comparison, compare
from mayen_dash.filters import PARAM_SNAPSHOT, PARAMS, Filters, from_params, snapshot_from_params
from mayen_dash.formatting import escape_markdown, format_date
from mayen_dash.loader import load_report
from mayen_dash.model import ColumnMapping, Finding, Report
from mayen_dash.settings import BUNDLED_REPORT, data_dir
from mayen_dash.store import LOCAL_TIME, SameDateError, Snapshot, SnapshotStore, StoreError
from mayen_dash.vocabulary import STATUS_CODES, STATUS_LABELS

# Session-state keys of the sidebar widgets and of the data in use.
KEY_UNITS, KEY_AREAS, KEY_STATUSES, KEY_QUERY, KEY_AS_OF = (f"filter_{p}" for p in PARAMS)
KEY_SNAPSHOT = f"filter_{PARAM_SNAPSHOT}"
KEY_PENDING_SNAPSHOT = "pending_snapshot"
KEY_FILTERS_FOR = "filters_for_report"


@dataclass(frozen=True)
class Source:
    """The file the dashboard shows: its bytes, name and the column mapping it needs."""

    data: bytes
    name: str
    mapping: ColumnMapping = field(default_factory=ColumnMapping)
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())


@dataclass(frozen=True)
class View:
    """What every page draws: the stored report shown, the filters in force and the measures they leave."""

    snapshot: Snapshot
    snapshots: list[Snapshot]
    report: Report
    filters: Filters
    measures: pd.DataFrame
    as_of: dt.date


@st.cache_data(max_entries=8, show_spinner="Datei wird geprüft …")
def _load_cached(sha256: str, name: str, mapping_key: str, _source: Source) -> Report:
    """Parse a file once per content: keyed by its hash, not its bytes, so a hit costs nothing."""
    return load_report(_source.data, name, mapping=_source.mapping)


def load_source(source: Source) -> Report:
    """The report of a file; raises LoadError with a German message when it is refused."""
    return _load_cached(source.sha256, source.name, source.mapping.key(), source)


@st.cache_resource(show_spinner=False)
def _store(location: str) -> SnapshotStore:
    return SnapshotStore.from_environment()


def store() -> SnapshotStore:
    """The installation's snapshot store (MAYEN_DB_URL, else SQLite in MAYEN_DATA_DIR)."""
    return _store(os.environ.get("MAYEN_DB_URL") or str(data_dir().resolve()))


def snapshots() -> list[Snapshot]:
    """Every stored report, oldest first; the bundled report is stored when there is none."""
    found = store().snapshots()
    if not found:
        store().ensure_seeded(BUNDLED_REPORT)
        found = store().snapshots()
    return found


# Reports and comparisons are shared by all sessions (cache_resource, not cache_data): with a copy per
# session the server grew by about 200 MB per session at 100,000 measures, and a session stays two
# minutes after its tab is closed. They are read-only by convention; with pandas' copy-on-write, every
# frame derived from them is a new one.
@st.cache_resource(max_entries=16, show_spinner="Bericht wird geladen …")
def _snapshot_report(sha256: str, snapshot_id: int, report_date: dt.date | None, _store: SnapshotStore) -> Report:
    """A stored report, parsed from its original file once per content (stored files never change)."""
    data, name = _store.original(snapshot_id)
    report = load_report(data, name, mapping=_store.get(snapshot_id).mapping)
    return replace(report, report_date=report_date)


def snapshot_report(snapshot: Snapshot) -> Report:
    """The Report of a snapshot, with the Stichtag it was stored under."""
    return _snapshot_report(snapshot.sha256, snapshot.id, snapshot.report_date, store())


@st.cache_resource(max_entries=8, show_spinner="Stände werden verglichen …")
def comparison(older: Snapshot, newer: Snapshot, filters: Filters, unpaired: tuple[Hashable, ...] = ()) -> Comparison:
    """The changes between two stored reports under a filter, computed once per choice.

    `unpaired` names old rows whose close-title partner the user rejected. A Vergleich
    of two Land-wide lists takes a second or more; every other widget on the page
    would otherwise pay it again.
    """
    return compare(
        filters.apply(snapshot_report(older)),
        filters.apply(snapshot_report(newer)),
        dict.fromkeys(unpaired),
    )


def previous_snapshot(view: View) -> Snapshot | None:
    """The stored report before the one shown, for "changes since the last report"."""
    position = [s.id for s in view.snapshots].index(view.snapshot.id)
    return view.snapshots[position - 1] if position > 0 else None


def show_snapshot(snapshot_id: int) -> None:
    """Switch every page to this snapshot on the next run (the picker widget is already drawn in this one)."""
    st.session_state[KEY_PENDING_SNAPSHOT] = snapshot_id


def _params() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in (*PARAMS, PARAM_SNAPSHOT)}


def _snapshot_picker(stored: list[Snapshot]) -> Snapshot:
    """The "Stand" select box: from a pending switch, else the link, else the newest."""
    state = st.session_state
    by_id = {s.id: s for s in stored}
    pending = state.pop(KEY_PENDING_SNAPSHOT, None)
    if pending in by_id:
        state[KEY_SNAPSHOT] = pending
    elif state.get(KEY_SNAPSHOT) not in by_id:
        state[KEY_SNAPSHOT] = snapshot_from_params(_params(), list(by_id)) or stored[-1].id
    st.sidebar.selectbox(
        "Stand",
        [s.id for s in reversed(stored)],
        format_func=lambda i: by_id[i].label,
        key=KEY_SNAPSHOT,
        help="Welcher gespeicherte Bericht angezeigt wird; der neueste steht oben.",
    )
    snapshot = by_id[state[KEY_SNAPSHOT]]
    # The select box cuts long file names; the caption wraps and shows the whole name.
    uploaded = snapshot.uploaded_at.astimezone(LOCAL_TIME)
    st.sidebar.caption(escape_markdown(f"Datei {snapshot.file_name}, gespeichert am {uploaded:%d.%m.%Y um %H:%M} Uhr"))
    if st.query_params.get(PARAM_SNAPSHOT) != str(snapshot.id):
        st.query_params[PARAM_SNAPSHOT] = str(snapshot.id)
    return snapshot


def _seed_filters(report: Report) -> None:
    """Set the widgets from the link on a session's first run, or keep what still applies after an upload."""
    state = st.session_state
    if KEY_FILTERS_FOR not in state:
        filters = from_params(_params(), report)
        if filters.ignored:
            state["filters_ignored"] = filters.ignored
    else:
        filters = Filters(
            units=tuple(u for u in state.get(KEY_UNITS, []) if u in report.units),
            areas=tuple(a for a in state.get(KEY_AREAS, []) if a in report.areas),
            statuses=tuple(state.get(KEY_STATUSES, [])),
            query=state.get(KEY_QUERY, ""),
        )
    state[KEY_UNITS] = list(filters.units)
    state[KEY_AREAS] = list(filters.areas)
    state[KEY_STATUSES] = list(filters.statuses)
    state[KEY_QUERY] = filters.query
    state[KEY_AS_OF] = filters.as_of or report.report_date or dt.date.today()
    state[KEY_FILTERS_FOR] = report.sha256


def _set_today() -> None:
    st.session_state[KEY_AS_OF] = dt.date.today()


def _reset_filters() -> None:
    for key in (KEY_UNITS, KEY_AREAS, KEY_STATUSES):
        st.session_state[key] = []
    st.session_state[KEY_QUERY] = ""


def sidebar_filters(report: Report) -> Filters:
    """The filters in the sidebar of every page, mirrored into the URL."""
    state = st.session_state
    if state.get(KEY_FILTERS_FOR) != report.sha256:
        _seed_filters(report)
    sidebar = st.sidebar
    sidebar.header("Filter")
    # No "select all matches" row: with it, typing "Bereich 3.2" and Enter also takes "Bereich 3.2 und
    # Klimaschutz/Umwelt"; without it, Enter takes the best match only. An empty filter already means all.
    sidebar.multiselect(
        "Organisationseinheit",
        report.units,
        key=KEY_UNITS,
        placeholder="alle",
        help="Maßnahmen, an denen die Einheit beteiligt ist (allein oder mit anderen).",
        select_all=False,
    )
    sidebar.multiselect("Handlungsfeld", report.areas, key=KEY_AREAS, placeholder="alle", select_all=False)
    sidebar.multiselect(
        "Status",
        list(STATUS_CODES),
        format_func=STATUS_LABELS.get,
        key=KEY_STATUSES,
        placeholder="alle",
        select_all=False,
    )
    sidebar.text_input(
        "Suche",
        key=KEY_QUERY,
        placeholder="Titel, ID, Verantwortlichkeit, Anmerkung …",
        help="Sucht ohne Rücksicht auf Groß-/Kleinschreibung in ID, Maßnahme, "
        "Verantwortlichkeit, Zieldatum und Anmerkungen.",
    )
    left, right = sidebar.columns([3, 2], vertical_alignment="bottom")
    left.date_input(
        "Stichtag",
        key=KEY_AS_OF,
        format="DD.MM.YYYY",
        help="Bezugsdatum für „überfällig“. Voreingestellt ist der Stichtag des Berichts"
        + (f" ({format_date(report.report_date)})." if report.report_date else "."),
    )
    right.button("Heute", on_click=_set_today, help="Stichtag auf das heutige Datum setzen")
    as_of = state[KEY_AS_OF] or report.report_date or dt.date.today()
    filters = Filters(
        units=tuple(state[KEY_UNITS]),
        areas=tuple(state[KEY_AREAS]),
        statuses=tuple(state[KEY_STATUSES]),
        query=state[KEY_QUERY].strip(),
        as_of=None if as_of == (report.report_date or dt.date.today()) else as_of,
    )
    if not filters.is_empty():
        sidebar.button("Filter zurücksetzen", on_click=_reset_filters)
    ignored = state.pop("filters_ignored", ())
    if ignored:
        sidebar.warning(
            "Aus dem Link nicht übernommen (in diesen Daten unbekannt): " + escape_markdown(", ".join(ignored))
        )
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


def narrow(key: str, value: str) -> None:
    """Narrow one filter to a single value, as a click on a chart does."""
    st.session_state[key] = [value]


def build_view() -> View:
    stored = snapshots()
    snapshot = _snapshot_picker(stored)
    report = snapshot_report(snapshot)
    filters = sidebar_filters(report)
    editor_sidebar()
    view = View(snapshot, stored, report, filters, filters.apply(report), filters.reference_date(report))
    st.session_state["view"] = view
    return view


def current_view() -> View:
    """The view app.py built for this run; pages read it, they never rebuild it.

    On a server's very first visit through a deep link (/daten), Streamlit runs a file of
    pages/ on its own, in its legacy multipage mode, until some run has called
    st.navigation (streamlit#9446). Then there is no view yet: leave that mode and run
    again, through app.py, on the same page.
    """
    if "view" not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state["view"]


def findings_table(findings: list[Finding]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Blatt": f.sheet or "", "Zeile": f.row, "Spalte": f.column or "", "Hinweis": f.message} for f in findings],
        columns=["Blatt", "Zeile", "Spalte", "Hinweis"],
    )


def filter_caption(view: View) -> str:
    """One line that says which data and which filter a page shows."""
    parts = [f"{view.report.title}, Stand {format_date(view.report.report_date) or 'unbekannt'}"]
    f = view.filters
    if f.units:
        parts.append("Einheit: " + ", ".join(f.units))
    if f.areas:
        parts.append("Handlungsfeld: " + ", ".join(f.areas))
    if f.statuses:
        parts.append("Status: " + ", ".join(STATUS_LABELS[s] for s in f.statuses))
    if f.query:
        parts.append(f"Suche: „{f.query}“")
    parts.append(f"Stichtag für „überfällig“: {format_date(view.as_of)}")
    return escape_markdown(" · ".join(parts))


def _narrow_from_chart(chart_key: str, filter_key: str, index: int) -> None:
    """Callback of a clickable chart: narrow `filter_key` to the clicked element's value."""
    points = st.session_state[chart_key].selection.points
    values = []
    for point in points:
        data = point.get("customdata")
        value = data[index] if isinstance(data, list | tuple) else data
        if isinstance(value, str) and value and value not in values:
            values.append(value)
    if values:
        st.session_state[filter_key] = values


def view_figure(builder: Callable[..., go.Figure], *args: Hashable, **kwargs: Hashable) -> go.Figure:
    """`builder(view.measures, *args, **kwargs)` for the current view, built once and shared by all sessions.

    A plotly figure costs 20-80 ms of the one core that all sessions share. The same view in
    another tab, a page visited again, or the rerun after a click elsewhere on the page takes
    the figure from here; only a different Stand, filter or argument builds a new one.
    """
    view = current_view()
    return _view_figure(
        f"{builder.__module__}.{builder.__qualname__}",
        (view.snapshot.id, view.snapshot.sha256, view.filters),
        args,
        tuple(sorted(kwargs.items())),
        _builder=builder,
        _measures=view.measures,
    )


@st.cache_resource(max_entries=256, show_spinner=False)
def _view_figure(
    name: str,
    view_key: tuple[Hashable, ...],
    args: tuple[Hashable, ...],
    kwargs: tuple[tuple[str, Hashable], ...],
    *,
    _builder: Callable[..., go.Figure],
    _measures: pd.DataFrame,
) -> go.Figure:
    """Keyed by builder name, view and arguments; figures are read-only (st.plotly_chart copies them)."""
    return _builder(_measures, *args, **dict(kwargs))


def clickable_chart(figure, key: str, filter_key: str, index: int = 0, help: str = "") -> None:
    """A chart whose clicked bars or slices narrow the sidebar filter."""
    st.plotly_chart(
        figure,
        key=key,
        on_select=lambda: _narrow_from_chart(key, filter_key, index),
        selection_mode="points",
        config={"displaylogo": False, "locale": "de"},
    )
    if help:
        st.caption(help)


def chart(figure, help: str = "") -> None:
    st.plotly_chart(figure, config={"displaylogo": False, "locale": "de"})
    if help:
        st.caption(help)


KEY_SAME_DATE = "same_date_conflict"
KEY_NOTICE = "notice"


def store_and_show(source: Source, report: Report, on_same_date: str = "ask", token: str = "") -> None:
    """Store an accepted file as a snapshot and switch every page to it.

    A second file for a stored Stichtag is not stored yet: the conflict is kept, under
    `token` (default: the file's hash), for `same_date_choice` to ask: replace or keep both.
    """
    if not can_edit():
        st.error("Speichern ist nur für angemeldete Bearbeiter möglich.")
        return
    try:
        result = store().add(source.data, source.name, report, source.mapping, on_same_date=on_same_date)
    except SameDateError as conflict:
        st.session_state[KEY_SAME_DATE] = (token or source.sha256, str(conflict))
        st.rerun()
    except StoreError as error:
        st.error(escape_markdown(str(error)))
        return
    st.session_state.pop(KEY_SAME_DATE, None)
    label = escape_markdown(result.snapshot.label)
    st.session_state[KEY_NOTICE] = (
        f"Gespeichert und angezeigt: {label}."
        if result.created
        else f"Diese Datei ist schon gespeichert ({label}); sie wird jetzt angezeigt."
    )
    show_snapshot(result.snapshot.id)
    st.rerun()


def delete_snapshot(snapshot: Snapshot) -> None:
    """Delete a stored report for good (editors only) and show the newest that is left."""
    if not can_edit():
        st.error("Löschen ist nur für angemeldete Bearbeiter möglich.")
        return
    store().delete(snapshot.id)
    st.session_state[KEY_NOTICE] = f"Gelöscht: {escape_markdown(snapshot.label)}."
    st.rerun()


def same_date_choice(source: Source, report: Report, token: str = "") -> bool:
    """If storing `source` met a stored Stichtag, ask: replace or keep both. True while asking."""
    token = token or source.sha256
    conflict = st.session_state.get(KEY_SAME_DATE)
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
    if notice := st.session_state.pop(KEY_NOTICE, None):
        st.success(notice)


KEY_EDITOR = "editor_signed_in"
KEY_FAILED_LOGINS = "failed_logins"
MAX_FAILED_LOGINS = 5


def access() -> AccessPolicy:
    """This installation's rule for editors, read from the environment and .streamlit/secrets.toml."""
    try:
        secrets = st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml: nothing configured
        secrets = {}
    return AccessPolicy.from_settings(os.environ, secrets)


def can_edit() -> bool:
    """Whether this session may upload, edit, save and delete."""
    mode = access().mode
    if mode == OPEN:
        return True
    if mode == OIDC:
        return bool(st.user.is_logged_in)
    if mode == PASSWORD:
        return bool(st.session_state.get(KEY_EDITOR))
    return False


def _check_password() -> None:
    state = st.session_state
    if state.get(KEY_FAILED_LOGINS, 0) >= MAX_FAILED_LOGINS:
        return
    if verify_password(state.get("editor_password", ""), access().password_hash):
        state[KEY_EDITOR] = True
        state[KEY_FAILED_LOGINS] = 0
    else:
        state[KEY_FAILED_LOGINS] = state.get(KEY_FAILED_LOGINS, 0) + 1
    state["editor_password"] = ""


def _sign_out() -> None:
    st.session_state[KEY_EDITOR] = False


def editor_sidebar() -> None:
    """Sign in and out at the foot of the sidebar, as the installation's rule asks."""
    mode = access().mode
    sidebar = st.sidebar
    if mode == OPEN:
        return
    sidebar.divider()
    if mode == READ_ONLY:
        sidebar.caption("Nur Lesen: Bearbeiten ist auf dieser Installation nicht eingerichtet.")
    elif mode == OIDC:
        if st.user.is_logged_in:
            sidebar.caption(f"Angemeldet: {escape_markdown(str(st.user.get('name') or st.user.get('email') or ''))}")
            sidebar.button("Abmelden", on_click=st.logout)
        else:
            sidebar.button("Als Bearbeiter anmelden", on_click=st.login)
    elif st.session_state.get(KEY_EDITOR):
        sidebar.caption("Als Bearbeiter angemeldet.")
        sidebar.button("Abmelden", on_click=_sign_out)
    elif st.session_state.get(KEY_FAILED_LOGINS, 0) >= MAX_FAILED_LOGINS:
        sidebar.error("Zu viele falsche Kennwörter. Bitte die Seite später neu laden.")
    else:
        with sidebar.form("editor_login", clear_on_submit=True, border=False):
            st.text_input("Kennwort für Bearbeiter", type="password", key="editor_password")
            st.form_submit_button("Anmelden", on_click=_check_password)
        if st.session_state.get(KEY_FAILED_LOGINS):
            sidebar.warning("Das Kennwort stimmt nicht.")


def editors_only(action: str) -> bool:
    """True for an editor; for anyone else, say why `action` is not offered and how to get it."""
    if can_edit():
        return True
    if access().mode == READ_ONLY:
        st.info(f"{action}: {HOW_TO_ENABLE_EDITING}")
    else:
        st.info(f"{action} ist nur für angemeldete Bearbeiter möglich. Die Anmeldung steht unten im Seitenmenü.")
    return False
