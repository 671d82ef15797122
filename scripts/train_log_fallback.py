"""Train the log reader's learned model (knowledge/logs/learned.py) and write knowledge/logs/fallback.json.

The model is a character-n-gram linear SVM: TF-IDF over `char_wb` 3-5-grams of a paste's last 4,000 characters,
one weight vector per cause code (and NONE, a paste with no registry cause), LinearSVC(C=0.5). It speaks where the
rule-based reader names no cause (margin > `--threshold`) and where the reader's reading is a guess (rules
`overrulable`: margin > `--override`). scikit-learn and numpy are needed here only (`pip install -e '.[train]'`);
the product reads the written file in pure Python.

    .venv/bin/python scripts/train_log_fallback.py                   # train on the development data, write the file
    .venv/bin/python scripts/train_log_fallback.py --rounds r1,r2,r3,r4,r5,r6,r7   # only these rounds
    .venv/bin/python scripts/train_log_fallback.py --ablation --pre-round          # combiner table, honest readers
    .venv/bin/python scripts/train_log_fallback.py --ablation --reader-code DIR    # combiner table, one fixed reader

Training data: the tuning half (tests/data/real/logs_tune.jsonl) and the seen copy of the measured blind rounds
(SEEN; `--seen none` trains without it, a missing copy is an error rather than a silently smaller training set).
Never the blind half, tests/data/real/logs_blind.jsonl.
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
# The seen copy of the measured blind rounds (development data once measured): not in the repository; the newest copy
# holds every measured round (rounds 1-10 since stop 17's measurement). Training without it must be asked for.
SEEN = Path("/work/notes/seen/logs_blind_r1-r10.jsonl")
OUT = ROOT / "knowledge" / "logs" / "fallback.json"
SAMPLE = ROOT / "tests" / "data" / "log_fallback_sample.jsonl"
FORMAT = 1
TAIL = 4000  # characters of a paste read: the final error is at the end
NONE = "NONE"
PARAMS: dict[str, Any] = {"analyzer": "char_wb", "ngram_range": (3, 5), "min_df": 2, "sublinear_tf": True}
C = 0.5
# The combiner's margins (docs/logs.md, "Learned fallback"): where the rules name no cause, and before a guess of the
# rules (`overrulable`); chosen by leave-one-round-out with readers that had never seen the round.
THRESHOLD = 0.75
OVERRIDE = 0.75


def training_paths(seen: str | None) -> list[Path]:
    """The labelled files to train on: the tuning half and the seen copy of the measured blind rounds (`seen`: its
    path, SEEN when None, "none" for the tuning half alone). A seen copy that is not there stops the run: the shipped
    models were once retrained on the tuning half alone because an older copy's name no longer existed."""
    if seen == "none":
        return [TUNE]
    path = SEEN if seen is None else Path(seen)
    if not path.exists():
        raise SystemExit(f"no seen copy of the blind rounds at {path}: give --seen PATH, or --seen none")
    return [TUNE, path]


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


class Vectors:
    """The model's features side by side: TF-IDF of the character n-grams (PARAMS) and, with TOKENS, TF-IDF of the
    output's word tokens and their pairs (knowledge.logs.learned.output_tokens / token_ngrams, the product's own
    functions), each L2-normed. Texts given are already cut to their last TAIL characters."""

    def __init__(self, chars: Any, tokens: Any | None) -> None:
        self.chars, self.tokens = chars, tokens

    def transform(self, texts: list[str]) -> Any:
        from scipy.sparse import hstack

        x = self.chars.transform(texts)
        return x if self.tokens is None else hstack([x, self.tokens.transform(texts)]).tocsr()

    def names(self) -> list[str]:
        """Feature names, token features prefixed with TOKEN_PREFIX."""
        names = [str(n) for n in self.chars.get_feature_names_out()]
        if self.tokens is not None:
            names += [TOKEN_PREFIX + str(n) for n in self.tokens.get_feature_names_out()]
        return names


