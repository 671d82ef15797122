"""Slack as people use it (issue 14): every question recorded, feedback, short first replies, refusals that fit,
buttons that become their outcome, slash-command hints. Signed requests in, Web API calls recorded by the
stand-in (tests/harness/slack_api.py); the blocks themselves are asserted, not only status codes.
"""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

import knowledge
from bot.cli import main as cli_main
from bot.slack import SlackChannel, SlackSettings
from tests.harness.slack_api import BOT_USER_ID, SlackRig, before_full_answer, block_text, buttons, make_web_app

SUPPORT = "C0SUPPORT"


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "web.sqlite3")


@pytest.fixture
def rig(db):
    with SlackRig(make_web_app, config={"SLACK_SUPPORT_CHANNEL": SUPPORT, "DB": db, "RATE_LIMIT_ASK": "0"}) as rig:
        yield rig


def mention(rig, text, ts, channel="C0GENERAL", user="U0ASKER"):
    rig.event({"type": "app_mention", "user": user, "text": f"<@{BOT_USER_ID}> {text}", "ts": ts, "channel": channel})


def dm(rig, text, ts):
    rig.event(
        {"type": "message", "channel_type": "im", "channel": "D0DIRECT", "user": "U0ASKER", "text": text, "ts": ts}
    )


def rows(rig, db, table):
    rig.app.extensions["tcr_doctor"].storage.flush()
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(f"SELECT * FROM {table}")]  # a fixed table name


# -- every question recorded, in the same store as the web's ---------------------------------------------------
UNANSWERED = [
    "How do I bake sourdough bread at home?",
    "我的 Jenkins 流水线为什么每天凌晨变慢",
    "can the registry send webhooks to Feishu when a scan finishes",
    "为什么控制台的配色这么暗",
    "what is the meaning of life",
    "my laptop fan is loud when I run docker build",
    "how many engineers work on TCR",
]


def test_every_slack_and_web_question_is_in_the_store_and_the_report(rig, db, capsys):
    for question in UNANSWERED:
        assert knowledge.ask(question)["status"] == "no_answer", question
    secret = "Zq8-very-secret-Pa55word"
    slack = UNANSWERED[:4] + ["What should I do when logging in to an instance fails?"]
    for n, question in enumerate(slack):
        mention(rig, question, ts=f"1700001000.{n:06d}")
    dm(rig, UNANSWERED[4], ts="1700001001.000001")
    rig.command(f"ask {UNANSWERED[5]}")
    mention(rig, f"docker login -u 100012345678 -p {secret} shop-tcr.tencentcloudcr.com fails", ts="1700001002.000001")
    rig.api.wait_for("chat.postMessage", count=len(slack) + 3)
    web = rig.app.test_client()
    assert web.post("/api/ask", json={"q": UNANSWERED[6]}).status_code == 200
    assert web.post("/api/ask", json={"q": "登录实例失败怎么办？"}).status_code == 200

    stored = rows(rig, db, "questions")
    by_channel = {c: sorted(r["text"] for r in stored if r["channel"] == c) for c in ("slack", "web")}
    assert len(by_channel["slack"]) == len(slack) + 3 and len(by_channel["web"]) == 2
    for question in slack + UNANSWERED[4:6]:
        assert question in by_channel["slack"]
    assert {UNANSWERED[6], "登录实例失败怎么办？"} == set(by_channel["web"])
    # The pasted password is masked in the row, and the row says what was masked.
    (login,) = [r for r in stored if "docker login" in r["text"]]
    assert secret not in login["text"] and login["redacted"]
    assert all(r["kb_version"] and r["status"] in ("answered", "ambiguous", "no_answer") for r in stored)

    # `report unanswered` covers both channels: 100 % of the unanswered questions are in it.
    assert cli_main(["report", "unanswered", "--db", db, "--json", "--limit", "0"]) == 0
    reported = {g["question"] for g in json.loads(capsys.readouterr().out)["groups"]}
    assert set(UNANSWERED) <= reported

    # The metrics count Slack questions under their channel.
    metrics = web.get("/metrics").get_data(as_text=True)
    assert 'channel="slack"' in metrics and 'channel="web"' in metrics


