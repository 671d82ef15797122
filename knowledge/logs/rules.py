"""The cause rules: the wordings of knowledge/logpatterns.toml, matched line by line, and what each cause code
means (summary, fix, FAQ entries that agree, findings that confirm it).

The wordings are data. They are read and compiled lazily, on the first call, so importing this module costs
nothing; every regex is free of nested quantifiers and lines are capped in length before matching."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..dialogue import LazyRe
from ..structure import is_prose
from .prose import denied_spans

if TYPE_CHECKING:
    from ..results import CauseText, LogCause, Texts

PATTERNS_FILE = Path(__file__).resolve().parent.parent / "logpatterns.toml"
FAQ_DIR = Path(__file__).resolve().parent.parent / "faq"

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

GENERIC_IDS = (
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


@functools.lru_cache(maxsize=1)
def load_rules() -> dict[str, Any]:
    """The patterns, causes, prefilter and ignore list of knowledge/logpatterns.toml, read once."""
    from diagnostics.cache import kept  # (only here: importing this module costs nothing, see the docstring)

    with open(PATTERNS_FILE, "rb") as fh:
        data = fh.read()
    try:
        with open(__file__, "rb") as fh:
            code = fh.read()
    except OSError:  # (no source beside the bytecode: nothing to key a kept copy by)
        code = None
    # Reading the 150 KB of TOML (~125 M instructions) and building the trie (~80 M) were most of a cold `ask` once
    # its regexes were kept compiled (diagnostics.kept_patterns): what they derive is kept in the cache directory,
    # keyed by the file and by this module's own source (an edit of either is read anew). Only the scanner's compiled
    # regex is made here (re finds it kept).
    rules = _rules(data) if code is None else kept(data + b"\0" + code, lambda _: _rules(data), "logrules")
    rules["scanner"] = re.compile(rules["scanner"]) if rules["scanner"] is not None else None
    return rules


def _rules(source: bytes) -> dict[str, Any]:
    """What load_rules() returns, the scanner as its regex's source: marshal data (dicts, lists, tuples, sets,
    strings, numbers), kept between runs."""
    import tomllib  # here, not at the top: 16 ms (python -X importtime), paid only when no kept copy is found

    data = tomllib.loads(source.decode("utf-8"))
    patterns = [_prepared(raw, 3) for raw in data["patterns"]]
    # One alternation of every trigger substring (a trie), run at every position of a line at C speed: the longest
    # trigger starting there and the triggers that are its prefixes are all that occur in the line, so the patterns
    # worth trying are known from one scan instead of each pattern's own substring tests (the multi-pattern
    # prefilter of docs/logs.md "Latency"); a line holding none is skipped.
    # (equal lengths in a fixed order: a set's order follows the hash seed, and a kept copy outlives the process)
    literals = sorted({s for p in patterns for s in p["any"]}, key=lambda s: (-len(s), s))
    # (the trie is the largest regex of the file: compiled once, by load_rules)
    scanner = "(?=(" + _trie_regex(literals) + "))" if literals else None
    triggers: dict[str, set[int]] = {}
    for i, p in enumerate(patterns):
        for s in p["any"]:
            triggers.setdefault(s, set()).add(i)
    return {
        "patterns": patterns,
        # wordings a cut-off last line may end inside, longest first (knowledge/logs/reader.py _cut_last_line)
        # (error codes written as one run-together word, "invalidimagename", are left out: a whole word ends there)
        "completions": tuple(
            s for s in literals if len(s) >= 6 and any(c.isalpha() for c in s) and (len(s) <= 12 or not s.isalpha())
        ),
        "causes": data["causes"],
        "placeholders": data["placeholders"],  # the words `filled` puts in the causes' texts
        "scanner": scanner,
        "triggers": triggers,  # trigger substring -> the patterns (file indices) it belongs to
        # frames read only when no wording matched (knowledge/logs/reader.py _backoff)
        "backoff": [_prepared(raw, 2) for raw in data.get("backoff", ())],
        "ignore": tuple(s.lower() for s in data.get("ignore", ())),
        "official_images": frozenset(data.get("official_images", ())),
    }


def _prepared(raw: dict[str, Any], tier: int) -> dict[str, Any]:
    """One pattern of the file, ready to match: trigger substrings lower-cased, its regex compiled on first use."""
    p = dict(raw)
    p["any"] = tuple(s.lower() for s in raw.get("any", ()))
    p["all"] = tuple(s.lower() for s in raw.get("all", ()))
    # Compiled on first use (_rx): most patterns' trigger substrings never occur in a paste, and compiling
    # all ~100 at start-up was the largest part of a cold `tcr-doctor ask`.
    p["rx"] = None
    p["rx_src"] = raw.get("regex")
    p["when"] = tuple(raw.get("when", ()))
    p["tier"] = int(raw.get("tier", tier))
    return p


def pattern_by_id(pattern_id: str | None) -> dict[str, Any] | None:
    """The pattern (or backoff frame) of knowledge/logpatterns.toml with this id, None when there is none."""
    rules = load_rules()
    return next((p for p in (*rules["patterns"], *rules["backoff"]) if p["id"] == pattern_id), None)


def pattern_rank(p: dict[str, Any]) -> int:
    """The pattern's place in knowledge/logpatterns.toml (earlier = more specific; a backoff frame after every
    pattern, anything else last)."""
    rules = load_rules()
    ordered = (*rules["patterns"], *rules["backoff"])
    return next((i for i, q in enumerate(ordered) if q is p), len(ordered))


def _trie_regex(words: list[str]) -> str:
    """One regex matching any of `words`, with common prefixes factored out (a trie): far faster for the regex
    engine than a flat alternation of hundreds of literals, and still free of nested quantifiers."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        if "" in node and len(node) == 1:
            return ""
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch != ""]
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return build(trie)


