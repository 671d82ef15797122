"""What an import costs where it would run: instructions (valgrind's callgrind) of `python -c BASE` and of
`python -c "BASE; EXTRA"`, and the modules EXTRA adds. The figure a function-level import's comment gives.

    .venv/bin/python scripts/import_cost.py "import diagnostics.cloud, diagnostics.names" "from diagnostics import findings"

BASE is what the command has loaded where the import would sit (the module itself, and what its callers loaded
before); EXTRA is the import. Counted as tests/test_startup.py and benchmarks/bench_startup.py count: PYTHONHASHSEED=0,
PYTHONDONTWRITEBYTECODE unset and the package compiled to bytecode first (as an installed copy is). Needs valgrind
(Debian package `valgrind`); a run takes a few seconds.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "PYTHONHASHSEED": "0"}


def instructions(code: str) -> int:
    """Instructions `python -c CODE` executes (valgrind callgrind)."""
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", code],
        env=ENV,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    found = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode or found is None:
        raise SystemExit(f"python -c {code!r} failed under valgrind:\n{out.stderr[-2000:]}")
    return int(found.group(1))


def modules(code: str) -> set[str]:
    """The modules loaded after `python -c CODE` (listed without importing anything more)."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], env=ENV, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if out.returncode:
        raise SystemExit(f"python -c {code!r} failed:\n{out.stderr[-2000:]}")
    return set(out.stdout.split())


def main() -> int:
    """Print EXTRA's cost after BASE."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("base", help="what is loaded already, e.g. 'import diagnostics.cloud'")
    parser.add_argument("extra", help="the import to price, e.g. 'from diagnostics import findings'")
    args = parser.parse_args()
    packages = [str(ROOT / p) for p in ("bot", "diagnostics", "knowledge")]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *packages], env=ENV, check=True, stdout=subprocess.DEVNULL
    )
    both = f"{args.base}\n{args.extra}"
    before, after = instructions(args.base), instructions(both)
    new = sorted(modules(both) - modules(args.base))
    print(f"{(after - before) / 1e6:+.2f} M instructions ({before / 1e6:.2f} -> {after / 1e6:.2f} M)")
    print(f"new modules ({len(new)}): {' '.join(new) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
