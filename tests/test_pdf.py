"""The status report as PDF through headless Chromium, checked by looking at the rendered pages.

The rendering tests need Chromium and poppler's pdftoppm/pdftotext. Without them they are skipped with
the reason, unless MAYEN_REQUIRE_BROWSER=1 demands them (CI): then they fail.
Every run leaves the PDF and its page images in test-artifacts/pdf/ to look at.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mayen_dash import pdf
from mayen_dash.cli import main
from mayen_dash.loader import load_report
from mayen_dash.metrics import filter_measures
from mayen_dash.pdf import PdfError, PdfUnavailable, html_to_pdf
from mayen_dash.report import build_report_html
from tests.builders import BUNDLED, ROOT

REQUIRE_ENV = "MAYEN_REQUIRE_BROWSER"
ARTIFACTS = ROOT / "test-artifacts" / "pdf"
AS_OF = dt.date(2023, 1, 1)
ERLEDIGT_BLUE = (0x00, 0x72, 0xB2)  # the status colour of "erledigt", drawn only by the charts in bulk


def _tools_or_skip() -> None:
    missing = [
        name
        for name, found in (
            ("Chromium", pdf.find_chromium()),
            ("pdftoppm (poppler-utils)", shutil.which("pdftoppm")),
            ("pdftotext (poppler-utils)", shutil.which("pdftotext")),
        )
        if not found
    ]
    if missing:
        reason = "nicht installiert: " + ", ".join(missing)
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{REQUIRE_ENV} ist gesetzt, aber {reason}")
        pytest.skip(reason)


# Printable area of an A4 page with the report's @page margins (14 mm top, 16 mm bottom), as fractions of its height.
CONTENT_TOP = 14 / 297
CONTENT_BOTTOM = (297 - 16) / 297
# No page but the last may be filled less than this, measured from the top of the printable area.
LEAST_FILL = 1 / 3


def _print(document: str, folder: Path, name: str) -> tuple[bytes, list[Path], str]:
    """A report printed by Chromium: the PDF, its pages as PNG (50 dpi) and its text; copied to test-artifacts."""
    data = html_to_pdf(document)
    path = folder / f"{name}.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(folder / name)], check=True, timeout=120)
    pages = sorted(folder.glob(f"{name}-*.png"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, ARTIFACTS / path.name)
    for page in pages:
        shutil.copy(page, ARTIFACTS / page.name)
    return data, pages, text


@pytest.fixture(scope="module")
def bundled():
    return load_report(BUNDLED)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, bundled) -> tuple[bytes, list[Path], str]:
    """The bundled report's PDF with a changes section, its pages and its text."""
    _tools_or_skip()
    document = build_report_html(bundled, bundled.measures, AS_OF, previous=bundled.measures.iloc[5:])
    return _print(document, tmp_path_factory.mktemp("pdf"), "bericht")


def _ink(image: Image.Image) -> int:
    """How many pixels are not (near) white."""
    return int((np.asarray(image.convert("L")) < 230).sum())


def _colour(image: Image.Image, rgb: tuple[int, int, int], tolerance: int = 24) -> int:
    """How many pixels have (nearly) this colour."""
    pixels = np.asarray(image.convert("RGB")).astype(int)
    return int((np.abs(pixels - np.array(rgb)) <= tolerance).all(axis=-1).sum())


def test_pdf_has_many_pages_none_blank(rendered):
    data, pages, _ = rendered
    assert data.startswith(b"%PDF")
    assert len(pages) > 1
    for page in pages:
        with Image.open(page) as image:
            assert _ink(image) > 500, f"{page.name} ist leer"


def test_pdf_shows_the_report_and_its_charts(rendered):
    _, pages, text = rendered
    for words in (
        "Digitalisierungsstrategie der Stadt Mayen",
        "Kennzahlen und Umsetzungsstand",
        "Maßnahmen nach Handlungsfeld",
        "Balanced Scorecard",
        "Bürgerterminals",
        "Seite 1 von",
    ):
        assert words in text, words
    # Chart labels are SVG text: in the PDF as text, not as pictures of text.
    for words in ("Umsetzungsstand je Handlungsfeld", "Maßnahmen je Organisationseinheit", "Tage überfällig"):
        assert words in text, words
    # And the bars are there: the blue of "erledigt" fills large areas on the chart pages, nowhere else.
    blue = []
    for page in pages:
        with Image.open(page) as image:
            blue.append(_colour(image, ERLEDIGT_BLUE))
    assert max(blue) > 3000, blue


def _fill(image: Image.Image) -> float:
    """How far down the printable area the page is used: its lowest ink above the footer, 0 to 1."""
    grey = np.asarray(image.convert("L"))
    top, bottom = round(CONTENT_TOP * grey.shape[0]), round(CONTENT_BOTTOM * grey.shape[0])
    rows = np.flatnonzero((grey[top:bottom] < 200).sum(axis=1) > 2)
    return float((rows[-1] + 1) / (bottom - top)) if len(rows) else 0.0


