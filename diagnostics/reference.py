"""Image references: the one parser, following the distribution/reference grammar
(github.com/distribution/reference, regexp.go and normalize.go):

    reference      := name [ ":" tag ] [ "@" digest ]
    name           := [domain '/'] remote-name
    domain         := host [':' port-number]
    host           := domain-name | IPv4address | \\[ IPv6address \\]
    domain-name    := domain-component ['.' domain-component]*
    domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
    remote-name    := path-component ['/' path-component]*
    path-component := alpha-numeric [separator alpha-numeric]*
    alpha-numeric  := /[a-z0-9]+/
    separator      := /[_.]|__|[-]+/
    tag            := /[\\w][\\w.-]{0,127}/
    digest         := algorithm ":" hex      (sha256: 64, sha384: 96, sha512: 128 lower-case hex)

The whole name (domain + remote-name) is at most 255 characters. A first component without '.' or ':'
that is not 'localhost' (and is lower-case) is not a domain: the reference is on Docker Hub,
normalised to docker.io/library/NAME when it has a single component, and ':latest' is implied.
A bare 64-digit hexadecimal name is refused, as docker refuses it (it reads as an image ID).

Two entry points, for the two ways a reference is met:

    parse(value) -> Reference    strict: validated and normalised, or NameRuleError (a rule id, zh + en)
    split(value) -> Parts        as written: where the domain, path, tag and digest are, nothing checked

and `split_hostport` for the domain part. Pure: no I/O, no imports beyond the standard library, so the knowledge
layer and the channels may import it without the network stack.
"""

from __future__ import annotations

import re

from .value import Value

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from typing import Any

# --- distribution/reference building blocks -------------------------------------------------------
_ALNUM = r"[a-z0-9]+"
_SEP = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEP}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_IPV6 = r"\[(?:[a-fA-F0-9:]+)\]"
_DOMAIN_NAME = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*"
_HOST = rf"(?:{_DOMAIN_NAME}|{_IPV6})"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"

PATH_COMPONENT_RE = re.compile(rf"^{_PATH_COMPONENT}$")
DOMAIN_RE = re.compile(rf"^{_DOMAIN}$")
TAG_RE = re.compile(r"^[\w][\w.-]{0,127}$", re.ASCII)
# Patterns a plain name:tag reference never needs are strings, compiled by re (and kept in its cache) when first
# used: compiling one is 0.4-1 M instructions of every diagnosis's start-up (valgrind, benchmarks/bench_startup.py).
DIGEST = r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$"
HEX64 = r"^[a-f0-9]{64}$"
DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
NAME_TOTAL_MAX = 255
DEFAULT_DOMAIN = "docker.io"
LEGACY_DEFAULT_DOMAIN = "index.docker.io"
# Docker Hub's other names. A reference names Hub by DOCKER_HUB_DOMAINS (docker normalises both to docker.io); its
# registry API is served from DOCKER_HUB_REGISTRY; `docker login` keeps Hub's credentials under DOCKER_HUB_INDEX
# (docker's IndexServer); a pasted log may name Hub by any of DOCKER_HUB_ALIASES.
DOCKER_HUB_DOMAINS = (DEFAULT_DOMAIN, LEGACY_DEFAULT_DOMAIN)
DOCKER_HUB_REGISTRY = "registry-1.docker.io"
DOCKER_HUB_INDEX = "https://index.docker.io/v1/"
DOCKER_HUB_ALIASES = (*DOCKER_HUB_DOMAINS, DOCKER_HUB_REGISTRY, "registry.hub.docker.com")
OFFICIAL_REPO_PREFIX = "library/"
# Docker Hub's web site (its pages, and the login API a credential helper calls: `Post "https://hub.docker.com/v2/users/
# login"`): a name pasted logs and questions show, not a registry; a diagnosis checks Hub's registry (registry_named).
DOCKER_HUB_WEBSITE = "hub.docker.com"
_BRACKETED = r"\[([0-9a-fA-F:.]+)\](?::([0-9]+))?"  # (a string: see DIGEST)


class NameRuleError(ValueError):
    """A rule failed: RULE is a stable id, MESSAGE says what is wrong (zh and en)."""

    def __init__(self, rule: str, en: str, zh: str):
        super().__init__(en)
        self.rule = rule
        self.message = {"zh": zh, "en": en}


class Parts(Value):
    """A reference cut where the grammar cuts it, as written (nothing validated or normalised)."""

    __slots__ = ("domain", "path", "tag", "digest")

    def __init__(self, domain: str | None, path: str, tag: str | None, digest: str | None) -> None:
        self.domain = domain  # None when the first component is not a domain (a Docker Hub name)
        self.path = path
        self.tag = tag
        self.digest = digest


