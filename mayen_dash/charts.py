"""The dashboard's charts: plotly figures from the measure table, German and colour-blind safe.

Every function takes the measure table (or plain numbers) and returns a
`plotly.graph_objects.Figure`; none of them touches Streamlit. They aggregate
with `metrics` before they plot, so a figure has one point per field, unit or
status rather than one per measure and stays fast with 100,000 measures; only
the timeline and the overdue list show single measures, and both are capped.

All figures share one look (`_layout`): German texts and number format, the
status colours and patterns of the vocabulary in status order, large type for
the projector. Clickable elements carry the value the app filters by in
`customdata`; each docstring says which index holds what.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import metrics
from .formatting import format_count, format_date, format_number, format_percent
from .model import NO_GROUP
from .vocabulary import OVERDUE_COLOR, STATUS_BY_CODE, STATUSES, TARGET_GROUPS, Status

EMPTY_MESSAGE = "Keine Maßnahmen im aktuellen Filter"
NO_UNITS = "Bei keiner Maßnahme im Filter ist eine Organisationseinheit eingetragen"
NO_PERIODS = "Keine Maßnahme im aktuellen Filter hat Beginn und Fälligkeit"

FONT_SIZE = 15
TITLE_SIZE = 20
HEIGHT = 440
# Rows of the Gantt chart: plotly lays out every measure title on the axis, and its cost grows faster
# than the rows (Chromium, 2 cores: 100 rows 0.3 s, 300 rows 1.9 s); a hundred rows is also all a
# meeting can read.
TIMELINE_LIMIT = 100
OVERDUE_LIMIT = 30
UNIT_LIMIT = 25
LABEL_WIDTH = 28  # characters of an axis label before it is wrapped onto two lines
TITLE_WIDTH = 50  # characters of a measure title on an axis before it is shortened
HOVER_WIDTH = 60  # characters per line of a measure title in a hover box

# Neutral greys for the inner rings of the drilldown, lighter than the grey of "offen".
AREA_COLOR = "#D9D9D9"
GROUP_COLOR = "#EEEEEE"
INK = "#333333"
# Patterns drawn over the status colour, light enough for a number to be read on top.
PATTERN = {"fillmode": "overlay", "size": 10, "solidity": 0.2, "fgopacity": 0.45}
# Numbers inside bars: dark with a white halo, readable on every status colour and pattern.
INSIDE_TEXT = {"color": "#1A1A1A", "weight": "bold", "shadow": "0 0 3px white, 0 0 3px white, 0 0 2px white"}
COUNTS_INSIDE = {
    "texttemplate": "%{text}",
    "textposition": "inside",
    "insidetextanchor": "middle",
    "insidetextfont": INSIDE_TEXT,
}

_STATUS_BY_LABEL: dict[str, Status] = {s.label: s for s in STATUSES}

# Chart titles: the figure's title is the chart's accessible name, and text_alternatives names the chart by them.
PROGRESS_TITLE = "Umsetzungsstand je Handlungsfeld"
STATUS_TITLE = "Maßnahmen nach Status"
DRILLDOWN_TITLE = "Maßnahmen nach Handlungsfeld, Zielgruppe und Status"
HISTORY_TITLE = "Status der Maßnahmen je Bericht"
DONE_SHARE_TITLE = "Anteil erledigt je Handlungsfeld"
HISTORY_TOO_SHORT = "Für einen Verlauf braucht es mindestens zwei Stände mit Stichtag."


def unit_title(units: int) -> str:
    """Title of the status-by-unit chart; says how many units it leaves out beyond UNIT_LIMIT."""
    title = "Maßnahmen je Organisationseinheit"
    return f"{title} ({UNIT_LIMIT} von {format_count(units)})" if units > UNIT_LIMIT else title


def timeline_title(periods: int) -> str:
    """Title of the Gantt chart of `periods` measures with a period; says so when it shows TIMELINE_LIMIT of them."""
    if periods > TIMELINE_LIMIT:
        return f"Zeitplan: {TIMELINE_LIMIT} von {_measures(periods)} mit Zeitraum"
    return "Zeitplan der Maßnahmen mit Zeitraum"


def overdue_title(late: int, as_of: dt.date) -> str:
    """Title of the overdue chart: the number of overdue measures at the Stichtag, or none."""
    if not late:
        return f"Überfällige Maßnahmen zum Stichtag {format_date(as_of)}"
    return f"{_measures(late)} überfällig zum Stichtag {format_date(as_of)}"


# --- shared look ---------------------------------------------------------------------------------


def _layout(fig: go.Figure, title: str, *, height: int = HEIGHT, subtitle: str = "", legend: bool = True) -> go.Figure:
    """Give a figure the dashboard's look: German numbers, large type, legend on top, tight margins."""
    fig.update_layout(
        template="plotly_white",
        separators=",.",
        font={"size": FONT_SIZE, "color": INK},
        title={
            "text": title,
            "subtitle": {"text": subtitle, "font": {"size": FONT_SIZE}},
            "font": {"size": TITLE_SIZE},
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 1,
            "yanchor": "top",
            "yref": "container",
            "pad": {"t": 12, "l": 12},
            "automargin": True,
        },
        height=height,
        margin={"l": 10, "r": 30, "t": 30, "b": 10},
        showlegend=legend,
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yanchor": "bottom",
            "traceorder": "normal",
            "title": {"text": "Status:"},
        },
        hoverlabel={"font": {"size": FONT_SIZE}, "align": "left"},
        uniformtext={"minsize": FONT_SIZE - 1, "mode": "hide"},
    )
    fig.update_xaxes(automargin=True, tickfont={"size": FONT_SIZE - 1, "color": INK})
    fig.update_yaxes(automargin=True, ticklabelstandoff=8, tickfont={"size": FONT_SIZE - 1, "color": INK})
    return fig


