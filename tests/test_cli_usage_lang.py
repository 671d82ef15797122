"""Usage errors of the CLI exist in Chinese and English, chosen as every other output of the CLI is chosen
(`--lang`, else the locale: bot.commands.default_lang), including the ones raised by diagnostics (an unknown check,
a malformed cloud endpoint, an unusable tccli profile). Run in-process: each case is one line on stderr, exit 2."""

from __future__ import annotations

import io
import re
import sys

import pytest

from bot.cli import main

CJK = re.compile(r"[\u4e00-\u9fff]")
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")

DIAGNOSE_CASES = [
    (["x.example", "--password-stdin"], "--password-stdin needs --username"),
    (["x.example", "--username", "u"], "needs --password-stdin"),
    (["x.example", "--username", " ", "--password-stdin"], "--username is empty"),
    (["x.example", "--only", "dns,bogus"], "unknown check"),
    (["x.example", "--skip", "name,dns,endpoint,tcp,tls,http,credentials,image"], "no check left"),
    (["x.example", "--timeout", "0"], "--timeout must be greater than 0"),
    (["x.example", "--nameserver", "not-an-ip"], "is not IP[:PORT]"),
    (["x.example", "--ca-file", "/nonexistent/ca.pem"], "cannot read --ca-file '/nonexistent/ca.pem': no such file"),
    (["x.example", "--docker-config", "/nonexistent/config.json"], "cannot read --docker-config"),
    (["y" * 5000], "the target is too long"),
    ([" "], "the target is empty"),
    (["x.example", "--report", "/nonexistent/dir/ticket.md"], "cannot write --report"),
    (["x.example", "--region", "ap-guangzhou"], "--region needs --cloud"),
    (["x.example", "--cloud", "--region", "Mars"], "is not a region name"),
    (["x.example", "--cloud", "--client-ip", "1.2.3"], "is not an IP address"),
    (["x.example", "--cloud", "--vpc", "net-1"], "is not a VPC ID"),
    (["x.example", "--cloud", "--cloud-endpoint", "ftp://api.example"], "is not http(s)://HOST[:PORT]"),
    (["x.example", "--cloud", "--cloud-endpoint", "https://api.example/v3"], "must not have a path"),
    (["x.example", "--cloud", "--cloud-profile", "no-such-profile"], "no tccli profile"),
    (["x.example", "--cloud", "--cloud-profile", "bad/name"], "invalid tccli profile name"),
]


