"""Train the log reader's learned fallback (knowledge/logs/learned.py) and write knowledge/logs/fallback.json.

The fallback is a character-n-gram linear SVM: TF-IDF over `char_wb` 3-5-grams of a paste's last 4,000 characters,
one weight vector per cause code (and NONE, a paste with no registry cause), LinearSVC(C=0.5). It is used only when
the rule-based reader names no cause. scikit-learn and numpy are needed here only (`pip install -e '.[train]'`);
the product reads the written file in pure Python.

    .venv/bin/python scripts/train_log_fallback.py                   # train on the development data, write the file
    .venv/bin/python scripts/train_log_fallback.py --ablation --reader-code DIR   # leave-one-round-out table

Training data: the tuning half (tests/data/real/logs_tune.jsonl) and the seen copy of the measured blind rounds
(/work/notes/seen/logs_blind_r1-r6.jsonl, when present). Never the blind half, tests/data/real/logs_blind.jsonl.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TUNE = ROOT / "tests" / "data" / "real" / "logs_tune.jsonl"
SEEN = Path("/work/notes/seen/logs_blind_r1-r6.jsonl")
OUT = ROOT / "knowledge" / "logs" / "fallback.json"
SAMPLE = ROOT / "tests" / "data" / "log_fallback_sample.jsonl"
FORMAT = 1
TAIL = 4000  # characters of a paste read: the final error is at the end
NONE = "NONE"
PARAMS: dict[str, Any] = {"analyzer": "char_wb", "ngram_range": (3, 5), "min_df": 2, "sublinear_tf": True}
C = 0.5


def load(paths: list[Path]) -> list[dict[str, Any]]:
    """Rows of the labelled JSON Lines files, each with its `batch` (round 1 has none: "r1") and `label`."""
    rows = []
    for path in paths:
        if "blind" in path.name and path.parent == TUNE.parent:
            raise SystemExit(f"refusing to train on the blind half {path}")
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    row.setdefault("batch", "r1")
                    row["label"] = row.get("cause") or NONE
                    rows.append(row)
    return rows


def fit(texts: list[str], labels: list[str], vocabulary: list[str] | None = None) -> tuple[Any, Any]:
    """(vectorizer, LinearSVC) fitted on `texts`; with `vocabulary`, only those n-grams."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    params = dict(PARAMS)
    if vocabulary is not None:
        params.pop("min_df")
        params["vocabulary"] = vocabulary
    vec = TfidfVectorizer(**params)
    x = vec.fit_transform([t[-TAIL:] for t in texts])
    return vec, LinearSVC(C=C).fit(x, labels)


def prune(vec: Any, clf: Any, keep: int | None) -> list[str] | None:
    """The `keep` n-grams with the largest weight (in absolute value) for any class; None keeps them all."""
    import numpy as np

    if keep is None:
        return None
    names = vec.get_feature_names_out()
    if keep >= len(names):
        return None
    top = np.argsort(-np.abs(clf.coef_).max(axis=0))[:keep]
    return [str(names[i]) for i in sorted(top)]


def train(rows: list[dict[str, Any]], keep: int | None) -> tuple[Any, Any]:
    """The model on `rows`, pruned to `keep` n-grams and re-fitted on them."""
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    vec, clf = fit(texts, labels)
    vocabulary = prune(vec, clf, keep)
    return (vec, clf) if vocabulary is None else fit(texts, labels, vocabulary)


def decisions(vec: Any, clf: Any, texts: list[str]) -> tuple[list[str], list[float]]:
    """(predicted class, margin = best minus second decision value) per text."""
    import numpy as np

    dec = clf.decision_function(vec.transform([t[-TAIL:] for t in texts]))
    top2 = np.sort(dec, axis=1)[:, -2:]
    return [str(c) for c in clf.classes_[dec.argmax(axis=1)]], [float(m) for m in top2[:, 1] - top2[:, 0]]


def reader_causes(rows: list[dict[str, Any]], code: Path | None) -> list[str]:
    """The rule-based reader's cause (NONE for no cause) per row, run from `code` (a checkout; this tree if None)."""
    env = dict(os.environ, PYTHONPATH=str(code or ROOT))
    prog = (
        "import json,sys\nfrom knowledge.logs import explain\n"
        "for line in sys.stdin:\n r = explain(json.loads(line))\n print(r['cause'] if r else 'NONE')\n"
    )
    stdin = "".join(json.dumps(r["text"]) + "\n" for r in rows)
    out = subprocess.run(
        [sys.executable, "-c", prog], input=stdin, capture_output=True, text=True, env=env, cwd=code or ROOT, check=True
    )
    return out.stdout.split()


