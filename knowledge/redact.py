"""THE secret detector: every channel masks pasted secrets with `redact` before anything is stored, logged, echoed,
posted or counted (questions, log evidence, reports, storage, Slack, metric labels, log records).

`redact(text) -> (masked_text, kinds)`; `kinds` lists what was found (sorted, unique), e.g.
["docker-login-password", "jwt"]. Every pattern is linear-time (bounded quantifiers, no nested repetition).

The provider token formats (AWS, Slack, GitHub, GitLab, PEM private keys, npm, PyPI, OpenAI, Stripe, SendGrid)
follow the detectors of Yelp's detect-secrets, which the tests run as an oracle over the same planted secrets
(tests/test_redact.py). It is not imported at run time: importing it costs ~0.8 s (it pulls in its scanning core
and requests), its API reports values per line rather than spans in free text, and its high-entropy detectors
would mask image digests and hashes that are the evidence of a pasted log. TCR's own kinds (AKID SecretId /
SecretKey, `tcr$` service accounts, docker config `auth`, login flags) have no detector there.
"""

from __future__ import annotations

import re
from collections.abc import Callable

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    import logging

MASK = "****"

_TOKEN = r"[^\s\"']{1,512}"
_QUOTED = r"\"[^\"\n]{1,512}\"|'[^'\n]{1,512}'"
# Words that begin the output following an interactive `Password:` prompt (docker/podman print it without a
# newline when stdin is not a terminal): they are not the password.
# A label is not the value of the label before it ("PASSWORD: 密码是 X", "token: password: X"): the value is the
# text after the last label, so a value may not start with another label.
_NOT_A_LABEL = r"(?!(?:password|passwd|pwd|token|secret|access[_-]?token|client[_-]?secret)\b|密码|口令|令牌)"

_PROMPT_FOLLOWERS = (
    r"(?!(?-i:Error|error|ERROR|WARNING|Warning|warning|Login|login|Logging|Succeeded|unauthorized|denied|Get|"
    r"Head|Post|Put|https?|Username|Password|Authenticating|Cannot|cannot|The|fatal|failed|Failed|time|level|"
    r"DEBU|INFO|WARN|ERRO|FATA)\b)"
    r"(?![$>#])"
)
# What people and tools say about a secret is not the secret: "my password is not accepted", "the token is expired",
# containerd's "failed to fetch oauth token: unexpected status: 401 Unauthorized", "密码是对的". A value is neither
# one of these words, nor an HTTP status with its reason, nor Chinese text (a value stops where Chinese starts:
# "密码是X登录不上" masks X and keeps the question).
_ABOUT_A_SECRET = (
    r"(?!(?:not|no|wrong|incorrect|correct|right|invalid|valid|expired|expiring|empty|missing|required|unexpected|"
    r"ok|okay|fine|the|a|an|my|your|our|its|this|that|it|still|also|being|been|set|changed|reset|rejected|accepted|"
    r"same|different|blank|null|none|nil|undefined|what|which|how|why|where|definitely|really|probably|supposed|"
    r"needed|used|given|provided|saved|stored|correctly|generated|created|via|too)(?![\w-]))"
    r"(?![1-5][0-9][0-9][ \t]{1,5}(?:unauthori[sz]ed|forbidden|not found|bad |too many|internal|service|gateway))"
    r"(?!(?-i:[\u3400-\u9fff\uff01-\uff20]))"
)
# `docker run -p 5000:5000`, `-p 127.0.0.1:443:5000/tcp`: ports, not a password
_PORTS = r"[0-9.:\[\]]{0,64}[0-9]:[0-9]{1,5}(?:-[0-9]{1,5})?(?:/(?:tcp|udp|sctp))?(?![^\s\"'`])"
_NOT_CJK = r"\u3000-\u303f\u3400-\u9fff\uff01-\uff20"
# Inside a (?i) pattern these classes sit in (?-i:...): they hold no cased character, so the match is the same, but
# under IGNORECASE Python's re compiles a class by case-folding each of its ~27,000 code points (about 20 ms of the
# first redaction in every process: `tcr-doctor diagnose`'s output, `ask`).


