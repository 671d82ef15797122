"""Texts that several commands or channels say are written once, in bot/messages.py (in zh and en), and every
command, template and channel takes them from there: a wording changed in one place changes everywhere."""

from __future__ import annotations

import errno
import json
import re
from pathlib import Path

import pytest

from bot import messages

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    p
    for p in sorted((ROOT / "bot").rglob("*"))
    if p.suffix in (".py", ".j2", ".html", ".js") and p.name != "messages.py" and "migrations" not in p.parts
]


def spellings(text: str) -> list[str]:
    """Patterns that find TEXT written as a string of its own: its longest part between {fields}, after a quote when
    the text starts with it (and before a field when one follows it)."""
    parts = [part.strip() for part in re.split(r"\{[a-z_]*\}", text) if len(part.strip()) >= 4]
    longest = max(parts, key=len)
    if not text.startswith(longest):
        return [re.escape(longest)]
    field = r"[^\"'\n]{0,4}\{" if text.strip().startswith(longest + " {") or text.startswith(longest + "{") else ""
    return [r"[\"']" + re.escape(longest) + field]


def catalogue_texts() -> list[str]:
    texts = [*messages.WHY_NO_ANSWER_LABEL.values()]
    texts += [t for m in messages.WHY_NO_ANSWER.values() for t in m.values()]
    # (not "vendor", "{vendor}的镜像仓库", nor the placeholder command: their words are common elsewhere)
    other = {k: v for k, v in messages.OTHER_REGISTRY.items() if k not in ("vendor", "any_registry_command")}
    texts += [t for m in other.values() for t in m.values()]
    texts += [t for m in messages.INPUT.values() for t in m.values() if not t.startswith("{")]
    texts += [t for m in messages.EMPTY.values() for t in m["hint"].values()]
    texts += [*messages.NO_ENTRY_FOR_CAUSE.values()]
    texts += [t for k, m in messages.SMALLTALK.items() if k != "greeting" for t in m.values()]
    return [pattern for text in texts for pattern in spellings(text)]


@pytest.mark.parametrize("pattern", catalogue_texts())
def test_a_catalogue_text_is_written_nowhere_else(pattern: str) -> None:
    spelled = [str(p.relative_to(ROOT)) for p in SOURCES if re.search(pattern, p.read_text(encoding="utf-8"))]
    assert not spelled, f"{pattern!r} is also written in {spelled}: take it from bot/messages.py"


@pytest.mark.parametrize("word", sorted({w for m in messages.STATUS.values() for w in m.values()}))
def test_a_status_word_is_written_nowhere_else(word: str) -> None:
    """diagnose's marks, the ticket report, explain, check-name and the widget take a finding status's word from
    bot.messages.STATUS (a Chinese report once printed [FAIL] and ### OK)."""
    pattern = rf"[\"'\[]{word}[\"'\]]"
    spelled = [str(p.relative_to(ROOT)) for p in SOURCES if re.search(pattern, p.read_text(encoding="utf-8"))]
    assert not spelled, f"{word!r} is also written in {spelled}: take it from bot/messages.py (status_word)"


def test_the_documentation_site_is_written_nowhere_else() -> None:
    """The pointer to the TCR documentation (a product's root, not a page in it) comes from bot.messages.DOCS_URL: the
    CLI's English refusal once named the international site while its topic hint and the other channels named the
    Chinese one."""
    root = re.compile(r"https?://[\w.]+/document/product/\d+(?![/\d])")
    spelled = [str(p.relative_to(ROOT)) for p in SOURCES if root.search(p.read_text(encoding="utf-8"))]
    assert not spelled, f"a documentation root is written in {spelled}: take it from bot.messages.DOCS_URL"
    assert root.fullmatch(messages.DOCS_URL)