@pytest.mark.parametrize(
    ("name", "choose"),
    [
        ("ganz", lambda r: (r.measures, AS_OF, r.measures.iloc[5:])),
        ("bereich", lambda r: (filter_measures(r.measures, units=["Bereich 2.1"]), AS_OF, None)),
        ("offen-spaet", lambda r: (filter_measures(r.measures, statuses=["offen"]), dt.date(2024, 6, 30), None)),
        ("spaet", lambda r: (r.measures, dt.date(2024, 6, 30), r.measures.iloc[:60])),
    ],
)
def test_no_page_but_the_last_is_less_than_a_third_full(bundled, tmp_path, name, choose):
    _tools_or_skip()
    measures, as_of, previous = choose(bundled)
    document = build_report_html(bundled, measures, as_of, previous=previous)
    _, pages, _ = _print(document, tmp_path, f"fuellung-{name}")
    fills = []
    for page in pages:
        with Image.open(page) as image:
            fills.append(round(_fill(image), 2))
    assert all(fill >= LEAST_FILL for fill in fills[:-1]), fills
    assert fills[-1] > 0


def test_pdf_keeps_rows_with_their_header_and_sections_in_order(rendered):
    _, _, text = rendered
    pages = [[line.strip() for line in page.splitlines() if line.strip()] for page in text.split("\f")]
    pages = [lines for lines in pages if lines]
    assert pages[0][0] == "PROJEKTSTATUSBERICHT"
    everything = [line for lines in pages for line in lines]
    order = [
        "Kennzahlen und Umsetzungsstand",
        "Aus dem Bericht",
        "Änderungen seit dem letzten Bericht",
        "Überfällige Maßnahmen zum Stichtag 01.01.2023",
        "Maßnahmen nach Handlungsfeld",
        "Balanced Scorecard",
    ]
    positions = [everything.index(heading) for heading in order]
    assert positions == sorted(positions)
    # A page in the middle of the measure tables starts with the repeated table header or a heading,
    # never with a row cut off from its header.
    start = next(i for i, lines in enumerate(pages) if "Maßnahmen nach Handlungsfeld" in lines)
    end = next(i for i, lines in enumerate(pages) if "Balanced Scorecard" in lines)
    assert end - start >= 4
    for lines in pages[start + 1 : end]:
        first = lines[0]
        assert first.startswith(("ID ", "Zielgruppe:")) or first.endswith("Maßnahmen)"), first


def test_cli_writes_a_pdf(capsys, tmp_path):
    _tools_or_skip()
    target = tmp_path / "bericht.pdf"
    code = main(["report", str(BUNDLED), "-o", str(target), "--department", "Bereich 2.1"])
    assert code == 0, capsys.readouterr().err
    assert target.read_bytes().startswith(b"%PDF")
    html_target = tmp_path / "bericht.bin"
    assert main(["report", str(BUNDLED), "-o", str(html_target), "--pdf"]) == 0
    assert html_target.read_bytes().startswith(b"%PDF")


# --- without a browser -------------------------------------------------------------------------------------


def test_without_chromium_the_error_is_german(monkeypatch, tmp_path):
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(tmp_path / "gibt-es-nicht"))
    assert pdf.find_chromium() is None
    assert not pdf.pdf_available()
    with pytest.raises(PdfUnavailable, match="Chromium fehlt"):
        html_to_pdf("<p>x</p>")


def _fake_browser(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake-chromium"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_a_failing_browser_is_a_pdf_error(monkeypatch, tmp_path):
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(_fake_browser(tmp_path, "exit 3")))
    with pytest.raises(PdfError, match="konnte nicht erstellt werden") as caught:
        html_to_pdf("<p>x</p>")
    assert not isinstance(caught.value, PdfUnavailable)


def test_a_browser_that_writes_no_pdf_is_a_pdf_error(monkeypatch, tmp_path):
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(_fake_browser(tmp_path, "exit 0")))
    with pytest.raises(PdfError, match="keinen Bericht gedruckt"):
        html_to_pdf("<p>x</p>")


def test_a_hanging_browser_is_stopped(monkeypatch, tmp_path):
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(_fake_browser(tmp_path, "sleep 300")))
    with pytest.raises(PdfError, match="länger als"):
        html_to_pdf("<p>x</p>", timeout=1)


def test_the_command_line_blocks_the_network():
    command = pdf.chromium_command("/usr/bin/chromium", Path("/tmp/p"), Path("/tmp/in.html"), Path("/tmp/out.pdf"))
    assert "--headless" in command
    assert "--no-pdf-header-footer" in command
    assert "--host-resolver-rules=MAP * ~NOTFOUND" in command
    assert any(part.startswith("--virtual-time-budget=") for part in command)
    assert command[-1] == "file:///tmp/in.html"
