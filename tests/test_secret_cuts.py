"""A pasted secret is never shown in part where the product cuts a text: the log evidence (600 characters, then " …"),
the question's error lines (500), a long line's middle, the database driver's message (300), `explain`'s window of a
long paste. Masking happens on the whole before the cut, or the piece a cut leaves beside its "…" is masked too.

The case that leaked before (qa10): a secret named where the detector sees it ("-p X" on the login line) and repeated
on the error line so that the evidence's cut falls inside the repeat: its start stayed in the evidence, because the
repeat was masked after the cut and only whole repeats were found. Every kind the detector knows, through ask(),
explain, `/api/ask` (JSON and widget HTML), the stored question, `ask --json` / `explain --json` and a Slack reply."""

from __future__ import annotations

import io
import json
import sys

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import knowledge
from bot.cli import main as cli_main
from knowledge.logs import MAX_EVIDENCE
from knowledge.redact import redact, redact_part
from tests.harness.web import offline_app
from tests.secrets_corpus import PLANTED

ERROR = (
    'Error response from daemon: Get "https://shop-tcr.tencentcloudcr.com/v2/": unauthorized: authentication required'
)
ERROR_LINE_CUT = 500  # knowledge/entities.py: the error lines ask() echoes
# A repeat is of the one value the detector found: a PEM block is found whole, over several lines, never repeated
# on one line.
REPEATED = sorted(kind for kind in PLANTED if kind != "private-key")
# No 5 characters of a secret in a row come back; a word or a run of digits inside one ("Bearer" in a bearer token,
# "12345") is no piece of it: other texts hold them.
FRAGMENT = 5


def _paste(kind: str, at: int, named: bool) -> tuple[str, str]:
    """A paste whose error line holds the secret of `kind` starting `at` characters into the line: repeated there
    (named on the login line before it), or named there (its planted line inside the error line)."""
    line, secret = PLANTED[kind]
    room = at - len(ERROR) - 1
    if named:
        room -= line.index(secret)
        return f"{ERROR} {'~' * room} {line} ~~", secret
    return f"{line}\n{ERROR} {'~' * room} {secret} ~~", secret


def _shown(text: str, secret: str) -> list[str]:
    pieces = {secret[i : i + FRAGMENT] for i in range(len(secret) - FRAGMENT + 1)}
    return sorted(p for p in pieces if p in text and not p.isdigit() and not (p.isalpha() and p[1:].islower()))


def _across(cut: int, secret_len: int) -> st.SearchStrategy[int]:
    """Where a secret may start so that `cut` falls inside it."""
    return st.integers(cut - secret_len + 1, cut - 1)


_CASES = st.sampled_from(REPEATED).flatmap(
    lambda kind: st.tuples(
        st.just(kind),
        st.one_of(_across(MAX_EVIDENCE, len(PLANTED[kind][1])), _across(ERROR_LINE_CUT, len(PLANTED[kind][1]))),
        st.booleans(),
    )
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_CASES)
def test_a_secret_across_a_cut_is_not_shown_in_part_by_ask_or_explain(case):
    kind, at, named = case
    paste, secret = _paste(kind, at, named)
    reading = knowledge.explain_paste(paste)
    assert reading is not None and reading["evidence"], paste  # the line is read: there is an evidence to leak into
    assert not _shown(json.dumps(reading, ensure_ascii=False), secret), reading["evidence"][-80:]
    answer = json.dumps(knowledge.ask(paste), ensure_ascii=False)
    assert not _shown(answer, secret), answer


def _worst(kind: str) -> list[str]:
    """The pastes whose cuts fall in the middle of the secret: the evidence's and the error lines'."""
    half = len(PLANTED[kind][1]) // 2
    return [_paste(kind, cut - half, False)[0] for cut in (MAX_EVIDENCE, ERROR_LINE_CUT)]


