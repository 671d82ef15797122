"""`tcr-doctor --help` and `tcr-doctor COMMAND --help` speak the CLI's language (`--lang`, else the locale:
bot.commands.default_lang), as its usage errors do. Every help text is declared once, as a {zh, en} pair next to its
argument (bot.commands.Declarations), and argparse's own words (usage, headings) are translated with it."""

from __future__ import annotations

import importlib
import re

import pytest

from bot import quick_args
from bot.cli import COMMANDS, main

CJK = re.compile(r"[\u4e00-\u9fff]")
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


class Declared(quick_args.Recorder):
    """Records every help text, group title and description a command declares."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[object] = []

    def add_argument(self, *names, **options) -> None:
        self.texts.append(options.get("help"))
        super().add_argument(*names, **options)

    def add_argument_group(self, *args, **kwargs):
        self.texts.extend(args)
        return self


def declared(name: str) -> list[object]:
    recorder = Declared()
    try:
        importlib.import_module(f"bot.commands.{COMMANDS[name][0]}").add_arguments(recorder)
    except quick_args.Unsupported:
        pass  # the recorder stops at what quick_args does not read; the help test below still sees the rest
    return recorder.texts


def squeezed(text: str) -> str:
    """TEXT without whitespace: argparse wraps and indents help texts."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def locale(monkeypatch):
    for var in LOCALE_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COLUMNS", "100")

    def set_locale(lang: str) -> None:
        monkeypatch.setenv("LANG", "zh_CN.UTF-8" if lang == "zh" else "en_US.UTF-8")

    return set_locale


def help_of(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    out, err = capsys.readouterr()
    assert exit_.value.code == 0 and not err, err
    return out


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_help_text_is_declared_in_both_languages(name):
    texts = [COMMANDS[name][1], *declared(name)]
    assert len(texts) > 1
    for text in texts:
        assert isinstance(text, dict) and set(text) == {"zh", "en"}, (name, text)
        assert CJK.search(text["zh"]) and not CJK.search(text["en"]), (name, text)


@pytest.mark.parametrize("how", ["locale", "--lang"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_command_help_speaks_the_cli_language(name, lang, how, locale, capsys):
    other = "en" if lang == "zh" else "zh"
    locale(lang if how == "locale" else other)
    out = help_of([name, "--help", *(["--lang", lang] if how == "--lang" else [])], capsys)
    assert out.startswith("用法：" if lang == "zh" else "usage: "), out
    body = squeezed(out)
    for text in [COMMANDS[name][1], *declared(name)]:
        assert squeezed(text[lang]) in body, text[lang]  # type: ignore[index]
        if CJK.search(text[other]) or lang == "zh":  # type: ignore[index]
            assert squeezed(text[other]) not in body, text[other]  # type: ignore[index]
    if lang == "en":
        assert not CJK.search(out), out
    else:
        assert "show this help message" not in out and "options:" not in out and "显示本帮助并退出" in out
        assert not re.search(r"^\S.*[\u4e00-\u9fff].*:$", out, re.M), out  # headings end with a full-width colon


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_top_level_help_speaks_the_cli_language(lang, locale, capsys):
    locale(lang)
    out = help_of(["--help"], capsys)
    for name, (_, text) in COMMANDS.items():
        assert re.search(rf"^  {re.escape(name)} +{re.escape(text[lang])}$", out, re.M), (name, out)
    if lang == "zh":
        assert out.startswith("用法：tcr-doctor") and "tcr-doctor 命令 --help" in out
    else:
        assert out.startswith("usage: tcr-doctor") and not CJK.search(out)


def test_chinese_help_lines_fit_the_terminal_width(locale, capsys, monkeypatch):
    locale("zh")
    monkeypatch.setenv("COLUMNS", "60")
    out = help_of(["diagnose", "--help"], capsys)

    def columns(line: str) -> int:
        return sum(2 if re.match(r"[\u2e80-\u9fff\uff00-\uff60]", c) else 1 for c in line)

    # a word with no space in it (a URL, the list of checks) may run over, as in English help
    too_wide = [line for line in out.splitlines() if columns(line) > 58 and CJK.search(line)]
    assert not too_wide, too_wide


# The commands whose --lang defaults to something else than the locale: the language of the text they read.
LANG_OF_THE_TEXT = {"ask": "the question's language", "explain": "the log's language"}


class LangDeclared:
    """Records the options of every --lang a command declares (argument groups are the recorder itself)."""

    def __init__(self) -> None:
        self.options: list[dict] = []

    def add_argument(self, *names, **options) -> None:
        if "--lang" in names:
            self.options.append(options)

    def __getattr__(self, name):
        return lambda *args, **kwargs: self  # add_argument_group, add_mutually_exclusive_group, set_defaults...


def lang_options(add_arguments) -> list[dict]:
    recorder = LangDeclared()
    add_arguments(recorder)
    return recorder.options


@pytest.mark.parametrize("name", [n for n in COMMANDS if n not in LANG_OF_THE_TEXT])
def test_a_locale_default_lang_is_declared_one_way(name):
    """Every other command's --lang defaults to the locale and is declared by bot.commands.add_lang_argument: the
    same choices, default and help wherever it appears."""
    from bot.commands import add_lang_argument

    module = importlib.import_module(f"bot.commands.{COMMANDS[name][0]}")
    assert lang_options(module.add_arguments) == lang_options(add_lang_argument)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ask_help_says_what_stdin_takes_and_gives(lang, locale, capsys):
    """`ask` reads a JSON string or {"q": …} per stdin line (a multi-line paste) and always writes JSON Lines, one line
    per input line (README); its help said only "one question per line", so a pasted log went in line by line."""
    locale(lang)
    with pytest.raises(SystemExit):
        main(["ask", "--help"])
    out = squeezed(capsys.readouterr().out)
    assert "JSONLines" in out and '{"q":…}' in out
