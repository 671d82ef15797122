"""The harness parts really work: real registry + token server, TLS, DNS, misbehaving servers."""
from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
import requests

from tests.harness.client import RegistryClient, parse_challenge
from tests.harness.seed import ACCEPT_ALL, DOCKER_MANIFEST, MANY_TAG_COUNT, OCI_INDEX, OCI_MANIFEST
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
    claims = jwt.decode(body["token"], token_server.certificate.public_key(), algorithms=["RS256"],
                        audience=SERVICE, issuer=token_server.issuer)
    assert claims["access"] == [{"type": "repository", "name": "team/app", "actions": ["pull", "push"]}]

    r = _token(token_server, creds.pull_only)
    claims = jwt.decode(r.json()["token"], options={"verify_signature": False})
    assert claims["access"][0]["actions"] == ["pull"]          # valid, but no push right

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
        r = s.post(token_server.realm, data={"grant_type": "password", "service": SERVICE, "client_id": "t",
                                             "username": creds.pull_only[0], "password": creds.pull_only[1],
                                             "scope": "repository:team/app:pull,push"}, timeout=5)
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
    other = TokenServer()   # a different key, not in the registry's root bundle
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
    blob = c.get(f"/v2/team/app/blobs/{img.layers[0].digest}", scope="repository:team/app:pull",
                 allow_redirects=True)
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
        url = link[link.index("<") + 1:link.index(">")] if link else None
    assert pages == 3 and len(tags) == MANY_TAG_COUNT == len(seed.tags("team/many"))
    assert tags == sorted(tags)
