"""Documentation generated from the code catalogue (tests keep both in sync with diagnostics/codes.toml):

python -m diagnostics.codes_doc > docs/codes.md      # every code with its fix text
python -m diagnostics.codes_doc --readme             # the compact table between the README's markers
"""

from __future__ import annotations

import re
import sys
from typing import Any

from . import checks
from .findings import catalogue


def check_order() -> tuple[str, ...]:
    """The registry's checks in report order, then "" (the runner's own codes)."""
    return (*checks.names(), "")


def _cell(text: str) -> str:
    text = re.sub(r"\{(\w+)\}", r"<\1>", text.strip())
    return text.replace("|", "\\|").replace("\n", " ") or "—"


def render_markdown() -> str:
    """docs/codes.md: every finding code with its status, English summary and fix and FAQ entry, by check."""
    cat = catalogue()
    out = [
        "# Diagnostic finding codes",
        "",
        "Every finding of `tcr-doctor diagnose` (and `POST /api/diagnose`, the Slack diagnosis) carries one of these",
        "stable codes. Status is the default (`ok`, `warn`, `fail`, `skip`); a few findings change it with the context",
        "(for example `CREDENTIALS_MISSING` is only a warning when no repository was given). `<name>` stands for a value",
        "taken from the finding's evidence. The FAQ column is the id of the knowledge entry that explains the topic",
        "(`knowledge/faq/NN-<id>.toml`). The same text exists in Chinese in `diagnostics/codes.toml`. The fix shown",
        "is TCR's; a registry that is not TCR (another vendor's, a self-hosted one) gets the catalogue's vendor-neutral",
        "`fix_other` where TCR's would not fit, and no FAQ link.",
        "",
        "Generated from `diagnostics/codes.toml` by `python -m diagnostics.codes_doc`.",
        "",
    ]
    by_check: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for code, entry in cat.items():
        by_check.setdefault(entry.get("check", ""), []).append((code, entry))
    for check in check_order():
        rows = by_check.get(check)
        if not rows:
            continue
        out += [
            f"## {check or 'runner'}",
            "",
            "| code | status | meaning | fix | FAQ |",
            "| --- | --- | --- | --- | --- |",
        ]
        for code, e in rows:
            faq = f"`{e['faq']}`" if e.get("faq") else "—"
            out.append(f"| `{code}` | {e['status']} | {_cell(e['summary']['en'])} | {_cell(e['fix']['en'])} | {faq} |")
        out.append("")
    return "\n".join(out)


README_BEGIN = "<!-- codes:begin (generated: python -m diagnostics.codes_doc --readme) -->"
README_END = "<!-- codes:end -->"


def render_readme_table() -> str:
    """One line per code, grouped by check, for the README (the fixes are in docs/codes.md)."""
    cat = catalogue()
    rows = ["| check | codes (default status) |", "| --- | --- |"]
    by_check: dict[str, list[str]] = {}
    for code, entry in cat.items():
        by_check.setdefault(entry.get("check", ""), []).append(f"`{code}` ({entry['status']})")
    for check in check_order():
        if by_check.get(check):
            rows.append(f"| {check or 'runner'} | {', '.join(by_check[check])} |")
    return "\n".join([README_BEGIN, *rows, README_END])


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(render_readme_table() + "\n" if sys.argv[1:] == ["--readme"] else render_markdown())
