"""Name rules: TCR instance / namespace / repository names, tags, and image references.

Image references follow the distribution/reference grammar, parsed by `diagnostics.reference` (the one parser);
this module adds TCR's own rules on top of it.

`check_name(kind, value)` returns {value, valid, parts | error, rule, suggestion}.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import ENTERPRISE_SUFFIX, PERSONAL_HOST, VPC_SUFFIX
from .reference import (
    NAME_TOTAL_MAX,
    TAG_RE,
    NameRuleError,
    credentials_end,
    parse,
    split,
    validate_digest,
    validate_tag,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from typing import Any

KINDS = ("instance", "namespace", "repo", "tag", "ref")
# Each kind as a sentence names it (NAME_INVALID's summary): the kind itself is a machine value.
KIND_WORDS: dict[str, dict[str, str]] = {
    "instance": {"zh": "实例名", "en": "instance name"},
    "namespace": {"zh": "命名空间名", "en": "namespace name"},
    "repo": {"zh": "仓库名", "en": "repository name"},
    "tag": {"zh": "版本名", "en": "tag"},
    "ref": {"zh": "镜像地址", "en": "image reference"},
}
MAX_INPUT = 4096  # longer values are rejected up front (a reference is at most ~500 characters)

# --- TCR rules --------------------------------------------------------------------------------------
# Strings, compiled by re (and kept in its cache) when first used: a diagnosis of a host that is not TCR's never uses
# them (compiling them was ~2 M instructions of its start-up, valgrind, benchmarks/bench_startup.py)
INSTANCE = r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"
NS_CHARS = r"^[a-z0-9._-]+$"
NS_SHAPE = r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$"
REPO_CHARS = r"^[a-z0-9._/-]+$"


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
    """A valid instance name close to VALUE (lower-cased, bad characters squeezed), or None."""
    s = _squeeze(value, _LOWER_ALNUM + "-", "-")
    if not s:
        return None
    s = s[:50].rstrip("-")
    if len(s) < 5:
        s = (s + "-tcr")[:50] if len(s) + 4 >= 5 else (s + "-registry")
    return s if re.match(INSTANCE, s) and 5 <= len(s) <= 50 else None


def suggest_namespace(value: str) -> str | None:
    """A valid namespace close to VALUE, or None."""
    s = _squeeze(value, _LOWER_ALNUM + "._-", "._-")
    if not s:
        return None
    s = s[:30].rstrip("._-")
    if len(s) < 2:
        s = s + "-ns"
    return s if re.match(NS_SHAPE, s) and 2 <= len(s) <= 30 else None


def suggest_repo(value: str) -> str | None:
    """A valid repository name close to VALUE, or None."""
    parts = [suggest_path_component(p) for p in value.split("/")]
    parts = [p for p in parts if p]
    if not parts:
        return None
    s = "/".join(parts)[:200].rstrip("._-/")
    if len(s) < 2:
        s = s + "-app"
    return s


def suggest_path_component(value: str) -> str:
    """VALUE made into a path component (lower case, separators squeezed); empty when nothing is left."""
    s = _squeeze(value, _LOWER_ALNUM + "._-", "._-")
    return s


def suggest_tag(value: str) -> str | None:
    """VALUE made into a valid tag (bad characters become '-'), or None."""
    s = re.sub(r"[^A-Za-z0-9_.-]", "-", value)
    s = s.lstrip(".-")
    s = s[:128]
    return s if s and TAG_RE.match(s) else None


# ------------------------------------------------------------------------------------------------ rules
def _check_length(kind: str, value: str, low: int, high: int) -> None:
    """NameRuleError (`<kind>.length`) unless VALUE is LOW to HIGH characters long."""
    n = len(value)
    if n < low or n > high:
        raise NameRuleError(
            f"{kind}.length",
            f"must be {low}-{high} characters long (got {n})",
            f"长度须为 {low}–{high} 个字符（当前 {n}）",
        )


def _outside(value: str, allowed: str) -> str:
    """The characters of VALUE that the character class ALLOWED does not match, each once, in order."""
    return "".join(dict.fromkeys(c for c in value if not re.fullmatch(allowed, c)))


def _each(chars: str) -> tuple[str, str]:
    """CHARS named one by one (en, zh): 'T', '_', 'R' and “T”“_”“R” -- run together ('T_R') they read as one token
    the name does not contain. Escapes show a control character (a tab as \\t)."""
    return ", ".join(repr(c) for c in chars), "".join(f"“{repr(c)[1:-1]}”" for c in chars)


def validate_instance(value: str) -> dict[str, Any]:
    """{instance} of a valid TCR instance name; NameRuleError (instance.*) otherwise."""
    # characters first: 团队仓库 breaks the character rule, not (only) the length rule
    if not re.fullmatch(r"[a-z0-9-]*", value):
        en, zh = _each(_outside(value, r"[a-z0-9-]"))
        raise NameRuleError(
            "instance.charset",
            f"only lower-case letters, digits and '-' are allowed (found {en})",
            f"只能包含小写字母、数字和“-”（出现了{zh}）",
        )
    _check_length("instance", value, 5, 50)
    if value.startswith("-") or value.endswith("-"):
        raise NameRuleError("instance.edge", "must not start or end with '-'", "不能以“-”开头或结尾")
    return {"instance": value, "domain": value + ENTERPRISE_SUFFIX, "vpc_domain": value + VPC_SUFFIX}


def validate_namespace(value: str) -> dict[str, Any]:
    """{namespace} of a valid TCR namespace; NameRuleError (namespace.*) otherwise."""
    _check_length("namespace", value, 2, 30)
    if not re.match(NS_CHARS, value):
        en, zh = _each(_outside(value, r"[a-z0-9._-]"))
        raise NameRuleError(
            "namespace.charset",
            f"only lower-case letters, digits, '.', '_' and '-' are allowed (found {en})",
            f"只能包含小写字母、数字和“.”“_”“-”（出现了{zh}）",
        )
    if value[0] in "._-" or value[-1] in "._-":
        raise NameRuleError(
            "namespace.edge",
            "must not start or end with a separator ('.', '_', '-')",
            "不能以分隔符（“.”“_”“-”）开头或结尾",
        )
    if not re.match(NS_SHAPE, value):
        raise NameRuleError(
            "namespace.double-separator",
            "separators ('.', '_', '-') must not follow each other",
            "分隔符（“.”“_”“-”）不能连续出现",
        )
    return {"namespace": value}


def validate_repo(value: str) -> dict[str, Any]:
    """{repository, components} of a valid TCR repository name; NameRuleError (repo.*) otherwise."""
    _check_length("repo", value, 2, 200)
    if not re.match(REPO_CHARS, value):
        bad = _outside(value, r"[a-z0-9._/-]")
        rule = "repo.lowercase" if any(c.isupper() for c in bad) else "repo.charset"
        en, zh = _each(bad)
        raise NameRuleError(
            rule,
            f"only lower-case letters, digits, '.', '_', '-' and '/' are allowed (found {en})",
            f"只能包含小写字母、数字和“.”“_”“-”“/”（出现了{zh}）",
        )
    components = value.split("/")
    for comp in components:
        if not comp:
            raise NameRuleError(
                "repo.empty-component",
                "path components must not be empty ('//' or a leading/trailing '/')",
                "路径各级不能为空（出现了“//”或以“/”开头/结尾）",
            )
        if comp[0] in "._-" or comp[-1] in "._-":
            raise NameRuleError(
                "repo.edge",
                f"component {comp!r} must not start or end with a separator",
                f"路径段 {comp!r} 不能以分隔符开头或结尾",
            )
        if not re.match(NS_SHAPE, comp):
            raise NameRuleError(
                "repo.double-separator",
                f"separators must not follow each other in {comp!r}",
                f"路径段 {comp!r} 中分隔符不能连续出现",
            )
    return {"repository": value, "components": components}


def validate_tcr_path(domain: str | None, path: str) -> None:
    """TCR's own rules for the path of an image on a TCR host (DOMAIN without port): the personal edition takes
    exactly <namespace>/<repository>; the enterprise edition needs a namespace before the repository."""
    host = (domain or "").split(":")[0].lower()
    if host.endswith(ENTERPRISE_SUFFIX):
        if "/" not in path:
            raise NameRuleError(
                "enterprise.namespace-required",
                f"an enterprise image is <namespace>/<repository>: {path!r} has no namespace",
                f"企业版镜像为 <命名空间>/<仓库名>：{path!r} 缺少命名空间",
            )
        validate_namespace(path.split("/", 1)[0])
        validate_repo(path.split("/", 1)[1])
    elif host.endswith(PERSONAL_HOST):
        if "/" not in path:  # one level: the namespace is missing (saying "multi-level" here read as a riddle)
            raise NameRuleError(
                "personal.single-level",
                f"the personal edition takes exactly <namespace>/<repository>: {path!r} has no namespace",
                f"个人版镜像必须是 <命名空间>/<仓库名>：{path!r} 缺少命名空间",
            )
        if path.count("/") != 1:
            raise NameRuleError(
                "personal.single-level",
                "the personal edition takes exactly <namespace>/<repository>; multi-level paths are not allowed",
                "个人版镜像必须是 <命名空间>/<仓库名>，不支持多级路径",
            )


def validate_tcr_ref(value: str) -> dict[str, Any]:
    """A reference that is valid for docker AND for TCR when its host is a TCR host."""
    ref = parse(value)
    if ref.domain_given:
        validate_tcr_path(ref.domain, ref.path)
    return ref.as_dict()


def suggest_tcr_ref(value: str) -> str | None:
    """A corrected reference: the generic correction, then a TCR path shape (multi-level personal paths joined
    with '-', a missing enterprise namespace doubled from the repository)."""
    generic = suggest_ref(value)
    try:
        ref = parse(generic or value)
    except NameRuleError:
        return generic
    if not ref.domain_given:
        return generic
    domain, path = ref.domain, ref.path
    host = domain.split(":")[0].lower()
    if host.endswith(ENTERPRISE_SUFFIX) and "/" not in path:
        path = f"{path}/{path}"
    elif host.endswith(PERSONAL_HOST) and path.count("/") > 1:
        ns, rest = path.split("/", 1)
        path = f"{ns}/{rest.replace('/', '-')}"
    tail = f"@{ref.digest}" if ref.digest else (f":{ref.tag}" if ref.tag_given else "")
    return f"{domain}/{path}{tail}"


def suggest_ref(value: str) -> str | None:
    """A valid reference close to VALUE (scheme dropped, white space and bad characters replaced), or None."""
    v = value.strip()
    v = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", v)
    v = re.sub(r"\s+", "-", v)
    parts = split(v)
    digest = parts.digest
    if digest is not None and not _ok(validate_digest, digest):
        digest = digest.lower() if digest and _ok(validate_digest, digest.lower()) else None
    tag = suggest_tag(parts.tag) if parts.tag is not None else None
    domain, remote = parts.domain, parts.path
    if domain and not any(c in domain for c in ".:") and domain != "localhost":
        domain, remote = None, f"{domain}/{remote}".lower()  # 'Foo/Bar' was meant as a Docker Hub path, not a host
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
    return out if _ok(parse, out) else None


def _ok(fn: Callable[[str], object], value: str) -> bool:
    try:
        fn(value)
        return True
    except NameRuleError:
        return False


_VALIDATORS = {
    "instance": (validate_instance, suggest_instance),
    "namespace": (validate_namespace, suggest_namespace),
    "repo": (validate_repo, suggest_repo),
    "tag": (validate_tag, suggest_tag),
    "ref": (validate_tcr_ref, suggest_tcr_ref),
}


def check_name(kind: str, value: str) -> dict[str, Any]:
    """Check VALUE against the KIND rules: {value, valid, parts | error, rule, suggestion}, with `note` (an instance
    name) or `warning` (a reference that is a registry host alone) on a valid one."""
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
    except NameRuleError as exc:
        if exc.rule == "ref.credentials":
            # never echo what comes before the '@'; the suggestion is the reference without it (when it has a path:
            # `localhost:5000` alone would read as the Docker Hub image `localhost`, tag 5000)
            rest = value[credentials_end(value) :]
            shown = "****@" + (rest if len(rest) <= 300 else rest[:300] + "…")
            suggestion = (rest if _ok(validate, rest) else suggest(rest)) if "/" in rest else None
            if suggestion is not None and not _ok(validate, suggestion):
                suggestion = None
            return {"value": shown, "valid": False, "error": exc.message, "rule": exc.rule, "suggestion": suggestion}
        suggestion = suggest(value)
        if suggestion == value or (suggestion is not None and not _ok(validate, suggestion)):
            suggestion = None
        return {"value": shown, "valid": False, "error": exc.message, "rule": exc.rule, "suggestion": suggestion}
    return _valid(kind, value, parts)


def _valid(kind: str, value: str, parts: dict[str, Any]) -> dict[str, Any]:
    """check_name's answer for a valid VALUE: an instance name's note (the service's reservations are not checked
    offline), a reference's warning (a registry host alone names a Docker Hub repository)."""
    result = {"value": value, "valid": True, "parts": parts, "rule": None, "suggestion": None}
    if kind == "instance":
        result["note"] = OFFLINE_INSTANCE_NOTE
    warning = bare_host_warning(value, parts) if kind == "ref" else None
    if warning is not None:
        result["warning"] = warning
    return result


