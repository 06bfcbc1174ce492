"""What the dashboard counts, as plain pandas on the measure table.

Every number shown anywhere (pages, CLI, exports) comes from here, so the
definitions in the help texts below are the only definitions there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from .formatting import format_count, format_count_noun, format_date
from .model import NO_GROUP, Report
from .vocabulary import NOT_OVERDUE_STATUSES, STATUS_CODES, STATUS_LABELS, fold

# Definitions shown next to the figures, so that nobody argues about what a number means.
# A status's definition is keyed by its code; "measures" and "overdue" are the two other cards.
DEFINITIONS = {
    "measures": "Anzahl der Maßnahmen, die zum aktuellen Filter passen; sie ist die Summe der Status-Karten.",
    "erledigt": "Maßnahmen mit Status „erledigt“ (auch „abgeschlossen“, „umgesetzt“ …). "
    "Anteil = erledigt ÷ alle Maßnahmen im Filter.",
    "in_bearbeitung": "Maßnahmen mit Status „in Bearbeitung“ (auch „in Arbeit“, „begonnen“ …).",
    "laufend": "Daueraufgaben mit Status „laufend“ (auch „fortlaufend“, „im Betrieb“ …); sie werden nie fertig "
    "und sind nie überfällig.",
    "offen": "Maßnahmen mit Status „offen“ (auch „geplant“, „nicht begonnen“ …).",
    "zurueckgestellt": "Maßnahmen mit Status „zurückgestellt“ (auch „pausiert“, „verschoben“ …); sie sind nie "
    "überfällig.",
    "unbekannt": "Maßnahmen, deren Status leer oder nicht lesbar ist; die Daten-Seite nennt die Zeilen.",
    "overdue": "Maßnahmen, deren Fälligkeitsdatum vor dem Stichtag {as_of} liegt und die weder "
    "„erledigt“ noch „zurückgestellt“ sind. Fälligkeit: „2023“ = 31.12.2023, "
    "„08/2022“ = 31.08.2022, „2022/2023“ = 31.12.2023; „laufend“ und leere Felder "
    "haben keine Fälligkeit.",
    "due_soon": "Maßnahmen, die weder „erledigt“ noch „zurückgestellt“ sind und vom Stichtag {as_of} bis "
    "{days} Tage danach fällig werden.",
}
# Statuses that have a card even at zero, so that the cards of two views line up; the others appear when present.
CARD_STATUSES: tuple[str, ...] = ("erledigt", "in_bearbeitung", "laufend", "offen")


def filter_measures(
    measures: pd.DataFrame,
    *,
    units: Iterable[str] = (),
    areas: Iterable[str] = (),
    statuses: Iterable[str] = (),
    query: str = "",
) -> pd.DataFrame:
    """The measures matching every given criterion; an empty criterion matches all.

    A measure matches a unit filter when that unit takes part in it, alone or
    with others. The query searches ID, title, responsibility, target and remarks.
    """
    mask = pd.Series(True, index=measures.index)
    units = set(units)
    if units:
        mask &= measures["units"].map(lambda us: not units.isdisjoint(us)).astype(bool)
    areas = list(areas)
    if areas:
        mask &= measures["area"].isin(areas)
    statuses = list(statuses)
    if statuses:
        mask &= measures["status"].isin(statuses)
    needle = query.strip().casefold()
    if needle:
        hit = pd.Series(False, index=measures.index)
        for column in ("id", "title", "responsible", "target", "remarks", "status_raw"):
            hit |= measures[column].str.casefold().str.contains(needle, regex=False)
        mask &= hit
    return measures[mask]


# "Due soon" looks this many days ahead of the reference date (Überfällig page, exports).
DUE_SOON_DAYS = 90


def reference_date(report: Report, chosen: dt.date | None = None) -> dt.date:
    """The date overdue is measured against: the chosen date, else the report's Stichtag, else today."""
    return chosen or report.report_date or dt.date.today()


