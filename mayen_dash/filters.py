"""The dashboard's filter state and its form in a link.

A view of the dashboard is a stored report (`stand`, a snapshot id) and a
`Filters` value. Both round-trip through URL query parameters (`stand`,
`einheit`, `feld`, `status`, `q`, `stichtag`; repeated for several values), so
that a link sent after a meeting reproduces the view. This module knows
nothing about Streamlit: the app reads and writes plain dicts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from .metrics import filter_measures, reference_date
from .model import Report
from .vocabulary import STATUS_CODES, STATUS_LABELS, status_code_for_label

PARAM_UNIT = "einheit"
PARAM_AREA = "feld"
PARAM_STATUS = "status"
PARAM_QUERY = "q"
PARAM_AS_OF = "stichtag"
PARAM_SNAPSHOT = "stand"
PARAMS = (PARAM_UNIT, PARAM_AREA, PARAM_STATUS, PARAM_QUERY, PARAM_AS_OF)


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the view to. Empty tuples mean "all"."""

    units: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    query: str = ""
    as_of: dt.date | None = None
    # (parameter, value) of each value a link named that these data do not know.
    ignored: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def apply(self, report: Report) -> pd.DataFrame:
        return filter_measures(
            report.measures, units=self.units, areas=self.areas, statuses=self.statuses, query=self.query
        )

    def reference_date(self, report: Report) -> dt.date:
        """The date overdue is measured against (metrics.reference_date of the chosen date)."""
        return reference_date(report, self.as_of)

    def describe(self) -> str:
        """The filter in force as one German line, for page captions and the report's header; "" for none."""
        parts = []
        if self.units:
            parts.append("Organisationseinheit: " + ", ".join(self.units))
        if self.areas:
            parts.append("Handlungsfeld: " + ", ".join(self.areas))
        if self.statuses:
            parts.append("Status: " + ", ".join(STATUS_LABELS.get(s, s) for s in self.statuses))
        if self.query:
            parts.append(f"Suche: „{self.query}“")
        return " · ".join(parts)

    def is_empty(self) -> bool:
        return not (self.units or self.areas or self.statuses or self.query)

    def with_(self, **changes: object) -> Filters:
        return replace(self, **changes)

    def to_params(self) -> dict[str, list[str] | str]:
        """Query parameters for this view; absent criteria are left out of the link."""
        params: dict[str, list[str] | str] = {}
        if self.units:
            params[PARAM_UNIT] = list(self.units)
        if self.areas:
            params[PARAM_AREA] = list(self.areas)
        if self.statuses:
            params[PARAM_STATUS] = list(self.statuses)
        if self.query:
            params[PARAM_QUERY] = self.query
        if self.as_of:
            params[PARAM_AS_OF] = self.as_of.isoformat()
        return params


def _values(params: Mapping[str, Sequence[str] | str], name: str) -> list[str]:
    value = params.get(name, [])
    values = [value] if isinstance(value, str) else list(value)
    return [v.strip() for v in values if v and v.strip()]


# The forms a Stichtag may take in a link (ISO and German), as people read them; _date parses both.
DATE_FORMATS = ("JJJJ-MM-TT", "TT.MM.JJJJ")


def _known(
    params: Mapping[str, Sequence[str]], parameter: str, known: set[str], ignored: list[tuple[str, str]]
) -> list[str]:
    """The values of `parameter` these data know; each other value is noted in `ignored` with its parameter."""
    values = []
    for value in _values(params, parameter):
        if value in known:
            values.append(value)
        else:
            ignored.append((parameter, value))
    return values


def _date(text: str) -> dt.date | None:
    for parse in (dt.date.fromisoformat, lambda t: dt.datetime.strptime(t, "%d.%m.%Y").date()):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def from_params(params: Mapping[str, Sequence[str] | str], report: Report) -> Filters:
    """Filters from query parameters, keeping only values this report knows.

    A link may be older than the data: unknown units, fields or statuses are
    dropped and named in `ignored` with their parameter, so the page can say so
    instead of showing an empty view without explanation, and the open-data
    API can refuse the request naming the parameter.
    """
    ignored: list[tuple[str, str]] = []
    units = _known(params, PARAM_UNIT, set(report.units), ignored)
    areas = _known(params, PARAM_AREA, set(report.areas), ignored)
    statuses = []
    for text in _values(params, PARAM_STATUS):
        code = text if text in STATUS_CODES else status_code_for_label(text)
        if code:
            statuses.append(code)
        else:
            ignored.append((PARAM_STATUS, text))
    as_of = None
    for text in _values(params, PARAM_AS_OF)[:1]:
        as_of = _date(text)
        if as_of is None:
            ignored.append((PARAM_AS_OF, text))
    query = " ".join(_values(params, PARAM_QUERY))
    return Filters(
        tuple(dict.fromkeys(units)),
        tuple(dict.fromkeys(areas)),
        tuple(dict.fromkeys(statuses)),
        query,
        as_of,
        tuple(ignored),
    )


def snapshot_from_params(params: Mapping[str, Sequence[str] | str], known: Sequence[int]) -> int | None:
    """The stored report a link names, if it still exists; None means "the newest"."""
    for text in _values(params, PARAM_SNAPSHOT)[:1]:
        if text.isdigit() and int(text) in known:
            return int(text)
    return None
