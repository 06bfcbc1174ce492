"""Der Statusbericht: the report for the council as one self-contained HTML file.

`build_report_html` lays out what the dashboard shows in the order of the
city's Projektstatusbericht: the header with project, Stand, manager and goal;
the key figures with their definitions; the charts; the texts of the report;
the changes since the previous report; the overdue measures; the measures
per Handlungsfeld; the balanced scorecard.

The file opens offline and fetches nothing: the CSS is inline, plotly.js is
inlined once (with the first chart), there are no external fonts or images.
It prints to A4 with a page break before each section and each Handlungsfeld,
table headers repeated on every page and no row split across pages; charts
have a fixed width that fits the printed page.

All text from the spreadsheet goes through the template's autoescaping (or
`html.escape` where HTML is assembled in Python), so a title such as
`<img src=x onerror=alert(1)>` appears as written and never as markup.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from .charts import overdue_chart, progress_by_area_chart, status_by_unit_chart, status_chart
from .diff import BY_SIMILARITY, CHANGE_COLUMNS, changes_frame, compare, summary_lines
from .formatting import format_count, format_date, format_percent, text_or_empty
from .metrics import DEFINITIONS, kpis, overdue
from .model import NO_GROUP, Report
from .scorecard import perspectives
from .vocabulary import STATUS_LABELS, STATUSES

# The printable width of an A4 page with the margins of the @page rule (182 mm at 96 dpi).
CHART_WIDTH = 680
# The tallest chart that still fits on one printed page below a heading.
CHART_MAX_HEIGHT = 900
CHART_CONFIG = {"displayModeBar": False, "responsive": False, "displaylogo": False}

NARRATIVE_SECTIONS = (
    ("progress", "Fortschritte im Projekt seit dem letzten Fortschrittsbericht"),
    ("next_steps", "Geplante nächste Schritte"),
    ("problems", "Problembereiche, erforderliche Gegenmaßnahmen und Verantwortliche"),
    ("attachments", "Anlagen"),
)


def report_file_name(report: Report, as_of: dt.date, suffix: str = "html") -> str:
    """A download name such as statusbericht_2022-08-31.html (the Stichtag of the report, else `as_of`)."""
    return f"statusbericht_{(report.report_date or as_of).isoformat()}.{suffix}"


# --- text helpers ---------------------------------------------------------------------------------

_BULLET = re.compile(r"^(\s*)[-•–]\s+(.*)$")


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
        bullet = _BULLET.match(line)
        if bullet:
            end_paragraph()
            indent = len(bullet[1])
            if not levels or indent > levels[-1]:
                out.append("<ul><li>")
                levels.append(indent)
            else:
                while len(levels) > 1 and indent < levels[-1]:
                    out.append("</li></ul>")
                    levels.pop()
                out.append("</li><li>")
            out.append(html.escape(bullet[2].strip()))
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


def _number(value: float | None) -> str:
    """A Messgröße's figure in German notation: 1.234,5; up to two decimals."""
    if value is None or not math.isfinite(value):
        return ""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.translate(str.maketrans(",.", ".,"))


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