@functools.lru_cache(maxsize=64)
def faq_exists(faq_id: str) -> bool:
    """Whether the FAQ entry `faq_id` has a file in knowledge/faq/."""
    return any(FAQ_DIR.glob(f"*-{faq_id}.toml")) or (FAQ_DIR / f"{faq_id}.toml").exists()


# --- normalisation -----------------------------------------------------------------------------------------------


_CLOSERS = re.compile(r"""[\s"'`,;}\])*_]{1,12}$""")  # + markdown emphasis closing a quoted error (`_…denied_`)
_MIN_REST = 12  # characters after an informational phrase that can still hold an error of their own


def match_line(line: str, op: str | None, skip_ids: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """The first pattern (file order) whose wording `line` holds under operation `op`, skipping `skip_ids`; None
    when none does."""
    rules = load_rules()
    # Closing quotes and brackets of the JSON string or the log field the message sat in (`"stderr": "…: not
    # found"`, `msg="…"`): wordings that end a message (`: not found`, `: EOF`, a proxy's reason) end before them.
    line = _CLOSERS.sub("", line)
    lower = line.lower()
    found = {m.group(1) for m in rules["scanner"].finditer(lower)} if rules["scanner"] is not None else set()
    if not found:
        return None
    ignored = [lower.rfind(s) + len(s) for s in rules["ignore"] if s in lower]
    if ignored:
        # An informational line ("Pulling fs layer", "Use --password-stdin") names no failure, but a console that
        # rewrites progress in place, or a paste that lost its line breaks, glues the real error after it: only
        # what follows the last informational phrase is read.
        rest = line[max(ignored) :]
        return match_line(rest, op, skip_ids) if len(rest.strip()) >= _MIN_REST else None
    patterns = rules["patterns"]
    for i in sorted(set().union(*map(_patterns_of, found))):  # file order, only the patterns a trigger names
        p = patterns[i]
        if p["id"] in skip_ids:
            continue
        if p["when"] and op not in p["when"]:
            continue
        if p["all"] and not all(s in lower for s in p["all"]):
            continue
        if p["rx_src"] and not _rx(p).search(line):
            continue
        pattern: dict[str, Any] = p
        return pattern
    return None


@functools.lru_cache(maxsize=4096)
def _patterns_of(trigger: str) -> frozenset[int]:
    """The patterns (file indices) that `trigger`, found in a line, or a trigger it starts with belongs to (the
    scanner reports the longest trigger at a position; the shorter ones it starts with are there too)."""
    triggers: dict[str, set[int]] = load_rules()["triggers"]
    return frozenset(i for k in range(1, len(trigger) + 1) for i in triggers.get(trigger[:k], ()))


def match_backoff(line: str, op: str | None) -> dict[str, Any] | None:
    """The backoff frame `line` stands in (knowledge/logpatterns.toml `[[backoff]]`): a daemon's local failure in a
    pull, an HTTP status (read through the status wordings, as `unexpected status: …`), a registry's answer with an
    unknown message; None when it stands in none. Only for a paste where no wording matched."""
    line = _CLOSERS.sub("", line)
    lower = line.lower()
    for p in load_rules()["backoff"]:
        if p["when"] and op not in p["when"]:
            continue
        if p["any"] and not any(s in lower for s in p["any"]):
            continue
        m = _rx(p).search(line) if p["rx_src"] else None
        if p["rx_src"] and m is None:
            continue
        if p.get("status") and m is not None:
            status = m.group(0) if m.group("code") else m.group("json")  # "502 Bad Gateway", or a JSON body's 401
            q = match_line(f"unexpected status: {status}", op)
            if q is None:
                return None
            # read through the status wording, but what the line itself matched is the frame's ("400 Bad Request")
            return {**q, "tier": p["tier"], "backoff": p["id"], "any": p["any"], "rx": _rx(p), "rx_src": p["rx_src"]}
        frame: dict[str, Any] = p
        return frame
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
NETWORK_CAUSES = frozenset(
    "DNS_NXDOMAIN DNS_TIMEOUT TCP_TIMEOUT TCP_REFUSED HTTP_TIMEOUT TLS_UNTRUSTED TLS_HOSTNAME TLS_EXPIRED "
    "HTTP_NOT_HTTPS PROXY_ERROR SERVER_ERROR".split()
)
REGISTRY_TOOLS = frozenset("docker podman containerd kubelet skopeo crictl helm nerdctl buildah".split())
_REGISTRY_CONTEXT = LazyRe(
    r"docker|podman|containerd|kubelet|kubectl|skopeo|crictl|helm|nerdctl|buildah|buildkit|registry|/v2/|"
    r"harbor|tencentcloudcr|tencentyun|\bimages?\b|镜像|\bpull(?:ing)?\b|\bpush(?:ing)?\b|\blogin\b|manifest|"
    r"imagepull|errimagepull|\boci\b|\bblobs?\b|\bpod\b|\bcoding\b|\btcr\b|\bccr\b|unauthori[sz]ed|authenticat|"
    # wordings only a registry client prints (distribution's client: "error parsing HTTP 413 response body")
    r"error parsing http|unexpected http status|invalid status code from registry|"
    r"推送|拉取|拉镜像|推镜像|登录|登陆|仓库|容器|实例|账号"
)
_PROSE_WORDS = LazyRe(r"\b(?:i|we|my|our|often|sometimes|always|randomly|appears?|keeps?|occasionally)\b")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z0-9]+", re.IGNORECASE)