TOKEN_PREFIX = "\x00"  # marks a token feature among the names (no character n-gram holds NUL)
TOKENS = True  # read the output's word tokens beside the character n-grams (docs/logs.md, "Learned fallback")


def _token_analyzer(text: str) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from knowledge.logs.learned import output_tokens, token_ngrams

    return token_ngrams(output_tokens(text))


def fit(texts: list[str], labels: list[str], vocabulary: list[str] | None = None) -> tuple[Vectors, Any]:
    """(vectors, LinearSVC) fitted on `texts`; with `vocabulary` (names as Vectors.names), only those features."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    params = dict(PARAMS)
    token_params: dict[str, Any] = {"analyzer": _token_analyzer, "lowercase": False, "min_df": 2, "sublinear_tf": True}
    if vocabulary is not None:
        params.pop("min_df")
        token_params.pop("min_df")
        params["vocabulary"] = [v for v in vocabulary if not v.startswith(TOKEN_PREFIX)]
        token_params["vocabulary"] = [v[1:] for v in vocabulary if v.startswith(TOKEN_PREFIX)] or None
    tails = [t[-TAIL:] for t in texts]
    chars = TfidfVectorizer(**params).fit(tails)
    tokens = (
        TfidfVectorizer(**token_params).fit(tails)
        if TOKENS and (vocabulary is None or token_params["vocabulary"])
        else None
    )
    vec = Vectors(chars, tokens)
    return vec, LinearSVC(C=C).fit(vec.transform(tails), labels)


def prune(vec: Vectors, clf: Any, keep: int | None) -> list[str] | None:
    """The `keep` features with the largest weight (in absolute value) for any class; None keeps them all."""
    import numpy as np

    if keep is None:
        return None
    names = vec.names()
    if keep >= len(names):
        return None
    top = np.argsort(-np.abs(clf.coef_).max(axis=0))[:keep]
    return [names[i] for i in sorted(top)]


def train(rows: list[dict[str, Any]], keep: int | None) -> tuple[Vectors, Any]:
    """The model on `rows`, pruned to `keep` features and re-fitted on them."""
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


def reader_readings(rows: list[dict[str, Any]], code: Path | None) -> list[dict[str, Any]]:
    """The rule-based reader's reading per row, run from `code` (a checkout; this tree if None): its cause (NONE for
    none), alternatives, and whether the learned model may overrule it (rules `overrulable`, applied here so that an
    old checkout without it is judged the same way)."""
    env = dict(os.environ, PYTHONPATH=str(code or ROOT))
    prog = (
        "import json,sys\nfrom knowledge import explain_log\n"
        "for line in sys.stdin:\n"
        " r = explain_log(json.loads(line)) or {}\n"
        " print(json.dumps({k: r.get(k) for k in ('cause', 'also', 'pattern', 'confidence')}))\n"
    )
    stdin = "".join(json.dumps(r["text"]) + "\n" for r in rows)
    out = subprocess.run(
        [sys.executable, "-c", prog], input=stdin, capture_output=True, text=True, env=env, cwd=code or ROOT, check=True
    )
    readings = []
    for line in out.stdout.splitlines():
        r = json.loads(line)
        pattern = str(r["pattern"] or "")
        r["cause"] = r["cause"] or NONE
        r["also"] = r["also"] or []
        shape = r["confidence"] == "low" or pattern.startswith("backoff-")
        r["weak"] = shape or pattern in OVERRULABLE_IDS  # rules `overrulable`, the shipped combiner's
        r["generic"] = shape or pattern in GENERIC_IDS
        readings.append(r)
    return readings


# knowledge/logs/rules.py GENERIC_IDS and OVERRULABLE_IDS as of the combiner's choice (an old checkout lacks them)
GENERIC_IDS = frozenset(
    {
        "denied",
        "unauthorized",
        "pull-access-denied",
        "denied-and-unauthorized",
        "kubelet-symptom",
        "manifest-unknown",
        "name-unknown",
        "eof",
        "server-unknown-error",
    }
)
OVERRULABLE_IDS = GENERIC_IDS - {"name-unknown", "pull-access-denied"}


def round_start(batch: str) -> str:
    """The commit before the first one that added a line of `batch` to the tuning file: the reader that had never
    seen the round (round 1, which has no `batch` key, starts with the file)."""
    if batch == "r1":
        revs = _git("log", "--reverse", "--format=%H", "--", str(TUNE.relative_to(ROOT))).split()
    else:
        needle = f'"batch": "{batch}"'
        revs = _git("log", "--reverse", "--format=%H", "-S", needle, "--", str(TUNE.relative_to(ROOT))).split()
    return f"{revs[0]}^"


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout


def checkout(rev: str, into: Path) -> Path:
    """The tree of `rev` unpacked under `into`."""
    import tarfile
    from io import BytesIO

    target = into / rev.replace("^", "_parent")
    target.mkdir()
    data = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(data), mode="r") as tar:
        tar.extractall(target, filter="data")
    return target


def combine(reading: dict[str, Any], learned: str, margin: float, rule: tuple[str, float, float]) -> str:
    """The cause a combiner puts first. ("none", t, _): the learned cause where the reader names none and the margin
    exceeds t; ("weak", t, o): that, and the learned cause (not NONE) before an `overrulable` reading when the margin
    exceeds o (the shipped rule); ("generic", t, o): before any generic or low-tier reading; ("any", t, o): before any
    reading; ("reorder", t, o): only when the learned cause is one of the reading's alternatives."""
    kind, t, o = rule
    if reading["cause"] == NONE:
        return learned if margin > t else NONE
    if learned == NONE or margin <= o:
        return str(reading["cause"])
    if (
        kind == "any"
        or (kind in ("weak", "generic") and reading[kind])
        or (kind == "reorder" and learned in reading["also"][:2])
    ):
        return learned
    return str(reading["cause"])