def test_slack_small_talk_is_stored_as_small_talk_and_not_reported(rig, db, capsys):
    mention(rig, "thanks a lot!", ts="1700001050.000001")
    mention(rig, "what is the meaning of life", ts="1700001050.000002")
    rig.api.wait_for("chat.postMessage", count=2)
    stored = {r["text"]: r for r in rows(rig, db, "questions")}
    assert stored["thanks a lot!"]["refusal"] == "smalltalk" and stored["thanks a lot!"]["channel"] == "slack"
    assert stored["what is the meaning of life"]["refusal"] not in (None, "smalltalk")
    assert cli_main(["report", "unanswered", "--db", db, "--json", "--limit", "0"]) == 0
    reported = {g["question"] for g in json.loads(capsys.readouterr().out)["groups"]}
    assert reported == {"what is the meaning of life"}


def test_thumbs_up_and_down_are_recorded_once_and_the_buttons_become_their_outcome(rig, db):
    mention(rig, "What should I do when logging in to an instance fails?", ts="1700001100.000001")
    mention(rig, "登录实例失败怎么办？", ts="1700001100.000002")
    en = rig.api.wait_for("chat.postMessage", lambda c: c.args["thread_ts"] == "1700001100.000001")
    zh = rig.api.wait_for("chat.postMessage", lambda c: c.args["thread_ts"] == "1700001100.000002")
    assert {"tcr_feedback_up", "tcr_feedback_down"} <= set(buttons(en.args["blocks"]))

    rig.click(en, "tcr_feedback_up")
    rig.click(zh, "tcr_feedback_down")
    up = rig.api.wait_for("chat.update", lambda c: c.args["ts"] == en.response["ts"])
    down = rig.api.wait_for("chat.update", lambda c: c.args["ts"] == zh.response["ts"])
    assert not {"tcr_feedback_up", "tcr_feedback_down"} & set(buttons(up.args["blocks"]))
    assert "Thanks, <@U0ASKER> found this helpful" in block_text(up.args["blocks"])
    assert "认为这个回答没有帮助" in block_text(down.args["blocks"])
    assert "tcr_handoff" in buttons(down.args["blocks"])  # a person is still one click away
    rig.click(en, "tcr_feedback_down")  # a stale copy clicked again: one vote per answer
    rig.api.quiet(0.3)

    feedback = rows(rig, db, "feedback")
    questions = {r["id"]: r for r in rows(rig, db, "questions")}
    assert sorted((f["helpful"], f["channel"]) for f in feedback) == [(0, "slack"), (1, "slack")]
    for f in feedback:
        assert questions[f["question_id"]]["channel"] == "slack" and f["answer_id"] == "login-failed"
    helpful = {f["helpful"]: questions[f["question_id"]]["text"] for f in feedback}
    assert helpful == {1: "What should I do when logging in to an instance fails?", 0: "登录实例失败怎么办？"}


def test_a_hand_off_counts_as_negative_feedback(rig, db, capsys):
    mention(rig, "What should I do when logging in to an instance fails?", ts="1700001200.000001")
    reply = rig.api.wait_for("chat.postMessage")
    rig.click(reply, "tcr_handoff")
    rig.api.wait_for("chat.postMessage", lambda c: c.args["channel"] == SUPPORT)
    settled = rig.api.wait_for("chat.update")
    # The hand-off said it did not help: the 👍/👎 buttons go with the hand-off button.
    assert not {"tcr_handoff", "tcr_feedback_up", "tcr_feedback_down"} & set(buttons(settled.args["blocks"]))
    rows_ = rows(rig, db, "feedback")
    (row,) = rows_
    assert row["helpful"] == 0 and row["channel"] == "slack" and row["answer_id"] == "login-failed"
    assert cli_main(["report", "unanswered", "--db", db, "--json"]) == 0
    (group,) = json.loads(capsys.readouterr().out)["groups"]
    assert group["question"] == "What should I do when logging in to an instance fails?" and group["thumbs_down"] == 1


# -- small talk and the other refusals -------------------------------------------------------------------------
def _refused(kind, lang="en", **extra):
    return {
        "matched": False,
        "status": "no_answer",
        "lang": lang,
        "kb_version": "k",
        "answer": None,
        "alternatives": [],
        "entities": {},
        "diagnostics": [],
        "log": None,
        "refusal": {"kind": kind, **extra},
    }


SMALLTALK = {
    "hi": _refused("smalltalk", smalltalk="greeting"),
    "你好": _refused("smalltalk", "zh", smalltalk="greeting"),
    "thanks, that fixed it!": _refused("smalltalk", smalltalk="thanks"),
    "are you a bot?": _refused("smalltalk", smalltalk="identity"),
}


def _fake_ask(table):
    def ask(text, lang=None):
        return table[text] if text in table else knowledge.ask(text, lang)

    return ask


