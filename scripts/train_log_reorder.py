"""Train the log reader's re-ranker (knowledge/logs/learned.py `reorderable`) and write knowledge/logs/reorder.json.

The re-ranker decides which of the causes the rules named goes first: for the rules' reading and each alternative in
its `also`, a logistic model over REORDER_FEATURES (the learned model's decision values, how the rules decided, the
credential story) gives the log-odds that the labels put the alternative first. It is trained where it will run: on
readings by a reader that had never seen the text (each round read by the commit before that round's first tuning
line, train_log_fallback.round_start) with the learned model's decision values from a model trained without that
round. It only considers pairs (the rules' cause, an alternative) the labels put first at least MIN_SWAPS times.

    /path/to/venv-with-sklearn/bin/python scripts/train_log_reorder.py             # train, write the file
    /path/to/venv-with-sklearn/bin/python scripts/train_log_reorder.py --ablation  # leave-one-round-out table
    ... --ablation --cross 2386eac                 # and round 8's blind half read by that commit's reader

Training data: the tuning half and the seen copy of the measured blind rounds (train_log_fallback.load); never
tests/data/real/logs_blind.jsonl.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_log_fallback as fallback  # the sibling script: data, readers, the learned model

ROOT = fallback.ROOT
OUT = ROOT / "knowledge" / "logs" / "reorder.json"
SAMPLE = ROOT / "tests" / "data" / "log_reorder_sample.jsonl"
NONE = fallback.NONE
C = 0.1  # inverse regularisation of the logistic model (chosen by the ablation: docs/logs.md, "Re-ranker")
MIN_SWAPS = 3  # a pair is considered when the labels put the alternative first at least this often in training
THRESHOLD = 0.0  # log-odds an alternative needs (probability 0.5)


def _learned() -> Any:
    sys.path.insert(0, str(ROOT))
    from knowledge.logs import learned

    return learned


def candidates(reading: dict[str, Any]) -> list[str]:
    """The rules' cause (NONE for none) and its alternatives, without repeats."""
    return list(dict.fromkeys([reading["cause"] or NONE, *(reading["also"] or [])]))[:3]


def held_out_scores(rows: list[dict[str, Any]], rounds: list[str], keep: int | None) -> list[dict[str, float]]:
    """Per row, the learned model's decision value per class, the model trained without the row's round."""
    scores: list[dict[str, float]] = [{} for _ in rows]
    for held in rounds:
        idx = [k for k, r in enumerate(rows) if r["batch"] == held]
        vec, clf = fallback.train([r for r in rows if r["batch"] != held], keep)
        dec = clf.decision_function(vec.transform([rows[k]["text"][-fallback.TAIL :] for k in idx]))
        for k, values in zip(idx, dec, strict=True):
            scores[k] = {str(c): float(v) for c, v in zip(clf.classes_, values, strict=True)}
        print(f"  model without {held}: {len(idx)} lines scored", file=sys.stderr, flush=True)
    return scores


def pre_round_readings(rows: list[dict[str, Any]], rounds: list[str]) -> list[dict[str, Any]]:
    """Per row, the reading of the reader of the commit before the row's round (one that had never seen it)."""
    out: list[dict[str, Any]] = [{} for _ in rows]
    with tempfile.TemporaryDirectory() as tmp:
        for held in rounds:
            idx = [k for k, r in enumerate(rows) if r["batch"] == held]
            code = fallback.checkout(fallback.round_start(held), Path(tmp))
            for k, g in zip(idx, fallback.reader_readings([rows[k] for k in idx], code), strict=True):
                out[k] = g
    return out


def swap_pairs(rows: list[dict[str, Any]], readings: list[dict[str, Any]], idx: list[int]) -> set[tuple[str, str]]:
    """(the rules' cause, alternative) pairs whose alternative the labels chose at least MIN_SWAPS times in `idx`."""
    swaps: Counter[tuple[str, str]] = Counter()
    for k in idx:
        c = candidates(readings[k])
        if c[0] != NONE and rows[k]["label"] in c[1:]:
            swaps[(c[0], rows[k]["label"])] += 1
    return {p for p, n in swaps.items() if n >= MIN_SWAPS}


