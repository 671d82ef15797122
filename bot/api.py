"""JSON API of the web channel: /api/ask, /api/diagnose, /api/feedback, /api/openapi.json.

Thin adapter: parse and limit the request, call `knowledge` / `diagnostics`, store the redacted question,
count metrics, and (for the widget, on `"render": "html"`) add server-rendered, sanitised HTML from the
Jinja2 templates in bot/templates/web/.
"""

from __future__ import annotations

import functools
import json
import os
import re
import secrets
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from flask import Blueprint, Response, current_app, jsonify, request
from markupsafe import Markup

import diagnostics
import knowledge
from bot import json_body, messages, questions
from bot.batch import blank
from bot.questions import count_question, question_fields
from bot.render import render
from bot.settings import Settings
from diagnostics import LANGS, AnonymousDiagnosis
from diagnostics import checks as checks_registry

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from bot.settings import AskFunc
    from bot.web import WebState
    from knowledge import AskResult, CauseText, LogCause, LogVerdict

blueprint = Blueprint("api", __name__)

RENDERS = ("html",)  # values of "render"
MAX_TARGET_CHARS = AnonymousDiagnosis.MAX_TARGET
# /api/feedback's identifiers: an FAQ entry id, the knowledge base's version, the X-Question-Id it answers
MAX_ANSWER_ID, MAX_KB_VERSION, MAX_QUESTION_ID = 100, 100, 64


def anonymous_checks() -> tuple[str, ...]:
    """Every check an anonymous caller may run (the registry's ANONYMOUS ones), run anonymously: the credentials
    check then reports what anonymous access allows. A password is left to the CLI (`cli.command` in responses).
    A service runs those of them its operator allows (TCR_DOCTOR_DIAGNOSE_CHECKS: `AnonymousDiagnosis.allowed()`)."""
    return checks_registry.anonymous_names()


ERRORS: dict[str, dict[str, str]] = {
    "bad_request": {"en": "The request could not be read.", "zh": "无法读取该请求。"},
    "slack_unavailable": {
        "en": "Slack's Web API could not be reached; the event will be handled when Slack retries it.",
        "zh": "无法连接 Slack 的 Web API；Slack 重试时会处理这个事件。",
    },
    "bad_json": {"en": "The request body must be a JSON object.", "zh": "请求正文必须是 JSON 对象。"},
    "too_deep": {
        "en": "The JSON is nested too deeply (at most {limit} levels).",
        "zh": "JSON 嵌套层数过多（最多 {limit} 层）。",
    },
    "bad_text": {
        "en": "The request holds text that is not valid Unicode (an unpaired surrogate such as \\ud800).",
        "zh": "请求中含有无效的 Unicode 文本（例如 \\ud800 这样的单独代理项）。",
    },
    "missing_question": {"en": 'Give a question in the field "q".', "zh": '请在字段 "q" 中填写问题。'},
    "question_too_long": messages.too_long("question", "{limit}"),  # as `ask` says it
    "bad_lang": {"en": '"lang" must be "zh" or "en".', "zh": '"lang" 必须是 "zh" 或 "en"。'},
    "bad_render": {"en": '"render" must be "html" (or left out).', "zh": '"render" 只能是 "html"（或省略）。'},
    "missing_target": {
        "en": 'Give a registry host or image reference in the field "target".',
        "zh": '请在字段 "target" 中填写镜像仓库域名或镜像地址。',
    },
    "target_too_long": messages.sentence(messages.too_long("target", "{limit}")),  # as `diagnose` says it
    "bad_checks": {  # {names}: the checks this service runs (the operator may have narrowed them)
        "en": '"checks" must be a list of the checks this service runs: {names}.',
        "zh": '"checks" 必须是本服务运行的检查项名称的列表：{names}。',
    },
    "bad_cause": {
        "en": '"cause" must be a cause code from a pasted log (as in the "log" of /api/ask), and '
        '"also" a list of at most 2 such codes.',
        "zh": '"cause" 必须是日志原因代码（即 /api/ask 返回的 "log" 中的代码），"also" 最多 2 个此类代码。',
    },
    "bad_feedback": {
        "en": 'Feedback needs "answer_id", "kb_version" (strings) and "helpful" (true or false).',
        "zh": '反馈需要 "answer_id"、"kb_version"（字符串）和 "helpful"（true 或 false）。',
    },
    "unknown_answer": {"en": "There is no answer with that id.", "zh": "没有该 id 对应的答案。"},
    "rate_limited": {
        "en": "Too many requests; try again in {retry_after} seconds.",
        "zh": "请求过于频繁，请在 {retry_after} 秒后重试。",
    },
    "busy": {
        "en": "Too many diagnoses are running; try again in {retry_after} seconds.",
        "zh": "正在运行的诊断过多，请在 {retry_after} 秒后重试。",
    },
    "unavailable": {"en": "This part of the service is not available right now.", "zh": "该服务暂时不可用。"},
    "not_found": {"en": "Not found.", "zh": "未找到。"},
    "method_not_allowed": {"en": "This method is not allowed here.", "zh": "不允许此请求方法。"},
    "too_large": {"en": "The request is too large.", "zh": "请求过大。"},
    "unsupported_media_type": {"en": "Send JSON.", "zh": "请发送 JSON。"},
    "unauthorized": {"en": "Authorization required.", "zh": "需要授权。"},
    "http_error": {"en": "The request failed.", "zh": "请求失败。"},
    "internal": {"en": "Something went wrong on our side; please try again later.", "zh": "服务内部出错，请稍后重试。"},
}


