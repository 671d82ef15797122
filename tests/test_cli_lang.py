"""The language of the CLI's human output without --lang: chosen from the locale as GNU gettext chooses a message
catalogue (LC_ALL, LC_MESSAGES, LANG, then LANGUAGE unless the locale is C), with --lang winning; the same rule for
`report`, `diagnose` and `check-name`."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.commands import default_lang
from bot.storage import Storage

LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({}, "en"),  # no locale at all: the C locale
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),  # a language we do not have: the untranslated text
        ({"LANG": "C.UTF-8"}, "en"),
        # LC_ALL, then LC_MESSAGES, override LANG; empty values are skipped
        ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_ALL": "en_GB.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "en"),
        ({"LC_ALL": "", "LC_MESSAGES": "zh_CN.GB18030", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_ALL": "zh_CN.UTF-8@pinyin"}, "zh"),
        # LANGUAGE, a priority list, wins over the locale ...
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "zh_CN:en"}, "zh"),
        ({"LANG": "zh_CN.UTF-8", "LANGUAGE": "en_US"}, "en"),
        ({"LANG": "de_DE.UTF-8", "LANGUAGE": "fr:zh_CN:en"}, "zh"),  # its first language that we have
        ({"LANG": "zh_CN.UTF-8", "LANGUAGE": "fr:de"}, "en"),  # none that we have: the untranslated text
        ({"LANG": "zh_CN.UTF-8", "LANGUAGE": ""}, "zh"),  # empty: not set
        # ... except under the C locale, where gettext ignores it
        ({"LANG": "C", "LANGUAGE": "zh_CN"}, "en"),
        ({"LC_ALL": "POSIX", "LANGUAGE": "zh"}, "en"),
        ({"LANGUAGE": "zh"}, "en"),
    ],
)
def test_the_default_language_follows_gettext(env, lang):
    assert default_lang(env) == lang


@pytest.fixture
def database(tmp_path):
    """An SQLite file with one unanswered question."""
    path = str(tmp_path / "report.sqlite3")
    storage = Storage(path)
    storage.record_question(
        "q1", "can it print my invoices", lang="en", status="no_answer", answer_id=None, score=None, kb_version="v"
    )
    storage.close()
    return path


@pytest.fixture
def locale(monkeypatch):
    """locale(**vars): exactly these locale variables in the environment."""

    def set_locale(**values: str) -> None:
        for var in LOCALE_VARS:
            monkeypatch.delenv(var, raising=False)
        for var, value in values.items():
            monkeypatch.setenv(var, value)

    return set_locale


def report(database, capsys, *extra: str) -> str:
    assert main(["report", "unanswered", "--database-url", database, *extra]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh"),  # read only LANG before
        ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "zh_CN:en"}, "zh"),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C.UTF-8"}, "en"),  # LANG said zh before
        ({"LANG": "zh_CN.UTF-8", "LANGUAGE": "en"}, "en"),
    ],
)
def test_report_reads_the_locale_as_gettext_does(database, capsys, locale, env, lang):
    locale(**env)
    out = report(database, capsys)
    assert "can it print my invoices" in out
    heading = "未回答或被点踩的问题" if lang == "zh" else "Questions with no answer or a thumbs-down"
    assert out.startswith(heading), out


def test_an_explicit_lang_wins_over_every_locale_variable(database, capsys, locale):
    locale(LC_ALL="zh_CN.UTF-8", LC_MESSAGES="zh_CN.UTF-8", LANG="zh_CN.UTF-8", LANGUAGE="zh")
    assert report(database, capsys, "--lang", "en").startswith("Questions with no answer or a thumbs-down")
    locale(LC_ALL="en_US.UTF-8", LANGUAGE="en")
    assert report(database, capsys, "--lang", "zh").startswith("未回答或被点踩的问题")
