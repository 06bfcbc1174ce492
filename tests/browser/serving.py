"""A real dashboard server and Debian's headless Chromium, shared by the browser tests and the benchmarks.

No pytest here, so that the scripts in bench/ start the server exactly as the tests do.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out of a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class ServerError(RuntimeError):
    """The dashboard server did not come up; the message carries the end of its log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _streamlit_command() -> list[str]:
    launcher = Path(sys.executable).with_name("streamlit")
    return [str(launcher)] if launcher.exists() else [sys.executable, "-m", "streamlit"]


@contextlib.contextmanager
def dashboard_process(
    data_dir: Path,
    log: IO[str],
    startup_seconds: float = 60,
    *,
    script: str = "server.py",
    environment: Mapping[str, str] | None = None,
    options: Sequence[str] = (),
) -> Iterator[tuple[str, float, subprocess.Popen[bytes]]]:
    """`streamlit run server.py` (the ASGI entry, as `make run` starts it) on a free loopback port,
    with its own data folder and no file watcher. `script="app.py"` starts plain Streamlit without the
    ASGI entry, as a benchmark's point of comparison; `environment` adds variables (MAYEN_SHARED=1),
    `options` Streamlit flags (["--secrets.files", path]).

    Yields the base URL, the seconds until the health endpoint answered and the server process (its pid is
    the Streamlit server itself, for a load test that watches its memory); stops the server after.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        *_streamlit_command(),
        "run",
        script,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        *options,
    ]
    # FORWARDED_ALLOW_IPS empty as `make run` sets it: X-Forwarded-For counts only per mayen_dash/clients.py.
    env = {
        **os.environ,
        "MAYEN_DATA_DIR": str(data_dir),
        "PYTHONUNBUFFERED": "1",
        "FORWARDED_ALLOW_IPS": "",
        **(environment or {}),
    }
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        while not healthy(url):
            if process.poll() is not None:
                raise ServerError(f"Streamlit exited with {process.returncode}")
            if time.perf_counter() - start > startup_seconds:
                raise ServerError(f"Streamlit not healthy after {startup_seconds:.0f} s")
            time.sleep(0.1)
        yield url, time.perf_counter() - start, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def dashboard_server(
    data_dir: Path,
    log: IO[str],
    startup_seconds: float = 60,
    *,
    script: str = "server.py",
    environment: Mapping[str, str] | None = None,
    options: Sequence[str] = (),
) -> Iterator[tuple[str, float]]:
    """The server of `dashboard_process`; yields the base URL and the seconds until it was healthy."""
    with dashboard_process(data_dir, log, startup_seconds, script=script, environment=environment, options=options) as (
        url,
        seconds,
        _process,
    ):
        yield url, seconds
