#!/usr/bin/env python3
"""How long migration 0006 takes to give old refused questions their refusal kind (knowledge.ask on each).

    .venv/bin/python benchmarks/bench_refusal_backfill.py [--rows 20000] [--database-url URL]

Brings a throw-away SQLite file (or an empty `--database-url`) to revision 0005, writes `--rows` refused questions
without a kind (the console benchmark's missed texts and some small talk, half of them made unique), then times
the upgrade to 0006 (wall and CPU of this process; the matcher's load is included) and prints the kinds given.
A benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import sqlalchemy as sa  # noqa: E402

from benchmarks.bench_console import MISSED  # noqa: E402
from bot import storage as S  # noqa: E402

SMALL_TALK = ["hello", "thanks a lot!", "你好", "谢谢", "hi there"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--database-url", default=None, help="an empty database (default: a temporary SQLite file)")
    args = parser.parse_args()
    url = args.database_url or os.path.join(tempfile.mkdtemp(prefix="bench-backfill-"), "old.sqlite3")
    S.upgrade(S.engine_url(url), "0005")
    rng = random.Random(1)
    rows = [
        {
            "id": f"old{i:07d}",
            "ts": time.time() - rng.random() * 80 * 86400,
            "channel": "web",
            "lang": "en",
            "text": rng.choice(MISSED + SMALL_TALK) + ("" if rng.random() < 0.5 else f" #{i}"),
            "status": "no_answer",
            "refusal": None,
        }
        for i in range(args.rows)
    ]
    engine = S.make_engine(S.engine_url(url))
    with engine.begin() as conn:
        conn.execute(sa.insert(S.questions), rows)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    wall, cpu = time.perf_counter(), time.process_time()
    S.upgrade(S.engine_url(url), "0006")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    with engine.connect() as conn:
        kinds = dict(
            conn.execute(sa.select(S.questions.c.refusal, sa.func.count()).group_by(S.questions.c.refusal)).all()
        )
    engine.dispose()
    print(f"{args.rows:,} refused rows without a kind: upgrade 0005 -> 0006 in {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(f"  {args.rows / cpu:,.0f} rows per CPU-second (the matcher's load included)")
    print("  kinds given: " + ", ".join(f"{k or '(none: ask() answers it now)'} {n:,}" for k, n in kinds.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
