import io
import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from mayen_dash import diff
from mayen_dash.cli import main
from mayen_dash.diff import (
    BY_HAND,
    BY_ID,
    BY_SIMILARITY,
    BY_TITLE,
    CHANGE_COLUMNS,
    CONFIRMED,
    change_figures,
    changes_frame,
    compare,
    fuzzy_review_frame,
    normalize_title,
    split_overrides,
    summary_lines,
    to_dict,
)
from mayen_dash.loader import load_report
from tests.builders import BUNDLED, csv_bytes, xlsx_bytes

HEADER = ["ID", "Maßnahme", "Status", "Zieldatum"]


def measures(*rows, header=HEADER):
    return load_report(csv_bytes([header, *rows]), "bericht.csv").measures


def untitled(*titles):
    """Measures without an ID column, all `offen`."""
    return measures(*([title, "offen"] for title in titles), header=["Maßnahme", "Status"])


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_id_matching_despite_renamed_title():
    old = measures(["EG-U-02", "Gewerbeanmeldung", "In Bearbeitung", "10/2022"])
    new = measures(["eg-u-02 ", "Online-Antrag für Gewerbetreibende", "erledigt", "10/2022"])
    result = compare(old, new)
    assert result.matches[["old_index", "new_index", "matched_by", "fuzzy"]].values.tolist() == [[0, 0, BY_ID, False]]
    assert (len(result.added), len(result.removed), result.target_changed) == (0, 0, [])
    [change] = result.status_changed
    assert (change.measure, change.id, change.old, change.new, change.fuzzy) == (
        "Online-Antrag für Gewerbetreibende",
        "eg-u-02",
        "in_bearbeitung",
        "erledigt",
        False,
    )
    assert result.newly_done == [change]


def test_title_matching_without_ids_ignores_case_spacing_and_punctuation():
    old = untitled(
        "Statusabfrage Pass/Personalausweis",
        "Wohngeld",
        "Corona Prozess, „Hilfe erhalten“",
        "Bürgerterminals",
    )
    new = untitled(
        "Buergerterminals",
        "  statusabfrage  pass / PERSONALAUSWEIS",
        "WOHNGELD.",
        "Corona-Prozess Hilfe erhalten",
    )
    result = compare(old, new)
    assert not result.has_changes
    assert sorted(zip(result.matches["old_index"], result.matches["new_index"], strict=True)) == [
        (0, 1),
        (1, 2),
        (2, 3),
        (3, 0),
    ]
    assert set(result.matches["matched_by"]) == {BY_TITLE}
    assert not result.matches["fuzzy"].any()


def test_title_normalisation_keeps_word_boundaries():
    assert normalize_title(" Pass/Personal-Ausweis! ") == "pass personal ausweis"
    assert normalize_title("Maßnahme Ölmühle Café") == normalize_title("MASSNAHME Oelmuehle Cafe")
    assert normalize_title("Ausbau Stufe 1.1") != normalize_title("Ausbau Stufe 11")
    assert normalize_title("Aufwand/Auszahlung < 2.500 €") == "aufwand auszahlung < 2 500 €"
    assert normalize_title("Aufwand/Auszahlung <2.500€") == normalize_title("Aufwand / Auszahlung < 2.500 €")
    assert normalize_title("Aufwand < 2.500 €") != normalize_title("Aufwand > 2.500 €")
    assert normalize_title("… „“ -") == ""


