"""A Land-wide list: the bundled measures repeated to 100,000, shared by the benchmarks of the dashboard.

The rows keep the city's own texts (so every page has real titles, Zieldaten and
remarks to draw), with unique IDs and titles and the units and statuses varied the
way a roll-out across many municipalities would vary them. `changed` marks a later
report: a seeded share of the statuses moves on, so that Verlauf and Vergleich have
something to show.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from mayen_dash.loader import load_report
from mayen_dash.readers import read_sheets
from mayen_dash.settings import BUNDLED_REPORT
from mayen_dash.store import SnapshotStore

ROWS = 100_000
UNITS = [
    "Zentralbereich 1",
    "Bereich 2.1",
    "Bereich 3.1",
    "Bereich 3.2",
    "Bereich 3.3",
    "Fachbereich 1",
    "Fachbereich 3",
    "Zentralbereich 1/Bereich 2.1",
    "Bereich 3.2 und Klimaschutz/Umwelt",
    "Jugendamt",
    "Kreisverwaltung Mayen-Koblenz",
]
STATUSES = ["erledigt", "In Bearbeitung", "offen", "laufend", "zurückgestellt", "in Arbeit", "abgeschlossen"]


def big_workbook(rows: int = ROWS, changed: float = 0.0, report_date: dt.date | None = None) -> bytes:
    """The bundled measures repeated to `rows`; with `changed` > 0 that share of statuses becomes "erledigt".

    `report_date` replaces the Stichtag of the Bericht sheet (the bundled 31.08.2022 otherwise).
    """
    sheets = {sheet.name: sheet.rows for sheet in read_sheets(BUNDLED_REPORT.read_bytes(), BUNDLED_REPORT.name)}
    header, *measures = sheets["Maßnahmen"]
    pick = random.Random(20220831)
    later = random.Random(20230630)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Maßnahmen")
    sheet.append(header)
    for i in range(rows):
        row = list(measures[i % len(measures)])
        row[0] = f"{row[0]}-{i:06d}"
        row[3] = f"{row[3]} ({i + 1})"
        row[4] = pick.choice(STATUSES)
        row[5] = pick.choice(UNITS)
        if changed and later.random() < changed:
            row[4] = "erledigt"
        sheet.append(row)
    for name in ("Bericht", "Organisation", "Scorecard"):
        extra = workbook.create_sheet(name)
        for row in sheets[name]:
            extra.append([row[0], report_date] if report_date and row[:1] == ["Stichtag"] else row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# The two Stände of a Land-wide installation: the later one with a tenth of the statuses moved on.
STORED = (
    ("land_2023-06.xlsx", 0.0, dt.date(2023, 6, 30)),
    ("land_2023-12.xlsx", 0.1, dt.date(2023, 12, 31)),
)


def stored_reports(rows: int, prefix: str) -> tuple[Path, dict[str, float]]:
    """A fresh data folder (MAYEN_DATA_DIR from now on) holding the STORED Stände of `rows` measures each.

    Stored as the Daten page stores them, ready form included; returns the folder and the seconds
    each file took to build and to load and store.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["MAYEN_DATA_DIR"] = str(folder)
    timings = {}
    store = SnapshotStore.from_environment()
    for name, changed, stichtag in STORED:
        start = time.perf_counter()
        data = big_workbook(rows, changed, stichtag)
        timings[f"{name} erzeugen"] = time.perf_counter() - start
        start = time.perf_counter()
        store.add(data, name, load_report(data, name))
        timings[f"{name} laden und speichern"] = time.perf_counter() - start
    store.close()
    return folder, timings
