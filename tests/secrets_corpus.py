"""Planted secrets of every kind the one detector (knowledge/redact.py) must mask: shared by the redaction tests,
the property tests and benchmarks/bench_hardening.py. Every value is fake (made for these tests)."""

from __future__ import annotations

# kind -> (a line a user would paste, the secret inside it that must never come back)
PLANTED: dict[str, tuple[str, str]] = {
    "docker-login-password": (
        "docker login -u 100012345678 -p Pl4nted-Pw-7731 shop-tcr.tencentcloudcr.com",
        "Pl4nted-Pw-7731",
    ),
    "tcr-service-account": (
        "skopeo copy --src-creds tcr$ci-robot:Tcr5vcAcctT0ken88 docker://shop-tcr.tencentcloudcr.com/ns/app:1",
        "Tcr5vcAcctT0ken88",
    ),
    "url-credentials": ("git clone https://bob:UrlPa55wd9921@git.example.com/repo.git", "UrlPa55wd9921"),
    "jwt": (
        "token: eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMDAwMTIzNDU2NzgifQ.c2lnbmF0dXJlLXBhcnQx",
        "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMDAwMTIzNDU2NzgifQ.c2lnbmF0dXJlLXBhcnQx",
    ),
    "bearer-token": ("curl -H 'Authorization: Bearer Zx9BearerTok3nQq77' https://x/v2/", "Zx9BearerTok3nQq77"),
    "docker-config-auth": (
        '{"auths": {"shop-tcr.tencentcloudcr.com": {"auth": "dXNlcjpQbGFudGVkQXV0aDQ0"}}}',
        "dXNlcjpQbGFudGVkQXV0aDQ0",
    ),
    "tencent-secret-id": ("SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3PLANTED", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3PLANTED"),
    "tencent-secret-key": ("my SecretKey Gu5t9xGARNpq86cd98joQYCN3PLANTED ok", "Gu5t9xGARNpq86cd98joQYCN3PLANTED"),
    "slack-token": (
        "SLACK_BOT_TOKEN=xoxb-123456789012-1234567890123-PlantedSlackTok3n",
        "xoxb-123456789012-1234567890123-PlantedSlackTok3n",
    ),
    "aws-access-key": ("AWS_ACCESS_KEY_ID=AKIAQPLANTED7EXAMPL3", "AKIAQPLANTED7EXAMPL3"),
    "private-key": (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAplantedPEMbody0123456789abcdef\n-----END RSA PRIVATE KEY-----",
        "MIIEowIBAAKCAQEAplantedPEMbody0123456789abcdef",
    ),
    "github-token": (
        "export GH_TOKEN=ghp_PlantedGitHubToken0123456789abcdefABCD",
        "ghp_PlantedGitHubToken0123456789abcdefABCD",
    ),
    "password": ("密码是 Pl4ntedMiMa2026，登录不上", "Pl4ntedMiMa2026"),
    "encoded-docker-config": (
        "  .dockerconfigjson: eyJhdXRocyI6eyJ4Ijp7ImF1dGgiOiJkWE5sY2pwUWJHRnVkR1ZrUlc1ak9UYz0ifX19",
        "eyJhdXRocyI6eyJ4Ijp7ImF1dGgiOiJkWE5sY2pwUWJHRnVkR1ZrUlc1ak9UYz0ifX19",
    ),
    "folded-password": ("ｐａｓｓｗｏｒｄ：Pl4ntedFu11W1dth", "Pl4ntedFu11W1dth"),
    "stdin-password": ("echo Pl4ntedSt6in | docker login -u 1000 --password-stdin x", "Pl4ntedSt6in"),
    "bare-pass": ("registry user: admin pass: Pl4ntedBarePa55", "Pl4ntedBarePa55"),
    "single-label-host-credentials": ("docker pull admin:Pl4ntedH0stPw@registry/ns/app:1", "Pl4ntedH0stPw"),
}
