"""`tcr-doctor slack` (Socket Mode) refuses to start without its tokens, and says which ones."""

from __future__ import annotations

from bot.cli import main


def test_slack_command_without_tokens_explains_what_is_missing(monkeypatch, capsys):
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert main(["slack"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in err and "SLACK_APP_TOKEN" in err and "docs/slack.md" in err


def test_socket_mode_app_builds_without_a_signing_secret_and_without_network(monkeypatch):
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack import SlackSettings, build_app, sdk_logger

    settings = SlackSettings.from_config({"SLACK_BOT_TOKEN": "xoxb-test"}, socket_mode=True)
    assert settings is not None and settings.signing_secret is None
    app = build_app(settings)
    handler = SocketModeHandler(app, "xapp-test", logger=sdk_logger(), web_client=app.client)
    assert handler.app is app  # connecting happens only in start()
