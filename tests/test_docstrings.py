"""Public functions, classes and methods of diagnostics/ say what they do (the account-side modules, owned apart,
are not held to it yet)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOT_YET = ("cloud", "verdict.py", "cache.py")  # the account side and the cache: listed here until they comply


def _public_definitions(tree: ast.Module) -> list[ast.FunctionDef | ast.ClassDef]:
    """Module-level functions and classes, and the methods of those classes (nested functions are private)."""
    found: list[ast.FunctionDef | ast.ClassDef] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            found.append(node)
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            found += [m for m in node.body if isinstance(m, ast.FunctionDef) and not m.name.startswith("_")]
    return found


def test_public_names_in_diagnostics_have_docstrings():
    missing = []
    for path in sorted((ROOT / "diagnostics").rglob("*.py")):
        if any(part in path.name for part in NOT_YET):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _public_definitions(tree):
            if not ast.get_docstring(node):
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert not missing, "no docstring:\n" + "\n".join(missing)
