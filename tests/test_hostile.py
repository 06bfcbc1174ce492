"""Hostile and broken files: each is refused in German or loaded with sane values, within 5 s and 1 GiB.

Every file of tests/hostile_files.CORPUS is loaded in a child process limited to
1 GiB of address space and 5 seconds (hostile_files.run_isolated), the way the
upload page does it: load_report, and on success SnapshotStore.add into a store
that already holds the bundled report. Whatever the file does, the bundled
snapshot must come out of it unchanged.
"""

from __future__ import annotations

import io
import re
import shutil
import socket
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from mayen_dash import readers
from mayen_dash.formatting import format_decimal
from mayen_dash.loader import load_report
from mayen_dash.model import FindingCode, LoadError
from mayen_dash.readers import MAX_CELLS, base, read_sheets, spreadsheet
from mayen_dash.readers import xlsx as xlsx_reader
from mayen_dash.store import SnapshotStore
from tests import hostile_files as hostile
from tests.builders import BUNDLED
from tests.hostile_files import CORPUS, HEADER, MB, MEASURES, TITLES, run_isolated

# --- what each file must come to ------------------------------------------------------------------

# Every refusal of a file the dashboard does not read says which formats it reads.
READ_ARE = "Gelesen werden Excel-Arbeitsmappen (.xlsx, .xlsm, .xlsb, .xls), LibreOffice-Tabellen (.ods), CSV-Dateien"
DAMAGED = (FindingCode.DAMAGED_FILE, ())

ROWS_ALLOWED = format_decimal(base.MAX_ROWS)
CELLS_ALLOWED = format_decimal(base.MAX_CELLS)
MEMBERS_ALLOWED = format_decimal(base.MAX_ARCHIVE_MEMBERS)
SHARED_TEXT_ALLOWED = base.megabytes(base.MAX_SHARED_TEXT_BYTES)

# Refused: the refusal's code and the facts (limits, sizes, names) its German message must name.
REFUSED: dict[str, tuple[FindingCode, tuple[str, ...]]] = {
    "not_a_spreadsheet": (FindingCode.UNSUPPORTED_FORMAT, ("Windows-Programm", READ_ARE)),
    # A PDF and a Word document are read (readers.pdf, readers.docx), whatever their name; these two are broken.
    "pdf": (FindingCode.DAMAGED_FILE, ("PDF-Dokument",)),
    "word": (FindingCode.DAMAGED_FILE, ("Word-Dokument",)),
    "corrupt": DAMAGED,
    "truncated": DAMAGED,
    "empty": (FindingCode.EMPTY_FILE, ()),
    "no_data_rows": (FindingCode.NO_DATA_ROWS, ("Zeile 3",)),
    "no_columns": (FindingCode.MISSING_COLUMNS, ("„Name“, „Betrag“, „Datum“",)),
    "password": (FindingCode.PASSWORD_PROTECTED, ()),
    "over_25_mb": (FindingCode.FILE_TOO_LARGE, ("25,1 MB", "25 MB")),
    "zip_bomb": (FindingCode.UNPACKED_TOO_LARGE, ("201", "200 MB")),
    "lying_zip": DAMAGED,
    "lying_zip_crc": DAMAGED,
    # The scan stops at the first row beyond the limit and says how many rows it has at least.
    "too_many_rows": (FindingCode.TOO_MANY_ROWS, ("„Maßnahmen“", "mindestens", ROWS_ALLOWED)),
    "too_many_rows_implicit": (FindingCode.TOO_MANY_ROWS, ("„Maßnahmen“", "1.000.002", ROWS_ALLOWED)),
    "far_corner_cell": (FindingCode.TOO_MANY_ROWS, ("„Maßnahmen“", "mindestens 1.048.576")),
    "far_column_cell": (FindingCode.TOO_MANY_CELLS, ("„Maßnahmen“", "XFD1000", "16.384.000", CELLS_ALLOWED)),
    "shared_string_amplifier": (FindingCode.UNPACKED_TOO_LARGE, ("200 MB",)),
    "billion_laughs_sheet": DAMAGED,
    "billion_laughs_sst": DAMAGED,
    "wide_without_header": (FindingCode.MISSING_COLUMNS, ("„wertalm“", "480")),
    "nul_byte_csv": (FindingCode.UNSUPPORTED_FORMAT, (READ_ARE,)),
    "utf16_csv_no_bom": (FindingCode.UNSUPPORTED_FORMAT, (READ_ARE,)),
    # The attacks on the old limits: 24 s and 2.2 GiB, 15.8 s, 623 MB; now each is refused before it is read.
    "million_row_csv": (FindingCode.TOO_MANY_ROWS, (ROWS_ALLOWED,)),
    "fifty_thousand_sheets": (FindingCode.TOO_MANY_PARTS, ("50.004", MEMBERS_ALLOWED)),
    "unused_huge_shared_string": (FindingCode.UNPACKED_TOO_LARGE, ("150,1 MB", SHARED_TEXT_ALLOWED)),
    "huge_shared_strings": (FindingCode.UNPACKED_TOO_LARGE, ("143,1 MB", SHARED_TEXT_ALLOWED)),
}

