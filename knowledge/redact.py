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

import functools
import re
from collections.abc import Callable, Iterator

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
_NOT_A_LABEL = (
    r"(?!(?:password|passwd|pwd|token|secret|access[_-]?token|client[_-]?secret)\b|密码|口令|令牌|密钥|秘钥|凭证|凭据)"
)

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
    r"needed|used|given|provided|saved|stored|correctly|generated|created|via|too|true|false|yes|on|off|[0-9])(?![\w-]))"
    r"(?![1-5][0-9][0-9][ \t]{1,5}(?:unauthori[sz]ed|forbidden|not found|bad |too many|internal|service|gateway))"
    r"(?!(?-i:[\u3400-\u9fff\uff01-\uff20]))"
)
# `docker run -p 5000:5000`, `-p 127.0.0.1:443:5000/tcp`: ports, not a password
_PORTS = r"[0-9.:\[\]]{0,64}[0-9]:[0-9]{1,5}(?:-[0-9]{1,5})?(?:/(?:tcp|udp|sctp))?(?![^\s\"'`])"
_NOT_CJK = r"\u3000-\u303f\u3400-\u9fff\uff01-\uff20"
# Where a label may start: not inside a word, but after the _ or - of a variable's or key's name (DOCKER_PASSWORD,
# CI_REGISTRY_PASSWORD, x-api-key, TENCENTCLOUD_SESSION_TOKEN) or at the capital of a camel-case one
# (registryPassword). Look-behinds, not a name prefix: a prefix is tried at every word of a text.
_LABEL_START = r"(?:(?<![A-Za-z0-9])|(?-i:(?<=[a-z0-9])(?=[A-Z])))"
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

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """re.Pattern.finditer with the compiled pattern."""
        return self._pattern().finditer(text)


