"""Tables on a page: st.dataframe and st.data_editor with "–" for an empty cell.

Streamlit's grid draws a missing value (an empty date, NaT) as a faded "None": English, and
read aloud. Every table of the pages goes through here, so no page can forget the placeholder.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from mayen_dash.formatting import EMPTY


def dataframe(data: Any, **options: Any) -> Any:
    """st.dataframe(data, **options) with "–" in empty cells."""
    return st.dataframe(data, placeholder=EMPTY, **options)


def data_editor(data: Any, **options: Any) -> Any:
    """st.data_editor(data, **options) with "–" in empty cells."""
    return st.data_editor(data, placeholder=EMPTY, **options)