def design(
    rows: list[dict[str, Any]],
    readings: list[dict[str, Any]],
    scores: list[dict[str, float]],
    stories: list[Any],
    idx: list[int],
) -> tuple[list[list[float]], list[int]]:
    """Feature rows and targets: each alternative of a reading with a cause, where the label is the rules' cause (0)
    or that alternative (1)."""
    learned = _learned()
    x, y = [], []
    for k in idx:
        g = readings[k]
        c = candidates(g)
        if c[0] == NONE or not scores[k]:
            continue
        reading = {**g, "cause": c[0], "also": c[1:]}
        for i in range(1, len(c)):
            if rows[k]["label"] in (c[0], c[i]):
                x.append(learned.reorder_features(reading, i, scores[k], stories[k]))
                y.append(int(rows[k]["label"] == c[i]))
    return x, y


def fit(x: list[list[float]], y: list[int]) -> Any:
    """The logistic model (scikit-learn) on feature rows `x`, targets `y`."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=5000).fit(x, y)


def first_cause(
    clf: Any, pairs: set[tuple[str, str]], reading: dict[str, Any], scores: dict[str, float], story: Any, text: str
) -> str:
    """The cause the re-ranker puts first (the product's `_reordered`, with scikit-learn's model)."""
    learned = _learned()
    c = candidates(reading)
    if c[0] == NONE or not scores or reading.get("pattern") in learned.NOT_REORDERED or not learned.pasted(text):
        return c[0]
    own = _own_causes().get(str(reading.get("pattern") or ""))
    if own is not None and own != c[0]:
        return c[0]  # rules.wordings_own, by this tree's patterns: the paste decided the cause, not the wording
    r = {**reading, "cause": c[0], "also": c[1:]}
    best, best_logit = c[0], THRESHOLD
    for i in range(1, len(c)):
        if (c[0], c[i]) not in pairs:
            continue
        logit = float(clf.decision_function([learned.reorder_features(r, i, scores, story)])[0])
        if logit > best_logit:
            best, best_logit = c[i], logit
    return best


def shipped(reading: dict[str, Any], scores: dict[str, float], text: str) -> str:
    """The shipped combiner's first cause (rules 1 and 2: train_log_fallback.combine with its THRESHOLD and OVERRIDE; as
    rules.overrulable, a reading whose cause is not its wording's own, by this tree's patterns, is not weak; as
    learned.learned_cause, rule 1 only for a paste with pasted output whose requests did not all go to another
    program's hosts)."""
    learned = _learned()
    top = max(scores, key=scores.__getitem__)
    margin = scores[top] - max(v for c, v in scores.items() if c != top)
    own = _own_causes().get(str(reading.get("pattern") or ""))
    weak = reading["weak"] and (own is None or own == reading["cause"])
    first = fallback.combine(
        {**reading, "cause": reading["cause"] or NONE, "weak": weak},
        top,
        margin,
        ("weak", fallback.THRESHOLD, fallback.OVERRIDE),
    )
    if (reading["cause"] or NONE) == NONE and first != NONE:
        if not learned.pasted(text) or learned.requests_elsewhere(learned.clean_lines(text)):
            return NONE
    return first


def _own_causes() -> dict[str, str]:
    """Each pattern id's own cause in this tree's knowledge/logpatterns.toml (the first pattern of an id)."""
    learned = _learned()
    out: dict[str, str] = {}
    for p in learned.load_rules()["patterns"]:
        out.setdefault(p["id"], p["cause"])
    return out


def _score(rows: list[dict[str, Any]], firsts: list[str]) -> tuple[int, int]:
    strict = sum(f == r["label"] for f, r in zip(firsts, rows, strict=True))
    ok = sum(f == r["label"] or f in r.get("also_ok", ()) for f, r in zip(firsts, rows, strict=True))
    return strict, ok


