"""The web channel: a Flask app serving the JSON API, the embeddable help widget and (when configured) Slack.

    gunicorn 'bot.web:create_app()'          # production (Procfile)
    tcr-doctor serve --port 8000             # local, embedded SQLite file

Configuration: `bot.settings.Settings`, read from environment variables (the README's Configuration table),
overridden by the `config` dict given to `create_app` (tests), whose keys are the variables' names without the
`TCR_DOCTOR_` prefix.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, g, jsonify, make_response, request, send_from_directory
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from bot import api, console
from bot.api import error_response
from bot.metrics import CONTENT_TYPE, Metrics
from bot.render import render
from bot.settings import Settings, SettingsError
from bot.shared import RateLimiter, connect, parse_rate
from bot.storage import Storage
from diagnostics import LANGS

log = logging.getLogger("tcr_doctor.web")


def load_config(overrides: Mapping[str, Any] | None = None) -> Settings:
    """The web service's settings: `overrides` (create_app's `config`) over the environment (bot/settings.py)."""
    return Settings.from_env(overrides)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask app: JSON API, widget, metrics and (when configured) /slack/events. `config` overrides settings."""
    cfg = load_config(config)
    app = Flask(__name__, static_folder=None)
    app.config["TCR"] = cfg
    app.config["MAX_CONTENT_LENGTH"] = cfg.max_body_bytes
    # Flask's default provider has these options; its declared type (the provider base class) does not
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.compact = True  # type: ignore[attr-defined]

    addresses = tuple(a.strip() for a in cfg.trusted_proxy_addresses if a.strip())
    if cfg.trusted_proxies and not addresses:
        # Safe by default: without the proxies' addresses any client could send its own X-Forwarded-For.
        log.warning(
            "TCR_DOCTOR_TRUSTED_PROXIES is set but TCR_DOCTOR_TRUSTED_PROXY_ADDRESSES is empty: X-Forwarded-For is "
            "ignored; set the proxies' addresses (or '*' for any peer)"
        )
    elif cfg.trusted_proxies:
        hops = cfg.trusted_proxies
        fixed = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
        # Flask's documented way to wrap the app in WSGI middleware (to mypy, a method being replaced)
        app.wsgi_app = fixed if "*" in addresses else FromProxiesOnly(fixed, app.wsgi_app, addresses)  # type: ignore[method-assign]

    # A database named by the caller wins; else the environment decides (bot.storage.database_url).
    explicit = (config or {}).get("DATABASE_URL") or (config or {}).get("DB")
    storage = Storage(explicit or None, retention_days=cfg.retention_days or None)
    if cfg.redis_url:
        connect(cfg.redis_url).close()  # unreachable: RedisUnavailable, one line, before any request
    state = WebState(cfg, storage)
    app.extensions["tcr_doctor"] = state

    app.register_blueprint(api.blueprint)
    console.init_app(app, state)
    _install_hooks(app, state)
    _mount_slack(app, cfg)
    return app


class FromProxiesOnly:
    """WSGI middleware: requests whose peer is one of `addresses` (the reverse proxies) go through `trusted` (which
    reads X-Forwarded-*), every other request straight to `plain`, its forwarded headers ignored."""

    def __init__(self, trusted: Any, plain: Any, addresses: tuple[str, ...]):
        self.trusted, self.plain = trusted, plain
        self.networks = []
        for address in (a.strip() for a in addresses if a.strip()):
            try:
                self.networks.append(ipaddress.ip_network(address, strict=False))
            except ValueError:
                raise SettingsError(
                    f"TCR_DOCTOR_TRUSTED_PROXY_ADDRESSES: {address!r} is not an address or network (10.0.0.5, "
                    "10.0.0.0/24), nor '*'",
                    zh=f"TCR_DOCTOR_TRUSTED_PROXY_ADDRESSES：{address!r} 不是地址或网段（10.0.0.5、10.0.0.0/24），也不是 '*'",
                ) from None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        try:
            peer = ipaddress.ip_address(environ.get("REMOTE_ADDR", ""))
        except ValueError:
            peer = None
        if peer is not None and any(peer in net for net in self.networks):
            return self.trusted(environ, start_response)
        return self.plain(environ, start_response)