def _empty(title: str, message: str = EMPTY_MESSAGE, height: int = HEIGHT) -> go.Figure:
    """A figure that says in words why there is nothing to draw."""
    fig = go.Figure()
    fig.add_annotation(
        text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": TITLE_SIZE}
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, height=height, legend=False)


def _status_marker(status: Status, **extra: object) -> dict[str, object]:
    """Colour and pattern of a status, so that status is never told by colour alone."""
    return {
        "color": status.color,
        "pattern": {**PATTERN, "shape": status.pattern},
        **extra,
    }


def _text(value: object) -> str:
    """User text made safe for plotly's HTML-like labels."""
    return html.escape(str(value), quote=False)


def _wrap(label: str, width: int = LABEL_WIDTH) -> str:
    """A long label on two lines, broken at the space nearest its middle."""
    label = _text(label)
    if len(label) <= width or " " not in label:
        return label
    middle = len(label) / 2
    cut = min((i for i, char in enumerate(label) if char == " "), key=lambda i: abs(i - middle))
    return f"{label[:cut]}<br>{label[cut + 1 :]}"


def _shorten(title: str, width: int = TITLE_WIDTH) -> str:
    """A measure title cut to fit an axis, marked with an ellipsis."""
    title = " ".join(str(title).split())
    return _text(title if len(title) <= width else title[: width - 1].rstrip() + "…")


def _hover_title(title: str) -> str:
    """A full measure title for a hover box, bold and wrapped into readable lines."""
    return "<b>" + "<br>".join(_text(line) for line in textwrap.wrap(str(title), HOVER_WIDTH)) + "</b>"


def _measures(count: int) -> str:
    """Measures counted in German: "1 Maßnahme", "1.234 Maßnahmen"."""
    return f"{format_count(count)} {'Maßnahme' if count == 1 else 'Maßnahmen'}"


def _days(count: int, *, dative: bool = False) -> str:
    """Days counted in German: "3 Tage", after "seit" (dative) "3 Tagen"."""
    plural = "Tagen" if dative else "Tage"
    return f"{format_count(count)} {'Tag' if count == 1 else plural}"


def _positions_axis(fig: go.Figure, labels: list[str], *, spare_row: bool = False) -> None:
    """One row per measure, first on top; rows by position, so equal titles keep their own row.

    `spare_row` leaves an empty row above the first measure for a label.
    """
    fig.update_yaxes(
        tickmode="array",
        tickvals=list(range(len(labels))),
        ticktext=labels,
        range=[len(labels) - 0.5, -1.5 if spare_row else -0.5],
        showgrid=False,
        zeroline=False,
    )


def _height(rows: int, per_row: int, extra: int = 150) -> int:
    """Figure height that gives each row room for its label; never smaller than a standard chart."""
    return max(380, extra + per_row * rows)


# --- charts --------------------------------------------------------------------------------------


