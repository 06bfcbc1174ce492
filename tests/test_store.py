"""The snapshot store: the same tests against SQLite and a throwaway PostgreSQL.

`db_url` is an empty database of either kind, `store` a SnapshotStore on it.
PostgreSQL is started once per session (tests/postgres.py); every test gets a
database of its own. Without a server the PostgreSQL half is skipped with the
cause, or fails when MAYEN_REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from mayen_dash import store as store_module
from mayen_dash.access import FAILURE_WINDOW, SignInFailures
from mayen_dash.loader import load_report
from mayen_dash.model import ColumnMapping, Report
from mayen_dash.store import (
    UNDATED,
    AddResult,
    MissingDateError,
    SameDateError,
    Snapshot,
    SnapshotNotFoundError,
    SnapshotStore,
    StoreError,
    StoreRefusedError,
    StoreUnavailableError,
    default_snapshot,
    measures_table,
    previous_snapshot,
    snapshots_table,
)
from tests.builders import BUNDLED, FLAT_HEADER, ROOT, csv_bytes

E_GOV = "E-Government und Onlinezugangsgesetz"
WISSEN = "Innovatives Wissen"


@pytest.fixture
def store(db_url: str):
    snapshot_store = SnapshotStore(db_url)
    yield snapshot_store
    snapshot_store.close()


def measure(identifier: str, status: str = "erledigt", area: str = E_GOV, **fields: str) -> list[str]:
    """A row under FLAT_HEADER."""
    return [
        identifier,
        area,
        fields.get("group", "Bürger"),
        fields.get("title", f"Maßnahme {identifier}"),
        status,
        fields.get("responsible", "Zentralbereich 1"),
        fields.get("target", "2023"),
        fields.get("remarks", ""),
    ]


def report_file(
    stamp: str | None, *rows: list[str], name: str | None = None, mapping: ColumnMapping | None = None
) -> tuple[bytes, str, Report]:
    """A CSV report (deterministic bytes) whose Stichtag comes from the file name, e.g. stamp "2023-06"."""
    name = name or (f"status_{stamp}.csv" if stamp else "massnahmen.csv")
    data = csv_bytes([FLAT_HEADER, *(rows or [measure("EG-1")])])
    return data, name, load_report(data, name, mapping)


def add_undated(store: SnapshotStore, *rows: list[str], name: str) -> Snapshot:
    """A Stand without Stichtag written straight into the tables, as an older installation stored it."""
    data, name, report = report_file(None, *rows, name=name)
    measure_rows = store_module._measure_rows(report.measures, dates_as_text=store.url.get_backend_name() == "sqlite")
    with store._writing() as connection:
        snapshot_id = connection.execute(
            snapshots_table.insert().values(
                report_date=None,
                file_name=name,
                uploaded_at=store_module._now(),
                sha256=hashlib.sha256(data).hexdigest(),
                measure_count=len(measure_rows),
                mapping=store_module._mapping_json(None),
                original=data,
            )
        ).inserted_primary_key[0]
        store_module._insert_measures(connection, snapshot_id, measure_rows)
    return store.get(snapshot_id)


def count_rows(store: SnapshotStore, table: sa.Table) -> int:
    with store._engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def assert_same_measures(stored: pd.DataFrame, report: Report) -> None:
    pd.testing.assert_frame_equal(stored.reset_index(drop=True), report.measures.reset_index(drop=True))


# -- round trip ---------------------------------------------------------------------------------


def test_bundled_report_round_trips(store):
    data = BUNDLED.read_bytes()
    report = load_report(data, BUNDLED.name)
    before = dt.datetime.now(dt.UTC)

    result = store.add(data, BUNDLED.name, report)

    snapshot = result.snapshot
    assert result.created
    assert result.replaced is None
    assert snapshot.report_date == dt.date(2022, 8, 31)
    assert snapshot.file_name == "status_2022-08.xlsx"
    assert snapshot.sha256 == report.sha256
    assert snapshot.measure_count == 101
    assert snapshot.mapping == ColumnMapping()
    assert snapshot.uploaded_at.tzinfo is not None
    assert snapshot.uploaded_at.utcoffset() == dt.timedelta(0)
    assert before - dt.timedelta(seconds=1) <= snapshot.uploaded_at <= dt.datetime.now(dt.UTC)
    assert store.get(snapshot.id) == snapshot
    assert store.snapshots() == [snapshot]
    assert count_rows(store, measures_table) == 101
    assert_same_measures(store.measures(snapshot.id), report)
    assert store.original(snapshot.id) == (data, BUNDLED.name)


def test_tricky_values_and_the_mapping_round_trip(store):
    mapping = ColumnMapping(columns={"title": "Maßnahme"}, status_values={"fertig": "erledigt"})
    data, name, report = report_file(
        "2023-06",
        measure(
            "EG-1",
            "fertig",
            title="Antrag „online“ – Größe ß 'x' \"y\"",
            responsible="Bereich 2.1, Zentralbereich 1; FB 3",
            target="Q3/2023",
            remarks="Anmerkung; mit ; Semikolon\nund Zeilenumbruch",
        ),
        measure("X-2", "laufend", area="Sonderfeld Ökologie", group="", responsible="", target="laufend"),
        measure("X-3", "irgendwas", area=WISSEN, target=""),
        mapping=mapping,
    )
    m = report.measures
    # The file must exercise what could break: several units, no date, ongoing, a foreign area, an unknown status.
    assert m.loc[0, "units"] == ("Bereich 2.1", "Zentralbereich 1", "Fachbereich 3")
    assert m.loc[1, "units"] == ()
    assert m["ongoing"].any()
    assert m["due"].isna().any()
    assert list(m["area"].cat.categories) == [E_GOV, WISSEN, "Sonderfeld Ökologie"]
    assert list(m["status"]) == ["erledigt", "laufend", "unbekannt"]

    snapshot = store.add(data, name, report, mapping).snapshot

    assert snapshot.mapping == mapping
    assert store.get(snapshot.id).mapping == mapping
    stored = store.measures(snapshot.id)
    assert_same_measures(stored, report)
    assert list(stored["status"].cat.categories) == list(m["status"].cat.categories)
    assert stored.loc[0, "units"] == ("Bereich 2.1", "Zentralbereich 1", "Fachbereich 3")


# -- duplicates and the Stichtag ------------------------------------------------------------------


def test_same_content_is_stored_once_whatever_its_name(store):
    data, name, report = report_file("2023-06")
    first = store.add(data, name, report)

    again = store.add(data, name, report)
    renamed = store.add(data, "kopie.csv", load_report(data, "kopie.csv"), on_same_date="keep")

    assert again == AddResult(first.snapshot, created=False)
    assert renamed == AddResult(first.snapshot, created=False)
    assert store.snapshots() == [first.snapshot]
    assert count_rows(store, measures_table) == 1


def test_second_file_for_a_stichtag_is_asked_about(store):
    first = store.add(*report_file("2023-06", measure("EG-1")))
    data, name, report = report_file("2023-06", measure("EG-1", "offen"), name="status_2023-06-30.csv")

    with pytest.raises(SameDateError) as raised:
        store.add(data, name, report)

    assert raised.value.existing == first.snapshot
    assert isinstance(raised.value, StoreError)
    message = str(raised.value)
    assert "30.06.2023" in message
    assert "status_2023-06.csv" in message
    assert store.snapshots() == [first.snapshot]
    assert count_rows(store, measures_table) == 1


def test_replace_swaps_the_snapshot_of_that_date(store):
    first = store.add(*report_file("2023-06", measure("EG-1"), measure("EG-2")))
    other = store.add(*report_file("2023-05"))
    data, name, report = report_file("2023-06", measure("EG-1", "offen"), name="status_2023-06-30.csv")

    result = store.add(data, name, report, on_same_date="replace")

    assert result.created
    assert result.replaced == first.snapshot
    assert store.snapshots() == [other.snapshot, result.snapshot]
    assert_same_measures(store.measures(result.snapshot.id), report)
    with pytest.raises(SnapshotNotFoundError):
        store.measures(first.snapshot.id)
    with pytest.raises(SnapshotNotFoundError):
        store.original(first.snapshot.id)
    assert count_rows(store, measures_table) == 2  # one each; the replaced two are gone


def test_keep_stores_both_and_asks_about_the_newest(store):
    first = store.add(*report_file("2023-06", measure("EG-1")))
    second = store.add(*report_file("2023-06", measure("EG-2"), name="status_2023-06-30.csv"), on_same_date="keep")

    assert second.created
    assert second.replaced is None
    assert store.snapshots() == [first.snapshot, second.snapshot]
    with pytest.raises(SameDateError) as raised:
        store.add(*report_file("2023-06", measure("EG-3"), name="juni_2023-06.csv"))
    assert raised.value.existing == second.snapshot


def test_a_new_report_without_stichtag_is_refused_and_nothing_is_stored(store):
    data, name, report = report_file(None, name="massnahmen.csv")
    assert report.report_date is None

    with pytest.raises(MissingDateError) as raised:
        store.add(data, name, report, on_same_date="keep")

    assert isinstance(raised.value, StoreError)
    assert "keinen Stichtag" in str(raised.value)
    assert store.snapshots() == []
    assert count_rows(store, measures_table) == 0


def test_content_already_stored_is_found_even_without_its_stichtag(store):
    data, name, report = report_file("2023-06")
    first = store.add(data, name, report)
    assert store.add(data, "kopie.csv", load_report(data, "kopie.csv")) == AddResult(first.snapshot, created=False)


def test_undated_stands_of_an_older_installation_never_collide(store):
    first = add_undated(store, measure("EG-1"), name="a.csv")
    second = add_undated(store, measure("EG-2"), name="b.csv")
    dated = store.add(*report_file("2023-06", measure("EG-3")))

    assert first.report_date is None
    assert UNDATED in first.label
    assert store.snapshots() == [dated.snapshot, first, second]
    assert store.latest() == dated.snapshot  # never an undated Stand while one has a Stichtag


def test_a_stichtag_corrected_re_sorts_the_stands(store):
    undated = add_undated(store, measure("EG-1"), name="a.csv")
    june = store.add(*report_file("2023-06", measure("EG-2"))).snapshot

    corrected = store.set_report_date(undated.id, dt.date(2023, 5, 31))

    assert corrected.report_date == dt.date(2023, 5, 31)
    assert store.snapshots() == [corrected, june]
    assert store.latest() == june


def test_correcting_a_stichtag_to_one_already_stored_asks_replaces_or_keeps(store):
    may = store.add(*report_file("2023-05", measure("EG-1"))).snapshot
    june = store.add(*report_file("2023-06", measure("EG-2"))).snapshot
    undated = add_undated(store, measure("EG-3"), name="c.csv")

    with pytest.raises(SameDateError) as raised:
        store.set_report_date(undated.id, dt.date(2023, 6, 30))
    assert raised.value.existing == june
    assert store.get(undated.id).report_date is None

    kept = store.set_report_date(undated.id, dt.date(2023, 6, 30), on_same_date="keep")
    assert [s.id for s in store.snapshots()] == [may.id, june.id, kept.id]

    store.set_report_date(may.id, dt.date(2023, 6, 30), on_same_date="replace")
    assert [s.id for s in store.snapshots()] == [may.id, june.id]  # the later upload of that day is gone
    with pytest.raises(SnapshotNotFoundError):
        store.set_report_date(kept.id, dt.date(2023, 7, 31))


def test_default_and_previous_stand():
    def stand(number: int, day: dt.date | None) -> Snapshot:
        return Snapshot(number, day, f"{number}.csv", dt.datetime(2024, 1, 1, tzinfo=dt.UTC), "", 1, ColumnMapping())

    may, june, undated = stand(1, dt.date(2023, 5, 31)), stand(2, dt.date(2023, 6, 30)), stand(3, None)
    assert default_snapshot([may, june, undated]) == june
    assert default_snapshot([undated]) == undated
    assert previous_snapshot([may, june, undated], june) == may
    assert previous_snapshot([may, june, undated], may) is None


def test_add_refuses_what_it_cannot_mean(store):
    data, name, report = report_file("2023-06")
    with pytest.raises(ValueError, match="sha256"):
        store.add(data + b"\r\n", name, report)
    with pytest.raises(ValueError, match="on_same_date"):
        store.add(data, name, report, on_same_date="overwrite")  # type: ignore[arg-type]
    assert store.snapshots() == []


# -- order and reading ------------------------------------------------------------------------------


def test_snapshots_are_ordered_by_stichtag_undated_last_then_upload_time(store, monkeypatch):
    clock = iter(dt.datetime(2024, 1, day, 12, 0, tzinfo=dt.UTC) for day in (5, 1, 4, 2, 3))
    monkeypatch.setattr(store_module, "_now", lambda: next(clock))

    june = store.add(*report_file("2023-06", measure("A")))  # uploaded 5 Jan
    undated_late = add_undated(store, measure("B"), name="b.csv")  # 1 Jan
    december = store.add(*report_file("2022-12", measure("C")))  # 4 Jan
    june_again = store.add(*report_file("2023-06", measure("D"), name="d_2023-06.csv"), on_same_date="keep")  # 2 Jan
    undated_early = add_undated(store, measure("E"), name="e.csv")  # 3 Jan

    order = [december.snapshot, june_again.snapshot, june.snapshot, undated_late, undated_early]
    assert [s.id for s in store.snapshots()] == [s.id for s in order]
    assert store.latest() == june.snapshot  # the newest Stichtag, its later upload; undated ones never
    assert june_again.snapshot.uploaded_at == dt.datetime(2024, 1, 2, 12, 0, tzinfo=dt.UTC)
    assert store.get(june.snapshot.id).uploaded_at == dt.datetime(2024, 1, 5, 12, 0, tzinfo=dt.UTC)

    store.delete(june.snapshot.id)
    assert store.latest() == june_again.snapshot


def test_an_empty_store(store):
    assert store.snapshots() == []
    assert store.latest() is None
    history = store.status_history()
    assert list(history.columns) == ["snapshot_id", "report_date", "area", "status", "count"]
    assert history.empty
    with pytest.raises(SnapshotNotFoundError) as raised:
        store.get(1)
    assert isinstance(raised.value, LookupError)
    assert "existiert nicht" in str(raised.value)
    with pytest.raises(SnapshotNotFoundError):
        store.measures(1)


def test_status_history_counts_in_sql(store):
    bundled = store.add(BUNDLED.read_bytes(), BUNDLED.name, load_report(BUNDLED)).snapshot
    june = store.add(
        *report_file(
            "2023-06",
            measure("A", "erledigt"),
            measure("B", "erledigt"),
            measure("C", "offen"),
            measure("D", "offen", area=WISSEN),
        )
    ).snapshot
    undated = add_undated(store, measure("A", "laufend", area=WISSEN), name="massnahmen.csv")

    history = store.status_history()

    assert str(history["report_date"].dtype) == "datetime64[s]"
    assert list(history["status"].cat.categories) == list(store.measures(june.id)["status"].cat.categories)
    rows = [tuple(r) for r in history[history["snapshot_id"] != bundled.id].astype(object).itertuples(index=False)]
    assert rows == [
        (june.id, pd.Timestamp("2023-06-30"), E_GOV, "erledigt", 2),
        (june.id, pd.Timestamp("2023-06-30"), E_GOV, "offen", 1),
        (june.id, pd.Timestamp("2023-06-30"), WISSEN, "offen", 1),
        (undated.id, pd.NaT, WISSEN, "laufend", 1),
    ]
    # The bundled report's counts agree with counting its measures in pandas.
    measures = store.measures(bundled.id)
    expected = measures.groupby(["area", "status"], observed=True).size()
    mine = history[history["snapshot_id"] == bundled.id]
    got = mine.set_index([mine["area"].astype(str), mine["status"].astype(str)])["count"]
    assert got.sort_index().to_dict() == {(str(a), str(s)): n for (a, s), n in expected.items() if n}
    assert mine["count"].sum() == 101
    assert list(history["snapshot_id"].drop_duplicates()) == [bundled.id, june.id, undated.id]


# -- atomicity ------------------------------------------------------------------------------------


def _fail_after_snapshot_row(monkeypatch) -> list[int]:
    """Make the measure insert fail, after checking that the snapshot row is already inserted."""
    seen: list[int] = []

    def failing_insert(connection, _snapshot_id, _rows):
        seen.append(connection.execute(sa.select(sa.func.count()).select_from(snapshots_table)).scalar_one())
        raise RuntimeError("disk full, say")

    monkeypatch.setattr(store_module, "_insert_measures", failing_insert)
    return seen


def test_a_failure_mid_add_leaves_the_store_as_it_was(store, monkeypatch):
    first = store.add(*report_file("2023-05", measure("A"), measure("B")))
    seen = _fail_after_snapshot_row(monkeypatch)
    data, name, report = report_file("2023-06", measure("C"))

    with pytest.raises(RuntimeError, match="disk full"):
        store.add(data, name, report)

    assert seen == [2]  # the new snapshot row existed inside the transaction
    assert store.snapshots() == [first.snapshot]
    assert count_rows(store, snapshots_table) == 1
    assert count_rows(store, measures_table) == 2
    monkeypatch.undo()
    assert store.add(data, name, report).created  # the hash is not blocked by the failed attempt


def test_a_failed_replace_keeps_the_old_snapshot(store, monkeypatch):
    data, name, report = report_file("2023-06", measure("A"), measure("B"))
    first = store.add(data, name, report)
    _fail_after_snapshot_row(monkeypatch)

    with pytest.raises(RuntimeError):
        store.add(*report_file("2023-06", measure("C"), name="neu_2023-06.csv"), on_same_date="replace")

    assert store.snapshots() == [first.snapshot]
    assert_same_measures(store.measures(first.snapshot.id), report)
    assert store.original(first.snapshot.id) == (data, name)


def _refused_by_the_database(connection: sa.Connection, _snapshot_id: int, _rows) -> None:
    """A value the database itself refuses: a text over SQLite's length limit, a cast PostgreSQL rejects."""
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        limit = driver.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 10)
        try:
            connection.execute(sa.text("SELECT :long"), {"long": "x" * 100})
        finally:
            driver.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)
    else:
        connection.execute(sa.text("SELECT CAST('x' AS INTEGER)"))