def test_small_talk_gets_a_short_reply_saying_what_the_bot_does_and_no_hand_off(db):
    config = {"SLACK_SUPPORT_CHANNEL": SUPPORT, "DB": db, "ASK_FUNC": _fake_ask(SMALLTALK)}
    with SlackRig(make_web_app, config=config) as rig:
        for n, text in enumerate(SMALLTALK):
            mention(rig, text, ts=f"1700001300.{n:06d}")
        rig.api.wait_for("chat.postMessage", count=len(SMALLTALK))
        rig.api.quiet(0.2)
        replies = {c.args["thread_ts"]: c.args for c in rig.api.calls_to("chat.postMessage")}
    hi, nihao, thanks, bot = (replies[f"1700001300.{n:06d}"] for n in range(4))
    for reply in (hi, nihao, thanks, bot):
        assert len(reply["blocks"]) == 1 and not buttons(reply["blocks"])  # no hand-off, no "did you mean"
        assert "no documented answer" not in block_text(reply["blocks"]).lower()
    assert hi["text"].startswith(":wave: Hi <@U0ASKER>!") and "diagnose a registry" in hi["text"]
    assert nihao["text"].startswith(":wave: 您好 <@U0ASKER>！") and "诊断" in nihao["text"]  # as the widget greets
    assert "Glad to help" in thanks["text"] and len(thanks["text"]) < 120
    assert "I am a bot" in bot["text"]


@pytest.mark.parametrize(("text", "expected"), [("hi", "Hi"), ("你好", "您好"), ("thanks, that fixed it!", "Glad")])
def test_small_talk_through_the_real_knowledge_base(text, expected):
    reply = SlackChannel(SlackSettings(bot_token="x", support_channel=SUPPORT)).answer_blocks(
        knowledge.ask(text), text, knowledge.ask(text)["lang"]
    )
    assert expected in reply["text"] and not buttons(reply["blocks"])


def test_each_refusal_kind_reads_as_it_should():
    channel = SlackChannel(SlackSettings(bot_token="x", support_channel=SUPPORT))
    docs = _refused("documentation")
    docs["topic"] = {"id": "helm-charts", "title": "Helm", "hint": 'See the TCR docs, "Manage Helm charts".'}
    docs["alternatives"] = [{"id": "network-traffic-billing", "question": "How is network traffic billed?"}]
    trouble = _refused("troubleshooting")
    other = _refused("other_registry", vendor="Docker Hub")
    pasted = "docker pull registry-1.docker.io/library/nginx: toomanyrequests: You have reached your pull rate limit"
    other_log = dict(knowledge.ask(pasted), refusal={"kind": "other_registry", "vendor": "Docker Hub"})
    assert other_log["log"] and other_log["log"]["cause"]

    def reply(result):
        return channel.answer_blocks(result, "q", result["lang"], qid="q1")

    text = block_text(reply(docs)["blocks"])
    assert "does not cover this" in text and "Manage Helm charts" in text
    assert "error text" not in text and "tcr_alternative_select" not in buttons(reply(docs)["blocks"])
    text = block_text(reply(trouble)["blocks"])
    assert "Paste the exact error text and the command you ran" in text and "tcr_handoff" in buttons(
        reply(trouble)["blocks"]
    )
    text = block_text(reply(other)["blocks"])
    assert "Docker Hub's registry, not Tencent Cloud TCR" in text and "tcr-doctor diagnose" in text
    assert not buttons(reply(other)["blocks"])
    blocks = reply(other_log)["blocks"]
    text = block_text(blocks)
    assert other_log["log"]["cause"] in text and "Docker Hub's registry, not Tencent Cloud TCR" in text
    assert other_log["log"]["diagnose"] in text  # the generic cause and the command still come
    assert "tcr_diagnose" not in buttons(blocks) and "tcr_handoff" not in buttons(blocks)
    # The log's cause is an answer too: it can be voted on, as "log:<CAUSE>".
    vote = json.loads(buttons(blocks)["tcr_feedback_down"]["value"])
    assert vote["id"] == "log:" + other_log["log"]["cause"] and vote["qid"] == "q1"


# -- the first reply fits one screen ---------------------------------------------------------------------------
def test_the_first_reply_to_every_faq_entry_fits_one_screen_in_both_languages():
    channel = SlackChannel(SlackSettings(bot_token="x", support_channel=SUPPORT))
    kb, _ = knowledge.get_matcher()
    assert len(kb.entries) == 20
    sizes = []
    for entry in kb.entries:
        for lang in ("zh", "en"):
            question = entry.question[lang]
            result = knowledge.ask(question, lang)
            assert result["answer"]["id"] == entry.id
            reply = channel.answer_blocks(result, question, lang, qid="q1")
            count, shown = before_full_answer(reply["blocks"])
            assert count <= 5, (entry.id, lang, [b["type"] for b in reply["blocks"]])
            assert len(shown) <= 900, (entry.id, lang, len(shown))
            # The headline is the entry's question, or the cause of a log that ask() read in it.
            headline = result["log"]["summary"][lang] if result["log"] else question
            assert reply["blocks"][0]["text"]["text"] == headline
            if len(entry.answer[lang]) > 900:
                assert "tcr_full_answer" in buttons(reply["blocks"])
            sizes.append(len(shown))
    assert max(sizes) <= 900


