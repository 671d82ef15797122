"""Account-side facts from the TCR cloud API: credentials, a read-only client, and the shared look-ups.

Only Describe*/Check* actions are ever sent: `ALLOWED_ACTIONS` is the allow-list, `TCRAPI.call` refuses anything
else before a byte leaves the process, and tests/test_cloud_api.py checks every action named in the code
against it. Credentials come from `TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY` /
`TENCENTCLOUD_SESSION_TOKEN` or tccli's `~/.tccli/<profile>.credential`; they live in a `CloudCredentials` whose
repr hides them, are used only to sign requests (diagnostics/cloud_tc3.py: TC3-HMAC-SHA256, checked against
Tencent's SDK in the tests) and are never logged, printed, stored or put in a finding.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import ENTERPRISE_SUFFIX, PERSONAL_HOST, PERSONAL_SUFFIX, cloud_tc3, edition, enterprise_instance, net
from .cloud_credentials import CloudCredentials as CloudCredentials  # re-exported: one import for the callers
from .cloud_credentials import credentials_available as credentials_available
from .cloud_credentials import load_credentials as load_credentials
from .cloud_tc3 import TC3Client, TC3Error, TransportError
from .errors import InputError

if TYPE_CHECKING:  # typing only: the findings and the context load when a check runs
    from .context import Context
    from .findings import Finding, Unavailable

# The findings, the check registry and the name check (.findings, .checks, .checks.name) are imported by the
# functions that use them, not at the top: `tcr-doctor check-name instance NAME --cloud` loads this module for
# CheckInstanceName alone and would pay ~2.7 M instructions for them (valgrind, PYTHONHASHSEED=0). A diagnosis has
# loaded them before its account checks run.

log = logging.getLogger("tcr_doctor.cloud")

API_VERSION = "2019-09-24"
DEFAULT_ENDPOINT = "https://tcr.tencentcloudapi.com"
DEFAULT_REGION = "ap-guangzhou"

# Every action this code may send. Read-only by construction: Describe* and Check* only.
ALLOWED_ACTIONS = frozenset(
    {
        "DescribeInstances",
        "CheckInstanceName",
        "DescribeExternalEndpointStatus",
        "DescribeSecurityPolicies",
        "DescribeInternalEndpoints",
        "DescribeInternalEndpointDnsStatus",
        "DescribeNamespaces",
        "DescribeRepositories",
        "DescribeImages",
        "DescribeInstanceToken",
        "DescribeServiceAccounts",
        "DescribeUserQuotaPersonal",
        "DescribeNamespacePersonal",
        "DescribeRepositoryOwnerPersonal",
        "DescribeImagePersonal",
        "DescribeInstanceCustomizedDomain",  # read-only: lists an instance's custom domains
    }
)
READ_ONLY_PREFIXES = ("Describe", "Check")
# Paged lists (DescribeInstances, DescribeInstanceCustomizedDomain, DescribeInstanceToken): Offset/Limit in,
# TotalCount out. The API definition (tccli/services/tcr/v20190924/api.json) gives DescribeInstances' Offset as an item
# offset ("偏移量,默认0") and its Limit as "默认20，最大为100"; terraform-provider-tencentcloud pages DescribeInstances and
# DescribeInstanceToken by item offset too (services/tcr/service_tencentcloud_tcr.go: offset += limit). The other two
# say only "分页Offset" / "分页偏移量"; they are read the same way. (DescribeImages and DescribeRepositories count
# Offset in pages, from 1: "offset指的是具体第几页". They are not paged here.)
PAGE = 100
MAX_PAGES = 20  # at most 2,000 items of one list are read: huge accounts stay bounded in time and calls
PARALLEL = 8  # look-ups one prefetch keeps in flight
# Each TCR action's page says "默认接口请求频率限制：20次/秒" (e.g. DescribeInstanceCustomizedDomain,
# cloud.tencent.com/document/api/1141/79573), counted per API + access region (the API server the endpoint reaches) +
# sub-account (云 API 开发指南 "API 频率限制说明", cloud.tencent.com/document/product/1278/109059): one diagnosis' client
# is one such combination. It sends at most RATE calls of one action in any one second, so a large account's look-ups
# are spaced rather than refused with RequestLimitExceeded: BURST at once (a usual diagnosis sends one to three of an
# action: never delayed), the rest at RATE - BURST per second.
RATE = 20.0
BURST = 5
HINT_WAIT = 0.3  # seconds a custom domain's look-up waits, after the instance list, for the name's CNAME chain

# Personal edition: host prefix -> region (shared/facts/tcr.md §1)
PERSONAL_REGIONS = {
    "ccr": "ap-guangzhou",
    "hkccr": "ap-hongkong",
    "sgccr": "ap-singapore",
    "jpccr": "ap-tokyo",
    "krccr": "ap-seoul",
    "thccr": "ap-bangkok",
    "inccr": "ap-mumbai",
    "jktccr": "ap-jakarta",
    "tpeccr": "ap-taipei",
    "uswccr": "na-siliconvalley",
    "useccr": "na-ashburn",
    "caccr": "na-toronto",
    "saoccr": "sa-saopaulo",
    "deccr": "eu-frankfurt",
    "shjrccr": "ap-shanghai-fsi",
    "bjjrccr": "ap-beijing-fsi",
    "szjrccr": "ap-shenzhen-fsi",
}
PERSONAL_HOSTS = {region: prefix + PERSONAL_SUFFIX for prefix, region in PERSONAL_REGIONS.items()}

CREDENTIAL_ERRORS = (
    "AuthFailure.SecretIdNotFound",
    "AuthFailure.SignatureFailure",
    "AuthFailure.SignatureExpire",
    "AuthFailure.InvalidSecretId",
    "AuthFailure.TokenFailure",
    "AuthFailure.InvalidAuthorization",
    "AuthFailure.MFAFailure",
)
RATE_LIMIT_ERRORS = (
    "RequestLimitExceeded",
    "RequestLimitExceeded.UinLimitExceeded",
    "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
    "RequestLimitExceeded.IPLimitExceeded",
)
_REFUSED_ACTION = re.compile(r"perform operation \((tcr:[A-Za-z]+)\)")
_REGION = re.compile(r"^[a-z]{2}-[a-z]+(?:-[a-z]+)?(?:-\d)?$")


@dataclass
class CloudOptions:
    """How the account-side checks reach the TCR API, and what the user told us about the client."""

    credentials: CloudCredentials | None = None
    region: str | None = None  # where DescribeInstances(AllRegion) is sent; instance calls go to its own region
    client_ip: str | None = None  # the client's egress address, for the public whitelist
    vpc: str | None = None  # the client's VPC, for internal access
    endpoint: str | None = None  # URL of the API (default https://tcr.tencentcloudapi.com)
    scope: str = "any"  # "account": only this account's instances (Slack with the operator's credentials)
    account: str | None = None  # a label for the account, shown in reports
    check_name_elsewhere: bool = True  # INSTANCE_NOT_FOUND asks CheckInstanceName (off when scope is "account")


class CloudError(Exception):
    """An API call failed. KIND: credentials | permission | unreachable | rate_limited | not_found | error."""

    def __init__(
        self, kind: str, action: str, code: str = "", message: str = "", request_id: str = "", region: str = ""
    ):
        super().__init__(f"{action}: {code or kind}")
        self.kind, self.action, self.code, self.request_id, self.region = kind, action, code, request_id, region
        self.message = message[:300]

    @property
    def refused_action(self) -> str:
        """The CAM action the service refused (`tcr:DescribeX`), from its message or the action sent."""
        m = _REFUSED_ACTION.search(self.message)
        return m.group(1) if m else f"tcr:{self.action}"


def valid_region(region: str) -> bool:
    """Whether `region` is shaped like a Tencent Cloud region name (ap-guangzhou, na-siliconvalley); the CLI refuses
    --region values that are not."""
    return bool(_REGION.match(region or ""))


def parse_endpoint(url: str) -> tuple[str, str]:
    """(scheme, host[:port]) of an API endpoint URL. Raises InputError (a ValueError, in zh and en)."""
    if "://" not in url:
        url = "https://" + url
    u = urlsplit(url)
    if u.scheme not in ("http", "https") or not u.hostname or u.username or u.password:
        raise InputError(
            f"the cloud endpoint {url!r} is not http(s)://HOST[:PORT]",
            f"云 API 地址 {url!r} 不是 http(s)://主机[:端口]",
        )
    if u.path not in ("", "/") or u.query:
        raise InputError(f"the cloud endpoint {url!r} must not have a path", f"云 API 地址 {url!r} 不能带路径")
    return u.scheme, u.netloc


def warm(options: CloudOptions) -> None:
    """One-time work before a diagnosis' clock starts (the TLS context for an https endpoint)."""
    cloud_tc3.warm(parse_endpoint(options.endpoint or DEFAULT_ENDPOINT)[0] == "https")


