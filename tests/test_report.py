"""The status report as HTML: complete, self-contained, escaped, in German; and `python -m mayen_dash report`."""

import datetime as dt
import html
import re

import pandas as pd
import pytest
from jinja2 import meta

from mayen_dash import pdf
from mayen_dash import report as report_module
from mayen_dash.cli import main
from mayen_dash.filters import Filters
from mayen_dash.loader import load_report
from mayen_dash.metrics import filter_measures
from mayen_dash.report import TEMPLATES, build_report_html, report_file_name, rich_text
from tests.builders import BUNDLED, FLAT_HEADER, xlsx_bytes

AS_OF = dt.date(2023, 1, 1)
STAMP = dt.datetime(2024, 1, 31, 9, 15)
HOSTILE = "<img src=x onerror=alert(1)>"
BREAKOUT = "</script><script>alert(2)</script>"

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)


@pytest.fixture(scope="module")
def bundled():
    return load_report(BUNDLED)


@pytest.fixture(scope="module")
def page(bundled):
    return build_report_html(bundled, bundled.measures, AS_OF, generated_at=STAMP)


def markup(document: str) -> str:
    """The document without the contents of its script elements: what the browser parses as HTML."""
    return _SCRIPT.sub("<script></script>", document)


def visible(document: str) -> str:
    """Roughly the text a reader sees: style and scripts dropped, tags as spaces, entities decoded."""
    body = re.sub(r"<style>.*?</style>", " ", _SCRIPT.sub(" ", document), flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body)).replace("\xad", "")
    return " ".join(text.split())


def hostile_report() -> object:
    rows = [
        FLAT_HEADER,
        ["X-01", HOSTILE, "Bürger", HOSTILE, "offen", HOSTILE, "2022", HOSTILE],
        ["X-02", "Innovatives Wissen", "", BREAKOUT, "in Bearbeitung", "Zentralbereich 1", "2023", "+1 & <b>"],
    ]
    report_sheet = [
        ["Titel", f"Bericht {HOSTILE}"],
        ["Stichtag", "31.08.2022"],
        ["Projektmanager", HOSTILE],
        ["Projektziel", HOSTILE],
        ["Fortschritte", f"- {HOSTILE}\n- zweiter Punkt"],
    ]
    scorecard = [
        ["Perspektive", "Leitfrage", "Strategische Ziele", "Maßnahmen", "Messgröße", "Einheit", "Zielwert", "Istwert"],
        [HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, "%", None, None],
    ]
    data = xlsx_bytes({"Maßnahmen": rows, "Bericht": report_sheet, "Scorecard": scorecard})
    return load_report(data, "boese.xlsx")


def test_contains_every_measure_of_the_filter_and_only_those(bundled):
    measures = filter_measures(bundled.measures, units=["Bereich 2.1"])
    document = build_report_html(bundled, measures, AS_OF, filter_text="Organisationseinheit: Bereich 2.1")
    shown = visible(document)
    for title in measures["title"]:
        assert title in shown
    table_part = shown[shown.rindex("Maßnahmen nach Handlungsfeld") :]
    assert "Eheurkunde" not in table_part  # a measure of Zentralbereich 1 alone
    assert "Organisationseinheit: Bereich 2.1" in shown
    assert "Gefiltert:" in shown
    assert "(9 Maßnahmen)" in shown


def test_whole_report_lists_all_101_measures(page, bundled):
    body = markup(page)
    table_rows = re.findall(r'<table class="measures">.*?</table>', body, re.S)
    assert sum(block.count("<tr>") - 1 for block in table_rows) == 101
    assert "kein Filter – alle Maßnahmen des Berichts" in visible(page)


def test_is_self_contained(page):
    body = markup(page)
    # Nothing the browser would fetch: no script or style sheet by address, no images, frames or imports.
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.I)
    assert not re.search(r"<link\b", body, re.I)
    assert not re.search(r"<(img|iframe|object|embed|video|audio|source)\b", body, re.I)
    assert not re.search(r"url\s*\((?!#)", body, re.I)  # url(#muster-offen): a pattern in the page itself
    assert "@import" not in body
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", body)
    # No script at all: the charts are SVG drawn on the server, and the file stays small.
    assert "<script" not in page
    assert page.count('<svg class="chart" role="img"') == 3  # Handlungsfeld, Organisationseinheit, überfällig
    assert len(page.encode("utf-8")) < 300_000


