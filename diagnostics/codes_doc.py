"""docs/codes.md from the catalogue: `python -m diagnostics.codes_doc > docs/codes.md` (a test keeps them in sync)."""
from __future__ import annotations

import re
import sys

from .findings import catalogue

CHECK_ORDER = ("name", "dns", "endpoint", "tcp", "tls", "http", "credentials", "image", "")


def _cell(text: str) -> str:
    text = re.sub(r"\{(\w+)\}", r"<\1>", text.strip())
    return text.replace("|", "\\|").replace("\n", " ") or "—"


def render_markdown() -> str:
    cat = catalogue()
    out = [
        "# Diagnostic finding codes",
        "",
        "Every finding of `tcr-doctor diagnose` (and `POST /api/diagnose`, the Slack diagnosis) carries one of these",
        "stable codes. Status is the default (`ok`, `warn`, `fail`, `skip`); a few findings change it with the context",
        "(for example `CREDENTIALS_MISSING` is only a warning when no repository was given). `<name>` stands for a value",
        "taken from the finding's evidence. The FAQ column is the id of the knowledge entry that explains the topic",
        "(`knowledge/faq/NN-<id>.toml`). The same text exists in Chinese in `diagnostics/codes.toml`.",
        "",
        "Generated from `diagnostics/codes.toml` by `python -m diagnostics.codes_doc`.",
        "",
    ]
    by_check: dict[str, list] = {}
    for code, entry in cat.items():
        by_check.setdefault(entry.get("check", ""), []).append((code, entry))
    for check in CHECK_ORDER:
        rows = by_check.get(check)
        if not rows:
            continue
        out += [f"## {check or 'runner'}", "", "| code | status | meaning | fix | FAQ |", "| --- | --- | --- | --- | --- |"]
        for code, e in rows:
            faq = f"`{e['faq']}`" if e.get("faq") else "—"
            out.append(f"| `{code}` | {e['status']} | {_cell(e['summary']['en'])} | {_cell(e['fix']['en'])} | {faq} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(render_markdown())
