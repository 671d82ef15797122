"""Product defects qa12 and tidy12 noticed and left this session (tidy12b): each test reproduces one as it was, then
holds the fix.

1. The widget offered "Run this diagnosis" on targets /api/diagnose always refuses under its address policy (with the
   default settings every registry that is not TCR's): /api/ask's answer now carries the policy's own decision,
   `refused_targets` (the widget's side: tests/test_widget_browser.py).
3. `check-name ref ccr.ccs.tencentyun.com` said "a valid image reference" (docker.io/library/ccr.ccs.tencentyun.com)
   without a word that a registry host alone names a Docker Hub repository: valid, as docker reads it, with a warning.
4. "docker push fails: denied: …" took the prose word "fails" for the image (`diagnose docker.io/library/fails`): a
   command's operand read from a paste must look like an image a user would type.
5. Two rules for "is this TCR": the runner's (host, the edition it stands for, a CNAME to TCR, a custom domain the
   account found) and Slack's credentials hint's (the host only): one public rule, diagnostics.is_tcr_registry.
"""

from __future__ import annotations

import pytest

GHCR_LOG = (
    "docker pull ghcr.io/acme/app:1.0\n"
    'Error response from daemon: Head "https://ghcr.io/v2/acme/app/manifests/1.0": unauthorized'
)
TCR_LOG = "docker pull demo.tencentcloudcr.com/team/app:1.0 fails with unauthorized: authentication required"
PORT_LOG = (
    "docker login to ccr.ccs.tencentyun.com fails with nerdctl:\n"
    'FATA[0006] failed to call rh.Client.Do: Get "http://ccr.ccs.tencentyun.com:8080/v2/": EOF'
)


def _client(tmp_path, **settings):
    from bot.web import create_app

    return create_app(
        {"DB": str(tmp_path / "w.sqlite3"), "SLACK": "off", "RATE_LIMIT_ASK": "0", **settings}
    ).test_client()


# ---------------------------------------------------------------------------- 1. targets the service refuses
@pytest.mark.parametrize(
    ("question", "refused"),
    [
        (GHCR_LOG, ["ghcr.io", "ghcr.io/acme/app:1.0"]),  # the log's target and the image asked about
        ("cannot pull ghcr.io/acme/app:1.0, what should I check?", ["ghcr.io/acme/app:1.0", "ghcr.io"]),
        (PORT_LOG, ["ccr.ccs.tencentyun.com:8080"]),  # a TCR host on a port the policy does not diagnose
        (TCR_LOG, []),
        ("How do I delete an image tag?", []),
    ],
)
def test_an_answer_says_which_of_its_targets_the_service_refuses(tmp_path, question, refused):
    client = _client(tmp_path)
    answer = client.post("/api/ask", json={"q": question}).get_json()
    assert answer["refused_targets"] == refused
    for target in refused:  # what /api/diagnose then answers, without a lookup
        diagnosed = client.post("/api/diagnose", json={"target": target}).get_json()
        assert diagnosed["refused"] is True and diagnosed["findings"][0]["code"] == "TARGET_REFUSED"


def test_the_refused_targets_are_the_configured_policys_decision(tmp_path):
    client = _client(tmp_path, REGISTRY_DOMAINS="ghcr.io,*.tencentcloudcr.com", REGISTRY_PORTS="")
    assert client.post("/api/ask", json={"q": GHCR_LOG}).get_json()["refused_targets"] == []
    assert client.post("/api/ask", json={"q": PORT_LOG}).get_json()["refused_targets"] == [
        "ccr.ccs.tencentyun.com:8080",  # no longer a domain this service diagnoses
        "ccr.ccs.tencentyun.com",
    ]


# ------------------------------------------------------------------ 3. a registry host alone as an image reference
@pytest.mark.parametrize(
    ("value", "host"),
    [
        ("ccr.ccs.tencentyun.com", "ccr.ccs.tencentyun.com"),
        ("demo.tencentcloudcr.com:latest", "demo.tencentcloudcr.com"),
        ("registry.example.com", "registry.example.com"),
        ("localhost:5000", "localhost:5000"),  # the port read as a tag
        ("ghcr.io@sha256:" + "a" * 64, "ghcr.io"),
    ],
)
def test_a_registry_host_alone_is_valid_with_a_warning(value, host):
    from diagnostics import check_name

    result = check_name("ref", value)
    assert result["valid"] is True and result["parts"]["domain"] == "docker.io"  # docker's own reading
    warning = result["warning"]
    assert "docker.io/library/" in warning["en"] and "Docker Hub" in warning["en"] and "Docker Hub" in warning["zh"]
    assert f"{host}/<namespace>/<repository>" in warning["en"] and f"{host}/<命名空间>/<仓库名>" in warning["zh"]


@pytest.mark.parametrize(
    "value",
    [
        "nginx",
        "nginx:1.25",
        "library/nginx",
        "team/app.web",
        "ccr.ccs.tencentyun.com/ns/app",
        "localhost/app",
        "my-app",
    ],
)
def test_an_image_name_gets_no_host_warning(value):
    from diagnostics import check_name

    result = check_name("ref", value)
    assert result["valid"] is True and "warning" not in result


