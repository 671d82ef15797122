"""The log reader on the words of the programs around a registry (issue 11, ninth round): every TLS library's report of
a plain-HTTP answer, every Engine API client's report of a daemon it cannot reach, a registry client sent to the
daemon's port, and the daemon's message inside an Engine API client's status line.

Lines are built from the programs' format strings (hypothesis draws the variable parts), not from posts. Each test
failed on the code before its commit; the controls passed there too.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.logs import explain
from tests.harness.log_families import HOSTS, IPV4, PATHS, PORTS, cause

WRAPPERS = settings(max_examples=20, deadline=None)

# An HTTPS client that read a plain-HTTP answer as its first TLS record, in each TLS library's words
PLAIN_HTTP_RECORD = [
    "curl: (35) error:1408F10B:SSL routines:ssl3_get_record:wrong version number",  # OpenSSL 1.1 (control)
    "write EPROTO 140141695809344:error:1408F10B:SSL routines:ssl3_get_record:wrong version ",  # Node, cut
    "curl: (35) OpenSSL/3.0.2: error:0A00010B:SSL routines::packet length too long",  # OpenSSL 3
    "curl: (35) error:140770FC:SSL routines:SSL23_GET_SERVER_HELLO:unknown protocol",  # OpenSSL 1.0
    "Caused by SSLError(SSLError(1, '[SSL: UNKNOWN_PROTOCOL] unknown protocol (_ssl.c:600)'))",  # Python on 1.0
    "curl: (35) SSL received a record that exceeded the maximum permissible length.",  # NSS
    "curl: (35) gnutls_handshake() failed: An unexpected TLS packet was received.",  # GnuTLS
    "Error: error sending request for url (https://{h}:{p}/v2/): received corrupt message of type InvalidContentType",
    "The SSL connection could not be established, see inner exception. Cannot determine the frame size or a "
    "corrupted frame was received.",  # .NET SslStream
]


@WRAPPERS
@given(form=st.sampled_from(PLAIN_HTTP_RECORD), h=HOSTS, p=PORTS)
def test_every_tls_librarys_plain_http_record_reads_http_not_https(form, h, p):
    line = form.format(h=h, p=p)
    assert cause(f"docker login {h}:{p}\n{line}") == "HTTP_NOT_HTTPS"


def test_a_tls_version_both_sides_lack_is_not_a_plain_http_answer():
    # OpenSSL's `unsupported protocol` is a protocol version the server does not offer, not a non-TLS record
    line = "curl: (35) error:14077102:SSL routines:SSL23_GET_SERVER_HELLO:unsupported protocol"
    assert cause(f"curl https://reg.example.com/v2/\n{line}") != "HTTP_NOT_HTTPS"


@WRAPPERS
@given(h=HOSTS, other=HOSTS, form=st.integers(0, 2))
def test_every_tls_librarys_name_mismatch_reads_tls_hostname(h, other, form):
    line = [
        # Node tls.checkServerIdentity
        f"Error: Hostname/IP does not match certificate's altnames: Host: {h}. is not in the cert's altnames: DNS:{other}",
        # rustls (reqwest)
        f"error sending request for url (https://{h}/v2/): invalid peer certificate: NotValidForName",
        # .NET SslPolicyErrors
        f"The remote certificate is invalid according to the validation procedure: RemoteCertificateNameMismatch ({h})",
    ][form]
    assert cause(f"docker pull {h}/app:1\n{line}") == "TLS_HOSTNAME"


DAEMON_UNREACHABLE = [
    "Couldn't connect to Docker daemon at http+docker://localhost - is it running?",  # docker-compose v1
    "Couldn't connect to Docker daemon at http://{ip}:{p} - is it running?",
    "Couldn't connect to Docker daemon - you might need to run `docker-machine start default`.",
    "docker.errors.DockerException: Error while fetching server API version: ('Connection aborted.', "
    "FileNotFoundError(2, 'No such file or directory'))",  # docker-py
    "java.lang.IllegalStateException: Could not find a valid Docker environment. Please see logs and check "
    "configuration",  # Testcontainers
]


@WRAPPERS
@given(form=st.sampled_from(DAEMON_UNREACHABLE), ip=IPV4, p=PORTS)
def test_every_engine_api_clients_unreachable_daemon_reads_daemon_error(form, ip, p):
    line = form.format(ip=ip, p=p)
    assert cause(line) == "DAEMON_ERROR"
    assert cause(f"If it's at a non-standard location, specify the URL with the DOCKER_HOST variable.\n{line}") == (
        "DAEMON_ERROR"
    )


@WRAPPERS
@given(ip=IPV4, port=st.sampled_from([2375, 2376]), path=st.sampled_from(["/v2/", "/v1/_ping"]))
def test_a_registry_request_on_the_daemons_port_keeps_its_reason(ip, port, path):
    # fabric8's docker-maven-plugin with its registry set to the daemon's address: the registry ping's TLS failure
    line = f"[ERROR] ping attempt failed with error: Get https://{ip}:{port}{path}: x509: certificate signed by unknown authority"
    assert cause(line) == "TLS_UNTRUSTED"


@WRAPPERS
@given(ip=IPV4, port=st.sampled_from([2375, 2376]), path=st.sampled_from(["/_ping", "/v1.40/info", "/v1.24/version"]))
def test_an_engine_api_request_on_the_daemons_port_stays_the_daemons(ip, port, path):
    line = f'error during connect: Get "https://{ip}:{port}{path}": x509: certificate signed by unknown authority'
    assert cause(line) == "DAEMON_ERROR"


@WRAPPERS
@given(h=HOSTS, path=PATHS, tag=st.sampled_from(["1", "2023.2", "latest"]), status=st.sampled_from([500, 502]))
def test_the_daemons_message_in_a_docker_py_pull_error_is_the_registrys(h, path, tag, status):
    # docker-py APIError: "%s Server Error for %s: %s" + ' ("%s")' with the daemon's explanation (a Nexus refusal)
    ref = f"{h}%3A8193%2F{path.replace('/', '%2F')}"
    line = (
        f"{status} Server Error: Internal Server Error for url: http+docker://localhost/v1.45/images/create?tag={tag}"
        f'&fromImage={ref}: Internal Server Error ("unknown: Remote Auto Blocked until 2024-08-13T07:45:05.681Z")'
    )
    assert cause(line) == "SERVER_ERROR"


@pytest.mark.parametrize(
    "line",
    [
        # no explanation, or the Engine's own endpoint: the daemon answered the status itself
        "docker.errors.APIError: 500 Server Error for http+docker://localhost/v1.41/containers/create: Internal "
        'Server Error ("invalid mount config")',
        "500 Server Error: Internal Server Error for url: http+docker://localhost/v1.41/images/create?fromImage=a",
    ],
)
def test_the_daemons_own_status_stays_the_daemons(line):
    assert cause(line) == "DAEMON_ERROR"


# A cloud API's status code in its CLI's or SDK's wrapper, with a message that names no cause of its own
CLOUD_API_CODES = [
    ("ERROR: (gcloud.{cmd}) UNAVAILABLE: The service is currently unavailable.", "SERVER_ERROR"),
    ("ERROR: (gcloud.{cmd}) INTERNAL: An internal error occurred.", "SERVER_ERROR"),
    ("ERROR: (gcloud.{cmd}) DEADLINE_EXCEEDED: The request was not completed in time.", "HTTP_TIMEOUT"),
    ("ERROR: (gcloud.{cmd}) RESOURCE_EXHAUSTED: Resource has been exhausted (e.g. check quota).", "RATE_LIMITED"),
    (
        '{{"error": {{"code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE"}}}}',
        "SERVER_ERROR",
    ),
    ("An error occurred (ThrottlingException) when calling the {op} operation: Rate exceeded", "RATE_LIMITED"),
    (
        "An error occurred (ServiceUnavailableException) when calling the {op} operation: Service Unavailable",
        "SERVER_ERROR",
    ),
    (
        "operation error ECR: {op}, https response error StatusCode: 500, RequestID: {rid}, api error ServerException: x",
        "SERVER_ERROR",
    ),
    ("(Service: AmazonECR; Status Code: 400; Error Code: ThrottlingException; Request ID: {rid})", "RATE_LIMITED"),
]


@WRAPPERS
@given(
    form=st.sampled_from(CLOUD_API_CODES),
    cmd=st.sampled_from(["run.deploy", "builds.submit", "artifacts.docker.images.list", "auth.configure-docker"]),
    op=st.sampled_from(["GetAuthorizationToken", "BatchGetImage", "DescribeImages", "PutImage"]),
    rid=st.uuids().map(str),
)
def test_a_cloud_apis_status_code_in_its_wrapper_names_the_cause(form, cmd, op, rid):
    line, want = form
    assert cause(line.format(cmd=cmd, op=op, rid=rid)) == want


def test_a_sentence_with_the_codes_words_is_no_cloud_answer():
    assert cause("I see an internal error in the unavailable docs") is None


@WRAPPERS
@given(h=HOSTS, path=PATHS, quote=st.sampled_from(["'", '"', ""]))
def test_a_reference_with_an_empty_tag_is_a_malformed_name(h, path, quote):
    # docker-compose v1 with `image: reg/ns/app:${TAG}` and TAG unset ("Defaulting to a blank string"), then
    # `ERROR: for svc  Image 'reg/ns/app:' not found`
    assert cause(f"ERROR: for app  Image {quote}{h}/{path}:{quote} not found") == "NAME_INVALID"
    assert cause(f"ERROR: for app  Image {h}/{path}:1 not found") == "TAG_NOT_FOUND"


@WRAPPERS
@given(port=PORTS, user=st.sampled_from(["user", "root", "core"]), local=st.sampled_from(["localhost", "127.0.0.1"]))
def test_a_refused_connection_to_the_engines_own_address_is_the_engines(port, user, local):
    # podman machine: the VM's ssh endpoint, named in `podman system connection list`, refuses
    listing = f"podman-machine-default  ssh://{user}@localhost:{port}/run/user/1000/podman/podman.sock  false"
    line = f"ssh: connect to host {local} port {port}: Connection refused"
    assert cause(f"{listing}\n$ podman machine ssh\n{line}") == "DAEMON_ERROR"
    assert cause(line) == "TCP_REFUSED"  # no engine address named: the connection's own cause


@WRAPPERS
@given(engine=IPV4, registry=IPV4, port=PORTS)
def test_a_refused_registry_beside_a_remote_engine_stays_the_registrys(engine, registry, port):
    paste = (
        f"export DOCKER_HOST=tcp://{engine}:2376\ndocker pull {registry}:{port}/app:1\n"
        f'Error response from daemon: Get "https://{registry}:{port}/v2/": dial tcp {registry}:{port}: connect: '
        "connection refused"
    )
    if engine != registry:
        assert cause(paste) == "TCP_REFUSED"
    engine_down = paste.replace(f"{registry}:{port}: connect", f"{engine}:2376: connect")
    assert cause(engine_down) == "DAEMON_ERROR"


# Azure CLI's registry checks (acr/_errors.py: "An error occurred: TITLE\nMESSAGE", with a timestamp)
AZ_CHECKS = [
    ("CONNECTIVITY_CHALLENGE_ERROR", "Registry '{r}' did not issue a challenge.", "SERVER_ERROR"),
    (
        "CONNECTIVITY_WWW_AUTHENTICATE_ERROR",
        "Registry '{r}' did not ask properly for a basic or a bearer authentication.",
        "SERVER_ERROR",
    ),
    (
        "CONNECTIVITY_DNS_ERROR",
        "Failed to reach DNS for registry '{r}'. Please check if the spelling is correct, if the CLI environment is on correct cloud and your network connectivity.",
        "DNS_NXDOMAIN",
    ),
    (
        "CONNECTIVITY_SSL_ERROR",
        "Unable to establish a secure connection to the registry '{r}'. Are you using a proxy server?",
        "TLS_UNTRUSTED",
    ),
    ("DOCKER_DAEMON_ERROR", "Please verify if Docker daemon is running, or try restarting it.", "DAEMON_ERROR"),
]


@WRAPPERS
@given(check=st.sampled_from(AZ_CHECKS), name=st.sampled_from(["myacr", "readitpravacr", "acr01"]))
def test_azure_clis_registry_checks_name_their_cause(check, name):
    title, message, want = check
    r = f"{name}.azurecr.io"
    unreachable = (
        f"Could not connect to the registry login server '{r}'. Please verify that the registry exists and the URL "
        f"'https://{r}/v2/' is reachable from your environment."
    )
    report = f"2024-05-18 06:54:20.208894 An error occurred: {title}\n{message.format(r=r)}"
    assert cause(report) == want
    # the login's generic "could not connect" above the health check's code: the code decides
    assert cause(f"az acr login --name {name}\n{unreachable}\naz acr check-health -n {name} --yes\n{report}") == want
    # alone, the challenge GET that found no server: a name that does not resolve first
    assert cause(unreachable) == "DNS_NXDOMAIN"
    # the health check's passing lines are no failure
    assert cause(f"Docker daemon status: available\nDNS lookup to {r} at IP 20.62.128.0 : OK") is None


@WRAPPERS
@given(
    root=st.sampled_from(
        [
            "/var/lib/docker/tmp/GetImageBlob521495043",
            "/var/lib/containerd/io.containerd.content.v1.content/ingest/x/data",
        ]
    ),
    err=st.sampled_from(["read-only file system", "no space left on device", "input/output error"]),
    op=st.sampled_from(["open", "write", "rename"]),  # (a line that opens with `mkdir` reads as a typed command)
)
def test_an_os_error_under_the_engines_data_root_is_the_engines(root, err, op):
    paste = (
        "docker pull mcr.microsoft.com/devcontainers/rust:1\n7f4473b57e81: Retrying in 1 second\n"
        f"{op} {root}: {err}\nError: No such image: mcr.microsoft.com/devcontainers/rust:1"
    )
    assert cause(paste) == "DAEMON_ERROR"


@WRAPPERS
@given(h=HOSTS, path=PATHS, err=st.sampled_from(["Try again", "Non-recoverable error"]))
def test_the_c_resolvers_own_words_after_a_lookup_are_the_dns_servers(h, path, err):
    # Go's cgo resolver prints gai_strerror after `lookup NAME:` (musl: EAI_AGAIN "Try again", EAI_FAIL
    # "Non-recoverable error"); k3s/alpine nodes print it inside containerd's chain
    line = (
        f'failed to resolve reference "{h}/{path}:1": failed to do request: Head https://{h}/v2/{path}/manifests/1: '
        f"dial tcp: lookup {h}: {err}"
    )
    assert cause(line) == "DNS_TIMEOUT"


@WRAPPERS
@given(h=HOSTS, path=PATHS, digest=st.text(alphabet="0123456789abcdef", min_size=20, max_size=40))
def test_a_status_cut_off_after_its_url_is_the_registrys_unknown_answer(h, path, digest):
    # containerd's "unexpected status code %s: %s" shortened by a console after the URL (ECS CannotPullContainerError)
    line = (
        "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReaderSeeker: failed "
        f"open: unexpected status code https://{h}/v2/{path}/manifests/sha256:{digest}..."
    )
    assert cause(line) == "SERVER_ERROR"
    assert cause(line.replace("...", ": 429 Too Many Requests")) == "RATE_LIMITED"  # the code, when it is there


@WRAPPERS
@given(proxy=IPV4, port=PORTS, h=HOSTS, var=st.sampled_from(["HTTPS_PROXY", "http_proxy", "ALL_PROXY"]))
def test_a_refused_connection_to_the_named_proxy_is_the_proxys(proxy, port, h, var):
    setting = f"export {var}=http://{proxy}:{port}"
    line = f'Error response from daemon: Get "https://{h}:{port}/v2/": dial tcp {proxy}:{port}: connect: connection refused'
    assert cause(f"{setting}\ndocker pull {h}:{port}/app:1\n{line}") == "PROXY_ERROR"
    assert cause(f"docker pull {h}:{port}/app:1\n{line}") == "TCP_REFUSED"  # no proxy named: the registry's port
    # minikube's own wording of the same
    assert cause(f'docker-env="{var.lower()}=http://{proxy}:{port}": connect: connection refused') == "PROXY_ERROR"


@pytest.mark.parametrize(
    "account, want",
    [
        ("While a second later, the same push triggered a success replication.", "SERVER_ERROR"),
        ("Now I have to retry so many times before I succeed.", "SERVER_ERROR"),
        ("A few minutes later the same pull worked.", "SERVER_ERROR"),
        # a retry that never succeeds, or one after a change, tells no intermittency
        ("I retried three times but it never succeeded.", "TAG_NOT_FOUND"),
        ("I retried with another tag.", "TAG_NOT_FOUND"),
    ],
)
def test_a_retry_that_succeeds_with_nothing_changed_is_the_servers_side(account, want):
    # C4a: a not-found that comes and goes with retries alone is the server's (Harbor replication on slow storage)
    paste = (
        "[ERROR] [transfer.go:363]: an error occurred while pulling manifest of ns/app:6.2.1 from http://registry-1:5000: "
        '404 {"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"6.2.1"}}]}'
    )
    assert cause(f"{paste}\n\n{account}") == want


CONNECT_TIMEOUT_WORDS = [
    # urllib3 (requests; az acr login, docker-compose v1, ansible): the connect phase timed out
    "HTTPSConnectionPool(host='{h}', port=443): Max retries exceeded with url: /v2/ (Caused by "
    "ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f3>, 'Connection to {h} timed out. "
    "(connect timeout=30)'))",
    "HTTPSConnectionPool(host='{h}', port=443): Max retries exceeded with url: /v2/ (Caused by NewConnectionError("
    "'<urllib3.connection.VerifiedHTTPSConnection object at 0x0595E9D0>: Failed to establish a new connection: "
    "[WinError 10060] A connection attempt failed because the connected party did not properly respond after a "
    "period of time, or established connection failed because connected host has failed to respond',))",
    "HTTPSConnectionPool(host='{h}', port=443): Max retries exceeded with url: /v2/ (Caused by NewConnectionError("
    "'<urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno 110] "
    "Connection timed out'))",
]


@WRAPPERS
@given(form=st.sampled_from(CONNECT_TIMEOUT_WORDS), h=HOSTS)
def test_a_connect_timeout_in_pythons_and_windows_words_is_tcp_timeout(form, h):
    assert cause(f"az acr login --name x\n{form.format(h=h)}") == "TCP_TIMEOUT"


def test_a_read_timeout_on_an_open_connection_stays_http_timeout():
    # Go's `wsarecv:` is a read on an open connection; urllib3's ReadTimeoutError likewise
    read = (
        'Get "https://reg.example.com/v2/": read tcp 10.0.0.2:5000->10.0.0.1:443: wsarecv: A connection attempt '
        "failed because the connected party did not properly respond after a period of time"
    )
    assert cause(read) == "HTTP_TIMEOUT"


def test_a_documentation_link_a_tool_prints_is_not_the_registry():
    # azure-cli ends its check-health report with a short link to its error reference (aka.ms): diagnosing that host
    # would send the user's diagnosis to a link shortener
    paste = (
        "2024-02-29 08:40:43.803982 An error occurred: CONNECTIVITY_CHALLENGE_ERROR\n"
        "Registry 'acrx.azurecr.io' did not issue a challenge.\n\n"
        "Please refer to https://aka.ms/acr/errors#connectivity_challenge_error for more information."
    )
    r = explain(paste)
    assert r is not None and r["cause"] == "SERVER_ERROR"
    assert r["host"] != "aka.ms" and "aka.ms" not in (r["diagnose"] or "")


@WRAPPERS
@given(h=HOSTS, path=PATHS, tag=st.sampled_from(["0.1.11", "latest", "v2"]))
def test_a_not_found_before_the_anonymous_retrys_401_for_the_same_reference_decides(h, path, tag):
    # Azure App Service pulls with its credentials, then again without them (Docker.DotNet's DockerApiException)
    not_found = (
        'ERROR - DockerApiException: Docker API responded with status code=NotFound, response={"message":"manifest '
        f'for {h}/{path}:{tag} not found: manifest unknown: manifest tagged by {tag} is not found"}}'
    )
    refused = (
        'ERROR - DockerApiException: Docker API responded with status code=InternalServerError, response={"message":'
        f'"Head https://{h}/v2/{path}/manifests/{tag}: unauthorized: authentication required"}}'
    )
    paste = f"INFO  - Pulling image: {h}/{path}:{tag}\n{not_found}\n\n{refused}\nWARN  - Image pull failed."
    assert cause(paste) == "TAG_NOT_FOUND"
    # another reference's not-found says nothing about this 401
    other = paste.replace(f"{path}:{tag} not found", f"{path}x:{tag} not found")
    assert cause(other) in ("CREDENTIALS_MISSING", "CREDENTIALS_INVALID")