def bare_host_warning(value: str, parts: dict[str, Any]) -> dict[str, str] | None:
    """The warning for a valid reference that is probably a registry host typed alone (`ccr.ccs.tencentyun.com`,
    `localhost:5000`), or None. Docker reads a first component as a host only before a '/', so such a name is the
    Docker Hub repository docker.io/library/<name> (`docker pull ccr.ccs.tencentyun.com` pulls that); an official
    library image never has a dot in its name, so a dotted one alone (or `localhost`) is meant as a host."""
    if parts.get("domain_given") or "/" in value.split("@", 1)[0]:
        return None
    name = str(parts.get("path", "")).removeprefix("library/")
    if "." not in name and name != "localhost":
        return None
    tag = parts.get("tag")
    host = f"{name}:{tag}" if parts.get("tag_given") and str(tag).isdigit() else name  # localhost:5000: a port
    return {
        "en": f"{value!r} names no registry: docker reads it as the Docker Hub repository {parts.get('normalized')}. "
        f"If {host!r} is a registry host, an image on it is {host}/<namespace>/<repository>[:tag]",
        "zh": f"{value!r} 没有指定镜像仓库：docker 把它读作 Docker Hub 仓库 {parts.get('normalized')}。"
        f"如果 {host!r} 是镜像仓库地址，其上的镜像应写为 {host}/<命名空间>/<仓库名>[:版本]",
    }


OFFLINE_INSTANCE_NOTE = {
    "en": "the rules allow it; whether the service reserves it or another account has taken it cannot be checked "
    "offline: add --cloud (CheckInstanceName)",
    "zh": "符合规则；该名称是否被服务保留或已被其他账号占用无法离线检查：加 --cloud（CheckInstanceName）",
}