def test_a_pasted_tls_error_is_headed_by_its_cause_with_no_credentials_paragraph(rig):
    pasted = (
        "docker login shop-tcr.tencentcloudcr.com\nError response from daemon: Get "
        '"https://shop-tcr.tencentcloudcr.com/v2/": x509: certificate signed by unknown authority'
    )
    expected = knowledge.ask(pasted)
    assert expected["log"]["cause"].startswith("TLS")
    mention(rig, pasted, ts="1700001400.000001")
    reply = rig.api.wait_for("chat.postMessage")
    blocks = reply.args["blocks"]
    assert blocks[0]["text"]["text"] == expected["log"]["summary"]["en"]  # not "logging in ... fails?"
    assert len(blocks) <= 5 and len(before_full_answer(blocks)[1]) <= 900
    assert expected["log"]["cause"] in block_text(blocks) and expected["log"]["fix"]["en"][:40] in block_text(blocks)
    rig.click(reply, "tcr_full_answer")
    whole = rig.api.wait_for("chat.postMessage", count=2)
    text = block_text(whole.args["blocks"])
    assert "certificate signed by unknown authority" in text  # the evidence line
    assert "Credentials" not in text and "--password-stdin" not in text  # a TLS failure is not a password problem
    diagnose = buttons(blocks)["tcr_diagnose"]
    assert "credentials" not in json.loads(diagnose["value"])["checks"]


def test_run_diagnostics_only_where_the_entry_has_live_checks(rig):
    mention(rig, "How do I delete an image tag?", ts="1700001500.000001")
    mention(rig, "如何删除镜像的某个版本？", ts="1700001500.000002")
    mention(rig, "docker login shop-tcr.tencentcloudcr.com fails, what should I do?", ts="1700001500.000003")
    rig.api.wait_for("chat.postMessage", count=3)
    replies = {c.args["thread_ts"]: c.args["blocks"] for c in rig.api.calls_to("chat.postMessage")}
    for ts in ("1700001500.000001", "1700001500.000002"):
        assert not {"tcr_diagnose", "tcr_diagnose_target"} & set(buttons(replies[ts]))
        assert replies[ts][0]["text"]["text"].startswith(("Can I delete", "是否可以删除", "可以删除"))
    assert "tcr_diagnose" in buttons(replies["1700001500.000003"])


# -- /tcr ------------------------------------------------------------------------------------------------------
def test_unknown_subcommand_gets_a_private_one_line_hint_and_is_not_a_question(rig, db):
    rig.command("status")
    reply = rig.api.wait_for("response_url")
    assert "There is no `status` subcommand" in reply.args["text"] and "\n" not in reply.args["text"]
    assert reply.args.get("response_type", "ephemeral") == "ephemeral"
    rig.api.quiet(0.3)
    assert rig.api.calls_to("chat.postMessage") == []
    assert rows(rig, db, "questions") == []


@pytest.mark.parametrize(
    ("text", "usage"),
    [
        ("diagnose", "Usage: `/tcr diagnose <registry|image>`"),
        ("ask", "Usage: `/tcr ask <question>`"),
        ("check-name", "Usage: `/tcr check-name <instance|namespace|repository|tag|image> <name>`"),
        ("check-name tag", "Usage: `/tcr check-name"),
        ("诊断", "用法：`/tcr diagnose <实例域名|镜像>`"),
    ],
)
def test_a_missing_argument_gets_the_usage_line_of_that_subcommand(rig, text, usage):
    rig.command(text)
    reply = rig.api.wait_for("response_url")
    assert reply.args["text"].startswith(usage)
    assert "/tcr help" not in reply.args["text"] and len(reply.args["blocks"]) == 1


