"""The documents for other systems, built from an installation of the test's own (no server)."""

import csv
import datetime as dt
import io
import json

import pytest

from mayen_dash import opendata
from mayen_dash.exports import export_measures, measures_json
from mayen_dash.filters import Filters
from mayen_dash.installation import Installation
from mayen_dash.loader import load_report
from mayen_dash.metrics import cards
from mayen_dash.opendata import OpenData, OpenDataError, Settings, subscription_address
from mayen_dash.store import SnapshotStore, StoreUnavailableError
from tests.builders import BUNDLED, FLAT_HEADER, csv_bytes

HOSTILE_TITLE = '=HYPERLINK("http://evil.example","Klick")'


@pytest.fixture
def shared(tmp_path):
    store = SnapshotStore(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield Installation(store)
    store.close()


@pytest.fixture
def data(shared):
    return OpenData(shared, Settings())


def refusal(call) -> OpenDataError:
    with pytest.raises(OpenDataError) as caught:
        call()
    return caught.value


def test_measures_json_is_the_exporters_document_with_stand_and_filter(data, shared):
    body = data.measures({"einheit": ["Bereich 2.1"]}, "json")
    (snapshot,) = shared.snapshots()
    report = shared.report(snapshot)
    measures = Filters(units=("Bereich 2.1",)).apply(report)
    about = {"snapshot": opendata.snapshot_record(snapshot), "filter": {"einheit": ["Bereich 2.1"]}}
    expected = measures_json(
        measures, report=report, exported_at=snapshot.uploaded_at, as_of=dt.date(2022, 8, 31), about=about
    )
    assert body.content == expected
    assert json.loads(body.content)["count"] == 9
    assert (body.media_type, body.file_name) == ("application/json", "massnahmen_2022-08-31.json")
    assert body.last_modified == snapshot.uploaded_at


def test_bodies_are_built_once_and_the_same_in_another_process(data, shared):
    first = data.measures({"status": ["erledigt"]}, "json")
    assert data.measures({"status": ["Erledigt"]}, "json") is first  # the same filter, however spelt
    assert data.measures({"status": ["offen"]}, "json") is not first
    elsewhere = OpenData(shared, Settings())  # a restart, or a second app server on the same store
    assert elsewhere.measures({"status": ["erledigt"]}, "json").etag == first.etag


def test_csv_is_the_dashboards_download_and_formula_safe(shared, tmp_path):
    rows = [FLAT_HEADER, ["EG-1", "Innovatives Wissen", "", HOSTILE_TITLE, "offen", "Bereich 2.1", "2023", "-5"]]
    table = csv_bytes(rows, ";", "utf-8")  # openpyxl would write the title as a formula; a CSV keeps it text
    shared.store.add(table, "status_2023-06.csv", load_report(table, "status_2023-06.csv"))
    body = OpenData(shared, Settings()).measures({}, "csv")
    header, row = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert row[header.index("Maßnahme")] == "'" + HOSTILE_TITLE
    assert row[header.index("Anmerkungen")] == "'-5"
    newest = shared.snapshots()[-1]
    as_of = dt.date(2023, 6, 30)
    assert body.content == export_measures(shared.report(newest).measures, "csv", as_of)
    assert body.media_type == "text/csv; charset=utf-8"


def test_figures_are_the_uebersichts_with_definitions_and_stichtag(data, shared):
    document = json.loads(data.figures({"stichtag": ["2023-12-31"]}).content)
    report = shared.report(shared.snapshots()[0])
    shown = cards(report.measures, dt.date(2023, 12, 31))
    assert {key: f["value"] for key, f in document["figures"].items()} == {c.key: c.value for c in shown}
    assert [f["label"] for f in document["figures"].values()] == [c.label for c in shown]
    assert document["as_of"] == "2023-12-31"
    assert "vor dem Stichtag 31.12.2023" in document["figures"]["overdue"]["definition"]
    assert document["figures"]["erledigt"]["share"] == pytest.approx(56 / 101)
    parts = [f["value"] for key, f in document["figures"].items() if "share" in f]
    assert sum(parts) == document["figures"]["measures"]["value"]
    assert document["filter"] == {"stichtag": "2023-12-31"}


@pytest.mark.parametrize(
    ("params", "parameter", "message"),
    [
        ({"einheit": ["Bereich 9.9"]}, "einheit", "Unbekannte Organisationseinheit „Bereich 9.9“ im Stand Nr. 1."),
        ({"feld": ["Raumfahrt"]}, "feld", "Unbekanntes Handlungsfeld „Raumfahrt“ im Stand Nr. 1."),
        ({"status": ["fast fertig"]}, "status", "Unbekannter Status „fast fertig“. Erlaubt sind: erledigt, "),
        ({"stichtag": ["gestern"]}, "stichtag", "Ungültiger Stichtag „gestern“. Erlaubt ist ein Datum als"),
        ({"stand": ["drei"]}, "stand", "Unbekannter Stand „drei“. Erlaubt sind die Nummern"),
        ({"Einheit": ["Bereich 2.1"]}, "Einheit", "Unbekannter Parameter „Einheit“. Erlaubt sind: einheit, feld"),
        ({"stand": ["1", "1"]}, "stand", "Der Parameter „stand“ darf nur einmal angegeben werden."),
    ],
)
def test_refusals_name_the_parameter_and_what_is_allowed(data, params, parameter, message):
    error = refusal(lambda: data.measures(params, "json"))
    assert (error.status, error.parameter) == (400, parameter)
    assert error.message.startswith(message)
    assert error.document()["parameter"] == parameter


def test_allowed_values_are_those_of_the_chosen_stand(data):
    error = refusal(lambda: data.measures({"einheit": ["Bereich 9.9"]}, "json"))
    assert "Bereich 2.1" in error.allowed
    assert "„Kreisverwaltung Mayen-Koblenz“" in error.message
    status = refusal(lambda: data.figures({"status": ["fast fertig"]}))
    assert status.allowed == ["erledigt", "in_bearbeitung", "laufend", "offen", "zurueckgestellt", "unbekannt"]
    assert "in Bearbeitung" in status.message


def test_calendar_is_the_downloads_for_the_newest_stand(data, shared):
    body = data.calendar("Bereich 2.1")
    (snapshot,) = shared.snapshots()
    unit = Filters(units=("Bereich 2.1",)).apply(shared.report(snapshot))
    download = export_measures(unit, "ics", exported_at=snapshot.uploaded_at)
    assert body.content.count(b"BEGIN:VEVENT") == download.count(b"BEGIN:VEVENT") == 8
    assert b"X-PUBLISHED-TTL:PT6H" in body.content
    assert body.file_name == "kalender_Bereich_2.1.ics"
    assert data.calendar("bereich  2.1") is body  # typed as the command line accepts a department
    assert data.calendar("alle").content.count(b"BEGIN:VEVENT") == 28


def test_calendar_of_an_unknown_unit_is_a_404_naming_the_units(data):
    error = refusal(lambda: data.calendar("Bereich 9.9"))
    assert error.status == 404
    assert "/kalender/Bereich%202.1.ics" in error.allowed
    assert "/kalender/alle.ics" in error.allowed


def test_snapshots_and_parameterless_documents(data):
    document = json.loads(data.snapshots({}).content)
    assert [s["report_date"] for s in document["snapshots"]] == ["2022-08-31"]
    error = refusal(lambda: data.dcat({"x": ["1"]}, "http://localhost"))
    assert error.message == "Diese Adresse nimmt keine Parameter an (erhalten: „x“)."


def test_dcat_fields_come_from_the_settings(shared):
    environment = {
        "MAYEN_PUBLIC_URL": "https://dashboard.mayen.de/",
        "MAYEN_DCAT_TITLE": "Digitalstrategie Mayen",
        "MAYEN_DCAT_DESCRIPTION": "Alle Maßnahmen.",
        "MAYEN_DCAT_PUBLISHER": "Stadtverwaltung Mayen",
        "MAYEN_DCAT_PUBLISHER_URL": "https://www.mayen.de",
        "MAYEN_DCAT_LICENSE": "dl-de/zero-2-0",
        "MAYEN_DCAT_CONTACT_EMAIL": "digital@mayen.de",
        "MAYEN_DCAT_MODIFIED": "2023-07-01T08:00:00+02:00",
    }
    document = json.loads(OpenData(shared, Settings.from_environment(environment)).dcat({}, "http://x").content)
    assert document["dct:title"] == {"@value": "Digitalstrategie Mayen", "@language": "de"}
    assert document["dct:description"]["@value"] == "Alle Maßnahmen."
    assert document["dct:publisher"] == {
        "@type": "foaf:Organization",
        "foaf:name": "Stadtverwaltung Mayen",
        "foaf:homepage": {"@id": "https://www.mayen.de"},
    }
    assert document["dct:license"] == {"@id": "http://dcat-ap.de/def/licenses/dl-zero-de/2.0"}
    assert document["dct:modified"] == {"@value": "2023-07-01T06:00:00+00:00", "@type": "xsd:dateTime"}
    assert document["dcat:contactPoint"]["vcard:hasEmail"] == {"@id": "mailto:digital@mayen.de"}
    urls = {d["dcat:accessURL"]["@id"] for d in document["dcat:distribution"]}
    assert "https://dashboard.mayen.de/api/v1/massnahmen.json" in urls  # the public address, not the request's


def test_dcat_defaults_name_the_report_and_the_licence(data, shared):
    document = json.loads(data.dcat({}, "http://127.0.0.1:8501").content)
    (snapshot,) = shared.snapshots()
    assert document["dct:title"]["@value"] == "Digitalisierungsstrategie der Stadt Mayen: Maßnahmen und Umsetzungsstand"
    assert document["dct:license"] == {"@id": "http://dcat-ap.de/def/licenses/dl-by-de/2.0"}
    assert document["dct:modified"]["@value"] == snapshot.uploaded_at.isoformat(timespec="seconds")
    assert document["dcat:landingPage"] == {"@id": "http://127.0.0.1:8501/"}
    assert Settings.from_environment({"MAYEN_DCAT_LICENSE": "https://example.org/lizenz"}).license_uri() == (
        "https://example.org/lizenz"
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MAYEN_DCAT_LICENSE", "frei", "„frei“ ist weder eine bekannte Lizenz"),
        ("MAYEN_DCAT_MODIFIED", "letzte Woche", "„letzte Woche“ ist kein Zeitpunkt"),
        ("MAYEN_PUBLIC_URL", "dashboard.mayen.de", "„dashboard.mayen.de“ ist keine http- oder https-Adresse"),
    ],
)
def test_bad_settings_are_named_in_german(name, value, message):
    with pytest.raises(ValueError, match=message):
        Settings.from_environment({name: value})


