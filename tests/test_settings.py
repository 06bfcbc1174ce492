"""The installation's settings from the environment: site links and contacts of the Erklärung."""

import datetime as dt
import logging

from mayen_dash.settings import SITE_SETTINGS, STATEMENT_DATE, SiteInfo, site_info


def test_site_info_reads_every_declared_variable():
    environment = {
        "MAYEN_IMPRESSUM_URL": " https://www.mayen.de/impressum ",
        "MAYEN_DATENSCHUTZ_URL": "https://www.mayen.de/datenschutz",
        "MAYEN_BARRIEREFREIHEIT_STELLE": "Stadt Mayen",
        "MAYEN_BARRIEREFREIHEIT_EMAIL": "barrierefrei@mayen.de",
        "MAYEN_BARRIEREFREIHEIT_TELEFON": "02651 88-0",
        "MAYEN_BARRIEREFREIHEIT_ANSCHRIFT": "Rosengasse 2\\n56727 Mayen",
        "MAYEN_DURCHSETZUNGSSTELLE": "Landesbeauftragter",
        "MAYEN_DURCHSETZUNGSSTELLE_URL": "https://example.org",
        "MAYEN_BARRIEREFREIHEIT_DATUM": "2027-01-15",
    }
    assert {name for _field, name, _address in SITE_SETTINGS} == set(environment)
    site = site_info(environment)
    assert site.impressum_url == "https://www.mayen.de/impressum"
    assert site.contact_address == "Rosengasse 2\n56727 Mayen"
    assert site.statement_date == dt.date(2027, 1, 15)
    assert site.has_contact


def test_nothing_configured_is_the_default():
    assert site_info({}) == SiteInfo()
    assert not SiteInfo().has_contact
    assert SiteInfo().statement_date == STATEMENT_DATE


def test_bad_values_are_logged_and_left_out(caplog):
    with caplog.at_level(logging.WARNING):
        site = site_info({"MAYEN_IMPRESSUM_URL": "javascript:alert(1)", "MAYEN_BARRIEREFREIHEIT_DATUM": "15.01.2027"})
    assert site.impressum_url == ""
    assert site.statement_date == STATEMENT_DATE
    assert "MAYEN_IMPRESSUM_URL" in caplog.text
    assert "MAYEN_BARRIEREFREIHEIT_DATUM" in caplog.text
