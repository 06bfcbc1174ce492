"""Turn what people type into dates and organisational units.

Every rule that interprets a cell lives here once: the Zieldatum parser, the
Verantwortlichkeit splitter and the reading of a Stichtag from a file name.
None of these functions raises on odd input; they say "unreadable" instead,
because a finding for the user beats a crash in a meeting.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass

from .vocabulary import UNIT_ABBREVIATIONS, fold

# Control characters (but tab and line breaks) and the bidi controls that reorder text on screen
# (embeddings, overrides, isolates and the marks LRM, RLM, ALM): nothing anybody types into a cell,
# they garble the dashboard and a terminal, and PostgreSQL cannot store NUL at all. Every name that
# is shown or stored passes here: cells (tables.py), sheet names (readers.read_workbook), file names
# (ui.Source, store), unit names (store.merge_units).
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """`text` without the characters one cannot see (control characters, bidi overrides)."""
    return text if text.isprintable() else _INVISIBLE.sub("", text)


@dataclass(frozen=True)
class Period:
    """When a measure is meant to happen: start and due date, both optional.

    `ongoing` marks permanent tasks ("laufend"); they have no due date unless
    the text also names one ("Laufend, 2022").
    """

    start: dt.date | None = None
    due: dt.date | None = None
    ongoing: bool = False


_MONTHS = {
    "jan": 1,
    "januar": 1,
    "jaenner": 1,
    "feb": 2,
    "februar": 2,
    "maer": 3,
    "mrz": 3,
    "maerz": 3,
    "apr": 4,
    "april": 4,
    "mai": 5,
    "jun": 6,
    "juni": 6,
    "jul": 7,
    "juli": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "okt": 10,
    "oktober": 10,
    "nov": 11,
    "november": 11,
    "dez": 12,
    "dezember": 12,
}
_NO_DATE_WORDS = {"", "offen", "unbekannt", "nv", "na", "ka", "tbd", "noch offen", "unklar"}
_ONGOING_WORDS = {
    "laufend",
    "fortlaufend",
    "dauerhaft",
    "kontinuierlich",
    "daueraufgabe",
    "ständig",
    "staendig",
    "regelmäßig",
    "regelmaessig",
}
# Words that may stand before a date without changing it: "bis Ende 2023", "vsl. Q3/2023".
_LEADING_FILLER = re.compile(
    r"^(?:(?:bis|spätestens|spaetestens|ca|circa|voraussichtlich|vsl|geplant|planmäßig|etwa"
    r"|im|in|zum|zur)\b\.?\s*)+",
)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _year(text: str) -> int | None:
    value = int(text)
    if len(text) == 2:
        value += 2000
    return value if 1990 <= value <= 2100 else None


def _day(year: int | None, month: int, day: int) -> Period | None:
    try:
        date = dt.date(year, month, day) if year else None
    except ValueError:
        return None
    return Period(date, date) if date else None


def _months(year: int, first: int, last: int) -> Period:
    return Period(dt.date(year, first, 1), _month_end(year, last))


def _single(text: str) -> Period | None:
    """A period written as one expression: a year, a month, a quarter, a date."""
    m = re.fullmatch(r"(\d{4})", text)
    if m and (year := _year(m[1])):
        return _months(year, 1, 12)
    m = re.fullmatch(r"(\d{1,2})\s*[./]\s*(\d{4}|\d{2})", text)
    if m and 1 <= int(m[1]) <= 12 and (year := _year(m[2])):
        return _months(year, int(m[1]), int(m[1]))
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if m and 1 <= int(m[2]) <= 12 and (year := _year(m[1])):
        return _months(year, int(m[2]), int(m[2]))
    m = re.fullmatch(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4}|\d{2})", text)
    if m:
        return _day(_year(m[3]), int(m[2]), int(m[1]))
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        return _day(_year(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"q\s*([1-4])\s*[/.\s-]?\s*(\d{4}|\d{2})", text) or re.fullmatch(
        r"([1-4])\s*\.?\s*quartal\s*(\d{4}|\d{2})", text
    )
    if m and (year := _year(m[2])):
        quarter = int(m[1])
        return _months(year, 3 * quarter - 2, 3 * quarter)
    m = re.fullmatch(r"(?:h\s*([12])|([12])\s*\.?\s*(?:halbjahr|hj))\s*[/.\s-]?\s*(\d{4}|\d{2})", text)
    if m and (year := _year(m[3])):
        half = int(m[1] or m[2])
        return _months(year, 6 * half - 5, 6 * half)
    m = re.fullmatch(r"(anfang|mitte|ende)\s+(\d{4})", text)
    if m and (year := _year(m[2])):
        return {"anfang": _months(year, 1, 3), "mitte": _months(year, 4, 6), "ende": _months(year, 10, 12)}[m[1]]
    m = re.fullmatch(r"kw\s*(\d{1,2})\s*[/.\s-]?\s*(\d{4})", text)
    if m and (year := _year(m[2])) and 1 <= int(m[1]) <= 53:
        try:
            monday = dt.date.fromisocalendar(year, int(m[1]), 1)
        except ValueError:
            return None
        return Period(monday, monday + dt.timedelta(days=6))
    m = re.fullmatch(r"([a-zäöü]+)\.?\s*(\d{4}|\d{2})", text)
    month = _MONTHS.get(fold(m[1])) if m else None
    if m and month and (year := _year(m[2])):
        return _months(year, month, month)
    return None


def _range(text: str) -> Period | None:
    """Two periods joined by "/", "-" or "bis": from the start of one to the end of the other."""
    for m in re.finditer(r"\s*(?:/|–|—|-|\bbis\b)\s*", text):
        left, right = text[: m.start()].strip(), text[m.end() :].strip()
        first = _single(left)
        if first is None:
            continue
        if re.fullmatch(r"\d{2}", right) and re.fullmatch(r"\d{4}", left):
            right = left[:2] + right
        last = _single(right)
        if last is not None and first.start and last.due and first.start <= last.due:
            return Period(first.start, last.due)
    return None


# Zieldaten that parse_target reads, as the refusals of an unreadable one name them.
READABLE_TARGETS: tuple[str, ...] = ("2023", "08/2022", "31.12.2023", "Q3/2023", "1. Halbjahr 2023", "laufend")
READABLE_TARGETS_TEXT = ", ".join(f"„{example}“" for example in READABLE_TARGETS)


def parse_target(value: object) -> Period | None:
    """Read a Zieldatum cell; None when it cannot be read.

    "2023" is due 31.12.2023, "08/2022" 31.08.2022, "2022/2023" 31.12.2023;
    "laufend", "offen" and empty have no due date; "Laufend, 2022" is ongoing
    and due 31.12.2022. Excel date cells are taken as they are.
    """
    if value is None:
        return Period()
    if isinstance(value, dt.datetime):
        return Period(value.date(), value.date())
    if isinstance(value, dt.date):
        return Period(value, value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value) or int(value) != value:
            return None
        value = str(int(value))
    text = re.sub(r"\s+", " ", visible(str(value))).strip().casefold()
    text = text.strip(" .,;:!?")
    ongoing = False
    m = re.match(r"([a-zäöüß]+)\b[\s,;:/-]*", text)
    if m and m[1] in _ONGOING_WORDS:
        ongoing, text = True, text[m.end() :]
    text = _LEADING_FILLER.sub("", text).strip(" .,;:-")
    if text.replace(".", "").replace("/", "") in _NO_DATE_WORDS:
        return Period(ongoing=ongoing)
    period = _single(text) or _range(text)
    if period is None:
        return None
    return Period(period.start, period.due, ongoing)


_UNIT_SEPARATORS = re.compile(
    r"\s*(?:/|;|,|&|\+|\n|\bsowie\b|\bund\b|\bin\s+zusammenarbeit\s+mit\b)\s*",
    re.IGNORECASE,
)
_ARTICLES = re.compile(r"^(?:dem|der|den|die|das)\s+", re.IGNORECASE)
_ABBREVIATION = re.compile(r"^(" + "|".join(map(re.escape, UNIT_ABBREVIATIONS)) + r")\.?\s*(?=\d)", re.IGNORECASE)


def _clean_unit(part: str) -> str:
    part = re.sub(r"\([^)]*\)", " ", part)
    part = re.sub(r"\s+", " ", part).strip(" .-")
    part = _ARTICLES.sub("", part)
    m = _ABBREVIATION.match(part)
    if m:
        part = f"{UNIT_ABBREVIATIONS[m[1].upper()]} {part[m.end() :].strip()}"
    return part


def split_units(responsible: str, mapping: dict[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """The organisational units named in a Verantwortlichkeit text.

    A workbook's `Organisation` sheet wins (so "Klimaschutz/Umwelt" can stay one
    unit); otherwise the text is split at "/", "und", "in Zusammenarbeit mit",
    and parenthesised additions such as "(Personal)" are dropped.
    """
    text = re.sub(r"\s+", " ", str(responsible or "")).strip()
    if not text:
        return ()
    if mapping and (units := mapping.get(responsibility_key(text))) is not None:
        return units
    units: list[str] = []
    for part in _UNIT_SEPARATORS.split(text):
        unit = _clean_unit(part)
        if unit and unit not in units:
            units.append(unit)
    return tuple(units)


def responsibility_key(text: str) -> str:
    """How a Verantwortlichkeit text is looked up in the Organisation mapping."""
    return re.sub(r"\s+", "", str(text)).casefold()


def parse_units_cell(text: str) -> tuple[str, ...]:
    """Units listed in one cell of the Organisation sheet, separated by ";" or new lines."""
    parts = (re.sub(r"\s+", " ", p).strip() for p in re.split(r"[;\n]", str(text or "")))
    return tuple(dict.fromkeys(p for p in parts if p))


def report_date_from_filename(name: str) -> dt.date | None:
    """A Stichtag implied by a file name like status_2023-06.xlsx (end of that month) or Bericht 31.08.2022.pdf."""
    german = re.search(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(20\d{2})(?!\d)", name or "")
    if german:
        return _day(int(german[3]), int(german[2]), int(german[1])) and dt.date(
            int(german[3]), int(german[2]), int(german[1])
        )
    m = re.search(r"(?<!\d)(20\d{2})[-_.](\d{1,2})(?:[-_.](\d{1,2}))?(?!\d)", name or "")
    if not m or not 1 <= int(m[2]) <= 12:
        return None
    year, month = int(m[1]), int(m[2])
    if m[3]:
        try:
            return dt.date(year, month, int(m[3]))
        except ValueError:
            return None
    return _month_end(year, month)


# A date as a title block writes it: 30.09.2024, 2024-09-30, 09/2024, September 2024, 2024.
_DATE_TEXT = (
    r"(\d{1,2}\.\s*\d{1,2}\.\s*(?:\d{4}|\d{2})(?!\d)|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\s*[/.]\s*\d{4}"
    r"|[a-zäöü]{3,9}\.?\s+\d{4}|\d{4})"
)
# The words that make a date the report's Stichtag: "Stand: …", "Stichtag …", "Projektstatusbericht vom …".
_STICHTAG = re.compile(
    r"(?:\b(?:stand|stichtag|datenstand|berichtsstand|berichtsdatum)\b\s*(?::|vom|zum|per|am)?|\w*bericht\s+(?:vom|zum|per))"
    r"\s*" + _DATE_TEXT,
    re.IGNORECASE,
)
_ANY_DATE = re.compile(r"(?<![\d.])" + _DATE_TEXT + r"(?![\d])", re.IGNORECASE)


def _date_of(text: str) -> tuple[dt.date, bool] | None:
    """The day a date text ends on, and whether it names a day or month (not only a year)."""
    period = parse_target(text)
    if period is None or period.due is None:
        return None
    return period.due, not re.fullmatch(r"\d{4}", text.strip())


def dates_in_title(text: str) -> tuple[dt.date | None, list[dt.date]]:
    """The Stichtag a title line names, and the other dates in it, which may be suggested.

    "Stand: 30.09.2024", "Stand 09/2024" (30.09.2024), "Stichtag 30.09.2024" and
    "Projektstatusbericht vom 31.08.2022" name a Stichtag; "Stand 2024" names only a
    year, which is a suggestion (31.12.2024), like a date without such a word.
    """
    text = visible(str(text))
    stichtag = None
    suggestions: list[dt.date] = []
    named = _STICHTAG.search(text)
    if named and (found := _date_of(named[1])):
        if found[1]:
            stichtag = found[0]
        else:
            suggestions.append(found[0])
    for match in _ANY_DATE.finditer(text):
        found = _date_of(match[1])
        if found and found[0] != stichtag and found[0] not in suggestions and 1990 <= found[0].year <= 2100:
            suggestions.append(found[0])
    return stichtag, suggestions


def year_from_filename(name: str) -> dt.date | None:
    """A year in a file name ("Bericht 2023.docx"), as a suggestion: 31.12. of that year."""
    m = re.search(r"(?<!\d)(20\d{2})(?!\d)", name or "")
    return dt.date(int(m[1]), 12, 31) if m else None
