"""The login entry (07, "logging in fails") and pasted network failures (tests/data/README.md's boundary rule:
failures of `docker login` itself go to 07; a pull or push that fails on the network is not a login). Texts
written for these tests."""

from __future__ import annotations

import pytest

import knowledge

LOGIN = "login-failed"


@pytest.mark.parametrize(
    "q",
    [
        'Warning  Failed  12s  kubelet  Failed to pull image "demo.tencentcloudcr.com/app/web:1.0": rpc error: code = '
        'Unknown desc = failed to pull and unpack image "demo.tencentcloudcr.com/app/web:1.0": failed to resolve '
        'reference "demo.tencentcloudcr.com/app/web:1.0": failed to do request: Head '
        '"https://demo.tencentcloudcr.com/v2/app/web/manifests/1.0": x509: certificate signed by unknown authority',
        '### Version\n\nv2.3\n\n### How to reproduce?\n\nFailed to pull image "demo/app:1" x509: certificate signed '
        "by unknown authority\n\n### Expected\n\npull works",
    ],
)
def test_a_pull_that_fails_on_tls_is_not_the_login_entry(q):
    res = knowledge.ask(q)
    assert res["log"] is not None and res["log"]["op"] != "login"
    assert not (res["matched"] and res["answer"]["id"] == LOGIN), res


@pytest.mark.parametrize(
    "q",
    [
        "nerdctl login to my registry fails:\n$ nerdctl login --username=100012345678 ccr.ccs.tencentyun.com\n"
        'FATA[0003] failed to call rh.Client.Do: Get "http://ccr.ccs.tencentyun.com:8080/v2/": '
        "http: server gave HTTP response to HTTPS client",
        'docker login demo.tencentcloudcr.com\nError response from daemon: Get "https://demo.tencentcloudcr.com/v2/": '
        "net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)",
    ],
)
def test_a_login_that_fails_on_the_network_is_the_login_entry(q):
    res = knowledge.ask(q)
    assert res["log"] is not None and res["log"]["op"] == "login"
    assert res["matched"] and res["answer"]["id"] == LOGIN, res
