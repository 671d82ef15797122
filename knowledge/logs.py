"""Pasted-log cause detection (issue 6).

`explain(text)` reads a whole pasted block (docker / podman / skopeo / containerd / crictl / kubelet events / helm
output, with prompts, timestamps, ANSI colours and progress bars mixed in), picks the most decisive error line and
names its cause with a stable code, the host / image / tag it concerns, the tool that printed it, the FAQ entry and
the exact `tcr-doctor diagnose …` command that confirms it.

The wordings are data: `knowledge/logpatterns.toml`. They are compiled lazily, once, on the first call, so
importing this module costs nothing. Every regex is kept free of nested quantifiers and every line is capped in
length before matching, so the work is linear in the input size whatever the input (binary, 1 MB, adversarial).
"""

from __future__ import annotations

import functools
import re
import shlex
from pathlib import Path
from typing import Any

from .dialogue import LazyRe

PATTERNS_FILE = Path(__file__).with_name("logpatterns.toml")

FAQ_DIR = Path(__file__).with_name("faq")

MAX_INPUT = 1_500_000  # characters kept from a paste (the tail: the final error is at the end)
MAX_LINE = 4000  # characters of one line that are matched
MAX_EVIDENCE = 600  # characters of the evidence line returned
MAX_JOIN = 5  # continuation lines joined to a line ending with ':'

CODES = (
    "CREDENTIALS_MISSING",
    "CREDENTIALS_INVALID",
    "CREDENTIALS_EXPIRED",
    "PERMISSION_DENIED",
    "NAME_INVALID",
    "DNS_NXDOMAIN",
    "DNS_TIMEOUT",
    "TCP_TIMEOUT",
    "HTTP_TIMEOUT",
    "TCP_REFUSED",
    "TLS_UNTRUSTED",
    "TLS_HOSTNAME",
    "TLS_EXPIRED",
    "HTTP_NOT_HTTPS",
    "PROXY_ERROR",
    "REPO_NOT_FOUND",
    "TAG_NOT_FOUND",
    "RATE_LIMITED",
    "QUOTA_EXCEEDED",
    "SERVER_ERROR",
    "CREDENTIAL_HELPER_ERROR",
    "DAEMON_ERROR",
    "PLATFORM_MISMATCH",
    "LOGIN_USAGE",
)

# --- noise -------------------------------------------------------------------------------------------------------
# ANSI CSI / OSC sequences, and their escaped spellings seen in saved logs (`\x1b[`, `\u001b[`, syslog `#033[`, `^[[`).
_ANSI = re.compile(
    r"\x1b\[[0-?]{0,32}[ -/]{0,8}[@-~]"
    r"|\x1b\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|(?:\\x1b|\\u001b|\\033|\\e|#033|\^\[)\[[0-9;]{0,32}[A-Za-z]"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\ud800-\udfff]+")
_LINE_SPLIT = re.compile(r"\r\n|\r|\n")
# A leading timestamp / log prefix, removed from the evidence shown (never needed for matching).
_PREFIX = re.compile(
    r"^\s{0,8}(?:(?:[A-Z]{4}\[\d{1,6}\]|\[?\d{4}-\d{2}-\d{2}[T ][0-9:.,]{5,20}(?:Z|[+-]\d{2}:?\d{2})?\]?"
    r"|[A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2}|\[\s{0,4}\d{1,8}\.\d{1,8}\])\s{0,4})"
)
# The lines of a registry "errors:" list (distribution errcode values), continuing the line above them.
_ERRCODE_LINE = re.compile(
    r"^(?:denied|unauthorized|name unknown|manifest unknown|blob unknown|toomanyrequests|unsupported|unknown|name invalid|tag invalid):"
)
_DEBUG_LINE = re.compile(
    r"^\s{0,8}(?:(?:DEBU|INFO|TRAC)\[|time=\S{1,40} level=(?:debug|info|trace)\b|level=(?:debug|info|trace)\b|I\d{4} |\S{0,40}\s\[?(?:DEBUG|INFO|TRACE)\]?\s)"
)
_LOGFMT_MSG = re.compile(r'\bmsg="((?:[^"\\]|\\.){0,4000})"')

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
            r"failed to (?:pull and unpack image|resolve reference|resolve source metadata for|get manifest for"
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
    (("pull access denied for",), "ref", False, (r"pull access denied for " + _R + r",")),
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
def _command_rx() -> re.Pattern:
    return re.compile(_COMMAND_SRC)


@functools.lru_cache(maxsize=1)
def _image_positions() -> list[tuple[tuple[str, ...], str, bool, re.Pattern]]:
    return [(triggers, kind, loose, re.compile(rx)) for triggers, kind, loose, rx in _IMAGE_POSITION_SOURCES]


