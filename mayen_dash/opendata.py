"""The dashboard's data for the city's other systems: open-data documents, calendar subscriptions, health.

An open-data portal, a calendar program and a load balancer ask the server directly, without
the dashboard's pages. What they get is built here from what the server already holds: the
stored Stände and their reports parsed once per process (mayen_dash.installation), read and
never changed. A document is built once per Stand, filter and format and then served from
memory (at 100,000 measures a unit's JSON takes one to a few seconds to build, and a few
milliseconds to serve again). Nothing here knows HTTP or Streamlit; web/ puts the documents on routes.

The filters are the dashboard's own (mayen_dash.filters, the same parameters as in the
dashboard's address); the files are the dashboard's downloads (mayen_dash.exports). Where the
dashboard quietly drops a value that a link names and these data do not know, the API refuses
the request with a German message that names the allowed values: a portal should fail
loudly, not harvest an empty list.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import logging
import os
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from .exports import MEDIA_TYPES, SCHEMA_VERSION, export_file_name, export_measures, measures_ics, measures_json
from .filters import (
    DATE_FORMATS,
    PARAM_AREA,
    PARAM_SNAPSHOT,
    PARAM_STATUS,
    PARAM_UNIT,
    Filters,
    from_params,
    snapshot_from_params,
)
from .installation import Installation, ReportKey, SharedCache, installation, location, report_key
from .metrics import cards, department_names
from .model import Report
from .openapi import (
    ALL_UNITS,
    API_PREFIX,
    CALENDAR_PREFIX,
    DCAT,
    ENDPOINTS,
    FIGURES,
    FILTER_PARAMS,
    MEASURES_CSV,
    MEASURES_JSON,
    OPENAPI,
    SINGLE_VALUED,
    SNAPSHOTS,
    openapi_document,
)
from .store import Snapshot, SnapshotStore, StoreError, default_snapshot
from .vocabulary import STATUS_CODES, STATUS_LABELS

log = logging.getLogger(__name__)

# Documents kept in memory, by their bytes (plain and gzip): a unit's measures at 100,000 are ~10 MB.
BODY_BYTES_KEPT = 128 * 2**20
FILTERS_KEPT = 1024
JSON_TYPE = MEDIA_TYPES["json"]


class OpenDataError(Exception):
    """A request the API refuses, with its HTTP status and a German message naming what is allowed."""

    def __init__(self, status: int, message: str, parameter: str | None = None, allowed: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter
        self.allowed = list(allowed)

    def document(self) -> dict[str, object]:
        """The JSON body of the refusal: stable English keys, German text."""
        body: dict[str, object] = {"status": self.status, "message": self.message}
        if self.parameter is not None:
            body["parameter"] = self.parameter
        if self.allowed:
            body["allowed"] = self.allowed
        return body


def _listing(values: Sequence[str]) -> str:
    return ", ".join(f"„{v}“" for v in values)


def not_found(path: str) -> OpenDataError:
    """The refusal for a path under /api/ that does not exist, naming those that do."""
    known = [API_PREFIX + name for name in ENDPOINTS]
    return OpenDataError(404, f"Die Adresse „{path}“ gibt es nicht. Vorhanden sind: {', '.join(known)}.", allowed=known)


def calendar_not_found(path: str) -> OpenDataError:
    """The refusal for a path under /kalender/ that names no calendar file."""
    example = calendar_path(None)
    return OpenDataError(
        404,
        f"Die Adresse „{path}“ gibt es nicht. Kalender stehen unter {CALENDAR_PREFIX}/<Organisationseinheit>.ics, "
        f"für alle Einheiten unter {example}.",
        allowed=[example],
    )


def method_not_allowed(method: str) -> OpenDataError:
    return OpenDataError(
        405,
        f"Die Methode {method} ist hier nicht erlaubt: die offenen Daten lassen sich nur lesen (GET).",
        allowed=["GET", "HEAD", "OPTIONS"],
    )


def too_many_requests(retry_after: int) -> OpenDataError:
    return OpenDataError(
        429, f"Zu viele Anfragen von dieser Adresse. Bitte in {retry_after} Sekunden erneut versuchen."
    )


def internal_error(reference: str) -> OpenDataError:
    return OpenDataError(
        500,
        "Bei dieser Anfrage ist ein Fehler aufgetreten; die Daten sind davon nicht betroffen. Bitte die Betreuung "
        f"des Dashboards verständigen und diese Fehlernummer nennen: {reference}",
    )


def store_unavailable(error: StoreError) -> OpenDataError:
    return OpenDataError(503, str(error))


def _check_names(params: Mapping[str, Sequence[str]], allowed: Sequence[str]) -> None:
    for name, values in params.items():
        if name not in allowed:
            if allowed:
                message = f"Unbekannter Parameter „{name}“. Erlaubt sind: {', '.join(allowed)}."
            else:
                message = f"Diese Adresse nimmt keine Parameter an (erhalten: „{name}“)."
            raise OpenDataError(400, message, parameter=name, allowed=allowed)
        if name in SINGLE_VALUED and len(values) > 1:
            raise OpenDataError(400, f"Der Parameter „{name}“ darf nur einmal angegeben werden.", parameter=name)


def _refusal(parameter: str, value: str, report: Report, snapshot: Snapshot) -> OpenDataError:
    """Why `from_params` ignored a value, as the API's 400."""
    stand = f"im Stand Nr. {snapshot.id}"
    if parameter == PARAM_UNIT:
        allowed = report.units
        what = f"Unbekannte Organisationseinheit „{value}“ {stand}"
    elif parameter == PARAM_AREA:
        allowed = report.areas
        what = f"Unbekanntes Handlungsfeld „{value}“ {stand}"
    elif parameter == PARAM_STATUS:
        allowed = list(STATUS_CODES)
        labels = ", ".join(STATUS_LABELS[code] for code in STATUS_CODES)
        return OpenDataError(
            400,
            f"Unbekannter Status „{value}“. Erlaubt sind: {', '.join(allowed)} (oder die Bezeichnungen {labels}).",
            parameter=parameter,
            allowed=allowed,
        )
    else:
        return OpenDataError(
            400,
            f"Ungültiger Stichtag „{value}“. Erlaubt ist ein Datum als {' oder '.join(DATE_FORMATS)}, "
            "z. B. 2022-08-31.",
            parameter=parameter,
            allowed=list(DATE_FORMATS),
        )
    return OpenDataError(400, f"{what}. Erlaubt sind: {_listing(allowed)}.", parameter=parameter, allowed=allowed)