def score(rows: list[dict[str, Any]], causes: list[str]) -> tuple[int, int]:
    """(right cause first, right first or in the label's `also_ok`)."""
    strict = sum(c == r["label"] for c, r in zip(causes, rows, strict=True))
    ok = sum(c == r["label"] or c in r.get("also_ok", ()) for c, r in zip(causes, rows, strict=True))
    return strict, ok


INF = float("inf")
RULES: list[tuple[str, float, float]] = [
    ("none", 0.5, INF),
    ("none", 0.75, INF),
    ("generic", 0.5, 1.0),
    ("generic", 0.75, 1.0),
    ("weak", 0.75, 1.0),
    ("weak", 0.75, 1.5),
    ("any", 0.75, 1.0),
    ("reorder", 0.75, 0.5),
]
ROUNDS = ["r1", "r2", "r3", "r4", "r5", "r6", "r7"]


def _rule_name(rule: tuple[str, float, float]) -> str:
    kind, t, o = rule
    return f"none>{t}" if kind == "none" else f"{kind}>{o} none>{t}"


def ablation(rows: list[dict[str, Any]], code: Path | None, pre_round: bool, keep: int | None) -> None:
    """Leave one round out over r1-r7 (train the model on six rounds' tuning and seen-blind lines, measure the
    seventh): reader alone, learned alone and each combiner of RULES, strict / counting `also_ok`, per round and
    pooled; and how many `null`-labelled lines each turns into a cause (the reader named none) and back into no
    cause (the reader named one). The reader is `code`'s (one fixed checkout, this tree if None) or, with
    `pre_round`, for each round the reader of the commit before that round's first tuning line: one that had never
    seen it."""
    import tempfile

    known = [r for r in rows if r["batch"] in ROUNDS]
    with tempfile.TemporaryDirectory() as tmp:
        if pre_round:
            readers: dict[str, list[dict[str, Any]]] = {}
            for held in ROUNDS:
                test = [r for r in known if r["batch"] == held]
                readers[held] = reader_readings(test, checkout(round_start(held), Path(tmp)))
        else:
            every = reader_readings(known, code)
            readers = {h: [g for g, r in zip(every, known, strict=True) if r["batch"] == h] for h in ROUNDS}
    names = ["reader", "learned", *[_rule_name(rule) for rule in RULES]]
    print(f"reader: {'the commit before each round' if pre_round else code or ROOT}; n-grams kept: {keep or 'all'}")
    print("| round | n | " + " | ".join(names) + " |")
    print("| --- " * (len(names) + 2) + "|")
    totals = {n: [0, 0] for n in names}
    nulls = {n: [0, 0] for n in names}
    count = 0
    for held in ROUNDS:
        test = [r for r in known if r["batch"] == held]
        vec, clf = train([r for r in known if r["batch"] != held], keep)
        learned, margins = decisions(vec, clf, [r["text"] for r in test])
        rd = readers[held]
        firsts = {"reader": [str(g["cause"]) for g in rd], "learned": learned}
        for rule in RULES:
            firsts[_rule_name(rule)] = [combine(g, lc, m, rule) for g, lc, m in zip(rd, learned, margins, strict=True)]
        cells = []
        for name in names:
            s, o = score(test, firsts[name])
            totals[name][0] += s
            totals[name][1] += o
            cells.append(f"{100 * s / len(test):.1f} / {100 * o / len(test):.1f}")
            for r, g, c in zip(test, rd, firsts[name], strict=True):
                if r["label"] == NONE:
                    nulls[name][0] += g["cause"] == NONE and c != NONE
                    nulls[name][1] += g["cause"] != NONE and c == NONE
        count += len(test)
        print(f"| {held} | {len(test)} | " + " | ".join(cells) + " |")
        sys.stdout.flush()
    print(
        f"| r1-r7 | {count} | "
        + " | ".join(f"{100 * s / count:.2f} / {100 * o / count:.2f}" for s, o in totals.values())
        + " |"
    )
    print("| `null` lines: given a cause / cleared | | " + " | ".join(f"{a} / {b}" for a, b in nulls.values()) + " |")


