"""The addresses that other systems read, and their description as OpenAPI 3.1 (/api/v1/openapi.json).

The paths and the parameters each takes stand here once: mayen_dash.opendata checks requests
against them, web/ routes them, and the description is built from the same names, so that a
parameter cannot be added to the API without appearing in its description.
"""

from __future__ import annotations

from .exports import SCHEMA_VERSION
from .filters import PARAM_AREA, PARAM_AS_OF, PARAM_QUERY, PARAM_SNAPSHOT, PARAM_STATUS, PARAM_UNIT
from .metrics import CARD_STATUSES
from .model import Report
from .vocabulary import STATUS_CODES, STATUS_LABELS

API_PREFIX = "/api/v1"
CALENDAR_PREFIX = "/kalender"
HEALTH_PATH = "/gesundheit"
ALL_UNITS = "alle"

MEASURES_JSON, MEASURES_CSV = "/massnahmen.json", "/massnahmen.csv"
SNAPSHOTS, FIGURES = "/staende.json", "/kennzahlen.json"
OPENAPI, DCAT = "/openapi.json", "/dcat.json"

FILTER_PARAMS = (PARAM_UNIT, PARAM_AREA, PARAM_STATUS, PARAM_QUERY, PARAM_AS_OF, PARAM_SNAPSHOT)
# Parameters that name one thing: a second value is refused rather than silently dropped.
SINGLE_VALUED = (PARAM_AS_OF, PARAM_SNAPSHOT)
# Every document below API_PREFIX, with the parameters it takes.
ENDPOINTS: dict[str, tuple[str, ...]] = {
    MEASURES_JSON: FILTER_PARAMS,
    MEASURES_CSV: FILTER_PARAMS,
    FIGURES: FILTER_PARAMS,
    SNAPSHOTS: (),
    DCAT: (),
    OPENAPI: (),
}

_STATUS_TEXT = ", ".join(f"{code} ({STATUS_LABELS[code]})" for code in STATUS_CODES)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _parameters(report: Report) -> dict[str, dict]:
    def many(name: str, description: str, examples: list[str]) -> dict:
        return {
            "name": name,
            "in": "query",
            "description": description,
            "schema": {"type": "array", "items": {"type": "string", "examples": examples}},
            "style": "form",
            "explode": True,
        }

    return {
        PARAM_UNIT: many(
            PARAM_UNIT,
            "Organisationseinheit: Maßnahmen, an denen sie beteiligt ist (allein oder mit anderen). Mehrfach "
            "möglich; Beispiele sind die Einheiten des neuesten Stands.",
            report.units,
        ),
        PARAM_AREA: many(PARAM_AREA, "Handlungsfeld, mehrfach möglich.", report.areas),
        PARAM_STATUS: many(
            PARAM_STATUS,
            f"Status als Code oder Bezeichnung, mehrfach möglich: {_STATUS_TEXT}.",
            list(STATUS_CODES),
        ),
        PARAM_QUERY: {
            "name": PARAM_QUERY,
            "in": "query",
            "description": "Suche ohne Rücksicht auf Groß-/Kleinschreibung in ID, Maßnahme, Verantwortlichkeit, "
            "Zieldatum, Status und Anmerkungen.",
            "schema": {"type": "string"},
        },
        PARAM_AS_OF: {
            "name": PARAM_AS_OF,
            "in": "query",
            "description": "Stichtag für „überfällig“ als JJJJ-MM-TT oder TT.MM.JJJJ; ohne ihn der Stichtag des "
            "Berichts.",
            "schema": {"type": "string", "examples": ["2022-08-31", "31.08.2022"]},
        },
        PARAM_SNAPSHOT: {
            "name": PARAM_SNAPSHOT,
            "in": "query",
            "description": "Nummer des gespeicherten Stands (siehe /api/v1/staende.json); ohne sie der neueste.",
            "schema": {"type": "integer", "minimum": 1},
        },
    }


_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}

