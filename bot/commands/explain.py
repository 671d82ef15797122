"""`tcr-doctor explain [FILE|-] [--json] [--lang zh|en] [--run]`: name the cause of a pasted registry error log.

Reads the block (a file, or stdin when FILE is `-` or omitted; of a long paste its first and last lines, saying on
stderr which part in between was skipped: `window`), prints the cause, the evidence line it relied
on, the FAQ entry and the fix; with `--run` runs the diagnosis that confirms the cause and says whether it does.

Exit codes: 0 a cause was recognised, 1 no registry error recognised in the input, 2 usage error or unusable input
(a --timeout `diagnose` refuses; an unreadable file; input that is empty or blank; binary input, or text that is
not UTF-8, in which no cause was recognised). Unusable input is said on stderr (with --json as {"error", "message"}
on stdout) in the language of --lang or the locale: the bytes have none to detect.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from bot.commands import EXIT_USAGE, cloud_hint, default_lang, say, timeout_problem, usage_error
from diagnostics import LANGS
from knowledge import decisive_lines, detect_lang, explain_paste, faq_question, log_verdict, redact

if TYPE_CHECKING:
    from bot.commands import Declarations
    from knowledge import LogCause

EXIT_OK, EXIT_NONE = 0, 1
MAX_READ = 8 * 1024 * 1024  # bytes read from the input; the tail is kept (the final error is at the end)
# The lines of a long paste that are read: its first lines (the command typed, the host) and its last ones (the final
# error), each part also bounded in characters. The reader's cost grows with every line (a 1 MB paste took 31-38 s at
# load 15); the most it reads now is ~1-2 s on a loaded machine. The labelled pastes are at most 76 lines and 3,400
# characters, far below: their readings do not change.
HEAD_LINES, HEAD_CHARS = 100, 8_000
TAIL_LINES, TAIL_CHARS = 900, 56_000
PICKED_LINES = 20  # of the skipped middle, the last lines that may decide (knowledge.decisive_lines) are read too

# (what every command says about unusable input, a file it cannot read or empty or binary input: bot/messages.py)
MESSAGES = {
    "tty": {"zh": "请粘贴日志，然后按 Ctrl-D 结束输入：", "en": "Paste the log, then press Ctrl-D:"},
    "skipped_lines": {
        "zh": "日志很长（{total:,} 行）：只读了开头 {head:,} 行和最后 {tail:,} 行，中间第 {first:,}–{last:,} 行没有读。",
        "en": "The log is long ({total:,} lines): only its first {head:,} and last {tail:,} lines were read; "
        "lines {first:,}-{last:,} in between were skipped.",
    },
    "skipped_chars": {
        "zh": "日志很长（{total:,} 个字符）：只读了开头 {head:,} 个和最后 {tail:,} 个字符，中间的 {skipped:,} 个字符没有读。",
        "en": "The log is long ({total:,} characters): only its first {head:,} and last {tail:,} characters were "
        "read; the {skipped:,} characters in between were skipped.",
    },
    "read_lines": {
        "zh": "跳过的部分中，{n} 行含有已知的报错措辞，也读了（第 {lines} 行）。",
        "en": "Of the skipped part, {n} line(s) with an error wording the reader knows were read too (lines {lines}).",
    },
}


def add_arguments(parser: Declarations) -> None:
    """Arguments of `tcr-doctor explain`."""
    parser.add_argument(
        "file",
        nargs="?",
        default="-",
        help={"zh": "日志文件，或 -（默认）：从标准输入读取", "en": "the log file, or - (default) to read stdin"},
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help={"zh": "以一个 JSON 对象输出结果", "en": "print the result as one JSON object"},
    )
    parser.add_argument(
        "--lang",
        choices=LANGS,
        help={"zh": "文本的语言（默认：日志的语言）", "en": "language of the text (default: the log's language)"},
    )
    parser.add_argument(
        "--run",
        action="store_true",
        help={"zh": "运行能确认原因的诊断", "en": "run the diagnosis that confirms the cause"},
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help={
            "zh": "诊断的时限，单位为秒（与 --run 一起使用；默认 10）",
            "en": "deadline of the diagnosis in seconds (with --run; default 10)",
        },
    )


def _read(path: str, lang_hint: str) -> str:
    if path == "-":
        if sys.stdin.isatty():
            print(MESSAGES["tty"][lang_hint], file=sys.stderr)
        data = sys.stdin.buffer.read(MAX_READ + 1)
    else:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - MAX_READ))
            data = fh.read(MAX_READ)
    if len(data) > MAX_READ:
        data = data[-MAX_READ:]
    return data.decode("utf-8", "replace")


def window(text: str) -> tuple[str, dict[str, Any] | None]:
    """The part of TEXT that is read: all of it, or for a long paste its first HEAD_LINES lines (at most HEAD_CHARS
    characters) and its last TAIL_LINES lines (at most TAIL_CHARS characters). Returns the text to read and, when
    a middle part was skipped, what it was: {"chars": [start, end] (offsets, end excluded), "lines": [first, last]
    (numbered from 1; read in part where a line was cut), "of_chars", "of_lines", "whole_lines" (the cuts fall
    between lines), "read": the numbers of the lines in between that were read too, as they may decide (an error
    wording the reader knows: knowledge.decisive_lines)}."""
    if fits(text):
        return text, None
    head_end = _after_lines(text, HEAD_LINES)
    if head_end > HEAD_CHARS:  # the last whole line within the budget; a line longer than it is cut
        head_end = text.rfind("\n", 0, HEAD_CHARS) + 1 or HEAD_CHARS
    body_end = len(text) - 1 if text.endswith("\n") else len(text)
    tail_start = _last_lines_start(text, body_end, TAIL_LINES)
    if tail_start < body_end - TAIL_CHARS:  # the first whole line within the budget, likewise
        cut = body_end - TAIL_CHARS
        tail_start = text.find("\n", cut - 1, body_end) + 1 or cut
    if tail_start <= head_end:
        return text, None
    whole_lines = (head_end == 0 or text[head_end - 1] == "\n") and text[tail_start - 1] == "\n"
    # The lines of the skipped part that may decide (an error wording the reader knows) are read too, between the
    # two ends: a decisive line in the middle of a paste must not be lost.
    picked = [(head_end + a, head_end + b) for a, b in decisive_lines(text[head_end:tail_start], PICKED_LINES)]
    skipped = {
        "chars": [head_end, tail_start],
        "lines": [text.count("\n", 0, head_end) + 1, text.count("\n", 0, tail_start - 1) + 1],
        "of_chars": len(text),
        "of_lines": text.count("\n", 0, body_end) + 1,
        "whole_lines": whole_lines,
        "read": _line_numbers(text, [a for a, _ in picked]),
    }
    # a line cut in two is not glued to the tail's first line
    middle = "".join(text[a:b] + "\n" for a, b in picked)
    return text[:head_end] + ("" if whole_lines else "\n") + middle + text[tail_start:], skipped


def _line_numbers(text: str, offsets: list[int]) -> list[int]:
    """The line (numbered from 1) of each of the ascending OFFSETS in TEXT."""
    numbers, line, at = [], 1, 0
    for offset in offsets:
        line += text.count("\n", at, offset)
        numbers.append(line)
        at = offset
    return numbers


def fits(text: str) -> bool:
    """Whether TEXT is read whole (the window skips nothing of it)."""
    return len(text) <= HEAD_CHARS + TAIL_CHARS and text.count("\n") < HEAD_LINES + TAIL_LINES


def _after_lines(text: str, n: int) -> int:
    """The offset just after TEXT's first N lines (len(TEXT) if it has fewer)."""
    end = 0
    for _ in range(n):
        end = text.find("\n", end) + 1
        if end == 0:
            return len(text)
    return end