def test_small_edit_is_a_fuzzy_match_that_overrides_correct():
    old = untitled("Digitale Bauakte", "Ratsinformationssystem", "Hundeanmeldung")
    new = untitled("Ratsinformationssystem", "Digitale Bauakten", "Hundeabmeldung", "Breitband")
    result = compare(old, new)
    fuzzy = result.fuzzy_matches
    assert sorted(zip(fuzzy["old_title"], fuzzy["new_title"], strict=True)) == [
        ("Digitale Bauakte", "Digitale Bauakten"),
        ("Hundeanmeldung", "Hundeabmeldung"),
    ]
    assert set(fuzzy["matched_by"]) == {BY_SIMILARITY}
    assert (fuzzy["score"] >= 0.85).all()
    assert list(result.added["title"]) == ["Breitband"]
    assert result.removed.empty

    # Hundeabmeldung is a different service: split the pair.
    corrected = compare(old, new, overrides={2: None})
    assert list(corrected.added["title"]) == ["Hundeabmeldung", "Breitband"]
    assert list(corrected.removed["title"]) == ["Hundeanmeldung"]
    assert list(corrected.fuzzy_matches["new_title"]) == ["Digitale Bauakten"]

    # ... and a pair no stage would find can be forced.
    forced = compare(old, new, overrides={2: 3})
    row = forced.matches.set_index("old_index").loc[2]
    assert (row["new_title"], row["matched_by"], bool(row["fuzzy"])) == ("Breitband", BY_HAND, False)
    assert list(forced.added["title"]) == ["Hundeabmeldung"]

    with pytest.raises(ValueError, match="no old measure"):
        compare(old, new, overrides={99: 0})
    with pytest.raises(ValueError, match="paired twice"):
        compare(old, new, overrides={0: 1, 1: 1})


def test_fuzzy_changes_carry_the_flag_and_different_ids_never_match_fuzzily():
    old = measures(["", "Digitale Bauakte", "offen", ""], ["EG-U-03", "Gewerbeummeldung", "offen", ""])
    new = measures(["", "Digitale Bauakten", "in Arbeit", ""], ["EG-U-09", "Gewerbeabmeldung", "offen", ""])
    result = compare(old, new)
    [change] = result.status_changed
    assert (change.measure, change.fuzzy, change.matched_by) == ("Digitale Bauakten", True, BY_SIMILARITY)
    assert result.newly_started == [change]
    assert list(result.added["id"]) == ["EG-U-09"]
    assert list(result.removed["id"]) == ["EG-U-03"]
    assert changes_frame(result).iloc[0]["Zuordnung"] == BY_SIMILARITY


def test_close_match_stage_is_skipped_for_unrelated_tables(monkeypatch):
    monkeypatch.setattr(diff, "MAX_FUZZY_PAIRS", 3)
    result = compare(untitled("Digitale Bauakte", "Wohngeld"), untitled("Digitale Bauakten", "Breitband"))
    assert result.fuzzy_skipped
    assert result.matches.empty
    assert len(result.added) == len(result.removed) == 2
    assert not compare(untitled("Digitale Bauakte"), untitled("Digitale Bauakten")).fuzzy_skipped


def test_summary_separates_titles_with_commas_by_semicolons():
    result = compare(untitled("Wohngeld"), untitled("Wohngeld", "Container, Gerüste", "Breitband"))
    assert summary_lines(result) == ["- Neu aufgenommen: Container, Gerüste; Breitband"]


def test_summary_limit_lists_the_first_measures_and_counts_the_rest():
    titles = [f"Maßnahme {i}" for i in range(1, 1206)]
    result = compare(untitled("Wohngeld"), untitled("Wohngeld", *titles))

    assert summary_lines(result, limit=3) == ["- Neu aufgenommen: Maßnahme 1, Maßnahme 2, Maßnahme 3 und 1.202 weitere"]
    assert summary_lines(result, limit=1205) == summary_lines(result)
    assert summary_lines(result)[0].endswith("Maßnahme 1204, Maßnahme 1205")


def test_summary_limit_applies_to_thousands_of_status_changes():
    old = untitled(*(f"M{i}" for i in range(6000)))
    new = measures(
        *([f"M{i}", "erledigt" if i % 2 else "in Bearbeitung"] for i in range(6000)), header=["Maßnahme", "Status"]
    )
    result = compare(old, new)

    lines = summary_lines(result, limit=2)
    assert lines == ["- Erledigt: M1, M3 und 2.998 weitere", "- Neu begonnen: M0, M2 und 2.998 weitere"]


