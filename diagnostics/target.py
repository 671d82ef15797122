"""What to diagnose: a registry (`host[:port]`, optionally with `http://`/`https://`) or an image reference."""

from __future__ import annotations

import re

from . import ip_literal
from .reference import DOCKER_HUB_DOMAINS, DOCKER_HUB_REGISTRY, DOMAIN_RE, NameRuleError, parse, split, split_hostport
from .value import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from typing import Any

    from .results import TargetDict

MAX_TARGET = 2048


class Target(Record):
    """What to diagnose, as parsed: scheme, registry, host and port to connect to, repository, tag, digest.

    A plain class, not a dataclass: see diagnostics.findings.Finding."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.scheme = "https"
        self.scheme_given = False
        self.registry: str | None = None  # as written: host[:port] ([v6]:port), docker.io for Hub
        self.host: str | None = None  # the host to resolve/connect (no brackets)
        self.port = 443
        self.repository: str | None = None
        self.tag: str | None = None
        self.digest: str | None = None
        self.tag_given = False
        self.is_ip = False
        self.error: dict[str, Any] | None = None  # {"rule", "zh", "en"} when the target cannot be parsed
        self.notes: list[Any] = []

    @property
    def hostport(self) -> str:
        """host[:port] as a URL writes it (the port only when it is not the scheme's default)."""
        if self.host is None:
            return self.raw
        h = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return h if self.port == default else f"{h}:{self.port}"

    @property
    def base_url(self) -> str:
        """scheme://host[:port]"""
        return f"{self.scheme}://{self.hostport}"

    @property
    def reference(self) -> str | None:
        """The digest, or else the tag."""
        return self.digest or self.tag

    @property
    def image(self) -> str | None:
        """registry/repository[:tag][@digest], None without a repository."""
        if not self.repository:
            return None
        return (
            f"{self.registry}/{self.repository}"
            + (f":{self.tag}" if self.tag and not self.digest else "")
            + (f"@{self.digest}" if self.digest else "")
        )

    def to_dict(self) -> TargetDict:
        """The parts as the report shows them."""
        return {
            "input": self.raw,
            "scheme": self.scheme,
            "registry": self.registry,
            "host": self.host,
            "port": self.port,
            "repository": self.repository,
            "tag": self.tag,
            "digest": self.digest,
        }


def is_ip(host: str) -> bool:
    """Whether `host` is an IPv4 or IPv6 address literal (no brackets), not a name."""
    return ip_literal.is_ip(host)


def _problem(rule: str, en: str, zh: str) -> dict[str, Any]:
    return {"rule": rule, "en": en, "zh": zh}


def parse_target(raw: str) -> Target:
    """What RAW names: a registry (`host[:port]`, optionally with a scheme or a pasted /v2/ URL) or an image
    reference. A target that cannot be parsed carries `error` ({rule, zh, en}) and, when it can be told, the
    registry for the report."""
    t = Target(raw=raw)
    value = _strip_scheme(t, raw.strip())
    if value is None:
        return t
    value = value.rstrip("/")
    m = re.match(r"^([^/]+)/v2(?:/.*)?$", value)
    if m:  # a pasted API URL: https://host/v2/...
        value = m.group(1)
    first, slash, _ = value.partition("/")
    if not slash and _is_registry(first, scheme_given=t.scheme_given):
        if not DOMAIN_RE.match(first):
            en, zh = f"{first!r} is not a valid registry host[:port]", f"{first!r} 不是合法的仓库主机[:端口]"
            t.error = _problem("ref.domain", en, zh)
            return t
        t.registry = first
    elif not _take_reference(t, value):
        return t
    _locate(t)
    return t


def _strip_scheme(t: Target, value: str) -> str | None:
    """VALUE without its http(s):// scheme (recorded in T); None, with T.error set, when it cannot be a target."""
    if not value or len(value) > MAX_TARGET or any(ord(c) < 32 or ord(c) == 127 for c in value):
        t.error = _problem(
            "target.format", "empty, too long or containing control characters", "为空、过长或包含控制字符"
        )
        return None
    m = re.match(r"^(https?)://", value, re.IGNORECASE)
    if m:
        t.scheme, t.scheme_given = m.group(1).lower(), True
        value = value[m.end() :]
    elif "://" in value:
        t.error = _problem("target.scheme", "only http:// and https:// are supported", "只支持 http:// 和 https://")
        return None
    if "@" in value.split("/", 1)[0]:
        # user:password@host — never keep (or print) the credentials part
        t.raw = (f"{t.scheme}://" if t.scheme_given else "") + "***@" + value[value.index("@") + 1 :]
        t.error = _problem(
            "target.userinfo",
            "credentials do not belong in the address: use --username and --password-stdin",
            "地址中不能包含用户名密码：请使用 --username 和 --password-stdin",
        )
        return None
    return value


def _is_registry(first: str, *, scheme_given: bool) -> bool:
    """Whether a value without '/' names a registry (it looks like a host, or a scheme was given) rather than a
    Docker Hub image."""
    return scheme_given or "." in first or ":" in first or first == "localhost" or is_ip(first.strip("[]"))


def _take_reference(t: Target, value: str) -> bool:
    """Fill T from the image reference VALUE; False (T.error set, and the registry when it can be told) when the
    reference is not valid."""
    try:
        ref = parse(value)
    except NameRuleError as exc:
        t.error = {"rule": exc.rule, **exc.message}
        domain = split(value).domain
        if domain and DOMAIN_RE.match(domain):
            t.registry = domain  # still named in the report
        return False
    t.registry, t.repository = ref.domain, ref.path
    t.tag, t.tag_given, t.digest = ref.tag, ref.tag_given, ref.digest
    return True


def _locate(t: Target) -> None:
    """The host and port to connect to for T.registry (Docker Hub's registry for docker.io)."""
    assert t.registry is not None
    host, port = split_hostport(t.registry)
    if host in DOCKER_HUB_DOMAINS:
        host = DOCKER_HUB_REGISTRY
    t.host = host.lower()
    t.port = port or (443 if t.scheme == "https" else 80)
    if not (0 < t.port < 65536):
        t.error = _problem("ref.port", f"port {t.port} is out of range", f"端口 {t.port} 超出范围")
    t.is_ip = is_ip(t.host)