def _last_lines_start(text: str, body_end: int, n: int) -> int:
    """The offset where the last N lines of TEXT[:BODY_END] start (0 if it has fewer)."""
    start = body_end
    for _ in range(n):
        start = text.rfind("\n", 0, start)
        if start < 0:
            return 0
    return start + 1


def _lang(text: str, lang: str | None) -> str:
    if lang:
        return lang
    return detect_lang(text)


def _faq_question(faq_id: str | None) -> dict[str, str] | None:
    if not faq_id:
        return None
    try:
        return faq_question(faq_id)
    except Exception:  # noqa: BLE001 - a broken entry must not break `explain`; the loader's own tests report it
        return None


def run_diagnosis(result: LogCause, timeout: float) -> dict[str, Any]:
    """Run the diagnosis named in `result` and say whether it confirms the cause.

    Returns {"ran": bool, "verdict": confirmed|other|not_reproduced|not_run, "codes": [...], "report": {...}|None,
    "reason": {"zh","en"}|None}.
    """
    target = result.get("target")
    if not target:
        why = (
            {
                "zh": "本机守护进程的问题无法通过访问仓库来确认。",
                "en": "A local daemon problem cannot be confirmed by reaching the registry.",
            }
            if result["cause"] == "DAEMON_ERROR"
            else {
                "zh": "日志里没有仓库域名或镜像地址，无法运行诊断。",
                "en": "The log names no registry host or image, so there is nothing to diagnose.",
            }
        )
        return {"ran": False, "verdict": "not_run", "codes": [], "report": None, "reason": why}
    # lazy: the diagnostics engine, ~16 M instructions after explain's own modules (valgrind), only with --run
    from diagnostics import DiagnoseOptions, diagnose

    options = DiagnoseOptions(
        timeout=timeout, only=list(result.get("checks") or []) or None, push=bool(result.get("push"))
    )
    try:
        report = diagnose(target, options)
    except Exception as exc:  # noqa: BLE001 - e.g. a target the diagnostics cannot parse: report it, do not crash
        return {
            "ran": False,
            "verdict": "not_run",
            "codes": [],
            "report": None,
            "reason": {"zh": f"无法运行诊断：{exc}", "en": f"The diagnosis could not run: {exc}"},
        }
    data = report.to_dict() if hasattr(report, "to_dict") else None
    findings = [f.to_dict() if hasattr(f, "to_dict") else dict(f) for f in getattr(report, "findings", [])]
    verdict = log_verdict(result["cause"], result.get("also", []), findings)
    return {
        "ran": True,
        **verdict,
        "report": data or None,
        "findings": findings,
        "reason": None,
    }


