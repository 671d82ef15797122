"""`tcr-doctor slack` (Socket Mode) refuses to start without its tokens, and says which ones."""
from __future__ import annotations

from bot.cli import main


def test_slack_command_without_tokens_explains_what_is_missing(monkeypatch, capsys):
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert main(["slack"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in err and "SLACK_APP_TOKEN" in err and "docs/slack.md" in err
