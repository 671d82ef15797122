"""`tcr-doctor check-name instance|namespace|repo|tag|ref VALUE [--json]`; VALUE `-` reads one value per line
from stdin (plain, or JSON Lines: a JSON string or {"q": ...}) and writes one JSON line per input line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from bot.commands import default_lang

if TYPE_CHECKING:
    from diagnostics import CloudOptions

EXIT_USAGE = 2
MAX_STDIN = 64 << 20
KINDS = ("instance", "namespace", "repo", "tag", "ref")
_PROBLEMS = {
    "binary": {"en": "not valid UTF-8", "zh": "不是有效的 UTF-8 文本"},
    "empty": {"en": "empty line: no value to check", "zh": "空行：没有要检查的名称"},
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `tcr-doctor check-name`."""
    parser.add_argument(
        "kind",
        choices=KINDS,
        help="what VALUE is: a TCR instance name, an enterprise namespace, a repository, "
        "a tag, or a full image reference",
    )
    parser.add_argument("value", help="the name to check, or - to read one value per line from stdin (JSON Lines out)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    parser.add_argument(
        "--lang",
        choices=("zh", "en"),
        help="language of the human output (default: from the locale: LC_ALL, LC_MESSAGES, LANG, LANGUAGE)",
    )
    parser.add_argument(
        "--cloud",
        action="store_true",
        help="instance names: also ask the service whether the name is reserved or taken (CheckInstanceName; "
        "credentials from TENCENTCLOUD_SECRET_ID/KEY or tccli)",
    )
    parser.add_argument("--cloud-endpoint", metavar="URL", help="TCR API endpoint (default $TCR_DOCTOR_CLOUD_ENDPOINT)")
    parser.add_argument("--cloud-profile", metavar="NAME", help="tccli profile to take the credentials from")


def _cloud(args: argparse.Namespace) -> CloudOptions | None:
    """CloudOptions for --cloud, or None. Raises ValueError with a usage message."""
    if not args.cloud:
        if args.cloud_endpoint or args.cloud_profile:
            raise ValueError("--cloud-endpoint and --cloud-profile need --cloud")
        return None
    if args.kind != "instance":
        raise ValueError("--cloud checks instance names only")
    from bot.settings import Settings
    from diagnostics import CloudOptions, load_credentials, parse_endpoint

    creds = load_credentials(profile=args.cloud_profile)
    if creds is None:
        raise ValueError(
            "--cloud needs credentials: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY or `tccli configure`"
        )
    endpoint = args.cloud_endpoint or Settings.from_env().cloud_endpoint
    if endpoint:
        parse_endpoint(endpoint)
    return CloudOptions(credentials=creds, endpoint=endpoint)


def _check(kind: str, value: str, cloud: CloudOptions | None) -> dict[str, Any]:
    from diagnostics import check_name

    result = check_name(kind, value)
    if cloud is None:
        return result
    from diagnostics import CloudError, check_instance_name

    try:
        return check_instance_name(result, cloud)
    except CloudError as exc:
        return {**result, "service": {"checked": False, "error": exc.code or exc.kind}}


def run(args: argparse.Namespace) -> int:
    """`tcr-doctor check-name`: check VALUE (or each stdin line, JSON Lines out) against the naming rules; exit status 0
    when valid, 1 when not, 2 on a usage error."""
    try:
        cloud = _cloud(args)
    except ValueError as exc:
        print(f"tcr-doctor check-name: error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    if args.value == "-":
        from bot.batch import read_stdin

        worst = 0
        try:
            items = read_stdin(sys.stdin)
        except ValueError as exc:
            print(f"tcr-doctor check-name: {exc}", file=sys.stderr)
            return EXIT_USAGE
        # One output line per input line, blank ones included (plain values or JSON Lines, bot/batch.py).
        for item in items:
            if item.problem:
                result = {
                    "value": item.text[:300],
                    "valid": False,
                    "error": _PROBLEMS[item.problem],
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
        from bot.render import render

        sys.stdout.write(render("cli", "check_name.j2", r=result, kind=args.kind, lang=args.lang or default_lang()))
    return 0 if result["valid"] else 1
