"""HTML to PDF with the system's headless Chromium, for the status report.

Chromium lays out the report as it would print it, runs the chart scripts
(`--virtual-time-budget` lets them finish before printing) and writes A4
pages as the report's @page rule says. It runs with a throwaway profile, no
sandbox (the service runs as an unprivileged user in a container or as root
in CI), no header or footer of its own, and with every network lookup
failing: the report is self-contained, so printing it must not reach out.

Without a Chromium the functions raise `PdfUnavailable`, whose German message
the page shows; other failures raise `PdfError`.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

# MAYEN_CHROMIUM names the browser binary when it is not on the PATH as chromium.
CHROMIUM_ENV = "MAYEN_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DEFAULT_CHROMIUM = "/usr/bin/chromium"
TIMEOUT_SECONDS = 120
# Milliseconds of page time Chromium grants the scripts (plotly drawing the charts) before it prints.
SCRIPT_TIME_BUDGET_MS = 10_000


class PdfError(RuntimeError):
    """The PDF could not be made. The message is German and meant for the user."""


class PdfUnavailable(PdfError):
    """No Chromium on this machine, so no PDF; the HTML report still works."""


def find_chromium() -> str | None:
    """The Chromium to use: MAYEN_CHROMIUM, else the first of the usual names on the PATH, else None."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return configured if Path(configured).is_file() else shutil.which(configured)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return DEFAULT_CHROMIUM if Path(DEFAULT_CHROMIUM).is_file() else None


def pdf_available() -> bool:
    """Whether `html_to_pdf` can work here (a Chromium is installed)."""
    return find_chromium() is not None


def chromium_command(chromium: str, profile: Path, source: Path, target: Path) -> list[str]:
    """The command line that prints `source` (an HTML file) to `target` (a PDF)."""
    return [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--mute-audio",
        # Every host name fails to resolve and every proxied request goes nowhere: nothing leaves the machine.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        f"--virtual-time-budget={SCRIPT_TIME_BUDGET_MS}",
        "--run-all-compositor-stages-before-draw",
        f"--print-to-pdf={target}",
        source.as_uri(),
    ]


def html_to_pdf(html: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The HTML document printed to PDF by headless Chromium.

    Raises PdfUnavailable without a Chromium, PdfError when Chromium fails,
    takes longer than `timeout` seconds or writes no PDF.
    """
    chromium = find_chromium()
    if chromium is None:
        raise PdfUnavailable(
            "Das PDF kann auf diesem Rechner nicht erstellt werden, weil der Browser Chromium fehlt. "
            "Bitte den Bericht als HTML herunterladen, im Browser öffnen und dort „Drucken → Als PDF "
            "speichern“ wählen, oder die Betreuung bitten, Chromium zu installieren."
        )
    with tempfile.TemporaryDirectory(prefix="mayen-pdf-") as folder:
        work = Path(folder)
        source, target, profile = work / "in.html", work / "out.pdf", work / "profile"
        source.write_text(html, encoding="utf-8")
        command = chromium_command(chromium, profile, source, target)
        try:
            process = subprocess.Popen(  # a fixed command line, no shell
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as error:
            raise PdfUnavailable(
                f"Das PDF kann nicht erstellt werden: Der Browser „{chromium}“ lässt sich nicht starten."
            ) from error
        try:
            _, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as error:
            _kill(process)
            raise PdfError(
                f"Das PDF konnte nicht erstellt werden: Der Browser brauchte länger als {timeout:.0f} Sekunden. "
                "Bitte den Bericht als HTML herunterladen und im Browser als PDF drucken."
            ) from error
        except BaseException:
            _kill(process)
            raise
        data = target.read_bytes() if target.is_file() else b""
        if process.returncode != 0 or not data.startswith(b"%PDF"):
            log.error(
                "chromium exited with %s and wrote %d bytes: %s",
                process.returncode,
                len(data),
                errors.decode("utf-8", "replace")[-2000:] if errors else "",
            )
            raise PdfError(
                "Das PDF konnte nicht erstellt werden (der Browser hat keinen Bericht gedruckt). "
                "Bitte den Bericht als HTML herunterladen und im Browser als PDF drucken."
            )
        return data


def _kill(process: subprocess.Popen) -> None:
    """End the Chromium still running and the helpers it started: its own process group, nothing else.

    Called only while the browser process has not been reaped, so its group ID is still ours.
    """
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()
