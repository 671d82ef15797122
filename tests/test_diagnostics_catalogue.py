"""The code catalogue: complete in both languages, and covering every code a check can emit."""

import ast
import pathlib
import tomllib

import pytest

from diagnostics.findings import LANGS, STATUSES, catalogue, finding, placeholders

ROOT = pathlib.Path(__file__).resolve().parent.parent
REQUIRED = """NAME_INVALID DNS_NXDOMAIN DNS_TIMEOUT ENDPOINT_INTERNAL ENDPOINT_PUBLIC TCP_REFUSED TCP_TIMEOUT TLS_UNTRUSTED
TLS_HOSTNAME TLS_EXPIRED HTTP_NOT_HTTPS HTTP_FORBIDDEN HTTP_TIMEOUT RATE_LIMITED NOT_A_REGISTRY CREDENTIALS_MISSING
CREDENTIALS_INVALID CREDENTIALS_EXPIRED PERMISSION_DENIED REPO_NOT_FOUND TAG_NOT_FOUND TAG_FOUND TAGS_SHARE_DIGEST
QUOTA_NEAR""".split()


def emitted_codes() -> set[str]:
    """Codes passed to finding(...) anywhere in diagnostics/ (literal, conditional, or a local name assigned literals)."""
    codes = set()
    for path in (ROOT / "diagnostics").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assigned: dict[str, set] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        assigned.setdefault(t.id, set()).update(
                            c.value
                            for c in ast.walk(node.value)
                            if isinstance(c, ast.Constant) and isinstance(c.value, str)
                        )
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "finding" and len(node.args) >= 2:
                arg = node.args[1]
                if isinstance(arg, ast.Name):
                    found = {v for v in assigned.get(arg.id, ()) if v.isupper()} or passed_to_parameter(tree, arg.id)
                    assert found, f"{path}: cannot tell which codes {arg.id} holds"
                    codes |= found
                else:
                    lits = {c.value for c in ast.walk(arg) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
                    assert lits, f"{path}:{node.lineno}: finding code is not a literal"
                    codes |= lits
    return codes


def passed_to_parameter(tree: ast.AST, name: str) -> set[str]:
    """Literal codes passed as parameter NAME of a helper that forwards it to finding() (e.g. auth's _Flow.add)."""
    codes: set[str] = set()
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef):
            continue
        params = [a.arg for a in func.args.args]
        if name not in params:
            continue
        position = params.index(name) - (1 if params and params[0] in ("self", "cls") else 0)
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            callee = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
            if callee != func.name:
                continue
            value = call.args[position] if len(call.args) > position else None
            value = value or next((k.value for k in call.keywords if k.arg == name), None)
            codes |= {
                c.value
                for c in ast.walk(value or ast.Constant(None))
                if isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value.isupper()
            }
    return codes


def test_required_codes_present():
    missing = [c for c in REQUIRED if c not in catalogue()]
    assert not missing


def test_every_entry_complete_in_both_languages():
    for code, entry in catalogue().items():
        assert code.isupper(), code
        assert entry["status"] in STATUSES, code
        for part in ("summary", "fix"):
            assert set(entry[part]) >= set(LANGS), (code, part)
        for lang in LANGS:
            assert entry["summary"][lang].strip(), (code, lang)
        # fix text exists in both languages or in neither
        assert bool(entry["fix"]["zh"].strip()) == bool(entry["fix"]["en"].strip()), code
        if entry["status"] in ("fail", "warn"):
            assert entry["fix"]["en"].strip(), f"{code}: a failure needs a fix"
        # the same placeholders on both sides
        for part in ("summary", "fix"):
            assert placeholders(entry[part]["zh"]) == placeholders(entry[part]["en"]), (code, part)


def test_every_emitted_code_is_catalogued():
    emitted = emitted_codes()
    assert len(emitted) > 30
    unknown = sorted(emitted - set(catalogue()))
    assert not unknown, unknown


def test_every_catalogued_code_can_be_emitted():
    unused = sorted(set(catalogue()) - emitted_codes())
    assert not unused, unused


def test_faq_ids_exist():
    ids = set()
    for p in (ROOT / "knowledge" / "faq").glob("*.toml"):
        with p.open("rb") as fh:
            ids.add(tomllib.load(fh)["id"])
    for code, entry in catalogue().items():
        if entry.get("faq"):
            assert entry["faq"] in ids, (code, entry["faq"])


def test_finding_fills_templates_and_picks_languages():
    f = finding("dns", "DNS_NXDOMAIN", host="x.tencentcloudcr.com", nameserver="127.0.0.1:53")
    d = f.to_dict()
    assert set(d) == {"check", "status", "code", "summary", "evidence", "fix", "faq"}
    assert d["status"] == "fail" and d["faq"] == "login-failed"
    assert "x.tencentcloudcr.com" in d["summary"]["en"] and "x.tencentcloudcr.com" in d["summary"]["zh"]
    assert "{" not in d["summary"]["en"] + d["fix"]["en"]
    s = finding("tls", "SKIPPED", reason={"en": "plain", "zh": "明文"})
    assert s.summary == {"zh": "已跳过：明文", "en": "Skipped: plain"}
    w = finding("credentials", "CREDENTIALS_MISSING", level="warn", registry="r", repository="-")
    assert w.status == "warn"


def test_docs_codes_in_sync():
    from diagnostics.codes_doc import render_markdown

    doc = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    assert doc == render_markdown(), "regenerate: python -m diagnostics.codes_doc > docs/codes.md"
    for code in catalogue():
        assert f"`{code}`" in doc


# Failures no FAQ entry documents: a DNS server that does not answer, a peer (proxy, load balancer, middlebox) that
# accepts the connection and then stays silent, a plain-HTTP port. login-failed's steps (the command, the credential,
# the instance's network access control) are not about them, and its link read wrong under a pull or push diagnosis.
NO_FAQ_ENTRY = {
    "DNS_TIMEOUT": {"host": "x.tencentcloudcr.com", "nameserver": "127.0.0.1:53", "timeout": 2},
    "TLS_TIMEOUT": {"address": "127.0.0.1", "port": 443, "timeout": 2},
    "HTTP_TIMEOUT": {"url": "https://x.tencentcloudcr.com/v2/", "timeout": 2},
    "HTTP_NOT_HTTPS": {"hostport": "x.example:5000"},
}


@pytest.mark.parametrize("code", sorted(NO_FAQ_ENTRY))
def test_a_failure_no_entry_documents_links_to_none(code):
    f = finding(catalogue()[code]["check"], code, **NO_FAQ_ENTRY[code])
    assert f.status == "fail" and f.faq is None and f.to_dict()["faq"] is None


def test_problem_statuses_are_statuses_and_counts_cover_every_status():
    from diagnostics import Report, parse_target
    from diagnostics.findings import PROBLEMS

    assert set(PROBLEMS) < set(STATUSES)
    report = Report(parse_target("x.example"), [finding("dns", "DNS_NXDOMAIN", host="x.example", nameserver="-")])
    assert list(report.counts) == list(STATUSES) and report.counts["fail"] == 1 and sum(report.counts.values()) == 1
