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

PATTERNS_FILE = Path(__file__).with_name("logpatterns.toml")
FAQ_DIR = Path(__file__).with_name("faq")

MAX_INPUT = 1_500_000       # characters kept from a paste (the tail: the final error is at the end)
MAX_LINE = 4000             # characters of one line that are matched
MAX_EVIDENCE = 600          # characters of the evidence line returned
MAX_JOIN = 5                # continuation lines joined to a line ending with ':'

CODES = (
    "CREDENTIALS_MISSING", "CREDENTIALS_INVALID", "CREDENTIALS_EXPIRED", "PERMISSION_DENIED", "NAME_INVALID",
    "DNS_NXDOMAIN", "DNS_TIMEOUT", "TCP_TIMEOUT", "HTTP_TIMEOUT", "TCP_REFUSED", "TLS_UNTRUSTED", "TLS_HOSTNAME",
    "TLS_EXPIRED", "HTTP_NOT_HTTPS", "PROXY_ERROR", "REPO_NOT_FOUND", "TAG_NOT_FOUND", "RATE_LIMITED",
    "QUOTA_EXCEEDED", "SERVER_ERROR", "CREDENTIAL_HELPER_ERROR", "DAEMON_ERROR", "PLATFORM_MISMATCH",
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
_ERRCODE_LINE = re.compile(r"^(?:denied|unauthorized|name unknown|manifest unknown|blob unknown|toomanyrequests|unsupported|unknown|name invalid|tag invalid):")
_DEBUG_LINE = re.compile(r"^\s{0,8}(?:(?:DEBU|INFO|TRAC)\[|time=\S{1,40} level=(?:debug|info|trace)\b|level=(?:debug|info|trace)\b|I\d{4} |\S{0,40}\s\[?(?:DEBUG|INFO|TRACE)\]?\s)")
_LOGFMT_MSG = re.compile(r'\bmsg="((?:[^"\\]|\\.){0,4000})"')

# --- entities ----------------------------------------------------------------------------------------------------
_REF = r"[A-Za-z0-9][A-Za-z0-9._\-/:@+]{0,300}"
_IMAGE_PATTERNS = [
    re.compile(r'(?:Failed to pull image|Back-off pulling image|Pulling image|pulling image|pull image|Container image)\s\\?"(' + _REF + r')\\?"'),
    re.compile(r'failed to (?:pull and unpack image|resolve reference|resolve source metadata for|copy|get manifest for)\s\\?"?(' + _REF + r'?)\\?"?:(?:\s|$)'),
    re.compile(r'pulling image \\?"(' + _REF + r')\\?"'),
    re.compile(r"docker://(" + _REF + r"?)(?::?\s|\"|'|$)"),
    re.compile(r"pull access denied for (" + _REF + r"?),"),
    re.compile(r"manifest for (" + _REF + r") not found"),
    re.compile(r"The push refers to repository \[(" + _REF + r")\]"),
    re.compile(r"Unable to find image '(" + _REF + r")' locally"),
    re.compile(r"Trying to pull (" + _REF + r"?)\.\.\."),
    re.compile(r"An image does not exist locally with the tag: (" + _REF + r")"),
    re.compile(r"(?:--image[= ]|\bimage: {1,4}\"?)(" + _REF + r")"),
    re.compile(r"\bFROM (" + _REF + r")(?:\s|$)"),
    re.compile(r"failed to solve: (" + _REF + r"?):(?:\s|$)"),
    re.compile(r"failed to push (" + _REF + r"?):(?:\s|$)"),
    re.compile(r'(?:parse image reference|default image tag) \\?"(' + _REF + r')\\?"'),
    re.compile(r"\s([A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){1,6}(?::\d{1,5})?/[A-Za-z0-9._\-/]{1,200}:[\w.\-]{1,128}): not found"),
]
_READING_MANIFEST = re.compile(r"reading manifest (\S{1,200}) in (" + _REF + r"?):?\s")
_V2_URL = re.compile(r'https?://([A-Za-z0-9.\-]{1,253}(?::\d{1,5})?)/v2/(?:([A-Za-z0-9._\-/]{1,255}?)/(manifests|blobs|tags)/([A-Za-z0-9._\-:]{1,200}))?')
_ANY_URL_HOST = re.compile(r'https?://([A-Za-z0-9.\-]{1,253}(?::\d{1,5})?)(?=[/"\s:]|$)')
_LOOKUP = re.compile(r"(?:lookup|[Cc]ould not resolve host:?|/v2/\S{0,300} in) ([A-Za-z0-9.\-]{1,253}(?::\d{1,5})?)(?: on |: |:\s|:?$)")
_LOGIN_URL = re.compile(r'(?:login attempt to|logging into) \\?"?(?:https?://)?([A-Za-z0-9.\-]{1,253}(?::\d{1,5})?)')
_CERT_NOT = re.compile(r"certificate is valid for [^\n]{0,400}?, not ([A-Za-z0-9.\-*]{1,253})|certificate for ([A-Za-z0-9.:\-]{1,64}) because")
_COMMAND = re.compile(
    r"(?:^|[\s$#>%;|&(])(sudo\s+)?(docker|podman|skopeo|crictl|ctr|nerdctl|helm|buildah|kubectl|oras)"
    r"((?:\s+-{1,2}[A-Za-z][\w-]{0,30}(?:[= ][^\s-]\S{0,200})?){0,6})"
    r"\s+((?:image|images|i|registry|buildx|compose|container)\s+)?"
    r"(login|logout|pull|push|run|build|copy|inspect|install|upgrade|tag|create|apply|describe|get|template|fetch|events|logs)\b"
    r"([^\n]{0,600})"
)
_UPLOAD_PROGRESS = re.compile(r"Pushing \[=|: Layer already exists|: Pushed\s*$|Image already exists|Copying blob \w+ done")
_EXPIRED_DURING_PUSH = {
    "zh": "推送开始时认证是成功的（已经在检查或上传镜像层），到最后才被拒绝：通常是上传大镜像层耗时过长，期间访问令牌过期。请重新登录后再推送；若仍然出现，请缩小镜像层或改善上传带宽。`tcr-doctor diagnose <镜像> --push` 可确认凭证本身有效。",
    "en": "Authentication worked when the push began (layers were already being checked or uploaded) and was refused only at the end: usually the access token expired while a large layer was uploading. Log in again and push again; if it recurs, make the layers smaller or the upload faster. `tcr-doctor diagnose <image> --push` confirms the credentials themselves are valid.",
}
# Patterns too generic to refine an ambiguous wording with (they restate it rather than name a reason).
_GENERIC_IDS = ("denied", "unauthorized", "pull-access-denied", "denied-and-unauthorized", "kubelet-symptom",
                "manifest-unknown", "name-unknown", "eof", "server-unknown-error")
_HUB_HOSTS = (None, "docker.io", "index.docker.io", "registry-1.docker.io")
_TOOL_BINARIES = {"ctr": "containerd", "nerdctl": "containerd", "kubectl": "kubelet", "buildah": "podman", "oras": "oras"}
_DEFAULT_TAG = re.compile(r"(?:Using default tag: |helm (?:pull|install|upgrade|template|show \w+)\b[^\n]{0,300}?--version[= ])([\w][\w.\-]{0,127})")
_HOSTLIKE = re.compile(r"^(?:localhost|[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){1,10}|\[[0-9a-fA-F:]{2,45}\])(?::\d{1,5})?$"
                       r"|^[A-Za-z0-9\-]{1,63}:\d{1,5}$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?$")
_SECRET = re.compile(
    r"((?:\s-p|--password|--registry-password|--docker-password)[ =])\S+"
    r"|((?:password|passwd|token|secret)=|authorization: ?(?:bearer|basic) )[^\s&\"']{4,}",
    re.IGNORECASE,
)


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
        p["rx"] = re.compile(raw["regex"], re.IGNORECASE) if raw.get("regex") else None
        p["when"] = tuple(raw.get("when", ()))
        p["tier"] = int(raw.get("tier", 3))
        patterns.append(p)
    # One alternation of every trigger substring: a line holding none of them is skipped at C speed.
    literals = sorted({s for p in patterns for s in p["any"]}, key=len, reverse=True)
    prefilter = re.compile(_trie_regex(literals)) if literals else None
    return {"patterns": patterns, "causes": data["causes"], "prefilter": prefilter,
            "ignore": tuple(s.lower() for s in data.get("ignore", ()))}


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
    if '\\"' in text:   # JSON / Go %q escaped output (kubectl get events -o json, logfmt)
        text = text.replace('\\"', '"')
        if text.count("\\n") > text.count("\n"):
            text = text.replace("\\n", "\n").replace("\\t", "\t")
    lines = []
    for raw in _LINE_SPLIT.split(text):
        line = _CONTROL.sub(" ", raw).strip()
        if not line:
            continue
        if len(line) > MAX_LINE:
            line = line[: MAX_LINE // 2] + " … " + line[-MAX_LINE // 2:]
        lines.append(line)
    return lines


def _logical_lines(lines: list[str]) -> list[tuple[int, str]]:
    """Join a line ending with ':' (a wrapped Go error chain or a wrapped kubectl event) to what follows."""
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        line, j = lines[i], i
        while (j + 1 < len(lines) and j - i < MAX_JOIN and len(line) < MAX_LINE
               and (line.endswith(":") or (" errors: " in line and _ERRCODE_LINE.match(lines[j + 1])))):
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
    """The line with pasted secrets masked: the shared `knowledge.redact` rules, then a few log-specific ones."""
    try:
        from .redact import redact as _shared

        line = _shared(line)[0]
    except ImportError:   # pragma: no cover - the shared module ships with the package
        pass
    return _SECRET.sub(lambda m: (m.group(1) or m.group(2) or "") + "***", line)


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
        if p["rx"] is not None and not p["rx"].search(line):
            continue
        return p
    return None


def _command_info(line: str) -> tuple[str, str, str] | None:
    """(tool, op, argument text) when the line is a command a person typed."""
    m = _COMMAND.search(line)
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
        op = "pull"
    else:
        op = None
    tool = _TOOL_BINARIES.get(binary, binary)
    return tool, op or "", (m.group(3) or "") + " " + rest


def _guess_op(lower: str) -> str | None:
    if any(s in lower for s in ("login attempt to", "logging into", "login failed")):
        return "login"
    if any(s in lower for s in ("the push refers to repository", "docker push", "podman push", "push access denied", "failed to push", "error pushing", "pushing ", "push failed", "unknown blob", "blob upload")):
        return "push"
    if any(s in lower for s in ("pull", "resolve reference", "manifest", "initializing source", "back-off", "unable to find image")):
        return "pull"
    return None


# --- entities ----------------------------------------------------------------------------------------------------

def _clean_ref(ref: str) -> str:
    ref = ref.strip().strip("\"'`[](),;")
    if ref.startswith("docker://"):
        ref = ref[len("docker://"):]
    if ref.startswith(("oci://", "http://", "https://")):
        ref = ref.split("://", 1)[1]
    while ref and ref[-1] in ".:,;)'\"]`":
        if ref.endswith("..."):
            ref = ref[:-3]
            continue
        ref = ref[:-1]
    return ref


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


def _looks_like_image(ref: str) -> bool:
    if not ref or len(ref) > 300 or ref.startswith(("-", "/", ".")) or " " in ref:
        return False
    if ref.lower() in ("image", "images", "pull", "push", "latest", "true", "false", "none", "null", "configuration",
                       "config", "manifest", "layer", "from", "source", "failed", "error"):
        return False
    if _IPV4.match(ref) or (_HOSTLIKE.match(ref) and "/" not in ref and "." in ref.split(":")[0] and ":" not in ref):
        return False   # a bare host name, not an image
    return bool(re.match(r"^[A-Za-z0-9][A-Za-z0-9._\-/:@+]*$", ref))


def _image_from_command(args: str) -> str | None:
    try:
        tokens = shlex.split(args, comments=False)
    except ValueError:
        tokens = args.split()
    with_value = {"-u", "--username", "-p", "--password", "--platform", "-n", "--namespace", "--authfile",
                  "--creds", "--cert-dir", "--version", "-f", "--file", "--name", "--tag", "-t", "--config",
                  "--address", "-a", "--dest-creds", "--src-creds", "--retry-times", "-e", "--env", "-v", "--volume",
                  "--network", "--entrypoint", "-w", "--workdir", "-l", "--label", "--repo", "--values", "--set"}
    skip = False
    for tok in tokens:
        if skip:
            skip = False
            continue
        if tok.startswith("-"):
            if "=" not in tok and tok in with_value:
                skip = True
            continue
        if tok.startswith("docker://") or tok.startswith("oci://"):
            return _clean_ref(tok)
        if "://" in tok:
            continue
        return tok
    return None


def _entities(lines: list[str], evidence_index: int, rules_op: str | None) -> dict[str, Any]:
    host = image = tag = digest = None
    tool = None
    op = rules_op
    # Commands typed in the paste: the last one at or before the evidence line, else the last one.
    commands: list[tuple[int, tuple[str, str, str]]] = []
    for i, line in enumerate(lines):
        info = _command_info(line)
        if info:
            commands.append((i, info))
    cmd = None
    for i, info in commands:
        if i <= evidence_index:
            cmd = info
    if cmd is None and commands:
        cmd = commands[-1][1]
    login_host = None
    if cmd:
        tool = cmd[0]
        op = cmd[1] or op
        arg = _image_from_command(cmd[2])
        if arg:
            if cmd[1] == "login":
                login_host = _clean_ref(arg)
            elif _looks_like_image(_clean_ref(arg)):
                image = _clean_ref(arg)

    # Images named in the output; the evidence line first, then the nearest lines above it, then the rest.
    order = [evidence_index] + list(range(evidence_index - 1, -1, -1)) + list(range(evidence_index + 1, len(lines)))
    url_host = lookup_host = other_host = None
    found_image = None
    for i in order[:4000]:
        line = lines[i]
        if found_image is None:
            for rx in _IMAGE_PATTERNS:
                m = rx.search(line)
                if m:
                    ref = _clean_ref(m.group(1))
                    if _looks_like_image(ref):
                        found_image = ref
                        break
            if found_image is None:
                m = _READING_MANIFEST.search(line)
                if m:
                    repo, ref = _clean_ref(m.group(2)), m.group(1).strip(":")
                    found_image = repo + ("@" + ref if ref.startswith("sha256:") else ":" + ref)
        if url_host is None:
            m = _V2_URL.search(line)
            if m:
                url_host = m.group(1)
                if m.group(2) and found_image is None and m.group(3) == "manifests":
                    ref = m.group(4)
                    ref = ref.rstrip(":")
                    found_image = f"{url_host}/{m.group(2)}" + ("@" + ref if ref.startswith("sha256:") else ":" + ref)
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
    if found_image and image != found_image:
        f_host, f_path, f_tag, f_digest = split_ref(found_image)
        c_host, c_path, c_tag, c_digest = split_ref(image) if image else (None, "", None, None)
        richer = bool(f_tag or f_digest) or not (c_tag or c_digest)
        if image is None or (f_host and not c_host and richer) or (f_path.endswith(c_path) and richer):
            image = found_image   # the program's own (normalised, tagged) spelling of what was typed
    if image:
        h, _path, tag, digest = split_ref(image)
        host = h
        if tag is None and digest is None:
            m = _DEFAULT_TAG.search("\n".join(lines[max(0, evidence_index - 50):evidence_index + 1]))
            if m:   # docker: "Using default tag: latest"; helm: --version 1.2.0
                tag = m.group(1)
                image = f"{image}:{tag}"
    host = host or url_host or lookup_host or login_host or other_host
    if host and host.endswith(":443"):
        host = host[:-4]
    return {"host": host, "image": image, "tag": tag, "digest": digest, "tool": tool, "op": op}


def _detect_tool(lines: list[str], evidence: str, cmd_tool: str | None) -> str | None:
    ev = evidence.lower()
    kubelet_sigs = ("kubelet", "failed to pull image", "errimagepull", "imagepullbackoff", "back-off pulling image",
                    "invalidimagename", "errimageneverpull")
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
        ("docker", ("error response from daemon", "failed to solve", "the push refers to repository", "docker: ",
                    "error pulling image configuration", "error saving credentials", "error getting credentials",
                    "docker-credential", "layer already exists", "an image does not exist locally",
                    "failed to register layer", "received unexpected http status", "for \"-t, --tag\" flag",
                    "see 'docker", "docker daemon", "docker_engine", "docker.sock", "no basic auth credentials",
                    "pull access denied", "unable to find image", "no matching manifest for", ": pulling from ")),
        ("containerd", ("ctr: ", "nerdctl", "containerd", "failed to resolve reference", "failed to do request",
                        "failed to pull and unpack", "failed to authorize", "failed commit on ref", "httpreadseeker")),
        ("podman", ("podman", "initializing source docker://", "trying to pull", "reading manifest",
                    "copying blob", "writing manifest", "getting image source signatures", "buildah",
                    "writing blob", "choosing an image from manifest list", "invalid status code from registry",
                    "logging into", "copying system image", "error: initializing source")),
    )
    for tool, sigs in checks:
        if any(s in ev for s in sigs):
            return tool
    for tool, sigs in checks:
        if any(s in whole for s in sigs):
            return tool
    if ev.startswith("error: "):   # podman / buildah print "Error: <wrapped chain>"; docker prints "Error response…"
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


explain_log = explain   # the name `knowledge.explain_log` imports (ARCHITECTURE.md)


def _explain(text: str) -> dict | None:
    lines = clean_lines(text)
    if not lines:
        return None
    rules = _rules()

    # The operation in force at each line: the last command typed above it, else guessed from the whole text.
    whole_lower = "\n".join(lines[-2000:]).lower()
    default_op = _guess_op(whole_lower)
    best = None   # (tier, index, pattern, text, op)
    seen_causes: list[str] = []
    op = default_op
    for idx, line in _logical_lines(lines):
        info = _command_info(line) if len(line) < 2000 else None
        if info and info[1]:
            op = info[1]
        p = _match_line(line, op)
        if p is None:
            continue
        tier = p["tier"]
        if _DEBUG_LINE.match(line):
            tier = min(tier, 1)   # debug/info chatter ("DEBU[0001] Credentials not found") never outranks an error
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
        rest = line[line.lower().find(key) + len(key):]
        inner = _match_line(rest, op, skip_ids=(pattern["id"], "proxy-auth"))
        if inner and inner["cause"] != cause:
            also.insert(0, inner["cause"])
    if pattern.get("expired_after_upload") and ent["op"] == "push" and any(
            _UPLOAD_PROGRESS.search(prev) for prev in lines[max(0, idx - 400):idx]):
        # Layers were already being checked or uploaded, so the login worked at the start of the push: a token
        # that expired during a long upload is the likely story (the registry's tokens are short-lived).
        also.insert(0, cause)
        cause = "CREDENTIALS_EXPIRED"
        note = _EXPIRED_DURING_PUSH
    on_hub = (pattern.get("hub_cause") and ent["image"] and split_ref(ent["image"])[0] in _HUB_HOSTS
              and (not pattern.get("hub_ops") or ent["op"] in pattern["hub_ops"]))
    if pattern.get("refine_after") and not on_hub:
        # "pull access denied …: <registry's own reason>": a specific reason (expired token, a named permission)
        # is put first; the generic ones leave the three-way ambiguity as it is.
        lower = line.lower()
        for key in pattern["refine_after"]:
            at = lower.find(key)
            if at >= 0:
                inner = _match_line(line[at + len(key):], op, skip_ids=_GENERIC_IDS)
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

    meta = rules["causes"][cause]
    tool = _detect_tool(lines, line, ent["tool"])
    faq = pattern.get("faq") or (meta.get("faq_kubelet") if tool == "kubelet" else None) or meta.get("faq")
    if faq and not _faq_exists(faq):
        faq = None
    evidence = redact(_strip_prefix(line))
    if len(evidence) > MAX_EVIDENCE:
        evidence = evidence[:MAX_EVIDENCE] + " …"
    diagnose, target, checks, push = diagnose_command(cause, ent, ent["op"], pattern)
    note = note or pattern.get("note")
    if cause == "TLS_EXPIRED" and re.search(r"current time \S+ is before", line):
        note = {"zh": "报错写的是 `current time … is before …`：证书还未生效，几乎可以肯定是客户端系统时间落后了，请先校时（启用 NTP）。",
                "en": "The message says `current time … is before …`: the certificate is not yet valid, which almost always means the client's clock is behind: fix the clock (enable NTP) first."}
    confidence = "low" if tier <= 1 else ("high" if not also else "medium")
    return {
        "cause": cause,
        "also": also,
        "host": ent["host"],
        "image": ent["image"],
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
        "summary": dict(meta["summary"]),
        "fix": dict(meta["fix"]),
        "note": dict(note) if note else None,
        "confidence": confidence,
        "pattern": pattern["id"],
    }


def diagnose_command(cause: str, ent: dict, op: str | None,
                     pattern: dict | None = None) -> tuple[str | None, str | None, list[str], bool]:
    """(the `tcr-doctor diagnose …` command that confirms `cause`, its target or None when the log names no
    registry, the --only checks (empty = all), whether --push is given)."""
    meta = dict(_rules()["causes"][cause])
    if pattern:   # a pattern whose causes need a wider diagnosis to be told apart overrides the cause's own
        meta.update({k: pattern[k] for k in ("target", "only") if k in pattern})
    kind = meta.get("target", "host")
    if kind == "none":
        return None, None, [], False
    host, image = ent.get("host"), ent.get("image")
    target = (image or host) if kind == "image" else (host or image)
    push = bool(meta.get("push")) or (op == "push" and target is not None and target == image)
    parts = ["tcr-doctor", "diagnose", shlex.quote(target) if target else "<registry>"]
    if push:
        parts.append("--push")
    only = list(meta.get("only", []))
    if only:
        parts += ["--only", ",".join(only)]
    return " ".join(parts), target, only, push


def confirming_codes(cause: str) -> list[str]:
    """Diagnostics finding codes that confirm `cause` when they fail or warn."""
    return list(_rules()["causes"][cause].get("confirm", []))


def cause_text(code: str) -> dict:
    """Summary and fix of a cause code ({"summary": {zh, en}, "fix": {zh, en}, "faq": id|None})."""
    meta = _rules()["causes"][code]
    faq = meta.get("faq")
    return {"summary": dict(meta["summary"]), "fix": dict(meta["fix"]), "faq": faq if faq and _faq_exists(faq) else None}


def measure(paths: list[str]) -> dict:
    """Score `explain` on JSON Lines files of {"text", "cause" (or null), optional "host"/"image"/"tag"/"tool"}."""
    import json

    n = first = anywhere = fields = fields_ok = 0
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
                first += top
                anywhere += hit
                if not hit:
                    misses.append({"want": want, "got": r and [r["cause"], *r["also"]], "text": row.get("text", "")[:160]})
                for key in ("host", "image", "tag", "tool"):
                    if key in row and r is not None:
                        fields += 1
                        fields_ok += r.get(key) == row[key]
    return {"lines": n, "cause_first": first / n if n else 0.0, "cause_first_or_also": anywhere / n if n else 0.0,
            "entity_fields": fields, "entity_accuracy": fields_ok / fields if fields else None, "misses": misses}


if __name__ == "__main__":   # python -m knowledge.logs FILE.jsonl... : accuracy of explain() on labelled lines
    import json
    import sys

    print(json.dumps(measure(sys.argv[1:]), ensure_ascii=False, indent=1))
