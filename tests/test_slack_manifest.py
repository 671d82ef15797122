"""slack_manifest.yaml declares what bot/slack.py handles (read as text: no YAML dependency for one file)."""

from __future__ import annotations

import pathlib
import re

MANIFEST = (pathlib.Path(__file__).resolve().parent.parent / "slack_manifest.yaml").read_text(encoding="utf-8")


def test_every_request_url_is_the_slack_events_endpoint():
    urls = re.findall(r"^\s*(?:url|request_url):\s*(\S+)", MANIFEST, re.M)
    assert len(urls) == 3 and set(urls) == {"https://HOST/slack/events"}


def test_events_scopes_and_command_match_the_listeners():
    for needed in ("- app_mention\n", "- message.im\n", "command: /tcr\n", "is_enabled: true\n"):
        assert needed in MANIFEST
    scopes = set(re.findall(r"^\s*- ([a-z_.:]+)\s*(?:#.*)?$", MANIFEST, re.M)) - {"app_mention", "message.im"}
    assert scopes == {"app_mentions:read", "chat:write", "commands", "im:history"}
