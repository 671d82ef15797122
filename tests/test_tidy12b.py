"""Product defects qa12 and tidy12 noticed and left this session (tidy12b): each test reproduces one as it was, then
holds the fix.

1. The widget offered "Run this diagnosis" on targets /api/diagnose always refuses under its address policy (with the
   default settings every registry that is not TCR's): /api/ask's answer now carries the policy's own decision,
   `refused_targets` (the widget's side: tests/test_widget_browser.py).
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
