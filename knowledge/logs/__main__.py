"""`python -m knowledge.logs FILE.jsonl...`: accuracy of explain() on labelled lines, as JSON."""

from __future__ import annotations

import json
import sys

from .evaluate import measure


def main(argv: list[str]) -> int:
    """Print the figures of `measure` for the files in `argv` (`--batch R` keeps one collection round, `--learned`
    adds the learned fallback where the rules find no cause); 2 when no file is given."""
    learned = "--learned" in argv
    argv = [a for a in argv if a != "--learned"]
    batch = None
    if argv[:1] == ["--batch"] and len(argv) >= 2:
        batch, argv = argv[1], argv[2:]
    if not argv or argv[0].startswith("-"):
        print("usage: python -m knowledge.logs [--learned] [--batch r1|r2|r3] FILE.jsonl...", file=sys.stderr)
        return 2
    print(json.dumps(measure(argv, batch, learned=learned), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
