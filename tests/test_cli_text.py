"""How the CLI's text reports read, in both languages: what the evidence lines leave out, and the punctuation of
the Chinese labels. In-process: a report built from the real code catalogue, rendered by the CLI's templates."""

from __future__ import annotations

import re

import pytest

from bot.commands.diagnose import view
from bot.render import render
from diagnostics import KIND_WORDS
from diagnostics.checks.image import tag_hint
from diagnostics.findings import finding
from diagnostics.runner import Report
from diagnostics.target import parse_target

TARGET = "shop-tcr.tencentcloudcr.com/team/app:9.9"


def missing_tag_report(tags: list[str]) -> dict[str, object]:
    """A diagnosis whose image check found the tag missing among TAGS, as the image check builds it."""
    hint = tag_hint("9.9", tags, "shop-tcr.tencentcloudcr.com", "team/app")
    found = finding(
        "image",
        "TAG_NOT_FOUND",
        tag_count=len(tags),
        tags_sample=sorted(tags)[:20],
        **hint,
        registry="shop-tcr.tencentcloudcr.com",
        repository="team/app",
        reference="9.9",
    )
    return Report(parse_target(TARGET), [found], ["image"], deadline=10.0).to_dict()


def text_of(report: dict[str, object], lang: str) -> tuple[str, str]:
    """The CLI's text report and its markdown --report for REPORT, in LANG."""
    shown = view(report, lang)
    return (
        render("cli", "diagnose.j2", r=shown, lang=lang),
        render("cli", "diagnose_report.j2", r=shown, lang=lang, command=f"tcr-doctor diagnose {TARGET}"),
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("tags", [["latest", "1.0", "1.1", "2.0-beta"], []], ids=["none-close", "no-tags"])
def test_a_missing_tag_with_none_close_lists_no_closest_line(lang, tags):
    report = missing_tag_report(tags)
    for text in text_of(report, lang):
        assert "TAG_NOT_FOUND" in text
        assert not re.search(r"closest`?: *-", text), text  # was `closest: -`
        assert "closest" not in text and "最接近的版本" not in text, text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_missing_tag_with_a_close_one_still_names_it(lang):
    report = missing_tag_report(["latest", "9.9.0", "1.0"])
    for text in text_of(report, lang):
        # a Chinese report names the evidence in Chinese (bot.messages.EVIDENCE_LABELS_ZH)
        assert re.search(r"最接近的版本：9\.9\.0" if lang == "zh" else r"closest`?: 9\.9\.0", text), text


# --- the Chinese labels end with a full-width colon ------------------------------------------------------------------

LOG = (
    "$ docker pull shop-tcr.tencentcloudcr.com/team/app:1.0\n"
    'Error response from daemon: Get "https://shop-tcr.tencentcloudcr.com/v2/": '
    "net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)\n"
)
# An ASCII colon right after Chinese text (a label such as "依据的报错行:"), or one that a Chinese sentence follows
# ("TAG_NOT_FOUND: team/app 中没有…"); evidence lines (`tag_count: 2`, an identifier and its value) stay as they are.
HALF_WIDTH_LABEL = re.compile(r"[\u4e00-\u9fff）] ?:|^(?! {4,}[a-z_]+: )[^\n]*\S: ?[\u4e00-\u9fff]", re.M)


def cli_output(argv: list[str], capsys, stdin: str = "") -> str:
    import io
    import sys

    from bot.cli import main

    real = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
    try:
        main(argv)
    finally:
        sys.stdin = real
    return capsys.readouterr().out


def chinese_outputs(capsys) -> dict[str, str]:
    outputs = {
        "ask": cli_output(["ask", "--lang", "zh", f"拉取镜像超时，怎么办？\n{LOG}"], capsys),
        "ask-faq": cli_output(["ask", "--lang", "zh", "docker login 报 unauthorized 怎么办"], capsys),
        "explain": cli_output(["explain", "--lang", "zh", "-"], capsys, LOG),
        "check-name-ok": cli_output(["check-name", "--lang", "zh", "repo", "team/app"], capsys),
        "check-name-bad": cli_output(["check-name", "--lang", "zh", "repo", "Team/App"], capsys),
    }
    outputs["diagnose"], outputs["diagnose-report"] = text_of(missing_tag_report(["latest", "1.0"]), "zh")
    return outputs


def test_chinese_cli_labels_take_a_full_width_colon(capsys):
    outputs = chinese_outputs(capsys)
    for name, text in outputs.items():
        assert re.search(r"[\u4e00-\u9fff]", text), (name, text)
        mixed = [line for line in text.splitlines() if HALF_WIDTH_LABEL.search(line)]
        assert not mixed, (name, mixed)
    assert "TAG_NOT_FOUND：" in outputs["diagnose"] and "依据的报错行：" in outputs["explain"]


# --- a name error cites the FAQ entry about that kind of name, or none --------------------------------------------

REPOSITORY_NAME_ERRORS = [
    "$ docker pull shop-tcr.tencentcloudcr.com/Team/App:1.0\n"
    "docker: invalid reference format: repository name must be lowercase.\n",
    '  Warning  InspectFailed  kubelet  Failed to apply default image tag "shop-tcr.tencentcloudcr.com/team/App": '
    'couldn\'t parse image reference "shop-tcr.tencentcloudcr.com/team/App": invalid reference format: '
    "repository name must be lowercase\n",
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("log", REPOSITORY_NAME_ERRORS, ids=["docker", "kubelet"])
def test_a_repository_name_error_does_not_cite_the_instance_name_entry(log, lang, capsys):
    """The only naming entry in the FAQ is about instance names (5-50 characters, globally unique, reserved names);
    a repository or namespace name breaks other rules, which the cause's own fix states."""
    import knowledge

    read = knowledge.explain_log(log)
    assert read and read["cause"] == "NAME_INVALID" and read["faq"] is None, read
    text = cli_output(["explain", "--lang", lang, "-"], capsys, log)
    assert "NAME_INVALID" in text and "instance-name-rejected" not in text, text
    assert ("小写字母" in text) if lang == "zh" else ("lower-case" in text), text  # the rule is still given


def test_a_chinese_ticket_report_has_no_english_sentences():
    """A Chinese --report, as attached to a ticket: its result row counts in Chinese, and no evidence line is an
    English explanation (the endpoint check's classification rule is not something observed)."""
    endpoint = finding(
        "endpoint",
        "ENDPOINT_PUBLIC",
        addresses=["203.0.113.7"],
        host="shop-tcr.tencentcloudcr.com",
        classes={"203.0.113.7": "public"},
        vpc_domain=False,
        rule="10.*, 100.*, 169.254.* and RFC1918 (VPC link IP) are internal",
        cnames=[],
    )
    report = Report(parse_target(TARGET), [endpoint], ["endpoint"], deadline=10.0).to_dict()
    text, ticket = text_of(report, "zh")
    for out in (text, ticket):
        assert "RFC1918" not in out and "are internal" not in out, out
    result_row = next(line for line in ticket.splitlines() if line.startswith("| 结果 |"))
    assert "正常 0，警告 1" in result_row and not re.search(r"\b(ok|warn|fail|skip)\b", result_row), result_row
    english = text_of(report, "en")[1]
    assert "| Result | OK 0, WARN 1, FAIL 0, SKIP 0 |" in english, english


@pytest.mark.parametrize(
    ("lang", "expected"), [("zh", "诊断发现了另一个问题（TCP_REFUSED）。"), ("en", "problem (TCP_REFUSED).")]
)
def test_explain_runs_verdict_takes_the_languages_punctuation(lang, expected):
    """`explain --run`'s verdict line: full-width brackets and stop in Chinese."""
    import knowledge

    log = knowledge.explain_log(
        'Error response from daemon: Get "https://shop-tcr.tencentcloudcr.com/v2/": dial tcp: lookup shop-tcr.tencentcloudcr.com: no such host'
    )
    text = render(
        "cli",
        "explain.j2",
        r=log,
        lang=lang,
        faq_question=None,
        cloud_hint=None,
        diagnosis={
            "ran": True,
            "verdict": "other",
            "codes": ["TCP_REFUSED"],
            "findings": [
                {"status": "fail", "check": "tcp", "code": "TCP_REFUSED", "summary": {"zh": "拒绝", "en": "refused"}}
            ],
        },
    )
    assert expected in text, text
    assert f"  [{'失败' if lang == 'zh' else 'FAIL'}] tcp TCP_REFUSED" in text, text  # the marks `diagnose` prints


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_ticket_report_names_the_faq_entry_by_its_question(lang, tmp_path):
    """A support engineer attaches --report to a ticket: a cited FAQ entry reads as its question (in the report's
    language), with its id kept for reference."""
    import argparse

    import knowledge
    from bot.commands.diagnose import _write_report

    report = missing_tag_report(["latest", "1.0"])
    path = tmp_path / "ticket.md"
    args = argparse.Namespace(
        report=str(path),
        target=TARGET,
        username=None,
        nameserver=None,
        ca_file=None,
        docker_config=None,
        only=None,
        skip=None,
        push=False,
        timeout=10.0,
        cloud=False,
        password_stdin=False,
        region=None,
    )
    assert _write_report(args, report, lang, [])
    text = path.read_text(encoding="utf-8")
    question = knowledge.faq_question("personal-pushed-image-missing")[lang]
    assert f"FAQ{'：' if lang == 'zh' else ': '}{question}" in text and "`personal-pushed-image-missing`" in text, text


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("zh", "诊断目标：{t}（shop-tcr.tencentcloudcr.com / team/app:9.9）"),
        ("en", "Target: {t} (shop-tcr.tencentcloudcr.com / team/app:9.9)"),
    ],
)
def test_the_target_line_takes_the_languages_brackets(lang, line):
    text, _ = text_of(missing_tag_report(["1.0"]), lang)
    assert line.format(t=TARGET) in text.splitlines(), text


