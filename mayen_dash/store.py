"""The snapshot store: every accepted report is kept, so that reports last.

A report uploaded in the browser used to live only in one session. Here each
accepted upload (and the bundled report at first start) becomes a snapshot:
its Stichtag, file name, upload time, content hash, the column mapping used,
the original file's bytes (so it can always be downloaded again) and its
normalised measures as rows of a `measures` table, so that history across
reports is a plain SQL query.

The store speaks SQLAlchemy Core to SQLite (the default, a file in the data
directory) and PostgreSQL (MAYEN_DB_URL) through the same statements. Every
write is one transaction that first takes the store's write lock (an UPDATE
of the single `store_lock` row): on SQLite that takes the database's write
lock, on PostgreSQL a row lock, so concurrent writers in threads or processes
queue up instead of interleaving their checks and inserts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event, exc

from . import derived
from .access import FAILURE_WINDOW, INSTALLATION, SignInFailures
from .formatting import format_date
from .loader import load_report
from .model import MEASURE_COLUMNS, ColumnMapping, Report, area_categories
from .normalize import visible
from .settings import data_dir, time_zone
from .vocabulary import STATUS_CODES, UNKNOWN_STATUS

log = logging.getLogger(__name__)

DB_URL_ENV = "MAYEN_DB_URL"
SQLITE_FILE = "mayen.sqlite3"
# How long a writer waits for another one before the store reports itself busy.
BUSY_TIMEOUT_SECONDS = 30
SCHEMA_ATTEMPTS = 5

# How a Stand without Stichtag (stored by an older installation) is named wherever it is listed.
UNDATED = "ohne Stichtag (bitte eintragen)"

SameDatePolicy = Literal["ask", "replace", "keep"]
SAME_DATE_POLICIES: tuple[str, ...] = ("ask", "replace", "keep")

metadata = sa.MetaData()

snapshots_table = sa.Table(
    "snapshots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("report_date", sa.Date, nullable=True, index=True),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("measure_count", sa.Integer, nullable=False),
    sa.Column("mapping", sa.Text, nullable=False),  # ColumnMapping as JSON
    sa.Column("original", sa.LargeBinary, nullable=False),
    # The same file is stored once, whoever uploads it and however many do so at once.
    sa.UniqueConstraint("sha256", name="uq_snapshots_sha256"),
    # Ids are never reused after a delete (PostgreSQL's sequences behave so anyway), so that a
    # link or session that still names a deleted snapshot cannot silently show another one.
    sqlite_autoincrement=True,
)

# Text columns of the measure table (NULL only where a frame had a missing value).
_TEXT_COLUMNS = ("id", "area", "group", "title", "status", "status_raw", "responsible", "target", "remarks", "sheet")

measures_table = sa.Table(
    "measures",
    metadata,
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),  # order in the report
    sa.Column("id", sa.Text),  # the measure's own ID from the report, e.g. EG-B-01
    sa.Column("area", sa.Text),
    sa.Column("group", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("status", sa.Text),  # code of the vocabulary, e.g. in_bearbeitung
    sa.Column("status_raw", sa.Text),
    sa.Column("responsible", sa.Text),
    sa.Column("units", sa.Text, nullable=False),  # JSON list of the organisational units
    sa.Column("target", sa.Text),
    sa.Column("start", sa.Date, nullable=True),
    sa.Column("due", sa.Date, nullable=True),
    sa.Column("ongoing", sa.Boolean, nullable=False),
    sa.Column("remarks", sa.Text),
    sa.Column("sheet", sa.Text),
    sa.Column("row", sa.Integer, nullable=False),
)

# Each Stand's report in ready form (mayen_dash/derived.py), so that a restart need not parse the original
# again; a row whose loader_version is not today's is ignored and replaced.
derived_table = sa.Table(
    "derived_reports",
    metadata,
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("loader_version", sa.String(64), nullable=False),
    sa.Column("measures", sa.LargeBinary, nullable=False),
    sa.Column("scorecard", sa.LargeBinary, nullable=False),
    sa.Column("meta", sa.LargeBinary, nullable=False),
)

# Wrong editor passwords per client address (and "*" for all together), shared by every app server of
# the installation, so that a second server or a restart gives no fresh tries (access.next_attempt).
sign_in_failures_table = sa.Table(
    "sign_in_failures",
    metadata,
    sa.Column("client", sa.String(64), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
)

# The installation's decisions that two spellings name one organisational unit (units.merge_units): they
# hold for every Stand, stored and to come, so they live here, beside the Stände, where every app server
# of a shared installation reads the same ones (a file in one server's data folder would not be).
unit_names_table = sa.Table(
    "unit_names",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),  # a spelling as the files write it
    sa.Column("unit", sa.Text, nullable=False),  # the one name it stands for
)

# How an editor mapped the columns of a foreign export, by the table's shape (mappings.signature), offered
# again for the next file of that shape: here, so that every app server of an installation offers it.
column_mappings_table = sa.Table(
    "column_mappings",
    metadata,
    sa.Column("shape", sa.String(64), primary_key=True),
    sa.Column("mapping", sa.Text, nullable=False),  # ColumnMapping as JSON
)

# One row; every write transaction updates it first, which serialises writers on both databases.
# `writes` only exists so that the UPDATE is a real write; it counts write transactions.
lock_table = sa.Table(
    "store_lock",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("writes", sa.Integer, nullable=False),
)

_SNAPSHOT_COLUMNS = [c for c in snapshots_table.c if c.name != "original"]  # listings never load the bytes


class StoreError(Exception):
    """Something the store refuses or cannot do. The message is German and meant for the user."""


class SameDateError(StoreError):
    """A second report for a Stichtag that is already stored: the user decides (replace or keep both)."""

    def __init__(self, existing: Snapshot) -> None:
        self.existing = existing
        uploaded = existing.uploaded_at.astimezone(time_zone())
        super().__init__(
            f"Für den Stichtag {format_date(existing.report_date)} ist bereits der Bericht "
            f"„{existing.file_name}“ gespeichert (hochgeladen am {uploaded:%d.%m.%Y um %H:%M} Uhr). "
            "Soll die neue Datei ihn ersetzen, oder sollen beide Stände erhalten bleiben?"
        )


class MissingDateError(StoreError, ValueError):
    """A report without a Stichtag: it is stored only once somebody has said which day it describes."""

    def __init__(self) -> None:
        super().__init__(
            "Der Bericht hat keinen Stichtag. Bitte angeben, auf welchen Tag sich der Stand bezieht; ohne Stichtag "
            "wird er nicht gespeichert."
        )


class StoreRefusedError(StoreError):
    """The database refused the values of a write; the store is unchanged and the cause is logged."""

    def __init__(self) -> None:
        super().__init__(
            "Die Datenbank hat den Bericht nicht angenommen; es wurde nichts gespeichert und die "
            "bisherigen Stände sind unverändert. Bitte die Datei prüfen oder die Betreuung der "
            "Installation fragen (die Ursache steht im Protokoll des Servers)."
        )


class SnapshotNotFoundError(StoreError, LookupError):
    """A snapshot id that is not (or no longer) in the store, e.g. deleted in another session."""

    def __init__(self, snapshot_id: int) -> None:
        self.snapshot_id = snapshot_id
        super().__init__(f"Der gespeicherte Stand Nr. {snapshot_id} existiert nicht (mehr).")


class StoreUnavailableError(StoreError):
    """The database cannot be reached or stayed locked too long; the cause is logged for the developers."""

    def __init__(self) -> None:
        super().__init__(
            "Die Datenbank der gespeicherten Berichte ist gerade nicht erreichbar oder belegt. "
            "Bitte in einem Moment erneut versuchen."
        )


@dataclass(frozen=True)
class Snapshot:
    """One stored report: what the lists and the history show, without the measures and the file."""

    id: int
    report_date: dt.date | None
    file_name: str
    uploaded_at: dt.datetime  # UTC, timezone-aware
    sha256: str
    measure_count: int
    mapping: ColumnMapping

    @property
    def label(self) -> str:
        """German one-line name for select boxes: „Stand 31.08.2022 – status_2022-08.xlsx“; undated ones marked."""
        return f"Stand {format_date(self.report_date) or UNDATED} – {self.file_name}"


@dataclass(frozen=True)
class AddResult:
    """What add() did: the snapshot now standing for the file, whether it is new, and what it replaced."""

    snapshot: Snapshot
    created: bool
    replaced: Snapshot | None = None


def _now() -> dt.datetime:
    """The upload time; a function so that tests can set the clock."""
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back the naive UTC it was given, PostgreSQL an aware time in the session's zone."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _mapping_json(mapping: ColumnMapping | None) -> str:
    mapping = mapping or ColumnMapping()
    return json.dumps(
        {"columns": mapping.columns, "status_values": mapping.status_values}, sort_keys=True, ensure_ascii=False
    )


def _mapping_from_json(text: str) -> ColumnMapping:
    data = json.loads(text or "{}")
    return ColumnMapping(columns=dict(data.get("columns", {})), status_values=dict(data.get("status_values", {})))


def _snapshot(row: sa.Row) -> Snapshot:
    return Snapshot(
        id=row.id,
        report_date=row.report_date,
        file_name=row.file_name,
        uploaded_at=_utc(row.uploaded_at),
        sha256=row.sha256,
        measure_count=row.measure_count,
        mapping=_mapping_from_json(row.mapping),
    )


def _texts(series: pd.Series) -> list[str | None]:
    """Python strings of a column (categoricals by label), None where it is missing."""
    values = series.astype(object).tolist()
    missing = series.isna().to_numpy()
    if missing.any():
        values = [None if gone else value for value, gone in zip(values, missing, strict=True)]
    return values


def _measure_rows(measures: pd.DataFrame, *, dates_as_text: bool) -> list[tuple[Any, ...]]:
    """The measure table as driver parameters in the columns' order after snapshot_id (set on insert), column-wise.

    SQLite keeps a Date as ISO text (`dates_as_text`), which SQLAlchemy reads back; PostgreSQL takes dates.
    """
    units_json: dict[tuple[str, ...], str] = {}

    def encode(units: Any) -> str:
        key = tuple(units)
        if key not in units_json:
            units_json[key] = json.dumps(list(key), ensure_ascii=False)
        return units_json[key]

    columns: dict[str, list[Any]] = {name: _texts(measures[name]) for name in _TEXT_COLUMNS}
    columns["units"] = [encode(units) for units in measures["units"]]
    for name in ("start", "due"):
        days = measures[name].to_numpy(dtype="datetime64[D]")
        if dates_as_text:
            texts = np.datetime_as_string(days).astype(object)
            texts[np.isnat(days)] = None
            columns[name] = texts.tolist()
        else:
            columns[name] = days.tolist()  # dates; NaT becomes None
    columns["ongoing"] = [bool(value) for value in measures["ongoing"].tolist()]
    columns["row"] = measures["row"].astype("int64").tolist()
    columns["position"] = list(range(len(measures)))
    return list(zip(*(columns[c.name] for c in measures_table.c[1:]), strict=True))


def _dates(values: list[dt.date | None]) -> np.ndarray:
    """datetime64[s] like the loader's columns, NaT where there is no date."""
    return np.array(values, dtype="datetime64[D]").astype("datetime64[s]")