def test_the_check_finds_a_copy() -> None:
    copy = "{{ 'Why no answer: ' }}{{ '其他厂商或自建的镜像仓库' }}{{ '这些问题问的是其他厂商或自建的镜像仓库：' }}"
    copy += "{{ 'cannot read {}: {}' }}{{ '无法读取文件 {path}' }}{{ '无法读取该请求。' }}"
    found = [p for p in catalogue_texts() if re.search(p, copy)]
    assert found == [
        r"[\"']Why\ no\ answer:",
        r"[\"']其他厂商或自建的镜像仓库",
        r"[\"']无法读取[^\"'\n]{0,4}\{",
        r"[\"']cannot\ read[^\"'\n]{0,4}\{",
    ]


def test_every_message_exists_in_both_languages() -> None:
    """Each text in zh and en, with the same {fields} (a field only one language fills would be lost or fail)."""
    catalogues = [messages.INPUT, messages.WHY_NO_ANSWER, messages.REASONS, messages.STATUS, messages.OTHER_REGISTRY]
    catalogues += [messages.INSTEAD, *messages.EMPTY.values()]
    texts = [(key, text) for catalogue in catalogues for key, text in catalogue.items()]
    texts += [("label", messages.WHY_NO_ANSWER_LABEL), ("not_utf8", messages.NOT_UTF8), ("not_pem", messages.NOT_PEM)]
    for key, text in texts:
        assert set(text) == {"zh", "en"} and all(v.strip() for v in text.values()), (key, text)
        assert sorted(re.findall(r"\{\w+\}", text["zh"])) == sorted(re.findall(r"\{\w+\}", text["en"])), key


LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


