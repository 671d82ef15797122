"""The one image-reference parser (diagnostics.reference) against the distribution grammar, and the places that
used to cut references themselves: on every reference the grammar generates, they give the answers they gave."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostics.policy import split_target
from diagnostics.reference import NameRuleError, parse, split, split_hostport
from diagnostics.target import parse_target
from knowledge.entities import extract_entities
from knowledge.logs.images import parse_image

# distribution/reference regexp.go, anchored (ReferenceRegexp): name, tag, digest
_ALNUM = r"[a-z0-9]+"
_PATH = rf"{_ALNUM}(?:(?:[._]|__|[-]+){_ALNUM})*"
_DOMAIN = r"(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
REFERENCE_RE = re.compile(
    rf"^(?P<name>(?:{_DOMAIN}/)?{_PATH}(?:/{_PATH})*)(?::(?P<tag>[\w][\w.-]{{0,127}}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$",
    re.ASCII,
)

_label = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,6}[a-z0-9])?", fullmatch=True)
_host = st.one_of(
    st.just("localhost"),
    st.lists(_label, min_size=2, max_size=4).map(".".join),
    st.sampled_from(["[::1]", "[fe80::1]", "127.0.0.1", "shop-tcr.tencentcloudcr.com", "ccr.ccs.tencentyun.com"]),
)
_domain = st.tuples(_host, st.one_of(st.none(), st.integers(1, 65535))).map(
    lambda hp: hp[0] + (f":{hp[1]}" if hp[1] is not None else "")
)
_component = st.from_regex(r"[a-z0-9]{1,6}(?:(?:[._]|__|-{1,2})[a-z0-9]{1,6}){0,2}", fullmatch=True)
_tag = st.from_regex(r"[\w][\w.-]{0,20}", fullmatch=True).filter(str.isascii)
_digest = st.sampled_from(["sha256:" + "a1" * 32, "sha512:" + "0f" * 64, "sha384:" + "9" * 96])


_maybe_domain = st.one_of(st.none(), _domain)


@st.composite
def references(draw, domain=_maybe_domain):
    d = draw(domain)
    path = "/".join(draw(st.lists(_component, min_size=1, max_size=3)))
    tag, digest = draw(st.one_of(st.none(), _tag)), draw(st.one_of(st.none(), _digest))
    value = (f"{d}/" if d else "") + path + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
    return value


def _hex64_name(value: str) -> bool:
    return bool(re.fullmatch(r"[a-f0-9]{64}", value))


@settings(max_examples=100, deadline=None)
@given(value=references())
def test_parse_agrees_with_the_distribution_grammar(value):
    m = REFERENCE_RE.match(value)
    assert m, value  # the strategy writes only grammatical references
    name = m.group("name")
    first, slash, rest = name.partition("/")
    domain_given = bool(slash) and ("." in first or ":" in first or first == "localhost")
    if domain_given and not re.fullmatch(_DOMAIN, first):
        # `0_0.0/0`: the first component reads as a host (it has a '.') and is not one: refused, as before
        with pytest.raises(NameRuleError, match="host"):
            parse(value)
        return
    try:
        ref = parse(value)
    except NameRuleError as exc:  # only length and port range lie outside the regular grammar
        assert exc.rule in ("ref.name-too-long", "ref.port"), (value, exc.rule)
        return
    assert ref.domain_given == domain_given
    want_domain = first if domain_given else "docker.io"
    assert ref.domain == want_domain
    path = rest if domain_given else name
    assert ref.path == (f"library/{path}" if want_domain == "docker.io" and "/" not in path else path)
    assert ref.tag == (m.group("tag") or (None if m.group("digest") else "latest"))
    assert ref.digest == m.group("digest")


def _old_knowledge_split(ref: str):
    """knowledge/logs parse_image's own cut, before it called diagnostics.reference (frozen copy)."""
    name, digest = (ref.split("@", 1) + [None])[:2] if "@" in ref else (ref, None)
    tag = None
    if name.rfind(":") > name.rfind("/"):
        name, tag = name.rsplit(":", 1)
    first, sep, rest = name.partition("/")
    return name, tag, digest, first, sep, rest


def _old_split_hostport(domain: str):
    """diagnostics/target.py's own host:port cut (frozen copy)."""
    m = re.fullmatch(r"\[([0-9a-fA-F:.]+)\](?::([0-9]+))?", domain)
    if m:
        return m.group(1), int(m.group(2)) if m.group(2) else None
    if domain.count(":") == 1:
        h, p = domain.split(":")
        return h, int(p) if p.isdigit() else None
    return domain, None


