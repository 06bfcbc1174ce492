"""Uploaded bytes are let go: after the page has stored them, and once the session that sent them is gone.

Streamlit keeps every uploaded file in memory (runtime/memory_uploaded_file_manager.py) until the
upload widget deletes it or the session shuts down; but a session whose tab was closed is kept for a
reconnect and then dropped from that store without shutting down, so its files were never freed
(10 × 24 MB still held 17 minutes after the client had left). Here a sweep on the server's event loop
releases the files of every session that is not connected, and the Daten page releases a file's bytes
once it is stored (`release`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable

from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFile

log = logging.getLogger(__name__)

SWEEP_SECONDS = 10.0


def sweep(runtime: Runtime) -> int:
    """Release the files of every session that is not connected now; returns how many sessions had some.

    A disconnected session that comes back within Streamlit's two minutes keeps its widgets but not
    its pending uploads: the editor picks the file again, which is cheaper than holding it for anyone.
    """
    manager = runtime.uploaded_file_mgr
    storage = getattr(manager, "file_storage", None)
    if storage is None:  # another manager than Streamlit's in-memory one: it keeps its own rules
        return 0
    gone = [session_id for session_id in list(storage) if not runtime.is_active_session(session_id)]
    for session_id in gone:
        manager.remove_session_files(session_id)
    if gone:
        log.info("released the uploaded files of %d sessions that are no longer connected", len(gone))
    return len(gone)


async def _sweeping(interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        if Runtime.exists():
            sweep(Runtime.instance())


@contextlib.asynccontextmanager
async def swept(interval: float = SWEEP_SECONDS) -> AsyncIterator[None]:
    """The sweep as a background task while the server runs (part of st.App's lifespan)."""
    task = asyncio.create_task(_sweeping(interval))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def release(files: Iterable[UploadedFile]) -> None:
    """Let go of these uploads of the running session (its page has stored what it needed of them)."""
    context = get_script_run_ctx()
    if context is None or not Runtime.exists():
        return
    manager = Runtime.instance().uploaded_file_mgr
    for file in files:
        manager.remove_file(context.session_id, file.file_id)
