"""The gate in front of /slack/events: a request is authenticated before anything parses its body.

Slack signs every request: `X-Slack-Signature: v0=HMAC-SHA256(signing secret, "v0:{timestamp}:{raw body}")` with
`X-Slack-Request-Timestamp` (Unix seconds). `verify` checks exactly that on the raw bytes — a missing, malformed
or stale timestamp (more than 5 minutes off) or a wrong signature is a 401, and the body is never decoded.
Only then `body_problem` checks that a signed body is something bolt can read (a JSON object, or a form whose
`payload` is one), so that no body, signed or not, reaches bolt's parser in a shape that makes it raise. A signed
body whose only fault is an unpaired surrogate escape (valid JSON, not text) is `repair`ed instead of refused: the
user's message is answered, and Slack does not retry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import urllib.parse
from typing import Any

from bot import json_body

MAX_AGE = 5 * 60  # seconds a signed request stays valid (Slack's own rule)
_TIMESTAMP = re.compile(rb"\A[0-9]{1,12}\Z")
_SIGNATURE = re.compile(rb"\Av0=[0-9a-f]{64}\Z")


def verify(secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float | None = None) -> bool:
    """True when the request carries Slack's valid signature for `body`, made less than MAX_AGE ago."""
    if not secret or timestamp is None or signature is None:
        return False
    ts, sig = timestamp.encode("latin-1", "replace"), signature.encode("latin-1", "replace")
    if not _TIMESTAMP.match(ts) or not _SIGNATURE.match(sig):
        return False
    now = time.time() if now is None else now
    if abs(now - int(ts)) > MAX_AGE:
        return False
    return hmac.compare_digest(sign(secret, ts.decode(), body).encode(), sig)


# The types Slack gives the fields bolt and our listeners read (Events API envelope, interaction payloads). A
# signed body of another shape cannot come from Slack; refusing it here keeps bolt's internals from raising on
# it. Keys not listed are not checked; None means "null is allowed too".
_S, _D, _L, _B = str, dict, list, bool
_ENVELOPE = {
    "type": (_S,),
    "token": (_S,),
    "team_id": (_S,),
    "api_app_id": (_S,),
    "enterprise_id": (_S, None),
    "event_id": (_S,),
    "event_time": (int,),
    "event_context": (_S,),
    "challenge": (_S,),
    "event": (_D,),
    "authorizations": (_L,),
    "is_ext_shared_channel": (_B,),
    "is_enterprise_install": (_B,),
}
_EVENT = {
    "type": (_S,),
    "subtype": (_S, None),
    "user": (_S, _D, None),
    "bot_id": (_S, None),
    "bot_profile": (_D, None),
    "text": (_S, None),
    "ts": (_S,),
    "thread_ts": (_S, None),
    "event_ts": (_S,),
    "channel": (_S, _D),
    "channel_type": (_S, None),
    "team": (_S, None),
    "message": (_D, None),
    "previous_message": (_D, None),
    "files": (_L, None),
    "blocks": (_L, None),
    "enterprise": (_S, _D, None),
}
_OBJECT_IDS = {"id": (_S,), "name": (_S, None), "team_id": (_S, None), "username": (_S, None)}
_PAYLOAD = {
    "type": (_S,),
    "token": (_S,),
    "team": (_D, None),
    "user": (_D,),
    "channel": (_D, None),
    "enterprise": (_D, None),
    "container": (_D, None),
    "message": (_D, None),
    "actions": (_L,),
    "view": (_D,),
    "state": (_D, None),
    "trigger_id": (_S,),
    "response_url": (_S,),
    "response_urls": (_L,),
    "api_app_id": (_S,),
    "callback_id": (_S,),
    "is_enterprise_install": (_B,),
}
_ACTION = {"action_id": (_S,), "block_id": (_S,), "value": (_S,), "type": (_S,), "action_ts": (_S,)}
_VIEW = {
    "id": (_S,),
    "type": (_S,),
    "callback_id": (_S,),
    "private_metadata": (_S,),
    "state": (_D,),
    "team_id": (_S, None),
    "app_id": (_S, None),
    "bot_id": (_S, None),
    "hash": (_S,),
}
_CONTAINER = {"type": (_S,), "channel_id": (_S,), "message_ts": (_S,), "thread_ts": (_S,), "view_id": (_S,)}
_MESSAGE = {"ts": (_S,), "thread_ts": (_S,), "text": (_S,), "blocks": (_L,), "user": (_S,), "bot_id": (_S,)}
_AUTHORIZATION = {"team_id": (_S, None), "user_id": (_S,), "enterprise_id": (_S, None), "is_bot": (_B,)}


