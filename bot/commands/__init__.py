"""The CLI's subcommands, one module each (bot/cli.py imports only the one a command line names)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping

from diagnostics import LANGS, TCR_SUFFIXES

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from typing import IO, Any, Protocol

    class Declarations(Protocol):
        """What a command's `add_arguments` declares its arguments on: argparse's parser in the CLI's language (the
        help texts are {zh, en} pairs, picked by bot/cli.py on the argparse path only), or bot.quick_args' recorder."""

        def add_argument(self, *names: str, help: Mapping[str, str], **options: Any) -> object:
            """Declare one argument, as argparse's add_argument, with its help in both languages."""

        def add_argument_group(self, title: Mapping[str, str], description: Mapping[str, str]) -> Declarations:
            """A titled group of arguments (for help only), as argparse's add_argument_group."""


EXIT_USAGE = 2  # the exit status of every usage error, as argparse exits


def _language(name: str) -> str:
    """'zh_CN.UTF-8' -> 'zh', 'en' -> 'en', 'C.UTF-8' -> 'c'."""
    return name.split(".", 1)[0].split("@", 1)[0].split("_", 1)[0].split("-", 1)[0].strip().lower()


def default_lang(env: Mapping[str, str] = os.environ) -> str:
    """The output language a command uses without --lang, chosen as GNU gettext chooses a message catalogue:

    - the messages locale is the first non-empty of LC_ALL, LC_MESSAGES and LANG;
    - when that locale is C or POSIX (or none is set), the messages are the untranslated ones: en;
    - otherwise LANGUAGE, a colon-separated priority list (`zh_CN:en`), wins when set: its first language we have,
      and en (the untranslated text) when it names none we have;
    - otherwise the locale's language: zh for a Chinese locale, else en.
    """
    locale = next((env[var] for var in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(var)), "")
    if _language(locale) in ("", "c", "posix"):  # gettext ignores LANGUAGE under the C locale
        return "en"
    if env.get("LANGUAGE"):
        wanted = [_language(name) for name in env["LANGUAGE"].split(":")]
        return next((lang for lang in wanted if lang in LANGS), "en")
    return "zh" if _language(locale) == "zh" else "en"


def usage_line(command: str, problem: Mapping[str, str], lang: str) -> str:
    """The one stderr line of a usage error of `tcr-doctor COMMAND`, in LANG (PROBLEM holds zh and en)."""
    lang = lang if lang in LANGS else "en"
    return f"tcr-doctor {command}: {'错误：' if lang == 'zh' else 'error: '}{problem[lang]}"


def add_lang_argument(parser: Declarations) -> None:
    """--lang: the language of what a command prints (default: the locale, bot.commands.default_lang)."""
    parser.add_argument(
        "--lang",
        choices=LANGS,
        default=None,
        help={
            "zh": "输出的语言（默认：取自区域设置，与 gettext 的读法相同：LC_ALL、LC_MESSAGES、LANG、LANGUAGE）",
            "en": "language of the output (default: from the locale, as gettext reads it: LC_ALL, LC_MESSAGES, LANG, "
            "LANGUAGE)",
        },
    )


def say(
    command: str, message: Mapping[str, str], lang: str | None, *, file: IO[str] | None = None, **fields: object
) -> None:
    """Print the line `tcr-doctor COMMAND: MESSAGE` in LANG (else the locale's language), MESSAGE's {zh, en} text
    formatted with FIELDS (a message without FIELDS is printed as it is: an error's own text may hold braces), to FILE
    (default stderr: what a command says about itself, not its output)."""
    lang = lang if lang in LANGS else default_lang()
    text = message[lang].format(**fields) if fields else message[lang]
    print(f"tcr-doctor {command}: {text}", file=file or sys.stderr)


def usage_error(command: str, problem: Mapping[str, str], lang: str) -> int:
    """Print the usage error of `tcr-doctor COMMAND` (usage_line) to stderr; returns EXIT_USAGE."""
    print(usage_line(command, problem, lang), file=sys.stderr)
    return EXIT_USAGE


MAX_TIMEOUT = 600  # seconds: the longest deadline a diagnosis is given (`diagnose --timeout`, `explain --timeout`)


def timeout_problem(seconds: float) -> dict[str, str] | None:
    """The usage error (zh and en) of a diagnosis deadline that is not more than 0 and at most MAX_TIMEOUT seconds
    (NaN included), else None: one rule for every command that runs a diagnosis."""
    if 0 < seconds <= MAX_TIMEOUT:
        return None
    return {
        "en": f"--timeout must be greater than 0 and at most {MAX_TIMEOUT} seconds",
        "zh": f"--timeout 必须大于 0 秒且不超过 {MAX_TIMEOUT} 秒",
    }


def nameserver_problem(value: str | None) -> dict[str, str] | None:
    """The usage error (zh and en) of a --nameserver that is not IP[:PORT], else None: one rule for every command
    that takes one (`diagnose`, `slack`)."""
    if not value:
        return None
    from diagnostics import parse_nameserver  # (diagnostics.net: loaded by every command that diagnoses anyway)

    try:
        parse_nameserver(value)
    except ValueError:
        return {"en": f"--nameserver {value!r} is not IP[:PORT]", "zh": f"--nameserver {value!r} 不是 IP[:端口]"}
    return None


def cloud_hint(command: str | None, host: str | None) -> str | None:
    """COMMAND with `--cloud` when cloud credentials are present and HOST is a TCR host (for `ask` / `explain`)."""
    if not command or "--cloud" in command or not (host or "").lower().endswith(TCR_SUFFIXES):
        return None
    # lazy: only a TCR host's hint reads the credentials; at the top every command would load the module (a
    # dataclass, ~4 M instructions after `ask`'s modules; with dataclasses and pathlib ~64 M of `diagnose`'s, valgrind)
    from diagnostics import credentials_available

    if not credentials_available():
        return None
    # `--only a,b --cloud` would still run only a and b: the account checks join the list
    command = re.sub(r"(--only[ =])(\S+)", lambda m: m.group(1) + m.group(2) + ",cloud", command, count=1)
    return f"{command} --cloud"
