"""Batch input of the CLI (`tcr-doctor ask` on stdin, `tcr-doctor check-name KIND -`): one item per input line.

A line is either plain text or JSON Lines: a JSON string (`"docker push fails\\nunauthorized: ..."`) or an object
with a string `"q"` (`{"q": "...", "lang": "en"}`), so a multi-line paste survives as one item. Any other line,
including one that merely looks like JSON, is plain text. Every input line, blank ones included, is one item, in
order: callers write exactly one output line per item. A line that shows nothing (`blank`: whitespace and invisible
characters only) is empty, here and in every channel.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from diagnostics import LANGS

MAX_STDIN = 64 << 20

# Characters that show nothing, besides whitespace: the soft hyphen, the Mongolian vowel separator, zero-width space,
# non-joiner and joiner, the direction marks and embeddings, the word joiner and invisible operators, the BOM
# (zero-width no-break space), the Hangul fillers and the blank Braille pattern. A question made of nothing else is
# empty, in every channel (`blank`). The OpenAPI document's "not only whitespace" pattern (bot/openapi.json) is the
# class of `_NOT_BLANK` written with \u escapes; tests/test_web_api.py keeps the two equal on every BMP character.
# A regular expression class (its ranges joined by "-").
INVISIBLE = "\u00ad\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u2800\u3164\ufeff\uffa0"
# A character that is none of those, no whitespace in Python's `str.isspace` (which counts \x1c-\x1f and \x85) nor
# in ECMAScript's `\s` (which counts \ufeff).
_NOT_BLANK = re.compile(f"[^\\s\\x1c-\\x1f\\x85{INVISIBLE}]")


def blank(text: str) -> bool:
    """True when `text` shows nothing: only whitespace (either notion of it) and invisible characters (INVISIBLE).
    Every channel decides with this whether a question (or a target) is empty."""
    return _NOT_BLANK.search(text) is None


@dataclass(frozen=True)
class Item:
    """One input line: its text, or the reason it cannot be used (binary, empty), and a `lang` from a JSON object."""

    text: str  # the question or value ("" for a blank line)
    problem: str | None = None  # "binary" (not UTF-8) | "empty" | None
    lang: str | None = None  # from a {"q", "lang"} object
    quoted: bool = False  # given as JSON (a string or a {"q"} object), not as a plain line


def _decode(raw: bytes) -> Item:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Item(raw.decode("utf-8", "replace"), "binary")
    stripped = line.strip()
    if stripped[:1] in ('"', "{") and stripped[-1:] in ('"', "}"):
        try:
            obj = json.loads(stripped)
        except (ValueError, RecursionError):
            obj = None
        if isinstance(obj, str):
            return Item(obj, "empty" if blank(obj) else None, quoted=True)
        if isinstance(obj, dict) and isinstance(obj.get("q"), str):
            lang = obj.get("lang") if obj.get("lang") in LANGS else None
            return Item(obj["q"], "empty" if blank(obj["q"]) else None, lang, quoted=True)
    return Item(line, "empty" if blank(line) else None)


def is_binary(text: str) -> bool:
    """Whether TEXT (decoded with errors="replace") is binary data rather than text: it holds a NUL, bytes that were
    not UTF-8 (U+FFFD), or more control characters than text has (tabs and line ends aside)."""
    if "\x00" in text or "\ufffd" in text:
        return True
    stripped = text.strip()
    controls = sum(1 for c in stripped if ord(c) < 32 and c not in "\n\r\t")
    return controls > max(2, len(stripped) // 20)


def mostly_binary(lines: Iterable[str]) -> bool:
    """Whether more than half of the non-blank LINES are binary (is_binary): a binary file read as lines, which is
    refused once as a whole, unlike a text file with a bad line (that line alone is refused, in its place)."""
    binary = text = 0
    for line in lines:
        if line.strip():
            if is_binary(line):
                binary += 1
            else:
                text += 1
    return binary > text


def read_items(data: bytes) -> list[Item]:
    """The items of `data` (stdin bytes): split on \\n only (a \\r before it is dropped), one item per line; the
    empty piece after a final newline is not a line."""
    if len(data) > MAX_STDIN:
        raise ValueError(f"{len(data)} bytes on stdin, over MAX_STDIN")  # the commands say it in zh and en
    if not data:
        return []
    pieces = data.split(b"\n")
    if pieces[-1] == b"":
        pieces.pop()
    return [_decode(_without_bom(p[:-1] if p.endswith(b"\r") else p)) for p in pieces]


_BOM = b"\xef\xbb\xbf"  # U+FEFF in UTF-8: what Windows editors put first in a file


def _without_bom(line: bytes) -> bytes:
    """LINE without the UTF-8 byte-order mark it starts with: at the start of stdin, or where files were joined
    (`cat a.txt b.txt`, a second file's mark lands mid-stream). It is no part of a name or a question (check-name
    reported it as an invalid character, invisible in the output)."""
    return line[len(_BOM) :] if line.startswith(_BOM) else line


def read_stdin(stream: TextIO) -> list[Item]:
    """read_items over a text stream's binary buffer (or its text, encoded, when it has none)."""
    data = stream.buffer.read(MAX_STDIN + 1) if hasattr(stream, "buffer") else stream.read(MAX_STDIN + 1).encode()
    return read_items(data)
