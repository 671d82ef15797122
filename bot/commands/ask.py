"""`tcr-doctor ask "QUESTION" [--lang zh|en] [--json]`, or questions on stdin (one per line, plain or JSON Lines ->
JSON Lines, one output line per input line)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from collections.abc import Mapping

    from bot.commands import Declarations
    from knowledge import AskResult

import knowledge
from bot.batch import MAX_STDIN, Item, blank, is_binary, mostly_binary, read_stdin
from bot.commands import EXIT_USAGE, cloud_hint, default_lang, say
from diagnostics import LANGS
from knowledge import KnowledgeError, cjk_count, decisive_lines, detect_lang

MAX_BYTES = 16 * 1024  # a question (or a pasted log) larger than this is refused

# What `ask` alone says about its input; what other commands and channels say too (empty, too long, binary input,
# stdin too large) is in bot/messages.py: refusal_text reads both.
MESSAGES = {
    "no_question": {
        "zh": "没有问题：请把问题作为参数给出，或在标准输入中每行一个。",
        "en": "no question given (pass one as an argument or one per line on stdin)",
    },
    "one_log": {
        "zh": "这 {n} 行看起来是一份粘贴的日志，但标准输入的每一行都会被当作一个单独的问题回答。要把整份日志当作一个问题：用 "
        '`tcr-doctor explain -` 看日志的原因，或 `tcr-doctor ask "$(cat 文件)"`，或每个问题写成一行 JSON 字符串'
        "（例如 `jq -Rs . 文件 | tcr-doctor ask`）。",
        "en": "these {n} lines look like one pasted log, but each line of stdin is answered as a question of its own. "
        'To ask about the log as a whole: `tcr-doctor explain -` for its cause, or `tcr-doctor ask "$(cat FILE)"`, '
        "or one JSON string per question (e.g. `jq -Rs . FILE | tcr-doctor ask`).",
    },
    "no_words": {
        "zh": "问题里没有可识别的文字（只有标点或表情）：请用文字描述您的问题。",
        "en": "The question has no words to match (only punctuation or emoji): please describe your problem in words.",
    },
}


def add_arguments(parser: Declarations) -> None:
    """Arguments of `tcr-doctor ask`."""
    parser.add_argument(
        "question",
        nargs="*",
        help={
            "zh": '问题（省略或写 - 时从标准输入读取：每行一个问题，多行粘贴写成每行一个 JSON 字符串或 {"q": …}；'
            "输出 JSON Lines，每行输入一行输出）",
            "en": "the question (omit it, or give -, to read stdin: one question per line, or for multi-line pastes a "
            'JSON string or {"q": …} per line; JSON Lines out, one line per line in)',
        },
    )
    parser.add_argument(
        "--lang",
        choices=LANGS,
        help={"zh": "回答的语言（默认：问题的语言）", "en": "answer language (default: the question's language)"},
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help={"zh": "以一个 JSON 对象输出回答", "en": "print the answer as one JSON object"},
    )


def refusal_text(kind: str) -> Mapping[str, str]:
    """The {zh, en} text that refuses input of KIND (check_input's keys, and the stdin ones)."""
    if kind in MESSAGES:
        return MESSAGES[kind]
    # refused input only: an answered question never reads the catalogue (bot.messages, ~0.2 ms by -X importtime)
    from bot import messages

    if kind == "empty":
        return messages.empty("question")
    if kind == "too_long":
        return messages.too_long("question", MAX_BYTES // 1024, "KB")
    if kind == "binary":
        return messages.message("binary", what=messages.INSTEAD["question"])
    if kind == "binary_stdin":
        return messages.message("binary_stdin", items=messages.INSTEAD["questions"])
    return messages.message("stdin_too_large", mb=MAX_STDIN >> 20)


def check_input(text: str) -> str | None:
    """The refusal_text key that refuses `text`, or None when it can be matched."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return "too_long"
    if is_binary(text):
        return "binary"
    if blank(text):
        return "empty"
    stripped = text.strip()
    if not any(c.isascii() and c.isalnum() for c in stripped) and cjk_count(stripped) == 0:
        return "no_words"
    return None


def _lang_of(text: str, lang: str | None) -> str:
    return lang or detect_lang(text)


def _refusal_lang(problem: str, text: str, lang: str | None) -> str:
    """The language of a refusal: the question's when it has words to detect one from; for empty or binary input
    (none to detect: random bytes decode to stray CJK characters) --lang's or the locale's."""
    if problem in ("binary", "empty"):
        return lang or default_lang()
    return _lang_of(text, lang)


def _usage(kind: str, lang: str) -> int:
    print(f"tcr-doctor ask: {refusal_text(kind)[lang]}", file=sys.stderr)
    return EXIT_USAGE


class RefusedInput(TypedDict):
    """What `ask` says instead of an answer to input it cannot match (`--json` and each refused stdin line)."""

    error: str  # a refusal_text key
    message: str


def _refusal(kind: str, lang: str) -> RefusedInput:
    return {"error": kind, "message": refusal_text(kind)[lang]}


def _input_error(text: str, lang: str | None) -> RefusedInput | None:
    """Why `text` cannot be asked (check_input), in the refusal's language; None when it can."""
    problem = check_input(text)
    return _refusal(problem, _refusal_lang(problem, text, lang)) if problem else None


def _answered(text: str, lang: str | None) -> tuple[AskResult, str | None]:
    """knowledge.ask's answer to `text` and the cloud diagnosis to suggest with it (_cloud_hint)."""
    result = knowledge.ask(text, lang=lang)
    return result, _cloud_hint(result)


def _cloud_hint(result: AskResult) -> str | None:
    """The `tcr-doctor diagnose … --cloud` command to suggest when cloud credentials are present and the question
    (or its pasted log) names a TCR host the diagnostics apply to; None otherwise (JSON: `cloud_diagnose`)."""
    log, entities = result["log"], result["entities"]
    target = entities["image"] or entities["registry"]
    return (cloud_hint(log["diagnose"], log["host"]) if log else None) or cloud_hint(
        f"tcr-doctor diagnose {target}" if result["diagnostics"] and target else None,
        entities["registry"],
    )


def run(args: argparse.Namespace) -> int:
    """`tcr-doctor ask`: answer the question (or each stdin line); exit status 1 when the knowledge base does not
    load."""
    try:
        return _run(args)
    except KnowledgeError as exc:
        from bot.messages import message  # a knowledge base that does not load only (~0.2 ms by -X importtime)

        say("ask", message("invalid_kb", error=exc), args.lang)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.question and args.question != ["-"]:  # "-" is stdin, as check-name and explain take it
        text = " ".join(args.question)
        error = _input_error(text, args.lang)
        if error is not None:
            if args.json:
                print(json.dumps(error, ensure_ascii=False))
            else:
                print(f"tcr-doctor ask: {error['message']}", file=sys.stderr)
            return EXIT_USAGE
        result, hint = _answered(text, args.lang)
        if args.json:
            print(json.dumps(dict(result, cloud_diagnose=hint) if hint else result, ensure_ascii=False))
        else:
            from bot.render import render  # lazy: ~1.5 M instructions (valgrind); --json renders nothing

            sys.stdout.write(render("cli", "answer.j2", r=result, lang=result["lang"], cloud_hint=hint))
        return 0
    return _run_stdin(args)


# A plain-line batch at least this long whose lines read as one log (an error wording the reader knows, few
# questions) was most likely meant as one question.
ONE_LOG_LINES = 5


def _hint_one_log(items: list[Item], lang: str | None) -> None:
    """Say on stderr, in the input's language, how to ask about a pasted log as a whole when plain stdin lines look
    like one (the documented batch reading, one question per line, is kept)."""
    lines = [item.text for item in items if not blank(item.text)]
    if len(lines) < ONE_LOG_LINES or any(item.quoted for item in items):
        return
    if sum(line.rstrip().endswith(("?", "？")) for line in lines) * 4 >= len(lines):
        return  # questions, one per line
    text = "\n".join(lines)
    if decisive_lines(text, 1):
        say("ask", MESSAGES["one_log"], _lang_of(text, lang), n=len(lines))


def _run_stdin(args: argparse.Namespace) -> int:
    """One question per line in (plain text, or JSON Lines: a JSON string or {"q": ..., "lang": ...} per line, so
    a multi-line paste is one question), one JSON object per line out, in order (bot/batch.py).

    A bad line (blank, binary, too long) gets an {"error", "message"} object in its place so the output stays
    aligned with the input; the exit code is 2 (one message on stderr, nothing on stdout) when there is no question
    at all or when most lines are binary (a binary file, not questions).
    """
    usage_lang = args.lang or default_lang()
    try:
        items = read_stdin(sys.stdin)
    except ValueError:
        return _usage("too_large", usage_lang)
    if all(blank(item.text) for item in items):
        return _usage("no_question", usage_lang)
    if mostly_binary(item.text for item in items):
        return _usage("binary_stdin", usage_lang)
    _hint_one_log(items, args.lang)
    out = sys.stdout
    for item in items:
        lang = args.lang or item.lang
        if item.problem == "binary":
            error: RefusedInput | None = _refusal("binary", _refusal_lang("binary", "", args.lang))
        else:
            error = _input_error(item.text, lang)
        if error is not None:
            out.write(json.dumps(error, ensure_ascii=False) + "\n")
            continue
        result, hint = _answered(item.text, lang)
        out.write(json.dumps(dict(result, cloud_diagnose=hint) if hint else result, ensure_ascii=False) + "\n")
    out.flush()
    return 0