def test_a_value_the_database_refuses_is_a_german_refusal_and_changes_nothing(store, monkeypatch):
    first = store.add(*report_file("2023-05", measure("A"), measure("B")))
    monkeypatch.setattr(store_module, "_insert_measures", _refused_by_the_database)

    with pytest.raises(StoreRefusedError, match="nichts gespeichert") as refused:
        store.add(*report_file("2023-06", measure("C")))

    assert isinstance(refused.value.__cause__, sa.exc.DataError)
    assert store.snapshots() == [first.snapshot]
    assert count_rows(store, measures_table) == 2


def test_control_characters_leave_the_file_name(store):
    data, _name, report = report_file("2023-06", measure("A"))

    added = store.add(data, "status\x00_2023-06\u202e.csv", report)

    assert added.snapshot.file_name == "status_2023-06.csv"
    assert store.original(added.snapshot.id) == (data, "status_2023-06.csv")


def test_delete_removes_snapshot_measures_and_file(store):
    first = store.add(*report_file("2023-05", measure("A"), measure("B")))
    second = store.add(*report_file("2023-06", measure("C")))

    assert store.delete(first.snapshot.id) is True
    assert store.delete(first.snapshot.id) is False

    assert store.snapshots() == [second.snapshot]
    assert count_rows(store, measures_table) == 1
    with pytest.raises(SnapshotNotFoundError):
        store.get(first.snapshot.id)


