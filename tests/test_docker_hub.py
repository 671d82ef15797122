"""Docker Hub's names live in diagnostics/reference.py; the target, the credential lookup and the log reader
read them from there and keep their own rules for which name means what."""

from __future__ import annotations

import pytest

from diagnostics import auth
from diagnostics.reference import DOCKER_HUB_ALIASES, DOCKER_HUB_INDEX, DOCKER_HUB_REGISTRY
from diagnostics.target import parse_target
from knowledge.logs import images


@pytest.mark.parametrize("value", ["nginx", "docker.io/library/nginx", "index.docker.io/library/nginx:1"])
def test_a_hub_reference_connects_to_hubs_registry(value: str) -> None:
    t = parse_target(value)
    assert (t.host, t.port) == (DOCKER_HUB_REGISTRY, 443)


def test_other_hub_hosts_are_connected_to_as_written() -> None:
    assert parse_target("registry.hub.docker.com/library/nginx").host == "registry.hub.docker.com"


@pytest.mark.parametrize(
    ("registry", "host"), [("docker.io", DOCKER_HUB_REGISTRY), (DOCKER_HUB_REGISTRY, DOCKER_HUB_REGISTRY)]
)
def test_hub_credentials_are_looked_up_under_docker_logins_keys(registry: str, host: str) -> None:
    keys = auth._keys_for(registry, host)
    assert keys == [DOCKER_HUB_INDEX, "index.docker.io", "docker.io", DOCKER_HUB_REGISTRY, "https://index.docker.io/v1"]


def test_another_registry_is_looked_up_under_its_own_name() -> None:
    assert auth._keys_for("registry.hub.docker.com", "registry.hub.docker.com")[0] == "registry.hub.docker.com"


@pytest.mark.parametrize("alias", DOCKER_HUB_ALIASES)
def test_the_log_reader_reads_every_alias_as_docker_io(alias: str) -> None:
    assert images._canon_host(alias.upper() + ":443") == "docker.io"
    assert images._canon_host("ghcr.io") == "ghcr.io"
