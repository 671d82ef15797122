"""`tcr-doctor serve`: run the web service (JSON API, help widget, Slack endpoint) with the production server.

It runs exactly what the Procfile runs — gunicorn's master with waitress in each worker (bot/server.py), which
buffers whole requests so that slow or stalled uploads never hold a thread — with an SQLite file by default
(./tcr-doctor.sqlite3). `--dev` runs Werkzeug's development server instead (one process, no worker restarts).
Configuration: environment variables, see the README.
"""

from __future__ import annotations

import argparse
import os

from bot.commands import add_lang_argument, default_lang, say

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from bot.commands import Declarations


def add_arguments(parser: Declarations) -> None:
    """Arguments of `tcr-doctor serve`."""
    parser.add_argument(
        "--host",
        default=None,
        help={
            "zh": "监听的地址（默认 $HOST 或 127.0.0.1；0.0.0.0 表示接受其他机器的连接）",
            "en": "address to listen on (default $HOST or 127.0.0.1; 0.0.0.0 to accept other machines)",
        },
    )
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help={"zh": "端口（默认 $PORT 或 8000）", "en": "port (default $PORT or 8000)"},
    )
    parser.add_argument(
        "--database-url",
        "--db",
        dest="db",
        default=None,
        metavar="URL",
        help={
            "zh": "保存问题和反馈的数据库：SQLite 文件或 URL，或 postgresql://…（默认 "
            "$TCR_DOCTOR_DATABASE_URL、$DATABASE_URL、$TCR_DOCTOR_DB，否则 ./tcr-doctor.sqlite3）",
            "en": "database for questions and feedback: an SQLite file or URL, or postgresql://… (default "
            "$TCR_DOCTOR_DATABASE_URL, $DATABASE_URL, $TCR_DOCTOR_DB, else ./tcr-doctor.sqlite3)",
        },
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help={
            "zh": "工作进程数（默认 $WEB_CONCURRENCY 或 2）",
            "en": "worker processes (default $WEB_CONCURRENCY or 2)",
        },
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help={
            "zh": "每个工作进程的线程数（默认 $WEB_THREADS 或 8）",
            "en": "threads per worker (default $WEB_THREADS or 8)",
        },
    )
    parser.add_argument(
        "--log-level",
        default=None,
        choices=("debug", "info", "warning", "error", "critical"),
        help={
            "zh": "日志级别（默认 $TCR_DOCTOR_LOG_LEVEL 或 info）；每条记录中的密钥都会被遮盖",
            "en": "log level (default $TCR_DOCTOR_LOG_LEVEL or info); secrets are masked in every record",
        },
    )
    parser.add_argument(
        "--dev",
        action="store_true",
        help={
            "zh": "使用 Werkzeug 的开发服务器而不是生产服务器",
            "en": "Werkzeug's development server instead of the production server",
        },
    )
    add_lang_argument(parser)


# What `serve` says about itself on stderr, in both languages.
MESSAGES = {
    "dev": {
        "zh": "正在 {where} 提供服务（数据库 {db}，开发服务器）；按 Ctrl-C 停止",
        "en": "serving on {where} (database {db}, development server); Ctrl-C stops",
    },
    "serving": {
        "zh": "正在 {where} 提供服务（数据库 {db}；{workers} 个工作进程 × 每个 {threads} 个线程）；按 Ctrl-C 停止",
        "en": "serving on {where} (database {db}; {workers} workers x {threads} threads); Ctrl-C stops",
    },
}


def run(args: argparse.Namespace) -> int:
    """`tcr-doctor serve`: build the app from the command line and the environment, then run gunicorn with waitress
    workers (or, with --dev, Werkzeug's server); exit status 1 when the database or redis is unavailable."""
    # The server stack (Flask, SQLAlchemy, gunicorn, waitress, …) is imported here, not at the top: at the top,
    # `serve --help` and a mistyped option cost 1,903 M instructions instead of 164 M (callgrind,
    # PYTHONHASHSEED=0), and none of it is needed before the arguments are read.
    from werkzeug.serving import run_simple

    from bot.server import configure_logging, gunicorn_options, serve
    from bot.settings import export
    from bot.shared import RedisUnavailable
    from bot.storage import DatabaseUnavailable, flush_on_sigterm, safe_url
    from bot.web import create_app

    lang = args.lang or default_lang()
    # the server's master and workers build their app from the environment: pass the command line on
    url = (args.db if "://" in args.db else "sqlite:///" + os.path.abspath(args.db)) if args.db else None
    export({"TCR_DOCTOR_DATABASE_URL": url, "TCR_DOCTOR_LOG_LEVEL": args.log_level})
    try:
        app = create_app({"DB": args.db, "HOST": args.host, "PORT": args.port})
    except (DatabaseUnavailable, RedisUnavailable) as exc:
        say("serve", exc.message, lang)
        return 1
    settings = app.config["TCR"]
    configure_logging(settings.log_level)
    storage = app.extensions["tcr_doctor"].storage
    db = storage.path or safe_url(storage.url)
    where = f"http://{settings.host}:{settings.port}/"
    if args.dev:
        say("serve", MESSAGES["dev"], lang, where=where, db=db)
        flush_on_sigterm()  # a stop (SIGTERM) writes the buffered question rows first
        run_simple(settings.host, settings.port, app, threaded=True, use_reloader=False, use_debugger=False)
        return 0
    close = getattr(storage, "close", None)
    if close is not None:
        close()  # this process only checked the configuration; the workers open their own
    workers = args.workers or settings.web_concurrency
    threads = args.threads or settings.web_threads
    say("serve", MESSAGES["serving"], lang, where=where, db=db, workers=workers, threads=threads)
    serve("bot.web:create_app()", gunicorn_options(settings.host, settings.port, workers, threads, settings.log_level))
    return 0