def test_slash_explain_reads_the_log_as_the_cli_does(rig):
    """`/tcr explain LOG` (the CLI's word) was answered as a question that began with the word "explain", echoed as
    "asked: explain Error …", while `/tcr explain` alone said there is no such subcommand: it reads the log as `ask`
    does, and alone gets the usage line."""
    log = "Error response from daemon: manifest for ccr.ccs.tencentyun.com/ns/app:1 not found: manifest unknown"
    rig.command("explain " + log, user="U0ASKER")
    reply = rig.api.wait_for("chat.postMessage", timeout=30)
    text = block_text(reply.args["blocks"])
    assert "TAG_NOT_FOUND" in text
    assert "asked: Error response from daemon" in text and "explain Error" not in text
    rig.command("explain")
    usage = rig.api.wait_for("response_url")
    assert usage.args["text"].startswith("Usage: `/tcr ask <question>`")


def test_slash_diagnose_says_who_ran_it(rig):
    rig.command("diagnose 127.0.0.1:5000/team/app:1.0", user="U0RUNNER")
    final = rig.api.wait_for("chat.update", lambda c: "Diagnostics for" in c.args.get("text", ""), timeout=30)
    progress = rig.api.wait_for("chat.postMessage")
    assert "Run by <@U0RUNNER>" in block_text(progress.args["blocks"])
    assert "Run by <@U0RUNNER> with `/tcr diagnose`" in block_text(final.args["blocks"])


def test_slash_secret_warning_does_not_ask_to_delete_a_message_that_was_never_posted(rig, db):
    secret = "Sup3r-Secret-Value-42"
    rig.command(f"ask docker login -u 100012345678 -p {secret} shop-tcr.tencentcloudcr.com fails")
    reply = rig.api.wait_for("response_url")
    assert "rotate" in reply.args["text"] and "delete the message" not in reply.args["text"]
    assert "was not posted" in reply.args["text"]
    rig.api.quiet(0.3)
    assert rig.api.calls_to("chat.postMessage") == [] and secret not in rig.api.everything()
    assert rows(rig, db, "questions") == []
    # A mention that contains a secret was posted: there the warning does say to delete it.
    mention(rig, f"docker login -u 100012345678 -p {secret} shop-tcr.tencentcloudcr.com fails", ts="1700001600.1")
    warning = rig.api.wait_for("chat.postEphemeral")
    assert "delete the message" in block_text(warning.args["blocks"])


def test_a_vote_on_a_log_cause_reply_is_stored_under_the_cause(rig, db, capsys):
    pasted = "docker pull registry-1.docker.io/library/nginx: toomanyrequests: You have reached your pull rate limit"
    expected = knowledge.ask(pasted)
    assert expected["status"] == "no_answer" and expected["log"]["cause"]
    mention(rig, pasted, ts="1700001700.000001")
    reply = rig.api.wait_for("chat.postMessage")
    rig.click(reply, "tcr_feedback_down")
    settled = rig.api.wait_for("chat.update")
    assert "tcr_feedback_down" not in buttons(settled.args["blocks"])
    (row,) = rows(rig, db, "feedback")
    assert row["answer_id"] == "log:" + expected["log"]["cause"] and row["helpful"] == 0
    assert cli_main(["report", "unanswered", "--db", db, "--json"]) == 0
    (group,) = json.loads(capsys.readouterr().out)["groups"]
    assert group["no_answer"] == 1 and group["thumbs_down"] == 1
    assert group["answer_ids"] == ["log:" + expected["log"]["cause"]]


@pytest.mark.parametrize(
    "text",
    [
        "my password is not accepted when I docker login to shop-tcr.tencentcloudcr.com",
        "我的密码是对的但是登录失败",
        'failed to resolve reference "shop-tcr.tencentcloudcr.com/a/b:1": failed to fetch oauth token: '
        "unexpected status: 401 Unauthorized",
    ],
)
def test_words_about_a_password_are_answered_not_warned_about(rig, text):
    """A question about a password (or containerd's 'oauth token: unexpected status') holds no secret: /tcr answers
    it instead of refusing with 'rotate the credential'."""
    rig.command(text)
    answer = rig.api.wait_for("chat.postMessage")
    assert block_text(answer.args["blocks"])
    rig.api.quiet(0.3)
    assert "rotate" not in rig.api.everything() and "轮换" not in rig.api.everything()


