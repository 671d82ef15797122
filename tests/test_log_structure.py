"""The log reader's structure (issue 11, seventh round): whose request failed, read from the error's own format
(Go's DNSError, net.OpError, url.Error, Docker Desktop's proxy), and the backoff that reads a registry's or a
daemon's answer by its frame when no wording of knowledge/logpatterns.toml matches.

Lines are built from the format strings with hypothesis drawing the variable parts, so a rule must read every line
the code can print, not the one a post printed. Each test failed on the code before its commit.
"""

from __future__ import annotations

import textwrap

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from knowledge.logs import explain
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
    assume(proxy != host)
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


# --- backoff: no wording matched, or only a symptom (ErrImagePull). An HTTP status with Go's reason phrase
#     (net/http StatusText) is read by the status wordings, wherever the wrapper put it.

STATUSES = {
    "400 Bad Request": "SERVER_ERROR",
    "405 Method Not Allowed": "SERVER_ERROR",
    "409 Conflict": "SERVER_ERROR",
    "500 Internal Server Error": "SERVER_ERROR",
    "502 Bad Gateway": "SERVER_ERROR",
    "503 Service Unavailable": "SERVER_ERROR",
    "429 Too Many Requests": "RATE_LIMITED",
}
# wrappers whose status forms no wording knows: containerd's newer "pulling from host %s failed with status code
# [%s %s]: %s", a tool's own "request to %s answered %s"
UNKNOWN_STATUS_FRAMES = [
    'failed to resolve reference "{host}/{path}:{tag}": pulling from host {host} failed with status code [manifests {tag}]: {status}',
    "pull of {host}/{path}:{tag} stopped, the registry answered {status}",
]


@STRUCTURE
@given(
    frame=st.sampled_from(UNKNOWN_STATUS_FRAMES),
    status=st.sampled_from(sorted(STATUSES)),
    host=HOSTS,
    path=PATHS,
    tag=LABELS,
)
def test_a_status_with_its_reason_phrase_in_an_unknown_frame_reads_by_the_status(frame, status, host, path, tag):
    line = frame.format(host=host, path=path, tag=tag, status=status)
    event = "  Warning  Failed  2m3s (x4 over 5m31s)  kubelet  Error: ErrImagePull"
    assert cause(f"{line}\n{event}") == STATUSES[status]


@STRUCTURE
@given(
    frame=st.sampled_from(
        [
            "Error response from daemon: {words}",
            "error: failed to solve: failed to fetch oauth token: {words}",
            "Error: error from registry: {words}",
        ]
    ),
    words=st.lists(LABELS, min_size=2, max_size=5).map(" ".join),
    host=HOSTS,
    path=PATHS,
)
def test_an_unknown_message_in_a_registrys_answer_frame_is_the_server(frame, words, host, path):
    paste = f"$ docker pull {host}/{path}:1\n" + frame.format(words=words)
    assert cause(paste) == "SERVER_ERROR"


LOCAL_FAULTS = [
    "locking ref k8s.io/2/layer-sha256:{d} failed: unavailable",
    "failed to extract layer sha256:{d}: mount callback failed on /var/lib/containerd/tmpmounts/c: read-only file system",
    'failed to prepare extraction snapshot "extract-1-sha256:{d}": snapshot sha256:{d} already exists',
    "failed to register layer: open /var/lib/docker/tmp/x: too many open files",
]


@STRUCTURE
@given(fault=st.sampled_from(LOCAL_FAULTS), host=HOSTS, path=PATHS, d=st.sampled_from(["f1123343", "6c1ecdb7"]))
def test_a_daemons_local_failure_inside_a_pull_is_the_daemon(fault, host, path, d):
    line = f'failed to pull and unpack image "{host}/{path}:1": ' + fault.format(d=d * 8)
    assert cause(line) == "DAEMON_ERROR"


def test_the_same_local_failure_in_a_daemonless_tool_is_no_registry_cause():
    # labelling convention C2: podman, buildah and skopeo have no daemon; their store's fault is not a registry's
    paste = (
        "$ podman pull quay.io/ns/app:1\n"
        'Error: error pulling image "quay.io/ns/app:1": failed to register layer: '
        "open /var/lib/containers/storage/x: read-only file system"
    )
    assert causes(paste) == []


def test_a_store_losing_content_is_the_daemon_in_a_pull_and_no_cause_after_it():
    pull = (
        "FATA[0000] pulling image failed: rpc error: code = Unknown desc = failed to pull and unpack image "
        '"docker.io/prom/app:1": failed to unpack image on snapshotter overlayfs: content digest '
        "sha256:7351147077496a942c478cb3f4c850c1feb5c96a614472582c3feae07de959db: not found"
    )
    create = (
        "failed to create containerd container: error unpacking image: failed to resolve rootfs: content digest "
        "sha256:6cf7c80fe4444767f63116e6855bf8c90bddde8ef63d3a2dc9b86c74989a4eb5: not found"
    )
    assert cause(pull) == "DAEMON_ERROR"
    assert causes(create) == []


