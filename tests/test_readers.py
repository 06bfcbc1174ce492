"""Formats and refusals: what reaches the loader, and what never does."""

import io
import zipfile

import pytest

from mayen_dash.loader import load_report
from mayen_dash.model import LoadError
from mayen_dash.readers import MAX_FILE_BYTES, read_sheets, spreadsheet
from mayen_dash.readers import xlsx as xlsx_reader
from tests.builders import csv_bytes, xlsx_bytes

ROWS = [
    ["Maßnahme", "Status", "Verantwortlichkeit"],
    ["Hundeanmeldung", "erledigt", "Zentralbereich 1"],
    ["Wohngeld", "In Bearbeitung", "Fachbereich 1"],
]


def refusal(data: bytes, name: str = "datei.xlsx") -> str:
    with pytest.raises(LoadError) as caught:
        load_report(data, name)
    return str(caught.value)


def test_xlsx_sheets_keep_excel_row_numbers():
    data = xlsx_bytes({"Tabelle1": [[], [None, "x"], [], [None, None, 3]]})
    [sheet] = read_sheets(data)
    assert sheet.name == "Tabelle1"
    assert sheet.rows[1][1] == "x"
    assert sheet.rows[3][2] == 3


def test_vertical_merges_fill_down_horizontal_ones_do_not():
    data = xlsx_bytes(
        {"S": [["a", None, None, 1], [None, None, None, 2], [None, None, None, 3]]}, merges={"S": ["A1:A3", "B1:C1"]}
    )
    [sheet] = read_sheets(data)
    assert [r[0] for r in sheet.rows] == ["a", "a", "a"]
    assert sheet.rows[0][1] in ("", None)


@pytest.mark.parametrize(
    ("delimiter", "encoding", "bom"),
    [
        (";", "cp1252", False),
        (",", "utf-8", False),
        (",", "utf-8", True),
        (";", "utf-8", True),
        ("\t", "utf-8", False),
        (";", "utf-16", False),
    ],
)
def test_csv_dialects_are_detected(delimiter, encoding, bom):
    report = load_report(csv_bytes(ROWS, delimiter, encoding, bom), "liste.csv")
    assert report.measures["title"].tolist() == ["Hundeanmeldung", "Wohngeld"]
    assert report.measures["status"].tolist() == ["erledigt", "in_bearbeitung"]
    assert report.measures["responsible"].tolist() == ["Zentralbereich 1", "Fachbereich 1"]


def test_csv_windows_1252_umlauts_and_euro_survive():
    rows = [["Maßnahme", "Status", "Anmerkungen"], ["Mittelumsetzung <2.500 €", "offen", "Prüfung läuft"]]
    report = load_report(csv_bytes(rows, ";", "cp1252"), "liste.csv")
    assert report.measures.loc[0, "title"] == "Mittelumsetzung <2.500 €"
    assert report.measures.loc[0, "remarks"] == "Prüfung läuft"


def test_csv_quoted_cells_with_delimiters_and_line_breaks():
    rows = [["Maßnahme", "Status", "Anmerkungen"], ["A; B", "offen", "Zeile 1\nZeile 2"], ["C", "erledigt", ""]]
    report = load_report(csv_bytes(rows, ";", "utf-8"), "liste.csv")
    assert report.measures["title"].tolist() == ["A; B", "C"]
    assert report.measures.loc[0, "remarks"] == "Zeile 1\nZeile 2"
    assert report.measures.loc[1, "row"] == 3


def test_csv_with_comma_text_in_a_semicolon_file():
    rows = [["Maßnahme", "Status", "Anmerkungen"], ["Container, Gerüste etc", "offen", "a, b, c, d, e"]]
    report = load_report(csv_bytes(rows, ";", "cp1252"), "liste.csv")
    assert report.measures.loc[0, "title"] == "Container, Gerüste etc"


def test_empty_file_is_refused():
    assert "leer" in refusal(b"")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "ein Bild (PNG)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (bytes(range(256)) * 20, "weder eine Tabelle noch ein Text"),
    ],
)
def test_not_a_spreadsheet_is_refused(data, words):
    assert words in refusal(data)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_word_document_and_plain_zip_are_refused():
    assert "Word-Dokument" in refusal(_zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<x/>"}))
    assert "ZIP-Archiv" in refusal(_zip({"notes.txt": b"hello"}))


def test_truncated_workbook_is_refused():
    data = xlsx_bytes({"Maßnahmen": ROWS})
    message = refusal(data[: len(data) // 2])
    assert "beschädigt" in message


def test_corrupt_sheet_xml_is_refused():
    data = xlsx_bytes({"Maßnahmen": ROWS})
    source = zipfile.ZipFile(io.BytesIO(data))
    entries = {name: source.read(name) for name in source.namelist()}
    entries["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row><c r='A1' t='s'><v>99"
    assert "beschädigt" in refusal(_zip(entries))


def test_password_protected_workbook_is_refused():
    fake = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
    assert "Kennwort" in refusal(fake)


def test_a_damaged_old_office_file_is_refused():
    fake = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + "Workbook".encode("utf-16-le")
    assert "beschädigt" in refusal(fake, "alt.xls")


def test_file_over_the_size_limit_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(xlsx_reader, "read", lambda data, name: pytest.fail("must not be parsed"))
    message = refusal(b"PK" + b"\x00" * MAX_FILE_BYTES)
    assert "höchstens 25 MB" in message


def test_zip_bomb_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(spreadsheet, "CalamineWorkbook", None)  # any use would raise
    bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\x00" * (201 * 1024 * 1024)})
    assert len(bomb) < MAX_FILE_BYTES
    message = refusal(bomb)
    assert "entpackt" in message
    assert "200 MB" in message


def test_too_many_rows_csv():
    data = b"Ma\xdfnahme;Status\n" + b"x;offen\n" * 1_000_000
    assert "mehr als 1.000.000 Zeilen" in refusal(data, "gross.csv")


def test_too_many_rows_xlsx(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 3)
    assert "höchstens 3" in refusal(xlsx_bytes({"Maßnahmen": ROWS * 2}))


def test_refusal_never_leaks_a_traceback():
    message = refusal(b"PK\x03\x04garbage")
    assert "Traceback" not in message
    assert "Error" not in message
