"""gunicorn settings of the production server (`gunicorn -c python:bot.gunicorn_conf 'bot.web:create_app()'`).

- Metrics: prometheus_client's multiprocess mode, so that `/metrics` on any worker sums every worker of the host.
  The master makes (or empties) `PROMETHEUS_MULTIPROC_DIR` before any worker starts and tells prometheus_client
  when a worker exits. prometheus_client is imported here only inside the hooks: a module-level import would fix
  its mode before the directory is set.
- Logging: each worker logs at TCR_DOCTOR_LOG_LEVEL, every record through the secret redactor (`post_fork`).
- Start-up: the master opens the database (creating or migrating the schema once, not in every worker) and pings
  Redis; when either is unreachable it prints one line and gunicorn exits non-zero before forking workers.
"""

from __future__ import annotations

import glob
import os
import sys
import tempfile
from typing import TYPE_CHECKING

from bot.settings import Settings, SettingsError
from bot.shared import RedisUnavailable, connect
from bot.storage import DatabaseUnavailable, Storage

if TYPE_CHECKING:  # the hooks' arguments, as gunicorn passes them
    from gunicorn.arbiter import Arbiter
    from gunicorn.workers.base import Worker


def on_starting(server: Arbiter) -> None:
    """gunicorn hook in the master, before any worker: an empty metrics directory, then the database and Redis checked
    (and the schema migrated) once."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for stale in glob.glob(os.path.join(directory, "*.db")):  # counts of a previous run of this master
            os.remove(stale)
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="tcr-doctor-metrics-")
    _check_services()


def _check_services() -> None:
    try:
        settings = Settings.from_env()
        Storage(None, migrate=True).close()
        if settings.redis_url:
            connect(settings.redis_url).close()
    except (DatabaseUnavailable, RedisUnavailable, SettingsError) as exc:
        print(f"tcr-doctor: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)


def post_fork(server: Arbiter, worker: Worker) -> None:
    """gunicorn hook in each new worker: set up its logging."""
    from bot.server import configure_logging  # bot.server imports this module (in serve): at the top, a cycle

    configure_logging()  # TCR_DOCTOR_LOG_LEVEL, every record through the secret redactor


def child_exit(server: Arbiter, worker: Worker) -> None:
    """gunicorn hook in the master when a worker exits: its metrics files stop counting as live (its counts stay in the
    sums)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
