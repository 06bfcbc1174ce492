"""Widget states a browser could not have sent are dropped before Streamlit keeps them.

Every widget id Streamlit 1.67 gives out starts with "$$ID-" (runtime/state/common.py). A rerun
request may carry any id, though, and Streamlit stores it with the rest; an id without that prefix
is then read as a session-state key by every later run that lists the state (SessionState.filtered_state,
which each select box calls), fails with a KeyError there and breaks that session for good: a forged
id equal to one of the app's own keys ("notice", "report_pdf", or any other name) was enough.
"""

from __future__ import annotations

import functools
from typing import Any

from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.runtime.state.common import is_element_id
from streamlit.runtime.state.session_state import SessionState

_PATCHED = "_mayen_widget_ids_checked"


def element_states_only(states: WidgetStates | None) -> WidgetStates | None:
    """The states whose id Streamlit could have given out; the others are left out."""
    if states is None or all(is_element_id(state.id) for state in states.widgets):
        return states
    kept = WidgetStates()
    kept.widgets.extend(state for state in states.widgets if is_element_id(state.id))
    return kept


def install() -> None:
    """Check the widget ids of every rerun request before SessionState takes them (once per process)."""
    original = SessionState.on_script_will_rerun
    if getattr(original, _PATCHED, False):
        return

    @functools.wraps(original)
    def on_script_will_rerun(self: SessionState, fresh_widget_states: WidgetStates | None, **kwargs: Any) -> None:
        original(self, element_states_only(fresh_widget_states), **kwargs)

    setattr(on_script_will_rerun, _PATCHED, True)
    SessionState.on_script_will_rerun = on_script_will_rerun