STANDARD = {
    "ids": ["EG-01", "EG-02", "EG-03"],
    "titles": TITLES,
    "statuses": ["in_bearbeitung", "erledigt", "offen"],
    "responsible": ["Fachbereich 1", "ZB 1/Bereich 2.1", "Zentralbereich 1"],
    "units": [["Fachbereich 1"], ["Zentralbereich 1", "Bereich 2.1"], ["Zentralbereich 1"]],
    "due": ["2023-08-31", "2022-12-31", "2024-09-30"],
    "rows": [2, 3, 4],
    "count": 3,
}

# Loaded: the values that must come out (the three standard measures unless said otherwise).
LOADED: dict[str, dict[str, object]] = {
    "styled_far_cell": {**STANDARD, "sheet": "Maßnahmen"},
    "lying_dimension": STANDARD,
    "external_links": {**STANDARD, "status_raw": ["in Bearbeitung", "erledigt", "offen"]},
    "macros": STANDARD,
    "deeply_nested": STANDARD,
    "formulas": {
        "ids": ["EG-01", "EG-02", "EG-03"],
        "titles": TITLES,
        "statuses": ["in_bearbeitung", "erledigt", "unbekannt"],
        "status_raw": ["in Bearbeitung", "erledigt", ""],
        "targets": ["2023", "44926", ""],
        "due": ["2023-12-31", None, None],
    },
    "ten_thousand_columns": STANDARD,
    "very_long_cell": {
        **STANDARD,
        "titles": ["Langer Titel " + "ä" * (hostile.SUMMARY_TEXT - 13), *TITLES[1:]],
        "title_lengths": [hostile.LONG_CELL, 14, 6],
        "remark_lengths": [hostile.LONG_CELL, 0, 0],
    },
    "control_xlsx": {
        **STANDARD,
        "titles": ["Wohngeld", "Hundeanmeldung", "E-Akte"],
        "statuses": ["unbekannt", "erledigt", "offen"],
        "status_raw": ["[31min Bearbeitung[0m", "erledigt", "offen"],
        "targets": ["08/2023", "2022", "Q3/2024"],
    },
    "control_csv": {
        **STANDARD,
        "titles": ["Wohngeld", "Hundeanmeldung", "E-Akte"],
        "statuses": ["unbekannt", "erledigt", "offen"],
        "rows": [3, 4, 5],
        "sheet": "steuer.csv",
    },
    "mixed_encodings": {
        "titles": ["Prüfung Förderanträge", "Gebührenbescheide für Straßenreinigung", "Bürgerportal – 50 € Gebühr"],
        "statuses": ["in_bearbeitung", "erledigt", "offen"],
        "due": ["2023-08-31", "2022-12-31", "2024-09-30"],
    },
    "empty_lines_csv": {**STANDARD, "rows": [2, 100_003, 100_004]},
    "utf16_csv": {**STANDARD, "sheet": "unicode.txt"},
    "utf16_csv_truncated": STANDARD,
    "control_sheet_name": {**STANDARD, "sheet": "Maßnahmen"},  # the bell, escape and override removed
    "emoji_sheet_name": {**STANDARD, "sheet": hostile.EMOJI_SHEET_NAME},
    "two_hundred_sheets": {**STANDARD, "sheet": "Tabelle200"},
    "sheets_at_limit": {**STANDARD, "sheet": "Maßnahmen"},
    "shared_text_at_limit": STANDARD,
    "csv_formula_text": {
        "titles": ["=cmd|' /C calc'!A0"],
        "statuses": ["unbekannt"],
        "status_raw": ['=HYPERLINK("http://evil.example","erledigt")'],
        "responsible": ["@SUM(A1)"],
        "targets": ["+2023"],
        "due": [None],
    },
}

