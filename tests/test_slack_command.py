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


def _slack_env(monkeypatch, tmp_path, base_url):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
    monkeypatch.setenv("SLACK_API_BASE_URL", base_url)
    monkeypatch.setenv("TCR_DOCTOR_DATABASE_URL", str(tmp_path / "s.sqlite3"))
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)


def test_slack_command_says_in_one_line_that_it_cannot_connect(monkeypatch, tmp_path, capsys):
    """Slack's API refused (a token it does not know) or unreachable: `tcr-doctor slack` printed "connected in Socket
    Mode" first, then a 60-line traceback. Now "connecting", then one line why not, exit 1."""
    import socket

    from tests.harness.slack_api import SlackAPI

    with SlackAPI() as api:
        api.fail["apps.connections.open"] = {"": "invalid_auth"}
        _slack_env(monkeypatch, tmp_path, api.base_url)
        assert main(["slack", "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "invalid_auth" in err and "connected" not in err and "Traceback" not in err, err
    assert err.count("tcr-doctor slack:") == 2 and "connecting to Slack" in err

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once the block ends
    _slack_env(monkeypatch, tmp_path, f"http://127.0.0.1:{port}/api/")
    assert main(["slack", "--lang", "zh"]) == 1
    err = capsys.readouterr().err
    assert "无法连接 Slack" in err and "已通过" not in err and "Traceback" not in err, err
