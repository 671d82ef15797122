"""The TCR API stand-in against Tencent's own SDK, the read-only allow-list, and credential loading.

Tencent's SDK (tencentcloud-sdk-python-tcr, a test extra) is the oracle: it signs and sends, and
tests/harness/tcr_api.py verifies and answers as the service documents. The product's own client
(diagnostics/cloud_tc3.py) must produce the SDK's signature for the same request and pass the same verification.
If any side drifts from TC3-HMAC-SHA256 or the envelope, these fail.
"""

from __future__ import annotations

import ast
import json
import pathlib
import re
import warnings

import pytest
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.tcr.v20190924 import models, tcr_client

from diagnostics import cloud, cloud_tc3, net
from diagnostics.cloud import ALLOWED_ACTIONS, TCRAPI, CloudCredentials, CloudError, CloudOptions, load_credentials
from tests.harness.tcr_api import Account, Key, TCRAPIServer, make_instance

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture
def api():
    with TCRAPIServer(Account.example()) as server:
        yield server


def sdk(server, sid=Account.SECRET_ID, key=Account.SECRET_KEY, token=None, region="ap-guangzhou"):
    host = server.endpoint.split("://")[1]
    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=host, reqTimeout=5))
    return tcr_client.TcrClient(credential.Credential(sid, key, token), region, profile)


def sdk_error(fn) -> TencentCloudSDKException:
    with pytest.raises(TencentCloudSDKException) as exc:
        fn()
    return exc.value


