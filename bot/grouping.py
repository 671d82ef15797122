"""Near-duplicate grouping of missed questions (no answer, or a thumbs-down): the one grouping the console's
question groups and `tcr-doctor report unanswered` (bot.storage.Storage.unanswered) both use.

Each text becomes the matcher's own feature vector (knowledge.question_vector: words, Chinese bigrams, pinyin,
concepts, IDF-weighted), so "登陆实力失败" and "登录实例失败" land together as they do in the index. Texts are
taken most frequent first; a text joins the first group whose leader it resembles (cosine >= THRESHOLD),
else it leads a new group. An inverted index over the leaders' features keeps this near-linear.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import knowledge

THRESHOLD = 0.4  # measured on a handful of pairs: same-question rewordings 0.42-0.66, other subjects 0.24-0.48


def group_key(text: str) -> str:
    """A stable id for a group: derived from its leading text."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode()).hexdigest()[:12]


def cluster(items: list[dict[str, Any]], threshold: float = THRESHOLD) -> list[dict[str, Any]]:
    """Group `items` ({text, count, refused, refusal, ...}, most frequent first) into
    {key, count, refused, down, texts: [item...], answer_ids, reasons: {refusal kind or "": count}}, largest groups
    first."""
    groups: list[dict[str, Any]] = []
    leaders = _Leaders()
    for item in items:
        vec = knowledge.question_vector(item["text"])
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        best = leaders.nearest(vec, norm, threshold)
        if best is None:
            best = leaders.add(vec, norm)
            groups.append(
                {
                    "key": group_key(item["text"]),
                    "count": 0,
                    "refused": 0,
                    "down": 0,
                    "texts": [],
                    "answer_ids": [],
                    "reasons": {},
                }
            )
        _join(groups[best], item)
    groups.sort(key=lambda g: (-g["count"], g["key"]))
    return groups


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
