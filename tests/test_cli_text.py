"""How the CLI's text reports read, in both languages: what the evidence lines leave out, and the punctuation of
the Chinese labels. In-process: a report built from the real code catalogue, rendered by the CLI's templates."""

from __future__ import annotations

import re

import pytest

from bot.commands.diagnose import view
from bot.render import render
from diagnostics.checks.image import tag_hint
from diagnostics.findings import finding
from diagnostics.runner import Report
from diagnostics.target import parse_target

TARGET = "shop-tcr.tencentcloudcr.com/team/app:9.9"


def missing_tag_report(tags: list[str]) -> dict[str, object]:
    """A diagnosis whose image check found the tag missing among TAGS, as the image check builds it."""
    hint = tag_hint("9.9", tags, "shop-tcr.tencentcloudcr.com", "team/app")
    found = finding(
        "image",
        "TAG_NOT_FOUND",
        tag_count=len(tags),
        tags_sample=sorted(tags)[:20],
        **hint,
        registry="shop-tcr.tencentcloudcr.com",
        repository="team/app",
        reference="9.9",
    )
    return Report(parse_target(TARGET), [found], ["image"], deadline=10.0).to_dict()


def text_of(report: dict[str, object], lang: str) -> tuple[str, str]:
    """The CLI's text report and its markdown --report for REPORT, in LANG."""
    shown = view(report, lang)
    return (
        render("cli", "diagnose.j2", r=shown, lang=lang),
        render("cli", "diagnose_report.j2", r=shown, lang=lang, command=f"tcr-doctor diagnose {TARGET}"),
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("tags", [["latest", "1.0", "1.1", "2.0-beta"], []], ids=["none-close", "no-tags"])
def test_a_missing_tag_with_none_close_lists_no_closest_line(lang, tags):
    report = missing_tag_report(tags)
    for text in text_of(report, lang):
        assert "TAG_NOT_FOUND" in text
        assert not re.search(r"closest`?: *-", text), text  # was `closest: -`
        assert "closest" not in text, text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_missing_tag_with_a_close_one_still_names_it(lang):
    report = missing_tag_report(["latest", "9.9.0", "1.0"])
    for text in text_of(report, lang):
        assert re.search(r"closest`?: 9\.9\.0", text), text
