"""Remember how the user mapped the columns of a foreign export.

A list exported from another system arrives again and again with the same
headers. Its shape (the folded headers) identifies it, so the mapping the user
chose once is offered again for the next upload of that shape (kept in the store,
SnapshotStore.remember_mapping, so that every app server offers it).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from .model import ColumnMapping
from .vocabulary import fold, match_column, match_status

if TYPE_CHECKING:
    from .store import SnapshotStore

log = logging.getLogger(__name__)

# Where installations before the store kept their mappings: one JSON file in the data folder of each server.
MAPPING_FILE = "zuordnungen.json"
ADOPTED_SUFFIX = ".übernommen"


def signature(headers: list[str]) -> str:
    """A stable name for a table's shape: its headers, folded, in order."""
    return hashlib.sha256("\x1f".join(fold(h) for h in headers).encode()).hexdigest()[:16]


def adopt_mapping_file(path: Path, store: SnapshotStore) -> int:
    """Move the mappings an older installation kept in `path` into the store, once; how many were taken.

    The file is renamed afterwards (not deleted, so nothing an editor chose is lost), and a
    choice the store already holds wins: it was made later, on some app server. A file that is
    not the old format is left where it is and logged.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return 0
    except (OSError, ValueError):
        log.warning("%s is not a file of column mappings; left as it is", path)
        return 0
    if not isinstance(data, dict):
        log.warning("%s is not a file of column mappings; left as it is", path)
        return 0
    taken = 0
    for shape, entry in data.items():
        if not isinstance(entry, dict) or store.remembered_mapping(shape) is not None:
            continue
        columns = {k: v for k, v in (entry.get("columns") or {}).items() if isinstance(v, str)}
        values = {k: v for k, v in (entry.get("status_values") or {}).items() if isinstance(v, str)}
        store.remember_mapping(shape, ColumnMapping(columns, values))
        taken += 1
    path.rename(path.with_name(path.name + ADOPTED_SUFFIX))
    return taken


def suggested_column(key: str, headers: list[str], remembered: ColumnMapping) -> str | None:
    """The header to preselect for a column: the remembered choice, else one the vocabulary recognises."""
    if remembered.columns.get(key) in headers:
        return remembered.columns[key]
    return next((header for header in headers if match_column(header) == key), None)


def suggested_status(value: str, remembered: ColumnMapping) -> str:
    """The status code to preselect for a cell value: the remembered choice, else the vocabulary's reading."""
    return remembered.status_values.get(value) or match_status(value)
