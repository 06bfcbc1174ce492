"""Barrierefreiheit: the Erklärung zur Barrierefreiheit (BITV 2.0 § 7), with the installation's contacts."""

import streamlit as st

from mayen_dash.accessibility import TITLE, statement_sections
from mayen_dash.settings import site_info

st.title(TITLE, anchor=False)
for heading, body in statement_sections(site_info()):
    if heading:
        st.header(heading, anchor=False)
    st.markdown(body)
