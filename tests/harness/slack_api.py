"""A local stand-in for the Slack Web API, for tests and benchmarks.

It listens on a free loopback port and answers `POST /api/<method>` the way Slack does closely enough for
slack_sdk's WebClient (point `base_url` at `api.base_url`). Every call is recorded with its parsed
arguments (form or JSON body; `blocks`/`view` given as JSON strings are decoded). Any other POST path is
recorded as method `response_url` (point a payload's `response_url` at `api.url("/response/...")`).

    with SlackAPI() as api:
        client = WebClient(token="xoxb-test", base_url=api.base_url)
        ...
        call = api.wait_for("chat.postMessage")      # bounded polling, never a blind sleep
        assert call.args["thread_ts"] == "1700000000.000100"

Failures for a channel can be injected: `api.fail["chat.postMessage"] = {"C_NOT_MEMBER": "not_in_channel"}`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT_USER_ID = "UBOT000001"
BOT_ID = "BBOT000001"
TEAM_ID = "T0000TEST"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    raw: str  # the request body exactly as sent, for "this string appears nowhere" assertions
    headers: dict[str, str] = field(default_factory=dict)
    response: dict[str, Any] = field(default_factory=dict)


class SlackAPI:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.fail: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._ts = itertools.count(1)
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # http.server naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                path = urllib.parse.urlsplit(self.path).path
                method = path[len("/api/") :] if path.startswith("/api/") else "response_url"
                args = _parse(raw, self.headers.get("Content-Type", ""))
                body = api._answer(Call(method, args, raw, dict(self.headers.items())))
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="slack-api-stand-in", daemon=True
        )

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> SlackAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SlackAPI:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def base_url(self) -> str:
        return self.url("/api/")

    # -- answers ---------------------------------------------------------------------------------------
    def _answer(self, call: Call) -> dict[str, Any]:
        call.response = self._response(call)
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return call.response

    def _response(self, call: Call) -> dict[str, Any]:
        channel = call.args.get("channel") or ""
        error = self.fail.get(call.method, {}).get(channel)
        if error:
            return {"ok": False, "error": error}
        if call.method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "test",
                "user": "tcr-doctor",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if call.method in ("chat.postMessage", "chat.update"):
            ts = call.args.get("ts") or f"1800000000.{next(self._ts):06d}"
            message = {
                "type": "message",
                "user": BOT_USER_ID,
                "bot_id": BOT_ID,
                "ts": ts,
                "text": call.args.get("text", ""),
                "blocks": call.args.get("blocks") or [],
            }
            if call.args.get("thread_ts"):
                message["thread_ts"] = call.args["thread_ts"]
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if call.method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1800000000.{next(self._ts):06d}"}
        if call.method == "chat.getPermalink":
            ts = str(call.args.get("message_ts", "")).replace(".", "")
            return {"ok": True, "channel": channel, "permalink": f"https://test.slack.com/archives/{channel}/p{ts}"}
        if call.method in ("views.open", "views.update", "views.push"):
            return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **(call.args.get("view") or {})}}
        return {"ok": True}

    # -- inspection ------------------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(
        self, method: str, where: Callable[[Call], bool] = lambda c: True, *, count: int = 1, timeout: float = 10.0
    ) -> Call:
        """The `count`-th call to `method` matching `where`; waits (bounded) until it arrives."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls if c.method == method and where(c)]
                if len(found) >= count:
                    return found[count - 1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(f"no {count}x {method} within {timeout}s; calls so far: {seen}")
                self._changed.wait(remaining)

    def quiet(self, seconds: float = 0.3) -> None:
        """Wait until no call has arrived for `seconds` (bounded at 20x that): lets lazy work settle."""
        deadline = time.monotonic() + seconds * 20
        with self._changed:
            last = len(self.calls)
            while time.monotonic() < deadline:
                self._changed.wait(seconds)
                if len(self.calls) == last:
                    return
                last = len(self.calls)

    def everything(self) -> str:
        """All recorded request bodies, decoded, for "never sent anywhere" assertions."""
        with self._lock:
            return "\n".join(urllib.parse.unquote_plus(c.raw) + "\n" + c.raw for c in self.calls)


def _parse(raw: str, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        args = json.loads(raw)
    else:
        args = {k: v[-1] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}
    for key in ("blocks", "view", "attachments"):
        if isinstance(args.get(key), str):
            try:
                args[key] = json.loads(args[key])
            except ValueError:
                pass
    return args


# -- the other side: requests signed the way Slack signs them, and a real server for the Flask app --------
def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's request signature: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}") plus the timestamp header."""
    import hashlib
    import hmac

    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class WSGIServer:
    """Serve a WSGI app (the Flask app) on a free loopback port in a thread: `with WSGIServer(app) as s: s.url`."""

    def __init__(self, app: Any) -> None:
        from werkzeug.serving import make_server

        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="wsgi-under-test", daemon=True
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> WSGIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()


class SlackSender:
    """Requests signed the way Slack signs them, posted to a running app's /slack/events.

    `url`: the endpoint; `api_root`: the Web API stand-in's root URL (payloads' response_url point there).
    """

    def __init__(self, url: str, secret: str, api_root: str) -> None:
        import requests

        self.url, self.secret, self.api_root = url, secret, api_root
        self.http = requests.Session()
        self._events = itertools.count(1)

    # -- senders --------------------------------------------------------------------------------------------
    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
        url: str | None = None,
    ):
        """POST a signed body to the app (or to `url`, e.g. a second app instance standing for another worker)."""
        all_headers = {"Content-Type": content_type, **sign(secret or self.secret, body, timestamp), **(headers or {})}
        return self.http.post(url or self.url, data=body.encode(), headers=all_headers, timeout=10)

    def event(self, event: dict[str, Any], *, event_id: str | None = None, **kwargs: Any):
        body = json.dumps(
            {
                "token": "unused",
                "team_id": TEAM_ID,
                "api_app_id": "A0TEST",
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._events):08d}",
                "event_time": int(time.time()),
                "event": event,
                "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
            }
        )
        return self.post(body, "application/json", **kwargs)

    def command(self, text: str, *, channel: str = "C0GENERAL", user: str = "U0ASKER", **kwargs: Any):
        form = {
            "token": "unused",
            "team_id": TEAM_ID,
            "channel_id": channel,
            "user_id": user,
            "command": "/tcr",
            "text": text,
            "response_url": self.api_root + "/response/cmd",
            "trigger_id": "trig.cmd",
            "api_app_id": "A0TEST",
        }
        return self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded", **kwargs)

    def interaction(self, payload: dict[str, Any], **kwargs: Any):
        payload = {"team": {"id": TEAM_ID}, "api_app_id": "A0TEST", "token": "unused", **payload}
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)

    def click(self, posted: Call, action_id: str, *, user: str = "U0ASKER", option: int | None = None, **kwargs: Any):
        """Click the button `action_id` on a message the bot posted (a recorded chat.postMessage call).

        For a select menu, `option` picks its n-th option. The payload carries the message as posted, the way
        Slack sends it (so the app can replace the used element)."""
        channel = posted.args.get("channel") or "C0GENERAL"
        element = next(
            e
            for b in posted.args.get("blocks", [])
            if b.get("type") == "actions"
            for e in b["elements"]
            if e.get("action_id") == action_id
        )
        ts = (posted.response or {}).get("ts") or "1800000000.999999"
        msg = {"type": "message", "ts": ts, "text": posted.args.get("text", ""), "blocks": posted.args.get("blocks")}
        if posted.args.get("thread_ts"):
            msg["thread_ts"] = posted.args["thread_ts"]
        if element.get("type") == "static_select":
            chosen = element["options"][option or 0]
            action = {"type": "static_select", "action_id": action_id, "block_id": "b", "selected_option": chosen}
        else:
            action = {"type": "button", "action_id": action_id, "block_id": "b", "value": element.get("value")}
        return self.interaction(
            {
                "type": "block_actions",
                "user": {"id": user},
                "trigger_id": "trig.click",
                "channel": {"id": channel},
                "container": {"type": "message", "channel_id": channel, "message_ts": msg["ts"]},
                "message": msg,
                "response_url": self.api_root + "/response/click",
                "actions": [{**action, "action_ts": str(time.time())}],
            },
            **kwargs,
        )


