"""One story per code: a code that both the log reader (knowledge/logpatterns.toml [causes]) and a diagnosis
(diagnostics/codes.toml) can report links the same FAQ entry in both, so `explain --run`, the widget's cause card
with its diagnosis, and Slack never cite one entry for the pasted log and another (or none) for the finding that
confirms it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import knowledge
from diagnostics import finding

ROOT = Path(__file__).resolve().parents[1]
CODES = tomllib.loads((ROOT / "diagnostics" / "codes.toml").read_text(encoding="utf-8"))
CAUSES = tomllib.loads((ROOT / "knowledge" / "logpatterns.toml").read_text(encoding="utf-8"))["causes"]
# The name check links instance-name-rejected for an instance name only (diagnostics/checks/name.py drops it for a
# repository, namespace or tag); a pasted log's NAME_INVALID is about an image reference, which no entry covers.
PER_KIND = {"NAME_INVALID"}
SHARED = sorted((set(CODES) & set(CAUSES)) - PER_KIND)


def test_the_log_reader_and_the_diagnoses_share_codes():
    assert {"DNS_TIMEOUT", "HTTP_TIMEOUT", "HTTP_NOT_HTTPS", "TCP_TIMEOUT"} <= set(SHARED)


@pytest.mark.parametrize("code", SHARED)
def test_a_code_links_the_same_entry_as_a_log_cause_and_as_a_finding(code):
    as_cause = CAUSES[code].get("faq") or None
    as_finding = CODES[code].get("faq") or None
    assert as_cause == as_finding, f"{code}: the log links {as_cause}, the finding {as_finding}"
    if as_finding:
        assert as_finding in knowledge.load_kb().by_id


@pytest.mark.parametrize(
    "paste",
    [
        "lookup a.tencentcloudcr.com on 10.0.0.2:53: read udp 1.2.3.4:5->10.0.0.2:53: i/o timeout",
        "net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)",
        "http: server gave HTTP response to HTTPS client",
    ],
    ids=["DNS_TIMEOUT", "HTTP_TIMEOUT", "HTTP_NOT_HTTPS"],
)
def test_a_pasted_log_cites_the_entry_its_confirming_finding_cites(paste, request):
    code = request.node.callspec.id
    text = f'$ docker pull a.tencentcloudcr.com/ns/app:1\nError response from daemon: Get "https://a.tencentcloudcr.com/v2/": {paste}'
    read = knowledge.explain_log(text)
    assert read["cause"] == code, read["cause"]
    assert read["faq"] == finding(CODES[code]["check"], code).faq