class _Lazy:
    """A pattern compiled when it is first run. A text runs only the patterns whose needles it holds (below), and
    compiling all of them cost ~9 ms of every command's start-up (`tcr-doctor diagnose` runs 6 of the 14)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern, self.flags = pattern, flags
        self._compiled: re.Pattern[str] | None = None

    def fullmatch(self, text: str) -> bool:
        """Whether the whole of `text` matches."""
        return self._pattern().fullmatch(text) is not None

    def _pattern(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def search(self, text: str) -> bool:
        """Whether the pattern matches somewhere in `text`."""
        return self._pattern().search(text) is not None

    def sub(self, repl: Callable[[re.Match[str]], str], text: str) -> str:
        """re.Pattern.sub with the compiled pattern."""
        return self._pattern().sub(repl, text)


# A value that stands for a secret without being one: `-p $DOCKER_PASSWORD`, `${{ secrets.X }}`, `<password>`,
# `xxx`, `***`: masking it would tell the user to rotate a credential they never pasted.
_PLACEHOLDER = _Lazy(
    r"(?i)(?-i:\$[A-Z_][A-Z0-9_]{0,127})|\$\{\w{1,128}\}|\$\{\{.{0,256}\}\}|\{\{.{0,256}\}\}|\$\(.{0,256}\)|`[^`]{0,256}`|<[^<>]{0,64}>|\[[^\[\]]{0,64}\]"
    r"|[x*]{1,64}|password|passwd|secret|token|your[_-]?password|my[_-]?password"
)

# (kind, pattern, group to mask). Order matters: specific before generic.
_PATTERNS: list[tuple[str, _Lazy, str]] = [
    # PEM private keys, the whole block (to the END line, or to the end of a truncated paste)
    (
        "private-key",
        _Lazy(
            r"(?P<s>-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,65536}?"
            r"(?:-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----|\Z))"
            r"|(?P<p>PuTTY-User-Key-File-[0-9]:[\s\S]{0,65536}?(?:Private-MAC:[^\n]{0,200}|\Z))"
        ),
        "s|p",
    ),
    # docker/podman/nerdctl/helm/kubectl/skopeo: -p SECRET | --password SECRET | --docker-password=SECRET | ...
    (
        "docker-login-password",
        _Lazy(
            r"(?<![\w-])(?:-p|--password|--registry-password|--docker-password|--secret-key|--passphrase)"
            rf"(?:=|[ \t]{{1,10}}(?!via(?![\w-])))(?!{_PORTS}|`|\$\(|[{_NOT_CJK}])(?P<s>{_QUOTED}|{_TOKEN})"
        ),
        "s",
    ),
    # user:password pairs: skopeo --creds / --src-creds, TCR service accounts (tcr$name:token)
    (
        "service-account-credentials",
        _Lazy(
            r"(?:(?<![\w-])--(?:src-|dest-)?creds(?:=|[ \t]{1,10})[\"']?[^:\s\"']{1,128}|\btcr\$[\w.@-]{1,128}):"
            r"(?P<s>[^\s\"'@]{1,512})"
        ),
        "s",
    ),
    # basic auth in a URL: scheme://user:pass@host
    ("url-credentials", _Lazy(r"(?i)\b[a-z][a-z0-9+.-]{0,15}://[^\s:/@]{1,256}:(?P<s>[^\s@/]{1,512})@"), "s"),
    # Slack tokens and incoming-webhook URLs
    (
        "slack-token",
        _Lazy(
            r"(?P<s>\bxox[abposre]-[A-Za-z0-9-]{8,255}|\bxapp-[0-9]-[A-Za-z0-9-]{8,255}"
            r"|https://hooks\.slack\.com/services/T[A-Za-z0-9_]{1,20}/B[A-Za-z0-9_]{1,20}/[A-Za-z0-9_]{1,64})"
        ),
        "s",
    ),
    # GitHub, GitLab, npm, PyPI, OpenAI, Stripe, SendGrid tokens
    (
        "access-token",
        _Lazy(
            r"(?P<s>\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36,255}|\bgithub_pat_[A-Za-z0-9_]{22,255}"
            r"|\b(?:glpat|gldt|glft|glsoat|glrt|glcbt|glptt|gloas)-[A-Za-z0-9_-]{20,255}"
            r"|\bnpm_[A-Za-z0-9]{36}\b|\bpypi-AgE[A-Za-z0-9_-]{50,512}|\bsk-(?:proj-)?[A-Za-z0-9_-]{32,255}"
            r"|\b[rs]k_(?:live|test)_[0-9a-zA-Z]{24,255}|\bSG\.[\w-]{22}\.[\w-]{43})"
        ),
        "s",
    ),
    # AWS access key ids, and secret access keys next to an aws...key name
    ("aws-access-key", _Lazy(r"(?P<s>\b(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}\b)"), "s"),
    (
        "aws-secret-key",
        _Lazy(
            r"(?i)aws[\w.-]{0,20}?(?:secret|key)[\w.-]{0,20}[\"']?[ \t]{0,5}[:=][ \t]{0,5}[\"']?"
            r"(?P<s>[0-9a-zA-Z/+]{40})(?![0-9a-zA-Z/+])"
        ),
        "s",
    ),
    # JSON Web Tokens (registry bearer tokens, TCR long-term passwords)
    ("jwt", _Lazy(r"(?P<s>\beyJ[A-Za-z0-9_-]{5,4096}\.[A-Za-z0-9_-]{5,4096}(?:\.[A-Za-z0-9_-]{0,4096})?)"), "s"),
    # Authorization: Bearer/Basic ... (a token has a digit or base64 padding: "Basic authentication" is prose)
    (
        "bearer-token",
        _Lazy(r"(?i)\b(?:bearer|basic)[ \t]{1,10}(?=[A-Za-z._~+/-]{0,4096}[0-9=+/])(?P<s>[A-Za-z0-9._~+/=-]{8,4096})"),
        "s",
    ),
    # docker config.json "auth": "base64", "identitytoken": "...", "registrytoken": "..."
    (
        "docker-config-auth",
        _Lazy(r"(?i)\"(?:auth|identitytoken|registrytoken)\"[ \t]{0,5}:[ \t]{0,5}\"(?P<s>[^\"\n]{1,8192})\""),
        "s",
    ),
    # Tencent Cloud SecretId (AKID + 32-40 characters)
    ("tencent-secret-id", _Lazy(r"(?P<s>\bAKID[A-Za-z0-9]{13,40}\b)"), "s"),
    # SecretKey / secret_key / TENCENTCLOUD_SECRET_KEY = value, or "SecretKey value" with no separator at all
    (
        "tencent-secret-key",
        _Lazy(
            r"(?i)\b(?:tencentcloud_)?secret[_-]?key\b[\"']?[ \t]{0,5}(?:[:=：][ \t]{0,5}|[ \t])[\"']?"
            r"(?P<s>[A-Za-z0-9/+=]{16,128})"
        ),
        "s",
    ),
    # password: x / password=x / "password": "x" / 密码: x  (also passwd, pwd, token, secret); not the word that
    # follows an interactive "Password:" prompt
    (
        "password",
        _Lazy(
            r"(?i)(?:\b(?:password|passwd|pwd|token|secret|access[_-]?token|client[_-]?secret)\b|密码|口令|令牌)"
            r"[\"']?[ \t]{0,5}(?:[:=：]|\bis\b|是|为)[ \t]{0,5}"
            + _PROMPT_FOLLOWERS
            + _NOT_A_LABEL
            + _ABOUT_A_SECRET
            + rf"(?P<s>\"[^\"\n]{{1,512}}\"|'[^'\n]{{1,512}}'|(?-i:[^\s\"',;，。{_NOT_CJK}]){{1,512}})"
        ),
        "s",
    ),
]


# kind -> lower-case substrings one of which every match contains: a pattern whose needles are all absent is not
# run (most texts hold no secret; this keeps a long paste to a few substring scans).
_NEEDLES: dict[str, tuple[str, ...]] = {
    "private-key": ("private key", "putty-user-key-file"),
    "docker-login-password": ("-p", "--"),
    "service-account-credentials": ("creds", "tcr$"),
    "url-credentials": ("://",),
    "slack-token": ("xox", "xapp-", "hooks.slack.com"),
    "access-token": (
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "gl",
        "npm_",
        "pypi-",
        "sk-",
        "k_live_",
        "k_test_",
        "sg.",
    ),
    "aws-access-key": ("a3t", "abia", "acca", "akia", "asia"),
    "aws-secret-key": ("aws",),
    "jwt": ("eyj",),
    "bearer-token": ("bearer", "basic"),
    "docker-config-auth": ('"auth"', 'token"'),
    "tencent-secret-id": ("akid",),
    "tencent-secret-key": ("secret",),
    "password": ("pass", "pwd", "token", "secret", "密码", "口令", "令牌"),
}

# IGNORECASE matches "İ" and "ı" as i and "ſ" as s, which str.lower() does not turn into i and s (it does turn the
# Kelvin sign into k): in a text without them, the ASCII words of a (?i) pattern are in the lower-cased text as such.
# tests/test_redact.py checks this list against every code point.
_FOLDED_OTHERWISE = ("\u0130", "\u0131", "\u017f")


def _lowers_plainly(text: str) -> bool:
    """Whether every letter an IGNORECASE pattern matches as an ASCII letter in `text` is that letter in
    `text.lower()`."""
    return text.isascii() or not any(c in text for c in _FOLDED_OTHERWISE)


def _literals(*literals: str) -> Callable[[str, str], bool]:
    """The gate of a case-sensitive pattern each of whose matches holds one of `literals`."""
    return lambda text, lower: any(literal in text for literal in literals)


def _lowered(test: Callable[[str], bool], pattern: str) -> Callable[[str, str], bool]:
    """The gate of an IGNORECASE pattern: `test(lower)`, a scan of the lower-cased text for what each match holds
    (lower-case ASCII, uncased characters), where the text lowers plainly; else `pattern` (same flags) on the text."""
    fallback = _Lazy(pattern)
    return lambda text, lower: test(lower) if _lowers_plainly(text) else fallback.search(text)


def _followed(lower: str, words: tuple[str, ...], rest: Callable[[str, int], bool]) -> bool:
    """Whether one of `words` is in `lower` with `rest(lower, end of the word)` true."""
    for word in words:
        at = lower.find(word)
        while at >= 0:
            if rest(lower, at + len(word)):
                return True
            at = lower.find(word, at + 1)
    return False


def _separator_after(lower: str, i: int) -> bool:
    r"""["']?[ \t]{0,5}(?:[:=：是为]|is) at `i` (a quote, when there, is taken: the others cannot match it)."""
    i += lower.startswith(('"', "'"), i)
    spaces = i
    while spaces < i + 5 and lower.startswith((" ", "\t"), spaces):
        spaces += 1
    return lower.startswith((":", "=", "：", "是", "为", "is"), spaces)


def _token_after(lower: str, i: int) -> bool:
    r"""[ \t]{1,10} then 8 characters that are not space, quote or backslash (a superset of the token's class)."""
    spaces = i
    while spaces < i + 10 and lower.startswith((" ", "\t"), spaces):
        spaces += 1
    token = lower[spaces : spaces + 8]
    return spaces > i and len(token) == 8 and not any(c.isspace() or c in "\"'\\" for c in token)


# kind -> a cheap test that every match of the kind's pattern passes, run when a needle is found and before the
# pattern is compiled. Needles are loose (`--username`, `/token`, `Bearer realm=`: the words of any registry report
# or log), and compiling a pattern costs 0.1-4 ms (`password`: its ~80 words under IGNORECASE), as does compiling a
# regular expression as a gate (~1 M instructions at the least). A gate asks for less than its pattern does (the
# pattern with its boundaries, look-arounds and value rules left out): literals, for a case-sensitive pattern; a scan
# of the lower-cased text, for an IGNORECASE one (see _lowered). So a text a gate rejects is one the pattern leaves
# unchanged, and what is masked stays the same: tests/test_redact.py checks each gate against its pattern on
# generated texts, and runs the redactor with and without the gates on every open text of tests/data.
_GATES: dict[str, Callable[[str, str], bool]] = {
    # the flags: -p, --password, --registry-password, --docker-password, --passphrase hold "-p"
    "docker-login-password": _literals("-p", "--secret-key"),
    "url-credentials": _literals("@"),
    "access-token": _literals(
        *("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "npm_", "pypi-AgE", "sk-", "k_live_", "k_test_"),
        *("glpat-", "gldt-", "glft-", "glsoat-", "glrt-", "glcbt-", "glptt-", "gloas-", "SG."),
    ),
    "bearer-token": _lowered(
        lambda lower: _followed(lower, ("bearer", "basic"), _token_after),
        r"(?i)(?:bearer|basic)[ \t]{1,10}[^\s\"'\\]{8}",
    ),
    "docker-config-auth": _lowered(
        lambda lower: any(word in lower for word in ('"auth"', '"identitytoken"', '"registrytoken"')),
        r"(?i)\"(?:auth|identitytoken|registrytoken)\"",
    ),
    # a label's last word (access_token ends in token, client_secret in secret), then what separates it from a value
    "password": _lowered(
        lambda lower: _followed(
            lower, ("password", "passwd", "pwd", "token", "secret", "密码", "口令", "令牌"), _separator_after
        ),
        r"(?i)(?:password|passwd|pwd|token|secret|密码|口令|令牌)[\"']?[ \t]{0,5}(?:[:=：是为]|is)",
    ),
}


def _gate_passes(kind: str, text: str, lower: str | None = None) -> bool:
    """False when `kind`'s gate shows that its pattern cannot match `text` (True for a kind with no gate)."""
    gate = _GATES.get(kind)
    return gate is None or gate(text, text.lower() if lower is None else lower)


def _may_match(kind: str, text: str, lower: str) -> bool:
    """False when `kind`'s pattern cannot match `text`: none of its needles is in `lower`, or its gate rejects it."""
    return any(needle in lower for needle in _NEEDLES[kind]) and _gate_passes(kind, text, lower)


def redact(text: str) -> tuple[str, list[str]]:
    """`text` with every pasted secret masked as ****, and the sorted kinds found."""
    if not isinstance(text, str) or not text:
        return text, []
    kinds: set[str] = set()
    lower = text.lower()
    for kind, rx, groups in _PATTERNS:
        if not _may_match(kind, text, lower):
            continue

        def _sub(m: re.Match[str], kind: str = kind, groups: str = groups) -> str:
            group = next((g for g in groups.split("|") if m.group(g)), None)
            if group is None:
                return m.group(0)
            secret = m.group(group)
            bare = secret[1:-1] if len(secret) > 1 and secret[0] == secret[-1] and secret[0] in "\"'" else secret
            if not secret or MASK in secret or secret.endswith(":") or _PLACEHOLDER.fullmatch(bare.strip()):
                return m.group(0)
            kinds.add(kind)
            quote = secret[0] if secret[0] in "\"'" and len(secret) > 1 and secret[-1] == secret[0] else ""
            start, end = m.span(group)
            base = m.start(0)
            whole = m.group(0)
            return whole[: start - base] + quote + MASK + quote + whole[end - base :]

        text = rx.sub(_sub, text)
        lower = text.lower()
    return text, sorted(kinds)


class RedactingFilter:
    """A logging filter that masks secrets in every record it sees (message and arguments, once formatted).

    Attach it to handlers (`install_log_redaction`) so that no log line, at any level, carries a pasted secret.
    Not a logging.Filter subclass: handlers take any object with `filter(record)`, and importing logging here cost
    every command ~4 ms of start-up although only the servers install the filter.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask secrets in the record's message and arguments; always keeps the record."""
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string: keep the record as the logging module would
            return True
        masked, kinds = redact(message)
        if kinds:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            import logging

            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted)[0]
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)[0]
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Put a RedactingFilter on every handler of `logger` (default: the root logger), once."""
    import logging

    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