_OLD_HOST_PORT = re.compile(r"^(?P<host>[^:]*)(?::(?P<port>[0-9]{1,5}))?$")


def _old_split_target(target: str):
    """diagnostics/policy.py's own cut of a typed target (frozen copy)."""
    text = target.strip()
    for scheme in ("https://", "http://"):
        if text.lower().startswith(scheme):
            text = text[len(scheme) :]
            break
    registry = text.split("/", 1)[0]
    if "@" in registry:
        return registry, None, "userinfo"
    if registry.startswith("["):
        return registry, None, None
    match = _OLD_HOST_PORT.match(registry)
    if not match:
        return registry, None, "syntax"
    return match.group("host"), int(match.group("port")) if match.group("port") else None, None


@settings(max_examples=100, deadline=None)
@given(value=references())
def test_the_old_cuts_agree_with_split(value):
    name, tag, digest, first, sep, rest = _old_knowledge_split(value)
    parts = split(value)
    assert (parts.tag, parts.digest) == (tag, digest)
    if parts.domain is not None:
        assert (parts.domain, parts.path) == (first, rest)
    else:
        assert parts.path == name
    if parts.domain is not None and not _hex64_name(value):
        assert split_hostport(parts.domain) == _old_split_hostport(parts.domain)
    assert split_target(value) == _old_split_target(value)


@settings(max_examples=80, deadline=None)
@given(value=references(domain=_domain))
def test_the_target_and_the_log_reader_read_a_reference_as_the_parser_does(value):
    ref = parse(value)
    target = parse_target(value)
    assert (target.registry, target.repository, target.tag, target.digest) == (
        ref.domain,
        ref.path,
        ref.tag,
        ref.digest,
    )
    image = parse_image(value, "ref")
    if image is None:  # the log reader does not look for bracketed IPv6 hosts in logs
        assert "[" in value
        return
    assert image["valid"]
    assert (image["host"], image["path"], image["digest"]) == (ref.domain, ref.path, ref.digest)
    assert image["tag"] == split(value).tag


@settings(max_examples=80, deadline=None)
@given(value=references(domain=st.lists(_label, min_size=1, max_size=3).map(lambda labels: ".".join([*labels, "com"]))))
def test_the_question_reader_cuts_a_reference_as_the_parser_does(value):
    found = extract_entities(f"docker pull {value} fails")  # (a host ending in digits reads as a version: `v1.2/x`)
    parts = split(value)
    assert found["registry"] == parts.domain
    assert found["repository"] == parts.path
    assert found["tag"] == parts.tag
    assert found["digest"] == (parts.digest if parts.digest and parts.digest.startswith("sha256:") else None)


@pytest.mark.parametrize(
    "value, rule",
    [
        ("a" * 64, "ref.hex64"),
        ("0123456789abcdef" * 4, "ref.hex64"),
        ("host:5000/x:1@sha256:" + "a" * 64 + "@x", "ref.format"),
        ("Host.com/Ns/app", "ref.lowercase"),
        ("host:70000/x", "ref.port"),
        ("host.com//x", "ref.empty-component"),
        ("::1/x", "ref.domain"),
    ],
)
def test_parse_refuses_what_docker_refuses(value, rule):
    with pytest.raises(NameRuleError) as caught:
        parse(value)
    assert caught.value.rule == rule


def test_docker_hub_names_are_normalised():
    assert parse("nginx").normalized == "docker.io/library/nginx:latest"
    assert parse("index.docker.io/foo/bar:1").normalized == "docker.io/foo/bar:1"
    assert parse("localhost:5000/x@sha256:" + "b" * 64).as_dict() == {
        "domain": "localhost:5000",
        "domain_given": True,
        "path": "x",
        "tag": None,
        "tag_given": False,
        "digest": "sha256:" + "b" * 64,
        "normalized": "localhost:5000/x@sha256:" + "b" * 64,
    }
    # a 64-hex name is an image ID only when it stands alone
    assert parse("example.com/" + "a" * 64).path == "a" * 64


def test_split_hostport():
    assert split_hostport("[::1]:5000") == ("::1", 5000)
    assert split_hostport("host") == ("host", None)
    assert split_hostport("host:443") == ("host", 443)
    with pytest.raises(ValueError):
        split_hostport("nginx:latest")
    with pytest.raises(ValueError):
        split_hostport("a:b:c")