class _Pacer:
    """A token bucket per action: BURST calls at once, then RATE - BURST per second, so that no second ever holds
    more than RATE calls of one action (counted over any sliding second)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # action -> (tokens, when counted)

    def delay(self, action: str) -> float:
        """Take a token for ACTION; the seconds to wait before sending (0 within the burst)."""
        refill = max(1.0, RATE - BURST)
        with self._lock:
            now = time.monotonic()
            tokens, then = self._buckets.get(action, (float(BURST), now))
            tokens = min(float(BURST), tokens + (now - then) * refill) - 1
            self._buckets[action] = (tokens, now)
        return -tokens / refill if tokens < 0 else 0.0


class TCRAPI:
    """A read-only TCR API client bound to one diagnosis deadline. Thread-safe: one signed-request client
    (diagnostics/cloud_tc3.py) with a pool of kept-alive connections serves every check of the diagnosis."""

    def __init__(self, options: CloudOptions, deadline: net.Deadline):
        if options.credentials is None:
            raise ValueError("no cloud credentials")
        self.options = options
        self.deadline = deadline
        self.scheme, self.host = parse_endpoint(options.endpoint or DEFAULT_ENDPOINT)
        self.calls: list[tuple[str, str]] = []  # (action, region), for the report
        self._pacer = _Pacer()
        creds = options.credentials
        self._client = TC3Client(
            f"{self.scheme}://{self.host}",
            creds.secret_id,
            creds.secret_key,
            creds.token,
            service="tcr",
            version=API_VERSION,
        )

    def call(self, action: str, region: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send ACTION to REGION; the `Response` object without `RequestId`. Raises CloudError.

        RequestLimitExceeded is retried with exponential backoff while the deadline leaves room for it."""
        if action not in ALLOWED_ACTIONS or not action.startswith(READ_ONLY_PREFIXES):
            raise PermissionError(f"{action} is not a read-only action this tool may call")
        backoff = 0.1
        while True:
            wait = self._pacer.delay(action)
            if wait:
                time.sleep(min(wait, max(0.0, self.deadline.remaining())))
            self.calls.append((action, region))
            start = time.monotonic()
            try:
                resp = self._client.call(action, region, dict(params or {}), self.deadline.timeout())
            except TC3Error as exc:
                err = _classify(exc.code, exc.message, exc.request_id, action, region)
                log.debug("%s %s -> %s (%.0f ms)", action, region, err.code or err.kind, _ms(start))
                if err.kind == "rate_limited" and self.deadline.remaining() > backoff + 0.2:
                    time.sleep(backoff)
                    backoff *= 2
                    continue
                raise err from None
            except TransportError as exc:
                log.debug("%s %s -> %s (%.0f ms)", action, region, exc.kind, _ms(start))
                raise _transport_error(exc, action, region) from None
            log.debug("%s %s -> ok %s (%.0f ms)", action, region, resp.get("RequestId", "-"), _ms(start))
            return {k: v for k, v in resp.items() if k != "RequestId"}