def test_ids_are_not_reused_after_a_delete(store):
    first = store.add(*report_file("2023-05", measure("A")))
    second = store.add(*report_file("2023-06", measure("B")))
    store.delete(second.snapshot.id)

    third = store.add(*report_file("2023-07", measure("C")))

    assert third.snapshot.id > second.snapshot.id > first.snapshot.id
    with pytest.raises(SnapshotNotFoundError):
        store.get(second.snapshot.id)


# -- concurrency ------------------------------------------------------------------------------------


def _run_threads(targets) -> tuple[list, list[BaseException]]:
    """Start all targets at the same moment; collect their results and exceptions."""
    barrier = threading.Barrier(len(targets))
    results: list = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(target):
        barrier.wait()
        try:
            value = target()
        except BaseException as error:
            with lock:
                errors.append(error)
        else:
            with lock:
                results.append(value)

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def test_concurrent_adds_from_threads(store):
    different = [report_file(f"2023-{month:02d}", measure(f"M{month}")) for month in range(1, 9)]
    same = report_file("2024-01", measure("S"))
    targets = [lambda f=f: store.add(*f) for f in different] + [lambda: store.add(*same)] * 8

    results, errors = _run_threads(targets)

    assert errors == []
    assert len(store.snapshots()) == 9
    assert sum(r.created for r in results) == 9
    same_results = [r for r in results if r.snapshot.sha256 == same[2].sha256]
    assert len(same_results) == 8
    assert sum(r.created for r in same_results) == 1
    assert len({r.snapshot.id for r in same_results}) == 1
    for data, _name, report in [*different, same]:
        (snapshot,) = [s for s in store.snapshots() if s.sha256 == report.sha256]
        assert store.original(snapshot.id)[0] == data
        assert_same_measures(store.measures(snapshot.id), report)