def test_added_and_removed():
    old = measures(["A", "Eheurkunde", "erledigt", ""], ["B", "Digitaler Cityguide", "offen", "Offen"])
    new = measures(["A", "Eheurkunde", "erledigt", ""], ["C", "Smart City Karte", "offen", "2023"])
    result = compare(old, new)
    assert list(result.added["title"]) == ["Smart City Karte"]
    assert list(result.removed["title"]) == ["Digitaler Cityguide"]
    assert result.status_changed == result.target_changed == []
    frame = changes_frame(result)
    assert tuple(frame.columns) == CHANGE_COLUMNS
    assert frame.values.tolist() == [
        ["Neu aufgenommen", "C", "Smart City Karte", "", "offen", ""],
        ["Entfallen", "B", "Digitaler Cityguide", "offen", "", ""],
    ]
    assert summary_lines(result) == ["- Neu aufgenommen: Smart City Karte", "- Entfallen: Digitaler Cityguide"]


def test_status_is_compared_by_code():
    old = measures(["A", "Eheurkunde", "abgeschlossen", ""], ["B", "Wohngeld", "in Arbeit", ""])
    new = measures(["A", "Eheurkunde", "erledigt", ""], ["B", "Wohngeld", "In Bearbeitung", ""])
    result = compare(old, new)
    assert not result.has_changes
    assert to_dict(result) == {"added": [], "removed": [], "status_changed": [], "target_changed": []}
    assert summary_lines(result) == ["- Keine Änderungen an den Maßnahmen seit dem letzten Bericht."]


def test_newly_done_and_newly_started():
    old = measures(
        ["1", "Gewerbeanmeldung", "in Bearbeitung", ""],
        ["2", "Wohngeld", "offen", ""],
        ["3", "Chatbot", "zurückgestellt", ""],
        ["4", "Hundeanmeldung", "", ""],
        ["5", "Eheurkunde", "erledigt", ""],
        ["6", "Breitband", "in Bearbeitung", ""],
        ["7", "Unterhaltsvorschuss", "offen", ""],
    )
    new = measures(
        ["1", "Gewerbeanmeldung", "erledigt", ""],
        ["2", "Wohngeld", "in Bearbeitung", ""],
        ["3", "Chatbot", "laufend", ""],
        ["4", "Hundeanmeldung", "in Bearbeitung", ""],
        ["5", "Eheurkunde", "in Bearbeitung", ""],
        ["6", "Breitband", "laufend", ""],
        ["7", "Unterhaltsvorschuss", "erledigt", ""],
    )
    result = compare(old, new)
    assert len(result.status_changed) == 7
    assert [c.measure for c in result.newly_done] == ["Gewerbeanmeldung", "Unterhaltsvorschuss"]
    assert [c.measure for c in result.newly_started] == ["Wohngeld", "Chatbot", "Hundeanmeldung"]
    assert [(c.old, c.new) for c in result.newly_started] == [
        ("offen", "in_bearbeitung"),
        ("zurueckgestellt", "laufend"),
        ("unbekannt", "in_bearbeitung"),
    ]
    assert summary_lines(result) == [
        "- Erledigt: Gewerbeanmeldung, Unterhaltsvorschuss",
        "- Neu begonnen: Wohngeld, Chatbot, Hundeanmeldung",
        "- Status geändert: Eheurkunde (erledigt → in Bearbeitung), Breitband (in Bearbeitung → laufend)",
    ]
    frame = changes_frame(result)
    assert frame.iloc[0].tolist() == ["Status geändert", "1", "Gewerbeanmeldung", "in Bearbeitung", "erledigt", "ID"]


def test_target_change_compares_raw_text_and_reports_due_dates():
    old = measures(
        ["1", "Bürgerterminals", "in Bearbeitung", "2022/2024"],
        ["2", "Wohngeld", "offen", "1.  Halbjahr 2023"],
        ["3", "Chatbot", "offen", ""],
    )
    new = measures(
        ["1", "Bürgerterminals", "in Bearbeitung", "2025"],
        ["2", "Wohngeld", "offen", "1. Halbjahr 2023"],
        ["3", "Chatbot", "offen", "2024"],
    )
    result = compare(old, new)
    assert [(c.measure, c.old, c.new) for c in result.target_changed] == [
        ("Bürgerterminals", "2022/2024", "2025"),
        ("Chatbot", "", "2024"),
    ]
    terminals = result.target_changed[0]
    assert (terminals.old_due, terminals.new_due) == (pd.Timestamp("2024-12-31"), pd.Timestamp("2025-12-31"))
    assert result.target_changed[1].old_due is None
    assert to_dict(result)["target_changed"] == [
        {"measure": "Bürgerterminals", "from": "2022/2024", "to": "2025"},
        {"measure": "Chatbot", "from": "", "to": "2024"},
    ]
    assert summary_lines(result) == [
        "- Zieldatum verschoben: Bürgerterminals (2022/2024 → 2025), Chatbot (ohne Angabe → 2024)"
    ]


