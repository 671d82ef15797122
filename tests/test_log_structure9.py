"""The log reader's structure (issue 11, eighth round): lines that are no registry's answer by their own format (a
shell that could not find a command, the Engine's lookup of an image ID, BuildKit waiting for its client), and a
message a UI shortened with an ellipsis.

Lines are built from the programs' format strings with hypothesis drawing the variable parts. Each test failed on
the code before its commit.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.harness.log_families import HOSTS, IPV4, LABELS, PATHS, PORTS, cause

STRUCTURE = settings(max_examples=25, deadline=None)

FLAGS = st.sampled_from(["-e", "-p", "-v", "--restart=unless-stopped", "--name", "-d", "--network=host"])

# busybox ash, dash, bash, zsh and cmd.exe reporting a command they could not find
SHELL_NOT_FOUND = [
    "-ash: {w}: not found",
    "sh: {n}: {w}: not found",
    "/bin/sh: {n}: {w}: not found",
    "bash: {w}: command not found",
    "bash: line {n}: {w}: command not found",
    "zsh: command not found: {w}",
    "'{w}' is not recognized as an internal or external command,",
]


@STRUCTURE
@given(form=st.sampled_from(SHELL_NOT_FOUND), w=FLAGS, n=st.integers(1, 300), path=PATHS)
def test_a_shell_that_could_not_find_a_command_is_no_registry_answer(form, w, n, path):
    # a `docker run` whose continuation backslash was lost: the shell ran each flag line as a command
    # (cloudreve#332 printed "docker: invalid reference format." above "-ash: --restart=unless-stopped: not found")
    line = form.format(w=w, n=n)
    assert cause(line) is None
    paste = f"docker run -d \\\n  {path}:latest\ndocker: invalid reference format.\nSee 'docker run --help'.\n{line}\n"
    assert cause(paste) == "NAME_INVALID"


def test_a_registrys_not_found_still_reads_beside_a_shell_line():
    paste = "bash: jq: command not found\nError response from daemon: manifest for a/b:c not found: manifest unknown"
    assert cause(paste) == "TAG_NOT_FOUND"


@STRUCTURE
@given(image_id=st.text(alphabet="0123456789abcdef", min_size=12, max_size=12), form=st.integers(0, 2))
def test_the_engine_looking_up_an_image_id_is_a_local_lookup(image_id, form):
    # docker-modem (balena-cli, dockerode): "(HTTP code 404) no such image - no such image: ID: No such image: ID:latest";
    # an image ID is never a name a registry is asked for (moby "No such image: %s")
    line = [
        f"[Error]  An error occured: (HTTP code 404) no such image - no such image: {image_id}: No such image: {image_id}:latest",
        f"Error response from daemon: No such image: {image_id}",
        f"Error response from daemon: No such image: sha256:{image_id * 5}{image_id[:4]}",
    ][form]
    assert cause(line) is None


@STRUCTURE
@given(path=PATHS, tag=LABELS)
def test_a_missing_named_image_is_still_read_as_before(path, tag):
    assert cause(f"Error response from daemon: No such image: {path}:{tag}") == "REPO_NOT_FOUND"


@STRUCTURE
@given(
    session=LABELS, wrapper=st.sampled_from(["failed to solve with frontend dockerfile.v0: ", "error building: ", ""])
)
def test_buildkit_waiting_for_its_clients_session_is_the_builder(session, wrapper):
    line = f"Error {wrapper}failed to create LLB definition: no active session for {session}: context deadline exceeded"
    assert cause(line) == "DAEMON_ERROR"


NET_ERRORS = {
    "connect: network is unreachable": "TCP_TIMEOUT",
    "connect: connection refused": "TCP_REFUSED",
    "i/o timeout": "TCP_TIMEOUT",
}


@STRUCTURE
@given(
    host=HOSTS,
    ip=IPV4,
    port=PORTS,
    err=st.sampled_from(sorted(NET_ERRORS)),
    keep=st.integers(2, 5),
    mark=st.sampled_from(["...", "\u2026"]),
    after=st.sampled_from(["", "\n![screenshot](https://example.org/a.png)"]),
)
def test_a_message_a_ui_shortened_with_an_ellipsis_reads_as_the_whole(host, ip, port, err, keep, mark, after):
    # CasaOS#2006: "…dial tcp [2600:…]:443: connect: network is unr..." under "When I click install"
    whole = f'Error response from daemon: Get "https://{host}:{port}/v2/": dial tcp {ip}:{port}: {err}'
    cut = whole[: len(whole) - len(err.split()[-1]) + keep]  # inside the last word
    assert cause("When I click install, the following error message appears.\n" + cut + mark + after) == NET_ERRORS[err]


def test_an_ellipsis_after_a_whole_sentence_is_no_cut():
    assert cause("I tried again and again...") is None


@STRUCTURE
@given(
    image=PATHS,
    args=st.lists(
        st.sampled_from(
            [
                "--mount=type=bind,src=/var/run/docker.sock,dst=/var/run/docker.sock",
                "-v /var/run/docker.sock:/var/run/docker.sock",
                "--publish=8000:8080/tcp",
                "--constraint=node.role==manager",
                "-e DOCKER_HOST=unix:///var/run/docker.sock",
            ]
        ),
        min_size=1,
        max_size=4,
    ),
    command=st.sampled_from(["docker service create", "$ docker run -d", "docker stack deploy"]),
)
def test_the_arguments_of_a_command_typed_over_several_lines_are_no_output(image, args, command):
    # docker/for-mac#2049: the `--mount=…docker.sock…` argument read as "Cannot connect to the Docker daemon"
    typed = " \\\n  ".join([command, *args, f"{image}:latest"])
    warning = f"image {image}:latest could not be accessed on a registry to record\nits digest."
    assert cause(f"{typed}\n\nI got the following error:\n\n{warning}\n") is None
    # what the command printed still decides
    assert cause(f"{typed}\nError response from daemon: manifest for {image}:latest not found: manifest unknown") == (
        "TAG_NOT_FOUND"
    )


@STRUCTURE
@given(host=HOSTS, src=IPV4, dst=IPV4, sport=PORTS, status=st.sampled_from(["500", "502"]))
def test_a_line_opening_with_the_chains_separator_goes_on_the_line_above(host, src, dst, sport, status):
    # Harbor around trivy (trivy#1908): trivy's error text ended with a newline, Harbor appended ": general response
    # handler: unexpected status code: 500" on the next line; the deepest reason is the reset
    paste = (
        f'FATAL DB error: failed to download vulnerability DB: OCI repository error: Get "https://{host}/v2/": '
        f"read tcp {src}:{sport}->{dst}:443: read: connection reset by peer\n"
        f": general response handler: unexpected status code: {status}, expected: 200"
    )
    assert cause(paste) == "TCP_REFUSED"


@STRUCTURE
@given(
    host=HOSTS,
    src=IPV4,
    peer=IPV4,
    sport=PORTS,
    pport=st.sampled_from([1080, 1081, 3128, 7890, 8080, 10809]),
    form=st.sampled_from(
        [
            "read tcp {src}:{sport}->{peer}:{pport}: read: connection reset by peer",
            "dial tcp {peer}:{pport}: connect: connection refused",
            "dial tcp {peer}:{pport}: i/o timeout",
        ]
    ),
)
def test_a_connection_to_another_port_than_the_urls_went_to_an_intermediary(host, src, peer, sport, pport, form):
    # DockerTarBuilder#51: `Get "https://registry-1.docker.io/v2/": read tcp 10.10.10.229:48710->10.10.10.11:1081: …`;
    # DNS answers addresses, never ports: the peer on 1081 is the proxy the daemon was told to use
    err = form.format(src=src, sport=sport, peer=peer, pport=pport)
    assert cause(f'Error response from daemon: Get "https://{host}/v2/": {err}') == "PROXY_ERROR"


@STRUCTURE
@given(host=HOSTS, peer=IPV4, port=PORTS)
def test_a_connection_to_the_urls_own_port_stays_the_network_cause(host, peer, port):
    assert cause(
        f'Error response from daemon: Get "https://{host}/v2/": dial tcp {peer}:443: connect: connection refused'
    ) == ("TCP_REFUSED")
    assert (
        cause(f'Get "https://{host}:{port}/v2/": dial tcp {peer}:{port}: connect: connection refused') == "TCP_REFUSED"
    )
    # an address or localhost in the URL: its port is the peer's, nothing to compare
    assert cause(f'Get "http://localhost:{port}/v2/": dial tcp 127.0.0.1:{port}: connect: connection refused') == (
        "TCP_REFUSED"
    )


@STRUCTURE
@given(
    host=st.sampled_from(["ghcr.io", "registry-1.docker.io", "quay.io", "ccr.ccs.tencentyun.com"]),
    port=st.sampled_from([443, 5000, 80]),
    ms=st.integers(1000, 300000),
)
def test_curls_connect_phase_timeout_is_a_tcp_timeout(host, port, ms):
    # curl lib/connect.c "Failed to connect to %s port %u after %ld ms: %s" under CURLE_OPERATION_TIMEDOUT (28), to a
    # registry (curl to another host is another program's download, as before)
    line = f"curl: (28) Failed to connect to {host} port {port} after {ms} ms: Couldn't connect to server"
    assert cause(line) == "TCP_TIMEOUT"
    # the user's sentence above it that names a timeout does not outrank the program's line
    paste = (
        "Network seems to be degrading, with a large proportion of all requests ending with i/o timeout.\n\n"
        f"Something as simple as\n`curl https://{host}/v2/a/b/manifests/1`\n\nWill fail with:\n\n```\n{line}\n```"
    )
    assert cause(paste) == "TCP_TIMEOUT"


@STRUCTURE
@given(path=PATHS, verb=st.sampled_from(["Get", "Head", "Post"]))
def test_a_request_url_without_a_host_is_a_name_the_client_could_not_read(path, verb):
    # net/http: "http: no Host in request URL" (moby#34975: an image name whose registry part had an underscore)
    assert cause(
        f"Error response from daemon: {verb} https:///v2/{path}/manifests/latest: http: no Host in request URL"
    ) == ("NAME_INVALID")


X509_REASONS = [
    "certificate is not authorized to sign other certificates",
    "too many intermediates for path length constraint",
    "certificate specifies an incompatible key usage",
    "issuer name does not match subject from issuing certificate",
    "unhandled critical extension",
    "cannot verify signature: insecure algorithm SHA1-RSA (temporarily override with GODEBUG=x509sha1=1)",
]


@STRUCTURE
@given(host=HOSTS, reason=st.sampled_from(X509_REASONS), verify=st.booleans())
def test_every_reason_go_refuses_a_chain_for_is_an_untrusted_certificate(host, reason, verify):
    # crypto/x509 CertificateInvalidError and the parse/verify errors: "not authorized" there is the certificate's
    prefix = "tls: failed to verify certificate: " if verify else ""
    assert cause(f'Error response from daemon: Get "https://{host}/v2/": {prefix}x509: {reason}') == "TLS_UNTRUSTED"


@STRUCTURE
@given(host=HOSTS, n=st.sampled_from([10, 20]))
def test_a_redirect_loop_is_the_servers(host, n):
    assert cause(f'Error response from daemon: Get "https://{host}/v2/": stopped after {n} redirects') == "SERVER_ERROR"


@STRUCTURE
@given(
    new=st.sampled_from(["1.41", "1.43", "1.45"]),
    old=st.sampled_from(["1.24", "1.40"]),
    form=st.sampled_from(
        [
            "Error response from daemon: client version {new} is too new. Maximum supported API version is {old}",
            "Error response from daemon: client version {old} is too old. Minimum supported API version is {new}, "
            "please upgrade your client to a newer version",
        ]
    ),
)
def test_a_cli_and_daemon_of_different_api_versions_is_the_daemon(new, old, form):
    assert cause("$ docker pull alpine\n" + form.format(new=new, old=old)) == "DAEMON_ERROR"


def test_a_64_hex_name_is_an_invalid_name():
    assert cause("docker: Error parsing reference: " + "a" * 64 + ": cannot specify 64-byte hexadecimal strings") == (
        "NAME_INVALID"
    )


@STRUCTURE
@given(
    host=HOSTS,
    path=PATHS,
    err=st.sampled_from(["dial tcp: i/o timeout", "dial tcp 10.0.0.9:443: connect: connection timed out"]),
)
def test_a_reverse_proxys_log_of_its_upstream_failure_reads_the_upstream_reason(host, path, err):
    # Go httputil.ReverseProxy logs "http: proxy error: %v" (dragonfly's dfdaemon in front of a registry): the reason
    # decides (C5); "context canceled" there is a client that went away
    paste = (
        f"$ docker pull {host}/{path}\n"
        "2017/12/12 18:21:28 http: proxy error: context canceled\n"
        f"2017/12/12 18:21:36 http: proxy error: {err}\n"
        "2017/12/12 18:21:37 http: proxy error: context canceled"
    )
    assert cause(paste) == "TCP_TIMEOUT"


@STRUCTURE
@given(
    host=HOSTS,
    path=PATHS,
    err=st.sampled_from(
        [
            'Get "https://{h}/v2/": read tcp 10.0.0.2:40000->1.2.3.4:443: read: connection reset by peer',
            "Error response from daemon: received unexpected HTTP status: 403 Forbidden",
        ]
    ),
    said=st.sampled_from(
        [
            "don't know why it hits this error if use proxy.",
            "It returns this when I set http_proxy to the daemon.",
            "But when I remove http_proxy, docker pull is back to normal.",
        ]
    ),
)
def test_a_failure_the_user_ties_to_the_proxy_setting_is_the_proxy(host, path, err, said):
    paste = f"```\n$ docker pull {host}/{path}\n{err.format(h=host, p=path)}\n```\n{said}"
    assert cause(paste) == "PROXY_ERROR"


@STRUCTURE
@given(host=HOSTS)
def test_a_proxy_the_user_configured_for_another_program_is_not_the_failures(host):
    # knative#… (tuning r8): "I configured Docker to use a proxy server. Docker can pull the image normally, but ksvc
    # can't": the old rule keeps its narrow refinement (SERVER_ERROR only)
    paste = (
        f'Get "https://{host}/v2/": dial tcp 1.2.3.4:443: connect: connection refused\n'
        "But I configured Docker to use a proxy server. Docker can pull the image normally."
    )
    assert cause(paste) == "TCP_REFUSED"


@STRUCTURE
@given(
    host=IPV4,
    path=PATHS,
    words=st.sampled_from(["Item {p}/_uploads/4dbcbcde does not exist", "Repository {p} is locked", "Stream reset"]),
    head=st.sampled_from(
        [
            "BuildStepsExecutionException: Tried to push BLOB for {h}/{p} with digest sha256:8a1d but failed because",
            "Error",
        ]
    ),
)
def test_the_registrys_unknown_errcode_in_a_clients_chain_is_the_server(host, path, words, head):
    # distribution errcode UNKNOWN "unknown: %s" with a message no wording names (jib#3281, Artifactory)
    line = head.format(h=host, p=path) + ": unknown: " + words.format(p=path)
    assert cause(line) == "SERVER_ERROR"


@STRUCTURE
@given(
    path=PATHS,
    said=st.sampled_from(
        [
            "This works a lot of the time but not all the time.",
            "It works most of the time, it's just flaky.",
            "The scan is hit or miss with the same secret.",
            "It fails only some of the time with the same config.",
        ]
    ),
)
def test_a_refusal_the_user_says_comes_and_goes_is_the_server(path, said):
    # C4(a): credentials that work at other times are not wrong (fluxcd image-reflector-controller, tuning r8)
    paste = (
        f"I have valid credentials in an image pull secret.\n\n{said}\n\n```\n"
        f"scan failed: GET https://auth.docker.io/token?scope=repository:{path}:pull&service=registry.docker.io: "
        'unexpected status code 401 Unauthorized: {"details":"incorrect username or password"}\n```'
    )
    assert cause(paste) == "SERVER_ERROR"


@STRUCTURE
@given(
    user=LABELS,
    info=st.sampled_from(
        [
            "- Host: unix:///Users/{u}/.orbstack/run/docker.sock",
            "default *   Current DOCKER_HOST based configuration   unix:///var/run/docker.sock",
            "desktop-linux   Docker Desktop   unix:///home/{u}/.docker/desktop/docker.sock",
        ]
    ),
)
def test_a_line_that_only_names_the_daemons_socket_is_no_daemon_failure(user, info):
    # tilt#6218: tilt's environment summary printed "- Host: unix:///…/docker.sock" above the push's refusal
    paste = (
        info.format(u=user) + "\nTilt attempts to push image to docker.io and fails with "
        '"requested access to the resource is denied".'
    )
    assert cause(paste) != "DAEMON_ERROR"
    assert cause(info.format(u=user)) is None


@STRUCTURE
@given(user=LABELS)
def test_a_socket_in_a_failure_is_still_the_daemon(user):
    for line in [
        f"Cannot connect to the Docker daemon at unix:///Users/{user}/.orbstack/run/docker.sock. Is the docker daemon running?",
        "dial unix /run/user/1000/podman/podman.sock: connect: no such file or directory",
    ]:
        assert cause(line) == "DAEMON_ERROR"


def test_a_users_sentence_is_not_joined_to_a_line_opening_with_the_separator():
    # faq_tune: "… run this command : docker run … ndtar" then ": docker: Error response from daemon: …"
    from knowledge.logs import explain

    r = explain(
        "I am facing this error  when I tries to run this command : docker run --rm -v $(pwd):/tmp ndtar\n"
        ": docker: Error response from daemon: pull access denied for ndtar, repository does not exist or may "
        "require 'docker login'."
    )
    assert r is not None and not r["evidence"].startswith("I am facing")