@pytest.fixture
def locale(monkeypatch, tmp_path):
    """locale(lang): a zh_CN or en_US locale (and a HOME with no tccli profile, no cloud credentials)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for var in (*LOCALE_VARS, "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"):
        monkeypatch.delenv(var, raising=False)

    def set_locale(lang: str) -> None:
        monkeypatch.setenv("LANG", "zh_CN.UTF-8" if lang == "zh" else "en_US.UTF-8")

    return set_locale


def run(argv, capsys, monkeypatch, stdin: bytes = b""):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_said_in(lang: str, err: str, english: str, command: str) -> None:
    assert err.count("\n") == 1, err
    prog = f"tcr-doctor {command}".strip()
    if lang == "zh":
        assert err.startswith(f"{prog}: 错误："), err
        assert CJK.search(err.split("错误：", 1)[1]) and english not in err, err
    else:
        assert err.startswith(f"{prog}: error: ") and english in err, err
        assert not CJK.search(err), err


@pytest.mark.parametrize("how", ["locale", "--lang"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("args", "english"), DIAGNOSE_CASES)
def test_diagnose_usage_errors_follow_the_cli_language(args, english, lang, how, locale, capsys, monkeypatch):
    locale(lang if how == "locale" else ("en" if lang == "zh" else "zh"))  # --lang wins over the locale
    argv = ["diagnose", *args, *(["--lang", lang] if how == "--lang" else [])]
    code, out, err = run(argv, capsys, monkeypatch)
    assert code == 2 and out == ""
    assert_said_in(lang, err, english, "diagnose")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("stdin", "english"), [(b"\xff\xfe\x00", "not UTF-8 text"), (b"p" * (64 << 10) + b"pp", "too long")]
)
def test_diagnose_password_errors_follow_the_cli_language(stdin, english, lang, locale, capsys, monkeypatch):
    locale(lang)
    code, out, err = run(["diagnose", "x.example", "-u", "u", "--password-stdin"], capsys, monkeypatch, stdin)
    assert code == 2 and out == ""
    assert_said_in(lang, err, english, "diagnose")


ARGPARSE_CASES = [
    (["diagnose"], "the following arguments are required"),
    (["diagnose", "x.example", "--timeout", "abc"], "invalid float value"),
    (["diagnose", "x.example", "--bogus"], "unrecognized arguments"),
    (["diagnose", "x.example", "--only"], "expected one argument"),
    (["check-name", "bucket", "x"], "invalid choice"),
    (["explain", "--timeout", "x"], "invalid float value"),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("argv", "english"), ARGPARSE_CASES)
def test_command_line_errors_follow_the_cli_language(argv, english, lang, locale, capsys, monkeypatch):
    locale(lang)
    with pytest.raises(SystemExit) as exit_:
        run(argv, capsys, monkeypatch)
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    message = err.strip().splitlines()[-1]
    assert_said_in(lang, message + "\n", english, argv[0])


def test_an_invalid_lang_falls_back_to_the_locale_and_a_valid_one_wins(locale, capsys, monkeypatch):
    locale("zh")
    with pytest.raises(SystemExit):
        run(["diagnose", "x", "--lang", "fr"], capsys, monkeypatch)
    assert "无效的选项：'fr'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run(["diagnose", "--lang=en", "x", "--timeout", "abc"], capsys, monkeypatch)
    assert "invalid float value: 'abc'" in capsys.readouterr().err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unknown_command_follows_the_cli_language(lang, locale, capsys, monkeypatch):
    locale(lang)
    code, out, err = run(["frobnicate"], capsys, monkeypatch)
    assert code == 2 and out == ""
    assert_said_in(lang, err.strip().splitlines()[-1] + "\n", "unknown command", "")


CHECK_NAME_CASES = [
    (["instance", "shop", "--cloud-profile", "p"], "need --cloud"),
    (["tag", "v1", "--cloud"], "--cloud checks instance names only"),
    (["instance", "shop", "--cloud"], "--cloud needs cloud API credentials"),
    (["instance", "shop", "--cloud", "--cloud-profile", "no-such-profile"], "no tccli profile"),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("args", "english"), CHECK_NAME_CASES)
def test_check_name_usage_errors_follow_the_cli_language(args, english, lang, locale, capsys, monkeypatch):
    locale(lang)
    code, out, err = run(["check-name", *args], capsys, monkeypatch)
    assert code == 2 and out == ""
    assert_said_in(lang, err, english, "check-name")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_check_name_refuses_a_binary_stdin_once(lang, locale, capsys, monkeypatch):
    """A binary file on stdin is one usage error (exit 2, nothing on stdout), not one "not valid UTF-8" object per
    byte run that happens to end in a newline; a bad line among good ones keeps its object (exit 1)."""
    import random

    locale(lang)
    code, out, err = run(["check-name", "ref", "-"], capsys, monkeypatch, random.Random(5).randbytes(100_000))
    assert code == 2 and out == ""
    assert_said_in(lang, err, "binary", "check-name")
    code, out, err = run(["check-name", "tag", "-"], capsys, monkeypatch, b"ok\n\xff\xfe\x00\x01\nv1\n")
    assert code == 1 and len(out.splitlines()) == 3 and err == ""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("stdin", "english"), [(b"", "no question given"), (b"\n \n", "no question given")])
def test_ask_stdin_usage_errors_follow_the_cli_language(stdin, english, lang, locale, capsys, monkeypatch):
    locale(lang)
    code, out, err = run(["ask"], capsys, monkeypatch, stdin)
    assert code == 2 and out == ""
    assert err.startswith("tcr-doctor ask: ") and (CJK.search(err) if lang == "zh" else english in err), err


@pytest.mark.parametrize(("lang", "yes", "no"), [("zh", "是", "否"), ("en", "yes", "no")])
def test_report_evidence_says_yes_and_no_in_the_reports_language(lang, yes, no):
    """A boolean piece of evidence read `vpc_domain: False` in a Chinese report (and `True` in an English one)."""
    from bot.commands.diagnose import view

    finding = {
        "check": "endpoint",
        "status": "ok",
        "code": "ENDPOINT_LOCAL",
        "summary": {"zh": "x", "en": "x"},
        "fix": {"zh": "", "en": ""},
        "faq": None,
        "evidence": {"vpc_domain": False, "cached": True},
    }
    lines = dict(view({"findings": [finding], "verdict": []}, lang)["findings"][0]["evidence_lines"])
    assert lines == {"vpc_domain": no, "cached": yes}


@pytest.mark.parametrize("how", ["locale", "--lang"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_interrupted_command_says_so_in_the_cli_language(lang, how, locale, capsys, monkeypatch):
    from bot.commands import ask

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(ask, "run", interrupted)
    locale(lang if how == "locale" else ("en" if lang == "zh" else "zh"))
    code, out, err = run(["ask", "x", *(["--lang", lang] if how == "--lang" else [])], capsys, monkeypatch)
    assert code == 130 and out == ""
    assert err == ("tcr-doctor: 已中断\n" if lang == "zh" else "tcr-doctor: interrupted\n"), err
