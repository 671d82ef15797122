"""Near-duplicate grouping of missed questions (no answer, or a thumbs-down): the one grouping the console's
question groups and `tcr-doctor report unanswered` (bot.storage.Storage.unanswered) both use.

Each question becomes the matcher's own feature vector (knowledge.question_vector: words, Chinese bigrams, pinyin,
concepts, IDF-weighted), so "登陆实力失败" and "登录实例失败" land together as they do in the index. Texts are
taken most frequent first; a text joins the first group whose leader it resembles (cosine >= THRESHOLD),
else it leads a new group. An inverted index over the leaders' features keeps this near-linear.

A pasted log (PASTE_LINES non-blank lines or more) is not a question to compare word by word: two long pastes share
docker's and the CI's words whatever went wrong, and ten different posts made one "10x" group. A paste joins only
the pastes whose log reads the same deciding error (knowledge.explain_log: its cause and the wording that decided
it); a paste whose log names none stays alone.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import knowledge

THRESHOLD = 0.4  # measured on a handful of pairs: same-question rewordings 0.42-0.66, other subjects 0.24-0.48
PASTE_LINES = 3  # a text of this many non-blank lines or more is a paste


def group_key(text: str) -> str:
    """A stable id for a group: derived from its leading text."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode()).hexdigest()[:12]


def cluster(items: list[dict[str, Any]], threshold: float = THRESHOLD) -> list[dict[str, Any]]:
    """Group `items` ({text, count, refused, refusal, ...}, most frequent first) into
    {key, count, refused, down, texts: [item...], answer_ids, reasons: {refusal kind or "": count}, log_cause},
    largest groups first. `log_cause` is the cause code the pastes of a group of pastes read (None for questions
    and for a paste whose log names no cause)."""
    groups: list[dict[str, Any]] = []
    leaders = _Leaders()
    group_of: list[int] = []  # leader index -> group index
    by_error: dict[str, int] = {}  # a paste's deciding error -> group index
    for item in items:
        error = pasted_error(item["text"])
        if error is None:  # a question: the nearest question group's
            vec = knowledge.question_vector(item["text"])
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            leader = leaders.nearest(vec, norm, threshold)
            if leader is None:
                leader = leaders.add(vec, norm)
                group_of.append(_new(groups, item["text"], None))
            best = group_of[leader]
        elif error[1]:  # a paste: the group of the pastes whose log reads the same error
            best = by_error.get(error[1])
            if best is None:
                best = by_error[error[1]] = _new(groups, item["text"], error[0])
        else:  # a paste whose log names no cause: alone
            best = _new(groups, item["text"], None)
        _join(groups[best], item)
    groups.sort(key=lambda g: (-g["count"], g["key"]))
    return groups


def pasted_error(text: str) -> tuple[str, str] | None:
    """(cause, deciding error) of a pasted log: its cause code and "cause/the wording's id" (knowledge.explain_log),
    ("", "") when it names none; None when `text` is a question, not a paste (fewer than PASTE_LINES non-blank
    lines)."""
    lines = 0
    for line in text.splitlines():
        lines += bool(line.strip())
        if lines >= PASTE_LINES:
            log = knowledge.explain_log(text)
            return (log["cause"], f"{log['cause']}/{log.get('pattern') or ''}") if log else ("", "")
    return None


def _new(groups: list[dict[str, Any]], text: str, log_cause: str | None) -> int:
    """A new, empty group led by TEXT, appended to GROUPS: its index."""
    groups.append(
        {
            "key": group_key(text),
            "count": 0,
            "refused": 0,
            "down": 0,
            "texts": [],
            "answer_ids": [],
            "reasons": {},
            "log_cause": log_cause or None,
        }
    )
    return len(groups) - 1


class _Leaders:
    """The groups' leading texts as vectors, with an inverted index from feature to the leaders that have it."""

    def __init__(self) -> None:
        self.vectors: list[tuple[dict[str, float], float]] = []
        self.postings: dict[str, list[int]] = {}

    def nearest(self, vec: dict[str, float], norm: float, threshold: float) -> int | None:
        """The leader most like VEC, when their cosine is at least THRESHOLD; else None."""
        dots: dict[int, float] = {}
        for tok, w in vec.items():
            for g in self.postings.get(tok, ()):
                dots[g] = dots.get(g, 0.0) + w * self.vectors[g][0][tok]
        best, best_sim = None, threshold
        for g, dot in dots.items():
            sim = dot / (norm * self.vectors[g][1])
            if sim >= best_sim:
                best, best_sim = g, sim
        return best

    def add(self, vec: dict[str, float], norm: float) -> int:
        """VEC leads a new group: its index."""
        index = len(self.vectors)
        self.vectors.append((vec, norm))
        for tok in vec:
            self.postings.setdefault(tok, []).append(index)
        return index


def _join(group: dict[str, Any], item: dict[str, Any]) -> None:
    """ITEM joins GROUP: its text, its counts and the answers it was given."""
    group["texts"].append(item)
    for k in ("count", "refused", "down"):
        group[k] += item.get(k, 0)
    if item.get("refused"):  # why those got no answer (rows stored before refusal kinds were recorded: "")
        reason = item.get("refusal") or ""
        group["reasons"][reason] = group["reasons"].get(reason, 0) + item["refused"]
    for a in item.get("answer_ids", ()):
        if a not in group["answer_ids"]:
            group["answer_ids"].append(a)
