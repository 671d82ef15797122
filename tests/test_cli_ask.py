"""`tcr-doctor ask` and `tcr-doctor eval` through the real CLI dispatcher."""

from __future__ import annotations

import io
import json
import os
import random
import re
import subprocess
import sys

import pytest

from bot.cli import main
from bot.commands.ask import refusal_text


def run_cli(argv, capsys, monkeypatch, stdin: bytes | None = None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_human_zh(capsys, monkeypatch):
    code, out, err = run_cli(["ask", "个人版和企业版有什么不同"], capsys, monkeypatch)
    assert code == 0
    assert "个人版与企业版有什么区别？" in out
    assert "相关文档" in out and "https://cloud.tencent.com/document/product/1141/40540" in out


def test_ask_human_en_and_lang_override(capsys, monkeypatch):
    code, out, _ = run_cli(["ask", "个人版和企业版有什么不同", "--lang", "en"], capsys, monkeypatch)
    assert code == 0 and "What is the difference" in out and "Documentation" in out


def test_ask_no_answer_offers_handoff(capsys, monkeypatch):
    code, out, _ = run_cli(["ask", "how do I bake sourdough bread"], capsys, monkeypatch)
    assert code == 0
    assert "no documented answer" in out and "ticket" in out
    code, out, _ = run_cli(["ask", "今天天气怎么样"], capsys, monkeypatch)
    assert "没有找到" in out and "工单" in out


def test_ask_json(capsys, monkeypatch):
    code, out, _ = run_cli(["ask", "--json", "docker login 报 no such host"], capsys, monkeypatch)
    res = json.loads(out)
    assert code == 0 and res["matched"] and res["answer"]["id"] == "login-failed"
    assert res["diagnostics"] and res["lang"] == "zh" and res["status"] in ("answered", "ambiguous")


def test_ask_shows_diagnose_hint(capsys, monkeypatch):
    code, out, _ = run_cli(["ask", "docker login shop-tcr.tencentcloudcr.com 失败"], capsys, monkeypatch)
    assert "tcr-doctor diagnose shop-tcr.tencentcloudcr.com" in out


def test_stdin_json_lines_in_order(capsys, monkeypatch):
    questions = [
        "个人版的配额是多少",
        "",
        "how do I delete one image tag",
        "今天天气怎么样",
        "实例同步和实例复制的区别",
    ]
    code, out, _ = run_cli(["ask"], capsys, monkeypatch, stdin="\n".join(questions).encode() + b"\n")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == len(questions)
    assert lines[0]["answer"]["id"] == "personal-quota"
    assert lines[1]["error"] == "empty"
    assert lines[2]["answer"]["id"] == "delete-image-tag" and lines[2]["lang"] == "en"
    assert lines[3]["status"] == "no_answer"
    assert lines[4]["answer"]["id"] == "sync-vs-replication"


@pytest.mark.parametrize("argv", [["ask", "-"], ["ask", "-", "--json"], ["ask", "--lang", "en", "-"]])
def test_a_dash_reads_stdin_as_check_name_and_explain_take_it(argv, capsys, monkeypatch):
    """`ask -` read "-" as the question and said it had no words to match; check-name and explain take "-" for
    stdin, so `ask -` reads one question per line from stdin as `ask` alone does."""
    stdin = "个人版的配额是多少\n\nhow do I delete one image tag\n".encode()
    code, out, err = run_cli(argv, capsys, monkeypatch, stdin=stdin)
    assert code == 0 and not err, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(line.get("answer") or {}).get("id") for line in lines] == [
        "personal-quota",
        None,
        "delete-image-tag",
    ], lines


def test_stdin_json_lines_keep_multi_line_pastes(capsys, monkeypatch):
    paste = (
        "$ docker push shop.tencentcloudcr.com/team/app:1\n"
        "The push refers to repository [shop.tencentcloudcr.com/team/app]\n"
        "unauthorized: authentication required"
    )
    stdin = "\n".join(
        [
            json.dumps({"q": paste, "lang": "zh"}),
            "",
            json.dumps("个人版的配额是多少"),
            "plain line: how do I delete one image tag",
            '{"not": "a question"}',
            "  ",
        ]
    )
    code, out, _ = run_cli(["ask"], capsys, monkeypatch, stdin=(stdin + "\r\n").encode())
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == 6  # every input line, blank ones included, gives one output line, in order
    assert lines[0]["log"]["cause"] and lines[0]["lang"] == "zh"
    assert lines[0]["entities"]["registry"] == "shop.tencentcloudcr.com"
    assert lines[1]["error"] == "empty" and lines[5]["error"] == "empty"
    assert lines[2]["answer"]["id"] == "personal-quota"
    assert lines[3]["answer"]["id"] == "delete-image-tag"
    assert "error" not in lines[4]  # a JSON object without "q" is read as plain text


