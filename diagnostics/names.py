"""Name rules: TCR instance / namespace / repository names, tags, and image references.

Image references follow the distribution/reference grammar (github.com/distribution/reference,
regexp.go and normalize.go):

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

`check_name(kind, value)` returns {value, valid, parts | error, rule, suggestion}.
"""

from __future__ import annotations

import re

KINDS = ("instance", "namespace", "repo", "tag", "ref")
MAX_INPUT = 4096  # longer values are rejected up front (a reference is at most ~500 characters)

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
DIGEST_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")
DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
NAME_TOTAL_MAX = 255
DEFAULT_DOMAIN = "docker.io"
LEGACY_DEFAULT_DOMAIN = "index.docker.io"
OFFICIAL_REPO_PREFIX = "library/"

# --- TCR rules --------------------------------------------------------------------------------------
INSTANCE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
NS_CHARS_RE = re.compile(r"^[a-z0-9._-]+$")
NS_SHAPE_RE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
REPO_CHARS_RE = re.compile(r"^[a-z0-9._/-]+$")
HEX64_RE = re.compile(r"^[a-f0-9]{64}$")
ENTERPRISE_SUFFIX = ".tencentcloudcr.com"
PERSONAL_SUFFIX = ".ccs.tencentyun.com"


class NameError_(ValueError):
    """A rule failed: RULE is a stable id, MESSAGE says what is wrong (zh and en)."""

    def __init__(self, rule: str, en: str, zh: str):
        super().__init__(en)
        self.rule = rule
        self.message = {"zh": zh, "en": en}


# ------------------------------------------------------------------------------------------------ helpers
def _squeeze(value: str, allowed: str, seps: str) -> str:
    """Lower-case, replace characters outside ALLOWED by '-', collapse separator runs, trim separators."""
    out = []
    for ch in value.lower():
        out.append(ch if ch in allowed else "-")
    s = "".join(out)
    s = re.sub(rf"[{re.escape(seps)}]{{2,}}", lambda m: m.group(0)[0], s)
    return s.strip(seps)


_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def suggest_instance(value: str) -> str | None:
    s = _squeeze(value, _LOWER_ALNUM + "-", "-")
    if not s:
        return None
    s = s[:50].rstrip("-")
    if len(s) < 5:
        s = (s + "-tcr")[:50] if len(s) + 4 >= 5 else (s + "-registry")
    return s if INSTANCE_RE.match(s) and 5 <= len(s) <= 50 else None


def suggest_namespace(value: str) -> str | None:
    s = _squeeze(value, _LOWER_ALNUM + "._-", "._-")
    if not s:
        return None
    s = s[:30].rstrip("._-")
    if len(s) < 2:
        s = s + "-ns"
    return s if NS_SHAPE_RE.match(s) and 2 <= len(s) <= 30 else None


def suggest_repo(value: str) -> str | None:
    parts = [suggest_path_component(p) for p in value.split("/")]
    parts = [p for p in parts if p]
    if not parts:
        return None
    s = "/".join(parts)[:200].rstrip("._-/")
    if len(s) < 2:
        s = s + "-app"
    return s


def suggest_path_component(value: str) -> str:
    s = _squeeze(value, _LOWER_ALNUM + "._-", "._-")
    return s


def suggest_tag(value: str) -> str | None:
    s = re.sub(r"[^A-Za-z0-9_.-]", "-", value)
    s = s.lstrip(".-")
    s = s[:128]
    return s if s and TAG_RE.match(s) else None


# ------------------------------------------------------------------------------------------------ rules
def validate_instance(value: str) -> dict:
    # characters first: 团队仓库 breaks the character rule, not (only) the length rule
    if not re.fullmatch(r"[a-z0-9-]*", value):
        bad = list(dict.fromkeys(c for c in value if not re.fullmatch(r"[a-z0-9-]", c)))
        raise NameError_(
            "instance.charset",
            f"only lower-case letters, digits and '-' are allowed (found {''.join(bad)!r})",
            f"只能包含小写字母、数字和“-”（出现了 {''.join(bad)!r}）",
        )
    n = len(value)
    if n < 5 or n > 50:
        raise NameError_(
            "instance.length", f"must be 5-50 characters long (got {n})", f"长度须为 5–50 个字符（当前 {n}）"
        )
    if value.startswith("-") or value.endswith("-"):
        raise NameError_("instance.edge", "must not start or end with '-'", "不能以“-”开头或结尾")
    return {"instance": value, "domain": f"{value}.tencentcloudcr.com", "vpc_domain": f"{value}-vpc.tencentcloudcr.com"}