class Reference(Value):
    """A valid reference, normalised as docker normalises it (docker.io, library/, an implied :latest)."""

    __slots__ = ("domain", "domain_given", "path", "tag", "tag_given", "digest")

    def __init__(
        self, domain: str, domain_given: bool, path: str, tag: str | None, tag_given: bool, digest: str | None
    ) -> None:
        self.domain = domain  # docker.io when none was written (index.docker.io becomes docker.io)
        self.domain_given = domain_given
        self.path = path  # library/NAME for a one-component Docker Hub name
        self.tag = tag  # "latest" when neither a tag nor a digest was written
        self.tag_given = tag_given
        self.digest = digest

    @property
    def normalized(self) -> str:
        """domain/path[:tag][@digest], the fully qualified form."""
        return (
            f"{self.domain}/{self.path}"
            + (f":{self.tag}" if self.tag else "")
            + (f"@{self.digest}" if self.digest else "")
        )

    def as_dict(self) -> dict[str, Any]:
        """The parts as `check-name` and the web API report them."""
        return {
            "domain": self.domain,
            "domain_given": self.domain_given,
            "path": self.path,
            "tag": self.tag,
            "tag_given": self.tag_given,
            "digest": self.digest,
            "normalized": self.normalized,
        }


def is_domain(component: str) -> bool:
    """Whether the first component of a name is a registry domain, as distribution's splitDockerDomain decides:
    it holds '.' or ':', is 'localhost', or has an upper-case letter (a path component cannot)."""
    return any(c in component for c in ".:") or component == "localhost" or component.lower() != component


def split_domain(name: str) -> tuple[str | None, str]:
    """(domain or None, remainder) of a name (no tag or digest), as distribution's splitDockerDomain cuts it."""
    first, sep, rest = name.partition("/")
    if sep and is_domain(first):
        return first, rest
    return None, name


def registry_named(host: str) -> str | None:
    """The registry a diagnosis checks for `host`, a domain (optional scheme and port) as a log or a question names
    it: `host` itself; Docker Hub's (docker.io) for its web site DOCKER_HUB_WEBSITE; None for a stand-in a user
    wrote in place of a registry's name, which names no registry to diagnose: a masked name (`xxx`, `xxx.com`,
    `registry.xxx.cn`, `xx.xxx.xxx.xx`, `***`), a template's slot (`<registry>`, `${REGISTRY}`, `{{host}}`) or a
    documentation name under `example` (RFC 2606: registry.example.com). The one rule for every target offered."""
    name = host.strip().lower()
    name = name.split("://", 1)[1] if name.startswith(("http://", "https://")) else name
    if any(c in name for c in "<>{}$"):
        return None
    hostname = name.rsplit(":", 1)[0] if name.count(":") == 1 else name  # (an IPv6 address keeps its colons)
    for label in hostname.split("."):
        if label == "example" or (len(label) >= 2 and not label.strip("x")) or (label and not label.strip("*")):
            return None
    return DEFAULT_DOMAIN if hostname == DOCKER_HUB_WEBSITE else host


def split(value: str) -> Parts:
    """Where the domain, path, tag and digest of VALUE are, nothing checked: the digest follows the first '@', the
    tag the last ':' after the last '/', the domain is the first component when `is_domain` says so."""
    name, at, digest = value.partition("@")
    tag = None
    if name.rfind(":") > name.rfind("/"):
        name, _, tag = name.rpartition(":")
    domain, path = split_domain(name)
    return Parts(domain, path, tag, digest if at else None)


def split_hostport(domain: str) -> tuple[str, int | None]:
    """(host, port or None) of `host[:port]` or `[IPv6]:port`; ValueError when the port is not a number or there
    is more than one ':' outside brackets."""
    m = re.fullmatch(_BRACKETED, domain) if domain.startswith("[") else None
    if m:
        return m.group(1), int(m.group(2)) if m.group(2) else None
    host, colon, port = domain.partition(":")
    if not colon:
        return host, None
    if not port.isascii() or not port.isdigit():
        raise ValueError(f"{domain!r} is not host[:port]")
    return host, int(port)


