"""What to diagnose: a registry (`host[:port]`, optionally with `http://`/`https://`) or an image reference."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from .names import DEFAULT_DOMAIN, DOMAIN_RE, LEGACY_DEFAULT_DOMAIN, NameError_, split_domain, validate_ref

DOCKER_HUB_REGISTRY = "registry-1.docker.io"
MAX_TARGET = 2048


@dataclass
class Target:
    raw: str
    scheme: str = "https"
    scheme_given: bool = False
    registry: str | None = None  # as written: host[:port] ([v6]:port), docker.io for Hub
    host: str | None = None  # the host to resolve/connect (no brackets)
    port: int = 443
    repository: str | None = None
    tag: str | None = None
    digest: str | None = None
    tag_given: bool = False
    is_ip: bool = False
    error: dict[str, Any] | None = None  # {"rule", "zh", "en"} when the target cannot be parsed
    notes: list[Any] = field(default_factory=list)

    @property
    def hostport(self) -> str:
        if self.host is None:
            return self.raw
        h = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return h if self.port == default else f"{h}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.hostport}"

    @property
    def reference(self) -> str | None:
        return self.digest or self.tag

    @property
    def image(self) -> str | None:
        if not self.repository:
            return None
        return (
            f"{self.registry}/{self.repository}"
            + (f":{self.tag}" if self.tag and not self.digest else "")
            + (f"@{self.digest}" if self.digest else "")
        )

    def to_dict(self) -> dict[str, Any]:
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


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def _split_hostport(domain: str) -> tuple[str, int | None]:
    m = re.fullmatch(r"\[([0-9a-fA-F:.]+)\](?::([0-9]+))?", domain)
    if m:
        return m.group(1), int(m.group(2)) if m.group(2) else None
    if domain.count(":") == 1:
        h, p = domain.split(":")
        return h, int(p) if p.isdigit() else None
    return domain, None


def parse_target(raw: str) -> Target:
    t = Target(raw=raw)
    value = raw.strip()
    if not value or len(value) > MAX_TARGET or any(ord(c) < 32 or ord(c) == 127 for c in value):
        t.error = {
            "rule": "target.format",
            "en": "empty, too long or containing control characters",
            "zh": "为空、过长或包含控制字符",
        }
        return t
    m = re.match(r"^(https?)://", value, re.IGNORECASE)
    if m:
        t.scheme = m.group(1).lower()
        t.scheme_given = True
        value = value[m.end() :]
    elif "://" in value:
        t.error = {
            "rule": "target.scheme",
            "en": "only http:// and https:// are supported",
            "zh": "只支持 http:// 和 https://",
        }
        return t
    first_segment = value.split("/", 1)[0]
    if "@" in first_segment:
        # user:password@host — never keep (or print) the credentials part
        masked = value[value.index("@") + 1 :]
        t.raw = (f"{t.scheme}://" if t.scheme_given else "") + "***@" + masked
        t.error = {
            "rule": "target.userinfo",
            "en": "credentials do not belong in the address: use --username and --password-stdin",
            "zh": "地址中不能包含用户名密码：请使用 --username 和 --password-stdin",
        }
        return t
    value = value.rstrip("/")
    m2 = re.match(r"^([^/]+)/v2(?:/.*)?$", value)
    if m2:  # a pasted API URL: https://host/v2/...
        value = m2.group(1)
    first, _, rest = value.partition("/")
    domain, _ = split_domain(value) if rest else (None, value)
    if not rest:
        # only a host: a registry if it looks like one (or a scheme was given), else a Docker Hub image
        if t.scheme_given or "." in first or ":" in first or first == "localhost" or _is_ip(first.strip("[]")):
            domain = first
        else:
            domain = None
    if domain is not None and not rest:
        if not DOMAIN_RE.match(domain):
            t.error = {
                "rule": "ref.domain",
                "en": f"{domain!r} is not a valid registry host[:port]",
                "zh": f"{domain!r} 不是合法的仓库主机[:端口]",
            }
            return t
        t.registry = domain
    else:
        try:
            parts = validate_ref(value)
        except NameError_ as exc:
            t.error = {"rule": exc.rule, **exc.message}
            # still learn the host if we can, for the report
            d, _ = split_domain(value)
            if d and DOMAIN_RE.match(d):
                t.registry = d
            return t
        t.registry = parts["domain"]
        t.repository = parts["path"]
        t.tag = parts["tag"]
        t.tag_given = parts["tag_given"]
        t.digest = parts["digest"]
    if t.registry is None:
        return t
    host, port = _split_hostport(t.registry)
    if host in (DEFAULT_DOMAIN, LEGACY_DEFAULT_DOMAIN):
        host = DOCKER_HUB_REGISTRY
    t.host = host.lower()
    t.port = port or (443 if t.scheme == "https" else 80)
    if not (0 < t.port < 65536):
        t.error = {"rule": "ref.port", "en": f"port {t.port} is out of range", "zh": f"端口 {t.port} 超出范围"}
    t.is_ip = _is_ip(t.host)
    return t