def validate_namespace(value: str) -> dict:
    n = len(value)
    if n < 2 or n > 30:
        raise NameError_(
            "namespace.length", f"must be 2-30 characters long (got {n})", f"长度须为 2–30 个字符（当前 {n}）"
        )
    if not NS_CHARS_RE.match(value):
        bad = sorted({c for c in value if not re.fullmatch(r"[a-z0-9._-]", c)})
        raise NameError_(
            "namespace.charset",
            f"only lower-case letters, digits, '.', '_' and '-' are allowed (found {''.join(bad)!r})",
            f"只能包含小写字母、数字和“.”“_”“-”（出现了 {''.join(bad)!r}）",
        )
    if value[0] in "._-" or value[-1] in "._-":
        raise NameError_(
            "namespace.edge",
            "must not start or end with a separator ('.', '_', '-')",
            "不能以分隔符（“.”“_”“-”）开头或结尾",
        )
    if not NS_SHAPE_RE.match(value):
        raise NameError_(
            "namespace.double-separator",
            "separators ('.', '_', '-') must not follow each other",
            "分隔符（“.”“_”“-”）不能连续出现",
        )
    return {"namespace": value}


def validate_repo(value: str) -> dict:
    n = len(value)
    if n < 2 or n > 200:
        raise NameError_(
            "repo.length", f"must be 2-200 characters long (got {n})", f"长度须为 2–200 个字符（当前 {n}）"
        )
    if not REPO_CHARS_RE.match(value):
        bad = sorted({c for c in value if not re.fullmatch(r"[a-z0-9._/-]", c)})
        rule = "repo.lowercase" if any(c.isupper() for c in bad) else "repo.charset"
        raise NameError_(
            rule,
            f"only lower-case letters, digits, '.', '_', '-' and '/' are allowed (found {''.join(bad)!r})",
            f"只能包含小写字母、数字和“.”“_”“-”“/”（出现了 {''.join(bad)!r}）",
        )
    components = value.split("/")
    for comp in components:
        if not comp:
            raise NameError_(
                "repo.empty-component",
                "path components must not be empty ('//' or a leading/trailing '/')",
                "路径各级不能为空（出现了“//”或以“/”开头/结尾）",
            )
        if comp[0] in "._-" or comp[-1] in "._-":
            raise NameError_(
                "repo.edge",
                f"component {comp!r} must not start or end with a separator",
                f"路径段 {comp!r} 不能以分隔符开头或结尾",
            )
        if not NS_SHAPE_RE.match(comp):
            raise NameError_(
                "repo.double-separator",
                f"separators must not follow each other in {comp!r}",
                f"路径段 {comp!r} 中分隔符不能连续出现",
            )
    return {"repository": value, "components": components}


def validate_tag(value: str) -> dict:
    if not value:
        raise NameError_("tag.empty", "must not be empty", "不能为空")
    if len(value) > 128:
        raise NameError_(
            "tag.length", f"must be at most 128 characters (got {len(value)})", f"最长 128 个字符（当前 {len(value)}）"
        )
    if not re.fullmatch(r"[\w]", value[0], re.ASCII):
        raise NameError_(
            "tag.first-char",
            f"must start with a letter, digit or '_' (not {value[0]!r})",
            f"必须以字母、数字或“_”开头（不能是 {value[0]!r}）",
        )
    if not TAG_RE.match(value):
        bad = sorted({c for c in value if not re.fullmatch(r"[\w.-]", c, re.ASCII)})
        raise NameError_(
            "tag.charset",
            f"only letters, digits, '_', '.' and '-' are allowed (found {''.join(bad)!r})",
            f"只能包含字母、数字和“_”“.”“-”（出现了 {''.join(bad)!r}）",
        )
    return {"tag": value}


