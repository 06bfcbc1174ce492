from mayen_dash.mappings import MappingMemory, signature, suggested_column, suggested_status
from mayen_dash.model import ColumnMapping


def test_signature_ignores_spelling_but_not_order():
    assert signature(["Name", "Live", "Stelle"]) == signature(["name", " LIVE", "Stelle"])
    assert signature(["Name", "Live", "Stelle"]) != signature(["Live", "Name", "Stelle"])


def test_memory_round_trip_and_survives_a_broken_file(tmp_path):
    path = tmp_path / "sub" / "zuordnungen.json"
    memory = MappingMemory(path)
    assert memory.get("x") is None
    mapping = ColumnMapping({"title": "Name", "status": "Live"}, {"Ja": "erledigt", "Nein": "offen"})
    memory.put("x", mapping)
    assert MappingMemory(path).get("x") == mapping
    path.write_text("{kaputt")
    assert MappingMemory(path).get("x") is None


def test_unknown_status_codes_in_the_file_are_ignored(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"x": {"columns": {"title": "Name"}, "status_values": {"Ja": "fertigish"}}}')
    assert MappingMemory(path).get("x") == ColumnMapping({"title": "Name"}, {})


def test_suggestions_prefer_the_remembered_choice():
    headers = ["Name", "Status", "Stelle"]
    remembered = ColumnMapping({"status": "Name"}, {"Ja": "erledigt"})
    assert suggested_column("status", headers, remembered) == "Name"
    assert suggested_column("status", headers, ColumnMapping()) == "Status"
    assert suggested_column("title", headers, ColumnMapping()) is None
    assert suggested_column("status", ["Status"], remembered) == "Status", "a remembered header that is gone"
    assert suggested_status("Ja", remembered) == "erledigt"
    assert suggested_status("abgeschlossen", remembered) == "erledigt"
    assert suggested_status("vielleicht", ColumnMapping()) == "unbekannt"
