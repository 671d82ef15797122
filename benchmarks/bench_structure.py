"""In-scope questions wrapped the way real posts arrive: does the answer survive the wrapping?

    .venv/bin/python benchmarks/bench_structure.py [--n 80]

Real posts are a sentence or two around pasted output (issue 11): the blind half of the first real round had two of
its three in-scope posts wrongly refused, and only four in-scope real posts exist in the tuning half. So the in-scope
questions we have (the real tuning half and samples of the written tuning sets, never a blind set) are wrapped as
real users wrap them (a `docker version` dump after the question, an issue template around it, a Chinese plea, an
English lead-in) and each wrapping's right-first and refused rates are printed next to the unwrapped ones. Nothing
here is written into the real sets.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import knowledge  # noqa: E402

DOCKER_VERSION = """```
$ docker version
Client:
 Version:           24.0.7
 API version:       1.43
 Go version:        go1.20.10
 Git commit:        afdd53b
 Built:             Thu Oct 26 09:07:41 2023
 OS/Arch:           linux/amd64
 Context:           default

Server: Docker Engine - Community
 Engine:
  Version:          24.0.7
  API version:      1.43 (minimum version 1.12)
  Go version:       go1.20.10
  Git commit:       311b9ff
  OS/Arch:          linux/amd64
  Experimental:     false
 containerd:
  Version:          1.6.25
  GitCommit:        d8f198a4ed8892c764191ef7b3b06d8a2eeb5c7f
 runc:
  Version:          1.1.10
```"""

WRAPS: dict[str, Callable[[str], str]] = {
    "as written": lambda q: q,
    "docker version after": lambda q: q + "\n\n" + DOCKER_VERSION,
    "issue template": lambda q: (
        "### Describe the bug\n\n"
        + q
        + "\n\n### Environment\n- OS: CentOS 7.9\n- Docker: 20.10.21\n\n### Additional context\n_No response_"
    ),
    "zh plea": lambda q: "大佬们帮忙看下，" + q + "\n急，在线等，谢谢！",
    "en lead-in": lambda q: "Hi team, we hit this today on our CI:\n\n" + q + "\n\nAny idea? Thanks",
}
SETS = {
    "real tuning (in scope)": ROOT / "tests/data/real/faq_tune.jsonl",
    "faq_unseen (in scope)": ROOT / "tests/data/faq_unseen.jsonl",
    "faq_final (in scope)": ROOT / "tests/data/faq_final.jsonl",
}


def in_scope(path: Path, n: int, seed: int = 1) -> list[dict[str, object]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r.get("faq") is not None]
    random.Random(seed).shuffle(rows)
    return rows[:n]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=80, help="questions sampled from each written set")
    args = ap.parse_args()
    kb, _ = knowledge.get_matcher()
    number = {e.id: e.number for e in kb.entries}
    print(f"{'set':24} {'wrapping':22} {'n':>4} {'right first':>12} {'refused':>9}")
    for name, path in SETS.items():
        rows = in_scope(path, args.n)
        for wname, wrap in WRAPS.items():
            right = refused = 0
            for row in rows:
                answer = knowledge.ask(wrap(str(row["q"])))
                got = number[answer["answer"]["id"]] if answer["matched"] else None
                right += got == row["faq"]
                refused += got is None
            n = len(rows)
            print(f"{name:24} {wname:22} {n:4d} {100 * right / n:11.1f}% {100 * refused / n:8.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