def ablation(
    rows: list[dict[str, Any]], rounds: list[str], keep: int | None, cross: list[str], cross_batch: str = "r9"
) -> None:
    """Leave one round out: the re-ranker trained on the other rounds, measured on the held-out round read by the
    reader that had never seen it; reader alone, shipped combiner, re-ranker, re-ranker + combiner (what the
    product does: rule 2 first, else the re-ranker), strict / with `also_ok`, and `null` lines given a cause /
    cleared. The training rows' decision values come from models without their own round (which saw the held-out
    round: a second-order leak, measured small in docs/logs.md). With `cross`, round 8's blind half read by each
    given commit's reader, the re-ranker and the model trained without round 8."""
    learned = _learned()
    readings = pre_round_readings(rows, rounds)
    scores = held_out_scores(rows, rounds, keep)
    stories = [learned.paste_story(r["text"]) for r in rows]
    names = ["reader", "shipped", "re-ranker", "re-ranker + shipped"]
    totals = {n: [0, 0] for n in names}
    nulls = {n: [0, 0] for n in names}
    print("| round | n | " + " | ".join(names) + " |")
    print("| --- " * (len(names) + 2) + "|")

    def firsts_of(clf: Any, pairs: set[tuple[str, str]], idx: list[int], rd: list[dict[str, Any]]) -> dict[str, list]:
        out: dict[str, list[str]] = {n: [] for n in names}
        for k in idx:
            g = rd[k]
            base = g["cause"] or NONE
            sh = shipped(g, scores[k], rows[k]["text"])
            rr = first_cause(clf, pairs, g, scores[k], stories[k], rows[k]["text"])
            out["reader"].append(base)
            out["shipped"].append(sh)
            out["re-ranker"].append(rr)
            out["re-ranker + shipped"].append(sh if sh != base or base == NONE else rr)
        return out

    for held in rounds:
        test = [k for k, r in enumerate(rows) if r["batch"] == held]
        train = [k for k, r in enumerate(rows) if r["batch"] != held]
        clf = fit(*design(rows, readings, scores, stories, train))
        firsts = firsts_of(clf, swap_pairs(rows, readings, train), test, readings)
        cells = []
        for n in names:
            s, o = _score([rows[k] for k in test], firsts[n])
            totals[n][0] += s
            totals[n][1] += o
            cells.append(f"{100 * s / len(test):.1f} / {100 * o / len(test):.1f}")
            for k, f in zip(test, firsts[n], strict=True):
                if rows[k]["label"] == NONE:
                    nulls[n][0] += readings[k]["cause"] in (None, NONE) and f != NONE
                    nulls[n][1] += readings[k]["cause"] not in (None, NONE) and f == NONE
        print(f"| {held} | {len(test)} | " + " | ".join(cells) + " |", flush=True)
    n_all = sum(r["batch"] in rounds for r in rows)
    print(
        f"| pooled | {n_all} | "
        + " | ".join(f"{100 * s / n_all:.2f} / {100 * o / n_all:.2f}" for s, o in totals.values())
        + " |"
    )
    print("| `null` lines: given a cause / cleared | | " + " | ".join(f"{a} / {b}" for a, b in nulls.values()) + " |")
    if not cross:
        return
    train = [k for k, r in enumerate(rows) if r["batch"] != cross_batch]
    clf, pairs = fit(*design(rows, readings, scores, stories, train)), swap_pairs(rows, readings, train)
    blind = [k for k, r in enumerate(rows) if r["batch"] == cross_batch and r.get("half") == "blind"]
    with tempfile.TemporaryDirectory() as tmp:
        for rev in cross:
            rd = dict(zip(blind, fallback.reader_readings([rows[k] for k in blind], fallback.checkout(rev, Path(tmp)))))
            firsts = firsts_of(clf, pairs, blind, rd)  # type: ignore[arg-type]
            cells = [f"{n} {_score([rows[k] for k in blind], firsts[n])}" for n in names]
            print(f"{cross_batch} blind half ({len(blind)} lines) read by {rev}: " + "; ".join(cells))


