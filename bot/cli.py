"""`tcr-doctor` command line: a thin dispatcher over one module per subcommand.

Only the module of the subcommand being run is imported, so `tcr-doctor ask` does not pay for Flask,
Slack or the diagnostics stack at start-up.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys

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


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, told the terminal's width: left to find it, argparse imports shutil (and the compression
    modules shutil imports), ~2 ms of every command's start-up, although help is rarely printed."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_help_width())


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


def _top_level_parser() -> argparse.ArgumentParser:
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
        print(f"tcr-doctor: error: unknown command {argv[0]!r} (choose from {', '.join(COMMANDS)})", file=sys.stderr)
        return EXIT_USAGE

    name, rest = argv[0], argv[1:]
    module_name, help_ = COMMANDS[name]
    command = importlib.import_module(f"bot.commands.{module_name}")
    parser = argparse.ArgumentParser(prog=f"tcr-doctor {name}", description=help_, formatter_class=HelpFormatter)
    command.add_arguments(parser)
    args = parser.parse_args(rest)
    try:
        return int(command.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `tcr-doctor ask < questions | head` closes our stdout early: not an error worth a traceback.
        sys.stderr.close()
        return 0


def console() -> None:
    """The `tcr-doctor` program (pyproject's [project.scripts]): `main()`, then the process ends with its status."""
    code = main()
    # The run's objects are about to go with the process. Frozen, they are skipped by the garbage collections of the
    # interpreter's exit instead of walked once more: ~20 M instructions, 5-7 ms of a one-shot command such as
    # `diagnose` (valgrind, benchmarks/bench_startup.py). The rest of the exit still runs: threads are joined,
    # atexit handlers run, streams are flushed.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
