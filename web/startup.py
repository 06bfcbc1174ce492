"""A warm start: the reports a first visitor needs are read before the server takes visitors.

Without it the first visit after a restart paid for importing the chart and table code and
for reading the newest Stand (8.6 s on the bundled report in one measurement, more at
100,000 measures). Reading the Stände alone left the first page at 17x a warm one (2.0 s
against 0.12 s server time, bench/bench_restart.py): a process's first page also imports what
the pages import (the council report's Jinja templates), Streamlit's emoji table (for the page
icon) and plotly's layout validators (its first figure). st.App's lifespan runs this before
uvicorn accepts connections.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import streamlit.emojis  # noqa: F401  (st.set_page_config's icon check imports it on the first run)

import mayen_dash
import ui  # imported here, before the first visitor: the pages' pandas, plotly, chart builders
from mayen_dash import text_alternatives
from mayen_dash.charts import progress_by_area_chart
from mayen_dash.installation import installation
from mayen_dash.mappings import MAPPING_FILE, adopt_mapping_file
from mayen_dash.model import LoadError
from mayen_dash.settings import data_dir
from mayen_dash.store import StoreError, default_snapshot, previous_snapshot

from . import uploads

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Read the default Stand and the one before it ("changes since"), shared by every session after.

    Also imports every module of mayen_dash (what the pages import) and builds the Übersicht's chart
    of the newest Stand without filters and its text alternative, as a first visitor sees them:
    plotly's first figure in a process costs half a second, and that chart another 0.1 s at 100,000 measures.
    """
    started = time.perf_counter()
    for module in pkgutil.walk_packages(mayen_dash.__path__, "mayen_dash."):
        if not module.name.endswith(".__main__"):  # the command line, which would run
            importlib.import_module(module.name)
    try:
        shared = installation()
        adopted = adopt_mapping_file(data_dir() / MAPPING_FILE, shared.store)
        if adopted:
            log.info("warm start: %d column mappings of %s moved into the store", adopted, MAPPING_FILE)
        stored = shared.snapshots()
        newest = default_snapshot(stored)
        for snapshot in (newest, previous_snapshot(stored, newest)):
            if snapshot is not None:
                shared.report(snapshot)
    except (StoreError, LoadError):
        log.exception("warm start: the stored reports could not be read; the first visitor will read them")
        return
    for builder in (progress_by_area_chart, text_alternatives.progress_by_area):
        ui.charts.prepare_view(builder, newest, shared.report(newest))
    log.info("warm start: %d Stände, the newest ready, in %.2f s", len(stored), time.perf_counter() - started)


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """st.App's lifespan: warm up in a worker thread (the event loop stays free meanwhile), then sweep uploads."""
    await asyncio.to_thread(warm_up)
    async with uploads.swept():
        yield