def buttons(blocks: Any) -> dict[str, dict[str, Any]]:
    """The interactive elements of a message by action_id."""
    return {e["action_id"]: e for b in blocks or [] if b.get("type") == "actions" for e in b.get("elements", [])}


def before_full_answer(blocks: Any) -> tuple[int, str]:
    """(blocks, characters a reader sees) of a reply up to its "Show the full answer" action.

    Link markup `<url|title>` counts as its title, the way Slack shows it; button values are not shown."""
    import re

    shown: list[str] = []

    def walk(node: Any) -> None:  # the strings a reader sees: every "text" (not types, ids or values)
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    shown.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for block in blocks or []:
        if block.get("type") == "actions":
            break
        walk(block)
    text = re.sub(r"<(?:https?://|mailto:)[^|>]*\|([^>]*)>", r"\1", "\n".join(shown))
    return len(blocks or []), text


class SlackRig(SlackSender):
    """The Web API stand-in + the Flask app (with /slack/events) on a real loopback server + signed senders.

    with SlackRig(make_web_app, config={...}) as rig:   # make_app(config) -> Flask app with /slack/events
        rig.event({"type": "app_mention", ...})
        rig.api.wait_for("chat.postMessage")
    """

    def __init__(
        self,
        make_app: Callable[[dict[str, Any]], Any],
        secret: str = "test-signing-secret",
        config: dict[str, Any] | None = None,
    ) -> None:
        self.api = SlackAPI()
        self._make_app = make_app
        self._config = dict(config or {})
        self.server: WSGIServer | None = None
        self.secret = secret

    def __enter__(self) -> SlackRig:
        self.api.start()
        self.config = {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": self.secret,
            "SLACK_API_BASE_URL": self.api.base_url,
            **self._config,
        }
        self.app = self._make_app(self.config)
        self.server = WSGIServer(self.app).__enter__()
        SlackSender.__init__(self, self.server.url + "/slack/events", self.secret, self.api.url(""))
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.server:
            self.server.__exit__(*exc)
        self.api.stop()


def block_text(blocks: Any) -> str:
    """Every string inside Block Kit blocks, joined: for "the reply says X" assertions."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            out.append(node)

    walk(blocks)
    return "\n".join(out)


def make_web_app(config: dict[str, Any]) -> Any:
    """The web service's create_app with Slack switched on: /slack/events exactly as production mounts it.

    Without a "DB" in `config` the SQLite file goes to a fresh temporary directory.
    """
    import tempfile

    from bot.web import create_app

    db = config.get("DB") or str(__import__("pathlib").Path(tempfile.mkdtemp(prefix="slack-web-")) / "web.sqlite3")
    return create_app({"SLACK": "on", **config, "DB": db})