STATUS_TOKENS = re.compile(r"\b(OK|WARN|FAIL|SKIP)\b")


def every_status_report() -> dict[str, object]:
    """A diagnosis with one finding of each status."""
    found = [
        finding("name", "NAME_OK", value="shop-tcr.tencentcloudcr.com", edition="enterprise"),
        finding("endpoint", "ENDPOINT_PUBLIC", addresses=["203.0.113.7"], host="shop-tcr.tencentcloudcr.com"),
        finding("tcp", "TCP_REFUSED", host="shop-tcr.tencentcloudcr.com", port=443, addresses=["203.0.113.7"]),
        finding("tls", "SKIPPED", reason="tcp"),
    ]
    return Report(parse_target(TARGET), found, ["name", "endpoint", "tcp", "tls"], deadline=10.0).to_dict()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_status_words_are_the_reports_language_in_every_output(lang):
    """A Chinese report shows no English status token (OK/WARN/FAIL/SKIP): not `diagnose`'s marks, the ticket's
    headings and result row, `explain --run`'s findings, `check-name`, nor the widget's words for screen readers;
    an English one keeps them. --json keeps the statuses themselves."""
    from diagnostics import check_name

    report = every_status_report()
    assert [f["status"] for f in report["findings"]] == ["ok", "warn", "fail", "skip"]  # what --json prints
    text, ticket = text_of(report, lang)
    shown = render(
        "cli",
        "explain.j2",
        r=__import__("knowledge").explain_log("dial tcp 203.0.113.7:443: connect: connection refused"),
        lang=lang,
        faq_question=None,
        cloud_hint=None,
        diagnosis={"ran": True, "verdict": "confirmed", "codes": [], "findings": report["findings"]},
    )
    names = [
        render("cli", "check_name.j2", r=check_name("instance", value), what=KIND_WORDS["instance"], lang=lang)
        for value in ("shop-tcr", "Shop_TCR")
    ]
    widget = render(
        "web",
        "findings.html",
        lang=lang,
        target=TARGET,
        verdict=None,
        cli=None,
        findings=[dict(f, summary_text="x", fix_html="") for f in report["findings"]],
    )
    words = ["正常", "警告", "失败", "跳过"] if lang == "zh" else ["OK", "WARN", "FAIL", "SKIP"]
    for out in (text, ticket, shown, *names, widget):
        tokens = set(STATUS_TOKENS.findall(out))
        if lang == "zh":
            assert not tokens, out
        else:
            assert tokens, out
    for word in words:
        assert f"[{word}] " in text and f"### {word} · " in ticket and f"{word} 1" in ticket, (text, ticket)
        assert f"[{word}] " in shown or word == words[3], shown  # (a skipped finding is not listed by explain)
    assert names[0].startswith(f"[{words[0]}] ") and names[1].startswith(f"[{words[2]}] "), names
    assert all(f'class="tcrd-sr-only">{word}' in widget for word in words), widget


