"""Slack channel: a bolt-python app mounted at POST /slack/events (or run in Socket Mode for development).

A thin adapter: it parses the Slack payload, calls `knowledge` / `diagnostics`, renders a Block Kit template
from bot/templates/slack/ and posts it. Every listener acks at once; the work runs in a lazy listener, so
Slack always gets its answer well within 3 seconds.

Rules kept here (see docs/slack.md):
- answers go in the thread of the question (`thread_ts` = the message's thread_ts or ts); in a direct message
  they go in the conversation itself (a thread hides them in a one-to-one chat);
- every question is recorded (redacted) in the web service's store with `channel="slack"`, counted in its metrics,
  and its answer carries 👍/👎 buttons; a hand-off counts as negative feedback;
- the first reply fits one screen (the answer's lead or the log's cause and fix, the source, the actions); the rest
  comes with "Show the full answer"; a used button is replaced by its outcome;
- retries of the same event (`event_id`) and the app_mention + message.im pair of one message answer once;
- messages from bots (including this one) and edits/deletions are ignored;
- a pasted secret gets an ephemeral "rotate it" warning; the text is redacted before anything else sees it,
  and the SDK loggers pass through a redacting filter, so it is in no message, no button and no log line;
- passwords are never asked for: credential checks point to the CLI (`--password-stdin`) instead.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import diagnostics
import knowledge
from bot import messages
from bot.batch import blank
from bot.questions import count_question, question_fields, refused_targets
from bot.render import render
from bot.settings import AskFunc, RedactFunc, Settings, SettingsError
from bot.shared import OnceKeys
from diagnostics import LANGS, AddressPolicy, AnonymousDiagnosis
from diagnostics import checks as checks_registry

if TYPE_CHECKING:  # slack_bolt, slack_sdk and flask are imported when the app is built
    from flask import Flask
    from slack_bolt import Ack, App, BoltContext, BoltResponse, Respond
    from slack_sdk import WebClient
    from werkzeug.wrappers import Response

    from bot.metrics import Metrics
    from bot.slack_payloads import (
        Action,
        Block,
        InteractionBody,
        Message,
        MessageEvent,
        Modal,
        RequestBody,
        SlashCommand,
        View,
    )
    from bot.storage import Storage
    from bot.web import WebState
    from diagnostics import CloudOptions, Report
    from knowledge import AskResult, LogCause

log = logging.getLogger(__name__)

_PROGRESS_INTERVAL = 1.0  # seconds between two chat.update calls while a diagnosis runs
_MAX_BODY_BYTES = 1 << 20  # /slack/events only: interaction payloads repeat the whole message
_LAZY_WORKERS = 32  # lazy listeners at once per process (answers, diagnoses waiting for a slot, hand-offs)

# The lead of an answer in the first reply: whole lines up to this many characters (the reply stays within one
# screen: issue 14 asks for <= 5 blocks and <= 900 characters before "Show the full answer").
_LEAD_CHARS = 480

ACTION_ALTERNATIVE = re.compile(r"^tcr_alternative_\d+$")  # buttons of replies posted before the select existed
ACTION_ALTERNATIVE_SELECT = "tcr_alternative_select"
ACTION_DIAGNOSE = "tcr_diagnose"
ACTION_DIAGNOSE_TARGET = "tcr_diagnose_target"
ACTION_HANDOFF = "tcr_handoff"
ACTION_FULL = "tcr_full_answer"
ACTION_FEEDBACK = re.compile(r"^tcr_feedback_(up|down)$")
VIEW_TARGET = "tcr_target"
# Log causes for which the "credentials" advice fits the evidence (a TLS or DNS failure gets none).
_CREDENTIAL_CAUSES = re.compile(r"^(CREDENTIAL|PERMISSION_DENIED)")

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_SLASH_ALIASES = {
    "ask": ("ask", "en"),
    "问": ("ask", "zh"),
    "提问": ("ask", "zh"),
    # the CLI's `explain LOG`, typed in Slack: ask() reads a pasted log's cause (the reply echoes the log, not the word)
    "explain": ("ask", "en"),
    "diagnose": ("diagnose", "en"),
    "诊断": ("diagnose", "zh"),
    "check-name": ("check-name", "en"),
    "检查名称": ("check-name", "zh"),
    "help": ("help", "en"),
    "帮助": ("help", "zh"),
}


def _slash_lang(sub: str | None, lang_hint: str | None, rest: str) -> str | None:
    """The language of a `/tcr SUB REST` reply: the subcommand word's (None for a question: its own), but Chinese
    words after an English `diagnose` or `check-name` (`/tcr diagnose 镜像`) get a Chinese reply."""
    if lang_hint == "en" and sub in ("diagnose", "check-name") and knowledge.cjk_count(rest):
        return "zh"
    return lang_hint


# A one-word `/tcr status` is an unknown subcommand (a hint), not a question, unless the FAQ answers it.
_SUBCOMMAND_LIKE = re.compile(r"^[A-Za-z][A-Za-z_-]{0,23}$")
# /tcr check-name kinds (as users type them) -> diagnostics.check_name kinds.
_NAME_KINDS = {
    "instance": "instance",
    "namespace": "namespace",
    "repository": "repo",
    "repo": "repo",
    "tag": "tag",
    "image": "ref",
    "ref": "ref",
    "reference": "ref",
    # the kinds in Chinese (diagnostics.KIND_WORDS's words, and the short ones): a reply in Chinese
    "实例": "instance",
    "实例名": "instance",
    "命名空间": "namespace",
    "命名空间名": "namespace",
    "仓库": "repo",
    "仓库名": "repo",
    "版本": "tag",
    "版本名": "tag",
    "镜像": "ref",
    "镜像地址": "ref",
}
# Message subtypes that are a person writing; everything else (bot_message, message_changed, ...) is ignored.
_HUMAN_SUBTYPES = (None, "file_share", "thread_broadcast")

# diagnostics.diagnose's progress callback: ("start" | "done", check, {"status", "seconds"}).
ProgressCallback = Callable[[str, str, dict[str, Any]], None]


class SharedOnce(Protocol):
    """A dedupe store shared by every host (bot.shared.OnceKeys, bot.storage.SeenKeys)."""

    def first(self, key: str) -> bool | None:
        """True the first time KEY is seen, False after that, None when the store cannot answer."""
        ...


@dataclass
class SlackSettings:
    """What the Slack channel needs: the tokens, the hand-off channel, how anonymous diagnoses run (the web API's
    AnonymousDiagnosis, from the one settings object), the dedupe stores, and (tests) stand-ins for the Web API, ask,
    redact and storage."""

    bot_token: str
    signing_secret: str | None = None  # None only in Socket Mode
    api_base_url: str | None = None  # tests: the local stand-in of the Web API
    support_channel: str | None = None  # where "hand off to a person" posts
    handoff_mention: str | None = None  # e.g. "<!subteam^S0123>" to ping the support group
    default_lang: str = "en"  # for /tcr replies without words to detect a language from
    # policy, deadline, DNS server, CA bundle and the operator's checks: Settings.anonymous_diagnosis(), the web
    # API's; None = every anonymous check under AddressPolicy.public_registry()
    anonymous: AnonymousDiagnosis | None = None
    dedupe_path: str | None = None  # SQLite file shared by all workers; None = in-process only
    # the longest question answered, as /api/ask's 413 (TCR_DOCTOR_MAX_QUESTION_CHARS): Slack admits 40,000
    # characters, and reading a crafted log that long held a worker ~3 s
    max_question_chars: int = Settings.max_question_chars
    redis_url: str | None = None  # Redis shared by every worker and host (SET NX EX); wins over dedupe_path
    # called with ("slack_dedupe", backend) when a dedupe store could not answer (a metric)
    on_fallback: Callable[[str, str], object] | None = None
    diagnose_slots: threading.Semaphore | None = None  # shared with the web API (diagnoses at once)
    cloud: CloudOptions | None = None  # the operator's account (TCR_DOCTOR_SLACK_CLOUD), its instances only
    storage: Storage | None = None  # questions and feedback, shared with the web channel
    metrics: Metrics | WebState | None = None  # the web service's metrics, or the web state that holds them
    # Seams for tests, the same as the web channel's: replace knowledge.ask / knowledge.redact / diagnose
    # (called as diagnostics.diagnose(target, options, progress=...); a stand-in returns a Report's shape).
    ask_func: AskFunc | None = None
    redact_func: RedactFunc | None = None
    diagnose_func: Callable[..., Report] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, *, socket_mode: bool = False) -> SlackSettings | None:
        """Slack's part of the service's settings (bot/settings.py); None = Slack is not configured. Raises
        SettingsError for diagnosis settings the web API would refuse too, or checks that leave Slack none to run."""
        token, secret = settings.slack_bot_token, settings.slack_signing_secret
        if not token or not (secret or socket_mode):
            return None
        anonymous = settings.anonymous_diagnosis()
        if not anonymous.allowed(credentials=False):
            # Slack never takes a password: an operator's choice of `credentials` alone leaves it nothing to run, and
            # running anything else would go beyond that choice
            given = f"TCR_DOCTOR_DIAGNOSE_CHECKS={','.join(settings.diagnose_checks)!r}"
            raise SettingsError(
                f"{given}: Slack never runs credentials (it takes no password); name at least one other check",
                zh=f"{given}：Slack 从不运行 credentials（它不接收密码）；请至少再指定一个其他检查",
            )
        return cls(
            bot_token=token,
            signing_secret=secret,
            api_base_url=settings.slack_api_base_url,
            support_channel=settings.slack_support_channel,
            handoff_mention=settings.slack_handoff_mention,
            default_lang=_lang(settings.slack_default_lang, "en"),
            anonymous=anonymous,
            dedupe_path=settings.slack_dedupe_path,
            max_question_chars=settings.max_question_chars,
            redis_url=settings.redis_url,
            ask_func=settings.ask_func,
            redact_func=settings.redact_func,
            diagnose_func=settings.slack_diagnose_func,
            cloud=_operator_cloud(settings),
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None = None, *, socket_mode: bool = False) -> SlackSettings | None:
        """`from_settings` of the settings with `config` (keys as in bot/settings.py) over the environment."""
        return cls.from_settings(Settings.from_env(config), socket_mode=socket_mode)


# -- once-only keys (event ids, messages) ------------------------------------------------------------------
class SeenOnce:
    """`first(key)` is True the first time a key is seen within `ttl` seconds, False after that.

    In-process by default; with `path`, a table in that SQLite file makes it hold across the gunicorn workers
    of one host (init_app uses the web service's database unless SLACK_DEDUPE_PATH names another file); with
    `shared` (bot.shared.OnceKeys, TCR_DOCTOR_REDIS_URL; else bot.storage.SeenKeys when the web service's
    database is PostgreSQL) Redis or that database makes it hold across every host, and the file or memory only
    answers while the shared store cannot. The shared store reports its own fallbacks; a failing file is reported
    to `on_fallback("slack_dedupe", "sqlite_file")` (a metric).
    """

    def __init__(
        self,
        ttl: float = 3600.0,
        limit: int = 20000,
        path: str | None = None,
        shared: SharedOnce | None = None,
        on_fallback: Callable[[str, str], object] | None = None,
    ):
        self.ttl, self.limit, self.path, self.shared = ttl, limit, path, shared
        self.on_fallback = on_fallback
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._writes = 0
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    def _db(self, path: str) -> sqlite3.Connection:
        """One connection per process (gunicorn forks after create_app) to the file PATH, used under self._lock."""
        if self._conn is None or self._pid != os.getpid():
            # A short busy timeout: this runs before the ack, which must not wait long on another writer.
            conn = sqlite3.connect(path, timeout=0.5, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA synchronous=OFF")  # losing the last few ids in a power cut costs nothing
            conn.execute("CREATE TABLE IF NOT EXISTS slack_seen (key TEXT PRIMARY KEY, at REAL NOT NULL)")
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def first(self, key: str) -> bool:
        """True the first time `key` is seen within the ttl (by Redis or the database when shared, else by the SQLite
        file or this process), False after that."""
        if self.shared is not None:
            answer = self.shared.first(key)
            if answer is not None:
                return answer
        now = time.time()
        if self.path:
            with self._lock:
                self._writes += 1
                try:
                    db = self._db(self.path)
                    if self._writes % 256 == 1:  # expire old keys now and then, not on every event
                        db.execute("DELETE FROM slack_seen WHERE at < ?", (now - self.ttl,))
                    return db.execute("INSERT OR IGNORE INTO slack_seen VALUES (?, ?)", (key, now)).rowcount == 1
                except sqlite3.Error as exc:  # a locked or broken file: fall back to this process's memory
                    log.warning("slack: seen-event store unavailable (%s); using process memory", type(exc).__name__)
                    self._fell_back()
        with self._lock:
            while self._seen and (len(self._seen) > self.limit or next(iter(self._seen.values())) < now - self.ttl):
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True

    def _fell_back(self) -> None:
        if self.on_fallback is not None:
            try:
                self.on_fallback("slack_dedupe", "sqlite_file")
            except Exception:  # noqa: BLE001 - counting must not cost the event
                pass


# -- logging: nothing a user typed reaches a log line unredacted ------------------------------------------
def _knowledge_redact() -> RedactFunc:
    return knowledge.redact


def sdk_logger() -> logging.Logger:
    """The logger handed to bolt, the WebClient and the Socket Mode client (all payload logging goes here)."""
    logger = logging.getLogger("bot.slack.sdk")
    # on the logger itself, not only its handlers: the SDK logs payloads at DEBUG, and a host application's own
    # handlers (added after start-up) must never see them unmasked
    if not any(isinstance(f, knowledge.RedactingFilter) for f in logger.filters):
        logger.addFilter(knowledge.RedactingFilter())
    return logger


# -- small helpers ------------------------------------------------------------------------------------------
def message(template: str, **context: Any) -> Message:
    """Render a message template of bot/templates/slack/ (a JSON object: text and blocks)."""
    data: Message = json.loads(render("slack", template, **context))  # the templates render JSON objects
    return data


def modal(template: str, **context: Any) -> Modal:
    """Render a modal view template of bot/templates/slack/."""
    data: Modal = json.loads(render("slack", template, **context))
    return data


def line(template: str, **context: Any) -> str:
    """The text of a one-line template of bot/templates/slack/ (an outcome, a modal's input error)."""
    text: str = json.loads(render("slack", template, **context))["text"]
    return text


def _value(payload: object) -> dict[str, Any]:
    """A button's value or a view's private_metadata (JSON we wrote) as a dict; {} when it is none."""
    try:
        data = json.loads(payload if isinstance(payload, str) and payload else "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _lang(value: Any, default: str = "en") -> str:
    return value if value in LANGS else default


def _target(entities: Mapping[str, Any] | None) -> str | None:
    entities = entities or {}
    return _text(entities.get("image")) or _text(entities.get("registry"))


def _text(value: object) -> str | None:
    """VALUE when it is a non-empty string (a field of a Slack payload or of an ask() result), else None."""
    return value if isinstance(value, str) and value else None


def _operator_cloud(settings: Settings) -> CloudOptions | None:
    """The operator's account for Slack diagnoses (TCR_DOCTOR_SLACK_CLOUD), or None. Scope "account": the account
    checks run only for that account's instances, and never ask about names outside it."""
    if not settings.slack_cloud:
        return None
    try:
        creds = diagnostics.load_credentials()
    except ValueError as exc:
        log.warning("slack: TCR_DOCTOR_SLACK_CLOUD is on but the credentials cannot be read: %s", exc)
        return None
    if creds is None:
        log.warning("slack: TCR_DOCTOR_SLACK_CLOUD is on but no TENCENTCLOUD_SECRET_ID/KEY or tccli profile is set")
        return None
    return diagnostics.CloudOptions(
        credentials=creds,
        endpoint=settings.cloud_endpoint,
        scope="account",
        account=settings.cloud_account,
        check_name_elsewhere=False,
    )


def safe_checks(anonymous: AnonymousDiagnosis | None = None) -> list[str]:
    """Checks a chat user may trigger: those `anonymous` allows (the operator's TCR_DOCTOR_DIAGNOSE_CHECKS; None =
    every anonymous check) except those about the user's own credentials (Slack never collects a password; it
    points to the CLI instead)."""
    return (anonymous or AnonymousDiagnosis(AddressPolicy())).allowed(credentials=False)


def _safe_checks(checks: object, safe: list[str]) -> list[str]:
    return [c for c in checks if isinstance(c, str) and c in safe] if isinstance(checks, list | tuple) else []


def _thread_of(event: MessageEvent) -> str | None:
    """Where the answer goes: the question's thread; in a direct message the conversation (or its thread)."""
    if event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D"):
        return _text(event.get("thread_ts"))
    return _text(event.get("thread_ts")) or str(event["ts"])


def lead(text: str, limit: int = _LEAD_CHARS) -> tuple[str, bool]:
    """The first paragraph of an answer (with the list it introduces, whole lines, up to `limit` characters).

    Returns (lead, more): `more` is True when the answer goes on past the lead.
    """
    text = (text or "").strip()
    lines = text.splitlines()
    taken: list[str] = []
    size = 0
    for line in lines:
        if not line.strip():
            # A paragraph ends here; one that ends with a colon introduces the list that follows.
            if taken and not taken[-1].rstrip().endswith((":", "：")):
                break
            continue
        if taken and size + len(line) > limit:
            break
        taken.append(line)
        size += len(line) + 1
    out = "\n".join(taken)
    if len(out) > limit:  # one very long first line
        out = out[: limit - 1].rsplit(" ", 1)[0] + "…"
    return out, out.strip() != text


def applicable_checks(
    diagnostics: object, target: str | None, anonymous: AnonymousDiagnosis | None = None
) -> list[str]:
    """The checks a "Run diagnostics" button may offer: safe ones (`safe_checks(anonymous)`), and content checks
    (about one image or the written name) only on a named image."""
    checks = _safe_checks(diagnostics, safe_checks(anonymous))
    if checks and set(checks) <= checks_registry.content_checks() and not (target and "/" in target):
        return []  # "how do I delete a tag" names no image: there is nothing live to look at
    return checks


def settle(blocks: list[Block], used: Callable[[str], bool], outcome: str) -> list[Block]:
    """`blocks` with the action elements `used(action_id)` selects replaced by a context line saying `outcome`."""
    out: list[Block] = []
    for block in blocks or []:
        if block.get("type") == "actions":
            elements = block.get("elements") or []
            kept = [e for e in elements if not used(str(e.get("action_id") or ""))]
            if len(kept) != len(elements):
                if kept:
                    out.append({**block, "elements": kept})
                out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": outcome}]})
                continue
        out.append(block)
    return out


class _Progress:
    """The Slack message that shows each check's state while a diagnosis runs: posted once, then updated at most
    every _PROGRESS_INTERVAL seconds (the runner reports from its worker threads)."""

    def __init__(self, client: WebClient, channel: str, render: Callable[[dict[str, str]], Message]):
        self.client, self.channel, self.render = client, channel, render
        self.states: dict[str, str] = {}  # check -> running | ok | warn | fail | skip, in the order they started
        self.ts: str | None = None
        self.last_update = time.monotonic()
        self.lock = threading.Lock()

    def post(self, thread_ts: str | None, *, may_fail: bool) -> None:
        """Post the message (no checks started yet); when MAY_FAIL, a failed post leaves no message to update."""
        try:
            posted = self.client.chat_postMessage(channel=self.channel, thread_ts=thread_ts, **self.render(self.states))
        except Exception:
            if not may_fail:
                raise
            posted = None
        self.ts = posted["ts"] if posted else None
        self.last_update = time.monotonic()

    def on_progress(self, event: str, check: str, info: Mapping[str, Any] | None = None) -> None:
        """diagnose()'s callback: ("start" | "done", check, {"status", "seconds"})."""
        with self.lock:
            self.states[check] = "running" if event == "start" else str((info or {}).get("status") or "ok")
            if not self.ts or time.monotonic() - self.last_update < _PROGRESS_INTERVAL:
                return
            self.last_update = time.monotonic()
            update = self.render(dict(self.states))
        try:
            self.client.chat_update(channel=self.channel, ts=self.ts, **update)
        except Exception:  # noqa: BLE001 - progress is best effort; the final update matters
            log.warning("slack: progress update failed")


class SlackChannel:
    """The listeners, with the settings and once-only state they share."""

    def __init__(self, settings: SlackSettings):
        self.settings = settings
        shared: SharedOnce | None = None
        if settings.redis_url:
            shared = OnceKeys(settings.redis_url, namespace="slack", on_fallback=settings.on_fallback)
        elif settings.storage is not None and getattr(settings.storage, "path", "") is None:
            # No Redis, a server database (PostgreSQL) shared by every host: dedupe there, across hosts.
            shared = settings.storage.seen_keys(namespace="slack", on_fallback=settings.on_fallback)
        self.seen = SeenOnce(path=settings.dedupe_path, shared=shared, on_fallback=settings.on_fallback)

    # -- knowledge / diagnostics (imported when first used) -----------------------------------------------
    def redact(self, text: str) -> tuple[str, list[str]]:
        """`text` with secrets masked, and the kinds of secret found."""
        masked, kinds = (self.settings.redact_func or _knowledge_redact())(text or "")
        return masked, list(kinds or [])

    def too_long(self, text: str) -> Message:
        """The reply to a message longer than the service answers, in the message's language (not read further)."""
        lang = _lang(knowledge.detect_lang(text[:2000]), self.settings.default_lang)
        limit = self.settings.max_question_chars
        return message("too_long.json.j2", lang=lang, text=messages.too_long("question", limit)[lang])

    def ask(self, text: str, lang: str | None = None) -> AskResult:
        """The knowledge answer to `text` (through the settings' stand-in in tests)."""
        return (self.settings.ask_func or knowledge.ask)(text, lang)

    def anonymous(self) -> AnonymousDiagnosis:
        """How a chat user's diagnosis runs: the web API's rules (the settings', else every anonymous check under the
        public-registry policy, made once); Slack leaves out the checks that need a password."""
        if self.settings.anonymous is None:
            self.settings.anonymous = AnonymousDiagnosis(AddressPolicy.public_registry())
        return self.settings.anonymous

    # -- the store and the metrics (shared with the web channel) ------------------------------------------
    def record(self, masked: str, kinds: list[str], result: AskResult) -> str:
        """Record a (redacted) question and count it; returns its id for the feedback buttons."""
        qid = secrets.token_hex(8)
        if self.settings.storage is not None:
            try:
                self.settings.storage.record_question(
                    qid, masked, channel="slack", redacted=kinds, **question_fields(result)
                )
            except Exception:  # the answer matters more than its record
                log.exception("slack: could not record the question")
        count_question(self._count, "slack", result)
        return qid

    def feedback(self, value: Mapping[str, Any], helpful: bool) -> None:
        """Record 👍/👎 (or a hand-off, which is a 👎) for the question a button belongs to."""
        if self.settings.storage is not None:
            try:
                self.settings.storage.record_feedback(
                    question_id=value.get("qid") or None,
                    answer_id=str(value.get("id") or "none"),
                    kb_version=str(value.get("kb") or value.get("kb_version") or "unknown"),
                    helpful=helpful,
                    channel="slack",
                )
            except Exception:
                log.exception("slack: could not record feedback")
        self._count("tcr_doctor_feedback_total", {"channel": "slack", "helpful": "true" if helpful else "false"})

    def _count(self, name: str, labels: dict[str, Any]) -> None:
        source = self.settings.metrics
        # The web state replaces its metrics object in a forked worker: look it up on each use.
        metrics = source.metrics if source is not None and hasattr(source, "metrics") else source
        if metrics is None:
            return
        try:
            metrics.inc(name, labels)
        except Exception:  # noqa: BLE001 - a metric never costs an answer
            log.warning("slack: metric %s not counted", name)

    # -- bolt wiring ----------------------------------------------------------------------------------------
    def build(self) -> App:
        """The bolt App with its listeners: mentions, direct messages, /tcr, the reply buttons and the target modal
        (each acked at once, the work done lazily on a thread pool)."""
        # bolt and the Web API client load when the app is built, not when bot.slack's helpers are imported
        from slack_bolt import App
        from slack_sdk import WebClient

        logger = sdk_logger()
        base_url = self.settings.api_base_url or WebClient.BASE_URL
        client = WebClient(token=self.settings.bot_token, base_url=base_url, logger=logger, timeout=10)
        app = App(
            client=client,
            signing_secret=self.settings.signing_secret,
            request_verification_enabled=self.settings.signing_secret is not None,
            logger=logger,
            # Do not call auth.test while the web service starts: Slack being unreachable must not stop it.
            # Bolt calls it on the first request instead (and caches the bot's user id / bot id).
            token_verification_enabled=False,
            # Our ack functions are trivial: run them in the request thread and answer at once. (With False,
            # bolt runs them on the listener pool and polls every 10 ms for the ack, so acks queue behind busy
            # lazy listeners.) The slow work is always in `lazy=[...]`, which starts on the pool below.
            process_before_response=True,
            listener_executor=ThreadPoolExecutor(max_workers=_LAZY_WORKERS, thread_name_prefix="slack-lazy"),
        )
        app.middleware(self.drop_repeats_and_bots)

        def ack(ack: Ack) -> None:
            ack()

        app.event("app_mention")(ack=ack, lazy=[self.on_mention])
        app.event("message")(ack=ack, lazy=[self.on_message])
        app.command("/tcr")(ack=ack, lazy=[self.on_command])
        app.action(ACTION_ALTERNATIVE)(ack=ack, lazy=[self.on_alternative])
        app.action(ACTION_ALTERNATIVE_SELECT)(ack=ack, lazy=[self.on_alternative])
        app.action(ACTION_DIAGNOSE)(ack=ack, lazy=[self.on_diagnose])
        app.action(ACTION_DIAGNOSE_TARGET)(ack=ack, lazy=[self.on_diagnose_target])
        app.action(ACTION_HANDOFF)(ack=ack, lazy=[self.on_handoff])
        app.action(ACTION_FULL)(ack=ack, lazy=[self.on_full_answer])
        app.action(ACTION_FEEDBACK)(ack=ack, lazy=[self.on_feedback])
        app.view(VIEW_TARGET)(ack=self.ack_target, lazy=[self.on_target])
        return app

    def drop_repeats_and_bots(
        self, body: RequestBody, context: BoltContext, next: Callable[[], None]
    ) -> BoltResponse | None:
        """Global middleware: answer 200 at once, doing nothing, for retries of a seen event and bot messages."""
        from slack_bolt import BoltResponse  # bolt: loaded with the app (build)

        if body.get("type") == "event_callback":
            event = body.get("event") or {}
            if body.get("event_id") and not self.seen.first(f"event:{body['event_id']}"):
                return BoltResponse(status=200, body="")
            own = {context.get("bot_user_id"), context.get("bot_id")} - {None}
            if (
                event.get("bot_id")
                or event.get("subtype") not in _HUMAN_SUBTYPES
                or event.get("bot_profile")
                or (own and event.get("user") in own)
            ):
                return BoltResponse(status=200, body="")
        next()
        return None

    # -- questions --------------------------------------------------------------------------------------
    def on_mention(self, event: MessageEvent, client: WebClient) -> None:
        """An @mention in a channel: answer it in its thread (mentions in a DM are answered as messages)."""
        if str(event.get("channel", "")).startswith("D"):
            return  # a mention in a DM also arrives as message.im: that one answers
        self.answer_message(event, client)

    def on_message(self, event: MessageEvent, client: WebClient) -> None:
        """A direct message to the bot: answer it."""
        if event.get("channel_type") != "im":
            return
        self.answer_message(event, client)

    def answer_message(self, event: MessageEvent, client: WebClient) -> None:
        """Answer a message once, where it was asked (its thread, if any): the help for an empty one, else the FAQ
        answer, with a private warning when it held a secret."""
        channel, thread_ts = event["channel"], _thread_of(event)
        if not self.seen.first(f"message:{channel}:{event['ts']}"):
            return
        where: dict[str, Any] = {"channel": channel, **({"thread_ts": thread_ts} if thread_ts else {})}  # kwargs
        text = _MENTION.sub(" ", event.get("text") or "").strip()
        if len(text) > self.settings.max_question_chars:
            client.chat_postMessage(**where, **self.too_long(text))
            return
        masked, kinds = self.redact(text)
        if blank(masked):
            client.chat_postMessage(**where, **message("help.json.j2", lang=self.settings.default_lang))
            return
        result = self.ask(masked)
        lang = _lang(result.get("lang"), self.settings.default_lang)
        qid = self.record(masked, kinds, result)
        user = _text(event.get("user"))
        if kinds and user:
            client.chat_postEphemeral(user=user, **where, **message("secret_warning.json.j2", lang=lang, kinds=kinds))
        client.chat_postMessage(**where, **self.answer_blocks(result, masked, lang, qid=qid, user=event.get("user")))

    def _reading(self, result: AskResult) -> dict[str, Any]:
        """What the templates need beyond the ask() result: the log, the target, the checks that apply."""
        log_cause = result.get("log") or None
        if log_cause is not None and not log_cause.get("cause"):
            log_cause = None
        # One story per answer: with a pasted log, its checks and target lead; the entry's list otherwise.
        diagnostics = list(log_cause.get("checks") or []) if log_cause else list(result.get("diagnostics") or [])
        # With a log, its target (what the CLI's command and the widget's cause card diagnose); the image the message
        # names only when it is the image the log failed on (more specific, same registry), not another one it lists.
        named = _target(result.get("entities"))
        log_target, log_image = (log_cause.get("target"), log_cause.get("image")) if log_cause else (None, None)
        target = named if named and (not log_target or named == log_image) else (log_target or named)
        if log_cause:
            credentials = bool(_CREDENTIAL_CAUSES.match(str(log_cause.get("cause"))))
        else:
            credentials = "credentials" in (result.get("diagnostics") or [])
        # No button on a target the service's address policy refuses (a TCR host on a port it does not diagnose,
        # another vendor's registry): its click could only answer TARGET_REFUSED. The web's rule, the same policy.
        refused = bool(target) and target in refused_targets(
            result, self.anonymous().policy, lambda t: self.redact(t)[0]
        )
        refusal = result.get("refusal")
        if refusal is None and not result.get("answer") and "refusal" not in result:
            # A knowledge version before the `refusal` field: a known subject is documentation, else a problem.
            refusal = {"kind": "documentation" if result.get("topic") else "troubleshooting"}
        return {
            "log": log_cause,
            "target": target,
            "checks": applicable_checks(diagnostics, target, self.anonymous())
            if (result.get("answer") or log_cause) and not refused
            else [],
            "diagnostics": diagnostics,
            "credentials": credentials,
            "refusal": refusal if not (result.get("answer") and result.get("status") != "no_answer") else None,
        }

    def answer_blocks(
        self,
        result: AskResult,
        question: str,
        lang: str,
        explained: LogCause | None = None,
        asked_by: str | None = None,
        qid: str | None = None,
        user: str | None = None,
    ) -> Message:
        """The first reply: one screen (headline, the lead or the log's cause and fix, source, actions, 👍/👎).

        `asked_by`: for /tcr answers posted in a channel, whose (masked) question it answers; `qid`: the
        recorded question the feedback buttons refer to; `user`: who asked (small talk greets them).
        """
        if explained is not None:
            result = {**result, "log": explained}
        reading = self._reading(result)
        refusal = reading["refusal"] or {}
        if refusal.get("kind") == "smalltalk" and not reading["log"]:
            return message("smalltalk.json.j2", lang=lang, kind=refusal.get("smalltalk") or "greeting", user=user)
        answer = result.get("answer")
        answered = bool(answer) and result.get("status") != "no_answer"
        text, more = lead(answer.get("answer") or "") if answer and answered else ("", False)
        log_cause = reading["log"] or {}
        full = bool(log_cause) or more or reading["credentials"]
        if log_cause and not answered and not (log_cause.get("evidence") or log_cause.get("note")):
            full = bool(log_cause.get("also"))
        return message(
            "answer.json.j2",
            lang=lang,
            result=result,
            answered=answered,
            lead=text,
            full=full,
            question=question,
            qid=qid or "",
            user=user,
            handoff=bool(self.settings.support_channel),
            asked_by=asked_by,
            **reading,
        )

    def full_blocks(self, result: AskResult, lang: str) -> Message:
        """The whole answer (the log's evidence, fix, note and other causes; the FAQ text; credentials advice)."""
        reading = self._reading(result)
        answered = bool(result.get("answer")) and result.get("status") != "no_answer"
        return message("full_answer.json.j2", lang=lang, result=result, answered=answered, **reading)

    def on_alternative(self, body: InteractionBody, action: Action, client: WebClient, respond: Respond) -> None:
        """An alternative's button or menu: answer the entry chosen, in the thread, and mark the choice on the original
        reply."""
        if action.get("type") == "static_select":
            value = _value(((action.get("selected_option") or {}).get("value")) or "")
        else:
            value = _value(action.get("value"))
        lang = _lang(value.get("lang"), self.settings.default_lang)
        question = value.get("question") or self._entry_question(value.get("id"), lang)
        if not question:
            return
        result = self.ask(question, lang)
        qid = self.record(question, [], result)
        channel, thread_ts = self._container(body)
        user = (body.get("user") or {}).get("id")
        reply = self.answer_blocks(result, question, lang, qid=qid)
        self._settle(
            body,
            client,
            respond,
            ACTION_ALTERNATIVE_SELECT,
            "outcome_alternative",
            lang,
            user=user,
            question=question,
            also=ACTION_ALTERNATIVE,
        )
        self._post_or_respond(client, respond, channel, reply, thread_ts)

    @staticmethod
    def _entry_question(entry_id: Any, lang: str) -> str | None:
        kb, _ = knowledge.get_matcher()
        entry = kb.by_id.get(str(entry_id or ""))
        return (entry.question.get(lang) or entry.question.get("en")) if entry else None

    def on_full_answer(self, body: InteractionBody, action: Action, client: WebClient, respond: Respond) -> None:
        """The "full answer" button: post the whole answer (once per reply)."""
        value = _value(action.get("value"))
        lang = _lang(value.get("lang"), self.settings.default_lang)
        channel, thread_ts = self._container(body)
        user = (body.get("user") or {}).get("id")
        if not self.seen.first(f"full:{channel}:{(body.get('container') or {}).get('message_ts')}"):
            return
        result = self.ask(value.get("question") or "", lang)
        reply = self.full_blocks(result, lang)
        self._settle(body, client, respond, ACTION_FULL, "outcome_full", lang, user=user, in_thread=bool(thread_ts))
        self._post_or_respond(client, respond, channel, reply, thread_ts)

    def on_feedback(self, body: InteractionBody, action: Action, client: WebClient, respond: Respond) -> None:
        """A thumbs-up or -down button: record the vote (once per reply) and mark the reply with the outcome."""
        value = _value(action.get("value"))
        lang = _lang(value.get("lang"), self.settings.default_lang)
        channel, _ = self._container(body)
        helpful = str(action.get("action_id")).endswith("_up")
        if not self.seen.first(f"feedback:{channel}:{(body.get('container') or {}).get('message_ts')}"):
            return  # one vote per answer, even when the buttons were clicked twice before they were replaced
        self.feedback(value, helpful)
        user = (body.get("user") or {}).get("id")
        kind = "outcome_helpful" if helpful else "outcome_unhelpful"
        self._settle(body, client, respond, ACTION_FEEDBACK, kind, lang, user=user)

    # -- hand-off to a person -----------------------------------------------------------------------------
    def on_handoff(self, body: InteractionBody, action: Action, client: WebClient, respond: Respond) -> None:
        """The "ask a person" button: post the question and a link to the thread in the support channel (once per
        thread; in a direct message, where answers have no thread, once per answer), counting it as unhelpful."""
        value = _value(action.get("value"))
        lang = _lang(value.get("lang"), self.settings.default_lang)
        channel, thread_ts = self._container(body)
        # What is handed off: the thread, else (a direct message) the answer the button sits on.
        anchor = thread_ts or _text((body.get("container") or {}).get("message_ts"))
        user = (body.get("user") or {}).get("id")
        if not self.settings.support_channel or not self.seen.first(f"handoff:{channel}:{anchor}"):
            return
        question, _ = self.redact(value.get("question") or "")  # already masked; once more costs nothing
        self.feedback(value, False)  # asking a person means the answer did not do
        link = None
        try:
            if anchor:
                link = client.chat_getPermalink(channel=channel, message_ts=anchor).get("permalink")
        except Exception:  # noqa: BLE001 - a missing link must not stop the hand-off
            log.warning("slack: no permalink for the hand-off thread")
        client.chat_postMessage(
            channel=self.settings.support_channel,
            **message(
                "handoff.json.j2",
                lang=lang,
                question=question,
                user=user,
                source_channel=channel,
                link=link,
                status=value.get("status"),
                kb_version=value.get("kb_version") or value.get("kb"),
                mention=self.settings.handoff_mention,
            ),
        )
        # The button becomes its outcome (a second click has nothing left to do) and the feedback buttons go
        # too: the hand-off already said the answer did not help.
        self._settle(body, client, respond, ACTION_HANDOFF, "outcome_handoff", lang, user=user, also=ACTION_FEEDBACK)

    def _settle(
        self,
        body: InteractionBody,
        client: WebClient,
        respond: Respond,
        action_id: str | re.Pattern[str],
        outcome: str,
        lang: str,
        *,
        also: str | re.Pattern[str] | None = None,
        **context: object,
    ) -> None:
        """Replace the used button(s) on the message they sit on by a line saying what happened."""

        def used(aid: str) -> bool:
            return any(
                (p.match(aid) if isinstance(p, re.Pattern) else p == aid) for p in (action_id, also) if p is not None
            )

        msg = body.get("message") or {}
        text = line("outcome.json.j2", lang=lang, kind=outcome, **context)
        blocks = settle(msg.get("blocks") or [], used, text)
        channel, _ = self._container(body)
        try:
            if (body.get("container") or {}).get("is_ephemeral") or not msg.get("ts"):
                if msg.get("blocks"):
                    respond(replace_original=True, text=msg.get("text") or text, blocks=blocks)
                return
            client.chat_update(channel=channel, ts=msg["ts"], text=msg.get("text") or text, blocks=blocks)
        except Exception:  # noqa: BLE001 - the action itself is done; a stale button is the lesser evil
            log.warning("slack: could not replace a used button")

    # -- diagnostics --------------------------------------------------------------------------------------
    def on_diagnose(self, body: InteractionBody, action: Action, client: WebClient, respond: Respond) -> None:
        """The diagnose button: diagnose the reply's target and post the findings in the thread (once per reply)."""
        value = _value(action.get("value"))
        channel, thread_ts = self._container(body)
        lang = _lang(value.get("lang"), self.settings.default_lang)
        user = (body.get("user") or {}).get("id")
        if not self.seen.first(f"diagnose:{channel}:{(body.get('container') or {}).get('message_ts')}"):
            return
        self._settle(
            body, client, respond, ACTION_DIAGNOSE, "outcome_diagnose", lang, user=user, in_thread=bool(thread_ts)
        )
        self.diagnose_in_thread(
            client,
            channel,
            thread_ts,
            value.get("target") or "",
            value.get("checks"),
            lang,
            fallback=respond,
            ran_by=user,
        )

    def on_diagnose_target(self, body: InteractionBody, action: Action, client: WebClient) -> None:
        """The diagnose button of a reply without a target: open the modal that asks for one."""
        value = _value(action.get("value"))
        channel, thread_ts = self._container(body)
        lang = _lang(value.get("lang"), self.settings.default_lang)
        metadata = json.dumps({"channel": channel, "thread_ts": thread_ts, "checks": value.get("checks"), "lang": lang})
        client.views_open(
            trigger_id=body["trigger_id"],
            view=dict(modal("target_modal.json.j2", lang=lang, metadata=metadata, callback_id=VIEW_TARGET)),
        )

    @staticmethod
    def _submitted_target(view: View) -> str:
        values = (view.get("state") or {}).get("values") or {}
        return ((values.get("target") or {}).get("value") or {}).get("value") or ""

    def _usable_target(self, target: str) -> bool:
        """One address, no spaces, nothing secret-looking; the diagnosis itself applies name rules and policy."""
        return (
            bool(target)
            and len(target) <= AnonymousDiagnosis.MAX_TARGET
            and not any(ch.isspace() for ch in target)
            and not self.redact(target)[1]
        )

    def ack_target(self, ack: Ack, view: View) -> None:
        """Ack the target modal, or keep it open with an error when the target is not usable."""
        lang = _lang(_value(view.get("private_metadata")).get("lang"), self.settings.default_lang)
        if self._usable_target(self._submitted_target(view).strip()):
            ack()
        else:
            ack(response_action="errors", errors={"target": line("target_error.json.j2", lang=lang)})

    def on_target(self, body: InteractionBody, view: View, client: WebClient) -> None:
        """The target modal submitted: run the diagnosis in the original thread."""
        target = self._submitted_target(view).strip()
        if not self._usable_target(target):
            return  # ack_target showed the error in the modal
        meta = _value(view.get("private_metadata"))
        channel = _text(meta.get("channel"))
        if channel is None:  # on_diagnose_target wrote it: a view without it is not ours
            log.warning("slack: a target modal without its channel")
            return
        self.diagnose_in_thread(
            client,
            channel,
            _text(meta.get("thread_ts")),
            target,
            meta.get("checks"),
            _lang(meta.get("lang"), self.settings.default_lang),
            ran_by=(body.get("user") or {}).get("id"),
        )

    def diagnose_in_thread(
        self,
        client: WebClient,
        channel: str,
        thread_ts: str | None,
        target: str,
        checks: object,
        lang: str,
        *,
        fallback: Callable[..., object] | None = None,
        ran_by: str | None = None,
        command: bool = False,
    ) -> None:
        """Post one progress message, keep it updated while the checks run, end it with the findings.

        `ran_by`: who started it (said in the message); `command`: started by `/tcr diagnose`.
        """
        only, not_here = self._checks_to_run(checks)
        if not only:
            # A button made before the operator changed the allowed checks: say which do not run here, never run
            # every allowed check in their place.
            gone = message("checks_not_here.json.j2", lang=lang, checks=not_here, target=target)
            try:
                client.chat_postMessage(channel=channel, thread_ts=thread_ts, **gone)
            except Exception:
                if fallback is None:
                    raise
                fallback(**gone)
            return

        def render_progress(states: dict[str, str]) -> Message:
            return message("progress.json.j2", lang=lang, target=target, checks=only, states=states, ran_by=ran_by)

        progress = _Progress(client, channel, render_progress)
        progress.post(thread_ts, may_fail=fallback is not None)
        result = self._diagnosis_message(
            target,
            only,
            lang,
            progress.on_progress,
            credentials=isinstance(checks, list) and "credentials" in checks,
            ran_by=ran_by,
            command=command,
            not_here=not_here,
        )
        if progress.ts:
            client.chat_update(channel=channel, ts=progress.ts, **result)
        elif fallback is not None:  # (without one, a failed post raised)
            fallback(**result)

    def _checks_to_run(self, checks: object) -> tuple[list[str], list[str]]:
        """(to run, not here): the asked checks a chat user may trigger (all of those when none is asked), plus the
        account checks when the operator's account is configured (TCR_DOCTOR_SLACK_CLOUD); and the asked ones that do
        not run here. Nothing runs when checks were asked and none of them may."""
        safe = safe_checks(self.anonymous())
        asked = [c for c in checks if isinstance(c, str)] if isinstance(checks, list | tuple) else []
        only = _safe_checks(asked, safe) if asked else list(safe)
        not_here = [c for c in asked if c not in safe]
        if only and self.settings.cloud is not None:
            only += list(checks_registry.groups().get("cloud", ()))
        return only, not_here

    def _diagnosis_message(
        self,
        target: str,
        only: list[str],
        lang: str,
        on_progress: ProgressCallback,
        *,
        credentials: bool,
        ran_by: str | None,
        command: bool,
        not_here: list[str] | None = None,
    ) -> Message:
        """Diagnose TARGET and render the findings; busy when every diagnosis slot stays taken, an honest error
        when the diagnosis fails. `not_here`: asked checks that no longer run here, named beside the findings."""
        # Anonymous and server-neutral, by the same rules as the web API (diagnostics.policy.AnonymousDiagnosis):
        # no password, never the server's docker config or proxy variables.
        options = self.anonymous().options(only, cloud=self.settings.cloud)
        slots = self.settings.diagnose_slots  # shared with /api/diagnose: at most N diagnoses per process
        if slots is not None and not slots.acquire(timeout=options.timeout):
            return message("busy.json.j2", lang=lang)
        try:
            report = (self.settings.diagnose_func or diagnostics.diagnose)(target, options, progress=on_progress)
            findings = [f.to_dict() for f in report.findings]
            if self.settings.storage is not None and hasattr(self.settings.storage, "record_findings"):
                self.settings.storage.record_findings(findings, channel="slack")  # codes only: console chart
            return message(
                "findings.json.j2",
                lang=lang,
                target=target,
                findings=findings,
                causes=diagnostics.arrange_verdict(findings, getattr(report, "verdict", None) or []),
                credentials=credentials or any(_is_auth(f) for f in findings),
                ran_by=ran_by,
                command=command,
                not_here=not_here or [],
            )
        except Exception:  # the user gets an honest error, the log gets the traceback
            log.exception("slack: diagnosis failed")
            return message("error.json.j2", lang=lang)
        finally:
            if slots is not None:
                slots.release()

    # -- /tcr ---------------------------------------------------------------------------------------------
    def _refused_privately(self, sub: str, rest: str, lang: str) -> tuple[str, list[str], Message | None]:
        """`rest` masked, the kinds of secret found, and the private reply that refuses it, if any: a question longer
        than the service answers, or a pasted secret (nothing was posted, so there is nothing to delete: rotate, and
        the question is not answered in public)."""
        if sub == "ask" and len(rest) > self.settings.max_question_chars:
            return rest, [], self.too_long(rest)
        masked, kinds = self.redact(rest)
        if not kinds:
            return masked, kinds, None
        ask_lang = _lang(self.ask(masked).get("lang"), lang) if sub == "ask" else lang
        return masked, kinds, message("secret_warning.json.j2", lang=ask_lang, kinds=kinds, slash=True)

    def on_command(self, command: SlashCommand, client: WebClient, respond: Respond) -> None:
        """`/tcr [ask|diagnose|check-name|help] ...` (and the Chinese aliases; words alone are a question): a pasted
        secret is warned about privately and never answered in public."""
        text = (command.get("text") or "").strip()
        text = "" if blank(text) else text
        words = text.split(None, 1)
        sub, lang_hint = _SLASH_ALIASES.get(words[0].lower(), (None, None)) if words else ("help", None)
        rest = words[1].strip() if len(words) > 1 else ""
        lang = _slash_lang(sub, lang_hint, rest) or self.settings.default_lang
        channel, user = _text(command.get("channel_id")) or "", _text(command.get("user_id"))
        if sub is None:  # `/tcr <question>` without a subcommand is a question
            sub, rest = "ask", text
        masked, kinds, private = self._refused_privately(sub, rest, lang)
        if private is not None:
            respond(**private)
            return
        if sub == "help":
            respond(**message("help.json.j2", lang=lang))
        elif blank(masked):
            respond(**message("usage.json.j2", lang=lang, sub=sub))
        elif sub == "ask":
            result = self.ask(masked)
            if words and words[0].lower() not in _SLASH_ALIASES and _SUBCOMMAND_LIKE.match(text):
                refusal = result.get("refusal")
                if result.get("status") == "no_answer" and not (refusal and refusal.get("kind") == "smalltalk"):
                    # `/tcr status`: a subcommand that does not exist, not a question; say so privately.
                    respond(**message("usage.json.j2", lang=lang, sub=None, word=words[0][:24]))
                    return
            qid = self.record(masked, kinds, result)
            reply = self.answer_blocks(
                result, masked, _lang(result.get("lang"), lang), asked_by=user, qid=qid, user=user
            )
            self._post_or_respond(client, respond, channel, reply)
        elif sub == "diagnose":
            self.diagnose_in_thread(
                client,
                channel,
                None,
                masked.split()[0],
                safe_checks(self.anonymous()),
                lang,
                fallback=lambda **m: respond(**m),
                ran_by=user,
                command=True,
            )
        elif sub == "check-name":
            self.check_name(masked, lang, respond)

    def check_name(self, text: str, lang: str, respond: Respond) -> None:
        """`/tcr check-name KIND VALUE`: the naming rules' verdict, or the usage."""
        parts = text.split(None, 1)
        kind = _NAME_KINDS.get(parts[0].lower()) if parts else None
        if kind is not None and not parts[0].isascii():
            lang = "zh"  # `/tcr check-name 镜像 …`: a kind named in Chinese gets its reply in Chinese
        if kind is None or len(parts) != 2:
            respond(**message("usage.json.j2", lang=lang, sub="check-name"))
            return
        respond(
            **message(
                "check_name.json.j2",
                lang=lang,
                what=diagnostics.KIND_WORDS[kind],  # in words, as the CLI's check-name names it
                result=diagnostics.check_name(kind, parts[1]),
            )
        )

    @staticmethod
    def _post_or_respond(
        client: WebClient, respond: Respond, channel: str, reply: Message, thread_ts: str | None = None
    ) -> None:
        """Post in the channel (in THREAD_TS's thread when given, so buttons can thread under it); where the bot is
        no member, reply privately."""
        from slack_sdk.errors import SlackApiError  # slack_sdk: loaded with the app (build)

        try:
            if thread_ts:
                client.chat_postMessage(channel=channel, thread_ts=thread_ts, **reply)
            else:
                client.chat_postMessage(channel=channel, **reply)
        except SlackApiError:
            respond(text=reply["text"], blocks=reply["blocks"])

    @staticmethod
    def _container(body: InteractionBody) -> tuple[str, str | None]:
        """(channel, thread_ts) of the message a button sits on: replies go to that message's thread."""
        channel = _text((body.get("channel") or {}).get("id")) or _text((body.get("container") or {}).get("channel_id"))
        msg = body.get("message") or {}
        if (channel or "").startswith("D") and not msg.get("thread_ts"):
            return channel or "", None  # a direct message: replies go in the conversation, not in a thread
        thread_ts = msg.get("thread_ts") or msg.get("ts") or (body.get("container") or {}).get("message_ts")
        return channel or "", _text(thread_ts)


def _is_auth(finding: Mapping[str, Any]) -> bool:
    code = str(finding.get("code") or "").upper()
    return finding.get("status") in diagnostics.PROBLEMS and ("AUTH" in code or "CREDENTIAL" in code)


def build_app(settings: SlackSettings) -> App:
    """The configured bolt App (HTTP or, with `signing_secret=None`, Socket Mode)."""
    return SlackChannel(settings).build()


def init_app(flask_app: Flask) -> None:
    """Mount POST /slack/events on `flask_app` when Slack is configured (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET).

    Reads the web service's settings (`app.config["TCR"]`, see bot/web.py and bot/settings.py), else the Flask
    config and the environment, and shares its SSRF policy and diagnosis slots when `create_app` made them.
    """
    service = flask_app.config.get("TCR")
    if not isinstance(service, Settings):  # a Flask app not made by create_app: its config, then the environment
        service = Settings.from_mapping(flask_app.config)
    settings = SlackSettings.from_settings(service)
    if settings is None:
        return
    # bolt's Flask adapter: only a web service with Slack configured mounts it
    from flask import request
    from slack_bolt.adapter.flask import SlackRequestHandler

    state = flask_app.extensions.get("tcr_doctor")
    # the web state's own object when create_app made one (the same settings built it); else from_settings' own
    settings.anonymous = getattr(state, "anonymous", None) or settings.anonymous
    settings.diagnose_slots = getattr(state, "diagnose_slots", None)
    settings.storage = getattr(state, "storage", None)  # Slack questions and feedback go where the web's go
    settings.metrics = state  # counted through the web state, which knows its current (per-worker) metrics
    settings.on_fallback = getattr(state, "backend_fallback", None)
    db_path = getattr(getattr(state, "storage", None), "path", None)
    if not settings.dedupe_path and db_path and db_path != ":memory:":
        settings.dedupe_path = db_path  # retries are then seen by every worker, not only the one that answered
    handler = SlackRequestHandler(build_app(settings))
    flask_app.extensions["slack"] = handler

    def slack_events() -> Response:
        # Interaction payloads carry the whole message the button sits on (an answer is up to ~12 KB of text,
        # more once JSON-escaped): allow more than the web API's small body limit, for this endpoint only.
        request.max_content_length = _MAX_BODY_BYTES
        return handler.handle(request)

    flask_app.add_url_rule("/slack/events", endpoint="slack_events", view_func=slack_events, methods=["POST"])
