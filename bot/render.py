"""Presentation: every message a person reads is rendered from a Jinja2 template in bot/templates/.

Templates live in one folder per channel (cli/, web/, slack/) and one file per kind of output, so
wording changes never touch channel or business code. Text that exists in two languages is passed
as a {"zh": ..., "en": ...} mapping and picked with the `t` filter.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

LANGS = ("zh", "en")


def pick(text: Any, lang: str) -> Any:
    """The `lang` side of a {"zh", "en"} mapping; other values pass through unchanged."""
    if isinstance(text, dict) and any(k in text for k in LANGS):
        return text.get(lang) or text.get("en") or text.get("zh") or ""
    return text


@functools.cache
def environment(channel: str) -> jinja2.Environment:
    """The Jinja2 environment of one channel's templates (HTML autoescaped; undefined names are errors), made once."""
    # Imported here so commands that never render (e.g. `ask --json`) do not pay for Jinja2.
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bot", f"templates/{channel}"),
        # Web output is HTML; Slack's mrkdwn and the terminal need their own escaping (see the filters).
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["t"] = pick
    env.filters["tojson_compact"] = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    return env


def render(channel: str, template: str, **context: Any) -> str:
    """Render bot/templates/<channel>/<template> with `context`."""
    return str(environment(channel).get_template(template).render(**context))
