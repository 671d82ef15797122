"""`tcr-doctor eval FILE.jsonl`: answer quality on labelled questions.

Each line: {"q": "...", "faq": <1-based entry number> | null, "kind": "..." (optional)}.
Metrics (in-scope = faq is not null):
  top-1                 in-scope questions whose first entry in ask()'s order is the labelled one (the answer when
                        one is given: knowledge.ask_ranked, the product's order, not the raw text's lexical rank)
  top-3                 ... labelled entry among the first three in ask()'s order
  answered correctly    in-scope questions answered (not no_answer) with the labelled entry
  in-scope rejected     in-scope questions answered "no documented answer" (false rejection)
  out-of-scope rejected out-of-scope questions answered "no documented answer"
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from typing import Any

import knowledge
from bot import messages
from bot.commands import add_lang_argument, default_lang, say
from knowledge import KnowledgeError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from bot.commands import Declarations


def add_arguments(parser: Declarations) -> None:
    """Arguments of `tcr-doctor eval`."""
    parser.add_argument(
        "file",
        help={
            "zh": '由 {"q", "faq"} 对象组成的 JSON Lines 文件（\'-\' 表示标准输入）',
            "en": 'JSON Lines file with {"q", "faq"} objects (\'-\' for stdin)',
        },
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help={"zh": "以一个 JSON 对象输出指标", "en": "print the metrics as one JSON object"},
    )
    parser.add_argument(
        "--errors",
        action="store_true",
        help={"zh": "同时列出答错的问题", "en": "also list the questions that were wrong"},
    )
    add_lang_argument(parser)


# What `eval` says about its input's lines, in both languages (a file it cannot read, an empty one, a knowledge base
# that does not load: bot/messages.py, as every command says them; the metric table is templates/cli/eval.j2).
MESSAGES = {
    "not_json": {"zh": "{path}:{line}：不是 JSON：{reason}", "en": "{path}:{line}: not JSON: {reason}"},
    "not_an_object": {
        "zh": '{path}:{line}：应为带字符串 "q" 的对象',
        "en": '{path}:{line}: expected an object with a string "q"',
    },
    "bad_faq": {
        "zh": '{path}:{line}："faq" 必须是条目编号或 null',
        "en": '{path}:{line}: "faq" must be an entry number or null',
    },
}


class BadInput(ValueError):
    """A line of the labelled file that cannot be used: MESSAGE says why in zh and en (MESSAGES[KEY] with FIELDS)."""

    def __init__(self, key: str, **fields: object) -> None:
        self.message = {lang: text.format(**fields) for lang, text in MESSAGES[key].items()}
        super().__init__(self.message["en"])


def _read(path: str) -> list[dict[str, Any]]:
    fh = sys.stdin if path == "-" else open(path, encoding="utf-8")
    items = []
    with fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadInput("not_json", path=path, line=n, reason=exc) from None
            if not isinstance(obj, dict) or not isinstance(obj.get("q"), str):
                raise BadInput("not_an_object", path=path, line=n)
            faq = obj.get("faq")
            if faq is not None and (not isinstance(faq, int) or isinstance(faq, bool)):
                raise BadInput("bad_faq", path=path, line=n)
            items.append(obj)
    return items


def _pct(a: int, b: int) -> float | None:
    return round(100.0 * a / b, 1) if b else None


def evaluate(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The metrics of the module docstring (top-1, top-3, answered correctly, rejected in and out of scope, by kind)
    over labelled questions, with the questions answered wrongly."""
    base = knowledge.get_matcher()
    kb = base[0]
    totals: defaultdict[str, int] = defaultdict(int)
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    errors = []
    for obj in items:
        q, faq, kind = obj["q"], obj.get("faq"), str(obj.get("kind") or "-")
        res, order = knowledge.ask_ranked(q, base=base)
        ranked = [e.number for e in order[:3]]
        k = by_kind[kind]
        k["n"] += 1
        answer = res["answer"] if res["matched"] else None
        answered_num = kb.by_id[answer["id"]].number if answer else None
        if faq is None:
            totals["oos"] += 1
            rejected = not res["matched"]
            totals["oos_rejected"] += rejected
            k["correct"] += rejected
            if not rejected:
                errors.append(
                    {
                        "q": q,
                        "faq": None,
                        "got": answered_num,
                        "score": answer["score"] if answer else None,
                        "kind": kind,
                    }
                )
        else:
            totals["in"] += 1
            top1 = bool(ranked) and ranked[0] == faq
            totals["top1"] += top1
            totals["top3"] += faq in ranked[:3]
            totals["answered_ok"] += answered_num == faq
            totals["false_reject"] += not res["matched"]
            k["correct"] += answered_num == faq
            if answered_num != faq:
                errors.append(
                    {
                        "q": q,
                        "faq": faq,
                        "got": answered_num,
                        "ranked": ranked,
                        "score": res["answer"]["score"] if res["answer"] else None,
                        "kind": kind,
                    }
                )
    return {
        "questions": len(items),
        "in_scope": totals["in"],
        "out_of_scope": totals["oos"],
        "top1": _pct(totals["top1"], totals["in"]),
        "top3": _pct(totals["top3"], totals["in"]),
        "answered_correctly": _pct(totals["answered_ok"], totals["in"]),
        "in_scope_rejected": _pct(totals["false_reject"], totals["in"]),
        "out_of_scope_rejected": _pct(totals["oos_rejected"], totals["oos"]),
        "by_kind": {
            kind: {"n": v["n"], "correct": v["correct"], "pct": _pct(v["correct"], v["n"])}
            for kind, v in sorted(by_kind.items())
        },
        "kb_version": kb.version,
        "errors": errors,
    }


def run(args: argparse.Namespace) -> int:
    """`tcr-doctor eval FILE`: print the metrics (text or --json); exit status 2 for an unreadable or empty file, 1 when
    the knowledge base does not load."""
    lang = args.lang or default_lang()
    try:
        items = _read(args.file)
    except BadInput as exc:
        say("eval", exc.message, lang)
        return 2
    except (OSError, UnicodeDecodeError) as exc:
        say("eval", messages.cannot_read(args.file, exc), lang)
        return 2
    if not items:
        say("eval", messages.empty("file", path=args.file), lang)
        return 2
    try:
        res = evaluate(items)
    except KnowledgeError as exc:
        say("eval", messages.message("invalid_kb", error=exc), lang)
        return 1
    if not args.errors:
        res.pop("errors")
    if args.json:
        print(json.dumps(res, ensure_ascii=False))
        return 0
    from bot.render import render  # text output only: `eval --json` would pay ~0.8 M instructions (valgrind)

    sys.stdout.write(render("cli", "eval.j2", res=res, lang=lang))
    return 0
