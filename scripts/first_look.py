"""First look at each part of a collection round: how the log reader of a given commit reads the lines each part
added to tests/data/real/logs_tune.jsonl, measured as a part lands and before anything is changed for it (the honest
generalisation figure, docs/logs.md). With two code commits it also says how many lines the fixes made between them
carried to parts they were not made for (a leave-the-part-out figure that needs no blind half).

    .venv/bin/python scripts/first_look.py --batch r6 --code HEAD --code 1caf6a7
    .venv/bin/python scripts/first_look.py --batch r6 --since 1caf6a7 --code HEAD

Each part is one commit on the current branch that touched the tuning file: its lines of `--batch` whose text the
parent commit did not hold. Each `--code` commit is read from a `git archive` into a temporary directory and run
there (`python -m knowledge.logs`), so the working tree's own code is never mixed in. Prints one row per part and a
total: lines, right cause first (count and %), per code commit.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUNE = "tests/data/real/logs_tune.jsonl"


def _git(*args: str) -> bytes:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True).stdout


def parts(batch: str, since: str | None, tune: str = TUNE, key: str | None = "text") -> list[tuple[str, list[str]]]:
    """(commit, new lines of `batch`) for each commit that added lines of that batch to the tuning file `tune`, oldest
    first; a line is new when its `key` (the post's text; None: the whole line) was not in the parent commit's file."""

    def seen_as(line: str) -> str:
        return json.loads(line)[key] if key else line

    revs = _git("log", "--reverse", "--format=%h", *([f"{since}..HEAD"] if since else []), "--", tune).decode().split()
    out = []
    for rev in revs:
        try:
            before = {seen_as(x) for x in _git("show", f"{rev}^:{tune}").decode().splitlines() if x.strip()}
        except subprocess.CalledProcessError:
            before = set()
        new = [
            x
            for x in _git("show", f"{rev}:{tune}").decode().splitlines()
            if x.strip() and json.loads(x).get("batch", "r1") == batch and seen_as(x) not in before
        ]
        if new:
            out.append((rev, new))
    return out


def checkout(code: str, into: Path) -> Path:
    """The tree of commit `code` unpacked under `into`."""
    target = into / code
    target.mkdir()
    with tarfile.open(fileobj=BytesIO(_git("archive", code)), mode="r") as tar:
        tar.extractall(target, filter="data")
    return target


def right_first(tree: Path, lines: list[str], work: Path, learned: bool = False) -> tuple[int, int]:
    """How many of `lines` the reader in `tree` (with `learned`, combined with its learned model, as the channels
    show it) names the labelled cause of first; and first or one of the label's `also_ok`."""
    data = work / "part.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "knowledge.logs", *(["--learned"] if learned else []), str(data)],
        cwd=tree,
        check=True,
        capture_output=True,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0"},
    ).stdout
    figures = json.loads(out)
    n = figures["lines"]
    return round(figures["cause_first"] * n), round(figures["cause_first_or_label_also_ok"] * n)


def _cell(hits: tuple[int, int] | list[int], n: int) -> str:
    """`right (pct %; also_ok pct %)`."""
    return f"{hits[0]:4} ({100 * hits[0] / n:5.1f} %; {100 * hits[1] / n:5.1f} %)"


def main(argv: list[str]) -> int:
    """Print the first-look table for the parts of one batch."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", required=True, help="collection round, e.g. r6")
    ap.add_argument("--since", help="only parts committed after this commit")
    ap.add_argument("--code", action="append", required=True, help="code commit to read with (repeatable)")
    ap.add_argument("--learned", action="store_true", help="read with the learned model too (what the channels show)")
    args = ap.parse_args(argv)
    found = parts(args.batch, args.since)
    if not found:
        print(f"no part of batch {args.batch} found", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        trees = {code: checkout(code, work) for code in args.code}
        totals = {code: [0, 0] for code in args.code}
        n = 0
        print("part     lines  " + "  ".join(f"{code + ' (also_ok)':>26}" for code in args.code))
        for rev, lines in found:
            hits = {code: right_first(tree, lines, work, args.learned) for code, tree in trees.items()}
            n += len(lines)
            for code in args.code:
                totals[code][0] += hits[code][0]
                totals[code][1] += hits[code][1]
            print(f"{rev:8} {len(lines):5}  " + "  ".join(_cell(hits[c], len(lines)) for c in args.code))
        print(f"{'all':8} {n:5}  " + "  ".join(_cell((totals[c][0], totals[c][1]), n) for c in args.code))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
