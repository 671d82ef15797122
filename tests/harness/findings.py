"""Reading a diagnosis report in tests: its codes, and the one finding with a code."""

from __future__ import annotations


def codes(report, check=None):
    """The finding codes of `report`, in order (only those of `check` when given)."""
    return [f.code for f in report.findings if check is None or f.check == check]


def one(report, code):
    """The first finding of `report` with `code` (the test fails, listing the codes, when there is none)."""
    found = [f for f in report.findings if f.code == code]
    assert found, f"{code} not in {codes(report)}"
    return found[0]
