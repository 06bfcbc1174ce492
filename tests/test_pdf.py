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


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[bytes, list[Path], str]:
    """The bundled report's PDF, its pages as PNG (50 dpi) and its text."""
    _tools_or_skip()
    report = load_report(BUNDLED)
    document = build_report_html(report, report.measures, AS_OF, previous=report.measures.iloc[5:])
    data = html_to_pdf(document)
    folder = tmp_path_factory.mktemp("pdf")
    path = folder / "bericht.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(folder / "seite")], check=True, timeout=120)
    pages = sorted(folder.glob("seite-*.png"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, ARTIFACTS / "bericht.pdf")
    for page in pages:
        shutil.copy(page, ARTIFACTS / page.name)
    return data, pages, text


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
    # Chart titles and axis labels are drawn by plotly.js into SVG; they are in the PDF only if the script ran.
    for words in ("Umsetzungsstand je Handlungsfeld", "Maßnahmen nach Status", "Maßnahmen je Organisationseinheit"):
        assert words in text, words
    # And the bars are there: the blue of "erledigt" fills large areas on the chart pages, nowhere else.
    blue = []
    for page in pages:
        with Image.open(page) as image:
            blue.append(_colour(image, ERLEDIGT_BLUE))
    assert max(blue) > 3000, blue


def test_pdf_page_breaks_keep_sections_apart(rendered):
    _, _, text = rendered
    first_lines = []
    for page in text.split("\f"):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        if lines:
            first_lines.append(lines[0])
    # Each section starts a page of its own; the header has the first page to itself.
    assert first_lines[0] == "PROJEKTSTATUSBERICHT"
    for heading in (
        "Kennzahlen und Umsetzungsstand",
        "Aus dem Bericht",
        "Änderungen seit dem letzten Bericht",
        "Überfällige Maßnahmen zum Stichtag 01.01.2023",
        "Maßnahmen nach Handlungsfeld",
        "Balanced Scorecard",
    ):
        assert heading in first_lines, heading
    # Every page of the measure tables starts with a Handlungsfeld or with the repeated table header,
    # never with a row cut off from its header.
    tables = first_lines[
        first_lines.index("Maßnahmen nach Handlungsfeld") + 1 : first_lines.index("Balanced Scorecard")
    ]
    assert len(tables) >= 4
    for line in tables:
        assert line.startswith("ID ") or line.endswith("Maßnahmen)"), line


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
