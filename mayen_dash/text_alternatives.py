"""What each chart shows, in words and as a table: the charts' text alternatives (WCAG 1.1.1).

A chart is read with the eyes; a screen reader gets the SVG's parts, and a
keyboard reaches only the toolbar. So every chart the dashboard draws comes
with a `TextAlternative`: its name (the figure's title, from mayen_dash.charts),
one German sentence with the figures a reader takes from it, and its data as a
table with German headers. The dashboard shows the sentence under the chart and
the table one click away ("Daten als Tabelle"); the council report puts the
same sentence into the figure's caption and the same table under it, so each
summary is written once, here.

One function per chart, with the chart builder's arguments. The tables hold
text as the reader reads it (German numbers, dates as 31.08.2022, an empty
value as "–"), never None, "nan" or "NaT".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from . import charts, metrics
from .formatting import (
    EMPTY,
    format_count,
    format_count_noun,
    format_date,
    format_number,
    format_percent,
    text_or_empty,
)
from .history import ALL_AREAS, share_at
from .model import NO_GROUP
from .vocabulary import DONE_STATUSES, STATUS_LABELS, STATUSES

NONE_IN_FILTER = charts.EMPTY_MESSAGE + "."


@dataclass(frozen=True)
class TextAlternative:
    """A chart told without the chart: `name` as its title says, `summary` in one sentence, `data` as a table."""

    name: str
    summary: str
    data: pd.DataFrame


def _measures(count: int) -> str:
    return format_count_noun(count, "Maßnahme", "Maßnahmen")


def _date(value: object) -> str:
    """A date cell: 31.08.2022, or "–" for none."""
    return format_date(value) or EMPTY


def _cell(value: object) -> str:
    """A text cell: the text, or "–" for none or empty."""
    return text_or_empty(value).strip() or EMPTY


def _listing(parts: list[str]) -> str:
    """German enumeration: "a", "a und b", "a, b und c"."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " und " + parts[-1]


def present_codes(counts: pd.DataFrame) -> list[str]:
    """Status codes with at least one measure in a long count table, in status order."""
    present = set(counts.loc[counts["count"] > 0, "status"].astype(str))
    return [s.code for s in STATUSES if s.code in present]


def _status_table(label: str, counts: pd.DataFrame, by: str, order: list[str]) -> pd.DataFrame:
    """One row per `by` value in `order`: its count per present status and their sum."""
    codes = present_codes(counts)
    rows = []
    for name in order:
        group = counts[counts[by] == name]
        per_status = dict(zip(group["status"].astype(str), group["count"], strict=True))
        values = [int(per_status.get(code, 0)) for code in codes]
        rows.append([str(name), *map(format_count, values), format_count(sum(values))])
    return pd.DataFrame(rows, columns=[label, *(STATUS_LABELS[c] for c in codes), "Summe"])


def _empty(name: str, summary: str, columns: list[str]) -> TextAlternative:
    return TextAlternative(name, summary, pd.DataFrame(columns=columns))


# --- Übersicht ------------------------------------------------------------------------------------


def progress_by_area(measures: pd.DataFrame) -> TextAlternative:
    """The progress bars: done of all, then done of each Handlungsfeld, in report order."""
    name = charts.PROGRESS_TITLE
    table = metrics.progress_by_area(measures)
    if table.empty:
        return _empty(name, NONE_IN_FILTER, ["Handlungsfeld", "Summe"])
    table = table.assign(area=table["area"].astype(str))
    areas = list(dict.fromkeys(table["area"]))
    done_codes = table["status"].astype(str).isin(DONE_STATUSES)
    sentences = []
    for area in areas:
        in_area = table["area"] == area
        total = int(table.loc[in_area, "count"].sum())
        done = int(table.loc[in_area & done_codes, "count"].sum())
        sentences.append(
            f"{area}: {format_count(done)} von {format_count(total)} erledigt ({format_percent(done / total)})"
        )
    done = int(table.loc[done_codes, "count"].sum())
    total = int(table["count"].sum())
    head = f"{format_count(done)} von {_measures(total)} erledigt ({format_percent(done / total)})"
    data = _status_table("Handlungsfeld", table, "area", areas)
    return TextAlternative(name, "; ".join([head, *sentences]) + ".", data)


