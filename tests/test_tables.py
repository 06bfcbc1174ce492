"""Layouts people really write: flat lists, the printed report pasted into Excel, and worse."""

import datetime as dt

import pytest

from mayen_dash.loader import load_report
from mayen_dash.model import ColumnMapping, FindingCode, LoadError
from tests.builders import FLAT_HEADER, xlsx_bytes

PRINTED = [
    ["Digitalisierungsstrategie der Stadt Mayen"],
    [],
    ["Stand: 31.08.2022"],
    [],
    ["E-Government und Onlinezugangsgesetz"],
    ["Maßnahme", "Status", "Verantwortlichkeit", "Zieldatum", "Anmerkungen"],
    ["Bürger"],
    ["Evaluierung Homepage", "In Bearbeitung", "Zentralbereich 1", "2023", None],
    ["Eheurkunde", "erledigt", "Zentralbereich 1", None, None],
    [],
    ["Unternehmen"],
    ["Gewerbeanmeldung", "In Bearbeitung", "Zentralbereich 1/Bereich 2.1", "10/2022", "inkl. E-Akte"],
    [],
    ["Innovatives Wissen"],
    ["Maßnahme", "Staus", "Verantwortlich keit", "Zeitrah men", "Anmerkung"],
    ["Einwerbung von digitalen Hochschul- Projekten", "erledigt", "Zentralbereich 1/ Fachbereich 1", "laufend"],
    ["Implementierung Dorf Funk App", "erledigt", "Zentralbereich 1/ Fachbereich 1", "Laufend, 2022"],
    ["Innovative Wirtschaft- und Tourismusmanagement"],
    ["Maßnahme", "Status", "Verantwortlichkeit", "Zeitraumen", "Anmerkung"],
    ["Digitaler Cityguide", "offen", "Fachbereich 1", "Offen", "Förderprogramm"],
]


def test_printed_report_layout():
    report = load_report(xlsx_bytes({"Tabelle1": PRINTED}), "bericht.xlsx")
    m = report.measures
    assert m["title"].tolist() == [
        "Evaluierung Homepage",
        "Eheurkunde",
        "Gewerbeanmeldung",
        "Einwerbung von digitalen Hochschul- Projekten",
        "Implementierung Dorf Funk App",
        "Digitaler Cityguide",
    ]
    assert m["area"].astype(str).tolist() == ["E-Government und Onlinezugangsgesetz"] * 3 + [
        "Innovatives Wissen"
    ] * 2 + ["Innovative Wirtschaft- und Tourismusmanagement"]
    assert m["group"].tolist() == ["Bürger", "Bürger", "Unternehmen", "", "", ""]
    assert m["status"].tolist() == ["in_bearbeitung", "erledigt", "in_bearbeitung", "erledigt", "erledigt", "offen"]
    assert m["target"].tolist() == ["2023", "", "10/2022", "laufend", "Laufend, 2022", "Offen"]
    assert m["remarks"].tolist()[-1] == "Förderprogramm"
    assert m["row"].tolist() == [8, 9, 12, 16, 17, 20]
    assert report.findings == []


def test_flat_layout_with_header_typos_and_odd_spellings():
    rows = [
        [
            "lfd. Nr.",
            "HANDLUNGSFELD",
            "Ziel-Gruppe",
            "Massnahme",
            "Staus",
            "Verantwortlich keit",
            "Zeitrah men",
            "Anmerkung",
        ],
        ["1", "Innovatives Wissen", "", "Co-Working", "in Bearbeitung", "Fachbereich 1", "laufend", "VOBA"],
    ]
    m = load_report(xlsx_bytes({"Maßnahmen": rows})).measures
    assert m.loc[0, ["id", "area", "title", "status", "responsible", "target", "remarks"]].tolist() == [
        "1",
        "Innovatives Wissen",
        "Co-Working",
        "in_bearbeitung",
        "Fachbereich 1",
        "laufend",
        "VOBA",
    ]


def test_header_below_title_rows_blank_rows_and_stray_spaces():
    rows = [
        ["Statusliste Digitalisierung"],
        ["erstellt von E-Government"],
        [],
        [],
        [None, "  Maßnahme ", " Status", "Zieldatum"],
        [None, "  Hundeanmeldung  ", " erledigt ", None],
        [],
        [],
        [None, "Wohngeld", "offen", "  2023 "],
    ]
    m = load_report(xlsx_bytes({"Tabelle1": rows})).measures
    assert m["title"].tolist() == ["Hundeanmeldung", "Wohngeld"]
    assert m["status"].tolist() == ["erledigt", "offen"]
    assert m["row"].tolist() == [6, 9]
    assert m.loc[1, "due"] == dt.datetime(2023, 12, 31)


