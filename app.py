"""Mayen Digital-Dashboard: entry point. Run with `make run` (streamlit run app.py).

This script runs on every interaction: it loads the report in use, draws the
sidebar filters that every page shares, and hands over to the chosen page.
"""

import streamlit as st

import ui
from mayen_dash.formatting import escape_markdown
from mayen_dash.model import LoadError
from mayen_dash.store import StoreError

# "auto": Streamlit 1.67's front end collapses the sidebar at a window width up to its md breakpoint
# (768 px), so a phone opens on the content; wider windows open with it, and a reader's own choice wins.
st.set_page_config(page_title="Mayen Digital-Dashboard", page_icon="📊", layout="wide", initial_sidebar_state="auto")

pages = [
    st.Page("pages/uebersicht.py", title="Übersicht", icon=":material/dashboard:", default=True),
    st.Page("pages/status.py", title="Status", icon=":material/donut_large:", url_path="status"),
    st.Page("pages/ueberfaellig.py", title="Überfällig", icon=":material/schedule:", url_path="ueberfaellig"),
    st.Page("pages/verlauf.py", title="Verlauf", icon=":material/timeline:", url_path="verlauf"),
    st.Page("pages/vergleich.py", title="Vergleich", icon=":material/compare_arrows:", url_path="vergleich"),
    st.Page("pages/scorecard.py", title="Balanced Scorecard", icon=":material/balance:", url_path="scorecard"),
    st.Page("pages/massnahmen.py", title="Maßnahmen", icon=":material/table_rows:", url_path="massnahmen"),
    st.Page("pages/daten.py", title="Daten", icon=":material/upload_file:", url_path="daten"),
    st.Page(
        ui.ACCESSIBILITY_PAGE, title="Barrierefreiheit", icon=":material/accessibility:", url_path="barrierefreiheit"
    ),
]
page = st.navigation(pages)

try:
    ui.build_view()
    failure = None
except (LoadError, StoreError) as error:
    failure = error
ui.site_links(ui.access().shared)
# The Erklärung zur Barrierefreiheit needs no data: it stays readable when the data cannot be loaded.
if failure is not None and page.url_path != "barrierefreiheit":
    st.error(f"Die Daten konnten nicht geladen werden: {escape_markdown(str(failure))}")
    st.stop()

ui.show_notice()
page.run()
