"""Der Statusbericht: the report for the council as one self-contained HTML file.

`build_report_html` lays out what the dashboard shows in the order of the
city's Projektstatusbericht: the header with project, Stand, manager and goal;
the key figures with their definitions; the figures; the texts of the report;
the changes since the previous report; the overdue measures; the measures
per Handlungsfeld; the balanced scorecard.

The template and its stylesheet are files beside this module
(templates/report.html.j2, templates/report.css); this module only prepares
the data they show. The file opens offline and fetches nothing: the CSS is
inline and the charts are inline SVG drawn here (mayen_dash.svg), so the
report of 101 measures is about 70 kB instead of the 4.9 MB it was with
plotly.js. Each figure has a caption that says what it shows and its numbers
as a table, and status is told by pattern and word as well as by colour.

Printed (A4), sections flow on from one another: a page break stands only
where a block would otherwise be cut (a figure, a card, a table row, a
heading at the foot of a page), so no page is left mostly empty. Table
headers repeat on every page.

All text from the spreadsheet goes through the template's autoescaping (or
`html.escape` where markup is assembled in Python), so a title such as
`<img src=x onerror=alert(1)>` appears as written and never as markup.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from . import metrics, svg, text_alternatives
from .charts import OVERDUE_LIMIT, UNIT_LIMIT
from .diff import BY_SIMILARITY, MATCH_LABEL, MEASURE_LABEL, changes_frame, compare, summary_lines
from .filters import Filters
from .formatting import (
    EMPTY,
    format_count,
    format_count_noun,
    format_date,
    format_number,
    format_percent,
    list_item,
    text_or_empty,
)
from .model import NO_GROUP, Report
from .scorecard import perspectives
from .settings import time_zone
from .vocabulary import NARRATIVE_FIELDS, REPORT_FIELDS, STATUS_LABELS, STATUSES

TEMPLATES = Path(__file__).resolve().parent / "templates"

# Characters of a file name part taken from a filter value; long Handlungsfeld names are cut.
NAME_PART_LENGTH = 40


def _name_part(text: str) -> str:
    """A filter value as a piece of a portable file name: "Bereich 2.1" → "Bereich-2.1", umlauts spelt out."""
    text = text.translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-.")
    return text[:NAME_PART_LENGTH].rstrip("-.")


def report_file_name(report: Report, as_of: dt.date, suffix: str = "html", filters: Filters | None = None) -> str:
    """The download name: Stand and filter, e.g. Statusbericht_2022-08-31_Bereich-2.1.pdf.

    The Stand is the report's Stichtag. A Stichtag for "überfällig" other than the Stand, and
    every filter value, are added, so that two different reports never share a name.
    """
    stand = report.report_date or as_of
    parts = ["Statusbericht", stand.isoformat()]
    if filters is not None:
        values = [
            *filters.units,
            *filters.areas,
            *(STATUS_LABELS.get(s, s) for s in filters.statuses),
            *([f"Suche-{filters.query}"] if filters.query else []),
        ]
        parts += [part for part in map(_name_part, values) if part]
    if as_of != stand:
        parts.append(f"Stichtag-{as_of.isoformat()}")
    return "_".join(parts) + f".{suffix}"


def _stand_name(date: dt.date | None) -> str:
    """How the report names a Stand: by its date, never by its file."""
    return f"Stand {format_date(date)}" if date else "Stand ohne Stichtag"


# --- text helpers ---------------------------------------------------------------------------------

def rich_text(text: str) -> Markup:
    """A report text as HTML: "- " lines become (nested) lists, other lines paragraphs; all text escaped.

    A bullet indented deeper than the one before opens a sub-list; an indented
    line that is no bullet continues the item above it; an empty line ends
    lists and paragraphs.
    """
    out: list[str] = []
    levels: list[int] = []  # indentation of each open <ul>
    paragraph: list[str] = []

    def end_paragraph() -> None:
        if paragraph:
            out.append("<p>" + "<br>".join(paragraph) + "</p>")
            paragraph.clear()

    def end_lists(keep: int = 0) -> None:
        while len(levels) > keep:
            out.append("</li></ul>")
            levels.pop()

    for raw in str(text or "").splitlines():
        line = raw.expandtabs(4).rstrip()
        item = list_item(line)
        if item:
            end_paragraph()
            indent = item[0]
            if not levels or indent > levels[-1]:
                out.append("<ul><li>")
                levels.append(indent)
            else:
                while len(levels) > 1 and indent < levels[-1]:
                    out.append("</li></ul>")
                    levels.pop()
                out.append("</li><li>")
            out.append(html.escape(item[1]))
        elif not line.strip():
            end_paragraph()
            end_lists()
        elif levels and line[:1].isspace():
            out.append("<br>" + html.escape(line.strip()))
        else:
            end_lists()
            paragraph.append(html.escape(line.strip()))
    end_paragraph()
    end_lists()
    return Markup("".join(out))


def _measures(count: int) -> str:
    return format_count_noun(count, "Maßnahme", "Maßnahmen")


# --- what the template gets ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    id: str
    title: str
    status: str
    status_label: str
    responsible: str
    target: str
    due: str
    overdue: bool
    remarks: str


@dataclass(frozen=True)
class _Group:
    name: str  # "" when the field's measures have no Zielgruppe at all
    rows: list[_Row]


@dataclass(frozen=True)
class _Area:
    name: str
    anchor: str
    count: int
    groups: list[_Group]


@dataclass(frozen=True)
class _Table:
    """A figure's numbers: the header row, and rows whose first cell names the row."""

    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class _Figure:
    anchor: str
    title: str
    summary: str
    chart: Markup
    table: _Table | None  # None where the table follows the figure as a section of its own


