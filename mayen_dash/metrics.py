"""What the dashboard counts, as plain pandas on the measure table.

Every number shown anywhere (pages, CLI, exports) comes from here, so the
definitions in the help texts below are the only definitions there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from .model import NO_GROUP, Report
from .vocabulary import DONE_STATUSES, NOT_OVERDUE_STATUSES, STATUS_CODES, STATUS_LABELS, fold

# Definitions shown next to the figures, so that nobody argues about what a number means.
DEFINITIONS = {
    "measures": "Anzahl der Maßnahmen, die zum aktuellen Filter passen.",
    "done": "Maßnahmen mit Status „erledigt“ (auch „abgeschlossen“, „umgesetzt“ …). "
    "Anteil = erledigt ÷ alle Maßnahmen im Filter.",
    "in_progress": "Maßnahmen mit Status „in Bearbeitung“ (auch „in Arbeit“, „begonnen“ …).",
    "open": "Maßnahmen mit Status „offen“ (auch „geplant“, „nicht begonnen“ …).",
    "overdue": "Maßnahmen, deren Fälligkeitsdatum vor dem Stichtag {as_of} liegt und die weder "
    "„erledigt“ noch „zurückgestellt“ sind. Fälligkeit: „2023“ = 31.12.2023, "
    "„08/2022“ = 31.08.2022, „2022/2023“ = 31.12.2023; „laufend“ und leere Felder "
    "haben keine Fälligkeit.",
}


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


def overdue_mask(measures: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Overdue at D: neither done nor deferred, has a due date, and the due date is before D."""
    return (~measures["status"].isin(NOT_OVERDUE_STATUSES)) & (measures["due"] < pd.Timestamp(as_of))


def overdue(measures: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Overdue measures, longest overdue first, with the days they are late."""
    late = measures[overdue_mask(measures, as_of)].copy()
    late["days_overdue"] = (pd.Timestamp(as_of) - late["due"]).dt.days
    return late.sort_values(["days_overdue", "title"], ascending=[False, True])


def due_soon(measures: pd.DataFrame, as_of: dt.date, days: int = 90) -> pd.DataFrame:
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


def kpis(measures: pd.DataFrame, as_of: dt.date) -> dict[str, float]:
    """The headline figures of the start page."""
    counts = status_counts(measures)
    total = len(measures)
    done = sum(counts[c] for c in DONE_STATUSES)
    return {
        "measures": total,
        "done": done,
        "done_share": done / total if total else 0.0,
        "in_progress": counts["in_bearbeitung"],
        "open": counts["offen"],
        "overdue": int(overdue_mask(measures, as_of).sum()),
    }


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
    """Counts by Handlungsfeld, Zielgruppe and status, for sunburst and treemap."""
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
    as_of = as_of or report.report_date or dt.date.today()
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
