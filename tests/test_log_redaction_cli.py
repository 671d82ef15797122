"""The commands that configure logging themselves pass every record through the one secret detector, as the servers
do (bot.server.configure_logging): `tcr-doctor slack` (Socket Mode) filtered only the Slack SDK's logger, so a record
of any other logger (a traceback of the channel's own, `--verbose` DEBUG lines) reached stderr as it was; `diagnose
--debug` filtered nothing. Each runs in a subprocess: logging is configured once per process."""

from __future__ import annotations

import subprocess
import sys

SECRET = "Pl4ntedL0gPw99"

SLACK = f"""
import logging, sys
import bot.slack
import slack_bolt.adapter.socket_mode as socket_mode

bot.slack.build_app = lambda settings: type("App", (), {{"client": None}})()


class Handler:
    def __init__(self, *args, **kwargs):
        pass

    def start(self):
        logging.getLogger("bot.slack").warning("a user pasted password: {SECRET}")
        logging.getLogger("slack_sdk.socket_mode").debug("payload {{'text': 'pass={SECRET}'}}")


socket_mode.SocketModeHandler = Handler
from bot.cli import main

sys.exit(main(["slack", "--verbose"]))
"""

DIAGNOSE = f"""
import logging, sys
from bot.cli import main

code = main(["diagnose", "--debug", "--only", "name", "shop.tencentcloudcr.com/ns/app:1"])
logging.getLogger("tcr_doctor.cloud").debug("Authorization: Bearer {SECRET} password: {SECRET}")
sys.exit(code)
"""


def _stderr(code: str, tmp_path, **env: str) -> str:
    import os

    environ = {**os.environ, "TCR_DOCTOR_DB": str(tmp_path / "log.sqlite3"), "TCR_DOCTOR_CACHE_DIR": "off", **env}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=environ)
    assert "Traceback" not in run.stderr, run.stderr
    return run.stderr


def test_slack_in_socket_mode_masks_every_logger(tmp_path):
    err = _stderr(SLACK, tmp_path, SLACK_BOT_TOKEN="xoxb-1-2-plantedbot", SLACK_APP_TOKEN="xapp-1-A1-2-plantedapp")
    assert "a user pasted password: ****" in err and "pass=****" in err, err
    assert SECRET not in err


def test_diagnose_debug_masks_its_log_lines(tmp_path):
    err = _stderr(DIAGNOSE, tmp_path)
    assert "password: ****" in err, err
    assert SECRET not in err
