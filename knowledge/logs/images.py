"""Hosts and images named in a paste: image positions of the wordings, parsed with the distribution/reference
grammar, ranked around the evidence line and joined with the registry the paste talks to."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from diagnostics import ENTERPRISE_DOMAIN

from .commands import command_info, command_rx, guess_op, image_from_command, login_from_command
from .paste import clean_ref, command_lines
from .rules import is_other_host

# --- entities ----------------------------------------------------------------------------------------------------
# An image is taken only from an *image position* of a wording (after `Failed to pull image "…"`, `docker://`,
# `manifest for … not found`, `/v2/<name>/manifests/<ref>` …), and only when the value parses with the
# distribution/reference grammar (`diagnostics.names`). Each position says what kind of name it holds:
#   "ref"  a reference as the client has it: a name without a registry host is on Docker Hub
#          (`nginx:1.25` -> docker.io/library/nginx:1.25), as distribution's ParseNormalizedNamed decides;
#   "path" a repository path relative to the registry that answered (Harbor's `artifact ns/app:1 not found`,
#          docker's `1.0: Pulling from ns/app`, a `/v2/ns/app/...` URL): joined to that registry's host when known,
#          never assumed to be on Docker Hub.
# `loose` positions (a word after `image:` or `failed to solve:`) need a '/', ':' or '@' in the value, so a plain
# word (`Get`, `writing`, `canceled`) is never taken for an image.
_REF = r"[A-Za-z0-9][A-Za-z0-9._\-/:@+]{0,300}"
_R = r"(?P<ref>" + _REF + r")"
_HOSTNAME = r"[A-Za-z0-9][A-Za-z0-9.\-]{0,252}(?::\d{1,5})?"
_IMAGE_POSITION_SOURCES: list[tuple[tuple[str, ...], str, bool, str]] = [  # compiled on first use
    # (lower-case trigger substrings, kind, loose, regex with named groups ref / tag / host)
    (
        ("image", "reference"),
        "ref",
        False,
        (
            r"(?:[Ff]ailed to pull image|[Bb]ack-off pulling image|[Pp]ulling image|[Pp]ull image|[Cc]ontainer image"
            r"|[Ss]uccessfully pulled image|default image tag|parse image reference|[Ee]rror parsing reference:"
            r"|[Ff]ailed to inspect image|ErrImagePull: \"?image pull failed for)\s{1,3}\\?[\"'](?:docker://)?"
            + _R
            + r"\\?[\"']"
        ),
    ),
    (
        ("failed to ",),
        "ref",
        False,
        (
            r"failed to (?:pull and unpack image|resolve reference|resolve ref|resolve source metadata for|get manifest for"
            r"|copy image|fetch|get|download|pull image|push image|push|pull)\s{1,3}\\?[\"']?(?:docker://|oci://)?"
            + _R
            + r"\\?[\"']?(?::\s|:$|\s*$)"
        ),
    ),
    (
        ("failed to ",),
        "ref",
        False,
        (
            r"failed to (?:pull|push|fetch|get|download|resolve reference|pull and unpack) (?:image )?\\?[\"'](?:docker://|oci://)?"
            + _R
            + r"\\?[\"'] with"
        ),
    ),  # gitlab-runner: failed to pull image "X" with specified policies [always]
    (("push permission for",), "ref", False, (r"push permission for \\?\"" + _R + r"\\?\"")),  # kaniko
    (
        ("docker image", "executor with image", "image manifest"),
        "ref",
        False,
        (r"(?:Pulling docker image|executor with image|Retrieving image manifest) " + _R + r"(?:\s|$)"),
    ),
    (("failed to solve",), "ref", True, (r"failed to solve: " + _R + r":(?:\s|$)")),
    (("error pulling image (",), "ref", False, (r"[Ee]rror pulling image \((?P<tag>[\w][\w.\-]{0,127})\) from " + _R)),
    (("docker://",), "ref", False, (r"(?<![\w+.\-])docker://" + _R)),
    (("oci://",), "ref", False, (r"(?<![\w+.\-])oci://" + _R)),
    # (also a name quoted at the end of the user's sentence: `stating "pull access denied for appwrite/lite"`)
    (("pull access denied for",), "ref", False, (r"pull access denied for " + _R + r"(?:,|[\"'`]?\s*$|[\"'`]\s)")),
    (("manifest for",), "ref", False, (r"manifest for " + _R + r" not found")),
    (("the push refers to repository",), "ref", False, (r"The push refers to repository \[" + _R + r"\]")),
    (("unable to find image",), "ref", False, (r"Unable to find image '" + _R + r"' locally")),
    (("trying to pull",), "ref", False, (r"Trying to pull (?:repository )?" + _R + r"\s?\.\.\.")),
    (("does not exist locally",), "ref", False, (r"An image does not exist locally with the tag: " + _R)),
    (("image with reference",), "ref", False, (r"image with reference " + _R + r" was found")),
    (
        ("repository ",),
        "ref",
        False,
        (  # docker: "repository X not found: does not exist or no pull access"
            r"(?<!unknown: )(?<!denied: )\brepository " + _R + r" not found(?::|\s*$)"
        ),
    ),
    (("image pull failed for",), "ref", False, (r"image pull failed for " + _R + r",")),
    (("image not known",), "ref", True, (r"(?:^|\s)" + _R + r": image not known")),  # podman's local store
    (("no such image",), "ref", False, (r"[Nn]o such image: " + _R)),
    (("tag does not exist",), "ref", False, (r"tag does not exist: " + _R)),
    (("must be lowercase",), "ref", False, (r"repository name \(" + _R + r"\) must be lowercase")),
    (
        ("reading manifest", "uploading manifest"),
        "ref",
        False,
        (r"(?:reading|uploading) manifest (?P<tag>[\w][\w.\-:]{0,200}) (?:in|to) " + _R),
    ),
    (("exists in",), "ref", True, (r"exists in " + _R)),
    (("on source", "on target"), "ref", True, (r"on (?:source|target): " + _R + r":\s")),
    (("load metadata for",), "ref", False, (r"load metadata for " + _R)),
    (("ensuring image",), "ref", False, (r"Ensuring image " + _R)),  # nerdctl compose
    (
        (": resolving", ": resolved", ": waiting"),
        "ref",
        True,
        (r"^" + _R + r":\s{1,40}(?:resolving|resolved|waiting)\s{1,40}\|"),
    ),  # ctr / nerdctl progress
    (("pulling ",), "ref", True, (r"Pulling \S{1,100} \(" + _R + r"\)\.\.\.")),  # docker-compose v1
    (("image",), "ref", True, (r"(?:--image[= ]|\b[Ii]mage:\s{1,16}\"?)" + _R)),
    (("from ",), "ref", True, (r"\bFROM " + _R + r"(?:\s|$)")),
    (
        ("not found",),
        "ref",
        True,
        (
            r"(?:^|\s)(?P<ref>[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){1,6}(?::\d{1,5})?/[A-Za-z0-9._\-/]{1,200}[:@][\w.\-:]{1,140}): not found"
        ),
    ),
    # registry-relative repository paths
    (("artifact ",), "path", False, (r"\bartifact " + _R + r" not found")),
    (("repository ",), "path", False, (r"\b(?:unknown|denied): repository " + _R + r" not found")),
    (("pulling from",), "path", False, (r"(?:^|\s)(?P<tag>[\w][\w.\-]{0,127}): Pulling from " + _R)),
    (("repository with name",), "path", False, (r"[Tt]he repository with name '" + _R + r"' does not exist")),  # ECR
    (("access repository",), "path", False, (r"to access repository: " + _R + r", action")),
    (
        ("/blobs/uploads",),
        "path",
        False,
        (r"(?:upload to|to) /v2/(?P<ref>[A-Za-z0-9._\-/]{1,255}?)/blobs/uploads/? in (?P<host>" + _HOSTNAME + r")"),
    ),
]


@functools.lru_cache(maxsize=1)
def _image_positions() -> list[tuple[tuple[str, ...], str, bool, re.Pattern[str]]]:
    return [(triggers, kind, loose, re.compile(rx)) for triggers, kind, loose, rx in _IMAGE_POSITION_SOURCES]


_V2_URL = re.compile(
    r"https?://([A-Za-z0-9.\-]{1,253}(?::\d{1,5})?)/v2/(?:([A-Za-z0-9._\-/]{1,255}?)/(manifests|blobs|tags)/([A-Za-z0-9._\-:]{1,200}))?"
)
# Vendors' documentation and short links that tools print in their messages (azure-cli's "Please refer to
# https://aka.ms/acr/errors#connectivity_challenge_error"): never the registry a diagnosis should go to
_DOCS_HOST = re.compile(
    r"(?:^|\.)(?:docs\.docker\.com|aka\.ms|learn\.microsoft\.com|docs\.microsoft\.com|cloud\.google\.com|"
    r"docs\.aws\.amazon\.com)(?::\d{1,5})?$",
    re.IGNORECASE,
)
_ANY_URL_HOST = re.compile(r'https?://([A-Za-z0-9.\-]{1,253}(?::\d{1,5})?)(?=[/"\s:]|$)')
# The text of a Markdown link whose target starts where this pattern ends: `[portus](`.
# A registry API or layer path right after a URL's host (`https://pkg-containers.githubusercontent.com/ghcr1/blobs/…`)
_REGISTRY_API_PATH = re.compile(r"/(?:v[12]/|\S{0,200}/(?:blobs|manifests)/)")
_MARKDOWN_LINK_TEXT = re.compile(r"\[([^\[\]\n]{1,200})\]\($")
_LOOKUP = re.compile(
    r"(?:lookup|[Cc]ould not resolve host:?|/v2/\S{0,300} in) ([A-Za-z0-9.\-]{1,253}(?::\d{1,5})?)(?: on |: |:\s|:?$)"
)
# docker's "login attempt to https://HOST/v2/ failed", "Error logging into "HOST"": the whole host (a name cut at a
# character no host has, `aws_account_id.dkr.ecr…`, is none), never a word of prose ("relogging into aws").
_LOGIN_URL = re.compile(
    r'\b(?:login attempt to|logging into) \\?"?(?:https?://)?([A-Za-z0-9.\-]{1,253}(?::\d{1,5})?)(?![\w.\-])'
)
_CERT_NOT = re.compile(
    r"certificate is valid for [^\n]{0,400}?, not ([A-Za-z0-9.\-*]{1,253})|certificate for ([A-Za-z0-9.:\-]{1,64}) because"
)

_DEFAULT_TAG = re.compile(
    r"(?:Using default tag: |helm (?:pull|install|upgrade|template|show \w+)\b[^\n]{0,300}?--version[= ])([\w][\w.\-]{0,127})"
)
_HOSTLIKE = re.compile(
    r"^(?:localhost|[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){1,10}|\[[0-9a-fA-F:]{2,45}\])(?::\d{1,5})?$"
    r"|^[A-Za-z0-9\-]{1,63}:\d{1,5}$"
)
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?$")


_NOT_IMAGES = frozenset(
    (
        "image",
        "images",
        "pull",
        "push",
        "latest",
        "true",
        "false",
        "none",
        "null",
        "configuration",
        "config",
        "manifest",
        "manifests",
        "layer",
        "layers",
        "from",
        "source",
        "failed",
        "error",
        "errors",
        "get",
        "head",
        "post",
        "put",
        "patch",
        "delete",
        "writing",
        "reading",
        "copying",
        "canceled",
        "cancelled",
        "unknown",
        "denied",
        "unauthorized",
        "not",
        "found",
        "the",
        "to",
        "for",
        "in",
        "and",
        "or",
        "with",
        "after",
        "docker",
        "podman",
        "remote",
        "registry",
        "request",
        "blob",
        "blobs",
        "tag",
        "tags",
        "repository",
        "context",
        "rpc",
        "eof",
    )
)
_REF_CHARS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/:@+]*$")


def _canon_host(host: str | None) -> str | None:
    if host is None:
        return None
    # Imported here for the reason parse_image gives (only a paste naming an image pays for it).
    from diagnostics.reference import DOCKER_HUB_ALIASES

    host = host.lower()
    if host.endswith(":443"):
        host = host[:-4]
    return "docker.io" if host in DOCKER_HUB_ALIASES else host


def parse_image(value: str, kind: str = "ref", host: str | None = None, loose: bool = False) -> dict[str, Any] | None:
    """The image named by `value` found in an image position, or None when it is not an image reference.

    kind "ref": a client-side reference, normalised like distribution's ParseNormalizedNamed (no registry host =
    Docker Hub, `library/` for official images, `index.docker.io` = `docker.io`); kind "path": a repository path
    relative to the registry `host` (None when unknown). A name that breaks only the lower-case rule (`ml/Trainer`)
    is kept as written (`valid` False): the diagnosis reports the name rule."""
    ref = clean_ref(value)
    if not ref or len(ref) > 300 or not _REF_CHARS.match(ref) or ref.lower() in _NOT_IMAGES:
        return None
    if loose and not any(c in ref for c in "/:@"):
        return None
    if "/" not in ref and (_IPV4.match(ref) or re.match(r"^[^:@_]*\.[^:@_]*(?::\d{1,5})?$", ref)):
        # a bare host name (`shop-tcr.tencentcloudcr.com`, `10.0.0.7:5000`), not an image; a host name has no `_`, so
        # `docker_image.ubuntu.latest` (a Terraform reference written as a string) is a Docker Hub name
        return None
    # Imported here, not at the top: diagnostics.reference and its package cost time (python -X importtime) that
    # only a paste naming an image should pay, never `import knowledge.logs`.
    from diagnostics.reference import NameRuleError, parse, split

    written = split(ref)
    tag, digest, first = written.tag, written.digest, written.domain
    name = f"{first}/{written.path}" if first is not None else written.path
    # A registry host as logs write one: the grammar also reads an upper-case first component (`Foo/bar`) as a host.
    explicit = (
        first is not None and bool(_HOSTLIKE.match(first)) and (first == "localhost" or ("." in first or ":" in first))
    )
    try:
        parsed = parse(ref)
    except NameRuleError as exc:
        # Kept as written only when the lower-case rule is all that is broken, and the value is clearly a name
        # (a path, or a tagged name in a strict position) rather than a capitalised word.
        if exc.rule != "ref.lowercase" or not ("/" in ref or (not loose and (tag or digest))):
            return None
        # No registry is named: the image is reported as written, with no host (not normalised onto Docker Hub).
        r_host = first if explicit else (None if kind == "ref" else host)
        return {
            "host": r_host,
            "path": written.path if explicit else name,
            "tag": tag,
            "digest": digest,
            "written": ref,
            "valid": False,
            "kind": kind,
            "explicit": explicit or kind == "ref",
        }
    if kind == "ref" or explicit:
        return {
            "host": parsed.domain,
            "path": parsed.path,
            "tag": tag,
            "digest": parsed.digest,
            "written": ref,
            "valid": True,
            "kind": "ref",
            "explicit": True,
        }
    return {
        "host": host,
        "path": name,
        "tag": tag,
        "digest": parsed.digest,
        "written": ref,
        "valid": True,
        "kind": kind,
        "explicit": host is not None,
    }


def _image_str(im: dict[str, Any]) -> str:
    if not im["valid"]:
        base = im["written"]
        if not im["explicit"] and im["host"] and im["kind"] != "ref":
            base = f"{im['host']}/{base}"
        return str(base)
    out = f"{im['host']}/{im['path']}" if im["host"] else im["path"]
    if im["tag"]:
        out += ":" + im["tag"]
    if im["digest"]:
        out += "@" + im["digest"]
    return out


def _line_images(line: str) -> list[dict[str, Any]]:
    """Images named in image positions of one line, best first (client references, then registry paths, then the
    repository of a /v2/ URL)."""
    out = []
    lower = line.lower()
    for triggers, kind, loose, rx in _image_positions():
        if not any(t in lower for t in triggers):
            continue
        for m in rx.finditer(line):
            groups = m.groupdict()
            im = parse_image(m.group("ref"), kind, groups.get("host"), loose)
            if im is None:
                continue
            _add_written_tag(im, (groups.get("tag") or "").strip(":"))
            out.append(im)
            break
    if "/v2/" in line:
        im = _v2_url_image(line)
        if im is not None:
            out.append(im)
    return out


def _add_written_tag(im: dict[str, Any], extra: str) -> None:
    """Give an image without tag or digest the one written after it (`extra`, a digest or a valid tag)."""
    if extra and not im["tag"] and not im["digest"]:
        if extra.startswith("sha256:"):
            im["digest"] = extra
        elif im["valid"] and re.match(r"^[\w][\w.\-]{0,127}$", extra) and not extra.startswith("sha256-"):
            im["tag"] = extra


def _v2_url_image(line: str) -> dict[str, Any] | None:
    """The repository of the first registry API URL (/v2/<repo>/manifests|blobs/<ref>) in `line`, kind "url",
    with the tag or digest of a manifest URL."""
    for m in _V2_URL.finditer(line):
        if not m.group(2) or m.group(2).startswith(("_", "registry-v2")):
            continue
        im = parse_image(m.group(2), "path", m.group(1))
        if im is None or im["tag"] or im["digest"]:
            continue
        if im["host"] is not None and _canon_host(im["host"]) != _canon_host(m.group(1)):
            # a repository path whose first part is dotted (gcr.io's `google.com/cloudsdktool/…`, a mirror's
            # `docker.io/alpine`) is a path on the URL's registry, not a registry of its own
            im = {**im, "host": m.group(1), "path": m.group(2), "explicit": True}
        im["kind"] = "url"
        ref = m.group(4).rstrip(":")
        if m.group(3) == "manifests":
            if ref.startswith("sha256:"):
                im["digest"] = ref
            elif re.match(r"^[\w][\w.\-]{0,127}$", ref):
                im["tag"] = ref
        return im
    return None


def _same_repo(a: dict[str, Any], b: dict[str, Any]) -> bool:
    pa, pb = a["path"].lower(), b["path"].lower()
    if (
        pa != pb
        and not (a["kind"] == "ref" and a["host"] == "docker.io" and pa == "library/" + pb)
        and not (b["kind"] == "ref" and b["host"] == "docker.io" and pb == "library/" + pa)
    ):
        return False
    ha, hb = _canon_host(a["host"]), _canon_host(b["host"])
    return ha is None or hb is None or ha == hb


_Command = tuple[int, tuple[str, str, str], re.Match[str]]  # (line index, command_info, command_rx match)


def entities(lines: list[str], evidence_index: int, rules_op: str | None) -> dict[str, Any]:
    """Host, image, tag, digest, tool and operation of the paste around the evidence line at `evidence_index`: the
    image named in the output of the command in force, joined with the registry the paste talks to."""
    tool = None
    op = rules_op
    commands = _typed_commands(lines)
    cmd = _command_in_force(lines, commands, evidence_index)
    login_host = None
    cmd_image = None
    if cmd:
        (tool, cmd_op, _args), m = cmd
        op = cmd_op or op
        binary, verb, rest = m.group(2), m.group(5), (m.group(3) or "") + " " + (m.group(6) or "")
        if cmd_op == "login":
            login_host = login_from_command(rest)
        else:
            arg = image_from_command(binary, verb, rest)
            if arg and typed_as_image(arg, rest):
                cmd_image = parse_image(arg, "ref")

    # Only the output of the command in force names its image: the lines from that command (else the top) to the
    # next command typed after the evidence line (else the end). A login names no image at all.
    seg_lo = max((i for i, _info, _m in commands if i <= evidence_index), default=0)
    seg_hi = min((i for i, _info, _m in commands if i > evidence_index), default=len(lines))
    if cmd and cmd[0][1] == "login":
        seg_lo = seg_hi = -1
    order = _nearest_first(evidence_index, len(lines))
    ev_named, ev_urls, near_named, near_urls = _images_around(lines, order, evidence_index, seg_lo, seg_hi)
    url_host = _first_found(lines, order, _v2_url_host)
    lookup_host = _first_found(lines, order, _lookup_host)
    if login_host is None:
        login_host = _first_found(lines, order, _login_url_host)
    other_host = _first_found(lines, order, _other_host)
    # The evidence line's own name first, then what the user typed, then the registry URL of the evidence line,
    # then the nearest names in the rest of the paste. A URL of the evidence line on another registry than the typed
    # image's goes before it: the request that failed went there (the paste's last typed command was another one).
    typed = [cmd_image] if cmd_image else []
    if cmd_image and ev_urls and _canon_host(ev_urls[0]["host"]) != _canon_host(cmd_image["host"]):
        typed = []
        ev_urls = ev_urls + [cmd_image]
    ranked = ev_named + typed + ev_urls + near_named + near_urls
    image = _best_image(ranked, lines, evidence_index)
    if image and image["host"] is None and image["kind"] != "ref":
        # a registry-relative path: the registry it was sent to
        image["host"] = url_host or login_host or lookup_host
    # With an image, its registry is the host (so host, image and tag agree); otherwise the registry the paste names.
    host = image["host"] if image else (url_host or lookup_host or login_host or other_host)
    if host and host.endswith(":443"):
        host = host[:-4]
    if image and image["host"] and image["host"].endswith(":443"):
        image["host"] = image["host"][:-4]
    return {
        "host": host,
        "image": _image_str(image) if image else None,
        "tag": image["tag"] if image else None,
        "digest": image["digest"] if image else None,
        "tool": tool,
        "op": op,
        "image_as_written": image["written"] if image else None,
        "linked_host": None if host else _first_found(lines, order, _linked_host),
        "hub": image is not None and image["kind"] == "ref" and _canon_host(image["host"]) == "docker.io",
        # A one-segment repository on a registry whose names always start with a namespace (TCR's
        # `<namespace>/<repository>`, GHCR's owner, Quay's organisation): it cannot exist there.
        "one_segment": image is not None
        and image["host"] is not None
        and bool(_NAMESPACED_REGISTRY.search(image["host"]))
        and "/" not in str(image["path"]),
    }


_NAMESPACED_REGISTRY = re.compile(
    rf"(?:^|\.)(?:{re.escape(ENTERPRISE_DOMAIN)}|tencentyun\.com|ghcr\.io|quay\.io|gcr\.io)(?::\d+)?$"
)


# Words of a sentence that can follow a command's name in prose ("docker push fails: denied …", "docker pull works
# locally", "docker run command gives …"): closed-class words and the verbs that tell an outcome. None is an official
# library image, which is what a bare name typed after `pull`/`push`/`run` names (docker.io/library/<name>).
_PROSE_WORDS = frozenset(
    """
    a an the it its this that these those is are was were be been of on at by as so any some all but then also when
    while which what my our your their here there now again still always never using via into without behind through
    fail fails failing work works working worked give gives giving gave return returns returned returning result
    results resulting throw throws throwing show shows showing hang hangs hanging hung keep keeps stuck times timed
    get gets getting got say says said command commands step process manually locally successfully fine ok okay
    correctly properly private public
    """.split()
)


def typed_as_image(operand: str, args: str) -> bool:
    """Whether the first operand of a command read in the paste (`image_from_command`) looks like an image a user
    would type: not a word of the sentence around the command (`docker push fails: denied: …` took "fails" as the
    image, docker.io/library/fails), not a word closing a clause with a colon and more text after it (docker's own
    "<subject>: <message>" form; `docker pull ubuntu:` ending a line stays a name)."""
    word = operand.strip("`'\"")
    if any(c in word.rstrip(":") for c in "/:@."):
        return True  # a path, tag, digest or host: written as a reference
    if word.lower().rstrip(":") in _PROSE_WORDS:
        return False
    if word.endswith(":"):
        after = args.split(operand, 1)[1] if operand in args else ""
        return not after.split("\n", 1)[0].strip()
    return True


def _typed_commands(lines: list[str]) -> list[_Command]:
    """The commands typed in the paste, in order."""
    commands: list[_Command] = []
    for i, text in command_lines(lines):
        m = command_rx().search(text) if len(text) < 4000 else None
        if m:
            info = command_info(text)
            if info:
                commands.append((i, info, m))
    return commands


# docker/cli and podman end a login's output with this line: whatever follows is another command's output
_LOGIN_SUCCEEDED = re.compile(r"^(?:login succeeded|login succeeded!)\s*$", re.IGNORECASE)


def login_finished(lines: list[str]) -> bool:
    """Whether `lines` (those after a typed login) hold the login's last line, "Login Succeeded"."""
    return any(_LOGIN_SUCCEEDED.match(line) for line in lines)


