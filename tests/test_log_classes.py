"""Pasted logs, sixth round (issue 11: generalise). Each test stands for a class of reading failure found among the
misses on the seen round-5 half (/work/notes/seen/logs_blind_r1-r5.jsonl), grouped by why the reader failed, not by
the words of one post: how a page or a logger carried the output, whose endpoint a request went to, which link of a
chain decides, work on the machine's own store, and what the user's sentences tell. Lines are built from the tools'
format strings with their variable parts (hypothesis draws them); a control beside each class keeps the reading it
must not take away.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.logs.rules import load_rules
from tests.harness.log_families import HOSTS, IPV4, LABELS, PATHS, cause

CLASS = settings(max_examples=20, deadline=None)

# --- carrying: loggers and pages --------------------------------------------------------------------------------


@CLASS
@given(sign=st.sampled_from("+-"), hours=st.integers(0, 12), host=HOSTS, path=PATHS)
def test_a_stamp_with_an_hours_only_zone_is_removed_and_a_failure_logged_at_debug_outranks_chatter(
    sign, hours, host, path
):
    # watchtower logs RFC 3339 stamps with an hours-only zone ("2023-12-01T21:46:27-08") and "[D]" / "[I]" levels; the
    # failure it logs at debug level outranks a later debug note about credentials
    stamp = f"2023-12-01T21:46:27{sign}{hours:02d}"
    paste = (
        f"{stamp} [D] Error pulling image {host}/{path}:latest, Error response from daemon: "
        f'Get "https://{host}/v2/": dial tcp: lookup {host} on 192.168.1.1:53: no such host\n'
        f"{stamp} [D] Trying to load authentication credentials.\n"
        f"{stamp} [D] No credentials for {host} found\n"
    )
    assert cause(paste) == "DNS_NXDOMAIN"


def test_a_fence_opened_and_closed_on_one_line_does_not_fence_what_follows():
    # "```docker pull …```" on one line is a quoted command, not the start of a block: the user's sentence after the
    # output is still read as theirs
    paste = (
        "```docker pull reg.example.com/ns/app:1```\n"
        "Error response from daemon: received unexpected HTTP status: 503 Service Unavailable\n"
        "We pull through our corporate proxy.\n"
    )
    assert cause(paste) == "PROXY_ERROR"


@CLASS
@given(host=HOSTS, status=st.sampled_from(["Forbidden", "Bad Gateway", "Service Unavailable"]))
def test_a_proxy_status_after_a_url_broken_before_its_last_slash_and_ended_with_a_period(host, status):
    assert cause(f"Error response from daemon: Get https://{host}/v2 /: {status}.") == "PROXY_ERROR"


# --- whose endpoint the request went to ------------------------------------------------------------------------


@CLASS
@given(
    addr=IPV4,
    port=st.sampled_from([2375, 2376]),
    path=st.sampled_from(["_ping", "v1.41/images/create?fromImage=x", "v1.40/auth"]),
    err=st.sampled_from(
        [
            "dial tcp {a}:{p}: i/o timeout",
            "dial tcp {a}:{p}: connect: connection refused",
            "EOF",
            "net/http: TLS handshake timeout",
        ]
    ),
    verb=st.sampled_from(["Get", "Post", "Head"]),
)
def test_a_request_to_the_engine_api_is_the_daemon_not_a_registry(addr, port, path, err, verb):
    # docker/cli pings GET /_ping, then calls /v1.NN/…; 2375/2376 are the daemon's TCP ports
    line = f'ERROR: {verb} "http://{addr}:{port}/{path}": {err.format(a=addr, p=port)}'
    assert cause(line) == "DAEMON_ERROR", line


@CLASS
@given(host=HOSTS)
def test_a_v1_registrys_ping_and_a_typed_daemon_address_are_not_the_engine_api(host):
    assert cause(f'Get "https://{host}/v1/_ping": dial tcp 10.0.0.9:443: i/o timeout') == "TCP_TIMEOUT"
    assert cause(f"$ docker -H tcp://10.0.0.9:2375 pull {host}/ns/app:1\nError: manifest unknown") != "DAEMON_ERROR"


@CLASS
@given(kind=st.sampled_from(["anonymous", "oauth"]), host=HOSTS, path=PATHS)
def test_a_token_request_that_dropped_is_the_connection_not_the_credentials(kind, host, path):
    # containerd authorizer.go wraps the transport error: the deepest link of the chain decides
    line = (
        f'Error response from daemon: failed to resolve reference "{host}/{path}:latest": failed to authorize: '
        f'failed to fetch {kind} token: Get "https://auth.{host}/token?scope=repository%3A{path}%3Apull": EOF'
    )
    assert cause(line) == "SERVER_ERROR"


# --- status forms and server-side codes ------------------------------------------------------------------------


@CLASS
@given(
    code=st.sampled_from(["400", "500", "502", "503"]),
    what=st.sampled_from(
        ["fetch remote history for {d}", "fetch remote image json", "push tag on {p}", "fetch remote tags"]
    ),
    path=PATHS,
)
def test_docker_1x_session_server_error_statuses_are_the_server(code, what, path):
    # docker 1.x registry/session.go: utils.NewHTTPRequestError(fmt.Sprintf("Server error: %d trying to …"))
    line = f"54b9711ea19b: Error pulling image (latest) from {path}, Server error: {code} trying to " + what.format(
        d="54b9711ea19b" * 5, p=path
    )
    assert cause(line) == "SERVER_ERROR", line


@CLASS
@given(host=HOSTS)
def test_a_408_in_a_status_form_is_a_stalled_request(host):
    # containers/image (docker_client.go, v1-v5): "error pinging registry %s, response code %d (%s)"
    assert (
        cause(f"pinging docker registry returned: error pinging registry {host}, response code 408 (Request Timeout)")
        == "HTTP_TIMEOUT"
    )
    assert (
        cause(
            f"pinging docker registry returned: error pinging registry {host}, response code 503 (Service Unavailable)"
        )
        == "SERVER_ERROR"
    )


@pytest.mark.parametrize("digest", ["a" * 64, ".....", "xxxxxxxx", "<digest>", "…"])
@pytest.mark.parametrize("kind", ["index", "manifest", "config", "layer"])
def test_a_404_when_containerd_commits_a_push_is_the_server_whatever_the_digest_looks_like(kind, digest):
    # containerd's pusher commits by PUT; users mask the digest
    assert cause(f'failed commit on ref "{kind}-sha256:{digest}": unexpected status: 404 Not Found') == "SERVER_ERROR"


def test_moby_error_from_registry_unknown_is_the_servers_unknown_error():
    # distribution errcode UNKNOWN ("unknown error", HTTP 500), printed by moby as "error from registry: %s"
    paste = "The push refers to repository [git.example.com/ns/app]\nca7817a71dee: Pushed\nerror from registry: unknown\nunknown\n"
    assert cause(paste) == "SERVER_ERROR"


# --- other programs' wordings that name a registry cause ---------------------------------------------------------


@CLASS
@given(host=HOSTS)
def test_nodes_enotfound_is_a_name_that_does_not_resolve_and_imagenotfound_is_not(host):
    assert (
        cause(f"Pulling the image always fails with an ENOTFOUND error when trying to resolve {host}.")
        == "DNS_NXDOMAIN"
    )
    line = (
        "docker.errors.ImageNotFound: 404 Client Error for http+docker://localhost/v1.48/images/create?tag=latest&"
        "fromImage=app: Not Found (\"pull access denied for app, repository does not exist or may require 'docker login'\")"
    )
    assert cause(line) == "REPO_NOT_FOUND"


@CLASS
@given(helper=st.sampled_from(["gcloud", "ecr-login", "acr-env", "desktop"]))
def test_a_credential_helper_not_on_the_path(helper):
    # gcloud auth configure-docker: "WARNING: `docker-credential-gcloud` not in system PATH."
    assert cause(f"WARNING: `docker-credential-{helper}` not in system PATH.") == "CREDENTIAL_HELPER_ERROR"
    assert cause(f"docker-credential-{helper} not on the PATH") == "CREDENTIAL_HELPER_ERROR"


def test_an_interactive_login_refused_in_a_non_interactive_shell():
    assert (
        cause('the docker login step fails with "interactive login not allowed in a non-interactive shell"')
        == "LOGIN_USAGE"
    )


@CLASS
@given(
    reason=st.sampled_from(
        [
            "Invalid certificate chain",
            "unable to get local issuer certificate",
            "self signed certificate in certificate chain",
        ]
    )
)
def test_curls_certificate_problem_against_a_registry(reason):
    paste = f"$ curl --verbose https://index.docker.io/v1/search?q=busybox\n* SSL certificate problem: {reason}\ncurl: (60) SSL certificate problem: {reason}\n"
    assert cause(paste) == "TLS_UNTRUSTED"


@CLASS
@given(
    fetcher=st.sampled_from(["curl -fsSL", "wget -q"]),
    host=st.sampled_from(["sourceforge.net", "downloads.example.org"]),
    err=st.sampled_from(
        [
            "curl: (60) SSL certificate problem: certificate has expired",
            "curl: (6) Could not resolve host: {h}",
            "wget: unable to resolve host address '{h}'",
        ]
    ),
)
def test_a_download_a_build_step_runs_is_the_builds_not_the_registrys(fetcher, host, err):
    paste = (
        f'Step 10/15 : RUN {fetcher} "https://{host}/files/xz.tar.gz" -o xz.tar.gz && tar xzf xz.tar.gz\n'
        " ---> Running in d8ccaa296904\n"
        f"{err.format(h=host)}\n"
        "The command '/bin/sh -c curl' returned a non-zero code: 60\n"
    )
    assert cause(paste) is None


# --- work on the machine's own store and runtime: no registry cause ------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        'createPodSandbox for pod "helm-install-x" failed: rpc error: code = NotFound desc = failed to create containerd '
        "container: error unpacking image: failed to resolve rootfs: content digest sha256:"
        + "6c" * 32
        + ": not found",
        'Backend error: Exit status: 500, message: {"Type":"ExecutableNotFoundError","Message":"exec failed: '
        'container_linux.go:346: starting container process caused "exec: \\"/opt/resource/check\\": stat '
        '/opt/resource/check: no such file or directory""}',
        'dockerd: level=error msg="Handler for GET /v1.24/images/acme/cron/json returned error: No such image: acme/cron"',
        "FATAL: While making image from oci registry: failed to get checksum for docker://acme/app:latest: Error reading "
        "manifest latest in docker.io/acme/app: manifest unknown: OCI index found, but accept header does not support OCI indexes",
    ],
)
def test_work_on_the_local_store_or_runtime_names_no_registry_cause(line):
    assert cause(line) is None


def test_a_pull_the_daemon_was_asked_for_is_still_read():
    # the daemon's API log of a pull (POST /images/create) is not an inspect
    line = 'level=error msg="Handler for POST /v1.24/images/create returned error: manifest for acme/app:9 not found: manifest unknown"'
    assert cause(line) == "TAG_NOT_FOUND"


@CLASS
@given(
    name=LABELS,
    regs=st.lists(
        st.sampled_from(["docker.io", "quay.io", "registry.fedoraproject.org", "registry.centos.org"]),
        min_size=2,
        max_size=4,
        unique=True,
    ),
)
def test_a_short_name_that_failed_on_every_search_registry_exists_on_none(name, regs):
    # podman 1.x printed only "Trying to pull R/N...Failed" for each unqualified-search registry
    paste = (
        "".join(f"Trying to pull {r}/{name}:29...Failed\n" for r in regs)
        + f"unable to pull {name}:29: {len(regs)} errors occurred:\n"
    )
    assert cause(paste) == "REPO_NOT_FOUND"


@CLASS
@given(name=st.sampled_from(["ubuntu:24.04", "holo:latest", "fedora-toolbox:38"]))
def test_a_local_lookup_before_an_offer_to_pull_is_not_the_failure(name):
    # distrobox: "Image %s not found." then "Do you want to pull the image now? [Y/n]:"; what follows decides
    head = f"$ distrobox create -i {name}\nImage {name} not found.\nDo you want to pull the image now? [Y/n]:\n"
    assert cause(head + "Error: open /etc/containers/policy.json: no such file or directory\n") is None
    tail = f"Error: initializing source docker://{name}: reading manifest in docker.io/library/x: manifest unknown\n"
    assert cause(head + tail) == "TAG_NOT_FOUND"


# --- what the user's sentences tell ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "I see this when I push to our docker registry running behind the proxy.",
        "We run Harbor behind an nginx reverse proxy and I push to it.",
    ],
)
def test_a_registry_behind_a_reverse_proxy_is_the_servers_side(sentence):
    paste = f"```\n441e28f31fd7: Retrying in 1 second\nblob upload unknown\n```\n{sentence}\n"
    assert cause(paste) == "SERVER_ERROR"


def test_a_client_going_through_a_proxy_is_still_the_proxy():
    paste = "```\nreceived unexpected HTTP status: 502 Bad Gateway\n```\nWe pull through our corporate proxy.\n"
    assert cause(paste) == "PROXY_ERROR"


@pytest.mark.parametrize(
    "sentence, want",
    [
        ("See an error after some time of installation:", "CREDENTIALS_MISSING"),
        ("It fails after some time of inactivity; a new docker login fixes it.", "CREDENTIALS_EXPIRED"),
        ("This is likely due to an expired or invalid login token cached before the reboot.", "CREDENTIALS_EXPIRED"),
    ],
)
def test_expiry_is_told_by_idleness_or_an_expired_token_not_by_time_into_a_task(sentence, want):
    paste = (
        f"{sentence}\n```\nError response from daemon: pull access denied for reg.example.com/ns/app, repository does not exist or may "
        "require 'docker login': denied: requested access to the resource is denied\n```\n"
    )
    assert cause(paste) == want


@pytest.mark.parametrize(
    "sentence, want",
    [
        ("Possibly guard the job against annoying temporary failures of the service.", "SERVER_ERROR"),
        ("The runner also logs Temporary failure in name resolution now and then.", "TAG_NOT_FOUND"),
    ],
)
def test_temporary_failures_the_user_tells_are_the_servers(sentence, want):
    paste = f"```\nPulling repository docker.io/acme/anvil\nTag latest not found in repository docker.io/acme/anvil\n```\n{sentence}\n"
    assert cause(paste) == want


@CLASS
@given(name=LABELS, prompt=st.sampled_from(["PS C:\\src\\app> .\\build.ps1", "$ ./build.sh", "~/app % make image"]))
def test_a_login_that_succeeded_is_over_and_the_next_commands_pull_is_read_as_a_pull(name, prompt):
    # docker/cli's login ends its output with "Login Succeeded"; the build started by a script after it pulls its FROM
    paste = (
        f"$ docker login\nUsername: me\nPassword:\nLogin Succeeded\n{prompt}\n"
        f"Sending build context to Docker daemon  16.38kB\nStep 1/10 : FROM {name}:latest AS build\n"
        f"pull access denied for {name}, repository does not exist or may require 'docker login'\n"
    )
    assert cause(paste) == "REPO_NOT_FOUND"


# --- round 6, first parts: the same questions on new text ----------------------------------------------------------


@CLASS
@given(addr=IPV4, status=st.sampled_from(["Tunnel or SSL Forbidden", "Forbidden", "Bad Gateway"]))
def test_a_proxys_status_on_the_way_to_the_engine_api_is_the_proxy(addr, status):
    # the client was sent through HTTP_PROXY even to its daemon: the status text is the proxy's CONNECT answer
    line = f"An error occurred trying to connect: Post https://{addr}:2376/v1.22/images/create?fromImage=x%3Alatest: {status}"
    assert cause(line) == "PROXY_ERROR"


def test_a_configuration_line_naming_a_socket_is_not_output():
    paste = (
        "docker login fails with:\nError response from daemon: Get https://r.example.com/v2/: dial tcp: lookup "
        'r.example.com on 10.0.0.2:53: no such host\nIn daemon.json the contents are:\n{\n  "hosts": '
        '["unix:///mnt/wsl/shared-docker/docker.sock"]\n}\n'
    )
    assert cause(paste) == "DNS_NXDOMAIN"


@CLASS
@given(mirror=st.sampled_from(["docker.mirrors.ustc.edu.cn", "hub.mirrors.example.cn", "registry.mirrors.example.com"]))
def test_a_registry_mirror_is_not_another_tools_package_mirror(mirror):
    assert cause(f"DNS 无法解析镜像加速器：\n```\ndial tcp: lookup {mirror}: no such host\n```") == "DNS_NXDOMAIN"
    # an apt mirror in a build stays another program's
    assert (
        cause(
            "Step 3/9 : RUN apt-get update\nErr:1 http://mirrors.example.com/debian bookworm InRelease\n  Could not resolve 'mirrors.example.com'\nE: Failed to fetch http://mirrors.example.com/debian/dists/bookworm/InRelease  Temporary failure resolving 'mirrors.example.com'"
        )
        is None
    )


@CLASS
@given(addr=IPV4, port=st.integers(1, 65535))
def test_a_dial_timeout_without_a_space_after_the_colon(addr, port):
    assert (
        cause(
            f"error pulling image configuration: download failed after attempts=6: dial tcp {addr}:{port}:i/o timeout"
        )
        == "TCP_TIMEOUT"
    )


@CLASS
@given(host=HOSTS, path=PATHS)
def test_an_anonymous_token_refused_is_a_missing_login_except_on_ghcr(host, path):
    # containerd asks for an anonymous token only without credentials; GHCR answers 403 for a package that is not public
    line = f'ctr: failed to resolve reference "{host}/{path}:latest": failed to fetch anonymous token: unexpected status: 403 Forbidden'
    assert cause(line) == "CREDENTIALS_MISSING"
    assert cause(line + f"\n(the chart is oci://ghcr.io/{path})") == "PERMISSION_DENIED"


@CLASS
# (a name of one of Docker's official images is a repository that exists: story.official_image reads its refusal otherwise)
@given(
    name=LABELS.filter(lambda n: n.lower() not in load_rules()["official_images"]),
    scope=st.sampled_from(["pull", "pull%2Cpush", "push"]),
)
def test_a_url_encoded_token_scope_for_hubs_library_namespace_names_a_repository_that_is_not_there(name, scope):
    line = (
        "failed to solve: failed to fetch oauth token: unexpected status from GET request to https://auth.docker.io/token?"
        f"scope=repository%3Alibrary%2F{name}%3A{scope}&service=registry.docker.io: 401 Unauthorized"
    )
    assert cause(line) == "REPO_NOT_FOUND"


@CLASS
@given(host=HOSTS)
def test_a_404_to_a_login_is_the_servers_routing_not_a_missing_tag(host):
    assert (
        cause(f"Error response from daemon: login attempt to https://{host}/v2/ failed with status: 404 Not Found")
        == "SERVER_ERROR"
    )
    assert cause("Error response from daemon: Login:  (Code: 404; Headers: map[Content-Length:[0]])") == "SERVER_ERROR"


@pytest.mark.parametrize(
    "line",
    [
        'failed commit on ref "unknown-sha256:...": failed size validation: 7948 != 7640: failed precondition',
        'failed commit on ref "layer-sha256:ab": unexpected commit digest sha256:cd, expected sha256:ab: failed precondition',
    ],
)
def test_content_that_fails_containerds_validation_is_what_the_server_sent(line):
    assert cause(line) == "SERVER_ERROR"


def test_the_engine_unit_that_systemd_cannot_start_is_the_daemon():
    line = 'Job for docker.service failed because a timeout was exceeded. See "systemctl status docker.service" for details.'
    assert cause(line) == "DAEMON_ERROR"


def test_a_pull_interrupted_while_layers_waited_stalled():
    paste = "latest: Pulling from ns/app\n80888bc6716f: Already exists\n9f61b3db38d6: Waiting\n^Ccontext canceled\n"
    assert cause(paste) == "HTTP_TIMEOUT"


@pytest.mark.parametrize(
    "words", ["`x509` errors whilst pulling a chart from ECR", "unable to pull images due to an X509 certificate issue"]
)
def test_a_certificate_problem_named_in_words_when_the_output_is_cut(words):
    assert (
        cause(f"{words}\n\nHere is the output of `podman pull node:latest`:\n```\nINFO[0000] podman filtering\n")
        == "TLS_UNTRUSTED"
    )


@pytest.mark.parametrize(
    "mirror_reason", ["this image is not in the allowlist.", "这镜像不在白名单", "image not in whitelist"]
)
def test_a_mirrors_allowlist_is_the_mirrors_policy(mirror_reason):
    line = (
        "Error response from daemon: pull access denied for m.mirror.example/docker.io/ns/app, repository does not "
        f"exist or may require 'docker login': denied: {mirror_reason}"
    )
    assert cause(line) == "SERVER_ERROR"


@pytest.mark.parametrize(
    "finding, want",
    [
        ("原因分析：harbor上没有对应的【Project】", "REPO_NOT_FOUND"),
        ("The cause: the project did not exist in Harbor yet.", "REPO_NOT_FOUND"),
        ("Pushing to a repository that doesn't exist should create it.", "PERMISSION_DENIED"),
    ],
)
def test_a_project_the_user_found_missing_is_a_missing_repository(finding, want):
    paste = f"推送镜像时报：denied: requested access to the resource is denied\n{finding}\n"
    assert cause(paste) == want


@pytest.mark.parametrize(
    "sentence", ["Sometimes it gives error sometimes it gives not.", "It does not work stable on the runners."]
)
def test_a_login_that_fails_only_sometimes_is_the_servers(sentence):
    paste = (
        "Error response from daemon: login attempt to https://harbor.example.com/v2/ failed with status: 401 "
        f"Unauthorized\n{sentence}\n"
    )
    assert cause(paste) == "SERVER_ERROR"


@pytest.mark.parametrize(
    "telling",
    ["Trying the URL directly returns:", "위의 registry 링크타고 들어가보니", "用浏览器打开这个地址显示："],
)
def test_what_a_request_by_hand_answered_on_the_next_line_is_beside_the_failure(telling):
    paste = (
        "`Get https://registry-1.docker.io/v2/: net/http: request canceled while waiting for connection "
        "(Client.Timeout exceeded while awaiting headers)`\n"
        f"{telling}\n"
        '`{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`\n'
    )
    assert cause(paste) == "HTTP_TIMEOUT"


# --- round 6, later parts -------------------------------------------------------------------------------------------


@CLASS
@given(account=st.integers(100000000000, 999999999999), region=st.sampled_from(["eu-north-1", "ap-northeast-2"]))
def test_a_registry_host_read_as_a_hub_name_is_a_repository_that_is_not_there(account, region):
    # docker takes a host with no repository path for a Docker Hub name (reference.ParseNormalizedNamed)
    host = f"{account}.dkr.ecr.{region}.amazonaws.com"
    line = f"Error response from daemon: pull access denied for {host}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied"
    assert cause(line) == "REPO_NOT_FOUND"


@CLASS
@given(name=LABELS, registry=st.sampled_from(["ghcr.io", "quay.io"]))
def test_a_400_for_a_name_without_its_owner_on_a_namespaced_registry_is_the_name(name, registry):
    line = f"failed to push {registry}/{name}:latest: unexpected status from HEAD request to https://{registry}/v2/{name}/blobs/sha256:{'a' * 64}: 400 Bad Request"
    assert cause(line) == "NAME_INVALID"
    owned = line.replace(f"/{name}", f"/acme/{name}")
    assert cause(owned) == "SERVER_ERROR"


@CLASS
@given(host=HOSTS, status=st.sampled_from(["Service Unavailable", "Forbidden", "Bad Gateway"]))
def test_a_proxy_status_after_a_quoted_url_without_its_scheme(host, status):
    # containerd prints the request's URL as the resolver built it; a host without a scheme is still the request
    assert cause(f'failed to do request: Head "{host}/v2/ns/app:latest": {status}') == "PROXY_ERROR"


def test_a_kubelet_probe_is_the_application_not_the_pull():
    paste = (
        'Warning  Failed  37m  kubelet  Failed to pull image "h.example.io:8443/ns/app:1.9": rpc error: code = NotFound '
        'desc = failed to pull and unpack image "h.example.io:8443/ns/app:1.9": failed to resolve reference '
        '"h.example.io:8443/ns/app:1.9": h.example.io:8443/ns/app:1.9: not found\n'
        "Warning  Unhealthy  3m41s (x203 over 33m)  kubelet  Readiness probe failed: HTTP probe failed with statuscode: 503\n"
    )
    assert cause(paste) == "TAG_NOT_FOUND"


def test_a_billing_refusal_is_the_accounts_quota():
    line = "error pulling image configuration: denied: Encountered a billing-related error. Please verify the billing status for this account."
    assert cause(line) == "QUOTA_EXCEEDED"


def test_wgets_own_status_on_a_file_download_is_another_programs():
    paste = (
        "--2024-02-23 16:25:44--  https://mirrors.example.edu.cn/docker-ce/linux/static/stable/x86_64/docker-20.10.16.tgz\n"
        "HTTP request sent, awaiting response... 403 Forbidden\n2024-02-23 16:25:46 ERROR 403: Forbidden.\n"
        "2024-02-23 16:25:46 ERROR downloading docker failed\n"
    )
    assert cause(paste) is None


@pytest.mark.parametrize(
    "finding",
    [
        "**Ursache:** Der IAM User `ci` hat keine ECR-Push-Berechtigungen.",
        "Cause: the IAM user has no push permissions on the repository.",
        "原因：这个账号没有推送权限。",
    ],
)
def test_a_right_the_user_found_missing_is_a_refused_right(finding):
    paste = (
        f"```\nERROR: failed to push 1.dkr.ecr.eu-north-1.amazonaws.com/app:latest: 401 Unauthorized\n```\n{finding}\n"
    )
    assert cause(paste) == "PERMISSION_DENIED"


def test_x_509_named_with_its_dot():
    assert (
        cause(
            "docker pull failed with error pulling image configuration and X.509 cert\n\ndocker info\n```\nClient:\n```"
        )
        == "TLS_UNTRUSTED"
    )


@CLASS
@given(first=LABELS, ns=LABELS, name=LABELS)
def test_a_push_to_a_three_segment_hub_name_is_a_repository_that_cannot_exist(first, ns, name):
    # Docker Hub's names are namespace/name; a registry host without a dot is read as a Hub namespace
    paste = (
        f"$ docker push {first}-registry/{ns}/{name}:16.04\nThe push refers to a repository [docker.io/{first}-registry/{ns}/{name}]\n"
        "33f1a94ed7fc: Preparing\ndenied: requested access to the resource is denied\n"
    )
    assert cause(paste) == "REPO_NOT_FOUND"


def test_a_plan_that_ran_out_of_private_repositories_is_a_quota():
    paste = (
        "docker push acme/app:1\nThe push refers to a repository [docker.io/acme/app]\nunauthorized: authentication required\n"
        "It's not an authentication problem, the login succeeds. I had run out of private repositories.\n"
    )
    assert cause(paste) == "QUOTA_EXCEEDED"


@pytest.mark.parametrize(
    "err", ["unknown shorthand flag: 'e' in -e", "unknown flag: --email", "accepts at most 1 arg(s), received 2"]
)
def test_the_cli_refusing_the_login_command_itself_is_login_usage(err):
    assert cause(f"{err}\nSee 'docker login --help'.") == "LOGIN_USAGE"


def test_a_quota_on_requests_per_minute_is_a_rate_limit():
    line = (
        "GET https://r.example.dev/v2/p/i/manifests/sha256-1.sig: TOOMANYREQUESTS: Quota exceeded for quota metric "
        "'Requests per project per user' and limit 'Requests per project per user per minute per user'"
    )
    assert cause(line) == "RATE_LIMITED"
    assert cause("denied: quota exceeded: the project's storage quota is 10 GiB") == "QUOTA_EXCEEDED"


@pytest.mark.parametrize("status", ["403", "413", ""])
def test_a_body_too_large_is_the_servers_size_limit_whatever_status_is_written_beside_it(status):
    assert (
        cause(f"When pushing, nginx answered with the error '{status} Request Entity Too Large'.".replace("' ", "'"))
        == "SERVER_ERROR"
    )


@CLASS
@given(
    host=HOSTS, alert=st.sampled_from(["handshake failure", "protocol version", "internal error", "unrecognized name"])
)
def test_a_tls_alert_from_the_peer_is_the_server_refusing_the_handshake(host, alert):
    # Go crypto/tls "remote error: tls: %s": an alert received; no certificate was judged
    assert cause(f'Error response from daemon: Get "https://{host}/v2/": remote error: tls: {alert}') == "SERVER_ERROR"
    assert cause(f'Get "https://{host}/v2/": x509: certificate signed by unknown authority') == "TLS_UNTRUSTED"


def test_an_access_log_line_says_what_was_answered_and_the_error_line_says_why():
    paste = (
        'time="2024-10-12T14:07:17Z" level=error msg="response completed with error" err.code=unknown '
        'err.detail="toomanyrequests: You have reached your pull rate limit." http.response.status=500\n'
        '172.18.0.10 - - [12/Oct/2024:14:07:16 +0000] "GET /v2/emby/server/manifests/4.5 HTTP/1.1" 500 228 "" "Faraday"\n'
    )
    assert cause(paste) == "RATE_LIMITED"


def test_a_refusal_that_recovers_by_itself_within_minutes_is_the_servers():
    # the user's sentence quotes the error inline; without its quote it is still the user's sentence
    paste = (
        'When a managed identity pulls from the registry it may fail with `Failed to pull image "r.azurecr.io/app": '
        "rpc error: code = Unknown desc = Error response from daemon: Get https://r.azurecr.io/v2/app: unauthorized: "
        "authentication required` even though it has reader access. It will recover in 1-2 minutes.\n"
    )
    assert cause(paste) == "SERVER_ERROR"


@pytest.mark.parametrize(
    "line",
    [
        'level=error msg="Upload failed, retrying: received unexpected HTTP status: 200 OK"',
        'error="missing content-length header for request: https://h.example.com/v2/library/busybox/blobs/sha256:bd"',
    ],
)
def test_a_success_status_or_header_the_protocol_does_not_allow_is_the_server(line):
    assert cause(line) == "SERVER_ERROR"


# --- carrying: the same pastes word-wrapped at 80 columns (benchmarks/bench_logs.py) -----------------------------------


def test_a_question_is_not_the_users_finding():
    # "是因为没有权限吗？" asks whether it is a permission problem: it is not a diagnosis
    paste = (
        "这些镜像拉取失败，报错信息为\nError response from daemon: Head\n"
        '"https://ccr.ccs.tencentyun.com/v2/ns/app/manifests/latest":\n'
        "unauthorized: authentication required，是因为没有权限吗？还是说这些镜像不需要呢\n"
    )
    assert cause(paste) == "CREDENTIALS_MISSING"


def test_a_408_page_quoted_by_a_wrapped_json_error_is_the_intermediarys_page():
    paste = (
        "error parsing HTTP 408 response body: invalid character '<' looking for\n"
        'beginning of value: "<html><body><h1>408 Request Time-out</h1>\\nYour browser\n'
        "didn't send a complete request in time.\\n</body></html>\\n\"\n"
    )
    assert cause(paste) == "SERVER_ERROR"


@CLASS
@given(addr=IPV4, port=st.integers(1, 65535))
def test_a_wrapped_tail_that_starts_with_an_address_is_joined_back(addr, port):
    paste = (
        "报错：error pulling image configuration: download failed after attempts=6: dial tcp\n"
        f"{addr}:{port}: i/o timeout\n"
    )
    assert cause(paste) == "TCP_TIMEOUT"


def test_a_wrapped_access_log_line_stays_below_the_error_that_explains_it():
    paste = (
        'level=error msg="response completed with error" err.detail="toomanyrequests: You have reached your pull rate limit."\n'
        '172.18.0.10 - - [12/Oct/2024:14:07:16 +0000] "GET\n'
        '/v2/emby/server/manifests/4.5 HTTP/1.1" 500 228 "" "Faraday"\n'
    )
    assert cause(paste) == "RATE_LIMITED"


def test_a_registry_host_read_as_a_hub_name_across_a_wrap():
    paste = (
        "Error response from daemon: pull access denied for\n"
        "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com, repository does not exist or may\n"
        "require 'docker login': denied: requested access to the resource is denied\n"
    )
    assert cause(paste) == "REPO_NOT_FOUND"


@CLASS
@given(tag=LABELS, path=PATHS)
def test_a_folded_yaml_message_is_one_line_and_its_details_decide(tag, path):
    # `kubectl get events -o yaml` folds a long quoted message over deeper-indented lines; the old kubelet's hint
    # ("this may be because there are no credentials on this request") is advice, its details decide
    paste = (
        "- apiVersion: v1\n"
        f'  message: \'Failed to pull image "quay.io/{path}:{tag}":\n'
        f"    image pull failed for quay.io/{path}:{tag}, this\n"
        f"    may be because there are no credentials on this request.  details: (Tag {tag}\n"
        f"    not found in repository quay.io/{path})'\n"
        "  reason: Failed\n"
    )
    assert cause(paste) == "TAG_NOT_FOUND"


@CLASS
@given(addr=IPV4)
def test_a_message_printed_twice_and_cut_the_second_time_is_read_from_its_fuller_copy(addr):
    paste = (
        f'INFO[0009] Error logging in to endpoint, trying next endpoint  error="Get \\"https://{addr}:8443/v2/\\": tls: '
        f"failed to verify certificate: x509: cannot validate certificate for {addr} because it doesn't contain any IP "
        'SANs"\n'
        f'Get "https://{addr}:8443/v2/": tls: failed to verify certificate: x509:\n'
    )
    assert cause(paste) == "TLS_HOSTNAME"


def test_googles_permission_denied_for_a_request_is_the_registrys_own_reason():
    line = (
        "docker: Error response from daemon: pull access denied for gcr.io/acme/base, repository does not exist or may "
        'require \'docker login\': denied: Permission denied for "sha256:02c9" from request "/v2/acme/base/manifests/sha256:02c9".'
    )
    assert cause(line) == "PERMISSION_DENIED"


@CLASS
@given(path=PATHS, tag=LABELS)
def test_podmans_short_name_with_no_search_registries_is_the_machines_configuration(path, tag):
    line = (
        f'Error: short-name "{path}:{tag}" did not resolve to an alias and no unqualified-search registries are '
        'defined in "/etc/containers/registries.conf"'
    )
    assert cause(line) is None
    no_tty = f"Error: unable to pull {path}:{tag}: short-name resolution enforced but cannot prompt without a TTY"
    assert cause(no_tty) == "NAME_INVALID"


@CLASS
@given(host=HOSTS, path=PATHS)
def test_helm_finding_no_tag_that_matches_the_version_asked(host, path):
    # helm pkg/registry/util.go GetTagMatchingVersionOrConstraint
    paste = (
        f'Error: INSTALLATION FAILED: failed to download "oci://{host}/{path}"\n'
        'install.go:178: [debug] Original chart version: ""\n'
        "Error: INSTALLATION FAILED: Could not locate a version matching provided version string \n"
    )
    assert cause(paste) == "TAG_NOT_FOUND"


_WGET_PASTE = (
    "--2024-02-23 16:25:44--  https://mirrors.example.edu.cn/docker-ce/linux/static/stable/x86_64/docker-20.10.16.tgz\n"
    "HTTP request sent, awaiting response... 403 Forbidden\n2024-02-23 16:25:46 ERROR 403: Forbidden.\n"
)
_HUB_DEEP = (
    "The push refers to a repository [docker.io/docker-registry/test/ubuntu]\n33f1a94ed7fc: Preparing\n"
    "denied: requested access to the resource is denied\n"
)


@pytest.mark.parametrize(
    "carry",
    [
        lambda t: "\n".join("> " + line for line in t.split("\n")),
        lambda t: "\n".join("2024-05-01T10:00:00.1234567Z " + line for line in t.split("\n")),
        lambda t: t.replace(" ", "\u00a0"),
    ],
    ids=["quoted", "ci-stamp-before-the-programs-own", "no-break-spaces"],
)
@pytest.mark.parametrize("paste, want", [(_WGET_PASTE, None), (_HUB_DEEP, "REPO_NOT_FOUND")])
def test_the_sixth_rounds_rules_read_a_paste_the_same_however_it_is_carried(carry, paste, want):
    assert cause(paste) == want
    assert cause(carry(paste)) == want


@pytest.mark.parametrize(
    "given",
    [
        "$ helm push -u admin -p secret ./chart-0.0.1.tgz sample",
        "aws ecr get-login-password | skopeo login --username AWS --password-stdin URL` with response `Login Succeeded!`.",
        "  secretRef:\n    name: registry-token",
    ],
)
def test_credentials_handed_to_the_failing_program_make_a_plain_401_a_refusal_of_them(given):
    # labelling convention C6: a program given credentials of its own that gets a generic 401
    paste = f"{given}\nError: reading manifest latest in r.example.com/ns/app: unauthorized: authentication required\n"
    assert cause(paste) == "CREDENTIALS_INVALID"
    assert (
        cause("Error: reading manifest latest in r.example.com/ns/app: unauthorized: authentication required")
        == "CREDENTIALS_MISSING"
    )


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            'Error response from daemon: Get "https://a.nxdomain.com/v1/_ping": dial tcp 1.2.3.4:443: i/o timeout',
            "TCP_TIMEOUT",
        ),
        (
            "Error response from daemon: denied: Caller does not have permission 'storage.buckets.get'. gcr.io/a/nxdomain",
            "PERMISSION_DENIED",
        ),
        (
            'Error response from daemon: Get "https://reg.servfail.io/v2/": dial tcp 1.2.3.4:443: connect: connection refused',
            "TCP_REFUSED",
        ),
        (";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 1234", "DNS_NXDOMAIN"),
        ("lookup registry.example.com on 8.8.8.8:53: NXDOMAIN.", "DNS_NXDOMAIN"),
        ("lookup registry.example.com on 8.8.8.8:53: SERVFAIL", "DNS_TIMEOUT"),
    ],
)
def test_the_dns_status_words_count_as_words_not_inside_a_host_or_path(text, want):
    """NXDOMAIN / SERVFAIL are DNS answers only as words: inside a host or a path (found by audit7's fuzzing) they
    name nothing."""
    assert cause(text) == want