@pytest.mark.parametrize(
    ("argv", "zh", "en"),
    [
        (["shop-tcr.tencentcloudcr.com/Team/app"], "镜像地址 shop-tcr", "The image reference shop-tcr"),
        (["Shop_TCR.tencentcloudcr.com"], "镜像地址 Shop_TCR", "The image reference Shop_TCR"),
        (["a-tcr.tencentcloudcr.com/ns"], "仓库名 ns 不合法", "The repository name ns is invalid"),
        (
            ["http://bob:pw@127.0.0.1:1/ns/app", "--only", "dns"],
            "镜像地址 http://***@",
            "The image reference http://***@",
        ),
    ],
)
def test_an_invalid_name_is_named_by_its_kind_in_the_reports_language(argv, zh, en, capsys):
    """NAME_INVALID said "ref 名称 X 不合法" in Chinese (and "The ref name X" in English): the kind is a word of the
    report's language, as check-name's help says it; --json keeps the machine value in evidence.kind."""
    from bot.cli import main

    for lang, expected in (("zh", zh), ("en", en)):
        main(["diagnose", *argv, "--lang", lang, "--timeout", "2"])
        out = capsys.readouterr().out
        line = next(line for line in out.splitlines() if "NAME_INVALID" in line)
        assert expected in line, line
        assert not re.search(r"\bref\b|\brepo\b", line.split("NAME_INVALID", 1)[1]), line


