"""A secret pasted in any of the forms users paste never comes back out of the web service: not in the answer (JSON
or HTML), the diagnosis (its echoed target, its refusal), the stored conversation or a log record at DEBUG.
Through Flask's test client with the real knowledge base, SQLite storage and the redacting log filter."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa

from knowledge.redact import RedactingFilter
from tests.harness.web import offline_app

SECRET = "Zx9qLm3RtY7uPa2w"
SECRET_KEY = "Gu5t9xWm2KjPq8Rv3LnZ7bYc4HdF6sAe"

QUESTIONS = [
    f"ｐａｓｓｗｏｒｄ：{SECRET} docker login unauthorized",
    f"echo {SECRET} | docker login -u 100012345678 --password-stdin ccr.ccs.tencentyun.com fails",
    f"export TKE_SECRET_KEY={SECRET_KEY}\ndocker login ccr.ccs.tencentyun.com -p{SECRET}\n"
    "Error response from daemon: Get https://ccr.ccs.tencentyun.com/v2/: unauthorized: authentication required",
    f"密码 {SECRET} 登录失败",
    f"curl -u admin:{SECRET} https://shop.tencentcloudcr.com/v2/ gives 401",
    f"docker pull admin:{SECRET}@shop.tencentcloudcr.com/ns/app:1 fails",
    # audit7: a single-label host, a bare `pass`, the line after an interactive Password prompt
    f"docker pull admin:{SECRET}@registry/ns/app:1 fails",
    f"registry user: admin pass: {SECRET} does not log in",
    f"$ docker login ccr.ccs.tencentyun.com -u 100012345678\nPassword:\n{SECRET}\n"
    "Error response from daemon: Get https://ccr.ccs.tencentyun.com/v2/: unauthorized: authentication required",
]
TARGETS = [
    f"admin:{SECRET}@shop.tencentcloudcr.com/ns/app",
    f"https://admin:{SECRET}@shop.tencentcloudcr.com",
    f"admin:{SECRET}@169.254.169.254",
    f"admin:{SECRET}@registry/ns/app",
    f"admin:{SECRET}@localhost:5000",
]


@pytest.fixture
def app(tmp_path):
    return offline_app(str(tmp_path / "outlets.sqlite3"))


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.addFilter(RedactingFilter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def records():
    handler, root = _Records(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def _stored(app) -> str:
    storage = app.extensions["tcr_doctor"].storage
    storage.flush()
    dump = []
    with storage.engine().connect() as conn:
        for name in sa.inspect(conn).get_table_names():
            rows = conn.execute(sa.text(f'SELECT * FROM "{name}"'))
            dump += [json.dumps(list(row), default=str, ensure_ascii=False) for row in rows]
    return "\n".join(dump)


def _leaks(text: str) -> list[str]:
    return [s for s in (SECRET, SECRET_KEY) if s in text]


def test_no_outlet_of_the_web_service_gives_a_pasted_secret_back(app, records):
    client = app.test_client()
    out = []
    for question in QUESTIONS:
        for extra in ({}, {"render": "html"}):
            response = client.post("/api/ask", json={"q": question, **extra})
            assert response.status_code == 200
            out.append(response.get_data(as_text=True))
    for target in TARGETS:
        for extra in ({}, {"render": "html"}):
            response = client.post("/api/diagnose", json={"target": target, **extra})
            assert response.status_code in (200, 400), response.data
            out.append(response.get_data(as_text=True))
    out.append(client.get("/metrics").get_data(as_text=True))
    assert [body[:300] for body in out if _leaks(body)] == []
    stored = _stored(app)
    assert "****" in stored  # the questions were stored, masked
    assert _leaks(stored) == []
    assert records.lines and [line for line in records.lines if _leaks(line)] == []


@pytest.mark.parametrize("how", [("ref", f"admin:{SECRET}@shop.tencentcloudcr.com/ns/app"), ("--json",), ("-",)])
def test_check_name_on_the_cli_does_not_print_a_pasted_secret(how):
    """`tcr-doctor check-name ref admin:PASSWORD@host/ns/app` printed the password in the value and the suggestion."""
    from tests.test_cli_diagnose import cli

    value = f"admin:{SECRET}@shop.tencentcloudcr.com/ns/app"
    if how == ("-",):
        code, out, err = cli("check-name", "ref", "-", stdin=value + "\n")
    elif how == ("--json",):
        code, out, err = cli("check-name", "ref", value, "--json")
    else:
        code, out, err = cli("check-name", *how)
    assert code == 1 and out.strip()
    assert _leaks(out + err) == [] and "****" in out
    assert "credentials in a reference" in out and "ref.credentials" in out


def test_no_slack_reply_or_stored_row_gives_a_pasted_secret_back(tmp_path):
    """The same forms through Slack's signed requests (mentions, /tcr ask, /tcr diagnose, /tcr check-name): nothing
    posted to Slack's Web API, no slash-command response and no stored row holds the secret."""
    from tests.harness.slack_api import BOT_USER_ID, SlackRig, make_web_app

    db = tmp_path / "slack.sqlite3"
    with SlackRig(make_web_app, config={"DB": str(db), "RATE_LIMIT_ASK": "0"}) as rig:
        for n, question in enumerate(QUESTIONS):
            text = f"<@{BOT_USER_ID}> {question}"
            rig.event(
                {"type": "app_mention", "user": "U0ASKER", "text": text, "ts": f"1700001000.{n:06d}", "channel": "C0G"}
            )
        replies = [
            rig.command(f"ask {QUESTIONS[0]}"),
            rig.command(f"diagnose {TARGETS[0]}"),
            rig.command(f"check-name ref {TARGETS[0]}"),
        ]
        rig.api.wait_for("chat.postMessage", count=len(QUESTIONS))
        rig.api.quiet()
        assert _leaks(rig.api.everything()) == []
        assert [r.text[:200] for r in replies if _leaks(r.text)] == []
        stored = _stored(rig.app)
    assert "****" in stored and _leaks(stored) == []


