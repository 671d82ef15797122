"""Pasted-log cause detection (issue 6).

`explain(text)` reads a whole pasted block (docker / podman / skopeo / containerd / crictl / kubelet events / helm
output, with prompts, timestamps, ANSI colours and progress bars mixed in), picks the most decisive error line and
names its cause with a stable code, the host / image / tag it concerns, the tool that printed it, the FAQ entry and
the exact `tcr-doctor diagnose …` command that confirms it.

One module per concern:

- `paste`: reading and cleaning the paste (lines, prefixes, continuations, secrets masked);
- `rules`: the cause wordings of knowledge/logpatterns.toml and what each cause code means;
- `commands`: commands typed in the paste and the tool that printed the output;
- `images`: hosts and images named in the paste;
- `diagnosis`: the confirming `tcr-doctor diagnose …` command;
- `reader`: `explain`, which puts them together;
- `learned`: `learned_cause`, the learned fallback for a paste the rules cannot place (never overrides `explain`;
  imported only where it is asked, so a paste the rules place loads none of it);
- `evaluate`: the accuracy figures (`python -m knowledge.logs FILE.jsonl...`).

The wordings are compiled lazily, on the first call, so importing this package costs nothing. Every regex is kept
free of nested quantifiers and every line is capped in length before matching, so the work is linear in the input
size whatever the input (binary, 1 MB, adversarial).
"""

from __future__ import annotations

from .diagnosis import complete_target, diagnose_command
from .evaluate import measure
from .paste import MAX_EVIDENCE, MAX_INPUT, MAX_JOIN, MAX_LINE, clean_lines, redact
from .reader import explain, explain_log
from .rules import (
    CODES,
    PATTERNS_FILE,
    agreeing_entries,
    cause_text,
    confirming_codes,
    for_other_registry,
    registry_context,
)

__all__ = [
    "CODES",
    "MAX_EVIDENCE",
    "MAX_INPUT",
    "MAX_JOIN",
    "MAX_LINE",
    "PATTERNS_FILE",
    "agreeing_entries",
    "cause_text",
    "clean_lines",
    "complete_target",
    "confirming_codes",
    "diagnose_command",
    "explain",
    "explain_log",
    "for_other_registry",
    "measure",
    "redact",
    "registry_context",
]
