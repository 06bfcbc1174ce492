"""/api/v1/… against a real server: the dashboard's filter, its exporters and its figures, German refusals."""

import datetime as dt
import gzip

import pandas as pd
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from mayen_dash.exports import export_measures
from mayen_dash.filters import from_params
from mayen_dash.loader import load_report
from mayen_dash.metrics import cards
from mayen_dash.openapi import openapi_document
from tests.builders import BUNDLED, BUNDLED_BY_STATUS

pytestmark = pytest.mark.server

AS_OF = dt.date(2022, 8, 31)


@pytest.fixture(scope="module")
def bundled():
    return load_report(BUNDLED)


def schema_of(name: str, bundled) -> Draft202012Validator:
    """A validator for one schema of the API's own description, its $refs resolved within it."""
    document = openapi_document("http://localhost", bundled)
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", **document})


def test_unit_gives_the_same_nine_measures_as_the_dashboards_filter(client, bundled):
    reply = client.get("/api/v1/massnahmen.json?einheit=Bereich%202.1")
    assert reply.status == 200
    document = reply.json()
    dashboard = from_params({"einheit": "Bereich 2.1"}, bundled).apply(bundled)
    assert document["count"] == len(document["measures"]) == len(dashboard) == 9
    assert [m["id"] for m in document["measures"]] == dashboard["id"].tolist()
    assert document["filter"] == {"einheit": ["Bereich 2.1"]}
    assert document["snapshot"]["id"] == 1
    assert document["schema_version"] == "1.0"
    assert all("Bereich 2.1" in m["units"] for m in document["measures"])
    schema_of("MeasuresDocument", bundled).validate(document)


def test_measures_carry_raw_and_normalised_fields(client):
    measure = next(m for m in client.get("/api/v1/massnahmen.json").json()["measures"] if m["id"] == "EG-B-41")
    assert (measure["status_raw"], measure["status"]) == ("In Bearbeitung", "in_bearbeitung")
    assert measure["responsible"] == "Zentralbereich 1/Bereich 2.1/Kreisverwaltung Mayen-Koblenz"
    assert measure["units"] == ["Zentralbereich 1", "Bereich 2.1", "Kreisverwaltung Mayen-Koblenz"]
    assert (measure["target"], measure["start"], measure["due"]) == ("2022/2024", "2022-01-01", "2024-12-31")
    assert measure["overdue"] is False


def kpis(measures: pd.DataFrame, as_of: dt.date) -> dict[str, int]:
    """The Übersicht's cards as {key: value}."""
    return {card.key: card.value for card in cards(measures, as_of)}


def json_frame(document: dict) -> pd.DataFrame:
    """The API's measures back into the columns metrics.cards counts: status, due date, units."""
    records = document["measures"]
    return pd.DataFrame(
        {
            "status": [m["status"] for m in records],
            "due": pd.to_datetime([m["due"] for m in records]),
            "units": [tuple(m["units"]) for m in records],
        }
    )


def test_json_round_trips_to_the_figures_of_the_uebersicht(client, bundled):
    document = client.get("/api/v1/massnahmen.json").json()
    as_of = dt.date.fromisoformat(document["as_of"])
    assert as_of == AS_OF
    uebersicht = kpis(bundled.measures, AS_OF)  # what the Übersicht shows for the bundled report
    assert kpis(json_frame(document), as_of) == uebersicht
    assert uebersicht["erledigt"] == BUNDLED_BY_STATUS["erledigt"]
    served = client.get("/api/v1/kennzahlen.json").json()
    assert {key: figure["value"] for key, figure in served["figures"].items()} == uebersicht
    assert served["as_of"] == "2022-08-31"
    assert "31.08.2022" in served["figures"]["overdue"]["definition"]
    schema_of("FiguresDocument", bundled).validate(served)


def test_csv_reads_back_through_the_loader_to_the_same_figures(client, bundled):
    reply = client.get("/api/v1/massnahmen.csv?stichtag=2023-06-30")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert reply.body == export_measures(bundled.measures, "csv", dt.date(2023, 6, 30))  # the dashboard's download
    again = load_report(reply.body, "massnahmen.csv")
    assert kpis(again.measures, dt.date(2023, 6, 30)) == kpis(bundled.measures, dt.date(2023, 6, 30))


def test_filters_combine_as_in_the_dashboard(client, bundled):
    query = "einheit=Zentralbereich%201&status=in%20Bearbeitung&status=offen&stichtag=31.12.2023"
    document = client.get(f"/api/v1/massnahmen.json?{query}").json()
    params = {"einheit": "Zentralbereich 1", "status": ["in Bearbeitung", "offen"], "stichtag": "31.12.2023"}
    filters = from_params(params, bundled)
    assert [m["id"] for m in document["measures"]] == filters.apply(bundled)["id"].tolist()
    assert document["as_of"] == "2023-12-31"
    figures = client.get(f"/api/v1/kennzahlen.json?{query}").json()["figures"]
    assert figures["overdue"]["value"] == kpis(filters.apply(bundled), dt.date(2023, 12, 31))["overdue"] > 0


