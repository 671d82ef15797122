"""`tcr-doctor slack`: run the Slack app in Socket Mode for local development (no public URL needed).

Needs SLACK_BOT_TOKEN (xoxb-...) and SLACK_APP_TOKEN (xapp-..., scope connections:write); see docs/slack.md.
Production mounts the same app at POST /slack/events of the web service instead.
"""

from __future__ import annotations

import argparse
import logging

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError

from bot.commands import add_lang_argument, default_lang, nameserver_problem, say, usage_error
from bot.settings import Settings
from bot.slack import SlackSettings, build_app, sdk_logger
from bot.storage import Storage
from knowledge import install_log_redaction

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from bot.commands import Declarations


def add_arguments(parser: Declarations) -> None:
    """Arguments of `tcr-doctor slack`."""
    parser.add_argument(
        "--support-channel",
        help={
            "zh": "转人工时使用的频道 ID（默认：$SLACK_SUPPORT_CHANNEL）",
            "en": "channel id for hand-offs (default: $SLACK_SUPPORT_CHANNEL)",
        },
    )
    parser.add_argument(
        "--nameserver",
        help={
            "zh": "诊断使用的 DNS 服务器，ip[:port]（默认：系统的解析器）",
            "en": "DNS server for diagnoses, ip[:port] (default: the system resolver)",
        },
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help={
            "zh": "以 DEBUG 级别记录日志（Slack SDK 的载荷日志会经过遮盖密钥的过滤器）",
            "en": "log at DEBUG (the Slack SDK's payload logs pass through the secret-redacting filter)",
        },
    )
    add_lang_argument(parser)


# What `slack` says about itself on stderr, in both languages.
MESSAGES = {
    "no_tokens": {
        "zh": "请设置 SLACK_BOT_TOKEN（xoxb-...）和 SLACK_APP_TOKEN（xapp-...，权限 connections:write）；见 docs/slack.md",
        "en": "set SLACK_BOT_TOKEN (xoxb-...) and SLACK_APP_TOKEN (xapp-..., connections:write); see docs/slack.md",
    },
    # said before connecting (the SDK says "Bolt app is running!" once it is): it said "connected" and then failed
    "connecting": {
        "zh": "正在通过 Socket Mode 连接 Slack；按 Ctrl-C 停止",
        "en": "connecting to Slack in Socket Mode; Ctrl-C to stop",
    },
    "cannot_connect": {"zh": "无法连接 Slack（{url}）：{reason}", "en": "cannot connect to Slack ({url}): {reason}"},
}


def _why(exc: Exception) -> str:
    """What Slack answered (its error code: invalid_auth, not_allowed_token_type, …) or why it could not be reached."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc)
    return str(getattr(exc, "reason", None) or exc)


def run(args: argparse.Namespace) -> int:
    """`tcr-doctor slack`: run the Slack app over Socket Mode until interrupted; exit status 2 without SLACK_BOT_TOKEN
    and SLACK_APP_TOKEN, 1 when Slack refuses the connection or cannot be reached."""
    problem = nameserver_problem(args.nameserver)  # the option's own words, not the setting it overrides
    if problem:
        return usage_error("slack", problem, args.lang or default_lang())
    service = Settings.from_env({"SLACK_SUPPORT_CHANNEL": args.support_channel, "DNS_NAMESERVER": args.nameserver})
    app_token = service.slack_app_token
    settings = SlackSettings.from_settings(service, socket_mode=True)
    if settings is None or not app_token:
        say("slack", MESSAGES["no_tokens"], args.lang or default_lang())
        return 2
    settings.signing_secret = None  # Socket Mode: Slack signs nothing, the WebSocket is authenticated instead
    settings.storage = Storage()  # questions and feedback go to the same database `serve` and `report` use
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # every record of every logger through the one detector, not only the SDK's
    install_log_redaction()
    app = build_app(settings)
    handler = SocketModeHandler(app, app_token, logger=sdk_logger(), web_client=app.client)
    say("slack", MESSAGES["connecting"], args.lang or default_lang())
    try:
        handler.start()  # type: ignore[no-untyped-call]
    except (SlackApiError, OSError) as exc:  # a token Slack refuses; Slack unreachable (URLError is an OSError)
        url = service.slack_api_base_url or "https://slack.com/api/"
        say("slack", MESSAGES["cannot_connect"], args.lang or default_lang(), url=url, reason=_why(exc))
        return 1
    return 0
