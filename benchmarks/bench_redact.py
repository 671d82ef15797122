"""How fast the one secret detector (knowledge/redact.py) runs over every open text of tests/data, and how many texts
it masks; with --against REV, paired with knowledge/redact.py as it was at git revision REV (the same texts,
alternating rounds, medians), and the texts whose masking differs.

    .venv/bin/python benchmarks/bench_redact.py [--rounds 7] [--against d3e0187]

The blind halves are never read (they are measured once, by the coordinator only).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def open_texts() -> list[str]:
    """Every string field of every non-blind JSON Lines file under tests/data."""
    texts: list[str] = []
    for path in sorted((ROOT / "tests" / "data").rglob("*.jsonl")):
        if "blind" in path.name:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts += [v for v in json.loads(line).values() if isinstance(v, str)]
    return texts


def load(path: Path, name: str) -> ModuleType:
    """knowledge/redact.py (or a copy of it) as a module of its own."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def seconds(module: ModuleType, texts: list[str]) -> float:
    """Wall time of one redaction of every text."""
    start = time.perf_counter()
    for text in texts:
        module.redact(text)
    return time.perf_counter() - start


def main() -> int:
    """Print the per-text time (and the ratio to --against) and the texts masked."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--against", metavar="REV", help="a git revision to compare with (e.g. the session start)")
    args = parser.parse_args()
    texts = open_texts()
    modules = {"now": load(ROOT / "knowledge" / "redact.py", "redact_now")}
    if args.against:
        old = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{args.against}:knowledge/redact.py"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(old)
        modules[args.against] = load(Path(f.name), "redact_then")
    results = {name: [m.redact(t) for t in texts] for name, m in modules.items()}  # also warms every pattern
    times: dict[str, list[float]] = {name: [] for name in modules}
    for _ in range(args.rounds):
        for name, module in modules.items():
            times[name].append(seconds(module, texts))
    print(f"{len(texts)} open texts, {args.rounds} rounds (medians)")
    for name in modules:
        masked = sum(1 for _, kinds in results[name] if kinds)
        per_text = statistics.median(times[name]) / len(texts) * 1e6
        print(f"  {name:>10}: {per_text:6.1f} us/text, {masked} texts masked")
    if args.against:
        ratio = statistics.median(times["now"]) / statistics.median(times[args.against])
        differ = sum(1 for a, b in zip(results["now"], results[args.against], strict=True) if a != b)
        print(f"  ratio now/{args.against}: {ratio:.2f}; texts masked differently: {differ}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
