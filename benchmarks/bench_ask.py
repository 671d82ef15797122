"""Figures for `tcr-doctor ask` (a script that prints numbers, not a test).

    .venv/bin/python benchmarks/bench_ask.py [--runs 15] [--queries 400]

1. In-process ask latency (p50/p99) on the real 20-entry knowledge base.
2. The same on a synthetic 10,000-entry knowledge base (entries mixed from the real entries' words and
   characters), through the same inverted index.
3. Whole-process cold start: wall time of `tcr-doctor ask "..."` (human output and --json) as a ratio to
   `python -c 'import requests'` (median of --runs runs each), with the cache directory (diagnostics.cache) as
   - a later run finds it (the index, parsed files, patterns and templates kept by earlier runs);
   - the first run after an install finds it: each run on a fresh copy of a directory filled by `python -m
     bot.prepare` (scripts/bootstrap's last step), never by a run of the measured question;
   - the first run after an install without that step finds it: each run on a new empty directory (it builds and
     writes everything);
   - off (TCR_DOCTOR_CACHE_DIR=off: everything built in memory, nothing written).
Goals: p99 < 5 ms (20 entries), p99 < 50 ms (10,000 entries), cold start <= 2x.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def queries_from(kb, n: int, rng: random.Random) -> list[str]:
    """Questions made by mutating the entries' own phrasings: drop, swap and insert words; plus noise."""
    base = []
    for e in kb.entries:
        for lang in ("zh", "en"):
            base.append(e.question[lang])
            base.extend(e.phrasings.get(lang, ()))
    out = []
    noise = ["请问", "我们", "today", "please", "急", "thanks", "刚才", "production", "集群"]
    while len(out) < n:
        q = rng.choice(base)
        if " " in q:
            words = q.split()
            rng.shuffle(words)
            q = " ".join(words[: max(2, len(words) - 1)])
        else:
            q = q[: max(4, len(q) - 2)]
        out.append(q + " " + rng.choice(noise))
    out.append('Error response from daemon: Get "https://x-tcr.tencentcloudcr.com/v2/": dial tcp: i/o timeout')
    out.append("how do I bake bread")
    return out


def time_asks(matcher, kb, questions: list[str]) -> list[float]:
    import knowledge
    from knowledge import matcher as M

    lat = []
    for q in questions:
        t = time.perf_counter()
        cands = matcher.rank(q, limit=3)
        knowledge.extract_entities(q)
        _ = cands and cands[0].score >= M.THRESHOLD
        lat.append((time.perf_counter() - t) * 1000)
    return lat


def synthetic_entries(kb, n: int, rng: random.Random):
    from knowledge.kb import entry_from_dict

    zh_text = "".join(e.answer["zh"] + "".join(e.phrasings["zh"]) for e in kb.entries)
    zh_chars = [c for c in zh_text if "\u4e00" <= c <= "\u9fff"]
    en_words = " ".join(e.answer["en"] + " " + " ".join(e.phrasings["en"]) for e in kb.entries).split()
    extra_en = [f"term{i}" for i in range(20000)]  # a long tail of distinct words, as a large base would have
    entries = []
    for i in range(n):

        def zh(k):
            return "".join(rng.choice(zh_chars) for _ in range(k))

        def en(k):
            return " ".join(rng.choice(en_words) if rng.random() < 0.8 else rng.choice(extra_en) for _ in range(k))

        entries.append(
            entry_from_dict(
                {
                    "id": f"synthetic-{i}",
                    "number": i + 1,
                    "question": {"zh": zh(12), "en": en(10)},
                    "answer": {"zh": zh(120), "en": en(90)},
                    "phrasings": {"zh": [zh(10), zh(14)], "en": [en(8), en(9)]},
                    "keywords": {"zh": [zh(3)], "en": [en(2)]},
                }
            )
        )
    return entries


