"""The diagnostics package imports one way: no import cycle, counting the imports inside functions too, and the
context imports inside its functions only the TLS/HTTP half it loads when a diagnosis first needs it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "diagnostics"


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path, *, top_level: bool) -> set[str]:
    """diagnostics modules `path` imports (relative imports resolved); top-level only, or only inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    nodes = (
        tree.body if top_level else [n for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) for n in ast.walk(f)]
    )
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if (ROOT / Path(*candidate.split("."))).with_suffix(".py").exists() else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m == "diagnostics" or m.startswith("diagnostics.")}


def test_no_import_cycle_in_diagnostics():
    # an import inside a function must not hide a cycle either
    graph = {_module(p): _imports(p, top_level=True) | _imports(p, top_level=False) for p in PACKAGE.rglob("*.py")}
    seen: dict[str, int] = {}  # 1 = on the path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt == "diagnostics" or nxt not in graph:
                continue
            assert seen.get(nxt) != 1, " -> ".join([*path, nxt])
            if nxt not in seen:
                visit(nxt, [*path, nxt])
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node, [node])


# The context loads the TLS/HTTP half (the transport, the tls and http checks' facts, the token flow: ssl, http.client and
# email) when a diagnosis first needs it: a diagnosis whose DNS step fails never loads it (tests/test_startup.py).
LOADED_WHEN_NEEDED = {"diagnostics.transport", "diagnostics.checks.tls", "diagnostics.checks.http", "diagnostics.auth"}


def test_the_context_imports_only_the_tls_and_http_half_inside_its_functions():
    assert _imports(PACKAGE / "context.py", top_level=False) == LOADED_WHEN_NEEDED