def progress_by_area_chart(measures: pd.DataFrame) -> go.Figure:
    """How far each Handlungsfeld is: 100 % stacked bars of the status shares, one bar per field.

    Shares rather than counts, so that a small field and a large one can be
    compared at a glance; the count is written into each segment and the hover
    names count, total and share. Fields run in the report's order, first on top.

    customdata per segment: [0] Handlungsfeld (as in `measures["area"]`), [1] status code.
    """
    title = PROGRESS_TITLE
    table = metrics.progress_by_area(measures)
    if table.empty:
        return _empty(title)
    table = table.assign(area=table["area"].astype(str))
    areas = list(dict.fromkeys(table["area"]))
    labels = {area: _wrap(area) for area in areas}
    totals = table.groupby("area", sort=False)["count"].sum()

    fig = go.Figure()
    for status in STATUSES:
        rows = table[table["status"] == status.code]
        if not rows["count"].any():
            continue
        counts = rows["count"].tolist()
        fig.add_trace(
            go.Bar(
                name=status.label,
                orientation="h",
                x=(rows["share"] * 100).tolist(),
                y=[labels[a] for a in rows["area"]],
                customdata=[[area, status.code] for area in rows["area"]],
                text=[format_count(c) if c else "" for c in counts],
                **COUNTS_INSIDE,
                hovertext=[
                    f"<b>{_text(area)}</b><br>{status.label}: {format_count(count)} von "
                    f"{_measures(int(totals[area]))} ({format_percent(share)})"
                    for area, count, share in zip(rows["area"], counts, rows["share"], strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
                marker=_status_marker(status, line={"color": "white", "width": 1}),
            )
        )
    fig.update_layout(barmode="stack", bargap=0.3)
    fig.update_xaxes(title="Anteil der Maßnahmen des Handlungsfelds", range=[0, 100], ticksuffix=" %", dtick=25)
    fig.update_yaxes(categoryorder="array", categoryarray=list(labels.values()), autorange="reversed")
    return _layout(fig, title, height=_height(len(areas), 75, extra=200))


def status_chart(measures: pd.DataFrame) -> go.Figure:
    """How many measures are in which state: one bar per status with count and share.

    Bars rather than a donut, because lengths on a common axis are read more
    exactly than angles and the labels sit next to the bars. Statuses without
    measures are left out; the bars run in status order, "erledigt" on top.

    customdata per bar: [0] status code.
    """
    title = STATUS_TITLE
    if measures.empty:
        return _empty(title)
    counts = metrics.status_counts(measures)
    total = len(measures)
    present = [s for s in STATUSES if counts[s.code]]
    values = [counts[s.code] for s in present]
    fig = go.Figure(
        go.Bar(
            orientation="h",
            x=values,
            y=[s.label for s in present],
            customdata=[[s.code] for s in present],
            text=[f"{format_count(n)} ({format_percent(n / total)})" for n in values],
            texttemplate="%{text}",
            textposition="outside",
            cliponaxis=False,
            hovertext=[
                f"{s.label}: {format_count(n)} von {_measures(total)} ({format_percent(n / total)})"
                for s, n in zip(present, values, strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
            marker={
                "color": [s.color for s in present],
                "pattern": {
                    "shape": [s.pattern for s in present],
                    **PATTERN,
                },
            },
        )
    )
    fig.update_layout(bargap=0.35)
    # Room on the right for the text outside the longest bar.
    fig.update_xaxes(title="Anzahl der Maßnahmen", range=[0, max(values) * 1.3])
    fig.update_yaxes(autorange="reversed")
    return _layout(
        fig, title, height=_height(len(present), 60, extra=170), subtitle=f"{_measures(total)} im Filter", legend=False
    )


def drilldown_chart(measures: pd.DataFrame, kind: str = "bars") -> go.Figure:
    """Where the measures sit: Handlungsfeld → Zielgruppe → Status as stacked bars or a treemap.

    Lets the audience see at once which target group of which field holds the
    open work. Both views keep sizes true to the counts: "bars" (the default)
    gives each field a bar of all its measures and, below it, a bar per
    Zielgruppe ("davon Bürger"), all on one count axis; "treemap" gives each
    field, group and status a tile whose area follows its count (the headers
    of fields and groups take a little of it). A field whose measures name no
    Zielgruppe has its field bar only, or its statuses directly in the field's
    tile: no gap and no bulge. Fields run in report order, groups in the
    vocabulary's, statuses in status order, not by size. A sunburst cannot do
    this: its outer rings give a measure more area than its inner ones.

    customdata per bar segment and per tile: [0] Handlungsfeld, [1] Zielgruppe
    ("" for measures without one), [2] status code; None where the element does
    not restrict that level (a field, a group, or the group of a field shown
    without groups). Streamlit (1.67) reports a treemap click with the node's
    `id` and `point_index` but without customdata; look the node up with
    `fig.data[0].customdata[point_index]`.
    """
    if kind not in ("bars", "treemap"):
        raise ValueError(f"kind must be 'bars' or 'treemap', not {kind!r}")
    title = DRILLDOWN_TITLE
    table = metrics.drilldown(measures)
    if table.empty:
        return _empty(title, height=680)

    area_rank = {str(a): i for i, a in enumerate(pd.Categorical(measures["area"]).categories)}
    group_rank = {group: i for i, group in enumerate((*TARGET_GROUPS, NO_GROUP))}
    status_rank = {s.label: i for i, s in enumerate(STATUSES)}
    table = table.assign(
        _a=table["area"].map(area_rank),
        _g=table["group"].map(group_rank).fillna(len(TARGET_GROUPS) - 0.5),
        _s=table["status_label"].map(status_rank),
    ).sort_values(["_a", "_g", "group", "_s"])
    if kind == "bars":
        return _drilldown_bars(table, title)
    return _drilldown_treemap(table, title)


def _drilldown_bars(table: pd.DataFrame, title: str) -> go.Figure:
    """A bar per Handlungsfeld and, under it, one per Zielgruppe, split by status, on one count axis."""
    rows: list[tuple[str, str, str | None, pd.DataFrame]] = []  # axis label, field, group, its counts
    for area, in_area in table.groupby("area", sort=False):
        total = int(in_area["count"].sum())
        rows.append((f"<b>{_wrap(area)}</b><br>alle {format_count(total)}", area, None, in_area))
        if set(in_area["group"]) != {NO_GROUP}:
            for group, in_group in in_area.groupby("group", sort=False):
                group_value = "" if group == NO_GROUP else group
                rows.append((f"davon {_text(group)}", area, group_value, in_group))
    labels = [row[0] for row in rows]
    fig = go.Figure()
    for status in STATUSES:
        counts, ys, custom, hover = [], [], [], []
        for label, area, group, counted in rows:
            count = int(counted.loc[counted["status_label"] == status.label, "count"].sum())
            if not count:
                continue
            where = _text(area) + (f" › {_text(group or NO_GROUP)}" if group is not None else "")
            counts.append(count)
            ys.append(label)
            custom.append([area, group, status.code])
            hover.append(f"{where} · {status.label}: {_measures(count)}")
        if not counts:
            continue
        fig.add_trace(
            go.Bar(
                name=status.label,
                orientation="h",
                x=counts,
                y=ys,
                customdata=custom,
                text=[format_count(c) for c in counts],
                **COUNTS_INSIDE,
                hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>",
                marker=_status_marker(status, line={"color": "white", "width": 1}),
            )
        )
    fig.update_layout(barmode="stack", bargap=0.3)
    fig.update_xaxes(title="Anzahl der Maßnahmen")
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed")
    subtitle = "Je Handlungsfeld ein Balken aller Maßnahmen, darunter je Zielgruppe einer („davon …“)"
    return _layout(fig, title, height=_height(len(rows), 52, extra=220), subtitle=subtitle)


def _drilldown_treemap(table: pd.DataFrame, title: str) -> go.Figure:
    """Tiles of fields, groups and statuses, each as large as its count, every field's header labelled."""
    nodes: list[dict[str, object]] = []

    def add(
        node: str, parent: str, value: int, *, label: str, path: str, custom: list[str | None], color: str = ""
    ) -> None:
        """One node; a status leaf (custom[2] set) takes its status's colour and pattern."""
        status = STATUS_BY_CODE[custom[2]] if custom[2] else None
        nodes.append(
            {
                "id": node,
                "parent": parent,
                "value": value,
                "label": label,
                "hover": f"{path}: {_measures(value)}",
                "custom": custom,
                "color": status.color if status else color,
                "pattern": status.pattern if status else "",
            }
        )

    for area, in_area in table.groupby("area", sort=False):
        total = int(in_area["count"].sum())
        add(area, "", total, label=_text(area), path=_text(area), custom=[area, None, None], color=AREA_COLOR)
        flat = set(in_area["group"]) == {NO_GROUP}
        for group, in_group in in_area.groupby("group", sort=False):
            group_value = "" if group == NO_GROUP else group
            parent, path = area, _text(area)
            if not flat:
                parent, path = f"{area} › {group}", f"{path} › {_text(group)}"
                custom = [area, group_value, None]
                add(
                    parent,
                    area,
                    int(in_group["count"].sum()),
                    label=_text(group),
                    path=path,
                    custom=custom,
                    color=GROUP_COLOR,
                )
            for label, count in zip(in_group["status_label"], in_group["count"], strict=True):
                custom = [area, None if flat else group_value, _STATUS_BY_LABEL[label].code]
                add(
                    f"{parent} › {label}",
                    parent,
                    int(count),
                    label=label,
                    path=f"{path} › {label}",
                    custom=custom,
                )

    def column(key: str) -> list[object]:
        """One property of every node, in node order, for the trace."""
        return [node[key] for node in nodes]

    fig = go.Figure(
        go.Treemap(
            ids=column("id"),
            labels=column("label"),
            parents=column("parent"),
            values=column("value"),
            branchvalues="total",
            sort=False,
            customdata=column("custom"),
            hovertext=column("hover"),
            hovertemplate="%{hovertext}<extra></extra>",
            texttemplate="%{label}<br>%{value}",
            marker={
                "colors": column("color"),
                "pattern": {**PATTERN, "shape": column("pattern")},
                "line": {"color": "white", "width": 1.5},
            },
            pathbar={"visible": True},
            tiling={"pad": 2},
        )
    )
    _layout(fig, title, height=680, subtitle="Anklicken vergrößert einen Bereich; die Leiste darüber führt zurück.")
    # "hide" would drop a header that is wider than its tile (three of four fields had none); shrink it instead.
    fig.update_layout(uniformtext={"mode": False}, showlegend=False)
    return fig


def status_by_unit_chart(measures: pd.DataFrame) -> go.Figure:
    """Who carries how much: stacked bars of measure counts per organisational unit by status.

    Units with the most measures on top, so the audience sees where the work
    concentrates. A measure shared by several units counts for each of them;
    the subtitle says so, since the bars then add up to more than the measures.
    Only the UNIT_LIMIT units with the most measures are shown.

    customdata per segment: [0] unit name, [1] status code.
    """
    title = unit_title(0)
    if measures.empty:
        return _empty(title)
    table = metrics.status_by_unit(measures)
    if table.empty:
        return _empty(title, NO_UNITS)
    totals = table.groupby("unit")["count"].sum()
    units = sorted(totals.index, key=lambda u: (-totals[u], str(u).casefold()))
    subtitle = "Eine Maßnahme mehrerer Einheiten zählt bei jeder von ihnen."
    title = unit_title(len(units))
    if len(units) > UNIT_LIMIT:
        subtitle = f"Gezeigt: die {UNIT_LIMIT} Einheiten mit den meisten Maßnahmen. {subtitle}"
        units = units[:UNIT_LIMIT]
    table = table[table["unit"].isin(units)]
    labels = {unit: _wrap(unit) for unit in units}

    fig = go.Figure()
    for status in STATUSES:
        rows = table[table["status"] == status.code]
        if not rows["count"].any():
            continue
        rows = rows.set_index("unit").loc[units]
        counts = rows["count"].tolist()
        fig.add_trace(
            go.Bar(
                name=status.label,
                orientation="h",
                x=counts,
                y=[labels[u] for u in units],
                customdata=[[unit, status.code] for unit in units],
                text=[format_count(c) if c else "" for c in counts],
                **COUNTS_INSIDE,
                hovertext=[
                    f"<b>{_text(unit)}</b><br>{status.label}: {_measures(count)} ({format_percent(share)} der Einheit)"
                    for unit, count, share in zip(units, counts, rows["share"], strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
                marker=_status_marker(status, line={"color": "white", "width": 1}),
            )
        )
    for unit in units:
        fig.add_annotation(
            x=totals[unit], y=labels[unit], text=format_count(int(totals[unit])), xanchor="left", showarrow=False
        )
    fig.update_layout(barmode="stack", bargap=0.3)
    fig.update_xaxes(title="Anzahl der Maßnahmen (je Einheit)", range=[0, totals[units[0]] * 1.1])
    fig.update_yaxes(categoryorder="array", categoryarray=list(labels.values()), autorange="reversed")
    return _layout(
        fig,
        title,
        height=_height(len(units), 40, extra=200),
        subtitle=subtitle,
    )


def timeline_shown(periods: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The rows of metrics.timeline the Gantt chart draws: all, or TIMELINE_LIMIT of them in start order.

    Of more, it keeps the overdue ones (longest overdue first), then those falling due next,
    then the most recently due: what a meeting asks about first.
    """
    if len(periods) <= TIMELINE_LIMIT:
        return periods
    days = (periods["due"] - pd.Timestamp(as_of)).dt.days.to_numpy()
    late = metrics.overdue_mask(periods, as_of).to_numpy()
    rank = np.where(late, 0, np.where(days >= 0, 1, 2))
    key = np.where(late, days, np.abs(days))
    return periods.iloc[np.sort(np.lexsort((key, rank))[:TIMELINE_LIMIT])]


def timeline_chart(measures: pd.DataFrame, as_of: dt.date) -> go.Figure:
    """When the measures are due: a Gantt chart of the measures with a period, and the reference date.

    Shows at a glance what runs now, what is late and what is still ahead.
    Bars span start to due date (the whole due day), coloured and patterned by
    status, sorted by start, first on top; overdue measures get a vermilion
    outline and a vermilion diamond on their due date. With more than
    TIMELINE_LIMIT measures the chart keeps the overdue ones (longest overdue
    first), then those falling due next, then the most recently due, and says
    so in its title.

    customdata per bar and diamond: [0] measure ID, [1] full title.
    """
    title = timeline_title(0)
    if measures.empty:
        return _empty(title)
    periods = metrics.timeline(measures)
    if periods.empty:
        return _empty(title, NO_PERIODS)
    title = timeline_title(len(periods))
    subtitle = (
        "Ausgewählt: die überfälligen, dann die als Nächstes fälligen Maßnahmen"
        if len(periods) > TIMELINE_LIMIT
        else ""
    )
    periods = timeline_shown(periods, as_of)
    reference = pd.Timestamp(as_of)

    late = metrics.overdue_mask(periods, as_of).to_numpy()
    end = periods["due"] + pd.Timedelta(days=1)
    late_days = (reference - periods["due"]).dt.days.to_numpy()
    hover = [
        f"{_hover_title(name)}<br>{_text(ident)} · {STATUS_BY_CODE[code].label}<br>"
        f"{format_date(start)} – {format_date(due)}"
        + (f"<br>überfällig seit {_days(int(d), dative=True)}" if is_late else "")
        for name, ident, code, start, due, is_late, d in zip(
            periods["title"],
            periods["id"],
            periods["status"],
            periods["start"],
            periods["due"],
            late,
            late_days,
            strict=True,
        )
    ]
    frame = pd.DataFrame(
        {
            "pos": np.arange(len(periods)),
            "status": periods["status"].astype(str).to_numpy(),
            "start": periods["start"].to_numpy(),
            "due": periods["due"].to_numpy(),
            "ms": ((end - periods["start"]) / pd.Timedelta(milliseconds=1)).to_numpy(),
            "late": late,
            "hover": hover,
            "id": periods["id"].to_numpy(),
            "title": periods["title"].to_numpy(),
        }
    )

    def bars(rows: pd.DataFrame, **style: object) -> go.Bar:
        """Bars from start to the end of the due day, one row per measure."""
        return go.Bar(
            orientation="h",
            base=rows["start"].tolist(),
            x=rows["ms"].tolist(),
            y=rows["pos"].tolist(),
            customdata=rows[["id", "title"]].to_numpy().tolist(),
            hovertext=rows["hover"].tolist(),
            hovertemplate="%{hovertext}<extra></extra>",
            **style,
        )

    fig = go.Figure()
    for status in STATUSES:
        rows = frame[frame["status"] == status.code]
        if not rows.empty:
            fig.add_trace(bars(rows, name=status.label, marker=_status_marker(status)))
    late_rows = frame[frame["late"]]
    if not late_rows.empty:
        # An outline over the status bar and a diamond on the due date: late is told by shape, not hue alone.
        fig.add_trace(
            bars(
                late_rows,
                name="überfällig",
                legendgroup="late",
                marker={"color": "rgba(0,0,0,0)", "line": {"color": OVERDUE_COLOR, "width": 3}},
            )
        )
        fig.add_trace(
            go.Scatter(
                name="überfällig",
                legendgroup="late",
                showlegend=False,
                mode="markers",
                x=late_rows["due"].tolist(),
                y=late_rows["pos"].tolist(),
                customdata=late_rows[["id", "title"]].to_numpy().tolist(),
                hovertext=late_rows["hover"].tolist(),
                hovertemplate="%{hovertext}<extra></extra>",
                marker={"symbol": "diamond", "size": 13, "color": OVERDUE_COLOR, "line": {"color": INK, "width": 1}},
            )
        )
    stichtag = reference.strftime("%Y-%m-%d")
    fig.add_shape(
        type="line",
        x0=stichtag,
        x1=stichtag,
        xref="x",
        y0=0,
        y1=1,
        yref="paper",
        line={"color": INK, "width": 2, "dash": "dash"},
    )
    fig.add_annotation(
        x=stichtag,
        y=-1,  # the empty row above the first measure, so the label covers no bar
        xref="x",
        yref="y",
        text=f"Stichtag {format_date(as_of)}",
        showarrow=False,
        bgcolor="white",
        font={"size": FONT_SIZE},
    )
    fig.update_layout(barmode="overlay", bargap=0.25)
    # Dates on top, as in a project plan: a long chart scrolls, and its first rows are read first.
    fig.update_xaxes(
        type="date", tickformat="%m/%Y", hoverformat="%d.%m.%Y", side="top", title="Zeitraum (Beginn bis Fälligkeit)"
    )
    _positions_axis(fig, [_shorten(t) for t in periods["title"]], spare_row=True)
    height = _height(len(periods) + 1, 26, extra=230)
    _layout(fig, title, height=height, subtitle=subtitle)
    # The legend goes under the title, in pixels from the top, so the dates above the plot stay clear of it.
    legend_top = 95 if subtitle else 58
    fig.update_layout(
        legend={"yref": "container", "y": 1 - legend_top / height, "yanchor": "top"},
        margin={"t": legend_top + 95},
    )
    return fig


def overdue_chart(measures: pd.DataFrame, as_of: dt.date) -> go.Figure:
    """What is late: days overdue per overdue measure at the reference date, longest first on top.

    Overdue means not done or deferred and due before the reference date
    (metrics.overdue). Bars carry the status colour and pattern; at most
    OVERDUE_LIMIT measures are shown and the title gives the total.

    customdata per bar: [0] measure ID, [1] full title.
    """
    title = overdue_title(0, as_of)
    if measures.empty:
        return _empty(title)
    late = metrics.overdue(measures, as_of)
    if late.empty:
        return _empty(title, f"Keine überfälligen Maßnahmen zum Stichtag {format_date(as_of)}")
    total = len(late)
    title = overdue_title(total, as_of)
    subtitle = ""
    if total > OVERDUE_LIMIT:
        subtitle = f"Gezeigt: die {OVERDUE_LIMIT} am längsten überfälligen"
        late = late.head(OVERDUE_LIMIT)
    positions = np.arange(len(late))
    fig = go.Figure()
    for status in STATUSES:
        mask = (late["status"] == status.code).to_numpy()
        if not mask.any():
            continue
        rows = late[mask]
        days = rows["days_overdue"].astype(int).tolist()
        fig.add_trace(
            go.Bar(
                name=status.label,
                orientation="h",
                x=days,
                y=positions[mask].tolist(),
                customdata=rows[["id", "title"]].to_numpy().tolist(),
                text=[_days(d) for d in days],
                texttemplate="%{text}",
                textposition="outside",
                cliponaxis=False,
                hovertext=[
                    f"{_hover_title(t)}<br>{_text(i)} · {status.label}<br>fällig {format_date(due)} "
                    f"(Zieldatum „{_text(target)}“)<br>überfällig seit {_days(d, dative=True)}"
                    for t, i, due, target, d in zip(
                        rows["title"], rows["id"], rows["due"], rows["target"], days, strict=True
                    )
                ],
                hovertemplate="%{hovertext}<extra></extra>",
                marker=_status_marker(status),
            )
        )
    fig.update_layout(barmode="overlay", bargap=0.3)
    longest = int(late["days_overdue"].max())
    fig.update_xaxes(title="Tage überfällig", range=[0, longest * 1.2])
    _positions_axis(fig, [_shorten(t) for t in late["title"]])
    return _layout(fig, title, height=_height(len(late), 32, extra=190), subtitle=subtitle)


def indicator_chart(name: str, actual: float | None, target: float | None, unit: str = "") -> go.Figure:
    """One Messgröße of the balanced scorecard: the actual value as a bullet against its target.

    The number shows the Istwert, the delta its distance from the Zielwert, the
    black line marks the Zielwert on the bar. Delta colours stay neutral,
    because for some Messgrößen (Prozesskosten) less is better and for others
    more. Without an Istwert or Zielwert the figure says so instead.
    """
    title = _wrap(name, 70)
    if any(value is None or not math.isfinite(value) for value in (actual, target)):
        return _empty(title, "Ist- oder Zielwert ist noch nicht erfasst", height=230)
    suffix = f" {unit}" if unit else ""
    low = min(0.0, actual, target)
    high = max(0.0, actual, target)
    span = (high - low) or 1.0
    fig = go.Figure(
        go.Indicator(
            mode="number+gauge+delta",
            value=actual,
            number={"valueformat": ",.2~f", "suffix": suffix, "font": {"size": 32}},
            delta={
                "reference": target,
                "valueformat": ",.2~f",
                "suffix": suffix,
                "position": "bottom",
                "increasing": {"color": INK},
                "decreasing": {"color": INK},
                "font": {"size": FONT_SIZE + 1},
            },
            title={"text": f"Ziel<br>{format_number(target)}{suffix}", "font": {"size": FONT_SIZE}},
            gauge={
                "shape": "bullet",
                "axis": {
                    "range": [low - 0.1 * span if low < 0 else 0, high + 0.1 * span],
                    "tickformat": ",.2~f",
                },
                "bar": {"color": "#4D4D4D", "thickness": 0.45},
                "bgcolor": "#F0F0F0",
                "borderwidth": 0,
                "threshold": {"line": {"color": "black", "width": 4}, "thickness": 0.9, "value": target},
            },
            domain={"x": [0.12, 1], "y": [0.25, 1]},
        )
    )
    return _layout(fig, title, height=230, legend=False)


def history_chart(table: pd.DataFrame) -> go.Figure:
    """How the statuses moved from report to report: stacked areas of counts at each Stichtag.

    `table` is history.status_over_time. One trace per status that ever occurs, in status order.
    """
    title = HISTORY_TITLE
    if table.empty or table["report_date"].nunique() < 2:
        return _empty(title, HISTORY_TOO_SHORT)
    fig = go.Figure()
    for status in STATUSES:
        rows = table[table["status"] == status.code].sort_values("report_date")
        if rows.empty or not rows["count"].any():
            continue
        fig.add_trace(
            go.Scatter(
                x=rows["report_date"],
                y=rows["count"],
                name=status.label,
                mode="lines+markers",
                stackgroup="status",
                line={"color": status.color, "width": 1.5},
                fillpattern={**PATTERN, "shape": status.pattern},
                fillcolor=status.color,
                hovertemplate=f"{status.label}: %{{y:,d}} Maßnahmen am %{{x|%d.%m.%Y}}<extra></extra>",
            )
        )
    fig.update_xaxes(title="Stichtag", tickformat="%m/%Y")
    fig.update_yaxes(title="Anzahl der Maßnahmen", rangemode="tozero")
    return _layout(fig, title)


def done_share_chart(shares: pd.DataFrame, line: pd.DataFrame, target: dt.date) -> go.Figure:
    """Share done per Handlungsfeld over time, with a straight-line projection of the total to the target.

    `shares` is history.done_share_over_time, `line` history.projection. The
    projection is dashed and named as one in the legend, never drawn as data.
    """
    title = DONE_SHARE_TITLE
    if shares.empty or shares["report_date"].nunique() < 2:
        return _empty(title, HISTORY_TOO_SHORT)
    fig = go.Figure()
    palette = ["#000000", "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
    symbols = ["circle", "square", "diamond", "triangle-up", "cross", "x", "star", "hexagon"]
    for i, (area, unsorted) in enumerate(shares.groupby("area", sort=False)):
        rows = unsorted.sort_values("report_date")
        fig.add_trace(
            go.Scatter(
                x=rows["report_date"],
                y=rows["share"] * 100,
                name=_text(area),
                mode="lines+markers",
                marker={"symbol": symbols[i % len(symbols)], "size": 9},
                line={"color": palette[i % len(palette)], "width": 3 if i == 0 else 2},
                customdata=np.stack([rows["done"], rows["measures"]], axis=-1),
                hovertemplate=f"{_text(area)}: %{{y:.1f}} % (%{{customdata[0]:,d}} von %{{customdata[1]:,d}}) "
                "am %{x|%d.%m.%Y}<extra></extra>",
            )
        )
    if not line.empty:
        fig.add_trace(
            go.Scatter(
                x=line["report_date"],
                y=line["share"] * 100,
                name="Projektion (gerade Linie durch alle Berichte)",
                mode="lines",
                line={"color": "#000000", "dash": "dash", "width": 2},
                hovertemplate="Projektion: %{y:.1f} % am %{x|%d.%m.%Y}<extra></extra>",
            )
        )
    fig.add_shape(type="line", x0=target, x1=target, y0=0, y1=1, yref="paper", line={"dash": "dot", "color": INK})
    fig.add_annotation(x=target, y=1, yref="paper", text=f"Ziel {target.year}", showarrow=False, yanchor="bottom")
    fig.update_xaxes(title="Stichtag", tickformat="%m/%Y")
    fig.update_yaxes(title="Anteil erledigt", ticksuffix=" %", range=[0, 105])
    layout = _layout(fig, title, height=480)
    layout.update_layout(legend={"title": {"text": ""}})
    return layout