# A measure in the JSON export (exports.measure_records), every field required.
_MEASURE_PROPERTIES: dict[str, dict] = {
    "id": {"type": "string", "description": "ID aus dem Bericht, leer wo keine"},
    "area": {"type": "string", "description": "Handlungsfeld"},
    "group": {"type": "string", "description": "Zielgruppe, leer wo keine"},
    "title": {"type": "string", "description": "Maßnahme"},
    "status": {"type": "string", "enum": list(STATUS_CODES), "description": "vereinheitlichter Status"},
    "status_label": {"type": "string", "description": "Bezeichnung des Status"},
    "status_raw": {"type": "string", "description": "Status wie in der Datei geschrieben"},
    "responsible": {"type": "string", "description": "Verantwortlichkeit wie geschrieben"},
    "units": {
        "type": "array",
        "items": {"type": "string"},
        "description": "daraus gelesene Organisationseinheiten",
    },
    "target": {"type": "string", "description": "Zieldatum wie geschrieben"},
    "start": {**_NULLABLE_DATE, "description": "Beginn des Zeitraums aus dem Zieldatum"},
    "due": {**_NULLABLE_DATE, "description": "Fälligkeit aus dem Zieldatum"},
    "ongoing": {"type": "boolean", "description": "„laufend“: Daueraufgabe"},
    "remarks": {"type": "string", "description": "Anmerkungen"},
    "overdue": {"type": "boolean", "description": "überfällig zum Stichtag as_of"},
}

_SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object",
        "required": ["status", "message"],
        "properties": {
            "status": {"type": "integer", "description": "HTTP-Status"},
            "message": {"type": "string", "description": "Was nicht ging, auf Deutsch"},
            "parameter": {"type": "string", "description": "der Parameter, der abgelehnt wurde"},
            "allowed": {"type": "array", "items": {"type": "string"}, "description": "was erlaubt ist"},
        },
    },
    "Snapshot": {
        "type": "object",
        "required": ["id", "report_date", "file_name", "uploaded_at", "measure_count", "sha256"],
        "properties": {
            "id": {"type": "integer", "description": "Nummer des gespeicherten Stands (Parameter stand)"},
            "report_date": {**_NULLABLE_DATE, "description": "Stichtag des Berichts"},
            "file_name": {"type": "string"},
            "uploaded_at": {"type": "string", "format": "date-time"},
            "measure_count": {"type": "integer"},
            "sha256": {"type": "string", "description": "Prüfsumme der gespeicherten Originaldatei"},
        },
    },
    "Filter": {
        "type": "object",
        "description": "Der angewandte Filter, mit den Namen der Parameter (leer: alle Maßnahmen).",
        "properties": {
            PARAM_UNIT: {"type": "array", "items": {"type": "string"}},
            PARAM_AREA: {"type": "array", "items": {"type": "string"}},
            PARAM_STATUS: {"type": "array", "items": {"type": "string", "enum": list(STATUS_CODES)}},
            PARAM_QUERY: {"type": "string"},
            PARAM_AS_OF: {"type": "string", "format": "date"},
        },
    },
    "Measure": {"type": "object", "required": list(_MEASURE_PROPERTIES), "properties": _MEASURE_PROPERTIES},
    "MeasuresDocument": {
        "type": "object",
        "required": [
            "schema_version",
            "title",
            "report_date",
            "exported_at",
            "as_of",
            "snapshot",
            "filter",
            "count",
            "measures",
        ],
        "properties": {
            "schema_version": {"type": "string", "const": SCHEMA_VERSION},
            "title": {"type": "string"},
            "report_date": _NULLABLE_DATE,
            "exported_at": {
                "type": "string",
                "format": "date-time",
                "description": "Zeitpunkt, zu dem der Stand gespeichert wurde",
            },
            "as_of": {"type": "string", "format": "date", "description": "Stichtag für overdue"},
            "snapshot": _ref("Snapshot"),
            "filter": _ref("Filter"),
            "count": {"type": "integer"},
            "measures": {"type": "array", "items": _ref("Measure")},
        },
    },
    "Figure": {
        "type": "object",
        "required": ["label", "value", "definition"],
        "properties": {
            "label": {"type": "string", "description": "die Beschriftung der Karte auf der Übersicht"},
            "value": {"type": "integer"},
            "share": {"type": "number", "description": "Anteil an allen Maßnahmen im Filter (0 bis 1), nur bei Status"},
            "definition": {"type": "string"},
        },
    },
    "FiguresDocument": {
        "type": "object",
        "required": ["schema_version", "title", "report_date", "snapshot", "filter", "as_of", "figures"],
        "properties": {
            "schema_version": {"type": "string", "const": SCHEMA_VERSION},
            "title": {"type": "string"},
            "report_date": _NULLABLE_DATE,
            "snapshot": _ref("Snapshot"),
            "filter": _ref("Filter"),
            "as_of": {"type": "string", "format": "date", "description": "Stichtag, zu dem gezählt wurde"},
            "figures": {
                "type": "object",
                "required": ["measures", *CARD_STATUSES, "overdue"],
                "additionalProperties": _ref("Figure"),
                "description": "Die Karten der Übersicht: measures (alle), je Status-Code die Maßnahmen mit diesem "
                "Status (zurueckgestellt und unbekannt nur, wenn vorhanden; zusammen ergeben sie measures), "
                "overdue (überfällig zum Stichtag).",
            },
        },
    },
    "SnapshotsDocument": {
        "type": "object",
        "required": ["schema_version", "newest_snapshot_id", "count", "snapshots"],
        "properties": {
            "schema_version": {"type": "string", "const": SCHEMA_VERSION},
            "newest_snapshot_id": {
                "type": "integer",
                "description": "der Stand, den alle anderen Adressen ohne Parameter stand liefern",
            },
            "count": {"type": "integer"},
            "snapshots": {"type": "array", "items": _ref("Snapshot"), "description": "ältester zuerst"},
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "store_reachable", "newest_snapshot_id", "message"],
        "properties": {
            "status": {"type": "string", "enum": ["ok", "unavailable"]},
            "store_reachable": {"type": "boolean"},
            "newest_snapshot_id": {"type": ["integer", "null"]},
            "newest_report_date": _NULLABLE_DATE,
            "message": {"type": "string"},
        },
    },
}


