"""The console's view of a group of missed questions (bot.grouping clusters them): redacted examples and the
entries the matcher considered for its leading text."""

from __future__ import annotations

from typing import Any

import knowledge
from bot.grouping import THRESHOLD, cluster, group_key

__all__ = ["EXAMPLES", "THRESHOLD", "cluster", "describe", "group_key"]

EXAMPLES = 5


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
    return dict(group, examples=examples, considered=considered, topic=topic, status=decision.status, lead=lead)
