"""Presentation: every message a person reads is rendered from a Jinja2 template in bot/templates/.

Templates live in one folder per channel (cli/, web/, slack/) and one file per kind of output, so
wording changes never touch channel or business code. Text that exists in two languages is passed
as a {"zh": ..., "en": ...} mapping and picked with the `t` filter.
"""

from __future__ import annotations

import functools
import json
import marshal
import os
import re
import sys
import types
from typing import TYPE_CHECKING, Any

import diagnostics
from bot import messages
from diagnostics import LANGS

if TYPE_CHECKING:
    import jinja2
    from jinja2.bccache import Bucket


def pick(text: Any, lang: str) -> Any:
    """The `lang` side of a {"zh", "en"} mapping or of our own words in an evidence value (diagnostics.Said); other
    values pass through unchanged."""
    # no Said exists before diagnostics.findings is loaded: an answer's text (`ask`) does not load it for this
    findings = sys.modules.get("diagnostics.findings")
    if findings is not None and isinstance(text, findings.Said):
        return text.zh if lang == "zh" else str(text)
    if isinstance(text, dict) and any(k in text for k in LANGS):
        return text.get(lang) or text.get("en") or text.get("zh") or ""
    return text


@functools.cache
def environment(channel: str) -> jinja2.Environment:
    """The Jinja2 environment of one channel's templates (HTML autoescaped; undefined names are errors), made once."""
    # Imported here so commands that never render (e.g. `ask --json`) do not pay for Jinja2: ~127 M instructions after
    # `check-name --json`'s modules, ~66 M after `ask --json`'s (valgrind).
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bot", f"templates/{channel}"),
        # Web output is HTML; Slack's mrkdwn and the terminal need their own escaping (see the filters).
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        bytecode_cache=compiled_templates(),
    )
    env.filters["t"] = pick
    env.filters["tojson_compact"] = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    env.filters["carried"] = carried
    env.filters["registry_host"] = registry_host
    env.filters["clip"] = clip
    env.tests["problem"] = is_problem  # `status is problem`
    env.tests["tcr"] = is_tcr  # `target is tcr`
    # the texts several channels say, from the one catalogue (bot/messages.py)
    env.globals["why_no_answer"] = messages.why_no_answer
    env.globals["status_word"] = messages.status_word
    env.globals["evidence_label"] = messages.evidence_label
    env.globals["cite_faq"] = messages.cite_faq
    env.globals["other_registry"] = messages.other_registry
    env.globals["messages"] = messages
    return env


def clip(text: object, limit: int, end: str = "…") -> str:
    """`text` cut to at most `limit` characters with `end` where it was cut (the templates' `clip` filter, for a
    channel's length limits such as Slack's 150-character header): never in the middle of an English word (it goes
    back to the last space when one is near) nor of an escaped character (`&lt;`); Chinese is cut where it reaches the
    limit. Jinja2's own `truncate` either cuts words ("did not p…") or goes back to any space, however far."""
    s = str(text)
    if len(s) <= limit:
        return s
    cut = s[: max(0, limit - len(end))]
    amp = cut.rfind("&", len(cut) - 8)
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    if cut and s[len(cut)].isascii() and s[len(cut)].isalnum() and cut[-1].isascii() and cut[-1].isalnum():
        space = cut.rfind(" ", len(cut) - 40)
        if space > 0:
            cut = cut[:space]
    return cut.rstrip(" ,") + end


def registry_host(target: object) -> str:
    """The host a registry target names, without its port, lower-case ("ccr.ccs.tencentyun.com:8080/ns/app" ->
    "ccr.ccs.tencentyun.com"): a pasted log's target and the registry asked about are one registry, and get one
    diagnosis, when only the port the log shows differs (the templates' `registry_host` filter; the widget has
    its twin, registryHost). A scheme (a plain-HTTP registry's "http://host:5000") is not part of the host."""
    host = _SCHEME.sub("", str(target or "")).split("/")[0].lower()
    return _PORT.sub("", host)


_PORT = re.compile(r":\d+$")
_SCHEME = re.compile(r"^https?://", re.IGNORECASE)


