"""The `name` check on diagnosis targets: reference grammar plus TCR instance / namespace / repository rules."""

import pytest

from diagnostics import DiagnoseOptions, diagnose, parse_target


def name_findings(target):
    r = diagnose(target, DiagnoseOptions(only="name", env={}))
    return [(f.code, f.evidence.get("kind"), f.evidence.get("rule")) for f in r.findings], r


@pytest.mark.parametrize(
    "target,expected",
    [
        ("shop-tcr.tencentcloudcr.com/team/app:1.0", [("NAME_OK", None, None)]),
        ("shop-tcr-vpc.tencentcloudcr.com/team/front/nginx:1.0", [("NAME_OK", None, None)]),
        ("ab.tencentcloudcr.com", [("NAME_INVALID", "instance", "instance.length")]),
        ("shop-.tencentcloudcr.com/ns/app", [("NAME_INVALID", "ref", "ref.domain")]),
        ("shop-tcr.tencentcloudcr.com/a/app", [("NAME_INVALID", "namespace", "namespace.length")]),
        ("shop-tcr.tencentcloudcr.com/app", [("NAME_INVALID", "repo", "enterprise.namespace-required")]),
        ("shop-tcr.tencentcloudcr.com/ns/a", [("NAME_INVALID", "repo", "repo.length")]),
        ("ccr.ccs.tencentyun.com/ns/app:1", [("NAME_OK", None, None)]),
        ("hkccr.ccs.tencentyun.com/ns/team/app:1", [("NAME_INVALID", "repo", "personal.single-level")]),
        ("quay.tencentcloudcr.com/coreos/etcd:v3", [("NAME_OK", None, None)]),  # a mirror domain, not an instance
        ("Shop/App", [("NAME_INVALID", "ref", "ref.lowercase")]),
        ("host.example/ns/app@sha256:1234", [("NAME_INVALID", "ref", "digest.length")]),
    ],
)
def test_name_check(target, expected):
    found, r = name_findings(target)
    assert found == expected
    for f in r.findings:
        if f.code == "NAME_INVALID":
            assert f.fix["en"] and f.fix["zh"]
            # only the instance-name rules are documented in the FAQ; other names link to no entry
            assert f.faq == ("instance-name-rejected" if f.evidence["kind"] == "instance" else None)


def test_name_invalid_carries_a_suggestion():
    _, r = name_findings("shop-tcr.tencentcloudcr.com/my__ns/app")  # valid reference, but not a TCR namespace
    f = r.findings[0]
    assert (f.code, f.evidence["kind"], f.evidence["rule"]) == (
        "NAME_INVALID",
        "namespace",
        "namespace.double-separator",
    )
    assert f.evidence["suggestion"] == "my_ns"
    assert "my_ns" in f.fix["en"]


@pytest.mark.parametrize(
    "target",
    [
        "admin:pw@@@",  # credentials in the reference: nothing valid is left to suggest
        "ccr.ccs.tencentyun.com/ns",  # a personal image without a repository
        # a port out of range: the closest valid reference is the value itself (library/127.0.0.1, tag 99999), which
        # the fix suggested ("建议改为：127.0.0.1:99999" for 127.0.0.1:99999)
        "127.0.0.1:99999",
    ],
)
def test_name_invalid_without_a_suggestion_suggests_nothing(target):
    """No valid name is close: the fix ends at the rule (it said "Suggested: -"), the evidence has no suggestion,
    and the text report shows no `suggestion: -` line."""
    from bot.commands.diagnose import view

    _, r = name_findings(target)
    [f] = [f for f in r.findings if f.code == "NAME_INVALID"]
    assert f.evidence["suggestion"] is None
    assert f.fix["en"].endswith(f"({f.evidence['rule']}).") and f.fix["zh"].endswith("）。"), f.fix
    lines = [k for found in view(r.to_dict(), "en")["findings"] for k, _ in found["evidence_lines"]]
    assert "suggestion" not in lines and "suggested" not in lines


@pytest.mark.parametrize("only", ["endpoint,tcp", "credentials,tcp,tls", "dns,endpoint,http"])
def test_a_reference_error_is_reported_once_when_the_name_check_is_not_run(only):
    """Each check that needs the target's host finds it invalid; the first in report order says so and the others
    are skipped by it (every one of them repeated the same NAME_INVALID)."""
    r = diagnose("bad ref!!", DiagnoseOptions(only=only, env={}))
    invalid = [f for f in r.findings if f.code == "NAME_INVALID"]
    assert [f.check for f in invalid] == [r.checks[0]]
    others = [f for f in r.findings if f.check != r.checks[0]]
    assert others and {(f.code, f.evidence["blocked_code"]) for f in others} == {("SKIPPED", "NAME_INVALID")}
    assert r.counts["fail"] == 1 and r.exit_code == 1


