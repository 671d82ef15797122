"""Answer-or-refuse combiner (issue 11 item 4): a logistic regression over the signals the matcher, the log reader
and the message structure already compute, instead of one lexical coverage threshold.

The coefficients are data (`knowledge/combiner.json`, written by `benchmarks/fit_combiner.py`, which fits and
cross-validates them on the labelled tuning sets); this module only computes the features and the probability, with
`math` alone, so it costs nothing at CLI start. docs/matching.md explains each feature and shows the ablation.
"""

from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .dialogue import LazyRe
from .structure import prose_share

if TYPE_CHECKING:
    from .matcher import Match
    from .results import LogCause

PATH = Path(__file__).with_name("combiner.json")

# Feature names, in order (the fit script and this module share them).
FEATURES = (
    "rule",  # the lexical rule's own decision (coverage >= midpoint, topics, generic-domain check): 0/1
    "coverage",  # calibrated coverage of the best entry (after facets and any error-signature lift)
    "lexical",  # its coverage before the signature lift
    "signature",  # an error signature of the entry is in the text
    "facet",  # the entry was demoted by a facet mismatch
    "topic",  # best out-of-scope topic's coverage / the entry's lexical coverage (capped at 2)
    "gap",  # (best - runner-up) / best coverage
    "in_domain",  # a registry / container / cloud word or an error signature
    "log",  # the log reader found a registry cause
    "log_agrees",  # ... and the entry tells the same story
    "tcr",  # TCR is named (hosts, TCR / CCR / Tencent / 腾讯 / 容器镜像服务 / CODING)
    "length",  # log10(1 + characters) / 4
    "lines",  # min(lines, 40) / 40
    "prose",  # share of the characters in lines that read as the user's own sentences
    "question",  # the text asks a question (?, ？, how/what/why/..., 怎么/如何/吗/...)
)
_QUESTION = LazyRe(
    r"[?？]|怎么|如何|为什么|为啥|吗|么|能否|是否|多少|多久|哪|\b(?:how|what|why|when|where|which|can|could|does|is there)\b",
    re.IGNORECASE,
)


def features(text: str, decision: Match, log: LogCause | None, agree: bool, tcr: bool) -> list[float]:
    """The feature vector (FEATURES order) of one question and the matcher's decision about it."""
    cands = decision.cands
    top = cands[0] if cands else None
    cov = top.coverage if top else 0.0
    lex = top.lexical if top else 0.0
    second = cands[1].coverage if len(cands) > 1 else 0.0
    topic = decision.best_topic.coverage if decision.best_topic is not None else 0.0
    lines = text.count("\n") + 1
    return [
        float(decision.answered),
        cov,
        lex,
        float(bool(top and top.signature)),
        float(bool(top and top.facet)),
        min(2.0, topic / max(lex, 0.05)),
        (cov - second) / cov if cov > 0 else 0.0,
        float(decision.in_domain),
        float(log is not None),
        float(log is not None and agree),
        float(tcr),
        math.log10(1 + len(text)) / 4,
        min(lines, 40) / 40,
        prose_share(text),
        float(bool(_QUESTION.search(text))),
    ]


@functools.cache
def model() -> dict[str, Any] | None:
    """{"features", "weights", "bias", "threshold", ...} from combiner.json, or None when absent / disabled."""
    try:
        data = json.loads(PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not data.get("enabled") or list(data.get("features", ())) != list(FEATURES):
        return None
    return data


def probability(x: list[float], m: dict[str, Any]) -> float:
    """P(the best entry is the right answer) under model `m`."""
    z = m["bias"] + sum(w * (v - mu) / sd for w, v, mu, sd in zip(m["weights"], x, m["mean"], m["scale"], strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