def test_concurrent_files_for_one_stichtag_ask_exactly_once(store):
    files = [report_file("2023-06", measure(f"M{i}"), name=f"status_{i}_2023-06.csv") for i in range(6)]

    results, errors = _run_threads([lambda f=f: store.add(*f) for f in files])

    assert len(results) == 1
    assert len(errors) == 5
    assert all(isinstance(e, SameDateError) and e.existing == results[0].snapshot for e in errors)
    assert store.snapshots() == [results[0].snapshot]


def test_ensure_seeded_is_idempotent(store):
    first = store.ensure_seeded(BUNDLED)

    assert first is not None
    assert first.created
    assert store.ensure_seeded(BUNDLED) is None
    assert store.snapshots() == [first.snapshot]
    assert_same_measures(store.measures(first.snapshot.id), load_report(BUNDLED))

    # A store with other reports is not seeded again, even when the bundled one was deleted.
    store.add(*report_file("2023-06"))
    store.delete(first.snapshot.id)
    assert store.ensure_seeded(BUNDLED) is None
    assert [s.file_name for s in store.snapshots()] == ["status_2023-06.csv"]


def test_ensure_seeded_from_threads_at_once(store):
    results, errors = _run_threads([lambda: store.ensure_seeded(BUNDLED)] * 4)

    assert errors == []
    assert sum(r is not None for r in results) == 1
    assert len(store.snapshots()) == 1