def _iso_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def snapshot_record(snapshot: Snapshot) -> dict[str, object]:
    """A stored Stand as the API names it (staende.json, and "snapshot" in every filtered document)."""
    return {
        "id": snapshot.id,
        "report_date": snapshot.report_date.isoformat() if snapshot.report_date else None,
        "file_name": snapshot.file_name,
        "uploaded_at": _iso_time(snapshot.uploaded_at),
        "measure_count": snapshot.measure_count,
        "sha256": snapshot.sha256,
    }


def calendar_path(unit: str | None) -> str:
    """The address of a unit's calendar (/kalender/Bereich%202.1.ics), or of all units' (/kalender/alle.ics)."""
    return f"{CALENDAR_PREFIX}/{urllib.parse.quote(unit or ALL_UNITS, safe='')}.ics"


def subscription_address(dashboard_url: str | None, unit: str | None, settings: Settings) -> str:
    """The webcal:// address a calendar program subscribes to.

    From MAYEN_PUBLIC_URL where set, else from the host of the address the browser shows
    (the page's own path is left out: the calendars hang below the server's root); the path
    alone where neither is known (a script run without a browser).
    """
    parts = urllib.parse.urlsplit(settings.public_url or dashboard_url or "")
    if not parts.netloc:
        return calendar_path(unit)
    root = parts.path.rstrip("/") if settings.public_url else ""
    return f"webcal://{parts.netloc}{root}{calendar_path(unit)}"


# --- the data set's description for a portal (DCAT-AP.de) -------------------------------------------