def test_every_figure_has_a_name_a_caption_and_its_numbers_as_a_table(page):
    figures = re.findall(r"<figure\b.*?</figure>", page, re.S)
    assert len(figures) == 3
    for figure in figures:
        name_id = re.search(r'aria-labelledby="([^"]+)"', figure)[1]
        assert f'id="{name_id}"' in figure
        assert "<figcaption>" in figure
        assert re.search(r'<svg class="chart" role="img" aria-labelledby="([^"]+)"', figure)
        assert "<title id=" in figure
    # The first two carry their table; the overdue figure's numbers are the overdue table below it.
    assert ['<table class="figures">' in figure for figure in figures] == [True, True, False]
    progress = visible(figures[0])
    assert "E-Government und Onlinezugangsgesetz: 43 von 74 erledigt (58,1 %)" in progress
    assert "Innovatives Wissen 3 1 0 2 6" in progress  # the row of the figure's table
    units = visible(figures[1])
    assert "13 Einheiten sind beteiligt; die meisten Maßnahmen hat Zentralbereich 1 (73)." in units
    assert "Zentralbereich 1 43 12 2 16 73" in units


def test_overdue_measures_have_a_figure_too(bundled):
    document = build_report_html(bundled, bundled.measures, dt.date(2023, 6, 1))
    section = document[document.index('id="ueberfaellig"') : document.index('id="massnahmen"')]
    assert section.count("<figure") == 1
    shown = visible(section)
    assert re.search(r"\d+ Maßnahmen überfällig zum Stichtag 01\.06\.2023", shown)
    assert "überfällig zum Stichtag 01.06.2023; am längsten überfällig ist" in shown


def test_a_measure_without_dates_reads_dash_never_none_nan_or_nat():
    rows = [FLAT_HEADER, ["X-01", "Feld", "", "Ohne Zieldatum", "offen", "", "", ""]]
    report = load_report(xlsx_bytes({"Maßnahmen": rows}), "liste.xlsx")
    document = build_report_html(report, report.measures, AS_OF, generated_at=STAMP)
    shown = visible(document)
    assert "X-01 Ohne Zieldatum offen –" in shown
    assert not re.search(r"\b(None|nan|NaN|NaT)\b", shown)


def test_status_is_told_by_pattern_and_word_not_by_colour_alone(page):
    # Every status but "erledigt" has its own pattern, defined once and used by the charts.
    for code in ("in_bearbeitung", "laufend", "offen"):
        assert page.count(f'<pattern id="muster-{code}"') == 1
        assert f"url(#muster-{code})" in page
    # The legend names the statuses, and each table cell says its status in words.
    assert '<td><span class="chip st-offen" aria-hidden="true"></span>offen</td>' in page


def test_prints_cleanly(page):
    assert "@media print" in page
    assert "@page" in page
    assert "break-before: page" not in page  # sections flow on; test_pdf measures that no page stays empty
    assert "display: table-header-group" in page  # table headers repeat on each printed page
    assert "break-inside: avoid" in page


def test_has_the_sections_of_the_report(page):
    shown = visible(page)
    for heading in (
        "Digitalisierungsstrategie der Stadt Mayen",
        "Projekttitel",
        "Projektmanager",
        "Projektziel",
        "Kennzahlen und Umsetzungsstand",
        "So wird gezählt",
        "Aus dem Bericht",
        "Geplante nächste Schritte",
        "Problembereiche",
        "Überfällige Maßnahmen zum Stichtag 01.01.2023",
        "Maßnahmen nach Handlungsfeld",
        "E-Government und Onlinezugangsgesetz",
        "Zielgruppe: Bürger",
        "Zielgruppe: Mitarbeiter",
        "Balanced Scorecard",
        "Finanzwirtschaftliche Perspektive",
    ):
        assert heading in shown, heading
    assert 'id="aenderungen"' not in page  # no previous report, no section
    for label in ("Status", "Verantwortlichkeit", "Zieldatum", "Anmerkungen"):
        assert label in shown


