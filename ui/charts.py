"""Charts on a page: built once per view and shared by all sessions, drawn with the dashboard's settings."""

from __future__ import annotations

from collections.abc import Callable, Hashable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from .view import current_view

PLOTLY_CONFIG = {"displaylogo": False, "locale": "de"}


def view_figure(builder: Callable[..., go.Figure], *args: Hashable, **kwargs: Hashable) -> go.Figure:
    """`builder(view.measures, *args, **kwargs)` for the current view, built once and shared by all sessions.

    A plotly figure costs 20-80 ms of the one core that all sessions share. The same view in
    another tab, a page visited again, or the rerun after a click elsewhere on the page takes
    the figure from here; only a different Stand, filter or argument builds a new one.
    """
    view = current_view()
    return _view_figure(
        f"{builder.__module__}.{builder.__qualname__}",
        (view.snapshot.id, view.snapshot.sha256, view.report.unit_names, view.filters),
        args,
        tuple(sorted(kwargs.items())),
        _builder=builder,
        _measures=view.measures,
    )


@st.cache_resource(max_entries=256, show_spinner=False)
def _view_figure(
    name: str,
    view_key: tuple[Hashable, ...],
    args: tuple[Hashable, ...],
    kwargs: tuple[tuple[str, Hashable], ...],
    *,
    _builder: Callable[..., go.Figure],
    _measures: pd.DataFrame,
) -> go.Figure:
    """Keyed by builder name, view and arguments; figures are read-only (st.plotly_chart copies them)."""
    return _builder(_measures, *args, **dict(kwargs))


def _narrow_from_chart(chart_key: str, filter_key: str, index: int) -> None:
    """Callback of a clickable chart: narrow `filter_key` to the clicked element's value."""
    points = st.session_state[chart_key].selection.points
    values = []
    for point in points:
        data = point.get("customdata")
        value = data[index] if isinstance(data, list | tuple) else data
        if isinstance(value, str) and value and value not in values:
            values.append(value)
    if values:
        st.session_state[filter_key] = values


def clickable_chart(figure: go.Figure, key: str, filter_key: str, index: int = 0, help: str = "") -> None:
    """A chart whose clicked bars or slices narrow the sidebar filter."""
    st.plotly_chart(
        figure,
        key=key,
        on_select=lambda: _narrow_from_chart(key, filter_key, index),
        selection_mode="points",
        config=PLOTLY_CONFIG,
    )
    if help:
        st.caption(help)


def chart(figure: go.Figure, help: str = "") -> None:
    """A chart with the dashboard's plotly settings and its explanation below."""
    st.plotly_chart(figure, config=PLOTLY_CONFIG)
    if help:
        st.caption(help)