def describes(line: str, p: dict[str, Any]) -> bool:
    """Whether `line` is a sentence of the user's that only names what the pattern knows ("I deployed it with a
    self-signed certificate and login works"), rather than quoting an error: it reads as prose in the first person,
    has no output mark (`xxx: `, error, says, got ...) and the matched words are not inside quotes or backticks."""
    lower = line.lower()
    if not is_prose(line) or _OUTPUT_MARK.search(line) or not _PROSE_WORDS.search(lower):
        return False
    start = -1
    if p["rx_src"]:
        m = _rx(p).search(line)
        start = m.start() if m else -1
    if start < 0:
        start = next((lower.find(s) for s in p["any"] if s in lower), -1)
    if start < 0:
        return False
    before = line[:start]
    return not any(before.count(q) % 2 for q in ("`", '"')) and before.count("“") <= before.count("”")


_QUOTED = re.compile(r"`([^`\n]{3,600})`")
_PROGRAM_QUOTE = ("out: ", "output: ")


def quoted_output(line: str) -> str | None:
    """The `backticked` spans of a user's sentence ("I'm getting a `TLS handshake timeout` when pulling"): the output
    the sentence quotes, matched before the words around it. None when the line is not prose or quotes nothing."""
    if "`" not in line or not is_prose(line):
        return None
    # a program's own quoting is not the user's: docker-credential-helpers prints the helper's output as
    # "error storing credentials - err: %v, out: `%s`", the message before it decides
    spans = [m.group(1) for m in _QUOTED.finditer(line) if not line[: m.start()].endswith(_PROGRAM_QUOTE)]
    return " ".join(spans) if spans else None