def test_a_wording_the_tables_know_still_outranks_every_frame():
    assert cause('Error response from daemon: Get "https://a.example.com/v2/": net/http: TLS handshake timeout') == (
        "HTTP_TIMEOUT"
    )
    assert cause("Error response from daemon: manifest for a.example.com/ns/app:1 not found: manifest unknown") == (
        "TAG_NOT_FOUND"
    )
    # a daemon's own check of what an old client cannot accept stays no registry cause (C2)
    line = "Error response from daemon: mediaType in manifest should be 'application/vnd.docker.distribution.manifest.v2+json' not ''"
    assert causes(line) == []


def test_words_of_a_person_or_another_program_are_no_frame():
    assert causes("How do I read the output of Error response from daemon?") == []
    assert causes("Traceback (most recent call last):\n  File \"app.py\", line 3\nKeyError: 'code'") == []


@STRUCTURE
@given(width=st.sampled_from([100, 120, 132]), host=st.builds(lambda a: f"{a}.example.com", LABELS))
def test_a_line_indented_under_a_full_width_line_is_not_its_wrapped_tail(width, host):
    # a terminal goes on at the first column: "  Warning  Failed … Error: ErrImagePull" under a line that happens to
    # be 100 characters long is kubectl's next event, not the rest of that line
    head = f"pull of {host}/ns/app:1 stopped, the registry answered 400 Bad Request"
    line = head.replace("pull of", "pull of" + " " * (width - len(head)), 1)
    assert len(line) == width
    assert cause(f"{line}\n  Warning  Failed  2m3s (x4 over 5m31s)  kubelet  Error: ErrImagePull") == "SERVER_ERROR"


# --- whose request answered the status: the Engine API's. docker-py's requests.HTTPError ("%s Server Error for url:
#     %s", with http+docker:// URLs), a PHP client's Guzzle ("Client error: `%s %s` resulted in a `%s` response"),
#     docker/cli's "request returned %s for API route and version %s".

ENGINE_STATUS_FORMS = [
    "Can't install {path}:1: {code} Server Error for http+docker://localhost/v1.{v}/images/create?tag=1&fromImage={q}: {phrase}",
    "Failed to pull image, GuzzleException occur: Client error: `POST http://{daemon}:2375/v1.{v}/images/create?fromImage={q}` resulted in a `{code} {phrase}` response",
    "docker: request returned {code} {phrase} for API route and version http://%2F%2F.%2Fpipe%2FdockerDesktopLinuxEngine/v1.{v}/images/create, check if the server supports the requested API version",
]
# (a 404 the daemon answers to images/create is the registry's "not found" passed on: its own reading)
PHRASES = {400: "Bad Request", 500: "Internal Server Error", 502: "Bad Gateway", 504: "Gateway Time-out"}


@STRUCTURE
@given(
    form=st.sampled_from(ENGINE_STATUS_FORMS),
    code=st.sampled_from(sorted(PHRASES)),
    daemon=LABELS,
    path=PATHS,
    v=st.integers(19, 47),
)
def test_a_status_the_engine_api_answered_is_the_daemon(form, code, daemon, path, v):
    q = path.replace("/", "%2F")
    line = form.format(code=code, phrase=PHRASES[code], daemon=daemon, path=path, q=q, v=v)
    assert cause(line) == "DAEMON_ERROR"


def test_a_registry_answer_the_daemon_passes_on_stays_the_registrys():
    line = (
        "Can't install ns/app:1: 500 Server Error for http+docker://localhost/v1.43/images/create?tag=1&fromImage=ns%2Fapp: "
        'Internal Server Error ("Get "https://registry-1.docker.io/v2/": EOF")'
    )
    assert cause(line) == "SERVER_ERROR"


def test_the_daemons_answer_frame_is_a_registrys_only_in_a_pull_push_or_login():
    # a build's "Cannot locate specified Dockerfile" is the daemon's own answer, not a registry's (C2)
    assert causes("** 错误日志 **\nError response from daemon: Cannot locate specified Dockerfile: Dockerfile") == []
    assert cause("$ docker pull a.example.com/ns/app:1\nError response from daemon: missing signature key") == (
        "SERVER_ERROR"
    )


# --- other programs' output stays no cause: pip's urllib3 retries name getaddrinfo's own failure (socket.gaierror,
#     "[Errno -2] Name or service not known", macOS "nodename nor servname provided")


@STRUCTURE
@given(
    package=LABELS,
    err=st.sampled_from(
        [
            "gaierror(-2, 'Name or service not known')",
            "NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno 8] nodename nor servname provided, or not known')",
        ]
    ),
)
def test_pips_name_resolution_failure_inside_a_build_is_another_programs(package, err):
    paste = (
        "$ docker build -t app .\n"
        f"Retrying (Retry(total=3, connect=None, read=None, redirect=None)) after connection broken by "
        f"'ProtocolError('Connection aborted.', {err})': /simple/{package}/"
    )
    assert causes(paste) == []


