"""Properties of the cell interpreters, checked with generated input (hypothesis).

The Zieldatum parser, the header and status matchers and the unit splitter see
whatever people type. None of them may raise, and each keeps its promises for
every input, not only for the examples in test_normalize and test_vocabulary.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from mayen_dash.normalize import Period, parse_target, parse_units_cell, split_units
from mayen_dash.vocabulary import (
    _FUZZY_HEADERS,
    _HEADER_INDEX,
    COLUMN_BY_KEY,
    COLUMNS,
    STATUS_CODES,
    STATUSES,
    UNIT_ABBREVIATIONS,
    UNKNOWN_STATUS,
    fold,
    match_column,
    match_status,
)

MODERATE = settings(max_examples=300, deadline=None)

# Anything a cell can hold (python-calamine's types, and what CSV and the tests hand in).
cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
)
years = st.integers(min_value=1990, max_value=2100)
months = st.integers(min_value=1, max_value=12)
# Spacing as people type it around a value.
padding = st.text(alphabet=" \t\u00a0\n", max_size=3)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


# --- parse_target --------------------------------------------------------------------------------


@MODERATE
@given(cells)
@example("\x00")
@example("KW 53/2100")
@example("31.02.2023")
@example("q4-99")
@example(float("nan"))
@example(10**30)
def test_parse_target_never_raises_and_keeps_its_periods_in_order(value):
    period = parse_target(value)
    assert period is None or isinstance(period, Period)
    if period is not None and period.start and period.due:
        assert period.start <= period.due
    if period is not None and isinstance(value, str) and period.due:
        assert 1989 <= period.due.year <= 2101  # two-digit and four-digit years are read within 1990..2100


@MODERATE
@given(st.dates())
def test_a_date_cell_is_due_on_that_date(date: dt.date):
    assert parse_target(date) == Period(date, date)


@MODERATE
@given(st.datetimes())
def test_a_datetime_cell_is_due_on_its_day(moment: dt.datetime):
    assert parse_target(moment) == Period(moment.date(), moment.date())


@MODERATE
@given(years, padding, padding)
def test_a_year_is_due_on_new_years_eve(year: int, before: str, after: str):
    whole_year = Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    assert parse_target(f"{before}{year}{after}") == whole_year
    assert parse_target(year) == whole_year  # a number cell
    assert parse_target(float(year)) == whole_year


@MODERATE
@given(years, months, st.sampled_from(["{m:02d}/{y}", "{m}/{y}", "{m:02d}.{y}", "{m}.{y}", "{y}-{m:02d}"]), padding)
def test_a_month_is_due_at_its_end(year: int, month: int, form: str, after: str):
    expected = Period(dt.date(year, month, 1), month_end(year, month))
    assert parse_target(form.format(m=month, y=year) + after) == expected


@MODERATE
@given(years.map(lambda y: y % 100 + 2000), months)
def test_a_month_with_a_two_digit_year_is_in_this_century(year: int, month: int):
    assert parse_target(f"{month:02d}/{year % 100:02d}").due == month_end(year, month)


@MODERATE
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_german_date_text_is_that_date(date: dt.date):
    assert parse_target(f"{date.day}.{date.month}.{date.year}") == Period(date, date)
    assert parse_target(date.strftime("%d.%m.%Y")) == Period(date, date)
    assert parse_target(date.isoformat()) == Period(date, date)


@MODERATE
@given(years, st.integers(min_value=1, max_value=4))
def test_a_quarter_ends_with_its_third_month(year: int, quarter: int):
    assert parse_target(f"Q{quarter}/{year}").due == month_end(year, 3 * quarter)


@MODERATE
@given(years, st.sampled_from(["Laufend, {y}", "laufend {y}", "LAUFEND / {y}", "fortlaufend, bis {y}"]))
def test_ongoing_with_a_year_is_ongoing_and_due(year: int, form: str):
    period = parse_target(form.format(y=year))
    assert period == Period(dt.date(year, 1, 1), dt.date(year, 12, 31), ongoing=True)


INVISIBLE = [chr(c) for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x85, 0x9F)] + list(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


@MODERATE
@given(st.data(), years, months, st.sampled_from(["{m:02d}/{y}", "{d}.{m}.{y}", "{y}", "Q{q}/{y}", "laufend, {y}"]))
def test_invisible_characters_change_nothing(data, year: int, month: int, form: str):
    """Control characters and bidi overrides (from _x0000_ escapes or pasted text) do not hide a date."""
    text = form.format(m=month, y=year, d=min(28, month + 10), q=(month + 2) // 3)
    noisy = list(text)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        noisy.insert(data.draw(st.integers(min_value=0, max_value=len(noisy))), data.draw(st.sampled_from(INVISIBLE)))
    assert parse_target("".join(noisy)) == parse_target(text) is not None


@MODERATE
@given(st.text(alphabet=st.characters(max_codepoint=127)), padding, padding)
def test_surrounding_space_and_case_change_nothing(text: str, before: str, after: str):
    assert parse_target(before + text + after) == parse_target(text)
    assert parse_target(text.upper()) == parse_target(text)


# --- fold, match_column, match_status -------------------------------------------------------------------

GERMAN_LETTERS = "abcdefghijklmnopqrstuvwxyzäöüßABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ0123456789 -_./"


@MODERATE
@given(st.text())
@example("Maße\u0301")  # combining accent
@example("\ufb01")  # the ligature fi
def test_fold_is_idempotent_and_leaves_only_letters_and_digits(text: str):
    folded = fold(text)
    assert fold(folded) == folded
    assert re.fullmatch(r"[0-9a-z]*", folded)


@MODERATE
@given(st.text(alphabet=GERMAN_LETTERS))
def test_fold_ignores_case_spacing_and_umlaut_spelling(text: str):
    spelled_out = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    assert fold(text) == fold(text.upper()) == fold(text.lower()) == fold(spelled_out)
    assert fold(text) == fold(re.sub(r"[ \-_./]", "", text))


names = st.sampled_from([(column.key, name) for column in COLUMNS for name in (column.label, *column.synonyms)])


@st.composite
def typed_by_hand(draw, name: str) -> str:
    """`name` with the case of each letter flipped at will and spaces or hyphens put between letters."""
    letters = []
    for letter in name:
        letters.append(letter.upper() if draw(st.booleans()) else letter.lower())
        letters.append(draw(st.sampled_from(["", "", "", " ", "-", "  ", "_"])))
    return draw(padding) + "".join(letters) + draw(padding)


@MODERATE
@given(st.data(), names)
def test_every_header_name_is_recognised_however_it_is_typed(data, key_and_name):
    key, name = key_and_name
    typed = data.draw(typed_by_hand(name))
    assert match_column(typed) == key
    assert match_column(typed, fuzzy=False) == key


@MODERATE
@given(st.one_of(cells, st.lists(st.text()), st.just(object())))
def test_match_column_never_raises_and_names_a_known_column(value):
    key = match_column(value)
    assert key is None or key in COLUMN_BY_KEY
    exact = match_column(value, fuzzy=False)
    assert exact is None or key == exact


@MODERATE
@given(st.one_of(st.text(alphabet=GERMAN_LETTERS, min_size=4, max_size=40), st.text(max_size=40)))
@example("Verantwortlichkeitt")
@example("Zeitrahmenn")
@example("x" * 33)
@example("Digitalisierungsmaßnahme der Stadt")
def test_close_spellings_are_what_difflib_says(text: str):
    """The cache and the length shortcut in match_column change no answer."""
    key = fold(text)
    if key in _HEADER_INDEX:
        expected = _HEADER_INDEX[key]
    elif len(key) < 6:
        expected = None
    else:
        close = difflib.get_close_matches(key, _FUZZY_HEADERS, n=1, cutoff=0.86)
        expected = _HEADER_INDEX[close[0]] if close else None
    assert match_column(text) == expected


statuses = st.sampled_from(
    [
        (status.code, name)
        for status in STATUSES
        if status.code != UNKNOWN_STATUS
        for name in (status.label, *status.synonyms)
    ]
)


@MODERATE
@given(st.data(), statuses)
def test_every_status_spelling_is_recognised_however_it_is_typed(data, code_and_name):
    code, name = code_and_name
    assert match_status(data.draw(typed_by_hand(name))) == code


@MODERATE
@given(st.one_of(cells, st.just(object())))
def test_match_status_never_raises_and_answers_a_code(value):
    assert match_status(value) in STATUS_CODES


def test_no_status_is_unknown():
    assert match_status(None) == UNKNOWN_STATUS
    assert match_status("") == UNKNOWN_STATUS


# --- split_units, parse_units_cell --------------------------------------------------------------------

unit_words = st.sampled_from(
    [
        "Zentralbereich 1",
        "ZB 1",
        "ZB1",
        "zb. 2",
        "FB 3",
        "Fachbereich 1",
        "Bereich 2.1",
        "dem Fachbereich 3",
        "Personal",
        "(Personal)",
        "Klimaschutz",
        "Umwelt",
        "E-Government",
        "Wirtschaftsförderung",
        "IT",
        "-",
        ".",
        "",
    ]
)
separators = st.sampled_from(
    ["/", " / ", ";", ", ", " und ", " sowie ", " in Zusammenarbeit mit ", "&", "+", "\n", " "]
)
responsibilities = st.one_of(
    st.text(),
    st.lists(st.tuples(unit_words, separators), max_size=6).map(lambda parts: "".join(a + b for a, b in parts)),
)


def squash(text: str) -> str:
    """A text for comparing units with their source: no spaces or dots, no case."""
    return re.sub(r"[\s.]+", "", text).casefold()


def abbreviated(unit: str) -> str:
    for short, long in UNIT_ABBREVIATIONS.items():
        if unit.startswith(long + " "):
            return short + unit[len(long) :]
    return unit


@MODERATE
@given(responsibilities)
@example("Zentralbereich 1 (Personal)/Bereich 2.1")
@example("A (x/y) B")
@example("ZB.1 und FB 2")
@example("der /die")
def test_split_units_returns_distinct_nonempty_units_taken_from_the_text(text: str):
    units = split_units(text)
    assert isinstance(units, tuple)
    assert all(units), units
    assert len(set(units)) == len(units), units
    assert all(unit == unit.strip() for unit in units)
    whole = squash(text)
    without_additions = squash(re.sub(r"\([^)]*\)", " ", text))
    for unit in units:
        candidates = {squash(unit), squash(abbreviated(unit))}
        assert any(c in whole or c in without_additions for c in candidates), (unit, text)


@MODERATE
@given(st.one_of(cells, st.just(object())))
def test_split_units_never_raises(value):
    assert isinstance(split_units(value), tuple)


@MODERATE
@given(responsibilities, st.lists(st.text(min_size=1), min_size=1, max_size=3))
def test_the_organisation_sheet_wins(text: str, mapped: list[str]):
    assume(text.strip())
    mapping = {re.sub(r"\s+", "", text).casefold(): tuple(mapped)}
    assert split_units("  " + text + " ", mapping) == tuple(mapped)


@MODERATE
@given(
    st.one_of(
        st.text(),
        st.lists(st.tuples(unit_words, st.sampled_from([";", "\n", "; "]))).map(
            lambda parts: "".join(a + b for a, b in parts)
        ),
    )
)
def test_parse_units_cell_returns_distinct_nonempty_units_of_the_cell(text: str):
    units = parse_units_cell(text)
    assert all(units)
    assert len(set(units)) == len(units)
    spaced = re.sub(r"\s+", " ", text)
    assert all(unit in spaced for unit in units)
