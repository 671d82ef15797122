"""The support leads' console at /console: how the bot is doing, what it missed, and teaching it in one step.

    create_app() -> init_app(app, state)     # mounted by bot.web; signed-in pages only (bot/console/auth.py)

Pages are Jinja2 templates (bot/templates/console/), charts are drawn by the vendored Chart.js
(bot/static/vendor/) from the JSON each page embeds, and every figure can be downloaded as CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import hmac
import io
import json
import logging
import os
import posixpath
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from flask import Blueprint, Flask, current_app, redirect, request, send_from_directory
from flask import Response as FlaskResponse
from markupsafe import Markup
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response  # flask's and redirect()'s responses alike

import knowledge
from bot.api import client_key
from bot.console import evaluate
from bot.console.auth import Auth, same_origin
from bot.console.groups import cluster, describe, group_key
from bot.console.overlay import OverlaySource, overlay_from_rows
from bot.console.slack_signin import SignInError, SlackSignIn
from bot.console.store import DAY, ConsoleStore, Filters
from bot.render import render
from bot.shared import RateLimiter
from bot.storage import NOT_A_MISSED_QUESTION
from diagnostics import LANGS

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.web import WebState

log = logging.getLogger("tcr_doctor.console")
blueprint = Blueprint("console", __name__, url_prefix="/console")
PUBLIC = {"console.login", "console.login_post", "console.asset", "console.login_slack", "console.login_slack_callback"}
ASSETS = {"console.css", "console.js", "vendor/chart.umd.min.js"}
MAX_DAYS = 366
MAX_TEXTS = 30  # texts taught from one group
SHOWN_GROUPS = 50  # groups on the page, largest first
TOP = 15  # bars in the top-entries and log-cause charts


class Console:
    """What the console's views share, kept on the app: settings, the store, sign-in (token and, when configured,
    Slack), the taught overlay, the evaluation sets and the sign-in rate limit."""

    def __init__(self, cfg: Settings, store: ConsoleStore, auth: Auth, source: OverlaySource):
        self.cfg = cfg
        self.store = store
        self.auth = auth
        self.source = source
        self.slack = SlackSignIn.from_settings(cfg)
        self.eval_paths = evaluate.eval_paths(list(cfg.console_eval_sets))
        # sign-in attempts per client: shared across hosts when Redis is configured, like the API's limits
        self.login_limiter = RateLimiter((10, 60.0), name="console_login", redis_url=cfg.redis_url)


def init_app(app: Flask, state: WebState) -> None:
    """Mount /console and make the taught overlay part of every answer of this process."""
    cfg = state.cfg
    store = ConsoleStore(state.storage.engine)
    source = OverlaySource(store, interval=cfg.overlay_check_interval)
    knowledge.set_overlay_source(source)
    app.extensions["tcr_console"] = Console(cfg, store, Auth(cfg.console_token or ""), source)
    app.register_blueprint(blueprint)


def _console() -> Console:
    console: Console = current_app.extensions["tcr_console"]
    return console


# --- request gate ---------------------------------------------------------------------------------------
@blueprint.before_request
def _gate() -> Response | None:
    c = _console()
    if request.endpoint == "console.asset":
        return None
    if not c.auth.enabled:
        return _page("disabled.html", status=404)
    if request.method == "POST" and not same_origin():
        return _page("error.html", status=403, reason="origin")
    if request.endpoint in PUBLIC:
        return None
    session = c.auth.session()
    if session is None:
        if request.method == "GET":
            return redirect(f"/console/login?next={_safe_next(request.full_path.rstrip('?'))}", code=303)
        return _page("error.html", status=401, reason="signin")
    if request.method == "POST" and not _csrf_ok(session["csrf"]):
        return _page("error.html", status=403, reason="csrf")
    request.environ["tcr_console.session"] = session
    return None


def _csrf_ok(expected: str) -> bool:
    given = request.form.get("csrf", "")
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def _console_path(target: str) -> str:
    """`target` when it is a path of this console (never another host, nor a line break a Location header refuses:
    that was a 500), else /console."""
    path = target.split("?", 1)[0]
    if (
        not target.startswith("/console")
        or not target.isprintable()
        or "\\" in target
        or len(target) > 2000
        or not posixpath.normpath(path).startswith("/console")
    ):
        return "/console"
    return target


def _safe_next(path: str) -> str:
    return quote(path if path.startswith("/console") and not path.startswith("//") else "/console", safe="")


def _session() -> dict[str, Any]:
    return request.environ.get("tcr_console.session") or {}


def _lang() -> str:
    lang = request.args.get("lang") or request.cookies.get("tcr_console_lang")
    if lang in LANGS:
        return lang
    return request.accept_languages.best_match(["en", "zh"], default="en") or "en"


def _page(template: str, status: int = 200, **context: Any) -> Response:
    lang = _lang()
    session = _session()
    values = {
        "lang": lang,
        "zh": lang == "zh",
        "user": session.get("user"),
        "csrf": session.get("csrf", ""),
        "path": request.path,
        "error": None,
        "slack": False,
        "next": "",
        "reason": "",
    }
    values.update(context)
    html = render("console", template, **values)
    response = FlaskResponse(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    # With the service's default no-referrer policy a browser sends "Origin: null" on form posts, which the
    # origin check must refuse; same-origin keeps the real origin on our own posts and sends nothing elsewhere.
    response.headers["Referrer-Policy"] = "same-origin"
    if request.args.get("lang") in LANGS:
        response.set_cookie("tcr_console_lang", request.args["lang"], path="/console", samesite="Strict", httponly=True)
    return response


# --- sign-in --------------------------------------------------------------------------------------------
@blueprint.get("/login")
def login() -> Response:
    """GET /console/login: the sign-in form (a signed-in lead goes straight to /console)."""
    c = _console()
    if c.auth.session():
        return redirect("/console", code=303)
    csrf = c.auth.login_csrf()
    response = _page("login.html", csrf=csrf, next=request.args.get("next", ""), slack=c.slack is not None)
    c.auth.keep_login_csrf(response, csrf)
    return response


@blueprint.post("/login")
def login_post() -> Response:
    """POST /console/login {csrf, name, token, next}: a session for a right token and a name, then a redirect to `next`
    within /console; 401 for a wrong token, 403 without the form's CSRF, 429 when busy."""
    c = _console()
    given_csrf = request.form.get("csrf", "")
    expected = c.auth.login_csrf()
    if not given_csrf or not hmac.compare_digest(given_csrf.encode(), expected.encode()):
        return _page("error.html", status=403, reason="csrf")
    retry = c.login_limiter.check(client_key())
    if retry is not None:
        response = _page("login.html", status=429, csrf=expected, next="", error="busy")
        response.headers["Retry-After"] = str(retry)
        return response
    name = " ".join(request.form.get("name", "").split())[:80]
    if not c.auth.check_token(request.form.get("token", "")) or not name:
        return _page("login.html", status=401, csrf=expected, next="", error="token" if name else "name")
    target = _console_path(request.form.get("next", ""))
    response = redirect(target, code=303)
    c.auth.start(response, f"{name} (token)")
    return response