# A request's JSON object: its values are whatever the client sent, each checked before it is used.
JSONObject = dict[str, object]


# --- helpers --------------------------------------------------------------------------------------------
def _state() -> WebState:
    state: WebState = current_app.extensions["tcr_doctor"]  # set by create_app
    return state


def request_lang(body: Mapping[str, object] | None = None) -> str:
    """The language to answer in: the body's `lang` when valid, else zh for a Chinese Accept-Language, else en."""
    lang = body.get("lang") if isinstance(body, Mapping) else None
    if isinstance(lang, str) and lang in LANGS:
        return lang
    accept = request.headers.get("Accept-Language", "") if request else ""
    return "zh" if accept.lower().lstrip().startswith("zh") else "en"


def error_response(
    status: int, code: str, *, retry_after: int | None = None, body: Mapping[str, object] | None = None, **fmt: Any
) -> Response:
    """The JSON error answer: {error, message, messages} with `code`'s wording in both languages (`message` in the
    request's language), the status, and Retry-After when given."""
    templates = ERRORS.get(code, ERRORS["http_error"])
    fill = {"retry_after": retry_after, **fmt}
    said = {lang: templates[lang].format(**fill) for lang in LANGS}
    response = jsonify({"error": code, "message": said[request_lang(body)], "messages": said})
    response.status_code = status
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def client_key() -> str:
    """The key rate limits count by: the client's address."""
    return request.remote_addr or "unknown"


def _limited(name: str) -> Response | None:
    state = _state()
    retry = state.limiters[name].check(client_key())
    if retry is None:
        return None
    state.metrics.inc("tcr_doctor_rate_limited_total", {"endpoint": name})
    return error_response(429, "rate_limited", retry_after=retry)


# No field of any endpoint nests: a body deeper than this is refused before the parser recurses into it.
MAX_JSON_DEPTH = json_body.MAX_DEPTH


class BadBody(ValueError):
    """A request body the API refuses: `code` is the error code, `fmt` fills its message."""

    def __init__(self, code: str, **fmt: Any):  # str.format's arguments
        super().__init__(code)
        self.code, self.fmt = code, fmt


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def parse_json_object(raw: bytes) -> JSONObject:
    """A request body -> its JSON object, or BadBody: strict UTF-8, no NaN/Infinity, at most MAX_JSON_DEPTH
    levels (checked before parsing, so no recursion error), no unpaired surrogates in any string (they are
    valid JSON escapes but no text: they would fail every later encoder — database, log, response)."""
    if not json_body.nesting_ok(raw):
        raise BadBody("too_deep", limit=MAX_JSON_DEPTH)
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadBody("bad_json") from exc
    if not isinstance(body, dict):
        raise BadBody("bad_json")
    if json_body.has_lone_surrogate(body):
        raise BadBody("bad_text")
    return body


