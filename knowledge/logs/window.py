"""Which lines of a long paste may decide its cause: for a channel that reads only part of it."""

from __future__ import annotations

from .paste import MAX_LINE
from .rules import match_line

# Words nearly every error wording the log reader knows holds (97.1 % of the evidence lines it reads in the labelled
# logs_tune, log_heldout, log_dev and seen blind r1-r9 pastes hold one): the cheap first look for lines that may decide.
_ERROR_WORDS = (
    *("err", "fail", "denied", "unauthori", "forbidden", "not found", "unknown", "refused", "time", "no such"),
    *("certificate", "tls", "eof", "reset", "too many", "rate", "invalid", "exceed", "quota", "auth", "manifest"),
    *("back", "dial", "status", "unreachable", "lookup", "cannot", "unable", "can't", "错误", "失败", "拒绝", "超时"),
)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def decisive_lines(text: str, limit: int = 20) -> list[tuple[int, int]]:
    """(start, end) offsets in `text` of its last `limit` lines that hold an error wording the log reader knows: the
    lines that may decide a pasted log's cause, for a channel that reads only part of a long paste (`tcr-doctor
    explain`'s window looks for them in the part it skips). Cheap: a word search, then the reader's own test on at
    most 4 x `limit` candidate lines; a line longer than MAX_LINE is taken around the word found in it."""
    lower = text.lower()
    if len(lower) != len(text):  # a character whose lower case is longer ("İ"): offsets must stay those of `text`
        lower = text.translate(_ASCII_LOWER)
    hits: dict[int, int] = {}  # a candidate line's start -> where a word was found in it
    for word in _ERROR_WORDS:
        if word not in lower:  # (a forward search is several times faster than rfind's backward one)
            continue
        end, found = len(lower), 0
        while found < 4 * limit:
            at = lower.rfind(word, 0, end)
            if at < 0:
                break
            start = lower.rfind("\n", 0, at) + 1
            hits.setdefault(start, at)
            found += 1
            end = start
    spans: list[tuple[int, int]] = []
    for start in sorted(hits, reverse=True)[: 4 * limit]:
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > MAX_LINE:
            start = max(start, hits[start] - MAX_LINE // 2)
            end = min(end, start + MAX_LINE)
        pattern = match_line(text[start:end], None)
        if pattern is not None and not pattern.get("no_cause"):
            spans.append((start, end))
            if len(spans) >= limit:
                break
    return sorted(spans)
