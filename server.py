"""The dashboard's ASGI entry point: `make run` and `make serve` start it with `streamlit run server.py`.

st.App runs app.py as the Streamlit script and adds what Streamlit does not offer: a German
page (web/frontend.py), a German message with a reference number for uncaught errors
(web/errors.py), and the server's own routes and middleware.
"""

import logging

import streamlit as st

from web import errors, frontend

logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
frontend.check_version()

app = st.App(
    "app.py",
    routes=frontend.routes(),
    on_script_error=errors.on_script_error,
)
