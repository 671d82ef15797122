"""`tcr-doctor check-name instance|namespace|repo|tag|ref VALUE [--json]`; VALUE `-` reads one value per line
from stdin (plain, or JSON Lines: a JSON string or {"q": ...}) and writes one JSON line per input line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from bot.batch import MAX_STDIN, mostly_binary, read_stdin
from bot.commands import add_lang_argument, default_lang, usage_error
from diagnostics import KIND_WORDS, InputError, check_name
from knowledge import redact

if TYPE_CHECKING:
    from bot.commands import Declarations
    from diagnostics import CloudOptions

KINDS = ("instance", "namespace", "repo", "tag", "ref")
MESSAGES = {
    "cloud_options": {
        "en": "--cloud-endpoint and --cloud-profile need --cloud",
        "zh": "--cloud-endpoint 和 --cloud-profile 需要同时给出 --cloud",
    },
    "cloud_kind": {"en": "--cloud checks instance names only", "zh": "--cloud 只能检查实例名称"},
    "cloud_credentials": {
        "en": "--cloud needs cloud API credentials: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY or `tccli configure`",
        "zh": "--cloud 需要云 API 密钥：TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY 或 `tccli configure`",
    },
}


def add_arguments(parser: Declarations) -> None:
    """Arguments of `tcr-doctor check-name`."""
    parser.add_argument(
        "kind",
        choices=KINDS,
        help={
            "zh": "VALUE 是什么：TCR 实例名、企业版命名空间、镜像仓库、镜像版本（tag），或完整的镜像地址",
            "en": "what VALUE is: a TCR instance name, an enterprise namespace, a repository, "
            "a tag, or a full image reference",
        },
    )
    parser.add_argument(
        "value",
        help={
            "zh": "要检查的名称，或 -：从标准输入逐行读取（输出 JSON Lines）",
            "en": "the name to check, or - to read one value per line from stdin (JSON Lines out)",
        },
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help={"zh": "以一个 JSON 对象输出结果", "en": "print the result as one JSON object"},
    )
    add_lang_argument(parser)
    parser.add_argument(
        "--cloud",
        action="store_true",
        help={
            "zh": "实例名：同时向服务查询该名称是否被保留或已被占用（CheckInstanceName；"
            "凭据取自 TENCENTCLOUD_SECRET_ID/KEY 或 tccli）",
            "en": "instance names: also ask the service whether the name is reserved or taken (CheckInstanceName; "
            "credentials from TENCENTCLOUD_SECRET_ID/KEY or tccli)",
        },
    )
    parser.add_argument(
        "--cloud-endpoint",
        metavar="URL",
        help={
            "zh": "TCR API 端点（默认 $TCR_DOCTOR_CLOUD_ENDPOINT）",
            "en": "TCR API endpoint (default $TCR_DOCTOR_CLOUD_ENDPOINT)",
        },
    )
    parser.add_argument(
        "--cloud-profile",
        metavar="NAME",
        help={"zh": "从哪个 tccli 配置读取凭据", "en": "tccli profile to take the credentials from"},
    )


def _cloud(args: argparse.Namespace) -> CloudOptions | None:
    """CloudOptions for --cloud, or None. Raises InputError (a ValueError, in zh and en) with a usage message."""
    if not args.cloud:
        if args.cloud_endpoint or args.cloud_profile:
            raise InputError(**MESSAGES["cloud_options"])
        return None
    if args.kind != "instance":
        raise InputError(**MESSAGES["cloud_kind"])
    # lazy: the settings and the account side (its SDK glue), ~170 M instructions after check-name's own modules
    # (valgrind), for --cloud only (also in _check)
    from bot.settings import Settings
    from diagnostics import CloudOptions, load_credentials, parse_endpoint

    creds = load_credentials(profile=args.cloud_profile)
    if creds is None:
        raise InputError(**MESSAGES["cloud_credentials"])
    endpoint = args.cloud_endpoint or Settings.from_env().cloud_endpoint
    if endpoint:
        parse_endpoint(endpoint)
    return CloudOptions(credentials=creds, endpoint=endpoint)


def _check(kind: str, value: str, cloud: CloudOptions | None) -> dict[str, Any]:
    # a pasted secret (`admin:PASSWORD@host/ns/app`) is masked before it is checked, as Slack's /tcr check-name does:
    # neither the value nor a suggestion made from it prints it
    result = check_name(kind, redact(value)[0])
    if cloud is None:
        return result
    from diagnostics import CloudError, check_instance_name  # lazy: --cloud only (see _cloud)

    try:
        return check_instance_name(result, cloud)
    except CloudError as exc:
        return {**result, "service": {"checked": False, "error": exc.code or exc.kind}}


def run(args: argparse.Namespace) -> int:
    """`tcr-doctor check-name`: check VALUE (or each stdin line, JSON Lines out) against the naming rules; exit status 0
    when valid, 1 when not, 2 on a usage error (a stdin that is mostly binary lines, a binary file, is one)."""
    lang = args.lang or default_lang()
    try:
        cloud = _cloud(args)
    except ValueError as exc:
        return _usage(getattr(exc, "message", None) or {"zh": str(exc), "en": str(exc)}, lang)

    if args.value == "-":
        from bot import messages  # stdin only (~0.2 ms by -X importtime): a name on the command line never reads it

        worst = 0
        try:
            items = read_stdin(sys.stdin)
        except ValueError:
            return _usage(messages.message("stdin_too_large", mb=MAX_STDIN >> 20), lang)
        if mostly_binary(item.text for item in items):
            # a binary file, not names: said once, rather than one "not valid UTF-8" object per byte run
            return _usage(messages.message("binary_stdin", items=messages.INSTEAD["names"]), lang)
        # One output line per input line, blank ones included (plain values or JSON Lines, bot/batch.py).
        for item in items:
            if item.problem:
                result = {
                    "value": item.text[:300],
                    "valid": False,
                    "error": messages.NOT_UTF8 if item.problem == "binary" else messages.empty("line"),
                    "rule": f"{args.kind}.{'encoding' if item.problem == 'binary' else 'empty'}",
                    "suggestion": None,
                }
            else:
                result = _check(args.kind, item.text, cloud)
            if not result["valid"]:
                worst = 1
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return worst
    result = _check(args.kind, args.value, cloud)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        from bot.render import render  # lazy: ~1.7 M instructions (valgrind); --json renders nothing

        sys.stdout.write(render("cli", "check_name.j2", r=result, what=KIND_WORDS[args.kind], lang=lang))
    return 0 if result["valid"] else 1


def _usage(problem: dict[str, str], lang: str) -> int:
    return usage_error("check-name", problem, lang)