def validate_digest(value: str) -> dict:
    if ":" not in value:
        raise NameError_(
            "digest.format",
            "a digest is ALGORITHM:HEX, e.g. sha256:<64 hex digits>",
            "digest 的格式为 算法:十六进制，例如 sha256:<64 位十六进制>",
        )
    algo, _, hexpart = value.partition(":")
    if not DIGEST_RE.match(value):
        if not re.fullmatch(r"[0-9a-fA-F]+", hexpart or "x"):
            raise NameError_("digest.hex", "the digest value must be hexadecimal", "digest 值必须是十六进制")
        if len(hexpart) < 32:
            raise NameError_(
                "digest.length",
                f"the digest value is too short ({len(hexpart)} hex digits)",
                f"digest 值太短（{len(hexpart)} 位）",
            )
        raise NameError_(
            "digest.algorithm", f"{algo!r} is not a valid digest algorithm name", f"{algo!r} 不是合法的 digest 算法名"
        )
    if algo not in DIGEST_LENGTHS:
        raise NameError_(
            "digest.algorithm",
            f"unsupported digest algorithm {algo!r} (sha256, sha384, sha512)",
            f"不支持的 digest 算法 {algo!r}（支持 sha256、sha384、sha512）",
        )
    want = DIGEST_LENGTHS[algo]
    if len(hexpart) != want:
        raise NameError_(
            "digest.length",
            f"{algo} digests have {want} hex digits (got {len(hexpart)})",
            f"{algo} digest 应为 {want} 位十六进制（当前 {len(hexpart)} 位）",
        )
    if hexpart != hexpart.lower():
        raise NameError_("digest.hex", "digest hex digits must be lower-case", "digest 的十六进制字符必须小写")
    return {"algorithm": algo, "hex": hexpart}


def split_domain(name: str) -> tuple[str | None, str]:
    """(domain or None, remainder) as distribution's splitDockerDomain decides what is a domain."""
    i = name.find("/")
    if i == -1:
        return None, name
    first = name[:i]
    if any(c in first for c in ".:") or first == "localhost" or first.lower() != first:
        return first, name[i + 1 :]
    return None, name