def _slack_redirect_uri() -> str:
    return request.host_url.rstrip("/") + "/console/login/slack/callback"


@blueprint.get("/login/slack")
def login_slack() -> Response:
    """GET /console/login/slack: a redirect to Slack's authorize page, the state and nonce kept in a signed cookie; 404
    when Slack sign-in is not configured."""
    c = _console()
    if c.slack is None:
        return _page("error.html", status=404, reason="slack_off")
    state, nonce = SlackSignIn.new_state()
    response = redirect(c.slack.authorize_url(_slack_redirect_uri(), state, nonce), code=303)
    c.auth.keep_oidc(response, state, nonce)
    return response


@blueprint.get("/login/slack/callback")
def login_slack_callback() -> Response:
    """GET /console/login/slack/callback: Slack's redirect; a session when the code's id_token checks out (state, nonce,
    workspace), else the sign-in page with a 401 (403 for a bad state)."""
    c = _console()
    if c.slack is None:
        return _page("error.html", status=404, reason="slack_off")
    pending = c.auth.oidc()
    state, code = request.args.get("state", ""), request.args.get("code", "")
    if pending is None or not code or not hmac.compare_digest(state.encode(), pending["state"].encode()):
        return _page("error.html", status=403, reason="csrf")
    try:
        claims = c.slack.exchange(code, _slack_redirect_uri(), pending["nonce"])
    except SignInError as exc:
        log.warning("console: Slack sign-in refused: %s", exc)
        return _page("login.html", status=401, csrf=c.auth.login_csrf(), slack=True, error="slack")
    # Slack's redirect is a cross-site navigation: a SameSite=Strict cookie set now is sent from the next
    # navigation this page starts, so the page moves on by itself instead of redirecting.
    response = _page("signed_in.html")
    c.auth.start(response, SlackSignIn.user_name(claims))
    return response