_V2_URL = re.compile(
    r"https?://([A-Za-z0-9.\-]{1,253}(?::\d{1,5})?)/v2/(?:([A-Za-z0-9._\-/]{1,255}?)/(manifests|blobs|tags)/([A-Za-z0-9._\-:]{1,200}))?"
)
_ANY_URL_HOST = re.compile(r'https?://([A-Za-z0-9.\-]{1,253}(?::\d{1,5})?)(?=[/"\s:]|$)')
_LOOKUP = re.compile(
    r"(?:lookup|[Cc]ould not resolve host:?|/v2/\S{0,300} in) ([A-Za-z0-9.\-]{1,253}(?::\d{1,5})?)(?: on |: |:\s|:?$)"
)
_LOGIN_URL = re.compile(r'(?:login attempt to|logging into) \\?"?(?:https?://)?([A-Za-z0-9.\-]{1,253}(?::\d{1,5})?)')
_CERT_NOT = re.compile(
    r"certificate is valid for [^\n]{0,400}?, not ([A-Za-z0-9.\-*]{1,253})|certificate for ([A-Za-z0-9.:\-]{1,64}) because"
)
_COMMAND_SRC = (  # compiled on first use (_command_rx)
    r"(?:^|[\s$#>%;|&(/`]|(?<=[\u3000-\u9fff\uff00-\uffef]))(sudo\s+)?(docker|podman|skopeo|crictl|ctr|nerdctl|helm|buildah|kubectl|oras)"
    r"((?:\s+-{1,2}[A-Za-z][\w-]{0,30}(?:[= ][^\s-]\S{0,200})?){0,6})"
    r"\s+((?:image|images|i|registry|buildx|compose|container)\s+)?"
    r"(login|logout|pull|push|run|build|copy|inspect|install|upgrade|tag|create|apply|describe|get|template|fetch|events|logs)\b"
    r"([^\n]{0,600})"
)
_UPLOAD_PROGRESS = re.compile(
    r"Pushing \[=|: Layer already exists|: Pushed\s*$|Image already exists|Copying blob \w+ done"
)
# A pull whose layers were already downloading: the token ran out during a long download (same story).
_DOWNLOAD_PROGRESS = LazyRe(r"Downloading \[=|: Download complete|: Pull complete|Extracting \[=")
_EXPIRED_DURING_PUSH = {
    "zh": "推送开始时认证是成功的（已经在检查或上传镜像层），到最后才被拒绝：通常是上传大镜像层耗时过长，期间访问令牌过期。请重新登录后再推送；若仍然出现，请缩小镜像层或改善上传带宽。`tcr-doctor diagnose <镜像> --push` 可确认凭证本身有效。",
    "en": "Authentication worked when the push began (layers were already being checked or uploaded) and was refused only at the end: usually the access token expired while a large layer was uploading. Log in again and push again; if it recurs, make the layers smaller or the upload faster. `tcr-doctor diagnose <image> --push` confirms the credentials themselves are valid.",
}
_EXPIRED_DURING_PULL = {
    "zh": "拉取开始时认证是成功的（镜像层已经在下载），到后面才被拒绝：通常是下载大镜像层耗时过长，期间访问令牌过期。请重新登录后再拉取；若仍然出现，请缩小镜像层或改善网络（如走内网）。`tcr-doctor diagnose <镜像>` 可确认凭证本身有效。",
    "en": "Authentication worked when the pull began (layers were already downloading) and was refused later: usually the access token expired during a long layer download. Log in again and pull again; if it recurs, make the layers smaller or the network faster (e.g. the private network). `tcr-doctor diagnose <image>` confirms the credentials themselves are valid.",
}
# Patterns too generic to refine an ambiguous wording with (they restate it rather than name a reason).
_GENERIC_IDS = (
    "denied",
    "unauthorized",
    "pull-access-denied",
    "denied-and-unauthorized",
    "kubelet-symptom",
    "manifest-unknown",
    "name-unknown",
    "eof",
    "server-unknown-error",
)
_TOOL_BINARIES = {
    "ctr": "containerd",
    "nerdctl": "containerd",
    "kubectl": "kubelet",
    "buildah": "podman",
    "oras": "oras",
}
_DEFAULT_TAG = re.compile(
    r"(?:Using default tag: |helm (?:pull|install|upgrade|template|show \w+)\b[^\n]{0,300}?--version[= ])([\w][\w.\-]{0,127})"
)
_HOSTLIKE = re.compile(
    r"^(?:localhost|[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){1,10}|\[[0-9a-fA-F:]{2,45}\])(?::\d{1,5})?$"
    r"|^[A-Za-z0-9\-]{1,63}:\d{1,5}$"
)
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?$")


@functools.lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    import tomllib

    with open(PATTERNS_FILE, "rb") as fh:
        data = tomllib.load(fh)
    patterns = []
    for raw in data["patterns"]:
        p = dict(raw)
        p["any"] = tuple(s.lower() for s in raw.get("any", ()))
        p["all"] = tuple(s.lower() for s in raw.get("all", ()))
        # Compiled on first use (_rx): most patterns' trigger substrings never occur in a paste, and compiling
        # all ~100 at start-up was the largest part of a cold `tcr-doctor ask`.
        p["rx"] = None
        p["rx_src"] = raw.get("regex")
        p["when"] = tuple(raw.get("when", ()))
        p["tier"] = int(raw.get("tier", 3))
        patterns.append(p)
    # One alternation of every trigger substring: a line holding none of them is skipped at C speed.
    literals = sorted({s for p in patterns for s in p["any"]}, key=len, reverse=True)
    prefilter = re.compile(_trie_regex(literals)) if literals else None
    return {
        "patterns": patterns,
        "causes": data["causes"],
        "prefilter": prefilter,
        "ignore": tuple(s.lower() for s in data.get("ignore", ())),
    }


