"""`tcr-doctor diagnose REGISTRY_OR_IMAGE [--username U --password-stdin] [--push] [--nameserver IP[:PORT]]
[--ca-file F] [--docker-config P] [--only CHECKS] [--skip CHECKS] [--timeout S] [--lang zh|en] [--json]
[--report FILE.md] [--cloud [--region R] [--client-ip IP] [--vpc VPC_ID] [--cloud-endpoint URL] [--cloud-profile P]]`

Exit status: 0 when no finding failed, 1 when one did, 2 on a usage error.
"""

from __future__ import annotations

import json
import os
import re
import sys

from bot.commands import (
    EXIT_USAGE,
    add_lang_argument,
    default_lang,
    nameserver_problem,
    timeout_problem,
    usage_error,
    usage_line,
)
from diagnostics import DiagnoseOptions, InputError, arrange_verdict, checks, diagnose, select
from knowledge import faq_question, install_log_redaction
from knowledge import redact as redact_secrets

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from bot.commands import Declarations

    # a wire-only diagnosis never imports the account-side module: only the type checker reads these
    from diagnostics import CloudOptions, Report, ReportDict

MAX_PASSWORD = 64 << 10
MAX_TARGET_CHARS = 4096  # a longer target is refused (the web API and Slack take at most 512)


def add_arguments(parser: Declarations) -> None:
    """Arguments of `tcr-doctor diagnose`."""
    parser.add_argument(
        "target",
        metavar="REGISTRY_OR_IMAGE",
        help={
            "zh": "仓库地址（shop-tcr.tencentcloudcr.com、https://host:port）或镜像"
            "（shop-tcr.tencentcloudcr.com/ns/app:1.0、host/ns/app@sha256:...）",
            "en": "a registry (shop-tcr.tencentcloudcr.com, https://host:port) or an image "
            "(shop-tcr.tencentcloudcr.com/ns/app:1.0, host/ns/app@sha256:...)",
        },
    )
    parser.add_argument(
        "--username",
        "-u",
        help={
            "zh": "要测试的用户名（与 --password-stdin 一起使用）",
            "en": "user name to test (with --password-stdin)",
        },
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help={"zh": "从标准输入读取密码或令牌", "en": "read the password or token from stdin"},
    )
    parser.add_argument(
        "--push", action="store_true", help={"zh": "同时检查推送权限", "en": "also check the push permission"}
    )
    parser.add_argument(
        "--nameserver",
        metavar="IP[:PORT]",
        help={"zh": "要查询的 DNS 服务器（默认：系统的）", "en": "DNS server to ask (default: the system's)"},
    )
    parser.add_argument(
        "--ca-file",
        metavar="FILE",
        help={"zh": "额外信任的 CA 证书（PEM）", "en": "extra CA certificate(s) to trust (PEM)"},
    )
    parser.add_argument(
        "--docker-config",
        metavar="PATH",
        help={
            "zh": "从哪个 docker config.json（或其所在目录）读取凭据",
            "en": "docker config.json (or its directory) to take credentials from",
        },
    )
    names = ", ".join(checks.choices())  # with spaces: argparse wraps the help between names, not inside one
    parser.add_argument(
        "--only",
        metavar="CHECKS",
        help={"zh": f"只运行这些检查（逗号分隔：{names}）", "en": f"run only these checks (comma-separated: {names})"},
    )
    parser.add_argument(
        "--skip",
        metavar="CHECKS",
        help={"zh": "不运行这些检查（逗号分隔）", "en": "do not run these checks (comma-separated)"},
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help={
            "zh": "整个诊断的时限，单位为秒（默认 10）",
            "en": "deadline for the whole diagnosis in seconds (default 10)",
        },
    )
    add_lang_argument(parser)
    parser.add_argument(
        "--json",
        action="store_true",
        help={"zh": "以一个 JSON 对象输出报告", "en": "print the report as one JSON object"},
    )
    parser.add_argument(
        "--report",
        metavar="FILE.md",
        help={
            "zh": "另外写一份已脱敏的 Markdown 报告（用于工单）",
            "en": "also write a redacted markdown report (for a support ticket)",
        },
    )
    cloud = parser.add_argument_group(
        {"zh": "账号侧检查（TCR 云 API，只读）", "en": "account-side checks (TCR cloud API, read-only)"},
        {
            "zh": "凭据取自 TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY [/ TENCENTCLOUD_SESSION_TOKEN] 或 tccli "
            "的配置；只有 QcloudTCRReadOnlyAccess 权限的子账号就足够了",
            "en": "credentials from TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY [/ TENCENTCLOUD_SESSION_TOKEN] or "
            "tccli's profile; a sub-account with only QcloudTCRReadOnlyAccess is enough",
        },
    )
    cloud.add_argument(
        "--cloud",
        action="store_true",
        help={
            "zh": "同时查询账号（实例、访问控制、VPC、镜像）",
            "en": "also ask the account (instance, access, VPC, images)",
        },
    )
    cloud.add_argument(
        "--region",
        metavar="R",
        help={
            "zh": "从哪个地域开始查找实例（默认 ap-guangzhou）",
            "en": "region to start the instance look-up in (default ap-guangzhou)",
        },
    )
    cloud.add_argument(
        "--client-ip",
        metavar="IP",
        help={"zh": "客户端的出口 IP，会与白名单比对", "en": "the client's egress IP, checked against the whitelist"},
    )
    cloud.add_argument(
        "--vpc",
        metavar="VPC_ID",
        help={
            "zh": "客户端所在的 VPC，会检查是否有内网访问链路",
            "en": "the client's VPC, checked for an internal access link",
        },
    )
    cloud.add_argument(
        "--cloud-endpoint",
        metavar="URL",
        help={
            "zh": "TCR API 端点（默认 $TCR_DOCTOR_CLOUD_ENDPOINT 或 https://tcr.tencentcloudapi.com）",
            "en": "TCR API endpoint (default $TCR_DOCTOR_CLOUD_ENDPOINT or https://tcr.tencentcloudapi.com)",
        },
    )
    cloud.add_argument(
        "--cloud-profile",
        metavar="NAME",
        help={"zh": "从哪个 tccli 配置读取凭据", "en": "tccli profile to take the credentials from"},
    )
    parser.add_argument(
        "--edition",
        choices=("enterprise", "personal"),
        help={
            "zh": "自定义域名对应的 TCR 版本（TCR 的配额只适用于 TCR 域名）",
            "en": "the TCR edition a custom domain stands for (TCR quotas apply only to TCR hosts)",
        },
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help={
            "zh": "把每一步记录到标准错误输出（从不记录密钥）",
            "en": "log each step to stderr (secrets are never logged)",
        },
    )


