"""The service's settings: one typed object read from the environment, used by the web service, Slack and the CLI.

To add a setting, add ONE line to `Settings` below (the type says how the environment's text is parsed):

    log_level: str = setting("TCR_DOCTOR_LOG_LEVEL", "INFO", "level of the service's log lines")

then regenerate the README's table (tests/test_readme.py fails until it is in sync):

    .venv/bin/python -m bot.settings --readme-update

and read it where it is used: `Settings.from_env().log_level`; in the web service and Slack, the `Settings` that
`create_app(config)` keeps in `app.config["TCR"]`. Supported types: `str`, `str | None` (empty =
None), `int`, `float`, `bool` (1/true/yes/on, 0/false/no/off), `tuple[str, ...]` and `tuple[int, ...]`
(comma-separated). Secrets are `setting(..., secret=True)`: kept out of `repr()` and so out of logs and tracebacks.

Precedence: a `config` mapping (`create_app(config)`, a Flask config) over the environment over the default.
Mapping keys are the variable's name (`SLACK_BOT_TOKEN`, `TCR_DOCTOR_DB`) or the name without `TCR_DOCTOR_`
(`DB`). Fields made with `test_only()` (seams, the loopback switch) come only from such a mapping, never the
environment, and are not documented for operators.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, Field, dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Protocol, get_type_hints

from diagnostics import DEFAULT_DOMAINS, DEFAULT_PORTS, DEFAULT_REFUSED_NETWORKS, LANGS

if TYPE_CHECKING:
    from diagnostics import AddressPolicy, AnonymousDiagnosis
    from knowledge import AskResult

log = logging.getLogger("tcr_doctor.settings")

PREFIX = "TCR_DOCTOR_"
README_BEGIN = "<!-- settings:begin (generated: python -m bot.settings --readme-update) -->"
README_END = "<!-- settings:end -->"


class SettingsError(ValueError):
    """A setting's value cannot be used; the message names the variable and what it expects (`zh`, when given: the
    same in Chinese, which the CLI prints in a Chinese command line)."""

    def __init__(self, message: str, zh: str | None = None) -> None:
        super().__init__(message)
        self.zh = zh


def setting(
    env: str,
    default: Any,
    doc: str,
    *,
    shown: str | None = None,
    choices: tuple[str, ...] = (),
    secret: bool = False,
) -> Any:
    """A field read from the environment variable `env`; `doc` (and `shown`, the default as the README says it)
    make its row of the README's configuration table."""
    return field(
        default=default,
        repr=not secret,
        metadata={"env": env, "doc": doc, "shown": shown, "choices": choices},
    )


# The call shapes of the test seams that replace knowledge.ask(text, lang) and knowledge.redact(text) (the
# diagnosis seams are called as each channel calls diagnostics.diagnose: see bot/api.py and bot/slack.py).
class AskFunc(Protocol):
    """The call shape of `knowledge.ask(text, lang)`. A Protocol rather than a Callable alias: Settings' annotations
    are resolved at import (get_type_hints), and this keeps the knowledge package out of that import."""

    def __call__(self, text: str, lang: str | None, /) -> AskResult: ...


RedactFunc = Callable[[str], tuple[str, Sequence[str]]]


def test_only(default: Any = None) -> Any:
    """A field only a `config` mapping sets (tests): never read from the environment, not documented."""
    return field(default=default, repr=False, compare=False, metadata={"test_only": True})


