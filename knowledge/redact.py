"""Mask secrets pasted into a question before anything is stored, logged or echoed.

`redact(text) -> (masked_text, kinds)`; `kinds` lists what was found (sorted, unique), e.g.
["docker-login-password", "jwt"]. Every pattern is linear-time (bounded quantifiers, no nested repetition).
"""

from __future__ import annotations

import re

MASK = "****"

# (kind, pattern, group to mask). Order matters: specific before generic.
_PATTERNS: list[tuple[str, re.Pattern, str]] = [
    # docker/podman/nerdctl/helm login -p SECRET | --password SECRET | --password=SECRET
    (
        "docker-login-password",
        re.compile(
            r"(?<![\w-])(?:-p|--password)(?:=|[ \t]{1,10})(?P<s>(?:\"[^\"\n]{1,512}\"|'[^'\n]{1,512}'|[^\s\"']{1,512}))"
        ),
        "s",
    ),
    # basic auth in a URL: scheme://user:pass@host
    ("url-credentials", re.compile(r"(?i)\b[a-z][a-z0-9+.-]{0,15}://[^\s:/@]{1,256}:(?P<s>[^\s@/]{1,512})@"), "s"),
    # JSON Web Tokens (registry bearer tokens, TCR long-term passwords)
    ("jwt", re.compile(r"(?P<s>\beyJ[A-Za-z0-9_-]{5,4096}\.[A-Za-z0-9_-]{5,4096}(?:\.[A-Za-z0-9_-]{0,4096})?)"), "s"),
    # Authorization: Bearer/Basic ...
    ("bearer-token", re.compile(r"(?i)\b(?:bearer|basic)[ \t]{1,10}(?P<s>[A-Za-z0-9._~+/=-]{8,4096})"), "s"),
    # docker config.json "auth": "base64", "identitytoken": "...", "registrytoken": "..."
    (
        "docker-config-auth",
        re.compile(r"(?i)\"(?:auth|identitytoken|registrytoken)\"[ \t]{0,5}:[ \t]{0,5}\"(?P<s>[^\"\n]{1,8192})\""),
        "s",
    ),
    # Tencent Cloud SecretId (AKID + 32-40 characters)
    ("tencent-secret-id", re.compile(r"(?P<s>\bAKID[A-Za-z0-9]{13,40}\b)"), "s"),
    # SecretKey / secret_key / TENCENTCLOUD_SECRET_KEY = value
    (
        "tencent-secret-key",
        re.compile(
            r"(?i)\b(?:tencentcloud_)?secret[_-]?key\b[\"']?[ \t]{0,5}[:=][ \t]{0,5}[\"']?(?P<s>[A-Za-z0-9/+=]{16,128})"
        ),
        "s",
    ),
    # password: x / password=x / "password": "x" / 密码: x  (also passwd, pwd, token, secret)
    (
        "password",
        re.compile(
            r"(?i)(?:\b(?:password|passwd|pwd|token|secret|access[_-]?token|client[_-]?secret)\b|密码|口令|令牌)"
            r"[\"']?[ \t]{0,5}(?:[:=：]|\bis\b|是|为)[ \t]{0,5}"
            r"(?P<s>\"[^\"\n]{1,512}\"|'[^'\n]{1,512}'|[^\s\"',;，。]{1,512})"
        ),
        "s",
    ),
]


def redact(text: str) -> tuple[str, list[str]]:
    if not isinstance(text, str) or not text:
        return text, []
    kinds: set[str] = set()
    for kind, rx, group in _PATTERNS:

        def _sub(m: re.Match, kind=kind, group=group) -> str:
            secret = m.group(group)
            if not secret or MASK in secret:
                return m.group(0)
            kinds.add(kind)
            quote = secret[0] if secret[0] in "\"'" and len(secret) > 1 and secret[-1] == secret[0] else ""
            start, end = m.span(group)
            base = m.start(0)
            whole = m.group(0)
            return whole[: start - base] + quote + MASK + quote + whole[end - base :]

        text = rx.sub(_sub, text)
    return text, sorted(kinds)