def test_stdin_empty_is_usage_error(capsys, monkeypatch):
    code, out, err = run_cli(["ask"], capsys, monkeypatch, stdin=b"\n  \n")
    assert code == 2 and out == "" and "no question" in err
    code, out, err = run_cli(["ask"], capsys, monkeypatch, stdin="\u200b\n \ufeff\u2060\n".encode())
    assert code == 2 and out == "" and "no question" in err


@pytest.mark.parametrize(
    "question,kind",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\u200b\u200c\u200d \u2060\ufeff", "empty"),  # invisible characters only: empty, not "no words"
        ("？！。，", "no_words"),
        ("😀🎉🚀", "no_words"),
        ("x" * 1_000_000, "too_long"),
        ("\x00\x01binary\x02", "binary"),
    ],
)
def test_bad_input_exit_2(capsys, monkeypatch, question, kind):
    code, out, err = run_cli(["ask", question], capsys, monkeypatch)
    assert code == 2 and out == ""
    assert err.startswith("tcr-doctor ask: ") and "Traceback" not in err
    code, out, _ = run_cli(["ask", "--json", question], capsys, monkeypatch)
    assert code == 2 and json.loads(out)["error"] == kind


def test_binary_stdin_gets_error_object(capsys, monkeypatch):
    code, out, _ = run_cli(
        ["ask"], capsys, monkeypatch, stdin=b"\xff\xfe\x00garbage\n\xe4\xb8\xaa\xe4\xba\xba\xe7\x89\x88 quota\n"
    )
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and lines[0]["error"] == "binary" and lines[1]["answer"]["id"] == "personal-quota"


def test_binary_stdin_is_refused_once(capsys, monkeypatch):
    """A binary file on stdin (most of its lines are not text) is one usage error (exit 2), not one error object per
    byte run that happens to end in a newline, with exit 0."""
    data = random.Random(3).randbytes(200_000)
    code, out, err = run_cli(["ask", "--lang", "en"], capsys, monkeypatch, stdin=data)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("tcr-doctor ask: ") and "binary" in err
    code, out, err = run_cli(["ask", "--lang", "zh"], capsys, monkeypatch, stdin=b"\xff\xfe\x00\x01\n")
    assert code == 2 and out == "" and "二进制" in err


