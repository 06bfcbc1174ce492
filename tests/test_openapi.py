"""The API's description: a valid OpenAPI 3.1 document that names every address and parameter there is."""

import pytest
from openapi_spec_validator import validate

from mayen_dash.loader import load_report
from mayen_dash.openapi import API_PREFIX, ENDPOINTS, FILTER_PARAMS, openapi_document
from tests.builders import BUNDLED


@pytest.fixture(scope="module")
def document():
    return openapi_document("https://dashboard.mayen.de", load_report(BUNDLED))


def test_is_valid_openapi_3_1(document):
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "https://dashboard.mayen.de"}]


def test_every_endpoint_with_exactly_its_parameters(document):
    for path, parameters in ENDPOINTS.items():
        operation = document["paths"][API_PREFIX + path]["get"]
        described = [ref["$ref"].rsplit("/", 1)[-1] for ref in operation["parameters"]]
        assert described == list(parameters)
        assert ("400" in operation["responses"]) == bool(parameters)
    assert set(document["components"]["parameters"]) == set(FILTER_PARAMS)


def test_examples_come_from_the_newest_stand(document):
    unit = document["components"]["parameters"]["einheit"]
    assert "Bereich 2.1" in unit["schema"]["items"]["examples"]
    calendar = document["paths"]["/kalender/{einheit}.ics"]["get"]["parameters"][0]
    assert calendar["schema"]["examples"][-1] == "alle"
