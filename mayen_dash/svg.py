"""Small SVG bar charts for the council report: drawn on the server, a few kilobytes each, no script.

The report used to carry plotly.js (4.6 MB) to draw four bar charts. Every chart of the report
is a set of horizontal bars made of status-coloured segments, so one function draws them all:
`bar_chart`. Status is told by colour and by pattern (the vocabulary's pattern per status, the
same as on screen), and the figure's numbers stand in a table beside it in the report, so
nothing depends on seeing colours.

The patterns are defined once per document (`pattern_definitions`) and referenced by every
chart, so that no id appears twice in a page.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from .vocabulary import STATUS_BY_CODE, STATUSES

WIDTH = 680  # the printable width of the report's A4 page, in CSS pixels
FONT_SIZE = 12
LINE_HEIGHT = 14
LABEL_WIDTH = 220  # the column of the bar labels on the left
NOTE_WIDTH = 90  # room after the longest bar for its note ("56 (55,4 %)")
ROW_PADDING = 10
BAR_THICKNESS = 18
AXIS_HEIGHT = 42
LEGEND_ROW = 22
INK = "#1a1a1a"
GRID = "#d0d0d0"
CHAR_WIDTH = 0.56  # average width of a DejaVu Sans character, in units of the font size
# Numbers inside a bar: bold, with a white halo, readable on every status colour and pattern.
_HALO = 'font-weight="bold" stroke="#fff" stroke-width="3" paint-order="stroke"'
# The strokes of each status pattern in an 8 × 8 tile, drawn dark over the status colour.
_PATTERN_PATHS = {
    "/": "M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4",
    "x": "M0,0 L8,8 M8,0 L0,8",
    "-": "M0,4 H8",
    "+": "M4,0 V8 M0,4 H8",
}


@dataclass(frozen=True)
class Segment:
    """A part of a bar: a status, its length in the chart's unit, and the text drawn inside if it fits."""

    status: str
    value: float
    text: str = ""


@dataclass(frozen=True)
class Bar:
    """One row: the label on the left, the segments, and a note after the bar's end."""

    label: str
    segments: tuple[Segment, ...]
    note: str = ""


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    return len(text) * size * CHAR_WIDTH


def pattern_id(code: str) -> str:
    return f"muster-{code}"


def pattern_definitions() -> Markup:
    """A hidden SVG with the fill pattern of every status, referenced by the charts as url(#muster-CODE)."""
    patterns = []
    for status in STATUSES:
        if not status.pattern:
            continue
        if status.pattern == ".":
            drawing = '<circle cx="4" cy="4" r="1.4" fill="#000" fill-opacity=".45"/>'
        else:
            drawing = (
                f'<path d="{_PATTERN_PATHS[status.pattern]}" stroke="#000" stroke-opacity=".45" stroke-width="1.3"/>'
            )
        patterns.append(
            f'<pattern id="{pattern_id(status.code)}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f"{drawing}</pattern>"
        )
    return Markup(
        '<svg width="0" height="0" style="position:absolute" aria-hidden="true" focusable="false">'
        f"<defs>{''.join(patterns)}</defs></svg>"
    )


def _fill(code: str, x: float, y: float, width: float, height: float) -> str:
    """A rectangle in a status's colour with its pattern on top."""
    status = STATUS_BY_CODE[code]
    box = f'x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}"'
    shape = f'<rect {box} fill="{status.color}" stroke="#fff" stroke-width="1"/>'
    if status.pattern:
        shape += f'<rect {box} fill="url(#{pattern_id(code)})"/>'
    return shape


def _lines(label: str, width: float = LABEL_WIDTH - 10, most: int = 3) -> list[str]:
    """A label wrapped to the label column, at most `most` lines, the last one cut with an ellipsis."""
    characters = max(8, int(width / (FONT_SIZE * CHAR_WIDTH)))
    lines = textwrap.wrap(" ".join(label.split()), characters, break_long_words=True) or [""]
    if len(lines) > most:
        lines = [*lines[: most - 1], lines[most - 1][: characters - 1].rstrip() + "…"]
    return lines