# A value that stands for a secret without being one: `-p $DOCKER_PASSWORD`, `${{ secrets.X }}`, `<password>`,
# `xxx`, `***`: masking it would tell the user to rotate a credential they never pasted.
_PLACEHOLDER = _Lazy(
    r"(?i)(?-i:\$[A-Z_][A-Z0-9_]{0,127})|\$\{\w{1,128}\}|\$\{\{.{0,256}\}\}|\{\{.{0,256}\}\}|\$\(.{0,256}\)|`[^`]{0,256}`|<[^<>]{0,64}>|\[[^\[\]]{0,64}\]"
    r"|[x*]{1,64}|password|passwd|secret|token|your[_-]?password|my[_-]?password|redacted|hidden|removed|censored|masked"
    # a name standing for the value: PAT_TOKEN, REGISTRY_PASSWORD
    r"|(?-i:[A-Z][A-Z0-9_]{0,63}_(?:TOKEN|PASSWORD|PASSWD|SECRET|KEY|PASS))"
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
    # (not `-p echo SECRET | docker login --password-stdin`: masking `echo` hid the pipe's secret from stdin-password)
    (
        "docker-login-password",
        _Lazy(
            r"(?<![\w-])(?:-p|--password|--registry-password|--docker-password|--secret-key|--passphrase)"
            rf"(?:=|[ \t]{{1,10}}(?!via(?![\w-])|(?:echo|printf)[ \t]))(?!{_PORTS}|`|\$\(|[{_NOT_CJK}])"
            rf"(?P<s>{_QUOTED}|{_TOKEN})"
        ),
        "s",
    ),
    # user:password pairs: skopeo --creds / --src-creds, TCR service accounts (tcr$name:token)
    (
        "service-account-credentials",
        _Lazy(
            r"(?:(?<![\w-])--(?:src-|dest-)?creds(?:=|[ \t]{1,10})[\"']?[^:\s\"']{1,128}|\btcr\$[\w.@-]{1,128}):"
            r"(?P<s>[^\s\"'@]{1,512})"
            # containerd's `ctr images pull -u user:password`, `curl -u user:password` (not a uid:gid)
            r"|\b(?:ctr|curl)\b[^\n|;&]{0,256}?(?<![\w-])(?:-u|--user)(?:=|[ \t]{1,10})[\"']?[^:\s\"']{1,128}:"
            r"(?![0-9]{1,10}(?![^\s\"'@]))(?P<u>[^\s\"'@]{1,512})"
        ),
        "s|u",
    ),
    # basic auth in a URL: scheme://user:pass@host
    ("url-credentials", _Lazy(r"(?i)\b[a-z][a-z0-9+.-]{0,15}://[^\s:/@]{1,256}:(?P<s>[^\s@/]{1,512})@"), "s"),
    # the same without a scheme, as typed for a registry: user:password@host.domain (an image's name:tag@sha256:...
    # is followed by a digest, not a dotted host name)
    (
        "host-credentials",
        _Lazy(
            r"(?<![^\s\"'`(<\[=,;])[\w.$-]{1,128}:(?P<s>[^\s:/@\"'`]{1,256})@"
            r"(?=\[|[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){1,16}[A-Za-z0-9-]{1,63}(?![\w@-])"
            # or a single-label host (`registry`, `localhost`) that a path or a port shows is one: admin:pw@registry/ns,
            # admin:pw@localhost:5000 (a digest is `sha256:` and hex, never a port)
            r"|(?!sha[0-9]{3}:)[A-Za-z0-9][A-Za-z0-9-]{0,62}(?:(?::[0-9]{1,5})?/|:[0-9]{1,5}(?![^\s\"'`)\]>,;])))"
        ),
        "s",
    ),
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
        _Lazy(
            r"(?i)\"(?:auth|identitytoken|registrytoken)\"[ \t]{0,5}:[ \t]{0,5}\"(?P<s>[^\"\n]{1,8192})\""
            # containerd's config.toml `auth = "base64"`, YAML `auth: base64`: only a base64 `user:password`
            r"|(?<![\w\"-])auth[ \t]{0,5}[:=][ \t]{0,5}(?P<b>\"[A-Za-z0-9+/]{4,8192}={0,2}\"|'[A-Za-z0-9+/]{4,8192}={0,2}'"
            r"|[A-Za-z0-9+/]{4,8192}={0,2})(?![\w+/=])"
        ),
        "s|b",
    ),
    # Tencent Cloud SecretId (AKID + 32-40 characters)
    ("tencent-secret-id", _Lazy(r"(?P<s>\bAKID[A-Za-z0-9]{13,40}\b)"), "s"),
    # SecretKey / secret_key / TENCENTCLOUD_SECRET_KEY = value, or "SecretKey value" with no separator at all
    (
        "tencent-secret-key",
        _Lazy(
            r"(?i)(?<![A-Za-z0-9])secret[_-]?key\b[\"']?[ \t]{0,5}(?:[:=：][ \t]{0,5}|[ \t])[\"']?"
            r"(?P<s>[A-Za-z0-9/+=]{16,128})"
            # credential.Credential("AKID...", "key") (Python), common.NewCredential (Go), new Credential (Java)
            r"|Credential\([^,()\n]{1,200},[ \t]{0,5}[\"'](?P<c>[A-Za-z0-9/+=]{16,128})[\"']"
        ),
        "s|c",
    ),
    # docker/podman login -pSECRET (the value glued to the short flag)
    (
        "attached-login-password",
        _Lazy(r"\blogin\b[^\n]{0,256}?(?<=[ \t])-p(?P<s>[^\s\"'=`$(<\[-][^\s\"']{0,511})"),
        "s",
    ),
    # echo SECRET | docker login --password-stdin, docker login --password-stdin <<< SECRET
    (
        "stdin-password",
        _Lazy(
            r"\b(?:echo|printf)[ \t]{1,10}(?:-[a-zA-Z]{1,2}[ \t]{1,10})?"
            r"(?P<s>\"[^\"\n]{1,512}\"|'[^'\n]{1,512}'|[^\s\"'|;&]{1,512})[ \t]{0,10}\|[^\n]{0,256}?--password-stdin"
            r"|--password-stdin[^\n|;&]{0,256}?<<<[ \t]{0,10}(?P<h>\"[^\"\n]{1,512}\"|'[^'\n]{1,512}'|[^\s\"']{1,512})"
        ),
        "s|h",
    ),
    # base64 of a docker config (a Kubernetes secret's .dockerconfigjson, an X-Registry-Auth header): JSON that
    # holds an auth, a password or a token
    ("encoded-docker-config", _Lazy(r"(?P<s>\b(?:eyJ|ewo)[A-Za-z0-9+/_-]{12,65536}={0,2})(?![\w+/=.-])"), "s"),
    # password: x / password=x / "password": "x" / 密码: x  (also passwd, pwd, token, secret); not the word that
    # follows an interactive "Password:" prompt
    (
        "password",
        _Lazy(
            r"(?i)(?:" + _LABEL_START + r"(?:password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key[_-]?secret"
            r"|access[_-]?token|client[_-]?secret)\b|(?<=[A-Za-z0-9]_)pass\b|密码|口令|令牌|密钥|秘钥|凭证|凭据)"
            r"\\?[\"']?[ \t]{0,5}(?:[:=：]|\bis\b|是|为|(?<=[码令钥证据])[ \t](?=[ \t]{0,4}[^\s]{0,64}[0-9]))[ \t]{0,5}"
            + _PROMPT_FOLLOWERS
            + _NOT_A_LABEL
            + _ABOUT_A_SECRET
            + r"(?!`|\$\()"
            # JSON inside a JSON string (a log line's message): {\"password\":\"x\"}
            + r"(?:\\\"(?P<e>[^\"\\\n]{1,512})\\\"|"
            + rf"(?P<s>\"[^\"\n]{{1,512}}\"|'[^'\n]{{1,512}}'|(?-i:[^\s\"',;，。{_NOT_CJK}]){{1,512}}))"
            # a bare `pass=X`, and `pass: X` when X has a digit ("First pass: compile" is English); `PASS:` is a test
            # runner's verdict (`--- PASS: TestLogin2`), and `-pass pass:X` is openssl's
            + r"|(?<![\w-])(?-i:[Pp]ass)\\?[\"']?[ \t]{0,5}(?:=|[:：](?=[ \t]{0,5}[\"']?[^\s\"']{0,64}[0-9]))[ \t]{0,5}"
            + _PROMPT_FOLLOWERS
            + _NOT_A_LABEL
            + _ABOUT_A_SECRET
            + rf"(?!`|\$\()(?P<p>\"[^\"\n]{{1,512}}\"|'[^'\n]{{1,512}}'|(?-i:[^\s\"',;，。{_NOT_CJK}]){{1,512}})"
            # a pasted terminal session: what was typed on the line after an interactive `Password:` prompt, when it
            # is the whole line (what docker, podman or a script print there is words: "Login Succeeded", "Error …")
            + r"|(?<![^\n])[ \t]{0,10}(?:[\w\[\]-]{1,20}[ \t]{1,3}){0,3}(?:password|passwd|密码|口令)[ \t]{0,5}[:：][ \t]{0,5}"
            + r"\r?\n[ \t]{0,10}"
            + _PROMPT_FOLLOWERS
            + _ABOUT_A_SECRET
            + r"(?![`^])(?P<n>\"[^\"\n]{1,512}\"|'[^'\n]{1,512}'|(?=[^\s]{0,512}?[A-Za-z0-9])[^\s\"'`]{1,512})"
            + r"(?=[ \t]{0,10}(?:\r?\n|\Z))"
            # an environment variable whose upper-case name ends in the label with nothing between
            # (APIBROWSERPASS=…, DBPASSWORD=…, GITLABTOKEN=…): the _-separated names are read above
            + r"|(?-i:(?<![A-Za-z0-9_])[A-Z][A-Z0-9]{0,63}(?:PASSWORD|PASSWD|PASS|PWD|TOKEN|SECRET))[ \t]{0,5}=[ \t]{0,5}"
            + _ABOUT_A_SECRET
            + rf"(?!`|\$\(|\$\{{)(?P<v>\"[^\"\n]{{1,512}}\"|'[^'\n]{{1,512}}'|(?-i:[^\s\"',;，。{_NOT_CJK}]){{1,512}})"
        ),
        "e|s|p|n|v",
    ),
    # ~/.netrc (curl, git, pip): machine HOST login USER password SECRET, on one line or several
    (
        "netrc-password",
        _Lazy(
            r"\bmachine\s{1,20}\S{1,256}\s{1,20}(?:login\s{1,20}\S{1,256}\s{1,20})?password[ \t]{1,20}(?P<s>\S{1,512})"
        ),
        "s",
    ),
]