# ------------------------------------------------------------------------------------------------ protocol
def test_typed_sdk_call_deserializes_every_field(api):
    req = models.DescribeInstancesRequest()
    req.from_json_string(json.dumps({"AllRegion": True, "Filters": [{"Name": "RegistryName", "Values": ["shop-tcr"]}]}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the SDK warns about fields its models do not know
        resp = sdk(api).DescribeInstances(req)
    assert resp.TotalCount == 1
    reg = resp.Registries[0]
    assert (reg.RegistryId, reg.RegistryName, reg.Status, reg.RegionName) == (
        "tcr-shop0001",
        "shop-tcr",
        "Running",
        "ap-guangzhou",
    )
    assert re.fullmatch(r"[0-9a-f-]{36}", resp.RequestId)


@pytest.mark.parametrize(
    "action,params,model",
    [
        ("DescribeSecurityPolicies", {"RegistryId": "tcr-shop0001"}, "DescribeSecurityPoliciesResponse"),
        ("DescribeExternalEndpointStatus", {"RegistryId": "tcr-shop0001"}, "DescribeExternalEndpointStatusResponse"),
        ("DescribeNamespaces", {"RegistryId": "tcr-shop0001"}, "DescribeNamespacesResponse"),
        ("DescribeRepositories", {"RegistryId": "tcr-shop0001"}, "DescribeRepositoriesResponse"),
        (
            "DescribeImages",
            {"RegistryId": "tcr-shop0001", "NamespaceName": "team", "RepositoryName": "app"},
            "DescribeImagesResponse",
        ),
        ("CheckInstanceName", {"RegistryName": "shop-tcr"}, "CheckInstanceNameResponse"),
        (
            "DescribeInstanceCustomizedDomain",
            {"RegistryId": "tcr-shop0001"},
            "DescribeInstanceCustomizedDomainResponse",
        ),
    ],
)
def test_answers_use_the_sdk_models_field_names(api, action, params, model):
    raw = sdk(api).call_json(action, params)
    body = raw["Response"]
    assert "RequestId" in body and "Error" not in body
    m = getattr(models, model)()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m._deserialize(body)  # unknown fields would warn
    assert set(body) <= {k.lstrip("_") for k in vars(m)}


def test_wrong_secret_key_is_signature_failure(api):
    e = sdk_error(lambda: sdk(api, key="not-the-key").call_json("DescribeInstances", {}))
    assert e.code == "AuthFailure.SignatureFailure" and e.requestId


def test_unknown_secret_id(api):
    e = sdk_error(lambda: sdk(api, sid="AKIDnobodyHasThisKey000000000000").call_json("DescribeInstances", {}))
    assert e.code == "AuthFailure.SecretIdNotFound"


def test_stale_timestamp_is_signature_expire(api):
    api.clock_offset = 301  # the server's clock is 5 min 1 s ahead of the request's timestamp
    e = sdk_error(lambda: sdk(api).call_json("DescribeInstances", {}))
    assert e.code == "AuthFailure.SignatureExpire"
    api.clock_offset = 250  # within 5 minutes: accepted
    assert sdk(api).call_json("DescribeInstances", {})["Response"]["TotalCount"] == 1


def test_temporary_key_needs_its_token(api):
    api.account.keys["AKIDtemporary00000000000000000000"] = Key("temp-secret", token="session-token-1")
    e = sdk_error(
        lambda: sdk(api, sid="AKIDtemporary00000000000000000000", key="temp-secret").call_json("DescribeInstances", {})
    )
    assert e.code == "AuthFailure.TokenFailure"
    ok = sdk(api, sid="AKIDtemporary00000000000000000000", key="temp-secret", token="session-token-1")
    assert ok.call_json("DescribeInstances", {})["Response"]["TotalCount"] == 1


def test_instance_calls_to_the_wrong_region_fail(api):
    e = sdk_error(
        lambda: sdk(api, region="ap-shanghai").call_json("DescribeSecurityPolicies", {"RegistryId": "tcr-shop0001"})
    )
    assert e.code == "ResourceNotFound"
    # DescribeInstances without AllRegion sees only the region it is sent to; with AllRegion, every region
    assert sdk(api, region="ap-shanghai").call_json("DescribeInstances", {})["Response"]["TotalCount"] == 0
    assert (
        sdk(api, region="ap-shanghai").call_json("DescribeInstances", {"AllRegion": True})["Response"]["TotalCount"]
        == 1
    )


def test_unsupported_region_and_unknown_action(api):
    assert (
        sdk_error(lambda: sdk(api, region="xx-nowhere").call_json("DescribeInstances", {})).code == "UnsupportedRegion"
    )
    assert sdk_error(lambda: sdk(api).call_json("DescribeNothing", {})).code == "InvalidAction"


def test_cam_refusal_names_the_action(api):
    api.account.keys[Account.SECRET_ID].denied.add("DescribeInstances")
    e = sdk_error(lambda: sdk(api).call_json("DescribeInstances", {}))
    assert e.code == "UnauthorizedOperation"
    assert "you are not authorized to perform operation (tcr:DescribeInstances)" in e.message


# ------------------------------------------------------------------------------------------------ our client
def client(server, **kw) -> TCRAPI:
    creds = kw.pop("credentials", CloudCredentials(Account.SECRET_ID, Account.SECRET_KEY))
    return TCRAPI(CloudOptions(credentials=creds, endpoint=server.endpoint, **kw), net.Deadline(kw.get("timeout", 5)))


def test_client_maps_errors(api):
    with pytest.raises(CloudError) as e:
        client(api, credentials=CloudCredentials(Account.SECRET_ID, "wrong")).call("DescribeInstances", "ap-guangzhou")
    assert e.value.kind == "credentials" and e.value.code == "AuthFailure.SignatureFailure"
    api.account.keys[Account.SECRET_ID].denied.add("DescribeSecurityPolicies")
    with pytest.raises(CloudError) as e:
        client(api).call("DescribeSecurityPolicies", "ap-guangzhou", {"RegistryId": "tcr-shop0001"})
    assert e.value.kind == "permission" and e.value.refused_action == "tcr:DescribeSecurityPolicies"


def test_rate_limit_is_retried_with_backoff(api):
    api.account.rate_limit["DescribeInstances"] = 3
    out = client(api).call("DescribeInstances", "ap-guangzhou", {"AllRegion": True})
    assert out["TotalCount"] == 1
    assert api.actions().count("DescribeInstances") == 4


def test_rate_limit_gives_up_within_the_deadline(api):
    api.account.rate_limit["DescribeInstances"] = 10_000
    c = TCRAPI(
        CloudOptions(credentials=CloudCredentials(Account.SECRET_ID, Account.SECRET_KEY), endpoint=api.endpoint),
        net.Deadline(1.0),
    )
    with pytest.raises(CloudError) as e:
        c.call("DescribeInstances", "ap-guangzhou")
    assert e.value.kind == "rate_limited"
    assert c.deadline.elapsed() < 1.5  # wide bound: backoff stops before the deadline


def test_unreachable_endpoint():
    from tests.harness._net import free_port

    c = TCRAPI(
        CloudOptions(credentials=CloudCredentials("AKIDx", "y"), endpoint=f"http://127.0.0.1:{free_port()}"),
        net.Deadline(3),
    )
    with pytest.raises(CloudError) as e:
        c.call("DescribeInstances", "ap-guangzhou")
    assert e.value.kind == "unreachable"


# ------------------------------------------------------------------------------------------------ read-only
WRITE = re.compile(r"^(Create|Modify|Delete|Manage|Update|Renew|Batch|Duplicate|Start|Stop)[A-Z]")


def _action_literals() -> set[str]:
    """Every string in diagnostics/ and bot/ that names a TCR action (a CamelCase verb + noun)."""
    names = set()
    for base in ("diagnostics", "bot"):
        for path in (ROOT / base).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    value = node.value  # a read verb, or any write verb WRITE names (UpdateX, RenewX, StartX ...)
                    if re.fullmatch(r"(Describe|Check)[A-Z][A-Za-z]+", value) or (
                        WRITE.match(value) and re.fullmatch(r"[A-Za-z]+", value)
                    ):
                        names.add(value)
    return names


def test_allow_list_is_read_only():
    assert ALLOWED_ACTIONS
    assert all(a.startswith(("Describe", "Check")) for a in ALLOWED_ACTIONS)
    assert "CreateInstanceToken" not in ALLOWED_ACTIONS


def test_every_action_the_code_names_is_allowed():
    named = _action_literals()
    assert {"DescribeInstances", "CheckInstanceName", "DescribeSecurityPolicies"} <= named
    assert named <= ALLOWED_ACTIONS, sorted(named - ALLOWED_ACTIONS)


def test_calls_go_only_through_the_guarded_client():
    """Nothing in diagnostics/ or bot/ sends an API request except TCRAPI.call, after the allow-list check."""
    for base in ("diagnostics", "bot"):
        for path in (ROOT / base).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"^\s*(from|import) tencentcloud\b", text, re.M), path  # the SDK is a test oracle
            if path.name == "cloud.py" and path.parent.name == "diagnostics":
                assert text.count("self._client.call(") == 1  # inside TCRAPI.call, after the allow-list check
                assert text.count("TC3Client(") == 1  # the one client, made in TCRAPI
                continue
            if path.name == "cloud_tc3.py":
                continue
            assert "TC3Client" not in text and "cloud_tc3" not in text, path


# ------------------------------------------------------------------------------------------------ own client
def test_own_signature_is_the_sdks():
    """The product's TC3 signature equals the one Tencent's SDK computes for the same canonical request."""
    import hashlib

    from tencentcloud.common.sign import Sign

    body = json.dumps({"RegistryId": "tcr-shop0001", "Limit": 100}).encode()
    ts = 1_767_225_600
    scope, sig = cloud_tc3.signature(
        Account.SECRET_KEY, "tcr", "tcr.tencentcloudapi.com", "DescribeNamespaces", body, ts
    )
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{cloud_tc3.CONTENT_TYPE}\nhost:tcr.tencentcloudapi.com\nx-tc-action:describenamespaces\n",
            cloud_tc3.SIGNED_HEADERS,
            hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = f"TC3-HMAC-SHA256\n{ts}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    assert scope == "2026-01-01/tcr/tc3_request"
    assert sig == Sign.sign_tc3(Account.SECRET_KEY, "2026-01-01", "tcr", to_sign)


def test_own_client_passes_the_services_verification(api):
    c = cloud_tc3.TC3Client(api.endpoint, Account.SECRET_ID, Account.SECRET_KEY, service="tcr", version="2019-09-24")
    assert c.call("DescribeInstances", "ap-guangzhou", {"AllRegion": True}, 5)["TotalCount"] == 1
    bad = cloud_tc3.TC3Client(api.endpoint, Account.SECRET_ID, "wrong", service="tcr", version="2019-09-24")
    with pytest.raises(cloud_tc3.TC3Error) as e:
        bad.call("DescribeInstances", "ap-guangzhou", {}, 5)
    assert e.value.code == "AuthFailure.SignatureFailure" and e.value.request_id
    assert Account.SECRET_KEY not in repr(c) and Account.SECRET_ID not in repr(c)


def test_own_client_keeps_one_connection_alive(api):
    """Sequential calls reuse one kept-alive connection; a connection the server closed is replaced."""
    c = cloud_tc3.TC3Client(api.endpoint, Account.SECRET_ID, Account.SECRET_KEY, service="tcr", version="2019-09-24")
    for _ in range(3):
        c.call("DescribeInstances", "ap-guangzhou", {}, 5)
    assert len(c._idle) == 1
    c._idle[0].sock.close()  # as if the server had dropped it
    assert c.call("DescribeInstances", "ap-guangzhou", {}, 5)["TotalCount"] == 1


def test_warmed_connections_serve_calls_sent_together(api):
    """warm(n) opens n connections in the background; calls sent together then use them instead of connecting."""
    import threading
    import time

    c = cloud_tc3.TC3Client(api.endpoint, Account.SECRET_ID, Account.SECRET_KEY, service="tcr", version="2019-09-24")
    opened = []
    real_connect = c._connect
    c._connect = lambda timeout: opened.append(1) or real_connect(timeout)
    c.warm(3, 5)
    end = time.monotonic() + 5
    while len(c._idle) < 3 and time.monotonic() < end:
        time.sleep(0.01)
    assert len(c._idle) == 3 and len(opened) == 3
    c.warm(3, 5)  # already warm: nothing more opened
    time.sleep(0.05)
    assert len(opened) == 3
    threads = [threading.Thread(target=c.call, args=("DescribeInstances", "ap-guangzhou", {}, 5)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(opened) == 3 and api.actions().count("DescribeInstances") == 3


def test_a_diagnosis_warms_what_its_checks_will_send(api):
    """The instance look-up opens, meanwhile, the connections the selected checks declare (API_CALLS)."""
    from diagnostics import DiagnoseOptions, diagnose

    seen = []
    real = cloud_tc3.TC3Client.warm
    cloud_tc3.TC3Client.warm = lambda self, n, t: seen.append(n) or real(self, n, t)
    try:
        creds = CloudCredentials(Account.SECRET_ID, Account.SECRET_KEY)
        for only, expected in (("cloud", 7), ("cloud_image", 1), ("cloud_network,cloud_vpc", 2)):
            seen.clear()
            opts = DiagnoseOptions(only=only, env={}, cloud=CloudOptions(credentials=creds, endpoint=api.endpoint))
            diagnose("shop-tcr.tencentcloudcr.com/team/app:1.0", opts)
            assert seen == [expected], (only, seen)
    finally:
        cloud_tc3.TC3Client.warm = real


def test_own_client_goes_through_the_environment_proxy(api):
    """HTTP_PROXY is honoured (read once per client) unless NO_PROXY names the host, as requests does for the SDK."""
    from tests.harness.connect_proxy import ForwardProxy

    with ForwardProxy() as proxy:
        env = {"HTTP_PROXY": f"http://127.0.0.1:{proxy.port}"}
        c = cloud_tc3.TC3Client(
            api.endpoint, Account.SECRET_ID, Account.SECRET_KEY, service="tcr", version="2019-09-24", env=env
        )
        assert c.call("DescribeInstances", "ap-guangzhou", {}, 5)["TotalCount"] == 1
        assert proxy.requests, "the call did not go through the proxy"
        seen = len(proxy.requests)
        direct = cloud_tc3.TC3Client(
            api.endpoint,
            Account.SECRET_ID,
            Account.SECRET_KEY,
            service="tcr",
            version="2019-09-24",
            env={**env, "NO_PROXY": "127.0.0.1"},
        )
        assert direct.call("DescribeInstances", "ap-guangzhou", {}, 5)["TotalCount"] == 1
        assert len(proxy.requests) == seen
    with ForwardProxy(auth=("ops", "p@ss")) as proxy:
        env = {"http_proxy": f"http://ops:p%40ss@127.0.0.1:{proxy.port}"}
        c = cloud_tc3.TC3Client(
            api.endpoint, Account.SECRET_ID, Account.SECRET_KEY, service="tcr", version="2019-09-24", env=env
        )
        assert c.call("DescribeInstances", "ap-guangzhou", {}, 5)["TotalCount"] == 1
        assert proxy.requests and all(ok for _, _, ok in proxy.requests)  # user:password sent as Proxy-Authorization
        assert "p@ss" not in repr(c)


def test_https_endpoint_through_an_authenticating_proxy(tls_material, monkeypatch):
    """The API's own scheme, https, through an HTTPS_PROXY that wants a password: a CONNECT tunnel carrying
    Proxy-Authorization, TLS to the API inside it (verified against the test CA), and the connection kept alive for
    the next call. Before, only plain http went through a proxy in the tests."""
    from tests.harness.connect_proxy import ForwardProxy

    monkeypatch.setattr(cloud_tc3, "_TLS", [tls_material.client_context()])  # trust the test CA, not the system's
    with TCRAPIServer(tls=tls_material.valid.server_context()) as api, ForwardProxy(auth=("ops", "p@ss")) as proxy:
        assert api.endpoint.startswith("https://")
        env = {"HTTPS_PROXY": f"http://ops:p%40ss@127.0.0.1:{proxy.port}"}
        c = cloud_tc3.TC3Client(
            api.endpoint, Account.SECRET_ID, Account.SECRET_KEY, service="tcr", version="2019-09-24", env=env
        )
        assert c.call("DescribeInstances", "ap-guangzhou", {}, 5)["TotalCount"] == 1
        assert c.call("DescribeInstances", "ap-guangzhou", {"AllRegion": True}, 5)["TotalCount"] == 1
        assert proxy.requests == [("CONNECT", f"127.0.0.1:{api.port}", True)]  # one tunnel, authorised, reused
        assert api.actions() == ["DescribeInstances", "DescribeInstances"]
        wrong = {"HTTPS_PROXY": f"http://ops:wrong@127.0.0.1:{proxy.port}"}
        c = cloud_tc3.TC3Client(
            api.endpoint, Account.SECRET_ID, Account.SECRET_KEY, service="tcr", version="2019-09-24", env=wrong
        )
        with pytest.raises(cloud_tc3.TransportError) as refused:  # 407 from the proxy: a transport failure
            c.call("DescribeInstances", "ap-guangzhou", {}, 5)
        assert refused.value.kind == "connection" and "p@ss" not in repr(c)


def test_write_action_is_refused_before_sending(api):
    c = client(api)
    for action in ("CreateInstanceToken", "DeleteImage", "ModifySecurityPolicy", "DescribeInstances2"):
        with pytest.raises(PermissionError):
            c.call(action, "ap-guangzhou")
    assert api.actions() == []


# ------------------------------------------------------------------------------------------------ credentials
def test_credentials_from_env_and_tccli(tmp_path):
    env = {
        "TENCENTCLOUD_SECRET_ID": "AKIDenv",
        "TENCENTCLOUD_SECRET_KEY": "keyenv",
        "TENCENTCLOUD_SESSION_TOKEN": "tok",
    }
    c = load_credentials(env=env, home=str(tmp_path))
    assert (c.secret_id, c.secret_key, c.token, c.source) == ("AKIDenv", "keyenv", "tok", "env")
    for s in ("AKIDenv", "keyenv", "tok"):
        assert s not in repr(c) and s not in str(c)
    assert load_credentials(env={}, home=str(tmp_path)) is None
    (tmp_path / ".tccli").mkdir()
    (tmp_path / ".tccli" / "default.credential").write_text(json.dumps({"secretId": "AKIDfile", "secretKey": "kf"}))
    (tmp_path / ".tccli" / "ops.credential").write_text(json.dumps({"secretId": "AKIDops", "secretKey": "ko"}))
    assert load_credentials(env={}, home=str(tmp_path)).secret_id == "AKIDfile"
    assert load_credentials(env=env, profile="ops", home=str(tmp_path)).source == "tccli:ops"
    assert cloud.credentials_available(env={}, home=str(tmp_path))
    with pytest.raises(ValueError):
        load_credentials(env={}, profile="missing", home=str(tmp_path))
    with pytest.raises(ValueError):
        load_credentials(env={}, profile="../etc", home=str(tmp_path))


def test_instance_in_another_region_is_found_from_any_region():
    account = Account.example()
    account.instances.append(make_instance("hk-tcr", "tcr-hk000001", "ap-hongkong", "premium"))
    with TCRAPIServer(account) as server:
        c = client(server)
        out = c.call(
            "DescribeInstances",
            "ap-guangzhou",
            {"AllRegion": True, "Filters": [{"Name": "RegistryName", "Values": ["hk-tcr"]}]},
        )
        assert out["Registries"][0]["RegionName"] == "ap-hongkong"