def overdue_mask(measures: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Overdue at D: neither done nor deferred, has a due date, and the due date is before D."""
    return (~measures["status"].isin(NOT_OVERDUE_STATUSES)) & (measures["due"] < pd.Timestamp(as_of))


def overdue(measures: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Overdue measures, longest overdue first, with the days they are late."""
    late = measures[overdue_mask(measures, as_of)].copy()
    late["days_overdue"] = (pd.Timestamp(as_of) - late["due"]).dt.days
    return late.sort_values(["days_overdue", "title"], ascending=[False, True])


def due_soon(measures: pd.DataFrame, as_of: dt.date, days: int = DUE_SOON_DAYS) -> pd.DataFrame:
    """Measures not yet done that fall due within `days` from the reference date, soonest first."""
    start = pd.Timestamp(as_of)
    mask = (
        ~measures["status"].isin(NOT_OVERDUE_STATUSES)
        & (measures["due"] >= start)
        & (measures["due"] <= start + pd.Timedelta(days=days))
    )
    soon = measures[mask].copy()
    soon["days_left"] = (soon["due"] - start).dt.days
    return soon.sort_values(["due", "title"])


def status_counts(measures: pd.DataFrame) -> dict[str, int]:
    """Count per status code, every code present (zero where none)."""
    counts = measures["status"].value_counts()
    return {code: int(counts.get(code, 0)) for code in STATUS_CODES}


def shown_statuses(counts: dict[str, int]) -> list[str]:
    """The status codes a summary shows, in order: those of CARD_STATUSES always, the others when they occur."""
    return [code for code in STATUS_CODES if code in CARD_STATUSES or counts.get(code, 0)]


@dataclass(frozen=True)
class Card:
    """One key figure of the Übersicht and the council report: label, count, share and definition."""

    key: str  # "measures", a status code, or "overdue"
    label: str
    value: int
    help: str
    share: float | None = None  # of all measures in the filter; status cards only


def cards(measures: pd.DataFrame, as_of: dt.date) -> list[Card]:
    """The key figures, in the order they are shown: the total, each status that occurs, then overdue.

    The status cards are the parts of the total and always add up to it: the four
    of CARD_STATUSES always, "zurückgestellt" and "unbekannt" when some measure has
    them. "überfällig" counts measures of those parts again and stands apart.
    """
    counts = status_counts(measures)
    total = len(measures)
    parts = [
        Card(code, STATUS_LABELS[code], counts[code], DEFINITIONS[code], counts[code] / total if total else 0.0)
        for code in shown_statuses(counts)
    ]
    overdue_help = DEFINITIONS["overdue"].format(as_of=format_date(as_of))
    return [
        Card("measures", "Maßnahmen", total, DEFINITIONS["measures"]),
        *parts,
        Card("overdue", "überfällig", int(overdue_mask(measures, as_of).sum()), overdue_help),
    ]


def cards_sum(figures: list[Card]) -> str:
    """The status cards added up in words, "56 erledigt + 19 in Bearbeitung + … = 101 Maßnahmen"."""
    parts = [card for card in figures if card.share is not None]
    total = next(card for card in figures if card.key == "measures")
    added = " + ".join(f"{format_count(card.value)} {card.label}" for card in parts)
    return f"{added} = {format_count_noun(total.value, 'Maßnahme', 'Maßnahmen')}"


def _long_counts(measures: pd.DataFrame, by: str) -> pd.DataFrame:
    """Counts of `by` × status in long form, with the share within each `by` group."""
    table = measures.groupby([by, "status"], observed=False).size().rename("count").reset_index()
    table = table[table[by].isin(measures[by].unique())]
    totals = table.groupby(by, observed=True)["count"].transform("sum")
    table["share"] = (table["count"] / totals.where(totals > 0)).fillna(0.0)
    table["status_label"] = table["status"].map(STATUS_LABELS).astype(str)
    return table.reset_index(drop=True)


def progress_by_area(measures: pd.DataFrame) -> pd.DataFrame:
    """Per Handlungsfeld and status: count and share of the field's measures."""
    return _long_counts(measures, "area")


def status_by_unit(measures: pd.DataFrame) -> pd.DataFrame:
    """Per organisational unit and status: count of the measures the unit takes part in.

    A measure shared by two units counts for both, so the rows add up to more
    than the number of measures; that is what "takes part in" means.
    """
    exploded = measures[["units", "status"]].explode("units").dropna(subset=["units"])
    exploded = exploded.rename(columns={"units": "unit"})
    return _long_counts(exploded, "unit")


def drilldown(measures: pd.DataFrame) -> pd.DataFrame:
    """Counts by Handlungsfeld, Zielgruppe and status, for the drilldown bars and treemap."""
    frame = measures.assign(
        group=measures["group"].where(measures["group"] != "", NO_GROUP),
        status_label=measures["status"].map(STATUS_LABELS).astype(str),
        area=measures["area"].astype(str),
    )
    return frame.groupby(["area", "group", "status_label"], observed=True).size().rename("count").reset_index()


def timeline(measures: pd.DataFrame) -> pd.DataFrame:
    """Measures that have a period (start and due date), by start."""
    return measures[measures["start"].notna() & measures["due"].notna()].sort_values(["start", "due"])


def department_names(report: Report, text: str) -> list[str]:
    """The units a typed department name means: exact unit names first, else folded matches."""
    units = report.units
    if text in units:
        return [text]
    wanted = fold(text)
    return [u for u in units if fold(u) == wanted]


def summary(report: Report, as_of: dt.date | None = None, department: str | None = None) -> dict[str, object]:
    """The CLI's summary: counts by status and field, and overdue at the reference date."""
    as_of = reference_date(report, as_of)
    measures = report.measures
    if department:
        measures = filter_measures(measures, units=department_names(report, department) or [department])
    by_area = measures["area"].value_counts(sort=False)
    return {
        "report_date": report.report_date.isoformat() if report.report_date else None,
        "as_of": as_of.isoformat(),
        "measures": len(measures),
        "by_status": status_counts(measures),
        "by_area": {str(area): int(n) for area, n in by_area.items() if n},
        "overdue": int(overdue_mask(measures, as_of).sum()),
    }
