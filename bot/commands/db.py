"""`tcr-doctor db`: the database's schema and retention.

    tcr-doctor db upgrade                      # apply the migrations (also done by the service at start-up)
    tcr-doctor db current                      # the schema revision the database is at
    tcr-doctor db prune --older-than 90d       # delete questions and feedback older than that

The database is --database-url, else $TCR_DOCTOR_DATABASE_URL, else $DATABASE_URL, else $TCR_DOCTOR_DB (an SQLite
file), else ./tcr-doctor.sqlite3 — the same one the service and `tcr-doctor report` use.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from bot.commands import add_lang_argument, default_lang, say, usage_error
from bot.messages import message

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from bot.commands import Declarations

# possessive runs: a space run the number is not followed by is not retried from each of its characters
_DURATION = re.compile(r"^\s*+(\d+(?:\.\d+)?)\s*+([dhm]?)\s*+$")
_UNIT_DAYS = {"d": 1.0, "": 1.0, "h": 1 / 24, "m": 1 / 1440}


def parse_days(text: str) -> float:
    """'90d' -> 90.0, '12h' -> 0.5, '30m' -> minutes, a bare number is days; ValueError for anything else."""
    match = _DURATION.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a duration like 90d, 12h or 30m")
    return float(match.group(1)) * _UNIT_DAYS[match.group(2)]


def add_database_argument(parser: Declarations) -> None:
    """--database-url (and its older spelling --db, an SQLite file), shared by every command reading the database."""
    parser.add_argument(
        "--database-url",
        "--db",
        dest="database_url",
        default=None,
        metavar="URL",
        help={
            "zh": "sqlite:///FILE、SQLite 文件路径或 postgresql://USER:PASSWORD@HOST/DB（默认 "
            "$TCR_DOCTOR_DATABASE_URL、$DATABASE_URL、$TCR_DOCTOR_DB，否则 ./tcr-doctor.sqlite3）",
            "en": "sqlite:///FILE, an SQLite file path or postgresql://USER:PASSWORD@HOST/DB (default "
            "$TCR_DOCTOR_DATABASE_URL, $DATABASE_URL, $TCR_DOCTOR_DB, else ./tcr-doctor.sqlite3)",
        },
    )


def add_arguments(parser: Declarations) -> None:
    """Arguments of `tcr-doctor db`."""
    parser.add_argument("action", choices=["upgrade", "current", "prune"], help={"zh": "要做什么", "en": "what to do"})
    add_database_argument(parser)
    parser.add_argument(
        "--older-than",
        default=None,
        metavar="AGE",
        help={
            "zh": "prune：删除早于 AGE 的记录（例如 90d、12h；默认 $TCR_DOCTOR_RETENTION_DAYS 或 90 天）",
            "en": "prune: delete rows older than AGE (e.g. 90d, 12h; default $TCR_DOCTOR_RETENTION_DAYS or 90 days)",
        },
    )
    add_lang_argument(parser)


# What `db` says, in both languages (the database's own error text stays as its driver wrote it).
MESSAGES = {
    "bad_duration": {
        "zh": "参数 --older-than：{value!r} 不是时长，应写作 90d、12h 或 30m",
        "en": "argument --older-than: {value!r} is not a duration like 90d, 12h or 30m",
    },
    "upgraded": {"zh": "{where} 的架构版本为 {revision}", "en": "{where} is at schema revision {revision}"},
    "retention_off": {
        "zh": "保留期已关闭（TCR_DOCTOR_RETENTION_DAYS=0）：没有删除任何记录",
        "en": "retention is off (TCR_DOCTOR_RETENTION_DAYS=0): nothing pruned",
    },
    "pruned": {
        "zh": "已从 {where} 删除早于 {days:g} 天的 {questions} 条问题和 {feedback} 条反馈",
        "en": "pruned {questions} questions and {feedback} feedback rows older than {days:g} days from {where}",
    },
    "database_error": {"zh": "数据库出错：{reason}", "en": "database error: {reason}"},
}


def run(args: argparse.Namespace) -> int:
    """`tcr-doctor db upgrade|current|prune`: exit status 1 when the database is unavailable (for current and prune, an
    SQLite file that does not exist) or (current) not at the code's schema revision."""
    # The database stack (SQLAlchemy, alembic, the storage module) is imported here, not at the top: at the top,
    # `db --help` and a mistyped option cost 1,304 M instructions instead of 154 M (callgrind,
    # PYTHONHASHSEED=0); report and kb import this module for add_database_argument alone.
    import sqlalchemy as sa

    from bot import storage as S
    from bot.settings import Settings

    lang = args.lang or default_lang()
    days = None
    if args.older_than is not None:
        try:
            days = parse_days(args.older_than)
        except ValueError:
            return usage_error(
                "db", {k: v.format(value=args.older_than) for k, v in MESSAGES["bad_duration"].items()}, lang
            )
    url = S.database_url(args.database_url)
    where = S.safe_url(url)
    file = S.sqlite_path(url)
    if args.action != "upgrade" and file and file != ":memory:" and not os.path.exists(file):
        # reading or pruning a file that is not there would create it empty (as `report` and `kb` refuse to)
        say("db", message("no_database", path=file), lang)
        return 1
    try:
        if args.action == "upgrade":
            revision = S.upgrade(url)
            say("db", MESSAGES["upgraded"], lang, file=sys.stdout, where=where, revision=revision)
            return 0
        if args.action == "current":
            engine = S.make_engine(url)
            try:
                with engine.connect() as conn:
                    revision = S.current_revision(conn)
            finally:
                engine.dispose()
            print(revision or "none")  # a revision id (or none) for scripts, in every language
            return 0 if revision == S.SCHEMA_REVISION else 1
        if days is None:
            days = Settings.from_env().retention_days
            if days <= 0:
                say("db", MESSAGES["retention_off"], lang)
                return 0
        store = S.Storage(url, migrate=False)
        counts = store.prune(days)
        store.close()
        say("db", MESSAGES["pruned"], lang, file=sys.stdout, where=where, days=days, **counts)
        return 0
    except S.DatabaseUnavailable as exc:
        say("db", exc.message, lang)
        return 1
    except sa.exc.SQLAlchemyError as exc:
        say("db", MESSAGES["database_error"], lang, reason=S.short_reason(exc))
        return 1
