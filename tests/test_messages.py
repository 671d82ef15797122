"""Texts that several commands or channels say are written once, in bot/messages.py (in zh and en), and every
command, template and channel takes them from there: a wording changed in one place changes everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import messages

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    p
    for p in sorted((ROOT / "bot").rglob("*"))
    if p.suffix in (".py", ".j2", ".html", ".js") and p.name != "messages.py" and "migrations" not in p.parts
]


def spellings(text: str) -> list[str]:
    """Patterns that find TEXT written as a string of its own: its longest part between {fields}, after a quote when
    the text starts with it."""
    parts = [part.strip() for part in re.split(r"\{[a-z_]*\}", text) if len(part.strip()) >= 4]
    longest = max(parts, key=len)
    return [(r"[\"']" if text.startswith(longest) else "") + re.escape(longest)]


def catalogue_texts() -> list[str]:
    texts = [*messages.WHY_NO_ANSWER_LABEL.values()]
    texts += [t for m in messages.WHY_NO_ANSWER.values() for t in m.values()]
    # (not "vendor", "{vendor}的镜像仓库", nor the placeholder command: their words are common elsewhere)
    other = {k: v for k, v in messages.OTHER_REGISTRY.items() if k not in ("vendor", "any_registry_command")}
    texts += [t for m in other.values() for t in m.values()]
    return [pattern for text in texts for pattern in spellings(text)]


@pytest.mark.parametrize("pattern", catalogue_texts())
def test_a_catalogue_text_is_written_nowhere_else(pattern: str) -> None:
    spelled = [str(p.relative_to(ROOT)) for p in SOURCES if re.search(pattern, p.read_text(encoding="utf-8"))]
    assert not spelled, f"{pattern!r} is also written in {spelled}: take it from bot/messages.py"


@pytest.mark.parametrize("word", sorted({w for m in messages.STATUS.values() for w in m.values()}))
def test_a_status_word_is_written_nowhere_else(word: str) -> None:
    """diagnose's marks, the ticket report, explain, check-name and the widget take a finding status's word from
    bot.messages.STATUS (a Chinese report once printed [FAIL] and ### OK)."""
    pattern = rf"[\"'\[]{word}[\"'\]]"
    spelled = [str(p.relative_to(ROOT)) for p in SOURCES if re.search(pattern, p.read_text(encoding="utf-8"))]
    assert not spelled, f"{word!r} is also written in {spelled}: take it from bot/messages.py (status_word)"


def test_the_check_finds_a_copy() -> None:
    copy = "{{ 'Why no answer: ' }}{{ '其他厂商或自建的镜像仓库' }}{{ '这些问题问的是其他厂商或自建的镜像仓库：' }}"
    found = [p for p in catalogue_texts() if re.search(p, copy)]
    assert found == [r"[\"']Why\ no\ answer:", r"[\"']其他厂商或自建的镜像仓库"]


def test_every_message_exists_in_both_languages() -> None:
    catalogues = [messages.INPUT, messages.WHY_NO_ANSWER, messages.REASONS, messages.STATUS, messages.OTHER_REGISTRY]
    for catalogue in catalogues:
        for key, text in catalogue.items():
            assert set(text) == {"zh", "en"} and all(v.strip() for v in text.values()), (key, text)
            assert re.findall(r"\{\w+\}", text["zh"]) == re.findall(r"\{\w+\}", text["en"]) or key in (), key