def _trie_regex(words: list[str]) -> str:
    """One regex matching any of `words`, with common prefixes factored out (a trie): far faster for the regex
    engine than a flat alternation of hundreds of literals, and still free of nested quantifiers."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        if "" in node and len(node) == 1:
            return ""
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch != ""]
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return build(trie)


@functools.lru_cache(maxsize=64)
def _faq_exists(faq_id: str) -> bool:
    return any(FAQ_DIR.glob(f"*-{faq_id}.toml")) or (FAQ_DIR / f"{faq_id}.toml").exists()


# --- normalisation -----------------------------------------------------------------------------------------------


def clean_lines(text: str) -> list[str]:
    """The pasted block as clean lines: no ANSI codes, no control bytes, progress-bar frames split, capped."""
    if not isinstance(text, str):
        text = bytes(text).decode("utf-8", "replace") if isinstance(text, (bytes, bytearray)) else str(text)
    if len(text) > MAX_INPUT:
        text = text[-MAX_INPUT:]
    text = _ANSI.sub("", text)
    if '\\"' in text:  # JSON / Go %q escaped output (kubectl get events -o json, logfmt)
        text = text.replace('\\"', '"')
        if text.count("\\n") > text.count("\n"):
            text = text.replace("\\n", "\n").replace("\\t", "\t")
    lines = []
    for raw in _LINE_SPLIT.split(text):
        line = _CONTROL.sub(" ", raw).strip()
        if not line:
            continue
        if len(line) > MAX_LINE:
            line = line[: MAX_LINE // 2] + " … " + line[-MAX_LINE // 2 :]
        lines.append(line)
    return lines


def _logical_lines(lines: list[str]) -> list[tuple[int, str]]:
    """Join a line ending with ':' (a wrapped Go error chain or a wrapped kubectl event) to what follows."""
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        line, j = lines[i], i
        while (
            j + 1 < len(lines)
            and j - i < MAX_JOIN
            and len(line) < MAX_LINE
            and (line.endswith(":") or (" errors: " in line and _ERRCODE_LINE.match(lines[j + 1])))
        ):
            j += 1
            line = line + " " + lines[j]
        out.append((j, line[: MAX_LINE * 2]))
        i = j + 1
    return out


def _strip_prefix(line: str) -> str:
    m = _LOGFMT_MSG.search(line)
    if m and ("level=" in line or "msg=" in line[:80]):
        line = m.group(1).replace('\\"', '"')
    return _PREFIX.sub("", line, count=1).strip()


def redact(line: str) -> str:
    """The line with pasted secrets masked by the one detector, `knowledge.redact`."""
    from .redact import redact as _shared

    return _shared(line)[0]


# --- matching ----------------------------------------------------------------------------------------------------


def _match_line(line: str, op: str | None, skip_ids: tuple[str, ...] = ()) -> dict | None:
    rules = _rules()
    lower = line.lower()
    if rules["prefilter"] is not None and not rules["prefilter"].search(lower):
        return None
    if any(s in lower for s in rules["ignore"]):
        return None
    for p in rules["patterns"]:
        if p["id"] in skip_ids:
            continue
        if p["when"] and op not in p["when"]:
            continue
        if p["any"] and not any(s in lower for s in p["any"]):
            continue
        if p["all"] and not all(s in lower for s in p["all"]):
            continue
        if p["rx_src"] and not _rx(p).search(line):
            continue
        return p
    return None


_QUESTION_LINE = LazyRe(
    r"[?？]\s*$|吗|么|呢|怎么|怎样|如何|多久|多长|多少|几个|几天|为什么|为啥|是否|能否|能不能|可不可以|有没有|哪|"
    r"^\s*(?:how|what|why|when|where|which|can|could|does|do|is|are|should|will|would)\b",
    re.IGNORECASE,
)
# A program's message ("denied: 超出命名空间配额", "Error: ...") or a person quoting one ("推送提示 quota exceeded").
_OUTPUT_MARK = LazyRe(
    r"\b[a-z][a-z_ ]{2,30}:\s|\berror\b|报错|报了|提示|显示|出现|返回|\b(?:says?|said|shows?|returns?|got|getting|gives?)\b",
    re.IGNORECASE,
)
# Causes that any networked program can show; they are a registry's only with registry context around them.
_NETWORK_CAUSES = frozenset(
    "DNS_NXDOMAIN DNS_TIMEOUT TCP_TIMEOUT TCP_REFUSED HTTP_TIMEOUT TLS_UNTRUSTED TLS_HOSTNAME TLS_EXPIRED "
    "HTTP_NOT_HTTPS PROXY_ERROR SERVER_ERROR".split()
)
_REGISTRY_TOOLS = frozenset("docker podman containerd kubelet skopeo crictl helm nerdctl buildah".split())
_REGISTRY_CONTEXT = LazyRe(
    r"docker|podman|containerd|kubelet|kubectl|skopeo|crictl|helm|nerdctl|buildah|buildkit|registry|/v2/|"
    r"harbor|tencentcloudcr|tencentyun|\bimages?\b|镜像|\bpull(?:ing)?\b|\bpush(?:ing)?\b|\blogin\b|manifest|"
    r"imagepull|errimagepull|\boci\b|\bblobs?\b|\bpod\b|\bcoding\b|\btcr\b|\bccr\b|unauthori[sz]ed|authenticat|"
    r"推送|拉取|拉镜像|推镜像|登录|登陆|仓库|容器|实例|账号"
)
_PROSE_WORDS = LazyRe(r"\b(?:i|we|my|our|often|sometimes|always|randomly|appears?|keeps?|occasionally)\b")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z0-9]+", re.IGNORECASE)


def registry_context(text: str) -> bool:
    """False when `text` has words around its error (more lines, prose, Chinese) and none of them is about images,
    registries or container tools: then a timeout or TLS error in it is another program's, not a registry's."""
    lower = text.lower()
    if not ("\n" in lower.strip() or _CJK_CHAR.search(lower) or _PROSE_WORDS.search(lower)):
        return True  # a bare error line: it was asked here, so it is read as the registry's
    return bool(_REGISTRY_CONTEXT.search(lower))


def _rx(p: dict) -> re.Pattern:
    """Pattern `p`'s regex, compiled on first use."""
    rx = p["rx"]
    if rx is None:
        rx = p["rx"] = re.compile(p["rx_src"], re.IGNORECASE)
    return rx


def _asks_about(line: str, p: dict) -> bool:
    """Whether `line` is a person's question or sentence that merely names a subject the pattern knows ("ccr quota?",
    "临时登录密码多久过期") rather than quoting an error: the line reads as prose (a question, or Chinese) and the
    words the pattern matched are not an error wording (no two Latin words, no colon, no code such as x509/403)."""
    if not (_QUESTION_LINE.search(line) or _CJK_CHAR.search(line)) or _OUTPUT_MARK.search(line):
        return False
    matched = None
    if p["rx_src"]:
        m = _rx(p).search(line)
        matched = m.group(0) if m else None
    if matched is None:
        lower = line.lower()
        matched = next((s for s in p["any"] if s in lower), "")
    if ":" in matched or any(ch.isdigit() for ch in matched):
        return False
    return len(_LATIN_WORD.findall(matched)) < 2


def _command_info(line: str) -> tuple[str, str, str] | None:
    """(tool, op, argument text) when the line is a command a person typed."""
    m = _command_rx().search(line)
    if not m:
        return None
    binary, sub, verb, rest = m.group(2), (m.group(4) or "").strip(), m.group(5), m.group(6) or ""
    if binary == "helm" and sub == "registry" and verb == "login":
        op = "login"
    elif verb in ("login", "push", "pull"):
        op = verb
    elif verb in ("run", "create", "install", "upgrade", "apply", "template", "fetch", "copy", "inspect"):
        op = "pull"
    elif verb == "build":
        op = "push" if re.search(r"\s--push\b|\s--output[= ]\S*push=true", rest) else "pull"
    else:
        op = None
    tool = _TOOL_BINARIES.get(binary, binary)
    return tool, op or "", (m.group(3) or "") + " " + rest