def main(argv: list[str]) -> int:
    """Train and write the re-ranker, or print the ablation."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", type=int, default=5000, help="n-grams kept by the learned model (0: all)")
    ap.add_argument("--rounds", help="these rounds only (comma-separated batches); default every round labelled")
    ap.add_argument("--ablation", action="store_true", help="leave-one-round-out table instead of training")
    ap.add_argument("--cross", action="append", default=[], help="ablation: a commit whose reader reads a blind half")
    ap.add_argument("--cross-batch", default="r9", help="ablation: the round whose blind half --cross reads")
    ap.add_argument("--threshold", type=float, help="ablation: the combiner's margin where the rules name no cause")
    ap.add_argument("--override", type=float, help="ablation: the combiner's margin before a guess of the rules")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--sample", type=Path, default=SAMPLE)
    ap.add_argument("--seen", help="the seen copy of the blind rounds (train_log_fallback.SEEN; 'none': tuning alone)")
    args = ap.parse_args(argv)
    paths = fallback.training_paths(args.seen)
    rows = []
    for path in paths:
        for r in fallback.load([path]):
            r["half"] = "tune" if path == fallback.TUNE else "blind"
            rows.append(r)
    rounds = args.rounds.split(",") if args.rounds else sorted({r["batch"] for r in rows}, key=lambda b: int(b[1:]))
    rows = [r for r in rows if r["batch"] in rounds]
    keep = args.keep or None
    if args.ablation:
        fallback.THRESHOLD = fallback.THRESHOLD if args.threshold is None else args.threshold
        fallback.OVERRIDE = fallback.OVERRIDE if args.override is None else args.override
        print(f"combiner: none>{fallback.THRESHOLD} weak>{fallback.OVERRIDE}")
        ablation(rows, rounds, keep, args.cross, args.cross_batch)
        return 0
    learned = _learned()
    readings = pre_round_readings(rows, rounds)
    scores = held_out_scores(rows, rounds, keep)
    stories = [learned.paste_story(r["text"]) for r in rows]
    every = list(range(len(rows)))
    x, y = design(rows, readings, scores, stories, every)
    clf = fit(x, y)
    pairs = sorted(swap_pairs(rows, readings, every))
    data = {
        "format": learned.FORMAT,
        "model": f"logistic regression (scikit-learn, C={C}) over (the rules' reading, one alternative)",
        "features": list(learned.REORDER_FEATURES),
        "weights": [round(float(w), 8) for w in clf.coef_[0]],
        "intercept": round(float(clf.intercept_[0]), 8),
        "threshold": THRESHOLD,
        "pairs": [list(p) for p in pairs],
        "trained": {
            "files": [str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in paths],
            "lines": len(rows),
            "alternatives": len(y),
            "by_round": {b: sum(r["batch"] == b for r in rows) for b in rounds},
            "readers": "each round read by the commit before its first tuning line",
            "date": datetime.date.today().isoformat(),
            "script": "scripts/train_log_reorder.py",
        },
    }
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    # A fixed sample of feature rows with scikit-learn's own log-odds, for the test that the pure-Python re-ranker
    # computes the same.
    every_logit = clf.decision_function(x)
    swapped = sorted(range(len(x)), key=lambda i: -every_logit[i])[:10]  # the alternatives it puts first
    picked = sorted({*range(0, len(x), max(1, len(x) // 30)), *swapped})
    logits = clf.decision_function([x[i] for i in picked])
    with open(args.sample, "w", encoding="utf-8") as fh:
        for i, logit in zip(picked, logits, strict=True):
            fh.write(json.dumps({"features": x[i], "logit": round(float(logit), 8)}) + "\n")
    print(f"{len(rows)} lines, {len(y)} alternatives, {len(pairs)} pairs; wrote {args.out} and {args.sample}")
    print("weights: " + ", ".join(f"{n} {w:+.3f}" for n, w in zip(learned.REORDER_FEATURES, clf.coef_[0], strict=True)))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main(sys.argv[1:]))
