"""Code-quality figures of the tree (issue 12), printed one per line, for before/after comparisons:

    .venv/bin/python scripts/code_figures.py            # all but the slow mypy report
    .venv/bin/python scripts/code_figures.py --any      # also mypy's count of expressions typed Any (~1 min)

- functions above complexity 10: `ruff check --select C901 --isolated` over the whole tree (the lint config lists
  the files still allowed to be);
- public functions, classes and methods of bot/, diagnostics/ and knowledge/ without a docstring (as
  tests/test_docstrings.py counts them);
- function-level imports in those packages, and how many say nowhere why they are not at the top (a comment on
  the line or just above it, or the module's docstring or top-level comments explaining its lazy imports);
- with --any: expressions mypy types as Any, of all expressions, in the strict-checked modules;
- pairs of duplicated places, when the `duplicates` tool is on PATH.
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "diagnostics", "knowledge")
BIN = Path(sys.executable).parent
WHY = re.compile(
    r"start-?up|lazil|lazy|importtime|only (when|where|with|to|for|in)|when .{0,40}(built|configured|render)"
    r"|imports this module|cost",
    re.I,
)


def sources() -> list[Path]:
    """The .py files of PACKAGES, Alembic's generated migrations aside."""
    return [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py")) if "migrations" not in p.parts]


def complexity() -> str:
    out = subprocess.run(
        [str(BIN / "ruff"), "check", "--select", "C901", "--isolated", "--output-format", "concise", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    return f"functions above complexity 10: {sum(' C901 ' in line for line in out.splitlines())}"


def docstrings() -> str:
    public = missing = 0
    for path in sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not node.name.startswith(
                "_"
            ):
                members = [node] + [
                    m
                    for m in (node.body if isinstance(node, ast.ClassDef) else [])
                    if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and not m.name.startswith("_")
                ]
                public += len(members)
                missing += sum(not ast.get_docstring(m) for m in members)
    return f"public definitions without a docstring: {missing} of {public}"


def _said_why(lines: list[str], lineno: int, first: int) -> bool:
    """A comment on the import's line, or in the comment/import lines right above it (not above its function)."""
    if "#" in lines[lineno - 1]:
        return True
    for j in range(lineno - 2, first - 1, -1):
        text = lines[j].strip()
        if text.startswith("#"):
            return True
        if not (text.startswith(("import ", "from ")) or text == ")" or text.endswith(",")):
            return False
    return False


def lazy_imports() -> str:
    total = silent = 0
    for path in sources():
        source = path.read_text(encoding="utf-8")
        lines, tree = source.splitlines(), ast.parse(source)
        header = (ast.get_docstring(tree) or "") + "\n".join(line for line in lines if line.startswith("#"))
        module_says = "import" in header.lower() and bool(WHY.search(header))
        seen: set[int] = set()
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(fn):
                    if isinstance(node, (ast.Import, ast.ImportFrom)) and node.lineno not in seen:
                        seen.add(node.lineno)
                        total += 1
                        silent += not (module_says or _said_why(lines, node.lineno, fn.lineno))
    return f"function-level imports: {total}; saying nowhere why: {silent}"


def any_expressions() -> str:
    with tempfile.TemporaryDirectory() as report:
        subprocess.run([str(BIN / "mypy"), "--any-exprs-report", report], cwd=ROOT, capture_output=True)
        total = (Path(report) / "any-exprs.txt").read_text().splitlines()[-1].split()
    return f"expressions typed Any (mypy, strict modules): {total[1]} of {total[2]} ({total[3]} typed)"


def duplicates() -> str | None:
    tool = shutil.which("duplicates")
    if tool is None:
        return None
    out = subprocess.run([tool, "--repo", str(ROOT)], capture_output=True, text=True).stdout
    return f"duplicates: {out.splitlines()[0] if out else '?'}"


def main() -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--any", action="store_true", help="also run mypy's Any-expression report (slow)")
    args = parser.parse_args()
    figures = [complexity(), docstrings(), lazy_imports(), duplicates()]
    if args.any:
        figures.append(any_expressions())
    print("\n".join(f for f in figures if f))
    return 0


if __name__ == "__main__":
    sys.exit(main())