@pytest.mark.parametrize(
    "paste",
    [
        # a long build log whose cause is its last line (Slack messages run to 40,000 characters)
        "docker pull keeps failing on our runner, log below\n"
        + "\n".join(f"#{i} [stage 2/7] RUN apt-get install -y package-{i} ... done" for i in range(80))
        + "\nError response from daemon: manifest for shop-tcr.tencentcloudcr.com/team/app:1.0 not found: "
        "manifest unknown: manifest unknown",
        # pasted with its terminal colours: JSON writes each ESC as 6 characters
        "docker pull failed\n"
        + "\x1b[31mERROR\x1b[0m step failed \x1b[1m\x1b[33m(retrying)\x1b[0m\n" * 120
        + "Error response from daemon: manifest for shop-tcr.tencentcloudcr.com/team/app:1.0 not found: "
        "manifest unknown",
    ],
)
def test_the_full_answer_and_hand_off_buttons_carry_the_question_that_was_answered(paste):
    """The buttons' values stay within Slack's 2,000 characters however the text escapes, and the full answer
    (asked again from the button's question) reads the same cause as the first reply: the paste's end is kept."""
    channel = SlackChannel(SlackSettings(bot_token="x", support_channel=SUPPORT))
    first = knowledge.ask(paste)
    assert first["log"]["cause"] == "TAG_NOT_FOUND"
    reply = channel.answer_blocks(first, paste, first["lang"], qid="q1")
    values = {k: e["value"] for k, e in buttons(reply["blocks"]).items() if "value" in e}
    assert all(len(v) <= 2000 for v in values.values()), {k: len(v) for k, v in values.items()}
    carried = json.loads(values["tcr_full_answer"])["question"]
    assert knowledge.ask(carried)["log"]["cause"] == "TAG_NOT_FOUND"
    assert carried.startswith("docker pull")
    assert json.loads(values["tcr_handoff"])["question"] == carried


@pytest.mark.parametrize("unit", ["a", '"', "\\", "\n", "\x1b", "登", "😀", 'x"\x01登'])
def test_a_carried_question_fits_its_budget_and_keeps_both_ends(unit):
    from bot.render import carried

    text = "START " + unit * 5000 + " END"
    out = carried(text)
    assert len(json.dumps(out, ensure_ascii=False)) - 2 <= 1600
    assert out.startswith("START") and out.endswith(" END") and "…" in out
    assert carried("short question") == "short question"


@pytest.mark.parametrize(
    "text,lang",
    [
        (
            "我们自己搭的私有仓库 registry.internal.example:5000，docker login 报 x509: certificate signed by unknown "
            "authority",
            "zh",
        ),
        (
            "I set up a private registry behind nginx and docker login fails with x509: certificate signed by unknown "
            "authority",
            "en",
        ),
    ],
)
def test_a_self_hosted_registry_is_named_in_the_readers_language(text, lang, tmp_path, capsys):
    """'这是self-hosted registry的镜像仓库' / "This is self-hosted registry's registry": the reply says 自建的镜像仓库 /
    a self-hosted registry, in Slack, the widget's HTML and the CLI."""
    from bot.cli import main as cli

    result = knowledge.ask(text)
    assert result["lang"] == lang and result["refusal"]["vendor"] == "self-hosted registry"
    slack = json.dumps(SlackChannel(SlackSettings(bot_token="x")).answer_blocks(result, text, lang), ensure_ascii=False)
    client = make_web_app({"DB": str(tmp_path / "w.sqlite3"), "SLACK": "off"}).test_client()
    web = client.post("/api/ask", json={"q": text, "render": "html"}).get_json()["html"]
    assert cli(["ask", text]) == 0
    terminal = capsys.readouterr().out
    for shown in (slack, web, terminal):
        assert "self-hosted registry的" not in shown and "self-hosted registry's" not in shown
        assert "about self-hosted registry" not in shown and "关于 self-hosted" not in shown
        assert ("自建" in shown) if lang == "zh" else ("a self-hosted registry" in shown)
    if lang == "zh":  # the CLI's "Detected" line too
        assert "识别到：仓库 registry.internal.example:5000" in terminal


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_another_vendors_local_failure_offers_no_registry_command(lang):
    """A daemon failure pasted from another vendor's pull: the registry is not involved, so the refusal names no
    `tcr-doctor diagnose <registry>` to run (as the log's own cause says)."""
    channel = SlackChannel(SlackSettings(bot_token="x", support_channel=SUPPORT))
    pasted = (
        "docker pull quay.io/team/app:1\nError response from daemon: failed to register layer: ApplyLayer exit "
        "status 1 stdout:  stderr: archive/tar: invalid tar header"
    )
    result = dict(knowledge.ask(pasted, lang=lang), refusal={"kind": "other_registry", "vendor": "Quay"})
    assert result["log"]["cause"] and not result["log"]["diagnose"]
    text = block_text(channel.answer_blocks(result, pasted, lang, qid="q1")["blocks"])
    assert "tcr-doctor diagnose" not in text, text
    assert ("上面的原因对任何镜像仓库都适用" if lang == "zh" else "The cause above applies to any registry") in text