def _measures_frame(rows: list[sa.Row]) -> pd.DataFrame:
    """Stored rows back into the frame the loader builds, with the same columns, order and dtypes."""
    names = ["position", *MEASURE_COLUMNS]
    columns = dict(zip(names, map(list, zip(*rows, strict=True)), strict=True)) if rows else {n: [] for n in names}
    units_cache: dict[str, tuple[str, ...]] = {}
    units = [
        units_cache.get(text) or units_cache.setdefault(text, tuple(json.loads(text))) for text in columns["units"]
    ]
    known = set(STATUS_CODES)
    codes = columns["status"]
    if not known.issuperset(codes):
        log.warning("stored status codes unknown to the vocabulary: %s", sorted(set(codes) - known, key=str))
        codes = [code if code in known else UNKNOWN_STATUS for code in codes]
    return pd.DataFrame(
        {
            "id": columns["id"],
            "area": pd.Categorical(columns["area"], categories=area_categories(columns["area"])),
            "group": columns["group"],
            "title": columns["title"],
            "status": pd.Categorical(codes, categories=STATUS_CODES),
            "status_raw": columns["status_raw"],
            "responsible": columns["responsible"],
            "units": pd.Series(units, dtype=object),
            "target": columns["target"],
            "start": _dates(columns["start"]),
            "due": _dates(columns["due"]),
            "ongoing": columns["ongoing"],
            "remarks": columns["remarks"],
            "sheet": columns["sheet"],
            "row": columns["row"],
        }
    )