def f32(values: Any) -> str:
    """float32 little-endian, base64: the compact form of an array in the data file."""
    import numpy as np

    return base64.b64encode(np.asarray(values, dtype="<f4").tobytes()).decode("ascii")


def export(
    vec: Vectors, clf: Any, rows: list[dict[str, Any]], paths: list[Path], threshold: float, override: float
) -> dict[str, Any]:
    """The data file's content: vocabulary (character n-grams, then the output's tokens), idf, weights (classes x
    features) and intercepts as float32, the margin thresholds (where the rules name no cause; before a reading of the
    rules that is a guess) and where it came from."""
    import numpy as np

    vocabulary = [str(t) for t in vec.chars.get_feature_names_out()]
    tokens = [] if vec.tokens is None else [str(t) for t in vec.tokens.get_feature_names_out()]
    idf = vec.chars.idf_ if vec.tokens is None else np.concatenate([vec.chars.idf_, vec.tokens.idf_])
    data = {
        "format": FORMAT,
        "model": "tfidf char_wb 3-5 (sublinear tf, l2)"
        + (" + tfidf of the output's tokens 1-2 (sublinear tf, l2)" if tokens else "")
        + " + LinearSVC(C=0.5), one-vs-rest",
        "tail": TAIL,
        "ngram_range": list(PARAMS["ngram_range"]),
        "classes": [str(c) for c in clf.classes_],
        "none": NONE,
        "margin_threshold": threshold,
        "override_threshold": override,
        "vocabulary": "\n".join(vocabulary),
        "idf": f32(idf),
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
    if tokens:
        data["token_vocabulary"] = "\n".join(tokens)
    return data


def exported_decisions(data: dict[str, Any], vec: Vectors, texts: list[str]) -> Any:
    """Decision values with the float32 parameters as written (what the pure-Python reader computes)."""
    import numpy as np
    from scipy.sparse import hstack

    classes = len(data["classes"])
    idf = np.frombuffer(base64.b64decode(data["idf"]), dtype="<f4").astype(float)
    w = np.frombuffer(base64.b64decode(data["weights"]), dtype="<f4").astype(float).reshape(classes, -1)
    b = np.frombuffer(base64.b64decode(data["intercepts"]), dtype="<f4").astype(float)
    from sklearn.feature_extraction.text import TfidfVectorizer

    tails = [t[-TAIL:] for t in texts]
    width = len(vec.chars.vocabulary_)
    parts = [
        (
            TfidfVectorizer(
                **{**PARAMS, "min_df": 1, "vocabulary": vec.chars.vocabulary_, "use_idf": False, "norm": None}
            ),
            idf[:width],
        )
    ]
    if vec.tokens is not None:
        counts = TfidfVectorizer(
            analyzer=_token_analyzer,
            vocabulary=vec.tokens.vocabulary_,
            use_idf=False,
            norm=None,
            sublinear_tf=True,
            lowercase=False,
        )
        parts.append((counts, idf[width:]))
    blocks = []
    for counts, part_idf in parts:
        x = counts.fit_transform(tails).multiply(part_idf).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1))).ravel()
        norms[norms == 0] = 1.0
        blocks.append(x.multiply(1 / norms[:, None]))
    return np.asarray(hstack(blocks).tocsr() @ w.T) + b


