"""Remember how the user mapped the columns of a foreign export.

A list exported from another system arrives again and again with the same
headers. Its shape (the folded headers) identifies it, so the mapping the user
chose once is offered again for the next upload of that shape.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from .model import ColumnMapping
from .vocabulary import STATUS_CODES, fold, match_column, match_status


def signature(headers: list[str]) -> str:
    """A stable name for a table's shape: its headers, folded, in order."""
    return hashlib.sha256("\x1f".join(fold(h) for h in headers).encode()).hexdigest()[:16]


class MappingMemory:
    """Mappings by table shape, in a small JSON file written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, dict[str, dict[str, str]]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, shape: str) -> ColumnMapping | None:
        entry = self._read().get(shape)
        if not isinstance(entry, dict):
            return None
        columns = {k: v for k, v in entry.get("columns", {}).items() if isinstance(v, str)}
        values = {k: v for k, v in entry.get("status_values", {}).items() if v in STATUS_CODES}
        return ColumnMapping(columns, values)

    def put(self, shape: str, mapping: ColumnMapping) -> None:
        data = self._read()
        data[shape] = {"columns": mapping.columns, "status_values": mapping.status_values}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(data, file, ensure_ascii=False, indent=2)
        os.replace(temporary, self.path)


def suggested_column(key: str, headers: list[str], remembered: ColumnMapping) -> str | None:
    """The header to preselect for a column: the remembered choice, else one the vocabulary recognises."""
    if remembered.columns.get(key) in headers:
        return remembered.columns[key]
    return next((header for header in headers if match_column(header) == key), None)


def suggested_status(value: str, remembered: ColumnMapping) -> str:
    """The status code to preselect for a cell value: the remembered choice, else the vocabulary's reading."""
    return remembered.status_values.get(value) or match_status(value)