def _guess_op(lower: str) -> str | None:
    if any(s in lower for s in ("login attempt to", "logging into", "login failed")):
        return "login"
    if any(
        s in lower
        for s in (
            "the push refers to repository",
            "docker push",
            "podman push",
            "push access denied",
            "failed to push",
            "error pushing",
            "pushing ",
            "push failed",
            "unknown blob",
            "blob upload",
        )
    ):
        return "push"
    if any(
        s in lower
        for s in ("pull", "resolve reference", "manifest", "initializing source", "back-off", "unable to find image")
    ):
        return "pull"
    return None


# --- entities ----------------------------------------------------------------------------------------------------


def _clean_ref(ref: str) -> str:
    ref = ref.strip().strip("\"'`[](),;")
    if ref.startswith("docker://"):
        ref = ref[len("docker://") :]
    if ref.startswith(("oci://", "http://", "https://")):
        ref = ref.split("://", 1)[1]
    while ref and ref[-1] in ".:,;)'\"]`":
        if ref.endswith("..."):
            ref = ref[:-3]
            continue
        ref = ref[:-1]
    return ref


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
_DOCKER_HUB_ALIASES = ("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com")


def _canon_host(host: str | None) -> str | None:
    if host is None:
        return None
    host = host.lower()
    if host.endswith(":443"):
        host = host[:-4]
    return "docker.io" if host in _DOCKER_HUB_ALIASES else host


def _parse_image(value: str, kind: str = "ref", host: str | None = None, loose: bool = False) -> dict | None:
    """The image named by `value` found in an image position, or None when it is not an image reference.

    kind "ref": a client-side reference, normalised like distribution's ParseNormalizedNamed (no registry host =
    Docker Hub, `library/` for official images, `index.docker.io` = `docker.io`); kind "path": a repository path
    relative to the registry `host` (None when unknown). A name that breaks only the lower-case rule (`ml/Trainer`)
    is kept as written (`valid` False): the diagnosis reports the name rule."""
    ref = _clean_ref(value)
    if not ref or len(ref) > 300 or not _REF_CHARS.match(ref) or ref.lower() in _NOT_IMAGES:
        return None
    if loose and not any(c in ref for c in "/:@"):
        return None
    if "/" not in ref and (_IPV4.match(ref) or re.match(r"^[^:@]*\.[^:@]*(?::\d{1,5})?$", ref)):
        return None  # a bare host name (`shop-tcr.tencentcloudcr.com`, `10.0.0.7:5000`), not an image
    from diagnostics.names import NameError_, validate_ref  # lazy: importing this module stays cheap

    name, digest = (ref.split("@", 1) + [None])[:2] if "@" in ref else (ref, None)
    tag = None
    if name.rfind(":") > name.rfind("/"):
        name, tag = name.rsplit(":", 1)
    first, sep, rest = name.partition("/")
    explicit = bool(sep) and (("." in first or ":" in first or first == "localhost") and bool(_HOSTLIKE.match(first)))
    try:
        parts = validate_ref(ref)
    except NameError_ as exc:
        # Kept as written only when the lower-case rule is all that is broken, and the value is clearly a name
        # (a path, or a tagged name in a strict position) rather than a capitalised word.
        if exc.rule != "ref.lowercase" or not ("/" in ref or (not loose and (tag or digest))):
            return None
        # No registry is named: the image is reported as written, with no host (not normalised onto Docker Hub).
        r_host = first if explicit else (None if kind == "ref" else host)
        return {
            "host": r_host,
            "path": rest if explicit else name,
            "tag": tag,
            "digest": digest,
            "written": ref,
            "valid": False,
            "kind": kind,
            "explicit": explicit or kind == "ref",
        }
    if kind == "ref" or explicit:
        return {
            "host": parts["domain"],
            "path": parts["path"],
            "tag": tag,
            "digest": parts["digest"],
            "written": ref,
            "valid": True,
            "kind": "ref",
            "explicit": True,
        }
    return {
        "host": host,
        "path": name,
        "tag": tag,
        "digest": parts["digest"],
        "written": ref,
        "valid": True,
        "kind": kind,
        "explicit": host is not None,
    }


def _image_str(im: dict) -> str:
    if not im["valid"]:
        base = im["written"]
        if not im["explicit"] and im["host"] and im["kind"] != "ref":
            base = f"{im['host']}/{base}"
        return base
    out = f"{im['host']}/{im['path']}" if im["host"] else im["path"]
    if im["tag"]:
        out += ":" + im["tag"]
    if im["digest"]:
        out += "@" + im["digest"]
    return out


def split_ref(ref: str) -> tuple[str | None, str, str | None, str | None]:
    """(host or None, repository path, tag or None, digest or None) of an image reference, without normalising."""
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    host = None
    first, sep, rest = ref.partition("/")
    if sep and (("." in first or ":" in first or first == "localhost") and _HOSTLIKE.match(first)):
        host, path = first, rest
    else:
        path = ref
    tag = None
    last = path.rsplit("/", 1)[-1]
    if ":" in last:
        tag = last.rsplit(":", 1)[1] or None
        path = path[: len(path) - len(last)] + last.rsplit(":", 1)[0]
    return host, path, tag, digest


