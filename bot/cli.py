"""`tcr-doctor` command line: a thin dispatcher over one module per subcommand.

Only the module of the subcommand being run is imported, so `tcr-doctor ask` does not pay for Flask,
Slack or the diagnostics stack at start-up.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from collections.abc import Iterator

from bot import quick_args
from bot.commands import EXIT_USAGE, default_lang
from diagnostics import LANGS

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping
    from contextlib import AbstractContextManager
    from types import ModuleType, SimpleNamespace
    from typing import Any

# name -> (module under bot.commands, one-line help in both languages)
COMMANDS: dict[str, tuple[str, dict[str, str]]] = {
    "ask": (
        "ask",
        {
            "zh": "根据 FAQ 回答一个问题（或从标准输入逐行读取问题）",
            "en": "answer a question from the FAQ (or read questions from stdin, one per line)",
        },
    ),
    "eval": (
        "evaluate",
        {
            "zh": "在带标注的 JSON Lines 问题集上衡量回答质量",
            "en": "measure answer quality on a labelled JSON Lines question set",
        },
    ),
    "diagnose": (
        "diagnose",
        {
            "zh": "对镜像仓库或镜像地址进行实时诊断",
            "en": "run live diagnostics against a registry or image reference",
        },
    ),
    "check-name": (
        "check_name",
        {
            "zh": "检查实例、命名空间、镜像仓库、镜像版本（tag）或镜像地址的名称",
            "en": "check an instance, namespace, repository, tag or image reference name",
        },
    ),
    "explain": (
        "explain",
        {
            "zh": "找出粘贴的 docker/podman/containerd/kubelet 报错日志的原因",
            "en": "name the cause of a pasted docker/podman/containerd/kubelet error log",
        },
    ),
    "serve": (
        "serve",
        {
            "zh": "在本地运行 Web 服务（JSON API、帮助小部件、Slack 端点）",
            "en": "run the web service (JSON API, help widget, Slack endpoint) locally",
        },
    ),
    "report": (
        "report",
        {
            "zh": "给知识库维护者的报告（例如没有得到回答的问题）",
            "en": "reports for knowledge-base maintainers (e.g. unanswered questions)",
        },
    ),
    "db": (
        "db",
        {
            "zh": "数据库：应用迁移（upgrade）、显示版本（current）、删除旧记录（prune）",
            "en": "the database: apply migrations (upgrade), show the revision (current), delete old rows (prune)",
        },
    ),
    "slack": (
        "slack",
        {
            "zh": "以 Socket Mode 运行 Slack 应用，用于本地开发",
            "en": "run the Slack app in Socket Mode for local development",
        },
    ),
    "kb": (
        "kb",
        {
            "zh": "知识库维护：把在控制台里教过的内容导出到 knowledge/ 文件",
            "en": "knowledge-base upkeep: export what was taught in the console into knowledge/ files",
        },
    ),
}
# The top-level help around the list of commands.
_TOP_LEVEL = {
    "zh": {
        "description": "根据文档中的 FAQ 回答 TCR 问题，并实时诊断镜像仓库的问题。",
        "commands": "命令：",
        "more": "运行 'tcr-doctor 命令 --help' 查看一个命令的选项。",
        "version": "显示程序的版本号并退出",
    },
    "en": {
        "description": "Answers TCR questions from the documented FAQ and diagnoses registry problems live.",
        "commands": "commands:",
        "more": "Run 'tcr-doctor COMMAND --help' for the options of one command.",
        "version": "show program's version number and exit",
    },
}


def _command_parser(name: str, description: str) -> argparse.ArgumentParser:
    """argparse's parser for `tcr-doctor NAME`: for help, a usage error, or a command line that bot.quick_args does
    not read (argparse is imported here, not at the top: ~16 M instructions of `diagnose`'s start-up, see there)."""
    import argparse

    return argparse.ArgumentParser(
        prog=f"tcr-doctor {name}", description=description, formatter_class=_help_formatter(argparse.HelpFormatter)
    )


def _help_formatter(base: type[argparse.HelpFormatter], raw: bool = False) -> type[argparse.HelpFormatter]:
    """BASE told the terminal's width (left to find it, argparse imports shutil and the compression modules shutil
    imports, ~2 ms, although help is rarely printed), and wrapping Chinese by its display width: a CJK character
    takes two columns and a line may break between two of them. RAW: the description and epilog are laid out
    already (argparse.RawDescriptionHelpFormatter)."""
    import re  # help only, as argparse (loaded by then on most command lines: the import is a look-up)

    class HelpFormatter(base):  # type: ignore[valid-type,misc]
        def __init__(self, prog: str) -> None:
            super().__init__(prog, width=_help_width())

        def _split_lines(self, text: str, width: int) -> list[str]:
            if not re.search(_WIDE, text):
                return list(super()._split_lines(text, width))
            return _wrap_wide(" ".join(text.split()), width)

        def format_help(self) -> str:
            # argparse ends each heading with an ASCII colon; a Chinese heading takes the full-width one
            return re.sub(f"^(\\S[^\\n]*{_WIDE}[^\\n]*):$", "\\1：", str(super().format_help()), flags=re.M)

        def _fill_text(self, text: str, width: int, indent: str) -> str:
            if raw or not re.search(_WIDE, text):
                return str(super()._fill_text(text, width, indent))
            return "\n".join(
                indent + line for paragraph in text.splitlines() for line in _wrap_wide(paragraph, width - len(indent))
            )

    return HelpFormatter


# A character a terminal shows two columns wide: CJK punctuation, ideographs, full-width forms.
_WIDE = "[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"


def _wrap_wide(text: str, width: int) -> list[str]:
    """TEXT in lines of at most WIDTH columns: a wide character is a word of its own, two columns wide, except that an
    opening bracket stays with the word after it and closing punctuation with the word before; other words break only
    at spaces (a word longer than a line keeps a line of its own)."""
    import re  # (see _help_formatter)

    narrow = f"(?:(?!{_WIDE})\\S)+"
    words = re.findall(f"\\s+|[（《“]*(?:{narrow}|{_WIDE})[）》”、，。：；！？]*", text)
    lines: list[str] = []
    line, used = "", 0
    for word in words:
        if word.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        size = sum(2 if re.match(_WIDE, char) else 1 for char in word)
        if line and used + size > width:
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + word, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _help_width() -> int:
    """What argparse computes with shutil.get_terminal_size(): $COLUMNS, else the terminal's, else 80; minus 2."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns or 80) - 2


# argparse's own words (its gettext msgids, Python 3.9-3.13) in Chinese: its error messages and the headings of a help
# text (the commands' help texts are {zh, en} pairs: see _InLanguage). argparse looks its `_` up when it builds a parser
# and formats a message, as gettext intends: a catalogue swapped in for the parse is how it is translated.
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "多余的参数值 %r",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "参数 %s 中必须给出一个",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "有歧义的选项：%(option)s 可以是 %(matches)s",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项：%(value)r（可选：%(choices)s）",
    "%(prog)s: error: %(message)s\n": "%(prog)s: 错误：%(message)s\n",
}


def _lang_of_command_line(argv: list[str]) -> str:
    """The language of a command line's usage errors: its valid `--lang`, else the locale's (default_lang)."""
    for i, arg in enumerate(argv):
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else arg.partition("=")[2]
        if (arg == "--lang" or arg.startswith("--lang=")) and value in LANGS:
            return value
    return default_lang()


def _argparse_in(lang: str) -> AbstractContextManager[None]:
    """argparse's own words (error messages, help headings) in LANG while a parser is built and a command line parsed
    (contextlib is imported here, with argparse: a plain command line needs neither, ~2.9 M instructions)."""
    import contextlib

    return contextlib.contextmanager(_argparse_words)(lang)


def _argparse_words(lang: str) -> Iterator[None]:
    if lang != "zh":
        yield
        return
    import argparse  # (see _command_parser)

    english = argparse._  # type: ignore[attr-defined]
    argparse._ = lambda message: _ARGPARSE_ZH.get(message, english(message))  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = english  # type: ignore[attr-defined]


class _InLanguage:
    """An argparse parser or argument group as a command's `add_arguments` sees it (bot.commands.Declarations): the
    help texts, group titles and descriptions it declares as {zh, en} pairs reach argparse in one language."""

    def __init__(self, container: argparse._ActionsContainer, lang: str) -> None:
        self.container = container
        self.lang = lang

    def add_argument(self, *names: str, help: Mapping[str, str], **options: Any) -> object:
        """argparse's add_argument, with the help text in the parser's language."""
        return self.container.add_argument(*names, help=help[self.lang], **options)

    def add_argument_group(self, title: Mapping[str, str], description: Mapping[str, str]) -> _InLanguage:
        """argparse's add_argument_group, titled and described in the parser's language."""
        return _InLanguage(self.container.add_argument_group(title[self.lang], description[self.lang]), self.lang)


def _top_level_parser(lang: str) -> argparse.ArgumentParser:
    import argparse  # (see _command_parser)

    words = _TOP_LEVEL[lang]
    parser = argparse.ArgumentParser(
        prog="tcr-doctor",
        description=words["description"],
        formatter_class=_help_formatter(argparse.RawDescriptionHelpFormatter, raw=True),
        epilog=f"{words['commands']}\n"
        + "\n".join(f"  {name:<12} {help_[lang]}" for name, (_, help_) in COMMANDS.items())
        + f"\n\n{words['more']}",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}", help=words["version"])
    parser.add_argument("command", nargs="?", help=argparse.SUPPRESS)
    return parser


def _version() -> str:
    # only for --version: importlib.metadata (email, csv, zipfile...) is ~126 M instructions (valgrind)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tcr-doctor")
    except PackageNotFoundError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    """`tcr-doctor COMMAND ...`: parse the command line with the named subcommand's module and run it; returns the exit
    status (2 on a usage error, 130 when interrupted)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        lang = _lang_of_command_line(argv)
        with _argparse_in(lang):
            parser = _top_level_parser(lang)
            if not argv or argv[0].startswith("-"):
                parser.parse_args(argv[:1])  # handles --help / --version and exits
                parser.print_help(sys.stderr)
                return EXIT_USAGE
            parser.print_usage(sys.stderr)
        names = ", ".join(COMMANDS)
        if lang == "zh":
            print(f"tcr-doctor: 错误：没有命令 {argv[0]!r}（可选：{names}）", file=sys.stderr)
        else:
            print(f"tcr-doctor: error: unknown command {argv[0]!r} (choose from {names})", file=sys.stderr)
        return EXIT_USAGE

    name, rest = argv[0], argv[1:]
    module_name, help_ = COMMANDS[name]
    # (__import__, not importlib.import_module: see diagnostics.checks._import)
    command = __import__(f"bot.commands.{module_name}", fromlist=["run"])
    args = _arguments(command, name, help_, rest)
    try:
        return int(command.run(args) or 0)
    except KeyboardInterrupt:
        print(
            "tcr-doctor: 已中断" if _lang_of_command_line(rest) == "zh" else "tcr-doctor: interrupted", file=sys.stderr
        )
        return 130
    except BrokenPipeError:
        # `tcr-doctor ask < questions | head` closes our stdout early: not an error worth a traceback.
        sys.stderr.close()
        return 0
    except ValueError as exc:
        # A setting the environment gives that cannot be used (bot.settings.SettingsError names the variable): one
        # line, not a traceback. Looked up in sys.modules: only a command that read the settings can raise it, and
        # the commands that never do (`ask`, `diagnose`) do not import bot.settings for this.
        settings = sys.modules.get("bot.settings")
        if settings is None or not isinstance(exc, settings.SettingsError):
            raise
        if _lang_of_command_line(rest) == "zh":
            print(f"tcr-doctor {name}: 设置无效：{exc.zh or exc}（见 README 的配置表）", file=sys.stderr)
        else:
            print(f"tcr-doctor {name}: invalid setting: {exc} (see the README's Configuration)", file=sys.stderr)
        return EXIT_USAGE


# Commands that run once and end, where the process's own teardown is pure cost (see console()). Never `serve` or
# `slack`: a long-lived process keeps the garbage collector, and its storage writer flushes in an atexit handler.
ONE_SHOT = {"diagnose", "ask"}
# ... and of those, the ones that create few objects: `ask` may read thousands of questions from stdin.
NO_COLLECTIONS = {"diagnose"}
# Commands whose regular expressions are kept compiled between runs (diagnostics.cache.kept_patterns), and the name
# of the copy each keeps them in. The FAQ matcher's and the log reader's are ~40 % of a cold `ask`; `ask` and
# `explain` share a copy (all but 3 of the ~260 patterns `explain` compiles are among `ask`'s ~330, so a pattern one
# compiled, or bot.prepare's samples did, is found by the other). A diagnosis compiles some 15 small ones (names,
# the reference grammar, json's): ~6 M of the ~100 M instructions of an NXDOMAIN diagnosis (valgrind); its own copy,
# as reading `ask`'s 470 KB would cost it more than that.
KEEP_PATTERNS = {"ask": "cli", "explain": "cli", "diagnose": "diagnose"}


def _arguments(
    command: ModuleType, name: str, help_: dict[str, str], argv: list[str]
) -> argparse.Namespace | SimpleNamespace:
    """COMMAND's arguments in ARGV: read by bot.quick_args when the command line is plain, else by argparse (which
    also answers help and usage errors, in the user's language)."""
    args = quick_args.parse(command.add_arguments, argv)
    if args is not None:
        return args
    lang = _lang_of_command_line(argv)
    with _argparse_in(lang):
        parser = _command_parser(name, help_[lang])
        command.add_arguments(_InLanguage(parser, lang))
        return parser.parse_args(argv)


def console() -> None:
    """The `tcr-doctor` program (pyproject's [project.scripts]): `main()`, then the process ends with its status."""
    command = sys.argv[1] if len(sys.argv) > 1 else None
    if command in NO_COLLECTIONS:
        # A diagnosis makes few objects and no lasting cycles; the collections its imports would trigger walk
        # every module's objects for nothing: ~2 M instructions of an NXDOMAIN diagnosis (valgrind).
        gc.disable()
    if command in KEEP_PATTERNS:
        from diagnostics import kept_patterns  # (loaded by these commands anyway)

        keep = kept_patterns(KEEP_PATTERNS[command])
        code = main()
        keep()
    else:
        code = main()
    if command in ONE_SHOT:
        _exit_now(code)
    # The run's objects are about to go with the process. Frozen, they are skipped by the garbage collections of the
    # interpreter's exit instead of walked once more: ~20 M instructions, 5-7 ms of a one-shot command such as
    # `diagnose` (valgrind, benchmarks/bench_startup.py). The rest of the exit still runs: threads are joined,
    # atexit handlers run, streams are flushed.
    gc.freeze()
    sys.exit(code)


def _exit_now(code: int) -> None:
    """End a one-shot command at once: atexit handlers run and the standard streams are flushed, as at any exit,
    but the interpreter's teardown (freeing every module and object, its last collections, joining threads) is
    skipped: ~5 M instructions of an NXDOMAIN diagnosis (valgrind, benchmarks/bench_startup.py). The only thread
    it could still wait for is the TLS context's pre-load (diagnostics.transport), whose result nobody needs any
    more. A stream that cannot be flushed (a closed pipe) returns to the ordinary exit, which reports it as
    before (status 120)."""
    atexit._run_exitfuncs()  # what the interpreter's exit runs first (there is no public name for it)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
