"""Where the installation keeps its files, its clock, and what it says about itself; set by environment variables."""

from __future__ import annotations

import datetime as dt
import logging
import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
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


# --- what a public website must say about itself ------------------------------------------------------
#
# One row per setting: the field of SiteInfo, its environment variable, and whether it is an address
# (http/https) that the dashboard links to. README, section "Barrierefreiheit, Impressum und Datenschutz",
# describes them for the operator.

STATEMENT_DATE = dt.date(2026, 12, 2)  # when this software's Erklärung zur Barrierefreiheit was last checked
SITE_SETTINGS: tuple[tuple[str, str, bool], ...] = (
    ("impressum_url", "MAYEN_IMPRESSUM_URL", True),
    ("privacy_url", "MAYEN_DATENSCHUTZ_URL", True),
    ("body", "MAYEN_BARRIEREFREIHEIT_STELLE", False),
    ("contact_email", "MAYEN_BARRIEREFREIHEIT_EMAIL", False),
    ("contact_phone", "MAYEN_BARRIEREFREIHEIT_TELEFON", False),
    ("contact_address", "MAYEN_BARRIEREFREIHEIT_ANSCHRIFT", False),
    ("enforcement", "MAYEN_DURCHSETZUNGSSTELLE", False),
    ("enforcement_url", "MAYEN_DURCHSETZUNGSSTELLE_URL", True),
    ("statement_date", "MAYEN_BARRIEREFREIHEIT_DATUM", False),
)


@dataclass(frozen=True)
class SiteInfo:
    """Impressum, Datenschutzerklärung and the contacts of the Erklärung zur Barrierefreiheit (BITV 2.0 § 7).

    `body` is the public body the Erklärung speaks for; other fields empty mean not configured.
    `statement_date` is the date of the Erklärung: the operator's own check where
    MAYEN_BARRIEREFREIHEIT_DATUM gives one, else STATEMENT_DATE.
    """

    impressum_url: str = ""
    privacy_url: str = ""
    body: str = "Stadt Mayen"
    contact_email: str = ""
    contact_phone: str = ""
    contact_address: str = ""
    enforcement: str = ""
    enforcement_url: str = ""
    statement_date: dt.date = STATEMENT_DATE

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_email or self.contact_phone or self.contact_address)


def site_info(environment: Mapping[str, str] | None = None) -> SiteInfo:
    """SiteInfo from the environment (SITE_SETTINGS); a bad value is logged and left out.

    An address that is not http(s) would make a broken or dangerous link (javascript:), a date that
    is none would make a false Erklärung; neither must take the dashboard down, as with MAYEN_TIME_ZONE.
    """
    environment = os.environ if environment is None else environment
    values: dict[str, object] = {}
    for field, name, is_address in SITE_SETTINGS:
        value = environment.get(name, "").strip()
        if not value:
            continue
        if is_address and urllib.parse.urlsplit(value).scheme not in ("http", "https"):
            log.warning("%s=%r is no http(s) address; left out", name, value)
            continue
        if field == "statement_date":
            try:
                values[field] = dt.date.fromisoformat(value)
            except ValueError:
                log.warning("%s=%r is no date like 2026-12-02; using %s", name, value, STATEMENT_DATE)
            continue
        values[field] = value.replace("\\n", "\n") if field == "contact_address" else value
    return SiteInfo(**values)
