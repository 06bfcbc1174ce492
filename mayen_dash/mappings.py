"""Remember how the user mapped the columns of a foreign export.

A list exported from another system arrives again and again with the same
headers. Its shape (the folded headers) identifies it, so the mapping the user
chose once is offered again for the next upload of that shape (kept in the store,
SnapshotStore.remember_mapping, so that every app server offers it).
"""

from __future__ import annotations

import hashlib

from .model import ColumnMapping
from .vocabulary import fold, match_column, match_status


def signature(headers: list[str]) -> str:
    """A stable name for a table's shape: its headers, folded, in order."""
    return hashlib.sha256("\x1f".join(fold(h) for h in headers).encode()).hexdigest()[:16]


def suggested_column(key: str, headers: list[str], remembered: ColumnMapping) -> str | None:
    """The header to preselect for a column: the remembered choice, else one the vocabulary recognises."""
    if remembered.columns.get(key) in headers:
        return remembered.columns[key]
    return next((header for header in headers if match_column(header) == key), None)


def suggested_status(value: str, remembered: ColumnMapping) -> str:
    """The status code to preselect for a cell value: the remembered choice, else the vocabulary's reading."""
    return remembered.status_values.get(value) or match_status(value)