def run_cli(
    argv: list[str], lang: str, monkeypatch: pytest.MonkeyPatch, capsys, stdin: bytes = b""
) -> tuple[int, str, str]:
    """ARGV run in-process under a LANG locale with STDIN: (exit status, stdout, stderr)."""
    import io
    import sys

    from bot.cli import main

    for var in LOCALE_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8" if lang == "zh" else "en_US.UTF-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_command_says_a_file_it_cannot_read_in_one_way(lang, tmp_path, monkeypatch, capsys):
    """explain FILE, eval FILE, kb --topics, diagnose --ca-file and --docker-config: a missing file is "cannot read
    PATH: no such file or directory" in the locale's language, the reason included (it was the system's English
    strerror, 'cannot be used', 'does not exist' or 'the exported files do not load', and explain spoke English
    whatever the locale)."""
    missing = str(tmp_path / "none.txt")
    said = messages.cannot_read
    cases = {
        "explain": (["explain", missing], said(missing, FileNotFoundError(2, "x"))),
        "eval": (["eval", missing], said(missing, FileNotFoundError(2, "x"))),
        "kb": (["kb", "export", "--topics", missing], said(missing, FileNotFoundError(2, "x"))),
        "diagnose --ca-file": (
            ["diagnose", "x.example", "--ca-file", missing],
            said(f"--ca-file {missing!r}", FileNotFoundError(2, "x")),
        ),
        "diagnose --docker-config": (
            ["diagnose", "x.example", "--docker-config", missing],
            said(f"--docker-config {missing!r}", FileNotFoundError(2, "x")),
        ),
    }
    for case, (argv, message) in cases.items():
        code, _, err = run_cli(argv, lang, monkeypatch, capsys)
        assert code == 2 and err.count("\n") == 1, (case, code, err)
        assert err.endswith(message[lang] + "\n"), (case, err)
        assert ("文件或目录不存在" if lang == "zh" else "no such file or directory") in err, (case, err)
        assert ("No such file" not in err) and (lang == "en" or "cannot read" not in err), (case, err)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_docker_config_that_cannot_be_read_is_a_usage_error_before_the_diagnosis(lang, tmp_path, monkeypatch, capsys):
    """diagnose --docker-config: a directory without config.json, a file that is not JSON, not a JSON object or not
    UTF-8 is "cannot read PATH: REASON" with exit 2 before anything runs (it passed the usage check, which only
    asked whether the path existed, and the credentials check then found no credentials). A directory holding a
    config.json, or an empty file (docker reads it as no settings), passes."""
    empty_dir = tmp_path / "no-config"
    empty_dir.mkdir()
    files = {"broken": b'{"auths": {', "list": b"[]", "latin1": b'{"auths": {"caf\xe9": {}}}'}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    not_json = {lang: text.format(line=1, column=12) for lang, text in messages.NOT_JSON.items()}
    unreadable = {
        "broken": messages.message("unreadable", path=f"--docker-config {str(tmp_path / 'broken')!r}", reason=not_json),
        "list": messages.message(
            "unreadable", path=f"--docker-config {str(tmp_path / 'list')!r}", reason=messages.NOT_JSON_OBJECT
        ),
        "latin1": messages.message(
            "unreadable", path=f"--docker-config {str(tmp_path / 'latin1')!r}", reason=messages.NOT_UTF8
        ),
    }
    unreadable[str(empty_dir)] = messages.message(
        "unreadable",
        path=f"--docker-config {str(empty_dir / 'config.json')!r}",
        reason=messages.REASONS[errno.ENOENT],
    )
    for given, message in unreadable.items():
        path = given if given.startswith("/") else str(tmp_path / given)
        code, out, err = run_cli(
            ["diagnose", "x.example", "--docker-config", path, "--json"], lang, monkeypatch, capsys
        )
        assert (code, out) == (2, "") and err.endswith(message[lang] + "\n") and err.count("\n") == 1, (given, err)
    readable = tmp_path / "readable"
    readable.mkdir()
    (readable / "config.json").write_text('{"auths": {}}', encoding="utf-8")
    (tmp_path / "empty.json").write_bytes(b"")
    for path in (readable, tmp_path / "empty.json"):
        argv = ["diagnose", "x.example", "--docker-config", str(path), "--only", "name", "--json"]
        code, out, err = run_cli(argv, lang, monkeypatch, capsys)
        assert code == 0 and json.loads(out)["findings"], (path, code, err)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_question_or_a_target_too_long_reads_the_same_in_the_cli_and_the_web_api(lang, tmp_path, monkeypatch, capsys):
    """`ask` and /api/ask say "the question is too long (at most LIMIT): paste only the most relevant lines", `diagnose`
    and /api/diagnose "the target is too long (at most LIMIT)", from one text each (the API said neither the advice
    nor, for a target, "diagnosis target"; `diagnose` gave no limit)."""
    from tests.harness.web import offline_app

    question = messages.too_long("question", 16, "KB")[lang]
    long_question = (
        "问" * (6 << 10) if lang == "zh" else "x" * (17 << 10)
    )  # over 16 KB; a refusal's language is its own
    code, out, err = run_cli(["ask", long_question], lang, monkeypatch, capsys)
    assert code == 2 and err == f"tcr-doctor ask: {question}\n", err
    target = messages.too_long("target", 4096)[lang]
    code, out, err = run_cli(["diagnose", "y" * 5000], lang, monkeypatch, capsys)
    assert code == 2 and err.endswith(f"{target}\n") and err.count("\n") == 1, err

    client = offline_app(str(tmp_path / "db.sqlite3")).test_client()
    asked = client.post("/api/ask", json={"q": "x" * 16001, "lang": lang}).get_json()
    assert asked["message"] == messages.too_long("question", 16000)[lang], asked
    diagnosed = client.post("/api/diagnose", json={"target": "a" * 513, "lang": lang}).get_json()
    assert diagnosed["message"] == messages.sentence(messages.too_long("target", 512))[lang], diagnosed
    assert diagnosed["message"].startswith("诊断目标太长" if lang == "zh" else "The target is too long"), diagnosed


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_command_says_an_empty_input_in_one_way(lang, tmp_path, monkeypatch, capsys):
    """ask, explain, diagnose, eval and check-name's stdin lines: "WHAT is empty: HINT" from one message."""
    import json

    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n", encoding="utf-8")
    cases = {
        "ask": (["ask", " "], b"", messages.empty("question")),
        "explain": (["explain", "-"], b"  \n", messages.empty("log")),
        "diagnose": (["diagnose", " "], b"", messages.empty("target")),
        "eval": (["eval", str(blank)], b"", messages.empty("file", path=str(blank))),
    }
    shape = re.compile("^.+为空：.+$" if lang == "zh" else "^.+ is empty: .+$")
    for case, (argv, stdin, message) in cases.items():
        code, _, err = run_cli(argv, lang, monkeypatch, capsys, stdin)
        assert code == 2 and err.endswith(message[lang] + "\n"), (case, err)
        assert shape.match(message[lang]), message
    code, out, _ = run_cli(["check-name", "tag", "-"], lang, monkeypatch, capsys, b"v1\n\n  \n")
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()][1:]
    assert lines and all(line["error"] == messages.empty("line") for line in lines), lines