def _json_request(endpoint: str) -> JSONObject | Response:
    """The request's JSON object, or the error response to return: rate limit first, then size and shape."""
    limited = _limited(endpoint)
    if limited is not None:
        return limited
    length = request.content_length
    if length is not None and length > current_app.config["MAX_CONTENT_LENGTH"]:
        return error_response(413, "too_large")
    try:
        return parse_json_object(request.get_data(cache=True))
    except BadBody as bad:
        return error_response(400, bad.code, **bad.fmt)


# --- rendering (widget) ---------------------------------------------------------------------------------
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "div",
    "span",
    "section",
    "details",
    "summary",
}


@functools.lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt  # only HTML answers (render=html, the console) need the Markdown parser

    # No raw HTML from markdown: "<img onerror=...>" stays text.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def sanitize(html: str) -> str:
    """Rendered HTML reduced by nh3 to the tags and attributes the widget uses (scripts and styles dropped, links opened
    in a new tab with rel=noopener): nothing from a question or an entry runs in the page."""
    import nh3  # with the Markdown parser: only for HTML answers

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes={
            "a": {"href", "title"},
            "*": {"class", "lang", "role", "aria-label", "aria-hidden", "data-code", "data-status"},
        },
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    )


def sanitized(html: str) -> Markup:
    """`html` reduced by `sanitize` and marked safe: the one way HTML enters the autoescaping web templates, which
    insert Markup as is and escape every plain str (a question, a host, a summary)."""
    return Markup(sanitize(html))


@functools.lru_cache(maxsize=512)
def markdown_html(text: str) -> Markup:
    """Markdown (no raw HTML) -> sanitised HTML, as Markup (see `sanitized`)."""
    return sanitized(_markdown().render(text or ""))


def _render(template: str, **context: object) -> str:
    return sanitize(render("web", template, **context))


def _heading_shift(html: str) -> str:
    # answer markdown may use h1/h2; inside the widget those are h4/h5
    return re.sub(r"<(/?)h([1-2])>", lambda m: f"<{m.group(1)}h{int(m.group(2)) + 3}>", html)


def render_answer(result: AskResult) -> str:
    """The widget's HTML for an /api/ask result: the answer's Markdown (headings shifted down a level), its http(s)
    links, sanitised."""
    answer = result.get("answer")
    body = _heading_shift(_markdown().render(answer.get("answer") or "")) if answer else ""
    links = [
        link
        for link in (answer.get("links") or [] if answer else [])
        if isinstance(link, dict) and str(link.get("url", "")).startswith(("https://", "http://"))
    ]
    return _render(
        "answer.html",
        result=result,
        answer=answer or {},
        lang=result.get("lang") or "en",
        body=sanitized(body),
        links=links,
    )


def render_findings(result: Mapping[str, Any], lang: str) -> str:
    """The widget's HTML for an /api/diagnose result in `lang`: the findings with their fixes, the CLI command and the
    log verdict, sanitised."""
    findings = [
        dict(f, fix_html=markdown_html(_pick(f.get("fix"), lang)), summary_text=_pick(f.get("summary"), lang))
        for f in result.get("findings", [])
    ]
    return _render(
        "findings.html",
        findings=findings,
        lang=lang,
        cli=result.get("cli"),
        target=result.get("target"),
        verdict=result.get("log_verdict"),
    )