def test_eval_text_and_json(tmp_path, capsys, monkeypatch):
    path = tmp_path / "set.jsonl"
    rows = [
        {"q": "个人版的配额是多少", "faq": 2, "kind": "paraphrase"},
        {"q": "how do I delete one image tag", "faq": 10, "kind": "english"},
        {"q": "how do I delete one image tag", "faq": 1, "kind": "english"},
        {"q": "今天天气怎么样", "faq": None, "kind": "out-of-domain"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    code, out, _ = run_cli(["eval", str(path), "--json"], capsys, monkeypatch)
    res = json.loads(out)
    assert code == 0
    assert res["in_scope"] == 3 and res["out_of_scope"] == 1
    assert res["top1"] == pytest.approx(66.7) and res["out_of_scope_rejected"] == 100.0
    assert res["in_scope_rejected"] == 0.0
    assert res["by_kind"]["english"] == {"n": 2, "correct": 1, "pct": 50.0}
    code, out, _ = run_cli(["eval", str(path)], capsys, monkeypatch)
    assert code == 0 and "top-1" in out and "top-3" in out and "out-of-scope rejected" in out and "english" in out


# A kubelet paste whose log tells the cluster-pull entry's story (08): ask() answers 08, while the raw text's lexical
# rank puts the "unauthorized" entry (09) first.
KUBELET_PASTE = """$ kubectl describe pod web-0
Events:
  Warning  Failed  12s  kubelet  Failed to pull image "demo-tcr.tencentcloudcr.com/shop/web:1.2": rpc error: code = \
Unknown desc = failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized
  Warning  Failed  12s  kubelet  Error: ErrImagePull"""


def test_eval_top1_is_the_entry_ask_answers_first(tmp_path, capsys, monkeypatch):
    """`eval`'s top-1 ranked the raw text (Matcher.rank), not what ask() answers first: on faq_tune it printed top-1
    77.8 % below "answered correctly" 88.9 %. A question answered with its labelled entry is a top-1 hit."""
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps({"q": KUBELET_PASTE, "faq": 8}) + "\n", encoding="utf-8")
    code, out, _ = run_cli(["eval", str(path), "--json"], capsys, monkeypatch)
    res = json.loads(out)
    assert code == 0 and res["answered_correctly"] == 100.0
    assert res["top1"] == 100.0 and res["top3"] == 100.0


@pytest.mark.parametrize(
    "q",
    [KUBELET_PASTE, "个人版的配额是多少", "how do I delete one image tag", "今天天气怎么样", "how do I log in to ECR"],
)
def test_ask_ranked_is_ask_with_its_order(q):
    """knowledge.ask_ranked returns ask()'s result and the entries in ask()'s order: the answer first."""
    import knowledge

    res, order = knowledge.ask_ranked(q)
    assert res == knowledge.ask(q)
    assert order, q
    if res["matched"]:
        assert order[0].id == res["answer"]["id"]
    assert [a["id"] for a in res["alternatives"]] == [
        e.id for e in order[1 if res["matched"] else 0 :] if e.id in {a["id"] for a in res["alternatives"]}
    ]


def test_a_log_on_another_port_of_the_registry_asked_about_gets_one_diagnose_command(capsys, monkeypatch):
    """A nerdctl login to ccr.ccs.tencentyun.com whose log shows port 8080 printed two commands, `diagnose
    ccr.ccs.tencentyun.com:8080 --only …` (the log's) and `diagnose ccr.ccs.tencentyun.com --only …` (the answer's):
    the one-diagnosis rule compared host:port exactly. One registry, one command: the log's."""
    paste = (
        "docker login to ccr.ccs.tencentyun.com fails with nerdctl:\n"
        'FATA[0006] failed to call rh.Client.Do: Get "http://ccr.ccs.tencentyun.com:8080/v2/": EOF'
    )
    code, out, _ = run_cli(["ask", "--lang", "en", paste], capsys, monkeypatch)
    assert code == 0 and "tcr-doctor diagnose ccr.ccs.tencentyun.com:8080" in out, out
    assert out.count("tcr-doctor diagnose") == 1, out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_problem_report_whose_log_was_read_is_told_no_entry_covers_the_cause(lang, capsys, monkeypatch):
    """Below the cause it had just read from a pasted TCR log, `ask` said "Suggestion: open a ticket … and include the
    full error message and the command you ran", where the widget and Slack say that no FAQ entry covers this cause
    (qa8's fix of the widget, e560fbd). One text in every channel; a report without a log keeps the suggestion."""
    from bot import messages

    handoff = {"zh": "附上完整的报错信息", "en": "include the full error message"}[lang]
    log = (
        "docker pull ccr.ccs.tencentyun.com/ns/app:1\n"
        'Error response from daemon: Get "https://ccr.ccs.tencentyun.com/v2/": context deadline exceeded '
        "(Client.Timeout exceeded while awaiting headers)"
    )
    code, out, _ = run_cli(["ask", "--lang", lang, log], capsys, monkeypatch)
    assert code == 0 and "HTTP_TIMEOUT" in out, out
    assert messages.NO_ENTRY_FOR_CAUSE[lang] in out and handoff not in out, out
    plain = {"zh": "部署的时候报错了", "en": "the deploy fails with an error"}[lang]
    code, out, _ = run_cli(["ask", "--lang", lang, plain], capsys, monkeypatch)
    assert handoff in out and messages.NO_ENTRY_FOR_CAUSE[lang] not in out, out


def test_eval_bad_file(tmp_path, capsys, monkeypatch):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"q": "x", "faq": 1}\nnot json\n', encoding="utf-8")
    code, _, err = run_cli(["eval", str(path)], capsys, monkeypatch)
    assert code == 2 and "bad.jsonl:2" in err


def test_console_script_end_to_end():
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "TCR 同步 vs 复制"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["answer"]["id"] == "sync-vs-replication"


def test_invalid_knowledge_base_is_reported(capsys, monkeypatch):
    import knowledge
    from knowledge.kb import KnowledgeError

    def broken(path=None):
        raise KnowledgeError("knowledge/faq/01-x.toml: answer.en: missing (both zh and en are required)")

    monkeypatch.setattr(knowledge, "get_matcher", broken)
    code, out, err = run_cli(["ask", "个人版配额"], capsys, monkeypatch)
    assert code == 1 and out == "" and "answer.en: missing" in err and "Traceback" not in err


