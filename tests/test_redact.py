"""Secrets pasted into questions are masked; ordinary text is untouched."""

from __future__ import annotations

import time

import pytest

from knowledge import redact

JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMDAwMTIzNDU2NzgifQ.c2lnbmF0dXJlLXBhcnQ"


@pytest.mark.parametrize(
    "text,secret,kind",
    [
        (
            "docker login -u 100012345678 -p Sup3rS3cret! shop-tcr.tencentcloudcr.com",
            "Sup3rS3cret!",
            "docker-login-password",
        ),
        ("podman login --password 'a b c' x.tencentcloudcr.com", "a b c", "docker-login-password"),
        ("docker login --password=hunter22 x", "hunter22", "docker-login-password"),
        ("password: correct-horse", "correct-horse", "password"),
        ('{"username": "u", "password": "p@ss w0rd"}', "p@ss w0rd", "password"),
        ("我的密码是 Abc123456，登录不上", "Abc123456", "password"),
        (f"docker login -u tcr$ -p {JWT} x", JWT, "docker-login-password"),
        (f"token looks like {JWT}", JWT, "jwt"),
        ("SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "tencent-secret-id"),
        (
            "TENCENTCLOUD_SECRET_KEY=Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            "tencent-secret-key",
        ),
        ("Authorization: Bearer abcDEF123456789xyz", "abcDEF123456789xyz", "bearer-token"),
        ("git clone https://bob:s3cr3t@git.example.com/repo", "s3cr3t", "url-credentials"),
        (
            '"auths": {"a.tencentcloudcr.com": {"auth": "dXNlcjpwYXNzd29yZA=="}}',
            "dXNlcjpwYXNzd29yZA==",
            "docker-config-auth",
        ),
    ],
)
def test_masks_secret(text, secret, kind):
    masked, kinds = redact(text)
    assert secret not in masked
    assert "****" in masked
    assert kind in kinds


def test_keeps_context():
    masked, _ = redact("docker login -u 100012345678 -p Sup3rS3cret! shop-tcr.tencentcloudcr.com")
    assert masked == "docker login -u 100012345678 -p **** shop-tcr.tencentcloudcr.com"


@pytest.mark.parametrize(
    "text",
    [
        "docker pull shop-tcr.tencentcloudcr.com/ns/app:1.0",
        "unauthorized: authentication required",
        "登录实例失败怎么办？",
        "how do I reset my password?",
        "",
    ],
)
def test_plain_text_untouched(text):
    assert redact(text) == (text, [])


def test_hostile_input_is_fast():
    for text in ("-p " * 300_000, "eyJ" + "a" * 1_000_000, "password:" * 100_000, "https://" + "a:" * 300_000):
        start = time.perf_counter()
        redact(text)
        assert time.perf_counter() - start < 2.0


def test_package_attribute_stays_the_function():
    import importlib

    import knowledge

    importlib.import_module("knowledge.redact")
    assert knowledge.redact("password: x1")[0] == "password: ****"
    assert knowledge.redact("password: x2")[0] == "password: ****"