def _rate(name: str, spec: str) -> tuple[int, float] | None:
    """The rate limit TCR_DOCTOR_RATE_LIMIT_<NAME> gives; SettingsError, naming the variable, when it is not one."""
    try:
        return parse_rate(spec)
    except (TypeError, ValueError):
        given = f"TCR_DOCTOR_RATE_LIMIT_{name.upper()}={spec!r}"
        raise SettingsError(
            f"{given}: expected N/SECONDS (e.g. 60/60), or 0 for none",
            zh=f"{given}：应为 次数/秒数（例如 60/60），或 0 表示不限",
        ) from None


class WebState:
    """Per-process state shared by the request handlers."""

    def __init__(self, cfg: Settings, storage: Storage):
        self.cfg = cfg
        self.storage = storage
        self.metrics = Metrics()
        self.anonymous = cfg.anonymous_diagnosis()  # the same object Slack mounted on this app diagnoses with
        self.policy = self.anonymous.policy
        self.limiters = {
            name: RateLimiter(_rate(name, spec), name=name, redis_url=cfg.redis_url, on_fallback=self.backend_fallback)
            for name, spec in (
                ("ask", cfg.rate_limit_ask),
                ("diagnose", cfg.rate_limit_diagnose),
                ("feedback", cfg.rate_limit_feedback),
            )
        }
        self.diagnose_slots = threading.BoundedSemaphore(max(1, cfg.diagnose_concurrency))
        # Seams for tests: replace the knowledge / diagnostics functions.
        self.ask = cfg.ask_func
        self.redact = cfg.redact_func
        self.diagnose = cfg.diagnose_func
        storage.on_error = self.storage_error

    def backend_fallback(self, use: str, backend: str) -> None:
        """A request was served without a shared backend that could not answer (redis, database, sqlite_file): count it
        for /metrics."""
        self.metrics.inc("tcr_doctor_backend_fallbacks_total", {"backend": backend, "use": use})
        if backend == "redis":  # the deprecated name, for dashboards made before the backend label
            self.metrics.inc("tcr_doctor_redis_fallbacks_total", {"use": use})

    def storage_error(self, kind: str) -> None:
        """The storage writer hit an error (logged there): count it for /metrics."""
        self.metrics.inc("tcr_doctor_storage_errors_total", {"kind": kind})


def _cors_origin(cfg: Settings) -> str | None:
    origins = cfg.cors_origins
    if "*" in origins:
        return "*"
    origin = request.headers.get("Origin")
    return origin if origin and origin in origins else None


def _install_hooks(app: Flask, state: WebState) -> None:
    """Everything the app does around its blueprints: timing and headers, the JSON errors, the service's pages."""
    _install_timing_and_headers(app, state)
    _install_error_handlers(app)
    _install_service_routes(app, state)
    _install_widget_routes(app, state.cfg, state.anonymous.allowed())


_COMMON_HEADERS = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")]
_CORS_HEADERS = [
    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
    ("Access-Control-Allow-Headers", "Content-Type"),
    ("Access-Control-Expose-Headers", "X-Question-Id, Retry-After"),
    ("Access-Control-Max-Age", "600"),
]
_API_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"


class _ResponseHeaders:
    """The security and CORS headers of every response, worked out once from the settings (they are added to
    every request's response)."""

    def __init__(self, cfg: Settings):
        self.cfg = cfg
        self.frame_ancestors = cfg.frame_ancestors or "'none'"
        self.page_csp = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            f"frame-ancestors {self.frame_ancestors}"
        )
        self.any_origin = "*" in cfg.cors_origins
        # /api/* responses never set these themselves: added in one go
        self.api = (
            _COMMON_HEADERS
            + [("Content-Security-Policy", _API_CSP), ("Cache-Control", "no-store")]
            + ([("Access-Control-Allow-Origin", "*")] + _CORS_HEADERS if self.any_origin else [])
        )

    def apply(self, path: str, response: Response) -> None:
        """Add the headers a response to PATH needs (those it set itself are kept, outside /api/)."""
        is_api = path.startswith("/api/")
        if is_api:
            response.headers.extend(self.api)
        else:
            self._page(response)
        if (is_api and not self.any_origin) or path.startswith("/widget."):
            self._allow_origin(response)

    def _page(self, response: Response) -> None:
        headers = response.headers
        for key, value in _COMMON_HEADERS:
            headers.setdefault(key, value)
        is_html = response.mimetype == "text/html"
        headers.setdefault("Content-Security-Policy", self.page_csp if is_html else _API_CSP)
        if is_html and self.frame_ancestors in ("'self'", "'none'"):  # for browsers without CSP level 2
            headers.setdefault("X-Frame-Options", "SAMEORIGIN" if self.frame_ancestors == "'self'" else "DENY")

    def _allow_origin(self, response: Response) -> None:
        origin = _cors_origin(self.cfg)
        if not origin:
            return
        response.headers["Access-Control-Allow-Origin"] = origin
        if origin != "*":
            response.headers.add("Vary", "Origin")
        for key, value in _CORS_HEADERS:
            response.headers[key] = value