@pytest.mark.parametrize(
    "raw,scheme,host,port,repo,tag,digest",
    [
        ("shop-tcr.tencentcloudcr.com", "https", "shop-tcr.tencentcloudcr.com", 443, None, None, None),
        ("https://shop-tcr.tencentcloudcr.com/", "https", "shop-tcr.tencentcloudcr.com", 443, None, None, None),
        ("http://127.0.0.1:5000/team/app:1.0", "http", "127.0.0.1", 5000, "team/app", "1.0", None),
        ("127.0.0.1:5000", "https", "127.0.0.1", 5000, None, None, None),
        ("[::1]:5000/ns/app", "https", "::1", 5000, "ns/app", "latest", None),
        ("localhost:5000/ns/app@sha256:" + "a" * 64, "https", "localhost", 5000, "ns/app", None, "sha256:" + "a" * 64),
        ("nginx", "https", "registry-1.docker.io", 443, "library/nginx", "latest", None),
        ("https://shop-tcr.tencentcloudcr.com/v2/", "https", "shop-tcr.tencentcloudcr.com", 443, None, None, None),
    ],
)
def test_parse_target(raw, scheme, host, port, repo, tag, digest):
    t = parse_target(raw)
    assert t.error is None
    assert (t.scheme, t.host, t.port, t.repository, t.tag, t.digest) == (scheme, host, port, repo, tag, digest)


def test_tcr_rule_failure_does_not_block_network_checks(dns_server):
    from tests.harness.dns_server import Zone

    # local-tcr.tencentcloudcr.com resolves to 127.0.0.1 in the harness zone; namespace "a" breaks the TCR rule only
    r = diagnose(
        f"{Zone.TCR_LOCAL}/a/app:1", DiagnoseOptions(only="name,dns,endpoint", nameserver=dns_server.nameserver, env={})
    )
    assert [f.code for f in r.findings] == ["NAME_INVALID", "DNS_OK", "ENDPOINT_LOCAL"]
    assert r.findings[0].evidence["blocking"] is False and r.exit_code == 1
    # a reference that does not parse blocks everything
    r = diagnose("Shop/App", DiagnoseOptions(only="name,dns", env={}))
    assert [f.code for f in r.findings] == ["NAME_INVALID", "SKIPPED"]


@pytest.mark.parametrize("only", ["dns", "dns,http", "tcp"])
def test_a_reference_error_seen_by_a_network_check_links_no_faq_entry_either(only):
    """Without the name check (--only), the network checks report the reference's NAME_INVALID themselves: the same
    story as the name check tells, so no link to the instance-name entry for a reference that is not an instance
    name (it linked instance-name-rejected for credentials in the address)."""
    r = diagnose("http://bob:pw@127.0.0.1:1/ns/app", DiagnoseOptions(only=only, env={}, timeout=2))
    invalid = [f for f in r.findings if f.code == "NAME_INVALID"]
    assert invalid and all(f.evidence["kind"] == "ref" and f.faq is None for f in invalid), [
        (f.check, f.faq) for f in invalid
    ]
    named = name_findings("http://bob:pw@127.0.0.1:1/ns/app")[1].findings[0]
    assert (named.code, named.faq) == ("NAME_INVALID", None)


@pytest.mark.parametrize("only", ["dns", "endpoint,tcp", "tcp,tls"])
def test_the_progress_lines_say_the_statuses_the_report_gives(only):
    """A check that could not have its fact (no valid host) reported it as its FAIL, while its progress line (the CLI's
    stderr, Slack's progress message) said SKIP. The lines now show the report's statuses (which of two such checks
    carries the finding follows the report's order; the statuses are the same)."""
    done = []
    r = diagnose(
        "bad ref!!",
        DiagnoseOptions(only=only, env={}),
        progress=lambda e, c, i: e == "done" and done.append(i["status"]),
    )
    assert sorted(done) == sorted(f.status for f in r.findings) and "fail" in done


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("ccr.ccs.tencentyun.com/tcb", ("has no namespace", "缺少命名空间")),
        ("hkccr.ccs.tencentyun.com/ns/team/app:1", ("multi-level paths are not allowed", "不支持多级路径")),
    ],
)
def test_a_personal_paths_error_says_what_is_wrong_with_it(target, words):
    """The personal edition's <namespace>/<repository> rule: a one-level path lacks its namespace; the message said
    "multi-level paths are not allowed" for `ccr.ccs.tencentyun.com/tcb` too (qa12, a real CloudBase post)."""
    from diagnostics.names import NameRuleError, validate_tcr_ref

    _, r = name_findings(target)
    (f,) = r.findings
    assert f.evidence["rule"] == "personal.single-level"
    assert words[0] in f.summary["en"] and words[1] in f.summary["zh"], f.summary
    with pytest.raises(NameRuleError) as raised:
        validate_tcr_ref(target)
    assert words[0] in raised.value.message["en"] and words[1] in raised.value.message["zh"]