def test_merged_cells_carry_their_value_to_every_row():
    rows = [
        FLAT_HEADER,
        ["1", "Innovatives Wissen", None, "A", "offen", "Fachbereich 1", "2023", None],
        ["2", None, None, "B", "offen", None, "2024", None],
        ["3", None, None, "C", "offen", None, "2025", None],
    ]
    data = xlsx_bytes({"Maßnahmen": rows}, merges={"Maßnahmen": ["B2:B4", "F2:F4"]})
    m = load_report(data).measures
    assert m["area"].astype(str).tolist() == ["Innovatives Wissen"] * 3
    assert m["responsible"].tolist() == ["Fachbereich 1"] * 3


def test_excel_dates_and_numbers_stored_as_text_or_numbers():
    rows = [
        ["Nr", "Maßnahme", "Status", "Zieldatum"],
        [1, "A", "offen", dt.datetime(2023, 3, 15)],
        ["002", "B", "offen", 2024],
        [3.0, "C", "offen", "2025"],
    ]
    m = load_report(xlsx_bytes({"Maßnahmen": rows})).measures
    assert m["id"].tolist() == ["1", "002", "3"]
    assert m["target"].tolist() == ["15.03.2023", "2024", "2025"]
    assert m["due"].dt.date.tolist() == [dt.date(2023, 3, 15), dt.date(2024, 12, 31), dt.date(2025, 12, 31)]


def test_only_title_and_status_are_required():
    m = load_report(xlsx_bytes({"Tabelle1": [["Maßnahme", "Status"], ["A", "erledigt"]]})).measures
    assert m.loc[0, "title"] == "A"
    assert m.loc[0, "units"] == ()
    assert m.loc[0, "target"] == ""
    assert str(m.loc[0, "area"]) == "ohne Handlungsfeld"


@pytest.mark.parametrize(
    ("header", "missing", "found"),
    [
        (["Maßnahme", "Verantwortlichkeit", "Zieldatum"], "„Status“", "„Verantwortlichkeit“"),
        (["Status", "Verantwortlichkeit", "Zieldatum"], "„Maßnahme“", "„Zieldatum“"),
    ],
)
def test_missing_required_column_names_what_was_found(header, missing, found):
    with pytest.raises(LoadError) as caught:
        load_report(xlsx_bytes({"Maßnahmen": [header, ["x", "y", "z"]]}))
    message = str(caught.value)
    assert caught.value.code == FindingCode.MISSING_COLUMNS
    assert missing in message
    assert found in message
    assert caught.value.finding.sheet == "Maßnahmen"
    assert caught.value.finding.row == 1


def test_unrecognised_columns_are_listed():
    with pytest.raises(LoadError) as caught:
        load_report(xlsx_bytes({"Export": [["Name", "Live", "Stelle"], ["Hundeanmeldung", "Ja", "ZB 1"]]}))
    assert caught.value.code == FindingCode.MISSING_COLUMNS
    assert "„Name“, „Live“, „Stelle“" in str(caught.value)


def test_header_without_data_rows_is_refused():
    with pytest.raises(LoadError) as caught:
        load_report(xlsx_bytes({"Maßnahmen": [FLAT_HEADER, [], []]}))
    assert caught.value.code == FindingCode.NO_DATA_ROWS


def test_sheet_without_any_cell_is_refused():
    with pytest.raises(LoadError) as caught:
        load_report(xlsx_bytes({"Tabelle1": [[]]}))
    assert caught.value.code == FindingCode.NO_DATA


def test_the_measures_sheet_is_found_among_others():
    sheets = {"Deckblatt": [["Statusbericht"], ["Stand 2023"]], "Liste": [["Maßnahme", "Status"], ["A", "offen"]]}
    report = load_report(xlsx_bytes(sheets))
    assert report.measures["sheet"].tolist() == ["Liste"]


def test_user_mapping_reads_a_foreign_export():
    rows = [["Name", "Live", "Stelle"], ["Hundeanmeldung", "Ja", "ZB 1"], ["Wohngeld", "Nein", "FB 1"]]
    mapping = ColumnMapping(
        {"title": "Name", "status": "Live", "responsible": "Stelle"}, {"Ja": "erledigt", "nein": "offen"}
    )
    m = load_report(xlsx_bytes({"Export": rows}), mapping=mapping).measures
    assert m["title"].tolist() == ["Hundeanmeldung", "Wohngeld"]
    assert m["status"].tolist() == ["erledigt", "offen"]
    assert m["units"].tolist() == [("Zentralbereich 1",), ("Fachbereich 1",)]