def validate_ref(value: str) -> dict:
    if not value:
        raise NameError_("ref.empty", "the reference is empty", "镜像地址为空")
    if any(c.isspace() for c in value):
        raise NameError_("ref.whitespace", "the reference must not contain spaces", "镜像地址不能包含空白字符")
    if "://" in value:
        raise NameError_(
            "ref.scheme", "a reference has no scheme (drop 'https://')", "镜像地址不含协议头（去掉“https://”）"
        )
    if HEX64_RE.match(value):  # docker: "cannot specify 64-byte hexadecimal strings" (it would read as an image ID)
        raise NameError_(
            "ref.hex64",
            "a bare 64-character hexadecimal name is refused: it is ambiguous with an image ID (add a registry and "
            "namespace, or use the ID with `docker run`)",
            "不能使用 64 位十六进制字符串作为镜像名：它与镜像 ID 无法区分（加上仓库地址和命名空间，或直接用镜像 ID）",
        )
    rest = value
    digest = None
    if "@" in rest:
        rest, _, digest = rest.partition("@")
        if "@" in digest:
            raise NameError_("ref.format", "more than one '@'", "出现了多个“@”")
        validate_digest(digest)
    tag = None
    # a tag is after the last ':' that follows the last '/'
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        rest, tag = rest[:colon], rest[colon + 1 :]
        validate_tag(tag)
    name = rest
    if not name:
        raise NameError_("ref.empty-name", "the repository name is missing", "缺少仓库名")
    domain, remote = split_domain(name)
    if domain is not None:
        if not DOMAIN_RE.match(domain):
            if domain.startswith("[") or ":" in domain.strip("[]").split("]")[0]:
                raise NameError_(
                    "ref.domain",
                    f"{domain!r} is not a valid host[:port] (an IPv6 address goes in brackets: [::1]:5000)",
                    f"{domain!r} 不是合法的 主机[:端口]（IPv6 地址需加方括号：[::1]:5000）",
                )
            raise NameError_(
                "ref.domain", f"{domain!r} is not a valid registry host[:port]", f"{domain!r} 不是合法的仓库主机[:端口]"
            )
        port = domain.rsplit(":", 1)[1] if re.search(r":[0-9]+$", domain) else None
        if port is not None and not (0 < int(port) < 65536):
            raise NameError_("ref.port", f"port {port} is out of range", f"端口 {port} 超出范围")
    if not remote:
        raise NameError_(
            "ref.empty-name", "the repository path is missing after the registry host", "仓库主机后缺少仓库路径"
        )
    for comp in remote.split("/"):
        if not comp:
            raise NameError_(
                "ref.empty-component",
                "the repository path has an empty component ('//' or a trailing '/')",
                "仓库路径中有空段（“//”或以“/”结尾）",
            )
        if comp.lower() != comp and PATH_COMPONENT_RE.match(comp.lower()):
            raise NameError_("ref.lowercase", "repository name must be lowercase", "仓库路径必须全部小写")
        if not PATH_COMPONENT_RE.match(comp):
            raise NameError_(
                "ref.path-component",
                f"path component {comp!r} must be lower-case letters and digits joined by '.', '_', '__' or '-'",
                f"路径段 {comp!r} 只能由小写字母和数字组成，以“.”“_”“__”“-”连接",
            )
    full_name = f"{domain}/{remote}" if domain else remote
    if len(full_name) > NAME_TOTAL_MAX:
        raise NameError_(
            "ref.name-too-long",
            f"repository name must not be more than {NAME_TOTAL_MAX} characters (got {len(full_name)})",
            f"仓库名（含域名）不能超过 {NAME_TOTAL_MAX} 个字符（当前 {len(full_name)}）",
        )
    # normalisation (docker.io)
    norm_domain = domain or DEFAULT_DOMAIN
    if norm_domain == LEGACY_DEFAULT_DOMAIN:
        norm_domain = DEFAULT_DOMAIN
    path = remote
    if norm_domain == DEFAULT_DOMAIN and "/" not in path:
        path = OFFICIAL_REPO_PREFIX + path
    implied_tag = tag is None and digest is None
    normalized = f"{norm_domain}/{path}" + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
    if implied_tag:
        normalized += ":latest"
    return {
        "domain": norm_domain,
        "domain_given": domain is not None,
        "path": path,
        "tag": tag if tag is not None else ("latest" if implied_tag else None),
        "tag_given": tag is not None,
        "digest": digest,
        "normalized": normalized,
    }


def validate_tcr_path(domain: str | None, path: str) -> None:
    """TCR's own rules for the path of an image on a TCR host (DOMAIN without port): the personal edition takes
    exactly <namespace>/<repository>; the enterprise edition needs a namespace before the repository."""
    host = (domain or "").split(":")[0].lower()
    if host.endswith(ENTERPRISE_SUFFIX):
        if "/" not in path:
            raise NameError_(
                "enterprise.namespace-required",
                f"an enterprise image is <namespace>/<repository>: {path!r} has no namespace",
                f"企业版镜像为 <命名空间>/<仓库名>：{path!r} 缺少命名空间",
            )
        validate_namespace(path.split("/", 1)[0])
        validate_repo(path.split("/", 1)[1])
    elif host == "ccr" + PERSONAL_SUFFIX or (host.endswith("ccr" + PERSONAL_SUFFIX)):
        if path.count("/") != 1:
            raise NameError_(
                "personal.single-level",
                "the personal edition takes exactly <namespace>/<repository>; multi-level paths are not allowed",
                "个人版镜像必须是 <命名空间>/<仓库名>，不支持多级路径",
            )


def validate_tcr_ref(value: str) -> dict:
    """A reference that is valid for docker AND for TCR when its host is a TCR host."""
    parts = validate_ref(value)
    if parts.get("domain_given"):
        validate_tcr_path(parts["domain"], parts["path"])
    return parts


