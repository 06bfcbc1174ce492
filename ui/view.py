"""The view every page draws: built once per run by app.py, read by the pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from mayen_dash import store
from mayen_dash.filters import Filters
from mayen_dash.formatting import escape_markdown, format_date
from mayen_dash.model import Report
from mayen_dash.store import Snapshot

from . import keys
from .data import show_store_banner, snapshot_report, snapshots
from .sidebar import sidebar_filters, snapshot_picker
from .signin import editor_sidebar


@dataclass(frozen=True)
class View:
    """What every page draws: the stored report shown, the filters in force and the measures they leave."""

    snapshot: Snapshot
    snapshots: list[Snapshot]
    report: Report
    filters: Filters
    measures: pd.DataFrame
    as_of: dt.date


def build_view() -> View:
    """Stand picker, filters and sign-in in the sidebar, and the measures they leave; called by app.py."""
    stored = snapshots()
    show_store_banner()
    snapshot = snapshot_picker(stored)
    report = snapshot_report(snapshot)
    filters = sidebar_filters(report)
    editor_sidebar()
    view = View(snapshot, stored, report, filters, filters.apply(report), filters.reference_date(report))
    st.session_state[keys.VIEW] = view
    return view


def current_view() -> View:
    """The view app.py built for this run; pages read it, they never rebuild it.

    On a server's very first visit through a deep link (/daten), Streamlit runs a file of
    pages/ on its own, in its legacy multipage mode, until some run has called
    st.navigation (streamlit#9446). Then there is no view yet: leave that mode and run
    again, through app.py, on the same page.
    """
    if keys.VIEW not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state[keys.VIEW]


def previous_snapshot(view: View) -> Snapshot | None:
    """The stored report before the one shown, for "changes since the last report"."""
    return store.previous_snapshot(view.snapshots, view.snapshot)


def filter_caption(view: View) -> str:
    """One line that says which data and which filter a page shows."""
    parts = [f"{view.report.title}, Stand {format_date(view.report.report_date) or 'unbekannt'}"]
    if described := view.filters.describe():
        parts.append(described)
    parts.append(f"Stichtag für „überfällig“: {format_date(view.as_of)}")
    return escape_markdown(" · ".join(parts))
