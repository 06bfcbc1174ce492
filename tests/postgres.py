"""A throwaway PostgreSQL server for the tests, started from Debian's binaries.

The store must behave the same on SQLite and PostgreSQL, so the tests run
against a real server rather than a mock. The server lives in a temporary
directory, listens only on a unix socket there (no TCP port, nothing to clash
with), trusts local connections and is removed at the end of the session.

PostgreSQL refuses to run as root; when the tests run as root (containers,
CI), initdb and pg_ctl run as Debian's unprivileged `postgres` user through
`runuser`, in a directory handed over to that user. Root reaches the socket
regardless of file permissions.

When no server can be started, the PostgreSQL half of the tests is skipped
with the cause, unless MAYEN_REQUIRE_POSTGRES=1 demands it (CI): then it fails.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import make_url

REQUIRE_ENV = "MAYEN_REQUIRE_POSTGRES"
SUPERUSER = "postgres"
PORT = 5432  # only names the socket file; nothing listens on TCP
START_TIMEOUT = 60


class PostgresUnavailableError(RuntimeError):
    """The throwaway server could not be started; the message says why."""


def find_bindir() -> Path:
    """The newest installed server's bin directory (Debian keeps them under /usr/lib/postgresql/<major>/bin)."""

    def major(path: Path) -> tuple[int, ...]:
        version = path.parent.parent.name
        return tuple(int(part) for part in re.findall(r"\d+", version)) or (0,)

    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=major)
    for initdb in reversed(candidates):
        if (initdb.parent / "pg_ctl").exists():
            return initdb.parent
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    raise PostgresUnavailableError(
        "initdb/pg_ctl not found (looked in /usr/lib/postgresql/*/bin and PATH); "
        "install the server with `apt-get install -y postgresql`"
    )


@dataclass
class PostgresServer:
    """A running throwaway server: `url` is a ready database; `create_database` makes more.

    `stop` and `start` take it down and up again, for tests of what the dashboard does without its store.
    """

    root: Path
    bindir: Path
    prefix: list[str]
    url: str = ""
    _counter: Iterator[int] = field(default_factory=itertools.count)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def url_for(self, database: str) -> str:
        """The SQLAlchemy URL of a database on this server, connecting through the socket."""
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}&port={PORT}"

    def start(self) -> None:
        """Start the server on its data directory; raises PostgresUnavailableError (see server.log)."""
        options = (
            f"-k {self.socket_dir} -p {PORT} -c listen_addresses='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 "
            # a zone other than UTC, so that a naive or local timestamp in the store shows up in the tests
            "-c timezone=Europe/Berlin"
        )
        pg_ctl = str(self.bindir / "pg_ctl")
        log = str(self.root / "server.log")
        command = [*self.prefix, pg_ctl, "-D", str(self.data), "-o", options, "-l", log, "-w", "-t", str(START_TIMEOUT)]
        _run([*command, "start"], self.root, "pg_ctl start (see server.log)")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server, cutting its connections as when a database host fails.

        "fast" writes what was committed first (with synchronous_commit off, "immediate" can lose the last
        commits, which a test that starts the server again would notice); "immediate" is for the end.
        """
        _run(
            [*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"],
            self.root,
            "stop",
        )

    def _admin(self):
        import psycopg  # noqa: PLC0415 - only needed when a server runs

        return psycopg.connect(host=str(self.socket_dir), port=PORT, user=SUPERUSER, dbname="postgres", autocommit=True)

    def create_database(self, prefix: str = "mayen") -> str:
        """A new, empty database, so that each test starts from nothing; returns its URL."""
        name = f"{prefix}_{next(self._counter)}"
        with self._admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by create_database, closing connections that are left."""
        name = make_url(url).database
        with self._admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _as_postgres_user() -> tuple[list[str], int | None, int | None]:
    """The command prefix and owner for running the server binaries; root hands them to `postgres`."""
    if os.geteuid() != 0:
        return [], None, None
    try:
        user = pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise PostgresUnavailableError(
            "running as root, but there is no `postgres` system user to run the server as "
            "(Debian's postgresql package creates it)"
        ) from None
    runuser = shutil.which("runuser")
    if not runuser:
        raise PostgresUnavailableError("running as root, but `runuser` (util-linux) is missing")
    return [runuser, "-u", SUPERUSER, "--"], user.pw_uid, user.pw_gid


def _run(command: list[str], cwd: Path, what: str) -> None:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=START_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PostgresUnavailableError(f"{what} failed: {error}") from error
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()[-2000:]
        raise PostgresUnavailableError(f"{what} exited with {done.returncode}: {output}")


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[PostgresServer]:
    """Start a private PostgreSQL server with one database, yield it, stop and remove it afterwards.

    Raises PostgresUnavailableError (before yielding) when the server cannot be started.
    """
    try:
        import psycopg  # noqa: F401, PLC0415 - the driver the URLs name; checked before starting anything
    except ImportError as error:
        raise PostgresUnavailableError(f"the driver psycopg is not installed ({error})") from error
    bindir = find_bindir()
    prefix, uid, gid = _as_postgres_user()
    root = Path(tempfile.mkdtemp(prefix="mayen-pg-"))  # short path: unix socket paths are limited to 107 bytes
    server = PostgresServer(root, bindir, prefix)
    started = False
    try:
        server.socket_dir.mkdir()
        if uid is not None:
            for path in (root, server.socket_dir):
                os.chown(path, uid, gid)
        _run(
            [
                *prefix,
                str(bindir / "initdb"),
                "-D",
                str(server.data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            root,
            "initdb",
        )
        started = True  # from here on, always try to stop it: pg_ctl may time out with the server running
        server.start()
        try:
            server.url = server.create_database()
        except Exception as error:
            raise PostgresUnavailableError(f"the server started but refused a connection: {error}") from error
        yield server
    except PostgresUnavailableError as error:
        log = root / "server.log"
        if log.exists():
            error.add_note(f"server.log: {log.read_text(errors='replace')[-2000:]}")
        raise
    finally:
        if started:
            with contextlib.suppress(PostgresUnavailableError):
                server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def postgres_for_session() -> Iterator[PostgresServer]:
    """Body of a session-scoped fixture: the server, or a skip (a failure under MAYEN_REQUIRE_POSTGRES=1).

    Use as `yield from postgres_for_session()`.
    """
    stack = contextlib.ExitStack()
    try:
        server = stack.enter_context(throwaway_postgres())
    except PostgresUnavailableError as error:
        reason = f"PostgreSQL could not be started: {error}"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{reason} ({REQUIRE_ENV}=1 requires the PostgreSQL tests)", pytrace=False)
        pytest.skip(reason)
    with stack:
        yield server
