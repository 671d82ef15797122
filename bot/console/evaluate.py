"""Before a teaching act is accepted: the evaluation sets' top-1 and refusal rates with and without it.

The sets are the tuning sets (tests/data/faq_heldout, faq_final, faq_unseen) and the shared dev set; a blind
set (any file with "blind" in its name) is never read, so teaching can never be fitted to the report figures.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import knowledge

if TYPE_CHECKING:
    from knowledge import KnowledgeBase, Matcher

log = logging.getLogger("tcr_doctor.console")

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SETS = (
    ROOT / "tests" / "data" / "faq_heldout.jsonl",
    ROOT / "tests" / "data" / "faq_final.jsonl",
    ROOT / "tests" / "data" / "faq_unseen.jsonl",
    ROOT.parent / "shared" / "eval" / "faq_dev.jsonl",
)


def eval_paths(setting: str | list[str] | None) -> list[Path]:
    """The evaluation files to use: the setting's comma-separated paths, else the defaults that exist; files
    named *blind* are refused."""
    if isinstance(setting, str):
        setting = [p.strip() for p in setting.split(",") if p.strip()]
    paths = [Path(p) for p in setting] if setting else [p for p in DEFAULT_SETS if p.is_file()]
    kept = []
    for p in paths:
        if "blind" in p.name:
            log.warning("%s is a blind set: the console never evaluates on it", p)
            continue
        kept.append(p)
    return kept


@functools.lru_cache(maxsize=4)
def load_items(paths: tuple[Path, ...]) -> tuple[tuple[str, int | None], ...]:
    """The (question, labelled entry number or None) pairs of the evaluation files, read once per set of paths."""
    items = []
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                obj = json.loads(line)
                if isinstance(obj, dict) and isinstance(obj.get("q"), str):
                    faq = obj.get("faq")
                    items.append((obj["q"], faq if isinstance(faq, int) and not isinstance(faq, bool) else None))
    return tuple(items)


def figures(base: tuple[KnowledgeBase, Matcher], items: Sequence[tuple[str, int | None]]) -> dict[str, Any]:
    """top-1 (in scope), in-scope rejected (false refusals) and out-of-scope rejected (right refusals), in %, of what
    ask() answers from `base` (a knowledge base and its matcher): the product's answer, as `tcr-doctor eval` counts."""
    n_in = n_out = top1 = false_rej = oos_rej = 0
    for q, faq in items:
        res, order = knowledge.ask_ranked(q, base=base)
        if faq is None:
            n_out += 1
            oos_rej += not res["matched"]
        else:
            n_in += 1
            top1 += bool(order) and order[0].number == faq
            false_rej += not res["matched"]

    def pct(a: int, b: int) -> float | None:
        return round(100.0 * a / b, 2) if b else None

    return {
        "questions": len(items),
        "top1": pct(top1, n_in),
        "in_scope_rejected": pct(false_rej, n_in),
        "out_of_scope_rejected": pct(oos_rej, n_out),
    }


_cache: dict[
    tuple[tuple[Path, ...], str | None], dict[str, Any]
] = {}  # (sets, overlay version) -> figures: a preview's result serves its accept


def _figures_for(overlay: knowledge.Overlay | None, paths: list[Path]) -> dict[str, Any]:
    key = (tuple(paths), overlay.version if overlay else None)
    found = _cache.get(key)
    if found is None:
        found = figures(knowledge.build_matcher(None, overlay), load_items(tuple(paths)))
        if len(_cache) > 32:
            _cache.clear()
        _cache[key] = found
    return found


def compare(current: knowledge.Overlay | None, proposed: knowledge.Overlay, paths: list[Path]) -> dict[str, Any]:
    """Figures before (the overlay in force) and after (with the proposed act); `lowered` lists the figures
    that get worse: top-1 or the out-of-scope refusal rate down, or the in-scope refusal rate up."""
    before = _figures_for(current, paths)
    after = _figures_for(proposed, paths)
    lowered = []
    for name, worse in (("top1", -1), ("out_of_scope_rejected", -1), ("in_scope_rejected", 1)):
        b, a = before[name], after[name]
        if b is not None and a is not None and (a - b) * worse > 0:
            lowered.append(name)
    return {
        "sets": [p.name for p in paths],
        "before": before,
        "after": after,
        "delta": {
            k: round(after[k] - before[k], 2)
            for k in ("top1", "in_scope_rejected", "out_of_scope_rejected")
            if before[k] is not None and after[k] is not None
        },
        "lowered": lowered,
    }