def program_quote(line: str) -> str | None:
    """What a program quoted in backticks after `out: ` (docker-credential-helpers: the helper's own output), which
    can name its failure more precisely than the wrapper around it."""
    if "`" not in line:
        return None
    spans = [m.group(1) for m in _QUOTED.finditer(line) if line[: m.start()].endswith(_PROGRAM_QUOTE)]
    return " ".join(spans) if spans else None


def registry_context(text: str) -> bool:
    """False when `text` has words around its error (more lines, prose, Chinese) and none of them is about images,
    registries or container tools: then a timeout or TLS error in it is another program's, not a registry's."""
    lower = text.lower()
    if is_bare(lower):
        return True  # a bare error line: it was asked here, so it is read as the registry's
    return bool(_REGISTRY_CONTEXT.search(lower))


# a whole run of non-blanks holding "/" or "@", tried only where a run starts (up to 300 characters either side of
# the "/" tried from every character cost 600 steps a character: a 16,000-character line 0.26 s)
_PATH_TOKEN = LazyRe(r"(?<!\S)[^\s/@]*+[/@]\S*+")


def is_bare(lower: str) -> bool:
    """Whether the (lower-case) text is one error line with no words of the user's around it."""
    if "\n" in lower.strip() or _CJK_CHAR.search(lower):
        return False
    # a path or a module name is not a sentence ("github.com/a/i@v1.4.2" holds no pronoun)
    return not _PROSE_WORDS.search(_PATH_TOKEN.sub(" ", lower))


# Hosts that serve code, packages or web content, never container images (one list for the other-tool rule).
_OTHER_HOST = LazyRe(
    r"(?:^|\.)(?:github\.com|githubusercontent\.com|gitlab\.com|bitbucket\.org|jsdelivr\.net|pypi\.org|pypi\.python\.org|"
    r"pythonhosted\.org|npmjs\.org|npmjs\.com|yarnpkg\.com|npmmirror\.com|debian\.org|ubuntu\.com|alpinelinux\.org|"
    r"golang\.org|crates\.io|rubygems\.org|nuget\.org|maven\.org|gradle\.org|anaconda\.org|anaconda\.com|cloudflare\.com|"
    r"google\.com|baidu\.com|stackoverflow\.com)$"
)
_HOST_TOKEN = LazyRe(r"(?<![a-z0-9.@-])(?:[a-z0-9-]{1,63}\.){1,6}[a-z]{2,12}(?![a-z0-9-])")
_FILE_SUFFIX = LazyRe(r"\.(?:json|ya?ml|toml|conf|txt|md|py|go|js|sh|log|crt|pem|key|tar|gz|tgz|zip|exe|html?)$")


def is_other_host(host: str) -> bool:
    """Whether `host` (lower-case) serves code, packages or web content, never container images."""
    return bool(_OTHER_HOST.search(host))


# A URL the line says a request went to: after an HTTP method (Go's `Get "…"`, `HEAD …`) or a word of a transfer
# ("upload blob to …", "from …"), not advice such as "please file an issue at https://github.com/…"
_URL_HOST = LazyRe(
    r"\b(?:get|head|post|put|patch|delete|to|from|fetching|downloading|uploading)\s{1,3}[\"'`]?https?://"
    r"([^/\s\"'`<>]{0,253})(<[^>\s]{1,40}>)?(/[^\s\"'`]{0,300})?"
)
# A registry API path or a layer's redirect (GHCR's pkg-containers.githubusercontent.com/ghcr1/blobs/sha256:…)
_REGISTRY_PATH = LazyRe(r"/v2/|/blobs/|/manifests/")


def line_hosts(line: str) -> list[str] | None:
    """The hosts one (lower-case) error line sent requests to, by the URLs it names after a method or a transfer
    word (a host masked as `<redacted>` is kept as written; a registry API or layer path counts as `<registry>`:
    neither is ever an other-program host); None when it names none."""
    urls = _URL_HOST.findall(line)
    if not urls:
        return None
    return [
        (host or masked).split("@")[-1].split(":")[0] if not _REGISTRY_PATH.search(path) else "<registry>"
        for host, masked, path in urls
    ]