def _rows(measures: pd.DataFrame, late: set) -> list[_Row]:
    return [
        _Row(
            id=text_or_empty(r.id),
            title=text_or_empty(r.title),
            status=text_or_empty(r.status),
            status_label=STATUS_LABELS.get(text_or_empty(r.status), text_or_empty(r.status)),
            responsible=text_or_empty(r.responsible),
            target=text_or_empty(r.target) or EMPTY,
            due=format_date(r.due) or EMPTY,
            overdue=label in late,
            remarks=text_or_empty(r.remarks),
        )
        for label, r in zip(measures.index, measures.itertuples(index=False), strict=True)
    ]


def _areas(measures: pd.DataFrame, late: set) -> list[_Area]:
    """The measures per Handlungsfeld in report order, split by Zielgruppe where the field has any."""
    areas = []
    present = measures["area"].astype(str)
    categorical = isinstance(measures["area"].dtype, pd.CategoricalDtype)
    order = [str(a) for a in measures["area"].cat.categories] if categorical else []
    names = [a for a in order if (present == a).any()] + [a for a in dict.fromkeys(present) if a not in order]
    for number, name in enumerate(names, start=1):
        rows = measures[present == name]
        groups_text = rows["group"].map(text_or_empty)
        if (groups_text == "").all():
            groups = [_Group("", _rows(rows, late))]
        else:
            groups = [
                _Group(group or NO_GROUP, _rows(rows[groups_text == group], late))
                for group in dict.fromkeys(groups_text)
            ]
        areas.append(_Area(name, f"handlungsfeld-{number}", len(rows), groups))
    return areas