def _line_images(line: str) -> list[dict]:
    """Images named in image positions of one line, best first (client references, then registry paths, then the
    repository of a /v2/ URL)."""
    out = []
    lower = line.lower()
    for triggers, kind, loose, rx in _image_positions():
        if not any(t in lower for t in triggers):
            continue
        for m in rx.finditer(line):
            groups = m.groupdict()
            im = _parse_image(m.group("ref"), kind, groups.get("host"), loose)
            if im is None:
                continue
            extra = (groups.get("tag") or "").strip(":")
            if extra and not im["tag"] and not im["digest"]:
                if extra.startswith("sha256:"):
                    im["digest"] = extra
                elif im["valid"] and re.match(r"^[\w][\w.\-]{0,127}$", extra) and not extra.startswith("sha256-"):
                    im["tag"] = extra
            out.append(im)
            break
    if "/v2/" in line:
        for m in _V2_URL.finditer(line):
            if not m.group(2) or m.group(2).startswith(("_", "registry-v2")):
                continue
            im = _parse_image(m.group(2), "path", m.group(1))
            if im is None or im["tag"] or im["digest"]:
                continue
            im["kind"] = "url"
            ref = m.group(4).rstrip(":")
            if m.group(3) == "manifests":
                if ref.startswith("sha256:"):
                    im["digest"] = ref
                elif re.match(r"^[\w][\w.\-]{0,127}$", ref):
                    im["tag"] = ref
            out.append(im)
            break
    return out


def _same_repo(a: dict, b: dict) -> bool:
    pa, pb = a["path"].lower(), b["path"].lower()
    if (
        pa != pb
        and not (a["kind"] == "ref" and a["host"] == "docker.io" and pa == "library/" + pb)
        and not (b["kind"] == "ref" and b["host"] == "docker.io" and pb == "library/" + pa)
    ):
        return False
    ha, hb = _canon_host(a["host"]), _canon_host(b["host"])
    return ha is None or hb is None or ha == hb


_RUN_FLAGS_WITH_VALUE = frozenset(
    (  # flags taking a value after pull/push/run/create… (-t, -d, -a are switches there)
        "-u",
        "--username",
        "-p",
        "--password",
        "--platform",
        "-n",
        "--namespace",
        "--authfile",
        "--creds",
        "--cert-dir",
        "--version",
        "-f",
        "--file",
        "--name",
        "--tag",
        "--config",
        "--address",
        "--dest-creds",
        "--src-creds",
        "--retry-times",
        "-e",
        "--env",
        "-v",
        "--volume",
        "--network",
        "--net",
        "--entrypoint",
        "-w",
        "--workdir",
        "-l",
        "--label",
        "--repo",
        "--values",
        "--set",
        "--restart",
        "-m",
        "--memory",
        "--cpus",
        "--user",
        "-h",
        "--hostname",
        "--add-host",
        "--device",
        "--gpus",
        "--log-driver",
        "--log-opt",
        "--mount",
        "--publish",
        "--expose",
        "--env-file",
        "--runtime",
        "--pull",
        "--shm-size",
        "--ulimit",
        "--cap-add",
        "--cap-drop",
        "--security-opt",
        "--ip",
        "--dns",
        "--link",
        "--tmpfs",
        "--group-add",
        "--pod",
        "--arch",
        "--os",
        "--variant",
        "--snapshotter",
        "--cgroup-parent",
        "--health-cmd",
        "--stop-signal",
        "--timeout",
        "--format",
        "--registry-config",
        "--ca-file",
        "--cert-file",
        "--key-file",
        "--destination",
        "--src-cert-dir",
        "--dest-cert-dir",
        "--override-os",
        "--override-arch",
        "--kubeconfig",
        "--context",
        "--post-renderer",
    )
)
_IMAGE_VERBS = ("pull", "push", "run", "create", "inspect", "tag", "copy")


def _image_from_command(binary: str, verb: str, args: str) -> str | None:
    """The image a typed command names: the first operand of docker/podman/nerdctl/ctr/crictl pull, push, run…;
    the oci:// chart of helm; the first docker:// of skopeo. None for kubectl and build contexts."""
    try:
        tokens = shlex.split(args, comments=False)
    except ValueError:
        tokens = args.split()
    if binary == "helm":
        return next((t for t in tokens if t.startswith("oci://")), None)
    if binary == "skopeo":
        return next((t for t in tokens if t.startswith("docker://")), None)
    if verb == "build":  # docker buildx build -t X --push: the pushed tag
        if not re.search(r"(?:^|\s)--push\b|push=true", args):
            return None
        for flag, value in zip(tokens, tokens[1:] + [""]):
            if flag in ("-t", "--tag"):
                return value
            if flag.startswith(("--tag=", "-t=")):
                return flag.split("=", 1)[1]
        return None
    if binary == "kubectl" or verb not in _IMAGE_VERBS:
        return None
    tok = _first_operand(tokens)
    if tok is None or ("://" in tok and not tok.startswith(("docker://", "oci://"))):
        return None
    return re.split(r"[^\x21-\x7e]", tok, maxsplit=1)[0]  # "app:1报错" (no space before Chinese text)


def _first_operand(tokens: list[str]) -> str | None:
    """The first argument of a typed command that is neither an option nor an option's value."""
    skip = False
    for tok in tokens:
        if skip:
            skip = False
            continue
        if tok.startswith("-"):
            if "=" not in tok and tok in _RUN_FLAGS_WITH_VALUE:
                skip = True
            continue
        return tok
    return None


_LOGIN_HOST = re.compile(
    r"(?:https?://)?(?:localhost|\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?::\d{1,5})?/?"
)


def _login_from_command(args: str) -> str | None:
    try:
        tokens = shlex.split(args, comments=False)
    except ValueError:
        tokens = args.split()
    tok = _first_operand(tokens)
    host = _clean_ref(tok) if tok is not None else None
    # `docker login 报错 …` is prose after the command, not a registry: only a host[:port] counts.
    return host if host and _LOGIN_HOST.fullmatch(host) else None


def _command_lines(lines: list[str]) -> list[tuple[int, str]]:
    """(index of the first line, text) of each line, with shell continuation lines (ending in '\\') joined."""
    out, i = [], 0
    while i < len(lines):
        start, text = i, lines[i]
        while text.endswith("\\") and i + 1 < len(lines) and i - start < 20 and len(text) < MAX_LINE:
            i += 1
            text = text[:-1].rstrip() + " " + lines[i]
        out.append((start, text))
        i += 1
    return out