Problem = dict[str, str]  # what is wrong with the command line, in zh and en


def _says(en: str, zh: str) -> Problem:
    return {"zh": zh, "en": en}


def _message_of(exc: ValueError) -> Problem:
    """The zh/en message an InputError of diagnostics carries (an unexpected ValueError: its text in both)."""
    message = getattr(exc, "message", None)
    return message if isinstance(message, dict) else _says(str(exc), str(exc))


def _usage(problem: Problem, lang: str) -> int:
    return usage_error("diagnose", problem, lang)


def _read_password() -> str:
    data = (
        sys.stdin.buffer.read(MAX_PASSWORD + 1)
        if hasattr(sys.stdin, "buffer")
        else sys.stdin.read(MAX_PASSWORD + 1).encode()
    )
    if len(data) > MAX_PASSWORD:
        raise InputError("the password on stdin is too long", "标准输入中的密码太长")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        from bot.messages import message  # refused input only (~0.2 ms by -X importtime)

        said = message("not_utf8", what={"zh": "标准输入中的密码", "en": "the password on stdin"})
        raise InputError(said["en"], said["zh"]) from None
    return text.rstrip("\r\n")


def validate(args: argparse.Namespace) -> Problem | None:
    """A usage error message (zh and en), or None: the first problem found, in the order the options are documented."""
    for check in (_credentials_problem, _timeout_problem, _checks_problem, _file_problem, _target_problem):
        problem = check(args)
        if problem:
            return problem
    return validate_cloud(args) or _report_problem(args)


def _credentials_problem(args: argparse.Namespace) -> Problem | None:
    """--username and --password-stdin go together; the user name is short printable text."""
    if args.password_stdin and not args.username:
        return _says("--password-stdin needs --username", "--password-stdin 需要同时给出 --username")
    if args.username and not args.password_stdin:
        return _says(
            "--username needs --password-stdin (the password is never taken from the command line)",
            "--username 需要同时给出 --password-stdin（密码只从标准输入读取，不从命令行读取）",
        )
    if args.username is not None and (
        not args.username.strip() or len(args.username) > 256 or any(ord(c) < 32 for c in args.username)
    ):
        return _says(
            "--username is empty, too long or contains control characters", "--username 为空、太长或含有控制字符"
        )
    return None


def _timeout_problem(args: argparse.Namespace) -> Problem | None:
    return timeout_problem(args.timeout)


