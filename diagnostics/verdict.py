"""One verdict from wire and account findings.

The wire shows symptoms (a timeout, "denied", a public address); the account often knows the cause (a closed
public entry, a missing whitelist entry, a namespace that does not exist). Each account code lists in
diagnostics/codes.toml (`explains`) the wire codes it can cause. `causes` pairs them so the report leads with the
cause and lists the wire failures as its symptoms; the findings themselves are all kept.
"""

from __future__ import annotations

from .findings import PROBLEMS, Finding, catalogue

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from .results import SymptomRef, Verdict

ACCOUNT_PREFIX = "cloud_"
RANK = {"fail": 0, "warn": 1, "ok": 2}
ANSWERED = {"HTTP_OK", "TCP_OK", "TLS_OK"}


def is_account(f: Finding) -> bool:
    """Whether the finding comes from an account check (cloud_*) rather than the wire."""
    return f.check.startswith(ACCOUNT_PREFIX)


def settle(findings: list[Finding]) -> list[Finding]:
    """Adjust findings in the light of the others:

    * the instance-name rule is a warning, not a failure, for a host that resolves and answers (an instance
      created before the rule, or a name the service accepts);
    * ENDPOINT_INTERNAL says so when the account confirms the address is the VPC link's access IP."""
    codes = {f.code for f in findings}
    confirmed = next((f for f in findings if f.code == "VPC_LINK_OK" and f.evidence.get("account_confirms")), None)
    out = []
    for f in findings:
        if (
            f.code == "NAME_INVALID"
            and f.evidence.get("kind") == "instance"
            and f.status == "fail"
            and codes & ANSWERED
        ):
            ev = dict(f.evidence)
            ev["answered"] = {
                "en": "the host resolves and answers, so the service accepted this name",
                "zh": "该域名可解析且有应答，说明服务接受了这个名称",
            }
            f = f.replace(status="warn", evidence=ev)
        if f.code == "ENDPOINT_INTERNAL" and confirmed is not None:
            ev = dict(f.evidence)
            ev["account"] = {
                "en": f"confirmed by the account: the internal access link of {confirmed.evidence.get('vpc')} "
                f"({confirmed.evidence.get('access_ip')})",
                "zh": f"账号确认：这是 {confirmed.evidence.get('vpc')} 的内网访问链路 IP（{confirmed.evidence.get('access_ip')}）",
            }
            f = f.replace(evidence=ev)
        out.append(f)
    return out


def causes(findings: list[Finding]) -> list[Verdict]:
    """[{cause: {check, code, status, likely}, symptoms: [{check, code}]}], strongest cause first."""
    cat = catalogue()
    wire = [f for f in findings if not is_account(f) and f.status in PROBLEMS]
    out: list[Verdict] = []
    for f in findings:
        if not is_account(f) or f.status not in RANK:
            continue
        explains = set(cat.get(f.code, {}).get("explains") or ())
        symptoms: list[SymptomRef] = [{"check": w.check, "code": w.code} for w in wire if w.code in explains]
        if symptoms:
            out.append(
                {
                    "cause": {"check": f.check, "code": f.code, "status": f.status, "likely": f.status != "fail"},
                    "symptoms": symptoms,
                }
            )
    out.sort(key=lambda v: RANK[v["cause"]["status"]])
    return out


def arrange_verdict(findings: Sequence[Mapping[str, Any]], verdict: Sequence[Verdict]) -> list[dict[str, Any]]:
    """The report's VERDICT with the finding dicts filled in, for channels that lead with the cause:
    [{cause: finding, symptoms: [finding], likely: bool}], in the verdict's order (strongest cause first)."""
    by_key = {(f["check"], f["code"]): f for f in findings}
    out = []
    for v in verdict or []:
        cause = by_key.get((v["cause"]["check"], v["cause"]["code"]))
        if cause is None:
            continue
        symptoms = [by_key[(s["check"], s["code"])] for s in v["symptoms"] if (s["check"], s["code"]) in by_key]
        out.append({"cause": cause, "symptoms": symptoms, "likely": bool(v["cause"].get("likely"))})
    return out
