"""pytest fixtures for the harness. tests/conftest.py star-imports this module.

All fixtures are session-scoped and start lazily on first use; everything listens on 127.0.0.1 only.
See README.md in this directory.
"""

from __future__ import annotations

import dataclasses

import pytest

from .client import RegistryClient
from .dns_server import DNSServer, Zone
from .docker_config import DockerConfig
from .engines import PostgresServer, RedisServer
from .proxy import TagPaginationProxy
from .registry import Registry
from .seed import SeedInfo, seed_standard
from .servers import BadServers
from .tls import TLSMaterial, TLSServers
from .token_server import EXPIRED_JWT_PASSWORD, VALID_JWT_PASSWORD, TokenServer

__all__ = [
    "Credentials",
    "CREDS",
    "harness_dir",
    "token_server",
    "registry",
    "registry_noauth",
    "registry_paginated",
    "seed",
    "creds",
    "registry_factory",
    "tls_material",
    "tls_servers",
    "registry_tls",
    "dns_server",
    "dns_server_factory",
    "bad_servers",
    "docker_config",
    "registry_basic",
    "postgres_server",
    "pg_url",
    "redis_server",
    "redis_url",
]


@dataclasses.dataclass(frozen=True)
class Credentials:
    """(username, password) pairs for the default token-server users."""

    admin: tuple[str, str] = ("admin", "admin-pass")  # everything, catalog too (seeding)
    push: tuple[str, str] = ("alice", "alice-pass")  # pull+push on team/*, pull on public/*
    pull_only: tuple[str, str] = ("bob", "bob-pass")  # pull on team/* and public/*
    no_access: tuple[str, str] = ("carol", "carol-pass")  # valid, but nothing on team/* (has other/*)
    wrong_password: tuple[str, str] = ("alice", "not-alices-password")
    unknown_user: tuple[str, str] = ("mallory", "mallory-pass")
    jwt_valid: tuple[str, str] = ("100012345678", VALID_JWT_PASSWORD)  # JWT password, exp in 30 days
    jwt_expired: tuple[str, str] = ("100087654321", EXPIRED_JWT_PASSWORD)  # JWT password, exp 2 days ago: 401
    stale_token: tuple[str, str] = ("stale", "stale-pass")  # token server OK, but issued tokens expired


CREDS = Credentials()


@pytest.fixture(scope="session")
def creds() -> Credentials:
    return CREDS


@pytest.fixture(scope="session")
def harness_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("harness")


@pytest.fixture(scope="session")
def token_server(harness_dir):
    d = harness_dir / "token"
    d.mkdir()
    ts = TokenServer(workdir=d).start()
    yield ts
    ts.stop()


class RegistryFactory:
    """Start extra registries: factory(auth=True, tls=None, storage_dir=None, seed=False, token_server=None)."""

    def __init__(self, base_dir, default_token_server):
        self.base_dir = base_dir
        self.default_token_server = default_token_server
        self.started: list[Registry] = []

    def __call__(
        self,
        *,
        auth: bool = True,
        tls=None,
        ca_file: str | None = None,
        storage_dir=None,
        seed: bool = False,
        token_server: TokenServer | None = None,
        name: str | None = None,
    ) -> Registry:
        n = len(self.started)
        name = name or f"registry{n}"
        ts = (token_server or self.default_token_server()) if auth else None
        reg = Registry(
            self.base_dir / name, storage_dir=storage_dir, token_server=ts, tls_cert=tls, ca_file=ca_file, name=name
        )
        reg.start()
        self.started.append(reg)
        if seed:
            reg.seed = seed_into(reg)
        return reg

    def stop_all(self):
        for reg in reversed(self.started):
            reg.stop()


def seed_into(reg: Registry) -> SeedInfo:
    user, pw = CREDS.admin if reg.auth else (None, None)
    client = RegistryClient(reg.url, user, pw, verify=reg.verify, timeout=10)
    try:
        return seed_standard(client)
    except Exception as exc:
        raise RuntimeError(
            f"seeding {reg.name} failed: {exc}\n--- {reg.log_file} (tail) ---\n{reg.logs()[-4000:]}"
        ) from exc
    finally:
        client.close()


@pytest.fixture(scope="session")
def registry_factory(harness_dir, request):
    f = RegistryFactory(harness_dir / "extra", lambda: request.getfixturevalue("token_server"))
    yield f
    f.stop_all()


@pytest.fixture(scope="session")
def registry(harness_dir, token_server):
    """The main registry: plain HTTP on 127.0.0.1, token auth via `token_server`, seeded (`registry.seed`)."""
    reg = Registry(harness_dir / "registry", token_server=token_server, name="registry")
    reg.start()
    try:
        reg.seed = seed_into(reg)
        yield reg
    finally:
        reg.stop()


@pytest.fixture(scope="session")
def seed(registry) -> SeedInfo:
    return registry.seed