def _transport_error(exc: TransportError, action: str, region: str) -> CloudError:
    if exc.kind == "not_api":  # something else answers at that address
        return CloudError("unreachable", action, "NotTheTCRAPI", "the endpoint did not answer as the API", "", region)
    brief = {"timeout": "timed out", "http_status": f"HTTP error status {exc.detail}"}.get(
        exc.kind, "connection failed"
    )
    return CloudError("unreachable", action, "ClientNetworkError", brief, "", region)


def _ms(start: float) -> float:
    return (time.monotonic() - start) * 1000


def _classify(code: str, message: str, rid: str, action: str, region: str) -> CloudError:
    """The CloudError for an API error CODE (the service's error codes: the SDK's tcr/v20190924/errorcodes.py and
    the common errors of API 3.0)."""
    if code in CREDENTIAL_ERRORS:
        return CloudError("credentials", action, code, message, rid, region)
    if code.startswith(("UnauthorizedOperation", "AuthFailure.UnauthorizedOperation", "OperationDenied.CamNoAuth")):
        return CloudError("permission", action, code, message, rid, region)
    if code in RATE_LIMIT_ERRORS:
        return CloudError("rate_limited", action, code, message, rid, region)
    if code.startswith("ResourceNotFound"):
        return CloudError("not_found", action, code, message, rid, region)
    return CloudError("error", action, code, message, rid, region)


