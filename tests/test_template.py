from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from mayen_dash.loader import load_report
from mayen_dash.template import write_template
from mayen_dash.vocabulary import COLUMNS, STATUSES
from tests.builders import ROOT


def cells(path):
    workbook = CalamineWorkbook.from_path(str(path))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def test_committed_template_is_what_the_code_writes(tmp_path):
    fresh = tmp_path / "vorlage.xlsx"
    write_template(fresh)
    assert cells(ROOT / "data" / "vorlage.xlsx") == cells(fresh), "run `make template` to refresh data/vorlage.xlsx"


def test_template_sheets_and_notes(tmp_path):
    path = tmp_path / "vorlage.xlsx"
    write_template(path)
    sheets = cells(path)
    assert list(sheets) == ["Maßnahmen", "Scorecard", "Bericht", "Organisation", "Hinweise"]
    assert sheets["Maßnahmen"][0] == [c.label for c in COLUMNS]
    notes = "\n".join(str(cell) for row in sheets["Hinweise"] for cell in row)
    for status in STATUSES:
        assert status.label in notes
    for column in COLUMNS:
        assert column.label in notes


def test_filled_template_loads(tmp_path):
    path = tmp_path / "vorlage.xlsx"
    write_template(path)
    workbook = load_workbook(path)
    workbook["Maßnahmen"].append(["X-01", "Innovatives Wissen", "", "Test", "erledigt", "Fachbereich 1", "2023", ""])
    workbook.save(path)
    report = load_report(path)
    assert report.measures["title"].tolist() == ["Test"]
    assert report.findings == []
