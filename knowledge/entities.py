"""Extract what a question mentions: registry host, instance, image reference, namespace/repository/tag/digest
and error lines. Linear-time regexes only (bounded quantifiers, no nested repetition), and the input is
capped, so any input (1 MB, binary, emoji) returns quickly.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from diagnostics import ENTERPRISE_SUFFIX, PERSONAL_HOST, enterprise_instance

from .redact import names_a_secret, redact_part

if TYPE_CHECKING:
    from .results import Entities

MAX_CHARS = 200_000
MAX_ERRORS = 10

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL}){{1,8}}"
# Finds host[:port]/path[:tag][@sha256:digest] in free text with bounded quantifiers (linear time);
# diagnostics.reference cuts what it found into parts.
_PATH_COMP = r"[a-z0-9]+(?:(?:[._]|__|-{1,8})[a-z0-9]+){0,20}"
# re.ASCII on every pattern below: a reference is ASCII (diagnostics.reference), so Chinese written right before or
# after one ("拉取ccr.ccs.tencentyun.com/ns/app:1.0失败") is not part of it, and does not hide it.
_IMAGE_RE = re.compile(
    rf"(?<![\w./-])(?P<host>{_DOMAIN}(?::\d{{1,5}})?|localhost(?::\d{{1,5}})?)"
    rf"/(?P<path>{_PATH_COMP}(?:/{_PATH_COMP}){{0,6}})"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[a-f0-9]{64}))?",
    re.IGNORECASE | re.ASCII,
)
_HOST_PORT_RE = re.compile(
    rf"(?<![\w.@/-])(?P<host>{_DOMAIN}|localhost|\d{{1,3}}(?:\.\d{{1,3}}){{3}}):(?P<port>\d{{1,5}})(?![\w])",
    re.IGNORECASE | re.ASCII,
)
_REGISTRY_HOST_RE = re.compile(
    rf"(?<![\w.-])(?P<host>(?P<inst>[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?){re.escape(ENTERPRISE_SUFFIX)}"
    rf"|[a-z]{{0,8}}{re.escape(PERSONAL_HOST)})(?![\w-])",
    re.IGNORECASE | re.ASCII,
)
_NAME = r"(?P<name>[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?)(?![\w.-])"
_INSTANCE_ZH_RE = re.compile(
    r"实例(?:名称?|名字)?[ \t]{0,3}(?:是|为|叫|:|：)?[ \t]{0,3}[\"'“‘「`]?" + _NAME, re.IGNORECASE | re.ASCII
)
# English: "instance 'abc'", "instance named abc", "instance name: abc", "instance: abc", "instance my-reg1"
_INSTANCE_EN_RE = re.compile(
    r"\binstance(?:[ \t]{1,3}(?P<how>named|called|name(?:[ \t]{1,3}is)?)|[ \t]{0,3}(?P<colon>:))?[ \t]{0,3}"
    r"(?P<quote>[\"'“‘`])?" + _NAME,
    re.IGNORECASE | re.ASCII,
)
_NAMESPACE_RE = re.compile(
    r"(?:命名空间|\bnamespace)[ \t]{0,3}(?:是|为|叫|:|：)?[ \t]{0,3}[\"'“‘「`]?"
    r"(?P<name>[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?)(?![\w.-])",
    re.IGNORECASE | re.ASCII,
)
# A "host" whose last label is one of these is a file name (`mydomain.com.crt:5000`, `harbor.yml`), never a
# registry: none of them is a top-level domain.
# So is a source file named by a stack trace or a log's caller (`install.go:178`, `AbstractPlainSocketImpl.java:339`),
# and a size a progress bar prints (`2.995MB/3.2MB`).
_FILE_SUFFIXES = frozenset(
    "crt cert pem key csr der p12 pfx jks json yaml yml toml conf cfg ini txt log tar tgz gz xz bz2 zst service "
    "socket sock lock bak tmp swp env go java js ts rb kt scala c h cpp hpp swift".split()
)
_SIZE = re.compile(r"\d{1,9}\.\d{1,9}[kmgt]?i?b", re.IGNORECASE | re.ASCII)


def _file_name(host: str) -> bool:
    name = host.split(":", 1)[0]
    return name.rsplit(".", 1)[-1].lower() in _FILE_SUFFIXES or bool(_SIZE.fullmatch(name))


# A host:port on these ports is a DNS server ("lookup registry-1.docker.io on 192.168.65.1:53") or a Docker daemon's
# API (tcp://docker:2375, 2376 with TLS), never the registry: said as "Detected: registry 192.168.65.1:53", it was
# offered as the target to diagnose. Nor is a socket's local end ("read udp 192.168.65.3:46383->192.168.65.1:53").
_NOT_REGISTRY_PORTS = frozenset({"53", "2375", "2376"})


_DIGEST_RE = re.compile(r"sha256:[a-f0-9]{64}", re.IGNORECASE)
_ERROR_LINE_RE = re.compile(
    r"(?:error|denied|unauthorized|forbidden|failed|failure|x509|timeout|timed out|no such host|refused|"
    r"unknown|not found|backoff|errimagepull|cannot|can't|unable|invalid|toomanyrequests|报错|失败|错误)",
    re.IGNORECASE | re.ASCII,
)
_NOT_INSTANCE = frozenset(
    {
        "name",
        "names",
        "list",
        "login",
        "with",
        "from",
        "that",
        "this",
        "which",
        "sync",
        "replication",
        "creation",
        "access",
        "is",
        "was",
        "the",
        "a",
        "an",
        "and",
        "or",
        "to",
        "in",
        "on",
        "of",
        "for",
        "it",
        "my",
        "our",
    }
)
_EN_WORDS = frozenset(
    {
        "fails",
        "failed",
        "cannot",
        "can't",
        "does",
        "doesn't",
        "not",
        "has",
        "have",
        "sync",
        "level",
        "type",
        "id",
        "status",
    }
)


def _empty() -> Entities:
    return {
        "registry": None,
        "instance": None,
        "image": None,
        "repository": None,
        "tag": None,
        "digest": None,
        "namespace": None,
        "errors": [],
    }


def instance_from_host(host: str) -> str | None:
    """The Enterprise instance name of a `<instance>` + ENTERPRISE_SUFFIX host (the `-vpc` suffix removed), else None."""
    return enterprise_instance(host.lower().split(":", 1)[0])


def _instance_mention(text: str) -> str | None:
    for m in _INSTANCE_ZH_RE.finditer(text):
        name = m.group("name").lower()
        if name not in _NOT_INSTANCE:
            return name
    for m in _INSTANCE_EN_RE.finditer(text):
        name = m.group("name").lower()
        explicit = m.group("how") or m.group("colon") or m.group("quote")
        if name in _NOT_INSTANCE or name in _EN_WORDS:
            continue
        if explicit or any(c.isdigit() or c == "-" for c in name):
            return name
    return None


def extract_entities(text: str) -> Entities:
    """Registry host, instance, image reference, namespace/repository/tag/digest and error lines (redacted) that
    `text` mentions; every key present, None or [] when absent."""
    out = _empty()
    if not isinstance(text, str) or not text:
        return out
    text = text[:MAX_CHARS]
    image = _image_mention(text)
    if image:
        _fill_image(out, image.group(0))
    if out["registry"] is None:
        out["registry"] = _registry_mention(text)
    if out["registry"]:
        out["instance"] = instance_from_host(out["registry"])
    if out["instance"] is None:
        out["instance"] = _instance_mention(text)
    if out["namespace"] is None:
        out["namespace"] = _namespace_mention(text)
    if out["digest"] is None:
        digest = _DIGEST_RE.search(text)
        if digest:
            out["digest"] = digest.group(0).lower()
    out["errors"] = _error_lines(text)
    _drop_secrets(out)
    return out


# The entities that are names read from the text.
_NAME_KEYS = ("registry", "instance", "image", "repository", "tag", "digest", "namespace")


def _drop_secrets(out: Entities) -> None:
    """A pasted token read as a name is no name (redact.names_a_secret): names are shown and posted unmasked."""
    for key in _NAME_KEYS:
        if names_a_secret(out[key]):  # type: ignore[literal-required]
            out[key] = None  # type: ignore[literal-required]


# A Kubernetes manifest's `apiVersion: source.toolkit.fluxcd.io/v1beta2` (an API group and version) and a Secret's
# `type: kubernetes.io/dockerconfigjson` are written like references but name no image: the key before the value says
# so. Nor is a path that is only an API version (`kubelet.config.k8s.io/v1beta1`) or the registry API's root
# (`localhost:5000/v2`, its host is the registry).
_MANIFEST_KEY_BEFORE = re.compile(r"\b(?:apiVersion|type)[ \t]{0,4}:[ \t]{0,4}[\"']?$", re.ASCII)
_API_VERSION_PATH = re.compile(r"v\d{1,2}(?:(?:alpha|beta)\d{1,2})?", re.IGNORECASE | re.ASCII)


def _names_an_image(m: re.Match[str], text: str) -> bool:
    """Whether the reference matched by `m` in `text` names an image: its "host" is no file name nor a code or web
    host itself (a Go module path `github.com/docker/docker-credential-helpers`; `registry.gitlab.com` stays), it is
    no manifest's API group or Secret type, and its path is more than an API version."""
    host = m.group("host").lower()
    if _file_name(host) or _API_VERSION_PATH.fullmatch(m.group("path")) or text[m.start() - 1 : m.start()] == "@":
        return False  # (after an `@`: a Go module's version, `…/docker-compose-wrapper@v0.0.0-2023…/compose/…`)
    labels = host.split(":", 1)[0].split(".")
    if len(labels) == 2 or (len(labels) == 3 and labels[0] == "www"):
        from .logs.rules import is_other_host  # only for a bare domain: the log reader's list, imported when needed

        if is_other_host(host.split(":", 1)[0]):
            return False
    return not _MANIFEST_KEY_BEFORE.search(text, max(0, m.start() - 40), m.start())


