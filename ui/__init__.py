"""Streamlit glue shared by app.py and the pages, one question per module.

Everything that computes lives in mayen_dash; this package only moves values between
Streamlit's session state, the URL and the package. Pages `import ui` and use the names
below; the modules say where each one lives.
"""

from . import keys
from .charts import chart, clickable_chart, view_alternative, view_figure
from .data import (
    Source,
    comparison,
    load_source,
    original,
    remembered_mapping,
    show_store_banner,
    snapshot_report,
    snapshots,
    store,
    store_unavailable,
    unit_names,
)
from .editors import (
    correct_report_date,
    delete_snapshot,
    merge_units,
    remember_mapping,
    same_date_choice,
    separate_unit,
    show_notice,
    store_all,
    store_and_show,
)
from .frames import data_editor, dataframe
from .sidebar import ACCESSIBILITY_PAGE, show_snapshot, site_links
from .signin import access, can_edit, editors_only
from .view import View, build_view, current_view, filter_caption, previous_snapshot

__all__ = [
    "ACCESSIBILITY_PAGE",
    "Source",
    "View",
    "access",
    "build_view",
    "can_edit",
    "chart",
    "clickable_chart",
    "comparison",
    "correct_report_date",
    "current_view",
    "data_editor",
    "dataframe",
    "delete_snapshot",
    "editors_only",
    "filter_caption",
    "keys",
    "load_source",
    "merge_units",
    "original",
    "previous_snapshot",
    "remember_mapping",
    "remembered_mapping",
    "same_date_choice",
    "separate_unit",
    "show_notice",
    "show_snapshot",
    "show_store_banner",
    "site_links",
    "snapshot_report",
    "snapshots",
    "store",
    "store_all",
    "store_and_show",
    "store_unavailable",
    "unit_names",
    "view_alternative",
    "view_figure",
]