def test_through_the_web_service_and_its_store(tmp_path):
    app = offline_app(str(tmp_path / "cuts.sqlite3"), RATE_LIMIT_ASK="0")
    client = app.test_client()
    for kind in REPEATED:
        secret = PLANTED[kind][1]
        for paste in _worst(kind):
            for lang in ("zh", "en"):
                body = client.post("/api/ask", json={"q": paste, "lang": lang, "render": "html"}).get_data(True)
                assert "unauthorized" in body and not _shown(body, secret), (kind, body[-400:])
    storage = app.extensions["tcr_doctor"].storage
    storage.flush()
    with storage.engine().connect() as conn:
        stored = json.dumps([list(r) for r in conn.execute(sa.text("SELECT * FROM questions"))], default=str)
    assert "~~~" in stored
    assert not [kind for kind in REPEATED if _shown(stored, PLANTED[kind][1])]


def _cli(argv: list[str], stdin: str, capsys, monkeypatch) -> str:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8"))
    cli_main(argv)
    return capsys.readouterr().out


@pytest.mark.parametrize("kind", ["docker-login-password", "jwt", "tencent-secret-id", "password"])
def test_through_the_cli(kind, capsys, monkeypatch):
    secret = PLANTED[kind][1]
    for paste in _worst(kind):
        out = _cli(["ask", "--json", paste], "", capsys, monkeypatch)
        assert "unauthorized" in out and not _shown(out, secret), out
        out = _cli(["explain", "--json", "-"], paste, capsys, monkeypatch)
        assert json.loads(out)["recognised"] and not _shown(out, secret), out


def test_through_a_slack_reply(tmp_path):
    from tests.harness.slack_api import BOT_USER_ID, SlackRig, block_text, make_web_app

    kind = "docker-login-password"
    secret = PLANTED[kind][1]
    paste = _worst(kind)[0]
    with SlackRig(make_web_app, config={"DB": str(tmp_path / "s.sqlite3"), "RATE_LIMIT_ASK": "0"}) as rig:
        rig.event(
            {"type": "app_mention", "user": "U0A", "text": f"<@{BOT_USER_ID}> {paste}", "ts": "1.1", "channel": "C0"}
        )
        reply = rig.api.wait_for("chat.postMessage")
        rig.click(reply, "tcr_full_answer")
        whole = rig.api.wait_for("chat.postMessage", count=2)
        text = json.dumps([c.args for c in rig.api.calls_to("chat.postMessage")], ensure_ascii=False)
        assert "unauthorized" in block_text(whole.args["blocks"]) and not _shown(text, secret)


def test_a_piece_beside_a_cut_is_masked_and_nothing_else():
    secret = "Zx9pQ2mLk7Vb3nTr"
    whole = f"docker login -p {secret} r\nError: wrong password {secret}"
    # the start of the secret before the evidence's " …", its end after a long line's middle cut " … "
    assert redact_part("Error: wrong password Zx9pQ …", whole) == "Error: wrong password **** …"
    assert redact_part("aaa … k7Vb3nTr is wrong", whole) == "aaa … **** is wrong"
    # inside a longer word a piece is another token; text without a cut mark is masked as before
    assert redact_part("Error: xZx9pQ …", whole) == "Error: xZx9pQ …"
    assert redact_part("Error: wrong password Zx9pQ", whole) == "Error: wrong password Zx9pQ"
    assert redact_part("no secret … here", whole) == "no secret … here"
    # a paste whose label is spelt with full-width letters: its secret is found in the folded spelling
    folded = f"ｐａｓｓｗｏｒｄ：{secret}\nError: wrong password {secret}"
    assert redact_part(f"Error: wrong password {secret}", folded) == "Error: wrong password ****"


def test_the_database_drivers_message_is_masked_before_it_is_cut():
    from bot.storage import short_reason

    jwt = PLANTED["jwt"][1]
    message = "~" * (300 - 20) + " " + jwt
    assert redact(message)[0].endswith("****")
    shown = short_reason(Exception(message))
    assert shown.endswith(" ****") and not _shown(shown, jwt), shown
