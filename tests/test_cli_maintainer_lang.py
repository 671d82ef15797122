"""The maintainer commands (`db`, `kb`, `eval`, `report`, `serve`, `slack`) speak the CLI's language as every other
command does (`--lang`, else the locale: bot.commands.default_lang): what they print, their errors (a database or
Redis that cannot be reached, a file that cannot be read) and `--older-than`'s usage error. In-process, on SQLite
files in a temporary directory."""

from __future__ import annotations

import json
import re

import pytest

from bot.cli import main
from tests.harness._net import free_port

CJK = re.compile(r"[\u4e00-\u9fff]")
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


@pytest.fixture
def locale(monkeypatch, tmp_path):
    """locale(lang): a zh_CN or en_US locale, in an empty working directory with no database configured."""
    monkeypatch.chdir(tmp_path)
    # `serve` exports its database URL and log level into os.environ for its workers: set-then-delete makes
    # monkeypatch restore each variable to its state before the test, whatever the command wrote
    for var in (*LOCALE_VARS, "TCR_DOCTOR_DATABASE_URL", "DATABASE_URL", "TCR_DOCTOR_DB", "TCR_DOCTOR_REDIS_URL"):
        monkeypatch.setenv(var, "")
        monkeypatch.delenv(var)
    for var in ("TCR_DOCTOR_LOG_LEVEL", "TCR_DOCTOR_RETENTION_DAYS", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
        monkeypatch.setenv(var, "")
        monkeypatch.delenv(var)

    def set_locale(lang: str) -> None:
        monkeypatch.setenv("LANG", "zh_CN.UTF-8" if lang == "zh" else "en_US.UTF-8")

    return set_locale


def said(lang: str, text: str, english: str) -> None:
    """TEXT is in LANG: Chinese words and not ENGLISH, or ENGLISH and no Chinese."""
    assert text.strip(), text
    if lang == "zh":
        assert CJK.search(text) and english not in text, text
    else:
        assert english in text and not CJK.search(text), text


def in_both_ways(lang: str, how: str, locale, argv: list[str]) -> list[str]:
    """ARGV in LANG, chosen by the locale or by --lang (which then wins over the other language's locale)."""
    locale(lang if how == "locale" else ("en" if lang == "zh" else "zh"))
    return [*argv, *(["--lang", lang] if how == "--lang" else [])]


BOTH = [pytest.param(lang, how, id=f"{lang}-{how}") for lang in ("zh", "en") for how in ("locale", "--lang")]


@pytest.mark.parametrize(("lang", "how"), BOTH)
def test_a_bad_older_than_is_a_usage_error_in_the_cli_language(lang, how, locale, capsys):
    assert main(in_both_ways(lang, how, locale, ["db", "prune", "--older-than", "5x"])) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'5x'" in err, err
    said(lang, err, "is not a duration")
    assert err.startswith("tcr-doctor db: " + ("错误：" if lang == "zh" else "error: ")), err


@pytest.mark.parametrize(("lang", "how"), BOTH)
def test_db_speaks_the_cli_language(lang, how, locale, capsys, monkeypatch, tmp_path):
    db = ["--database-url", str(tmp_path / "t.sqlite3")]
    assert main(in_both_ways(lang, how, locale, ["db", "upgrade", *db])) == 0
    said(lang, capsys.readouterr().out, "is at schema revision")
    assert main(in_both_ways(lang, how, locale, ["db", "prune", "--older-than", "1d", *db])) == 0
    said(lang, capsys.readouterr().out, "pruned 0 questions")
    monkeypatch.setenv("TCR_DOCTOR_RETENTION_DAYS", "0")
    assert main(in_both_ways(lang, how, locale, ["db", "prune", *db])) == 0
    said(lang, capsys.readouterr().err, "retention is off")


@pytest.mark.parametrize(("lang", "how"), BOTH)
def test_an_unreachable_database_is_said_in_the_cli_language(lang, how, locale, capsys):
    url = f"postgresql://app:s3cret-pw@127.0.0.1:{free_port()}/tcr"
    for argv in (["db", "upgrade"], ["db", "prune", "--older-than", "1d"], ["report", "unanswered"], ["kb", "export"]):
        assert main(in_both_ways(lang, how, locale, [*argv, "--database-url", url])) == 1, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "s3cret-pw" not in err, err
        assert err.startswith(f"tcr-doctor {argv[0]}: "), err
        said(lang, err, "database")


@pytest.mark.parametrize(("lang", "how"), BOTH)
def test_a_missing_database_file_is_said_in_the_cli_language(lang, how, locale, capsys, tmp_path):
    missing = str(tmp_path / "none.sqlite3")
    for argv in (["report", "unanswered"], ["kb", "export"], ["db", "current"], ["db", "prune", "--older-than", "1d"]):
        assert main(in_both_ways(lang, how, locale, [*argv, "--database-url", missing])) == 1, argv
        captured = capsys.readouterr()
        said(lang, captured.err, "no database at")
        assert not captured.out, argv
        # a mistyped path is not created: a later `report` would read the new empty file as "0 groups"
        assert not (tmp_path / "none.sqlite3").exists(), argv


@pytest.mark.parametrize(("lang", "how"), BOTH)
def test_kb_export_says_what_it_wrote_in_the_cli_language(lang, how, locale, capsys, tmp_path):
    from bot.storage import Storage
    from knowledge import OUT_OF_SCOPE_PATH

    Storage(str(tmp_path / "t.sqlite3")).close()
    topics = tmp_path / "topics.toml"
    topics.write_bytes(OUT_OF_SCOPE_PATH.read_bytes())
    argv = ["kb", "export", "--database-url", str(tmp_path / "t.sqlite3"), "--topics", str(topics)]
    assert main(in_both_ways(lang, how, locale, argv)) == 0
    said(lang, capsys.readouterr().out, "phrasing(s) written to")


@pytest.mark.parametrize(("lang", "how"), BOTH)
def test_kb_export_of_taught_phrasings_says_what_it_wrote_in_the_cli_language(lang, how, locale, capsys, tmp_path):
    """The languages of the taught texts are not the language of what the command says."""
    import shutil

    from bot.console.store import ConsoleStore
    from bot.storage import Storage
    from knowledge import FAQ_DIR, OUT_OF_SCOPE_PATH

    storage = Storage(str(tmp_path / "t.sqlite3"))
    texts = [{"text": "镜像加速怎么开", "lang": "zh"}, {"text": "how do I turn on image acceleration", "lang": "en"}]
    ConsoleStore(storage.engine).teach(author="lead", kind="phrasings", texts=texts, entry_id="image-acceleration")
    storage.close()
    shutil.copytree(FAQ_DIR, tmp_path / "faq")
    topics = tmp_path / "topics.toml"
    topics.write_bytes(OUT_OF_SCOPE_PATH.read_bytes())
    argv = ["kb", "export", "--db", str(tmp_path / "t.sqlite3"), "--faq-dir", str(tmp_path / "faq")]
    assert main(in_both_ways(lang, how, locale, [*argv, "--topics", str(topics)])) == 0
    out = capsys.readouterr().out
    said(lang, out, "2 phrasing(s) written to")


@pytest.mark.parametrize(("lang", "how"), BOTH)
def test_kb_export_refuses_a_file_it_cannot_read_before_writing_anything(lang, how, locale, capsys, tmp_path):
    """A --topics or --faq-dir that cannot be read is a usage error of one line (exit 2, no traceback), said before
    the database is opened and before any file is written."""
    from bot.storage import Storage
    from knowledge import OUT_OF_SCOPE_PATH

    db = str(tmp_path / "t.sqlite3")
    Storage(db).close()
    topics = tmp_path / "topics.toml"
    topics.write_bytes(OUT_OF_SCOPE_PATH.read_bytes())
    not_utf8 = tmp_path / "latin1.toml"
    not_utf8.write_bytes("title = 'caf\xe9'\n".encode("latin-1"))
    cases = {
        "missing topics": (["--topics", str(tmp_path / "none.toml")], "no such file"),
        "topics is a directory": (["--topics", str(tmp_path)], "is a directory"),
        "topics not UTF-8": (["--topics", str(not_utf8)], "not UTF-8"),
        "missing faq dir": (["--faq-dir", str(tmp_path / "nofaq"), "--topics", str(topics)], "no such file"),
        "faq dir is a file": (["--faq-dir", str(topics), "--topics", str(topics)], "not a directory"),
    }
    before = sorted(p.name for p in tmp_path.iterdir())
    for case, (options, why) in cases.items():
        assert main(in_both_ways(lang, how, locale, ["kb", "export", "--db", db, *options])) == 2, case
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err, (case, err)
        assert err.startswith("tcr-doctor kb: " + ("错误：" if lang == "zh" else "error: ")), (case, err)
        said(lang, err, f"cannot read {options[1]}: {why}")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize(("lang", "how"), BOTH)
def test_eval_errors_speak_the_cli_language(lang, how, locale, capsys, tmp_path):
    cases = {
        "missing.jsonl": (None, "cannot read"),
        "not_json.jsonl": ("{nope\n", "not JSON"),
        "not_object.jsonl": ('["q"]\n', 'expected an object with a string "q"'),
        "bad_faq.jsonl": ('{"q": "x", "faq": "one"}\n', "must be an entry number"),
        "empty.jsonl": ("\n", "no questions in the file"),
    }
    for name, (content, english) in cases.items():
        if content is not None:
            (tmp_path / name).write_text(content, encoding="utf-8")
        assert main(in_both_ways(lang, how, locale, ["eval", str(tmp_path / name)])) == 2, name
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("tcr-doctor eval: "), err
        said(lang, err, english)


@pytest.mark.parametrize(("lang", "how"), BOTH)
def test_eval_metrics_speak_the_cli_language(lang, how, locale, capsys, tmp_path):
    questions = tmp_path / "q.jsonl"
    lines = [{"q": "docker login 提示 unauthorized", "faq": 7}, {"q": "how do I bake bread", "faq": None}]
    questions.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    assert main(in_both_ways(lang, how, locale, ["eval", str(questions), "--errors"])) == 0
    out = capsys.readouterr().out
    table = "\n".join(line for line in out.splitlines() if not line.startswith("  {"))  # the wrong questions as JSON
    said(lang, table, "answered correctly")
    assert ("首位命中" if lang == "zh" else "top-1") in out and re.search(r"\d+\.\d %", out), out
    assert main(["eval", str(questions), "--json", "--lang", lang]) == 0
    assert set(json.loads(capsys.readouterr().out)) >= {"top1", "top3", "by_kind"}  # JSON keeps its keys


@pytest.mark.parametrize(("lang", "how"), BOTH)
def test_serve_and_slack_errors_speak_the_cli_language(lang, how, locale, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("TCR_DOCTOR_REDIS_URL", f"redis://:s3cret-pw@127.0.0.1:{free_port()}/0")
    # serve exports --database-url for its server processes (bot.settings.export): undone after the test, so later
    # tests do not read this test's database from the environment
    monkeypatch.setenv("TCR_DOCTOR_DATABASE_URL", "")
    argv = ["serve", "--database-url", str(tmp_path / "t.sqlite3")]
    assert main(in_both_ways(lang, how, locale, argv)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "s3cret-pw" not in err and err.startswith("tcr-doctor serve: "), err
    said(lang, err, "cannot reach Redis")
    assert main(in_both_ways(lang, how, locale, ["slack"])) == 2
    said(lang, capsys.readouterr().err, "set SLACK_BOT_TOKEN")


@pytest.mark.parametrize(("lang", "how"), BOTH)
def test_ask_says_an_invalid_knowledge_base_in_the_cli_language(lang, how, locale, capsys, monkeypatch):
    import knowledge

    def broken(*args, **kwargs):
        raise knowledge.KnowledgeError("knowledge/faq/01.toml: no [answer]")

    monkeypatch.setattr(knowledge, "ask", broken)
    assert main(in_both_ways(lang, how, locale, ["ask", "how do I log in", "--json"])) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "01.toml" in err, err
    said(lang, err, "the knowledge base is invalid")


@pytest.mark.parametrize(("lang", "how"), BOTH)
def test_report_unanswered_says_why_each_group_got_no_answer_as_the_console_does(lang, how, locale, capsys, tmp_path):
    """`report unanswered` shows the console's "why no answer" line under each group (the same words, from one
    function): a lead reading the CLI report must not teach another vendor's questions as a TCR entry either."""
    from bot.messages import why_no_answer
    from bot.storage import Storage

    db = str(tmp_path / "t.sqlite3")
    storage = Storage(db)
    hub = "docker pull whitelok/watermark-remover fails: manifest unknown"
    asked = [(hub, "other_registry")] * 3 + [(hub, None), ("can tcr scan my images for CVEs", "documentation")]
    for n, (text, refusal) in enumerate(asked):
        storage.record_question(
            f"q{n}", text, lang="en", status="no_answer", answer_id=None, score=None, kb_version="v", refusal=refusal
        )
    storage.close()
    assert main(in_both_ways(lang, how, locale, ["report", "unanswered", "--db", db])) == 0
    out = capsys.readouterr().out
    hub_group, scan_group = out.split(hub)[1].split("can tcr scan")
    why = {
        "zh": (
            "没有回答的原因：其他厂商或自建的镜像仓库 ×3 · 未记录原因 ×1",
            "没有回答的原因：常见问题没有涵盖的操作或计费问题 ×1",
        ),
        "en": (
            "Why no answer: another vendor's or a self-hosted registry ×3 · reason not recorded ×1",
            "Why no answer: a how-to or pricing question the FAQ does not cover ×1",
        ),
    }[lang]
    assert why[0] in hub_group and why[1] in scan_group, out
    assert why[0] == why_no_answer({"other_registry": 3, "": 1}, lang)  # the console's line (tests/test_console.py)
    assert main(["report", "unanswered", "--db", db, "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)["groups"]
    assert [g["reasons"] for g in groups] == [{"other_registry": 3, "": 1}, {"documentation": 1}]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_command_reading_the_database_describes_its_option_in_one_way(lang, locale, capsys):
    """db, report and kb read the same database the same way (--database-url, else the environment, else
    ./tcr-doctor.sqlite3): their --help says so in one text (kb's left out the ./tcr-doctor.sqlite3 default)."""
    helps = {}
    for command in ("db", "report", "kb"):
        with pytest.raises(SystemExit):
            main([command, "--help", "--lang", lang])
        out = capsys.readouterr().out
        described = re.search(r"^  --database-url URL, --db URL\n(.*?)(?=^  -)", out, re.M | re.S)
        assert described, out
        helps[command] = re.sub(r"\s+", " ", described.group(1)).strip()
    assert len(set(helps.values())) == 1, helps
    assert "./tcr-doctor.sqlite3" in helps["kb"], helps
