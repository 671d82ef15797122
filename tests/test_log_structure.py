"""The log reader's structure (issue 11, seventh round): whose request failed, read from the error's own format
(Go's DNSError, net.OpError, url.Error, Docker Desktop's proxy), and the backoff that reads a registry's or a
daemon's answer by its frame when no wording of knowledge/logpatterns.toml matches.

Lines are built from the format strings with hypothesis drawing the variable parts, so a rule must read every line
the code can print, not the one a post printed. Each test failed on the code before its commit.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.harness.log_families import HOSTS, IPV4, LABELS, PATHS, PORTS, cause, causes

STRUCTURE = settings(max_examples=25, deadline=None)

# --- whose request failed: the DNS server's. Go's net.DNSError prints "lookup NAME on SERVER: ERR" (src/net/net.go);
#     ERR is the server's answer ("no such host", "server misbehaving") or the query's own net.OpError.
QUERY_ERRORS = [
    "read udp {src}:{sport}->{dns}:53: i/o timeout",
    "read udp {src}:{sport}->{dns}:53: read: connection refused",
    "dial udp {dns}:53: connect: network is unreachable",
    "write udp {src}:{sport}->{dns}:53: write: operation not permitted",
    "read: connection refused",  # a paste that lost the OpError's address part
]


@STRUCTURE
@given(host=HOSTS, dns=IPV4, src=IPV4, sport=PORTS, err=st.sampled_from(QUERY_ERRORS))
def test_any_failure_of_the_query_after_lookup_on_is_the_dns_server(host, dns, src, sport, err):
    line = f'Get "https://{host}/v2/": dial tcp: lookup {host} on {dns}:53: ' + err.format(
        src=src, sport=sport, dns=dns
    )
    assert cause(line) == "DNS_TIMEOUT"


@STRUCTURE
@given(host=HOSTS, dns=IPV4, src=IPV4, sport=PORTS, cut=st.integers(3, 12))
def test_a_query_whose_lookup_head_a_terminal_wrapped_away_is_still_the_dns_server(host, dns, src, sport, cut):
    # "…: lookup registry-1.docker.io on 19" / "2.168.65.1:53: read udp 192.168.65.2:59361->192.168.65.1:53: i/o
    # timeout" (docker/for-win#685): the tail alone holds the query to port 53
    whole = f'Error response from daemon: Get "https://{host}/v2/": dial tcp: lookup {host} on {dns}:53: '
    paste = whole[:-cut] + "\n" + whole[-cut:] + f"read udp {src}:{sport}->{dns}:53: i/o timeout"
    assert cause(paste) == "DNS_TIMEOUT"


@STRUCTURE
@given(host=HOSTS, dns=IPV4, src=IPV4, sport=PORTS)
def test_the_dns_servers_own_answer_still_decides(host, dns, src, sport):
    assert cause(f'Get "https://{host}/v2/": dial tcp: lookup {host} on {dns}:53: no such host') == "DNS_NXDOMAIN"
    # a TCP dial to the registry itself is not a query
    assert cause(f'Get "https://{host}/v2/": dial tcp {src}:443: connect: connection refused') == "TCP_REFUSED"


# --- whose request failed: the upstream proxy Docker Desktop's own HTTP proxy was told to use ("writing response to
#     HOST:PORT: connecting to ADDR: dial tcp ADDR: …", docker/for-win#13994); ADDR equal to HOST is the registry.


@STRUCTURE
@given(
    host=HOSTS,
    proxy=st.one_of(IPV4, HOSTS),
    port=PORTS,
    err=st.sampled_from(
        [
            "connectex: No connection could be made because the target machine actively refused it.",
            "connect: connection refused",
            "i/o timeout",
        ]
    ),
)
def test_docker_desktops_proxy_failing_to_reach_its_upstream_is_the_proxy(host, proxy, port, err):
    line = (
        f'Error response from daemon: Get "https://{host}/v2/": writing response to {host}:443: '
        f"connecting to {proxy}:{port}: dial tcp {proxy}:{port}: {err}"
    )
    assert cause(line) == "PROXY_ERROR"


@STRUCTURE
@given(host=HOSTS)
def test_docker_desktops_proxy_connecting_to_the_registry_itself_is_not_a_proxy(host):
    line = (
        f'Error response from daemon: Get "https://{host}/v2/": writing response to {host}:443: '
        f"connecting to {host}:443: dial tcp {host}:443: connect: connection refused"
    )
    assert cause(line) == "TCP_REFUSED"


# --- whose request failed: the daemon's. The Engine API's url.Error ("error during connect: Post
#     http://docker:2375/v1.40/auth: …") is the CLI's request to its daemon, whatever page the sentence links.


@STRUCTURE
@given(
    daemon=st.one_of(LABELS, IPV4),
    port=st.sampled_from([2375, 2376]),
    version=st.integers(19, 47),
    site=st.sampled_from(["gitlab.com", "github.com"]),
    path=PATHS,
)
def test_a_failed_request_to_the_engine_api_is_the_daemon_even_beside_a_code_host(daemon, port, version, site, path):
    line = (
        f"But would get the following error: `error during connect: Post http://{daemon}:{port}/v1.{version}/auth: "
        f"dial tcp: lookup {daemon} on 169.254.169.254:53: no such host` [(see the job here)](https://{site}/{path}/-/jobs/1)"
    )
    assert cause(line) == "DAEMON_ERROR"


def test_a_code_hosts_own_network_failure_stays_another_programs():
    line = "fatal: unable to access 'https://github.com/a/b.git/': Failed to connect to github.com port 443: Connection timed out"
    assert causes(line) == []