def is_tcr(target: object, findings: object = ()) -> bool:
    """Whether a registry target (a host or an image reference) is a TCR registry's, by the runner's own rule
    (diagnostics.is_tcr_registry), with the FINDINGS of its diagnosis when there is one (a custom domain whose CNAME
    ends at TCR, or that the account side found): the templates' `tcr` test (`target is tcr(findings)`), for advice
    that only TCR's console can follow."""
    found = findings if isinstance(findings, (list, tuple)) else ()
    return diagnostics.is_tcr_registry(registry_host(target), found)


def is_problem(status: object) -> bool:
    """Whether a finding's status reports a problem (diagnostics.PROBLEMS, loaded on this first use): the templates'
    `problem` test."""
    return status in diagnostics.PROBLEMS


def compiled_templates() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the cache directory (None when the cache is off): a template is compiled once, not
    in every process. Compiling cli/diagnose.j2 cost each `tcr-doctor diagnose` 88 M instructions (~20 ms; valgrind),
    a sixth of the whole command with its text output; reading the kept code back costs ~1 M.

    A kept template is the code object Jinja2 compiled (marshal, as Python's own __pycache__ keeps a module's), in a
    file named by the template, its source's checksum, the Python version and Jinja2's version (whose generated code
    calls its own runtime): an edit or an upgrade is compiled anew, never served stale. Being code, it is trusted as
    __pycache__ is: the folder is made for its user alone, and the cache directory must not be writable by others.
    Jinja2's own FileSystemBytecodeCache is not used: it reads a pickle back, and stops the render on a damaged file.
    A cache that cannot be written or read back costs the compilation only."""
    # Imported with the first environment: a module that imports bot.render at its top and prints JSON never pays for
    # hashlib, ~11 M instructions, or the cache module, ~0.9 M (valgrind).
    import hashlib

    import jinja2  # (a look-up: environment() imported it)

    from diagnostics import cache_dir, write_kept  # (see hashlib)

    root = cache_dir()
    if root is None:
        return None
    folder = str(root / "templates")
    versions = hashlib.sha1(f"{sys.version}|{jinja2.__version__}".encode(), usedforsecurity=False).hexdigest()[:12]

    class KeptTemplates(jinja2.BytecodeCache):
        def _path(self, bucket: Bucket) -> str:
            return os.path.join(folder, f"{bucket.key[:24]}-{bucket.checksum[:24]}-{versions}.marshal")

        def load_bytecode(self, bucket: Bucket) -> None:
            try:
                with open(self._path(bucket), "rb") as fh:
                    code = marshal.loads(fh.read())
            except (OSError, EOFError, ValueError, TypeError):
                return
            if isinstance(code, types.CodeType):
                bucket.code = code

        def dump_bytecode(self, bucket: Bucket) -> None:
            try:
                code = marshal.dumps(bucket.code)
            except ValueError:
                return
            # one copy per template (older versions of it pruned); the folder holds code: its user's alone
            write_kept(self._path(bucket), code, bucket.key[:24], mode=0o700)

    return KeptTemplates()


def _json_len(char: str) -> int:
    return len(json.dumps(char, ensure_ascii=False)) - 2


def carried(text: str, limit: int = 1600) -> str:
    """`text` as a button's value can carry it (Slack: 2,000 characters of JSON): whole when its JSON form fits in
    `limit` characters, else its start (the user's own words) and its end (where a pasted log's error is) around
    a "…" line. Cut by the JSON length: a quote, a newline or a terminal colour's ESC takes 2 or 6 characters."""
    if len(text) * 6 <= limit or len(json.dumps(text, ensure_ascii=False)) - 2 <= limit:
        return text
    budget = limit - 5  # the "\n…\n" between the two ends: 5 characters in JSON
    head_end, used = 0, 0
    while head_end < len(text) and used + _json_len(text[head_end]) <= budget * 2 // 5:
        used += _json_len(text[head_end])
        head_end += 1
    tail_start = len(text)
    while tail_start > head_end and used + _json_len(text[tail_start - 1]) <= budget:
        tail_start -= 1
        used += _json_len(text[tail_start])
    return text[:head_end] + "\n…\n" + text[tail_start:]


def render(channel: str, template: str, **context: Any) -> str:
    """Render bot/templates/<channel>/<template> with `context`."""
    return str(environment(channel).get_template(template).render(**context))
