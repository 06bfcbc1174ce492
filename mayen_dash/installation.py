"""One installation's store and the reports parsed from it, shared by every session, route and thread.

The dashboard's pages, the server's own routes (open data, calendars, health) and the
start-up warm-up all read the same stored reports. Parsing one takes about 1.7 s per
100,000 measures and holds it in memory once: a report must therefore be parsed once per
process and shared, never copied per session (with a copy per session the server grew by
about 200 MB per session at 100,000 measures).

Stored files never change, so a report is keyed by its snapshot's id, content hash and
Stichtag; the list of snapshots itself is read from the store on every call (one small
query), so that a Stand stored or deleted by another app server of the same database is
seen at the next run. When that list has changed, every cache built on reports here and in
the open data drops what belongs to a Stand no longer listed: a deleted Stand is never
served from memory, even to a caller that still holds its Snapshot, and its memory (a few
hundred MB at 100,000 measures) is released on every app server at its next run.

When the store cannot be reached, the reports parsed already stay readable: the installation
answers with the last list it read, cut to the Stände it holds in memory, and says since when
the store is away (`unavailable_since`), so that the pages can show it and refuse every write.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Generic, TypeVar

from .diff import Comparison, compare
from .filters import Filters
from .loader import load_report
from .model import Report
from .settings import BUNDLED_REPORT, data_dir
from .store import DB_URL_ENV, Snapshot, SnapshotStore, StoreError, StoreUnavailableError
from .units import merge_units

log = logging.getLogger(__name__)

# Reports kept per process: the Stand shown, the one before it and a few opened in Vergleich or Verlauf.
REPORTS_KEPT = 16
COMPARISONS_KEPT = 8
# Installations kept per process: one in production; tests open one per temporary data folder.
INSTALLATIONS_KEPT = 4

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SharedCache(Generic[K, V]):
    """A small LRU cache that computes each key once, even when many threads ask for it at the same moment.

    functools.lru_cache would let two sessions opening the same new Stand parse it twice
    side by side, doubling both the time and the peak memory of that moment.
    `size` counts entries, or whatever `weigh` says an entry costs (e.g. its bytes);
    a value that alone weighs more than `size` is returned but not kept.
    """

    def __init__(self, size: int, weigh: Callable[[V], int] | None = None) -> None:
        self._size = size
        self._weigh = weigh or (lambda _value: 1)
        self._weights: dict[K, int] = {}
        self._values: OrderedDict[K, V] = OrderedDict()
        self._locks: dict[K, threading.Lock] = {}
        self._lock = threading.Lock()

    def __contains__(self, key: K) -> bool:
        with self._lock:
            return key in self._values

    def get(self, key: K, compute: Callable[[], V]) -> V:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            key_lock = self._locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            try:
                value = compute()
            except BaseException:
                with self._lock:  # a refused request must not leave its lock behind (unbounded keys)
                    self._locks.pop(key, None)
                raise
            weight = self._weigh(value)
            with self._lock:
                self._locks.pop(key, None)
                if weight > self._size:
                    return value
                self._values[key] = value
                self._weights[key] = weight
                self._values.move_to_end(key)
                while sum(self._weights.values()) > self._size:
                    oldest, _ = self._values.popitem(last=False)
                    del self._weights[oldest]
            return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._weights.clear()

    def retain(self, keep: Callable[[K], bool]) -> None:
        """Drop every entry whose key `keep` refuses (a computation under way is not stopped)."""
        with self._lock:
            for key in [key for key in self._values if not keep(key)]:
                del self._values[key]
                del self._weights[key]


ReportKey = tuple[int, str, object]


def report_key(snapshot: Snapshot) -> ReportKey:
    """What a parsed report (and anything built from it) is cached under: stored files never change.

    Every cache built on reports puts it first in its keys, so that `Installation.forget_with` can drop a gone Stand's.
    """
    return (snapshot.id, snapshot.sha256, snapshot.report_date)


class Installation:
    """The stored reports of one installation, as every part of the server reads them."""

    def __init__(self, store: SnapshotStore) -> None:
        self.store = store
        # Keyed (report key, unit merges): () for the report as parsed.
        self._reports: SharedCache[tuple, Report] = SharedCache(REPORTS_KEPT)
        self._comparisons: SharedCache[tuple, Comparison] = SharedCache(COMPARISONS_KEPT)
        self._listed: frozenset[ReportKey] = frozenset()
        self._forgetters: list[Callable[[frozenset[ReportKey]], None]] = [self._forget]
        self._last_snapshots: list[Snapshot] = []
        self._last_names: tuple[tuple[str, str], ...] = ()
        self.unavailable_since: dt.datetime | None = None

    def _reached(self) -> None:
        self.unavailable_since = None

    def _missed(self) -> None:
        if self.unavailable_since is None:
            self.unavailable_since = dt.datetime.now(dt.UTC)
            log.warning("the store is unavailable; serving the reports in memory, read-only")

    def snapshots(self) -> list[Snapshot]:
        """Every stored report, oldest first; the bundled report is stored when there is none.

        While the store is unavailable: the Stände of the last list whose report is in memory;
        StoreUnavailableError only when there is none.
        """
        try:
            found = self.store.snapshots()
            if not found:
                self.store.ensure_seeded(BUNDLED_REPORT)
                found = self.store.snapshots()
        except StoreUnavailableError:
            self._missed()
            kept = [s for s in self._last_snapshots if self.has_report(s)]
            if not kept:
                raise
            return kept
        self._reached()
        self._last_snapshots = found
        listed = frozenset(map(report_key, found))
        if listed != self._listed:
            self._listed = listed
            for forget in self._forgetters:
                forget(listed)
        return found

    def forget_with(self, forget: Callable[[frozenset[ReportKey]], None]) -> None:
        """Call `forget(report keys listed now)` whenever the stored Stände have changed (here or on another server).

        For caches built on reports elsewhere (the open data), so that they drop a deleted Stand's
        entries when this installation's do.
        """
        self._forgetters.append(forget)

    def _forget(self, listed: frozenset[ReportKey]) -> None:
        self._reports.retain(lambda key: key[0] in listed)
        self._comparisons.retain(lambda key: key[0] in listed and key[1] in listed)

    def has_report(self, snapshot: Snapshot) -> bool:
        """Whether the report is parsed already (so that the page need not announce a wait)."""
        return (report_key(snapshot), ()) in self._reports

    def report(self, snapshot: Snapshot) -> Report:
        """The Report of a snapshot with the Stichtag it was stored under and the units as merged by the editors.

        Parsed once per process; the merged unit names are read from the store on every call
        (one small query), so that a merge made on one app server holds on all at once.
        """
        return self._merged(snapshot, self._unit_names())

    def _unit_names(self) -> tuple[tuple[str, str], ...]:
        """The editors' unit merges; while the store is unavailable, the ones read last."""
        try:
            names = tuple(sorted(self.store.unit_names().items()))
        except StoreUnavailableError:
            self._missed()
            return self._last_names
        self._last_names = names
        return names

    def unit_names(self) -> dict[str, str]:
        """Which unit spelling stands for which unit, as the editors merged them (the last known while unavailable)."""
        return dict(self._unit_names())

    def original(self, snapshot: Snapshot) -> tuple[bytes, str]:
        """The stored file of a Stand; StoreUnavailableError while the store is away (files are not kept here)."""
        try:
            return self.store.original(snapshot.id)
        except StoreUnavailableError:
            self._missed()
            raise

    def _merged(self, snapshot: Snapshot, names: tuple[tuple[str, str], ...]) -> Report:
        parsed = self._reports.get((report_key(snapshot), ()), lambda: self._parse(snapshot))
        if not names:
            return parsed
        return self._reports.get((report_key(snapshot), names), lambda: merge_units(parsed, dict(names)))

    def _parse(self, snapshot: Snapshot) -> Report:
        """The report in ready form if the store kept it, else parsed from the original and kept for next time."""
        report = self.store.derived_report(snapshot.id)
        if report is None:
            data, name = self.store.original(snapshot.id)
            report = load_report(data, name, mapping=snapshot.mapping)
            try:
                self.store.keep_derived(snapshot.id, report)
            except StoreError:
                log.warning("could not keep the ready form of Stand %s; it is parsed again next time", snapshot.id)
        if report.report_date == snapshot.report_date:
            return report
        # Given or corrected by an editor when it was stored (the file names another Stichtag, or none).
        source = "von Hand eingetragen" if snapshot.report_date else ""
        return replace(report, report_date=snapshot.report_date, report_date_source=source)

    def comparison(
        self, older: Snapshot, newer: Snapshot, filters: Filters, unpaired: tuple[Hashable, ...] = ()
    ) -> Comparison:
        """The changes between two stored reports under a filter, computed once per choice.

        `unpaired` names old rows whose close-title partner the user rejected. A Vergleich of
        two Land-wide lists takes a second or more; every widget on the page would pay it again.
        """
        names = self._unit_names()
        key = (report_key(older), report_key(newer), names, filters, unpaired)
        return self._comparisons.get(
            key,
            lambda: compare(
                filters.apply(self._merged(older, names)),
                filters.apply(self._merged(newer, names)),
                dict.fromkeys(unpaired),
            ),
        )


_installations: SharedCache[str, Installation] = SharedCache(INSTALLATIONS_KEPT)


def location() -> str:
    """Where this process's installation keeps its reports: MAYEN_DB_URL, else the data folder."""
    return os.environ.get(DB_URL_ENV) or str(data_dir().resolve())


def installation() -> Installation:
    """The installation of this process's environment, created on first use and shared afterwards."""
    return _installations.get(location(), lambda: Installation(SnapshotStore.from_environment()))