def _entities(lines: list[str], evidence_index: int, rules_op: str | None) -> dict[str, Any]:
    tool = None
    op = rules_op
    # Commands typed in the paste: the last one at or before the evidence line, else the last one.
    commands: list[tuple[int, tuple[str, str, str], re.Match]] = []
    for i, text in _command_lines(lines):
        m = _command_rx().search(text) if len(text) < 4000 else None
        if m:
            info = _command_info(text)
            if info:
                commands.append((i, info, m))
    cmd = None
    for i, info, m in commands:
        if i <= evidence_index:
            cmd = (info, m)
    if cmd is None and commands:
        cmd = (commands[-1][1], commands[-1][2])
    login_host = None
    cmd_image = None
    if cmd:
        (tool, cmd_op, _args), m = cmd
        op = cmd_op or op
        binary, verb, rest = m.group(2), m.group(5), (m.group(3) or "") + " " + (m.group(6) or "")
        if cmd_op == "login":
            login_host = _login_from_command(rest)
        else:
            arg = _image_from_command(binary, verb, rest)
            if arg:
                cmd_image = _parse_image(arg, "ref")

    # Only the output of the command in force names its image: the lines from that command (else the top) to the
    # next command typed after the evidence line (else the end). A login names no image at all.
    seg_lo = max((i for i, _info, _m in commands if i <= evidence_index), default=0)
    seg_hi = min((i for i, _info, _m in commands if i > evidence_index), default=len(lines))
    if cmd and cmd[0][1] == "login":
        seg_lo = seg_hi = -1
    # Images in the output: the evidence line's, then the nearest lines' (above first at equal distance).
    order = [evidence_index]
    for d in range(1, len(lines)):
        if evidence_index - d >= 0:
            order.append(evidence_index - d)
        if evidence_index + d < len(lines):
            order.append(evidence_index + d)
        if len(order) >= 4000:
            break
    url_host = lookup_host = other_host = None
    ev_named: list[dict] = []
    ev_urls: list[dict] = []
    near_named: list[dict] = []
    near_urls: list[dict] = []
    for i in order[:4000]:
        line = lines[i]
        if len(near_named) + len(near_urls) < 12 and seg_lo <= i < seg_hi:
            for im in _line_images(line):
                named, urls = (ev_named, ev_urls) if i == evidence_index else (near_named, near_urls)
                (urls if im["kind"] == "url" else named).append(im)
        if url_host is None:
            m = _V2_URL.search(line)
            if m:
                url_host = m.group(1)
        if lookup_host is None:
            m = _LOOKUP.search(line)
            if m and not _IPV4.match(m.group(1)):
                lookup_host = m.group(1)
        if login_host is None:
            m = _LOGIN_URL.search(line)
            if m:
                login_host = m.group(1)
        if other_host is None:
            m = _CERT_NOT.search(line)
            if m:
                other_host = m.group(1) or m.group(2)
            else:
                m = _ANY_URL_HOST.search(line)
                if m and "docs.docker.com" not in m.group(1) and "." in m.group(1):
                    other_host = m.group(1)
    # The evidence line's own name first, then what the user typed, then the registry URL of the evidence line,
    # then the nearest names in the rest of the paste.
    ranked = ev_named + ([cmd_image] if cmd_image else []) + ev_urls + near_named + near_urls
    if ranked and ranked[0]["kind"] == "url":
        # The URL is what was requested; a reference to the same repository elsewhere is how the user named it.
        named = next((im for im in ranked[1:] if im["kind"] != "url" and _same_repo(ranked[0], im)), None)
        if named is not None:
            ranked = [named] + [im for im in ranked if im is not named]
    image = dict(ranked[0]) if ranked else None
    if image:
        for other in ranked[1:]:
            if not _same_repo(image, other):
                continue
            if image["host"] is None and other["host"] is not None:
                image["host"], image["explicit"] = other["host"], True
                if other["kind"] == "ref" and _canon_host(other["host"]) == "docker.io":
                    image["path"], image["kind"] = other["path"], "ref"
            if not image["tag"] and not image["digest"] and other["tag"] and other["kind"] != "url":
                image["tag"] = other["tag"]
        if not image["tag"] and not image["digest"]:
            m = _DEFAULT_TAG.search(
                "\n".join(t for _i, t in _command_lines(lines[max(0, evidence_index - 50) : evidence_index + 1]))
            )
            if m:  # docker: "Using default tag: latest"; helm: --version 1.2.0
                image["tag"] = m.group(1)
        if image["host"] is None and image["kind"] != "ref":  # a registry-relative path: the registry it was sent to
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
        "hub": bool(image) and image["kind"] == "ref" and _canon_host(image["host"]) == "docker.io",
    }


def _detect_tool(lines: list[str], evidence: str, cmd_tool: str | None) -> str | None:
    ev = evidence.lower()
    kubelet_sigs = (
        "kubelet",
        "failed to pull image",
        "errimagepull",
        "imagepullbackoff",
        "back-off pulling image",
        "invalidimagename",
        "errimageneverpull",
    )
    if any(s in ev for s in kubelet_sigs):
        return "kubelet"
    if cmd_tool:
        return cmd_tool
    whole = "\n".join(lines[-400:]).lower()
    if any(s in whole for s in kubelet_sigs):
        return "kubelet"
    checks = (
        ("crictl", ("crictl", "pulling image: rpc error", "remote_image.go", "validate service connection")),
        ("helm", ("helm ", "error: installation failed", "error: upgrade failed", "oci://", "chart")),
        ("skopeo", ("skopeo", "error parsing image name")),
        (
            "docker",
            (
                "error response from daemon",
                "failed to solve",
                "the push refers to repository",
                "docker: ",
                "error pulling image configuration",
                "error saving credentials",
                "error getting credentials",
                "docker-credential",
                "layer already exists",
                "an image does not exist locally",
                "failed to register layer",
                "received unexpected http status",
                'for "-t, --tag" flag',
                "see 'docker",
                "docker daemon",
                "docker_engine",
                "docker.sock",
                "no basic auth credentials",
                "pull access denied",
                "unable to find image",
                "no matching manifest for",
                ": pulling from ",
            ),
        ),
        (
            "containerd",
            (
                "ctr: ",
                "nerdctl",
                "containerd",
                "failed to resolve reference",
                "failed to do request",
                "failed to pull and unpack",
                "failed to authorize",
                "failed commit on ref",
                "httpreadseeker",
            ),
        ),
        (
            "podman",
            (
                "podman",
                "initializing source docker://",
                "trying to pull",
                "reading manifest",
                "copying blob",
                "writing manifest",
                "getting image source signatures",
                "buildah",
                "writing blob",
                "choosing an image from manifest list",
                "invalid status code from registry",
                "logging into",
                "copying system image",
                "error: initializing source",
            ),
        ),
    )
    for tool, sigs in checks:
        if any(s in ev for s in sigs):
            return tool
    for tool, sigs in checks:
        if any(s in whole for s in sigs):
            return tool
    if ev.startswith("error: "):  # podman / buildah print "Error: <wrapped chain>"; docker prints "Error response…"
        return "podman"
    return None