PASTED_DNS_LOG = (
    '$ docker login shop.tencentcloudcr.com\nError response from daemon: Get "https://shop.tencentcloudcr.com/v2/": '
    "dial tcp: lookup shop.tencentcloudcr.com: no such host"
)


@pytest.mark.parametrize(
    "lang,labels",
    [
        ("en", ("What the log says", "It may also be", "Evidence", "Fix", "Confirm it on the machine that failed")),
        ("zh", ("日志中的原因", "也可能是", "依据的报错行", "处理方法", "用以下命令在出错的机器上确认")),
    ],
)
def test_ask_human_starts_with_the_cause_of_a_pasted_log(capsys, monkeypatch, lang, labels):
    import knowledge

    result = knowledge.ask(PASTED_DNS_LOG, lang)
    log = result["log"]
    assert log["cause"] == "DNS_NXDOMAIN"
    code, out, _ = run_cli(["ask", "--lang", lang, PASTED_DNS_LOG], capsys, monkeypatch)
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith(labels[0]) and log["summary"][lang] in first and "[DNS_NXDOMAIN]" in first
    for label in labels:
        assert label in out
    for text in (log["evidence"], log["fix"][lang], log["diagnose"], *log["also"]):
        assert text in out
    # then the FAQ answer, as before
    assert out.index(log["diagnose"]) < out.index(result["answer"]["question"])


