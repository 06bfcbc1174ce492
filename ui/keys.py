"""Every session-state key that more than one module uses, in one place.

Pages keep keys that only they use (a page's own widgets) next to the widget.
"""

from mayen_dash.filters import PARAM_SNAPSHOT, PARAMS

# The sidebar's filter widgets, named after their URL parameters.
UNITS, AREAS, STATUSES, QUERY, AS_OF = (f"filter_{p}" for p in PARAMS)
SNAPSHOT = f"filter_{PARAM_SNAPSHOT}"
FILTER_KEYS = (UNITS, AREAS, STATUSES, QUERY)

# Values the app keeps between runs.
PENDING_SNAPSHOT = "pending_snapshot"
FILTERS_FOR = "filters_for_report"
FILTERS_IGNORED = "filters_ignored"
VIEW = "view"
SAME_DATE = "same_date_conflict"
NOTICE = "notice"
REPORT_PDF = "report_pdf"
