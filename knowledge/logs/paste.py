"""Reading the paste: a pasted block as clean lines (no ANSI codes, control bytes or progress-bar frames), wrapped
error chains joined, log prefixes stripped, shell continuations joined, secrets masked."""

from __future__ import annotations

import re

from ..redact import redact as _redact
from ..structure import is_prose
from .rules import match_line, pattern_rank

MAX_INPUT = 1_500_000  # characters kept from a paste (the tail: the final error is at the end)
MAX_LINE = 4000  # characters of one line that are matched
MAX_EVIDENCE = 600  # characters of the evidence line returned
MAX_JOIN = 5  # continuation lines joined to a line ending with ':'


# --- noise -------------------------------------------------------------------------------------------------------
# ANSI CSI / OSC sequences, and their escaped spellings seen in saved logs (`\x1b[`, `\u001b[`, syslog `#033[`, `^[[`).
_ANSI = re.compile(
    r"\x1b\[[0-?]{0,32}[ -/]{0,8}[@-~]"
    r"|\x1b\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|(?:\\x1b|\\u001b|\\033|\\e|#033|\^\[)\[[0-9;]{0,32}[A-Za-z]"
)
# Characters that a web page, a chat client or a Chinese input method puts where the program printed ASCII: no-break
# and ideographic spaces, zero-width spaces, curly quotes, full-width colon and parentheses ("denied：requested …").
_LOOKALIKES = str.maketrans(
    {
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u3000": " ",
        "\u200b": "",
        "\ufeff": "",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\uff1a": ": ",
        "\uff08": " (",
        "\uff09": ") ",
    }
)
# A date-time stamp leading every line of a CI or journal log (GitHub Actions' "2024-05-01T10:00:00.1234567Z ",
# "[2024-05-01 10:00:00]", syslog's "May  1 10:00:00", RFC 3339 with an hours-only zone as Go's "2006-01-02T15:04:05Z07"
# layouts print it: "2023-12-01T21:46:27-08"): removed before reading, as the evidence always did. Level tags such as
# DEBU[0001] stay: they say a line is chatter.
# Go's default time format (time.Time's String, "2006-01-02 15:04:05.999999999 -0700 MST", which kubectl plugins and
# Go programs print): the zone after a space, as an offset and an abbreviation.
_GO_ZONE = r" [+-]\d{4}(?: [A-Z]{2,5})?"
_TIMESTAMP = re.compile(
    r"^(?:\[?\d{4}-\d{2}-\d{2}[T ][0-9:.,]{5,20}(?:Z|[+-]\d{2}(?::?\d{2})?|"
    + _GO_ZONE
    + r")?\]?|[A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2})"
    r"(?:\s{1,4}|$)"
)
# Markdown around a pasted line: blockquote markers ("> "), bold/strike markers at either end ("**Error: …**").
_MARKDOWN_EDGE = re.compile(r"^(?:>[ \t]?){1,4}|^(?:\*\*|__|~~)(?=\S)|(?<=\S)(?:\*\*|__|~~)$")
# A terminal UI's tree drawn before each line (dagger's "│ │ ╰╴✘ …", "│   ! failed to copy: …"): box-drawing characters,
# check marks and the error mark, never the program's message
_TREE_CHARS = frozenset("\u2502\u251c\u2514\u2570\u2574\u2500\u250a\u2506\u2503\u2523\u2517")
_TREE_PREFIX = re.compile(r"^[\u2500-\u257f\u2713\u2714\u2717\u2718 ]{1,80}(?:! )?")
# Bold spans inside a line ("i have this message : **Error response from daemon: Get …: authenticationrequired**"):
# the page's emphasis, glued to the words the program printed. Removed only in pairs around words, so a glob's `**/`
# and a user's `****` mask stay.
_BOLD_SPAN = re.compile(r"(?<![*\w])\*\*(?=[^\s*])([^*\n]{1,2000}?)(?<=[^\s*])\*\*(?![*\w])")
# A screenshot the web page attached to the post, often glued to the end of the pasted line ("…: connection
# refused<img width="803" src="https://github.com/user-attachments/…" />"): never output, and its host is not one the
# program talked to.
_IMAGE_MARKUP = re.compile(r"<img\b[^<>]{0,2000}>|!\[[^\]\n]{0,300}\]\([^)\s]{1,1000}\)", re.IGNORECASE)
# A fence opened and closed on one line ("```x509: certificate is valid for …```"): the output between the markers.
_ONE_LINE_FENCE = re.compile(r"^(?:```|~~~)(?=[^`~\s])(.{1,4000}?)(?:```|~~~)$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\ud800-\udfff]+")
_LINE_SPLIT = re.compile(r"\r\n|\r|\n")
# A leading timestamp / log prefix, removed from the evidence shown (never needed for matching).
_PREFIX = re.compile(
    r"^\s{0,8}(?:(?:[A-Z]{4}\[\d{1,6}\]|\[?\d{4}-\d{2}-\d{2}[T ][0-9:.,]{5,20}(?:Z|[+-]\d{2}(?::?\d{2})?|"
    + _GO_ZONE
    + r")?\]?"
    r"|[A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2}|\[\s{0,4}\d{1,8}\.\d{1,8}\])\s{0,4})"
)
# The lines of a registry "errors:" list (distribution errcode values), continuing the line above them.
ERRCODE_LINE = re.compile(
    r"^(?:denied|unauthorized|name unknown|manifest unknown|blob unknown|toomanyrequests|unsupported|unknown|name invalid|tag invalid):"
)
# (+ the one- or three-letter level tags of compact formatters: watchtower's "[D]" / "[I]", zerolog's "DBG" / "INF")
DEBUG_LINE = re.compile(
    r"^\s{0,8}(?:(?:DEBU|INFO|TRAC)\[|\[(?:D|I|T|DBG|INF|TRC)\]\s|(?:DBG|INF|TRC) |time=\S{1,40} level=(?:debug|info|trace)\b|level=(?:debug|info|trace)\b|I\d{4} |\S{0,40}\s\[?(?:DEBUG|INFO|TRACE)\]?\s)"
)
# A line of HTML markup: part of a response body that an error quoted (split into lines when unescaped).
HTML_LINE = re.compile(
    r"^\s{0,8}<(?:[A-Za-z][A-Za-z0-9]{0,10}|!doctype|/[A-Za-z][A-Za-z0-9]{0,10})[\s>/]", re.IGNORECASE
)
_LOGFMT_MSG = re.compile(r'\bmsg="((?:[^"\\]|\\.){0,4000})"')