def _base64_text(value: str) -> str:
    """`value` decoded from (URL-safe or standard) base64 as text; "" when it is not base64 of UTF-8 text."""
    import binascii  # only for a docker config `auth` value: ~0.6 M instructions of every command (valgrind)

    value = value.strip("\"'").replace("-", "+").replace("_", "/")
    try:
        return binascii.a2b_base64(value + "=" * (-len(value) % 4), strict_mode=False).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""


def _holds_credentials(value: str) -> bool:
    """Whether base64 `value` decodes to a docker config or registry auth JSON: an auth, a password or a token."""
    decoded = _base64_text(value).lower()
    return any(key in decoded for key in ('"auth', '"password"', 'token"', '"username"'))


def _is_user_password(value: str) -> bool:
    """Whether base64 `value` decodes to printable user:password text (a docker config `auth`)."""
    decoded = _base64_text(value)
    return ":" in decoded and decoded.isprintable() and not decoded.startswith(":")


# (kind, group) -> what a value found in that group must also be (checked after the pattern matched)
_VALUE_CHECKS: dict[tuple[str, str], Callable[[str], bool]] = {
    ("encoded-docker-config", "s"): _holds_credentials,
    ("docker-config-auth", "b"): _is_user_password,
}


# kind -> lower-case substrings one of which every match contains: a pattern whose needles are all absent is not
# run (most texts hold no secret; this keeps a long paste to a few substring scans).
_NEEDLES: dict[str, tuple[str, ...]] = {
    "private-key": ("private key", "putty-user-key-file"),
    "docker-login-password": ("-p", "--"),
    "service-account-credentials": ("creds", "tcr$", "ctr", "curl"),
    "url-credentials": ("://",),
    "host-credentials": ("@",),
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
    "stdin-password": ("password-stdin",),
    "netrc-password": ("machine",),
    "attached-login-password": ("login",),
    "encoded-docker-config": ("eyj", "ewo"),
    "bearer-token": ("bearer", "basic"),
    "docker-config-auth": ('"auth"', 'token"', "auth"),
    "tencent-secret-id": ("akid",),
    "tencent-secret-key": ("secret", "credential("),
    "password": ("pass", "pwd", "token", "secret", "api", "密码", "口令", "令牌", "密钥", "秘钥", "凭证", "凭据"),
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
    r"""\\?["']?[ \t]{0,5}(?:[:=：是为]|is) at `i` (a quote, when there, is taken: the others cannot match it)."""
    i += lower.startswith("\\", i)
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


# the last word of every label of the password pattern, and its Chinese labels (which may be followed by a blank)
_CJK_LABELS = ("密码", "口令", "令牌", "密钥", "秘钥", "凭证", "凭据")
_LABEL_ENDS = ("password", "passwd", "pass", "pwd", "token", "secret", "apikey", "api_key", "api-key", *_CJK_LABELS)


def _blank_after(lower: str, i: int) -> bool:
    """A blank at `i`."""
    return lower.startswith((" ", "\t"), i)


def _glued_value(lower: str, i: int) -> bool:
    """A character other than a blank, quote or = right at `i` (the value glued to -p)."""
    return i < len(lower) and not lower[i].isspace() and lower[i] not in "\"'="


def _userinfo_before_an_at(text: str) -> bool:
    """An @ followed by a letter, digit or [ whose blank-free run before it holds a ':' (user:password@host)."""
    at = text.find("@")
    while at >= 0:
        before = text[max(0, at - 400) : at].split()
        following = text[at + 1 : at + 2]
        if before and ":" in before[-1] and (following.isalnum() or following == "["):
            return True
        at = text.find("@", at + 1)
    return False


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
    "attached-login-password": lambda text, lower: _followed(lower, (" -p", "\t-p"), _glued_value),
    "host-credentials": lambda text, lower: _userinfo_before_an_at(text),
    "access-token": _literals(
        *("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "npm_", "pypi-AgE", "sk-", "k_live_", "k_test_"),
        *("glpat-", "gldt-", "glft-", "glsoat-", "glrt-", "glcbt-", "glptt-", "gloas-", "SG."),
    ),
    "bearer-token": _lowered(
        lambda lower: _followed(lower, ("bearer", "basic"), _token_after),
        r"(?i)(?:bearer|basic)[ \t]{1,10}[^\s\"'\\]{8}",
    ),
    "docker-config-auth": _lowered(
        lambda lower: (
            any(word in lower for word in ('"auth"', '"identitytoken"', '"registrytoken"'))
            or _followed(lower, ("auth",), _separator_after)
        ),
        r"(?i)\"(?:auth|identitytoken|registrytoken)\"|auth[ \t]{0,5}[:=]",
    ),
    # a label's last word (access_token ends in token, client_secret in secret), then what separates it from a value
    "password": _lowered(
        lambda lower: _followed(lower, _LABEL_ENDS, _separator_after) or _followed(lower, _CJK_LABELS, _blank_after),
        r"(?i)(?:pass(?:word|wd)?|pwd|token|secret|api[_-]?key|密码|口令|令牌|密钥|秘钥|凭证|凭据)\\?[\"']?[ \t]{0,5}(?:[:=：是为]|is)"
        r"|(?:密码|口令|令牌|密钥|秘钥|凭证|凭据)[ \t]",
    ),
}


def _gate_passes(kind: str, text: str, lower: str | None = None) -> bool:
    """False when `kind`'s gate shows that its pattern cannot match `text` (True for a kind with no gate)."""
    gate = _GATES.get(kind)
    return gate is None or gate(text, text.lower() if lower is None else lower)


def _may_match(kind: str, text: str, lower: str) -> bool:
    """False when `kind`'s pattern cannot match `text`: none of its needles is in `lower`, or its gate rejects it."""
    for needle in _NEEDLES[kind]:  # a loop, not any(generator): this runs ~20 times for every text redacted
        if needle in lower:
            return _gate_passes(kind, text, lower)
    return False


def _stands_for_a_secret(value: str) -> bool:
    """A placeholder (`$PASSWORD`, `<password>`, `xxx`), also as the end of a Markdown code span (`-p <password>`)."""
    value = value.strip()
    return _PLACEHOLDER.fullmatch(value) or (value.endswith("`") and _PLACEHOLDER.fullmatch(value.rstrip("`")))


def _edits(kind: str, rx: _Lazy, groups: str, text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of each secret `rx` finds in `text`, in order and apart."""
    edits = []
    for m in rx.finditer(text):
        group = next((g for g in groups.split("|") if m.group(g)), None)
        if group is None:
            continue
        secret = m.group(group)
        bare = _unquoted(secret)
        if not secret or MASK in secret or secret.endswith(":") or _stands_for_a_secret(bare):
            continue
        check = _VALUE_CHECKS.get((kind, group))
        if check is not None and not check(bare):
            continue
        quote = secret[0] if secret[0] in "\"'" and len(secret) > 1 and secret[-1] == secret[0] else ""
        edits.append((*m.span(group), quote + MASK + quote))
    return edits


def _spliced(text: str, edits: list[tuple[int, int, str]]) -> str:
    """`text` with each (start, end, replacement) of `edits` (in order, apart) made."""
    pieces, at = [], 0
    for start, end, replacement in edits:
        pieces += [text[at:start], replacement]
        at = end
    return "".join(pieces) + text[at:]


def redact(text: str) -> tuple[str, list[str]]:
    """`text` with every pasted secret masked as ****, and the sorted kinds found."""
    if not isinstance(text, str) or not text:
        return text, []
    if not text.isascii() and not _FOLDABLE.isdisjoint(text):
        return _redact_folded(text)
    return _mask_matches(text)


# What separates the parts of a name read from a user's text (host:port, registry/namespace/repo:tag, user@host).
_NAME_PARTS = re.compile(r"[/:@]")


def names_a_secret(value: str) -> bool:
    """Whether `value`, a name read from a user's text where a host, image or tag goes, is or holds a secret the
    detector knows by its value (a JWT is host-shaped: dotted base64). Names are shown, stored and posted as read,
    not masked as text is, so such a value must not be taken for a name."""
    if not isinstance(value, str) or not value:
        return False
    return bool(redact(value)[1]) or any(redact(part)[1] for part in _NAME_PARTS.split(value) if part)


def _mask_matches(
    text: str,
    mirror: Callable[[list[tuple[int, int, str]]], None] | None = None,
    found: set[str] | None = None,
) -> tuple[str, list[str]]:
    """Each pattern in turn on `text`, masking what it finds before the next one runs; the masked text and the sorted
    kinds found. `mirror(edits)` is shown each pattern's edits first (positions in `text` as it was then); `found`,
    when given, receives the secrets found."""
    kinds: set[str] = set()
    found = set() if found is None else found
    lower = text.lower()
    for kind, rx, groups in _PATTERNS:
        if not _may_match(kind, text, lower):
            continue
        edits = _edits(kind, rx, groups, text)
        if edits:
            kinds.add(kind)
            found.update(_unquoted(text[start:end]) for start, end, _ in edits)
            if mirror is not None:
                mirror(edits)
            text = _spliced(text, edits)
            lower = text.lower()
    # A secret found once is masked wherever else the paste repeats it ("-p 'X'" ... "X is wrong"): the patterns
    # only see it where a label or a command names it.
    repeats = _repeats(text, found)
    if repeats:
        if mirror is not None:
            mirror(repeats)
        text = _spliced(text, repeats)
    return text, sorted(kinds)


def redact_part(part: str, whole: str) -> str:
    """`part`, a piece of `whole` shown on its own (an evidence line, an error line), masked as `redact(whole)` masks
    it: a secret `whole` names elsewhere ("-p X" on one line, "X is wrong" on another) is masked in `part` too, where
    `redact(part)` alone would not know it is one. Where `part` was cut (a "…" marks the cut: an evidence line's end,
    a long line's middle), the piece of such a secret on either side of the cut is masked as well: a cut never
    leaves the start (or the end) of a secret."""
    masked = redact(part)[0]
    if not isinstance(whole, str) or not whole:
        return masked
    secrets = _secrets_of(whole)
    if not secrets:
        return masked
    edits = _repeats(masked, secrets) + _cut_pieces(masked, secrets)
    return _spliced(masked, _apart(edits)) if edits else masked


@functools.lru_cache(maxsize=4)  # one paste's lines are masked one after another (error lines, the evidence)
def _secrets_of(whole: str) -> frozenset[str]:
    secrets: set[str] = set()
    if whole.isascii() or _FOLDABLE.isdisjoint(whole):
        _mask_matches(whole, found=secrets)
    else:  # found in the folded spelling, as redact() finds them: masked where the part spells them so
        _mask_matches("".join(map(_folded_char, whole)), found=secrets)
    return frozenset(s for s in secrets if len(s) >= MIN_REPEAT and MASK not in s)


# The mark a cut leaves ("… " / " …"): the product's own (the evidence line's end, a long line's middle).
CUT_MARK = "…"


def _cut_pieces(text: str, secrets: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, MASK) of each piece of a found secret that a cut left beside its mark in `text`: the longest start
    of a secret ending just before a "…" (a space between allowed) and the longest end of one starting just after it,
    standing apart from letters and digits on their other side."""
    edits: list[tuple[int, int, str]] = []
    at = text.find(CUT_MARK)
    while at != -1:
        before = at - 1 if at and text[at - 1] == " " else at
        after = at + 2 if text[at + 1 : at + 2] == " " else at + 1
        for secret in secrets:
            for k in range(min(len(secret) - 1, before), 0, -1):
                if text.startswith(secret[:k], before - k) and not (before > k and text[before - k - 1].isalnum()):
                    edits.append((before - k, before, MASK))
                    break
            for k in range(min(len(secret) - 1, len(text) - after), 0, -1):
                end = after + k
                if text.startswith(secret[-k:], after) and not (end < len(text) and text[end].isalnum()):
                    edits.append((after, end, MASK))
                    break
        at = text.find(CUT_MARK, at + 1)
    return edits


def _apart(edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """`edits` in order, each one that overlaps an earlier one dropped."""
    kept: list[tuple[int, int, str]] = []
    for start, end, replacement in sorted(edits):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end, replacement))
    return kept


# The shortest found secret whose other occurrences are masked too: shorter values ("root", "1234") are words and
# numbers a paste holds for other reasons.
MIN_REPEAT = 5


def _unquoted(secret: str) -> str:
    """`secret` without the quotes around it."""
    return secret[1:-1] if len(secret) > 1 and secret[0] == secret[-1] and secret[0] in "\"'" else secret


def _repeats(text: str, secrets: set[str] | frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, MASK) of each other occurrence in `text` of a found secret, standing apart from letters and
    digits around it, in order and apart."""
    spans = []
    for secret in secrets:
        if len(secret) < MIN_REPEAT or MASK in secret:
            continue
        at = text.find(secret)
        while at != -1:
            end = at + len(secret)
            if not (at and text[at - 1].isalnum()) and not (end < len(text) and text[end].isalnum()):
                spans.append((at, end))
            at = text.find(secret, end)
    edits: list[tuple[int, int, str]] = []
    for start, end in sorted(spans):
        if not edits or start >= edits[-1][1]:
            edits.append((start, end, MASK))
    return edits


# Characters that spell a label or a value otherwise than the patterns read it (`paſſword`, full-width
# `ｐａｓｓｗｏｒｄ＝`, Cyrillic look-alikes, a zero-width space or soft hyphen inside `pass\u200bword`): a text holding
# one is matched in its folded spelling and masked in its own.
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
_INVISIBLE += "\u2066\u2067\u2068\u2069\ufeff"
# ſ ı İ K, Cyrillic and Greek letters that look like Latin ones, the ideographic space, full-width = and _
_LOOK_ALIKES = dict(
    zip(
        "\u017f\u0131\u0130\u212a\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0455\u0456\u0458\u0501\u051b"
        "\u051d\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425\u0405\u0406\u0408\u03b1"
        "\u03bf\u03bd\u03c4\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5"
        "\u03a7\u3000\uff1d\uff3f",
        "siIKaeopcyxsijdqwABEKMHOPCTXSIJaovtABEZHIKMNOPTYX =_",
        strict=True,
    )
)
# ... and full-width digits and Latin letters. A set, not a character class: compiling that class (Python's re builds
# its code-point map) was ~3.5 M instructions of every redaction of a non-ASCII text, an NXDOMAIN `diagnose`'s among
# them, for a question a set answers in ~0.5 M (valgrind)
_FULL_WIDTH = "".join(chr(c) for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)))
_FOLDABLE = frozenset(_INVISIBLE + "".join(_LOOK_ALIKES) + _FULL_WIDTH)


def _folded_char(c: str) -> str:
    """What `c` reads as in a label or a value: itself, an ASCII look-alike, or nothing (an invisible character)."""
    if c in _INVISIBLE:
        return ""
    if "\uff10" <= c <= "\uff5a" and c.isalnum():
        return chr(ord(c) - 0xFEE0)  # full-width digits and Latin letters
    return _LOOK_ALIKES.get(c, c)


def _redact_folded(original: str) -> tuple[str, list[str]]:
    """`redact` of a text holding foldable characters: the patterns run on the folded text, and each secret they
    find there is masked in both (the folded text, for the next pattern; the original, for the caller)."""
    folded_chars: list[str] = []
    where: list[int] = []  # where[i]: the position in `original` of the folded text's character i
    for i, c in enumerate(original):
        f = _folded_char(c)
        if f:
            folded_chars.append(f)
            where.append(i)

    def mask_in_original(edits: list[tuple[int, int, str]]) -> None:
        nonlocal original, where
        own = [(where[a], where[b - 1] + 1 if b > a else where[a], r) for a, b, r in edits]
        shifted, shift, at = [], 0, 0
        for (a, b, replacement), (oa, ob, _) in zip(edits, own, strict=True):
            shifted += [p + shift for p in where[at:a]]
            shifted += [oa + shift + k for k in range(len(replacement))]
            shift += len(replacement) - (ob - oa)
            at = b
        where = shifted + [p + shift for p in where[at:]]
        original = _spliced(original, own)

    _, kinds = _mask_matches("".join(folded_chars), mask_in_original)
    return original, kinds


class RedactingFilter:
    """A logging filter that masks secrets in every record it sees (message and arguments, once formatted, and the
    traceback).

    The one filter of every log outlet: on the handlers of the servers and of `diagnose --debug`
    (`install_log_redaction`), and on the logger the Slack SDK writes its payloads to (bot.slack). It never drops a
    record; when the detector itself fails, the record's text is withheld rather than passed on unmasked.
    Not a logging.Filter subclass: handlers take any object with `filter(record)`, and importing logging here cost
    every command ~4 ms of start-up although only the servers install the filter.
    """

    WITHHELD = "(log line withheld: secret redaction failed)"

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask secrets in the record's message, arguments and traceback; always keeps the record."""
        try:
            self._mask(record)
        except Exception:  # noqa: BLE001 - without a working detector, withhold the text rather than risk it
            record.msg, record.args, record.exc_info, record.exc_text = self.WITHHELD, (), None, None
        return True

    @staticmethod
    def _mask(record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string: the logging module reports it, with msg and args
            record.msg = redact(str(record.msg))[0]
            if isinstance(record.args, dict):
                record.args = {k: redact(str(v))[0] for k, v in record.args.items()}
            elif record.args:
                record.args = tuple(redact(str(v))[0] for v in record.args)
            message = None
        if message is not None:
            masked, kinds = redact(message)
            if kinds:
                record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            import logging

            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted)[0]
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)[0]


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Put a RedactingFilter on every handler of `logger` (default: the root logger), once."""
    import logging  # (only the servers and --debug install it: see RedactingFilter)

    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
