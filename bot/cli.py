"""`tcr-doctor` command line: a thin dispatcher over one module per subcommand.

Only the module of the subcommand being run is imported, so `tcr-doctor ask` does not pay for Flask,
Slack or the diagnostics stack at start-up.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Iterator

from bot import quick_args

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    import argparse
    from types import ModuleType, SimpleNamespace

# name -> (module under bot.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "ask": ("ask", "answer a question from the FAQ (or read questions from stdin, one per line)"),
    "eval": ("evaluate", "measure answer quality on a labelled JSON Lines question set"),
    "diagnose": ("diagnose", "run live diagnostics against a registry or image reference"),
    "check-name": ("check_name", "check an instance, namespace, repository, tag or image reference name"),
    "explain": ("explain", "name the cause of a pasted docker/podman/containerd/kubelet error log"),
    "serve": ("serve", "run the web service (JSON API, help widget, Slack endpoint) locally"),
    "report": ("report", "reports for knowledge-base maintainers (e.g. unanswered questions)"),
    "db": ("db", "the database: apply migrations (upgrade), show the revision (current), delete old rows (prune)"),
    "slack": ("slack", "run the Slack app in Socket Mode for local development"),
    "kb": ("kb", "knowledge-base upkeep: export what was taught in the console into knowledge/ files"),
}

EXIT_USAGE = 2


def _command_parser(name: str, description: str) -> argparse.ArgumentParser:
    """argparse's parser for `tcr-doctor NAME`: for help, a usage error, or a command line that bot.quick_args does
    not read (argparse is imported here, not at the top: ~16 M instructions of `diagnose`'s start-up, see there)."""
    import argparse

    class HelpFormatter(argparse.HelpFormatter):
        """argparse's formatter, told the terminal's width: left to find it, argparse imports shutil (and the
        compression modules shutil imports), ~2 ms, although help is rarely printed."""

        def __init__(self, prog: str) -> None:
            super().__init__(prog, width=_help_width())

    return argparse.ArgumentParser(prog=f"tcr-doctor {name}", description=description, formatter_class=HelpFormatter)


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


# argparse's error messages (its gettext msgids, Python 3.9-3.13) in Chinese; help texts stay as they are. argparse looks
# its `_` up when it formats a message, as gettext intends: a catalogue swapped in for the parse is how it is translated.
_ARGPARSE_ZH = {
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
    from bot.commands import LANGS, default_lang

    for i, arg in enumerate(argv):
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else arg.partition("=")[2]
        if (arg == "--lang" or arg.startswith("--lang=")) and value in LANGS:
            return value
    return default_lang()


@contextlib.contextmanager
def _argparse_errors_in(lang: str) -> Iterator[None]:
    """argparse's error messages in LANG while a command line is parsed."""
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


def _top_level_parser() -> argparse.ArgumentParser:
    import argparse  # (see _command_parser)

    parser = argparse.ArgumentParser(
        prog="tcr-doctor",
        description="Answers TCR questions from the documented FAQ and diagnoses registry problems live.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="commands:\n"
        + "\n".join(f"  {name:<12} {help_}" for name, (_, help_) in COMMANDS.items())
        + "\n\nRun 'tcr-doctor COMMAND --help' for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("command", nargs="?", help=argparse.SUPPRESS)
    return parser


def _version() -> str:
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
        parser = _top_level_parser()
        if not argv or argv[0].startswith("-"):
            parser.parse_args(argv[:1])  # handles --help / --version and exits
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        parser.print_usage(sys.stderr)
        names = ", ".join(COMMANDS)
        if _lang_of_command_line(argv) == "zh":
            print(f"tcr-doctor: 错误：没有命令 {argv[0]!r}（可选：{names}）", file=sys.stderr)
        else:
            print(f"tcr-doctor: error: unknown command {argv[0]!r} (choose from {names})", file=sys.stderr)
        return EXIT_USAGE

    name, rest = argv[0], argv[1:]
    module_name, help_ = COMMANDS[name]
    command = importlib.import_module(f"bot.commands.{module_name}")
    args = _arguments(command, name, help_, rest)
    try:
        return int(command.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `tcr-doctor ask < questions | head` closes our stdout early: not an error worth a traceback.
        sys.stderr.close()
        return 0


# Commands that run once and end, where the process's own teardown is pure cost (see console()). Never `serve` or
# `slack`: a long-lived process keeps the garbage collector, and its storage writer flushes in an atexit handler.
ONE_SHOT = {"diagnose", "ask"}
# ... and of those, the ones that create few objects: `ask` may read thousands of questions from stdin.
NO_COLLECTIONS = {"diagnose"}


def _arguments(command: ModuleType, name: str, help_: str, argv: list[str]) -> argparse.Namespace | SimpleNamespace:
    """COMMAND's arguments in ARGV: read by bot.quick_args when the command line is plain, else by argparse (which
    also answers help and usage errors, in the user's language)."""
    args = quick_args.parse(command.add_arguments, argv)
    if args is not None:
        return args
    parser = _command_parser(name, help_)
    command.add_arguments(parser)
    with _argparse_errors_in(_lang_of_command_line(argv)):
        return parser.parse_args(argv)


def console() -> None:
    """The `tcr-doctor` program (pyproject's [project.scripts]): `main()`, then the process ends with its status."""
    command = sys.argv[1] if len(sys.argv) > 1 else None
    if command in NO_COLLECTIONS:
        # A diagnosis makes few objects and no lasting cycles; the collections its imports would trigger walk
        # every module's objects for nothing: ~2 M instructions of an NXDOMAIN diagnosis (valgrind).
        gc.disable()
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
