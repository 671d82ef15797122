"""`tcr-doctor serve`: run the web service (JSON API, help widget, Slack endpoint) locally.

Uses Werkzeug's threaded development server and an SQLite file (default ./tcr-doctor.sqlite3). In production run
gunicorn as the Procfile does: gunicorn 'bot.web:create_app()'. Configuration: environment variables, see docs/web.md.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default=None,
        help="address to listen on (default $HOST or 127.0.0.1; 0.0.0.0 to accept other machines)",
    )
    parser.add_argument("--port", type=int, default=None, help="port (default $PORT or 8000)")
    parser.add_argument(
        "--database-url",
        "--db",
        dest="db",
        default=None,
        metavar="URL",
        help="database for questions and feedback: an SQLite file or URL, or postgresql://… (default "
        "$TCR_DOCTOR_DATABASE_URL, $DATABASE_URL, $TCR_DOCTOR_DB, else ./tcr-doctor.sqlite3)",
    )


def run(args: argparse.Namespace) -> int:
    from werkzeug.serving import run_simple

    from bot.shared import RedisUnavailable
    from bot.storage import DatabaseUnavailable, flush_on_sigterm, safe_url
    from bot.web import create_app

    try:
        app = create_app({"DB": args.db, "HOST": args.host, "PORT": args.port})
    except (DatabaseUnavailable, RedisUnavailable) as exc:
        print(f"tcr-doctor serve: {exc}", file=sys.stderr)
        return 1
    settings = app.config["TCR"]
    storage = app.extensions["tcr_doctor"].storage
    db = storage.path or safe_url(storage.url)
    where = f"http://{settings.host}:{settings.port}/"
    print(f"tcr-doctor: serving on {where} (database {db}); Ctrl-C stops", file=sys.stderr)
    flush_on_sigterm()  # a stop (SIGTERM) writes the buffered question rows first
    run_simple(settings.host, settings.port, app, threaded=True, use_reloader=False, use_debugger=False)
    return 0