OTHER_VENDOR_TEXTS = {
    "question": "How do I set up a pull-through cache for quay.io images?",
    "log-without-command": "docker pull quay.io/team/app:1\nError response from daemon: failed to register layer: "
    "ApplyLayer exit status 1 stdout:  stderr: archive/tar: invalid tar header",
    "log-with-command": 'docker pull quay.io/team/app:1\nError response from daemon: Get "https://quay.io/v2/": dial '
    "tcp: lookup quay.io: no such host",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("case", list(OTHER_VENDOR_TEXTS))
def test_another_vendors_refusal_reads_the_same_in_every_channel(case, lang, tmp_path, capsys):
    """The CLI, the widget and Slack say "this is X's registry, not TCR" in one wording (bot.messages), and what
    still helps in the same words: only where the command stands differs (Slack, which shows it nowhere else, gives
    it in the sentence)."""
    from html import unescape

    from bot import messages
    from bot.cli import main as cli

    text = OTHER_VENDOR_TEXTS[case]
    result = knowledge.ask(text, lang=lang)
    assert result["refusal"] == {"kind": "other_registry", "vendor": "Quay"}, result["refusal"]
    log = result.get("log") or {}
    assert bool(log.get("cause")) is (case != "question") and bool(log.get("diagnose")) is (case == "log-with-command")
    assert cli(["ask", "--lang", lang, text]) == 0
    terminal = capsys.readouterr().out
    client = make_web_app({"DB": str(tmp_path / "w.sqlite3"), "SLACK": "off"}).test_client()
    web = unescape(client.post("/api/ask", json={"q": text, "render": "html", "lang": lang}).get_json()["html"])
    slack = unescape(block_text(SlackChannel(SlackSettings(bot_token="x")).answer_blocks(result, text, lang)["blocks"]))
    lead = {"zh": "这是 Quay 的镜像仓库，不是腾讯云 TCR，", "en": "This is Quay's registry, not Tencent Cloud TCR, "}[
        lang
    ]
    for shown in (terminal, web, slack):
        assert lead in shown, shown
    if case == "question":
        said = messages.other_registry("Quay", lang)
        assert said in terminal and said in slack, (terminal, slack)
        assert said.replace("`", "") in web, web  # HTML: the command without backticks
    elif case == "log-without-command":
        said = messages.other_registry("Quay", lang, cause=True)
        assert said in terminal and said in web and said in slack
    else:
        said = messages.other_registry("Quay", lang, cause=True, command_above=True)
        assert said in terminal and said in web, (terminal, web)
        assert messages.other_registry("Quay", lang, cause=True, command=log["diagnose"]) in slack, slack


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    "text", ["how much does the enterprise edition cost", "can I change the colour theme of the tcr console"]
)
def test_a_documentation_refusal_points_at_one_documentation_site_in_every_channel(text, lang, tmp_path, capsys):
    """A how-to or pricing question the FAQ does not cover gets the documentation pointer (with the topic's hint when
    one fits): the CLI, the widget and Slack name one documentation site, the one the hints name (bot.messages), not
    the Chinese site in one line and the international one in the next."""
    from html import unescape

    from bot import messages
    from bot.cli import main as cli

    result = knowledge.ask(text, lang=lang)
    assert result["refusal"] == {"kind": "documentation"}, result["refusal"]
    assert cli(["ask", "--lang", lang, text]) == 0
    terminal = capsys.readouterr().out
    client = make_web_app({"DB": str(tmp_path / "w.sqlite3"), "SLACK": "off"}).test_client()
    web = unescape(client.post("/api/ask", json={"q": text, "render": "html", "lang": lang}).get_json()["html"])
    slack = unescape(block_text(SlackChannel(SlackSettings(bot_token="x")).answer_blocks(result, text, lang)["blocks"]))
    site = re.compile(r"https://[\w.]+/document/product/\d+")
    for shown in (terminal, web, slack):
        assert set(site.findall(shown)) == {messages.DOCS_URL}, shown
    hint = (result.get("topic") or {}).get("hint")
    assert not hint or messages.DOCS_URL in hint, hint


@pytest.mark.parametrize(("failed", "expected"), [(1, "found 1 problem"), (2, "found 2 problems")])
def test_the_diagnosis_head_counts_its_problems_in_plain_english(failed, expected):
    """The Slack diagnosis head said "found 1 problem(s)"; the Chinese one counts 个问题 already."""
    from bot.slack import message
    from diagnostics import finding

    findings = [finding("tcp", "TCP_REFUSED", address="203.0.113.7", port=443 + n).to_dict() for n in range(failed)]
    head = message(
        "findings.json.j2",
        lang="en",
        target="shop-tcr.tencentcloudcr.com",
        findings=findings,
        causes=[],
        credentials=False,
        ran_by=None,
        command=True,
    )["text"]
    assert head.endswith(expected), head