def combine(reader: list[str], learned: list[str], margins: list[float], rule: tuple[str, float]) -> list[str]:
    """The product's cause per row: the reader's, and the learned one where `rule` says so. ("none", t): only where
    the reader names no cause and the margin exceeds t; ("override", t): also where the reader names one and the
    margin exceeds t."""
    kind, t = rule
    out = []
    for r, s, m in zip(reader, learned, margins, strict=True):
        use = (r == NONE and m > (0.0 if kind == "override" else t)) or (kind == "override" and m > t)
        out.append(s if use else r)
    return out


def score(rows: list[dict[str, Any]], causes: list[str]) -> tuple[int, int]:
    """(right cause first, right first or in the label's `also_ok`)."""
    strict = sum(c == r["label"] for c, r in zip(causes, rows, strict=True))
    ok = sum(c == r["label"] or c in r.get("also_ok", ()) for c, r in zip(causes, rows, strict=True))
    return strict, ok


RULES = [("none", 0.0), ("none", 0.25), ("none", 0.5), ("none", 1.0), ("override", 1.0), ("override", 1.5)]


def ablation(rows: list[dict[str, Any]], code: Path | None, keeps: list[int | None], threshold: float) -> None:
    """Leave one round out over r1-r6 (train on the other five, measure the held-out round; r7 and later are not
    used), and the same with round 7's tuning lines held out (trained on r1-r6): reader alone, fallback alone,
    combined per rule; per pruning size; and how many `null`-labelled lines the reader leaves without a cause the
    fallback turns into one at `threshold`."""
    reader = reader_causes(rows, code)
    rounds = ["r1", "r2", "r3", "r4", "r5", "r6", "r7"]
    known = [r for r in rows if r["batch"] in rounds]
    reader_of = {id(r): c for r, c in zip(rows, reader, strict=True)}
    for keep in keeps:
        print(f"\n## n-grams kept: {keep or 'all'}")
        head = ["round", "n", "reader", "learned", *[f"{k}>{t}" for k, t in RULES], f"null->cause at >{threshold}"]
        print("| " + " | ".join(head) + " |")
        totals: dict[str, list[int]] = {}
        for held in rounds:
            train_rows = [r for r in known if r["batch"] != held and r["batch"] != "r7"]
            test = [r for r in known if r["batch"] == held]
            vec, clf = train(train_rows, keep)
            learned, margins = decisions(vec, clf, [r["text"] for r in test])
            rd = [reader_of[id(r)] for r in test]
            cells = [score(test, rd), score(test, learned)]
            cells += [score(test, combine(rd, learned, margins, rule)) for rule in RULES]
            nulls = [
                (r, lc, m)
                for r, lc, m, c in zip(test, learned, margins, rd, strict=True)
                if r["label"] == NONE and c == NONE
            ]
            made = sum(lc != NONE and m > threshold for _, lc, m in nulls)
            row = [held, str(len(test))] + [f"{100 * s / len(test):.1f} / {100 * o / len(test):.1f}" for s, o in cells]
            print("| " + " | ".join(row) + f" | {made} of {len(nulls)} |")
            if held != "r7":
                for i, (s, o) in enumerate(cells):
                    t = totals.setdefault(str(i), [0, 0, 0])
                    t[0] += s
                    t[1] += o
                    t[2] += len(test)
        tot = [f"{100 * s / n:.1f} / {100 * o / n:.1f}" for s, o, n in totals.values()]
        print("| r1-r6 | " + str(next(iter(totals.values()))[2]) + " | " + " | ".join(tot) + " | |")
        sys.stdout.flush()


def f32(values: Any) -> str:
    """float32 little-endian, base64: the compact form of an array in the data file."""
    import numpy as np

    return base64.b64encode(np.asarray(values, dtype="<f4").tobytes()).decode("ascii")