def _insert_measures(connection: sa.Connection, snapshot_id: int, rows: list[tuple[Any, ...]]) -> None:
    """All measures of a snapshot in one executemany of the driver itself, never a statement per row.

    SQLAlchemy's own executemany processes every parameter of every row in Python (2.4 of 3.1 s for
    110,000 measures); the rows hold plain driver values already (_measure_rows).
    """
    if not rows:
        return
    dialect = connection.dialect
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    statement = (
        f"INSERT INTO {quote(measures_table.name)} ({', '.join(quote(c.name) for c in measures_table.c)}) "
        f"VALUES ({', '.join([mark] * len(measures_table.c))})"
    )
    connection.exec_driver_sql(statement, [(snapshot_id, *row) for row in rows])


def _insert_derived(connection: sa.Connection, snapshot_id: int, ready: dict[str, bytes]) -> None:
    connection.execute(
        derived_table.insert().values(snapshot_id=snapshot_id, loader_version=derived.LOADER_VERSION, **ready)
    )


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers go on while one process writes; the busy timeout makes a second writer wait, not fail.

    sqlite3's own transaction handling is switched off (BEGIN comes from _sqlite_begin), so that
    reads see one consistent state and DDL is transactional, as SQLAlchemy documents for pysqlite.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _sqlite_begin(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def _engine(url: sa.URL) -> sa.Engine:
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    if url.database and url.database != ":memory:" and not url.query.get("uri"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def default_url() -> sa.URL:
    """MAYEN_DB_URL if set, else the SQLite file mayen.sqlite3 in the data directory."""
    url = os.environ.get(DB_URL_ENV, "").strip()
    if url:
        return sa.make_url(url)
    # Built, not formatted, so that any character in the path is taken literally.
    return sa.URL.create("sqlite", database=str((data_dir() / SQLITE_FILE).resolve()))


class SnapshotStore:
    """All stored reports of one installation, in SQLite or PostgreSQL.

    Safe to share between threads (one instance per process is enough) and between
    processes on the same database. Public methods raise StoreError subclasses with
    German messages for what the user can meet; programming errors surface as they are.
    """

    def __init__(self, url: str | sa.URL) -> None:
        self.url = sa.make_url(url)
        self._engine = _engine(self.url)
        with self._available():
            self._create_schema()

    @classmethod
    def from_environment(cls) -> SnapshotStore:
        """The installation's store: MAYEN_DB_URL, or <MAYEN_DATA_DIR>/mayen.sqlite3."""
        return cls(default_url())

    def __repr__(self) -> str:
        return f"SnapshotStore({self.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        """Close the pooled connections (tests, shutdown); the store reconnects if used again."""
        self._engine.dispose()

    # -- plumbing -----------------------------------------------------------------------------

    @contextmanager
    def _available(self) -> Iterator[None]:
        """Turn an unreachable or locked database, or one refusing a value, into a German StoreError."""
        try:
            yield
        except exc.OperationalError as error:
            log.exception("snapshot store %r failed", self)
            raise StoreUnavailableError() from error
        except (exc.DataError, exc.IntegrityError) as error:
            log.exception("snapshot store %r refused a write", self)
            raise StoreRefusedError() from error

    def _create_schema(self) -> None:
        """Create the tables if missing. Processes starting at once may race; the loser retries and finds them."""
        for attempt in range(1, SCHEMA_ATTEMPTS + 1):
            try:
                with self._engine.begin() as connection:
                    metadata.create_all(connection)
                    if connection.execute(sa.select(lock_table.c.id)).first() is None:
                        connection.execute(lock_table.insert().values(id=1, writes=0))
                return
            except (exc.IntegrityError, exc.ProgrammingError, exc.OperationalError) as error:
                if attempt == SCHEMA_ATTEMPTS:
                    log.exception("snapshot store %r: no schema after %d attempts", self, attempt)
                    raise StoreUnavailableError() from error  # not "refused": no report was offered yet
                time.sleep(0.05 * attempt)

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """One write transaction holding the store's write lock until it commits or rolls back."""
        with self._engine.begin() as connection:
            locked = connection.execute(
                lock_table.update().where(lock_table.c.id == 1).values(writes=lock_table.c.writes + 1)
            )
            if locked.rowcount != 1:
                raise RuntimeError("store_lock row is missing; the schema was not created by SnapshotStore")
            yield connection

    @staticmethod
    def _select_snapshots() -> sa.Select:
        s = snapshots_table.c
        undated_last = sa.case((s.report_date.is_(None), 1), else_=0)
        return sa.select(*_SNAPSHOT_COLUMNS).order_by(undated_last, s.report_date, s.uploaded_at, s.id)

    @staticmethod
    def _get(connection: sa.Connection, snapshot_id: int) -> Snapshot:
        row = connection.execute(sa.select(*_SNAPSHOT_COLUMNS).where(snapshots_table.c.id == snapshot_id)).first()
        if row is None:
            raise SnapshotNotFoundError(snapshot_id)
        return _snapshot(row)

    @staticmethod
    def _by_sha(connection: sa.Connection, sha256: str) -> Snapshot | None:
        row = connection.execute(sa.select(*_SNAPSHOT_COLUMNS).where(snapshots_table.c.sha256 == sha256)).first()
        return _snapshot(row) if row else None

    @staticmethod
    def _latest_on(connection: sa.Connection, report_date: dt.date) -> Snapshot | None:
        s = snapshots_table.c
        row = connection.execute(
            sa.select(*_SNAPSHOT_COLUMNS)
            .where(s.report_date == report_date)
            .order_by(s.uploaded_at.desc(), s.id.desc())
            .limit(1)
        ).first()
        return _snapshot(row) if row else None

    @staticmethod
    def _delete(connection: sa.Connection, snapshot_id: int) -> bool:
        connection.execute(derived_table.delete().where(derived_table.c.snapshot_id == snapshot_id))
        connection.execute(measures_table.delete().where(measures_table.c.snapshot_id == snapshot_id))
        return connection.execute(snapshots_table.delete().where(snapshots_table.c.id == snapshot_id)).rowcount > 0

    # -- writing ------------------------------------------------------------------------------

    def add(
        self,
        data: bytes,
        file_name: str,
        report: Report,
        mapping: ColumnMapping | None = None,
        on_same_date: SameDatePolicy = "ask",
    ) -> AddResult:
        """Keep an accepted file with its report, all or nothing.

        The same content (by sha256) is stored once: adding it again returns the stored
        snapshot with created False. A second, different file for a Stichtag already stored
        raises SameDateError with "ask" (the UI asks the user), replaces the most recently
        uploaded snapshot of that date in the same transaction with "replace", or keeps
        both with "keep". A new report without a Stichtag is refused (MissingDateError): no
        Stichtag is ever guessed, the caller asks for it and passes a report that has one.
        (Content already stored is returned even then: nothing would be stored.)
        """
        result = self._add(data, file_name, report, mapping, on_same_date, only_if_empty=False)
        assert result is not None
        return result

    def _add(
        self,
        data: bytes,
        file_name: str,
        report: Report,
        mapping: ColumnMapping | None,
        on_same_date: SameDatePolicy,
        *,
        only_if_empty: bool,
    ) -> AddResult | None:
        if on_same_date not in SAME_DATE_POLICIES:
            raise ValueError(f"on_same_date must be one of {SAME_DATE_POLICIES}, not {on_same_date!r}")
        data = bytes(data)
        file_name = visible(file_name)  # shown in lists and labels; PostgreSQL cannot store NUL
        sha256 = hashlib.sha256(data).hexdigest()
        if report.sha256 and report.sha256 != sha256:
            raise ValueError("the report was not loaded from these bytes (sha256 differs)")
        with self._available():
            with self._engine.connect() as connection:
                existing = self._by_sha(connection, sha256)
            if existing:
                return AddResult(existing, created=False)
            if report.report_date is None:
                raise MissingDateError()
            # The slow part of a big report, done before taking the lock.
            rows = _measure_rows(report.measures, dates_as_text=self.url.get_backend_name() == "sqlite")
            ready = derived.to_parts(report)
            try:
                with self._writing() as connection:
                    if only_if_empty and connection.execute(sa.select(snapshots_table.c.id).limit(1)).first():
                        return None
                    existing = self._by_sha(connection, sha256)
                    if existing:
                        return AddResult(existing, created=False)
                    replaced = None
                    same_date = self._latest_on(connection, report.report_date)
                    if same_date and on_same_date == "ask":
                        raise SameDateError(same_date)
                    if same_date and on_same_date == "replace":
                        self._delete(connection, same_date.id)
                        replaced = same_date
                    snapshot_id = connection.execute(
                        snapshots_table.insert().values(
                            report_date=report.report_date,
                            file_name=file_name,
                            uploaded_at=_now(),
                            sha256=sha256,
                            measure_count=len(rows),
                            mapping=_mapping_json(mapping),
                            original=data,
                        )
                    ).inserted_primary_key[0]
                    _insert_measures(connection, snapshot_id, rows)
                    _insert_derived(connection, snapshot_id, ready)
                    return AddResult(self._get(connection, snapshot_id), created=True, replaced=replaced)
            except exc.IntegrityError:
                # Only a writer that bypasses the lock can get here first; the file is then stored: a duplicate.
                with self._engine.connect() as connection:
                    existing = self._by_sha(connection, sha256)
                if existing is None:
                    raise
                return AddResult(existing, created=False)

    def set_report_date(
        self, snapshot_id: int, report_date: dt.date, on_same_date: SameDatePolicy = "ask"
    ) -> Snapshot:
        """Correct a stored Stand's Stichtag (the history re-sorts by it); the same policies as add().

        Raises SnapshotNotFoundError if it is gone, SameDateError with "ask" when another Stand
        has that Stichtag; "replace" deletes that other Stand, "keep" keeps both.
        """
        if on_same_date not in SAME_DATE_POLICIES:
            raise ValueError(f"on_same_date must be one of {SAME_DATE_POLICIES}, not {on_same_date!r}")
        s = snapshots_table.c
        with self._available(), self._writing() as connection:
            current = self._get(connection, snapshot_id)
            other = self._latest_on(connection, report_date)
            if other is not None and other.id != current.id:
                if on_same_date == "ask":
                    raise SameDateError(other)
                if on_same_date == "replace":
                    self._delete(connection, other.id)
            connection.execute(snapshots_table.update().where(s.id == snapshot_id).values(report_date=report_date))
            return self._get(connection, snapshot_id)

    def delete(self, snapshot_id: int) -> bool:
        """Remove a snapshot with its measures and file; False if it was already gone (another session)."""
        with self._available(), self._writing() as connection:
            return self._delete(connection, snapshot_id)

    def ensure_seeded(self, path: Path) -> AddResult | None:
        """Store the bundled report when the store is empty, so a fresh installation has data.

        Idempotent and safe when processes start at once: emptiness is checked again under the
        write lock and the content hash is unique. Returns the result when this call stored it.
        A bundled file the loader refuses raises LoadError: that is a packaging bug, not the user's.
        """
        with self._available(), self._engine.connect() as connection:
            if connection.execute(sa.select(snapshots_table.c.id).limit(1)).first():
                return None
        path = Path(path)
        data = path.read_bytes()
        result = self._add(data, path.name, load_report(data, path.name), None, "keep", only_if_empty=True)
        return result if result and result.created else None

    def merge_units(self, names: Iterable[str], into: str) -> dict[str, str]:
        """From now on every spelling in `names` stands for the unit `into`, in every Stand.

        Spellings that stood for one of `names` follow it to `into`, and `into` itself stands
        for no other name any more, so the names never form a chain or a cycle. Returns all
        names afterwards (as `unit_names`).
        """
        into = " ".join(visible(into).split())
        merged = {" ".join(visible(n).split()) for n in names} - {into, ""}
        if not into:
            raise ValueError("a unit needs a name")
        with self._available(), self._writing() as connection:
            current = {row.name: row.unit for row in connection.execute(sa.select(unit_names_table))}
            current = {name: (into if unit in merged else unit) for name, unit in current.items()}
            current.update(dict.fromkeys(merged, into))
            current.pop(into, None)
            connection.execute(unit_names_table.delete())
            if current:
                connection.execute(
                    unit_names_table.insert(), [{"name": name, "unit": unit} for name, unit in current.items()]
                )
        return current

    def separate_unit(self, name: str) -> bool:
        """`name` is its own unit again; False if it stood for no other."""
        with self._available(), self._writing() as connection:
            return connection.execute(unit_names_table.delete().where(unit_names_table.c.name == name)).rowcount > 0

    def remember_mapping(self, shape: str, mapping: ColumnMapping) -> None:
        """Offer `mapping` again for the next file whose table has this shape (replacing an older choice)."""
        c = column_mappings_table.c
        with self._available(), self._writing() as connection:
            connection.execute(column_mappings_table.delete().where(c.shape == shape))
            connection.execute(column_mappings_table.insert().values(shape=shape, mapping=_mapping_json(mapping)))

    # -- reading ------------------------------------------------------------------------------

    def remembered_mapping(self, shape: str) -> ColumnMapping | None:
        """The mapping chosen last for a table of this shape, None for none; status codes no longer known left out."""
        c = column_mappings_table.c
        with self._available(), self._engine.connect() as connection:
            text = connection.execute(sa.select(c.mapping).where(c.shape == shape)).scalar()
        if text is None:
            return None
        mapping = _mapping_from_json(text)
        known = {value: code for value, code in mapping.status_values.items() if code in STATUS_CODES}
        return ColumnMapping(mapping.columns, known)

    def unit_names(self) -> dict[str, str]:
        """Which unit spelling stands for which unit, as the editors merged them; {} for none."""
        with self._available(), self._engine.connect() as connection:
            return {row.name: row.unit for row in connection.execute(sa.select(unit_names_table))}

    def snapshots(self) -> list[Snapshot]:
        """All snapshots by Stichtag (undated ones last), then upload time: the order of the history."""
        with self._available(), self._engine.connect() as connection:
            return [_snapshot(row) for row in connection.execute(self._select_snapshots())]

    def latest(self) -> Snapshot | None:
        """The Stand shown by default: the newest Stichtag; an undated Stand only when no Stand has one."""
        found = self.snapshots()
        return default_snapshot(found) if found else None

    def get(self, snapshot_id: int) -> Snapshot:
        """One snapshot; SnapshotNotFoundError if it does not exist (any more)."""
        with self._available(), self._engine.connect() as connection:
            return self._get(connection, snapshot_id)

    def original(self, snapshot_id: int) -> tuple[bytes, str]:
        """The uploaded file's bytes and name, exactly as received, for downloading it again."""
        s = snapshots_table.c
        with self._available(), self._engine.connect() as connection:
            row = connection.execute(sa.select(s.original, s.file_name).where(s.id == snapshot_id)).first()
        if row is None:
            raise SnapshotNotFoundError(snapshot_id)
        return bytes(row.original), row.file_name

    def derived_report(self, snapshot_id: int) -> Report | None:
        """The Stand's report in ready form, if it was kept by today's loader; None means: parse the original."""
        d = derived_table.c
        with self._available(), self._engine.connect() as connection:
            row = connection.execute(
                sa.select(d.measures, d.scorecard, d.meta).where(
                    d.snapshot_id == snapshot_id, d.loader_version == derived.LOADER_VERSION
                )
            ).first()
        if row is None:
            return None
        return derived.from_parts({"measures": row.measures, "scorecard": row.scorecard, "meta": row.meta})

    def keep_derived(self, snapshot_id: int, report: Report) -> None:
        """Keep a report parsed from the original in ready form, replacing one of an older loader."""
        ready = derived.to_parts(report)
        d = derived_table.c
        with self._available(), self._writing() as connection:
            if connection.execute(sa.select(snapshots_table.c.id).where(snapshots_table.c.id == snapshot_id)).first():
                connection.execute(derived_table.delete().where(d.snapshot_id == snapshot_id))
                _insert_derived(connection, snapshot_id, ready)

    # -- sign-in failures -----------------------------------------------------------------------

    def sign_in_failures(self, client: str, now: dt.datetime) -> tuple[SignInFailures, SignInFailures]:
        """The wrong passwords of `client` and of the whole installation within the failure window."""
        f = sign_in_failures_table.c
        with self._available(), self._engine.connect() as connection:
            statement = sa.select(f.client, f.count, f.last_at).where(f.client.in_([client, INSTALLATION]))
            rows = {row.client: row for row in connection.execute(statement)}

        def failures(name: str) -> SignInFailures:
            row = rows.get(name)
            if row is None or _utc(row.last_at) < now - FAILURE_WINDOW:
                return SignInFailures()
            return SignInFailures(row.count, _utc(row.last_at))

        return failures(client), failures(INSTALLATION)

    def record_sign_in_failure(self, client: str, now: dt.datetime) -> None:
        """Count one wrong password for `client` and for the installation; after a quiet window, count anew."""
        f = sign_in_failures_table.c
        with self._available(), self._writing() as connection:
            for name in (client, INSTALLATION):
                row = connection.execute(sa.select(f.last_at).where(f.client == name)).first()
                update = sign_in_failures_table.update().where(f.client == name)
                if row is None:
                    connection.execute(sign_in_failures_table.insert().values(client=name, count=1, last_at=now))
                elif _utc(row.last_at) < now - FAILURE_WINDOW:
                    connection.execute(update.values(count=1, last_at=now))
                else:
                    connection.execute(update.values(count=f.count + 1, last_at=now))

    def clear_sign_in_failures(self, client: str) -> None:
        """A correct password clears its client's count (not the installation's: others may still guess)."""
        with self._available(), self._writing() as connection:
            connection.execute(sign_in_failures_table.delete().where(sign_in_failures_table.c.client == client))

    def measures(self, snapshot_id: int) -> pd.DataFrame:
        """The snapshot's measures with exactly the columns and dtypes of Report.measures, in report order."""
        m = measures_table.c
        with self._available(), self._engine.connect() as connection:
            self._get(connection, snapshot_id)
            rows = connection.execute(
                sa.select(m.position, *(m[name] for name in MEASURE_COLUMNS))
                .where(m.snapshot_id == snapshot_id)
                .order_by(m.position)
            ).all()
        return _measures_frame(rows)

    def status_history(self) -> pd.DataFrame:
        """Measures per snapshot, field of action and status, counted in SQL, for the Verlauf charts.

        Long form, one row per combination that occurs (pivot with fill_value=0 for zeros), in
        the order of snapshots(): snapshot_id, report_date (datetime64, NaT when undated),
        area and status (categoricals as in Report.measures), count.
        """
        s, m = snapshots_table.c, measures_table.c
        undated_last = sa.case((s.report_date.is_(None), 1), else_=0)
        statement = (
            sa.select(s.id, s.report_date, m.area, m.status, sa.func.count().label("count"))
            .select_from(measures_table.join(snapshots_table, m.snapshot_id == s.id))
            .group_by(s.id, s.report_date, s.uploaded_at, m.area, m.status)
            .order_by(undated_last, s.report_date, s.uploaded_at, s.id, m.area, m.status)
        )
        with self._available(), self._engine.connect() as connection:
            rows = connection.execute(statement).all()
        ids, dates, areas, statuses, counts = (list(column) for column in zip(*rows, strict=True)) if rows else [[]] * 5
        return pd.DataFrame(
            {
                "snapshot_id": np.array(ids, dtype="int64"),
                "report_date": _dates(dates),
                "area": pd.Categorical(areas, categories=area_categories(areas)),
                "status": pd.Categorical(statuses, categories=STATUS_CODES),
                "count": np.array(counts, dtype="int64"),
            }
        )


def default_snapshot(snapshots: list[Snapshot]) -> Snapshot:
    """The Stand every page shows unless another is chosen: the newest dated one, never an undated one if any is dated.

    `snapshots` (not empty) in the order of SnapshotStore.snapshots(): by Stichtag, undated ones last.
    """
    dated = [s for s in snapshots if s.report_date is not None]
    return (dated or snapshots)[-1]


def previous_snapshot(snapshots: list[Snapshot], snapshot: Snapshot) -> Snapshot | None:
    """The Stand before `snapshot` in the order of snapshots(), for "changes since the last report"."""
    position = [s.id for s in snapshots].index(snapshot.id)
    return snapshots[position - 1] if position > 0 else None


def snapshot_table(snapshots: list[Snapshot]) -> pd.DataFrame:
    """The stored reports for a table on screen, newest first, with German headers and formats."""
    return pd.DataFrame(
        [
            {
                "Nr.": s.id,
                "Stichtag": format_date(s.report_date) or UNDATED,
                "Datei": s.file_name,
                "Hochgeladen": s.uploaded_at.astimezone(time_zone()).strftime("%d.%m.%Y %H:%M"),
                "Maßnahmen": s.measure_count,
            }
            for s in reversed(snapshots)
        ],
        columns=["Nr.", "Stichtag", "Datei", "Hochgeladen", "Maßnahmen"],
    )