def test_duplicates_are_matched_in_order():
    old = measures(
        ["A-1", "Erste", "offen", ""],
        ["A-1", "Zweite", "offen", ""],
        ["", "Wohngeld", "offen", ""],
        ["", "Wohngeld", "erledigt", ""],
    )
    new = measures(
        ["", "Wohngeld", "offen", ""],
        ["A-1", "Erste", "offen", ""],
        ["", "Wohngeld", "erledigt", ""],
        ["A-1", "Zweite", "erledigt", ""],
        ["", "Wohngeld", "laufend", ""],
    )
    result = compare(old, new)
    pairs = result.matches.set_index("old_index")
    assert pairs["new_index"].to_dict() == {0: 1, 1: 3, 2: 0, 3: 2}
    assert pairs["matched_by"].to_dict() == {0: BY_ID, 1: BY_ID, 2: BY_TITLE, 3: BY_TITLE}
    assert [c.measure for c in result.status_changed] == ["Zweite"]
    assert list(result.added.index) == [4]
    assert result.removed.empty


def test_to_dict_shape_and_changes_frame_labels():
    old = measures(["1", "Wohngeld", "offen", "2023"], ["2", "Chatbot", "offen", ""])
    new = measures(["1", "Wohngeld", "erledigt", "2022/2023"], ["3", "Breitband", "laufend", ""])
    result = compare(old, new)
    assert to_dict(result) == {
        "added": ["Breitband"],
        "removed": ["Chatbot"],
        "status_changed": [{"measure": "Wohngeld", "from": "offen", "to": "erledigt"}],
        "target_changed": [{"measure": "Wohngeld", "from": "2023", "to": "2022/2023"}],
    }
    assert json.loads(json.dumps(to_dict(result))) == to_dict(result)
    assert changes_frame(result).values.tolist() == [
        ["Status geändert", "1", "Wohngeld", "offen", "erledigt", "ID"],
        ["Zieldatum geändert", "1", "Wohngeld", "2023", "2022/2023", "ID"],
        ["Neu aufgenommen", "3", "Breitband", "", "laufend", ""],
        ["Entfallen", "2", "Chatbot", "offen", "", ""],
    ]


def test_cli_diff_json_and_text(capsys, write):
    old = write("alt.csv", csv_bytes([HEADER, ["1", "Wohngeld", "offen", "2023"], ["2", "Chatbot", "offen", ""]]))
    new = write(
        "neu.xlsx",
        xlsx_bytes({"Maßnahmen": [HEADER, ["1", "Wohngeld", "in Arbeit", "2024"], ["3", "Breitband", "offen", ""]]}),
    )
    code, out, err = run(capsys, "diff", old, new, "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "added": ["Breitband"],
        "removed": ["Chatbot"],
        "status_changed": [{"measure": "Wohngeld", "from": "offen", "to": "in_bearbeitung"}],
        "target_changed": [{"measure": "Wohngeld", "from": "2023", "to": "2024"}],
    }
    code, out, _ = run(capsys, "diff", old, new)
    assert code == 0
    assert "Maßnahmen: 2 vorher, 2 jetzt; 1 einander zugeordnet" in out
    assert "Status geändert: 1\n  - Wohngeld: offen → in Bearbeitung" in out
    assert "Zieldatum geändert: 1\n  - Wohngeld: 2023 → 2024" in out
    assert "Neu aufgenommen: 1\n  - Breitband" in out
    assert "Entfallen: 1\n  - Chatbot" in out