# Licences by their short name (as GovData writes them) → their DCAT-AP.de address.
LICENSES: dict[str, str] = {
    "dl-de/by-2-0": "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
    "dl-de/zero-2-0": "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
    "cc-by/4.0": "http://dcat-ap.de/def/licenses/cc-by/4.0",
    "cc-zero": "http://dcat-ap.de/def/licenses/cc-zero",
}
DEFAULT_LICENSE = "dl-de/by-2-0"
PUBLIC_URL_ENV = "MAYEN_PUBLIC_URL"
DCAT_ENV = {
    "title": "MAYEN_DCAT_TITLE",
    "description": "MAYEN_DCAT_DESCRIPTION",
    "publisher": "MAYEN_DCAT_PUBLISHER",
    "publisher_url": "MAYEN_DCAT_PUBLISHER_URL",
    "license": "MAYEN_DCAT_LICENSE",
    "contact_email": "MAYEN_DCAT_CONTACT_EMAIL",
    "modified": "MAYEN_DCAT_MODIFIED",
}


@dataclass(frozen=True)
class Settings:
    """What the operator sets for the open data: the public address and the data set's description.

    Empty title and description mean: from the report ("<Titel>: Maßnahmen und Umsetzungsstand").
    `modified` empty means: when the newest Stand was stored.
    """

    public_url: str = ""
    title: str = ""
    description: str = ""
    publisher: str = "Stadt Mayen"
    publisher_url: str = ""
    license: str = DEFAULT_LICENSE
    contact_email: str = ""
    modified: dt.datetime | None = None

    @classmethod
    def from_environment(cls, environment: Mapping[str, str]) -> Settings:
        """From MAYEN_PUBLIC_URL and MAYEN_DCAT_*; raises ValueError with a German message for a bad value."""
        values = {key: environment.get(name, "").strip() for key, name in DCAT_ENV.items()}
        license_ = values["license"] or DEFAULT_LICENSE
        if license_ not in LICENSES and not license_.startswith(("http://", "https://")):
            raise ValueError(
                f"{DCAT_ENV['license']}: „{license_}“ ist weder eine bekannte Lizenz ({', '.join(LICENSES)}) "
                "noch eine Adresse (http…)."
            )
        modified = None
        if values["modified"]:
            try:
                modified = dt.datetime.fromisoformat(values["modified"])
            except ValueError:
                raise ValueError(
                    f"{DCAT_ENV['modified']}: „{values['modified']}“ ist kein Zeitpunkt "
                    "wie 2023-06-30 oder 2023-06-30T12:00."
                ) from None
            modified = modified if modified.tzinfo else modified.replace(tzinfo=dt.UTC)
        public_url = environment.get(PUBLIC_URL_ENV, "").strip().rstrip("/")
        if public_url and urllib.parse.urlsplit(public_url).scheme not in ("http", "https"):
            raise ValueError(f"{PUBLIC_URL_ENV}: „{public_url}“ ist keine http- oder https-Adresse.")
        return cls(
            public_url=public_url,
            title=values["title"],
            description=values["description"],
            publisher=values["publisher"] or cls.publisher,
            publisher_url=values["publisher_url"],
            license=license_,
            contact_email=values["contact_email"],
            modified=modified,
        )

    def license_uri(self) -> str:
        return LICENSES.get(self.license, self.license)


