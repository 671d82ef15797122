"""Address and host policy: the SSRF guard for the public channels (web, Slack).

The CLI runs with no policy (support engineers may point it anywhere, including a VPC address). The web
and Slack channels pass `AddressPolicy.public_registry(...)`, and the diagnostics engine asks it twice:

1. `check_host(host)` before resolving: only DNS names under the configured registry domains, never an IP
   literal in any notation (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`, `[::1]`, `::ffff:127.0.0.1`),
   no `user@host`, no trailing dot, no percent-encoding or exotic characters.
2. `check_address(ip)` for every address the name resolved to: only globally routable unicast addresses.
   Loopback, link-local (incl. the 169.254.169.254 metadata service), private (RFC 1918, fc00::/7), CGNAT
   (100.64.0.0/10), multicast, unspecified, broadcast, documentation/benchmark/reserved ranges are refused,
   also when wrapped in IPv6 (IPv4-mapped, IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16, Teredo), and so
   are the operator's `refused_networks` (TCR_DOCTOR_REFUSED_NETWORKS; by default the other ranges Tencent Cloud
   uses internally, 9.0.0.0/8, 11.0.0.0/8 and 30.0.0.0/8), wrapped or not.

The engine then connects only to an address that passed, and every redirect target goes through
`check_url` (scheme, user info, port, host) and its resolved addresses through `check_address` again.

Every refusal is a `Refusal`: a `str` (English text, so `-> str | None` holds) that also carries
`.code`, `.zh` and `.en`, and `to_dict()` for findings.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from . import DEFAULT_DOMAINS, DEFAULT_PORTS, DEFAULT_REFUSED_NETWORKS, ENTERPRISE_SUFFIX
from .checks import all_checks
from .checks import groups as check_groups
from .context import DiagnoseOptions
from .net import TENCENT_INTERNAL
from .reference import split_hostport

# DEFAULT_REFUSED_NETWORKS (declared in the package with the other defaults, for the settings) are the other ranges
# Tencent Cloud uses for internal services besides 10.*, 100.* and 169.254.* (its API Gateway documentation, "API 网关
# 各地域内网网段", lists 9.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 11.0.0.0/8 and 30.0.0.0/8 as the internal segments of
# every region). They are public unicast on the internet, where no name under DEFAULT_DOMAINS has an address in them;
# a public service running inside Tencent Cloud would reach internal services there.

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# A dotted part that inet_aton()/browsers/curl would read as a number: decimal, octal (leading 0) or hex.
_NUMERIC_PART = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_LOOKS_NUMERIC_TAIL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")

# IPv4 ranges that are not globally routable, most specific first, each with a refusal kind.
_V4_RANGES: tuple[tuple[str, str], ...] = (
    ("169.254.169.254/32", "metadata"),
    ("100.100.100.200/32", "metadata"),  # another cloud's metadata service, inside CGNAT anyway
    ("0.0.0.0/8", "unspecified"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link_local"),
    ("10.0.0.0/8", "private"),
    ("172.16.0.0/12", "private"),
    ("192.168.0.0/16", "private"),
    ("100.64.0.0/10", "cgnat"),
    ("192.0.0.0/24", "reserved"),  # IETF protocol assignments
    ("192.0.2.0/24", "reserved"),  # TEST-NET-1
    ("198.51.100.0/24", "reserved"),  # TEST-NET-2
    ("203.0.113.0/24", "reserved"),  # TEST-NET-3
    ("198.18.0.0/15", "reserved"),  # benchmarking
    ("192.88.99.0/24", "reserved"),  # 6to4 relay anycast (deprecated)
    ("224.0.0.0/4", "multicast"),
    ("255.255.255.255/32", "broadcast"),
    ("240.0.0.0/4", "reserved"),
    # Tencent Cloud's internal networks as the diagnosis itself reads them (diagnostics.net: "internal IPs are
    # generally 10.* or 100.*"): 100.0.0.0/8 beyond CGNAT is where a TCR or COS domain resolves inside Tencent Cloud,
    # and a public service running there would reach it
    *((network, "internal") for network in TENCENT_INTERNAL),
)
_V6_RANGES: tuple[tuple[str, str], ...] = (
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("fe80::/10", "link_local"),
    ("fec0::/10", "private"),  # site-local (deprecated)
    ("fc00::/7", "private"),  # unique local
    ("ff00::/8", "multicast"),
    ("100::/64", "reserved"),  # discard-only
    ("2001:db8::/32", "reserved"),  # documentation
    ("2001:10::/28", "reserved"),  # ORCHID
    ("2001:20::/28", "reserved"),  # ORCHIDv2
    ("3fff::/20", "reserved"),  # documentation (RFC 9637)
    ("5f00::/16", "reserved"),  # SRv6 SIDs
)
_V4_NETS = tuple((ipaddress.ip_network(n), k) for n, k in _V4_RANGES)
_V6_NETS = tuple((ipaddress.ip_network(n), k) for n, k in _V6_RANGES)
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: a local translator, any RFC 6052 prefix length
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), _NAT64_LOCAL)
_SIXTOFOUR = ipaddress.ip_network("2002::/16")
_TEREDO = ipaddress.ip_network("2001::/32")
_V4_COMPAT = ipaddress.ip_network("::/96")
_V4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT's IPv4-translated addresses (RFC 2765)

MASKED_USERINFO = "****@"
_WHY_PUBLIC = {
    "en": "This public service only diagnoses registries reachable from the internet; it never probes internal "
    "networks. Run `tcr-doctor diagnose {target}` from a machine that can reach it instead.",
    "zh": "此公共服务只诊断可从公网访问的镜像仓库，从不探测内部网络。请在能访问该地址的机器上运行 "
    "`tcr-doctor diagnose {target}`。",
}

# kind -> (en, zh); {host}/{ip}/{detail} are filled in.
_MESSAGES: dict[str, tuple[str, str]] = {
    "empty": ("No registry host was given.", "未提供镜像仓库域名。"),
    "syntax": ("'{host}' is not a valid registry host name.", "“{host}”不是合法的镜像仓库域名。"),
    "userinfo": (
        "'{host}' contains user information ('user@host'); give only the registry host name, never credentials.",
        "“{host}”包含用户信息（user@host 形式）；请只填写镜像仓库域名，不要填写凭证。",
    ),
    "ip_literal": (
        "'{host}' is an IP address; give the registry's domain name instead (for example <instance>"
        + ENTERPRISE_SUFFIX
        + "). IP addresses are not diagnosed from this public service.",
        "“{host}”是 IP 地址；请改用镜像仓库域名（例如 <实例名>" + ENTERPRISE_SUFFIX + "）。此公共服务不诊断 IP 地址。",
    ),
    "trailing_dot": (
        "'{host}' ends with a dot; give the host name without it.",
        "“{host}”以点号结尾；请去掉末尾的点号。",
    ),
    "domain": (
        "'{host}' is not a Tencent Cloud registry domain; this service only diagnoses hosts under {detail}.",
        "“{host}”不是腾讯云镜像仓库域名；此服务只诊断以下域名下的主机：{detail}。",
    ),
    "port": (
        "Port {detail} is not allowed; registries are diagnosed on ports {ports} only.",
        "不允许端口 {detail}；只诊断端口 {ports} 上的镜像仓库。",
    ),
    "scheme": (
        "The URL scheme '{detail}' is not allowed; only http and https are.",
        "不允许 URL 协议“{detail}”；只允许 http 和 https。",
    ),
    "bad_address": ("'{ip}' is not an IP address.", "“{ip}”不是 IP 地址。"),
    # address kinds: "{subject}" is "HOST resolves to IP," / "IP is" (zh: "HOST 解析到 IP，这是" / "IP 是")
    "loopback": ("{subject} a loopback address (this server itself).", "{subject}环回地址（即本服务器自身）。"),
    "metadata": ("{subject} a cloud metadata service address.", "{subject}云服务器元数据服务地址。"),
    "link_local": ("{subject} a link-local address.", "{subject}链路本地地址。"),
    "private": (
        "{subject} a private network address. TCR instances do have private (VPC) endpoints, but this "
        "public service cannot reach your VPC.",
        "{subject}私有网络地址。TCR 实例确实有内网（VPC）访问地址，但此公共服务无法访问您的 VPC。",
    ),
    "cgnat": (
        "{subject} a shared carrier-grade NAT address (100.64.0.0/10), internal to a provider's network.",
        "{subject}运营商级 NAT 共享地址（100.64.0.0/10），属于内部网络。",
    ),
    "internal": (
        "{subject} an address of Tencent Cloud's internal network (10.*, 100.*, 169.254.*): an internal "
        "endpoint this public service does not probe.",
        "{subject}腾讯云内网地址（10.*、100.*、169.254.*）：此公共服务不探测内网访问地址。",
    ),
    "refused_network": (
        "{subject} in a network this service never probes (Tencent Cloud's internal ranges, or a network its "
        "operator refuses).",
        "{subject}此服务不探测的网段地址（腾讯云内部网段，或运营者设置拒绝的网段）。",
    ),
    "multicast": ("{subject} a multicast address.", "{subject}组播地址。"),
    "broadcast": ("{subject} the broadcast address.", "{subject}广播地址。"),
    "unspecified": ("{subject} an unspecified address (0.0.0.0/8 or ::).", "{subject}未指定地址（0.0.0.0/8 或 ::）。"),
    "reserved": (
        "{subject} a reserved address that is not routed on the internet.",
        "{subject}保留地址，在公网上不可路由。",
    ),
    "resolve_failed": ("{host} could not be resolved: {detail}.", "无法解析 {host}：{detail}。"),
    "no_address": ("{host} has no address.", "{host} 没有任何地址记录。"),
}
_ADDRESS_KINDS = {
    "loopback",
    "internal",
    "refused_network",
    "metadata",
    "link_local",
    "private",
    "cgnat",
    "multicast",
    "broadcast",
    "unspecified",
    "reserved",
}


class Refusal(str):
    """Why a host, URL or address is refused. `str(refusal)` is the English text."""

    code: str
    en: str
    zh: str

    def __new__(cls, code: str, en: str, zh: str) -> Refusal:
        obj = super().__new__(cls, en)
        obj.code, obj.en, obj.zh = code, en, zh
        return obj

    def text(self, lang: str = "en") -> str:
        """The reason in LANG (zh or en)."""
        return self.zh if lang == "zh" else self.en

    def to_dict(self) -> dict[str, Any]:
        """{code, zh, en}"""
        return {"code": self.code, "zh": self.zh, "en": self.en}

    def __reduce__(
        self,
    ) -> tuple[type[Refusal], tuple[str, str, str]]:  # keep the attributes through pickling (gunicorn, multiprocessing)
        return (Refusal, (self.code, self.en, self.zh))


def _refusal(
    kind: str,
    *,
    host: str = "",
    ip: str = "",
    detail: str = "",
    ports: str = "",
    public_hint: bool = False,
    target: str = "",
) -> Refusal:
    en, zh = _MESSAGES[kind]
    if kind == "userinfo":  # what comes before the @ may be a password: never echo it
        host = MASKED_USERINFO + host.rsplit("@", 1)[-1]
        target = target and MASKED_USERINFO + target.rsplit("@", 1)[-1]
    fill = {"host": _printable(host) or "the host", "ip": ip, "detail": detail, "ports": ports}
    if host and ip and host != ip:
        subject_en, subject_zh = f"{_printable(host)} resolves to {ip},", f"{_printable(host)} 解析到 {ip}，这是"
    else:
        subject_en, subject_zh = f"{ip} is", f"{ip} 是"
    en = en.format(**fill, subject=subject_en)
    zh = zh.format(**{**fill, "host": _printable(host) or "该主机"}, subject=subject_zh)
    if public_hint:
        if target:
            en += " " + _WHY_PUBLIC["en"].format(target=_printable(target))
            zh += _WHY_PUBLIC["zh"].format(target=_printable(target))
        else:  # the caller knows the host and says what to run (e.g. the TARGET_REFUSED finding's fix)
            en += " " + _WHY_PUBLIC["en"].split(". ")[0] + "."
            zh += _WHY_PUBLIC["zh"].split("。")[0] + "。"
    return Refusal(kind, en, zh)


def _printable(text: str, limit: int = 120) -> str:
    """Echo user input safely in a reason: no control characters, bounded length."""
    cleaned = "".join(ch if ch.isprintable() else "\ufffd" for ch in str(text))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def looks_like_ip_literal(host: str) -> bool:
    """True for anything a resolver, browser or HTTP client might read as an address rather than a name.

    Covers dotted quads, 1-3 part short forms (`127.1`), a single 32-bit integer (`2130706433`), octal
    (`0177.0.0.1`) and hex (`0x7f.0x1`, `0x7f000001`) parts, IPv6 in or out of brackets, and any name whose
    last label is numeric (no real top-level domain is).
    """
    h = host.strip().lower()
    if not h:
        return False
    if h.startswith("[") or ":" in h:
        return True
    h = h.rstrip(".")
    parts = h.split(".")
    if all(_NUMERIC_PART.match(p) for p in parts if p) and any(parts):
        return True
    if _LOOKS_NUMERIC_TAIL.match(parts[-1]):
        return True
    try:
        ipaddress.ip_address(h)
        return True
    except ValueError:
        return False


def parse_ip(value: str | IPAddress) -> IPAddress | None:
    """An IP address from text (brackets and a zone index allowed), None when it is not one."""
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return value
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.split("%", 1)[0]  # zone index: fe80::1%eth0
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def classify_address(ip: str | IPAddress) -> str | None:
    """The refusal kind of an address (`loopback`, `private`, ...), or None for a global unicast address."""
    addr = parse_ip(ip)
    if addr is None:
        return "bad_address"
    if isinstance(addr, ipaddress.IPv6Address):
        return _classify_v6(addr)
    for net, kind in _V4_NETS:
        if addr in net:
            return kind
    if not addr.is_global or addr.is_multicast or addr.is_reserved:
        return "reserved"
    return None


def _classify_v6(addr: ipaddress.IPv6Address) -> str | None:
    """An IPv6 address is refused for the IPv4 address it wraps, its own range, or not being global unicast."""
    if addr in _NAT64_LOCAL and any(addr.packed[6:12]):
        # a local-use NAT64 prefix other than /96 puts the IPv4 address elsewhere (RFC 6052 2.2), at a place only the
        # translator's operator knows: refused rather than read wrongly as the public address in its last 32 bits
        return "reserved"
    embedded = _embedded_ipv4(addr)
    kind = classify_address(embedded) if embedded is not None else None
    if kind:
        return kind
    for net, kind in _V6_NETS:
        if addr in net:
            return kind
    if addr in _V4_COMPAT:  # ::a.b.c.d (deprecated IPv4-compatible) with a global v4: still not routable
        return "reserved"
    if addr in _TEREDO:  # a tunnel client address: never a registry
        return "reserved"
    if not addr.is_global and not any(addr in n for n in (*_NAT64, _SIXTOFOUR)):
        return "reserved"
    return None


def _embedded_ipv4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address wraps (mapped, compatible, NAT64, 6to4, Teredo client), if any."""
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr.teredo is not None:
        server, client = addr.teredo
        # Either end being internal is enough to refuse; report the client (the one traffic goes to).
        return client if classify_address(client) else (server if classify_address(server) else None)
    packed = addr.packed
    if any(addr in net for net in _NAT64):
        return ipaddress.IPv4Address(packed[-4:])
    if (addr in _V4_COMPAT and int(addr) > 1) or addr in _V4_TRANSLATED:
        return ipaddress.IPv4Address(packed[-4:])
    return None


