import datetime as dt

import pandas as pd

from mayen_dash.formatting import (
    escape_markdown,
    format_count,
    format_count_noun,
    format_date,
    format_percent,
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
