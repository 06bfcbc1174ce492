"""What a user sees when the dashboard fails: a calm German message with a reference number, never a traceback.

The same number stands in the server log beside the traceback, so that the person who runs
the installation can find the cause of a report such as "Fehlernummer 7F3A-21C9".
"""

from __future__ import annotations

import logging
import secrets

import streamlit as st

log = logging.getLogger("mayen_dash.errors")


def reference_number() -> str:
    """A short number that a user can read out on the phone: eight hex digits in two groups."""
    digits = secrets.token_hex(4).upper()
    return f"{digits[:4]}-{digits[4:]}"


def error_message(reference: str) -> str:
    return (
        "Bei der Anzeige dieser Seite ist ein Fehler aufgetreten. Die Daten sind davon nicht betroffen. "
        "Bitte die Seite neu laden oder eine andere Seite wählen. Wenn der Fehler wieder auftritt, bitte die "
        f"Betreuung des Dashboards verständigen und diese Fehlernummer nennen: **{reference}**"
    )


def on_script_error(error: Exception) -> bool:
    """st.App's on_script_error: log the traceback under a reference number and show the German message."""
    reference = reference_number()
    log.error("Fehlernummer %s: uncaught error in a script run", reference, exc_info=error)
    st.error(error_message(reference), icon=":material/error:")
    return True  # Streamlit's own (English) exception box stays hidden