def render_log(log: LogCause, lang: str) -> str:
    """The cause card of a pasted log (issue 6), in `lang`: summary, evidence (escaped text), fix and note
    (markdown without raw HTML, sanitised), the other possible causes. The widget adds the run button."""
    also = []
    for code in log.get("also") or []:
        text = _cause_text(str(code))
        also.append({"code": str(code), "summary": _pick(text["summary"] if text else None, lang)})
    note = _pick(log.get("note"), lang)
    return _render(
        "log.html",
        log=log,
        lang=lang,
        summary=_pick(log.get("summary"), lang),
        fix_html=markdown_html(_pick(log.get("fix"), lang)),
        note_html=markdown_html(note) if note else None,
        also=also,
    )


def _cause_text(code: str) -> CauseText | None:
    try:
        return knowledge.cause_text(code)
    except KeyError:
        return None


def _pick(text: object, lang: str) -> str:
    if isinstance(text, dict):
        return str(text.get(lang) or text.get("en") or text.get("zh") or "")
    return "" if text is None else str(text)


# --- /api/ask -------------------------------------------------------------------------------------------
def _ask_func() -> AskFunc:
    state = _state()
    if state.ask is None:
        state.ask = knowledge.ask
    return state.ask


def _explain_log(text: str) -> LogCause | None:
    """knowledge.explain_log; its failure never costs the answer."""
    try:
        return knowledge.explain_log(text)
    except Exception:
        current_app.logger.warning("explain_log failed", exc_info=True)
        return None


def _redact(text: str) -> tuple[str, list[str]]:
    state = _state()
    if state.redact is None:
        state.redact = knowledge.redact
    masked, kinds = state.redact(text)
    return masked, list(kinds or [])


@blueprint.post("/api/ask")
def api_ask() -> Response:
    """POST /api/ask {q, lang?, render?}: the FAQ answer (or the honest no-answer) and the pasted log's cause; stores
    the redacted question, counts it, and sets X-Question-Id for feedback."""
    state = _state()
    body = _json_request("ask")
    if isinstance(body, Response):
        return body
    question = body.get("q")
    if not isinstance(question, str) or blank(question):
        return error_response(400, "missing_question", body=body)
    limit = state.cfg.max_question_chars
    if len(question) > limit:
        return error_response(413, "question_too_long", body=body, limit=limit)
    error = _lang_or_render_error(body)
    if error is not None:
        return error

    lang = _body_lang(body)
    result = _ask_func()(question, lang)
    if "log" not in result:  # a knowledge version (or a test's stand-in) without the pasted-log cause
        result = {**result, "log": _explain_log(question)}

    qid = secrets.token_hex(8)
    masked, kinds = _redact(question)
    state.storage.record_question(qid, masked, channel="web", redacted=kinds, **question_fields(result))
    count_question(state.metrics.inc, "web", result)

    answered: dict[str, object] = dict(result)  # the ask() result, and with render=html its HTML
    answered["refused_targets"] = refused_targets(state, result)
    if body.get("render") == "html":
        answered["html"] = render_answer(result)
        log = result.get("log")
        if isinstance(log, dict):
            answered["log_html"] = render_log(log, result.get("lang") or lang or "en")
    response = jsonify(answered)
    response.headers["X-Question-Id"] = qid
    return response


def refused_targets(state: WebState, result: Mapping[str, Any]) -> list[str]:
    """The diagnosis targets an answer names that /api/diagnose would refuse under this service's address policy
    (bot.questions.refused_targets, Slack's rule too), so a channel offers no diagnosis the service always refuses."""
    return questions.refused_targets(result, state.policy, lambda target: _redact(target)[0])


# --- /api/diagnose --------------------------------------------------------------------------------------
def _refused_finding(host: str, refusal: str, target: str) -> diagnostics.FindingDict:
    reason = {"zh": getattr(refusal, "zh", str(refusal)), "en": getattr(refusal, "en", str(refusal))}
    return diagnostics.finding(
        "dns",
        "TARGET_REFUSED",
        host=host,
        reason=reason,
        policy=getattr(refusal, "code", ""),
        target=shlex.quote(target.strip()),  # the fix's command names the target as asked, as cli_command does
    ).to_dict()


