"""The console's view of a group of missed questions (bot.grouping clusters them): redacted examples and the
entries the matcher considered for its leading text."""

from __future__ import annotations

import re
from typing import Any

import knowledge
from bot.grouping import THRESHOLD, cluster, group_key

__all__ = ["EXAMPLES", "THRESHOLD", "cluster", "describe", "group_key", "title"]

EXAMPLES = 5

# A title is read from the start of a text only (it is cut to 90 characters on the page): the patterns below then
# never see more than this, whatever was pasted.
TITLE_SOURCE_CHARS = 1000
# The Markdown that posts (GitHub issue templates most of all) carry into the first words: HTML comments (a
# template's hints), a fence line with its info string, and at a line's start a heading's #s, a quote's >s, a list
# item's or a task's marker (one inside another too); a heading's closing #s.
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_FENCE = re.compile(r"^ {0,3}(?:`{3,}|~{3,}).*$", re.M)
_LINE_START = re.compile(
    r"^[ \t]{0,3}(?:(?:#{1,6}(?=\s|$)|>|(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?)[ \t]*)+", re.M
)
_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$", re.M)
# Inline: an image's or a link's text kept without its address, strong/strikethrough/emphasis marks around words,
# code spans' backticks.
_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\s]*(?:[ \t]+\"[^\"\n]*\")?\)")
_PAIRED = re.compile(r"(?<![\w*~])(\*\*|~~|\*)(?=[^\s*~])([^\n]*?[^\s*~])\1(?![\w*~])")
_BACKTICKS = re.compile(r"`+")


def title(text: str) -> str:
    """A group's title: the first words of `text` as plain text, on one line (a post's Markdown, such as an issue
    template's "### 1Panel Version", read as its words, not shown as marks); `text` itself when nothing is left."""
    plain = _COMMENT.sub(" ", text[:TITLE_SOURCE_CHARS])
    plain = _FENCE.sub("", plain)
    plain = _CLOSING_HASHES.sub("", _LINE_START.sub("", plain))
    plain = _BACKTICKS.sub("", _PAIRED.sub(r"\2", _LINK.sub(r"\1", plain)))
    return " ".join(plain.split()) or " ".join(text.split())


def describe(group: dict[str, Any], lang: str, limit: int = 3) -> dict[str, Any]:
    """Add what the console shows: redacted examples and the entries (and topic) the matcher considered for
    the group's leading text, with their scores."""
    kb, matcher = knowledge.get_matcher()
    lead = group["texts"][0]["text"]
    decision = matcher.match(lead, limit=limit)
    considered = [
        {
            "id": c.entry.id,
            "number": c.entry.number,
            "question": c.entry.question[lang],
            "score": c.score,
            "why": c.facet,
        }
        for c in decision.cands
    ]
    topic = None
    hit = decision.topic
    if hit is not None and hit.topic is not None:
        topic = {"id": hit.topic.id, "title": hit.topic.title[lang], "score": hit.score}
    examples = [dict(t, text=knowledge.redact(t["text"])[0]) for t in group["texts"][:EXAMPLES]]
    return dict(
        group,
        examples=examples,
        title=title(examples[0]["text"]),
        considered=considered,
        topic=topic,
        status=decision.status,
        lead=lead,
    )
