"""First look of the FAQ matcher at each part of a collection round: `tcr-doctor eval` on the lines each part added to
tests/data/real/faq_tune.jsonl, run with the code of the part's own commit (before anything was changed for it: the
honest generalisation figure, docs/matching.md "round 7"), or with each `--code` commit given.

    .venv/bin/python scripts/faq_first_look.py --batch r7
    .venv/bin/python scripts/faq_first_look.py --batch r7 --code HEAD

Each part is one commit on the current branch that touched the tuning file: its lines of `--batch` whose text the
parent commit did not hold. Code is read from a `git archive` into a temporary directory and run there with
PYTHONPATH, so the working tree's own code is never mixed in. Prints one row per part and a total: lines, in scope
(right first by the ranking, answered right, wrongly refused) and out of scope refused.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from first_look import _git, checkout, parts  # the same parts and trees as the log reader's first look

TUNE = "tests/data/real/faq_tune.jsonl"
TCR_DOCTOR = Path(sys.executable).with_name("tcr-doctor")


def measure(code: str, lines: list[str], work: Path) -> dict[str, int]:
    """Counts of `tcr-doctor eval` on `lines` with the code of commit `code`."""
    tree = work / code if (work / code).exists() else checkout(code, work)
    part = work / f"{code}-part.jsonl"
    part.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tree)}
    res = subprocess.run(
        [str(TCR_DOCTOR), "eval", "--json", "--errors", str(part)], cwd=work, env=env, check=True, capture_output=True
    )
    d = json.loads(res.stdout)
    ins, oos = d["in_scope"], d["out_of_scope"]
    pct = {"top1": d["top1"], "ok": d["answered_correctly"], "refused": d["in_scope_rejected"]}
    counts = {k: round((v or 0) * ins / 100) for k, v in pct.items()}
    return {
        "lines": d["questions"],
        "in": ins,
        "oos": oos,
        **counts,
        "oos_refused": round((d["out_of_scope_rejected"] or 0) * oos / 100),
    }


def main(argv: list[str]) -> int:
    """Print the table; 2 on a usage error."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", required=True, help="collection round, e.g. r7")
    ap.add_argument("--code", help="measure every part with this commit instead of the part's own")
    args = ap.parse_args(argv)
    total: dict[str, int] = {}
    print("part | code | lines | in scope: right first / answered right / refused | out of scope refused")
    with tempfile.TemporaryDirectory() as tmp:
        for rev, lines in parts(args.batch, None, TUNE, key=None):
            code = _git("rev-parse", "--short", args.code).decode().strip() if args.code else rev
            m = measure(code, lines, Path(tmp))
            for k, v in m.items():
                total[k] = total.get(k, 0) + v
            print(_row(rev, code, m))
    if total:
        print(_row("total", args.code or "own", total))
    return 0


def _row(name: str, code: str, m: dict[str, int]) -> str:
    ins = f"{m['top1']}/{m['in']} / {m['ok']}/{m['in']} / {m['refused']}/{m['in']}" if m["in"] else "-"
    oos = f"{m['oos_refused']}/{m['oos']}" if m["oos"] else "-"
    return f"{name} | {code} | {m['lines']} | {ins} | {oos}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