def _json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _error(description: str) -> dict:
    return {"description": description, "content": _json_content(_ref("Error"))}


_CACHED = {
    "ETag": {"schema": {"type": "string"}, "description": "für If-None-Match"},
    "Last-Modified": {"schema": {"type": "string"}, "description": "Zeitpunkt, zu dem der Stand gespeichert wurde"},
}
_COMMON_RESPONSES = {
    "304": {"description": "unverändert seit If-None-Match bzw. If-Modified-Since"},
    "429": _error("zu viele Anfragen von dieser Adresse (Retry-After sagt, wann wieder)"),
    "503": _error("der Speicher der Berichte ist nicht erreichbar"),
}


def _operation(
    summary: str, description: str, content: dict, parameters: tuple[str, ...] = (), *, cached: bool = True
) -> dict:
    responses: dict[str, dict] = {"200": {"description": "Erfolg", "content": content}}
    if cached:
        responses["200"]["headers"] = _CACHED
    if parameters:
        responses["400"] = _error("ein Parameter ist unbekannt oder hat einen unbekannten Wert")
    responses.update(_COMMON_RESPONSES)
    return {
        "get": {
            "summary": summary,
            "description": description,
            "parameters": [{"$ref": f"#/components/parameters/{name}"} for name in parameters],
            "responses": responses,
        }
    }