@pytest.mark.parametrize(("lang", "label"), [("en", "[WARN] "), ("zh", "[警告] ")])
def test_check_name_prints_the_warning_in_each_language(capsys, lang, label):
    from bot.cli import main

    assert (
        main(["check-name", "--lang", lang, "ref", "ccr.ccs.tencentyun.com"]) == 0
    )  # valid: exit 0, as docker pulls it
    out = capsys.readouterr().out
    assert label in out and "docker.io/library/ccr.ccs.tencentyun.com" in out.split(label, 1)[1]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_slacks_check_name_says_the_warning(lang):
    import diagnostics
    from bot.slack import message

    reply = message(
        "check_name.json.j2",
        lang=lang,
        what=diagnostics.KIND_WORDS["ref"],
        result=diagnostics.check_name("ref", "ccr.ccs.tencentyun.com"),
    )
    text = reply["blocks"][0]["text"]["text"]
    assert ":warning:" in text and "Docker Hub" in text and "ccr.ccs.tencentyun.com/" in text


# ------------------------------------------------------------------ 4. a word of the sentence is not the image
@pytest.mark.parametrize(
    "text",
    [
        "we use docker hub. docker push fails: denied: requested access to the resource is denied",
        "docker pull works: Error response from daemon: pull access denied, repository does not exist",
        "docker run command gives Error response from daemon: Get https://registry-1.docker.io/v2/: Forbidden",
        "docker push is error:\nerror message: received unexpected HTTP status: 500 Internal Server Error",
    ],
)
def test_a_word_of_the_sentence_after_the_command_is_not_its_image(text):
    import knowledge

    log = knowledge.explain_log(text)
    assert log is not None and log["cause"]
    assert log["image"] is None and "docker.io/library/" not in (log["diagnose"] or ""), log


@pytest.mark.parametrize(
    ("text", "image"),
    [
        ("docker push myapp fails: denied: requested access to the resource is denied", "docker.io/library/myapp"),
        (
            "when I run docker pull ubuntu:\nError response from daemon: Get https://registry-1.docker.io/v2/: "
            "net/http: TLS handshake timeout",
            "docker.io/library/ubuntu",
        ),
        ("$ docker pull nginx\nError response from daemon: pull access denied for nginx", "docker.io/library/nginx"),
        ("$ docker pull redis:works\nError response from daemon: manifest unknown", "docker.io/library/redis:works"),
    ],
)
def test_an_image_typed_after_the_command_is_kept(text, image):
    import knowledge

    assert knowledge.explain_log(text)["image"] == image


def test_typed_as_image_reads_the_operands_form():
    from knowledge.logs.images import typed_as_image

    assert not typed_as_image("fails:", " fails: denied: requested access")
    assert not typed_as_image("Fails", " Fails with unauthorized")
    assert typed_as_image("ubuntu:", " ubuntu:\nError response from daemon")  # a colon ending the line
    assert typed_as_image("team/works", " team/works fails")  # a path is written as a reference
    assert not typed_as_image("label:", " label: " + ":" * 100_000)  # hostile input stays a cheap split


# ------------------------------------------------------------------ 5. one rule for "is this TCR"
CNAME_TO_TCR = {
    "check": "dns",
    "status": "ok",
    "code": "DNS_OK",
    "evidence": {"cnames": ["shop.tencentcloudcr.com."]},
}
LOGIN_FAILED = {"check": "credentials", "status": "fail", "code": "CREDENTIALS_MISSING", "evidence": {}}


def _slack_findings(target, findings, lang="en"):
    from bot.slack import message

    full = [
        {"summary": {"en": f["code"], "zh": f["code"]}, "fix": {"en": "", "zh": ""}, "faq": None, **f} for f in findings
    ]
    reply = message(
        "findings.json.j2",
        lang=lang,
        target=target,
        findings=full,
        causes=[],
        credentials=True,
        ran_by=None,
        command=False,
        not_here=[],
    )
    return reply["blocks"][-1]["text"]["text"]


def test_slacks_credentials_hint_follows_the_diagnosis_like_the_runners_fixes():
    # a custom domain whose CNAME ends at a TCR instance: TCR's own advice (the runner's rule), not another registry's
    hint = _slack_findings("registry.example.com/ns/app:1", [CNAME_TO_TCR, LOGIN_FAILED])
    assert "Access credentials" in hint and "TCR console" in hint, hint
    other = _slack_findings("registry.example.com/ns/app:1", [LOGIN_FAILED])
    assert "TCR" not in other and "credentials that registry issues" in other, other
    assert "TCR console" in _slack_findings("shop.tencentcloudcr.com/ns/app:1", [LOGIN_FAILED])


@pytest.mark.parametrize(
    ("host", "findings", "stands_for", "expected"),
    [
        ("shop.tencentcloudcr.com", [], None, True),
        ("ghcr.io", [], None, False),
        ("registry.example.com", [CNAME_TO_TCR], None, True),
        ("registry.example.com", [{"code": "CUSTOM_DOMAIN_OK"}], None, True),
        ("registry.example.com", [{"code": "DNS_OK", "evidence": {"cnames": ["cdn.example.net."]}}], None, False),
        ("127.0.0.1", [], "enterprise", True),
        (None, [], None, False),
    ],
)
def test_one_rule_decides_for_the_runner_and_the_channels(host, findings, stands_for, expected):
    import diagnostics
    from bot.render import is_tcr
    from diagnostics import DiagnoseOptions, finding, parse_target
    from diagnostics.runner import registry_is_tcr

    assert diagnostics.is_tcr_registry(host, findings, stands_for=stands_for) is expected
    objects = [finding(f.get("check", "cloud"), f["code"]).replace(evidence=f.get("evidence", {})) for f in findings]
    if host:
        options = DiagnoseOptions(edition=stands_for) if stands_for else DiagnoseOptions()
        assert registry_is_tcr(parse_target(host), options, objects) is expected
    if not stands_for:
        assert is_tcr(host, findings) is expected  # the templates' test, with a diagnosis's findings as dicts