def _rows(measures: pd.DataFrame, late: set) -> list[_Row]:
    return [
        _Row(
            id=text_or_empty(r.id),
            title=text_or_empty(r.title),
            status=text_or_empty(r.status),
            status_label=STATUS_LABELS.get(text_or_empty(r.status), text_or_empty(r.status)),
            responsible=text_or_empty(r.responsible),
            target=text_or_empty(r.target),
            due=format_date(r.due),
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


def _chart(fig: go.Figure, div_id: str, *, first: bool) -> Markup:
    """A figure as an HTML fragment of fixed width; plotly.js is inlined with the first one only."""
    height = fig.layout.height or 440
    fig.update_layout(width=CHART_WIDTH, height=min(height, CHART_MAX_HEIGHT), autosize=False)
    return Markup(
        fig.to_html(full_html=False, include_plotlyjs=first, div_id=div_id, config=CHART_CONFIG, validate=False)
    )


def _kpis(measures: pd.DataFrame, as_of: dt.date) -> list[dict[str, str]]:
    figures = kpis(measures, as_of)
    return [
        {"label": "Maßnahmen", "value": format_count(figures["measures"]), "note": "", "help": DEFINITIONS["measures"]},
        {
            "label": "erledigt",
            "value": format_count(figures["done"]),
            "note": f"{format_percent(figures['done_share'])} aller Maßnahmen im Filter",
            "help": DEFINITIONS["done"],
        },
        {
            "label": "in Bearbeitung",
            "value": format_count(figures["in_progress"]),
            "note": "",
            "help": DEFINITIONS["in_progress"],
        },
        {"label": "offen", "value": format_count(figures["open"]), "note": "", "help": DEFINITIONS["open"]},
        {
            "label": "überfällig",
            "value": format_count(figures["overdue"]),
            "note": f"zum Stichtag {format_date(as_of)}",
            "help": DEFINITIONS["overdue"].format(as_of=format_date(as_of)),
        },
    ]


def _changes(previous: pd.DataFrame, measures: pd.DataFrame) -> dict[str, object]:
    comparison = compare(previous, measures)
    return {
        "lines": [line.removeprefix("- ") for line in summary_lines(comparison)],
        "columns": list(CHANGE_COLUMNS),
        "rows": changes_frame(comparison).to_numpy().tolist(),
        "fuzzy": len(comparison.fuzzy_matches),
        "skipped": comparison.fuzzy_skipped,
    }


def _scorecard(report: Report) -> list[dict[str, object]]:
    result = []
    for p in perspectives(report.scorecard):
        result.append(
            {
                "name": p.name,
                "question": p.question,
                "goals": list(p.goals),
                "actions": list(p.actions),
                "indicators": [
                    {
                        "name": i.name,
                        "unit": i.unit,
                        "target": _number(i.target),
                        "actual": _number(i.actual),
                        "has_figures": i.has_figures,
                    }
                    for i in p.indicators
                ],
            }
        )
    return result


def build_report_html(
    report: Report,
    measures: pd.DataFrame,
    as_of: dt.date,
    *,
    filter_text: str = "",
    previous: pd.DataFrame | None = None,
    previous_label: str = "",
    generated_at: dt.datetime | None = None,
) -> str:
    """The status report as one self-contained HTML document (see the module docstring).

    `measures` is the table already filtered as on screen; `filter_text` says
    in the header which filter applies ("" for none, see `Filters.describe`);
    `as_of` is the Stichtag for "überfällig". `previous` is the measure table
    of the previous report, filtered the same way; with it the report has the
    section "Änderungen seit dem letzten Bericht" (`previous_label`, e.g.
    "Stand 31.03.2022", names that report), without it the section is left out.
    The report texts and the balanced scorecard are the whole report's; the
    filter does not apply to them.
    """
    generated_at = generated_at or dt.datetime.now()
    late = overdue(measures, as_of)
    late_labels = set(late.index)
    info = report.info
    charts: list[Markup] = []
    for i, fig in enumerate((progress_by_area_chart(measures), status_chart(measures), status_by_unit_chart(measures))):
        charts.append(_chart(fig, f"diagramm-{i + 1}", first=i == 0))
    overdue_figure = (
        _chart(overdue_chart(measures, as_of), "diagramm-ueberfaellig", first=False) if len(late) else Markup("")
    )
    narrative = [
        {"key": key, "title": title, "body": rich_text(info.get(key, ""))}
        for key, title in NARRATIVE_SECTIONS
        if str(info.get(key, "")).strip()
    ]
    context = {
        "title": report.title,
        "subtitle": info.get("subtitle", ""),
        "document": info.get("document", "") or "Projektstatusbericht",
        "header": [
            ("Projekttitel", info.get("project_title", "")),
            ("Projektmanager", info.get("manager", "")),
            ("Stand des Berichts", format_date(report.report_date) or "unbekannt"),
            ("Stichtag für „überfällig“", format_date(as_of)),
            ("Filter", filter_text or "kein Filter – alle Maßnahmen des Berichts"),
            ("Erstellt", generated_at.strftime("%d.%m.%Y, %H:%M Uhr")),
        ],
        "filtered": bool(filter_text),
        "intro": [
            (label, rich_text(info.get(key, "")))
            for key, label in (
                ("goal", "Projektziel"),
                ("background", "Projekthintergrund"),
                ("benefit", "Projektnutzen"),
            )
            if str(info.get(key, "")).strip()
        ],
        "kpis": _kpis(measures, as_of),
        "count": len(measures),
        "charts": charts,
        "narrative": narrative,
        "changes": _changes(previous, measures) if previous is not None else None,
        "previous_label": previous_label,
        "as_of": format_date(as_of),
        "overdue_rows": [
            (row, format_count(int(days)))
            for row, days in zip(_rows(late, late_labels), late["days_overdue"], strict=True)
        ],
        "overdue_chart": overdue_figure,
        "overdue_definition": DEFINITIONS["overdue"].format(as_of=format_date(as_of)),
        "areas": _areas(measures, late_labels),
        "with_ids": bool((measures["id"].map(text_or_empty) != "").any()),
        "scorecard": _scorecard(report),
        "statuses": STATUSES,
        "by_similarity": BY_SIMILARITY,
    }
    return _TEMPLATE.render(**context)


# --- the document -------------------------------------------------------------------------------------

_CSS = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #b8b8b8; --head: #e6ecf2; --late: #D55E00; }
* { box-sizing: border-box; }
html { color: var(--ink); font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif;
       font-size: 10.5pt; line-height: 1.4; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 182mm; padding: 24px 0 48px; background: #fff; }
h1 { font-size: 20pt; margin: 0 0 2pt; line-height: 1.2; }
h2 { font-size: 15pt; margin: 0 0 8pt; padding-bottom: 3pt; border-bottom: 2px solid #0072B2; }
h3 { font-size: 12pt; margin: 14pt 0 6pt; }
h4 { font-size: 10.5pt; margin: 10pt 0 4pt; color: #333; }
h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
p { margin: 0 0 6pt; }
ul { margin: 0 0 6pt; padding-left: 16pt; }
li { margin: 0 0 2pt; }
a { color: #0060a0; }
.kind { text-transform: uppercase; letter-spacing: .08em; font-size: 9pt; color: var(--muted); margin: 0; }
.subtitle { font-size: 12pt; color: #333; margin: 0 0 10pt; }
.muted, .note { color: var(--muted); font-size: 9pt; }
header, section { margin: 0 0 28pt; }
section.page, .area.page { break-before: page; page-break-before: always; }
dl.meta { display: grid; grid-template-columns: 48mm 1fr; gap: 2pt 8pt; margin: 8pt 0 12pt; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
.filter { border-left: 4px solid #E69F00; padding: 4pt 8pt; background: #fff7e6; margin: 0 0 10pt; }
nav.toc ol { margin: 4pt 0 0; padding-left: 16pt; columns: 2; }
.kpis { display: grid; grid-template-columns: repeat(5, 1fr); gap: 6pt; margin: 0 0 10pt; }
.kpi { border: 1px solid var(--rule); border-radius: 4px; padding: 6pt; break-inside: avoid; }
.kpi .label { font-size: 9pt; color: var(--muted); }
.kpi .value { font-size: 20pt; font-weight: bold; line-height: 1.2; }
.kpi .sub { font-size: 8.5pt; color: var(--muted); }
dl.definitions { margin: 0; font-size: 9pt; }
dl.definitions dt { font-weight: bold; margin-top: 4pt; }
dl.definitions dd { margin: 0 0 2pt 0; }
.chart { break-inside: avoid; page-break-inside: avoid; margin: 0 0 16pt; width: 680px; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 8.5pt; margin: 0 0 10pt; }
th, td { border: 1px solid var(--rule); padding: 3pt 4pt; text-align: left; vertical-align: top;
         overflow-wrap: break-word; hyphens: manual; }
td { white-space: pre-line; }
thead { display: table-header-group; }
thead th { background: var(--head); }
tr { break-inside: avoid; page-break-inside: avoid; }
td.num, th.num { text-align: right; }
.nowrap { white-space: nowrap; }
.chip { display: inline-block; width: 8pt; height: 8pt; border-radius: 2px; margin-right: 3pt;
        vertical-align: -1pt; border: 1px solid rgba(0, 0, 0, .25); }
.late { color: var(--late); font-weight: bold; white-space: nowrap; }
.indicators td.missing { color: var(--muted); font-style: italic; }
.perspective { break-inside: avoid-page; margin: 0 0 14pt; }
.perspective + .perspective { border-top: 1px solid var(--rule); padding-top: 8pt; }
@page { size: A4; margin: 14mm 14mm 16mm;
        @bottom-right { content: "Seite " counter(page) " von " counter(pages); font-size: 8pt; color: #555; } }
@media print {
  body { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  header, section { margin-bottom: 0; }
}
"""

_CSS += "".join(f".chip.st-{s.code} {{ background: {s.color}; }}\n" for s in STATUSES)

_SOURCE = """<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Mayen Digital-Dashboard">
<title>{{ document }}: {{ title }}</title>
<style>{{ css }}</style>
</head>
<body>
{%- macro status_cell(row) -%}
<td><span class="chip st-{{ row.status }}"></span>{{ row.status_label }}</td>
{%- endmacro %}
<header id="kopf">
  <p class="kind">{{ document }}</p>
  <h1>{{ title }}</h1>
  {% if subtitle %}<p class="subtitle">{{ subtitle }}</p>{% endif %}
  <dl class="meta">
    {% for label, value in header %}<dt>{{ label }}</dt><dd>{{ value or "–" }}</dd>{% endfor %}
  </dl>
  {% if filtered %}<p class="filter"><strong>Gefiltert:</strong> {{ header[4][1] }}. Kennzahlen, Diagramme
  und Tabellen beziehen sich nur auf die Maßnahmen dieses Filters ({{ count|measures }}); Berichtstexte und
  Balanced Scorecard gelten für das ganze Projekt.</p>{% endif %}
  {% for label, body in intro %}<h3>{{ label }}</h3>{{ body }}{% endfor %}
  <nav class="toc"><strong>Inhalt</strong>
    <ol>
      <li><a href="#kennzahlen">Kennzahlen und Umsetzungsstand</a></li>
      {% if narrative %}<li><a href="#bericht">Aus dem Bericht</a></li>{% endif %}
      {% if changes is not none %}<li><a href="#aenderungen">Änderungen seit dem letzten Bericht</a></li>{% endif %}
      <li><a href="#ueberfaellig">Überfällige Maßnahmen</a></li>
      <li><a href="#massnahmen">Maßnahmen nach Handlungsfeld</a></li>
      <li><a href="#scorecard">Balanced Scorecard</a></li>
    </ol>
  </nav>
</header>

<section id="kennzahlen" class="page">
  <h2>Kennzahlen und Umsetzungsstand</h2>
  <p class="muted">{{ count|measures }} im Filter, Stichtag für „überfällig“: {{ as_of }}.</p>
  <div class="kpis">
    {% for k in kpis %}<div class="kpi"><div class="label">{{ k.label }}</div><div class="value">{{ k.value }}</div>
    <div class="sub">{{ k.note }}</div></div>{% endfor %}
  </div>
  <div class="chart">{{ charts[0] }}</div>
  <h3>So wird gezählt</h3>
  <dl class="definitions">
    {% for k in kpis %}<dt>{{ k.label }}</dt><dd>{{ k.help }}</dd>{% endfor %}
  </dl>
  {% for chart in charts[1:] %}<div class="chart">{{ chart }}</div>{% endfor %}
</section>

{% if narrative %}
<section id="bericht" class="page">
  <h2>Aus dem Bericht</h2>
  {% for part in narrative %}<h3 id="bericht-{{ part.key }}">{{ part.title }}</h3>{{ part.body }}{% endfor %}
</section>
{% endif %}

{% if changes is not none %}
<section id="aenderungen" class="page">
  <h2>Änderungen seit dem letzten Bericht</h2>
  {% if previous_label %}<p class="muted">Verglichen mit: {{ previous_label }}.</p>{% endif %}
  <ul>{% for line in changes.lines %}<li>{{ line }}</li>{% endfor %}</ul>
  {% if changes.fuzzy %}<p class="note">{{ changes.fuzzy }} Zuordnung(en) nur über ähnliche Titel
  (Zuordnung „{{ by_similarity }}“) – bitte prüfen.</p>{% endif %}
  {% if changes.skipped %}<p class="note">Zu viele Maßnahmen ohne Gegenstück; ähnliche Titel wurden nicht
  gesucht.</p>{% endif %}
  {% if changes.rows %}
  <table class="changes">
    <colgroup><col style="width:17%"><col style="width:11%"><col style="width:30%"><col style="width:15%">
    <col style="width:15%"><col style="width:12%"></colgroup>
    <thead><tr>{% for c in changes.columns %}<th>{{ c }}</th>{% endfor %}</tr></thead>
    <tbody>{% for row in changes.rows %}<tr>{% for v in row %}<td>{{ v|breakable }}</td>{% endfor %}</tr>
    {% endfor %}</tbody>
  </table>
  {% endif %}
</section>
{% endif %}

<section id="ueberfaellig" class="page">
  <h2>Überfällige Maßnahmen zum Stichtag {{ as_of }}</h2>
  <p class="note">{{ overdue_definition }}</p>
  {% if overdue_rows %}
  <div class="chart">{{ overdue_chart }}</div>
  <table class="overdue">
    <colgroup>{% if with_ids %}<col style="width:10%">{% endif %}<col style="width:25%"><col style="width:15%">
    <col style="width:18%"><col style="width:11%"><col style="width:12%"><col style="width:8%"></colgroup>
    <thead><tr>{% if with_ids %}<th>ID</th>{% endif %}<th>Maßnahme</th><th>Status</th><th>Verantwort&shy;lichkeit</th>
    <th>Ziel&shy;datum</th><th>fällig am</th><th class="num">Tage</th></tr></thead>
    <tbody>{% for row, days in overdue_rows %}<tr>{% if with_ids %}<td>{{ row.id }}</td>{% endif %}
    <td>{{ row.title|breakable }}</td>{{ status_cell(row) }}<td>{{ row.responsible|breakable }}</td>
    <td>{{ row.target }}</td><td class="nowrap">{{ row.due }}</td><td class="num">{{ days }}</td></tr>
    {% endfor %}</tbody>
  </table>
  {% else %}
  <p>Keine überfälligen Maßnahmen zum Stichtag {{ as_of }}.</p>
  {% endif %}
</section>

<section id="massnahmen" class="page">
  <h2>Maßnahmen nach Handlungsfeld</h2>
  {% if not areas %}<p>Keine Maßnahmen im aktuellen Filter.</p>{% endif %}
  {% for area in areas %}
  <div class="area{% if not loop.first %} page{% endif %}" id="{{ area.anchor }}">
    <h3>{{ area.name }} <span class="muted">({{ area.count|measures }})</span></h3>
    {% for group in area.groups %}
    {% if group.name %}<h4>Zielgruppe: {{ group.name }}</h4>{% endif %}
    <table class="measures">
      <colgroup>{% if with_ids %}<col style="width:9%">{% endif %}<col style="width:24%"><col style="width:15%">
      <col style="width:17%"><col style="width:11%"><col></colgroup>
      <thead><tr>{% if with_ids %}<th>ID</th>{% endif %}<th>Maßnahme</th><th>Status</th><th>Verantwort&shy;lichkeit</th>
      <th>Ziel&shy;datum</th><th>Anmerkungen</th></tr></thead>
      <tbody>{% for row in group.rows %}<tr>{% if with_ids %}<td>{{ row.id }}</td>{% endif %}
      <td>{{ row.title|breakable }}</td>{{ status_cell(row) }}<td>{{ row.responsible|breakable }}</td>
      <td>{{ row.target }}{% if row.overdue %}<br><span class="late">überfällig</span>{% endif %}</td>
      <td>{{ row.remarks|breakable }}</td></tr>
      {% endfor %}</tbody>
    </table>
    {% endfor %}
  </div>
  {% endfor %}
</section>

<section id="scorecard" class="page">
  <h2>Balanced Scorecard</h2>
  {% if scorecard %}
  <p class="note">Messgrößen ohne Ist- und Zielwert sind in der Datei noch nicht mit Zahlen erfasst; der Bericht
  setzt keine Werte ein.</p>
  {% for p in scorecard %}
  <div class="perspective">
    <h3>{{ p.name }}</h3>
    {% if p.question %}<p><strong>Leitfrage:</strong> {{ p.question }}</p>{% endif %}
    {% if p.goals %}<h4>Strategische Ziele</h4><ul>{% for g in p.goals %}<li>{{ g }}</li>{% endfor %}</ul>{% endif %}
    {% if p.actions %}<h4>Maßnahmen</h4><ul>{% for a in p.actions %}<li>{{ a }}</li>{% endfor %}</ul>{% endif %}
    {% if p.indicators %}
    <h4>Messgrößen</h4>
    <table class="indicators">
      <colgroup><col style="width:46%"><col style="width:14%"><col style="width:20%"><col style="width:20%"></colgroup>
      <thead><tr><th>Messgröße</th><th>Einheit</th><th class="num">Zielwert</th><th class="num">Istwert</th>
      </tr></thead>
      <tbody>{% for i in p.indicators %}<tr><td>{{ i.name }}</td><td>{{ i.unit }}</td>
      {% for value in (i.target, i.actual) %}
      {% if value %}<td class="num">{{ value }}</td>{% else %}<td class="missing">noch nicht erfasst</td>{% endif %}
      {% endfor %}
      </tr>{% endfor %}</tbody>
    </table>
    {% else %}<p class="muted">Keine Messgrößen eingetragen.</p>{% endif %}
  </div>
  {% endfor %}
  {% else %}
  <p>Die Datei enthält keine Balanced Scorecard (Blatt „Scorecard“).</p>
  {% endif %}
</section>
</body>
</html>
"""


def _measures(count: int) -> str:
    """Measures counted in German: "1 Maßnahme", "1.234 Maßnahmen"."""
    return f"{format_count(count)} {'Maßnahme' if count == 1 else 'Maßnahmen'}"


def _breakable(value: object) -> Markup:
    """Escaped text that may wrap after a "/" ("Zentralbereich 1/Bereich 2.1"), as narrow table cells need."""
    return Markup(html.escape(str(value)).replace("/", "/<wbr>"))


_ENVIRONMENT = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_ENVIRONMENT.filters["breakable"] = _breakable
_ENVIRONMENT.filters["measures"] = _measures
_TEMPLATE = _ENVIRONMENT.from_string(_SOURCE, globals={"css": Markup(_CSS)})