# --- public API --------------------------------------------------------------------------------------------------


def explain(text: str) -> dict | None:
    """Name the cause of a pasted registry error log, or None when it contains no recognisable error."""
    try:
        return _explain(text)
    except (ValueError, TypeError, IndexError, KeyError, UnicodeError, RecursionError):  # pragma: no cover
        # A channel must never fail on what a user pasted; the fuzz test in tests/test_logs.py keeps this unused.
        return None


explain_log = explain  # the name `knowledge.explain_log` imports (ARCHITECTURE.md)


def _explain(text: str) -> dict | None:
    lines = clean_lines(text)
    if not lines:
        return None
    rules = _rules()

    # The operation in force at each line: the last command typed above it, else guessed from the whole text.
    whole_lower = "\n".join(lines[-2000:]).lower()
    default_op = _guess_op(whole_lower)
    best = None  # (tier, index, pattern, text, op)
    seen_causes: list[str] = []
    op = default_op
    for idx, line in _logical_lines(lines):
        info = _command_info(line) if len(line) < 2000 else None
        if info and info[1]:
            op = info[1]
        p = _match_line(line, op)
        if p is None:
            continue
        if _asks_about(line, p):
            continue  # "ccr quota?", "临时登录密码多久过期": a question about a subject, not a program's output
        tier = p["tier"]
        if _DEBUG_LINE.match(line) and "trying next host" not in line:  # containerd logs its resolver errors at info
            tier = min(tier, 1)  # debug/info chatter ("DEBU[0001] Credentials not found") never outranks an error
        if tier >= 3:
            seen_causes.append(p["cause"])
        if best is None or tier >= best[0]:
            best = (tier, idx, p, line, op)
    if best is None:
        return None
    tier, idx, pattern, line, op = best

    ent = _entities(lines, idx, op)
    cause = pattern["cause"]
    note = None
    also = list(pattern.get("also", []))
    if pattern.get("also_from_rest"):
        key = pattern["also_from_rest"]
        rest = line[line.lower().find(key) + len(key) :]
        inner = _match_line(rest, op, skip_ids=(pattern["id"], "proxy-auth"))
        if inner and inner["cause"] != cause:
            also.insert(0, inner["cause"])
    if pattern.get("expired_after_upload") and (
        (ent["op"] == "push" and any(_UPLOAD_PROGRESS.search(prev) for prev in lines[max(0, idx - 400) : idx]))
        or (ent["op"] == "pull" and any(_DOWNLOAD_PROGRESS.search(prev) for prev in lines[max(0, idx - 400) : idx]))
    ):
        # Layers were already being checked or uploaded, so the login worked at the start of the push: a token
        # that expired during a long upload is the likely story (the registry's tokens are short-lived).
        also.insert(0, cause)
        cause = "CREDENTIALS_EXPIRED"
        note = _EXPIRED_DURING_PUSH if ent["op"] == "push" else _EXPIRED_DURING_PULL
    on_hub = pattern.get("hub_cause") and ent["hub"] and (not pattern.get("hub_ops") or ent["op"] in pattern["hub_ops"])
    if pattern.get("refine_after") and not on_hub:
        # "pull access denied …: <registry's own reason>": a specific reason (expired token, a named permission)
        # is put first; the generic ones leave the three-way ambiguity as it is.
        lower = line.lower()
        for key in pattern["refine_after"]:
            at = lower.find(key)
            if at >= 0:
                inner = _match_line(line[at + len(key) :], op, skip_ids=_GENERIC_IDS)
                if inner and inner["cause"] != cause:
                    also.insert(0, cause)
                    cause = inner["cause"]
                    for extra in inner.get("also", []):
                        also.append(extra)
                break
    if on_hub and cause == pattern["cause"]:
        also.insert(0, cause)
        cause = pattern["hub_cause"]
    # Other decisive lines of the paste (e.g. podman trying several registries) fill the remaining room.
    also = [c for c in dict.fromkeys(also) if c != cause]
    for other in reversed(seen_causes):
        if len(also) >= 2:
            break
        if other != cause and other not in also:
            also.append(other)
    also = also[:2]

    if pattern.get("no_cause"):
        return None  # another tool's network failure (git, pip, npm, apt ...): no registry cause
    meta = rules["causes"][cause]
    tool = _detect_tool(lines, line, ent["tool"])
    if cause in _NETWORK_CAUSES and tool not in _REGISTRY_TOOLS and not registry_context(whole_lower):
        # A timeout or TLS error with context around it, none of it about images, registries or container tools:
        # another program's failure (a bare error line alone is read as the registry's: it was asked here).
        return None
    faq = pattern.get("faq") or (meta.get("faq_kubelet") if tool == "kubelet" else None) or meta.get("faq")
    if faq and not _faq_exists(faq):
        faq = None
    evidence = redact(_strip_prefix(line))
    if len(evidence) > MAX_EVIDENCE:
        evidence = evidence[:MAX_EVIDENCE] + " …"
    diagnose, target, checks, push = diagnose_command(cause, ent, ent["op"], pattern)
    note = note or pattern.get("note")
    if cause == "TLS_EXPIRED" and re.search(r"current time \S+ is before", line):
        note = {
            "zh": "报错写的是 `current time … is before …`：证书还未生效，几乎可以肯定是客户端系统时间落后了，请先校时（启用 NTP）。",
            "en": "The message says `current time … is before …`: the certificate is not yet valid, which almost always means the client's clock is behind: fix the clock (enable NTP) first.",
        }
    confidence = "low" if tier <= 1 else ("high" if not also else "medium")
    return {
        "cause": cause,
        "also": also,
        "host": ent["host"],
        "image": ent["image"],
        "image_as_written": ent["image_as_written"],
        "tag": ent["tag"],
        "digest": ent["digest"],
        "tool": tool,
        "op": ent["op"],
        "diagnose": diagnose,
        "target": target,
        "checks": checks,
        "push": push,
        "evidence": evidence,
        "faq": faq,
        "summary": dict(pattern.get("summary") or meta["summary"]),
        "fix": dict(pattern.get("fix") or meta["fix"]),
        "note": dict(note) if note else None,
        "confidence": confidence,
        "pattern": pattern["id"],
    }