def test_snapshots_list_the_stored_reports(client, bundled):
    document = client.get("/api/v1/staende.json").json()
    assert document["count"] == 1
    assert document["newest_snapshot_id"] == document["snapshots"][0]["id"]
    assert document["snapshots"][0]["file_name"] == "status_2022-08.xlsx"
    assert document["snapshots"][0]["measure_count"] == 101
    schema_of("SnapshotsDocument", bundled).validate(document)
    assert client.get(f"/api/v1/massnahmen.json?stand={document['newest_snapshot_id']}").json()["count"] == 101


@pytest.mark.parametrize(
    ("query", "parameter", "named"),
    [
        ("einheit=Bereich%209.9", "einheit", "Bereich 2.1"),
        ("feld=Raumfahrt", "feld", "Innovatives Wissen"),
        ("status=fast%20fertig", "status", "in_bearbeitung"),
        ("stichtag=gestern", "stichtag", "JJJJ-MM-TT"),
        ("stand=99", "stand", "1"),
        ("einheiten=Bereich%202.1", "einheiten", "einheit"),
        ("stichtag=2023-01-01&stichtag=2023-02-01", "stichtag", "nur einmal"),
    ],
)
def test_bad_parameters_give_a_german_400_naming_the_allowed_values(client, bundled, query, parameter, named):
    reply = client.get(f"/api/v1/massnahmen.json?{query}")
    assert reply.status == 400
    document = reply.json()
    assert document["parameter"] == parameter
    assert named in document["message"]
    assert "Traceback" not in reply.text()
    schema_of("Error", bundled).validate(document)
    assert client.get(f"/api/v1/kennzahlen.json?{query}").status == 400


def test_parameterless_documents_refuse_parameters(client):
    reply = client.get("/api/v1/staende.json?einheit=Bereich%202.1")
    assert reply.status == 400
    assert reply.json()["message"] == "Diese Adresse nimmt keine Parameter an (erhalten: „einheit“)."


def test_unknown_paths_under_api_give_a_german_404(client):
    for path in ("/api/v1/massnahmen.xml", "/api/v2/massnahmen.json", "/api"):
        reply = client.get(path)
        assert reply.status == 404
        assert reply.json()["message"].startswith(f"Die Adresse „{path}“ gibt es nicht.")
        assert "/api/v1/massnahmen.json" in reply.json()["allowed"]


def test_etag_gives_304_and_the_same_etag_again(client):
    first = client.get("/api/v1/massnahmen.json?einheit=Bereich%202.1")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/massnahmen.json?einheit=Bereich%202.1", If_None_Match=etag)
    assert (again.status, again.body, again.headers["ETag"]) == (304, b"", etag)
    assert client.get("/api/v1/massnahmen.json?einheit=Bereich%203.1", If_None_Match=etag).status == 200
    since = client.get("/api/v1/massnahmen.json", If_Modified_Since=first.headers["Last-Modified"])
    assert since.status == 304
    assert client.get("/api/v1/massnahmen.json", If_Modified_Since="Mon, 01 Jan 2001 00:00:00 GMT").status == 200


def test_gzip_when_the_client_takes_it(client):
    plain = client.get("/api/v1/massnahmen.json")
    packed = client.get("/api/v1/massnahmen.json", Accept_Encoding="gzip")
    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(packed.body) < len(plain.body) / 3
    assert gzip.decompress(packed.body) == plain.body
    assert (
        client.get("/api/v1/massnahmen.json", Accept_Encoding="gzip", If_None_Match=plain.headers["ETag"]).status == 304
    )


def test_openapi_describes_every_route_and_dcat_names_licence_and_distributions(client, bundled):
    document = client.get("/api/v1/openapi.json").json()
    validate(document)
    assert set(document["paths"]) >= {
        "/api/v1/massnahmen.json",
        "/api/v1/massnahmen.csv",
        "/api/v1/kennzahlen.json",
        "/api/v1/staende.json",
        "/api/v1/dcat.json",
        "/api/v1/openapi.json",
        "/kalender/{einheit}.ics",
        "/gesundheit",
    }
    dcat = client.get("/api/v1/dcat.json").json()
    assert dcat["@type"] == "dcat:Dataset"
    assert dcat["dct:license"] == {"@id": "http://dcat-ap.de/def/licenses/dl-by-de/2.0"}
    urls = [d["dcat:downloadURL"]["@id"] for d in dcat["dcat:distribution"]]
    assert f"{client.url}/api/v1/massnahmen.csv" in urls
    assert dcat["dcatde:licenseAttributionByText"] == dcat["dct:publisher"]["foaf:name"] == "Stadt Mayen"