def clean_lines(text: str) -> list[str]:
    """The pasted block as clean lines: no ANSI codes, no control bytes, progress-bar frames split, capped."""
    if not isinstance(text, str):
        text = bytes(text).decode("utf-8", "replace") if isinstance(text, (bytes, bytearray)) else str(text)
    if len(text) > MAX_INPUT:
        text = text[-MAX_INPUT:]
    text = _ANSI.sub("", text).translate(_LOOKALIKES)
    if "\\u" in text:  # JSON's \uXXXX escapes of non-ASCII text ("denied: \u8d85\u51fa…" is "denied: 超出…")
        text = _JSON_UNICODE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if '\\"' in text:  # JSON / Go %q escaped output (kubectl get events -o json, logfmt)
        text = text.replace('\\"', '"')
        if text.count("\\n") > text.count("\n"):
            text = text.replace("\\n", "\n").replace("\\t", "\t")
    lines, indents, after_blank = [], [], []
    blank = False
    for raw in _join_yaml_folds(_split_lines(text)):
        # a blank line cleans to "" (its whitespace is all stripped): not cleaned, as half a million of them pasted
        # (a CLI's stdin) took 3 s in _clean_line's six substitutions each
        line = _clean_line(raw) if raw and not raw.isspace() else ""
        if line:
            lines.append(line)
            indents.append(len(raw) - len(raw.lstrip(" \t")))
            after_blank.append(blank)
        blank = not line
    return _unwrap(lines, indents, after_blank)


# A YAML mapping line that opens a quoted scalar it does not close on the same line (`kubectl get events -o yaml`
# folds a long `message: '…'` over more-indented lines): its continuation lines are one value.
_YAML_OPEN = re.compile(r"^(\s*)(?:- )?[A-Za-z_][\w.-]{0,40}: (['\"])(?!.*\2\s*$)")
_MAX_FOLD = 30


def _join_yaml_folds(raw: list[str]) -> list[str]:
    """Physical lines with each folded YAML quoted scalar put back on one line (YAML folds a line break inside a
    quoted scalar to a space): the lines after the opening one, indented deeper, up to the one that closes the
    quote."""
    out: list[str] = []
    i = 0
    while i < len(raw):
        m = _YAML_OPEN.match(raw[i]) if "'" in raw[i] or '"' in raw[i] else None
        if m is None:
            out.append(raw[i])
            i += 1
            continue
        indent, quote = len(m.group(1)), m.group(2)
        line, j = raw[i], i + 1
        while j < len(raw) and j - i <= _MAX_FOLD:
            nxt = raw[j]
            if not nxt.strip() or len(nxt) - len(nxt.lstrip()) <= indent:
                break
            line += " " + nxt.strip()
            j += 1
            if nxt.rstrip().endswith(quote):
                break
        out.append(line)
        i = j
    return out