def diagnose_command(
    cause: str, ent: dict, op: str | None, pattern: dict | None = None
) -> tuple[str | None, str | None, list[str], bool]:
    """(the `tcr-doctor diagnose …` command that confirms `cause`, its target or None when the log names no
    registry, the --only checks (empty = all), whether --push is given)."""
    meta = dict(_rules()["causes"][cause])
    if pattern:  # a pattern whose causes need a wider diagnosis to be told apart overrides the cause's own
        meta.update({k: pattern[k] for k in ("target", "only") if k in pattern})
    kind = meta.get("target", "host")
    if kind == "none":
        return None, None, [], False
    host, image = ent.get("host"), ent.get("image")
    placeholder = "<registry>"
    if image and host is None and set(meta.get("only", [])) != {"name"}:
        # A repository path whose registry the paste does not name (Harbor's `artifact ns/app:1 not found`): it is
        # not on Docker Hub, so there is nothing to run yet; show where the registry goes.
        placeholder, image = f"<registry>/{image}", None
    target = (image or host) if kind == "image" else (host or image)
    push = bool(meta.get("push")) or (
        op == "push" and ((target is not None and target == image) or placeholder != "<registry>")
    )
    parts = ["tcr-doctor", "diagnose", shlex.quote(target) if target else placeholder]
    if push:
        parts.append("--push")
    only = list(meta.get("only", []))
    if only:
        parts += ["--only", ",".join(only)]
    return " ".join(parts), target, only, push


def complete_target(result: dict, entities: dict) -> dict:
    """`result` with its diagnosis target filled from what the rest of the message names, when the log itself
    names no registry ("docker push fails with unauthorized … pushing to shop.tencentcloudcr.com/team/app:1")."""
    if result.get("target") or not result.get("diagnose"):
        return result
    registry, image = entities.get("registry"), entities.get("image")
    log_image = result.get("image")
    if log_image and result.get("host") is None and registry:
        image = f"{registry}/{log_image}"  # a registry-relative path from the log, on the registry the user named
    if not (registry or image):
        return result
    pattern = next((p for p in _rules()["patterns"] if p["id"] == result.get("pattern")), None)
    ent = {"host": result.get("host") or registry, "image": image or log_image}
    diagnose, target, checks, push = diagnose_command(result["cause"], ent, result.get("op"), pattern)
    return dict(result, host=ent["host"], diagnose=diagnose, target=target, checks=checks, push=push)


def confirming_codes(cause: str) -> list[str]:
    """Diagnostics finding codes that confirm `cause` when they fail or warn."""
    return list(_rules()["causes"][cause].get("confirm", []))


def cause_text(code: str) -> dict:
    """Summary and fix of a cause code ({"summary": {zh, en}, "fix": {zh, en}, "faq": id|None})."""
    meta = _rules()["causes"][code]
    faq = meta.get("faq")
    return {
        "summary": dict(meta["summary"]),
        "fix": dict(meta["fix"]),
        "faq": faq if faq and _faq_exists(faq) else None,
    }


def agreeing_entries(code: str, tool: str | None = None) -> frozenset[str]:
    """FAQ entry ids whose answer tells the same story as cause `code` seen in `tool`'s output: its `faq` (for
    kubelet its `faq_kubelet` instead: a cluster's pull failure is the cluster-pull entry) and its `agrees`."""
    meta = _rules()["causes"].get(code) or {}
    faq = (meta.get("faq_kubelet") if tool == "kubelet" else None) or meta.get("faq")
    return frozenset(i for i in (faq, *meta.get("agrees", ())) if i)


def measure(paths: list[str]) -> dict:
    """Score `explain` on JSON Lines files of {"text", "cause" (or null), optional "host"/"image"/"tag"/"tool"}."""
    import json

    n = first = first_ok = anywhere = fields = fields_ok = 0
    misses = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                row = json.loads(line)
                r = explain(row.get("text", ""))
                n += 1
                want = row.get("cause")
                if want is None:
                    hit = top = r is None
                else:
                    top = r is not None and r["cause"] == want
                    hit = top or (r is not None and want in r["also"])
                # The label's own accepted alternatives (`also_ok`, log_heldout / real sets) put first.
                first_ok += top or (r is not None and want is not None and r["cause"] in row.get("also_ok", ()))
                first += top
                anywhere += hit
                if not hit:
                    misses.append(
                        {"want": want, "got": r and [r["cause"], *r["also"]], "text": row.get("text", "")[:160]}
                    )
                for key in ("host", "image", "tag", "tool"):
                    if key in row and r is not None:
                        fields += 1
                        fields_ok += r.get(key) == row[key]
    return {
        "lines": n,
        "cause_first": first / n if n else 0.0,
        "cause_first_or_label_also_ok": first_ok / n if n else 0.0,
        "cause_first_or_also": anywhere / n if n else 0.0,
        "entity_fields": fields,
        "entity_accuracy": fields_ok / fields if fields else None,
        "misses": misses,
    }


if __name__ == "__main__":  # python -m knowledge.logs FILE.jsonl... : accuracy of explain() on labelled lines
    import json
    import sys

    print(json.dumps(measure(sys.argv[1:]), ensure_ascii=False, indent=1))
