"""Where the installation keeps its files and which clock it reads; set by environment variables."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_REPORT = PACKAGE_ROOT / "data" / "status_2022-08.xlsx"
TEMPLATE = PACKAGE_ROOT / "data" / "vorlage.xlsx"

TIME_ZONE_ENV = "MAYEN_TIME_ZONE"
DEFAULT_TIME_ZONE = "Europe/Berlin"


def data_dir() -> Path:
    """MAYEN_DATA_DIR, default ./var: the folder for what the dashboard remembers."""
    path = Path(os.environ.get("MAYEN_DATA_DIR", "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def time_zone() -> ZoneInfo:
    """MAYEN_TIME_ZONE (an IANA name such as Europe/Vienna), default Europe/Berlin: the installation's clock.

    Every time a person reads (upload times, "Erstellt" in the council report) is told in this zone;
    the store keeps UTC. A server runs in UTC more often than not, so the zone never comes from the
    machine. A name that is no time zone is logged and Europe/Berlin is used: a typing error in the
    configuration must not take the dashboard down.
    """
    name = os.environ.get(TIME_ZONE_ENV, "").strip() or DEFAULT_TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("%s=%r is not a time zone; using %s", TIME_ZONE_ENV, name, DEFAULT_TIME_ZONE)
        return ZoneInfo(DEFAULT_TIME_ZONE)