def validate_tag(value: str) -> dict[str, str]:
    """{tag} of a valid tag; NameRuleError (tag.*) otherwise."""
    if not value:
        raise NameRuleError("tag.empty", "must not be empty", "不能为空")
    if len(value) > 128:
        raise NameRuleError(
            "tag.length", f"must be at most 128 characters (got {len(value)})", f"最长 128 个字符（当前 {len(value)}）"
        )
    if not (value[0] == "_" or (value[0].isascii() and value[0].isalnum())):  # [\w] under re.ASCII
        raise NameRuleError(
            "tag.first-char",
            f"must start with a letter, digit or '_' (not {value[0]!r})",
            f"必须以字母、数字或“_”开头（不能是 {value[0]!r}）",
        )
    if not TAG_RE.match(value):
        bad = sorted({c for c in value if not re.fullmatch(r"[\w.-]", c, re.ASCII)})
        raise NameRuleError(
            "tag.charset",
            f"only letters, digits, '_', '.' and '-' are allowed (found {''.join(bad)!r})",
            f"只能包含字母、数字和“_”“.”“-”（出现了 {''.join(bad)!r}）",
        )
    return {"tag": value}


def validate_digest(value: str) -> dict[str, str]:
    """{algorithm, hex} of a valid digest (sha256/384/512, lower-case hex of the right length); NameRuleError
    (digest.*) otherwise."""
    if ":" not in value:
        raise NameRuleError(
            "digest.format",
            "a digest is ALGORITHM:HEX, e.g. sha256:<64 hex digits>",
            "digest 的格式为 算法:十六进制，例如 sha256:<64 位十六进制>",
        )
    algo, _, hexpart = value.partition(":")
    if not re.match(DIGEST, value):
        _malformed_digest(algo, hexpart)
    if algo not in DIGEST_LENGTHS:
        raise NameRuleError(
            "digest.algorithm",
            f"unsupported digest algorithm {algo!r} (sha256, sha384, sha512)",
            f"不支持的 digest 算法 {algo!r}（支持 sha256、sha384、sha512）",
        )
    want = DIGEST_LENGTHS[algo]
    if len(hexpart) != want:
        raise NameRuleError(
            "digest.length",
            f"{algo} digests have {want} hex digits (got {len(hexpart)})",
            f"{algo} digest 应为 {want} 位十六进制（当前 {len(hexpart)} 位）",
        )
    if hexpart != hexpart.lower():
        raise NameRuleError("digest.hex", "digest hex digits must be lower-case", "digest 的十六进制字符必须小写")
    return {"algorithm": algo, "hex": hexpart}


def _malformed_digest(algo: str, hexpart: str) -> None:
    """Raise the NameRuleError that says why ALGO:HEXPART does not match the digest grammar."""
    if not re.fullmatch(r"[0-9a-fA-F]+", hexpart or "x"):
        raise NameRuleError("digest.hex", "the digest value must be hexadecimal", "digest 值必须是十六进制")
    if len(hexpart) < 32:
        raise NameRuleError(
            "digest.length",
            f"the digest value is too short ({len(hexpart)} hex digits)",
            f"digest 值太短（{len(hexpart)} 位）",
        )
    raise NameRuleError(
        "digest.algorithm", f"{algo!r} is not a valid digest algorithm name", f"{algo!r} 不是合法的 digest 算法名"
    )


def parse(value: str) -> Reference:
    """The normalised parts of a valid reference; NameRuleError (ref.*, tag.*, digest.*) says which rule fails."""
    _check_whole(value)
    if value.count("@") > 1:
        raise NameRuleError("ref.format", "more than one '@'", "出现了多个“@”")
    parts = split(value)
    if parts.digest is not None:
        validate_digest(parts.digest)
    if parts.tag is not None:
        validate_tag(parts.tag)
    if not parts.path and parts.domain is None:
        raise NameRuleError("ref.empty-name", "the repository name is missing", "缺少仓库名")
    if parts.domain is not None:
        _check_domain(parts.domain)
    _check_path(parts.path)
    full_name = f"{parts.domain}/{parts.path}" if parts.domain else parts.path
    if len(full_name) > NAME_TOTAL_MAX:
        raise NameRuleError(
            "ref.name-too-long",
            f"repository name must not be more than {NAME_TOTAL_MAX} characters (got {len(full_name)})",
            f"仓库名（含域名）不能超过 {NAME_TOTAL_MAX} 个字符（当前 {len(full_name)}）",
        )
    return _normalize(parts)


def credentials_end(value: str) -> int:
    """Where the `user[:password]@` that a reference's registry part carries ends (the index after its '@'), 0 when it
    carries none: `admin:pw@host/ns/app`, `https://admin:pw@host/ns/app`, `admin:pw@host:5000`. Without a '/' after
    it, an '@' is a digest's (`app@sha256:…`, `app:1@sha256:…`) unless what precedes it holds a ':' and what follows
    cannot be a digest."""
    start = value.find("://") + 3 if "://" in value else 0
    rest = value[start:]
    head = rest.split("/", 1)[0]
    at = head.rfind("@")
    if at <= 0:
        return 0
    if "/" not in rest:
        digest = re.match(r"([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*):([0-9a-fA-F]*)$", head[at + 1 :])
        if ":" not in head[:at] or (digest and (digest[1].lower().startswith("sha") or len(digest[2]) > 5)):
            return 0
    return start + at + 1