def test_german_formats_and_figures(page):
    shown = visible(page)
    assert "Stand des Berichts 31.08.2022" in shown
    assert "55,4 % aller Maßnahmen im Filter" in shown
    assert "31.01.2024, 09:15 Uhr" in shown
    # Every status of the bundled report has its card, and the parts add up to the total in words.
    for card in ("Maßnahmen 101", "erledigt 56", "in Bearbeitung 19", "laufend 3", "offen 23", "überfällig 6"):
        assert card in shown, card
    assert "56 erledigt + 19 in Bearbeitung + 3 laufend + 23 offen = 101 Maßnahmen" in shown
    # The overdue list at the Stichtag with German dates and the days late.
    start = shown.index("Überfällige Maßnahmen zum Stichtag")
    overdue = shown[start : shown.index("Maßnahmen nach Handlungsfeld", start)]
    assert "Gewerbeanmeldung" in overdue
    assert "31.10.2022" in overdue
    assert "Maßnahmen, deren Fälligkeitsdatum vor dem Stichtag 01.01.2023 liegt" in overdue


def test_narrative_keeps_bullets_as_lists(page):
    assert "<ul><li>Weitere Implementierung von Onlineprozessen" in page
    # "  - 1.) ..." under a bullet is a nested list.
    assert re.search(r"<ul><li>1\.\) Wissensvermittlung", page)


def test_scorecard_invents_no_numbers(page):
    section = markup(page)[markup(page).index('id="scorecard"') :]
    cells = re.findall(r'<td class="(num|missing)">([^<]*)</td>', section)
    assert cells
    assert {kind for kind, _ in cells} == {"missing"}
    assert {text for _, text in cells} == {"noch nicht erfasst"}
    assert "Leitfrage:" in visible(section)


def test_scorecard_figures_in_german_notation():
    scorecard = [
        ["Perspektive", "Leitfrage", "Strategische Ziele", "Maßnahmen", "Messgröße", "Einheit", "Zielwert", "Istwert"],
        ["Finanzen", "Wie?", "- Ziel", "- Tun", "Investitionsquote", "%", 1234.5, 1000],
        ["Finanzen", "", "", "", "Wachstumsquote", "%", None, None],
    ]
    rows = [["Maßnahme", "Status"], ["A", "offen"]]
    report = load_report(xlsx_bytes({"Maßnahmen": rows, "Scorecard": scorecard}), "sc.xlsx")
    document = build_report_html(report, report.measures, AS_OF)
    assert '<td class="num">1.234,5</td>' in document
    assert '<td class="num">1.000</td>' in document
    assert document.count("noch nicht erfasst") == 2


def test_escapes_every_user_text():
    report = hostile_report()
    document = build_report_html(
        report, report.measures, AS_OF, filter_text=f"Suche: {HOSTILE}", previous=report.measures.iloc[:1]
    )
    body = markup(document)
    assert "<img" not in body
    assert "onerror=alert(1)>" not in body.replace("&gt;", "")
    assert html.escape(HOSTILE, quote=False) in body or html.escape(HOSTILE) in body
    assert "<script>alert(2)</script>" not in document
    assert "<b>" not in body
    shown = visible(document)
    assert HOSTILE in shown
    assert BREAKOUT in shown
    assert "+1 & <b>" in shown
    # Title, manager, goal, narrative, area, group, responsible, remarks, scorecard, filter: all literal.
    assert shown.count(HOSTILE) >= 10
    # The charts' labels are escaped SVG text.
    assert "<text" in document
    assert "&lt;/script&gt;&lt;script&gt;alert(2)" in document