@dataclass(frozen=True)
class Settings:
    """Every setting of tcr-doctor. Build it with `Settings.from_env(overrides=...)`."""

    # -- the web service -------------------------------------------------------------------------------
    db: str | None = setting(
        "TCR_DOCTOR_DB",
        None,
        "the embedded SQLite file used when no database URL is set. Questions are written every 0.5 s: SIGTERM "
        "flushes them, a `kill -9` loses at most the last 0.5 s (≤ 200 questions) of that process; feedback is "
        "written before it is acknowledged. Writer errors show on `/healthz` (`storage`) and in "
        "`tcr_doctor_storage_errors_total`",
        shown="`./tcr-doctor.sqlite3`",
    )
    database_url: str | None = setting(
        "TCR_DOCTOR_DATABASE_URL",
        None,
        "the database for questions (redacted), feedback and metrics: `sqlite:///FILE` or "
        "`postgresql://USER:PASSWORD@HOST:5432/DB` (several hosts). `serve`, `report` and `db` take the same URL "
        "(`--database-url`); the schema is created or migrated at start-up (`tcr-doctor db upgrade` does it alone)",
        shown="`DATABASE_URL`, else `TCR_DOCTOR_DB`",
    )
    platform_database_url: str | None = setting(
        "DATABASE_URL",
        None,
        "the same, as hosting platforms name it; used when `TCR_DOCTOR_DATABASE_URL` is not set",
    )
    retention_days: float = setting(
        "TCR_DOCTOR_RETENTION_DAYS",
        90.0,
        "questions and feedback older than this many days are deleted (by the service, hourly, and by "
        "`tcr-doctor db prune`); `0` keeps them forever",
    )
    redis_url: str | None = setting(
        "TCR_DOCTOR_REDIS_URL",
        None,
        "Redis shared by every worker and host (`redis://HOST:6379/0`): per-client rate limits and Slack retry "
        "dedupe hold across all of them. Without it each worker counts on its own (one host: a client gets up to "
        "workers × the limit). Unreachable at start-up: the service does not start; lost while running: each "
        'worker falls back to its own counts and `tcr_doctor_backend_fallbacks_total{backend="redis"}` rises',
    )
    registry_domains: tuple[str, ...] = setting(
        "TCR_DOCTOR_REGISTRY_DOMAINS",
        DEFAULT_DOMAINS,
        "hosts `/api/diagnose` may contact (`*.x` = any name under x; a plain name matches exactly)",
    )
    registry_ports: tuple[int, ...] = setting(
        "TCR_DOCTOR_REGISTRY_PORTS", DEFAULT_PORTS, "ports `/api/diagnose` may contact (empty = any)"
    )
    refused_networks: tuple[str, ...] = setting(
        "TCR_DOCTOR_REFUSED_NETWORKS",
        DEFAULT_REFUSED_NETWORKS,
        "networks (`9.0.0.0/8`, `2001:db8::/32`) that `/api/diagnose` and Slack never connect to, also wrapped in "
        "IPv6, on top of those always refused (loopback, private, link-local, CGNAT, metadata, Tencent Cloud's 10.*, "
        "100.*, 169.254.*). The default is the other ranges Tencent Cloud uses for internal services (its API "
        "Gateway documentation lists them as internal in every region): public "
        "unicast on the internet, where no registry under the default domains has an address, but reachable from a "
        "server inside Tencent Cloud. Empty = none (a service outside Tencent Cloud that diagnoses other domains)",
    )
    dns_nameserver: str | None = setting(
        "TCR_DOCTOR_DNS_NAMESERVER",
        None,
        "`ip[:port]` of the DNS server diagnoses use (anything else is a one-line error at start-up)",
        shown="system resolver",
    )
    ca_file: str | None = setting(
        "TCR_DOCTOR_CA_FILE",
        None,
        "extra CA bundle (PEM) trusted for registry TLS (read at start-up: a file that cannot be read or holds no "
        "certificate is a one-line error)",
    )
    diagnose_timeout: float = setting("TCR_DOCTOR_DIAGNOSE_TIMEOUT", 10.0, "deadline of one diagnosis, seconds")
    diagnose_checks: tuple[str, ...] = setting(
        "TCR_DOCTOR_DIAGNOSE_CHECKS",
        (),
        "checks `/api/diagnose` and Slack run (always anonymously; names as for `--only`). One rule for both:"
        " a caller gets the checks it names or a refusal naming the ones that run (`/api/diagnose`: 400 `bad_"
        "checks`), never fewer or others; what the service offers (the widget's and Slack's buttons for a pas"
        "ted log or an entry) is narrowed to these and not offered when none is left. Slack leaves out `crede"
        "ntials` (it never takes a password). An unknown name, an account-side check, or a channel left with "
        "nothing to run (Slack with `credentials` alone) is a one-line error at start-up",
        shown="every check marked anonymous (the wire checks, not `cloud`)",
    )
    diagnose_concurrency: int = setting(
        "TCR_DOCTOR_DIAGNOSE_CONCURRENCY", 4, "diagnoses at once per worker; more get 503 + `Retry-After`"
    )
    max_body_bytes: int = setting("TCR_DOCTOR_MAX_BODY_BYTES", 65536, "largest request body (413 above)")
    max_question_chars: int = setting("TCR_DOCTOR_MAX_QUESTION_CHARS", 16000, "longest question (413 above)")
    rate_limit_ask: str = setting(
        "TCR_DOCTOR_RATE_LIMIT_ASK", "60/60", "per client: N requests per SECONDS (`0` = off); 429 + `Retry-After`"
    )
    rate_limit_diagnose: str = setting("TCR_DOCTOR_RATE_LIMIT_DIAGNOSE", "6/60", "same, for `/api/diagnose`")
    rate_limit_feedback: str = setting("TCR_DOCTOR_RATE_LIMIT_FEEDBACK", "30/60", "same, for `/api/feedback`")
    trusted_proxies: int = setting(
        "TCR_DOCTOR_TRUSTED_PROXIES",
        0,
        "number of reverse proxies whose `X-Forwarded-For` is trusted for the client address (keep 0 unless "
        "behind one)",
    )
    trusted_proxy_addresses: tuple[str, ...] = setting(
        "TCR_DOCTOR_TRUSTED_PROXY_ADDRESSES",
        (),
        "addresses or networks (`10.0.0.5`, `10.0.0.0/24`) of those proxies: `X-Forwarded-For` is trusted only "
        "on requests whose peer is one of them, so a client that reaches an app instance directly cannot forge its "
        "address. Empty = from no peer (the header is ignored, with a warning at start-up when "
        "`TCR_DOCTOR_TRUSTED_PROXIES` is set); `*` = from any peer, only for a platform whose router address is not "
        "known and which no client can reach around",
    )
    cors_origins: tuple[str, ...] = setting(
        "TCR_DOCTOR_CORS_ORIGINS", ("*",), "origins allowed to call `/api/*` (comma-separated, or `*`)"
    )
    frame_ancestors: str = setting(
        "TCR_DOCTOR_FRAME_ANCESTORS",
        "'self'",
        "CSP `frame-ancestors` of the service's own pages (`'none'`, `'self'` or origins)",
    )
    handoff_url: str = setting(
        "TCR_DOCTOR_HANDOFF_URL",
        "https://console.cloud.tencent.com/workorder/category",
        '"contact support" link in the widget',
        shown="Tencent Cloud ticket page",
    )
    metrics_token: str | None = setting(
        "TCR_DOCTOR_METRICS_TOKEN",
        None,
        "when set, `/metrics` needs `Authorization: Bearer <token>`",
        secret=True,
    )
    slack: str = setting(
        "TCR_DOCTOR_SLACK",
        "auto",
        "mount `/slack/events`: `auto` (when `SLACK_SIGNING_SECRET` is set), `on`, `off`",
        choices=("auto", "on", "off"),
    )
    console_token: str | None = setting(
        "TCR_DOCTOR_CONSOLE_TOKEN",
        None,
        "sign-in token of the support leads' console at `/console` (unset = console off)",
        secret=True,
    )
    console_eval_sets: tuple[str, ...] = setting(
        "TCR_DOCTOR_CONSOLE_EVAL_SETS",
        (),
        "comma-separated JSONL question sets a teaching act is evaluated on (`*blind*` files are refused)",
        shown="the tuning sets",
    )
    console_slack_team: str | None = setting(
        "TCR_DOCTOR_CONSOLE_SLACK_TEAM",
        None,
        "Slack workspace id (`T…`) whose members may sign in to the console with Slack (with `SLACK_CLIENT_ID` and "
        "`SLACK_CLIENT_SECRET`; unset = token sign-in only)",
    )
    overlay_check_interval: float = setting(
        "TCR_DOCTOR_OVERLAY_CHECK_INTERVAL",
        1.0,
        "seconds between two checks of the taught overlay's version by one worker",
    )
    host: str = setting("HOST", "127.0.0.1", "address `tcr-doctor serve` listens on (`0.0.0.0`: other machines too)")
    port: int = setting("PORT", 8000, "port of `tcr-doctor serve` and of the Procfile's gunicorn")
    web_concurrency: int = setting("WEB_CONCURRENCY", 2, "gunicorn worker processes (Procfile)")
    web_threads: int = setting("WEB_THREADS", 8, "threads per gunicorn worker (Procfile)")
    log_level: str = setting(
        "TCR_DOCTOR_LOG_LEVEL",
        "info",
        "log level of `tcr-doctor serve` and the Procfile's server (`debug`, `info`, `warning`, `error`); every "
        "record passes the secret redactor, DEBUG included",
        choices=("debug", "info", "warning", "error", "critical"),
    )

    # -- Slack (docs/slack.md) -------------------------------------------------------------------------
    slack_bot_token: str | None = setting(
        "SLACK_BOT_TOKEN", None, "**Slack, required**: bot token `xoxb-…`", secret=True
    )
    slack_signing_secret: str | None = setting(
        "SLACK_SIGNING_SECRET",
        None,
        "**Slack over HTTP, required**: verifies every request (`v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`; older "
        "than 5 minutes → 401). With `TCR_DOCTOR_SLACK=auto` its presence switches `/slack/events` on",
        secret=True,
    )
    slack_app_token: str | None = setting(
        "SLACK_APP_TOKEN",
        None,
        "**Slack Socket Mode, required**: app-level token `xapp-…` with `connections:write` (Basic Information → "
        "App-Level Tokens)",
        secret=True,
    )
    slack_client_id: str | None = setting(
        "SLACK_CLIENT_ID",
        None,
        'the Slack app\'s client id (Basic Information): "Sign in with Slack" on the console',
    )
    slack_client_secret: str | None = setting(
        "SLACK_CLIENT_SECRET",
        None,
        "the Slack app's client secret, for the console's Slack sign-in",
        secret=True,
    )
    slack_oidc_base_url: str | None = setting(
        "SLACK_OIDC_BASE_URL",
        None,
        "base URL of Slack's OpenID Connect endpoints, default `https://slack.com`; the tests point it at a stand-in",
    )
    slack_api_base_url: str | None = setting(
        "SLACK_API_BASE_URL",
        None,
        "Slack Web API base URL; the tests point it at a local stand-in",
        shown="`https://slack.com/api/`",
    )
    slack_support_channel: str | None = setting(
        "SLACK_SUPPORT_CHANNEL",
        None,
        'channel **id** (`C…`) that receives hand-offs; without it there is no hand-off button and "no documented '
        'answer" links to a support ticket instead',
    )
    slack_handoff_mention: str | None = setting(
        "SLACK_HANDOFF_MENTION",
        None,
        "text put in front of each hand-off, e.g. `<!subteam^S0123ABC>` to ping a user group or `<!here>`",
    )
    slack_default_lang: str = setting(
        "SLACK_DEFAULT_LANG",
        "en",
        "`en` or `zh`: the language of `/tcr` replies that contain no words to detect a language from (`/tcr help`, "
        "`/tcr diagnose <host>`); the Chinese aliases (`/tcr 帮助`, `/tcr 诊断`, `/tcr 问`, `/tcr 检查名称`) reply in "
        "Chinese",
        choices=LANGS,
    )
    slack_dedupe_path: str | None = setting(
        "SLACK_DEDUPE_PATH",
        None,
        "SQLite file that records handled event ids, so a retry is answered once **across gunicorn workers**",
        shown="the web service's database (`TCR_DOCTOR_DB`), table `slack_seen`",
    )

    # -- account-side checks (TCR cloud API; credentials: TENCENTCLOUD_SECRET_ID/KEY or tccli) -------------
    cloud_endpoint: str | None = setting(
        "TCR_DOCTOR_CLOUD_ENDPOINT",
        None,
        "TCR API endpoint of the account-side checks (`diagnose --cloud`, Slack): a private endpoint, or a test "
        "server over `http://`",
        shown="`https://tcr.tencentcloudapi.com`",
    )
    slack_cloud: bool = setting(
        "TCR_DOCTOR_SLACK_CLOUD",
        False,
        "Slack diagnoses also run the account-side checks with the operator's credentials (`TENCENTCLOUD_SECRET_ID` "
        "/ `TENCENTCLOUD_SECRET_KEY` or tccli's default profile), only for that account's instances; the web API "
        "never does",
    )
    cloud_account: str | None = setting(
        "TCR_DOCTOR_CLOUD_ACCOUNT",
        None,
        "name of the operator's account, shown in Slack answers that used it",
        shown="the credentials' source",
    )

    # -- the knowledge base ----------------------------------------------------------------------------
    # Read by diagnostics.cache.cache_dir() itself: the core runs without a channel (benchmarks, python -m ...).
    cache_dir: str | None = setting(
        "TCR_DOCTOR_CACHE_DIR",
        None,
        "where the matcher keeps its index, the diagnosis its compiled code catalogue and the channels their "
        "compiled templates between runs (`off` = build them in memory every time); the key covers the data files, "
        "the templates and the code, so an edit rebuilds them; compiled templates are code: only the user running "
        "tcr-doctor may write there",
        shown="`~/.cache/tcr-doctor`",
    )

    # -- tests only: set by create_app(config), never by the environment -------------------------------
    test_allow_loopback: bool = test_only(False)  # weakens the SSRF guard so tests can diagnose 127.0.0.1
    ask_func: AskFunc | None = test_only()  # replaces knowledge.ask
    redact_func: RedactFunc | None = test_only()  # replaces knowledge.redact
    diagnose_func: Callable[..., Any] | None = test_only()  # replaces the web API's diagnosis
    slack_diagnose_func: Callable[..., Any] | None = test_only()  # replaces Slack's diagnosis

    @classmethod
    def from_env(cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from `overrides` (keys as in the module docstring), then `environ` (default os.environ), then
        the defaults. Raises SettingsError for an unknown override key or a value of the wrong kind."""
        environ = os.environ if environ is None else environ
        given = dict(overrides or {})
        values: dict[str, Any] = {}
        for f in fields(cls):
            key = _override_key(f, given)
            if key is not None:
                values[f.name] = _parse(f, given.pop(key), key)
            elif not f.metadata.get("test_only") and environ.get(f.metadata["env"]) is not None:
                values[f.name] = _parse(f, environ[f.metadata["env"]], f.metadata["env"])
        unknown = [key for key, value in given.items() if value is not None]
        if unknown:
            names = ", ".join(sorted(unknown))
            raise SettingsError(
                f"unknown setting(s) {names}: see the README's Configuration", zh=f"未知的设置：{names}"
            )
        if environ.get(PREFIX + "TEST_ALLOW_LOOPBACK"):
            log.warning(
                "TCR_DOCTOR_TEST_ALLOW_LOOPBACK is ignored: it can only be set by tests through create_app(config)"
            )
        return cls(**values)

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from the keys of `config` that name a setting (e.g. a Flask app's config), then `environ`."""
        names = set(_KEYS)
        return cls.from_env({k: v for k, v in config.items() if k in names}, environ)

    def address_policy(self) -> AddressPolicy:
        """The SSRF policy of the public channels (the web API and Slack) these settings describe: registry domains,
        ports and refused networks. Raises SettingsError when TCR_DOCTOR_REFUSED_NETWORKS holds something else than
        networks."""
        # diagnostics.policy costs ~10 ms of import (python -X importtime) that the CLI commands reading these
        # settings never need; the channels that build a policy have imported it already
        from diagnostics import AddressPolicy

        try:
            return AddressPolicy.public_registry(
                domains=self.registry_domains,
                ports=self.registry_ports,
                refused_networks=self.refused_networks,
                allow_loopback=self.test_allow_loopback,
            )
        except ValueError as exc:
            raise SettingsError(
                f"TCR_DOCTOR_REFUSED_NETWORKS: {exc}",
                zh=f"TCR_DOCTOR_REFUSED_NETWORKS={','.join(self.refused_networks)!r}：其中有不是网段的值（应为地址加前缀长度、"
                "主机位为 0，例如 9.0.0.0/8 或 2001:db8::/32）",
            ) from None

    def anonymous_diagnosis(self) -> AnonymousDiagnosis:
        """How the public channels (the web API, Slack over HTTP and in Socket Mode) diagnose for someone the service
        does not know: `address_policy()`, the deadline, DNS server, CA bundle and the operator's checks. Raises
        SettingsError, naming the variable, for refused networks that are not networks or a check an anonymous
        diagnosis cannot run."""
        from diagnostics import AnonymousDiagnosis  # see address_policy: only the channels pay for the import

        policy = self.address_policy()
        self._check_resolver_and_ca_file()
        try:
            return AnonymousDiagnosis(
                policy=policy,
                timeout=self.diagnose_timeout,
                nameserver=self.dns_nameserver,
                ca_file=self.ca_file,
                checks=self.diagnose_checks,
            )
        except ValueError as exc:
            given = f"TCR_DOCTOR_DIAGNOSE_CHECKS={','.join(self.diagnose_checks)!r}"
            anonymous = "、".join(AnonymousDiagnosis(policy=policy).allowed())
            raise SettingsError(
                f"{given}: {exc}",
                zh=f"{given}：其中有未知的检查，或匿名诊断从不运行的检查（账号侧检查使用运营方的云 API 密钥）；"
                f"匿名诊断可运行的检查：{anonymous}",
            ) from None

    def _check_resolver_and_ca_file(self) -> None:
        """TCR_DOCTOR_DNS_NAMESERVER is `ip[:port]` and TCR_DOCTOR_CA_FILE a readable PEM bundle, checked when a
        channel starts (SettingsError, in zh and en), not found out by the first diagnosis."""
        from diagnostics import parse_nameserver

        if self.dns_nameserver is not None:
            try:
                parse_nameserver(self.dns_nameserver)
            except ValueError:
                given = f"TCR_DOCTOR_DNS_NAMESERVER={self.dns_nameserver!r}"
                raise SettingsError(f"{given}: expected ip[:port]", zh=f"{given}：应为 IP[:端口]") from None
        if self.ca_file is not None:
            from bot.messages import ca_file_reason
            from diagnostics import load_ca_file

            try:
                # the context that read it is kept: the first diagnosis uses it rather than reading the file again
                load_ca_file(self.ca_file)
            except OSError as exc:  # unreadable, or no certificate in it (ssl.SSLError)
                why, given = ca_file_reason(exc), f"TCR_DOCTOR_CA_FILE={self.ca_file!r}"
                raise SettingsError(f"{given}: {why['en']}", zh=f"{given}：{why['zh']}") from None

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (by field name)."""
        return replace(self, **changes)


def documented() -> list[Field[Any]]:
    """The fields read from the environment, in the README's order."""
    return [f for f in fields(Settings) if not f.metadata.get("test_only")]


def _keys(f: Field[Any]) -> tuple[str, ...]:
    if f.metadata.get("test_only"):
        return (f.name.upper(),)
    env = f.metadata["env"]
    return (env, env.removeprefix(PREFIX)) if env.startswith(PREFIX) else (env,)


_KEYS = {key: f.name for f in fields(Settings) for key in _keys(f)}
_TYPES = get_type_hints(Settings)


def _override_key(f: Field[Any], given: Mapping[str, Any]) -> str | None:
    for key in _keys(f):
        if given.get(key) is not None:
            return key
    return None


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def _parse(f: Field[Any], value: Any, source: str) -> Any:
    """`value` (text from the environment, or any value from a config mapping) as the field's type."""
    kind = _TYPES[f.name]
    try:
        if kind in (tuple[str, ...], tuple[int, ...]):
            item = int if kind == tuple[int, ...] else str
            parts = value.split(",") if isinstance(value, str) else list(value)
            return tuple(item(str(p).strip()) for p in parts if str(p).strip())
        if kind is bool:
            if isinstance(value, str):
                if value.strip().lower() not in _TRUE + _FALSE:
                    raise ValueError(value)
                return value.strip().lower() in _TRUE
            return bool(value)
        if kind in (int, float):
            return kind(value)
        if kind == str | None:
            return str(value) if value != "" else None
        if kind is str:
            text = str(value)
            choices = f.metadata.get("choices")
            if choices and text.lower() not in choices:
                raise ValueError(text)
            return text.lower() if choices else text
        return value  # a test seam (a function)
    except (TypeError, ValueError):
        choices = f.metadata.get("choices")
        expected = choices or _EXPECTED.get(kind, str(kind))
        expected_zh = f"以下之一：{'、'.join(choices)}" if choices else _EXPECTED_ZH.get(kind, str(kind))
        raise SettingsError(
            f"{source}={value!r}: expected {expected}", zh=f"{source}={value!r}：应为{expected_zh}"
        ) from None


_EXPECTED_ZH: dict[Any, str] = {
    int: "整数",
    float: "数字",
    bool: "1/true/yes/on 或 0/false/no/off",
    tuple[int, ...]: "逗号分隔的整数",
}
_EXPECTED: dict[Any, Any] = {
    int: "an integer",
    float: "a number",
    bool: "1/true/yes/on or 0/false/no/off",
    tuple[int, ...]: "comma-separated integers",
}


# -- the README's table ------------------------------------------------------------------------------------
def _default_text(f: Field[Any]) -> str:
    if f.metadata["shown"]:
        return str(f.metadata["shown"])
    default = f.default if f.default is not MISSING else None
    if default is None or default == ():
        return "none"
    if isinstance(default, tuple):
        default = ",".join(map(str, default))
    return f"`{default}`"


def export(values: Mapping[str, Any]) -> None:
    """Put settings (by variable name) into this process's environment, so that the processes it starts — the
    production server's master and workers, which build their app from the environment — read the same values.
    None values are left out."""
    for name, value in values.items():
        if value is not None:
            os.environ[name] = str(value)


def render_readme_table() -> str:
    """The README's configuration table, one row per setting, between its markers."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    rows += [f"| `{f.metadata['env']}` | {_default_text(f)} | {f.metadata['doc']} |" for f in documented()]
    return "\n".join([README_BEGIN, *rows, README_END])


def replace_block(path: str, block: str) -> bool:
    """Replace the generated block in the file at `path` that starts with `block`'s first line and ends with its last
    (its markers); True when the file changed."""
    begin, end_marker = block.split("\n", 1)[0], block.rsplit("\n", 1)[-1]
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    start, end = text.index(begin), text.index(end_marker) + len(end_marker)
    new = text[:start] + block + text[end:]
    if new != text:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(new)
    return new != text


def readme_table_command(argv: list[str], render: Callable[[], str], program: str) -> int:
    """`python -m PROGRAM --readme | --readme-update`: print the README block `render()` makes, or write it into the
    README between its markers; the exit status (2 on a usage error)."""
    if argv == ["--readme-update"]:
        readme = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")
        changed = replace_block(readme, render())
        print("README.md updated" if changed else "README.md already in sync", file=sys.stderr)
        return 0
    if argv == ["--readme"]:
        print(render())
        return 0
    print(f"usage: python -m {program} --readme | --readme-update", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(readme_table_command(sys.argv[1:], render_readme_table, "bot.settings"))
