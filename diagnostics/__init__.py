"""Live registry diagnostics: checks -> findings with stable codes (see docs/ARCHITECTURE.md)."""

from __future__ import annotations

from .context import DiagnoseOptions
from .findings import Finding, catalogue, finding
from .names import check_name
from .runner import CHECK_NAMES, Report, diagnose, select
from .target import Target, parse_target

__all__ = [
    "diagnose",
    "DiagnoseOptions",
    "Finding",
    "Report",
    "check_name",
    "catalogue",
    "finding",
    "CHECK_NAMES",
    "select",
    "Target",
    "parse_target",
]
