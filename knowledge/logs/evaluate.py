"""Scoring `explain` on labelled JSON Lines (`python -m knowledge.logs FILE.jsonl...`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .reader import explain
from .rules import overrulable

if TYPE_CHECKING:
    from ..results import LogCause


def measure(paths: list[str], batch: str | None = None, *, learned: bool = False) -> dict[str, Any]:
    """Score `explain` on JSON Lines files of {"text", "cause" (or null), optional "host"/"image"/"tag"/"tool"};
    with `batch`, only the lines of that collection round (`"batch": "r3"`; round 1 has no batch, ask for "r1");
    with `learned`, the learned model reads the lines the rules find no cause in or only guess (what the channels
    show)."""

    n = first = first_ok = anywhere = fields = fields_ok = 0
    misses = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                row = json.loads(line)
                if batch is not None and row.get("batch", "r1") != batch:
                    continue
                r = explain(row.get("text", ""))
                if learned:
                    r = _with_learned(row.get("text", ""), r)
                n += 1
                want = row.get("cause")
                if want is None:
                    hit = top = r is None
                else:
                    top = r is not None and r["cause"] == want
                    hit = top or (r is not None and want in r["also"])
                # The label's own accepted alternatives (`also_ok`, log_heldout / real sets) put first.
                first_ok += top or (r is not None and want is not None and r["cause"] in row.get("also_ok", ()))
                first += top
                anywhere += hit
                if not hit:
                    misses.append(
                        {"want": want, "got": r and [r["cause"], *r["also"]], "text": row.get("text", "")[:160]}
                    )
                for key in ("host", "image", "tag", "tool"):
                    if key in row and r is not None:
                        fields += 1
                        fields_ok += r.get(key) == row[key]
    return {
        "lines": n,
        "cause_first": first / n if n else 0.0,
        "cause_first_or_label_also_ok": first_ok / n if n else 0.0,
        "cause_first_or_also": anywhere / n if n else 0.0,
        "entity_fields": fields,
        "entity_accuracy": fields_ok / fields if fields else None,
        "misses": misses,
    }


def _with_learned(text: str, r: LogCause | None) -> LogCause | None:
    """The reading the channels show: the learned part's where it may speak (no cause, a guess of the rules, or
    alternatives the re-ranker weighs), else the rules' `r`."""
    from .learned import learned_cause, reorderable  # the learned part, only when it is measured

    if r is None or overrulable(r) or reorderable(r):
        return learned_cause(text, r) or r
    return r