def only_other_hosts(text: str) -> bool:
    """Whether `text` (lower-case) names at least one host and every host it names serves code, packages or web
    content rather than container images (file names such as `config.json` are not hosts)."""
    hosts = {h for h in _HOST_TOKEN.findall(text) if not _FILE_SUFFIX.search(h)}
    return bool(hosts) and all(_OTHER_HOST.search(h) for h in hosts)


def _rx(p: dict[str, Any]) -> re.Pattern[str]:
    """Pattern `p`'s regex, compiled on first use."""
    rx: re.Pattern[str] | None = p["rx"]
    if rx is None:
        rx = p["rx"] = re.compile(p["rx_src"], re.IGNORECASE)
    return rx


def denied_by_author(line: str, p: dict[str, Any]) -> bool:
    """Whether `line` is the author's sentence and every match of pattern `p`'s regex in it stands inside a family
    the author denies ("docker pull fails, no error 404 or anything": `prose.denied_spans`); never for a pattern with no
    regex or a line of output."""
    if not p["rx_src"] or not is_prose(line):
        return False
    denied = denied_spans(line)
    if not denied:
        return False
    k, found = 0, False
    for m in _rx(p).finditer(line):  # both in order: one pass over each (linear on a line of many matches)
        while k < len(denied) and denied[k][1] < m.end():
            k += 1
        if k == len(denied) or not denied[k][0] <= m.start():
            return False
        found = True
    return found


def asks_about(line: str, p: dict[str, Any]) -> bool:
    """Whether `line` is a person's question or sentence that merely names a subject the pattern knows ("ccr quota?",
    "临时登录密码多久过期", "personal edition quota namespaces repos tags", "is there a rate limit on pulls?") rather
    than quoting an error. Never when the line has an output mark (`xxx: `, error, says, got, 报错 ...) or the matched
    words hold a colon or a code (x509, 403). A question or a Chinese line is such a sentence unless the match is an
    error wording of two Latin words; another sentence of the user's own (`is_prose`) when the match is one word, or
    an English question quoting nothing, and the line names no failure (`_FAILURE`)."""
    if _OUTPUT_MARK.search(line):
        return False
    matched = matched_words(line, p)
    if ":" in matched or any(ch.isdigit() for ch in matched):
        return False
    words = len(_LATIN_WORD.findall(matched))
    question, cjk = bool(_QUESTION_LINE.search(line)), bool(_CJK_CHAR.search(line))
    if (question or cjk) and words < 2:
        return True
    if not is_prose(line) or not (words < 2 or (question and not cjk and not _QUOTE.search(line))):
        return False
    return not _FAILURE.search(line)  # a subject: "quota", "imagePullSecrets", "is there a rate limit on pulls?"


# Words that say something went wrong: in an English sentence of the user's own, a match without one names a
# subject (quota, a rate limit, imagePullSecrets), not an error it quotes ("says authentication required").
_FAILURE = LazyRe(
    r"error|denied|unauthori[sz]ed|forbidden|fail|x509|time[sd]? ?out|no such|refused|not found|unknown|invalid|"
    r"expired?|exceed|trust|too many|toomanyrequests|required|cannot|can't|unable|reset|eof|does not exist|"
    r"doesn't exist|incorrect|wrong|mismatch|no matching|not allowed|not permitted|blocked|limit(?:ed| reached)|"
    # a program's one-word status or exception name: NXDOMAIN, ImagePullBackOff, ErrImagePull, ECONNRESET, SSLError
    r"nxdomain|servfail|backoff|errimage|exception|econn|ehost|enet|unreach|sslerr",
    re.IGNORECASE,
)
# A quote in a sentence: the user quotes a program or a setting ('insecure_skip_verify true'), not a subject's name.
_QUOTE = re.compile("[`\"'“”‘’]")


def matched_words(line: str, p: dict[str, Any]) -> str:
    """The words of `line` that pattern `p` matched: its regex's match, else the first trigger substring found."""
    if p["rx_src"]:
        m = _rx(p).search(line)
        if m:
            return m.group(0)
    lower = line.lower()
    return next((s for s in p["any"] if s in lower), "")