def _check_whole(value: str) -> None:
    """The rules on the reference as a whole: no credentials, not empty, no white space, no scheme, not a bare image
    ID."""
    if credentials_end(value):
        # the message never quotes the value: what comes before the '@' is a password
        raise NameRuleError(
            "ref.credentials",
            "credentials in a reference: a user name and password do not belong in an image reference; log in with "
            "`docker login --password-stdin` and name the image without them",
            "镜像地址中包含凭证：用户名和密码不属于镜像地址；请用 `docker login --password-stdin` 登录，镜像地址中不要带凭证",
        )
    if not value:
        raise NameRuleError("ref.empty", "the reference is empty", "镜像地址为空")
    if any(c.isspace() for c in value):
        raise NameRuleError("ref.whitespace", "the reference must not contain spaces", "镜像地址不能包含空白字符")
    if "://" in value:
        raise NameRuleError(
            "ref.scheme", "a reference has no scheme (drop 'https://')", "镜像地址不含协议头（去掉“https://”）"
        )
    # docker: "cannot specify 64-byte hexadecimal strings" (it would read as an image ID). Only 64 characters can
    # match: white space was refused above, so `$` cannot match before a final newline.
    if len(value) == 64 and re.match(HEX64, value):
        raise NameRuleError(
            "ref.hex64",
            "a bare 64-character hexadecimal name is refused: it is ambiguous with an image ID (add a registry and "
            "namespace, or use the ID with `docker run`)",
            "不能使用 64 位十六进制字符串作为镜像名：它与镜像 ID 无法区分（加上仓库地址和命名空间，或直接用镜像 ID）",
        )


def _check_domain(domain: str) -> None:
    """host[:port] with the port in range; an IPv6 address must be in brackets."""
    if not DOMAIN_RE.match(domain):
        if domain.startswith("[") or ":" in domain.strip("[]").split("]")[0]:
            raise NameRuleError(
                "ref.domain",
                f"{domain!r} is not a valid host[:port] (an IPv6 address goes in brackets: [::1]:5000)",
                f"{domain!r} 不是合法的 主机[:端口]（IPv6 地址需加方括号：[::1]:5000）",
            )
        raise NameRuleError(
            "ref.domain", f"{domain!r} is not a valid registry host[:port]", f"{domain!r} 不是合法的仓库主机[:端口]"
        )
    port = domain.rsplit(":", 1)[1] if re.search(r":[0-9]+$", domain) else None
    if port is not None and not (0 < int(port) < 65536):
        raise NameRuleError("ref.port", f"port {port} is out of range", f"端口 {port} 超出范围")


def _check_path(path: str) -> None:
    """Lower-case path components joined by '/', none empty."""
    if not path:
        raise NameRuleError(
            "ref.empty-name", "the repository path is missing after the registry host", "仓库主机后缺少仓库路径"
        )
    for comp in path.split("/"):
        if not comp:
            raise NameRuleError(
                "ref.empty-component",
                "the repository path has an empty component ('//' or a trailing '/')",
                "仓库路径中有空段（“//”或以“/”结尾）",
            )
        if comp.lower() != comp and PATH_COMPONENT_RE.match(comp.lower()):
            raise NameRuleError("ref.lowercase", "repository name must be lowercase", "仓库路径必须全部小写")
        if not PATH_COMPONENT_RE.match(comp):
            raise NameRuleError(
                "ref.path-component",
                f"path component {comp!r} must be lower-case letters and digits joined by '.', '_', '__' or '-'",
                f"路径段 {comp!r} 只能由小写字母和数字组成，以“.”“_”“__”“-”连接",
            )


def _normalize(parts: Parts) -> Reference:
    """docker.io for no domain (and for index.docker.io), library/ for an official image, an implied :latest."""
    domain = parts.domain or DEFAULT_DOMAIN
    if domain == LEGACY_DEFAULT_DOMAIN:
        domain = DEFAULT_DOMAIN
    path = parts.path
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = OFFICIAL_REPO_PREFIX + path
    implied_tag = parts.tag is None and parts.digest is None
    return Reference(
        domain=domain,
        domain_given=parts.domain is not None,
        path=path,
        tag=parts.tag if parts.tag is not None else ("latest" if implied_tag else None),
        tag_given=parts.tag is not None,
        digest=parts.digest,
    )