def cli_command(target: str) -> dict[str, Any]:
    """The `tcr-doctor diagnose` command line to run locally for the checks the web does not do (credentials are never
    asked for on the web), with a note in both languages."""
    quoted = shlex.quote(target.strip())
    return {
        "command": f"tcr-doctor diagnose {quoted} --username <USERNAME> --password-stdin",
        "note": {
            "zh": "网页不收集凭证。如需检查登录、权限或推送，请在您自己的机器上运行此命令（密码从标准输入读取）。",
            "en": "The web never asks for credentials. To check login, permissions or push, run this on your "
            "own machine (the password is read from standard input).",
        },
    }


@blueprint.post("/api/diagnose")
def api_diagnose() -> Response:
    """POST /api/diagnose {target, checks?, log?, lang?, render?}: the anonymous checks' findings for the (redacted)
    target, the CLI command for the rest, and whether they confirm the pasted log's cause."""
    state = _state()
    body = _json_request("diagnose")
    if isinstance(body, Response):
        return body
    asked = _diagnose_request(body, state.anonymous.allowed())
    if isinstance(asked, Response):
        return asked
    try:
        cause = _log_cause(body)
    except BadBody as bad:
        return error_response(400, bad.code, body=body)
    # A pasted secret is never echoed (target, findings, the CLI command): diagnose the masked text, which
    # the name rules then refuse.
    target = _redact(asked.target.strip())[0]
    result = _diagnosis(state, target, asked.checks, body)
    if isinstance(result, Response):
        return result
    result["cli"] = cli_command(target)
    if cause is not None:
        result["log_verdict"] = log_verdict(cause, result)
    _count_diagnosis(state, result)
    if body.get("render") == "html":
        result["html"] = render_findings(result, request_lang(body))
    return jsonify(result)


def _body_lang(body: JSONObject) -> str | None:
    """The body's `lang` (one of LANGS, as _lang_or_render_error checked), or None when it has none."""
    lang = body.get("lang")
    return lang if isinstance(lang, str) and lang in LANGS else None


def _lang_or_render_error(body: JSONObject) -> Response | None:
    """400 when the body asks for a language or a rendering the API does not offer, else None."""
    if "lang" in body and body.get("lang") not in LANGS:
        return error_response(400, "bad_lang", body=body)
    if "render" in body and body["render"] not in RENDERS:
        return error_response(400, "bad_render", body=body)
    return None


@dataclass(frozen=True)
class DiagnoseRequest:
    """The fields of a well-formed /api/diagnose body the diagnosis uses."""

    target: str
    checks: list[str] | None  # None: every anonymous check


def _diagnose_request(body: JSONObject, allowed: list[str]) -> DiagnoseRequest | Response:
    """The /api/diagnose body's target and checks, or the 400/413 answer to a malformed body (target, lang,
    render, checks: names of ALLOWED, the checks this service runs)."""
    target = body.get("target")
    if not isinstance(target, str) or blank(target):
        return error_response(400, "missing_target", body=body)
    if len(target) > MAX_TARGET_CHARS:
        return error_response(413, "target_too_long", body=body, limit=MAX_TARGET_CHARS)
    error = _lang_or_render_error(body)
    if error is not None:
        return error
    checks = body.get("checks")
    if "checks" in body and (
        not isinstance(checks, list)
        or len(checks) > len(allowed)
        or not all(isinstance(c, str) and c in allowed for c in checks)
    ):
        return error_response(400, "bad_checks", body=body, names=", ".join(allowed))
    return DiagnoseRequest(target, [str(c) for c in checks] if isinstance(checks, list) else None)


def _diagnosis(state: WebState, target: str, checks: list[str] | None, body: JSONObject) -> dict[str, Any] | Response:
    """The anonymous diagnosis of TARGET (a refusal when the address policy refuses it), or the 503 answer when
    every diagnosis slot is taken or the diagnosis could not run."""
    host, refusal = state.policy.check_target(target)
    if refusal is not None:
        return {
            "target": target,
            "findings": [_refused_finding(host, refusal, target)],
            "exit_code": 1,
            "refused": True,
        }
    if not state.diagnose_slots.acquire(blocking=False):
        return error_response(503, "busy", retry_after=5, body=body)
    try:
        result = _run_diagnosis(state, target, checks)
    finally:
        state.diagnose_slots.release()
    return result if result is not None else error_response(503, "unavailable", body=body)