def test_subscription_address():
    assert subscription_address("http://127.0.0.1:8501/ueberfaellig?einheit=x", "Bereich 2.1", Settings()) == (
        "webcal://127.0.0.1:8501/kalender/Bereich%202.1.ics"
    )
    public = Settings(public_url="https://stadt.example/dashboard")
    assert subscription_address("http://10.0.0.9:8501/", "Klimaschutz/Umwelt", public) == (
        "webcal://stadt.example/dashboard/kalender/Klimaschutz%2FUmwelt.ics"
    )
    assert (
        subscription_address("http://localhost:8501/", None, Settings()) == "webcal://localhost:8501/kalender/alle.ics"
    )


def test_health_names_the_newest_stand_and_never_raises(shared):
    assert opendata.health(lambda: shared.store) == (
        True,
        {
            "status": "ok",
            "store_reachable": True,
            "newest_snapshot_id": None,
            "newest_report_date": None,
            "message": "Der Speicher der Berichte ist erreichbar.",
        },
    )
    (snapshot,) = shared.snapshots()
    reachable, document = opendata.health(lambda: shared.store)
    assert (reachable, document["newest_snapshot_id"], document["newest_report_date"]) == (
        True,
        snapshot.id,
        "2022-08-31",
    )

    def unreachable():
        raise StoreUnavailableError()

    reachable, document = opendata.health(unreachable)
    assert (reachable, document["store_reachable"], document["status"]) == (False, False, "unavailable")


def test_body_is_deterministic_with_gzip_and_etag():
    body = opendata.Body(b'{"a": 1}', "application/json")
    assert body.etag == opendata.Body(b'{"a": 1}', "application/json").etag
    assert len(body.etag) == 34
    assert body.etag[0] == body.etag[-1] == '"'
    assert body.gzipped == opendata.Body(b'{"a": 1}', "application/json").gzipped
    assert body.size == len(body.content) + len(body.gzipped)


def test_bundled_report_is_what_the_installation_serves(data):
    assert json.loads(data.measures({}, "json").content)["count"] == len(load_report(BUNDLED).measures) == 101
