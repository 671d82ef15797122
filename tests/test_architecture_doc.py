"""docs/ARCHITECTURE.md's walk through the code ("Following a question through the code") stays true: every file it
names exists, and every function, class or method it names is defined in the files it names."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Following a question through the code"
TEMPLATES = ROOT / "bot" / "templates"


def _section() -> str:
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start : end if end != -1 else None]


def _quoted(section: str) -> list[str]:
    return re.findall(r"`([^`]+)`", section)


def _path(name: str) -> Path | None:
    """The file (or folder) a quoted name stands for: a repository path, a template path, or a template's name."""
    for base in (ROOT, ROOT / "bot", TEMPLATES / "slack", TEMPLATES / "cli"):
        if (base / name.split(" ")[0]).exists():
            return base / name
    return None


def _defined(paths: list[Path]) -> set[str]:
    """Every name defined in PATHS: functions, classes, methods as Class.method too."""
    names: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            if isinstance(node, ast.ClassDef):
                names |= {f"{node.name}.{m.name}" for m in node.body if isinstance(m, ast.FunctionDef)}
    return names


def test_the_files_the_walk_names_exist():
    files = [q for q in _quoted(_section()) if re.search(r"\.(py|j2|html)$|/$", q)]
    assert len(files) >= 20  # the section was read
    pattern = re.compile(r"<[^>]+>")
    missing = [f for f in files if not pattern.search(f) and _path(f) is None]
    assert not missing, missing


def test_the_functions_the_walk_names_are_defined_there():
    section = _quoted(_section())
    python = [p for q in section if q.endswith(".py") and (p := _path(q)) is not None]
    defined = _defined(python)
    # a bare identifier, a Class.method, or a package.function of the public API (knowledge.ask: `ask` in
    # knowledge/__init__.py); `self.ask` is SlackChannel's method
    names = [q for q in section if re.fullmatch(r"[A-Za-z_][\w.]*", q) and not q.endswith((".py", ".j2", ".html"))]
    wanted = {n.split(".", 1)[1] if n.startswith(("knowledge.", "diagnostics.", "self.")) else n for n in names}
    assert {"answer_message", "answer_blocks", "ask", "api_ask"} <= wanted
    assert not wanted - defined, sorted(wanted - defined)