def openapi_document(base_url: str, report: Report) -> dict[str, object]:
    """The API as OpenAPI 3.1; the units and fields of `report` (the newest Stand) serve as examples."""
    filter_note = (
        "Parameter wie in der Adresse des Dashboards; ein unbekannter Parameter oder Wert ergibt 400 mit "
        "den erlaubten Werten."
    )
    paths = {
        API_PREFIX + MEASURES_JSON: _operation(
            "Maßnahmen als JSON",
            "Die Maßnahmen im Filter mit den Feldern wie geschrieben und vereinheitlicht. " + filter_note,
            _json_content(_ref("MeasuresDocument")),
            FILTER_PARAMS,
        ),
        API_PREFIX + MEASURES_CSV: _operation(
            "Maßnahmen als CSV",
            "Dieselben Maßnahmen als CSV für deutsches Excel (Semikolon, UTF-8 mit BOM); Text, der mit =, +, -, "
            "@ oder einem Steuerzeichen beginnt, steht mit vorangestelltem Apostroph. " + filter_note,
            {"text/csv": {"schema": {"type": "string"}}},
            FILTER_PARAMS,
        ),
        API_PREFIX + FIGURES: _operation(
            "Kennzahlen der Übersicht",
            "Die Kennzahlen der Übersicht im Filter, je mit ihrer Definition, und der Stichtag, zu dem gezählt "
            "wurde. " + filter_note,
            _json_content(_ref("FiguresDocument")),
            FILTER_PARAMS,
        ),
        API_PREFIX + SNAPSHOTS: _operation(
            "Gespeicherte Stände",
            "Alle gespeicherten Stände, ältester zuerst.",
            _json_content(_ref("SnapshotsDocument")),
        ),
        API_PREFIX + DCAT: _operation(
            "Beschreibung des Datensatzes (DCAT-AP.de)",
            "Für ein Open-Data-Portal (GovData, CKAN): Titel, Beschreibung, Herausgeber, Lizenz, Änderungsdatum "
            "und die Verteilungen, als JSON-LD.",
            {"application/ld+json": {"schema": {"type": "object"}}},
        ),
        API_PREFIX + OPENAPI: _operation(
            "Diese Beschreibung", "Die Schnittstelle als OpenAPI 3.1.", _json_content({"type": "object"})
        ),
        CALENDAR_PREFIX + "/{einheit}.ics": {
            "get": {
                "summary": "Kalender zum Abonnieren",
                "description": "Die Zieldaten des neuesten Stands für eine Organisationseinheit, oder „alle“: ein "
                "ganztägiger Termin je Maßnahme mit Fälligkeit, mit gleichbleibender UID, sodass ein abonnierter "
                "Kalender aktualisiert statt zu verdoppeln.",
                "parameters": [
                    {
                        "name": "einheit",
                        "in": "path",
                        "required": True,
                        "description": "Name der Einheit, URL-kodiert (Bereich%202.1), oder alle",
                        "schema": {"type": "string", "examples": [*report.units, ALL_UNITS]},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "Erfolg",
                        "headers": _CACHED,
                        "content": {"text/calendar": {"schema": {"type": "string"}}},
                    },
                    "404": _error("diese Organisationseinheit kommt im neuesten Stand nicht vor"),
                    **_COMMON_RESPONSES,
                },
            }
        },
        HEALTH_PATH: {
            "get": {
                "summary": "Zustand für den Lastverteiler",
                "description": "200, wenn der Speicher der Berichte erreichbar ist, sonst 503; mit der Nummer des "
                "neuesten Stands.",
                "responses": {
                    "200": {"description": "erreichbar", "content": _json_content(_ref("Health"))},
                    "503": {"description": "nicht erreichbar", "content": _json_content(_ref("Health"))},
                },
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mayen Digital-Dashboard: offene Daten",
            "version": SCHEMA_VERSION,
            "description": "Die Daten des Dashboards zur Digitalisierungsstrategie für andere Systeme: Maßnahmen, "
            "Kennzahlen, Stände, Kalender und Zustand. Nur lesend; jede Adresse beantwortet GET mit ETag, "
            "CORS für alle Ursprünge und einer Begrenzung der Anfragen je Client.",
        },
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {"parameters": _parameters(report), "schemas": _SCHEMAS},
    }
