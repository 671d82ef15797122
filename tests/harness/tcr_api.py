"""A loopback stand-in for the TCR cloud API (tcr.tencentcloudapi.com, version 2019-09-24).

It speaks the protocol as the service documents it, so Tencent's own SDK can be pointed at it unchanged:

* TC3-HMAC-SHA256 verified the way the service does: the canonical request is rebuilt from the request as
  received (method, path, query, the signed headers' values, the SHA-256 of the body), the string to sign from
  X-TC-Timestamp and the credential scope `<date>/tcr/tc3_request`, the key derived from the account's SecretKey.
  A timestamp more than 300 s away from the server's clock -> AuthFailure.SignatureExpire; an unknown SecretId ->
  AuthFailure.SecretIdNotFound; any other mismatch (wrong key, altered body, wrong scope) ->
  AuthFailure.SignatureFailure; a temporary key without its token -> AuthFailure.TokenFailure.
* Every answer is HTTP 200 with `{"Response": {..., "RequestId": "<uuid>"}}`; errors are
  `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`.
* Regions: X-TC-Region is required (MissingParameter) and must be a TCR region (UnsupportedRegion). An instance
  lives in one region: an instance call sent to another region answers ResourceNotFound. The exact code the live
  service gives there is not documented; ResourceNotFound is the generic one of the SDK's error list
  (tencentcloud/tcr/v20190924/errorcodes.py, with ResourceNotFound.TcrResourceNotFound), and the client never relies
  on it: instance calls go to the RegionName that DescribeInstances(AllRegion) returned.
* CAM: actions a key may not call answer UnauthorizedOperation with the service's wording
  "you are not authorized to perform operation (tcr:Action)".
* Field names are those of the SDK's models (tencentcloud/tcr/v20190924/models.py); tests deserialize answers
  with those models.

    account = Account.example()
    with TCRAPIServer(account) as api:          # api.endpoint == "http://127.0.0.1:PORT"
        ...
        api.actions()                           # every action received, in order

Nothing here connects anywhere: the addresses in the account (AccessIp, whitelists) are data only.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import ipaddress
import json
import re
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from ._net import LOOPBACK
from .tls import TLSHTTPServer

SERVICE = "tcr"
VERSION = "2019-09-24"
MAX_SKEW = 300
REGIONS = {
    "ap-guangzhou",
    "ap-shanghai",
    "ap-beijing",
    "ap-chengdu",
    "ap-nanjing",
    "ap-hongkong",
    "ap-singapore",
    "ap-tokyo",
    "na-siliconvalley",
    "eu-frankfurt",
}
INSTANCE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{3,48}[a-z0-9]$")


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Key:
    secret_key: str
    uin: str = "100012345678"
    token: str | None = None  # a temporary key (STS) must send this token
    denied: set[str] = field(default_factory=set)  # actions CAM refuses for this key


@dataclass
class Instance:
    registry: dict  # the Registry model
    external_status: str = "Opened"
    external_reason: str = ""
    security_policies: list[dict] = field(default_factory=list)
    # AccessVpc models; None: the service's `"AccessVpcSet": null` for no link (api.json: 此字段可能返回 null)
    access_vpcs: list[dict] | None = field(default_factory=list)
    dns_status: dict[tuple[str, bool], str] = field(default_factory=dict)  # (VpcId, UsePublicDomain) -> status
    namespaces: list[dict] = field(default_factory=list)  # TcrNamespaceInfo
    repositories: list[dict] = field(default_factory=list)  # TcrRepositoryInfo
    images: dict[str, list[dict]] = field(default_factory=dict)  # "ns/repo" -> TcrImageInfo list
    tokens: list[dict] = field(default_factory=list)  # TcrInstanceToken
    service_accounts: list[dict] = field(default_factory=list)  # ServiceAccount
    custom_domains: list[dict] = field(default_factory=list)  # CustomizedDomainInfo

    @property
    def id(self) -> str:
        return self.registry["RegistryId"]

    @property
    def region(self) -> str:
        return self.registry["RegionName"]


@dataclass
class PersonalRegion:
    namespaces: list[dict] = field(default_factory=list)  # NamespaceInfo
    repos: dict[str, dict] = field(default_factory=dict)  # "ns/repo" -> {"repo": RepoInfo, "tags": [TagInfo]}
    # LimitInfo Type names as in tccli/examples/tcr/v20190924/DescribeUserQuotaPersonal.md: namespace, repo, tag
    limits: dict[str, int] = field(default_factory=lambda: {"namespace": 10, "repo": 500, "tag": 100})


@dataclass
class Account:
    keys: dict[str, Key] = field(default_factory=dict)  # SecretId -> Key
    instances: list[Instance] = field(default_factory=list)
    personal: dict[str, PersonalRegion] = field(default_factory=dict)  # region -> personal edition data
    taken_names: set[str] = field(default_factory=set)  # instance names of other accounts (CheckInstanceName)
    reserved_names: set[str] = field(default_factory=lambda: {"tencent", "admin", "registry", "docker"})
    rate_limit: dict[str, int] = field(default_factory=dict)  # action -> RequestLimitExceeded answers still to give
    per_second: dict[str, int] = field(default_factory=dict)  # action -> calls allowed in any one second (20 is real)
    delay: dict[str, float] = field(default_factory=dict)  # action -> seconds before answering
    page_max: int = 100  # the largest page a list action gives (a test lowers it to see the client step by pages)

    SECRET_ID = "AKIDtcrdoctorTESTKEY0000000000000000"
    SECRET_KEY = "tcrdoctorTESTsecretKEY000000000000"

    @classmethod
    def example(cls) -> Account:
        """One account with one healthy standard instance `shop-tcr` in ap-guangzhou (custom domain
        registry.shop.example)."""
        a = cls(keys={cls.SECRET_ID: Key(cls.SECRET_KEY)})
        a.instances.append(make_instance("shop-tcr", "tcr-shop0001", "ap-guangzhou"))
        a.instances[0].custom_domains.append(custom_domain("tcr-shop0001", "registry.shop.example"))
        return a

    def instance(self, name: str) -> Instance:
        return next(i for i in self.instances if i.registry["RegistryName"] == name)


def make_instance(name: str, rid: str, region: str, registry_type: str = "standard", status: str = "Running"):
    registry = {
        "RegistryId": rid,
        "RegistryName": name,
        "RegistryType": registry_type,
        "Status": status,
        "PublicDomain": f"{name}.tencentcloudcr.com",
        "CreatedAt": "2026-01-05T08:00:00+08:00",
        "RegionName": region,
        "RegionId": 1,
        "EnableAnonymous": True,
        "TokenValidTime": 1,
        "InternalEndpoint": f"{name}-vpc.tencentcloudcr.com",
        "TagSpecification": None,
        "ExpiredAt": "",
        "PayMod": 0,
        "RenewFlag": 0,
        "DeletionProtection": False,
        "AIFeature": False,
        "EnableCosMAZ": False,
        "EnableCosVersioning": False,
    }
    inst = Instance(registry=registry)
    inst.security_policies = [
        {"PolicyIndex": 1, "Description": "office", "CidrBlock": "203.0.113.0/24", "PolicyVersion": "v1"}
    ]
    inst.namespaces = [namespace("team") | {"NamespaceId": 1}]
    inst.repositories = [repository("team/app")]
    inst.images["team/app"] = [
        {
            "Digest": "sha256:" + "ab" * 32,
            "Size": 2801234,
            "ImageVersion": "1.0",
            "UpdateTime": "2026-01-06 08:00:00",
            "Kind": "image",
            "KmsSignature": "",
        }
    ]
    return inst


def namespace(name: str, public: bool = False) -> dict:
    return {
        "Name": name,
        "CreationTime": "2026-01-05 08:00:00",
        "Public": public,
        "NamespaceId": abs(hash(name)) % 10000,
        "TagSpecification": None,
        "Metadata": None,
        "CVEWhitelistItems": None,
        "AutoScan": False,
        "PreventVUL": False,
        "Severity": "",
    }


def repository(full: str) -> dict:
    return {
        "Name": full,
        "Namespace": full.split("/")[0],
        "CreationTime": "2026-01-05 08:00:00",
        "Public": False,
        "Description": "",
        "BriefDescription": "",
        "UpdateTime": "2026-01-06 08:00:00",
    }


def personal_repo(full: str, tags: list[str]) -> dict:
    return {
        "repo": {
            "RepoName": full,
            "RepoType": "private",
            "TagCount": len(tags),
            "Public": 0,
            "IsUserFavor": False,
            "IsQcloudOfficial": False,
            "FavorCount": 0,
            "PullCount": 0,
            "Description": "",
            "CreationTime": "2026-01-05 08:00:00",
            "UpdateTime": "2026-01-06 08:00:00",
        },
        "tags": [
            {
                "TagName": t,
                "TagId": n + 1,
                "ImageId": "sha256:" + f"{n:02x}" * 32,
                "Size": "2.8 MB",
                "CreationTime": "2026-01-05 08:00:00",
                "DurationDays": "1",
                "Author": "",
                "Architecture": "amd64",
                "DockerVersion": "24.0",
                "OS": "linux",
                "SizeByte": 2801234,
                "Id": n + 1,
                "UpdateTime": "2026-01-06 08:00:00",
                "PushTime": "2026-01-06 08:00:00",
                "Kind": "image",
            }
            for n, t in enumerate(tags)
        ],
    }


class APIError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(code)
        self.code, self.message = code, message


# ------------------------------------------------------------------------------------------------ TC3
def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def tc3_signature(secret_key: str, date: str, service: str, string_to_sign: str) -> str:
    k = _hmac(("TC3" + secret_key).encode("utf-8"), date)
    k = _hmac(k, service)
    k = _hmac(k, "tc3_request")
    return hmac.new(k, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


_AUTH = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<sid>[^/,\s]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[a-z]+)/tc3_request,"
    r"\s*SignedHeaders=(?P<signed>[a-z0-9;-]+),\s*Signature=(?P<sig>[0-9a-f]{64})$"
)


def verify(account: Account, method: str, path: str, query: str, headers: dict, body: bytes, now: float) -> Key:
    """Authenticate a request the way the service does. Returns the key; raises APIError."""
    auth = headers.get("authorization", "")
    m = _AUTH.match(auth)
    if not m:
        raise APIError("AuthFailure.InvalidAuthorization", "Authorization in the request header is invalid.")
    try:
        ts = int(headers.get("x-tc-timestamp", ""))
    except ValueError:
        raise APIError("MissingParameter", "The request is missing a required parameter `X-TC-Timestamp`.") from None
    if abs(now - ts) > MAX_SKEW:
        raise APIError(
            "AuthFailure.SignatureExpire",
            f"Signature expired. Timestamp: {ts}, server time: {int(now)}; the difference must be within 5 minutes.",
        )
    key = account.keys.get(m["sid"])
    if key is None:
        raise APIError(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        )
    signed = m["signed"].split(";")
    if "content-type" not in signed or "host" not in signed:
        raise APIError("AuthFailure.SignatureFailure", "SignedHeaders must include content-type and host.")
    canonical_headers = "".join(f"{h}:{headers.get(h, '').strip().lower()}\n" for h in signed)
    payload = "UNSIGNED-PAYLOAD" if headers.get("x-tc-content-sha256") == "UNSIGNED-PAYLOAD" else None
    payload_hash = hashlib.sha256(payload.encode() if payload else body).hexdigest()
    canonical = "\n".join([method, path or "/", query, canonical_headers, m["signed"], payload_hash])
    date = time.strftime("%Y-%m-%d", time.gmtime(ts))
    scope = f"{m['date']}/{m['service']}/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(ts), scope, hashlib.sha256(canonical.encode()).hexdigest()])
    expected = tc3_signature(key.secret_key, m["date"], m["service"], to_sign)
    if m["date"] != date or m["service"] != SERVICE or not hmac.compare_digest(expected, m["sig"]):
        raise APIError(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.",
        )
    if key.token is not None and headers.get("x-tc-token") != key.token:
        raise APIError("AuthFailure.TokenFailure", "Token error.")
    return key


# ------------------------------------------------------------------------------------------------ actions
def _filter_values(params: dict, name: str) -> list[str] | None:
    for f in params.get("Filters") or []:
        if isinstance(f, dict) and f.get("Name") == name:
            return [str(v) for v in f.get("Values") or []]
    return None


def _page(items: list, params: dict, default: int = 20, maximum: int = 100) -> list:
    """One page as the service pages: Offset and Limit (default 20, at most 100: DescribeInstances' Limit is
    "默认20，最大为100" in the API definition); a Limit above the maximum gives the maximum."""
    offset = int(params.get("Offset") or 0)
    limit = min(int(params.get("Limit") or default), maximum)
    return items[offset : offset + limit]


def _page_number(items: list, params: dict, default: int = 20, maximum: int = 100) -> list:
    """One page where Offset counts pages from 1 (DescribeImages, DescribeRepositories: "offset指的是具体第几页")."""
    limit = min(int(params.get("Limit") or default), maximum)
    page = max(1, int(params.get("Offset") or 1))
    return items[(page - 1) * limit : page * limit]


class Handlers:
    def __init__(self, account: Account):
        self.a = account

    def _instance(self, params: dict, region: str) -> Instance:
        rid = params.get("RegistryId")
        if not rid:
            raise APIError("MissingParameter", "The request is missing a required parameter `RegistryId`.")
        for inst in self.a.instances:
            if inst.id == rid and inst.region == region:
                return inst
        raise APIError("ResourceNotFound", f"instance {rid} not found in region {region}")

    def DescribeInstances(self, p, region):
        regs = [i for i in self.a.instances if p.get("AllRegion") or i.region == region]
        names = _filter_values(p, "RegistryName")
        if names is not None:
            regs = [i for i in regs if i.registry["RegistryName"] in names]
        ids = p.get("Registryids")
        if ids:
            regs = [i for i in regs if i.id in ids]
        page = _page(regs, p, maximum=self.a.page_max)
        return {"TotalCount": len(regs), "Registries": [copy.deepcopy(i.registry) for i in page]}

    def CheckInstanceName(self, p, region):
        name = str(p.get("RegistryName") or "")
        mine = {i.registry["RegistryName"] for i in self.a.instances}
        if not INSTANCE_NAME.match(name) or "--" in name:
            return {"IsValidated": False, "DetailCode": 1}
        if name in self.a.reserved_names:
            return {"IsValidated": False, "DetailCode": 2}
        if name in self.a.taken_names or name in mine:
            return {"IsValidated": False, "DetailCode": 3}
        return {"IsValidated": True, "DetailCode": 0}

    def DescribeExternalEndpointStatus(self, p, region):
        inst = self._instance(p, region)
        return {"Status": inst.external_status, "Reason": inst.external_reason}

    def DescribeSecurityPolicies(self, p, region):
        inst = self._instance(p, region)
        return {"SecurityPolicySet": copy.deepcopy(inst.security_policies)}

    def DescribeInternalEndpoints(self, p, region):
        inst = self._instance(p, region)
        return {"AccessVpcSet": copy.deepcopy(inst.access_vpcs), "TotalCount": len(inst.access_vpcs or [])}

    def DescribeInternalEndpointDnsStatus(self, p, region):
        out = []
        for v in p.get("VpcSet") or []:
            inst = next((i for i in self.a.instances if i.id == v.get("InstanceId")), None)
            if inst is None or inst.region != region:
                raise APIError("ResourceNotFound", f"instance {v.get('InstanceId')} not found in region {region}")
            # ENABLED / DISABLED as in tccli's DescribeInternalEndpointDnsStatus example (the model says ENABLE)
            status = inst.dns_status.get((v.get("VpcId"), bool(v.get("UsePublicDomain"))), "DISABLED")
            out.append({"Region": v.get("RegionName") or region, "VpcId": v.get("VpcId"), "Status": status})
        return {"VpcSet": out}

    def DescribeNamespaces(self, p, region):
        inst = self._instance(p, region)
        ns = inst.namespaces
        if p.get("NamespaceName"):  # the service matches by substring
            ns = [n for n in ns if str(p["NamespaceName"]) in n["Name"]]
        return {"NamespaceList": copy.deepcopy(_page(ns, p)), "TotalCount": len(ns)}

    def DescribeRepositories(self, p, region):
        inst = self._instance(p, region)
        repos = inst.repositories
        if p.get("NamespaceName"):
            repos = [r for r in repos if r["Namespace"] == p["NamespaceName"]]
        if p.get("RepositoryName"):
            repos = [r for r in repos if str(p["RepositoryName"]) in r["Name"].split("/", 1)[1]]
        return {"RepositoryList": copy.deepcopy(_page_number(repos, p)), "TotalCount": len(repos)}

    def DescribeImages(self, p, region):
        inst = self._instance(p, region)
        full = f"{p.get('NamespaceName')}/{p.get('RepositoryName')}"
        if not any(r["Name"] == full for r in inst.repositories):
            raise APIError("ResourceNotFound.ErrNoRepo", f"repository {full} does not exist")
        imgs = inst.images.get(full, [])
        if p.get("ImageVersion"):
            v = str(p["ImageVersion"])
            imgs = [i for i in imgs if (i["ImageVersion"] == v if p.get("ExactMatch") else v in i["ImageVersion"])]
        if p.get("Digest"):
            imgs = [i for i in imgs if i["Digest"] == p["Digest"]]
        return {"ImageInfoList": copy.deepcopy(_page_number(imgs, p)), "TotalCount": len(imgs)}

    def DescribeInstanceToken(self, p, region):
        inst = self._instance(p, region)
        return {"TotalCount": len(inst.tokens), "Tokens": copy.deepcopy(_page(inst.tokens, p, maximum=self.a.page_max))}

    def DescribeServiceAccounts(self, p, region):
        inst = self._instance(p, region)
        sas = inst.service_accounts
        names = _filter_values(p, "ServiceAccountName")
        if names is not None:
            sas = [s for s in sas if any(n in s["Name"] for n in names)]
        out = copy.deepcopy(_page(sas, p, maximum=self.a.page_max))  # Limit: "最大为100（超出最大值，调整到最大值）"
        if not p.get("EmbedPermission"):
            for s in out:
                s["Permissions"] = None
        return {"ServiceAccounts": out, "TotalCount": len(sas)}

    def _personal(self, region) -> PersonalRegion:
        pr = self.a.personal.get(region)
        if pr is None:
            raise APIError("UnsupportedOperation.ErrNoUserInitialized", "the personal edition is not initialised")
        return pr

    def DescribeUserQuotaPersonal(self, p, region):
        pr = self._personal(region)
        return {
            "Data": {"LimitInfo": [{"Username": "100012345678", "Type": t, "Value": v} for t, v in pr.limits.items()]}
        }

    def DescribeNamespacePersonal(self, p, region):
        pr = self._personal(region)
        ns = [n for n in pr.namespaces if str(p.get("Namespace") or "") in n["Namespace"]]
        return {"Data": {"NamespaceCount": len(ns), "NamespaceInfo": copy.deepcopy(_page(ns, p))}}

    def DescribeRepositoryOwnerPersonal(self, p, region):
        pr = self._personal(region)
        repos = [r["repo"] for k, r in pr.repos.items() if str(p.get("RepoName") or "") in k]
        host = next((h for h, r in PERSONAL_HOST_REGION.items() if r == region), "ccr.ccs.tencentyun.com")
        return {"Data": {"TotalCount": len(repos), "RepoInfo": copy.deepcopy(_page(repos, p)), "Server": host}}

    def DescribeImagePersonal(self, p, region):
        pr = self._personal(region)
        name = str(p.get("RepoName") or "")
        if name not in pr.repos:
            raise APIError("ResourceNotFound.ErrNoRepo", f"repository {name} does not exist")
        tags = pr.repos[name]["tags"]
        if p.get("Tag"):
            tags = [t for t in tags if t["TagName"] == p["Tag"]]
        host = next((h for h, r in PERSONAL_HOST_REGION.items() if r == region), "ccr.ccs.tencentyun.com")
        return {
            "Data": {"TagCount": len(tags), "TagInfo": copy.deepcopy(_page(tags, p)), "Server": host, "RepoName": name}
        }

    def DescribeInstanceCustomizedDomain(self, p, region):
        inst = self._instance(p, region)
        page = _page(inst.custom_domains, p, maximum=self.a.page_max)
        return {"DomainInfoList": copy.deepcopy(page), "TotalCount": len(inst.custom_domains)}

    # a few write actions exist so a test can prove the client never sends them
    def CreateInstanceToken(self, p, region):
        raise AssertionError("a write action reached the server")


ACTIONS_WITH_DELAY = (
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
    "DescribeInstanceCustomizedDomain",
)
PERSONAL_HOST_REGION = {"ccr.ccs.tencentyun.com": "ap-guangzhou", "hkccr.ccs.tencentyun.com": "ap-hongkong"}
INSTANCE_ACTIONS = {
    "DescribeExternalEndpointStatus",
    "DescribeSecurityPolicies",
    "DescribeInternalEndpoints",
    "DescribeNamespaces",
    "DescribeRepositories",
    "DescribeImages",
    "DescribeInstanceToken",
    "DescribeServiceAccounts",
    "DescribeInstanceCustomizedDomain",
}


def custom_domain(rid: str, domain: str, status: str = "SUCCESS") -> dict:
    """A CustomizedDomainInfo (SDK model; Status is SUCCESS, FAILURE, CREATING or DELETING)."""
    return {"RegistryId": rid, "CertId": "cert-0001", "DomainName": domain, "Status": status}


@dataclass
class Received:
    action: str
    region: str | None
    params: dict
    secret_id: str | None
    error: str | None = None


class TCRAPIServer:
    def __init__(self, account: Account | None = None, clock_offset: float = 0.0, tls: ssl.SSLContext | None = None):
        self.account = account or Account.example()
        self.clock_offset = clock_offset  # seconds added to the server's clock (SignatureExpire scenarios)
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._rate_times: dict[str, list[float]] = {}  # action -> when it was answered in the last second
        self.handlers = Handlers(self.account)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # keep-alive clients: no 40 ms delayed-ACK stall between writes

            def log_message(self, format, *args):  # stdlib signature
                pass

            def do_POST(self):  # stdlib name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(length, 1 << 20))
                server._answer(self, "POST", body)

            def do_GET(self):
                server._answer(self, "GET", b"")

        # TLS (a server context, e.g. tls_material.valid.server_context()): the API's own scheme, https
        self.httpd = TLSHTTPServer((LOOPBACK, 0), Handler, tls) if tls else ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.endpoint = f"{'https' if tls else 'http'}://{LOOPBACK}:{self.port}"
        self._thread: threading.Thread | None = None

    def start(self) -> TCRAPIServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True, name="tcr-api")
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> TCRAPIServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _over_rate(self, action: str) -> bool:
        """Whether ACTION is over its `per_second` limit (a sliding second, as the service counts); under the lock."""
        limit = self.account.per_second.get(action)
        if not limit:
            return False
        now = time.monotonic()
        times = [t for t in self._rate_times.get(action, []) if now - t < 1.0]
        over = len(times) >= limit
        self._rate_times[action] = times if over else [*times, now]
        return over

    def actions(self) -> list[str]:
        with self._lock:
            return [r.action for r in self.received]

    def _answer(self, h: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        """One API call, checked in the service's order: signature, version, body, action, region, permission, rate;
        then the action's answer (or the error) in the {"Response": ...} envelope."""
        rid = str(uuid.uuid4())
        headers = {k.lower(): v for k, v in h.headers.items()}
        u = urlsplit(h.path)
        action = headers.get("x-tc-action", "")
        region = headers.get("x-tc-region")
        rec = Received(action=action, region=region, params={}, secret_id=None)
        try:
            key = verify(self.account, method, u.path, u.query, headers, body, time.time() + self.clock_offset)
            rec.secret_id = _AUTH.match(headers["authorization"])["sid"]  # type: ignore[index]
            if headers.get("x-tc-version") != VERSION:
                raise APIError("NoSuchVersion", "The API version does not exist.")
            rec.params = params = _json_params(method, body)
            handler = self._handler(action, region)
            if action in key.denied:
                raise APIError(
                    "UnauthorizedOperation",
                    f"[request id:{rid}]you are not authorized to perform operation (tcr:{action})\n"
                    f"resource (qcs::tcr:{region}:uin/{key.uin}:instance/*) has no permission\n",
                )
            self._throttle(action)
            payload = handler(params, region)
        except APIError as exc:
            rec.error = exc.code
            payload = {"Error": {"Code": exc.code, "Message": exc.message}}
        with self._lock:
            self.received.append(rec)
        data = json.dumps({"Response": {**payload, "RequestId": rid}}).encode()
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _handler(self, action: str, region: str | None):
        """The stand-in's answer to ACTION, once the action exists and the region is given and served."""
        handler = getattr(self.handlers, action, None) if re.fullmatch(r"[A-Z][A-Za-z]+", action) else None
        if handler is None:
            raise APIError("InvalidAction", f"The action `{action}` does not exist.")
        if not region:
            raise APIError("MissingParameter", "The request is missing a required parameter `Region`.")
        if region not in REGIONS:
            raise APIError("UnsupportedRegion", f"The action does not support the region `{region}`.")
        return handler

    def _throttle(self, action: str) -> None:
        """RequestLimitExceeded when ACTION has used up its scripted failures or is over its rate; then its delay."""
        with self._lock:
            left = self.account.rate_limit.get(action, 0)
            if left:
                self.account.rate_limit[action] = left - 1
            if self._over_rate(action):
                left = 1
        if left:
            raise APIError("RequestLimitExceeded", "The number of requests exceeds the frequency limit.")
        if self.account.delay.get(action):
            time.sleep(self.account.delay[action])


def _json_params(method: str, body: bytes) -> dict:
    """A POST's JSON object (a GET has none)."""
    try:
        params = json.loads(body or b"{}") if method == "POST" else {}
    except ValueError:
        raise APIError("InvalidParameter", "the request body is not JSON") from None
    if not isinstance(params, dict):
        raise APIError("InvalidParameter", "the request body is not a JSON object")
    return params


def cidr_contains(cidr: str, ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
