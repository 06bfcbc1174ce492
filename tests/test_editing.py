"""Meeting mode: edits found in the table on screen, checked, and written back into the file as it came."""

import csv
import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from python_calamine import CalamineWorkbook

from mayen_dash.editing import Edit, apply_edits, find_edits, pending_changes, validate_edits
from mayen_dash.exports import display_frame
from mayen_dash.loader import load_report
from mayen_dash.model import ERROR, ColumnMapping, FindingCode, LoadError
from tests.builders import BUNDLED, FLAT_HEADER, csv_bytes, xlsx_bytes

SCORECARD = [
    ["Perspektive", "Leitfrage", "Messgröße", "Einheit", "Zielwert", "Istwert"],
    ["Finanzen", "Welche Ziele?", "Investitionsgrad", "%", 10, 5.5],
    [None, None, "Wachstumsquote", "%", 3, 2],
]
BERICHT = [
    ["Feld", "Inhalt"],
    ["Titel", "Digitalisierungsstrategie der Stadt Mayen"],
    ["Stichtag", dt.datetime(2022, 8, 31)],
    ["Geplante nächste Schritte", "- Weiter so\n- Und mehr"],
]
FLAT = [
    FLAT_HEADER,
    [
        "EG-01",
        "E-Government und Onlinezugangsgesetz",
        "Bürger",
        "Evaluierung Homepage",
        "In Bearbeitung",
        "ZB 1",
        "2023",
    ],
    ["EG-02", "E-Government und Onlinezugangsgesetz", "Bürger", "Eheurkunde", "erledigt", "ZB 1", None, "Online"],
    ["IW-01", "Innovatives Wissen", None, "Co-Working", "offen", "FB 1", "Q3/2023", "VOBA"],
]
PRINTED = [
    ["Digitalisierungsstrategie der Stadt Mayen"],
    [],
    ["E-Government und Onlinezugangsgesetz"],
    ["Maßnahme", "Status", "Verantwortlichkeit", "Zieldatum", "Anmerkungen"],
    ["Bürger"],
    ["Evaluierung Homepage", "In Bearbeitung", "Zentralbereich 1", "2023", None],
    ["Eheurkunde", "erledigt", "Zentralbereich 1", None, None],
    [],
    ["Innovatives Wissen"],
    ["Maßnahme", "Staus", "Verantwortlich keit", "Zeitrah men", "Anmerkung"],
    ["Einwerbung von Hochschulprojekten", "erledigt", "Fachbereich 1", "laufend"],
    ["Dorf Funk App", "offen", "Fachbereich 1", "Laufend, 2022", "Pilot"],
    ["Innovative Wirtschaft- und Tourismusmanagement"],
    ["Maßnahme", "Status", "Anmerkung", "Zeitraumen", "Verantwortlichkeit"],
    ["Digitaler Cityguide", "offen", "Förderprogramm", "Offen", "Fachbereich 1"],
]


def _workbook(**sheets: list[list]) -> bytes:
    return xlsx_bytes(sheets)


def _edited(measures: pd.DataFrame, changes: dict[int, dict[str, object]]) -> pd.DataFrame:
    """The data editor's result: display_frame with some cells changed (positions, German columns)."""
    frame = display_frame(measures)
    for position, cells in changes.items():
        for column, value in cells.items():
            frame.loc[frame.index[position], column] = value
    return frame


def _calamine_cells(data: bytes) -> dict[tuple[str, int, int], object]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    cells = {}
    for name in workbook.sheet_names:
        for i, row in enumerate(workbook.get_sheet_by_name(name).to_python(skip_empty_area=False), start=1):
            for j, value in enumerate(row, start=1):
                if value not in ("", None):
                    cells[(name, i, j)] = value
    return cells


def _openpyxl_cells(data: bytes) -> dict[tuple[str, int, int], tuple]:
    workbook = load_workbook(io.BytesIO(data))
    return {
        (sheet.title, cell.row, cell.column): (cell.value, cell.data_type, cell.number_format, cell.font.b)
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None or cell.has_style
    }


def _changed(before: dict, after: dict) -> set:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def _load(data: bytes, name: str = "bericht.xlsx"):
    return load_report(data, name)


# --- find_edits ---------------------------------------------------------------------------------------------------


