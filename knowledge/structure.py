"""A message's structure: the user's own sentences apart from what they pasted (issue 11, "read a message's
structure").

Real posts are a sentence or two of the user's own words around pasted output: `docker version` dumps, progress
bars, YAML, issue-template headings. Matched whole, the pasted words dilute the question (the right entry's
coverage falls from 0.46 to 0.05 when a `docker version` block follows a login error) and an out-of-scope topic
wins on words like "version" or "Engine". `question_view(text)` keeps what a support engineer reads: the user's
sentences, the commands they typed and the first and last error lines, and drops the rest.
"""

from __future__ import annotations

import re

from .dialogue import LazyRe

SHORT_LINES = 3  # a text of at most this many lines (and SHORT_CHARS characters) is its own view
SHORT_CHARS = 600
MAX_ERROR_LINES = 4  # the first two and the last two error lines of the paste
MAX_COMMAND_LINES = 3
MAX_LINE_CHARS = 400

# A line that is pasted output rather than the user's own sentence: a prompt, a log prefix, a layer id, a
# timestamp, a code fence, indented or tabbed text, markup, a rule.
OUTPUT_LINE = LazyRe(
    r"^\s*(?:[$#>]\s|\w+@[\w.-]+[:~]|[0-9a-f]{12}:|#\d+ |\[\d|\d{4}-\d\d-\d\d|[A-Z]{4}\[\d|error|warning|fatal|"
    r"```|\s{4}|\t|[{}\[\]<]|[-=*]{3})",
    re.IGNORECASE,
)
_HEADING = LazyRe(r"^\s{0,3}(?:#{1,6}\s|\*\*[^*]{1,80}\*\*\s*$|_no response_\s*$|-\s\[[ x]\]\s)", re.IGNORECASE)
_FENCE = LazyRe(r"^\s{0,3}(?:```|~~~)")
_WORD = LazyRe(r"[A-Za-z]{2,}")
# Han ideographs, Japanese kana and Korean Hangul syllables: a sentence in Japanese or Korean is as much the user's own
# as one in Chinese ("このエラーはたまに発生します", "가끔 실패합니다"), though few of its characters are Han
_CJK = LazyRe(r"[\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7a3]")
_SYMBOL = LazyRe(r"[/:=\\\"{}<>\[\]_@|]")
_ERROR = LazyRe(
    r"error|denied|unauthori[sz]ed|forbidden|failed|failure|x509|timeout|timed out|no such host|refused|"
    r"not found|unknown|backoff|errimagepull|cannot|can't|unable|invalid|toomanyrequests|报错|失败|错误",
    re.IGNORECASE,
)
_COMMAND = LazyRe(
    r"(?:^|[\s$#>])(?:sudo\s+)?(?:docker|podman|skopeo|crictl|ctr|nerdctl|helm|buildah|kubectl|oras)"
    r"(?:\s+-{1,2}\S+){0,4}\s+(?:image\s+|registry\s+|buildx\s+)?"
    r"(?:login|logout|pull|push|run|build|copy|inspect|install|tag|create|apply|describe)\b"
)


# The envelope of a message: greetings and pleas before the question, thanks and urgency after it ("大佬们帮忙看下，",
# "急，在线等，谢谢！", "Hi team,", "Any idea? Thanks"). They ask nothing and only dilute a short question's words.
_LEAD = LazyRe(
    r"^\s*(?:(?:(?:hi|hello|hey|dear)(?: (?:all|team|guys|folks|everyone|there))?|各位(?:大佬|老师|大神)?们?好?|大佬们?好?|大家好|"
    r"大神们?|你好|您好|求助|求救|请教(?:一下)?|(?:麻烦|求)?(?:帮忙|帮我)(?:看下|看看|看一下)?)[\s,，!！:：~～.。、]*)+",
    re.IGNORECASE,
)
# The tail begins where its run of spaces and punctuation begins (the lookbehind): tried from inside the run as
# well, each try re-read the rest of the run, quadratic on a long one ("." * 20,000 took 27 s). At most eight pleas:
# a try from every word of a long run of them ("ty ty ty …", 16,000 characters) re-read the rest of it, 12 s.
_TAIL = LazyRe(
    r"(?<![\s,，.。!！~～])[\s,，.。!！~～]*(?:(?:急|在线等|谢谢|多谢|感谢|万分感谢|拜托了?|thanks?(?: you)?(?: (?:in advance|a lot))?|thx|ty|"
    r"any (?:ideas?|help|hints?|suggestions?)\??|can (?:someone|anyone) help(?: me)?\??|please help)[\s,，.。!！~～?？]*){1,8}$",
    re.IGNORECASE,
)


def strip_envelope(text: str) -> str:
    """`text` without greetings and pleas at its start and thanks or urgency at its end; `text` itself when
    nothing else would be left."""
    core = _TAIL.sub("", _LEAD.sub("", text, count=1), count=1).strip()
    return core if core else text


def is_prose(line: str) -> bool:
    """Whether `line` reads as the user's own sentence: not shaped like output, four words or four CJK characters,
    few code symbols."""
    n = len(line.strip())
    if not n or OUTPUT_LINE.match(line):
        return False
    words = len(_WORD.findall(line))
    cjk = len(_CJK.findall(line))
    return (cjk >= 4 or words >= 4) and len(_SYMBOL.findall(line)) <= max(2, n // 25)


def prose_share(text: str) -> float:
    """Share of the characters in lines that read as the user's own sentences rather than pasted output."""
    total = prose = 0
    for line in text.splitlines():
        n = len(line.strip())
        if not n:
            continue
        total += n
        if is_prose(line):
            prose += n
    return prose / total if total else 0.0


def question_view(text: str) -> str:
    """The part of `text` a question is matched on: the whole of a short text; of a longer one, the user's own
    sentences (outside code fences, without template headings), the commands typed (at most three) and the first
    two and last two error lines. The whole text when none of these is found."""
    text = strip_envelope(text)
    lines = text.splitlines()
    if len(lines) <= SHORT_LINES and len(text) <= SHORT_CHARS:
        return text
    prose, commands, errors = _lines_by_kind(lines)
    if len(errors) > MAX_ERROR_LINES:
        half = MAX_ERROR_LINES // 2
        errors = errors[:half] + errors[-half:]
    kept = sorted(prose + commands[:MAX_COMMAND_LINES] + errors)
    out = list(dict.fromkeys(line for _i, line in kept))
    return "\n".join(out) if out else text


def _lines_by_kind(lines: list[str]) -> tuple[list[tuple[int, str]], list[tuple[int, str]], list[tuple[int, str]]]:
    """(the user's own sentences, typed commands, error lines) of a post, each as (line number, line), cut to
    MAX_LINE_CHARS; fence markers, template headings and blank lines are none of them."""
    prose: list[tuple[int, str]] = []
    commands: list[tuple[int, str]] = []
    errors: list[tuple[int, str]] = []
    fenced = False
    for i, raw in enumerate(lines):
        line = raw.strip()
        if _FENCE.match(line):
            fenced = not fenced
            line = _FENCE.sub("", line).strip()
            if not line:
                continue
        if not line or _HEADING.match(line):
            continue
        line = line[:MAX_LINE_CHARS]
        if not fenced and is_prose(line):
            prose.append((i, line))
        elif _COMMAND.search(line):
            commands.append((i, line))
        elif _ERROR.search(line):
            errors.append((i, line))
    return prose, commands, errors