@blueprint.post("/logout")
def logout() -> Response:
    """POST /console/logout: ends the session and redirects to the sign-in page."""
    response = redirect("/console/login", code=303)
    _console().auth.end(response)
    return response


@blueprint.get("/static/<path:name>")
def asset(name: str) -> Response:
    """GET /console/static/NAME: the console's CSS, script and vendored Chart.js (only those), public so the sign-in
    page is styled."""
    if name not in ASSETS:
        return FlaskResponse("not found", status=404, mimetype="text/plain")
    directory = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static")
    response = send_from_directory(directory, name, max_age=300)
    return response


# --- overview: charts -----------------------------------------------------------------------------------
def _filters() -> tuple[Filters, dict[str, str]]:
    today = dt.datetime.now(dt.UTC).date()

    def day(name: str, default: dt.date) -> dt.date:
        raw = request.args.get(name, "")
        if not raw:
            return default
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise BadRequest(f"{name}: expected YYYY-MM-DD") from None

    end = day("to", today)
    start = day("from", end - dt.timedelta(days=29))
    if start > end:
        start, end = end, start
    if (end - start).days >= MAX_DAYS:
        start = end - dt.timedelta(days=MAX_DAYS - 1)
    channel = request.args.get("channel", "")[:40] or None
    f = Filters(start=_epoch(start), end=_epoch(end) + DAY, channel=channel)
    return f, {"from": start.isoformat(), "to": end.isoformat(), "channel": channel or ""}


def _epoch(d: dt.date) -> float:
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC).timestamp()


def _iso(day: int) -> str:
    return dt.datetime.fromtimestamp(day * DAY, dt.UTC).date().isoformat()


# A day's outcome counts: every question is answered, refused or small talk (a greeting or thanks is no question
# the FAQ missed, as in the unanswered report); thumbs-down votes are counted beside them.
OUTCOMES = ("questions", "answered", "refused", "smalltalk", "down")


def _outcome(status: str, refusal: str | None) -> str:
    if status != "no_answer":
        return "answered"
    return "smalltalk" if refusal in NOT_A_MISSED_QUESTION else "refused"