def _count_diagnosis(state: WebState, result: dict[str, Any]) -> None:
    """The outcome and each finding for /metrics, the finding codes for the console's chart."""
    outcome = "refused" if result.get("refused") else ("failed" if result.get("exit_code") else "ok")
    state.metrics.inc("tcr_doctor_diagnoses_total", {"outcome": outcome})
    state.storage.record_findings(result["findings"], channel="web")  # codes only: the console's chart
    for f in result["findings"]:
        state.metrics.inc(
            "tcr_doctor_diagnosis_findings_total",
            {"check": f.get("check", ""), "status": f.get("status", ""), "code": f.get("code", "")},
        )


def _log_cause(body: JSONObject) -> tuple[str, list[str]] | None:
    """The optional ("cause", "also") of a pasted log whose diagnosis this is: None when there is no `cause`
    (an `also` alone says nothing to confirm: ignored once checked), BadBody("bad_cause") when malformed (not
    cause codes of knowledge.logs)."""
    cause, also = body.get("cause"), body.get("also", [])
    codes = knowledge.log_causes()
    if "also" in body and (
        not isinstance(also, list) or len(also) > 2 or not all(isinstance(c, str) and c in codes for c in also)
    ):
        raise BadBody("bad_cause")
    if "cause" not in body:
        return None
    if not isinstance(cause, str) or cause not in codes:
        raise BadBody("bad_cause")
    return cause, [str(c) for c in also] if isinstance(also, list) else []


def log_verdict(cause: tuple[str, list[str]], result: Mapping[str, Any]) -> LogVerdict:
    """Whether a diagnosis confirms a pasted log's cause, as `tcr-doctor explain --run` says it:
    {"verdict": confirmed|other|not_reproduced|not_run, "codes": [...]} (codes = the findings that confirm the
    cause or one of its alternatives, most likely first; else the failing/warning ones)."""
    if result.get("refused"):
        return {"verdict": "not_run", "codes": []}
    code, also = cause
    return knowledge.log_verdict(code, also, result.get("findings") or [])


@runtime_checkable
class _Reported(Protocol):
    """What a diagnosis returns: diagnostics.Report, or a test's stand-in with the same `to_dict`."""

    def to_dict(self) -> diagnostics.ReportDict: ...


def _run_diagnosis(state: WebState, target: str, checks: list[str] | None = None) -> dict[str, Any] | None:
    anonymous = state.anonymous  # diagnostics.policy.AnonymousDiagnosis: the same rules as Slack's
    only = anonymous.checks_for(checks)
    report: _Reported | Mapping[str, Any]
    if state.diagnose is not None:
        report = state.diagnose(
            target, policy=anonymous.policy, timeout=anonymous.timeout, nameserver=anonymous.nameserver, only=only
        )
    else:
        report = diagnostics.diagnose(target, anonymous.options(only))
    data: dict[str, Any] = {**report.to_dict()} if isinstance(report, _Reported) else dict(report)
    findings = data.get("findings") or []
    exit_code = data.get(
        "exit_code", getattr(report, "exit_code", int(any(f.get("status") == "fail" for f in findings)))
    )
    parsed = data.pop("target", None)
    extra = {"parsed_target": parsed} if isinstance(parsed, dict) else {}
    return {
        **data,
        **extra,
        "target": target,
        "findings": findings,
        "exit_code": exit_code,
        "refused": any(f.get("code") == "TARGET_REFUSED" for f in findings),
    }


