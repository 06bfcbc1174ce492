"""The words of the domain, each defined once.

Column synonyms, status codes with their spellings and colours, the fields of
action and the organisational abbreviations live here and nowhere else. The
reader, the normaliser, the charts, the template and the CLI all ask this
module, so a new spelling that the city starts using is added in one place.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import get_close_matches
from functools import lru_cache

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Reduce a label to the letters and digits that carry its meaning.

    Headers and statuses arrive as "Verantwortlich keit", "Maßnahme", "IN-ARBEIT";
    comparing folded keys makes case, spaces, hyphens, punctuation and the
    ä/ae, ß/ss spellings irrelevant.
    """
    text = unicodedata.normalize("NFC", str(text)).casefold().translate(_UMLAUTS)
    return re.sub(r"[^0-9a-z]", "", text)


@dataclass(frozen=True)
class Column:
    """A column of the measure table: its key in code, its German header and synonyms."""

    key: str
    label: str
    help: str
    synonyms: tuple[str, ...] = ()
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        "ID",
        "Kurze, dauerhafte Kennung der Maßnahme, z. B. EG-B-01. Sie verbindet eine "
        "Maßnahme über mehrere Berichte hinweg.",
        (
            "Nr",
            "Nummer",
            "Lfd Nr",
            "Laufende Nummer",
            "Kennung",
            "Kennziffer",
            "Maßnahmen-Nr",
            "Maßnahmennummer",
            "Schlüssel",
        ),
    ),
    Column(
        "area",
        "Handlungsfeld",
        "Eines der Handlungsfelder der Digitalisierungsstrategie.",
        ("Handlungsfelder", "Themenfeld", "Handlungsbereich", "Themenbereich", "Strategiefeld", "Cluster"),
    ),
    Column(
        "group",
        "Zielgruppe",
        "Für wen die Maßnahme gedacht ist (Bürger, Unternehmen, Mitarbeiter); darf leer bleiben.",
        ("Zielgruppen", "Gruppe", "Adressat", "Adressaten"),
    ),
    Column(
        "title",
        "Maßnahme",
        "Kurzbezeichnung der Maßnahme. Pflichtspalte.",
        (
            "Maßnahmen",
            "Maßnahmenbezeichnung",
            "Bezeichnung",
            "Titel",
            "Vorhaben",
            "Projekt",
            "Leistung",
            "Verwaltungsleistung",
            "Digitalisierungsmaßnahme",
        ),
        required=True,
    ),
    Column(
        "status",
        "Status",
        "Stand der Umsetzung. Pflichtspalte; erlaubte Werte stehen unten.",
        (
            "Staus",
            "Stand",
            "Umsetzungsstand",
            "Umsetzungsstatus",
            "Bearbeitungsstand",
            "Bearbeitungsstatus",
            "Zustand",
            "Projektstatus",
        ),
        required=True,
    ),
    Column(
        "responsible",
        "Verantwortlichkeit",
        "Zuständige Organisationseinheit(en), mehrere getrennt durch „/“, z. B. „Zentralbereich 1/Bereich 2.1“.",
        (
            "Verantwortlich keit",
            "Verantwortlich",
            "Verantwortliche",
            "Verantwortliche Stelle",
            "Zuständigkeit",
            "Zuständig",
            "Federführung",
            "Federführend",
            "Organisationseinheit",
            "Organisationseinheiten",
            "Ansprechpartner",
        ),
    ),
    Column(
        "target",
        "Zieldatum",
        "Bis wann die Maßnahme umgesetzt sein soll, als Datum oder Text: „2023“, „08/2022“, "
        "„2022/2023“, „Q3/2023“, „1. Halbjahr 2023“, „Ende 2023“, „laufend“.",
        (
            "Zeitrahmen",
            "Zeitrah men",
            "Zeitraum",
            "Zeitraumen",
            "Termin",
            "Zieltermin",
            "Frist",
            "Fälligkeit",
            "Fällig",
            "Fällig am",
            "Umsetzung bis",
            "Fertigstellung",
            "Bis",
            "Umsetzungszeitraum",
        ),
    ),
    Column(
        "remarks",
        "Anmerkungen",
        "Freitext zum Stand, zu Abhängigkeiten oder Problemen.",
        (
            "Anmerkung",
            "Bemerkungen",
            "Bemerkung",
            "Hinweise",
            "Hinweis",
            "Kommentar",
            "Kommentare",
            "Notizen",
            "Erläuterung",
            "Erläuterungen",
        ),
    ),
)

COLUMN_BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
REQUIRED_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.required)

_HEADER_INDEX: dict[str, str] = {
    fold(name): column.key for column in COLUMNS for name in (column.label, *column.synonyms)
}
_FUZZY_HEADERS = [key for key in _HEADER_INDEX if len(key) >= 6]
_FUZZY_CUTOFF = 0.86
# difflib's ratio is at most 2 * shorter / (both lengths): a longer text cannot reach the cutoff.
_FUZZY_MAX_LENGTH = int(max(map(len, _FUZZY_HEADERS)) * (2 / _FUZZY_CUTOFF - 1))


