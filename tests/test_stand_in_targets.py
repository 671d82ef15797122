"""A pasted log's diagnosis target is a registry: not Docker Hub's web site (hub.docker.com: Hub's registry is
diagnosed) nor a stand-in a user wrote for their registry's name (`xxx`, `xxx.com`, registry.example.com), which gets
the `<registry>` command and no target (diagnostics.reference.registry_named, the one rule). The texts are shaped
after real posts (containerd#1568, helm#12810, orbstack#1728, docker-credential-helpers#300, distrobox#1717)."""

from __future__ import annotations

import time

import pytest

import knowledge
from diagnostics.reference import registry_named


@pytest.mark.parametrize(
    ("host", "registry"),
    [
        ("xxx", None),
        ("xxx.com", None),
        ("XXXX:30003", None),
        ("registry.xxx.cn", None),
        ("xx.xxx.xxx.xx", None),
        ("xxxxxxxxxxxx.dkr.ecr.us-west-2.amazonaws.com", None),
        ("***.tencentcloudcr.com", None),
        ("<registry>", None),
        ("${REGISTRY}", None),
        ("registry.example.com:5000", None),
        ("https://registry.example.org", None),
        ("hub.docker.com", "docker.io"),
        ("hub.docker.com:443", "docker.io"),
        # real names stay
        ("registry-1.docker.io", "registry-1.docker.io"),
        ("shop.tencentcloudcr.com", "shop.tencentcloudcr.com"),
        ("nexus.xxxyyyzzz.se:18078", "nexus.xxxyyyzzz.se:18078"),
        ("exampleacr.azurecr.io", "exampleacr.azurecr.io"),
        ("192.168.1.10:5000", "192.168.1.10:5000"),
        ("[::1]:5000", "[::1]:5000"),
    ],
)
def test_registry_named(host, registry):
    assert registry_named(host) == registry


def test_registry_named_is_linear_on_hostile_input():
    start = time.perf_counter()
    for value in (":" * 100_000, "x." * 50_000, "a" * 100_000):
        registry_named(value)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        (
            "ctr: failed to do request: Head https://xxx/v2/library/nginx/manifests/1.10.1-alpine:x509: certificate "
            "signed by unknown authority",
            "TLS_UNTRUSTED",
        ),
        (
            'helm registry login http://xxx --debug\nError: Get "https://xxx/v2/": http: server gave HTTP response to '
            "HTTPS client",
            "HTTP_NOT_HTTPS",
        ),
        (
            "Error response from daemon: Get https://xxxxx.com/v1/users/: x509: certificate signed by unknown authority",
            "TLS_UNTRUSTED",
        ),
        (
            'Error response from daemon: Get "https://registry.example.com:5000/v2/": dial tcp 10.0.0.7:5000: '
            "connect: connection refused",
            "TCP_REFUSED",
        ),
    ],
)
def test_a_stand_in_for_a_registry_name_is_no_target(text, cause):
    """(Before: `tcr-doctor diagnose xxx …` and a "Run this diagnosis" on `xxx`, a name no registry has.)"""
    result = knowledge.ask(text)
    log = result["log"]
    assert log is not None and log["cause"] == cause
    assert log["target"] is None
    assert log["diagnose"] is not None and log["diagnose"].startswith("tcr-doctor diagnose <registry>")
    assert log["host"] is not None  # the reading still names the host the log shows (the refusal's vendor)


def test_docker_hubs_web_site_is_diagnosed_as_docker_hubs_registry():
    text = (
        "Error saving credentials: error storing credentials - err: exit status 1, out: `Post "
        '"https://hub.docker.com/v2/users/login?refresh_token=true": dialing hub.docker.com:443 with direct '
        "connection: connecting to 208.101.21.43:443: dial tcp 208.101.21.43:443: connectex: A connection attempt "
        "failed because the connected party did not properly respond after a period of time`"
    )
    log = knowledge.ask(text)["log"]
    assert log is not None and log["host"] == "hub.docker.com"
    assert log["target"] == "docker.io" and log["diagnose"].startswith("tcr-doctor diagnose docker.io ")


def test_a_docker_hub_web_page_is_no_image_to_diagnose():
    text = (
        "distrobox create --image https://hub.docker.com/r/openmandriva/cooker\n"
        "Image https://hub.docker.com/r/openmandriva/cooker not found.\nError: invalid reference format"
    )
    log = knowledge.ask(text)["log"]
    assert log is not None and log["target"] is None and "<registry>" in log["diagnose"]


def test_a_real_registry_stays_the_target():
    text = (
        'Error response from daemon: Get "https://shop.tencentcloudcr.com/v2/": unauthorized: authentication required'
    )
    log = knowledge.ask(text)["log"]
    assert log is not None and log["target"] == "shop.tencentcloudcr.com"