def test_changes_since_the_previous_report(bundled):
    previous = bundled.measures.copy()
    previous.loc[previous["id"] == "EG-B-01", "status"] = "offen"
    previous.loc[previous["id"] == "EG-B-05", "target"] = "2021"
    previous = previous[previous["id"] != "EG-B-06"]
    document = build_report_html(
        bundled, bundled.measures, AS_OF, previous=previous, previous_date=dt.date(2022, 3, 31)
    )
    section = visible(document[document.index('id="aenderungen"') : document.index('id="ueberfaellig"')])
    assert "Änderungen seit dem letzten Bericht" in section
    assert "Verglichen mit dem Stand 31.03.2022." in section
    assert "Zuordnung" not in section
    assert ".xlsx" not in visible(document)
    assert "Neu begonnen: Evaluierung Homepage" in section
    assert "Neu aufgenommen: Geburtsurkunde" in section
    assert "Zieldatum verschoben: Sterbeurkunde (2021 → ohne Angabe)" in section
    assert "Art der Änderung" in section
    assert "Status geändert" in section


def test_no_changes_and_no_measures(bundled):
    document = build_report_html(bundled, bundled.measures, AS_OF, previous=bundled.measures)
    assert "Keine Änderungen an den Maßnahmen seit dem letzten Bericht." in visible(document)
    empty = build_report_html(bundled, bundled.measures.head(0), AS_OF, filter_text="Status: zurückgestellt")
    shown = visible(empty)
    assert "Keine Maßnahmen im aktuellen Filter." in shown
    assert "Keine überfälligen Maßnahmen zum Stichtag 01.01.2023." in shown
    assert "(0 Maßnahmen)" in shown


def test_report_without_info_or_scorecard():
    rows = [["Maßnahme", "Status", "Zieldatum"], ["A", "offen", "2020"], ["B", "erledigt", ""]]
    report = load_report(xlsx_bytes({"Liste": rows}), "liste.xlsx")
    document = build_report_html(report, report.measures, AS_OF)
    shown = visible(document)
    assert "Statusbericht" in shown
    assert "Stand des Berichts ohne Stichtag" in shown
    assert "Die Datei enthält keine Balanced Scorecard" in shown
    assert "Aus dem Bericht" not in shown
    assert "ohne Handlungsfeld" in shown
    assert "Zielgruppe:" not in shown  # no Zielgruppe anywhere, no sub-headings
    assert "<th>ID</th>" not in document  # no IDs in the file, no ID column


def test_rich_text():
    text = "Einleitung\nzweite Zeile\n\n- eins\n  - eins a\n    weiter\n- zwei <b>\n\nSchluss"
    assert str(rich_text(text)) == (
        "<p>Einleitung<br>zweite Zeile</p>"
        "<ul><li>eins<ul><li>eins a<br>weiter</li></ul></li><li>zwei &lt;b&gt;</li></ul>"
        "<p>Schluss</p>"
    )
    assert str(rich_text("")) == ""


def test_file_name_carries_stand_and_filter(bundled):
    stand = dt.date(2022, 8, 31)
    assert report_file_name(bundled, stand) == "Statusbericht_2022-08-31.html"
    assert report_file_name(bundled, stand, "pdf", Filters()) == "Statusbericht_2022-08-31.pdf"
    unit = Filters(units=("Bereich 2.1",))
    assert report_file_name(bundled, stand, "pdf", unit) == "Statusbericht_2022-08-31_Bereich-2.1.pdf"
    assert report_file_name(bundled, stand, "html", unit) == "Statusbericht_2022-08-31_Bereich-2.1.html"
    several = Filters(
        units=("Zentralbereich 1",),
        areas=("Digitale Infrastruktur und Klimaschutz",),
        statuses=("in_bearbeitung",),
        query="Bürger/Portal",
    )
    assert report_file_name(bundled, stand, "pdf", several) == (
        "Statusbericht_2022-08-31_Zentralbereich-1_Digitale-Infrastruktur-und-Klimaschutz_in-Bearbeitung"
        "_Suche-Buerger-Portal.pdf"
    )
    # Another Stichtag for "überfällig" is another report, with another name.
    assert report_file_name(bundled, AS_OF) == "Statusbericht_2022-08-31_Stichtag-2023-01-01.html"