def crosses(line: str, p: dict[str, Any], at: int) -> bool:
    """Whether pattern `p`'s match in `line` (its regex's, else its trigger substrings') spans position `at` (a
    join of two lines): the wording was split there."""
    if p["rx_src"]:
        return any(m.start() < at < m.end() for m in _rx(p).finditer(line))
    lower = line.lower()
    for s in p["any"]:
        start = lower.find(s)
        while start >= 0:
            if start < at < start + len(s):
                return True
            start = lower.find(s, start + 1)
    return False


# A sentence that only names the outcome ("After that, the login failed.", "登录失败了"): the user retelling what the
# output above it said, not a program's reason (knowledge/logs/reader.py keeps such a line below the output's).
_PLAIN_OUTCOME = re.compile(r"(?:docker )?(?:login|log in|authentication) (?:has |is |was )?failed|登录失败|登陆失败")


def retells_outcome(line: str, p: dict[str, Any]) -> bool:
    """Whether `line` is a user's sentence whose only error wording is a plain outcome (the login failed), which a
    program's specific reason in the same paste outranks."""
    return bool(_PLAIN_OUTCOME.fullmatch(matched_words(line, p).lower())) and is_prose(line) and not quoted_output(line)


def confirming_codes(cause: str) -> list[str]:
    """Diagnostics finding codes that confirm `cause` when they fail or warn."""
    return list(load_rules()["causes"][cause].get("confirm", []))


# The placeholders of the causes' texts (knowledge/logpatterns.toml): filled, as the diagnosis's finding texts are
# (diagnostics.findings.fill), from the evidence line a reading shows. `{port}`: the port a TCP failure dialled
# (`dial tcp 10.0.0.1:5000: …`, curl's `port 5000`), else HTTPS's 443; `{port_check}`: the check of it a fix asks for;
# `{server_error}`: "a server error (5xx)", or the 4xx status the evidence shows instead (a gateway's 413 or a token
# service's 400 read as the registry's fault is no 5xx: qa12).
_DIALED_PORT = re.compile(r"\bdial tcp \S+?:(\d{1,5}):|\bport (\d{1,5})\b")
# The HTTP status an error line shows, as Go's net/http and the registry clients print one ("unexpected status: 400 Bad
# Request", "returned 400", "error parsing HTTP 413 response body", "StatusCode: 413", "(Code: 404;", "Status 404"): a
# status word before it, or its reason phrase after it (never a bare number: ":443" is a port).
_STATUS_SAID = re.compile(
    r"(?:\b(?:status(?: code)?|HTTP|returned|Code|StatusCode|RESPONSE)[:=]?\s?\[?(\d{3})\b)"
    r"|\b(\d{3}) (?:Bad Request|Unauthorized|Forbidden|Not Found|Method Not Allowed|Not Acceptable|Request Time-?out|"
    r"Conflict|Gone|Precondition Failed|Request Entity Too Large|Payload Too Large|Unsupported Media Type|"
    r"Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out)\b",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"\{(port|port_check|server_error)\}")


def dialled_port(evidence: str | None) -> str | None:
    """The port the evidence line of a pasted log dialled, or None when it names none."""
    m = _DIALED_PORT.search(evidence or "")
    return (m.group(1) or m.group(2)) if m else None


def _client_status(evidence: str | None) -> str | None:
    """The 4xx status the evidence line shows, when it shows statuses and no 5xx among them; else None."""
    statuses: list[str] = [a or b for a, b in _STATUS_SAID.findall(evidence or "")]
    if not statuses or any(s.startswith("5") for s in statuses) or not statuses[0].startswith("4"):
        return None
    return statuses[0]


def _values(name: str, evidence: str | None, lang: str) -> str:
    # (the words are the rules file's `[placeholders]`, beside the texts they go into)
    words = load_rules()["placeholders"]
    if name == "server_error":
        status = _client_status(evidence)
        if status is None:
            return str(words["server_error"][lang])
        return str(words["server_error_status"][lang]).format(status=status)
    port = dialled_port(evidence) or "443"
    if name == "port":
        return port
    if port == "443":
        return str(words["port_check"][lang])
    return str(words["port_check_dialled"][lang]).format(port=port)