def _command_in_force(
    lines: list[str], commands: list[_Command], evidence_index: int
) -> tuple[tuple[str, str, str], re.Match[str]] | None:
    """The command typed last at or before the evidence line, else the last one typed."""
    cmd, start = None, 0
    for i, info, m in commands:
        if i <= evidence_index:
            cmd, start = (info, m), i
    if cmd is not None and cmd[0][1] == "login" and login_finished(lines[start + 1 : evidence_index]):
        return None  # the login's own output ends with "Login Succeeded": what follows is another command's
    if cmd is None and commands:
        # Only a command typed after the output (or named in the prose around it) is left. It stands for the output
        # unless the evidence names its own operation and that is another one: `pull access denied` is a pull,
        # whatever "I already tried docker login" says further down.
        own_op = guess_op(lines[evidence_index].lower()) if evidence_index < len(lines) else None
        if own_op is None or own_op == commands[-1][1][1]:
            cmd = (commands[-1][1], commands[-1][2])
    return cmd


def _nearest_first(evidence_index: int, n: int) -> list[int]:
    """Line indexes from the evidence line outwards (above first at equal distance), at most 4000."""
    order = [evidence_index]
    for d in range(1, n):
        if evidence_index - d >= 0:
            order.append(evidence_index - d)
        if evidence_index + d < n:
            order.append(evidence_index + d)
        if len(order) >= 4000:
            break
    return order[:4000]