@lru_cache(maxsize=65536)
def _close_column(key: str) -> str | None:
    """The column whose name `key` misspells; about 0.1 ms a call, so each text is compared once."""
    close = get_close_matches(key, _FUZZY_HEADERS, n=1, cutoff=_FUZZY_CUTOFF)
    return _HEADER_INDEX[close[0]] if close else None


def match_column(header: object, *, fuzzy: bool = True) -> str | None:
    """The column key a header cell names, or None.

    Exact synonyms first; then, with `fuzzy`, a close spelling (a typing error
    in a word of six letters or more), because hand-kept workbooks drift.
    """
    if not isinstance(header, str):
        return None
    key = fold(header)
    if key in _HEADER_INDEX or not fuzzy or not 6 <= len(key) <= _FUZZY_MAX_LENGTH:
        return _HEADER_INDEX.get(key)
    return _close_column(key)


@dataclass(frozen=True)
class Status:
    """A status code with its German label, colour and the spellings that mean it."""

    code: str
    label: str
    color: str
    pattern: str
    synonyms: tuple[str, ...] = ()


# Okabe-Ito colours: distinguishable with every common colour-vision deficiency.
STATUSES: tuple[Status, ...] = (
    Status(
        "erledigt",
        "erledigt",
        "#0072B2",
        "",
        (
            "abgeschlossen",
            "umgesetzt",
            "fertig",
            "fertiggestellt",
            "beendet",
            "realisiert",
            "implementiert",
            "done",
            "erfüllt",
            "produktiv",
        ),
    ),
    Status(
        "in_bearbeitung",
        "in Bearbeitung",
        "#E69F00",
        "/",
        (
            "in Arbeit",
            "begonnen",
            "angefangen",
            "gestartet",
            "in Umsetzung",
            "in Planung",
            "in Vorbereitung",
            "in Prüfung",
            "teilweise umgesetzt",
            "teilweise erledigt",
            "in progress",
            "wip",
        ),
    ),
    Status(
        "laufend",
        "laufend",
        "#56B4E9",
        ".",
        ("fortlaufend", "dauerhaft", "kontinuierlich", "Daueraufgabe", "im Betrieb", "Regelbetrieb", "ongoing"),
    ),
    Status(
        "offen",
        "offen",
        "#999999",
        "x",
        (
            "geplant",
            "nicht begonnen",
            "noch nicht begonnen",
            "noch offen",
            "ausstehend",
            "vorgesehen",
            "neu",
            "todo",
            "to do",
        ),
    ),
    Status(
        "zurueckgestellt",
        "zurückgestellt",
        "#CC79A7",
        "-",
        ("pausiert", "ruht", "ruhend", "verschoben", "gestoppt", "ausgesetzt", "on hold"),
    ),
    Status("unbekannt", "unbekannt", "#F0E442", "+"),
)

STATUS_BY_CODE: dict[str, Status] = {s.code: s for s in STATUSES}
STATUS_CODES: tuple[str, ...] = tuple(s.code for s in STATUSES)
STATUS_LABELS: dict[str, str] = {s.code: s.label for s in STATUSES}
STATUS_COLORS: dict[str, str] = {s.label: s.color for s in STATUSES}
UNKNOWN_STATUS = "unbekannt"
DONE_STATUSES: frozenset[str] = frozenset({"erledigt"})
# Measures in these states are not late, whatever their date says.
NOT_OVERDUE_STATUSES: frozenset[str] = frozenset({"erledigt", "zurueckgestellt"})
# A measure moving from the first group to the second has been started ("neu begonnen" in a comparison).
NOT_STARTED_STATUSES: frozenset[str] = frozenset({"offen", UNKNOWN_STATUS, "zurueckgestellt"})
STARTED_STATUSES: frozenset[str] = frozenset({"in_bearbeitung", "laufend"})
OVERDUE_COLOR = "#D55E00"

# The statuses a measure can be given; "unbekannt" is only what the loader falls back to.
ASSIGNABLE_STATUSES: tuple[str, ...] = tuple(code for code in STATUS_CODES if code != UNKNOWN_STATUS)

_STATUS_INDEX: dict[str, str] = {
    fold(name): status.code
    for status in STATUSES
    if status.code != UNKNOWN_STATUS
    for name in (status.code, status.label, *status.synonyms)
}


def match_status(value: object) -> str:
    """The status code a cell means; `unbekannt` when it means none of them."""
    return _STATUS_INDEX.get(fold(str(value)) if value is not None else "", UNKNOWN_STATUS)


