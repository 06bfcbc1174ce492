from mayen_dash.mappings import signature, suggested_column, suggested_status
from mayen_dash.model import ColumnMapping


def test_signature_ignores_spelling_but_not_order():
    assert signature(["Name", "Live", "Stelle"]) == signature(["name", " LIVE", "Stelle"])
    assert signature(["Name", "Live", "Stelle"]) != signature(["Live", "Name", "Stelle"])


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
