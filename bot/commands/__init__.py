"""The CLI's subcommands, one module each (bot/cli.py imports only the one a command line names)."""

from __future__ import annotations

import os
from collections.abc import Mapping


def default_lang(env: Mapping[str, str] = os.environ) -> str:
    """The output language a command uses without --lang: zh when the locale (LC_ALL, LC_MESSAGES, LANG, in the
    order the C library reads them) is Chinese, else en."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(var):
            return "zh" if env[var].lower().startswith("zh") else "en"
    return "en"