def test_pending_changes_list_each_field_with_old_and_new_value():
    report = _load(BUNDLED.read_bytes(), BUNDLED.name)
    edited = _edited(report.measures, {0: {"Status": "offen", "Zieldatum": "2025"}, 3: {"Anmerkungen": "neu"}})
    table = pending_changes(report.measures, find_edits(report.measures, edited))
    assert list(table.columns) == ["ID", "Maßnahme", "Feld", "bisher", "neu"]
    assert table.to_numpy().tolist() == [
        ["EG-B-01", "Evaluierung Homepage", "Status", "in Bearbeitung", "offen"],
        ["EG-B-01", "Evaluierung Homepage", "Zieldatum", "2023", "2025"],
        ["EG-B-04", report.measures["title"].iloc[3], "Anmerkungen", report.measures["remarks"].iloc[3], "neu"],
    ]
    assert pending_changes(report.measures, []).empty


def test_find_edits_detects_exactly_the_changed_cells():
    report = _load(_workbook(Maßnahmen=FLAT))
    edited = _edited(
        report.measures,
        {
            0: {"Status": "in Bearbeitung", "Zieldatum": " 2023 ", "Maßnahme": "Umbenannt"},  # no edit
            1: {"Status": "offen", "Anmerkungen": "Online seit 2022"},
            2: {"Zieldatum": "Q4/2023", "Anmerkungen": "VOBA "},
        },
    )
    assert find_edits(report.measures, edited) == [
        Edit("Maßnahmen", 3, "status", "offen", "Eheurkunde"),
        Edit("Maßnahmen", 3, "remarks", "Online seit 2022", "Eheurkunde"),
        Edit("Maßnahmen", 4, "target", "Q4/2023", "Co-Working"),
    ]
    assert find_edits(report.measures, display_frame(report.measures)) == []


def test_find_edits_compares_status_by_code_and_treats_cleared_cells_as_empty():
    rows = [["Maßnahme", "Status", "Zieldatum", "Anmerkungen"], ["A", "In Arbeit", "2023", "x"], ["B", "Idee", "", ""]]
    report = _load(_workbook(Maßnahmen=rows))
    assert report.measures["status"].tolist() == ["in_bearbeitung", "unbekannt"]
    edited = _edited(report.measures, {0: {"Status": "In Bearbeitung", "Anmerkungen": None}, 1: {"Zieldatum": None}})
    assert find_edits(report.measures, edited) == [Edit("Maßnahmen", 2, "remarks", "", "A")]
    edited = _edited(report.measures, {0: {"Status": "fertig"}, 1: {"Status": "vielleicht"}})
    assert find_edits(report.measures, edited) == [
        Edit("Maßnahmen", 2, "status", "erledigt", "A"),
        Edit("Maßnahmen", 3, "status", "vielleicht", "B"),
    ]


def test_find_edits_ignores_rows_the_editor_added_or_dropped():
    report = _load(_workbook(Maßnahmen=FLAT))
    edited = _edited(report.measures, {2: {"Status": "erledigt"}}).drop(index=0)
    edited.loc[99] = edited.iloc[0]
    assert find_edits(report.measures, edited) == [Edit("Maßnahmen", 4, "status", "erledigt", "Co-Working")]


def test_edit_accepts_only_the_three_fields():
    with pytest.raises(ValueError, match="editable"):
        Edit("Maßnahmen", 2, "title", "x")


# --- validate_edits -----------------------------------------------------------------------------------------------


def test_validate_edits_flags_unreadable_dates_and_unknown_statuses():
    edits = [
        Edit("Maßnahmen", 2, "target", "Q3/2024", "A"),
        Edit("Maßnahmen", 3, "target", "irgendwann", "B"),
        Edit("Maßnahmen", 4, "status", "vielleicht", "C"),
        Edit("Maßnahmen", 5, "status", "erledigt", "D"),
        Edit("Maßnahmen", 6, "status", "unbekannt", "E"),
        Edit("Maßnahmen", 7, "target", "", "F"),
        Edit("Maßnahmen", 8, "remarks", "=1+1", "G"),
    ]
    findings = validate_edits(edits)
    assert [(f.sheet, f.row, f.column, f.severity, f.code) for f in findings] == [
        ("Maßnahmen", 3, "Zieldatum", ERROR, FindingCode.BAD_TARGET_DATE),
        ("Maßnahmen", 4, "Status", ERROR, FindingCode.UNKNOWN_STATUS),
        ("Maßnahmen", 6, "Status", ERROR, FindingCode.UNSAVABLE_STATUS),
    ]
    assert "„irgendwann“" in findings[0].message
    assert "„B“" in findings[0].message
    assert "„vielleicht“" in findings[1].message
    assert validate_edits(edits[:1] + edits[3:4]) == []


