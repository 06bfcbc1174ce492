"""The shared report cache: one parse per Stand, however many sessions ask at once; what other app servers change."""

import threading
import time

import pytest

from mayen_dash import installation as installation_module
from mayen_dash import store as store_module
from mayen_dash.filters import Filters
from mayen_dash.installation import Installation, SharedCache
from mayen_dash.loader import load_report
from mayen_dash.opendata import OpenData, OpenDataError, Settings
from mayen_dash.store import SnapshotNotFoundError, SnapshotStore, StoreUnavailableError
from tests.builders import BUNDLED, csv_bytes


def test_shared_cache_computes_a_key_once_under_concurrent_requests():
    cache: SharedCache[str, int] = SharedCache(size=2)
    calls = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("a", slow))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [42] * 8
    assert len(calls) == 1


def test_shared_cache_evicts_the_least_recently_used():
    cache: SharedCache[str, str] = SharedCache(size=2)
    cache.get("a", lambda: "A")
    cache.get("b", lambda: "B")
    cache.get("a", lambda: "A again")  # a is now the most recent
    cache.get("c", lambda: "C")
    assert "a" in cache
    assert "b" not in cache
    assert "c" in cache


@pytest.fixture
def shared(tmp_path):
    store = SnapshotStore(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield Installation(store)
    store.close()


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The names of the files parsed from their original bytes."""
    names: list[str] = []
    original = installation_module.load_report

    def counting(data, name, **kwargs):
        names.append(name)
        return original(data, name, **kwargs)

    monkeypatch.setattr(installation_module, "load_report", counting)
    return names


def test_first_visit_seeds_the_bundled_report_and_reads_it_without_parsing(shared, parsed):
    (snapshot,) = shared.snapshots()
    assert snapshot.file_name == BUNDLED.name
    first = shared.report(snapshot)
    assert shared.report(snapshot) is first
    assert parsed == []  # stored with its ready form
    assert len(first.measures) == 101


def test_without_a_ready_form_the_original_is_parsed_once_and_kept(shared, parsed, monkeypatch):
    (snapshot,) = shared.snapshots()
    monkeypatch.setattr(store_module.derived, "LOADER_VERSION", "a-newer-loader")
    report = shared.report(snapshot)
    assert parsed == [BUNDLED.name]
    assert len(report.measures) == 101
    restarted = Installation(shared.store)  # a new process: the report it needs is ready now
    restarted.report(snapshot)
    assert parsed == [BUNDLED.name]


def test_a_deleted_stand_is_no_longer_listed(shared):
    (snapshot,) = shared.snapshots()
    shared.report(snapshot)
    shared.store.delete(snapshot.id)
    listed = shared.snapshots()  # empty again: the bundled report is stored anew, under a new id
    assert [s.id for s in listed] != [snapshot.id]


def test_installation_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("MAYEN_DB_URL", raising=False)
    monkeypatch.setenv("MAYEN_DATA_DIR", str(tmp_path / "one"))
    one = installation_module.installation()
    assert installation_module.installation() is one
    monkeypatch.setenv("MAYEN_DATA_DIR", str(tmp_path / "two"))
    assert installation_module.installation() is not one


def test_shared_cache_by_weight_keeps_what_fits_and_returns_what_does_not():
    cache: SharedCache[str, bytes] = SharedCache(size=10, weigh=len)
    cache.get("a", lambda: b"aaaa")
    cache.get("b", lambda: b"bbbb")
    cache.get("c", lambda: b"cccc")  # 12 bytes: the oldest goes
    assert "a" not in cache
    assert "b" in cache
    assert "c" in cache
    huge = cache.get("d", lambda: b"d" * 11)
    assert huge == b"d" * 11
    assert "d" not in cache  # bigger than the whole cache: served, never kept
    assert "b" in cache


def test_shared_cache_keeps_nothing_of_a_key_whose_computation_failed():
    cache: SharedCache[str, int] = SharedCache(size=2)

    def refuse() -> int:
        raise ValueError("bad request")

    for key in ("a", "b", "c"):
        with pytest.raises(ValueError, match="bad request"):
            cache.get(key, refuse)
    assert "a" not in cache
    assert cache._locks == {}
    assert cache.get("a", lambda: 1) == 1


def test_merged_unit_names_hold_for_every_stand_at_once(shared):
    (bundled,) = shared.snapshots()
    rows = [["Maßnahme", "Status", "Verantwortlichkeit"], ["A", "offen", "Zentralbereich"], ["B", "offen", "ZB 1"]]
    data = csv_bytes(rows)
    newer = shared.store.add(data, "status_2023-06.csv", load_report(data, "status_2023-06.csv")).snapshot
    before = shared.report(bundled)
    assert "Zentralbereich" in before.units
    shared.store.merge_units(["Zentralbereich"], "Zentralbereich 1")
    for snapshot in (bundled, newer):
        assert "Zentralbereich" not in shared.report(snapshot).units
    assert shared.report(newer).units == ["Zentralbereich 1"]
    assert len(Filters(units=("Zentralbereich 1",)).apply(shared.report(bundled))) == 77
    comparison = shared.comparison(bundled, newer, Filters(units=("Zentralbereich 1",)))
    assert len(comparison.added) == 2
    shared.store.separate_unit("Zentralbereich")
    assert shared.report(bundled).units == before.units


def go_away(store: SnapshotStore, monkeypatch) -> None:
    """Every query of `store` fails as against a stopped database, until the test ends."""

    def unavailable(*_args, **_kwargs):
        raise StoreUnavailableError()

    for name in ("snapshots", "unit_names", "original", "derived_report", "ensure_seeded", "delete"):
        monkeypatch.setattr(store, name, unavailable)


def test_while_the_store_is_away_the_reports_in_memory_are_served_and_recovery_needs_no_restart(shared, monkeypatch):
    (bundled,) = shared.snapshots()
    rows = [["Maßnahme", "Status", "Verantwortlichkeit"], ["A", "offen", "Zentralbereich"]]
    data = csv_bytes(rows)
    newer = shared.store.add(data, "status_2023-06.csv", load_report(data, "status_2023-06.csv")).snapshot
    shared.store.merge_units(["Zentralbereich"], "Zentralbereich 1")
    shown = shared.report(bundled)  # only this one is parsed
    assert shared.unavailable_since is None
    with monkeypatch.context() as away:
        go_away(shared.store, away)
        assert shared.snapshots() == [bundled], "the Stand in memory, not the one never read"
        assert shared.unavailable_since is not None
        assert shared.report(bundled) is shown, "the units as merged before"
        assert shared.unit_names() == {"Zentralbereich": "Zentralbereich 1"}
        with pytest.raises(StoreUnavailableError):
            shared.report(newer)
        with pytest.raises(StoreUnavailableError):
            shared.original(bundled)
    assert [s.id for s in shared.snapshots()] == [bundled.id, newer.id]
    assert shared.unavailable_since is None
    assert shared.original(bundled)[1] == BUNDLED.name


def test_with_nothing_in_memory_an_unavailable_store_is_an_error(shared, monkeypatch):
    go_away(shared.store, monkeypatch)
    with pytest.raises(StoreUnavailableError):
        shared.snapshots()
    assert shared.unavailable_since is not None


@pytest.fixture
def two_servers(db_url):
    """Two app servers' installations on one database, each with a store (connections) of its own."""
    stores = [SnapshotStore(db_url), SnapshotStore(db_url)]
    yield tuple(Installation(store) for store in stores)
    for store in stores:
        store.close()


def add_report(store: SnapshotStore, name: str, *units: str):
    rows = [["Maßnahme", "Status", "Verantwortlichkeit"], *([f"Maßnahme {u}", "offen", u] for u in units)]
    data = csv_bytes(rows)
    return store.add(data, name, load_report(data, name)).snapshot


def test_a_stand_stored_or_deleted_on_one_server_is_seen_by_the_other_at_its_next_call(two_servers):
    one, other = two_servers
    (bundled,) = other.snapshots()
    data = OpenData(other, Settings())
    newer = add_report(one.store, "status_2023-06.csv", "Bereich 9")
    assert [s.id for s in other.snapshots()] == [bundled.id, newer.id]
    assert other.report(newer).units == ["Bereich 9"]
    served = data.measures({"stand": [str(newer.id)]}, "json")
    assert b"Bereich 9" in served.content
    comparison = other.comparison(bundled, newer, Filters())
    assert len(comparison.added) == 1
    assert one.store.delete(newer.id)
    assert [s.id for s in other.snapshots()] == [bundled.id]
    assert not other.has_report(newer)
    with pytest.raises(SnapshotNotFoundError):  # a session still holding the deleted Stand gets nothing from memory
        other.report(newer)
    with pytest.raises(SnapshotNotFoundError):
        other.comparison(bundled, newer, Filters())
    with pytest.raises(OpenDataError) as refused:
        data.measures({"stand": [str(newer.id)]}, "json")
    assert (refused.value.status, refused.value.allowed) == (400, [str(bundled.id)])
    assert all(key[0][0] != newer.id for key in data._bodies._values), "its documents left the memory"
    assert other.report(bundled) is other.report(bundled), "the Stände still stored stay parsed"


def test_unit_merges_made_on_one_server_hold_on_the_other_at_its_next_call(two_servers):
    one, other = two_servers
    (bundled,) = other.snapshots()
    assert "Zentralbereich" in other.report(bundled).units
    one.store.merge_units(["Zentralbereich"], "Zentralbereich 1")
    assert "Zentralbereich" not in other.report(bundled).units
    assert other.unit_names() == {"Zentralbereich": "Zentralbereich 1"}
    one.store.separate_unit("Zentralbereich")
    assert "Zentralbereich" in other.report(bundled).units