# --- Status ---------------------------------------------------------------------------------------


def status_distribution(measures: pd.DataFrame) -> TextAlternative:
    """The status bars: how many measures, and which share, are in each status."""
    name = charts.STATUS_TITLE
    columns = ["Status", "Anzahl", "Anteil"]
    if measures.empty:
        return _empty(name, NONE_IN_FILTER, columns)
    counts = metrics.status_counts(measures)
    total = len(measures)
    rows = [
        [s.label, format_count(counts[s.code]), format_percent(counts[s.code] / total)]
        for s in STATUSES
        if counts[s.code]
    ]
    parts = [f"{count} {label} ({share})" for label, count, share in rows]
    summary = f"Von {_measures(total)} im Filter sind {_listing(parts)}."
    return TextAlternative(name, summary, pd.DataFrame(rows, columns=columns))


def drilldown(measures: pd.DataFrame) -> TextAlternative:
    """The drilldown (bars or tiles): counts per Handlungsfeld and Zielgruppe by status."""
    name = charts.DRILLDOWN_TITLE
    table = metrics.drilldown(measures)
    if table.empty:
        return _empty(name, NONE_IN_FILTER, ["Handlungsfeld", "Zielgruppe", "Summe"])
    codes = [s.code for s in STATUSES if s.label in set(table["status_label"])]
    wide = table.pivot_table(
        index=["area", "group"], columns="status_label", values="count", aggfunc="sum", fill_value=0, sort=False
    )
    labels = [STATUS_LABELS[c] for c in codes]
    wide = wide.reindex(columns=labels, fill_value=0)
    area_order = {a: i for i, a in enumerate(pd.Categorical(measures["area"]).categories.astype(str))}
    rows = sorted(
        wide.itertuples(), key=lambda r: (area_order.get(r.Index[0], len(area_order)), r.Index[1] == NO_GROUP)
    )
    data = pd.DataFrame(
        [
            [area, group, *(format_count(int(v)) for v in values), format_count(int(sum(values)))]
            for (area, group), *values in rows
        ],
        columns=["Handlungsfeld", "Zielgruppe", *labels, "Summe"],
    )
    open_work = table[~table["status_label"].isin({STATUS_LABELS[c] for c in DONE_STATUSES})]
    fields = format_count_noun(table["area"].nunique(), "Handlungsfeld", "Handlungsfeldern")
    summary = f"{_measures(len(measures))} in {fields}"
    if open_work.empty:
        summary += "; alle sind erledigt."
    else:
        per_place = open_work.groupby(["area", "group"], sort=False)["count"].sum()
        (area, group), most = per_place.idxmax(), int(per_place.max())
        where = area if group == NO_GROUP else f"{area}, Zielgruppe {group}"
        summary += f"; die meisten nicht erledigten Maßnahmen hat {where} ({format_count(most)})."
    return TextAlternative(name, summary, data)


def status_by_unit(measures: pd.DataFrame) -> TextAlternative:
    """The unit bars: measures per organisational unit by status, the table with every unit."""
    table = metrics.status_by_unit(measures)
    totals = table.groupby("unit", sort=False)["count"].sum()
    units = sorted(totals.index, key=lambda u: (-totals[u], str(u).casefold()))
    name = charts.unit_title(len(units))
    if not units:
        summary = NONE_IN_FILTER if measures.empty else charts.NO_UNITS + "."
        return _empty(name, summary, ["Organisationseinheit", "Summe"])
    summary = (
        f"{format_count_noun(len(units), 'Einheit ist', 'Einheiten sind')} beteiligt; die meisten Maßnahmen "
        f"hat {units[0]} ({format_count(int(totals[units[0]]))}). Gemeinsame Maßnahmen zählen bei jeder beteiligten "
        "Einheit."
    )
    if len(units) > charts.UNIT_LIMIT:
        summary += f" Gezeigt sind die {charts.UNIT_LIMIT} Einheiten mit den meisten Maßnahmen; die Tabelle nennt alle."
    return TextAlternative(name, summary, _status_table("Organisationseinheit", table, "unit", units))