def test_a_logs_diagnosis_runs_on_the_logs_target_as_in_the_cli_and_the_widget(rig):
    """One story per answer: with a pasted log, Slack's "Run diagnostics" ran the checks of the log's cause on the
    first image the message named (a real post lists seven images and pastes the error of another), where the CLI's
    command and the widget's cause card diagnose what the log says failed. (The image the log failed on, when the
    message names it, is still the target: test_slack_diagnose.)"""
    pasted = (
        "these images fail to pull: shop-tcr.tencentcloudcr.com/team/app:2.0 shop-tcr.tencentcloudcr.com/team/db:1\n"
        'Error response from daemon: Get "https://shop-tcr.tencentcloudcr.com/v2/": x509: certificate signed by '
        "unknown authority"
    )
    expected = knowledge.ask(pasted)
    log = expected["log"]
    assert log["target"] == "shop-tcr.tencentcloudcr.com" and expected["entities"]["image"].endswith("/team/app:2.0")
    mention(rig, pasted, ts="1700001600.000001")
    reply = rig.api.wait_for("chat.postMessage")
    value = json.loads(buttons(reply.args["blocks"])["tcr_diagnose"]["value"])
    assert value["target"] == log["target"] and value["checks"] == log["checks"], value
    assert f"tcr-doctor diagnose {log['target']} --only" in log["diagnose"]  # what the CLI and the widget show


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("diagnose 镜像", "诊断"),  # Chinese words where the target goes (no reference): a Chinese reply
        ("check-name repo 团队仓库", "不合法"),
    ],
)
def test_chinese_words_after_an_english_subcommand_get_a_chinese_reply(rig, text, said):
    """qa10: `/tcr diagnose 镜像` answered in English: the language followed the subcommand word alone."""
    rig.command(text)
    rig.api.quiet(1.5)
    shown = json.dumps([c.args for c in rig.api.calls], ensure_ascii=False)
    assert said in shown, shown[-600:]
    assert not any(w in shown for w in ("Diagnostics for", "Diagnosing", "Fix:", "invalid", "Run by")), shown[-600:]


def test_a_long_headline_is_cut_between_words():
    """Slack's header holds 150 characters: a longer cause summary (the non-TTY login's is 218) is cut at a space,
    never in a word ("…and the command did not p…"), and an escaped `&lt;` is never split."""
    question = "Error: Cannot perform an interactive login from a non TTY device"
    result = knowledge.ask(question)
    summary = result["log"]["summary"]["en"]
    assert len(summary) > 150
    reply = SlackChannel(SlackSettings(bot_token="x")).answer_blocks(result, question, "en")
    (header,) = [b["text"]["text"] for b in reply["blocks"] if b["type"] == "header"]
    assert len(header) <= 150 and header.endswith("…")
    kept = header[:-1]
    assert summary.startswith(kept) and summary[len(kept)] in " ,;:", header

    from bot.render import clip

    assert clip("push to " + "a" * 30 + " &lt;registry&gt; failed", 43) == "push to " + "a" * 30 + "…"
    assert clip("登录" * 100, 10) == "登录登录登录登录登…"


@pytest.mark.parametrize(
    ("paste", "tcr"),
    [
        ('Error response from daemon: Head "https://ghcr.io/v2/acme/app/manifests/1.0": unauthorized', False),
        (
            'Error response from daemon: Get "https://shop.tencentcloudcr.com/v2/": unauthorized: authentication required',
            True,
        ),
    ],
)
def test_the_credentials_advice_fits_the_registry(paste, tcr):
    """The full answer's credentials advice sends a TCR user to TCR's console for a temporary login command; a
    ghcr.io log's advice said the same (qa12). Another registry's user is told to use that registry's credentials."""
    channel = SlackChannel(SlackSettings(bot_token="x"))
    for lang in ("en", "zh"):
        text = json.dumps(channel.full_blocks(knowledge.ask(paste), lang), ensure_ascii=False)
        assert "--password-stdin" in text
        console = ("TCR console" in text) if lang == "en" else ("容器镜像服务控制台" in text)
        assert console is tcr, text
        if not tcr:
            assert "tcr-doctor diagnose ghcr.io" in text and ("access token" in text or "访问令牌" in text), text