def test_apply_edits_refuses_edits_that_do_not_validate():
    data = _workbook(Maßnahmen=FLAT)
    with pytest.raises(LoadError) as refused:
        apply_edits(data, "x.xlsx", [Edit("Maßnahmen", 2, "target", "irgendwann", "Evaluierung Homepage")])
    assert (refused.value.code, refused.value.finding.row) == (FindingCode.BAD_TARGET_DATE, 2)


# --- xlsx ---------------------------------------------------------------------------------------------------------


def test_flat_workbook_edits_reload_and_every_other_cell_is_unchanged():
    data = _workbook(Maßnahmen=FLAT, Scorecard=SCORECARD, Bericht=BERICHT)
    report = _load(data)
    edited = _edited(
        report.measures,
        {0: {"Status": "erledigt"}, 1: {"Zieldatum": "08/2024"}, 2: {"Anmerkungen": "Vertrag unterschrieben"}},
    )
    edits = find_edits(report.measures, edited)
    assert len(edits) == 3
    result = apply_edits(data, "bericht.xlsx", edits)

    again = _load(result).measures
    assert again["status"].tolist() == ["erledigt", "erledigt", "offen"]
    assert again["status_raw"].tolist()[0] == "erledigt"
    assert again["target"].tolist() == ["2023", "08/2024", "Q3/2023"]
    assert again["due"].tolist()[1] == pd.Timestamp(2024, 8, 31)
    assert again["remarks"].tolist() == ["", "Online", "Vertrag unterschrieben"]
    edited_cells = {("Maßnahmen", 2, 5), ("Maßnahmen", 3, 7), ("Maßnahmen", 4, 8)}
    assert _changed(_calamine_cells(data), _calamine_cells(result)) == edited_cells
    assert _changed(_openpyxl_cells(data), _openpyxl_cells(result)) == edited_cells
    assert load_workbook(io.BytesIO(result)).sheetnames == ["Maßnahmen", "Scorecard", "Bericht"]


def test_printed_layout_edits_land_in_the_columns_of_their_own_header():
    data = _workbook(Tabelle1=PRINTED)
    report = _load(data)
    assert report.measures["row"].tolist() == [6, 7, 11, 12, 15]
    edited = _edited(
        report.measures,
        {
            0: {"Anmerkungen": "Relaunch"},
            3: {"Status": "in Bearbeitung", "Zieldatum": "2025", "Anmerkungen": "Pilot läuft"},
            4: {"Status": "erledigt", "Zieldatum": "12/2023", "Anmerkungen": "bewilligt"},
        },
    )
    result = apply_edits(data, "bericht.xlsx", find_edits(report.measures, edited))
    sheet = load_workbook(io.BytesIO(result))["Tabelle1"]
    assert [sheet.cell(12, j).value for j in range(1, 6)] == [
        "Dorf Funk App",
        "in Bearbeitung",
        "Fachbereich 1",
        "2025",
        "Pilot läuft",
    ]
    # The third block writes Anmerkung in column C and Zeitraumen in column D.
    assert [sheet.cell(15, j).value for j in range(1, 6)] == [
        "Digitaler Cityguide",
        "erledigt",
        "bewilligt",
        "12/2023",
        "Fachbereich 1",
    ]
    assert sheet["E6"].value == "Relaunch"
    assert [sheet.cell(10, j).value for j in range(1, 6)] == PRINTED[9]
    assert _changed(_calamine_cells(data), _calamine_cells(result)) == {
        ("Tabelle1", 6, 5),
        *(("Tabelle1", 12, j) for j in (2, 4, 5)),
        *(("Tabelle1", 15, j) for j in (2, 3, 4)),
    }
    again = _load(result).measures
    assert again["status"].tolist() == ["in_bearbeitung", "erledigt", "erledigt", "in_bearbeitung", "erledigt"]
    assert again["remarks"].tolist() == ["Relaunch", "", "", "Pilot läuft", "bewilligt"]
    assert again["area"].astype(str).tolist()[3:] == [
        "Innovatives Wissen",
        "Innovative Wirtschaft- und Tourismusmanagement",
    ]