@pytest.mark.parametrize(
    ("vendor", "zh", "en"),
    [
        ("Quay", "这是 Quay 的镜像仓库，不是腾讯云 TCR", "This is Quay's registry, not Tencent Cloud TCR"),
        (
            "Docker Hub",
            "这是 Docker Hub 的镜像仓库，不是腾讯云 TCR",
            "This is Docker Hub's registry, not Tencent Cloud TCR",
        ),
        (
            messages.SELF_HOSTED,
            "这是自建的镜像仓库，不是腾讯云 TCR",
            "This is a self-hosted registry, not Tencent Cloud TCR",
        ),
        (None, "这是其他厂商的镜像仓库，不是腾讯云 TCR", "This is another vendor's registry, not Tencent Cloud TCR"),
    ],
)
def test_the_other_registry_sentence_sets_a_latin_vendor_off_with_spaces_in_chinese(vendor, zh, en) -> None:
    """Chinese text in the product sets Latin words off with spaces (腾讯云 TCR, TCR 的常见问题): the vendor's name too,
    in the same sentence (it read 这是Quay的镜像仓库，不是腾讯云 TCR), and no space before a Chinese phrase."""
    assert messages.other_registry(vendor, "zh").startswith(zh)
    assert messages.other_registry(vendor, "en").startswith(en)


SMALL_TALK = {
    ("greeting", "en"): "hi",
    ("greeting", "zh"): "你好",
    ("thanks", "en"): "thanks, that fixed it!",
    ("thanks", "zh"): "谢谢",
    ("identity", "en"): "are you a bot?",
    ("identity", "zh"): "你是机器人吗",
}


@pytest.mark.parametrize(("kind", "lang"), sorted(SMALL_TALK))
def test_small_talk_is_answered_in_the_same_words_in_every_channel(kind, lang, tmp_path, capsys):
    """ "谢谢" got "不客气，很高兴问题解决了。还有其他问题随时再问。" from the CLI and "不客气！还有 TCR 的问题随时问我。"
    from the widget and Slack (each template had its own copy); "你好" got 您好 on the web and 你好 in Slack. One text,
    bot.messages.smalltalk, in the CLI, the widget's HTML and Slack."""
    from html import unescape

    from bot.cli import main
    from bot.web import create_app
    from tests.harness.slack_api import BOT_USER_ID, SlackRig, block_text, make_web_app

    question, said = SMALL_TALK[kind, lang], messages.smalltalk(kind, lang)
    assert main(["ask", question]) == 0
    assert said in capsys.readouterr().out
    client = create_app({"DB": str(tmp_path / "w.sqlite3"), "SLACK": "off"}).test_client()
    assert said in unescape(client.post("/api/ask", json={"q": question, "render": "html"}).get_json()["html"])
    with SlackRig(make_web_app, config={"DB": str(tmp_path / "s.sqlite3")}) as rig:
        rig.event(
            {
                "type": "app_mention",
                "user": "U0ASKER",
                "text": f"<@{BOT_USER_ID}> {question}",
                "ts": "1.1",
                "channel": "C0G",
            }
        )
        reply = block_text(rig.api.wait_for("chat.postMessage").args["blocks"])
    assert messages.smalltalk(kind, lang, who=" <@U0ASKER>") in reply, reply
