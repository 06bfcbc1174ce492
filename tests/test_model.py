"""Findings carry a machine code; each code's German message and label are pinned here, once.

Everywhere else tests ask for the code, so that a sentence can be improved without touching
them; this table is the one place that says what the user reads for each kind of finding.
"""

import io
import logging

import docx
import pytest

from mayen_dash.editing import Edit, validate_edits
from mayen_dash.loader import FINDINGS_PER_KIND, load_report
from mayen_dash.model import (
    FINDING_LABELS,
    Finding,
    FindingCode,
    LoadError,
    by_code,
    location_text,
    refusals_in_german,
)
from tests.builders import csv_bytes, xlsx_bytes

ALLOWED = "erledigt, in Bearbeitung, laufend, offen, zurückgestellt"
ALLOWED_QUOTED = "„erledigt“, „in Bearbeitung“, „laufend“, „offen“, „zurückgestellt“"
READABLE = (
    "Excel-Arbeitsmappen (.xlsx, .xlsm, .xlsb, .xls), LibreOffice-Tabellen (.ods), CSV-Dateien, Word-Dokumente "
    "(.docx), PDF-Dokumente mit Text und Text (.txt)"
)
SCORECARD_HEADER = [
    "Perspektive", "Leitfrage", "Strategische Ziele", "Maßnahmen", "Messgröße", "Einheit", "Zielwert", "Istwert"
]


def finding(data: bytes, name: str = "liste.csv", index: int = 0) -> Finding:
    return load_report(data, name).findings[index]


def refusal(data: bytes, name: str = "datei.xlsx") -> Finding:
    with pytest.raises(LoadError) as caught:
        load_report(data, name)
    return caught.value.finding


def edit_finding(key: str, value: str) -> Finding:
    [found] = validate_edits([Edit("Liste", 2, key, value, "A")])
    return found


def measures_csv(*rows: list[str]) -> bytes:
    return csv_bytes([["ID", "Maßnahme", "Status", "Zieldatum"], *rows])


def document_with_leftovers() -> bytes:
    """A Word report with a measure table, then a paragraph and a table that belong to no part of it."""
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table._cells, ["Maßnahme", "Status", "A", "offen"], strict=True):
        cell.text = text
    document.add_paragraph("Kaffeepause um zehn Uhr")
    other = document.add_table(rows=1, cols=2)
    for cell, text in zip(other._cells, ["Kantine", "Menü"], strict=True):
        cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