def _install_timing_and_headers(app: Flask, state: WebState) -> None:
    """Time every request for /metrics, answer CORS preflights, add the security and CORS headers."""
    headers = _ResponseHeaders(state.cfg)

    @app.before_request
    def _start() -> Response | None:
        g.t0 = time.perf_counter()
        if request.method == "OPTIONS" and request.path.startswith("/api/"):
            return app.make_response(("", 204))
        return None

    @app.after_request
    def _finish(response: Response) -> Response:
        rule = request.url_rule
        endpoint = rule.rule if rule is not None else "unmatched"
        elapsed = time.perf_counter() - g.get("t0", time.perf_counter())
        state.metrics.observe("tcr_doctor_request_duration_seconds", elapsed, {"endpoint": endpoint})
        state.metrics.inc("tcr_doctor_http_responses_total", {"endpoint": endpoint, "code": response.status_code})
        headers.apply(request.path, response)
        return response


def _install_error_handlers(app: Flask) -> None:
    """HTTP errors and crashes answer with the project's JSON error (both languages), never an HTML page."""

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        code = {
            400: "bad_request",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
            415: "unsupported_media_type",
        }.get(exc.code or 500, "http_error")
        response = error_response(exc.code or 500, code)
        methods = getattr(exc, "valid_methods", None)  # a 405 (MethodNotAllowed) has them
        if methods:  # 405 says which methods the resource has (RFC 9110)
            response.headers["Allow"] = ", ".join(sorted(set(methods)))
        return response

    @app.errorhandler(Exception)
    def _crash(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal")


def _install_service_routes(app: Flask, state: WebState) -> None:
    """/healthz for load balancers, /metrics for Prometheus (behind a bearer token when one is set)."""
    cfg = state.cfg

    @app.get("/healthz")
    def healthz() -> Response:
        # Still 200 when the writer has errors: the process answers questions, only storing them is impaired.
        # Monitors read "storage" (and tcr_doctor_storage_errors_total) to alert on that.
        storage = state.storage.health()
        return jsonify({"status": "ok" if storage["writer"] == "ok" else "degraded", "storage": storage})

    @app.get("/metrics")
    def metrics() -> Response:
        token = cfg.metrics_token
        # compared as bytes: compare_digest refuses str with non-ASCII characters (a header byte above 0x7f was a 500)
        given = request.headers.get("Authorization", "").encode("utf-8", "replace")
        if token and not secrets.compare_digest(given, f"Bearer {token}".encode()):
            return error_response(401, "unauthorized")
        return Response(state.metrics.render(), headers={"Content-Type": CONTENT_TYPE})


def _install_widget_routes(app: Flask, cfg: Settings, checks: list[str]) -> None:
    """The embeddable widget's script and style, and the stand-alone help page (CHECKS: those /api/diagnose runs)."""
    static_dir = os.path.join(os.path.dirname(__file__), "static")

    widget_source = _widget_source(static_dir, cfg.handoff_url, cfg.max_question_chars, checks)

    @app.get("/widget.js")
    def widget_js() -> Response:
        response = Response(widget_source, mimetype="application/javascript")
        response.headers["Cache-Control"] = "public, max-age=300"
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response

    @app.get("/widget.css")
    def widget_css() -> Response:
        return _static(static_dir, "widget.css", "text/css")

    # Browsers ask every page's origin for /favicon.ico unless the page names an icon: answered here, the demo page,
    # the console and an API response opened in a tab log no 404.
    @app.get("/favicon.ico")
    @app.get("/favicon.svg")
    def favicon() -> Response:
        return _static(static_dir, "favicon.svg", "image/svg+xml")

    @app.get("/")
    def index() -> Response:
        lang = request.args.get("lang", "")
        lang = lang if lang in LANGS else ""
        html = render("web", "index.html", lang=lang or "en", data_lang=lang, handoff_url=cfg.handoff_url)
        return Response(html, mimetype="text/html")


def _widget_source(directory: str, handoff_url: str, max_question_chars: int, checks: list[str]) -> str:
    """widget.js with the configured hand-off URL between its /*HANDOFF*/ and /*END*/ markers, the limits the API
    enforces (the longest question, the longest diagnosis target) between theirs: the input fields hold no more, and
    CHECKS, the checks /api/diagnose runs: a pasted log's "Run this diagnosis" offers no other."""
    with open(os.path.join(directory, "widget.js"), encoding="utf-8") as fh:
        source = fh.read()
    for marker, limit in (("MAX_QUESTION_CHARS", max_question_chars), ("MAX_TARGET_CHARS", api.MAX_TARGET_CHARS)):
        source = re.sub(rf"/\*{marker}\*/[0-9]+/\*END\*/", f"/*{marker}*/{int(limit)}/*END*/", source, count=1)
    names = json.dumps([str(c) for c in checks])  # check names: [a-z_] only, nothing to escape in a script
    source = re.sub(r"/\*CHECKS\*/\[[^\]]*\]/\*END\*/", lambda m: f"/*CHECKS*/{names}/*END*/", source, count=1)
    if not str(handoff_url).startswith(("https://", "http://")):
        log.warning("TCR_DOCTOR_HANDOFF_URL must be an http(s) URL; keeping the widget's default")
        return source
    literal = json.dumps(str(handoff_url)).replace("<", "\\u003c")
    return re.sub(r"/\*HANDOFF\*/.*?/\*END\*/", lambda m: f"/*HANDOFF*/{literal}/*END*/", source, count=1)


def _static(directory: str, name: str, mimetype: str) -> Response:
    response = send_from_directory(directory, name, mimetype=mimetype, max_age=300)
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _mount_slack(app: Flask, cfg: Settings) -> None:
    mode = cfg.slack
    if mode == "off" or (mode == "auto" and not cfg.slack_signing_secret):
        return
    from bot import slack  # Slack is optional: slack_bolt and slack_sdk are imported only when it is configured

    slack.init_app(app)
    _gate_slack(app, slack)


# Largest /slack/events body: interaction payloads repeat the whole message a button sits on.
SLACK_MAX_BODY_BYTES = 1 << 20


def _gate_slack(app: Flask, slack: Any) -> None:
    """Put the signature check in front of the /slack/events view: an unsigned, stale or wrongly signed request
    is a 401 before bolt (or anything) parses its body; a signed body bolt could not read is a 400."""
    view = app.view_functions.get("slack_events")
    service = app.config.get("TCR")
    if not isinstance(service, Settings):
        service = Settings.from_mapping(app.config)
    settings = slack.SlackSettings.from_settings(service)
    if view is None or settings is None:
        return
    secret = settings.signing_secret or ""

    def gated(*args: Any, **kwargs: Any) -> Any:  # Slack's handler's answer, or our JSON error
        from bot import slackgate  # with bot.slack: only when Slack is configured

        request.max_content_length = SLACK_MAX_BODY_BYTES
        body = request.get_data(cache=True)
        headers = request.headers
        if not slackgate.verify(
            secret, headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature"), body
        ):
            return error_response(401, "unauthorized")
        problem = slackgate.body_problem(headers.get("Content-Type"), body)
        if problem == "surrogate":
            # A signed event whose text holds half of a UTF-16 pair: answered with U+FFFD in its place rather than
            # refused (Slack retries a refusal three times and the user gets nothing). Bolt checks the signature
            # again, on the repaired body: it is signed anew with the same secret and timestamp.
            log.warning("slack: a signed request held an unpaired surrogate; replaced by U+FFFD and answered")
            body = slackgate.repair(headers.get("Content-Type"), body)
            request._cached_data = body  # what request.get_data() returns to bolt
            request.environ["HTTP_X_SLACK_SIGNATURE"] = slackgate.sign(
                secret, headers.get("X-Slack-Request-Timestamp", ""), body
            )
            problem = slackgate.body_problem(headers.get("Content-Type"), body)
        if problem:
            # the same bytes can never be read: tell Slack not to retry them
            response = error_response(400, "bad_json")
            response.headers["X-Slack-No-Retry"] = "1"
            return response
        answer = make_response(view(*args, **kwargs))
        if answer.status_code >= 500:
            # bolt answers an empty 500 when its own steps fail before a listener runs (its auth.test when Slack's
            # Web API is unreachable): say so, and let Slack retry the event later (it was not marked as seen)
            log.warning(
                "slack: bolt could not handle a signed request (its status %s): answered 503, Slack retries it;"
                " is Slack's Web API reachable?",
                answer.status_code,
            )
            return error_response(503, "slack_unavailable", retry_after=60)
        return answer

    app.view_functions["slack_events"] = gated