def _image_mention(text: str) -> re.Match[str] | None:
    """The image reference `text` names: the first one on a TCR/CCR registry, else the first one, unless its
    "host" is a file name or looks like a version ("v1.2/foo"), or it is no image at all (_names_an_image)."""
    image = next((m for m in _IMAGE_RE.finditer(text) if _names_an_image(m, text)), None)
    # Prefer an image whose host is a TCR/CCR registry when there are several references.
    for m in _IMAGE_RE.finditer(text):
        if _REGISTRY_HOST_RE.fullmatch(m.group("host").split(":")[0]) and _names_an_image(m, text):
            image = m
            break
    if (
        image
        and not image.group("host").lower().endswith((".com", ".cn", ".net", ".io", ".org"))
        and ":" not in image.group("host")
        and "." in image.group("host")
        and not _REGISTRY_HOST_RE.fullmatch(image.group("host"))
    ):
        # e.g. "v1.2/foo" is a version, not a host; keep only plausible registry hosts
        if not re.search(r"[a-z]", image.group("host").split(".")[-1], re.IGNORECASE):
            image = None
    return image


def _fill_image(out: Entities, written: str) -> None:
    """Set registry, repository, tag, digest, image (normalised) and namespace of `out` from a written reference."""
    # Imported here, not at the top: only a question that names an image pays for diagnostics.reference
    # (its regexes take milliseconds to compile: python -X importtime), as in knowledge.logs.images.
    from diagnostics.reference import split as split_reference

    parts = split_reference(written)
    host, path = (parts.domain or "").lower(), parts.path.lower()
    out["registry"] = host
    out["repository"] = path
    out["tag"] = parts.tag
    out["digest"] = parts.digest.lower() if parts.digest else None
    ref = f"{host}/{path}"
    if out["tag"]:
        ref += f":{out['tag']}"
    if out["digest"]:
        ref += f"@{out['digest']}"
    out["image"] = ref
    if "/" in path:
        out["namespace"] = path.split("/", 1)[0]


