"""A stored Stand's report, kept ready beside its original file, so that a restart does not parse it again.

Parsing a Stand from its original file takes about 1.7 s per 100,000 measures; reading this
form back takes a fraction of that (bench/bench_restart.py). The measure and scorecard tables
are Parquet (pyarrow), everything else is JSON.

The form is stamped with `LOADER_VERSION`, a hash of the package's own source and of the
pandas and pyarrow versions: whatever changes in the code, a stored form from before the
change is never used, and the report is derived again from the original file. That costs one
parse per Stand after an upgrade, and it can never serve a report that today's loader would
read differently.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow

from .model import Finding, FindingCode, Report

PACKAGE = Path(__file__).resolve().parent


def _loader_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(f"pandas {pd.__version__} pyarrow {pyarrow.__version__}".encode())
    return digest.hexdigest()[:16]


LOADER_VERSION = _loader_version()

_FRAMES = ("measures", "scorecard")


def _frame_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow", index=False, compression="zstd")
    return buffer.getvalue()


def _restore_objects(column: pd.Series) -> pd.Series:
    """An object column as the loader built it: tuples where it held tuples, None where a value is missing."""
    values = column.tolist()
    return pd.Series(
        [tuple(v) if isinstance(v, np.ndarray | list) else (None if _missing(v) else v) for v in values],
        index=column.index,
        dtype=object,
        name=column.name,
    )


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _frame(data: bytes, dtypes: dict[str, str]) -> pd.DataFrame:
    frame = pd.read_parquet(io.BytesIO(data), engine="pyarrow")
    for name, dtype in dtypes.items():
        if dtype == "object":
            frame[name] = _restore_objects(frame[name])
        elif dtype.startswith("datetime64") and str(frame[name].dtype) != dtype:
            frame[name] = frame[name].astype(dtype)  # Parquet keeps milliseconds at the finest
    return frame


def _tagged(value: object) -> Any:
    """Dates, tuples and frozensets marked for JSON, which has none of them, so that they come back as they went."""
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    if isinstance(value, frozenset):
        return {"__frozenset__": sorted(_tagged(v) for v in value)}
    if isinstance(value, tuple):
        return {"__tuple__": [_tagged(v) for v in value]}
    if isinstance(value, list):
        return [_tagged(v) for v in value]
    if isinstance(value, dict):
        return {key: _tagged(v) for key, v in value.items()}
    return value


def _json_hook(value: dict[str, Any]) -> Any:
    if value.keys() == {"__date__"}:
        return dt.date.fromisoformat(value["__date__"])
    if value.keys() == {"__tuple__"}:
        return tuple(value["__tuple__"])
    if value.keys() == {"__frozenset__"}:
        return frozenset(value["__frozenset__"])
    return value


def to_parts(report: Report) -> dict[str, bytes]:
    """The report as a few byte strings for the store: one per table and one for the rest."""
    rest: dict[str, Any] = {}
    for item in dataclasses.fields(report):
        value = getattr(report, item.name)
        if item.name in _FRAMES:
            rest[f"{item.name}_dtypes"] = {str(k): str(v) for k, v in value.dtypes.items()}
        elif item.name == "findings":
            rest["findings"] = [dataclasses.asdict(finding) for finding in value]
        else:
            rest[item.name] = value
    parts = {name: _frame_bytes(getattr(report, name)) for name in _FRAMES}
    parts["meta"] = json.dumps(_tagged(rest), ensure_ascii=False).encode()
    return parts


def from_parts(parts: dict[str, bytes]) -> Report:
    """The report `to_parts` took apart, with the same columns, dtypes and values."""
    rest = json.loads(parts["meta"], object_hook=_json_hook)
    frames = {name: _frame(parts[name], rest.pop(f"{name}_dtypes")) for name in _FRAMES}
    # A form written before findings had codes is never read: its LOADER_VERSION differs, so it is derived again.
    findings = [Finding(**finding | {"code": FindingCode(finding["code"])}) for finding in rest.pop("findings")]
    return Report(**frames, findings=findings, **rest)
