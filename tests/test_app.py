"""The dashboard in Streamlit's AppTest: every page, filters, links, and uploads."""

import datetime as dt
import json
import tomllib

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

import ui
import ui.signin
from mayen_dash import charts
from mayen_dash.access import editor_token, hash_password, token_key
from mayen_dash.charts import progress_by_area_chart
from mayen_dash.installation import installation
from mayen_dash.mappings import signature
from mayen_dash.metrics import DUE_SOON_DAYS
from mayen_dash.model import FindingCode, LoadError
from mayen_dash.readers import MAX_FILE_BYTES, limits_text, megabytes
from mayen_dash.store import SnapshotStore, StoreUnavailableError
from mayen_dash.vocabulary import NARRATIVE_FIELDS
from tests.builders import ROOT, csv_bytes, xlsx_bytes
from web import startup

PAGES = [
    "pages/uebersicht.py",
    "pages/status.py",
    "pages/ueberfaellig.py",
    "pages/scorecard.py",
    "pages/massnahmen.py",
    "pages/daten.py",
    "pages/barrierefreiheit.py",
]
TITLES = [
    "Digitalisierungsstrategie der Stadt Mayen",
    "Status",
    "Überfällig",
    "Balanced Scorecard",
    "Maßnahmen",
    "Daten",
    "Erklärung zur Barrierefreiheit",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def app(tmp_path, monkeypatch):
    # AppTest resets PagesManager.uses_pages_directory before every run (streamlit#9446, PR #14217), and a
    # `pages/` folder next to app.py sets it again, so every run after the first would execute the page file
    # alone in the legacy multipage mode, without app.py and its sidebar. The real server meets this only on
    # its very first visit through a deep link, which ui.current_view() handles (tested in the browser suite);
    # keep the flag cleared for AppTest.
    original_init = PagesManager.__init__

    def init_without_pages_directory(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init_without_pages_directory)
    monkeypatch.setenv("MAYEN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(ROOT)
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def card(at, label: str):
    """The metric card with this label."""
    return next(m for m in at.metric if m.label == label)


@pytest.mark.parametrize(("page", "title"), list(zip(PAGES, TITLES, strict=True)))
def test_every_page_renders_without_exception(app, page, title):
    app.run()
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == title


def test_pages_say_the_rules_they_apply(app):
    app.run()
    assert [tab.label for tab in app.tabs] == [section.tab for section in NARRATIVE_FIELDS]
    app.switch_page("pages/daten.py").run()
    assert any(limits_text() in m.value for m in app.markdown)
    assert f"Je Datei höchstens {megabytes(MAX_FILE_BYTES)}" in limits_text()
    assert app.get("file_uploader")[0].proto.help == limits_text(), "the uploader's help states the limits"
    app.switch_page("pages/ueberfaellig.py").run()
    assert any(h.value.startswith(f"Fällig in den nächsten {DUE_SOON_DAYS} Tagen") for h in app.header)


def test_start_page_metrics(app):
    app.run()
    assert metrics(app) == {
        "Maßnahmen": "101",
        "erledigt": "56",
        "in Bearbeitung": "19",
        "laufend": "3",
        "offen": "23",
        "überfällig": "0",
    }
    assert all(m.help for m in app.metric)
    assert card(app, "erledigt").delta == "55,4 %"
    # The total and "überfällig" first, then the status cards as its parts, each with its share.
    assert [m.label for m in app.metric] == [
        "Maßnahmen", "überfällig", "erledigt", "in Bearbeitung", "laufend", "offen"
    ]  # fmt: skip
    assert [m.delta for m in app.metric[2:]] == ["55,4 %", "18,8 %", "3,0 %", "22,8 %"]
    assert "31.08.2022" in card(app, "überfällig").help
    # The parts add up to the total, and the page says so.
    assert any(
        c.value.replace("\\", "") == "56 erledigt + 19 in Bearbeitung + 3 laufend + 23 offen = 101 Maßnahmen; "
        "„überfällig“ zählt Maßnahmen dieser Gruppen noch einmal."
        for c in app.caption
    )


def test_cards_show_every_status_that_occurs(app):
    app.run()
    rows = [["Maßnahme", "Status"], ["A", "erledigt"], ["B", "pausiert"], ["C", "vielleicht"], ["D", "laufend"]]
    use(app, "status_2023-06.csv", csv_bytes(rows), "text/csv")
    app.switch_page("pages/uebersicht.py").run()
    assert metrics(app) == {
        "Maßnahmen": "4",
        "erledigt": "1",
        "in Bearbeitung": "0",
        "laufend": "1",
        "offen": "0",
        "zurückgestellt": "1",
        "unbekannt": "1",
        "überfällig": "0",
    }
    assert sum(int(m.value) for m in app.metric[2:]) == 4


def test_unit_filter_changes_metrics_and_is_written_to_the_url(app):
    app.run()
    app.sidebar.multiselect(key="filter_einheit").select("Bereich 2.1").run()
    assert metrics(app)["Maßnahmen"] == "9"
    assert app.query_params["einheit"] == "Bereich 2.1"


def test_charts_are_built_once_per_view_and_follow_the_filter(app, monkeypatch):
    built = []

    def counting(measures):
        built.append(len(measures))
        return progress_by_area_chart(measures)

    monkeypatch.setattr(charts, "progress_by_area_chart", counting)

    def counts_in_chart() -> int:
        (spec,) = (json.loads(c.proto.spec) for c in app.get("plotly_chart"))
        return sum(int(text) for trace in spec["data"] for text in trace["text"] if text)

    app.run()
    app.run()
    assert built == [101]
    assert counts_in_chart() == 101
    units = app.sidebar.multiselect(key="filter_einheit")
    units.select("Bereich 2.1").run()
    assert built == [101, 9]
    assert counts_in_chart() == 9
    app.sidebar.multiselect(key="filter_einheit").unselect("Bereich 2.1").run()
    assert built == [101, 9]  # the view was there before: its figure is taken, not built
    assert counts_in_chart() == 101


def charts_and_their_tables(at) -> tuple[int, list[str]]:
    """How many charts the page draws, and the accessible names of the tables under "Daten als Tabelle"."""
    tables = [t for e in at.expander if e.label == "Daten als Tabelle" for t in e.table]
    return len(at.get("plotly_chart")), [t.proto.alt for t in tables]


@pytest.mark.parametrize(
    ("page", "names"),
    [
        ("pages/uebersicht.py", ["Umsetzungsstand je Handlungsfeld"]),
        (
            "pages/status.py",
            [
                "Maßnahmen nach Status",
                "Maßnahmen nach Handlungsfeld, Zielgruppe und Status",
                "Maßnahmen je Organisationseinheit",
            ],
        ),
        ("pages/ueberfaellig.py", ["Zeitplan der Maßnahmen mit Zeitraum"]),
    ],
)
def test_every_chart_has_its_summary_and_its_data_as_a_table(app, page, names):
    app.run()
    app.switch_page(page).run()
    assert charts_and_their_tables(app) == (len(names), names)
    shown = [m.value.replace("\\", "") for m in app.markdown]
    if page == "pages/uebersicht.py":
        assert any(text.startswith("56 von 101 Maßnahmen erledigt (55,4 %); E-Government") for text in shown)
        (table,) = app.expander[0].table
        assert table.value.columns.tolist() == [
            "Handlungsfeld",
            "erledigt",
            "in Bearbeitung",
            "laufend",
            "offen",
            "Summe",
        ]


def test_an_empty_cell_reads_dash_in_every_table(app):
    app.run()
    app.sidebar.date_input(key="filter_stichtag").set_value(dt.date(2023, 6, 1)).run()
    for page in ("pages/massnahmen.py", "pages/ueberfaellig.py", "pages/daten.py"):
        app.switch_page(page).run()
        assert app.dataframe, page
        assert {frame.proto.placeholder for frame in app.dataframe} == {"–"}, page


def test_the_warm_start_builds_the_start_pages_chart_for_the_first_visitor(app, monkeypatch):
    built = []

    def counting(measures):
        built.append(len(measures))
        return progress_by_area_chart(measures)

    monkeypatch.setattr(charts, "progress_by_area_chart", counting)
    monkeypatch.setattr(startup, "progress_by_area_chart", counting)
    startup.warm_up()
    assert built == [101]
    app.run()
    assert built == [101]
    assert metrics(app)["Maßnahmen"] == "101"


def test_link_sets_the_filters(app):
    app.query_params["einheit"] = "Bereich 2.1"
    app.run()
    assert metrics(app)["Maßnahmen"] == "9"
    assert app.sidebar.multiselect(key="filter_einheit").value == ["Bereich 2.1"]


def test_link_with_status_search_and_reference_date(app):
    app.query_params["status"] = "in_bearbeitung"
    app.query_params["stichtag"] = "2023-01-01"
    app.run()
    assert metrics(app)["Maßnahmen"] == "19"
    assert int(metrics(app)["überfällig"]) > 0
    app.sidebar.text_input(key="filter_q").input("Gewerbe").run()
    assert metrics(app)["Maßnahmen"] == "3"
    assert app.query_params["q"] == "Gewerbe"
    assert app.query_params["stichtag"] == "2023-01-01"


def test_unknown_link_values_are_reported(app):
    app.query_params["einheit"] = "Bereich 9.9"
    app.run()
    assert metrics(app)["Maßnahmen"] == "101"
    assert any("Bereich 9.9" in w.value.replace("\\", "") for w in app.warning)


def test_today_button_sets_the_reference_date(app):
    app.run()
    app.sidebar.button[0].click().run()
    assert app.sidebar.date_input(key="filter_stichtag").value == dt.date.today()
    assert app.query_params["stichtag"] == dt.date.today().isoformat()
    assert int(metrics(app)["überfällig"]) > 0


def test_filters_persist_across_pages(app):
    app.run()
    app.sidebar.multiselect(key="filter_feld").select("Innovatives Wissen").run()
    app.switch_page("pages/massnahmen.py").run()
    assert app.sidebar.multiselect(key="filter_feld").value == ["Innovatives Wissen"]
    assert any("6 Maßnahmen" in m.value for m in app.markdown)
    app.switch_page("pages/uebersicht.py").run()
    assert metrics(app)["Maßnahmen"] == "6"


def test_reset_filters(app):
    app.query_params["feld"] = "Innovatives Wissen"
    app.run()
    next(b for b in app.sidebar.button if b.label == "Filter zurücksetzen").click().run()
    assert metrics(app)["Maßnahmen"] == "101"


def upload(app, name, data, mime=XLSX):
    app.switch_page("pages/daten.py").run()
    app.file_uploader(key="upload").set_value((name, data, mime)).run()
    assert not app.exception, [e.value for e in app.exception]


def give_date(app, date) -> None:
    """Answer the page's question for the Stichtag of an undated file (never preset)."""
    box = next(d for d in app.date_input if d.key.startswith("stichtag_"))
    assert box.value is None, "the Stichtag is never preset to today"
    box.set_value(date).run()


def test_a_file_without_stichtag_is_stored_only_once_it_is_given(app):
    app.run()
    data = csv_bytes([["Maßnahme", "Status"], ["A", "erledigt"], ["B", "offen"]])
    upload(app, "Maßnahmen.csv", data, "text/csv")
    assert any("keinen Stichtag" in w.value for w in app.warning)
    assert not any(b.label == "Diese Daten verwenden" for b in app.button)
    give_date(app, dt.date(2023, 9, 30))
    next(b for b in app.button if b.label == "Diese Daten verwenden").click().run()
    notices = [s.value.replace("\\", "") for s in app.success]
    assert notices[:1] == ["Gespeichert und angezeigt: Stand 30.09.2023 – Maßnahmen.csv."]
    app.switch_page("pages/daten.py").run()
    box = next(d for d in app.date_input if d.key.startswith("korrektur_"))
    box.set_value(dt.date(2021, 12, 31)).run()
    next(b for b in app.button if b.label == "Stichtag ändern").click().run()
    picker = app.sidebar.selectbox(key="filter_stand")
    assert picker.options[-1] == "Stand 31.12.2021 – Maßnahmen.csv", "re-sorted by the corrected Stichtag"


def test_several_files_each_become_a_stand(app):
    app.run()
    first, second = small_report(1, "2023-06"), small_report(3, "2024-06")
    app.switch_page("pages/daten.py").run()
    app.file_uploader(key="upload").set_value([(first[1], first[0], "text/csv"), (second[1], second[0], "text/csv")])
    app.run()
    assert sum("Die Datei ist lesbar: 4 Maßnahmen" in s.value for s in app.success) == 2
    next(b for b in app.button if b.label == "Diese 2 Stände speichern").click().run()
    notices = [s.value.replace("\\", "") for s in app.success]
    assert notices[0].startswith("Gespeichert: 2 Stände")
    assert len([n for n in notices if n.startswith("Gespeichert")]) == 1, "one message"
    assert app.sidebar.selectbox(key="filter_stand").options[0] == "Stand 30.06.2024 – status_2024-06.csv"


def test_a_file_stored_meanwhile_by_another_session_is_named_as_already_stored(app, monkeypatch):
    app.run()
    first, second = small_report(1, "2023-06"), small_report(3, "2024-06")
    app.switch_page("pages/daten.py").run()
    app.file_uploader(key="upload").set_value([(first[1], first[0], "text/csv"), (second[1], second[0], "text/csv")])
    app.run()
    real_add = SnapshotStore.add

    def stored_meanwhile(store, data, *args, **kwargs):
        """Another session stores the second file between this page's check and its store."""
        if data == second[0]:
            real_add(store, data, *args, **kwargs)
        return real_add(store, data, *args, **kwargs)

    monkeypatch.setattr(SnapshotStore, "add", stored_meanwhile)
    next(b for b in app.button if b.label == "Diese 2 Stände speichern").click().run()
    notices = [s.value.replace("\\", "") for s in app.success]
    assert notices[0] == (
        "Gespeichert: 1 Stand (Stand 30.06.2023 – status_2023-06.csv). Schon gespeichert war: Stand 30.06.2024 – "
        "status_2024-06.csv. Angezeigt wird Stand 30.06.2024 – status_2024-06.csv."
    )


def test_upload_is_checked_before_it_is_used(app):
    app.run()
    data = csv_bytes(
        [
            ["Maßnahme", "Status", "Verantwortlichkeit"],
            ["A", "erledigt", "Fachbereich 1"],
            ["B", "vielleicht", "Bereich 2.1"],
            ["C", "offen", "Bereich 2.1"],
        ]
    )
    upload(app, "status_2023-06.csv", data, "text/csv")
    assert any("Die Datei ist lesbar: 3 Maßnahmen" in s.value for s in app.success)
    assert app.dataframe[0].value["Zeile"].tolist() == [3]
    assert "Code" not in app.dataframe[0].value.columns, "the machine code is no column on screen"
    assert "Unbekannter Status (1)" in [h.value for h in app.subheader], "findings grouped under their code"
    app.switch_page("pages/uebersicht.py").run()
    assert metrics(app)["Maßnahmen"] == "101", "not used before the user confirms"
    upload(app, "status_2023-06.csv", data, "text/csv")
    next(b for b in app.button if b.label == "Diese Daten verwenden").click().run()
    app.switch_page("pages/uebersicht.py").run()
    assert metrics(app)["Maßnahmen"] == "3"
    assert "Stand 30.06.2023" in app.caption[0].value.replace("\\", "")


def test_refused_upload_keeps_the_data(app):
    app.run()
    upload(app, "kaputt.xlsx", b"PK\x03\x04 kaputt")
    assert any("nicht übernommen" in e.value and "beschädigt" in e.value for e in app.error)
    assert not any(b.label == "Diese Daten verwenden" for b in app.button)
    app.switch_page("pages/uebersicht.py").run()
    assert metrics(app)["Maßnahmen"] == "101"


def test_foreign_export_is_mapped_by_hand_and_remembered(app):
    app.run()
    data = xlsx_bytes(
        {"Export": [["Name", "Live", "Stelle"], ["Hundeanmeldung", "Ja", "ZB 1"], ["Wohngeld", "Nein", "FB 1"]]}
    )
    upload(app, "export.xlsx", data)
    assert any("„Name“, „Live“, „Stelle“" in w.value.replace("\\", "") for w in app.warning)
    shape_keys = [s.key for s in app.selectbox]
    title_box = next(s for s in app.selectbox if s.key.endswith("_title"))
    status_box = next(s for s in app.selectbox if s.key.endswith("_status"))
    title_box.set_value("Name")
    status_box.set_value("Live").run()
    assert len(app.selectbox) > len(shape_keys), "status values appear once the column is chosen"
    next(s for s in app.selectbox if s.key.endswith("_value_Ja")).set_value("erledigt")
    next(s for s in app.selectbox if s.key.endswith("_value_Nein")).set_value("offen").run()
    assert any("Die Datei ist lesbar: 2 Maßnahmen" in s.value for s in app.success)
    assert not any(b.label == "Diese Daten verwenden" for b in app.button), "no Stichtag yet: asked first"
    give_date(app, dt.date(2023, 6, 30))
    next(b for b in app.button if b.label == "Diese Daten verwenden").click().run()
    app.switch_page("pages/uebersicht.py").run()
    assert metrics(app)["erledigt"] == "1"
    assert card(app, "erledigt").delta == "50,0 %"
    remembered = installation().store.remembered_mapping(signature(["Name", "Live", "Stelle"]))
    assert remembered.columns["status"] == "Live", "kept in the store, for every app server"

    again = xlsx_bytes(
        {
            "Export": [
                ["Name", "Live", "Stelle"],
                ["Hundeanmeldung", "Ja", "ZB 1"],
                ["Wohngeld", "Ja", "FB 1"],
                ["Bauantrag", "Nein", "B 3.1"],
            ]
        }
    )
    upload(app, "export_neu.xlsx", again)
    assert any("Zuordnung gespeichert" in i.value for i in app.info)
    assert any("Die Datei ist lesbar: 3 Maßnahmen" in s.value for s in app.success)


def test_template_download_on_the_data_page(app):
    app.run()
    app.switch_page("pages/daten.py").run()
    assert any(b.label.startswith("Vorlage herunterladen") for b in app.get("download_button"))


def test_hostile_titles_are_shown_as_text(app):
    app.run()
    data = csv_bytes(
        [["Maßnahme", "Status"], ["<img src=x onerror=alert(1)>", "offen"], ["[klick](javascript:alert(2))", "offen"]],
        ",",
        "utf-8",
    )
    upload(app, "boese.csv", data, "text/csv")
    give_date(app, dt.date(2023, 6, 30))
    next(b for b in app.button if b.label == "Diese Daten verwenden").click().run()
    app.switch_page("pages/massnahmen.py").run()
    titles = app.dataframe[0].value["Maßnahme"].tolist()
    assert titles == ["<img src=x onerror=alert(1)>", "[klick](javascript:alert(2))"]


def test_the_tables_own_toolbar_offers_no_csv_download():
    """Its CSV writes =HYPERLINK(…) as it stands; the pages offer the formula-safe export instead."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True


def test_streamlit_config_matches_the_loader():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_FILE_BYTES
    assert megabytes(MAX_FILE_BYTES) == f"{config['server']['maxUploadSize']} MB"
    assert config["client"]["toolbarMode"] == "minimal"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["enableXsrfProtection"] is True
    assert config["runner"]["postScriptGC"] is False  # a full collection after every run blocks all sessions


def use(app, name, data, mime=XLSX):
    upload(app, name, data, mime)
    next(b for b in app.button if b.label == "Diese Daten verwenden").click().run()
    assert not app.exception, [e.value for e in app.exception]


def small_report(n_done: int, name_date: str) -> bytes:
    rows = [["Maßnahme", "Status"]] + [[f"M{i}", "erledigt" if i < n_done else "offen"] for i in range(4)]
    return csv_bytes(rows), f"status_{name_date}.csv"


def test_every_upload_becomes_a_snapshot_and_the_link_names_it(app):
    app.run()
    assert app.query_params["stand"] == "1"
    data, name = small_report(1, "2023-06")
    use(app, name, data, "text/csv")
    assert any("Gespeichert und angezeigt: Stand 30.06.2023" in s.value.replace("\\", "") for s in app.success)
    assert app.query_params["stand"] == "2"
    app.switch_page("pages/uebersicht.py").run()
    assert metrics(app)["Maßnahmen"] == "4"
    picker = app.sidebar.selectbox(key="filter_stand")
    assert picker.options == ["Stand 30.06.2023 – status_2023-06.csv", "Stand 31.08.2022 – status_2022-08.xlsx"]
    picker.set_value(1).run()
    assert metrics(app)["Maßnahmen"] == "101"
    assert app.query_params["stand"] == "1"
    # The whole file name, which the select box may cut, stands under it.
    assert any(
        c.value.replace("\\", "").startswith("Datei status_2022-08.xlsx, gespeichert am ") for c in app.sidebar.caption
    )


def test_link_to_an_older_snapshot(app, tmp_path):
    app.run()
    data, name = small_report(1, "2023-06")
    use(app, name, data, "text/csv")
    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    fresh.query_params["stand"] = "1"
    fresh.run()
    assert metrics(fresh)["Maßnahmen"] == "101"
    newest = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    newest.run()
    assert metrics(newest)["Maßnahmen"] == "4", "a new session sees the upload of another session"


def test_same_content_is_not_stored_twice(app):
    app.run()
    data, name = small_report(1, "2023-06")
    use(app, name, data, "text/csv")
    upload(app, "kopie.csv", data, "text/csv")
    assert any(
        "schon gespeichert als Stand 30.06.2023 – status_2023-06.csv" in i.value.replace("\\", "") for i in app.info
    )
    assert not any(b.label == "Diese Daten verwenden" for b in app.button)
    assert not any(d.key.startswith("stichtag_") for d in app.date_input), "no Stichtag asked for a stored file"
    assert len(app.sidebar.selectbox(key="filter_stand").options) == 2


def choose_same_date(app, choice: str) -> None:
    """Answer the page's question for a Stichtag already stored (never preset), then store."""
    radio = next(r for r in app.radio if r.key.startswith("gleicher_tag_"))
    assert radio.value is None, "neither replacing nor keeping is preset"
    assert not any(b.label == "Diese Daten verwenden" for b in app.button), "not stored before the user says how"
    radio.set_value(choice).run()
    next(b for b in app.button if b.label == "Diese Daten verwenden").click().run()
    assert not app.exception, [e.value for e in app.exception]


def test_second_file_for_a_stichtag_asks_replace_or_keep(app):
    app.run()
    first, name = small_report(1, "2023-06")
    use(app, name, first, "text/csv")
    second, _ = small_report(3, "2023-06")
    upload(app, "status_2023-06-30.csv", second, "text/csv")
    assert any(
        "Für den Stichtag 30.06.2023 ist bereits „status_2023-06.csv“ gespeichert" in i.value.replace("\\", "")
        for i in app.info
    )
    choose_same_date(app, "Ersetzen")
    options = app.sidebar.selectbox(key="filter_stand").options
    assert options == ["Stand 30.06.2023 – status_2023-06-30.csv", "Stand 31.08.2022 – status_2022-08.xlsx"]
    third, _ = small_report(2, "2023-06")
    upload(app, "status_2023-06-b.csv", third, "text/csv")
    choose_same_date(app, "Beide behalten")
    assert len(app.sidebar.selectbox(key="filter_stand").options) == 3


def test_delete_a_snapshot(app):
    app.run()
    data, name = small_report(1, "2023-06")
    use(app, name, data, "text/csv")
    next(b for b in app.button if b.label == "Endgültig löschen").click().run()
    assert any("Gelöscht" in s.value for s in app.success)
    assert len(app.sidebar.selectbox(key="filter_stand").options) == 1
    app.switch_page("pages/uebersicht.py").run()
    assert metrics(app)["Maßnahmen"] == "101"


def test_a_database_failure_while_storing_or_fetching_a_file_is_a_german_message(app, monkeypatch):
    app.run()
    data, name = small_report(1, "2023-06")
    upload(app, name, data, "text/csv")

    def unavailable(*_args, **_kwargs):
        raise StoreUnavailableError()

    monkeypatch.setattr(SnapshotStore, "add", unavailable)
    monkeypatch.setattr(SnapshotStore, "original", unavailable)
    next(b for b in app.button if b.label == "Diese Daten verwenden").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("nicht erreichbar" in e.value for e in app.error)
    assert any("Die Originaldatei ist gerade nicht abrufbar" in w.value for w in app.warning)
    app.switch_page("pages/massnahmen.py").run()
    app.toggle(key="edit_mode").set_value(True).run()
    assert not app.exception, [e.value for e in app.exception]


def test_history_and_comparison_pages_with_two_reports(app):
    app.run()
    app.switch_page("pages/verlauf.py").run()
    assert any("mindestens zwei" in i.value for i in app.info)
    app.switch_page("pages/vergleich.py").run()
    assert any("mindestens zwei" in i.value for i in app.info)
    rows = [
        ["ID", "Maßnahme", "Status", "Zieldatum"],
        ["EG-B-01", "Evaluierung Homepage", "erledigt", "2023"],
        ["NEU-1", "Neue Maßnahme", "offen", "2024"],
    ]
    use(app, "status_2023-06.csv", csv_bytes(rows), "text/csv")
    app.switch_page("pages/verlauf.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.info
    assert charts_and_their_tables(app) == (2, ["Status der Maßnahmen je Bericht", "Anteil erledigt je Handlungsfeld"])
    app.switch_page("pages/vergleich.py").run()
    assert not app.exception, [e.value for e in app.exception]
    figures = metrics(app)
    assert figures["Neu erledigt"] == "1"
    assert figures["Neu aufgenommen"] == "1"
    assert figures["Entfallen"] == "100"
    assert any("Erledigt\\: Evaluierung Homepage" in m.value for m in app.markdown)


def test_meeting_mode_on_a_stand_from_libreoffice_is_refused_in_german(app, samples):
    app.run()
    use(app, "bericht.ods", samples["ods"], "application/vnd.oasis.opendocument.spreadsheet")
    app.switch_page("pages/massnahmen.py").run()
    app.toggle(key="edit_mode").set_value(True).run()
    app.session_state["editor_2"] = {"edited_rows": {1: {"Status": "erledigt"}}, "added_rows": [], "deleted_rows": []}
    app.run()
    app.date_input(key="edit_report_date").set_value(dt.date(2024, 10, 31)).run()
    next(b for b in app.button if b.label == "Als neuen Stand speichern").click().run()
    assert not app.exception, [e.value for e in app.exception]
    refusals = [e.value.replace("\\", "") for e in app.error]
    assert any(
        r.startswith("Ein Stand aus einer LibreOffice-Tabelle (.ods) kann im Besprechungsmodus nicht bearbeitet werden")
        for r in refusals
    ), refusals
    assert len(app.sidebar.selectbox(key="filter_stand").options) == 2, "nothing stored"


def test_meeting_mode_edits_and_saves_a_new_snapshot(app):
    app.run()
    app.switch_page("pages/massnahmen.py").run()
    app.toggle(key="edit_mode").set_value(True).run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("Noch keine Änderungen" in c.value for c in app.caption)
    app.session_state["editor_1"] = {
        "edited_rows": {
            0: {"Status": "erledigt", "Anmerkungen": "=in der Sitzung bestätigt"},
            1: {"Zieldatum": "irgendwann"},
        },
        "added_rows": [],
        "deleted_rows": [],
    }
    app.run()
    assert any("berichtigen" in e.value for e in app.error)
    assert "irgendwann" in app.dataframe[-1].value["Hinweis"].iloc[0]
    app.session_state["editor_1"] = {
        "edited_rows": {
            0: {"Status": "erledigt", "Anmerkungen": "=in der Sitzung bestätigt"},
            1: {"Zieldatum": "Q4/2023"},
        },
        "added_rows": [],
        "deleted_rows": [],
    }
    app.run()
    assert any("3 geänderte Felder, noch nicht gespeichert" in s.value for s in app.subheader)
    pending = app.dataframe[-1].value
    assert pending.to_numpy().tolist() == [
        ["EG-B-01", "Evaluierung Homepage", "Status", "in Bearbeitung", "erledigt"],
        ["EG-B-01", "Evaluierung Homepage", "Anmerkungen", "", "=in der Sitzung bestätigt"],
        ["EG-B-02", "Online Terminvereinbarung", "Zieldatum", "", "Q4/2023"],
    ]
    # No Stichtag is preselected: saving waits until one is chosen.
    assert app.date_input(key="edit_report_date").value is None
    assert next(b for b in app.button if b.label == "Als neuen Stand speichern").disabled
    app.date_input(key="edit_report_date").set_value(dt.date(2022, 12, 31)).run()
    assert not next(b for b in app.button if b.label == "Als neuen Stand speichern").disabled
    next(b for b in app.button if b.label == "Als neuen Stand speichern").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("Gespeichert und angezeigt: Stand 31.12.2022" in s.value.replace("\\", "") for s in app.success)
    app.toggle(key="edit_mode").set_value(False).run()
    table = app.dataframe[0].value.set_index("ID")
    assert table.loc["EG-B-01", "Status"] == "erledigt"
    assert table.loc["EG-B-01", "Anmerkungen"] == "=in der Sitzung bestätigt"
    assert table.loc["EG-B-02", "Zieldatum"] == "Q4/2023"
    app.switch_page("pages/vergleich.py").run()
    assert metrics(app)["Neu erledigt"] == "1"
    assert metrics(app)["Zieldatum geändert"] == "1"


@pytest.fixture
def shared(app, monkeypatch):
    monkeypatch.setenv("MAYEN_SHARED", "1")
    return app


def anonymous_cannot_change_anything(app):
    app.switch_page("pages/daten.py").run()
    assert not app.get("file_uploader")
    assert not any(b.label == "Endgültig löschen" for b in app.button)
    app.switch_page("pages/massnahmen.py").run()
    assert app.toggle(key="edit_mode").disabled
    app.session_state["edit_mode"] = True  # even a forged widget state opens no editor
    app.run()
    assert not app.data_editor
    assert not any(b.label == "Als neuen Stand speichern" for b in app.button)


def test_shared_installation_without_login_is_read_only(shared):
    shared.run()
    assert metrics(shared)["Maßnahmen"] == "101", "reading stays public"
    anonymous_cannot_change_anything(shared)
    shared.switch_page("pages/daten.py").run()
    assert any("nur zum Lesen freigegeben" in i.value for i in shared.info)


def test_editor_password_protects_changes(shared, monkeypatch):
    stored_hash = hash_password("Ratssitzung-2025")
    shared.secrets["mayen"] = {"editor_password_hash": stored_hash}
    cookie = [None]
    monkeypatch.setattr(ui.signin, "editor_cookie", lambda: cookie[0])  # AppTest has no browser cookies
    shared.run()
    anonymous_cannot_change_anything(shared)
    (link,) = shared.sidebar.get("link_button")
    assert link.proto.label == "Als Bearbeiter anmelden"
    assert link.proto.url.startswith("/anmelden?weiter=")
    now = dt.datetime.now(dt.UTC)
    cookie[0] = editor_token(token_key(hash_password("ein anderes Kennwort")), now)  # signed with another key
    anonymous_cannot_change_anything(shared)
    cookie[0] = editor_token(token_key(stored_hash), now - dt.timedelta(hours=9))  # expired
    anonymous_cannot_change_anything(shared)
    cookie[0] = editor_token(token_key(stored_hash), now)
    shared.switch_page("pages/daten.py").run()
    assert any("Als Bearbeiter angemeldet bis" in c.value for c in shared.sidebar.caption)
    assert shared.sidebar.get("link_button")[0].proto.label == "Abmelden"
    assert shared.get("file_uploader")
    assert any(b.label == "Endgültig löschen" for b in shared.button)
    shared.switch_page("pages/massnahmen.py").run()
    shared.toggle(key="edit_mode").set_value(True).run()
    assert shared.data_editor


def test_oidc_sign_in(shared):
    shared.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "geheim"}
    shared.user = {"is_logged_in": False}
    shared.run()
    assert any(b.label == "Als Bearbeiter anmelden" for b in shared.sidebar.button)
    anonymous_cannot_change_anything(shared)
    shared.user = {"is_logged_in": True, "name": "Erika Muster", "email": "e.muster@mayen.de"}
    shared.switch_page("pages/daten.py").run()
    assert shared.get("file_uploader")
    assert any("Erika Muster" in c.value for c in shared.sidebar.caption)


def test_exports_and_council_report_are_offered(app):
    app.run()
    labels = [b.label for b in app.get("download_button")]
    assert "Statusbericht (HTML)" in labels
    next(b for b in app.button if b.label == "PDF erstellen").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert "PDF herunterladen" in [b.label for b in app.get("download_button")]
    app.switch_page("pages/massnahmen.py").run()
    labels = [b.label for b in app.get("download_button")]
    expected = {"Excel herunterladen", "Als CSV herunterladen", "JSON für das Open-Data-Portal", "Kalender (iCalendar)"}
    assert expected <= set(labels)


def test_overdue_page_offers_the_calendar_of_the_unit_in_the_filter(app):
    app.query_params["einheit"] = "Bereich 2.1"
    app.run()
    app.switch_page("pages/ueberfaellig.py").run()
    assert not app.exception
    assert [code.value for code in app.code] == ["/kalender/Bereich%202.1.ics"]  # AppTest has no browser address
    assert any("Kalender abonnieren" in header.value for header in app.header)
    assert any("Thunderbird" in caption.value for caption in app.main.caption)


def test_units_that_mean_the_same_are_merged_on_the_data_page(app):
    app.run()
    assert "Zentralbereich" in app.sidebar.multiselect(key="filter_einheit").options
    app.switch_page("pages/daten.py").run()
    hints = [m.value.replace("\\", "") for m in app.markdown if "Meinen sie dieselbe" in m.value.replace("\\", "")]
    assert len(hints) == 3
    assert hints[0].startswith("„Zentralbereich“ (4 Maßnahmen) und „Zentralbereich 1“ (73 Maßnahmen)")
    into = next(s for s in app.selectbox if s.label == "Gemeinsamer Name")
    assert into.value == "Zentralbereich 1"
    next(b for b in app.button if b.label == "Zusammenführen").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("Zusammengeführt" in s.value for s in app.success)
    assert len([m for m in app.markdown if "Meinen sie dieselbe" in m.value.replace("\\", "")]) == 2
    assert app.dataframe[-1].value.to_numpy().tolist() == [["Zentralbereich", "Zentralbereich 1"]]
    options = app.sidebar.multiselect(key="filter_einheit").options
    assert "Zentralbereich" not in options
    app.sidebar.multiselect(key="filter_einheit").select("Zentralbereich 1").run()
    app.switch_page("pages/uebersicht.py").run()
    assert metrics(app)["Maßnahmen"] == "77"
    # The merge holds for a Stand stored afterwards, too.
    rows = [["Maßnahme", "Status", "Verantwortlichkeit"], ["A", "offen", "Zentralbereich"]]
    use(app, "status_2023-06.csv", csv_bytes(rows), "text/csv")
    assert app.sidebar.multiselect(key="filter_einheit").options == ["Zentralbereich 1"]
    app.switch_page("pages/daten.py").run()
    next(b for b in app.button if b.label == "Wieder trennen").click().run()
    assert any("Getrennt" in s.value for s in app.success)
    assert app.sidebar.multiselect(key="filter_einheit").options == ["Zentralbereich"]


def test_the_accessibility_statement_names_the_configured_contact(app, monkeypatch):
    monkeypatch.setenv("MAYEN_BARRIEREFREIHEIT_EMAIL", "barrierefrei@mayen.de")
    monkeypatch.setenv("MAYEN_BARRIEREFREIHEIT_TELEFON", "02651 88-0")
    app.run()
    app.switch_page("pages/barrierefreiheit.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "Erklärung zur Barrierefreiheit"
    assert [h.value for h in app.main.header] == [
        "Stand der Vereinbarkeit mit den Anforderungen",
        "Was noch nicht barrierefrei ist, und warum",
        "Barrieren melden: Kontakt",
        "Schlichtungsverfahren",
    ]
    text = "\n".join(m.value for m in app.markdown)
    assert "(mailto:barrierefrei@mayen.de)" in text
    assert "02651 88\\-0" in text
    assert "(https://www.schlichtungsstelle-bgg.de)" in text


def site_links(at) -> dict[str, str]:
    return {link.proto.label: link.proto.page for link in at.sidebar.get("page_link")}


def test_a_shared_installation_links_impressum_datenschutz_and_barrierefreiheit(shared, monkeypatch):
    shared.run()
    assert site_links(shared) == {"Barrierefreiheit": "barrierefreiheit"}
    monkeypatch.setenv("MAYEN_IMPRESSUM_URL", "https://www.mayen.de/impressum")
    monkeypatch.setenv("MAYEN_DATENSCHUTZ_URL", "https://www.mayen.de/datenschutz")
    shared.run()
    assert site_links(shared) == {
        "Impressum": "https://www.mayen.de/impressum",
        "Datenschutzerklärung": "https://www.mayen.de/datenschutz",
        "Barrierefreiheit": "barrierefreiheit",
    }


def test_ones_own_machine_shows_no_site_links(app, monkeypatch):
    monkeypatch.setenv("MAYEN_IMPRESSUM_URL", "https://www.mayen.de/impressum")
    app.run()
    assert site_links(app) == {}


def test_the_accessibility_statement_stays_readable_when_the_data_cannot_be_loaded(app, monkeypatch):
    app.run()

    def broken() -> None:
        raise LoadError("Datei beschädigt", code=FindingCode.DAMAGED_FILE)

    monkeypatch.setattr(ui, "build_view", broken)
    app.switch_page("pages/barrierefreiheit.py").run()
    assert app.title[0].value == "Erklärung zur Barrierefreiheit"
    assert not app.error
    app.switch_page("pages/status.py").run()
    assert "Die Daten konnten nicht geladen werden: Datei beschädigt" in app.error[0].value