def dcat_document(settings: Settings, base_url: str, report: Report, snapshot: Snapshot) -> dict[str, object]:
    """The data set as DCAT-AP.de (JSON-LD) for GovData or a CKAN portal: one data set, its distributions."""
    title = settings.title or f"{report.title}: Maßnahmen und Umsetzungsstand"
    description = settings.description or (
        f"Die Maßnahmen aus „{report.title}“ mit Handlungsfeld, Zielgruppe, Status, Verantwortlichkeit, Zieldatum "
        "und Anmerkungen, wie im Statusbericht geschrieben und vereinheitlicht (Status, Organisationseinheiten, "
        "Fälligkeit), dazu die Kennzahlen der Übersicht. Quelle ist der jeweils neueste gespeicherte Stand."
    )
    modified = {"@value": _iso_time(settings.modified or snapshot.uploaded_at), "@type": "xsd:dateTime"}
    license_ = {"@id": settings.license_uri()}
    publisher: dict[str, object] = {"@type": "foaf:Organization", "foaf:name": settings.publisher}
    if settings.publisher_url:
        publisher["foaf:homepage"] = {"@id": settings.publisher_url}

    def distribution(path: str, name: str, file_type: str, media_type: str) -> dict[str, object]:
        url = {"@id": base_url + API_PREFIX + path}
        return {
            "@type": "dcat:Distribution",
            "dct:title": {"@value": name, "@language": "de"},
            "dcat:accessURL": url,
            "dcat:downloadURL": url,
            "dct:format": {"@id": f"http://publications.europa.eu/resource/authority/file-type/{file_type}"},
            "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{media_type}"},
            "dct:license": license_,
            "dcatde:licenseAttributionByText": settings.publisher,
            "dct:modified": modified,
            "dct:conformsTo": {"@id": base_url + API_PREFIX + OPENAPI},
        }

    dataset: dict[str, object] = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "dcatde": "http://dcat-ap.de/def/dcatde/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": base_url + API_PREFIX + DCAT + "#datensatz",
        "@type": "dcat:Dataset",
        "dct:identifier": base_url + API_PREFIX + DCAT,
        "dct:title": {"@value": title, "@language": "de"},
        "dct:description": {"@value": description, "@language": "de"},
        "dct:publisher": publisher,
        "dct:license": license_,
        "dcatde:licenseAttributionByText": settings.publisher,
        "dct:modified": modified,
        "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/DEU"},
        "dcat:theme": {"@id": "http://publications.europa.eu/resource/authority/data-theme/GOVE"},
        "dcat:keyword": ["Digitalisierung", "E-Government", "Onlinezugangsgesetz", "Statusbericht", "Maßnahmen"],
        "dcat:landingPage": {"@id": base_url + "/"},
        "dcat:distribution": [
            distribution(MEASURES_JSON, "Maßnahmen (JSON)", "JSON", "application/json"),
            distribution(MEASURES_CSV, "Maßnahmen (CSV für Excel)", "CSV", "text/csv"),
            distribution(FIGURES, "Kennzahlen der Übersicht (JSON)", "JSON", "application/json"),
        ],
    }
    if settings.contact_email:
        dataset["dcat:contactPoint"] = {
            "@type": "vcard:Organization",
            "vcard:fn": settings.publisher,
            "vcard:hasEmail": {"@id": f"mailto:{settings.contact_email}"},
        }
    return dataset


# --- the figures of the Übersicht ------------------------------------------------------------------

def figures_record(report: Report, filters: Filters) -> dict[str, object]:
    """The Übersicht's cards under a filter, each with its label and definition, and the Stichtag counted at.

    The same list as the page and the council report (metrics.cards): the total, each status that
    occurs with its share, and "überfällig". The status figures add up to the total.
    """
    as_of = filters.reference_date(report)
    figures: dict[str, dict[str, object]] = {}
    for card in cards(filters.apply(report), as_of):
        figure: dict[str, object] = {"label": card.label, "value": card.value, "definition": card.help}
        if card.share is not None:
            figure["share"] = card.share
        figures[card.key] = figure
    return {"as_of": as_of.isoformat(), "figures": figures}


# --- health ---------------------------------------------------------------------------------------


def health(store: Callable[[], SnapshotStore]) -> tuple[bool, dict[str, object]]:
    """Whether the store answers, and the newest Stand's id: for a load balancer (never seeds or parses)."""
    try:
        newest = store().latest()
    except (StoreError, sa.exc.SQLAlchemyError, OSError) as error:
        log.warning("health check: store unreachable (%s)", error)
        return False, {
            "status": "unavailable",
            "store_reachable": False,
            "newest_snapshot_id": None,
            "message": "Der Speicher der Berichte ist nicht erreichbar.",
        }
    return True, {
        "status": "ok",
        "store_reachable": True,
        "newest_snapshot_id": newest.id if newest else None,
        "newest_report_date": newest.report_date.isoformat() if newest and newest.report_date else None,
        "message": "Der Speicher der Berichte ist erreichbar.",
    }


# --- the documents, built once and served from memory ----------------------------------------------


@dataclass(frozen=True)
class Body:
    """A finished document: its bytes, also gzip-compressed, with the validators a cache or calendar asks for.

    The bytes depend only on the Stand, the request and this code (times are the Stand's
    upload time, never "now"), so the ETag stays the same across restarts and app servers.
    """

    content: bytes
    media_type: str
    last_modified: dt.datetime | None = None
    file_name: str = ""
    etag: str = field(init=False)
    gzipped: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "etag", '"' + hashlib.sha256(self.content).hexdigest()[:32] + '"')
        object.__setattr__(self, "gzipped", gzip.compress(self.content, compresslevel=6, mtime=0))

    @property
    def size(self) -> int:
        return len(self.content) + len(self.gzipped)