def test_formatting_merged_cells_and_other_sheets_survive():
    workbook = Workbook()
    measures = workbook.active
    measures.title = "Maßnahmen"
    for row in FLAT:
        measures.append(row)
    measures.merge_cells("B2:B3")
    measures.column_dimensions["D"].width = 48
    measures.freeze_panes = "A2"
    for cell in measures[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    scorecard = workbook.create_sheet("Scorecard")
    for row in SCORECARD:
        scorecard.append(row)
    scorecard.merge_cells("A2:A3")
    scorecard.merge_cells("B2:B3")
    bericht = workbook.create_sheet("Bericht")
    for row in BERICHT:
        bericht.append(row)
    bericht["B3"].number_format = "DD.MM.YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()

    report = _load(data)
    edits = find_edits(report.measures, _edited(report.measures, {1: {"Status": "offen"}}))
    result = apply_edits(data, "bericht.xlsx", edits)
    after = load_workbook(io.BytesIO(result))
    assert {str(r) for r in after["Maßnahmen"].merged_cells.ranges} == {"B2:B3"}
    assert {str(r) for r in after["Scorecard"].merged_cells.ranges} == {"A2:A3", "B2:B3"}
    assert after["Maßnahmen"].column_dimensions["D"].width == 48
    assert after["Maßnahmen"].freeze_panes == "A2"
    assert after["Maßnahmen"]["E1"].font.b
    assert after["Maßnahmen"]["E1"].fill.fgColor.rgb.endswith("DDEBF7")
    assert after["Maßnahmen"]["E3"].value == "offen"
    assert _changed(_openpyxl_cells(data), _openpyxl_cells(result)) == {("Maßnahmen", 3, 5)}
    again = _load(result)
    assert again.measures["area"].astype(str).tolist()[:2] == ["E-Government und Onlinezugangsgesetz"] * 2
    assert again.scorecard.equals(report.scorecard)
    assert again.info == report.info
    assert again.report_date == dt.date(2022, 8, 31)


def test_an_edit_hidden_in_merged_cells_is_refused_but_the_first_row_is_written():
    rows = [FLAT_HEADER] + [row + [None] * (8 - len(row)) for row in FLAT[1:]]
    rows[1][7] = "gemeinsame Anmerkung"
    data = xlsx_bytes({"Maßnahmen": rows}, merges={"Maßnahmen": ["H2:H3"]})
    report = _load(data)
    assert report.measures["remarks"].tolist()[:2] == ["gemeinsame Anmerkung"] * 2
    with pytest.raises(LoadError) as refused:
        apply_edits(data, "x.xlsx", [Edit("Maßnahmen", 3, "remarks", "neu", "Eheurkunde")])
    assert (refused.value.code, refused.value.finding.row) == (FindingCode.MERGED_CELL, 3)
    assert "H2:H3" in str(refused.value)
    result = apply_edits(data, "x.xlsx", [Edit("Maßnahmen", 2, "remarks", "neu", "Evaluierung Homepage")])
    assert _load(result).measures["remarks"].tolist()[:2] == ["neu", "neu"]


def test_values_are_written_as_text_never_as_formulas():
    data = _workbook(Maßnahmen=FLAT)
    report = _load(data)
    hostile = '=HYPERLINK("x")'
    edited = _edited(report.measures, {0: {"Anmerkungen": hostile, "Zieldatum": "2024"}, 1: {"Anmerkungen": "#N/A"}})
    result = apply_edits(data, "x.xlsx", find_edits(report.measures, edited))
    sheet = load_workbook(io.BytesIO(result))["Maßnahmen"]
    assert (sheet["H2"].value, sheet["H2"].data_type) == (hostile, "s")
    assert (sheet["H3"].value, sheet["H3"].data_type) == ("#N/A", "s")
    assert (sheet["G2"].value, sheet["G2"].data_type, sheet["G2"].number_format) == ("2024", "s", "@")
    again = _load(result).measures
    assert again["remarks"].tolist()[:2] == [hostile, "#N/A"]
    assert again["target"].tolist()[0] == "2024"
    assert again["due"].tolist()[0] == pd.Timestamp(2024, 12, 31)


def test_a_missing_column_is_appended_after_the_header():
    rows = [list(row[:7]) for row in FLAT]
    data = _workbook(Maßnahmen=rows)
    report = _load(data)
    edits = [
        Edit("Maßnahmen", 2, "remarks", "neu angelegt", "Evaluierung Homepage"),
        Edit("Maßnahmen", 4, "remarks", "zweite", "Co-Working"),
    ]
    result = apply_edits(data, "x.xlsx", edits)
    sheet = load_workbook(io.BytesIO(result))["Maßnahmen"]
    assert [sheet.cell(r, 8).value for r in range(1, 5)] == ["Anmerkungen", "neu angelegt", None, "zweite"]
    assert sheet.max_column == 8
    assert _load(result).measures["remarks"].tolist() == ["neu angelegt", "", "zweite"]
    assert report.measures["remarks"].tolist() == ["", "", ""]


def test_a_printed_block_without_remarks_gets_the_column_at_the_end_of_its_header():
    rows = [list(row) for row in PRINTED]
    rows[9] = ["Maßnahme", "Staus", "Verantwortlich keit", "Zeitrah men"]
    rows[11] = ["Dorf Funk App", "offen", "Fachbereich 1", "Laufend, 2022"]
    data = _workbook(Tabelle1=rows)
    result = apply_edits(data, "x.xlsx", [Edit("Tabelle1", 12, "remarks", "Pilot", "Dorf Funk App")])
    sheet = load_workbook(io.BytesIO(result))["Tabelle1"]
    assert (sheet["E10"].value, sheet["E12"].value, sheet["E11"].value) == ("Anmerkungen", "Pilot", None)
    assert _load(result).measures["remarks"].tolist() == ["", "", "", "Pilot", "Förderprogramm"]


def test_stichtag_is_set_in_the_bericht_sheet_and_no_sheet_is_added_without_one():
    data = _workbook(Maßnahmen=FLAT, Bericht=BERICHT)
    result = apply_edits(data, "x.xlsx", [], report_date=dt.date(2023, 3, 31))
    cell = load_workbook(io.BytesIO(result))["Bericht"]["B3"]
    assert cell.is_date
    assert cell.number_format == "DD.MM.YYYY"
    assert _load(result).report_date == dt.date(2023, 3, 31)
    assert _changed(_calamine_cells(data), _calamine_cells(result)) == {("Bericht", 3, 2)}

    bare = _workbook(Maßnahmen=FLAT)
    result = apply_edits(
        bare, "x.xlsx", [Edit("Maßnahmen", 4, "status", "erledigt", "Co-Working")], dt.date(2023, 3, 31)
    )
    assert load_workbook(io.BytesIO(result)).sheetnames == ["Maßnahmen"]


def test_a_changed_file_is_refused_in_german():
    data = _workbook(Maßnahmen=FLAT)
    with pytest.raises(LoadError) as refused:
        apply_edits(data, "x.xlsx", [Edit("Maßnahmen", 3, "status", "offen", "Gewerbeanmeldung")])
    assert (refused.value.code, refused.value.finding.sheet, refused.value.finding.row) == (
        FindingCode.FILE_CHANGED,
        "Maßnahmen",
        3,
    )
    with pytest.raises(LoadError) as refused:
        apply_edits(data, "x.xlsx", [Edit("Maßnahmen", 40, "status", "offen", "Eheurkunde")])
    assert (refused.value.code, refused.value.finding.row) == (FindingCode.FILE_CHANGED, 40)
    with pytest.raises(LoadError) as refused:
        apply_edits(data, "x.xlsx", [Edit("Tabelle1", 3, "status", "offen", "Eheurkunde")])
    assert (refused.value.code, refused.value.finding.sheet) == (FindingCode.FILE_CHANGED, "Tabelle1")
    with pytest.raises(LoadError) as refused:
        apply_edits(
            _workbook(Maßnahmen=[["nichts"]], Liste=FLAT), "x.xlsx", [Edit("Maßnahmen", 2, "status", "offen", "A")]
        )
    assert (refused.value.code, refused.value.finding.sheet) == (FindingCode.FILE_CHANGED, "Maßnahmen")



@pytest.mark.parametrize(
    ("key", "what", "advice"),
    [
        ("ods", "Ein Stand aus einer LibreOffice-Tabelle (.ods)", "als „Excel-Arbeitsmappe (.xlsx)“ speichern"),
        ("xls", "Ein Stand aus einer Excel-Arbeitsmappe im alten Format (.xls)", "als „Excel-Arbeitsmappe (.xlsx)“"),
        ("xlsb", "Ein Stand aus einer Excel-Arbeitsmappe im Binärformat (.xlsb)", "als „Excel-Arbeitsmappe (.xlsx)“"),
        ("docx", "Ein Stand aus einem Word-Dokument", "„Excel herunterladen“"),
        ("pdf", "Ein Stand aus einem PDF-Dokument", "„Excel herunterladen“"),
        ("txt", "Ein Stand aus einem Text (eingefügt oder als .txt-Datei)", "„Excel herunterladen“"),
    ],
)
def test_a_stand_of_a_format_meeting_mode_cannot_write_is_refused_in_german(samples, key, what, advice, caplog):
    data = samples[key]
    report = load_report(data, f"bericht.{key}")
    edits = find_edits(report.measures, _edited(report.measures, {1: {"Status": "erledigt"}}))
    assert len(edits) == 1
    with pytest.raises(LoadError) as refused:
        apply_edits(data, f"bericht.{key}", edits, report_date=dt.date(2024, 10, 31))
    assert refused.value.code == FindingCode.NOT_WRITABLE
    message = str(refused.value)
    assert message.startswith(what + " kann im Besprechungsmodus nicht bearbeitet werden")
    assert "geändert werden nur Excel-Arbeitsmappen (.xlsx) und CSV-Dateien" in message
    assert advice in message
    assert "unexpected failure" not in caplog.text


def test_the_sample_as_xlsx_and_csv_is_still_edited(samples):
    for key in ("xlsx", "csv"):
        report = load_report(samples[key], f"bericht.{key}")
        edits = find_edits(report.measures, _edited(report.measures, {1: {"Status": "erledigt"}}))
        changed = load_report(apply_edits(samples[key], f"bericht.{key}", edits), f"bericht.{key}")
        assert changed.measures["status"].tolist() == ["erledigt", "erledigt", "offen"], key


def test_a_mapped_file_is_written_through_its_mapping():
    rows = [["Vorhaben-Text", "Stand der Dinge", "Bemerkung"], ["A", "offen", ""], ["B", "erledigt", "gut"]]
    mapping = ColumnMapping(columns={"title": "Vorhaben-Text", "status": "Stand der Dinge"})
    data = _workbook(Liste=rows)
    report = load_report(data, "x.xlsx", mapping)
    edits = find_edits(report.measures, _edited(report.measures, {0: {"Status": "laufend"}}))
    result = apply_edits(data, "x.xlsx", edits, mapping=mapping)
    sheet = load_workbook(io.BytesIO(result))["Liste"]
    assert [c.value for c in sheet[2]] == ["A", "laufend", None]
    assert load_report(result, "x.xlsx", mapping).measures["status"].tolist() == ["laufend", "erledigt"]


def test_bundled_report_edited_in_two_cells_reloads_with_exactly_those_changes():
    data = BUNDLED.read_bytes()
    report = load_report(data, BUNDLED.name)
    measures = report.measures
    first = measures.index[measures["id"] == "EG-B-01"][0]
    second = measures.index[measures["id"] == "IW-06"][0]
    edited = display_frame(measures)
    edited.loc[first, "Status"] = "erledigt"
    edited.loc[second, "Anmerkungen"] = "Im Arbeitskreis besprochen"
    edits = find_edits(measures, edited)
    assert [(e.row, e.key) for e in edits] == [
        (measures.loc[first, "row"], "status"),
        (measures.loc[second, "row"], "remarks"),
    ]
    assert validate_edits(edits) == []
    again = load_report(apply_edits(data, BUNDLED.name, edits), BUNDLED.name)

    expected = measures.copy()
    expected["status"] = expected["status"].astype(str)
    expected.loc[first, ["status", "status_raw"]] = ["erledigt", "erledigt"]
    expected.loc[second, "remarks"] = "Im Arbeitskreis besprochen"
    actual = again.measures.copy()
    actual["status"] = actual["status"].astype(str)
    pd.testing.assert_frame_equal(actual, expected)
    assert again.scorecard.equals(report.scorecard)
    assert (again.info, again.report_date, again.findings) == (report.info, report.report_date, report.findings)


# --- CSV ----------------------------------------------------------------------------------------------------------


def test_cp1252_csv_round_trips_byte_identically_except_the_edited_cells():
    lines = [
        "ID;Maßnahme;Status;Verantwortlichkeit;Zieldatum;Anmerkungen",
        'EG-01;"Gebühren; Zahlung";In Bearbeitung;Zentralbereich 1;2023;"mehrzeilig\nzweite Zeile"',
        '"EG-02";"Bürgeranregung";"erledigt";"ZB 1";"";"alles ""fertig"""',
        "EG-03;Wohngeld;offen;Bereich 2.1;08/2024;",
        "",
        "EG-04;Führerschein;offen;ZB 1;2023;Ärger",
    ]
    data = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    report = load_report(data, "status.csv")
    assert report.measures["row"].tolist() == [2, 3, 4, 6]
    edited = _edited(
        report.measures,
        {
            1: {"Status": "offen"},
            2: {"Anmerkungen": "Prüfung; läuft", "Zieldatum": "Q1/2025"},
            3: {"Status": "erledigt"},
        },
    )
    result = apply_edits(data, "status.csv", find_edits(report.measures, edited))

    assert result.decode("cp1252").split("\r\n") == [
        *lines[:2],
        '"EG-02";"Bürgeranregung";offen;"ZB 1";"";"alles ""fertig"""',
        'EG-03;Wohngeld;offen;Bereich 2.1;Q1/2025;"Prüfung; läuft"',
        "",
        "EG-04;Führerschein;erledigt;ZB 1;2023;Ärger",
        "",
    ]
    assert "Prüfung".encode("cp1252") in result
    again = load_report(result, "status.csv").measures
    assert again["status"].tolist() == ["in_bearbeitung", "offen", "offen", "erledigt"]
    assert again["remarks"].tolist()[:3] == ["mehrzeilig\nzweite Zeile", 'alles "fertig"', "Prüfung; läuft"]


def test_utf8_bom_csv_keeps_its_bom_delimiter_and_line_endings():
    rows = [["Maßnahme", "Status", "Zieldatum"], ["Café-WLAN", "offen", "2023"], ["E-Akte", "erledigt", ""]]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=",", lineterminator="\n").writerows(rows)
    data = b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
    report = load_report(data, "liste.csv")
    edits = find_edits(report.measures, _edited(report.measures, {0: {"Status": "laufend", "Zieldatum": "Ende 2024"}}))
    result = apply_edits(data, "liste.csv", edits)
    assert result.startswith(b"\xef\xbb\xbf")
    assert result[3:].decode("utf-8") == "Maßnahme,Status,Zieldatum\nCafé-WLAN,laufend,Ende 2024\nE-Akte,erledigt,\n"