def suggest_tcr_ref(value: str) -> str | None:
    """A corrected reference: the generic correction, then a TCR path shape (multi-level personal paths joined
    with '-', a missing enterprise namespace doubled from the repository)."""
    generic = suggest_ref(value)
    try:
        parts = validate_ref(generic or value)
    except NameError_:
        return generic
    if not parts.get("domain_given"):
        return generic
    domain, path = parts["domain"], parts["path"]
    host = domain.split(":")[0].lower()
    if host.endswith(ENTERPRISE_SUFFIX) and "/" not in path:
        path = f"{path}/{path}"
    elif host.endswith("ccr" + PERSONAL_SUFFIX) and path.count("/") > 1:
        ns, rest = path.split("/", 1)
        path = f"{ns}/{rest.replace('/', '-')}"
    tail = f"@{parts['digest']}" if parts.get("digest") else (f":{parts['tag']}" if parts.get("tag_given") else "")
    return f"{domain}/{path}{tail}"


def suggest_ref(value: str) -> str | None:
    v = value.strip()
    v = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", v)
    v = re.sub(r"\s+", "-", v)
    digest = None
    if "@" in v:
        v, _, digest = v.partition("@")
        try:
            validate_digest(digest)
        except NameError_:
            digest = digest.lower() if digest and _ok(validate_digest, digest.lower()) else None
    tag = None
    slash, colon = v.rfind("/"), v.rfind(":")
    if colon > slash:
        v, tag = v[:colon], v[colon + 1 :]
        tag = suggest_tag(tag)
    domain, remote = split_domain(v)
    if domain and not any(c in domain for c in ".:") and domain != "localhost":
        domain, remote = None, v.lower()  # 'Foo/Bar' was meant as a Docker Hub path, not a host
    comps = [suggest_path_component(c) for c in remote.split("/")]
    comps = [c for c in comps if c]
    if not comps:
        return None
    name = "/".join(comps)
    if domain:
        name = f"{domain}/{name}"
    if len(name) > NAME_TOTAL_MAX:
        name = name[:NAME_TOTAL_MAX].rstrip("._-/")
    out = name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
    return out if _ok(validate_ref, out) else None


def _ok(fn, value) -> bool:
    try:
        fn(value)
        return True
    except NameError_:
        return False


_VALIDATORS = {
    "instance": (validate_instance, suggest_instance),
    "namespace": (validate_namespace, suggest_namespace),
    "repo": (validate_repo, suggest_repo),
    "tag": (validate_tag, suggest_tag),
    "ref": (validate_tcr_ref, suggest_tcr_ref),
}


def check_name(kind: str, value: str) -> dict:
    """Check VALUE against the KIND rules: {value, valid, parts | error, rule, suggestion}."""
    if kind not in _VALIDATORS:
        raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")
    if not isinstance(value, str):
        raise TypeError("value must be a string")
    shown = value if len(value) <= 300 else value[:300] + "…"
    if len(value) > MAX_INPUT:
        return {
            "value": shown,
            "valid": False,
            "error": {"en": f"too long ({len(value)} characters)", "zh": f"太长（{len(value)} 个字符）"},
            "rule": f"{kind}.length",
            "suggestion": None,
        }
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return {
            "value": shown.encode("unicode_escape").decode("ascii"),
            "valid": False,
            "error": {"en": "contains control characters", "zh": "包含控制字符"},
            "rule": f"{kind}.control-characters",
            "suggestion": None,
        }
    validate, suggest = _VALIDATORS[kind]
    try:
        parts = validate(value)
    except NameError_ as exc:
        suggestion = suggest(value)
        if suggestion == value or (suggestion is not None and not _ok(validate, suggestion)):
            suggestion = None
        return {"value": shown, "valid": False, "error": exc.message, "rule": exc.rule, "suggestion": suggestion}
    result = {"value": value, "valid": True, "parts": parts, "rule": None, "suggestion": None}
    if kind == "instance":
        result["note"] = OFFLINE_INSTANCE_NOTE
    return result


OFFLINE_INSTANCE_NOTE = {
    "en": "the rules allow it; whether the service reserves it or another account has taken it cannot be checked "
    "offline: add --cloud (CheckInstanceName)",
    "zh": "符合规则；该名称是否被服务保留或已被其他账号占用无法离线检查：加 --cloud（CheckInstanceName）",
}


def parse_reference(value: str) -> dict:
    """Parts of a valid reference; raises NameError_ otherwise."""
    return validate_ref(value)