def test_times_are_told_in_the_installations_time_zone(bundled, monkeypatch):
    moment = dt.datetime(2024, 7, 1, 3, 25, tzinfo=dt.UTC)
    document = build_report_html(bundled, bundled.measures, AS_OF, generated_at=moment)
    assert "01.07.2024, 05:25 Uhr" in visible(document)  # Berlin, summer time
    monkeypatch.setenv("MAYEN_TIME_ZONE", "America/New_York")
    assert "30.06.2024, 23:25 Uhr" in visible(build_report_html(bundled, bundled.measures, AS_OF, generated_at=moment))
    monkeypatch.setenv("MAYEN_TIME_ZONE", "Mond/Krater")  # no time zone: the default, never a crash
    assert "01.07.2024, 05:25 Uhr" in visible(build_report_html(bundled, bundled.measures, AS_OF, generated_at=moment))


def test_template_and_stylesheet_are_files():
    assert (TEMPLATES / "report.html.j2").is_file()
    assert (TEMPLATES / "report.css").is_file()
    source = (TEMPLATES / "report.html.j2").read_text(encoding="utf-8")
    assert '{% include "report.css" %}' in source
    assert "header[" not in source  # no magic indexes into the data


# --- python -m mayen_dash report -----------------------------------------------------------------------


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_report_html_with_department_and_previous(capsys, tmp_path):
    target = tmp_path / "bericht.html"
    code, out, _ = run(
        capsys, "report", BUNDLED, "-o", target, "--department", "bereich 2.1", "--previous", BUNDLED,
        "--as-of", "2023-01-01",
    )  # fmt: skip
    assert code == 0
    assert "9 Maßnahmen" in out
    shown = visible(target.read_text(encoding="utf-8"))
    assert "Organisationseinheit: Bereich 2.1" in shown
    assert "Stichtag für „überfällig“ 01.01.2023" in shown
    # The previous report is filtered the same way: the same file has no changes, nothing "Entfallen".
    assert "Keine Änderungen an den Maßnahmen seit dem letzten Bericht." in shown
    assert "Gewerbeanmeldung" in shown


def test_cli_report_status_filter(capsys, tmp_path):
    target = tmp_path / "offen.html"
    code, _, _ = run(capsys, "report", BUNDLED, "-o", target, "--status", "offen")
    assert code == 0
    shown = visible(target.read_text(encoding="utf-8"))
    assert "Status: offen" in shown
    assert "(23 Maßnahmen)" in shown or "23 Maßnahmen im Filter" in shown


def test_cli_report_errors(capsys, tmp_path, write):
    code, _, err = run(capsys, "report", BUNDLED, "-o", tmp_path / "b.html", "--previous", tmp_path / "fehlt.xlsx")
    assert code == 2
    assert "früheren Bericht gibt es nicht" in err
    broken = write("kaputt.xlsx", b"PK\x03\x04 nicht wirklich")
    code, _, err = run(capsys, "report", BUNDLED, "-o", tmp_path / "b.html", "--previous", broken)
    assert code == 1
    assert "früherer Bericht" in err or "frühere Bericht" in err
    code, _, err = run(capsys, "report", broken, "-o", tmp_path / "b.html")
    assert code == 1
    assert err.startswith("Abgelehnt:")
    with pytest.raises(SystemExit) as caught:
        main(["report", str(BUNDLED)])
    assert caught.value.code == 2


def test_cli_report_pdf_without_chromium_says_so_in_german(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    target = tmp_path / "bericht.pdf"
    code, _, err = run(capsys, "report", BUNDLED, "-o", target)
    assert code == 1
    assert "Chromium fehlt" in err
    assert not target.exists()


def test_measures_without_categorical_area_still_render(bundled):
    measures = bundled.measures.head(3).assign(area=lambda f: f["area"].astype(str))
    document = build_report_html(bundled, measures, AS_OF)
    assert "Evaluierung Homepage" in visible(document)
    assert not isinstance(measures["area"].dtype, pd.CategoricalDtype)


def test_the_template_uses_every_key_it_is_given_and_no_other(bundled, monkeypatch):
    given = {}

    class Recorder:
        def render(self, **context):
            given.update(context)
            return ""

    monkeypatch.setattr(report_module._ENVIRONMENT, "get_template", lambda name: Recorder())
    build_report_html(bundled, bundled.measures, AS_OF, previous=bundled.measures)
    source = (TEMPLATES / "report.html.j2").read_text(encoding="utf-8")
    used = meta.find_undeclared_variables(report_module._ENVIRONMENT.parse(source))
    assert set(given) == used