@pytest.fixture(scope="session")
def registry_noauth(harness_dir, registry):
    """Same storage (same content) as `registry`, no auth, plain HTTP. Treat as read-only."""
    reg = Registry(harness_dir / "registry-noauth", storage_dir=registry.storage_dir, name="registry-noauth")
    reg.start()
    reg.seed = registry.seed
    yield reg
    reg.stop()


@pytest.fixture(scope="session")
def registry_basic(harness_dir, registry):
    """Same storage as `registry`, plain HTTP, **htpasswd** auth: `WWW-Authenticate: Basic realm="harness-basic-realm"`.
    Users: alice/alice-pass and bob/bob-pass (htpasswd has no per-repository rights: both may push).
    Skipped where the stdlib `crypt` module (bcrypt) is missing (Python >= 3.13)."""
    try:
        from .registry import bcrypt_hash

        bcrypt_hash("probe")
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"no bcrypt for htpasswd: {exc}")
    reg = Registry(
        harness_dir / "registry-basic",
        storage_dir=registry.storage_dir,
        name="registry-basic",
        htpasswd=dict([CREDS.push, CREDS.pull_only]),
    )
    reg.start()
    reg.seed = registry.seed
    yield reg
    reg.stop()


@pytest.fixture(scope="session")
def registry_paginated(registry):
    """`registry` behind a proxy that implements tags/list `n`/`last` + `Link` (distribution 2.8 ignores `n`)."""
    p = TagPaginationProxy(registry).start()
    yield p
    p.stop()


# ---- TLS ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def tls_material(harness_dir) -> TLSMaterial:
    """CA + leaf certs: .ca_file, .valid, .wrong_host, .expired, .not_yet_valid, .unknown_ca, .unknown_ca_file."""
    return TLSMaterial(harness_dir / "tls")


@pytest.fixture(scope="session")
def tls_servers(tls_material):
    """An HTTPS `/v2/` responder per certificate variant: .valid .wrong_host .expired .not_yet_valid .unknown_ca."""
    s = TLSServers(tls_material)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def registry_tls(harness_dir, registry, token_server, tls_material):
    """The real registry over HTTPS (cert `tls_material.valid`), token auth, same storage/content as `registry`.
    `.ca_file` is the CA to trust (`--ca-file`); `.url` is https://127.0.0.1:PORT."""
    reg = Registry(
        harness_dir / "registry-tls",
        storage_dir=registry.storage_dir,
        token_server=token_server,
        tls_cert=tls_material.valid,
        ca_file=tls_material.ca_file,
        name="registry-tls",
    )
    reg.start()
    reg.seed = registry.seed
    yield reg
    reg.stop()


# ---- DNS ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dns_server():
    """DNS on 127.0.0.1:PORT (UDP+TCP) serving Zone.default(): .nameserver ("127.0.0.1:PORT"), .port,
    .resolver(), .zone, .queries. Names are class attributes of Zone (Zone.REGISTRY, Zone.NXDOMAIN, ...)."""
    d = DNSServer(Zone.default()).start()
    yield d
    d.stop()


@pytest.fixture(scope="session")
def dns_server_factory():
    """dns_server_factory(zone: Zone) -> a started DNSServer with that zone (stopped at session end)."""
    started = []

    def make(zone: Zone | None = None) -> DNSServer:
        d = DNSServer(zone or Zone.default()).start()
        started.append(d)
        return d

    yield make
    for d in started:
        d.stop()


# ---- misbehaving servers -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def bad_servers(tls_material):
    """BadServers: .silent .refused .forbidden .rate_limited .server_error .unavailable .not_registry
    .plain_http .https_only .redirect .redirect_loop .slow (see servers.py)."""
    b = BadServers(tls_material)
    yield b
    b.stop()


# ---- docker client config ----------------------------------------------------------------------------------


@pytest.fixture
def docker_config(tmp_path, monkeypatch):
    """A fresh DockerConfig (function scope). Build it, call .write(); the fixture already points
    DOCKER_CONFIG at it and puts its bin_dir (docker-credential-* helpers) first on PATH."""
    cfg = DockerConfig(tmp_path / "docker-config")
    monkeypatch.setenv("DOCKER_CONFIG", str(cfg.dir))
    monkeypatch.setenv("PATH", f"{cfg.bin_dir}:{__import__('os').environ.get('PATH', '')}")
    return cfg.write()


# -- engines (PostgreSQL, Redis): one server per session, a fresh database / key space per test ------------------
@pytest.fixture(scope="session")
def postgres_server():
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres_server, request):
    """The URL of a new, empty PostgreSQL database for this test."""
    import re
    import secrets

    name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:40] + "_" + secrets.token_hex(3)
    return postgres_server.create_database(name)


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    """The session's Redis, emptied for this test."""
    import redis

    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    return redis_server.url