def _checks_problem(args: argparse.Namespace) -> Problem | None:
    """--only / --skip name known checks, and --nameserver is IP[:PORT]."""
    try:
        select(args.only, args.skip, cloud=wants_cloud(args))
    except ValueError as exc:
        return _message_of(exc)
    return nameserver_problem(args.nameserver)


def _file_problem(args: argparse.Namespace) -> Problem | None:
    """--ca-file can be loaded and --docker-config read."""
    if args.ca_file:
        # lazy: ssl and the module that reads the file, ~28-41 M instructions (valgrind) of a diagnosis that ends
        # before its TLS step (which loads them); --ca-file only
        from diagnostics import load_ca_file

        try:
            # reading the file is the test; the context that read it becomes the diagnosis's own (the system CAs are
            # added there, once)
            load_ca_file(args.ca_file)
        except OSError as exc:  # unreadable, or read with no certificate in it (ssl.SSLError)
            from bot.messages import ca_file_reason, message  # refused input only (~0.2 ms by -X importtime)

            return message("unreadable", path=f"--ca-file {args.ca_file!r}", reason=ca_file_reason(exc))
    if args.docker_config:
        return _docker_config_problem(args.docker_config)
    return None


def _docker_config_problem(given: str) -> Problem | None:
    """--docker-config names a docker config the credentials check can read: a JSON object in a file, or in the
    config.json of a directory (the path the message names)."""
    # --docker-config only: the credentials check loads the module that reads it anyway
    from diagnostics import docker_config_file, read_docker_config

    path = docker_config_file(given)
    try:
        read_docker_config(path)
    except (OSError, ValueError) as exc:
        from bot.messages import NOT_JSON, NOT_JSON_OBJECT, cannot_read, message  # refused input only (~0.2 ms)

        where = str(path) if os.path.isdir(os.path.expanduser(given)) else given  # a directory: its config.json
        shown = f"--docker-config {where!r}"
        if isinstance(exc, (OSError, UnicodeDecodeError)):
            return cannot_read(shown, exc)
        if isinstance(exc, json.JSONDecodeError):
            reason = {lang: text.format(line=exc.lineno, column=exc.colno) for lang, text in NOT_JSON.items()}
        else:
            reason = NOT_JSON_OBJECT
        return message("unreadable", path=shown, reason=reason)
    return None


def _target_problem(args: argparse.Namespace) -> Problem | None:
    if not args.target.strip():
        from bot.messages import empty  # refused input only (~0.2 ms by -X importtime)

        return empty("target")
    if len(args.target) > MAX_TARGET_CHARS:
        from bot.messages import too_long  # refused input only (~0.2 ms by -X importtime)

        return too_long("target", MAX_TARGET_CHARS)
    return None


def _report_problem(args: argparse.Namespace) -> Problem | None:
    """--report names a file that can be written: found out before the diagnosis runs, not after it (checked last,
    so that no other usage error leaves a file behind; a file created only to find out is removed again)."""
    if not args.report:
        return None
    existed = os.path.lexists(args.report)
    try:
        with open(args.report, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        from bot.messages import cannot_write  # refused input only (~0.2 ms by -X importtime)

        return cannot_write(f"--report {args.report!r}", exc)
    if not existed:
        os.unlink(args.report)
    return None


def validate_cloud(args: argparse.Namespace) -> Problem | None:
    """A usage error in the account-side options (zh and en), or None."""
    given = [f for f in ("region", "client_ip", "vpc", "cloud_endpoint", "cloud_profile") if getattr(args, f, None)]
    if given and not wants_cloud(args):
        flag = "--" + given[0].replace("_", "-")
        return _says(f"{flag} needs --cloud", f"{flag} 需要同时给出 --cloud")
    if not given:
        return None
    # lazy: the account-side module (and its settings), ~190 M instructions after a wire diagnosis's modules
    # (valgrind), only when account options are given
    from diagnostics import is_ip, parse_endpoint, valid_region

    if args.region and not valid_region(args.region):
        return _says(
            f"--region {args.region!r} is not a region name such as ap-guangzhou",
            f"--region {args.region!r} 不是地域名称（例如 ap-guangzhou）",
        )
    if args.client_ip and not is_ip(args.client_ip):
        return _says(
            f"--client-ip {args.client_ip!r} is not an IP address", f"--client-ip {args.client_ip!r} 不是 IP 地址"
        )
    if args.vpc and not re.fullmatch(r"vpc-[a-z0-9]{4,20}", args.vpc):
        return _says(
            f"--vpc {args.vpc!r} is not a VPC ID such as vpc-abc12345",
            f"--vpc {args.vpc!r} 不是 VPC ID（例如 vpc-abc12345）",
        )
    if args.cloud_endpoint:
        try:
            parse_endpoint(args.cloud_endpoint)
        except ValueError as exc:
            return _message_of(exc)
    return None


def wants_cloud(args: argparse.Namespace) -> bool:
    """--cloud, or --only naming account-side checks."""
    only = {x.strip() for x in (args.only or "").split(",")}
    return bool(args.cloud or "cloud" in only or only & set(checks.groups().get("cloud", ())))


def cloud_options(args: argparse.Namespace) -> CloudOptions | None:
    """CloudOptions for the run (credentials loaded here, never echoed). Raises InputError (a ValueError, in zh and
    en) on a bad profile."""
    if not wants_cloud(args):
        return None
    # lazy: the settings and the account side, ~220 M instructions after a wire diagnosis's modules (valgrind)
    from bot.settings import Settings
    from diagnostics import CloudOptions, load_credentials

    return CloudOptions(
        credentials=load_credentials(profile=args.cloud_profile),
        region=args.region,
        client_ip=args.client_ip,
        vpc=args.vpc,
        endpoint=args.cloud_endpoint or Settings.from_env().cloud_endpoint,
    )


def _text(value: object, lang: str) -> str:
    # lazy, as the other bot.render imports below: with typing and bot.messages, ~16.5 M instructions of a `--json`
    # diagnosis (valgrind), which renders nothing (tests/test_startup.py)
    from bot.render import pick

    value = pick(value, lang)
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v, lang) for v in value) or "-"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if value is None:
        return "-"
    return str(value)