def filled(texts: Texts, evidence: str | None = None) -> Texts:
    """TEXTS ({zh, en} of a cause or pattern) with their placeholders filled from the `evidence` line a reading shows
    (None: said of no particular line: HTTPS's port, a 5xx); any other brace stays as written."""
    out = {}
    for lang, text in texts.items():
        if "{" in text:
            text = _PLACEHOLDER.sub(functools.partial(_fill_one, evidence, lang), text)
        out[lang] = text
    return out


def _fill_one(evidence: str | None, lang: str, m: re.Match[str]) -> str:
    return _values(m.group(1), evidence, lang)


def cause_text(code: str) -> CauseText:
    """Summary and fix of a cause code ({"summary": {zh, en}, "fix": {zh, en}, "faq": id|None}), said of a registry
    on HTTPS's port."""
    meta = load_rules()["causes"][code]
    faq = meta.get("faq")
    return {
        "summary": filled(meta["summary"]),
        "fix": filled(meta["fix"]),
        "faq": faq if faq and faq_exists(faq) else None,
    }


def agreeing_entries(code: str, tool: str | None = None) -> frozenset[str]:
    """FAQ entry ids whose answer tells the same story as cause `code` seen in `tool`'s output: its `faq` (for
    kubelet its `faq_kubelet` instead: a cluster's pull failure is the cluster-pull entry) and its `agrees`."""
    meta = load_rules()["causes"].get(code) or {}
    faq = (meta.get("faq_kubelet") if tool == "kubelet" else None) or meta.get("faq")
    return frozenset(i for i in (faq, *meta.get("agrees", ())) if i)


def fix_text(
    code: str, pattern: dict[str, Any] | None = None, *, tcr: bool = True, evidence: str | None = None
) -> Texts:
    """The fix ({zh, en}) for cause `code` as matched by `pattern`: TCR's own advice, or with `tcr` False (the registry
    is another vendor's or self-hosted) the same advice without TCR's console, CAM, instances or quotas; its
    placeholders filled from the `evidence` line shown (`filled`)."""
    meta = load_rules()["causes"][code]
    pattern = pattern or {}
    if not tcr:
        for source in (pattern, meta):
            if source.get("fix_other"):
                return filled(source["fix_other"], evidence)
    return filled(pattern.get("fix") or meta["fix"], evidence)


def for_other_registry(result: LogCause) -> LogCause:
    """A pasted-log result (`explain`) for a message about another vendor's registry: no FAQ entry, and the
    vendor-neutral fix."""
    pattern, evidence = pattern_by_id(result.get("pattern")), result.get("evidence")
    return {**result, "faq": None, "fix": fix_text(result["cause"], pattern, tcr=False, evidence=evidence)}


# The generic wordings whose cause the rules guess and the learned model may overrule (`overrulable`): GENERIC_IDS but
# `name-unknown` ("repository X not found" names its cause; the model mistakes it for a missing tag) and
# `pull-access-denied` (the labels' convention reads it as a missing login unless the text says otherwise; the model's
# other readings of it were right 6 times and wrong 3 on held-out rounds, and wrong on 3 written lines): docs/logs.md.
OVERRULABLE_IDS = frozenset(GENERIC_IDS) - {"name-unknown", "pull-access-denied"}


def overrulable(reading: LogCause) -> bool:
    """Whether the rules' `reading` is weak enough for the learned model to put another cause first: a generic
    wording whose cause the rules guess (a bare 401 or `denied`, `manifest unknown`, an EOF: OVERRULABLE_IDS), a
    backoff frame (no wording matched, only the line's shape), or a low-tier line. A learned reading itself is not,
    nor one whose cause is not its wording's own: the credential story, the user's account or the paste's other lines
    decided it (logs10; leave-one-round-out over r1-r8: +2 lines of 2,652, no round worse, docs/logs.md)."""
    if reading.get("learned") or not wordings_own(reading):
        return False
    pattern = str(reading.get("pattern") or "")
    return reading.get("confidence") == "low" or pattern in OVERRULABLE_IDS or pattern.startswith("backoff-")


def wordings_own(reading: LogCause) -> bool:
    """Whether the cause of the rules' `reading` is its wording's own (the first cause of its pattern), not one the
    credential story, the user's account or the paste's other lines decided (a Hub name too deep to exist, C3)."""
    pattern = str(reading.get("pattern") or "")
    own = next((p for p in load_rules()["patterns"] if p["id"] == pattern), None)
    return own is None or own["cause"] == reading.get("cause")
