"""Figures for the Slack first reply (issue 14): blocks and characters a reader sees before "Show the full answer".

    .venv/bin/python benchmarks/slack_reply_size.py [--questions FILE.jsonl]

Renders the first reply (bot.slack.SlackChannel.answer_blocks, the same function the listeners call) to each FAQ
entry's own question in Chinese and English, and, with --questions, to every `q` (or `question`/`text`) of a JSON
Lines file such as tests/data/real/*.jsonl. Prints the median and maximum of blocks and characters, the count
over the targets (5 blocks, 900 characters) and the largest replies. Characters are the text Slack shows:
every "text" field of the blocks up to the first actions row, link markup `<url|title>` counted as its title.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import knowledge
from bot.slack import SlackChannel, SlackSettings
from tests.harness.slack_api import before_full_answer


def measure(channel: SlackChannel, question: str, lang: str | None = None) -> tuple[int, int, str]:
    question, _ = knowledge.redact(question)  # as the channel does before anything else sees the text
    result = knowledge.ask(question, lang)
    reply = channel.answer_blocks(result, question, result["lang"], qid="q")
    blocks, shown = before_full_answer(reply["blocks"])
    return blocks, len(shown), result["status"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", help="JSON Lines with a question per line (q / question / text)")
    args = parser.parse_args()
    channel = SlackChannel(SlackSettings(bot_token="x", support_channel="C0SUPPORT"))
    kb, _ = knowledge.get_matcher()
    rows = []
    for entry in kb.entries:
        for lang in ("zh", "en"):
            rows.append((f"{entry.id} [{lang}]", *measure(channel, entry.question[lang], lang)))
    sets = [("20 FAQ entries x zh/en", rows)]
    if args.questions:
        extra = []
        with open(args.questions, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                item = json.loads(line)
                text = item if isinstance(item, str) else item.get("q") or item.get("question") or item.get("text")
                if text:
                    extra.append((f"{args.questions}:{n}", *measure(channel, text)))
        sets.append((args.questions, extra))
    for name, found in sets:
        blocks = [r[1] for r in found]
        chars = [r[2] for r in found]
        print(f"{name}: {len(found)} replies")
        print(
            f"  blocks      median {statistics.median(blocks):.0f}  max {max(blocks)}  over 5: {sum(b > 5 for b in blocks)}"
        )
        print(
            f"  characters  median {statistics.median(chars):.0f}  max {max(chars)}  over 900: {sum(c > 900 for c in chars)}"
        )
        for label, b, c, status in sorted(found, key=lambda r: -r[2])[:3]:
            print(f"  largest: {c:4d} chars, {b} blocks  {status:9s} {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