def main(argv: list[str]) -> int:
    """Train and write the data file, or print the ablation."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", type=int, default=5000, help="n-grams kept (0: all)")
    ap.add_argument("--threshold", type=float, default=THRESHOLD, help="margin needed where the rules name no cause")
    ap.add_argument("--override", type=float, default=OVERRIDE, help="margin needed before a reading of the rules")
    ap.add_argument("--rounds", help="train on these rounds only (comma-separated batches, e.g. r1,r2,r3)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--sample", type=Path, default=SAMPLE, help="fixed sample with scikit-learn's decisions")
    ap.add_argument("--ablation", action="store_true", help="leave-one-round-out table instead of training")
    ap.add_argument("--reader-code", type=Path, default=None, help="checkout whose reader the ablation combines")
    ap.add_argument("--pre-round", action="store_true", help="ablation: each round read by the reader before it")
    ap.add_argument("--seen", help=f"the seen copy of the blind rounds (default {SEEN}; 'none': the tuning half alone)")
    args = ap.parse_args(argv)
    paths = training_paths(args.seen)
    rows = load(paths)
    if args.rounds:
        rows = [r for r in rows if r["batch"] in args.rounds.split(",")]
    if args.ablation:
        ablation(rows, args.reader_code, args.pre_round, args.keep or None)
        return 0
    vec, clf = train(rows, args.keep or None)
    data = export(vec, clf, rows, paths, args.threshold, args.override)
    texts = [r["text"] for r in rows]
    import numpy as np

    ours = exported_decisions(data, vec, texts)
    theirs = clf.decision_function(vec.transform([t[-TAIL:] for t in texts]))
    flips = int((ours.argmax(axis=1) != theirs.argmax(axis=1)).sum())
    print(f"{len(rows)} lines, {len(data['classes'])} classes, {len(vec.names())} features; float32 flips {flips}")
    print(f"max |decision difference| float32 vs scikit-learn: {float(np.abs(ours - theirs).max()):.2e}")
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    # A fixed sample of the tuning half (in the repository), with scikit-learn's own decisions, for the test
    # that the pure-Python reader computes the same.
    in_tune = {t["text"] for t in load([TUNE])}
    tune = [r for r in rows if r["text"] in in_tune]  # the sample comes from the tuning half, in the repository
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