# --- a login asks for no tag: a 404 in any status form while `docker login` is in force is the server's routing,
#     and the HTML page printed after the status line is that line's body, not an error of its own


@STRUCTURE
@given(host=HOSTS, user=LABELS)
def test_a_404_page_to_a_login_is_the_server_not_a_missing_tag(host, user):
    paste = (
        f"$ docker login {host}\nUsername: {user}\nPassword:\n"
        "Error response from daemon: Unexpected status code [404] : <html>\n"
        '<head><title>404 Not Found</title></head>\n<body bgcolor="white">\n'
        "<center><h1>404 Not Found</h1></center>\n<hr><center>nginx/1.9.3</center>\n</body>\n</html>"
    )
    assert cause(paste) == "SERVER_ERROR"


# --- whose request answered: the user's own, made by hand. "I click the url … and get a response like this" with the
#     JSON body pasted unfenced below it is a side test (a registry answers an anonymous GET /v2/ with 401), not the
#     login that failed above it


@STRUCTURE
@given(port=PORTS, verb=st.sampled_from(["click", "clicked", "open"]))
def test_a_json_body_a_request_by_hand_answered_is_a_side_test(port, verb):
    assume(port not in (2375, 2376))  # the Engine API's ports: a request there is the daemon's (its own test above)
    paste = (
        "$ docker login 127.0.0.1\n"
        f'Error response from daemon: Get "http://127.0.0.1:{port}/v2/": dial tcp 127.0.0.1:{port}: connect: connection refused\n'
        f'i {verb} the url "http://127.0.0.1:{port}/v2/" and get a response like this;\n'
        '{\n  "errors": [\n    {\n      "code": "UNAUTHORIZED",\n'
        '      "message": "access to the requested resource is not authorized",\n      "detail": null\n    }\n  ]\n}'
    )
    assert cause(paste) == "TCP_REFUSED"


# --- carried by a page or an editor: a Go error chain word-wrapped at 80 columns (textwrap breaks at spaces, and a
#     line that happens to fill the width is not a terminal's cut inside a word) reads as the chain does unwrapped.

WRAPPED_CHAINS = {
    'Error response from daemon: Get "https://{host}/v2/": proxyconnect tcp: dial tcp {ip}:3128: connect: no route to host': "PROXY_ERROR",
    'Error response from daemon: Get "https://{host}/v2/": proxyconnect tcp: dial tcp {ip}:8080: getsockopt: connection refused': "PROXY_ERROR",
    'Error response from daemon: Get "https://{host}/v2/": dial tcp: lookup {host} on {ip}:53: read udp 10.0.2.15:{port}->{ip}:53: i/o timeout': "DNS_TIMEOUT",
    'Error response from daemon: Get "https://{host}/v2/": dial tcp: lookup {host} on [::1]:53: read udp [::1]:{port}->[::1]:53: read: connection refused': "DNS_TIMEOUT",
}


@settings(max_examples=60, deadline=None)
@given(chain=st.sampled_from(sorted(WRAPPED_CHAINS)), pad=st.integers(0, 79), host=HOSTS, ip=IPV4, port=PORTS)
def test_a_go_chain_word_wrapped_at_80_columns_reads_as_unwrapped(chain, pad, host, ip, port):
    line = (
        "x" * pad + " " + chain.format(host=host, ip=ip, port=port)
        if pad
        else chain.format(host=host, ip=ip, port=port)
    )
    wrapped = "\n".join(textwrap.wrap(line, 80, break_long_words=True, break_on_hyphens=False))
    assert cause(line) == WRAPPED_CHAINS[chain]
    assert cause(wrapped) == WRAPPED_CHAINS[chain], wrapped


def test_a_full_width_word_wrapped_line_is_joined_with_its_space():
    # textwrap filled the first line to exactly 80 columns, ending at "to"; glued, "tofetch" is no wording
    head = 'ctr: failed to resolve reference "registry.example.com/my/app:latest": failed to'
    assert len(head) == 80
    paste = head + "\nfetch anonymous token: unexpected status: 403 Forbidden"
    r = explain(paste)
    assert r is not None and "failed to fetch anonymous token" in r["evidence"]


@STRUCTURE
@given(
    host=HOSTS,
    port=st.sampled_from([443, 5000, 8443]),
    end=st.sampled_from(["EOF", 'malformed HTTP response "\\x15\\x03\\x01\\x00\\x02\\x02"']),
)
def test_plain_http_spoken_to_a_tls_port_says_so_in_both_languages(host, port, end):
    # the cause's own texts are about the reverse (HTTPS spoken to a plain-HTTP server); for an http:// request the
    # answer must not tell the user the client spoke HTTPS
    r = explain(f'Error response from daemon: Get "http://{host}:{port}/v2/": {end}')
    assert r is not None and r["cause"] == "HTTP_NOT_HTTPS"
    assert "plain HTTP" in r["summary"]["en"] and "spoke HTTPS" not in r["summary"]["en"]
    assert "明文 HTTP" in r["summary"]["zh"] and "https://" in r["fix"]["en"] and "https://" in r["fix"]["zh"]