def test_report_masks_a_question_stored_before_the_detector_knew_its_form(tmp_path, capsys):
    """`tcr-doctor report unanswered` printed stored rows as they were; a row written by a version whose detector did
    not know a form (a bare `pass:`, the line after a Password prompt) kept the secret on screen. The console's
    examples were masked again when shown; the report now is too."""
    from bot.cli import main
    from bot.storage import Storage

    db = str(tmp_path / "older.sqlite3")
    store = Storage(db)
    for n, text in enumerate(QUESTIONS[-2:]):  # as an older version stored them: unmasked
        store.record_question(
            f"q{n}", text, lang="en", status="no_answer", answer_id=None, score=None, kb_version="old"
        )
    store.flush()
    store.close()
    for how in (["--json"], ["--lang", "en"]):
        assert main(["report", "unanswered", "--db", db, *how]) == 0
        out = capsys.readouterr().out
        assert "****" in out and _leaks(out) == [], out


class _Capture(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler with no filter of its own, as a host application would add."""

    def __init__(self) -> None:
        import io

        super().__init__(io.StringIO())
        self.setLevel(logging.DEBUG)

    @property
    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()


@pytest.fixture
def sdk_log():
    from bot.slack import sdk_logger

    logger = sdk_logger()
    handler, level, propagate = _Capture(), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, handler
    logger.removeHandler(handler)
    logger.setLevel(level)
    logger.propagate = propagate


def test_the_slack_sdk_logger_passes_the_one_filter_tracebacks_included(sdk_log):
    """The Slack SDK's logger carries knowledge's RedactingFilter (bot/slack.py kept a near-copy, which left a
    logged exception's traceback as it was): a payload at DEBUG and a traceback holding a secret are both masked."""
    import knowledge

    logger, handler = sdk_log
    assert [type(f) for f in logger.filters] == [knowledge.RedactingFilter]
    logger.debug("payload: %s", {"text": f"password: {SECRET}"})
    try:
        raise RuntimeError(f"token refused: password={SECRET}")
    except RuntimeError:
        logger.exception("the Web API call failed")
    text = "\n".join(handler.lines)
    assert "RuntimeError" in text and "the Web API call failed" in text and "payload" in text
    assert SECRET not in text


def test_a_failing_detector_withholds_the_line_and_a_broken_format_is_masked(sdk_log, monkeypatch):
    """The one filter never passes a line on unmasked: when the detector raises, the text is withheld (the Slack
    copy did this, the knowledge one raised into the caller); a record whose format string does not fit its
    arguments is reported by logging with its message and arguments, masked."""
    import sys

    logger, handler = sdk_log
    for args in ((f"password={SECRET}",), ({"a": f"password={SECRET}"},)):  # one argument for two %s; a mapping
        record = logging.LogRecord("bot.slack.sdk", logging.DEBUG, __file__, 1, "broken %s %s format", args, None)
        assert logger.filter(record)
        assert SECRET not in f"{record.msg} {record.args}"  # what logging's handleError prints

    def broken(text: str) -> tuple[str, list[str]]:
        raise RuntimeError("detector failed")

    monkeypatch.setattr(sys.modules["knowledge.redact"], "redact", broken)
    logger.warning("user pasted password=%s", SECRET)
    assert handler.lines[-1] == "(log line withheld: secret redaction failed)"