def json_bytes(document: Mapping[str, Any]) -> bytes:
    """A document as the API writes JSON: UTF-8, umlauts as they are, indented for people reading it."""
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


@dataclass(frozen=True)
class _Request:
    snapshot: Snapshot
    report: Report
    filters: Filters


class OpenData:
    """The documents of one installation; thread-safe, shared by every request of the process."""

    def __init__(self, shared: Installation, settings: Settings) -> None:
        self.installation = shared
        self.settings = settings
        self._bodies: SharedCache[tuple, Body] = SharedCache(BODY_BYTES_KEPT, weigh=lambda body: body.size)
        # Parsed filters by Stand and parameters as sent: parsing asks the report for its units, about 15 ms
        # at 100,000 measures, which would be most of the time of a request answered from memory.
        self._filters: SharedCache[tuple, Filters] = SharedCache(FILTERS_KEPT)
        # Both are keyed by the report key first: a Stand no longer stored leaves both (mayen_dash.installation).
        shared.forget_with(self._forget)

    def _forget(self, listed: frozenset[ReportKey]) -> None:
        self._bodies.retain(lambda key: key[0] in listed)
        self._filters.retain(lambda key: key[0] in listed)

    def _newest(self) -> Snapshot:
        return default_snapshot(self.installation.snapshots())

    def _request(self, params: Mapping[str, Sequence[str]], allowed: Sequence[str]) -> _Request:
        """The Stand and filters a request names; OpenDataError 400 for anything these data do not know."""
        _check_names(params, allowed)
        stored = self.installation.snapshots()
        snapshot = default_snapshot(stored)
        if params.get(PARAM_SNAPSHOT):
            ids = [s.id for s in stored]
            chosen = snapshot_from_params(params, ids)
            if chosen is None:
                raise OpenDataError(
                    400,
                    f"Unbekannter Stand „{params[PARAM_SNAPSHOT][0]}“. Erlaubt sind die Nummern der gespeicherten "
                    f"Stände: {', '.join(map(str, ids))} (siehe {API_PREFIX}{SNAPSHOTS}).",
                    parameter=PARAM_SNAPSHOT,
                    allowed=[str(i) for i in ids],
                )
            snapshot = next(s for s in stored if s.id == chosen)
        report = self.installation.report(snapshot)
        spelt = tuple(sorted((name, tuple(values)) for name, values in params.items()))
        filters = self._filters.get((report_key(snapshot), spelt), lambda: self._filters_of(params, report, snapshot))
        return _Request(snapshot, report, filters)

    @staticmethod
    def _filters_of(params: Mapping[str, Sequence[str]], report: Report, snapshot: Snapshot) -> Filters:
        filters = from_params(params, report)
        if filters.ignored:
            raise _refusal(*filters.ignored[0], report, snapshot)
        return filters

    def _about(self, request: _Request) -> dict[str, object]:
        return {"snapshot": snapshot_record(request.snapshot), "filter": request.filters.to_params()}

    def _cached(self, key: tuple, build: Callable[[], Body]) -> Body:
        return self._bodies.get(key, build)

    def measures(self, params: Mapping[str, Sequence[str]], fmt: str) -> Body:
        """/api/v1/massnahmen.json or .csv: the filtered measures, written by the dashboard's own exporters."""
        request = self._request(params, FILTER_PARAMS)
        as_of = request.filters.reference_date(request.report)

        def build() -> Body:
            measures = request.filters.apply(request.report)
            if fmt == "json":
                content = measures_json(
                    measures,
                    report=request.report,
                    exported_at=request.snapshot.uploaded_at,
                    as_of=as_of,
                    about=self._about(request),
                )
            else:
                content = export_measures(measures, fmt, as_of)
            return Body(content, MEDIA_TYPES[fmt], request.snapshot.uploaded_at, export_file_name(fmt, as_of))

        return self._cached((report_key(request.snapshot), "measures", fmt, request.filters, as_of), build)

    def figures(self, params: Mapping[str, Sequence[str]]) -> Body:
        """/api/v1/kennzahlen.json: the Übersicht's figures under the filter, with definitions and Stichtag."""
        request = self._request(params, FILTER_PARAMS)

        def build() -> Body:
            document = {
                "schema_version": SCHEMA_VERSION,
                "title": request.report.title,
                "report_date": request.report.report_date.isoformat() if request.report.report_date else None,
                **self._about(request),
                **figures_record(request.report, request.filters),
            }
            return Body(json_bytes(document), JSON_TYPE, request.snapshot.uploaded_at)

        as_of = request.filters.reference_date(request.report)
        return self._cached((report_key(request.snapshot), "figures", request.filters, as_of), build)

    def snapshots(self, params: Mapping[str, Sequence[str]]) -> Body:
        """/api/v1/staende.json: every stored Stand, oldest first, and which one the other documents serve."""
        _check_names(params, ENDPOINTS[SNAPSHOTS])
        stored = self.installation.snapshots()
        document = {
            "schema_version": SCHEMA_VERSION,
            "newest_snapshot_id": default_snapshot(stored).id,
            "count": len(stored),
            "snapshots": [snapshot_record(s) for s in stored],
        }
        return Body(json_bytes(document), JSON_TYPE)

    def calendar(self, unit: str) -> Body:
        """/kalender/<Einheit>.ics or /kalender/alle.ics: the newest Stand's due dates, as the download writes them.

        The unit is matched as the command line matches a typed department (exact, else
        ignoring case and spaces); 404 names the units there are.
        """
        snapshot = self._newest()
        report = self.installation.report(snapshot)
        if unit == ALL_UNITS:
            filters = Filters()
        else:
            units = department_names(report, unit)
            if not units:
                raise OpenDataError(
                    404,
                    f"Einen Kalender für „{unit}“ gibt es nicht: diese Organisationseinheit kommt im neuesten Stand "
                    f"nicht vor. Vorhanden sind: {_listing(report.units)} und „{ALL_UNITS}“ für alle.",
                    allowed=[calendar_path(u) for u in report.units] + [calendar_path(None)],
                )
            filters = Filters(units=tuple(units))

        def build() -> Body:
            content = measures_ics(
                filters.apply(report),
                report=report,
                exported_at=snapshot.uploaded_at,
                subscription=", ".join(filters.units) or "alle Einheiten",
            )
            stem = "kalender_" + re.sub(r"[^\w.-]+", "_", "_".join(filters.units) or ALL_UNITS)
            return Body(content, MEDIA_TYPES["ics"], snapshot.uploaded_at, export_file_name("ics", stem=stem))

        return self._cached((report_key(snapshot), "calendar", filters), build)

    def dcat(self, params: Mapping[str, Sequence[str]], base_url: str) -> Body:
        """/api/v1/dcat.json: the data set's DCAT-AP.de description, for the city's open-data portal."""
        _check_names(params, ENDPOINTS[DCAT])
        snapshot = self._newest()
        report = self.installation.report(snapshot)
        base_url = self.settings.public_url or base_url
        return self._cached(
            (report_key(snapshot), "dcat", base_url),
            lambda: Body(json_bytes(dcat_document(self.settings, base_url, report, snapshot)), "application/ld+json"),
        )

    def openapi(self, params: Mapping[str, Sequence[str]], base_url: str) -> Body:
        """/api/v1/openapi.json: the API described as OpenAPI 3.1, with the newest Stand's units as examples."""
        _check_names(params, ENDPOINTS[OPENAPI])
        snapshot = self._newest()
        report = self.installation.report(snapshot)
        base_url = self.settings.public_url or base_url
        return self._cached(
            (report_key(snapshot), "openapi", base_url),
            lambda: Body(json_bytes(openapi_document(base_url, report)), JSON_TYPE),
        )


_services: SharedCache[str, OpenData] = SharedCache(4)


def settings() -> Settings:
    """This process's open-data settings (MAYEN_PUBLIC_URL, MAYEN_DCAT_*)."""
    return Settings.from_environment(os.environ)


def open_data() -> OpenData:
    """The open data of this process's installation, created on first use and shared afterwards.

    Raises StoreError when the store cannot be reached (then nothing is kept and the next call tries again),
    ValueError with a German message for a bad setting.
    """
    return _services.get(location(), lambda: OpenData(installation(), settings()))
