"""Charts on a page: built once per view and shared by all sessions, drawn with the dashboard's settings."""

from __future__ import annotations

from collections.abc import Callable, Hashable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from mayen_dash.filters import Filters
from mayen_dash.formatting import escape_markdown
from mayen_dash.installation import report_key
from mayen_dash.model import Report
from mayen_dash.store import Snapshot
from mayen_dash.text_alternatives import TextAlternative
from web.frontend import PLOTLY_LOCALE

from .view import current_view

# Plotly's toolbar without the buttons that cannot be put reliably into German or that strand a user in a
# zoomed view (zoom, pan, autoscale, reset, selection tools, spike lines): what remains is "Als PNG
# herunterladen", in German through plotly's own locale; each chart's data are one click away as a table.
PLOTLY_CONFIG = {
    "displaylogo": False,
    "locale": "de",
    "locales": {"de": PLOTLY_LOCALE},
    "modeBarButtonsToRemove": [
        "zoom2d",
        "pan2d",
        "select2d",
        "lasso2d",
        "zoomIn2d",
        "zoomOut2d",
        "autoScale2d",
        "resetScale2d",
        "toggleSpikelines",
        "hoverClosestCartesian",
        "hoverCompareCartesian",
        "hoverClosestPie",
    ],
}


def view_figure(builder: Callable[..., go.Figure], *args: Hashable, **kwargs: Hashable) -> go.Figure:
    """`builder(view.measures, *args, **kwargs)` for the current view, built once and shared by all sessions.

    A plotly figure costs 20-80 ms of the one core that all sessions share. The same view in
    another tab, a page visited again, or the rerun after a click elsewhere on the page takes
    the figure from here; only a different Stand, filter or argument builds a new one.
    """
    return _view_built(builder, args, kwargs)


def view_alternative(builder: Callable[..., TextAlternative], *args: Hashable, **kwargs: Hashable) -> TextAlternative:
    """`builder(view.measures, *args, **kwargs)` of mayen_dash.text_alternatives, built once per view like figures."""
    return _view_built(builder, args, kwargs)


def _view_built(builder: Callable[..., object], args: tuple[Hashable, ...], kwargs: dict[str, Hashable]) -> object:
    """The shared cache of view_figure and view_alternative, keyed by builder, view and arguments."""
    view = current_view()
    return _view_cached(
        f"{builder.__module__}.{builder.__qualname__}",
        (report_key(view.snapshot), view.report.unit_names, view.filters),
        args,
        tuple(sorted(kwargs.items())),
        _builder=builder,
        _measures=view.measures,
    )


def prepare_view(builder: Callable[[pd.DataFrame], object], snapshot: Snapshot, report: Report) -> None:
    """Build what `builder` makes of a Stand without filters into the shared cache, before the first visitor.

    The same key as `view_figure` and `view_alternative` give a session that has not filtered yet
    (Filters()), so that the warm start (web/startup.py) spares the first page after a restart its chart.
    """
    _view_cached(
        f"{builder.__module__}.{builder.__qualname__}",
        (report_key(snapshot), report.unit_names, Filters()),
        (),
        (),
        _builder=builder,
        _measures=Filters().apply(report),
    )


@st.cache_resource(max_entries=256, show_spinner=False)
def _view_cached(
    name: str,
    view_key: tuple[Hashable, ...],
    args: tuple[Hashable, ...],
    kwargs: tuple[tuple[str, Hashable], ...],
    *,
    _builder: Callable[..., object],
    _measures: pd.DataFrame,
) -> object:
    """Keyed by builder name, view and arguments; read-only (st.plotly_chart copies figures, st.table frames)."""
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


def clickable_chart(
    figure: go.Figure,
    alternative: TextAlternative,
    *,
    key: str,
    filter_key: str,
    index: int = 0,
    help: str = "",
) -> None:
    """A chart whose clicked bars or slices narrow the sidebar filter, with its text alternative (see `chart`)."""
    st.plotly_chart(
        figure,
        key=key,
        on_select=lambda: _narrow_from_chart(key, filter_key, index),
        selection_mode="points",
        config=PLOTLY_CONFIG,
    )
    _text_alternative(alternative, help)


def chart(figure: go.Figure, alternative: TextAlternative, help: str = "") -> None:
    """A chart with the dashboard's plotly settings, and what it shows in words and as a table.

    The figure's title is its name (the front end names the chart from it); under it stand the
    summary sentence, the explanation `help`, and the data one click away in "Daten als Tabelle",
    a real table that keyboard and screen reader reach.
    """
    st.plotly_chart(figure, config=PLOTLY_CONFIG)
    _text_alternative(alternative, help)


def _text_alternative(alternative: TextAlternative, help: str) -> None:
    """The summary, the explanation and the table under a chart."""
    st.markdown(escape_markdown(alternative.summary))
    if help:
        st.caption(help)
    if not alternative.data.empty:
        with st.expander("Daten als Tabelle"):
            # st.table renders its cells as Markdown: spreadsheet text is escaped to stay literal.
            st.table(alternative.data.map(escape_markdown), hide_index=True, alt=alternative.name)