# --- Überfällig -----------------------------------------------------------------------------------

_MEASURE_COLUMNS = ["ID", "Maßnahme", "Status"]


def _measure_cells(rows: pd.DataFrame) -> list[list[str]]:
    return [
        [_cell(ident), _cell(title), STATUS_LABELS.get(str(code), _cell(code))]
        for ident, title, code in zip(rows["id"], rows["title"], rows["status"], strict=True)
    ]


def overdue(measures: pd.DataFrame, as_of: dt.date) -> TextAlternative:
    """The overdue bars: the measures the chart draws, longest overdue first, with their days."""
    columns = [*_MEASURE_COLUMNS, "Fällig", "Tage überfällig"]
    late = metrics.overdue(measures, as_of)
    name = charts.overdue_title(len(late), as_of)
    if measures.empty:
        return _empty(name, NONE_IN_FILTER, columns)
    if late.empty:
        return _empty(name, f"Keine überfälligen Maßnahmen zum Stichtag {format_date(as_of)}.", columns)
    first = late.iloc[0]
    summary = (
        f"{_measures(len(late))} überfällig zum Stichtag {format_date(as_of)}; am längsten überfällig ist "
        f"„{_cell(first['title'])}“ ({format_count_noun(int(first['days_overdue']), 'Tag', 'Tage')})."
    )
    if len(late) > charts.OVERDUE_LIMIT:
        summary += f" Das Diagramm zeigt die {charts.OVERDUE_LIMIT} am längsten überfälligen."
    shown = late.head(charts.OVERDUE_LIMIT)
    rows = [
        [*cells, _date(due), format_count(int(days))]
        for cells, due, days in zip(_measure_cells(shown), shown["due"], shown["days_overdue"], strict=True)
    ]
    return TextAlternative(name, summary, pd.DataFrame(rows, columns=columns))


def _late_count(late: int) -> str:
    """ "ist keine", "ist eine", "sind 3": the verb and count of a sentence ending in "davon überfällig"."""
    return {0: "ist keine", 1: "ist eine"}.get(late, f"sind {format_count(late)}")


def timeline(measures: pd.DataFrame, as_of: dt.date) -> TextAlternative:
    """The Gantt chart: the measures it draws with start, due date and whether they are late."""
    columns = [*_MEASURE_COLUMNS, "Beginn", "Fällig", "Überfällig"]
    periods = metrics.timeline(measures)
    name = charts.timeline_title(len(periods))
    if measures.empty:
        return _empty(name, NONE_IN_FILTER, columns)
    if periods.empty:
        return _empty(name, charts.NO_PERIODS + ".", columns)
    late = int(metrics.overdue_mask(periods, as_of).sum())
    summary = (
        f"{_measures(len(periods))} mit Beginn und Fälligkeit, vom {format_date(periods['start'].min())} bis "
        f"{format_date(periods['due'].max())}; zum Stichtag {format_date(as_of)} "
        f"{_late_count(late)} davon überfällig."
    )
    shown = charts.timeline_shown(periods, as_of)
    if len(shown) < len(periods):
        summary += (
            f" Das Diagramm zeigt {charts.TIMELINE_LIMIT}: die überfälligen, dann die als Nächstes fälligen Maßnahmen."
        )
    flags = metrics.overdue_mask(shown, as_of)
    rows = [
        [*cells, _date(start), _date(due), "ja" if flag else "nein"]
        for cells, start, due, flag in zip(_measure_cells(shown), shown["start"], shown["due"], flags, strict=True)
    ]
    return TextAlternative(name, summary, pd.DataFrame(rows, columns=columns))


