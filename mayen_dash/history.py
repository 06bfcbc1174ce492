"""The strategy over time: status counts per report, share done per field, and where the trend leads.

The city reports every few months and aims to be "Digital Kommune" by 2025.
These functions turn a series of reports into the tables the Verlauf page
plots; the projection is a straight line through the observed shares, plainly
labelled as such, not a forecast model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .metrics import status_counts
from .vocabulary import DONE_STATUSES, STATUS_LABELS

TARGET_YEAR = 2025
ALL_AREAS = "alle Handlungsfelder"


def status_over_time(reports: Sequence[tuple[dt.date, pd.DataFrame]]) -> pd.DataFrame:
    """Count per status at each report date (long form: report_date, status, status_label, count)."""
    rows = [
        {"report_date": pd.Timestamp(date), "status": code, "status_label": STATUS_LABELS[code], "count": count}
        for date, measures in reports
        for code, count in status_counts(measures).items()
    ]
    return pd.DataFrame(rows, columns=["report_date", "status", "status_label", "count"])


def done_share_over_time(reports: Sequence[tuple[dt.date, pd.DataFrame]]) -> pd.DataFrame:
    """Share of done measures at each report date, per Handlungsfeld and for all fields together."""
    rows = []
    for date, measures in reports:
        done = measures["status"].isin(DONE_STATUSES)
        groups = [(ALL_AREAS, done)] + [
            (str(area), done[measures["area"] == area]) for area in measures["area"].unique()
        ]
        for area, flags in groups:
            if len(flags):
                rows.append(
                    {
                        "report_date": pd.Timestamp(date),
                        "area": area,
                        "share": float(flags.mean()),
                        "done": int(flags.sum()),
                        "measures": len(flags),
                    }
                )
    return pd.DataFrame(rows, columns=["report_date", "area", "share", "done", "measures"])


def projection(shares: pd.DataFrame, until: dt.date | None = None) -> pd.DataFrame:
    """A straight line through the overall share done, from the last report to the end of `until`'s year.

    Needs at least two report dates. The line is clipped to 0 … 100 %; the
    returned frame has the dates and shares of the line (empty without a trend).
    """
    overall = shares[shares["area"] == ALL_AREAS].sort_values("report_date")
    if overall["report_date"].nunique() < 2:
        return pd.DataFrame(columns=["report_date", "share"])
    days = (overall["report_date"] - overall["report_date"].min()).dt.days.to_numpy(dtype=float)
    slope, intercept = np.polyfit(days, overall["share"].to_numpy(dtype=float), 1)
    last = overall["report_date"].max()
    end = pd.Timestamp(until or dt.date(max(TARGET_YEAR, last.year + 1), 12, 31))
    dates = pd.date_range(last, max(end, last), periods=24)
    offsets = (dates - overall["report_date"].min()).days.to_numpy(dtype=float)
    return pd.DataFrame({"report_date": dates, "share": np.clip(intercept + slope * offsets, 0.0, 1.0)})


def share_at(line: pd.DataFrame, date: dt.date) -> float | None:
    """The projected share on a date, None when the line does not reach it."""
    if line.empty or pd.Timestamp(date) > line["report_date"].max():
        return None
    when = np.datetime64(pd.Timestamp(date), "ns").astype("int64")
    known = line["report_date"].to_numpy(dtype="datetime64[ns]").astype("int64")
    return float(np.interp(when, known, line["share"].to_numpy(dtype=float)))