def test_ask_human_local_log_cause_and_plain_question(capsys, monkeypatch):
    code, out, _ = run_cli(
        [
            "ask",
            "--lang",
            "en",
            "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0 and out.startswith("What the log says") and "[DAEMON_ERROR]" in out
    assert "registry is not involved" in out and "tcr-doctor diagnose" not in out.split("-" * 60)[0]
    code, out, _ = run_cli(["ask", "How do I delete an image tag?"], capsys, monkeypatch)
    assert code == 0 and "What the log says" not in out and "-" * 60 not in out


@pytest.mark.parametrize("question,kind", [("", "empty"), ("  ", "empty"), ("\x01\x02\x03\x04 binary", "binary")])
def test_input_with_no_language_is_refused_in_the_locale_language(question, kind):
    env = {**os.environ, "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": "", "LANG": "zh_CN.UTF-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", question],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2
    assert json.loads(proc.stdout) == {"error": kind, "message": refusal_text(kind)["zh"]}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--lang", "en", question],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2 and proc.stderr == f"tcr-doctor ask: {refusal_text(kind)['en']}\n"


def test_a_paste_gets_one_diagnose_command_for_its_registry(capsys, monkeypatch):
    """The log's cause block already says how to confirm it on the paste's registry: the answer below it does not
    add a second, narrower command for the same registry (two commands for one host read as a contradiction);
    the widget and Slack offer one diagnosis there too."""
    paste = (
        "docker pull 拉取失败\n"
        'Error response from daemon: Head "https://ccr.ccs.tencentyun.com/v2/ns/app/manifests/1": '
        "unauthorized: authentication required"
    )
    code, out, _ = run_cli(["ask", paste], capsys, monkeypatch)
    assert code == 0
    commands = [line.strip() for line in out.splitlines() if line.strip().startswith("tcr-doctor diagnose")]
    assert commands == ["tcr-doctor diagnose ccr.ccs.tencentyun.com --only dns,tcp,tls,http,credentials"], out
    # a log on the registry of the image the sentence names: the cause block's command, not a second one
    image = "ccr.ccs.tencentyun.com/ns/app:1"
    code, out, _ = run_cli(
        ["ask", f"docker pull {image} fails with unauthorized: authentication required"], capsys, monkeypatch
    )
    commands = [line.strip() for line in out.splitlines() if line.strip().startswith("tcr-doctor diagnose")]
    assert commands == ["tcr-doctor diagnose ccr.ccs.tencentyun.com --only dns,tcp,tls,http,credentials"], out
    # a question without a log keeps the entry's own command
    code, out, _ = run_cli(
        ["ask", "docker push to ccr.ccs.tencentyun.com/ns/app:1 says unauthorized"], capsys, monkeypatch
    )
    assert "tcr-doctor diagnose ccr.ccs.tencentyun.com" in out


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("text", "above"),
    [
        ("How do I set up a pull-through cache for quay.io images?", None),
        (
            "docker pull quay.io/team/app:1\nError response from daemon: failed to register layer: ApplyLayer exit "
            "status 1 stdout:  stderr: archive/tar: invalid tar header",
            "cause",
        ),
        (
            'docker pull quay.io/team/app:1\nError response from daemon: Get "https://quay.io/v2/": dial tcp: lookup '
            "quay.io: no such host",
            "cause and command",
        ),
    ],
    ids=["question", "log-without-command", "log-with-command"],
)
def test_another_vendors_refusal_only_points_above_at_what_is_there(text, above, lang, capsys, monkeypatch):
    """Another vendor's registry: the refusal says the log's cause (and its command) above work for any registry only
    when the reply shows them; a plain question is told what to paste instead."""
    code, out, _ = run_cli(["ask", "--lang", lang, text], capsys, monkeypatch)
    assert code == 0 and "Quay" in out, out
    command_above = "tcr-doctor diagnose quay.io" in out
    cause_above = ("日志中的原因" if lang == "zh" else "What the log says") in out
    assert (cause_above, command_above) == {None: (False, False), "cause": (True, False)}.get(above, (True, True))
    says_command_above = ("上面的原因和诊断命令" if lang == "zh" else "cause and the diagnosis command above") in out
    says_cause_above = ("上面的原因对" if lang == "zh" else "The cause above") in out
    assert says_command_above == command_above and (says_cause_above or says_command_above) == cause_above, out
    if not cause_above:
        assert ("请粘贴完整报错" if lang == "zh" else "paste the whole error") in out, out
    assert "关于 " not in out, out  # no space inside a Chinese sentence


def test_closest_questions_of_a_refusal_show_no_match_score(capsys, monkeypatch):
    """Under "no documented answer", a closest question at "(1.00)" read as a contradiction: no scores there."""
    text = (
        "docker login fails with Error saving credentials: error storing credentials - err: exit status 1, out: "
        "The user name or passphrase you entered is not correct."
    )
    code, out, _ = run_cli(["ask", "--lang", "en", text], capsys, monkeypatch)
    assert code == 0 and "Closest documented questions" in out, out
    closest = out.split("Closest documented questions", 1)[1]
    assert "  - " in closest and not re.search(r"\(\d\.\d\d\)", closest), out


_LOG = (
    "docker push shop-tcr.tencentcloudcr.com/ns/app:1\n"
    "The push refers to repository [shop-tcr.tencentcloudcr.com/ns/app]\n"
    "5f70bf18a086: Preparing\n"
    "5f70bf18a086: Waiting\n"
    "denied: requested access to the resource is denied\n"
)


@pytest.mark.parametrize(
    "stdin,lang,said",
    [
        (_LOG, "en", "these 5 lines look like one pasted log"),
        ("推送镜像失败了\n" + _LOG, "zh", "这 6 行看起来是一份粘贴的日志"),
    ],
)
def test_a_raw_log_piped_to_ask_is_answered_line_by_line_with_a_hint_on_stderr(stdin, lang, said, capsys, monkeypatch):
    """`ask` on stdin answers each line (the documented batch input): a raw log piped there got one answer per line
    and no word about it (tidy10: 1 MB meant 50,000 answers). The contract stays; stderr says, in the input's
    language, how to ask about the log as a whole."""
    code, out, err = run_cli(["ask"], capsys, monkeypatch, stdin=stdin.encode())
    assert code == 0 and len(out.splitlines()) == len(stdin.splitlines())
    assert said in err and "tcr-doctor explain -" in err and "jq -Rs ." in err


@pytest.mark.parametrize(
    "stdin",
    [
        "\n".join(json.dumps(q) for q in [_LOG, "how do I log in?", "a", "b", "c"]) + "\n",  # JSON Lines
        "How do I log in?\nwhy is my push denied?\n怎么开公网访问？\nwhat is TCR?\ncan I delete a tag?\n",  # questions
        "denied: requested access to the resource is denied\nunauthorized: authentication required\n",  # two lines
        "hello\nhow are you\nnice day\nsee you\nbye now\n",  # no error wording
    ],
)
def test_batch_questions_get_no_log_hint(stdin, capsys, monkeypatch):
    code, out, err = run_cli(["ask"], capsys, monkeypatch, stdin=stdin.encode())
    assert code == 0 and len(out.splitlines()) == len(stdin.splitlines()) and err == ""
