"""A Streamlit script that fails on every run (tests/browser/failing_server.py starts it)."""

import streamlit as st

st.title("Fehlerprobe", anchor=False)
raise RuntimeError("deliberate failure for the error page test")