# --- /api/feedback --------------------------------------------------------------------------------------
def _known_answer(answer_id: str) -> bool:
    state = _state()
    if state.ask is not None and state.cfg.ask_func is not None:
        return True  # a test's stand-in knowledge base: accept any id
    try:
        kb, _ = knowledge.get_matcher()
        return answer_id in kb.by_id
    except Exception:  # noqa: BLE001 - without the KB we cannot tell; accept
        return True


@blueprint.post("/api/feedback")
def api_feedback() -> Response:
    """POST /api/feedback {answer_id, kb_version, helpful, question_id?}: records a thumbs up or down; 201 with its id,
    400 for a malformed body, 404 for an unknown answer."""
    state = _state()
    body = _json_request("feedback")
    if isinstance(body, Response):
        return body
    answer_id, kb_version, helpful = body.get("answer_id"), body.get("kb_version"), body.get("helpful")
    question_id = body.get("question_id")
    if (
        not isinstance(answer_id, str)
        or not answer_id
        or len(answer_id) > MAX_ANSWER_ID
        or not isinstance(kb_version, str)
        or not kb_version
        or len(kb_version) > MAX_KB_VERSION
        or not isinstance(helpful, bool)
        or ("question_id" in body and (not isinstance(question_id, str) or len(question_id) > MAX_QUESTION_ID))
    ):
        return error_response(400, "bad_feedback", body=body)
    if not _known_answer(answer_id):
        return error_response(404, "unknown_answer", body=body)  # a well-formed reference to nothing
    feedback_id = state.storage.record_feedback(
        question_id=question_id if isinstance(question_id, str) else None,
        answer_id=answer_id,
        kb_version=kb_version,
        helpful=helpful,
    )
    state.metrics.inc("tcr_doctor_feedback_total", {"channel": "web", "helpful": "true" if helpful else "false"})
    response = jsonify({"ok": True, "id": feedback_id})
    response.status_code = 201
    return response


# --- /api/openapi.json ----------------------------------------------------------------------------------
def openapi_document(
    max_question_chars: int = Settings.max_question_chars, allowed: Sequence[str] | None = None
) -> dict[str, Any]:
    """bot/openapi.json with the check names of the registry (a check added there is in the schema at once),
    `max_question_chars`, the longest question the app accepts (its TCR_DOCTOR_MAX_QUESTION_CHARS), and the checks
    `/api/diagnose` runs: ALLOWED (the app's TCR_DOCTOR_DIAGNOSE_CHECKS; default: every anonymous check)."""
    anonymous = tuple(allowed) if allowed is not None else anonymous_checks()
    return _openapi_document(checks_registry.names(), anonymous, max_question_chars)


@functools.lru_cache(maxsize=4)
def _openapi_document(names: tuple[str, ...], anonymous: tuple[str, ...], max_question_chars: int) -> dict[str, Any]:
    with open(os.path.join(os.path.dirname(__file__), "openapi.json"), encoding="utf-8") as fh:
        doc: dict[str, Any] = json.load(fh)
    schemas = doc["components"]["schemas"]
    schemas["DiagnosticCheckName"]["enum"] = list(names)
    schemas["AnonymousCheckName"]["enum"] = list(anonymous)
    request = doc["paths"]["/api/diagnose"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    request["properties"]["checks"]["maxItems"] = len(anonymous)
    request["properties"]["target"]["maxLength"] = MAX_TARGET_CHARS
    ask = doc["paths"]["/api/ask"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    ask["properties"]["q"]["maxLength"] = max_question_chars
    feedback = doc["paths"]["/api/feedback"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    for field, limit in (
        ("answer_id", MAX_ANSWER_ID),
        ("kb_version", MAX_KB_VERSION),
        ("question_id", MAX_QUESTION_ID),
    ):
        feedback["properties"][field]["maxLength"] = limit  # the limits the handlers enforce, declared once
    return doc


@blueprint.get("/api/openapi.json")
def api_openapi() -> Response:
    """GET /api/openapi.json: the API's OpenAPI document."""
    state = _state()
    return jsonify(openapi_document(state.cfg.max_question_chars, state.anonymous.allowed()))