HIDDEN_EVIDENCE = {"blocked_by", "blocked_code", "tags_sample", "parts", "attempts", "classes"}
ALWAYS_HIDDEN = {
    "blocking",
    "next_step",
    "advice",
    "confirmed",
    "account_confirms",
    "meaning",
    "kind",
    "what",  # NAME_INVALID's kind in words: its summary says it
    "nearest",
    "try_this",
    "suggested",  # NAME_INVALID's suggestion as its fix's sentence: the fix says it
    "rule",  # the endpoint check's classification rule: an explanation in English, not something observed
}
# Evidence that says nothing without a value: TAG_NOT_FOUND's `closest` when no tag is close (its text says so),
# NAME_INVALID's `suggestion` when no valid name is close.
HIDDEN_WHEN_NONE = {"closest", "suggestion"}


def view(report_dict: ReportDict, lang: str) -> dict[str, Any]:
    """What the templates need: findings with evidence flattened to short lines, and each status's mark in LANG."""
    # text output only (bot.messages, ~0.2 ms by -X importtime): --json never reads the words
    from bot.messages import evidence_value, status_word

    findings = []
    shown: set[str] = set()
    for f in report_dict["findings"]:
        lines = []
        for k, v in f["evidence"].items():
            if k in ALWAYS_HIDDEN or (k in HIDDEN_EVIDENCE and f["status"] in ("ok", "skip")):
                continue
            if v is None and k in HIDDEN_WHEN_NONE:
                continue
            text = evidence_value(_text(v, lang), lang)
            if len(text) > 300:
                text = text[:300] + "…"
            lines.append((k, text))
        # a skip that says how to enable what was skipped (CLOUD_NO_CREDENTIALS) shows its fix once
        first_skip = f["status"] == "skip" and any(f["fix"].values()) and f["code"] not in shown
        shown.add(f["code"])
        findings.append({**f, "mark": status_word(f["status"], lang), "evidence_lines": lines, "show_fix": first_skip})
    return {**report_dict, "findings": findings, "causes": arrange_verdict(findings, report_dict.get("verdict") or [])}


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def redact(text: str, secrets: list[str]) -> str:
    """Mask secrets, and neutralise control characters a server or an argument could use to drive the terminal."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)
    for s in secrets:
        if s and len(s) >= 3:
            text = text.replace(s, "[REDACTED]")
    return redact_secrets(text)[0]


def run(args: argparse.Namespace) -> int:
    """Diagnose the target, print the report (text, or JSON with --json) and write --report: the exit status."""
    lang = args.lang or default_lang()
    problem = validate(args)
    if problem:
        return _usage(problem, lang)
    try:
        password = _read_password() if args.password_stdin else None
    except ValueError as exc:
        return _usage(_message_of(exc), lang)
    if args.debug:
        import logging  # lazy: ~32 M instructions (valgrind), --debug only (tests/test_startup.py)

        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        install_log_redaction()  # every debug line passes the one detector, as the servers' do
    try:
        cloud = cloud_options(args)
    except ValueError as exc:
        return _usage(_message_of(exc), lang)
    report = _diagnose(args, password, cloud, lang)
    data = report.to_dict()
    secrets = ([password] if password else []) + (cloud.credentials.secrets() if cloud and cloud.credentials else [])
    _print_report(args, data, lang, secrets)
    if args.report and not _write_report(args, data, lang, secrets):
        return EXIT_USAGE
    return report.exit_code


def _diagnose(args: argparse.Namespace, password: str | None, cloud: CloudOptions | None, lang: str) -> Report:
    """Run the diagnosis the options ask for; without --json, say so on stderr and show each check as it ends."""
    options = DiagnoseOptions(
        timeout=args.timeout,
        only=args.only,
        skip=args.skip,
        username=args.username,
        password=password,
        push=args.push,
        nameserver=args.nameserver,
        ca_file=args.ca_file,
        docker_config=args.docker_config,
        cloud=cloud,
        edition=args.edition,
    )
    progress = None
    if not args.json:
        # text output only (bot.messages, ~0.2 ms by -X importtime): --json never reads the words
        from bot.messages import status_word

        def progress(event: str, check: str, info: dict[str, Any]) -> None:
            """One stderr line per finished check: its mark in LANG and how long it took."""
            if event == "done":
                ms = info.get("seconds", 0) * 1000
                sys.stderr.write(f"  … {check:<12} {status_word(str(info.get('status')), lang):<4} {ms:7.0f} ms\n")
                sys.stderr.flush()

        sys.stderr.write(
            _CONTROL.sub("?", ("正在诊断 " if lang == "zh" else "diagnosing ") + _masked(args.target)[:200]) + "\n"
        )
    return diagnose(args.target, options, progress=progress)


def _print_report(args: argparse.Namespace, data: ReportDict, lang: str, secrets: list[str]) -> None:
    """The report on stdout, as JSON or as text, secrets masked."""
    if args.json:
        sys.stdout.write(redact(json.dumps(data, ensure_ascii=False), secrets) + "\n")
    else:
        from bot.render import render  # (lazy: see _text)

        text = render("cli", "diagnose.j2", r=view(data, lang), lang=lang, faq_questions=_cited_questions(data))
        sys.stdout.write(redact(text, secrets))


def _cited_questions(data: ReportDict) -> dict[str, dict[str, str]]:
    """The questions ({zh, en}) of the FAQ entries the findings cite: the text and the ticket name each cited entry
    by its question, not only its id (one FAQ file read per entry, kept compiled: knowledge.faq_question). An entry
    that cannot be read is named by its id."""
    questions: dict[str, dict[str, str]] = {}
    for faq in {f["faq"] for f in data["findings"] if f["faq"]}:
        try:
            question = faq_question(faq)
        except Exception:  # noqa: BLE001 - a broken entry must not break the report; the loader's own tests report it
            question = None
        if question:
            questions[faq] = question
    return questions


def _write_report(args: argparse.Namespace, data: ReportDict, lang: str, secrets: list[str]) -> bool:
    """The markdown report for a ticket in --report's file, secrets masked; False (said on stderr) when it cannot
    be written."""
    from bot.render import render  # (lazy: see _text)

    text = redact(
        render(
            "cli",
            "diagnose_report.j2",
            r=view(data, lang),
            lang=lang,
            command=_command_line(args),
            faq_questions=_cited_questions(data),
        ),
        secrets,
    )
    try:
        with open(args.report, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        from bot.messages import cannot_write  # a report that cannot be written only (~0.2 ms by -X importtime)

        print(usage_line("diagnose", cannot_write(args.report, exc), lang), file=sys.stderr)
        return False
    return True


def _masked(target: str) -> str:
    """The target with any user:password@ part masked."""
    return re.sub(r"^((?:[A-Za-z][A-Za-z0-9+.-]*://)?)[^/@]*@", r"\1***@", target)


def _command_line(args: argparse.Namespace) -> str:
    parts = ["tcr-doctor", "diagnose", _masked(args.target)]
    for flag in ("username", "nameserver", "ca_file", "docker_config", "only", "skip"):
        v = getattr(args, flag)
        if v:
            parts += [f"--{flag.replace('_', '-')}", v]
    if args.password_stdin:
        parts.append("--password-stdin")
    if args.push:
        parts.append("--push")
    if args.cloud:
        parts.append("--cloud")
    for flag in ("region", "client_ip", "vpc", "cloud_endpoint", "cloud_profile", "edition"):
        v = getattr(args, flag, None)
        if v:
            parts += [f"--{flag.replace('_', '-')}", v]
    parts += ["--timeout", f"{args.timeout:g}"]
    return " ".join(parts)
