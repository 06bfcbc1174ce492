"""The dashboard's ASGI entry with a script that always fails: for the browser test of web/errors.py.

Same front end (web/frontend.py) and same on_script_error as server.py, so the test sees what a user
sees when the dashboard's own script raises.
"""

from pathlib import Path

import streamlit as st

from web import errors, frontend

app = st.App(
    str(Path(__file__).with_name("failing_page.py")), routes=frontend.routes(), on_script_error=errors.on_script_error
)
