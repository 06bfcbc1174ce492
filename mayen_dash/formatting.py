"""German formats for dates, numbers and shares, used by every view and export."""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

EMPTY = "–"  # what a table, card or report shows for an empty value, never "None", "nan" or "NaT"
# English number punctuation to German: the thousands comma becomes a point, the decimal point a comma.
_GERMAN_NUMBER = str.maketrans(",.", ".,")


def format_date(value: dt.date | pd.Timestamp | None) -> str:
    """German date, 31.08.2022; empty for none."""
    if value is None or pd.isna(value):
        return ""
    return value.strftime("%d.%m.%Y")


def text_or_empty(value: object) -> str:
    """A frame value as text: missing (None, NaN, NA) is the empty string, so that it never reads "nan"."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def format_percent(share: float) -> str:
    """German percentage with one decimal, 55,4 %."""
    return f"{share * 100:.1f} %".replace(".", ",")


def format_decimal(value: float, decimals: int = 0) -> str:
    """German notation with thousands separators and a fixed number of decimals: 1.234.567, 25,1."""
    return f"{value:,.{decimals}f}".translate(_GERMAN_NUMBER)


def format_count(value: int) -> str:
    """German thousands separator, 100.000."""
    return format_decimal(value)


def format_number(value: float | None) -> str:
    """A Messgröße's Ist- or Zielwert in German notation: 1.234,5, up to two decimals; "" for none."""
    if value is None or not math.isfinite(value):
        return ""
    return f"{value:,.2f}".rstrip("0").rstrip(".").translate(_GERMAN_NUMBER)


def format_count_noun(count: int, singular: str, plural: str) -> str:
    """A count with its noun as German says it: "1 gespeicherter Stand", "0 Stände", "1.234 Maßnahmen".

    The caller gives both forms, inflected as the sentence needs them (an adjective included), because
    German plurals follow no rule a function could apply.
    """
    return f"{format_count(count)} {singular if count == 1 else plural}"


# A list item as the reports write it: "-", "•" or "–" (the dash Word puts in), a space, then the text.
_LIST_ITEM = re.compile(r"^(\s*)[-•–]\s+(.*)$")


def list_item(line: str) -> tuple[int, str] | None:
    """The indentation and text of a list item ("  – Punkt" is (2, "Punkt")); None for a line that is none.

    The one rule for bullets, so that the screen, the council report and the scorecard agree on what a list is.
    """
    match = _LIST_ITEM.match(line)
    return (len(match[1]), match[2].strip()) if match else None


def item_text(line: str) -> str:
    """A line's text without its list marker: "– Punkt" and "Punkt" are both "Punkt"."""
    item = list_item(line)
    return item[1] if item else line.strip()


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&=])")


def escape_markdown(text: str) -> str:
    """Text from a spreadsheet made inert for Markdown: shown literally, never a link, tag or formula."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def safe_markdown(text: str) -> str:
    """A report section as Markdown: its "- " bullets become lists, everything else stays literal text."""
    lines = []
    for line in str(text).splitlines():
        item = list_item(line)
        if item:
            lines.append(f"{' ' * (item[0] // 2 * 2)}- {escape_markdown(item[1])}")
        else:
            lines.append(escape_markdown(line.strip()) + "  " if line.strip() else "")
    return "\n".join(lines)