def parse_network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A network from text (`9.0.0.0/8`, `2001:db8::/32`, a single address); ValueError, naming the value, when it is
    not one or has host bits set (`9.1.0.0/8`: a typo that would refuse other addresses than meant)."""
    text = str(value).strip()
    try:
        return ipaddress.ip_network(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a network (an address and a prefix length with no host bits set, such as 9.0.0.0/8 or "
            "2001:db8::/32)"
        ) from None


def split_target(target: str) -> tuple[str, int | None, str | None]:
    """(host, port, problem) of a registry host or image reference, as typed by a user.

    `problem` is "userinfo" or "syntax" when the registry part cannot be a plain host[:port] (a port of more than
    five digits included; a port out of range is refused by `check_port`).
    """
    text = target.strip()
    for scheme in ("https://", "http://"):
        if text.lower().startswith(scheme):
            text = text[len(scheme) :]
            break
    registry = text.split("/", 1)[0]
    if "@" in registry:
        return registry, None, "userinfo"
    if registry.startswith("["):
        return registry, None, None  # IPv6 literal: check_host refuses it with the right reason
    try:
        host, port = split_hostport(registry)
    except ValueError:
        return registry, None, "syntax"
    if port is not None and port > 99999:
        return registry, None, "syntax"
    return host, port, None


class AddressPolicy:
    """Which hosts and addresses a channel may diagnose.

    domains: patterns; `*.example.com` matches any name strictly under example.com, a plain name matches
        exactly. Empty = any name (addresses are still checked).
    ports: allowed ports for URLs and targets; empty = any.
    refused_networks: networks (`9.0.0.0/8`, `2001:db8::/32`) refused on top of the non-public ranges, also when an
        IPv6 address wraps one of their IPv4 addresses; a value that is not a network raises ValueError.
    allow_loopback: TESTS ONLY — lets names resolve to 127.0.0.0/8 and ::1 (a registry started by the tests).
        Everything else stays refused, the refused networks included.
    """

    def __init__(
        self,
        domains: Iterable[str] = DEFAULT_DOMAINS,
        *,
        ports: Iterable[int] = DEFAULT_PORTS,
        refused_networks: Iterable[str] = DEFAULT_REFUSED_NETWORKS,
        allow_loopback: bool = False,
    ):
        self.domains = tuple(d.strip().lower().rstrip(".") for d in domains if d and d.strip())
        self.ports = tuple(int(p) for p in ports)
        self.refused_networks = tuple(parse_network(n) for n in refused_networks if str(n).strip())
        self.allow_loopback = bool(allow_loopback)

    @classmethod
    def public_registry(cls, domains: Iterable[str] = DEFAULT_DOMAINS, **kwargs: Any) -> AddressPolicy:
        """The policy of a public service: only registry domains, addresses checked."""
        return cls(domains, **kwargs)

    def __repr__(self) -> str:
        return (
            f"AddressPolicy(domains={list(self.domains)!r}, ports={list(self.ports)!r}"
            + (f", refused_networks={[str(n) for n in self.refused_networks]!r}" if self.refused_networks else "")
            + (", allow_loopback=True" if self.allow_loopback else "")
            + ")"
        )

    # -- names ---------------------------------------------------------------------------------------
    def check_host(self, host: str) -> Refusal | None:
        """Refusal reason for a host name given by a user (before any DNS lookup), or None if allowed."""
        if host is None or not str(host).strip():
            return _refusal("empty")
        raw = str(host)
        if "@" in raw:
            return _refusal("userinfo", host=raw)
        if raw != raw.strip() or not raw.isascii() or not raw.isprintable() or len(raw) > 253:
            return _refusal("syntax", host=raw)
        if looks_like_ip_literal(raw):
            return _refusal("ip_literal", host=raw)
        if raw.endswith("."):
            return _refusal("trailing_dot", host=raw)
        name = raw.lower()
        labels = name.split(".")
        if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
            return _refusal("syntax", host=raw)
        if self.domains and not any(_domain_matches(name, pattern) for pattern in self.domains):
            return _refusal("domain", host=raw, detail=", ".join(self.domains))
        return None

    def check_port(self, port: int | None) -> Refusal | None:
        """Refusal reason for a port outside the allowed ones, or None."""
        if port is None or not self.ports or int(port) in self.ports:
            return None
        return _refusal("port", detail=str(port), ports=", ".join(map(str, self.ports)))

    def check_target(self, target: str) -> tuple[str, Refusal | None]:
        """(registry host, refusal reason or None) for a registry or image reference as a user typed it."""
        host, port, problem = split_target(target)
        if problem:
            return host, _refusal(problem, host=host)
        return host, self.check_host(host) or self.check_port(port)

    # -- addresses -----------------------------------------------------------------------------------
    def check_address(self, ip: str | IPAddress, host: str = "") -> Refusal | None:
        """Refusal reason for an address a name resolved to (or a redirect pointed at), or None."""
        addr = parse_ip(ip)
        if addr is None:
            return _refusal("bad_address", ip=_printable(str(ip)))
        kind = classify_address(addr)
        if kind is None or (kind == "loopback" and self.allow_loopback and _plain_loopback(addr)):
            kind = "refused_network" if self._in_refused_network(addr) else None
        if kind is None:
            return None
        return _refusal(kind, host=host, ip=str(addr), public_hint=True, target=host)

    def _in_refused_network(self, addr: IPAddress) -> bool:
        """Whether `addr`, or the IPv4 address an IPv6 one wraps (mapped, NAT64, 6to4, …), is in a refused network."""
        candidates = [addr]
        if isinstance(addr, ipaddress.IPv6Address):
            embedded = _embedded_ipv4(addr)
            if embedded is not None:
                candidates.append(embedded)
        return any(a in net for a in candidates for net in self.refused_networks if net.version == a.version)

    def check_addresses(self, addresses: Iterable[str | IPAddress], host: str = "") -> Refusal | None:
        """All of a name's addresses must pass: a name that mixes public and internal answers is refused
        (otherwise a client's address choice or a DNS rebinding could still reach the internal one)."""
        seen = False
        for ip in addresses:
            seen = True
            reason = self.check_address(ip, host)
            if reason:
                return reason
        return None if seen else _refusal("no_address", host=host)

    def resolve(
        self,
        host: str,
        *,
        timeout: float = 5.0,
        nameserver: str | None = None,
        resolver: Callable[[str], Iterable[str]] | None = None,
    ) -> tuple[list[str], Refusal | None]:
        """Check `host`, resolve it (`resolver(host) -> addresses`; default DNS through `nameserver`
        ("ip" or "ip:port") or the system's) and check every address.
        Returns (addresses to connect to, None) or ([], refusal)."""
        reason = self.check_host(host)
        if reason:
            return [], reason
        try:
            addresses = list(dict.fromkeys(str(a) for a in (resolver or dns_resolver(timeout, nameserver))(host)))
        except Exception as exc:  # noqa: BLE001 - any resolver failure is a refusal, not a crash
            return [], _refusal("resolve_failed", host=host, detail=type(exc).__name__)
        reason = self.check_addresses(addresses, host)
        return ([], reason) if reason else (addresses, None)

    # -- URLs (targets and redirects) -----------------------------------------------------------------
    def check_url(self, url: str) -> Refusal | None:
        """Scheme, user info, host and port of an absolute http(s) URL (e.g. a redirect target)."""
        try:
            parts = urlsplit(str(url).strip())
            port = parts.port
        except ValueError:
            return _refusal("syntax", host=str(url))
        if parts.scheme.lower() not in ("http", "https"):
            return _refusal("scheme", detail=_printable(parts.scheme or "(none)"))
        netloc = parts.netloc
        if "@" in netloc or parts.username is not None:
            return _refusal("userinfo", host=netloc)
        if "\\" in url or any(not ch.isprintable() for ch in url):
            return _refusal("syntax", host=netloc)
        host = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") and netloc.count(":") == 1 else netloc
        reason = self.check_host(host)
        if reason:
            return reason
        return self.check_port(port if port is not None else (443 if parts.scheme.lower() == "https" else 80))

    def check_redirect(self, current_url: str, location: str) -> Refusal | None:
        """A redirect from `current_url` to `location` (absolute or relative) must pass `check_url`."""
        if location is None or not str(location).strip():
            return _refusal("empty")
        return self.check_url(urljoin(current_url, str(location).strip()))


def _domain_matches(name: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return name.endswith(pattern[1:]) and len(name) > len(pattern) - 1
    return name == pattern


def _plain_loopback(addr: IPAddress) -> bool:
    if isinstance(addr, ipaddress.IPv4Address):
        return addr in ipaddress.ip_network("127.0.0.0/8")
    return addr == ipaddress.IPv6Address("::1")


def dns_resolver(timeout: float = 5.0, nameserver: str | None = None) -> Callable[[str], list[str]]:
    """A `host -> [addresses]` function (A and AAAA) on the diagnosis's own DNS path (`net.resolve`: /etc/hosts,
    then the stub resolver for plain host names and dnspython only for what the stub leaves to it, IDN above all)
    with a deadline; `nameserver` is "ip" or "ip:port" (the test harness's DNS server), default the system's
    /etc/resolv.conf. The guard therefore checks exactly what a diagnosis would connect to. Raises LookupError."""

    def resolve(host: str) -> list[str]:
        from . import net  # the DNS client is loaded only by a guard that resolves (the diagnosis loads it anyway)

        found = net.resolve(host, nameserver, net.Deadline(timeout))
        if found.error or not found.addresses:
            raise LookupError(f"{found.error or 'no_address'}: {found.detail}"[:300])
        return list(found.addresses)

    return resolve


@dataclass(frozen=True)
class AnonymousDiagnosis:
    """How a diagnosis runs for someone the service does not know (the web API, Slack): only the checks the
    registry marks ANONYMOUS, under an address policy, and never with the server's own credentials: no username, a
    docker config that is empty (os.devnull: neither ~/.docker/config.json nor a credential helper of the server's
    account is consulted), an empty environment (no DOCKER_CONFIG, no HTTP(S)_PROXY: the engine connects only to
    the addresses the policy checked), never a push."""

    # The longest target an anonymous user may name: a host or an image reference, with room to spare (the CLI takes
    # up to diagnostics.target.MAX_TARGET). The web API answers 413 above it, Slack's target modal refuses it.
    MAX_TARGET = 512

    policy: AddressPolicy
    timeout: float = 10.0
    nameserver: str | None = None
    ca_file: str | None = None
    checks: tuple[str, ...] = ()  # the operator's choice (TCR_DOCTOR_DIAGNOSE_CHECKS); () = every anonymous check

    def __post_init__(self) -> None:
        """`checks` names anonymous checks only: an unknown name, or one an anonymous diagnosis never runs (the
        account-side checks), is a ValueError saying which, not a name silently left out."""
        infos = {i.name: i for i in all_checks()}
        expanded = [c for name in self.checks for c in check_groups().get(name, (name,))]
        unknown = [c for c in self.checks if c not in infos and c not in check_groups()]
        refused = [c for c in expanded if c in infos and not infos[c].anonymous]
        if unknown or refused:
            anonymous = ", ".join(n for n, i in infos.items() if i.anonymous)
            problem = (
                f"unknown check(s) {', '.join(unknown)}"
                if unknown
                else f"{', '.join(refused)} use(s) the operator's cloud credentials and never run anonymously"
            )
            raise ValueError(f"{problem}; the checks an anonymous diagnosis runs: {anonymous}")

    def allowed(self, *, credentials: bool = True) -> list[str]:
        """The checks an anonymous diagnosis may run, in report order; `credentials=False` also leaves out those
        about the user's own login (a channel that cannot take a password: Slack)."""
        anonymous = [i.name for i in all_checks() if i.anonymous and (credentials or not i.credentials)]
        return [c for c in anonymous if c in self.checks] if self.checks else anonymous

    def checks_for(self, requested: Iterable[str] | None = None, *, credentials: bool = True) -> list[str]:
        """The checks `requested` names (e.g. a pasted log's `checks`), in report order; none requested = every
        allowed one. A requested check that is not allowed is a ValueError saying which: the operator's choice is
        what runs, never narrowed or replaced behind the caller's back (the web API refuses such a request first)."""
        allowed = self.allowed(credentials=credentials)
        wanted = list(dict.fromkeys(requested or ()))
        refused = [c for c in wanted if c not in allowed]
        if refused:
            raise ValueError(f"check(s) {', '.join(refused)} not run here; the checks run here: {', '.join(allowed)}")
        return [c for c in allowed if c in wanted] if wanted else allowed

    def options(self, only: Iterable[str], **extra: Any) -> DiagnoseOptions:
        """DiagnoseOptions running `only` anonymously (`extra`: e.g. `cloud` for an operator's own account)."""
        return DiagnoseOptions(
            timeout=self.timeout,
            only=list(only),
            skip=None,
            username=None,
            password=None,
            push=False,
            nameserver=self.nameserver,
            ca_file=self.ca_file,
            docker_config=os.devnull,
            env={},
            policy=self.policy,
            **extra,
        )
