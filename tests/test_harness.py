"""The harness parts really work: real registry + token server, TLS, DNS, misbehaving servers."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
import requests

from tests.harness.client import RegistryClient, parse_challenge
from tests.harness.seed import ACCEPT_ALL, DOCKER_MANIFEST, MANY_TAG_COUNT, NEAR_TAG_COUNT, OCI_INDEX, OCI_MANIFEST
from tests.harness.token_server import SERVICE, TokenServer, libtrust_key_id


def _get(url, **kw):
    kw.setdefault("timeout", 5)
    with requests.Session() as s:
        s.trust_env = False
        return s.get(url, **kw)


def _token(ts, user=None, scope="repository:team/app:pull,push"):
    return _get(ts.realm, params={"service": ts.service, "scope": scope}, auth=user)


# ---- token server ------------------------------------------------------------------------------------------


def test_libtrust_key_id_format(token_server):
    kid = libtrust_key_id(token_server.private_key.public_key())
    assert kid == token_server.key_id
    groups = kid.split(":")
    assert len(groups) == 12 and all(len(g) == 4 for g in groups)


def test_token_grant_is_requested_intersect_allowed(token_server, creds):
    r = _token(token_server, creds.push)
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"token", "access_token", "expires_in", "issued_at"}
    claims = jwt.decode(
        body["token"],
        token_server.certificate.public_key(),
        algorithms=["RS256"],
        audience=SERVICE,
        issuer=token_server.issuer,
    )
    assert claims["access"] == [{"type": "repository", "name": "team/app", "actions": ["pull", "push"]}]

    r = _token(token_server, creds.pull_only)
    claims = jwt.decode(r.json()["token"], options={"verify_signature": False})
    assert claims["access"][0]["actions"] == ["pull"]  # valid, but no push right

    r = _token(token_server, creds.no_access)
    assert jwt.decode(r.json()["token"], options={"verify_signature": False})["access"][0]["actions"] == []


def test_token_rejections(token_server, creds):
    assert _token(token_server, creds.wrong_password).status_code == 401
    assert _token(token_server, creds.unknown_user).status_code == 401
    r = _token(token_server, creds.jwt_expired)
    assert r.status_code == 401 and "expired" in r.text
    pw_claims = jwt.decode(creds.jwt_expired[1], options={"verify_signature": False})
    assert pw_claims["exp"] < time.time()
    assert _token(token_server, creds.jwt_valid).status_code == 200
    # the log never holds passwords
    assert creds.wrong_password[1] not in json.dumps(token_server.requests_log)


def test_anonymous_pull_public_only(token_server):
    r = _token(token_server, None, "repository:public/base:pull,push")
    claims = jwt.decode(r.json()["token"], options={"verify_signature": False})
    assert claims["sub"] == "" and claims["access"][0]["actions"] == ["pull"]
    r = _token(token_server, None, "repository:team/app:pull")
    assert jwt.decode(r.json()["token"], options={"verify_signature": False})["access"][0]["actions"] == []


def test_oauth2_post_password_grant(token_server, creds):
    with requests.Session() as s:
        s.trust_env = False
        r = s.post(
            token_server.realm,
            data={
                "grant_type": "password",
                "service": SERVICE,
                "client_id": "t",
                "username": creds.pull_only[0],
                "password": creds.pull_only[1],
                "scope": "repository:team/app:pull,push",
            },
            timeout=5,
        )
    assert r.status_code == 200
    assert jwt.decode(r.json()["access_token"], options={"verify_signature": False})["access"][0]["actions"] == ["pull"]


# ---- the real registry with token auth ---------------------------------------------------------------------


@pytest.mark.registry
def test_login_flow_against_real_registry(registry, creds):
    r = _get(registry.url + "/v2/")
    assert r.status_code == 401
    assert r.headers["Docker-Distribution-Api-Version"] == "registry/2.0"
    scheme, params = parse_challenge(r.headers["WWW-Authenticate"])
    assert scheme == "bearer" and params["realm"] == registry.token_server.realm
    assert params["service"] == registry.token_server.service
    t = _get(params["realm"], params={"service": params["service"]}, auth=creds.push).json()["token"]
    assert _get(registry.url + "/v2/", headers={"Authorization": f"Bearer {t}"}).status_code == 200


@pytest.mark.registry
def test_registry_accepts_x5c_tokens_too(registry, token_server, creds):
    alt = TokenServer(key_header="x5c")
    alt.private_key, alt.certificate, alt._x5c = token_server.private_key, token_server.certificate, token_server._x5c
    tok = alt.token_for(*creds.pull_only, ["repository:team/app:pull"])["token"]
    assert "x5c" in jwt.get_unverified_header(tok)
    r = _get(f"{registry.url}/v2/team/app/tags/list", headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 200


@pytest.mark.registry
def test_registry_rejects_untrusted_and_expired_tokens(registry, creds):
    other = TokenServer()  # a different key, not in the registry's root bundle
    tok = other.token_for(*creds.push, ["repository:team/app:pull"])["token"]
    r = _get(f"{registry.url}/v2/team/app/tags/list", headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 401
    stale = registry.token_server.token_for(*creds.stale_token, ["repository:team/app:pull"])["token"]
    r = _get(f"{registry.url}/v2/team/app/tags/list", headers={"Authorization": f"Bearer {stale}"})
    assert r.status_code == 401 and "invalid_token" in r.headers.get("WWW-Authenticate", "")


@pytest.mark.registry
def test_pull_only_user_cannot_push(registry, creds):
    c = RegistryClient(registry.url, *creds.pull_only)
    r = c.post("/v2/team/app/blobs/uploads/", scope="repository:team/app:pull,push")
    assert r.status_code == 401
    assert 'error="insufficient_scope"' in r.headers["WWW-Authenticate"]
    assert c.last_token_response is not None
    c = RegistryClient(registry.url, *creds.push)
    r = c.post("/v2/team/app/blobs/uploads/", scope="repository:team/app:pull,push")
    assert r.status_code == 202


@pytest.mark.registry
def test_seeded_tags_and_shared_digest(registry, seed, creds):
    c = RegistryClient(registry.url, *creds.pull_only)
    scope = "repository:team/app:pull"
    tags = c.get("/v2/team/app/tags/list", scope=scope).json()["tags"]
    assert sorted(tags) == seed.tags("team/app") == ["1.0", "1.1", "latest", "v1.2.0"]
    digests = {}
    for tag in tags:
        r = c.head(f"/v2/team/app/manifests/{tag}", scope=scope, headers={"Accept": ACCEPT_ALL})
        assert r.status_code == 200
        digests[tag] = r.headers["Docker-Content-Digest"]
        assert digests[tag] == seed.digest("team/app", tag)
    assert digests["latest"] == digests["1.1"] != digests["1.0"]
    assert seed.tags_sharing("team/app", "latest") == ["1.1", "latest"]
    assert c.head("/v2/team/app/manifests/V1.2.0", scope=scope, headers={"Accept": ACCEPT_ALL}).status_code == 404
    r = c.get("/v2/team/nope/tags/list", scope="repository:team/nope:pull")
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "NAME_UNKNOWN"


@pytest.mark.registry
def test_seeded_media_types_and_sizes(registry, seed, creds):
    c = RegistryClient(registry.url, *creds.push)
    img = seed.image("team/app:1.0")
    r = c.get("/v2/team/app/manifests/1.0", scope="repository:team/app:pull", headers={"Accept": ACCEPT_ALL})
    assert r.headers["Content-Type"] == DOCKER_MANIFEST
    m = r.json()
    assert sum(layer["size"] for layer in m["layers"]) == img.compressed_size
    assert img.uncompressed_size > 2 * img.compressed_size
    blob = c.get(f"/v2/team/app/blobs/{img.layers[0].digest}", scope="repository:team/app:pull", allow_redirects=True)
    assert len(blob.content) == img.layers[0].size
    assert seed.image("team/app:v1.2.0").media_type == OCI_MANIFEST
    r = c.head("/v2/team/multi/manifests/latest", scope="repository:team/multi:pull", headers={"Accept": ACCEPT_ALL})
    assert r.headers["Content-Type"] == OCI_INDEX == seed.image("team/multi:latest").media_type
    assert len(seed.image("team/multi:latest").children) == 2


@pytest.mark.registry
def test_anonymous_pull_of_public_repo(registry, seed):
    c = RegistryClient(registry.url)
    r = c.head("/v2/public/base/manifests/latest", scope="repository:public/base:pull", headers={"Accept": ACCEPT_ALL})
    assert r.status_code == 200 and r.headers["Docker-Content-Digest"] == seed.digest("public/base", "latest")
    r = RegistryClient(registry.url).get("/v2/team/app/tags/list", scope="repository:team/app:pull")
    assert r.status_code == 401


@pytest.mark.registry
def test_noauth_registry_shares_content(registry_noauth, seed):
    r = _get(registry_noauth.url + "/v2/team/app/tags/list")
    assert r.status_code == 200 and sorted(r.json()["tags"]) == seed.tags("team/app")


@pytest.mark.registry
def test_basic_auth_registry(registry_basic, seed, creds):
    r = _get(registry_basic.url + "/v2/")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == 'Basic realm="harness-basic-realm"'
    assert _get(registry_basic.url + "/v2/", auth=creds.wrong_password).status_code == 401
    r = _get(registry_basic.url + "/v2/team/app/tags/list", auth=creds.pull_only)
    assert r.status_code == 200 and sorted(r.json()["tags"]) == seed.tags("team/app")


@pytest.mark.registry
def test_tag_pagination_via_link(registry_paginated, seed, creds):
    c = RegistryClient(registry_paginated.url, *creds.pull_only)
    scope = "repository:team/many:pull"
    url, pages, tags = "/v2/team/many/tags/list?n=50", 0, []
    while url:
        r = c.get(url, scope=scope)
        assert r.status_code == 200
        tags += r.json()["tags"]
        pages += 1
        link = r.headers.get("Link")
        url = link[link.index("<") + 1 : link.index(">")] if link else None
    assert pages == 3 and len(tags) == MANY_TAG_COUNT == len(seed.tags("team/many"))
    assert tags == sorted(tags) == seed.tags("team/many")
    img = seed.image("team/app:1.0")
    r = c.head("/v2/team/app/manifests/1.0", scope="repository:team/app:pull", headers={"Accept": ACCEPT_ALL})
    assert r.status_code == 200 and int(r.headers["Content-Length"]) == img.manifest_size
    assert r.headers["Docker-Content-Digest"] == img.digest
    assert len(set(seed.repositories["team/many"].values())) == MANY_TAG_COUNT  # all distinct digests
    r = c.get("/v2/team/near/tags/list", scope="repository:team/near:pull")
    assert len(r.json()["tags"]) == NEAR_TAG_COUNT and "Link" not in r.headers


# ---- TLS ---------------------------------------------------------------------------------------------------

import socket  # noqa: E402
import ssl  # noqa: E402

import dns.resolver  # noqa: E402

from tests.harness.dns_server import PRIVATE_10, PUBLIC_V4, Zone  # noqa: E402
from tests.harness.tls import DNS_DOMAIN  # noqa: E402


def _handshake(address, ca_file, server_hostname="localhost", timeout=3.0):
    ctx = ssl.create_default_context(cafile=ca_file)
    with socket.create_connection(address, timeout=timeout) as raw:
        with ctx.wrap_socket(raw, server_hostname=server_hostname) as tls:
            return tls.getpeercert()


def test_tls_valid_cert_verifies(tls_servers):
    s = tls_servers.valid
    assert _handshake(s.address, tls_servers.ca_file)["subject"]
    assert _handshake(s.address, tls_servers.ca_file, server_hostname="127.0.0.1")
    r = _get(s.url + "/v2/", verify=tls_servers.ca_file)
    assert r.status_code == 200 and r.headers["Docker-Distribution-Api-Version"] == "registry/2.0"


@pytest.mark.parametrize(
    "variant,verify_code,text",
    [
        ("wrong_host", 62, "Hostname mismatch"),
        ("expired", 10, "certificate has expired"),
        ("not_yet_valid", 9, "certificate is not yet valid"),
        ("unknown_ca", 20, "unable to get local issuer certificate"),
    ],
)
def test_tls_failures(tls_servers, tls_material, variant, verify_code, text):
    s = getattr(tls_servers, variant)
    with pytest.raises(ssl.SSLCertVerificationError) as ei:
        _handshake(s.address, tls_servers.ca_file)
    assert ei.value.verify_code == verify_code and text in str(ei.value)
    cert = getattr(tls_material, variant)
    if variant == "expired":
        assert cert.not_after.timestamp() < time.time()
    if variant == "not_yet_valid":
        assert cert.not_before.timestamp() > time.time()
    if variant == "unknown_ca":  # trusting the other CA makes it verify
        assert _handshake(s.address, tls_material.unknown_ca_file)


@pytest.mark.registry
def test_real_registry_over_https(registry_tls, seed, creds, dns_server):
    assert registry_tls.url.startswith("https://127.0.0.1:")
    with pytest.raises(requests.exceptions.SSLError):
        _get(registry_tls.url + "/v2/")  # system trust store does not know the test CA
    c = RegistryClient(registry_tls.url, *creds.pull_only, verify=registry_tls.ca_file)
    r = c.head("/v2/team/app/manifests/latest", scope="repository:team/app:pull", headers={"Accept": ACCEPT_ALL})
    assert r.status_code == 200 and r.headers["Docker-Content-Digest"] == seed.digest("team/app", "latest")
    # the DNS names the harness zone points at 127.0.0.1 are in the certificate
    ip = dns_server.resolver().resolve(Zone.TCR_LOCAL, "A")[0].to_text()
    for name in (Zone.TCR_LOCAL, Zone.REGISTRY):
        assert _handshake((ip, registry_tls.port), registry_tls.ca_file, server_hostname=name)
    # plain HTTP spoken to the HTTPS registry: Go's answer
    r = _get(registry_tls.url.replace("https://", "http://") + "/v2/")
    assert r.status_code == 400 and "HTTP request to an HTTPS server" in r.text


@pytest.mark.registry
def test_https_spoken_to_plain_http_registry(registry):
    with pytest.raises(requests.exceptions.SSLError) as ei:
        _get(registry.url.replace("http://", "https://") + "/v2/")
    assert "WRONG_VERSION_NUMBER" in str(ei.value).upper().replace(" ", "_")


# ---- DNS ---------------------------------------------------------------------------------------------------


def test_dns_answers(dns_server):
    r = dns_server.resolver(timeout=2.0)
    assert [a.to_text() for a in r.resolve(Zone.REGISTRY, "A")] == ["127.0.0.1"]
    ans = r.resolve(Zone.ALIAS, "A")
    assert ans.canonical_name.to_text() == Zone.REGISTRY + "." and ans[0].to_text() == "127.0.0.1"
    assert [a.to_text() for a in r.resolve(Zone.INTERNAL, "A")] == [PRIVATE_10]
    assert sorted(a.to_text() for a in r.resolve(Zone.MIXED, "A")) == sorted([PRIVATE_10, PUBLIC_V4])
    assert [a.to_text() for a in r.resolve(Zone.DUAL, "AAAA")] == ["::1"]
    assert [a.to_text() for a in r.resolve(Zone.REGISTRY, "A", tcp=True)] == ["127.0.0.1"]
    assert r.resolve(Zone.REGISTRY.upper(), "A")[0].to_text() == "127.0.0.1"
    with pytest.raises(dns.resolver.NXDOMAIN):
        r.resolve(Zone.NXDOMAIN, "A")
    with pytest.raises(dns.resolver.NXDOMAIN):
        r.resolve(f"anything-else.{DNS_DOMAIN}", "A")
    with pytest.raises(dns.resolver.NoAnswer):
        r.resolve(Zone.NODATA, "A")
    with pytest.raises(dns.resolver.NoNameservers) as ei:
        r.resolve(Zone.SERVFAIL, "A")
    assert "SERVFAIL" in str(ei.value)
    assert (Zone.REGISTRY + ".", "A", "tcp") in dns_server.queries


def test_dns_timeout_is_a_timeout(dns_server):
    r = dns_server.resolver(timeout=0.5)
    t0 = time.monotonic()
    with pytest.raises(dns.resolver.LifetimeTimeout):
        r.resolve(Zone.TIMEOUT, "A")
    assert time.monotonic() - t0 < 2.0
    with pytest.raises(dns.resolver.LifetimeTimeout):
        r.resolve(Zone.TIMEOUT, "A", tcp=True)


def test_dns_custom_zone(dns_server_factory):
    d = dns_server_factory(Zone(records={"x.example.test": [("A", "127.0.0.2")]}, servfail={"bad.example.test"}))
    r = d.resolver()
    assert r.resolve("x.example.test", "A")[0].to_text() == "127.0.0.2"
    with pytest.raises(dns.resolver.NoNameservers):
        r.resolve("bad.example.test", "A")


# ---- misbehaving servers -----------------------------------------------------------------------------------


def test_silent_and_refused(bad_servers):
    with socket.create_connection(bad_servers.silent.address, timeout=2) as s:
        s.settimeout(0.3)
        with pytest.raises(TimeoutError):
            s.recv(1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        _get(bad_servers.silent.url + "/v2/", timeout=(1, 0.3))
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(bad_servers.refused.address, timeout=2)


def test_status_servers(bad_servers):
    r = _get(bad_servers.forbidden.url + "/v2/")
    assert r.status_code == 403 and "Docker-Distribution-Api-Version" not in r.headers
    r = _get(bad_servers.rate_limited.url + "/v2/")
    assert r.status_code == 429 and r.headers["Retry-After"] == "30"
    assert _get(bad_servers.server_error.url + "/v2/").status_code == 500
    r = _get(bad_servers.unavailable.url + "/v2/")
    assert r.status_code == 503 and r.headers["Retry-After"] == "5"
    r = _get(bad_servers.not_registry.url + "/v2/")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert "Docker-Distribution-Api-Version" not in r.headers


def test_protocol_mismatch_servers(bad_servers):
    with pytest.raises(requests.exceptions.SSLError):
        _get(bad_servers.plain_http.url.replace("http://", "https://") + "/v2/", verify=bad_servers.ca_file)
    r = _get(bad_servers.plain_http.url + "/v2/")
    assert r.status_code == 401 and r.headers["Docker-Distribution-Api-Version"] == "registry/2.0"
    r = _get(bad_servers.https_only.url.replace("https://", "http://") + "/v2/")
    assert r.status_code == 400 and "HTTP request to an HTTPS server" in r.text
    assert _get(bad_servers.https_only.url + "/v2/", verify=bad_servers.ca_file).status_code == 200


def test_redirects_and_slow(bad_servers):
    r = _get(bad_servers.redirect.url + "/v2/", allow_redirects=False)
    assert r.status_code == 301 and r.headers["Location"] == bad_servers.https_only.url + "/v2/"
    r = _get(bad_servers.redirect.url + "/v2/", verify=bad_servers.ca_file)
    assert r.status_code == 200 and r.url == bad_servers.https_only.url + "/v2/"
    with pytest.raises(requests.exceptions.TooManyRedirects):
        _get(bad_servers.redirect_loop.url + "/v2/")
    with pytest.raises(requests.exceptions.ReadTimeout):
        _get(bad_servers.slow.url + "/v2/", timeout=(1, 0.3))


def test_everything_binds_loopback(token_server, dns_server, bad_servers, tls_servers):
    hosts = {token_server.host, dns_server.host, tls_servers.valid.bind_host}
    hosts |= {s.bind_host for s in bad_servers._all}
    assert hosts == {"127.0.0.1"}


def test_blackhole_connect_times_out(bad_servers):
    t0 = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout)):
        socket.create_connection(bad_servers.blackhole.address, timeout=0.5)
    assert 0.4 < time.monotonic() - t0 < 3  # wide for a loaded machine; a blackhole that answered would fail fast
    with pytest.raises(requests.exceptions.ConnectTimeout):
        _get(bad_servers.blackhole.url + "/v2/", timeout=(0.3, 0.3))


# ---- docker config + credential helper ---------------------------------------------------------------------


def test_docker_config_and_credential_helper(docker_config):
    import os
    import subprocess

    docker_config.add_auth("127.0.0.1:5000", "alice", "alice-pass")
    docker_config.add_helper_creds("127.0.0.1:5001", "bob", "bob-pass")
    docker_config.set_creds_store("harness")
    docker_config.write()
    cfg = json.loads((docker_config.dir / "config.json").read_text())
    assert base64.b64decode(cfg["auths"]["127.0.0.1:5000"]["auth"]) == b"alice:alice-pass"
    assert cfg["credHelpers"] == {"127.0.0.1:5001": "harness"} and cfg["credsStore"] == "harness"
    assert os.environ["DOCKER_CONFIG"] == str(docker_config.dir)
    out = subprocess.run(
        ["docker-credential-harness", "get"], input="127.0.0.1:5001", capture_output=True, text=True, timeout=10
    )
    assert out.returncode == 0 and json.loads(out.stdout) == {
        "ServerURL": "127.0.0.1:5001",
        "Username": "bob",
        "Secret": "bob-pass",
    }
    out = subprocess.run(
        ["docker-credential-harness", "get"], input="other:1", capture_output=True, text=True, timeout=10
    )
    assert out.returncode == 1 and "credentials not found" in out.stdout


@pytest.mark.registry
def test_registry_factory_gives_fresh_storage(registry_factory, tls_material):
    reg = registry_factory(auth=False, tls=tls_material.valid, ca_file=tls_material.ca_file)
    assert reg.url.startswith("https://") and reg.auth is None
    r = _get(reg.url + "/v2/_catalog", verify=reg.verify)
    assert r.status_code == 200 and r.json() == {"repositories": []}
    assert "listening on" in reg.logs()