def _unusable(kind: str, args: argparse.Namespace) -> int:
    """Refuse empty or binary input as a usage error, in --lang or the locale's language."""
    from bot import messages  # unusable input only (~0.2 ms by -X importtime)

    text = messages.empty("log") if kind == "empty" else messages.message("binary", what=messages.INSTEAD["log"])
    message = text[args.lang or default_lang()]
    if args.json:
        print(json.dumps({"error": kind, "message": message}, ensure_ascii=False))
    print(f"tcr-doctor explain: {message}", file=sys.stderr)
    return EXIT_USAGE


def _input(args: argparse.Namespace) -> str | int:
    """The text to explain, or the exit status of a usage error already said: a --timeout `diagnose` refuses (before
    any input is read), an unreadable file, empty input."""
    problem = timeout_problem(args.timeout)
    if problem is not None:
        return usage_error("explain", problem, args.lang or default_lang())
    try:
        text = _read(args.file, args.lang or default_lang())
    except OSError as exc:
        from bot.messages import cannot_read  # an unreadable file only (~0.2 ms by -X importtime)

        say("explain", cannot_read(args.file, exc), args.lang or default_lang())
        return EXIT_USAGE
    if not text.strip():
        return _unusable("empty", args)
    return text


def _skipped(skipped: dict[str, Any] | None, lang: str) -> dict[str, object]:
    """Say on stderr what part of a long paste was not read (window); returns what --json adds about it."""
    if skipped is None:
        return {}
    if skipped["whole_lines"]:
        (first, last), total = skipped["lines"], skipped["of_lines"]
        say(
            "explain",
            MESSAGES["skipped_lines"],
            lang,
            total=total,
            head=first - 1,
            tail=total - last,
            first=first,
            last=last,
        )
    else:
        (start, end), total = skipped["chars"], skipped["of_chars"]
        say("explain", MESSAGES["skipped_chars"], lang, total=total, head=start, tail=total - end, skipped=end - start)
    if skipped["read"]:
        shown = skipped["read"][:5]
        lines = ("、" if lang == "zh" else ", ").join(f"{n:,}" for n in shown) + (
            "…" if len(skipped["read"]) > 5 else ""
        )
        say("explain", MESSAGES["read_lines"], lang, n=len(skipped["read"]), lines=lines)
    return {"skipped": skipped}


def run(args: argparse.Namespace) -> int:
    """`tcr-doctor explain`: print the pasted log's cause and fix (and, with --run, whether the diagnosis confirms it);
    exit status 0 recognised, 1 not, 2 a usage error (a --timeout out of range, an unreadable file) or unusable
    (empty, binary) input."""
    pasted = _input(args)
    if isinstance(pasted, int):
        return pasted
    # A long paste is masked whole before its window cuts it: a secret its skipped part names ("-p X") is masked
    # where the part read repeats it, and no cut leaves the start of one (the masks of a multi-line private key
    # shorten the line count the notice gives).
    text, skipped = window(pasted if fits(pasted) else redact(pasted)[0])
    result = explain_paste(text)
    if result is None:
        from bot.batch import mostly_binary  # lazy: ~3.8 M instructions (a dataclass; valgrind), for no cause only

        if mostly_binary(text.splitlines()):
            return _unusable("binary", args)
    lang = _lang(text, args.lang)
    read = _skipped(skipped, lang)
    diagnosis = None
    if result is not None and args.run:
        diagnosis = run_diagnosis(result, args.timeout)

    hint = cloud_hint(result.get("diagnose"), result.get("host")) if result is not None else None
    if args.json:
        out: dict[str, object] = {"recognised": result is not None, "log": result, "lang": lang, **read}
        if diagnosis is not None:
            out["diagnosis"] = diagnosis
        if hint:
            out["cloud_diagnose"] = hint
        print(json.dumps(out, ensure_ascii=False))
    else:
        from bot.render import render  # lazy: ~1.4 M instructions (valgrind); --json renders nothing

        if result is None:
            sys.stdout.write(render("cli", "explain_none.j2", lang=lang, skipped=skipped))
        else:
            sys.stdout.write(
                render(
                    "cli",
                    "explain.j2",
                    r=result,
                    lang=lang,
                    faq_question=_faq_question(result["faq"]),
                    diagnosis=diagnosis,
                    cloud_hint=hint,
                )
            )
    return EXIT_OK if result is not None else EXIT_NONE
