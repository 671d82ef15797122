"""Fit and cross-validate the answer-or-refuse combiner (knowledge/combiner.py) on the labelled TUNING sets.

    .venv/bin/python benchmarks/fit_combiner.py            # 5-fold CV table, ablation; writes nothing
    .venv/bin/python benchmarks/fit_combiner.py --write    # ... and knowledge/combiner.json (fitted on all of them)

Sets: tests/data/faq_{heldout,final,unseen}.jsonl, ../shared/eval/faq_dev.jsonl and tests/data/real/faq_tune.jsonl.
Never the blind sets (tests/data/faq_blind.jsonl, tests/data/real/*_blind.jsonl). Each item: the features of
knowledge.combiner_features and y = 1 when the matcher's best entry is the labelled one (0 for an out-of-scope
question or a wrong best entry: refusing is then the better outcome). Logistic regression with an L2 penalty,
fitted by Newton's method in pure Python (no numpy at run time or here). Folds are split by item, stratified by
set; the CV figures are those of the whole ask() (every other rule included) on the held-out folds.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import knowledge  # noqa: E402
from knowledge import combiner  # noqa: E402

SETS = {
    "heldout": ROOT / "tests/data/faq_heldout.jsonl",
    "final": ROOT / "tests/data/faq_final.jsonl",
    "unseen": ROOT / "tests/data/faq_unseen.jsonl",
    "dev": ROOT.parent.parent / "shared/eval/faq_dev.jsonl",
    "real_tune": ROOT / "tests/data/real/faq_tune.jsonl",
}


def load() -> list[dict]:
    items = []
    kb, matcher = knowledge.get_matcher()
    number = {e.id: e.number for e in kb.entries}
    for name, path in SETS.items():
        if not path.exists():
            path = Path("/work/shared/eval/faq_dev.jsonl") if name == "dev" else path
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            q = row["q"]
            from knowledge.structure import question_view

            view = question_view(q)
            decision = matcher.match(view)
            log = knowledge._log_cause(q, knowledge.extract_entities(q))[0]
            x = knowledge.combiner_features(view, decision, log, q)
            top = decision.cands[0].entry.id if decision.cands else None
            y = int(top is not None and row.get("faq") is not None and number[top] == row["faq"])
            items.append({"set": name, "q": q, "faq": row.get("faq"), "x": x, "y": y})
    return items


def standardize(xs: list[list[float]]) -> tuple[list[float], list[float]]:
    d = len(xs[0])
    mean = [sum(x[j] for x in xs) / len(xs) for j in range(d)]
    scale = []
    for j in range(d):
        var = sum((x[j] - mean[j]) ** 2 for x in xs) / len(xs)
        scale.append(math.sqrt(var) or 1.0)
    return mean, scale


def solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (a is small and positive definite)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[piv] = m[piv], m[col]
        p = m[col][col] or 1e-12
        for r in range(col + 1, n):
            f = m[r][col] / p
            if f:
                for c in range(col, n + 1):
                    m[r][c] -= f * m[col][c]
    out = [0.0] * n
    for r in range(n - 1, -1, -1):
        out[r] = (m[r][n] - sum(m[r][c] * out[c] for c in range(r + 1, n))) / (m[r][r] or 1e-12)
    return out


def fit(rows: list[dict], l2: float, mask: list[int]) -> dict:
    xs = [[r["x"][j] for j in mask] for r in rows]
    ys = [r["y"] for r in rows]
    mean, scale = standardize(xs)
    zs = [[1.0] + [(v - mu) / sd for v, mu, sd in zip(x, mean, scale, strict=True)] for x in xs]
    d = len(zs[0])
    w = [0.0] * d
    for _ in range(30):
        grad = [0.0] * d
        hess = [[0.0] * d for _ in range(d)]
        for z, y in zip(zs, ys, strict=True):
            t = sum(wi * zi for wi, zi in zip(w, z, strict=True))
            p = 1 / (1 + math.exp(-max(-30, min(30, t))))
            g = p - y
            h = max(p * (1 - p), 1e-6)
            for i in range(d):
                grad[i] += g * z[i]
                zi = h * z[i]
                row = hess[i]
                for j in range(i, d):
                    row[j] += zi * z[j]
        for i in range(d):
            for j in range(i):
                hess[i][j] = hess[j][i]
            if i:
                grad[i] += l2 * w[i]
                hess[i][i] += l2
        step = solve(hess, grad)
        w = [wi - si for wi, si in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    weights = [0.0] * len(combiner.FEATURES)
    means = [0.0] * len(combiner.FEATURES)
    scales = [1.0] * len(combiner.FEATURES)
    for k, j in enumerate(mask):
        weights[j], means[j], scales[j] = w[k + 1], mean[k], scale[k]
    return {"bias": w[0], "weights": weights, "mean": means, "scale": scales}


def evaluate(rows: list[dict], model: dict | None) -> dict[str, dict]:
    """ask() on `rows` with `model` (None = the lexical rule alone): per-set answered-correctly, in-scope refused,
    out-of-scope refused."""
    kb, _ = knowledge.get_matcher()
    number = {e.id: e.number for e in kb.entries}
    saved = knowledge._combiner_model
    knowledge._combiner_model = lambda: model
    try:
        out: dict[str, dict] = {}
        for r in rows:
            res = knowledge.ask(r["q"])
            s = out.setdefault(r["set"], {"in": 0, "ok": 0, "fr": 0, "oos": 0, "oos_ref": 0})
            if r["faq"] is None:
                s["oos"] += 1
                s["oos_ref"] += not res["matched"]
            else:
                s["in"] += 1
                s["ok"] += bool(res["matched"] and number[res["answer"]["id"]] == r["faq"])
                s["fr"] += not res["matched"]
        return out
    finally:
        knowledge._combiner_model = saved


def cross_validate(items: list[dict], l2: float, threshold: float, mask: list[int], k: int = 5) -> dict:
    rnd = random.Random(11)
    folds: list[list[dict]] = [[] for _ in range(k)]
    for name in SETS:
        group = [r for r in items if r["set"] == name]
        rnd.shuffle(group)
        for i, r in enumerate(group):
            folds[i % k].append(r)
    total: dict[str, dict] = {}
    for i in range(k):
        train = [r for j, f in enumerate(folds) if j != i for r in f]
        model = fit(train, l2, mask) | {"threshold": threshold, "features": list(combiner.FEATURES)}
        for name, s in evaluate(folds[i], model).items():
            t = total.setdefault(name, {"in": 0, "ok": 0, "fr": 0, "oos": 0, "oos_ref": 0})
            for key in t:
                t[key] += s[key]
    return total


def fmt(stats: dict[str, dict]) -> str:
    def pct(a, b):
        return f"{100 * a / b:5.1f}" if b else "  n/a"

    return "  ".join(
        f"{name}: ok {pct(s['ok'], s['in'])} FR {pct(s['fr'], s['in'])} OOS {pct(s['oos_ref'], s['oos'])}"
        for name, s in stats.items()
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true", help="write knowledge/combiner.json (fitted on every set)")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--ablation", action="store_true", help="also drop each feature in turn")
    args = ap.parse_args()
    items = load()
    every = list(range(len(combiner.FEATURES)))
    print(f"{len(items)} labelled tuning items; y=1 for {sum(r['y'] for r in items)}")
    print("rule only (no combiner):   ", fmt(evaluate(items, None)))
    print(
        f"combiner, 5-fold CV (l2={args.l2}, t={args.threshold}):",
        fmt(cross_validate(items, args.l2, args.threshold, every)),
    )
    if args.ablation:
        for j, name in enumerate(combiner.FEATURES):
            mask = [i for i in every if i != j]
            print(f"  without {name:<11}", fmt(cross_validate(items, args.l2, args.threshold, mask)))
    if args.write:
        model = fit(items, args.l2, every)
        data = {
            "enabled": True,
            "features": list(combiner.FEATURES),
            "threshold": args.threshold,
            "l2": args.l2,
            "fitted_on": sorted(SETS),
            "n": len(items),
            **model,
        }
        combiner.PATH.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print("wrote", combiner.PATH)
        for name, w in zip(combiner.FEATURES, model["weights"], strict=True):
            print(f"  {name:<11} {w:+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
