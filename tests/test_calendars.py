"""/kalender/…: a calendar program's subscription, read back with a calendar library from a real server."""

import pytest
from icalendar import Calendar

from mayen_dash.exports import export_measures
from mayen_dash.filters import Filters
from mayen_dash.loader import load_report
from tests.builders import BUNDLED

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def bundled():
    return load_report(BUNDLED)


def events(body: bytes) -> dict[str, object]:
    return {str(event["UID"]): event for event in Calendar.from_ical(body).walk("VEVENT")}


def test_subscription_reads_as_a_calendar_with_the_downloads_events_and_stable_uids(client, bundled):
    first = client.get("/kalender/Bereich%202.1.ics")
    assert first.status == 200
    assert first.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(first.body)
    assert str(calendar["X-WR-CALNAME"]).endswith("– Bereich 2.1")
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT6H"
    found = events(first.body)
    unit = Filters(units=("Bereich 2.1",)).apply(bundled)
    download = events(export_measures(unit, "ics"))
    assert set(found) == set(download)
    assert len(found) == int(unit["due"].notna().sum()) == 8  # of its 9 measures, those with a due date
    for uid, event in found.items():
        assert str(event["SUMMARY"]) == str(download[uid]["SUMMARY"])
        assert event.decoded("DTSTART") == download[uid].decoded("DTSTART")
    second = client.get("/kalender/Bereich%202.1.ics")
    assert list(events(second.body)) == list(found)
    assert second.body == first.body  # even DTSTAMP: it is the time the Stand was stored


def test_all_units_and_a_unit_with_a_slash(client, bundled):
    assert len(events(client.get("/kalender/alle.ics").body)) == int(bundled.measures["due"].notna().sum()) == 28
    reply = client.get("/kalender/Klimaschutz%2FUmwelt.ics")
    assert reply.status == 200
    assert str(Calendar.from_ical(reply.body)["X-WR-CALNAME"]).endswith("– Klimaschutz/Umwelt")
    assert client.get("/kalender/bereich%202.1.ics").body == client.get("/kalender/Bereich%202.1.ics").body


def test_etag_and_last_modified_give_304(client):
    first = client.get("/kalender/alle.ics")
    assert first.headers["Last-Modified"].endswith(" GMT")
    not_modified = client.get("/kalender/alle.ics", If_None_Match=first.headers["ETag"])
    assert (not_modified.status, not_modified.body) == (304, b"")
    assert not_modified.headers["ETag"] == first.headers["ETag"]
    assert client.get("/kalender/alle.ics", If_Modified_Since=first.headers["Last-Modified"]).status == 304
    assert client.get("/kalender/Bereich%202.1.ics", If_None_Match=first.headers["ETag"]).status == 200


def test_unknown_unit_and_path_give_a_german_404(client):
    reply = client.get("/kalender/Bereich%209.9.ics")
    assert reply.status == 404
    message = reply.json()["message"]
    assert message.startswith("Einen Kalender für „Bereich 9.9“ gibt es nicht")
    assert "„Bereich 2.1“" in message
    assert "/kalender/Bereich%202.1.ics" in reply.json()["allowed"]
    other = client.get("/kalender/Bereich%202.1")
    assert other.status == 404
    assert "/kalender/alle.ics" in other.json()["message"]