# --- Verlauf --------------------------------------------------------------------------------------


def history(table: pd.DataFrame) -> TextAlternative:
    """The stacked areas of history.status_over_time: each status's count at the first and last Stichtag."""
    name = charts.HISTORY_TITLE
    if table.empty or table["report_date"].nunique() < 2:
        return _empty(name, charts.HISTORY_TOO_SHORT, ["Stichtag", "Summe"])
    codes = [s.code for s in STATUSES if table.loc[table["status"] == s.code, "count"].any()]
    wide = table.pivot_table(index="report_date", columns="status", values="count", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=codes, fill_value=0).sort_index()
    first, last = wide.index[0], wide.index[-1]
    moves = [
        f"{STATUS_LABELS[c]} von {format_count(int(wide.at[first, c]))} auf {format_count(int(wide.at[last, c]))}"
        for c in codes
    ]
    summary = f"{format_count(len(wide))} Berichte vom {format_date(first)} bis {format_date(last)}: {_listing(moves)}."
    data = pd.DataFrame(
        [
            [format_date(date), *(format_count(int(v)) for v in values), format_count(int(sum(values)))]
            for date, *values in wide.itertuples()
        ],
        columns=["Stichtag", *(STATUS_LABELS[c] for c in codes), "Summe"],
    )
    return TextAlternative(name, summary, data)


def done_share(shares: pd.DataFrame, line: pd.DataFrame, target: dt.date) -> TextAlternative:
    """The share-done lines of history.done_share_over_time, and where the projection stands at `target`."""
    name = charts.DONE_SHARE_TITLE
    columns = ["Stichtag", "Handlungsfeld", "erledigt", "Maßnahmen", "Anteil erledigt"]
    if shares.empty or shares["report_date"].nunique() < 2:
        return _empty(name, charts.HISTORY_TOO_SHORT, columns)
    overall = shares[shares["area"] == ALL_AREAS].sort_values("report_date")
    first, last = overall.iloc[0], overall.iloc[-1]
    moved = "stieg" if last["share"] >= first["share"] else "sank"
    summary = (
        f"Insgesamt {moved} der Anteil erledigt vom {format_date(first['report_date'])} bis "
        f"{format_date(last['report_date'])} von {format_percent(first['share'])} auf {format_percent(last['share'])}"
    )
    projected = share_at(line, target)
    if projected is not None:
        summary += (
            f"; die Projektion (eine gerade Linie durch alle Berichte, keine Prognose) erreicht am "
            f"{format_date(target)} {format_percent(projected)}"
        )
    ordered = shares.sort_values("report_date", kind="stable")
    rows = [
        [format_date(date), area, format_count(int(done)), format_count(int(total)), format_percent(share)]
        for date, area, share, done, total in ordered[["report_date", "area", "share", "done", "measures"]].itertuples(
            index=False
        )
    ]
    return TextAlternative(name, summary + ".", pd.DataFrame(rows, columns=columns))


# --- Balanced Scorecard ---------------------------------------------------------------------------


def indicator(name: str, actual: float | None, target: float | None, unit: str = "") -> TextAlternative:
    """A Messgröße's bullet: Istwert against Zielwert and the distance between them."""
    suffix = f" {unit}" if unit else ""
    data = pd.DataFrame(
        [[name, (format_number(actual) or EMPTY), (format_number(target) or EMPTY), unit or EMPTY]],
        columns=["Messgröße", "Istwert", "Zielwert", "Einheit"],
    )
    if not format_number(actual) or not format_number(target):
        return TextAlternative(name, "Ist- oder Zielwert ist noch nicht erfasst.", data)
    gap = actual - target
    if gap == 0:
        where = "das Ziel ist erreicht"
    else:
        where = f"{format_number(abs(gap))}{suffix} {'über' if gap > 0 else 'unter'} dem Ziel"
    summary = f"Istwert {format_number(actual)}{suffix}, Zielwert {format_number(target)}{suffix}: {where}."
    return TextAlternative(name, summary, data)
