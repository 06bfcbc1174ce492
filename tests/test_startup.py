"""The warm start reads the Stand a first visitor sees, and the one before it, before the server takes visitors."""

import pytest

from mayen_dash import installation as installation_module
from mayen_dash.loader import load_report
from mayen_dash.mappings import MAPPING_FILE
from mayen_dash.model import ColumnMapping
from mayen_dash.store import StoreUnavailableError
from tests.builders import FLAT_HEADER, csv_bytes
from web import startup


@pytest.fixture
def shared(tmp_path, monkeypatch):
    monkeypatch.delenv("MAYEN_DB_URL", raising=False)
    monkeypatch.setenv("MAYEN_DATA_DIR", str(tmp_path / "var"))
    return installation_module.installation()


def add_csv(shared, name: str):
    data = csv_bytes([FLAT_HEADER, ["X-1", "", "", f"Maßnahme aus {name}", "offen", "", "", ""]])
    return shared.store.add(data, name, load_report(data, name)).snapshot


def test_newest_and_previous_stand_are_ready_after_the_warm_start(shared):
    (bundled,) = shared.snapshots()  # 31.08.2022
    older = add_csv(shared, "status_2021-12.csv")
    newer = add_csv(shared, "status_2023-06.csv")
    startup.warm_up()
    assert shared.has_report(newer)
    assert shared.has_report(bundled)  # the one before the newest: "changes since the last report"
    assert not shared.has_report(older)


def test_an_unreachable_store_does_not_stop_the_server(shared, monkeypatch, caplog):
    def unavailable():
        raise StoreUnavailableError()

    monkeypatch.setattr(shared, "snapshots", unavailable)
    startup.warm_up()
    assert "could not be read" in caplog.text


def test_an_older_installations_mapping_file_moves_into_the_store_once(shared, tmp_path):
    shared.store.remember_mapping("chosen-later", ColumnMapping({"title": "Neuer Titel"}, {}))
    legacy = tmp_path / "var" / MAPPING_FILE
    legacy.write_text(
        '{"abc": {"columns": {"title": "Vorhaben", "status": "Stand"}, "status_values": {"Live": "erledigt"}},'
        ' "chosen-later": {"columns": {"title": "Alter Titel"}, "status_values": {}}}',
        encoding="utf-8",
    )
    startup.warm_up()
    taken = ColumnMapping({"title": "Vorhaben", "status": "Stand"}, {"Live": "erledigt"})
    assert shared.store.remembered_mapping("abc") == taken
    assert shared.store.remembered_mapping("chosen-later").columns == {"title": "Neuer Titel"}
    assert not legacy.exists()
    assert legacy.with_name(MAPPING_FILE + ".übernommen").exists()
    startup.warm_up()  # nothing left to adopt, nothing fails
    assert shared.store.remembered_mapping("abc").status_values == {"Live": "erledigt"}


def test_a_mapping_file_of_another_kind_is_left_where_it_is(shared, tmp_path):
    legacy = tmp_path / "var" / MAPPING_FILE
    legacy.write_text("[1, 2]", encoding="utf-8")
    startup.warm_up()
    assert legacy.read_text(encoding="utf-8") == "[1, 2]"