def test_csv_appended_column_pads_every_row_of_a_rectangular_file():
    data = csv_bytes([["Maßnahme", "Status", "Zieldatum"], ["A", "offen", "2023"], ["B", "offen", ""]])
    result = apply_edits(data, "liste.csv", [Edit("liste.csv", 3, "remarks", "neu", "B")])
    assert result.decode("cp1252").split("\r\n") == [
        "Maßnahme;Status;Zieldatum;Anmerkungen",
        "A;offen;2023;",
        "B;offen;;neu",
        "",
    ]
    assert load_report(result, "liste.csv").measures["remarks"].tolist() == ["", "neu"]


def test_csv_with_quoting_the_patcher_does_not_know_is_rewritten_correctly():
    data = 'Maßnahme;Status\n"A"x;offen\nB;offen\n'.encode()
    assert load_report(data, "l.csv").measures["title"].tolist() == ["Ax", "B"]
    result = apply_edits(data, "l.csv", [Edit("l.csv", 3, "status", "erledigt", "B")])
    assert result.decode() == "Maßnahme;Status\nAx;offen\nB;erledigt\n"


def test_csv_refuses_a_character_its_encoding_cannot_hold():
    data = csv_bytes([["Maßnahme", "Status", "Anmerkungen"], ["A", "offen", ""]])
    with pytest.raises(LoadError) as refused:
        apply_edits(data, "liste.csv", [Edit("liste.csv", 2, "remarks", "Ziel → 2024", "A")])
    assert (refused.value.code, refused.value.finding.column) == (FindingCode.UNENCODABLE_CHARACTER, "Anmerkungen")
    assert "Windows-1252" in str(refused.value)


def test_no_edits_return_the_file_unchanged():
    data = csv_bytes([["Maßnahme", "Status"], ["A", "offen"]])
    assert apply_edits(data, "liste.csv", [], dt.date(2023, 1, 1)) is data
    workbook = _workbook(Maßnahmen=FLAT)
    assert apply_edits(workbook, "x.xlsx", []) is workbook