def _count_ticks(maximum: float) -> list[tuple[float, str]]:
    """Round axis marks from 0 to at least `maximum`, about five of them (1, 2 or 5 times a power of ten)."""
    if maximum <= 0:
        return [(0, "0")]
    rough = maximum / 5
    power = 10 ** math.floor(math.log10(rough))
    step = next(f * power for f in (1, 2, 5, 10) if f * power >= rough)
    step = max(step, 1)
    return [(i * step, format_count(int(i * step))) for i in range(int(maximum // step) + 1)]


def _table(data: pd.DataFrame) -> _Table:
    """A text alternative's data as the template's table: its German headers and text cells."""
    return _Table(list(data.columns), data.to_numpy().tolist())


def _progress_figure(measures: pd.DataFrame) -> _Figure:
    alternative = text_alternatives.progress_by_area(measures)
    table = metrics.progress_by_area(measures)
    bars = []
    for area, rows in table.groupby("area", sort=False, observed=True):
        total = int(rows["count"].sum())
        segments = tuple(
            svg.Segment(code, share * 100, format_count(int(count)))
            for code, share, count in zip(rows["status"].astype(str), rows["share"], rows["count"], strict=True)
            if count
        )
        bars.append(svg.Bar(f"{area} ({format_count(total)})", segments))
    chart = svg.bar_chart(
        bars,
        name=alternative.name,
        name_id="diagramm-handlungsfeld-name",
        scale_max=100,
        ticks=[(v, f"{v} %") for v in (0, 25, 50, 75, 100)],
        axis_title="Anteil an den Maßnahmen des Handlungsfelds (Zahl im Balken: Anzahl)",
        legend=text_alternatives.present_codes(table),
    )
    return _Figure("diagramm-handlungsfeld", alternative.name, alternative.summary, chart, _table(alternative.data))


def _unit_figure(measures: pd.DataFrame) -> _Figure:
    alternative = text_alternatives.status_by_unit(measures)
    table = metrics.status_by_unit(measures)
    totals = table.groupby("unit", sort=False)["count"].sum()
    units = sorted(totals.index, key=lambda u: (-totals[u], str(u).casefold()))
    shown = units[:UNIT_LIMIT]
    bars = []
    for unit in shown:
        rows = table[table["unit"] == unit]
        segments = tuple(
            svg.Segment(code, int(count), format_count(int(count)))
            for code, count in zip(rows["status"].astype(str), rows["count"], strict=True)
            if count
        )
        bars.append(svg.Bar(str(unit), segments, format_count(int(totals[unit]))))
    most = int(totals[units[0]]) if units else 0
    ticks = _count_ticks(most)
    chart = svg.bar_chart(
        bars,
        name=alternative.name,
        name_id="diagramm-einheit-name",
        scale_max=max(most, ticks[-1][0]) * 1.02 or 1,
        ticks=ticks,
        axis_title="Anzahl der Maßnahmen, an denen die Einheit beteiligt ist",
        legend=text_alternatives.present_codes(table),
    )
    return _Figure("diagramm-einheit", alternative.name, alternative.summary, chart, _table(alternative.data))


def _overdue_figure(measures: pd.DataFrame, late: pd.DataFrame, as_of: dt.date) -> _Figure:
    """The overdue bars; their numbers are the overdue table that follows the figure, with every late measure."""
    alternative = text_alternatives.overdue(measures, as_of)
    shown = late.head(OVERDUE_LIMIT)
    days = shown["days_overdue"].astype(int).tolist()
    bars = [
        svg.Bar(text_or_empty(t), (svg.Segment(text_or_empty(code), d),), format_count_noun(d, "Tag", "Tage"))
        for t, code, d in zip(shown["title"], shown["status"], days, strict=True)
    ]
    longest = max(days, default=0)
    ticks = _count_ticks(longest)
    chart = svg.bar_chart(
        bars,
        name=f"Tage überfällig je Maßnahme zum Stichtag {format_date(as_of)}",
        name_id="diagramm-ueberfaellig-name",
        scale_max=max(longest, ticks[-1][0]) * 1.02 or 1,
        ticks=ticks,
        axis_title="Tage überfällig",
        legend=text_alternatives.present_codes(late.assign(count=1)),
    )
    summary = f"{alternative.summary} Die Tabelle darunter nennt alle mit ihren Zahlen."
    return _Figure("diagramm-ueberfaellig", alternative.name, summary, chart, None)


def _changes(previous: pd.DataFrame, measures: pd.DataFrame) -> dict[str, object]:
    """The changes in the council's words: what changed, never how the dashboard paired the measures."""
    comparison = compare(previous, measures)
    frame = changes_frame(comparison)
    similar = frame[MATCH_LABEL] == BY_SIMILARITY
    frame.loc[similar, MEASURE_LABEL] += " (über einen ähnlichen Titel zugeordnet)"
    shown = frame.drop(columns=[MATCH_LABEL])
    return {
        "lines": [line.removeprefix("- ") for line in summary_lines(comparison)],
        "columns": list(shown.columns),
        "rows": shown.to_numpy().tolist(),
        "similar": int(similar.sum()),
        "skipped": comparison.fuzzy_skipped,
    }


def _scorecard(report: Report) -> list[dict[str, object]]:
    return [
        {
            "name": p.name,
            "question": p.question,
            "goals": list(p.goals),
            "actions": list(p.actions),
            "indicators": [
                {"name": i.name, "unit": i.unit, "target": format_number(i.target), "actual": format_number(i.actual)}
                for i in p.indicators
            ],
        }
        for p in perspectives(report.scorecard)
    ]


def _card(card: metrics.Card, as_of: dt.date) -> dict[str, str]:
    if card.share is not None:
        note = f"{format_percent(card.share)} aller Maßnahmen im Filter"
    elif card.key == "overdue":
        note = f"zum Stichtag {format_date(as_of)}"
    else:
        note = ""
    return {"label": card.label, "value": format_count(card.value), "note": note, "help": card.help}


def _local(moment: dt.datetime | None) -> dt.datetime:
    """A moment on the installation's clock; a naive one is taken as already told on it."""
    zone = time_zone()
    if moment is None:
        return dt.datetime.now(zone)
    return moment if moment.tzinfo is None else moment.astimezone(zone)


def build_report_html(
    report: Report,
    measures: pd.DataFrame,
    as_of: dt.date,
    *,
    filter_text: str = "",
    previous: pd.DataFrame | None = None,
    previous_date: dt.date | None = None,
    generated_at: dt.datetime | None = None,
) -> str:
    """The status report as one self-contained HTML document (see the module docstring).

    `measures` is the table already filtered as on screen; `filter_text` says
    in the header which filter applies ("" for none, see `Filters.describe`);
    `as_of` is the Stichtag for "überfällig". `previous` is the measure table
    of the previous report, filtered the same way; with it the report has the
    section "Änderungen seit dem letzten Bericht" (against the Stand of
    `previous_date`), without it the section is left out. The report texts and
    the balanced scorecard are the whole report's; the filter does not apply to
    them. `generated_at` (default: now) is told in the installation's time zone.
    """
    late = metrics.overdue(measures, as_of)
    late_labels = set(late.index)
    info = report.info
    cards = metrics.cards(measures, as_of)
    context = {
        "title": report.title,
        "subtitle": info.get("subtitle", ""),
        "document": info.get("document", "") or "Projektstatusbericht",
        "header": [
            (REPORT_FIELDS["project_title"], info.get("project_title", "")),
            (REPORT_FIELDS["manager"], info.get("manager", "")),
            ("Stand des Berichts", format_date(report.report_date) or "ohne Stichtag"),
            ("Stichtag für „überfällig“", format_date(as_of)),
            ("Filter", filter_text or "kein Filter – alle Maßnahmen des Berichts"),
            ("Erstellt", _local(generated_at).strftime("%d.%m.%Y, %H:%M Uhr")),
        ],
        "filter_text": filter_text,
        "count": len(measures),
        "intro": [
            (REPORT_FIELDS[key], rich_text(info.get(key, "")))
            for key in ("goal", "background", "benefit")
            if str(info.get(key, "")).strip()
        ],
        "cards": [_card(card, as_of) for card in cards],
        "cards_sum": metrics.cards_sum(cards),
        "figures": [_progress_figure(measures), _unit_figure(measures)],
        "patterns": svg.pattern_definitions(),
        "narrative": [
            {"key": section.key, "title": section.title, "body": rich_text(info.get(section.key, ""))}
            for section in NARRATIVE_FIELDS
            if str(info.get(section.key, "")).strip()
        ],
        "changes": _changes(previous, measures) if previous is not None else None,
        "previous_name": _stand_name(previous_date),
        "as_of": format_date(as_of),
        "overdue_rows": [
            (row, format_count(int(days)))
            for row, days in zip(_rows(late, late_labels), late["days_overdue"], strict=True)
        ],
        "overdue_figure": _overdue_figure(measures, late, as_of) if len(late) else None,
        "overdue_definition": metrics.DEFINITIONS["overdue"].format(as_of=format_date(as_of)),
        "areas": _areas(measures, late_labels),
        "with_ids": bool((measures["id"].map(text_or_empty) != "").any()),
        "scorecard": _scorecard(report),
        "statuses": STATUSES,
    }
    return _ENVIRONMENT.get_template("report.html.j2").render(**context)


def _breakable(value: object) -> Markup:
    """Escaped text that may wrap after a "/" ("Zentralbereich 1/Bereich 2.1"), as narrow table cells need."""
    return Markup(html.escape(str(value)).replace("/", "/<wbr>"))


_ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENVIRONMENT.filters["breakable"] = _breakable
_ENVIRONMENT.filters["measures"] = _measures
