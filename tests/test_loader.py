"""The loader as a whole: the report model, findings, and the bundled report."""

import datetime as dt
import hashlib

import pandas as pd
import pytest

from mayen_dash import loader
from mayen_dash.loader import FINDINGS_PER_KIND, load_report
from mayen_dash.metrics import filter_measures
from mayen_dash.model import MEASURE_COLUMNS, FindingCode, LoadError
from tests.builders import BUNDLED, BUNDLED_BY_AREA, BUNDLED_BY_STATUS, FLAT_HEADER, csv_bytes, xlsx_bytes


@pytest.fixture(scope="module")
def bundled():
    return load_report(BUNDLED)


def test_bundled_report_has_the_totals_of_the_pdf(bundled):
    m = bundled.measures
    assert len(m) == 101
    assert m["status"].value_counts().to_dict() == BUNDLED_BY_STATUS
    assert m["area"].value_counts().to_dict() == BUNDLED_BY_AREA
    assert m["group"].value_counts().to_dict() == {"Bürger": 41, "Mitarbeiter": 25, "": 27, "Unternehmen": 8}
    assert bundled.report_date == dt.date(2022, 8, 31)
    assert bundled.findings == []


def test_bundled_report_keeps_what_the_city_wrote(bundled):
    m = bundled.measures.set_index("id")
    assert m.loc["EG-B-01", "status_raw"] == "In Bearbeitung"
    assert set(m["status_raw"]) == {
        "In Bearbeitung",
        "in Bearbeitung",
        "erledigt",
        "Erledigt",
        "offen",
        "Offen",
        "laufend",
    }
    assert m.loc["IW-06", "target"] == "Laufend, 2022"
    assert m.index.is_unique


def test_bundled_units_and_organisation_sheet(bundled):
    assert len(filter_measures(bundled.measures, units=["Bereich 2.1"])) == 9
    assert "Klimaschutz/Umwelt" in bundled.units
    assert "Umwelt" not in bundled.units


def test_bundled_scorecard_and_report_sheet(bundled):
    sc = bundled.scorecard
    assert sc["perspective"].unique().tolist() == [
        "Finanzwirtschaftliche Perspektive",
        "Bürger/-Touristenperspektive",
        "Interne Prozessperspektive",
        "Potentialperspektive",
    ]
    assert sc["target_value"].isna().all()
    assert sc["actual_value"].isna().all()
    assert "Investitionsquote" in sc["indicator"].tolist()
    for key in ("progress", "next_steps", "problems", "goal", "manager"):
        assert bundled.info[key]
    assert "Lorawan" in bundled.info["problems"]


def test_model_columns_and_types():
    report = load_report(
        xlsx_bytes(
            {"Maßnahmen": [FLAT_HEADER, ["X-1", "Innovatives Wissen", "", "A", "offen", "Fachbereich 1", "2023", ""]]}
        )
    )
    m = report.measures
    assert tuple(m.columns) == MEASURE_COLUMNS
    assert isinstance(m["status"].dtype, pd.CategoricalDtype)
    assert isinstance(m["area"].dtype, pd.CategoricalDtype)
    assert pd.api.types.is_datetime64_any_dtype(m["due"])
    assert m["status"].cat.categories.tolist()[:2] == ["erledigt", "in_bearbeitung"]


def test_path_and_bytes_give_the_same_report(tmp_path):
    data = csv_bytes([["Maßnahme", "Status"], ["A", "offen"]])
    path = tmp_path / "status_2023-06.csv"
    path.write_bytes(data)
    from_path = load_report(path)
    from_bytes = load_report(data, "status_2023-06.csv")
    pd.testing.assert_frame_equal(from_path.measures, from_bytes.measures)
    assert from_path.report_date == from_bytes.report_date == dt.date(2023, 6, 30)
    assert from_path.sha256 == hashlib.sha256(data).hexdigest()
    assert load_report(data, "liste.csv").report_date is None


def test_row_findings_name_sheet_row_and_column():
    rows = [
        ["Nr", "Maßnahme", "Staus", "Zeitrahmen"],
        ["1", "A", "vielleicht", "2023"],
        ["2", "B", "", "irgendwann"],
        ["1", "C", "erledigt", None],
        ["4", None, "offen", "2023"],
    ]
    report = load_report(xlsx_bytes({"Liste": rows}))
    found = {(f.row, f.column): f.code for f in report.findings}
    assert found == {
        (2, "Staus"): FindingCode.UNKNOWN_STATUS,
        (3, "Staus"): FindingCode.MISSING_STATUS,
        (3, "Zeitrahmen"): FindingCode.BAD_TARGET_DATE,
        (4, "Nr"): FindingCode.DUPLICATE_ID,
        (5, "Maßnahme"): FindingCode.ROW_WITHOUT_TITLE,
    }
    assert all(f.sheet == "Liste" for f in report.findings)
    m = report.measures
    assert m["title"].tolist() == ["A", "B", "C"]
    assert m["status"].tolist() == ["unbekannt", "unbekannt", "erledigt"]
    assert pd.isna(m.loc[1, "due"])


def test_many_identical_findings_are_summed_up():
    rows = [["Maßnahme", "Status"]] + [[f"M{i}", "vielleicht"] for i in range(FINDINGS_PER_KIND + 50)]
    report = load_report(csv_bytes(rows), "liste.csv")
    assert len(report.findings) == FINDINGS_PER_KIND + 1
    summary = report.findings[-1]
    assert (summary.code, summary.row, summary.column) == (FindingCode.UNKNOWN_STATUS, None, "Status")
    assert "50" in summary.message.split()
    assert len(report.measures) == FINDINGS_PER_KIND + 50


def test_hostile_text_is_kept_as_text():
    rows = [["Maßnahme", "Status", "Anmerkungen"], ["<img src=x onerror=alert(1)>", "offen", '=HYPERLINK("x")']]
    m = load_report(csv_bytes(rows), "liste.csv").measures
    assert m.loc[0, "title"] == "<img src=x onerror=alert(1)>"
    assert m.loc[0, "remarks"] == '=HYPERLINK("x")'


def test_unexpected_failures_become_a_german_refusal(monkeypatch):
    def broken(*args, **kwargs):
        raise IndexError("a bug deep inside")

    monkeypatch.setattr(loader, "find_measure_table", broken)
    with pytest.raises(LoadError) as caught:
        load_report(csv_bytes([["Maßnahme", "Status"], ["A", "offen"]]), "liste.csv")
    assert caught.value.code == FindingCode.UNREADABLE
    assert "IndexError" not in str(caught.value)


def test_a_column_with_one_and_true_reads_each_as_written():
    # True == 1 == 1.0 in Python: a column's distinct cells must not merge them into one text.
    rows = [["Maßnahme", "Status", "Zieldatum", "Anmerkungen"], ["A", "offen", 2023, 1], ["B", "offen", True, True]]
    report = load_report(xlsx_bytes({"Liste": rows}))
    m = report.measures
    assert m["remarks"].tolist() == ["1", "WAHR"]
    assert m["target"].tolist() == ["2023", "WAHR"]
    assert m["due"].tolist()[0] == pd.Timestamp(2023, 12, 31)
    assert [f.row for f in report.findings if "Zieldatum „WAHR“" in f.message] == [3]