def export(vec: Any, clf: Any, rows: list[dict[str, Any]], paths: list[Path], threshold: float) -> dict[str, Any]:
    """The data file's content: vocabulary, idf, weights (classes x n-grams) and intercepts as float32, the margin
    threshold and where it came from."""
    vocabulary = [str(t) for t in vec.get_feature_names_out()]
    return {
        "format": FORMAT,
        "model": "tfidf char_wb 3-5 (sublinear tf, l2) + LinearSVC(C=0.5), one-vs-rest",
        "tail": TAIL,
        "ngram_range": list(PARAMS["ngram_range"]),
        "classes": [str(c) for c in clf.classes_],
        "none": NONE,
        "margin_threshold": threshold,
        "vocabulary": "\n".join(vocabulary),
        "idf": f32(vec.idf_),
        "weights": f32(clf.coef_),
        "intercepts": f32(clf.intercept_),
        "trained": {
            "files": [str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in paths],
            "lines": len(rows),
            "by_round": {b: sum(r["batch"] == b for r in rows) for b in sorted({r["batch"] for r in rows})},
            "date": datetime.date.today().isoformat(),
            "script": "scripts/train_log_fallback.py",
        },
    }


def exported_decisions(data: dict[str, Any], vec: Any, texts: list[str]) -> Any:
    """Decision values with the float32 parameters as written (what the pure-Python reader computes)."""
    import numpy as np

    classes = len(data["classes"])
    idf = np.frombuffer(base64.b64decode(data["idf"]), dtype="<f4").astype(float)
    w = np.frombuffer(base64.b64decode(data["weights"]), dtype="<f4").astype(float).reshape(classes, -1)
    b = np.frombuffer(base64.b64decode(data["intercepts"]), dtype="<f4").astype(float)
    from sklearn.feature_extraction.text import TfidfVectorizer

    counts = TfidfVectorizer(**{**PARAMS, "min_df": 1, "vocabulary": vec.vocabulary_, "use_idf": False, "norm": None})
    x = counts.fit_transform([t[-TAIL:] for t in texts]).multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1))).ravel()
    norms[norms == 0] = 1.0
    return np.asarray(x.multiply(1 / norms[:, None]) @ w.T) + b


def main(argv: list[str]) -> int:
    """Train and write the data file, or print the ablation."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", type=int, default=5000, help="n-grams kept (0: all)")
    ap.add_argument("--threshold", type=float, default=0.5, help="margin the fallback needs to name a cause")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--sample", type=Path, default=SAMPLE, help="fixed sample with scikit-learn's decisions")
    ap.add_argument("--ablation", action="store_true", help="leave-one-round-out table instead of training")
    ap.add_argument("--keeps", default="0,50000,20000,10000,5000", help="pruning sizes of the ablation")
    ap.add_argument("--reader-code", type=Path, default=None, help="checkout whose reader the ablation combines")
    args = ap.parse_args(argv)
    paths = [TUNE] + ([SEEN] if SEEN.exists() else [])
    rows = load(paths)
    if args.ablation:
        ablation(rows, args.reader_code, [int(k) or None for k in args.keeps.split(",")], args.threshold)
        return 0
    vec, clf = train(rows, args.keep or None)
    data = export(vec, clf, rows, paths, args.threshold)
    texts = [r["text"] for r in rows]
    import numpy as np

    ours = exported_decisions(data, vec, texts)
    theirs = clf.decision_function(vec.transform([t[-TAIL:] for t in texts]))
    flips = int((ours.argmax(axis=1) != theirs.argmax(axis=1)).sum())
    print(f"{len(rows)} lines, {len(data['classes'])} classes, {len(vec.vocabulary_)} n-grams; float32 flips {flips}")
    print(f"max |decision difference| float32 vs scikit-learn: {float(np.abs(ours - theirs).max()):.2e}")
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    # A fixed sample of the tuning half (in the repository), with scikit-learn's own decisions, for the test
    # that the pure-Python reader computes the same.
    tune = rows[: len(load([TUNE]))]  # the tuning half comes first
    picked = tune[:: max(1, len(tune) // 40)][:40]
    dec = clf.decision_function(vec.transform([r["text"][-TAIL:] for r in picked]))
    with open(args.sample, "w", encoding="utf-8") as fh:
        for r, d in zip(picked, dec, strict=True):
            order = np.argsort(-d)
            sample = {
                "text": r["text"][-TAIL:],
                "cause": str(clf.classes_[order[0]]),
                "margin": round(float(d[order[0]] - d[order[1]]), 6),
                "decision": round(float(d[order[0]]), 6),
            }
            fh.write(json.dumps(sample, ensure_ascii=False) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes) and {args.sample}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