# ------------------------------------------------------------------------------------------------ shared look-ups
# Checks call these with their context: every API answer is memoised per diagnosis, so checks that run at the same
# time and need the same fact (the instance, above all) send one request between them.

STATUS_MEANINGS = {
    "Isolate": (
        {"en": "isolated, usually for an overdue bill", "zh": "已隔离（通常因欠费）"},
        {
            "en": "Pay the overdue bill or renew in the billing center; the instance resumes once paid. An isolated instance is released after the retention period.",
            "zh": "在费用中心结清欠费或续费，缴费后实例自动恢复；隔离超过保留期的实例会被释放。",
        },
    ),
    "Pending": (
        {"en": "being created", "zh": "正在创建"},
        {"en": "Wait a few minutes until it is Running.", "zh": "等待几分钟，直到状态变为运行中。"},
    ),
    "Deploying": (
        {"en": "being deployed", "zh": "正在部署"},
        {"en": "Wait a few minutes until it is Running.", "zh": "等待几分钟，直到状态变为运行中。"},
    ),
    "Unhealthy": (
        {"en": "unhealthy: the service reports a fault", "zh": "不健康：服务报告故障"},
        {
            "en": "Check the instance's events in the console and contact Tencent Cloud support with the instance ID.",
            "zh": "在控制台查看实例事件，并附上实例 ID 联系腾讯云支持。",
        },
    ),
    "Bucket-Error": (
        {"en": "its COS storage bucket is missing or not accessible", "zh": "其 COS 存储桶不存在或无法访问"},
        {
            "en": "Do not delete or restrict the tcr-xxxx-<appid> bucket in COS; restore its access (bucket policy, CAM role TCR_QCSRole) or contact support.",
            "zh": "不要删除或限制 COS 中的 tcr-xxxx-<appid> 存储桶；恢复其访问权限（存储桶策略、服务角色 TCR_QCSRole）或联系支持。",
        },
    ),
    "Deleting": (
        {"en": "being deleted", "zh": "正在删除"},
        {"en": "The instance is going away: use another instance.", "zh": "实例正在被删除：请改用其他实例。"},
    ),
}
_FAILED_MEANING = (
    {"en": "an operation on it failed", "zh": "实例操作失败"},
    {"en": "Contact Tencent Cloud support with the instance ID.", "zh": "附上实例 ID 联系腾讯云支持。"},
)
NAME_CHECK = {
    0: {"en": "free (most likely a typo)", "zh": "未被占用（多半是拼写错误）"},
    1: {"en": "not a valid instance name", "zh": "不是合法的实例名"},
    2: {"en": "reserved by the service", "zh": "被服务保留"},
    3: {"en": "taken by another account", "zh": "已被其他账号占用"},
}


def _unavailable(f: Finding) -> Unavailable:
    from .findings import Unavailable  # (lazy: see the top of the module)

    return Unavailable(f)


def account_label(ctx: Context) -> str | dict[str, str]:
    """How findings name the account: its label (CloudOptions.account) when given, else where the credentials came from
    (a tccli profile or the environment), in both languages."""
    o: CloudOptions | None = ctx.options.cloud
    if o is not None and o.account:
        return o.account
    creds = o.credentials if o is not None else None
    return {"en": "of these credentials", "zh": "当前密钥所属账号"} if creds is None else _source_label(creds)


def _source_label(creds: CloudCredentials) -> dict[str, str]:
    if creds.source.startswith("tccli:"):
        return {"en": f"(tccli profile {creds.source[6:]})", "zh": f"（tccli 配置 {creds.source[6:]}）"}
    return {"en": "(credentials from the environment)", "zh": "（环境变量中的密钥）"}


def api(ctx: Context) -> TCRAPI:
    """The client for this diagnosis; Unavailable(CLOUD_NO_CREDENTIALS) when none was configured."""
    o = options(ctx)
    return ctx.memo("cloud:api", lambda: TCRAPI(o, ctx.deadline))