def _registry_mention(text: str) -> str | None:
    """A TCR/CCR registry host named in `text`, else the first host:port that is not a file name."""
    found = _REGISTRY_HOST_RE.search(text)
    if found:
        return found.group("host").lower()
    port = next(
        (
            m
            for m in _HOST_PORT_RE.finditer(text)
            if not _file_name(m.group("host"))
            and m.group("port") not in _NOT_REGISTRY_PORTS
            and not text.startswith("->", m.end())
        ),
        None,
    )
    if port:
        return f"{port.group('host').lower()}:{port.group('port')}"
    return None


def _namespace_mention(text: str) -> str | None:
    """The first namespace `text` names in words ("namespace foo", "命名空间 foo")."""
    for m in _NAMESPACE_RE.finditer(text):
        name = m.group("name").lower()
        if name not in _NOT_INSTANCE:
            return name
    return None


def _error_lines(text: str) -> list[str]:
    """Up to MAX_ERRORS distinct error lines of `text`, redacted (they are echoed back)."""
    errors: list[str] = []
    for line in text.splitlines():
        if len(errors) >= MAX_ERRORS:
            break
        line = line.strip()
        if 8 <= len(line) <= 2000 and _ERROR_LINE_RE.search(line) and any(c.isascii() and c.isalpha() for c in line):
            # error lines are echoed back: never with a pasted secret in them, also one the paste names on another line
            line = redact_part(line, text)[:500]  # masked whole, then cut: a cut never keeps the start of a secret
            if line not in errors:
                errors.append(line)
    return errors
