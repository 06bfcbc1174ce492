"""The Erklärung zur Barrierefreiheit: what BITV 2.0 § 7 asks for, with the configured contacts, escaped."""

import datetime as dt

from mayen_dash.accessibility import statement_markdown, statement_sections
from mayen_dash.settings import STATEMENT_DATE, SiteInfo

CONTACT = SiteInfo(
    contact_email="barrierefrei@mayen.de",
    contact_phone="02651 88-0",
    contact_address="Stadtverwaltung Mayen\nRosengasse 2\n56727 Mayen",
    statement_date=dt.date(2027, 1, 15),
)


def test_the_statement_has_every_part_bitv_asks_for():
    headings = [heading for heading, _body in statement_sections(CONTACT)]
    assert headings == [
        "",
        "Stand der Vereinbarkeit mit den Anforderungen",
        "Was noch nicht barrierefrei ist, und warum",
        "Barrieren melden: Kontakt",
        "Schlichtungsverfahren",
    ]
    text = statement_markdown(CONTACT)
    assert "**teilweise vereinbar**" in text
    assert "Die Erklärung ist vom **15.01.2027**." in text
    assert "Plotly" in text
    assert "Daten als Tabelle" in text
    assert "[www\\.schlichtungsstelle\\-bgg\\.de](https://www.schlichtungsstelle-bgg.de)" in text
    assert "§ 16 BGG" in text


def test_the_configured_contact_is_written_with_links():
    contact = dict(statement_sections(CONTACT))["Barrieren melden: Kontakt"]
    assert "- E-Mail: [barrierefrei@mayen\\.de](mailto:barrierefrei@mayen.de)" in contact
    assert "- Telefon: 02651 88\\-0" in contact
    assert "- Anschrift: Stadtverwaltung Mayen  \n  Rosengasse 2  \n  56727 Mayen" in contact


def test_without_contact_it_says_so_and_names_the_body():
    site = SiteInfo(body="Verbandsgemeinde Vordereifel")
    contact = dict(statement_sections(site))["Barrieren melden: Kontakt"]
    assert "noch kein Kontakt eingetragen" in contact
    assert "Verbandsgemeinde Vordereifel" in contact
    assert "Die Erklärung ist vom **" + STATEMENT_DATE.strftime("%d.%m.%Y") + "**." in statement_markdown(site)


def test_the_landes_durchsetzungsstelle_is_named_where_configured():
    site = SiteInfo(enforcement="Landesbeauftragter für Barrierefreiheit", enforcement_url="https://example.org/a(b)")
    arbitration = dict(statement_sections(site))["Schlichtungsverfahren"]
    assert "- Landesbeauftragter für Barrierefreiheit" in arbitration
    assert "- Im Internet: [https\\://example\\.org/a\\(b\\)](https://example.org/a%28b%29)" in arbitration
    assert "nennt Ihnen der oben genannte Kontakt" not in arbitration
    assert "nennt Ihnen der oben genannte Kontakt" in statement_markdown(SiteInfo())


def test_configured_values_cannot_become_markup():
    site = SiteInfo(contact_phone="[klick](javascript:alert(1))", body="<b>Stadt</b>")
    text = statement_markdown(site)
    assert "](javascript:" not in text
    assert "\\[klick\\]\\(javascript\\:alert\\(1\\)\\)" in text
    assert "<b>" not in text