def _images_around(
    lines: list[str], order: list[int], evidence_index: int, seg_lo: int, seg_hi: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(names on the evidence line, its /v2/ URLs, names on the nearest lines, their URLs) of the lines in
    [seg_lo, seg_hi), nearest first, until 12 are found away from the evidence line."""
    ev_named: list[dict[str, Any]] = []
    ev_urls: list[dict[str, Any]] = []
    near_named: list[dict[str, Any]] = []
    near_urls: list[dict[str, Any]] = []
    for i in order:
        if len(near_named) + len(near_urls) < 12 and seg_lo <= i < seg_hi:
            for im in _line_images(lines[i]):
                named, urls = (ev_named, ev_urls) if i == evidence_index else (near_named, near_urls)
                (urls if im["kind"] == "url" else named).append(im)
    return ev_named, ev_urls, near_named, near_urls


def _first_found(lines: list[str], order: list[int], find: Callable[[str], str | None]) -> str | None:
    """The first non-None `find(line)` over the lines in `order`."""
    for i in order:
        found = find(lines[i])
        if found is not None:
            return found
    return None


def _v2_url_host(line: str) -> str | None:
    m = _V2_URL.search(line)
    return m.group(1) if m else None


def _lookup_host(line: str) -> str | None:
    m = _LOOKUP.search(line)
    return m.group(1) if m and not _IPV4.match(m.group(1)) else None


def _login_url_host(line: str) -> str | None:
    m = _LOGIN_URL.search(line)
    return m.group(1) if m and _whole_host(m.group(1)) else None


def _whole_host(host: str) -> bool:
    """Whether `host` as a line wrote it is a whole host name: dotted or with a port (or localhost), and not cut short
    (`docker-images-prod...`, a name elided by whoever pasted it, has an empty label)."""
    name = host.split(":", 1)[0]
    return (name == "localhost" or "." in name or ":" in host) and ".." not in name and not name.endswith(".")


def _other_host(line: str) -> str | None:
    """A host a certificate error or any URL of the line names (not Docker's documentation)."""
    m = _CERT_NOT.search(line)
    if m:
        return m.group(1) or m.group(2)
    for m in _ANY_URL_HOST.finditer(line):
        if _linked(line, m):
            continue  # `[portus](http://port.us.org/)`: the user's prose links a project's page, not the registry
        if _DOCS_HOST.search(m.group(1)):
            return None  # a tool's message pointing to its vendor's documentation: no host of this line is one
        if _web_page(line, m):
            continue  # "see https://github.com/…/blob/…", "instructions from https://www.example.io/start/"
        if "." in m.group(1) and _whole_host(m.group(1)):
            return m.group(1)
        return None
    return None


def _web_page(line: str, m: re.Match[str]) -> bool:
    """Whether the URL matched by M is a web or code host's page (github.com, a `www.` site), not a registry API
    path, or a page by the web's own conventions (_PAGE_HOST, _PAGE_PATH): a page the user's prose points to
    (`http://docs.shippable.com/ci/push-amazon-ecr/`, a CI job's log, a forum thread) is never the registry to
    diagnose."""
    host = m.group(1).split(":")[0].lower()
    if _REGISTRY_API_PATH.match(line, m.end()):
        return False
    return bool(
        _PAGE_HOST.match(host) or _PAGE_PATH.match(line, m.end()) or is_other_host(host) or host.startswith("www.")
    )


# A site's documentation, help, blog, forum or bug tracker by its first label (docs.*, help.*, community.*, …): it
# serves pages, a registry is never named so.
_PAGE_HOST = re.compile(r"(?:docs?|help|blogs?|community|forums?|learn|wiki|support|kb|bugs|gist)\.", re.IGNORECASE)
# A URL's path that is a web page's, not a registry API's: a section anchor (`…/faq/#no-image-found`), a page or
# archive file (`index.html`, `docker-20.10.24.tgz`), or a segment that names a page of the web's common kinds (a
# documentation tree, a repository's file tree or issue, a CI job or build, a forum topic, a search, settings). One
# URL's path only: it stops at white space, quotes and brackets.
_PAGE_PATH = re.compile(
    r"(?=/)[^\s\"'`<>()\[\]#]{0,300}?(?:#|\.(?:html?|md|php|aspx?|jsp|tgz|tar\.gz|zip)(?=[?#\s\"'`<>()\[\],;]|$)|"
    r"/(?:docs?|tree|issues|pull|wiki|jobs?|builds?|runs|_build|t|blogs?|article|details|search|settings|dist)(?=[/?#\s]|$))",
    re.IGNORECASE,
)


def _linked(line: str, m: re.Match[str]) -> bool:
    """Whether the URL matched by M is the target of a Markdown link with other text than its host."""
    link = _MARKDOWN_LINK_TEXT.search(line, max(0, m.start() - 202), m.start())
    return bool(link and link.group(1).strip("` ") != m.group(1))


def _linked_host(line: str) -> str | None:
    """The host of a Markdown link's target in the user's prose (`[portus](http://port.us.org/)`): not a registry the
    paste talks to, but a sign of whose registry the post is about."""
    for m in _ANY_URL_HOST.finditer(line):
        if _linked(line, m) and "." in m.group(1):
            return m.group(1)
    return None


def _best_image(ranked: list[dict[str, Any]], lines: list[str], evidence_index: int) -> dict[str, Any] | None:
    """The first of the ranked images (a copy), completed from the others of the same repository and from the
    default tag the paste states."""
    if ranked and ranked[0]["kind"] == "url":
        # The URL is what was requested; a reference to the same repository elsewhere is how the user named it.
        as_named = next((im for im in ranked[1:] if im["kind"] != "url" and _same_repo(ranked[0], im)), None)
        if as_named is not None:
            ranked = [as_named] + [im for im in ranked if im is not as_named]
    if not ranked:
        return None
    image = dict(ranked[0])
    for other in ranked[1:]:
        if _same_repo(image, other):
            _complete_from(image, other)
    if not image["tag"] and not image["digest"]:
        m = _DEFAULT_TAG.search(
            "\n".join(t for _i, t in command_lines(lines[max(0, evidence_index - 50) : evidence_index + 1]))
        )
        if m:  # docker: "Using default tag: latest"; helm: --version 1.2.0
            image["tag"] = m.group(1)
    return image


def _complete_from(image: dict[str, Any], other: dict[str, Any]) -> None:
    """Fill the host (Docker Hub's full path with it) and tag `image` lacks from `other`, the same repository."""
    if image["host"] is None and other["host"] is not None:
        image["host"], image["explicit"] = other["host"], True
        if other["kind"] == "ref" and _canon_host(other["host"]) == "docker.io":
            image["path"], image["kind"] = other["path"], "ref"
    if not image["tag"] and not image["digest"] and other["tag"] and other["kind"] != "url":
        image["tag"] = other["tag"]
