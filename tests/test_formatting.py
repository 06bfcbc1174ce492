import datetime as dt

import pandas as pd
import pytest

from mayen_dash.formatting import (
    escape_markdown,
    format_count,
    format_count_noun,
    format_date,
    format_decimal,
    format_number,
    format_percent,
    item_text,
    list_item,
    safe_markdown,
    text_or_empty,
)


def test_german_formats():
    assert format_date(dt.date(2022, 8, 31)) == "31.08.2022"
    assert format_date(pd.Timestamp("2023-12-31")) == "31.12.2023"
    assert format_date(None) == ""
    assert format_date(pd.NaT) == ""
    assert format_percent(56 / 101) == "55,4 %"
    assert format_count(100000) == "100.000"


def test_missing_values_are_empty_text_never_nan():
    assert [text_or_empty(v) for v in (None, float("nan"), pd.NA, pd.NaT)] == ["", "", "", ""]
    assert [text_or_empty(v) for v in ("nan", " x ", 0, 2.5)] == ["nan", " x ", "0", "2.5"]


def test_escape_markdown_makes_links_and_tags_inert():
    assert escape_markdown("[x](javascript:alert(1))") == r"\[x\]\(javascript\:alert\(1\)\)"
    assert escape_markdown("<img src=x onerror=alert(1)>") == r"\<img src\=x onerror\=alert\(1\)\>"
    assert escape_markdown("Fachbereich 1") == "Fachbereich 1"


def test_safe_markdown_keeps_bullets_and_makes_the_rest_literal():
    text = "- Weitere Implementierung\n  - 1.) Wissen [x](javascript:y)\n\nAbsatz mit <b>Tag</b>"
    assert safe_markdown(text) == (
        "- Weitere Implementierung\n  - 1\\.\\) Wissen \\[x\\]\\(javascript\\:y\\)\n\nAbsatz mit \\<b\\>Tag\\</b\\>  "
    )


def test_counts_with_their_noun():
    assert format_count_noun(1, "gespeicherter Stand", "gespeicherte Stände") == "1 gespeicherter Stand"
    assert format_count_noun(2, "gespeicherter Stand", "gespeicherte Stände") == "2 gespeicherte Stände"
    assert format_count_noun(0, "Maßnahme", "Maßnahmen") == "0 Maßnahmen"
    assert format_count_noun(1234, "Maßnahme", "Maßnahmen") == "1.234 Maßnahmen"


def test_german_numbers_have_one_rule():
    assert format_decimal(1_234_567) == "1.234.567"
    assert format_decimal(25.05, 1) == "25,1"
    assert format_count(100_000) == "100.000"
    assert [format_number(v) for v in (1234.5, 12.25, 10.0, 0.0, None)] == ["1.234,5", "12,25", "10", "0", ""]


@pytest.mark.parametrize("marker", ["-", "•", "–"])
def test_a_dash_bullet_or_word_dash_starts_a_list_item(marker):
    assert list_item(f"  {marker} Punkt ") == (2, "Punkt")
    assert item_text(f"{marker} Punkt") == "Punkt"
    assert safe_markdown(f"{marker} Punkt") == "- Punkt"


def test_a_line_without_marker_and_space_is_no_item():
    assert list_item("Punkt") is None
    assert list_item("-5 Grad") is None
    assert item_text("  Punkt ") == "Punkt"
