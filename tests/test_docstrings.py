"""Public functions, classes and methods of diagnostics/, knowledge/ and bot/ say what they do (issue 12). Alembic's
migrations under bot/migrations/ are generated scripts and are not held to it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("diagnostics", "knowledge", "bot")
EXCLUDED = (Path("bot") / "migrations",)


def _public_definitions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    """Module-level functions and classes, and the methods of those classes (nested functions are private)."""
    found: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            found.append(node)
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            found += [
                m
                for m in node.body
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and not m.name.startswith("_")
            ]
    return found


def _sources() -> list[Path]:
    """The .py files of PACKAGES, less EXCLUDED."""
    paths = [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]
    return [p for p in paths if not any(p.relative_to(ROOT).is_relative_to(x) for x in EXCLUDED)]


def test_the_held_packages_are_read():
    # the check below cannot pass by reading nothing: every package is there, and the exclusion is narrow
    files = {p.relative_to(ROOT).parts[0] for p in _sources()}
    assert files == set(PACKAGES)
    assert (ROOT / "bot" / "migrations" / "env.py").exists()
    assert all("migrations" not in p.parts for p in _sources())


def test_private_and_nested_definitions_are_not_held():
    tree = ast.parse(
        "def public(): pass\ndef _private(): pass\nclass C:\n    def m(self): pass\n    def _n(self): pass\n"
    )
    assert [n.name for n in _public_definitions(tree)] == ["public", "C", "m"]


def test_public_names_have_docstrings():
    missing = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _public_definitions(tree):
            if not ast.get_docstring(node):
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert not missing, "no docstring:\n" + "\n".join(missing)