def _legend(codes: Sequence[str], top: float) -> tuple[list[str], float]:
    """The statuses' swatches and names in rows across the chart; returns the shapes and the height used."""
    shapes, x, y = [], 0.0, top
    for code in codes:
        label = STATUS_BY_CODE[code].label
        needed = 18 + _text_width(label) + 16
        if x and x + needed > WIDTH:
            x, y = 0.0, y + LEGEND_ROW
        shapes.append(_fill(code, x, y + 2, 12, 12))
        shapes.append(f'<text x="{x + 17:.1f}" y="{y + 12:.1f}">{_escape(label)}</text>')
        x += needed
    return shapes, (y - top + LEGEND_ROW) if codes else 0.0


def bar_chart(
    bars: Sequence[Bar],
    *,
    name: str,
    name_id: str,
    scale_max: float,
    ticks: Sequence[tuple[float, str]],
    axis_title: str,
    legend: Sequence[str] = (),
) -> Markup:
    """Horizontal bars of status segments, labelled on the left, with a value axis below.

    `name` is the chart's accessible name (its <title>, id `name_id`); `scale_max` is the value
    at the right end of the plot; `ticks` are (value, text) pairs of the axis; `legend` lists the
    status codes to explain above the bars (none for a chart whose labels are the statuses).
    A segment's text is drawn inside it only where it fits; the figure's table has every number.
    """
    plot_left = LABEL_WIDTH
    plot_width = WIDTH - LABEL_WIDTH - NOTE_WIDTH
    scale = plot_width / scale_max if scale_max > 0 else 0.0
    shapes, legend_height = _legend(legend, 0)
    top = legend_height + (6 if legend else 0)
    y = top
    for bar in bars:
        lines = _lines(bar.label)
        row = max(BAR_THICKNESS + ROW_PADDING, len(lines) * LINE_HEIGHT + ROW_PADDING)
        middle = y + row / 2
        first = middle - (len(lines) - 1) * LINE_HEIGHT / 2 + FONT_SIZE * 0.35
        label = "".join(
            f'<tspan x="{plot_left - 8}" y="{first + i * LINE_HEIGHT:.1f}">{_escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        shapes.append(f'<text text-anchor="end">{label}</text>')
        x = float(plot_left)
        bar_top = middle - BAR_THICKNESS / 2
        for segment in bar.segments:
            width = segment.value * scale
            if width <= 0:
                continue
            shapes.append(_fill(segment.status, x, bar_top, width, BAR_THICKNESS))
            if segment.text and _text_width(segment.text, FONT_SIZE) + 6 <= width:
                shapes.append(
                    f'<text {_HALO} x="{x + width / 2:.1f}" y="{middle + FONT_SIZE * 0.35:.1f}" '
                    f'text-anchor="middle">{_escape(segment.text)}</text>'
                )
            x += width
        if bar.note:
            shapes.append(f'<text x="{x + 6:.1f}" y="{middle + FONT_SIZE * 0.35:.1f}">{_escape(bar.note)}</text>')
        y += row
    bottom = y
    grid = []  # drawn first, so that the bars lie over the grid lines
    for value, text in ticks:
        tick_x = plot_left + value * scale
        grid.append(f'<line x1="{tick_x:.1f}" x2="{tick_x:.1f}" y1="{top:.1f}" y2="{bottom + 4:.1f}" stroke="{GRID}"/>')
        shapes.append(f'<text x="{tick_x:.1f}" y="{bottom + 17:.1f}" text-anchor="middle">{_escape(text)}</text>')
    shapes.append(
        f'<line x1="{plot_left}" x2="{plot_left}" y1="{top:.1f}" y2="{bottom:.1f}" stroke="{INK}" stroke-width="1"/>'
    )
    shapes.append(
        f'<text x="{plot_left + plot_width / 2:.1f}" y="{bottom + 35:.1f}" text-anchor="middle">'
        f"{_escape(axis_title)}</text>"
    )
    height = bottom + AXIS_HEIGHT
    return Markup(
        f'<svg class="chart" role="img" aria-labelledby="{name_id}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" font-size="{FONT_SIZE}" fill="{INK}">'
        f'<title id="{name_id}">{_escape(name)}</title>{"".join(grid)}{"".join(shapes)}</svg>'
    )
