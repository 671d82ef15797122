"""A check defined outside diagnostics/checks/, registered by tests/test_check_registry.py to prove that one
registration reaches the runner, --only/--skip, the web API, Slack, the FAQ validation and the docs."""

from __future__ import annotations

from diagnostics.findings import Finding, finding

NAME = "probe"
DEPENDS = ("name",)
ORDER = 15  # between name (10) and dns (20)
CODE = "PROBE_OK"
ENTRY = {
    "check": "probe",
    "status": "ok",
    "summary": {"en": "The probe ran on {host}.", "zh": "探针已在 {host} 上运行。"},
    "fix": {"en": "Nothing to do.", "zh": "无需处理。"},
}


def run(ctx) -> list[Finding]:
    """One finding naming the host: no network."""
    return [finding(NAME, CODE, host=ctx.target.host)]
