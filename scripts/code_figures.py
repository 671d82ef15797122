"""Code-quality figures of the tree (issue 12), printed one per line, for before/after comparisons:

    .venv/bin/python scripts/code_figures.py            # all but the slow mypy report
    .venv/bin/python scripts/code_figures.py --any      # also mypy's count of expressions typed Any (~1 min)

- functions above complexity 10: `ruff check --select C901 --isolated` over the whole tree (the lint config lists
  the files still allowed to be);
- public functions, classes and methods of bot/, diagnostics/ and knowledge/ without a docstring (as
  tests/test_docstrings.py counts them);
- function-level imports in those packages, and how many say nowhere why they are not at the top. An import says
  why with a reason (a measured cost, the case that needs it, a cycle, an optional dependency) in a comment on its
  line, above its group of imports or on the line opening the block they begin (or a pointer there: "see ...", "as
  above"), or in a paragraph of its function's (or class's) docstring, the module's docstring or a top-level comment
  block that speaks of importing and names it (its module, last part or imported names). A module-wide "imports are
  lazy" that names no import covers none. `--list` prints each silent one as PATH:LINE;
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
# A reason to import inside a function: what the top would cost (start-up, measured), when the module is needed at
# all, an import cycle, an optional dependency, an order the import must wait for.
WHY = re.compile(
    r"start-?up|lazil|lazy|importtime|instructions|valgrind|\d ?ms\b|\bcosts?\b|\bpa(?:y|ys|id)\b|\bonly\b"
    r"|\b(?:loads?|loaded|imports?|imported) (?:with|by|when|where|once|on)\b|\bnot (?:in|for|by) the\b"
    r"|when .{0,40}(?:built|configured)|imports this module|cycle|circular|optional|not a dependency|before",
    re.I,
)
# A comment that points to the reason given elsewhere: the group's comment, the module's docstring.
POINTER = re.compile(r"\bsee\b|as above", re.I)
# import name -> the distribution a text may call it by
DISTRIBUTIONS = {"dns": "dnspython", "jwt": "PyJWT", "yaml": "PyYAML"}


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


def _is_import_line(text: str) -> bool:
    """An import's line, a continuation of one, or a blank line between groups of imports."""
    return text.startswith(("import ", "from ")) or text in ("", ")") or text.endswith(",")


def _comment_says(lines: list[str], node: ast.Import | ast.ImportFrom) -> bool:
    """A comment on the import's own lines, or the comment block right above the run of imports it belongs to (a group
    under one comment; or the comment of the line that opens the block the run begins, `with ...:  # why`), that gives
    a reason or points to one ("see ...", "as above")."""
    said = [lines[i].partition("#")[2] for i in range(node.lineno - 1, node.end_lineno or node.lineno)]
    j = node.lineno - 2
    while j >= 0 and _is_import_line(lines[j].strip()):
        j -= 1
    if j >= 0 and lines[j].partition("#")[0].rstrip().endswith(":"):
        said.append(lines[j].partition("#")[2])
    while j >= 0 and lines[j].strip().startswith("#"):
        said.append(lines[j])
        j -= 1
    return any(WHY.search(text) or POINTER.search(text) for text in said)


def _names(node: ast.Import | ast.ImportFrom) -> set[str]:
    """The words a text would use to name the module NODE imports: the module's dotted name and its last part (and,
    outside this project's packages, its first part and distribution name), and the names imported from it."""
    if isinstance(node, ast.Import):
        modules, imported = [alias.name for alias in node.names], []
    else:
        modules, imported = [node.module or ""], [alias.name for alias in node.names]
    names = set(imported)
    for module in filter(None, modules):
        parts = module.split(".")
        names |= {module, parts[-1]}
        if not getattr(node, "level", 0) and parts[0] not in PACKAGES:
            names |= {parts[0], DISTRIBUTIONS.get(parts[0], parts[0])}
    return names - {"*"}


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def _names_with_reason(paragraphs: list[str], names: set[str]) -> bool:
    """One of PARAGRAPHS speaks of importing (or loading), names the import (one of NAMES, as a word) and gives a
    reason. So "imports are inside the functions" names no import, and `time` in "the time it takes" no `time`."""
    return any(
        WHY.search(paragraph)
        and re.search(r"\bimport|\bload", paragraph, re.I)
        and any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", paragraph, re.I) for name in names)
        for paragraph in paragraphs
    )


def _module_paragraphs(source: str, tree: ast.Module) -> list[str]:
    """The module docstring's paragraphs and its blocks of top-level comments."""
    blocks, block = [], []
    for line in source.splitlines():
        if line.startswith("#"):
            block.append(line)
        elif block:
            blocks.append("\n".join(block))
            block = []
    return _paragraphs(ast.get_docstring(tree) or "") + blocks + ["\n".join(block)]


def silent_imports(source: str) -> list[tuple[int, bool]]:
    """(line, silent) for each function-level import of SOURCE: silent unless it says why it is not at the top, with a
    reason in a comment on it or above its group (see _comment_says), or in a paragraph of its function's docstring,
    the module's docstring or a top-level comment block that names it (see _names_with_reason)."""
    lines, tree = source.splitlines(), ast.parse(source)
    module = _module_paragraphs(source, tree)
    found: dict[int, bool] = {}

    def walk(node: ast.AST, docstrings: list[str], in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                # a method's import may be explained by its class's docstring, a nested function's by its outer's
                inner = docstrings + _paragraphs(ast.get_docstring(child) or "")
                walk(child, inner, in_function or not isinstance(child, ast.ClassDef))
            elif isinstance(child, (ast.Import, ast.ImportFrom)) and in_function:
                explained = _comment_says(lines, child) or _names_with_reason(docstrings + module, _names(child))
                found.setdefault(child.lineno, explained)
            else:
                walk(child, docstrings, in_function)

    walk(tree, [], False)
    return sorted((line, not explained) for line, explained in found.items())


def lazy_imports(listing: bool = False) -> str:
    total = silent = 0
    for path in sources():
        for line, quiet in silent_imports(path.read_text(encoding="utf-8")):
            total += 1
            silent += quiet
            if quiet and listing:
                print(f"{path.relative_to(ROOT)}:{line}")
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
    parser.add_argument("--list", action="store_true", help="print each silent function-level import as PATH:LINE")
    args = parser.parse_args()
    figures = [complexity(), docstrings(), lazy_imports(args.list), duplicates()]
    if args.any:
        figures.append(any_expressions())
    print("\n".join(f for f in figures if f))
    return 0


if __name__ == "__main__":
    sys.exit(main())