def options(ctx: Context) -> CloudOptions:
    """The diagnosis' cloud options; Unavailable(CLOUD_NO_CREDENTIALS) when it has none or no credentials (an
    account check named in --only without --cloud)."""
    from .findings import finding  # (lazy: see the top of the module)

    o = ctx.options.cloud
    if o is None or o.credentials is None:
        raise _unavailable(finding("cloud_instance", "CLOUD_NO_CREDENTIALS"))
    return o


def call(ctx: Context, action: str, region: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """One memoised API answer (errors are memoised too: every check sees the same failure)."""
    client = api(ctx)
    key = f"cloud:{action}:{region}:{json.dumps(params or {}, sort_keys=True)}"
    return ctx.memo(key, lambda: client.call(action, region, params))


def prefetch(ctx: Context, requests: list[tuple[str, str, dict[str, Any]]]) -> None:
    """Send REQUESTS [(action, region, params)] at once, in the background; `call` with the same arguments then
    waits for (or finds) the memoised answer. A check whose look-ups do not depend on each other pays for one
    round trip instead of one per look-up."""

    def one(action: str, region: str, params: dict[str, Any]) -> None:
        try:
            call(ctx, action, region, params)
        except Exception:  # noqa: BLE001 - memoised: the check that reads it reports it
            pass

    if len(requests) <= PARALLEL:
        for req in requests:
            threading.Thread(target=one, args=req, daemon=True, name=f"cloud-{req[0]}").start()
        return
    queue = list(reversed(requests))  # a few workers take them in order: a burst stays under the API's rate limit

    def worker() -> None:
        while True:
            try:
                req = queue.pop()
            except IndexError:
                return
            one(*req)

    for _ in range(PARALLEL):
        threading.Thread(target=worker, daemon=True, name="cloud-prefetch").start()


def listing(
    ctx: Context, action: str, region: str, params: dict[str, Any], key: str
) -> tuple[list[dict[str, Any]], int]:
    """Every item of a paged list, as the API pages it (Offset/Limit in, TotalCount out): (items, TotalCount).

    The first page is `call(ctx, action, region, {**params, "Limit": PAGE})`; when TotalCount says there is more,
    the other pages are asked for at once, stepping by the size of the page the service gave (it may cap Limit), and
    at most MAX_PAGES pages are read in all (TotalCount tells the caller what was left out). Raises CloudError."""
    first = call(ctx, action, region, {**params, "Limit": PAGE})
    items = [x for x in first.get(key) or [] if isinstance(x, dict)]
    total = _count(first.get("TotalCount"), len(items))
    step = len(first.get(key) or [])
    if not step or total <= step:
        return items, total
    rest = [(action, region, {**params, "Limit": PAGE, "Offset": at}) for at in range(step, total, step)]
    rest = rest[: MAX_PAGES - 1]
    prefetch(ctx, rest)
    for req in rest:
        items += [x for x in call(ctx, *req).get(key) or [] if isinstance(x, dict)]
    return items, total


def _count(value: Any, floor: int) -> int:
    try:
        return max(int(value), floor)
    except (TypeError, ValueError):
        return floor


def error_finding(check: str, err: CloudError, ctx: Context) -> Finding:
    """The finding for a failed API call."""
    from .findings import finding  # (lazy: see the top of the module)

    if err.kind == "credentials":
        creds = api(ctx).options.credentials
        assert creds is not None  # a TCRAPI exists only with credentials
        meaning = {
            "AuthFailure.SecretIdNotFound": {"en": "the SecretId does not exist", "zh": "SecretId 不存在"},
            "AuthFailure.SignatureFailure": {
                "en": "the signature does not match: wrong SecretKey",
                "zh": "签名不匹配：SecretKey 错误",
            },
            "AuthFailure.SignatureExpire": {
                "en": "the request's timestamp is more than 5 minutes off the server's clock",
                "zh": "请求时间戳与服务器时间相差超过 5 分钟",
            },
            "AuthFailure.TokenFailure": {
                "en": "the session token is wrong or expired",
                "zh": "临时密钥的 Token 错误或已过期",
            },
        }.get(err.code, {"en": err.message or err.code, "zh": err.message or err.code})
        return finding(check, "CLOUD_CREDENTIALS_INVALID", error_code=err.code, source=creds.source, meaning=meaning)
    if err.kind == "permission":
        return finding(
            check,
            "CLOUD_PERMISSION_MISSING",
            action=err.refused_action,
            region=err.region,
            error_code=err.code,
            request_id=err.request_id,
        )
    if err.kind == "unreachable":
        client = api(ctx)
        return finding(
            check, "CLOUD_API_UNREACHABLE", endpoint=f"{client.scheme}://{client.host}", error=err.message or err.code
        )
    if err.kind == "rate_limited":
        attempts = sum(1 for a, _ in api(ctx).calls if a == err.action)
        return finding(
            check, "CLOUD_RATE_LIMITED", action=err.action, attempts=max(0, attempts - 1), error_code=err.code
        )
    return finding(
        check, "CLOUD_API_ERROR", action=err.action, error_code=err.code, message=err.message, request_id=err.request_id
    )


def tcr_target(ctx: Context) -> tuple[str, str]:
    """('enterprise', instance name) or ('personal', region) for the target; Unavailable(CLOUD_NOT_TCR) otherwise.
    A host that is not a TCR name may be a custom domain of an instance in the account (looked up once)."""
    return ctx.memo("cloud:target", lambda: _tcr_target(ctx))


def _tcr_target(ctx: Context) -> tuple[str, str]:
    # (lazy: see the top of the module)
    from .findings import finding

    host = ctx.target.host or ""
    ed = edition(host)
    if ed == "enterprise":
        label = enterprise_instance(host)
        if label:
            return "enterprise", label
    if ed == "personal":
        prefix = host.split(".", 1)[0]
        if prefix in PERSONAL_REGIONS and host == PERSONAL_HOSTS[PERSONAL_REGIONS[prefix]]:
            return "personal", PERSONAL_REGIONS[prefix]
    if ed is None and host and "." in host and not ctx.target.is_ip:
        found = custom_domain(ctx)
        if found is not None:
            return "enterprise", found[0]["RegistryName"]
        raise _unavailable(
            finding(
                "cloud_instance",
                "CLOUD_NOT_TCR",
                host=host,
                note=_not_custom_note(ctx),
            )
        )
    form = {
        "en": f"(not of the form <instance>{ENTERPRISE_SUFFIX} or <region>{PERSONAL_HOST})",
        "zh": f"（不是 <实例名>{ENTERPRISE_SUFFIX} 或 <地域>{PERSONAL_HOST} 的形式）",
    }
    raise _unavailable(finding("cloud_instance", "CLOUD_NOT_TCR", host=host or ctx.target.raw, note=form))


def _not_custom_note(ctx: Context) -> dict[str, str]:
    """CLOUD_NOT_TCR's note for a host no instance has as a custom domain (saying so when the search was cut short)."""
    en = f"and not a custom domain of an instance of account {_plain(account_label(ctx), 'en')}"
    zh = f"，也不是账号 {_plain(account_label(ctx), 'zh')} 中任何实例的自定义域名"
    searched, total = ctx.memo("cloud:instances_searched", lambda: (0, 0))
    if searched < total:
        en += f" (only the first {searched} of its {total} instances were searched)"
        zh += f"（只查找了全部 {total} 个实例中的前 {searched} 个）"
    return {"en": en, "zh": zh}


def _plain(label: str | dict[str, str], lang: str) -> str:
    return label if isinstance(label, str) else label[lang]


def tcr_host_kind(ctx: Context) -> str | None:
    """'enterprise' or 'personal' when the target's host is a TCR name, None otherwise (a custom domain, say)."""
    return edition(ctx.target.host or "")


def custom_domain(ctx: Context) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(Registry, CustomizedDomainInfo) when the target's host is a custom domain of an instance in this account,
    else None: DescribeInstances (all regions), then DescribeInstanceCustomizedDomain for each instance at once.
    An API failure of the instance list (or of every domain list) is the finding."""
    return ctx.memo("cloud:custom_domain", lambda: _custom_domain(ctx))


def _custom_domain(ctx: Context) -> tuple[dict[str, Any], dict[str, Any]] | None:
    host = (ctx.target.host or "").lower()
    warm_connections(ctx)
    dns = threading.Thread(target=_cname_instance, args=(ctx,), daemon=True, name="cloud-cname")
    dns.start()  # the name's resolution (memoised, shared with the dns check) while the instance list is asked
    try:
        listed, total = listing(ctx, "DescribeInstances", entry_region(ctx), {"AllRegion": True}, "Registries")
    except CloudError as err:
        raise _unavailable(error_finding("cloud_instance", err, ctx)) from None
    regs = [r for r in listed if r.get("RegistryId")]
    ctx.memo("cloud:instances_searched", lambda: (len(listed), total))
    dns.join(HINT_WAIT)  # a slow DNS answer is not waited for: then every instance is asked
    hinted = None if dns.is_alive() else _cname_instance(ctx)
    first = [r for r in regs if r.get("RegistryName") == hinted]
    failures: list[CloudError] = []
    for group in (first, [r for r in regs if r not in first]):  # the instance the CNAME names alone, then the rest
        found = _domain_in(ctx, group, host, failures)
        if found is not None:
            return found
    if failures and len(failures) == len(regs):
        raise _unavailable(error_finding("cloud_instance", failures[0], ctx))
    return None


def _cname_instance(ctx: Context) -> str | None:
    """The instance a custom domain's CNAME chain names (<name>.tencentcloudcr.com): for public access the console
    guide has the domain's CNAME record point to the instance's default domain (qcloud-documents, 容器镜像服务/操作指南/
    访问配置/访问域名配置/配置自定义域名.md, 配置公网解析). None when the name has no such CNAME (a VPC's A record) or
    did not resolve: then every instance is asked."""
    try:
        cnames = ctx.resolution().cnames
    except Exception:  # noqa: BLE001 - a hint only: the target's resolution is reported by the dns check
        return None
    for name in (c.lower().rstrip(".") for c in cnames):
        label = enterprise_instance(name)
        if label:
            return label
    return None


def _domain_in(
    ctx: Context, regs: list[dict[str, Any]], host: str, failures: list[CloudError]
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(Registry, CustomizedDomainInfo) of the first of REGS with HOST among its custom domains; their first pages
    are asked at once, longer lists page on. A failed list is added to FAILURES."""
    asks = [
        ("DescribeInstanceCustomizedDomain", str(r.get("RegionName")), {"RegistryId": r["RegistryId"], "Limit": PAGE})
        for r in regs
    ]
    prefetch(ctx, asks)
    for reg, (action, region, params) in zip(regs, asks):
        try:
            domains, _ = listing(ctx, action, region, {"RegistryId": params["RegistryId"]}, "DomainInfoList")
        except CloudError as err:
            failures.append(err)
            continue
        hit = next((d for d in domains if str(d.get("DomainName") or "").lower() == host), None)
        if hit is not None:
            return reg, hit
    return None


def entry_region(ctx: Context) -> str:
    """The region the account-wide look-ups are sent to: --region, else DEFAULT_REGION."""
    o: CloudOptions | None = ctx.options.cloud
    return (o.region if o is not None and o.region else None) or DEFAULT_REGION


def run_network_check(
    ctx: Context, name: str, body: Callable[[Context, dict[str, Any]], list[Finding]]
) -> list[Finding]:
    """The frame of an enterprise instance's network check: a personal-edition host has no network controls
    (NETWORK_ACL_NONE); otherwise `body(ctx, registry)` runs, and an API failure becomes the check's finding."""
    from .findings import finding  # (lazy: see the top of the module)

    api(ctx)
    kind, _ = tcr_target(ctx)
    if kind == "personal":
        return [finding(name, "NETWORK_ACL_NONE")]
    reg = instance(ctx)
    try:
        return body(ctx, reg)
    except CloudError as err:
        return [error_finding(name, err, ctx)]


def warm_connections(ctx: Context) -> None:
    """While the instance look-up is in flight, open the connections the selected checks' next look-ups will need
    (each account check declares API_CALLS: how many it sends at once after the instance), so that round trip does
    not also pay for connection set-ups. Once per diagnosis."""

    def warm() -> bool:
        from . import checks  # (lazy: see the top of the module)

        count = 0
        for name in checks.groups().get("cloud", ()):
            if name in ctx.checks:
                module = sys.modules.get(checks.get(name).module)
                count += int(getattr(module, "API_CALLS", 0) or 0)
        api(ctx)._client.warm(count - 1, ctx.deadline.timeout())  # the look-up's own connection is reused
        return True

    ctx.memo("cloud:warm", warm)


def instance(ctx: Context) -> dict[str, Any]:
    """The target's Registry (SDK model fields) in this account. Unavailable with the finding when it cannot be used:
    not found, not running, or the API failed."""
    return ctx.memo("cloud:instance", lambda: _find_instance(ctx))


def _find_instance(ctx: Context) -> dict[str, Any]:
    from .findings import finding  # (lazy: see the top of the module)

    kind, name = tcr_target(ctx)
    if kind != "enterprise":
        raise ValueError("instance() is for the enterprise edition")
    custom = custom_domain(ctx) if tcr_host_kind(ctx) is None else None
    if custom is not None:
        regs = [custom[0]]
    else:
        warm_connections(ctx)
        try:
            data = call(
                ctx,
                "DescribeInstances",
                entry_region(ctx),
                {"AllRegion": True, "Filters": [{"Name": "RegistryName", "Values": [name]}], "Limit": 100},
            )
        except CloudError as err:
            raise _unavailable(error_finding("cloud_instance", err, ctx)) from None
        regs = [r for r in data.get("Registries") or [] if isinstance(r, dict) and r.get("RegistryName") == name]
    acct = account_label(ctx)
    if not regs:
        o = options(ctx)
        if o.scope == "account" or not o.check_name_elsewhere:
            raise _unavailable(finding("cloud_instance", "INSTANCE_OUTSIDE_ACCOUNT", name=name, account=acct))
        try:
            chk = call(ctx, "CheckInstanceName", entry_region(ctx), {"RegistryName": name})
            code = 0 if chk.get("IsValidated") else int(chk.get("DetailCode") or 0)
            name_check = NAME_CHECK.get(code, NAME_CHECK[3])
        except CloudError as err:
            name_check = {"en": f"not checked ({err.code or err.kind})", "zh": f"未能检查（{err.code or err.kind}）"}
            code = None
        raise _unavailable(
            finding(
                "cloud_instance", "INSTANCE_NOT_FOUND", name=name, account=acct, name_check=name_check, detail_code=code
            )
        )
    reg = regs[0]
    status = str(reg.get("Status") or "")
    if status != "Running":
        meaning, action = STATUS_MEANINGS.get(status, _FAILED_MEANING)
        raise _unavailable(
            finding(
                "cloud_instance",
                "INSTANCE_NOT_RUNNING",
                name=name,
                registry_id=reg.get("RegistryId"),
                region=reg.get("RegionName"),
                status=status or "-",
                meaning=meaning,
                next_step=action,
            )
        )
    return reg


def namespaces(ctx: Context, registry_id: str, region: str) -> dict[str, Any]:
    """The instance's first page of namespaces (up to 100) and their TotalCount: one DescribeNamespaces answer shared
    by the image check (does the namespace exist) and the quota check (how many are there)."""
    return call(ctx, "DescribeNamespaces", region, {"RegistryId": registry_id, "Limit": 100})


SERVICE_NAME_CHECK = {
    1: ("instance.illegal", {"en": "the service says the name is not allowed", "zh": "服务认为该名称不合法"}),
    2: ("instance.reserved", {"en": "the name is reserved by the service", "zh": "该名称被服务保留"}),
    3: ("instance.taken", {"en": "an instance with this name already exists", "zh": "已存在同名实例"}),
}


def check_instance_name(result: dict[str, Any], options: CloudOptions, timeout: float = 10.0) -> dict[str, Any]:
    """RESULT of names.check_name("instance", ...) completed by CheckInstanceName (Illegal / Reserved / Existed).
    Raises CloudError when the API fails."""
    if not result.get("valid"):
        return result
    api_ = TCRAPI(options, net.Deadline(timeout))
    data = api_.call("CheckInstanceName", options.region or DEFAULT_REGION, {"RegistryName": result["value"]})
    out = {k: v for k, v in result.items() if k != "note"}
    out["service"] = {
        "checked": True,
        "detail_code": 0 if data.get("IsValidated") else int(data.get("DetailCode") or 0),
    }
    if not data.get("IsValidated"):
        rule, error = SERVICE_NAME_CHECK.get(out["service"]["detail_code"], SERVICE_NAME_CHECK[3])
        out.update(valid=False, rule=rule, error=error, suggestion=None)
    return out
