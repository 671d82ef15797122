"""Live registry diagnostics: checks -> findings with stable codes (see docs/ARCHITECTURE.md).

The names below are imported on first use (PEP 562), so `import diagnostics.checks` or `diagnostics.names` does
not pay for the network stack: `tcr-doctor ask` validates check names without it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .context import DiagnoseOptions
    from .findings import Finding, catalogue, finding
    from .names import check_name
    from .runner import Report, check_names, diagnose, select
    from .target import Target, parse_target
    from .verdict import arrange_verdict

_EXPORTS = {
    "diagnose": "runner",
    "DiagnoseOptions": "context",
    "Finding": "findings",
    "Report": "runner",
    "check_name": "names",
    "catalogue": "findings",
    "finding": "findings",
    "check_names": "runner",
    "select": "runner",
    "Target": "target",
    "parse_target": "target",
    "arrange_verdict": "verdict",
}
__all__ = [
    "diagnose",
    "DiagnoseOptions",
    "Finding",
    "Report",
    "check_name",
    "catalogue",
    "finding",
    "check_names",
    "select",
    "Target",
    "parse_target",
    "arrange_verdict",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'diagnostics' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
