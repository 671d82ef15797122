"""`tcr-doctor report unanswered`: questions that got no answer or a thumbs-down, grouped, for whoever maintains
the knowledge base (from the service's database: the same URL it uses, SQLite or PostgreSQL)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from bot.commands import add_lang_argument, default_lang, say
from bot.commands.db import add_database_argument
from bot.messages import message

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from bot.commands import Declarations


def add_arguments(parser: Declarations) -> None:
    """Arguments of `tcr-doctor report`."""
    parser.add_argument(
        "report", choices=["unanswered"], help={"zh": "哪份报告（unanswered）", "en": "which report (unanswered)"}
    )
    add_database_argument(parser)
    parser.add_argument(
        "--since",
        type=float,
        default=None,
        metavar="DAYS",
        help={"zh": "只看最近 DAYS 天", "en": "only the last DAYS days"},
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=50,
        help={"zh": "最多这么多组（0 表示全部；默认 50）", "en": "at most this many groups (0 = all; default 50)"},
    )
    parser.add_argument(
        "--json", action="store_true", help={"zh": "输出 JSON 而不是文本", "en": "print JSON instead of text"}
    )
    add_lang_argument(parser)


def run(args: argparse.Namespace) -> int:
    """`tcr-doctor report unanswered`: the unanswered and thumbs-down questions, grouped (text or --json); exit status 1
    when there is no database."""
    # The storage module (SQLAlchemy, alembic) and the templates are imported here, not at the top: `report --help`
    # and a mistyped option need neither (1,520 M instructions instead of 160 M; callgrind, PYTHONHASHSEED=0).
    from bot.render import render
    from bot.storage import DatabaseUnavailable, Storage, database_url, safe_url, sqlite_path

    lang = args.lang or default_lang()
    url = database_url(args.database_url)
    file = sqlite_path(url)
    path = file or safe_url(url)
    if file and file != ":memory:" and not os.path.exists(file):
        say("report", message("no_database", path=file), lang)
        return 1
    since = time.time() - args.since * 86400 if args.since else None
    try:
        store = Storage(url, migrate=bool(file))  # an embedded file is brought up to date; a server is `db upgrade`d
        groups = store.unanswered(since=since, limit=args.limit)
        store.close()
    except DatabaseUnavailable as exc:
        say("report", exc.message, lang)
        return 1
    if args.json:
        print(json.dumps({"report": "unanswered", "database": path, "groups": groups}, ensure_ascii=False, indent=2))
        return 0
    for g in groups:
        g["last_seen_text"] = time.strftime("%Y-%m-%d %H:%M", time.gmtime(g["last_seen"]))
    sys.stdout.write(render("cli", "report_unanswered.j2", groups=groups, lang=lang, database=path))
    return 0
