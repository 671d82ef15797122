"""bot.quick_args reads a plain command line as argparse does, and leaves every other one to argparse."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import quick_args
from bot.cli import COMMANDS


def _declared(name: str) -> tuple[object, argparse.ArgumentParser]:
    command = importlib.import_module(f"bot.commands.{COMMANDS[name][0]}")
    parser = argparse.ArgumentParser(prog=f"tcr-doctor {name}")
    command.add_arguments(parser)
    return command, parser


def _argparse(parser: argparse.ArgumentParser, argv: list[str]) -> dict[str, object] | None:
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        try:
            return vars(parser.parse_args(argv))
        except SystemExit:
            return None


def _reads(name: str) -> bool:
    """Whether quick_args reads the command's declarations at all (else argparse always parses it)."""
    try:
        importlib.import_module(f"bot.commands.{COMMANDS[name][0]}").add_arguments(quick_args.Recorder())
    except quick_args.Unsupported:
        return False
    return True


QUICK = [name for name in COMMANDS if _reads(name)]


@pytest.mark.parametrize(
    "argv",
    [
        ["nxdomain.tcr-doctor.test/team/app:latest", "--json"],
        ["--json", "host/ns/app:1.0", "--timeout", "2.5", "--lang=zh", "-u", "alice", "--password-stdin"],
        ["https://host:5000", "--only", "dns,tcp", "--skip=tls", "--cloud", "--region", "ap-shanghai"],
        ["host", "--username", ""],
        ["", "--timeout=1e1"],
    ],
)
def test_plain_diagnose_command_lines_read_as_argparse_reads_them(argv):
    command, parser = _declared("diagnose")
    quick = quick_args.parse(command.add_arguments, argv)
    assert quick is not None and vars(quick) == _argparse(parser, argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["-h"],
        ["--help"],
        [],  # the target is missing: argparse's usage error
        ["a", "b"],
        ["host", "--user", "alice"],  # an abbreviation
        ["host", "--timeout", "-1"],  # a value that starts with '-'
        ["host", "--timeout", "soon"],
        ["host", "--lang", "fr"],
        ["host", "--json", "--json"],
        ["host", "--json=yes"],
        ["host", "--"],
        ["host", "-ualice", "--password-stdin"],
        ["host", "--username"],
        ["host", "--unknown"],
        ["-"],
    ],
)
def test_every_other_command_line_is_left_to_argparse(argv):
    command, _ = _declared("diagnose")
    assert quick_args.parse(command.add_arguments, argv) is None


def test_declarations_beyond_store_and_flags_are_left_to_argparse():
    def nargs(parser):
        parser.add_argument("question", nargs="*")

    def defaults(parser):
        parser.add_argument("--n", type=int, default="3")  # argparse converts a string default

    def set_defaults(parser):
        parser.set_defaults(func=print)

    for declare in (nargs, defaults, set_defaults):
        assert quick_args.parse(declare, ["x"]) is None
    assert {"diagnose", "check-name"} <= set(QUICK) and "ask" not in QUICK


def _words(names: list[str]) -> st.SearchStrategy[list[str]]:
    word = st.one_of(
        st.sampled_from(names),
        st.sampled_from(["--", "-", "-h", "--he", "-x", "-1", "1.5", "zh", "en", "dns,tcp", "", "a b", "--json=1"]),
        st.builds(
            lambda n, v: f"{n}={v}", st.sampled_from([n for n in names if n.startswith("--")]), st.text(max_size=4)
        ),
        st.text(max_size=6),
    )
    return st.lists(word, max_size=7)


@pytest.mark.parametrize("name", QUICK)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_whatever_quick_args_reads_argparse_reads_the_same(name, data):
    command, parser = _declared(name)
    names = [s for action in parser._actions for s in action.option_strings if s not in ("-h", "--help")]
    argv = data.draw(_words(names))
    quick = quick_args.parse(command.add_arguments, argv)
    if quick is not None:
        assert vars(quick) == _argparse(parser, argv), argv