# Words of English exception texts; a German message for the user contains none of them.
ENGLISH = re.compile(r"\b(error|exception|traceback|errno|invalid|failed|cannot|unexpected|the|not|file|is)\b", re.I)
GERMAN = ("Datei", "Arbeitsmappe", "Blatt", "Spalte", "Tabelle", "Dokument")
# What the loader must never let through into a text: control characters and bidi controls.
INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def assert_german(message: str) -> None:
    assert message, "a refusal without a message"
    assert "Error" not in message
    assert "Traceback" not in message
    assert not re.search(r"\w+(Error|Exception)\b", message), message
    assert not ENGLISH.search(message), message
    assert any(word in message for word in GERMAN), message
    assert len(message) < 1500, f"a refusal of {len(message)} characters"


# --- the store the upload goes into ---------------------------------------------------------------


def sqlite_url(path: Path) -> str:
    return sa.URL.create("sqlite", database=str(path)).render_as_string()


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory) -> tuple[Path, int, pd.DataFrame]:
    """A SQLite store holding the bundled report, built once and copied for every test."""
    path = tmp_path_factory.mktemp("seeded") / "store.sqlite3"
    store = SnapshotStore(sqlite_url(path))
    try:
        seeded = store.ensure_seeded(BUNDLED)
        assert seeded is not None
        measures = store.measures(seeded.snapshot.id)
    finally:
        store.close()
    return path, seeded.snapshot.id, measures