# -- processes --------------------------------------------------------------------------------------

_ADD_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from mayen_dash.loader import load_report
    from mayen_dash.store import SnapshotStore

    path, go = Path(sys.argv[1]), Path(sys.argv[2])
    data = path.read_bytes()
    report = load_report(data, path.name)
    deadline = time.monotonic() + 60
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    store = SnapshotStore.from_environment()
    result = store.add(data, path.name, report)
    print(json.dumps({"id": result.snapshot.id, "created": result.created}))
    """
)


def _start_adding(db_url: str, path: Path, go: Path) -> subprocess.Popen:
    env = {**os.environ, "MAYEN_DB_URL": db_url, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", _ADD_SCRIPT, str(path), str(go)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen) -> dict:
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    return json.loads(stdout.strip().splitlines()[-1])


def test_a_new_process_sees_what_an_earlier_one_stored(db_url, tmp_path):
    data, name, report = report_file("2023-06", measure("A"), measure("B", "offen"))
    path = tmp_path / name
    path.write_bytes(data)
    go = tmp_path / "go"
    go.touch()

    added = _finish(_start_adding(db_url, path, go))

    fresh = SnapshotStore(db_url)
    try:
        snapshot = fresh.get(added["id"])
        assert added["created"] is True
        assert snapshot.sha256 == report.sha256
        assert fresh.original(snapshot.id) == (data, name)
        assert_same_measures(fresh.measures(snapshot.id), report)
    finally:
        fresh.close()


def test_concurrent_adds_from_processes_on_a_new_database(db_url, tmp_path):
    """Five processes create the schema and add at the same moment: three files, the first of them thrice."""
    files = [report_file(f"2023-0{month}", measure(f"M{month}")) for month in (1, 2, 3)]
    paths = []
    for data, name, _report in files:
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    go = tmp_path / "go"
    processes = [_start_adding(db_url, path, go) for path in [*paths, paths[0], paths[0]]]
    go.touch()

    outcomes = [_finish(process) for process in processes]

    assert Counter(o["created"] for o in outcomes) == Counter({True: 3, False: 2})
    assert len({o["id"] for o in outcomes}) == 3
    fresh = SnapshotStore(db_url)
    try:
        assert len(fresh.snapshots()) == 3
        assert count_rows(fresh, measures_table) == 3
    finally:
        fresh.close()


# -- configuration (SQLite only) ----------------------------------------------------------------------


def test_from_environment_defaults_to_sqlite_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("MAYEN_DB_URL", raising=False)
    monkeypatch.setenv("MAYEN_DATA_DIR", str(tmp_path / "daten"))

    snapshot_store = SnapshotStore.from_environment()
    try:
        assert snapshot_store.url.get_backend_name() == "sqlite"
        assert Path(snapshot_store.url.database) == (tmp_path / "daten" / "mayen.sqlite3").resolve()
        assert snapshot_store.ensure_seeded(BUNDLED) is not None
        with snapshot_store._engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        snapshot_store.close()
    assert (tmp_path / "daten" / "mayen.sqlite3").exists()


def test_from_environment_honours_mayen_db_url(tmp_path, monkeypatch):
    url = sa.URL.create("sqlite", database=str(tmp_path / "anders.db")).render_as_string()
    monkeypatch.setenv("MAYEN_DB_URL", url)

    snapshot_store = SnapshotStore.from_environment()
    snapshot_store.close()

    assert snapshot_store.url == sa.make_url(url)
    assert (tmp_path / "anders.db").exists()


def test_an_unusable_database_is_a_german_refusal(tmp_path):
    (tmp_path / "ordner.sqlite3").mkdir()  # a directory where the file should be

    with pytest.raises(StoreUnavailableError, match="nicht erreichbar"):
        SnapshotStore(sa.URL.create("sqlite", database=str(tmp_path / "ordner.sqlite3")))


def test_a_schema_that_cannot_be_created_is_unavailable_not_refused(tmp_path, monkeypatch):
    def racing(connection):
        raise sa.exc.IntegrityError("CREATE TABLE snapshots", None, Exception("another process won"))

    monkeypatch.setattr(store_module.metadata, "create_all", racing)
    monkeypatch.setattr(store_module.time, "sleep", lambda _seconds: None)

    with pytest.raises(StoreUnavailableError, match="nicht erreichbar"):
        SnapshotStore(sa.URL.create("sqlite", database=str(tmp_path / "neu.sqlite3")))


# --- the report in ready form (mayen_dash/derived.py) -------------------------------------------------


def test_an_added_stand_keeps_its_report_in_ready_form(store):
    data = BUNDLED.read_bytes()
    report = load_report(data, BUNDLED.name)
    snapshot = store.add(data, BUNDLED.name, report).snapshot
    ready = store.derived_report(snapshot.id)
    assert ready is not None
    pd.testing.assert_frame_equal(ready.measures, report.measures)
    assert ready.info == report.info


def test_a_ready_form_of_another_loader_is_not_used_and_can_be_replaced(store, monkeypatch):
    data = BUNDLED.read_bytes()
    report = load_report(data, BUNDLED.name)
    snapshot = store.add(data, BUNDLED.name, report).snapshot
    monkeypatch.setattr(store_module.derived, "LOADER_VERSION", "a-newer-loader")
    assert store.derived_report(snapshot.id) is None
    store.keep_derived(snapshot.id, report)
    assert store.derived_report(snapshot.id) is not None


def test_deleting_a_stand_deletes_its_ready_form(store):
    data = BUNDLED.read_bytes()
    snapshot = store.add(data, BUNDLED.name, load_report(data, BUNDLED.name)).snapshot
    store.delete(snapshot.id)
    assert store.derived_report(snapshot.id) is None
    store.keep_derived(snapshot.id, load_report(data, BUNDLED.name))  # a Stand deleted meanwhile: nothing kept
    assert store.derived_report(snapshot.id) is None


# --- wrong editor passwords, counted for every app server of the installation --------------------------

T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def test_sign_in_failures_are_counted_per_client_and_for_the_installation(store):
    assert store.sign_in_failures("192.0.2.7", T0) == (SignInFailures(), SignInFailures())
    store.record_sign_in_failure("192.0.2.7", T0)
    store.record_sign_in_failure("192.0.2.7", T0 + dt.timedelta(seconds=5))
    store.record_sign_in_failure("198.51.100.1", T0 + dt.timedelta(seconds=6))
    client, everyone = store.sign_in_failures("192.0.2.7", T0 + dt.timedelta(seconds=7))
    assert client == SignInFailures(2, T0 + dt.timedelta(seconds=5))
    assert everyone == SignInFailures(3, T0 + dt.timedelta(seconds=6))
    store.clear_sign_in_failures("192.0.2.7")
    client, everyone = store.sign_in_failures("192.0.2.7", T0 + dt.timedelta(seconds=8))
    assert client == SignInFailures()
    assert everyone.count == 3  # a correct password does not forgive the others' guesses


def test_sign_in_failures_are_forgotten_after_a_quiet_window(store):
    store.record_sign_in_failure("192.0.2.7", T0)
    store.record_sign_in_failure("192.0.2.7", T0 + FAILURE_WINDOW)  # no pause yet: still counting
    assert store.sign_in_failures("192.0.2.7", T0 + FAILURE_WINDOW)[0].count == 2
    later = T0 + 2 * FAILURE_WINDOW + dt.timedelta(seconds=1)
    assert store.sign_in_failures("192.0.2.7", later)[0] == SignInFailures()
    store.record_sign_in_failure("192.0.2.7", later)
    assert store.sign_in_failures("192.0.2.7", later)[0] == SignInFailures(1, later)


def test_unit_names_merge_follow_and_separate(store, db_url):
    assert store.unit_names() == {}
    assert store.merge_units(["Zentralbereich", " ZB  1 "], "Zentralbereich 1") == {
        "Zentralbereich": "Zentralbereich 1",
        "ZB 1": "Zentralbereich 1",
    }
    # Merging the unit itself into another takes its spellings along: no chains, no cycles.
    store.merge_units(["Zentralbereich 1"], "Zentralbereich I")
    assert store.unit_names() == {
        "Zentralbereich": "Zentralbereich I",
        "ZB 1": "Zentralbereich I",
        "Zentralbereich 1": "Zentralbereich I",
    }
    store.merge_units(["Zentralbereich I"], "Zentralbereich 1")
    assert store.unit_names() == {
        "Zentralbereich": "Zentralbereich 1",
        "ZB 1": "Zentralbereich 1",
        "Zentralbereich I": "Zentralbereich 1",
    }
    assert store.separate_unit("ZB 1")
    assert not store.separate_unit("ZB 1")
    reopened = SnapshotStore(db_url)  # another app server of the same installation sees the same names
    try:
        assert reopened.unit_names() == {"Zentralbereich": "Zentralbereich 1", "Zentralbereich I": "Zentralbereich 1"}
    finally:
        reopened.close()
    with pytest.raises(ValueError, match="name"):
        store.merge_units(["A"], "  ")


def test_a_column_mapping_is_remembered_by_shape_for_every_app_server(db_url):
    one, other = SnapshotStore(db_url), SnapshotStore(db_url)
    try:
        assert other.remembered_mapping("shape") is None
        first = ColumnMapping({"title": "Name", "status": "Live"}, {"Ja": "erledigt", "Nein": "offen"})
        one.remember_mapping("shape", first)
        assert other.remembered_mapping("shape") == first
        later = ColumnMapping({"title": "Name"}, {"Ja": "fertigish"})  # a code this vocabulary no longer knows
        other.remember_mapping("shape", later)
        assert one.remembered_mapping("shape") == ColumnMapping({"title": "Name"}, {})
        assert one.remembered_mapping("another shape") is None
    finally:
        one.close()
        other.close()