def test_mapping_takes_precedence_over_recognised_headers():
    rows = [["Maßnahme", "Status", "Live"], ["A", "offen", "Ja"]]
    m = load_report(
        xlsx_bytes({"Export": rows}), mapping=ColumnMapping({"status": "Live"}, {"Ja": "erledigt"})
    ).measures
    assert m["status"].tolist() == ["erledigt"]


def test_scorecard_with_merged_perspective_and_german_numbers():
    sheets = {
        "Maßnahmen": [["Maßnahme", "Status"], ["A", "offen"]],
        "Scorecard": [
            [
                "Perspektive",
                "Leitfrage",
                "Strategische Ziele",
                "Maßnahmen",
                "Messgröße",
                "Einheit",
                "Zielwert",
                "Istwert",
            ],
            ["Finanzen", "Welche Ziele?", "Wirtschaftlichkeit", "Investitionen", "Investitionsquote", "%", "12,5", 10],
            [None, None, None, None, "Wirtschaftlichkeit", None, None, None],
            ["Potential", "Welche Potenziale?", "Infrastruktur", "Ersatz", "Pflegezustand", None, "viel", None],
        ],
    }
    report = load_report(xlsx_bytes(sheets, merges={"Scorecard": ["A2:A3", "B2:B3"]}))
    sc = report.scorecard
    assert sc["perspective"].tolist() == ["Finanzen", "Finanzen", "Potential"]
    assert sc["question"].tolist() == ["Welche Ziele?", "Welche Ziele?", "Welche Potenziale?"]
    assert sc["goals"].tolist()[1] == "Wirtschaftlichkeit"
    assert sc.loc[0, "target_value"] == 12.5
    assert sc.loc[0, "actual_value"] == 10
    assert sc["target_value"].isna().tolist() == [False, True, True]
    [finding] = report.findings
    assert (finding.sheet, finding.row, finding.column) == ("Scorecard", 4, "Zielwert")
    assert finding.code == FindingCode.NOT_A_NUMBER
    assert "„viel“" in finding.message


def test_report_sheet_and_organisation_sheet():
    sheets = {
        "Maßnahmen": [
            ["Maßnahme", "Status", "Verantwortlichkeit"],
            ["Smarte Straßenlampen", "offen", "Bereich 3.2 und Klimaschutz/Umwelt"],
            ["Gebäudemonitoring", "offen", "Klimaschutz/Bereich 3.3"],
        ],
        "Bericht": [
            ["Feld", "Inhalt"],
            ["Titel", "Digitalisierungsstrategie"],
            ["Stichtag", dt.datetime(2023, 6, 30)],
            ["Geplante nächste Schritte", "- eins\n  - zwei"],
        ],
        "Organisation": [
            ["Verantwortlichkeit", "Organisationseinheiten"],
            ["Bereich 3.2 und Klimaschutz/Umwelt", "Bereich 3.2; Klimaschutz/Umwelt"],
        ],
    }
    report = load_report(xlsx_bytes(sheets), "status_2020-01.xlsx")
    assert report.report_date == dt.date(2023, 6, 30)
    assert report.info["title"] == "Digitalisierungsstrategie"
    assert report.info["next_steps"] == "- eins\n  - zwei"
    assert report.measures["units"].tolist() == [("Bereich 3.2", "Klimaschutz/Umwelt"), ("Klimaschutz", "Bereich 3.3")]


def test_report_date_text_and_unreadable_report_date():
    base = {"Maßnahmen": [["Maßnahme", "Status"], ["A", "offen"]]}
    ok = load_report(xlsx_bytes({**base, "Bericht": [["Stichtag", "31.08.2022"]]}))
    assert ok.report_date == dt.date(2022, 8, 31)
    bad = load_report(xlsx_bytes({**base, "Bericht": [["Stichtag", "gestern"]]}), "status_2023-06.xlsx")
    assert bad.report_date == dt.date(2023, 6, 30)
    [finding] = bad.findings
    assert (finding.sheet, finding.row, finding.column) == ("Bericht", 1, "Stichtag")


def test_repeated_header_may_move_the_status_column():
    rows = [
        ["Innovatives Wissen"],
        ["Maßnahme", "Status", "Verantwortlichkeit"],
        ["A", "offen", "Fachbereich 1"],
        ["Digitale Infrastruktur und Klimaschutz"],
        ["Maßnahme", "Verantwortlichkeit", "Staus"],
        ["B", "Bereich 2.1", "erledigt"],
    ]
    m = load_report(xlsx_bytes({"Tabelle1": rows})).measures
    assert m["title"].tolist() == ["A", "B"]
    assert m["status"].tolist() == ["offen", "erledigt"]
    assert m["responsible"].tolist() == ["Fachbereich 1", "Bereich 2.1"]
    assert m["area"].astype(str).tolist() == ["Innovatives Wissen", "Digitale Infrastruktur und Klimaschutz"]