def test_cli_diff_exit_codes(capsys, write, tmp_path):
    good = write("gut.csv", csv_bytes([HEADER, ["1", "Wohngeld", "offen", ""]]))
    broken = write("kaputt.xlsx", b"PK\x03\x04 nicht wirklich")
    code, out, err = run(capsys, "diff", good, broken)
    assert (code, out) == (1, "")
    assert "aktuelle Bericht „kaputt.xlsx“" in err
    assert "beschädigt" in err
    code, _, err = run(capsys, "diff", broken, good, "--json")
    assert code == 1
    assert "frühere Bericht „kaputt.xlsx“" in err
    code, _, err = run(capsys, "diff", tmp_path / "fehlt.xlsx", good)
    assert code == 2
    assert "gibt es nicht" in err
    with pytest.raises(SystemExit) as caught:
        main(["diff", str(good)])
    assert caught.value.code == 2
    assert "Fehler" in capsys.readouterr().err


def _modified_bundled() -> bytes:
    """The bundled report after a month's work: two statuses and a Zieldatum changed, one row gone, one new."""
    workbook = load_workbook(BUNDLED)
    sheet = workbook["Maßnahmen"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert rows["EG-B-33"][3].value == "Wohngeld"
    rows["EG-B-33"][4].value = "abgeschlossen"
    assert rows["EG-B-37"][3].value == "Wohnsitz Änderung"
    rows["EG-B-37"][4].value = "in Arbeit"
    assert rows["EG-B-41"][3].value == "Bürgerterminals"
    rows["EG-B-41"][6].value = "2025"
    assert rows["EG-B-03"][4].value == "erledigt"
    rows["EG-B-03"][4].value = "abgeschlossen"  # a synonym: no change
    assert rows["WT-12"][3].value == "Digitaler Cityguide"
    sheet.delete_rows(rows["WT-12"][0].row)
    sheet.append(["DI-09", "Digitale Infrastruktur und Klimaschutz", "Bürger", "Open-Data-Portal", "offen", "", "2024"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_bundled_report_against_itself_and_a_modified_copy():
    bundled = load_report(BUNDLED).measures
    same = compare(bundled, bundled)
    assert not same.has_changes
    assert len(same.matches) == len(bundled)
    assert set(same.matches["matched_by"]) == {BY_ID}

    modified = load_report(_modified_bundled(), "status_2022-09.xlsx").measures
    result = compare(bundled, modified)
    assert to_dict(result) == {
        "added": ["Open-Data-Portal"],
        "removed": ["Digitaler Cityguide"],
        "status_changed": [
            {"measure": "Wohngeld", "from": "in_bearbeitung", "to": "erledigt"},
            {"measure": "Wohnsitz Änderung", "from": "offen", "to": "in_bearbeitung"},
        ],
        "target_changed": [{"measure": "Bürgerterminals", "from": "2022/2024", "to": "2025"}],
    }
    assert result.fuzzy_matches.empty
    assert summary_lines(result) == [
        "- Erledigt: Wohngeld",
        "- Neu begonnen: Wohnsitz Änderung",
        "- Neu aufgenommen: Open-Data-Portal",
        "- Entfallen: Digitaler Cityguide",
        "- Zieldatum verschoben: Bürgerterminals (2022/2024 → 2025)",
    ]


def test_review_frame_and_figures_for_the_page():
    old = load_report(csv_bytes([["Maßnahme", "Status"], ["Online-Antrag Hundesteuer", "offen"]]), "a.csv").measures
    new = load_report(csv_bytes([["Maßnahme", "Status"], ["Online Antrag Hundesteuern", "erledigt"]]), "b.csv").measures
    comparison = compare(old, new)
    review = fuzzy_review_frame(comparison)
    assert list(review.columns) == ["vorher", "nachher", "Ähnlichkeit", CONFIRMED]
    assert review[CONFIRMED].tolist() == [True]
    figures = {label: count for label, count, _help in change_figures(comparison)}
    assert figures["Neu erledigt"] == 1
    assert figures["Entfallen"] == 0
    split = compare(old, new, split_overrides(comparison.fuzzy_matches, [False]))
    assert {label: count for label, count, _help in change_figures(split)}["Entfallen"] == 1