@pytest.fixture
def seeded_store(seeded_template, tmp_path: Path) -> tuple[str, int, pd.DataFrame]:
    template, snapshot_id, measures = seeded_template
    for suffix in ("", "-wal", "-shm"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copy(source, tmp_path / f"store.sqlite3{suffix}")
    return sqlite_url(tmp_path / "store.sqlite3"), snapshot_id, measures


def assert_seed_untouched(url: str, snapshot_id: int, measures: pd.DataFrame, added: int) -> None:
    store = SnapshotStore(url)
    try:
        snapshots = store.snapshots()
        assert len(snapshots) == 1 + added
        assert snapshot_id in [s.id for s in snapshots]
        assert store.original(snapshot_id) == (BUNDLED.read_bytes(), BUNDLED.name)
        pd.testing.assert_frame_equal(store.measures(snapshot_id), measures)
    finally:
        store.close()


# --- the corpus ------------------------------------------------------------------------------------


def test_every_file_of_the_corpus_has_an_expectation():
    assert len(CORPUS) >= 20
    assert set(REFUSED) | set(LOADED) == set(CORPUS)
    assert not set(REFUSED) & set(LOADED)


@pytest.mark.parametrize("key", list(CORPUS))
def test_hostile_file_is_refused_in_german_or_loaded_sanely(key: str, seeded_store, tmp_path: Path):
    url, snapshot_id, measures = seeded_store
    hostile_file = CORPUS[key]
    answer = run_isolated(hostile_file.build(), hostile_file.filename, tmp_path, store=url)

    assert answer["outcome"] != "crashed", answer["message"]
    assert not any("unexpected failure" in line for line in answer["logged"]), answer["logged"]
    assert answer["events"] == [], f"{key} reached for the network or a program: {answer['events']}"
    if key in REFUSED:
        assert answer["outcome"] == "refused", answer.get("report")
        assert_german(answer["message"])
        code, facts = REFUSED[key]
        assert answer["code"] == code
        for fact in facts:
            assert fact in answer["message"]
        assert_seed_untouched(url, snapshot_id, measures, added=0)
    else:
        assert answer["outcome"] == "loaded", answer.get("message")
        report = answer["report"]
        for field, expected in LOADED[key].items():
            assert report[field] == expected, field
        assert not [text for text in report["texts"] if INVISIBLE.search(text)]
        assert answer["stored"] != snapshot_id
        assert_seed_untouched(url, snapshot_id, measures, added=1)


def test_refusals_name_the_columns_they_found_and_let_the_user_map_them(tmp_path: Path):
    for key in ("no_columns", "wide_without_header"):
        answer = run_isolated(CORPUS[key].build(), CORPUS[key].filename, tmp_path)
        assert answer["columns_missing"] is True, key


# --- nothing is fetched, nothing runs ---------------------------------------------------------------


@pytest.fixture
def listener():
    """A local TCP port that records whether anybody connected to it."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    yield server, f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()


@pytest.mark.parametrize("build", [hostile.external_links, hostile.formulas_everywhere])
def test_links_and_web_formulas_are_never_followed(build: Callable[[str], bytes], listener, tmp_path: Path):
    server, url = listener
    data = build(url + "/kosten.xlsx")
    assert url.encode() in b"".join(
        zipfile.ZipFile(io.BytesIO(data)).read(name) for name in zipfile.ZipFile(io.BytesIO(data)).namelist()
    )
    answer = run_isolated(data, "verknuepft.xlsx", tmp_path)
    assert answer["outcome"] == "loaded"
    assert answer["report"]["titles"] == TITLES  # cached values, nothing recalculated
    assert answer["events"] == []
    with pytest.raises(TimeoutError):
        server.accept()


def test_macros_are_data_only(tmp_path: Path):
    data = hostile.macro_workbook()
    assert b"vbaProject.bin" in data
    answer = run_isolated(data, "makros.xlsm", tmp_path)
    assert answer["outcome"] == "loaded"
    assert answer["report"]["statuses"] == STANDARD["statuses"]
    assert answer["events"] == []


# --- the scan before calamine, in process -----------------------------------------------------------


@pytest.fixture
def no_calamine(monkeypatch):
    """Any use of calamine fails the test: the refusal must come from the scan before it."""
    monkeypatch.setattr(spreadsheet, "CalamineWorkbook", None)


def refusal(data: bytes) -> LoadError:
    with pytest.raises(LoadError) as caught:
        read_sheets(data, "datei.xlsx")
    return caught.value


def workbook(sheet: str, shared_strings: str | None = None) -> bytes:
    return hostile.zip_archive(hostile.workbook_parts({"Maßnahmen": sheet}, shared_strings=shared_strings))


def sheet_of(cells: str) -> str:
    return f'<worksheet xmlns="{hostile.MAIN_NS}"><sheetData>{cells}</sheetData></worksheet>'


@pytest.mark.parametrize(
    "far_cell",
    [
        '<row r="5"><c r="XFD1000"><v>1</v></c></row>',  # as Excel writes it
        '<row r="5"><c s="0" r="XFD1000"><v>1</v></c></row>',  # another attribute first
        '<row r="5"><x:c r="XFD1000"><v>1</v></x:c></row>',  # a namespace prefix
        "<row r='5'><c r = 'XFD1000' ><v>1</v></c></row>",  # other quotes and spaces
        '<row r="1000">' + "<c><v>1</v></c>" * 16_384 + "</row>",  # positions only implied
    ],
)
def test_a_far_cell_is_refused_however_it_is_written(far_cell: str, no_calamine):
    refused = refusal(workbook(sheet_of(hostile.rows_xml([HEADER, *MEASURES]) + far_cell)))
    assert refused.code == FindingCode.TOO_MANY_CELLS
    assert CELLS_ALLOWED in str(refused)


def implied_rows(count: int) -> str:
    """The header with its references, then `count` measure rows whose positions are only implied."""
    rows = "".join(
        "<row>" + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in MEASURES[i % 3]) + "</row>"
        for i in range(count)
    )
    return sheet_of(hostile.rows_xml([HEADER]) + rows)


def test_rows_without_numbers_are_counted_before_calamine(monkeypatch, no_calamine):
    monkeypatch.setattr(xlsx_reader, "MAX_ROWS", 1000)
    refused = refusal(workbook(implied_rows(1001)))
    assert refused.code == FindingCode.TOO_MANY_ROWS
    assert all(fact in str(refused) for fact in ("„Maßnahmen“", "1.002", "1.000"))


def test_rows_without_numbers_load_where_calamine_puts_them():
    report = load_report(workbook(implied_rows(30)), "ohne_nummern.xlsx")
    assert report.measures["title"].tolist() == TITLES * 10
    assert report.measures["row"].tolist() == list(range(2, 32))


def test_an_oddly_written_small_workbook_still_loads():
    cells = "".join(
        f'<row r="{i}">'
        + "".join(
            f'<c t="inlineStr" r="{hostile.column_letter(j)}{i}"><is><t>{value}</t></is></c>'
            for j, value in enumerate(row)
        )
        + "</row>"
        for i, row in enumerate([HEADER, *MEASURES], start=1)
    )
    report = load_report(workbook(sheet_of(cells)), "ungewohnt.xlsx")
    assert report.measures["title"].tolist() == TITLES


def test_a_long_shared_string_used_once_is_not_taken_for_an_amplifier():
    """5,000 cells refer to short strings; a 1 MB string is referred to once: 1 MB, not 5 GB."""
    long_text = "Anmerkung " + "x" * MB
    rows, strings = hostile._shared_string_cells([[*HEADER, "Anmerkungen"], [*MEASURES[0], long_text], *MEASURES[1:]])
    filler = "".join(f'<row r="{r}"><c r="F{r}" t="s"><v>0</v></c></row>' for r in range(10, 5010))
    table = f'<sst xmlns="{hostile.MAIN_NS}">' + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>"
    report = load_report(workbook(sheet_of(rows + filler), table), "lang.xlsx")
    assert report.measures.loc[0, "remarks"] == long_text
    assert report.measures["title"].tolist() == TITLES


def test_cell_limit_is_about_the_rectangle_not_the_rows(monkeypatch, no_calamine):
    monkeypatch.setattr(xlsx_reader, "MAX_CELLS", 4 * 10)
    refused = refusal(
        workbook(sheet_of(hostile.rows_xml([HEADER, *MEASURES]) + '<row r="9"><c r="J9"><v>1</v></c></row>'))
    )
    assert refused.code == FindingCode.TOO_MANY_CELLS
    assert all(fact in str(refused) for fact in ("J9", "90", "40"))
    assert MAX_CELLS == 1_500_000


@pytest.mark.parametrize(
    ("size", "text"),
    [(25 * MB, "25 MB"), (25 * MB + 1, "25,1 MB"), (201 * MB + 5, "201,1 MB"), (3126 * MB, "3.126 MB")],
)
def test_sizes_are_never_rounded_down_to_the_limit(size: int, text: str):
    assert base.megabytes(size) == text


def test_a_workbook_with_more_sheets_than_allowed_is_refused_before_its_sheets_are_read(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_SHEETS", 1)
    data = hostile.zip_archive(
        hostile.workbook_parts({"Notizen": hostile.sheet_xml([["x"]]), "B": hostile.sheet_xml([HEADER])})
    )
    refused = refusal(data)
    assert refused.code == FindingCode.TOO_MANY_SHEETS
    assert "Die Arbeitsmappe hat 2 Blätter; erlaubt sind höchstens 1." in str(refused)


def test_the_cell_limit_holds_for_all_sheets_together(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_CELLS", 30)  # each sheet alone (5 x 4 = 20 cells) is within it
    sheet = hostile.sheet_xml([HEADER, *MEASURES])
    data = hostile.zip_archive(hostile.workbook_parts({"Maßnahmen": sheet, "Kopie": sheet}))
    refused = refusal(data)
    assert refused.code == FindingCode.TOO_MANY_CELLS
    assert "in allen Blättern zusammen 40 Zellen" in str(refused)
    assert "erlaubt sind höchstens 30" in str(refused)


def test_a_zip_archive_is_refused_by_its_member_count_before_it_is_listed(monkeypatch):
    data = hostile.xlsx([HEADER, *MEASURES])
    assert base.archive_members(data) == 5
    monkeypatch.setattr(base, "MAX_ARCHIVE_MEMBERS", 4)
    monkeypatch.setattr(base.zipfile, "ZipFile", None)  # listing the archive would raise
    refused = refusal(data)
    assert refused.code == FindingCode.TOO_MANY_PARTS
    assert "Die Datei besteht aus 5 Teilen" in str(refused)


def test_the_limits_are_stated_from_the_constants_on_the_page_and_in_the_readme():
    text = readers.limits_text()
    readme = (hostile.ROOT / "README.md").read_text()
    for number in (base.MAX_SHEETS, base.MAX_ROWS, base.MAX_CELLS, base.MAX_ARCHIVE_MEMBERS):
        assert format_decimal(number) in readme
    for number in (base.MAX_SHEETS, base.MAX_ROWS, base.MAX_CELLS):
        assert format_decimal(number) in text
    for size in (base.MAX_FILE_BYTES, base.MAX_UNCOMPRESSED_BYTES, base.MAX_SHARED_TEXT_BYTES):
        assert base.megabytes(size) in text
        assert base.megabytes(size) in readme


def test_nul_and_bidi_marks_leave_a_csv_sheet_name_and_every_text():
    data = hostile.csv_text([HEADER, ["EG-01", "Wohn\u200fgeld\u061c", "offen", "Bereich\u200e 2.1", "2023"]]).encode()
    report = load_report(data, "Be\x00richt\u200f\u202e.csv")
    assert report.measures["sheet"].tolist() == ["Bericht.csv"]
    assert report.measures["title"].tolist() == ["Wohngeld"]
    assert report.units == ["Bereich 2.1"]
