"""A plain command line read without argparse, for the one-shot commands' start-up.

argparse costs `tcr-doctor diagnose` about 16 M instructions before the diagnosis starts (valgrind,
benchmarks/bench_startup.py): its import (with gettext, which imports locale on its first message) and a parser of
25 arguments whose help texts are looked up in message catalogues, for a command line that is almost always a target
and a few options. So `parse()` reads the arguments a command declares (its `add_arguments`, handed a recorder instead
of a parser) and parses the command line itself when every word of it is one argparse reads only one way:

- an exact option name (`--username`, `-u`) taking a value as the next word or after `=` (`--timeout=5`), or a flag
  (`store_true`); each option at most once;
- a value (or a positional) that does not start with '-';
- as many positionals as are declared; values that convert with the option's `type` and are among its `choices`.

Anything else returns None and the caller parses with argparse, which answers as it always did: help, an
abbreviated option, a value starting with '-', `--`, a repeated, missing, unknown or invalid argument (its usage
error, in the user's language). A command whose declarations use more of argparse (nargs, other actions, groups of
exclusive options, defaults to convert) is always parsed by argparse. tests/test_quick_args.py holds the two parsers
to the same answers.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from typing import Any

_SUPPRESS = "==SUPPRESS=="  # argparse.SUPPRESS: as a default, argparse leaves the attribute out
_KNOWN = {"help", "metavar", "default", "type", "choices", "action", "dest"}


class Unsupported(Exception):
    """The command declares something `parse()` does not read the way argparse does."""


class _Argument:
    def __init__(self, names: tuple[str, ...], options: dict[str, Any]) -> None:
        action = options.get("action", "store")
        default = options.get("default", False if action == "store_true" else None)
        if set(options) - _KNOWN or action not in ("store", "store_true") or not names:
            raise Unsupported(names)
        if default == _SUPPRESS or (isinstance(default, str) and "type" in options):
            raise Unsupported(names)  # argparse leaves the attribute out, or converts the default
        if action == "store_true" and set(options) - {"help", "action", "dest"}:
            raise Unsupported(names)
        self.optional = names[0].startswith("-")
        if self.optional:
            long = next((n for n in names if n.startswith("--")), names[0])
            self.dest: str = options.get("dest") or long.lstrip("-").replace("-", "_")
        elif len(names) > 1 or "dest" in options:
            raise Unsupported(names)
        else:
            self.dest = names[0]
        self.names = names
        self.flag = action == "store_true"
        self.default = default
        self.type: Callable[[str], object] | None = options.get("type")
        self.choices = options.get("choices")

    def value(self, text: str) -> object:
        """TEXT as argparse stores it; ValueError when argparse would refuse it."""
        try:
            value = self.type(text) if self.type is not None else text
        except Exception as exc:  # argparse.ArgumentTypeError too: argparse then says what is wrong
            raise ValueError(text) from exc
        if self.choices is not None and value not in self.choices:
            raise ValueError(text)
        return value


class Recorder:
    """Stands in for the parser (and its argument groups) while a command declares its arguments: a command's
    `add_arguments(Recorder())` raises Unsupported when it declares something `parse()` does not read."""

    def __init__(self) -> None:
        self.arguments: list[_Argument] = []

    def add_argument(self, *names: str, **options: Any) -> None:
        """Record one argument, as argparse's add_argument declares it."""
        self.arguments.append(_Argument(names, options))

    def add_argument_group(self, *args: Any, **kwargs: Any) -> Recorder:
        """The recorder itself: a group changes only how help is laid out."""
        return self

    def __getattr__(self, name: str) -> Any:
        raise Unsupported(name)  # set_defaults, subparsers, exclusive groups...


def parse(add_arguments: Callable[[Any], None], argv: list[str]) -> SimpleNamespace | None:
    """ARGV parsed as argparse would parse it with the arguments ADD_ARGUMENTS declares, or None when argparse must
    do it (see the module's docstring)."""
    recorder = Recorder()
    try:
        add_arguments(recorder)
    except Unsupported:
        return None
    positionals = [a for a in recorder.arguments if not a.optional]
    values = {a.dest: a.default for a in recorder.arguments}
    try:
        words = _read_options(argv, {name: a for a in recorder.arguments if a.optional for name in a.names}, values)
        if words is None or len(words) != len(positionals):
            return None
        for argument, word in zip(positionals, words):
            values[argument.dest] = argument.value(word)
    except ValueError:
        return None
    return SimpleNamespace(**values)


def _read_options(argv: list[str], options: dict[str, _Argument], values: dict[str, object]) -> list[str] | None:
    """Store the options of ARGV in VALUES and return its other words; None when argparse must read it. Raises
    ValueError for a value argparse would refuse."""
    given: set[str] = set()
    words: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        if not word.startswith("-"):
            words.append(word)
            continue
        name, equals, inline = word.partition("=") if word.startswith("--") else (word, "", "")
        argument = options.get(name)
        if argument is None or argument.dest in given or (argument.flag and equals):
            return None
        given.add(argument.dest)
        if argument.flag:
            values[argument.dest] = True
            continue
        if not equals:
            if i == len(argv) or argv[i].startswith("-"):
                return None
            inline, i = argv[i], i + 1
        values[argument.dest] = argument.value(inline)
    return words