def _fits(value: dict[str, Any], spec: dict[str, tuple[Any, ...]]) -> bool:
    for key, kinds in spec.items():
        if key not in value:
            continue
        item = value[key]
        if item is None:
            if None not in kinds:
                return False
        elif not isinstance(item, tuple(k for k in kinds if k is not None)) or (
            isinstance(item, bool) and _B not in kinds
        ):
            return False
    return True


# What each kind of request always carries (bolt indexes these without checking).
_REQUIRED = {
    "block_actions": lambda b: isinstance(b.get("actions"), list) and len(b["actions"]) > 0,
    "interactive_message": lambda b: isinstance(b.get("actions"), list) and len(b["actions"]) > 0,
    "view_submission": lambda b: isinstance(b.get("view"), dict) and isinstance(b["view"].get("type"), str),
    "view_closed": lambda b: isinstance(b.get("view"), dict) and isinstance(b["view"].get("type"), str),
    "event_callback": lambda b: isinstance(b.get("event"), dict) and isinstance(b["event"].get("type"), str),
}


def _slack_shaped(body: dict[str, Any]) -> bool:
    """True when `body` (an Events API envelope or an interaction payload) has Slack's field types."""
    kind = body.get("type")
    required = _REQUIRED.get(kind) if isinstance(kind, str) else None
    if required is not None and not required(body):
        return False
    if "actions" in body or "view" in body or "container" in body or "user" in body and isinstance(body["user"], dict):
        if not _fits(body, _PAYLOAD):
            return False
        for key in ("team", "user", "channel", "enterprise"):
            if isinstance(body.get(key), dict) and not _fits(body[key], _OBJECT_IDS):
                return False
        checks: list[tuple[Any, dict[str, tuple[Any, ...]]]] = [
            (body.get("container"), _CONTAINER),
            (body.get("message"), _MESSAGE),
            (body.get("view"), _VIEW),
        ]
        checks += [(action, _ACTION) for action in body.get("actions") or []]
        return all(item is None or (isinstance(item, dict) and _fits(item, spec)) for item, spec in checks)
    if not _fits(body, _ENVELOPE):
        return False
    event = body.get("event")
    if event is not None and not _fits(event, _EVENT):
        return False
    if event is not None and isinstance(event.get("message"), dict) and not _fits(event["message"], _EVENT):
        return False
    return all(isinstance(a, dict) and _fits(a, _AUTHORIZATION) for a in body.get("authorizations") or [])


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # json.loads joins a pair's escapes: what is left is unpaired


def _without_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    return value


def _json_problem(text: str) -> str | None:
    """None for a Slack-shaped JSON object; "surrogate" when its only fault is an unpaired surrogate escape
    (valid JSON, not text: later encoders would fail on it); else "bad_json"."""
    if not json_body.nesting_ok(text):  # Slack's payloads nest far less deeply
        return "bad_json"
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return "bad_json"
    if not isinstance(value, dict) or not _slack_shaped(value):
        return "bad_json"
    return "surrogate" if json_body.has_lone_surrogate(value) else None


def _json_part(content_type: str | None, text: str) -> tuple[str, str | None] | None:
    """Where bolt finds JSON in TEXT: ("body", text), ("payload", the form's payload field) or None (a form without
    one). Mirrors slack_bolt.request.internals.parse_body: JSON when the Content-Type is exactly application/json or
    the body starts with "{", else a form whose `payload` field, when there is one, is JSON."""
    if (content_type or "").split(";")[0] == "application/json" or text.startswith("{"):
        return "body", text
    if "payload" in text:
        payload = dict(urllib.parse.parse_qsl(text, keep_blank_values=True)).get("payload")
        if payload is not None:
            return "payload", payload
    return None


def body_problem(content_type: str | None, body: bytes) -> str | None:
    """None when bolt can read this (signed) body; else why not: "surrogate" when a string in it holds an unpaired
    surrogate escape and nothing else is wrong (`repair` makes it readable), "bad_json" otherwise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "bad_json"
    part = _json_part(content_type, text) if text else None
    return None if part is None or part[1] is None else _json_problem(part[1])


def repair(content_type: str | None, body: bytes) -> bytes:
    """BODY (for which body_problem said "surrogate") with every unpaired surrogate replaced by U+FFFD, as a
    decoder replaces bytes that are not text: the message is answered, not refused (Slack retries a refusal)."""
    text = body.decode("utf-8")
    where, part = _json_part(content_type, text) or ("body", text)
    fixed = json.dumps(_without_lone_surrogates(json.loads(part or "")), ensure_ascii=False)
    if where == "body":
        return fixed.encode("utf-8")
    form = urllib.parse.parse_qsl(text, keep_blank_values=True)
    return urllib.parse.urlencode([(k, fixed if k == "payload" else v) for k, v in form]).encode("utf-8")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's `X-Slack-Signature` value for BODY at TIMESTAMP."""
    return "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
