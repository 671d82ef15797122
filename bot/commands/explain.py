"""`tcr-doctor explain [FILE|-] [--json] [--lang zh|en] [--run]`: name the cause of a pasted registry error log.

Reads the whole block (a file, or stdin when FILE is `-` or omitted), prints the cause, the evidence line it relied
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
from knowledge import detect_lang, explain_paste, faq_question, log_verdict

if TYPE_CHECKING:
    from bot.commands import Declarations
    from knowledge import LogCause

EXIT_OK, EXIT_NONE = 0, 1
MAX_READ = 8 * 1024 * 1024  # bytes read from the input; the tail is kept (the final error is at the end)

# (what every command says about unusable input, a file it cannot read or empty or binary input: bot/messages.py)
MESSAGES = {
    "tty": {"zh": "请粘贴日志，然后按 Ctrl-D 结束输入：", "en": "Paste the log, then press Ctrl-D:"},
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


def run(args: argparse.Namespace) -> int:
    """`tcr-doctor explain`: print the pasted log's cause and fix (and, with --run, whether the diagnosis confirms it);
    exit status 0 recognised, 1 not, 2 a usage error (a --timeout out of range, an unreadable file) or unusable
    (empty, binary) input."""
    text = _input(args)
    if isinstance(text, int):
        return text
    result = explain_paste(text)
    if result is None:
        from bot.batch import mostly_binary  # lazy: ~3.8 M instructions (a dataclass; valgrind), for no cause only

        if mostly_binary(text.splitlines()):
            return _unusable("binary", args)
    lang = _lang(text, args.lang)
    diagnosis = None
    if result is not None and args.run:
        diagnosis = run_diagnosis(result, args.timeout)

    hint = cloud_hint(result.get("diagnose"), result.get("host")) if result is not None else None
    if args.json:
        out: dict[str, object] = {"recognised": result is not None, "log": result, "lang": lang}
        if diagnosis is not None:
            out["diagnosis"] = diagnosis
        if hint:
            out["cloud_diagnose"] = hint
        print(json.dumps(out, ensure_ascii=False))
    else:
        from bot.render import render  # lazy: ~1.4 M instructions (valgrind); --json renders nothing

        if result is None:
            sys.stdout.write(render("cli", "explain_none.j2", lang=lang))
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
