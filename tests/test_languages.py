"""The languages the product speaks are declared once, `diagnostics.LANGS`: no module of bot/, diagnostics/ or
knowledge/ spells its own collection of them (a third language would otherwise be added in some places only). So
are the statuses that report a problem, `diagnostics.PROBLEMS`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import diagnostics

ROOT = Path(__file__).resolve().parents[1]
# Where a literal pair of the language codes means something else than "the languages we speak", with the reason.
ALLOWED = {
    ("diagnostics/__init__.py", 'LANGS = ("zh", "en")'): "the one declaration",
    # the server's preference among the client's equally weighted languages: English first, not the pair's order
    ("bot/console/__init__.py", 'request.accept_languages.best_match(["en", "zh"], default="en")'): "preference",
}
FROZEN = ("bot/migrations/",)  # a migration is frozen with the code of its day, as Alembic recommends


def collections_of(source: str, values: tuple[str, ...]) -> list[tuple[int, str]]:
    """(line, source line) of every tuple, list or set literal whose items are exactly `values`, in any order."""
    tree = ast.parse(source)
    lines = source.splitlines()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set) and len(node.elts) == len(values):
            items = {e.value for e in node.elts if isinstance(e, ast.Constant)}
            if items == set(values):
                found.append((node.lineno, lines[node.lineno - 1].strip()))
    return found


def language_collections(source: str) -> list[tuple[int, str]]:
    """(line, source line) of every tuple, list or set literal whose items are exactly the language codes."""
    return collections_of(source, diagnostics.LANGS)


def test_the_languages_are_declared_once() -> None:
    stray = []
    for package in ("bot", "diagnostics", "knowledge"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name.startswith(FROZEN):
                continue
            for line, text in language_collections(path.read_text(encoding="utf-8")):
                if not any(name == where and snippet in text for where, snippet in ALLOWED):
                    stray.append(f"{name}:{line}: {text}")
    assert not stray, "use diagnostics.LANGS:\n" + "\n".join(stray)


@pytest.mark.parametrize(
    "source",
    ['LANGS = ("zh", "en")', 'x = lang in ["en", "zh"]', 'for lang in {"zh", "en"}: pass', 'f(choices=("en", "zh"))'],
)
def test_a_collection_of_the_languages_is_found(source: str) -> None:
    assert language_collections(source) == [(1, source)]


@pytest.mark.parametrize("source", ['x = ("zh", "en", "ja")', 'x = ("zh",)', 'x = {"zh": 1, "en": 2}', 'x = ("zh", 1)'])
def test_other_literals_are_not_a_declaration(source: str) -> None:
    assert language_collections(source) == []


def test_the_problem_statuses_are_declared_once() -> None:
    """Channels ask `diagnostics.PROBLEMS` which statuses report a problem (Slack's credentials hint, the console's
    finding counts) instead of spelling ("fail", "warn") again."""
    stray = [
        f"{path.relative_to(ROOT).as_posix()}:{line}: {text}"
        for package in ("bot", "diagnostics", "knowledge")
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, text in collections_of(path.read_text(encoding="utf-8"), diagnostics.PROBLEMS)
        if not (path.name == "findings.py" and text.startswith("PROBLEMS = "))  # the one declaration
    ]
    assert not stray, "use diagnostics.PROBLEMS:\n" + "\n".join(stray)


PAIR_IN_A_TEMPLATE = re.compile(r"""[(\[]\s*(['"])(fail|warn)\1\s*,\s*(['"])(fail|warn)\3\s*[)\]]""")


def test_templates_ask_whether_a_status_is_a_problem() -> None:
    """Templates use the `problem` test (bot.render: diagnostics.PROBLEMS), not their own ("fail", "warn")."""
    assert PAIR_IN_A_TEMPLATE.search("""x|selectattr("status", "in", ["fail", "warn"])""")
    assert not PAIR_IN_A_TEMPLATE.search("{% for status in ('fail', 'warn', 'ok', 'skip') %}")
    stray = [
        f"{path.relative_to(ROOT).as_posix()}:{number}: {line.strip()}"
        for path in sorted((ROOT / "bot" / "templates").rglob("*"))
        if path.is_file() and path.suffix in (".html", ".j2")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PAIR_IN_A_TEMPLATE.search(line)
    ]
    assert not stray, "use `status is problem`:\n" + "\n".join(stray)