@pytest.mark.parametrize(
    ("lang", "registry", "duration"),
    [
        ("zh", "| 仓库地址 | `shop-tcr.tencentcloudcr.com`（https） |", r"\| 用时 \| \d+\.\d\d 秒 / 10\.0 秒 \|"),
        ("en", "| Registry | `shop-tcr.tencentcloudcr.com` (https) |", r"\| Duration \| \d+\.\d\d s / 10\.0 s \|"),
    ],
)
def test_the_ticket_reports_head_says_units_and_brackets_as_the_text_report_does(lang, registry, duration):
    """The Chinese ticket report's head said "0.21 s / 10.0 s" and "(https)" where the text report says "用时 0.21 秒，
    时限 10.0 秒" and takes full-width brackets."""
    report = Report(parse_target(TARGET), [], [], deadline=10.0).to_dict()
    ticket = text_of(report, lang)[1]
    assert registry in ticket, ticket
    assert re.search(duration, ticket), ticket


@pytest.mark.parametrize(
    ("argv", "zh", "en"),
    [
        (["ref", "ccr.ccs.tencentyun.com/ns/app:1.0"], "：符合镜像地址规则", ": a valid image reference"),
        (["repo", "team/app"], "：符合仓库名规则", ": a valid repository name"),
        (["tag", "v1"], "：符合版本名规则", ": a valid tag"),
        (["ref", ""], '[失败] ""：', '[FAIL] "": '),
        (["instance", "  "], '[失败] "  "：', '[FAIL] "  ": '),
    ],
)
def test_check_name_names_the_kind_in_words_and_shows_a_blank_value(argv, zh, en, capsys):
    """check-name said "符合 ref 规则" / "a valid ref name" (the argument's machine value), and an empty or blank value
    read "[失败] ：…" with nothing before the colon: the kind in the output's words, as diagnose's NAME_INVALID says
    it, and a blank value in quotes."""
    from bot.cli import main

    for lang, expected in (("zh", zh), ("en", en)):
        main(["check-name", *argv, "--lang", lang])
        out = capsys.readouterr().out
        assert expected in out.splitlines()[0], out
        assert not re.search(r"\b(ref|repo)\b", out.splitlines()[0].replace(argv[-1], "")), out


@pytest.mark.parametrize(("lang", "label"), [("zh", "相关 FAQ："), ("en", "FAQ: ")])
def test_a_cited_faq_entry_has_one_label_and_one_form(lang, label):
    """`diagnose` said "参考 FAQ：<id>", `explain` "相关 FAQ：<id> — <question>", the report "FAQ：<question> (`<id>`)":
    three forms and two labels. One label; the question (where it was read) before the id."""
    from bot.messages import cite_faq

    report = missing_tag_report(["latest"])
    faq = report["findings"][0]["faq"]
    text, ticket = text_of(report, lang)
    assert f"{label}{faq}" in text, text  # text_of gives the text no question either: the id
    question = {"zh": "问题", "en": "Question"}
    assert cite_faq(faq, question, lang) == (f"相关 FAQ：问题（{faq}）" if lang == "zh" else f"FAQ: Question ({faq})")
    assert cite_faq(faq, question, lang, code=True).endswith(f"`{faq}`）" if lang == "zh" else f"`{faq}`)")
    assert f"{label}`{faq}`" in ticket, ticket  # text_of gives the report no question: the id, as code
