import pytest

from mayen_dash.vocabulary import (
    ASSIGNABLE_STATUSES,
    COLUMNS,
    NARRATIVE_FIELDS,
    NOT_STARTED_STATUSES,
    REPORT_FIELDS,
    STARTED_STATUSES,
    STATUS_CODES,
    STATUSES,
    UNKNOWN_STATUS,
    fold,
    match_column,
    match_status,
    sheet_role,
    status_code_for_label,
)


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Maßnahme", "title"),
        ("MASSNAHME", "title"),
        ("Massnahmen", "title"),
        (" maßnahme ", "title"),
        ("Status", "status"),
        ("Staus", "status"),
        ("Umsetzungsstand", "status"),
        ("Verantwortlichkeit", "responsible"),
        ("Verantwortlich keit", "responsible"),
        ("Zuständigkeit", "responsible"),
        ("Zustaendigkeit", "responsible"),
        ("Zieldatum", "target"),
        ("Zeitrah men", "target"),
        ("Zeitraumen", "target"),
        ("Ziel-Datum", "target"),
        ("Anmerkungen", "remarks"),
        ("Anmerkung", "remarks"),
        ("Bemerkungen", "remarks"),
        ("ID", "id"),
        ("Lfd. Nr.", "id"),
        ("Handlungsfeld", "area"),
        ("Zielgruppe", "group"),
        ("Anmerkugen", "remarks"),
        ("Verantwortlichkiet", "responsible"),
    ],
)
def test_headers_are_matched(header, key):
    assert match_column(header) == key


@pytest.mark.parametrize("header", ["Name", "Live", "Stelle", "", "Kosten", None, 12])
def test_unknown_headers_are_not_guessed(header):
    assert match_column(header) is None


def test_fuzzy_matching_can_be_switched_off():
    assert match_column("Anmerkugen", fuzzy=False) is None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("erledigt", "erledigt"),
        ("Erledigt", "erledigt"),
        ("ERLEDIGT ", "erledigt"),
        ("abgeschlossen", "erledigt"),
        ("umgesetzt", "erledigt"),
        ("In Bearbeitung", "in_bearbeitung"),
        ("in bearbeitung", "in_bearbeitung"),
        ("in Arbeit", "in_bearbeitung"),
        ("begonnen", "in_bearbeitung"),
        ("In-Bearbeitung", "in_bearbeitung"),
        ("laufend", "laufend"),
        ("Offen", "offen"),
        ("geplant", "offen"),
        ("nicht begonnen", "offen"),
        ("zurückgestellt", "zurueckgestellt"),
        ("zurueckgestellt", "zurueckgestellt"),
        ("pausiert", "zurueckgestellt"),
        ("vielleicht", "unbekannt"),
        ("", "unbekannt"),
        (None, "unbekannt"),
    ],
)
def test_statuses_are_matched(value, code):
    assert match_status(value) == code


def test_every_status_spelling_means_one_status_only():
    seen: dict[str, str] = {}
    for status in STATUSES:
        for name in (status.code, status.label, *status.synonyms):
            assert seen.setdefault(fold(name), status.code) == status.code, name


def test_every_header_synonym_means_one_column_only():
    seen: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.label, *column.synonyms):
            assert seen.setdefault(fold(name), column.key) == column.key, name


def test_status_codes_and_labels():
    assert STATUS_CODES == ("erledigt", "in_bearbeitung", "laufend", "offen", "zurueckgestellt", "unbekannt")
    assert status_code_for_label("in Bearbeitung") == "in_bearbeitung"
    assert status_code_for_label("in_bearbeitung") == "in_bearbeitung"
    assert status_code_for_label("unbekannt") == "unbekannt"
    assert status_code_for_label("Quatsch") is None


def test_status_colours_are_distinct():
    colours = [s.color for s in STATUSES]
    assert len(set(colours)) == len(colours)


def test_fold():
    assert fold("Verantwortlich keit") == fold("Verantwortlichkeit")
    assert fold("Maßnahme") == fold("MASSNAHME") == "massnahme"
    assert fold("Zuständig-keit") == "zustaendigkeit"


def test_sheet_roles():
    assert sheet_role("Maßnahmen") == "measures"
    assert sheet_role("massnahmen") == "measures"
    assert sheet_role("Scorecard") == "scorecard"
    assert sheet_role("Bericht") == "report"
    assert sheet_role("Organisation") == "organisation"
    assert sheet_role("Tabelle1") is None


def test_narrative_sections_are_report_fields_in_report_order():
    keys = [section.key for section in NARRATIVE_FIELDS]
    assert keys == ["progress", "next_steps", "problems", "attachments"]
    assert [key for key in REPORT_FIELDS if key in keys] == keys


def test_status_groups_cover_every_assignable_status():
    assert UNKNOWN_STATUS not in ASSIGNABLE_STATUSES
    assert set(ASSIGNABLE_STATUSES) | {UNKNOWN_STATUS} == set(STATUS_CODES)
    assert not NOT_STARTED_STATUSES & STARTED_STATUSES
    assert set(STATUS_CODES) - {"erledigt"} == NOT_STARTED_STATUSES | STARTED_STATUSES
