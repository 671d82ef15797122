"""One Chinese word for an image tag in what users read: 版本 / 镜像版本, as the FAQ's own answers say it (entry 10:
"删除镜像的指定版本"). The log causes said 标签 and the diagnosis 版本 for the same tag, so `explain --run` named one
tag twice. The verb 打标签 (`docker tag`) is not the noun and stays."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_NOUN = re.compile(r"(?<!打)标签")


def _zh_strings(value: object) -> list[str]:
    """Every string under a `zh` key (or in a `.zh` field) of a parsed TOML document."""
    out: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "zh" and isinstance(item, str):
                out.append(item)
            else:
                out.extend(_zh_strings(item))
    elif isinstance(value, list):
        for item in value:
            out.extend(_zh_strings(item))
    return out


def test_the_faq_answers_call_a_tag_a_version():
    answer = tomllib.loads((ROOT / "knowledge/faq/10-delete-image-tag.toml").read_text(encoding="utf-8"))["answer"]
    assert "镜像的指定版本" in answer["zh"] and not _NOUN.search(answer["zh"])


def test_log_causes_and_findings_call_a_tag_a_version():
    for name in ("knowledge/logpatterns.toml", "diagnostics/codes.toml"):
        data = tomllib.loads((ROOT / name).read_text(encoding="utf-8"))
        said = [s for s in _zh_strings(data) if _NOUN.search(s)]
        assert not said, f"{name}: {said[:3]}"


def test_templates_and_help_call_a_tag_a_version():
    files = [*ROOT.glob("bot/templates/**/*.j2"), *ROOT.glob("bot/**/*.py"), *ROOT.glob("diagnostics/**/*.py")]
    said = [str(p.relative_to(ROOT)) for p in files if _NOUN.search(p.read_text(encoding="utf-8"))]
    assert not said


def test_the_log_cause_of_a_missing_tag_says_version_in_chinese():
    import knowledge

    text = knowledge.cause_text("TAG_NOT_FOUND")
    assert "版本" in text["summary"]["zh"] and "版本" in text["fix"]["zh"]
    assert not _NOUN.search(text["summary"]["zh"] + text["fix"]["zh"])
