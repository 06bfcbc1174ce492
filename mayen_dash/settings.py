"""Where the installation keeps its files; set by environment variables."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_REPORT = PACKAGE_ROOT / "data" / "status_2022-08.xlsx"
TEMPLATE = PACKAGE_ROOT / "data" / "vorlage.xlsx"


def data_dir() -> Path:
    """MAYEN_DATA_DIR, default ./var: the folder for what the dashboard remembers."""
    path = Path(os.environ.get("MAYEN_DATA_DIR", "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path