def match_label(text: object, names: tuple[str, ...]) -> bool:
    """Whether a cell spells one of `names`, in any case, spacing or umlaut spelling."""
    return isinstance(text, str) and fold(text) in {fold(n) for n in names}


def status_code_for_label(text: str) -> str | None:
    """Accept a code, label or synonym as people type it on the command line or in a URL."""
    if fold(text) == UNKNOWN_STATUS:
        return UNKNOWN_STATUS
    return _STATUS_INDEX.get(fold(text))


# The fields of action of Mayen's strategy, in the order of the report.
AREAS: tuple[str, ...] = (
    "E-Government und Onlinezugangsgesetz",
    "Innovatives Wissen",
    "Digitale Infrastruktur und Klimaschutz",
    "Innovative Wirtschaft- und Tourismusmanagement",
)
TARGET_GROUPS: tuple[str, ...] = ("Bürger", "Unternehmen", "Mitarbeiter")

# Abbreviations of organisational units that people write in the Verantwortlichkeit column.
UNIT_ABBREVIATIONS: dict[str, str] = {
    "ZB": "Zentralbereich",
    "FB": "Fachbereich",
}

SHEET_NAMES: dict[str, tuple[str, ...]] = {
    "measures": ("Maßnahmen", "Massnahmen", "Maßnahmenliste", "Statusbericht", "Status"),
    "scorecard": ("Scorecard", "Balanced Scorecard", "BSC"),
    "report": ("Bericht", "Berichtsangaben", "Projektbericht"),
    "organisation": ("Organisation", "Organisationseinheiten", "Zuordnung"),
    "notes": ("Hinweise", "Anleitung", "Erläuterungen"),
}


def sheet_role(name: str) -> str | None:
    """What a sheet holds, judged by its name."""
    key = fold(name)
    for role, names in SHEET_NAMES.items():
        if key in {fold(n) for n in names}:
            return role
    return None


SCORECARD_COLUMNS: dict[str, tuple[str, ...]] = {
    "perspective": ("Perspektive",),
    "question": ("Leitfrage",),
    "goals": ("Strategische Ziele", "Strat. Ziele", "Ziele"),
    "actions": ("Maßnahmen", "Maßnahme"),
    "indicator": ("Messgröße", "Messgrößen", "Kennzahl", "Indikator"),
    "unit": ("Einheit",),
    "target_value": ("Zielwert", "Soll", "Sollwert"),
    "actual_value": ("Istwert", "Ist"),
}
SCORECARD_LABELS: dict[str, str] = {key: names[0] for key, names in SCORECARD_COLUMNS.items()}

ORGANISATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "responsible": ("Verantwortlichkeit", "Verantwortlich", "Originaltext"),
    "units": ("Organisationseinheiten", "Organisationseinheit", "Einheiten", "Einheit"),
}
ORGANISATION_LABELS: dict[str, str] = {key: names[0] for key, names in ORGANISATION_COLUMNS.items()}

# The rows of the Bericht sheet: key in code -> label in the workbook.
REPORT_FIELDS: dict[str, str] = {
    "title": "Titel",
    "subtitle": "Untertitel",
    "document": "Dokument",
    "report_date": "Stichtag",
    "manager": "Projektmanager",
    "project_title": "Projekttitel",
    "background": "Projekthintergrund",
    "benefit": "Projektnutzen",
    "goal": "Projektziel",
    "progress": "Fortschritte im Projekt seit letztem Fortschrittsbericht",
    "next_steps": "Geplante nächste Schritte",
    "problems": "Problembereiche, erforderliche Gegenmaßnahmen und Verantwortlicher",
    "attachments": "Anlagen",
}
REPORT_FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "report_date": ("Stand", "Berichtsdatum", "Datum"),
    "project_title": ("Projekttitle",),
    "progress": ("Fortschritte", "Fortschritte seit letztem Bericht"),
    "next_steps": ("Nächste Schritte",),
    "problems": ("Problembereiche",),
    "attachments": ("Anhänge", "Weitere Anhänge", "Anlage"),
}


@dataclass(frozen=True)
class Narrative:
    """A text section of the report: its key in `Report.info`, its heading in the council report, its tab on screen."""

    key: str
    title: str
    tab: str


# The report's text sections in the order of the city's report (the Übersicht's tabs, the council report).
NARRATIVE_FIELDS: tuple[Narrative, ...] = (
    Narrative(
        "progress",
        "Fortschritte im Projekt seit dem letzten Fortschrittsbericht",
        "Fortschritte seit dem letzten Bericht",
    ),
    Narrative("next_steps", "Geplante nächste Schritte", "Geplante nächste Schritte"),
    Narrative(
        "problems",
        "Problembereiche, erforderliche Gegenmaßnahmen und Verantwortliche",
        "Problembereiche und Gegenmaßnahmen",
    ),
    Narrative("attachments", "Anlagen", "Anlagen"),
)
