"""The dashboard's ASGI entry point: `make run` and `make serve` start it with `streamlit run server.py`.

st.App runs app.py as the Streamlit script and adds what Streamlit does not offer: a German
page (web/frontend.py), compressed front-end bundles (web/compression.py), a warm start
(web/startup.py), the editor's sign-in bound to the browser (web/auth.py), uploads only from
editors (web/guard.py), a German message with a reference number for uncaught errors
(web/errors.py), no widget states a browser could not have sent (web/widgets.py), uploads let
go (web/uploads.py), and the server's own routes for other systems (web/public.py: open data,
calendar subscriptions, health).
"""

import logging

import streamlit as st
from starlette.middleware import Middleware

from web import auth, compression, errors, frontend, guard, public, startup, widgets

logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
frontend.check_version()
widgets.install()

app = st.App(
    "app.py",
    lifespan=startup.lifespan,
    # The routes for other systems first: the dashboard's /{page} would otherwise answer /gesundheit.
    routes=[*public.routes(), *auth.routes(), *frontend.routes()],
    middleware=[Middleware(guard.SharedInstallationGuard), Middleware(compression.StaticCompression)],
    on_script_error=errors.on_script_error,
)