CASES = [
    (
        FindingCode.UNKNOWN_STATUS,
        lambda: finding(measures_csv(["1", "A", "vielleicht", "2023"])),
        f"Unbekannter Status „vielleicht“; die Zeile wird als „unbekannt“ geführt. Erlaubt sind: {ALLOWED}.",
    ),
    (
        FindingCode.UNKNOWN_STATUS,
        lambda: finding(
            csv_bytes([["Maßnahme", "Status"]] + [[f"M{i}", "vielleicht"] for i in range(FINDINGS_PER_KIND + 1)]),
            index=-1,
        ),
        "… und 1 weitere Zeile mit demselben Hinweis (Unbekannter Status „vielleicht“; die Zeile wird als "
        f"„unbekannt“ geführt. Erlaubt sind: {ALLOWED}.)",
    ),
    (
        FindingCode.MISSING_STATUS,
        lambda: finding(measures_csv(["1", "A", "", "2023"])),
        "Kein Status eingetragen; die Zeile wird als „unbekannt“ geführt.",
    ),
    (
        FindingCode.BAD_TARGET_DATE,
        lambda: finding(measures_csv(["1", "A", "offen", "irgendwann"])),
        "Das Zieldatum „irgendwann“ ist nicht lesbar; die Maßnahme hat kein Fälligkeitsdatum. Lesbar sind z. B. "
        "„2023“, „08/2022“, „31.12.2023“, „Q3/2023“, „1. Halbjahr 2023“, „laufend“.",
    ),
    (
        FindingCode.DUPLICATE_ID,
        lambda: finding(measures_csv(["1", "A", "offen", "2023"], ["1", "B", "offen", "2023"])),
        "Die ID „1“ steht schon in Zeile 2.",
    ),
    (
        FindingCode.ROW_WITHOUT_TITLE,
        lambda: finding(measures_csv(["1", "A", "offen", "2023"], ["2", "", "offen", "2023"])),
        "Zeile ohne Eintrag in „Maßnahme“; sie wurde übersprungen.",
    ),
    (
        FindingCode.BAD_REPORT_DATE,
        lambda: finding(
            xlsx_bytes({"Maßnahmen": [["Maßnahme", "Status"], ["A", "offen"]], "Bericht": [["Stichtag", "gestern"]]}),
            "x.xlsx",
        ),
        "Der Stichtag „gestern“ ist kein lesbares Datum.",
    ),
    (
        FindingCode.NOT_A_NUMBER,
        lambda: finding(
            xlsx_bytes(
                {
                    "Maßnahmen": [["Maßnahme", "Status"], ["A", "offen"]],
                    "Scorecard": [SCORECARD_HEADER, ["Finanzen", "F?", "Z", "M", "Q", "%", "viel", 1]],
                }
            ),
            "x.xlsx",
        ),
        "„viel“ ist keine Zahl; der Wert wird nicht verwendet.",
    ),
    (
        FindingCode.UNPLACED_PARAGRAPH,
        lambda: finding(document_with_leftovers(), "bericht.docx"),
        "Der Absatz „Kaffeepause um zehn Uhr“ gehört zu keinem Teil des Berichts; er wird nicht verwendet.",
    ),
    (
        FindingCode.UNPLACED_TABLE,
        lambda: finding(document_with_leftovers(), "bericht.docx", 1),
        "Die Tabelle gehört zu keinem Teil des Berichts (keine Maßnahmen, keine Scorecard, keine Projektangaben; "
        "sie beginnt mit „Kantine Menü“). Sie wird nicht verwendet.",
    ),
    (
        FindingCode.MISSING_STATUS,
        lambda: edit_finding("status", ""),
        f"Kein Status gewählt für „A“. Erlaubt sind: {ALLOWED_QUOTED}.",
    ),
    (
        FindingCode.UNKNOWN_STATUS,
        lambda: edit_finding("status", "vielleicht"),
        f"Unbekannter Status „vielleicht“ für „A“. Erlaubt sind: {ALLOWED_QUOTED}.",
    ),
    (
        FindingCode.UNSAVABLE_STATUS,
        lambda: edit_finding("status", "unbekannt"),
        f"Der Status „unbekannt“ für „A“ kann nicht gespeichert werden. Bitte einen dieser Werte wählen: "
        f"{ALLOWED_QUOTED}.",
    ),
    (
        FindingCode.BAD_TARGET_DATE,
        lambda: edit_finding("target", "irgendwann"),
        "Das Zieldatum „irgendwann“ für „A“ ist nicht lesbar. Lesbar sind z. B. „2023“, „08/2022“, „31.12.2023“, "
        "„Q3/2023“, „1. Halbjahr 2023“, „laufend“.",
    ),
    (
        FindingCode.TEXT_TOO_LONG,
        lambda: edit_finding("remarks", "x" * 40_000),
        "Der Text für „A“ ist 40.000 Zeichen lang; eine Excel-Zelle fasst höchstens 32.767 Zeichen.",
    ),
    (FindingCode.EMPTY_FILE, lambda: refusal(b""), "Die Datei ist leer."),
    (
        FindingCode.UNSUPPORTED_FORMAT,
        lambda: refusal(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        f"Die Datei ist ein Bild (PNG). Gelesen werden {READABLE}. Bitte die Tabelle oder den Bericht in einem "
        "dieser Formate speichern und erneut hochladen.",
    ),
    (
        FindingCode.DAMAGED_FILE,
        lambda: refusal(b"PK\x03\x04 kaputt"),
        "Die Datei ist beschädigt oder unvollständig (kein lesbares ZIP-Archiv, weder Excel-Arbeitsmappe noch Word- "
        "oder LibreOffice-Dokument). Bitte die Datei im Programm, das sie erstellt hat, öffnen, neu speichern und "
        "erneut hochladen.",
    ),
    (
        FindingCode.NO_DATA_ROWS,
        lambda: refusal(xlsx_bytes({"Maßnahmen": [["Maßnahme", "Status"], [], []]})),
        "Die Tabelle hat eine Kopfzeile, aber keine Datenzeilen mit einer Maßnahme.",
    ),
    (FindingCode.NO_DATA, lambda: refusal(xlsx_bytes({"Tabelle1": [[]]})), "Die Datei enthält keine Daten."),
    (
        FindingCode.MISSING_COLUMNS,
        lambda: refusal(xlsx_bytes({"Export": [["Name", "Live"], ["x", "y"]]})),
        "Die Spalten „Maßnahme“ und „Status“ wurden nicht gefunden. Gefundene Spalten: „Name“, „Live“. Bitte die "
        "Spalten benennen oder beim Hochladen zuordnen.",
    ),
    (
        FindingCode.MISSING_COLUMNS,
        lambda: refusal(xlsx_bytes({"Maßnahmen": [["Maßnahme", "Verantwortlichkeit", "Zieldatum"], ["x", "y", "z"]]})),
        "Die Spalte „Status“ wurde nicht gefunden. Gefundene Spalten: „Maßnahme“, „Verantwortlichkeit“, "
        "„Zieldatum“. Bitte die Spalten benennen oder beim Hochladen zuordnen.",
    ),
]


@pytest.mark.parametrize(("code", "example", "german"), CASES)
def test_each_kind_of_finding_says_in_german(code, example, german):
    found = example()
    assert (found.code, found.message) == (code, german)


def test_every_code_has_its_own_german_label():
    assert set(FINDING_LABELS) == set(FindingCode)
    assert len(set(FINDING_LABELS.values())) == len(FINDING_LABELS)


def test_findings_group_by_code_in_the_order_they_first_appear():
    report = load_report(measures_csv(["1", "A", "vielleicht", "x"], ["2", "B", "offen", "y"], ["3", "C", "", "2023"]))
    groups = by_code(report.findings)
    assert list(groups) == [FindingCode.UNKNOWN_STATUS, FindingCode.MISSING_STATUS, FindingCode.BAD_TARGET_DATE]
    assert [f.row for f in groups[FindingCode.BAD_TARGET_DATE]] == [2, 3]


def test_a_refusal_and_the_cli_json_carry_the_code():
    refused = refusal(b"")
    assert refused.as_dict() == {
        "code": "empty_file",
        "message": "Die Datei ist leer.",
        "sheet": None,
        "row": None,
        "column": None,
    }
    assert location_text("Liste", 4, "Status") == "Blatt „Liste“, Zeile 4, Spalte „Status“"
    assert location_text(row=3, page=2, table=1) == "Seite 2, Tabelle 1, Zeile 3"


def test_refusals_in_german_turn_any_failure_into_a_load_error(caplog):
    log = logging.getLogger("mayen_dash.test")
    failure = Finding("Ging nicht.", code=FindingCode.UNREADABLE)
    with pytest.raises(LoadError) as caught, refusals_in_german(log, "testing", "Zu groß.", failure):
        raise MemoryError
    assert (caught.value.code, str(caught.value)) == (FindingCode.OUT_OF_MEMORY, "Zu groß.")
    assert "unexpected failure" not in caplog.text
    with pytest.raises(LoadError) as caught, refusals_in_german(log, "testing", "Zu groß.", failure):
        raise IndexError("a bug")
    assert (caught.value.code, str(caught.value)) == (FindingCode.UNREADABLE, "Ging nicht.")
    assert "unexpected failure while testing" in caplog.text
    refusal = LoadError("Die Datei ist leer.", code=FindingCode.EMPTY_FILE)
    with pytest.raises(LoadError) as caught, refusals_in_german(log, "testing", "Zu groß.", failure):
        raise refusal
    assert caught.value is refusal
