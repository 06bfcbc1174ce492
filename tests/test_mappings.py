from mayen_dash.mappings import MappingMemory, signature
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