def cold_round_robin(commands: list[tuple[list[str], Callable[[], dict | None]]], runs: int) -> list[float]:
    """Median wall time of each command; runs are interleaved so that every command sees the same machine load. Each
    command's environment is made before each of its runs, untimed (a fresh cache directory where it says so)."""
    times: list[list[float]] = [[] for _ in commands]
    for cmd, env in commands:  # warm the OS page cache once, as any later run would be
        subprocess.run(cmd, capture_output=True, env=env(), check=False)
    for _ in range(runs):
        for i, (cmd, env) in enumerate(commands):
            environ = env()
            t = time.perf_counter()
            subprocess.run(cmd, capture_output=True, env=environ, check=False)
            times[i].append(time.perf_counter() - t)
    return [statistics.median(t) for t in times]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--entries", type=int, default=10_000)
    args = ap.parse_args()
    rng = random.Random(7)
    print("command:", " ".join(shlex.quote(a) for a in [sys.executable, "benchmarks/bench_ask.py", *sys.argv[1:]]))

    import knowledge
    from knowledge.matcher import Matcher

    kb, matcher = knowledge.get_matcher()
    questions = queries_from(kb, args.queries, rng)
    time_asks(matcher, kb, questions[:20])  # warm caches (typo-fix cache stays per process, as in a server)
    lat = time_asks(matcher, kb, questions)
    print(
        f"in-process ask, {len(kb.entries)} entries, {len(lat)} questions: "
        f"p50 {pct(lat, 50):.2f} ms  p99 {pct(lat, 99):.2f} ms  max {max(lat):.2f} ms  (goal p99 < 5 ms)"
    )

    t = time.perf_counter()
    big = synthetic_entries(kb, args.entries, rng)
    t_gen = time.perf_counter() - t
    t = time.perf_counter()
    big_matcher = Matcher(big)
    t_build = time.perf_counter() - t
    time_asks(big_matcher, kb, questions[:20])
    lat = time_asks(big_matcher, kb, questions)
    print(
        f"in-process ask, {len(big)} synthetic entries (generated {t_gen:.1f} s, indexed {t_build:.1f} s, "
        f"{len(big_matcher.postings)} features): p50 {pct(lat, 50):.2f} ms  p99 {pct(lat, 99):.2f} ms  "
        f"max {max(lat):.2f} ms  (goal p99 < 50 ms)"
    )

    exe = str(Path(sys.executable).parent / "tcr-doctor")
    q = "登录实例失败怎么办"
    env_off = dict(os.environ, TCR_DOCTOR_CACHE_DIR="off")
    with tempfile.TemporaryDirectory() as tmp:
        env_cache = dict(os.environ, TCR_DOCTOR_CACHE_DIR=f"{tmp}/warm")
        prepared = f"{tmp}/prepared"
        subprocess.run(
            [sys.executable, "-m", "bot.prepare"], env=dict(os.environ, TCR_DOCTOR_CACHE_DIR=prepared), check=True
        )
        fresh = iter(range(1 << 30))

        def after_prepare() -> dict:
            where = f"{tmp}/run-{next(fresh)}"
            shutil.copytree(prepared, where)
            return dict(os.environ, TCR_DOCTOR_CACHE_DIR=where)

        def empty() -> dict:
            return dict(os.environ, TCR_DOCTOR_CACHE_DIR=f"{tmp}/run-{next(fresh)}")

        rows = [
            ("python -c 'import requests'", [sys.executable, "-c", "import requests"], lambda: None),
            ("tcr-doctor ask (human, cache kept)", [exe, "ask", q], lambda: env_cache),
            ("tcr-doctor ask --json (cache kept)", [exe, "ask", "--json", q], lambda: env_cache),
            ("tcr-doctor ask (human, first after install)", [exe, "ask", q], after_prepare),
            ("tcr-doctor ask --json (first after install)", [exe, "ask", "--json", q], after_prepare),
            ("tcr-doctor ask (human, empty cache dir)", [exe, "ask", q], empty),
            ("tcr-doctor ask --json (empty cache dir)", [exe, "ask", "--json", q], empty),
            ("tcr-doctor ask (human, cache off)", [exe, "ask", q], lambda: env_off),
            ("tcr-doctor ask --json (cache off)", [exe, "ask", "--json", q], lambda: env_off),
        ]
        medians = cold_round_robin([(cmd, env) for _, cmd, env in rows], args.runs)
    print("(first after install: a fresh copy of a cache directory filled by `python -m bot.prepare`, as")
    print(
        " scripts/bootstrap leaves it; empty cache dir: installed without that step; cache off: TCR_DOCTOR_CACHE_DIR=off)"
    )
    base = medians[0]
    print(f"cold start, median of {args.runs} interleaved runs each:")
    for (label, _, _), t in zip(rows, medians):
        print(f"  {label:<46} {t * 1000:5.0f} ms  ratio {t / base:.2f}x" + ("" if t is base else "  (goal <= 2x)"))


if __name__ == "__main__":
    main()
