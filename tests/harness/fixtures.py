"""pytest fixtures for the harness. tests/conftest.py star-imports this module.

All fixtures are session-scoped and start lazily on first use; everything listens on 127.0.0.1 only.
See README.md in this directory.
"""
from __future__ import annotations

import dataclasses

import pytest

from .client import RegistryClient
from .proxy import TagPaginationProxy
from .registry import Registry
from .seed import SeedInfo, seed_standard
from .token_server import EXPIRED_JWT_PASSWORD, VALID_JWT_PASSWORD, TokenServer

__all__ = [
    "Credentials", "CREDS", "harness_dir", "token_server", "registry", "registry_noauth", "registry_paginated",
    "seed", "creds", "registry_factory",
]


@dataclasses.dataclass(frozen=True)
class Credentials:
    """(username, password) pairs for the default token-server users."""

    admin: tuple[str, str] = ("admin", "admin-pass")                 # everything, catalog too (seeding)
    push: tuple[str, str] = ("alice", "alice-pass")                  # pull+push on team/*, pull on public/*
    pull_only: tuple[str, str] = ("bob", "bob-pass")                 # pull on team/* and public/*
    no_access: tuple[str, str] = ("carol", "carol-pass")             # valid, but nothing on team/* (has other/*)
    wrong_password: tuple[str, str] = ("alice", "not-alices-password")
    unknown_user: tuple[str, str] = ("mallory", "mallory-pass")
    jwt_valid: tuple[str, str] = ("100012345678", VALID_JWT_PASSWORD)      # JWT password, exp in 30 days
    jwt_expired: tuple[str, str] = ("100087654321", EXPIRED_JWT_PASSWORD)  # JWT password, exp 2 days ago: 401
    stale_token: tuple[str, str] = ("stale", "stale-pass")           # token server OK, but issued tokens expired


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

    def __call__(self, *, auth: bool = True, tls=None, ca_file: str | None = None, storage_dir=None,
                 seed: bool = False, token_server: TokenServer | None = None, name: str | None = None) -> Registry:
        n = len(self.started)
        name = name or f"registry{n}"
        ts = (token_server or self.default_token_server()) if auth else None
        reg = Registry(self.base_dir / name, storage_dir=storage_dir, token_server=ts, tls_cert=tls,
                       ca_file=ca_file, name=name)
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
def registry_paginated(registry):
    """`registry` behind a proxy that implements tags/list `n`/`last` + `Link` (distribution 2.8 ignores `n`)."""
    p = TagPaginationProxy(registry).start()
    yield p
    p.stop()
