"""Snapshot of what the product says on the non-blind question and log sets, to prove a refactor changes nothing.

    .venv/bin/python scripts/behaviour_snapshot.py record DIR    # before the change
    .venv/bin/python scripts/behaviour_snapshot.py check DIR     # after it: exit 1 and the first differences if any

It records, per set, `tcr-doctor ask --json` over the set's JSON Lines on stdin (one answer line per question),
`explain()` of every labelled paste (one JSON line each, keys sorted), and `python -m knowledge.logs` on each log
file. The answers carry no timings or ids, so nothing is dropped.

Everything runs under fixed hash seeds (PYTHONHASHSEED 0 and 1, one snapshot each): with a random seed a few
answers' alternatives differ between two runs of the same code (set iteration order), which would hide or fake
a difference. The blind halves (tests/data/real/*_blind.jsonl,
tests/data/faq_blind.jsonl) are deliberately not in the lists: they are measured once, by the coordinator only.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAQ_SETS = [
    "tests/data/faq_heldout.jsonl",
    "tests/data/faq_final.jsonl",
    "tests/data/faq_unseen.jsonl",
    "/work/shared/eval/faq_dev.jsonl",
    "tests/data/real/faq_tune.jsonl",
]
LOG_SETS = [
    "tests/data/real/logs_tune.jsonl",
    "tests/data/log_heldout.jsonl",
    "tests/data/log_dev/samples.jsonl",
    "tests/data/log_dev/real.jsonl",
]


def _name(path: str) -> str:
    return path.replace("/", "_").lstrip("_")


def _explain_lines(path: Path) -> str:
    from knowledge.logs import explain

    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(json.dumps(explain(json.loads(line).get("text", "")), ensure_ascii=False, sort_keys=True))
    return "\n".join(out) + "\n"


def snapshot() -> dict[str, str]:
    """Every output, by a file name that says where it came from."""
    python = sys.executable
    tool = str(Path(python).with_name("tcr-doctor"))
    outputs = {}
    for rel in FAQ_SETS:
        path = ROOT / rel
        run = subprocess.run(
            [tool, "ask", "--json"], input=path.read_bytes(), capture_output=True, cwd=ROOT, check=True
        )
        outputs[f"ask__{_name(rel)}"] = run.stdout.decode()
    for rel in LOG_SETS:
        path = ROOT / rel
        outputs[f"explain__{_name(rel)}"] = _explain_lines(path)
        run = subprocess.run([python, "-m", "knowledge.logs", str(path)], capture_output=True, cwd=ROOT, check=True)
        outputs[f"measure__{_name(rel)}"] = run.stdout.decode()
    return outputs


SEEDS = ("0", "1")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("record", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    if "PYTHONHASHSEED" not in os.environ:
        worst = 0
        for seed in SEEDS:
            print(f"PYTHONHASHSEED={seed}:", flush=True)
            where = str(Path(argv[1]) / f"seed-{seed}")
            env = {**os.environ, "PYTHONHASHSEED": seed}
            worst = max(worst, subprocess.run([sys.executable, __file__, argv[0], where], env=env).returncode)
        return worst
    mode, where = argv[0], Path(argv[1])
    outputs = snapshot()
    if mode == "record":
        where.mkdir(parents=True, exist_ok=True)
        for name, text in outputs.items():
            (where / name).write_text(text, encoding="utf-8")
        print(f"recorded {len(outputs)} outputs, {sum(t.count(chr(10)) for t in outputs.values())} lines, in {where}")
        return 0
    differ = 0
    for name, text in outputs.items():
        before = (where / name).read_text(encoding="utf-8")
        if before != text:
            differ += 1
            diff = difflib.unified_diff(before.splitlines(), text.splitlines(), name, name, lineterm="", n=0)
            print("\n".join(list(diff)[:20]))
    print(f"{len(outputs) - differ}/{len(outputs)} outputs byte-identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