def _clean_line(raw: str) -> str:
    """One physical line without screenshot markup, control bytes, its date-time stamp and Markdown emphasis,
    capped at MAX_LINE (its middle cut out)."""
    if "<img" in raw or "![" in raw:
        raw = _IMAGE_MARKUP.sub(" ", raw)
    # (stripped again: a quote marker before an indented line leaves the indent, which the line unquoted has not)
    # (a quote marker before a stamped line, and a CI runner's stamp before the program's own, are both removed)
    line = _MARKDOWN_EDGE.sub("", _CONTROL.sub(" ", raw).strip()).strip()
    line = _TIMESTAMP.sub("", _TIMESTAMP.sub("", line, count=1), count=1)
    line = _MARKDOWN_EDGE.sub("", line).strip()
    if line[:3] in ("```", "~~~") and len(line) > 6:
        line = _ONE_LINE_FENCE.sub(r"\1", line)
    if line[:1] in _TREE_CHARS:
        line = _TREE_PREFIX.sub("", line)
    if "**" in line:
        line = _BOLD_SPAN.sub(r"\1", line)
    if len(line) > MAX_LINE:
        line = line[: MAX_LINE // 2] + " … " + line[-MAX_LINE // 2 :]
    return line


def _unwrap(lines: list[str], indents: list[int], after_blank: list[bool]) -> list[str]:
    """Lines a terminal hard-wrapped at its width put back together: a run of lines of one same length, a usual
    terminal width (80, 100, 120 … columns), and the shorter line that ends it are one line cut at arbitrary
    points, so they are joined without a separator. A terminal goes on at the first column: a line indented deeper
    than the one before it (`indents`, before cleaning: a kubectl event under a long line) starts a line of its own,
    and so does a line after a blank one (`after_blank`): a wrap never leaves an empty line."""

    def goes_on(k: int) -> bool:  # line k may continue line k - 1
        return indents[k] <= indents[k - 1] and not after_blank[k]

    out: list[str] = []
    i = 0
    while i < len(lines):
        width, j = len(lines[i]), i
        while width in _TERMINAL_WIDTHS and j + 1 < len(lines) and len(lines[j + 1]) == width and goes_on(j + 1):
            j += 1
        if j > i or (i + 1 < len(lines) and goes_on(i + 1) and _continues(lines[i], lines[i + 1], width)):
            end = j + 1 if j + 1 < len(lines) and len(lines[j + 1]) < width and goes_on(j + 1) else j
            # each piece masked before the join: a label cut at the line's start would be glued to the text before
            # it ("…0000password: x"), where the detector no longer sees a label
            pieces = [_redact(piece)[0] for piece in lines[i : end + 1]]
            out.append(_join_cut(pieces, single=j == i)[:MAX_LINE])
            i = end + 1
        else:
            out.append(lines[i])
            i += 1
    return out


def _join_cut(pieces: list[str], single: bool) -> str:
    """The pieces of one line put back: glued, as a terminal cut them; but one full-width line and a shorter one may
    also be a page's word-wrap that happened to fill the width (textwrap breaks at a space: "failed to" / "fetch
    anonymous token …"), so there the join with a space wins when it reads a more specific wording than the glued one
    ("failed tofetch …" would not)."""
    glued = "".join(pieces)
    if not single:
        return glued
    spaced = " ".join(pieces)
    p, q = match_line(spaced, None), match_line(glued, None)
    return spaced if p is not None and (q is None or pattern_rank(p) < pattern_rank(q)) else glued


def _continues(line: str, nxt: str, width: int) -> bool:
    """Whether a single full-width line is continued by the next (the cut fell inside a word: both sides of the cut
    are letters or digits) on a terminal's usual widths."""
    return width in _TERMINAL_WIDTHS and line[-1:].isalnum() and nxt[:1].isalnum() and len(nxt) < width


_TERMINAL_WIDTHS = frozenset((80, 100, 120, 132, 160, 200))


def _split_lines(text: str) -> list[str]:
    """The physical lines of `text`, and inside each the lines of an embedded JSON string: a tool that reports a
    command's stderr as one JSON value (ansible's `FAILED! => {"stderr": "…\\n…"}`, `kubectl -o json`, a CI API)
    keeps the real line breaks as `\\n` escapes, so the error line would stay glued to a warning before it."""
    out: list[str] = []
    for raw in _LINE_SPLIT.split(text):
        if "\\n" in raw and _JSON_STRING_CONTEXT.search(raw):
            raw = _JSON_TAB.sub(" ", raw)
            out.extend(_JSON_NEWLINE.split(raw))
        else:
            out.append(raw)
    return out


# A line holding a JSON object's string value ("key": "…" or an escaped quote): its `\n` are escaped line breaks.
_JSON_UNICODE = re.compile(r"\\u([0-9a-fA-F]{4})")
_JSON_STRING_CONTEXT = re.compile(r'"[A-Za-z_][\w-]{0,40}"\s?:\s?"|\\"')
_JSON_NEWLINE = re.compile(r"(?<!\\)\\n")  # `\n`, not the `\\n` of an escaped backslash (`C:\\new`)
_JSON_TAB = re.compile(r"(?<!\\)\\t")


# A user's Chinese sentence around a paste, not a wrapped error: one that introduces the paste ("…遇到了未授权的错误："),
# or one that starts after it ("这表明…"). Tools print their error chains in English; a Chinese registry message
# follows its code on the same line ("denied: 超出…").
_PROSE_END = re.compile(r"[\u4e00-\u9fff][)）\s]{0,2}:$")
_PROSE_START = re.compile(r"[(（「【“\"]?[\u4e00-\u9fff]")
# An issue template's label above what the user pasted ("Supervisor logs:", "Describe the results you received:",
# "Operating environment (HassOS/Generic):"): a few capitalised words and no error vocabulary, where a wrapped error
# chain ends in a tool's words ("Error response from daemon:", "failed to resolve reference …:").
_LABEL = re.compile(r"[A-Z][A-Za-z]{0,30}(?:[ /-]\(?[A-Za-z][A-Za-z.]{0,30}\)?){0,7}:")
_LABEL_NOT = re.compile(
    r"error|fail|fatal|denied|unauthori[sz]ed|refused|timeout|invalid|unable|cannot|can't|warn|daemon|panic|"
    r"exception|response|request|status|reference|pull|push|image|login",
    re.IGNORECASE,
)


def template_label(line: str) -> bool:
    """Whether `line` is an issue template's label rather than the first half of a wrapped error."""
    return bool(_LABEL.fullmatch(line)) and not _LABEL_NOT.search(line)


def _goes_on_above(line: str) -> bool:
    """Whether the line opens with the chain's separator (": general response handler: …"): it goes on the line above."""
    return line.startswith(": ") and len(line) > 2 and not line[2].isspace()


def logical_lines(lines: list[str]) -> list[tuple[int, str]]:
    """Join a line ending with ':' (a wrapped Go error chain or a wrapped kubectl event) to what follows, and a line
    that opens with ': ' to the line above (a wrapped error whose own text ended with a newline: Harbor's
    "…: connection reset by peer" / ": general response handler: unexpected status code: 500"), unless one side is
    the user's own sentence (_PROSE_END, _PROSE_START) or the first is a template's label (template_label): the
    evidence shown is what the tool printed."""
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        line, j = lines[i], i
        while (
            j + 1 < len(lines)
            and j - i < MAX_JOIN
            and len(line) < MAX_LINE
            and (
                line.endswith(":")
                or (_goes_on_above(lines[j + 1]) and not is_prose(lines[j]))
                or (" errors: " in line and ERRCODE_LINE.match(lines[j + 1]))
            )
            and not (_PROSE_END.search(lines[j]) or _PROSE_START.match(lines[j + 1]) or template_label(lines[j]))
        ):
            j += 1
            line = line + ("" if _goes_on_above(lines[j]) else " ") + lines[j]
        out.append((j, line[: MAX_LINE * 2]))
        i = j + 1
    return out


def strip_prefix(line: str) -> str:
    """The line without its log prefix (timestamp, level, logfmt `msg="..."` wrapper), for the evidence shown."""
    m = _LOGFMT_MSG.search(line)
    if m and ("level=" in line or "msg=" in line[:80]):
        line = m.group(1).replace('\\"', '"')
    return _PREFIX.sub("", line, count=1).strip()


def redact(line: str) -> str:
    """The line with pasted secrets masked by the one detector, `knowledge.redact`."""
    return _redact(line)[0]


def command_lines(lines: list[str]) -> list[tuple[int, str]]:
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


def clean_ref(ref: str) -> str:
    """A word of the paste as a reference or host: quotes, brackets, a scheme and trailing punctuation removed."""
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
