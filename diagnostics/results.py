"""The shapes of what a diagnosis reports: `Report.to_dict()` (the `diagnose --json` object, the `report` of
POST /api/diagnose, what Slack and the CLI render) and its parts, as TypedDicts.

They are declarations only: at run time every report is the plain dict (and JSON object) it always was. This module
imports `typing`, which a diagnosis does not otherwise import (tests/test_startup.py): the diagnostics modules name
these types under TYPE_CHECKING, and the package exports them lazily. docs/ARCHITECTURE.md says what each field
means; tests/test_result_types.py checks real reports against these declarations, so they cannot drift from the code.
"""

# No `from __future__ import annotations`: TypedDict reads the evaluated annotations.
from typing import Any, TypedDict

# A text in each language the product speaks (diagnostics.LANGS): {"zh": ..., "en": ...}.
Texts = dict[str, str]


class FindingDict(TypedDict):
    """One finding: what one check learned (Finding.to_dict)."""

    check: str
    status: str  # one of findings.STATUSES: ok, warn, fail, skip
    code: str  # a code of diagnostics/codes.toml
    summary: Texts
    evidence: dict[str, Any]  # facts, never secrets; its keys depend on the code (docs/codes.md)
    fix: Texts
    faq: str | None  # the id of the FAQ entry that says more


class TargetDict(TypedDict):
    """What was diagnosed, as parsed from the user's input (Target.to_dict)."""

    input: str
    scheme: str
    registry: str | None  # None when the input cannot be parsed
    host: str | None
    port: int
    repository: str | None
    tag: str | None
    digest: str | None


class CauseRef(TypedDict):
    """The account-side finding a verdict names as the cause; `likely` when it is a warning, not a failure."""

    check: str
    code: str
    status: str  # warn or fail
    likely: bool


class SymptomRef(TypedDict):
    """A wire finding the cause explains."""

    check: str
    code: str


class Verdict(TypedDict):
    """An account-side cause and the wire failures it explains (verdict.causes)."""

    cause: CauseRef
    symptoms: list[SymptomRef]


class ReportDict(TypedDict):
    """A whole diagnosis (Report.to_dict)."""

    target: TargetDict
    checks: list[str]  # the checks run, in report order
    findings: list[FindingDict]
    verdict: list[Verdict]  # strongest cause first
    counts: dict[str, int]  # findings per status
    exit_code: int  # 1 when any finding failed
    duration_s: float
    deadline_s: float
    timings_s: dict[str, float]  # check -> seconds
    started_at: str  # UTC, ISO 8601
