"""Mayen Digital-Dashboard: the status report of a city's digitalisation strategy.

The package holds everything but the screens: reading spreadsheets, the
vocabulary, the report model, metrics, charts and the command line. It never
imports Streamlit, so all of it runs and is tested without a browser.
"""

from .loader import load_report
from .model import ColumnMapping, Finding, LoadError, Report

__all__ = ["ColumnMapping", "Finding", "LoadError", "Report", "load_report"]
