"""Measure what each part of the matcher contributes (figures for docs/matching.md; not a test).

    .venv/bin/python benchmarks/ablation_matching.py [DEV.jsonl]

Variants, each adding one mechanism to the previous:
  bm25-words+bigrams  English words + Chinese character bigrams, BM25 (the "plain BM25" baseline)
  +concepts           + cross-lingual concept table (knowledge/concepts.toml)
  +unigrams+pinyin    + Chinese content characters and pinyin syllable bigrams (homophone typos)
  +typo-fix+signatures (full)  + English typo correction and error-signature matching
Metrics on a labelled file (default ../shared/eval/faq_dev.jsonl) and on the tests' own paraphrases.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def measure(matcher_module, kb, items):
    m = matcher_module.Matcher(kb.entries)
    n_in = top1 = top3 = rejected_in = 0
    n_out = rejected_out = 0
    for q, faq in items:
        cands = m.rank(q, limit=3)
        answered = bool(cands) and cands[0].score >= matcher_module.THRESHOLD
        if faq is None:
            n_out += 1
            rejected_out += not answered
            continue
        n_in += 1
        ranked = [c.entry.number for c in cands]
        top1 += bool(ranked) and ranked[0] == faq
        top3 += faq in ranked
        rejected_in += not answered
    pct = lambda a, b: f"{100 * a / b:5.1f}" if b else "  n/a"  # noqa: E731
    return (
        f"top-1 {pct(top1, n_in)}  top-3 {pct(top3, n_in)}  in-scope rejected {pct(rejected_in, n_in)}  "
        f"out-of-scope rejected {pct(rejected_out, n_out)}"
    )


def main() -> None:
    from test_matcher import NEAR_MISS, OUT_OF_SCOPE, OWN

    from knowledge import matcher as M
    from knowledge import text as T
    from knowledge.kb import load_kb

    dev_path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "eval" / "faq_dev.jsonl"
    kb = load_kb()
    num = {e.id: e.number for e in kb.entries}
    sets = []
    if dev_path.exists():
        dev = [json.loads(line) for line in dev_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        sets.append((dev_path.name, [(o["q"], o.get("faq")) for o in dev]))
    sets.append(("own (tests)", [(q, num[i]) for q, i in OWN] + [(q, None) for q in OUT_OF_SCOPE + NEAR_MISS]))

    full_weights = dict(T.WEIGHTS)
    fix, sig = M.Matcher.fix_word, M.Matcher._signature_hits
    variants = [
        ("bm25-words+bigrams", {"u": 0.0, "p": 0.0, "c": 0.0}, False),
        ("+concepts", {"u": 0.0, "p": 0.0}, False),
        ("+unigrams+pinyin", {}, False),
        ("+typo-fix+signatures (full)", {}, True),
    ]
    print("command: .venv/bin/python benchmarks/ablation_matching.py", *sys.argv[1:])
    print(f"kb {kb.version}; threshold coverage {M.MIDPOINT} (calibrated score {M.THRESHOLD})")
    for name, weights, extras in variants:
        T.WEIGHTS.clear()
        T.WEIGHTS.update(full_weights, **weights)
        M.Matcher.fix_word = fix if extras else (lambda self, w: w)
        M.Matcher._signature_hits = sig if extras else (lambda self, q: {})
        for set_name, items in sets:
            print(f"{name:<30} {set_name:<18} {measure(M, kb, items)}")
    T.WEIGHTS.update(full_weights)
    M.Matcher.fix_word, M.Matcher._signature_hits = fix, sig


if __name__ == "__main__":
    main()