def chart_data(store: ConsoleStore, f: Filters) -> dict[str, Any]:
    """Everything the overview's charts show (and the CSV export writes), from the storage queries."""
    first, last = int(f.start // DAY), int((f.end - 1) // DAY)
    days = list(range(first, last + 1))
    summary = store.summary(f)
    down = store.thumbs_down_per_day(f)
    channels = sorted({row[1] for row in summary})
    counts: dict[tuple[int, str], int] = {}
    outcomes: dict[int, dict[str, int]] = {}
    answered: dict[str, int] = {}
    causes: dict[str, int] = {}
    for d, ch, status, answer_id, log_code, refusal, n in summary:
        counts[d, ch] = counts.get((d, ch), 0) + n
        row = outcomes.setdefault(d, dict.fromkeys(OUTCOMES, 0))
        row["questions"] += n
        row[_outcome(status, refusal)] += n
        if answer_id and status != "no_answer":
            answered[answer_id] = answered.get(answer_id, 0) + n
        if log_code:
            causes[log_code] = causes.get(log_code, 0) + n
    for d, n in down.items():
        outcomes.setdefault(d, dict.fromkeys(OUTCOMES, 0))["down"] += n
    entry_down = store.thumbs_down_by_entry(f)
    top = sorted(answered.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]

    def share(d: int, key: str) -> float | None:
        row = outcomes.get(d)
        return round(100.0 * row[key] / row["questions"], 1) if row and row["questions"] else None

    kb, _ = knowledge.get_matcher()
    return {
        "days": [_iso(d) for d in days],
        "per_day": {c: [counts.get((d, c), 0) for d in days] for c in channels},
        "outcomes": {
            "answered": [share(d, "answered") for d in days],
            "refused": [share(d, "refused") for d in days],
            "smalltalk": [share(d, "smalltalk") for d in days],
            "down": [share(d, "down") for d in days],
            "questions": [outcomes[d]["questions"] if d in outcomes else 0 for d in days],
        },
        "top_entries": [
            {
                "id": a,
                "number": kb.by_id[a].number if a in kb.by_id else None,
                "answered": n,
                "down": entry_down.get(a, 0),
            }
            for a, n in top
        ],
        "log_causes": [
            {"code": c, "count": n} for c, n in sorted(causes.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
        ],
        "findings": [{"code": c, "status": s, "count": n} for c, s, n in store.finding_codes(f)],
        "total": sum(row[-1] for row in summary),
    }


@blueprint.get("")
@blueprint.get("/")
def overview() -> Response:
    """GET /console: the overview charts (answered, refused, thumbs-down per day, ...) for the date range and channel in
    the query."""
    c = _console()
    f, params = _filters()
    data = chart_data(c.store, f)
    zh = _lang() == "zh"
    labels = {
        "answered": "已回答 %" if zh else "Answered %",
        "refused": "拒答 %" if zh else "Refused %",
        "smalltalk": "闲聊 %" if zh else "Small talk %",
        "down": "差评 %" if zh else "Thumbs-down %",
        "answered_n": "回答次数" if zh else "Answered",
        "down_n": "差评" if zh else "Thumbs-down",
        "count": "次数" if zh else "Count",
    }
    return _page(
        "overview.html",
        data=data,
        params=params,
        channels=c.store.channels(),
        charts=CHARTS,
        data_json=dumps(data),
        labels_json=dumps(labels),
    )


@blueprint.get("/export.csv")
def export_csv() -> Response:
    """GET /console/export.csv?chart=NAME: one overview chart's figures as a CSV download (400 for an unknown chart)."""
    c = _console()
    chart = request.args.get("chart", "")
    if chart not in CHARTS:
        raise BadRequest(f"chart: one of {', '.join(CHARTS)}")
    f, params = _filters()
    out = io.StringIO()
    csv.writer(out).writerows(_CSV_ROWS[chart](chart_data(c.store, f)))
    name = (
        f"tcr-doctor-{chart}-{params['from']}-{params['to']}{'-' + params['channel'] if params['channel'] else ''}.csv"
    )
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    return FlaskResponse(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{safe}"', "Cache-Control": "no-store"},
    )


def _per_day_rows(data: dict[str, Any]) -> Iterator[list[Any]]:
    chans = sorted(data["per_day"])
    yield ["day", *chans]
    for i, day in enumerate(data["days"]):
        yield [day, *(data["per_day"][ch][i] for ch in chans)]


def _outcome_rows(data: dict[str, Any]) -> Iterator[list[Any]]:
    o = data["outcomes"]
    shares = ("answered", "refused", "down", "smalltalk")  # small talk last: the earlier columns keep their places
    yield ["day", "questions", "answered_pct", "refused_pct", "thumbs_down_pct", "smalltalk_pct"]
    for i, day in enumerate(data["days"]):
        yield [day, o["questions"][i], *("" if o[k][i] is None else o[k][i] for k in shares)]


def _top_entry_rows(data: dict[str, Any]) -> Iterator[list[Any]]:
    yield ["entry", "number", "answered", "thumbs_down"]
    for row in data["top_entries"]:
        yield [row["id"], row["number"], row["answered"], row["down"]]


def _log_cause_rows(data: dict[str, Any]) -> Iterator[list[Any]]:
    yield ["code", "count"]
    for row in data["log_causes"]:
        yield [row["code"], row["count"]]


def _finding_rows(data: dict[str, Any]) -> Iterator[list[Any]]:
    yield ["code", "status", "count"]
    for row in data["findings"]:
        yield [row["code"], row["status"], row["count"]]


# The overview's charts in page order, each with its CSV: a header row, then the chart's rows.
_CSV_ROWS: dict[str, Callable[[dict[str, Any]], Iterator[list[Any]]]] = {
    "per_day": _per_day_rows,
    "outcomes": _outcome_rows,
    "top_entries": _top_entry_rows,
    "log_causes": _log_cause_rows,
    "findings": _finding_rows,
}
CHARTS = tuple(_CSV_ROWS)  # one list of the charts: a chart without a CSV writer cannot exist


# --- missed questions, grouped ----------------------------------------------------------------------------
def _groups(c: Console, f: Filters) -> list[dict[str, Any]]:
    """The missed questions in `f`, grouped; texts already taught are left out."""
    taught = {" ".join(t["text"].split()).casefold() for row in c.store.active_overlay() for t in row["texts"]}
    items = [i for i in c.store.missed_texts(f) if " ".join(i["text"].split()).casefold() not in taught]
    return cluster(items)


@blueprint.get("/questions")
def questions() -> Response:
    """GET /console/questions: the unanswered and thumbs-down questions, grouped, with the FAQ entries to teach them
    to."""
    c = _console()
    f, params = _filters()
    lang = _lang()
    kb, _ = knowledge.get_matcher()
    groups = [describe(g, lang) for g in _groups(c, f)[:SHOWN_GROUPS]]
    entries = [{"id": e.id, "number": e.number, "question": e.question[lang]} for e in kb.entries]
    return _page("questions.html", groups=groups, params=params, channels=c.store.channels(), entries=entries)


@blueprint.post("/teach")
def teach() -> Response:
    """Preview (step=preview: the evaluation with and without the act) or accept (step=accept) a teaching act."""
    c = _console()
    f, params = _filters()
    form = request.form
    key = form.get("group", "")
    # A group is found by any of its texts' keys: new questions may have changed which text leads it.
    group = next((g for g in _groups(c, f) if key in {group_key(t["text"]) for t in g["texts"]}), None)
    if group is None:
        return _page("error.html", status=409, reason="gone")
    kb, _ = knowledge.get_matcher()
    action = form.get("action", "")
    act: dict[str, Any] = {"texts": [{"text": t["text"], "lang": t.get("lang")} for t in group["texts"][:MAX_TEXTS]]}
    if action == "assign":
        entry_id = form.get("entry", "")
        if entry_id not in kb.by_id:
            return _page("error.html", status=400, reason="entry")
        act.update(kind="phrasings", entry_id=entry_id)
    elif action == "out_of_scope":
        topic = " ".join(form.get("topic", "").split())[:200]
        pointer = " ".join(form.get("pointer", "").split())[:500]
        if not topic:
            return _page("error.html", status=400, reason="topic")
        act.update(kind="topic", topic=topic, pointer=pointer)
    else:
        return _page("error.html", status=400, reason="action")

    current = c.source()
    rows = c.store.active_overlay()
    proposed_row = dict(act, id=f"proposed-{int(time.time())}")
    proposed = overlay_from_rows("proposed", rows + [proposed_row])  # its version is a hash of its content
    result = evaluate.compare(current, proposed, c.eval_paths)
    preview: dict[str, Any] = {
        "group": group,
        "act": act,
        "result": result,
        "params": params,
        "entry": kb.by_id.get(act.get("entry_id") or ""),
    }
    if form.get("step") == "accept":
        if result["lowered"] and form.get("confirm") != "yes":
            return _page("preview.html", status=409, need_confirm=True, **preview)
        teach_id = c.store.teach(author=_session()["user"], evaluation=result, **act)
        c.source.refresh()
        return redirect(f"/console/audit?taught={teach_id}", code=303)
    return _page("preview.html", need_confirm=False, **preview)


# --- audit and undo ---------------------------------------------------------------------------------------
@blueprint.get("/audit")
def audit() -> Response:
    """GET /console/audit: every teaching act, newest first, with who taught or undid it and when."""
    c = _console()
    kb, _ = knowledge.get_matcher()
    rows = c.store.audit()
    lang = _lang()
    for row in rows:
        e = kb.by_id.get(row.get("entry_id") or "")
        row["entry_question"] = e.question[lang] if e else None
        row["when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(row["ts"]))
        row["undone_when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(row["undone"])) if row["undone"] else None
    taught = request.args.get("taught", "")
    return _page(
        "audit.html", rows=rows, taught=taught if taught.isdigit() else "", undone=request.args.get("undone", "")
    )


@blueprint.post("/audit/<int:teach_id>/undo")
def undo(teach_id: int) -> Response:
    """POST /console/audit/ID/undo: undo a teaching act and reload the overlay; 409 when it was already undone or does
    not exist."""
    c = _console()
    if not c.store.undo(teach_id, author=_session()["user"]):
        return _page("error.html", status=409, reason="undone")
    c.source.refresh()
    return redirect(f"/console/audit?undone={teach_id}", code=303)


def dumps(value: Any) -> Markup:
    """JSON for a <script type="application/json"> block, as Markup: the autoescaping template inserts it as is (HTML
    escaping would break the JSON), and no "</script>" can appear in it ("<" is written \\u003c)."""
    return Markup(json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c"))
