"""The data a page reads: uploaded files checked once per content, and the installation's stored reports.

Stored reports and comparisons come from mayen_dash.installation, shared by every session
and by the server's own routes; this module only adds Streamlit's spinners and the cache of
files being checked, which belong to the one session that uploaded them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from dataclasses import dataclass, field

import streamlit as st

from mayen_dash.diff import Comparison
from mayen_dash.filters import Filters
from mayen_dash.formatting import escape_markdown
from mayen_dash.installation import installation
from mayen_dash.loader import load_report
from mayen_dash.model import ColumnMapping, Report
from mayen_dash.normalize import visible
from mayen_dash.settings import time_zone
from mayen_dash.store import Snapshot, SnapshotStore, StoreError


@dataclass(frozen=True)
class Source:
    """The file the dashboard shows: its bytes, name and the column mapping it needs."""

    data: bytes
    name: str
    mapping: ColumnMapping = field(default_factory=ColumnMapping)
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", visible(self.name))  # shown on the page before it is stored
        object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())


@st.cache_data(max_entries=8, show_spinner="Datei wird geprüft …")
def _load_cached(sha256: str, name: str, mapping_key: str, _source: Source) -> Report:
    """Parse a file once per content: keyed by its hash, not its bytes, so a hit costs nothing."""
    return load_report(_source.data, name, mapping=_source.mapping)


def load_source(source: Source) -> Report:
    """The report of a file; raises LoadError with a German message when it is refused."""
    return _load_cached(source.sha256, source.name, source.mapping.key(), source)


def store() -> SnapshotStore:
    """The installation's snapshot store (MAYEN_DB_URL, else SQLite in MAYEN_DATA_DIR)."""
    return installation().store


def store_unavailable() -> bool:
    """Whether the store was away at its last use: the pages then only read what this server holds."""
    return installation().unavailable_since is not None


def show_store_banner() -> None:
    """At the top of every page while the store is away: what is shown, and that nothing can be changed."""
    since = installation().unavailable_since
    if since is None:
        return
    st.warning(
        f"Die Datenbank der gespeicherten Berichte ist seit {since.astimezone(time_zone()):%H:%M} Uhr nicht "
        "erreichbar. Angezeigt werden die Stände, die dieser Server noch im Speicher hat, nur zum Lesen: "
        "Hochladen, Bearbeiten, Zusammenführen und Löschen sind erst wieder möglich, wenn die Datenbank "
        "erreichbar ist. Die Seite versucht es bei jeder Aktion von selbst wieder.",
        icon=":material/cloud_off:",
    )


def original(snapshot: Snapshot) -> tuple[bytes, str] | None:
    """A Stand's stored file; None, with a German message in its place, while the store is away."""
    try:
        return installation().original(snapshot)
    except StoreError as error:
        st.warning(f"Die Originaldatei ist gerade nicht abrufbar. {escape_markdown(str(error))}")
        return None


def remembered_mapping(shape: str) -> ColumnMapping | None:
    """The column mapping chosen last for tables of this shape, on any app server; None also while the store is away."""
    try:
        return store().remembered_mapping(shape)
    except StoreError:
        return None


def unit_names() -> dict[str, str]:
    """The editors' unit merges (the last known while the store is away)."""
    return installation().unit_names()


def snapshots() -> list[Snapshot]:
    """Every stored report, oldest first; the bundled report is stored when there is none."""
    return installation().snapshots()


def snapshot_report(snapshot: Snapshot) -> Report:
    """The Report of a snapshot, with the Stichtag it was stored under."""
    shared = installation()
    if shared.has_report(snapshot):
        return shared.report(snapshot)
    with st.spinner("Bericht wird geladen …"):
        return shared.report(snapshot)


def comparison(older: Snapshot, newer: Snapshot, filters: Filters, unpaired: tuple[Hashable, ...] = ()) -> Comparison:
    """The changes between two stored reports under a filter (mayen_dash.installation caches them)."""
    with st.spinner("Stände werden verglichen …"):
        return installation().comparison(older, newer, filters, unpaired)
