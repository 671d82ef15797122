"""`python -m knowledge.logs FILE.jsonl...`: accuracy of explain() on labelled lines, as JSON."""

from __future__ import annotations

import json
import sys

from .evaluate import measure


def main(argv: list[str]) -> int:
    """Print the figures of `measure` for the files in `argv`; 2 when no file is given."""
    if not argv:
        print("usage: python -m knowledge.logs FILE.jsonl...", file=sys.stderr)
        return 2
    print(json.dumps(measure(argv), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
