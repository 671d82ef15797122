"""Channels use only the public names of `knowledge` and `diagnostics` (docs/ARCHITECTURE.md's design rule): every
import from bot/ into those packages, and every attribute read off the package itself, names something the
package's `__init__` lists in `__all__` — never a submodule (`knowledge.kb`, `diagnostics.policy`) or a private
name. Read from the AST of every module of bot/, TYPE_CHECKING blocks and function-level imports included."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ("knowledge", "diagnostics")


def public(package: str) -> set[str]:
    return set(importlib.import_module(package).__all__)


def violations(source: str, exported: dict[str, set[str]]) -> list[str]:
    """What a module's source imports or reads from the core packages beyond their `__all__`, as readable lines."""
    tree = ast.parse(source)
    found: list[str] = []
    bound: dict[str, str] = {}  # local name -> core package it is bound to (`import knowledge as k`)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += _import_violations(node, bound)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += _from_import_violations(node, exported)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound:
            package = bound[node.value.id]
            if node.attr not in exported[package]:
                found.append(f"line {node.lineno}: {node.value.id}.{node.attr} (not in {package}.__all__)")
    return found


def _import_violations(node: ast.Import, bound: dict[str, str]) -> list[str]:
    """`import knowledge.kb` is a submodule; `import knowledge [as k]` binds a name whose attributes are read later."""
    found = []
    for alias in node.names:
        top = alias.name.split(".")[0]
        if top not in CORE:
            continue
        if alias.name != top:
            found.append(f"line {node.lineno}: import {alias.name} (a submodule)")
        bound[alias.asname or top] = top
    return found


def _from_import_violations(node: ast.ImportFrom, exported: dict[str, set[str]]) -> list[str]:
    """`from knowledge.kb import X` is a submodule; `from knowledge import X` must name something in __all__."""
    assert node.module is not None
    top = node.module.split(".")[0]
    if top not in CORE:
        return []
    if node.module != top:
        return [f"line {node.lineno}: from {node.module} import {', '.join(a.name for a in node.names)} (a submodule)"]
    return [
        f"line {node.lineno}: from {top} import {a.name} (not in {top}.__all__)"
        for a in node.names
        if a.name not in exported[top]
    ]


def test_bot_uses_only_the_public_names_of_knowledge_and_diagnostics():
    exported = {package: public(package) for package in CORE}
    problems = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        rel = path.relative_to(ROOT)
        problems += [f"{rel}: {v}" for v in violations(path.read_text(encoding="utf-8"), exported)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    "source",
    [
        "from knowledge.kb import Topic",
        "import knowledge.kb",
        "from diagnostics.policy import AddressPolicy",
        "from knowledge import _cached",
        "import knowledge\nknowledge.text.detect_lang('x')",
        "import diagnostics as d\nd.policy",
        "def f():\n    from diagnostics.cloud import CloudOptions",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from knowledge.kb import Entry",
    ],
)
def test_the_check_finds_each_way_of_reaching_an_internal(source):
    assert violations(source, {package: public(package) for package in CORE})


def test_the_check_accepts_the_public_ways():
    source = "import knowledge\nfrom diagnostics import checks, diagnose\nknowledge.ask('x')\nknowledge.Topic"
    assert violations(source, {package: public(package) for package in CORE}) == []


@pytest.mark.parametrize("package", CORE)
def test_every_public_name_exists_and_says_what_it_is(package):
    """`__all__` is the contract: each name resolves (the lazy ones too) and has a docstring."""
    module = importlib.import_module(package)
    assert len(set(module.__all__)) == len(module.__all__)
    for name in module.__all__:
        value = getattr(module, name)
        if inspect.ismodule(value) or inspect.isclass(value) or inspect.isroutine(value):
            assert (inspect.getdoc(value) or "").strip(), f"{package}.{name} has no docstring"
