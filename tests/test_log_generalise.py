"""Pasted logs, fifth round (issue 11: generalise beyond the tuning posts). Each test stands for a class of reading
failure found on the seen round-4 half (/work/notes/seen/logs_blind_r1-r4.jsonl) — a wording printed by a tool's
own format string, or a way pages and people carry output — built with its variable parts, so a rule has to read
every message the code can print and every way it is carried, not the one post it was seen in.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.harness.log_families import HOSTS, LABELS, PATHS, cause

FAMILY = settings(max_examples=20, deadline=None)


# --- how pages carry output ---------------------------------------------------------------------------------------

# Lines whose reading is settled elsewhere, one per family: emphasis around any part of them must not change it.
_SETTLED = [
    ("Error response from daemon: Get https://{host}/v2/: Bad Gateway", "PROXY_ERROR"),
    ("Error response from daemon: manifest for {host}/{path}:1 not found: manifest unknown", "TAG_NOT_FOUND"),
    (
        "Error response from daemon: Get https://{host}/v2/: x509: certificate signed by unknown authority",
        "TLS_UNTRUSTED",
    ),
    (
        "Error response from daemon: Get https://{host}/v2/: dial tcp: lookup {host} on 10.0.0.2:53: no such host",
        "DNS_NXDOMAIN",
    ),
]


@FAMILY
@given(settled=st.sampled_from(_SETTLED), host=HOSTS, path=PATHS, cut=st.integers(0, 40))
def test_bold_emphasis_inside_a_line_does_not_change_the_reading(settled, host, path, cut):
    # a forum page's **bold** around the pasted message, or around part of it, glued to the user's words
    line, want = settled
    line = line.format(host=host, path=path)
    cut = min(cut, len(line) - 1)
    at = line.index(" ", cut) if " " in line[cut:] else 0
    bolded = f"when i run it i have this message : **{line[:at]}**{line[at:]}" if at else f"i get **{line}**"
    assert cause(bolded) == want


def test_a_later_question_that_repeats_an_error_word_does_not_replace_the_message():
    paste = (
        "i turn docker behind a proxy. when i try **docker run hello-world** i have this message : "
        "**Error response from daemon: Get https://index.docker.io/v1/search?q=php&n=25: authenticationrequired**\n"
        "do you have any idea about this error **authenticationrequired**"
    )
    assert cause(paste) == "PROXY_ERROR"


@pytest.mark.parametrize("verb", ["getting", "storing", "erasing", "listing"])
@pytest.mark.parametrize(
    "err, out",
    [
        ("no credentials server URL", "no credentials server URL"),
        ("exit status 1", "credentials not found in native keychain"),
        ("exit status 1", "no credentials"),
    ],
)
def test_a_credential_helpers_own_backticked_output_is_not_a_users_quote(verb, err, out):
    # docker-credential-helpers client.go: fmt.Errorf("error %s credentials - err: %v, out: `%s`", …): the helper
    # failed, whatever its output says
    line = f"Error saving credentials: error {verb} credentials - err: {err}, out: `{out}`"
    assert cause(line) == "CREDENTIAL_HELPER_ERROR"
    assert cause(f"Username: me\nPassword:\n{line}") == "CREDENTIAL_HELPER_ERROR"


@pytest.mark.parametrize("errno", ["Invalid argument", "cannot execute binary file", "exec format error"])
def test_a_credential_helper_the_os_cannot_execute(errno):
    said = (
        "`docker-credential-desktop.exe` found in `/usr/sbin/docker-credential-desktop.exe` throws "
        f"`/usr/sbin/docker-credential-desktop.exe: {errno}` even when executing it from the terminal"
    )
    assert cause(said) == "CREDENTIAL_HELPER_ERROR"


# --- wordings from the printing code -------------------------------------------------------------------------------


@FAMILY
@given(verb=st.sampled_from(["GET", "HEAD", "Get", "Head"]), host=HOSTS, q=st.sampled_from(['"', ""]))
def test_a_404_for_the_api_base_means_not_a_registry_api(verb, host, q):
    # the distribution spec answers GET /v2/ with 200 or 401 on every registry: a 404 there is not a missing tag
    # (kaniko's push check wraps it in advice that names "the correct tag name")
    for line in (
        f"{verb} {q}https://{host}/v2/{q}: unexpected status code 404 Not Found",
        "error checking push permissions -- make sure you entered the correct tag name, and that you are "
        f'authenticated correctly, and try again: checking push permission for "{host}/ns/app": creating push '
        f"check transport for {host} failed: {verb} {q}https://{host}/v2/{q}: unexpected status code 404 Not Found: "
        '<?xml version="1.0" encoding="iso-8859-1"?>',
    ):
        assert cause(line) == "SERVER_ERROR"
    # a manifest's 404 stays a missing tag
    assert (
        cause(f"{verb} https://{host}/v2/ns/app/manifests/1: unexpected status code 404 Not Found") == "TAG_NOT_FOUND"
    )


def test_an_identifier_ending_in_quota_on_a_flag_line_is_not_a_quota():
    paste = (
        '```\n1s Warning Failed pod/demo Failed to pull image "registry.kube-system/ns/app:jvm": rpc error: code = '
        "Unknown desc = Error response from daemon: Get http://registry.kube-system/v2/: dial tcp: lookup "
        "registry.kube-system on 192.168.64.1:53: no such host\n```\n"
        "I did also add the registry to my insecure registries:\n```\nminikube start \\\n"
        ' --insecure-registry="registry.kube-system" \\\n'
        ' --extra-config=apiserver.enable-admission-plugins="LimitRanger,NamespaceLifecycle,ResourceQuota,'
        'ServiceAccount"\n```'
    )
    assert cause(paste) == "DNS_NXDOMAIN"
    assert cause("denied: requested upload exceeds the namespace quota") == "QUOTA_EXCEEDED"


@pytest.mark.parametrize(
    "mount",
    [
        'volumes:\n  - "/var/run/docker.sock:/var/run/docker.sock"',
        "docker run -v /var/run/docker.sock:/var/run/docker.sock app",
        "- /run/containerd/containerd.sock:/run/containerd/containerd.sock:ro",
    ],
)
def test_a_socket_in_a_bind_mount_is_not_the_daemon_failing(mount):
    paste = f"Trying to login into registry ghcr.io\nError: Cannot perform an interactive login from a non TTY device\n\n```\n{mount}\n```"
    assert cause(paste) == "LOGIN_USAGE"
    assert (
        cause(
            f"{mount}\nCannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
        )
        == "DAEMON_ERROR"
    )
    assert cause("dial unix /var/run/docker.sock: connect: permission denied") is not None


def test_az_acr_login_without_a_daemon_in_cloud_shell():
    # azure-cli acr/custom.py: the login needs a running docker daemon
    line = (
        "This command requires running the docker daemon, which is not supported in Azure Cloud Shell. You may want "
        "to use 'az acr login -n myreg --expose-token' to get an access token, which does not require Docker to be "
        "installed."
    )
    assert cause(f"**Errors:**\n```\n{line}\n```") == "DAEMON_ERROR"


@FAMILY
@given(host=HOSTS, status=st.sampled_from(["Method Not Allowed", "Forbidden", "Bad Gateway"]))
def test_a_proxy_status_after_a_space_before_the_colon(host, status):
    # Go's transport prints "Get URL: <proxy status text>"; a page (or the user) may put a space before the colon
    assert cause(f"Error response from daemon: Get https://{host}/v2/ : {status}") == "PROXY_ERROR"


def test_docker_hubs_insufficient_scopes_body_under_a_401_summary_is_a_refused_right():
    paste = (
        "[ERROR] Failed to execute goal com.google.cloud.tools:jib-maven-plugin:3.4.4:build (default-cli) on project "
        "imc: Build image failed, perhaps you should make sure your credentials for 'registry-1.docker.io/me/imc' are "
        "set up correctly. See https://github.com/GoogleContainerTools/jib/blob/master/docs/faq.md for help: "
        "Unauthorized for registry-1.docker.io/me/imc: 401 Unauthorized\n"
        "[ERROR] GET https://auth.docker.io/token?service=registry.docker.io&scope=repository:me/imc:pull,push\n"
        '[ERROR] {"details":"access token has insufficient scopes"}\n'
        "[ERROR] -> [Help 1]"
    )
    assert cause(paste) == "PERMISSION_DENIED"


@FAMILY
@given(host=HOSTS, path=PATHS, version=st.sampled_from(["v0.0.8", "1.2.3"]))
def test_a_client_that_found_no_credentials_for_the_host(host, path, version):
    # helm (oras) when no credentials could be obtained for the registry
    line = f'Error: GET "https://{host}/v2/{path}/tags/list": unable to retrieve credentials'
    assert cause(f"$ helm pull oci://{host}/{path} --version {version}\n{line}") == "CREDENTIALS_MISSING"


@FAMILY
@given(
    status=st.sampled_from(["403", "401", "404"]),
    code=st.sampled_from(["AuthenticationFailed", "AuthorizationFailure"]),
)
def test_an_azure_sdk_response_error_is_the_storage_service_not_the_registry(status, code):
    # azcore exported/response_error.go: "RESPONSE %d: %s" and "ERROR CODE: %s" between dashed rules
    paste = (
        "ERROR: failed to solve: failed to push ghcr.io/me/app:pr-17: failed to copy: GET "
        "https://results0.blob.core.windows.net/actions-cache/65d-2859\n" + "-" * 80 + "\n"
        f"RESPONSE {status}: {status} Server failed to authenticate the request.\nERROR CODE: {code}\n" + "-" * 80
    )
    assert cause(paste) == "SERVER_ERROR"


@FAMILY
@given(path=PATHS, want=st.integers(2, 3), found=st.integers(0, 1))
def test_an_oci_artifact_that_is_not_a_chart(path, want, found):
    # helm pkg/registry/client.go: the artifact at that tag has no chart layer
    line = (
        f"could not download oci://docker.io/{path}: manifest does not contain minimum number of descriptors "
        f"({want}), descriptors found: {found}"
    )
    assert cause(line) == "TAG_NOT_FOUND"


def test_an_aws_security_token_that_is_invalid():
    line = 'level=error msg="Not continuing with pull after error: denied: The security token included in the request is invalid"'
    assert cause(line) == "CREDENTIALS_INVALID"


@pytest.mark.parametrize(
    "detail",
    [
        '"aad access token with sp failed client id must be guid"',
        "incorrect username or password",
        "invalid token",
        "token signature failed verification",
    ],
)
def test_an_unauthorized_whose_message_names_bad_credentials_is_invalid(detail):
    assert cause(f"Pushing the image failed: unauthorized: {detail}") == "CREDENTIALS_INVALID"
    # distribution's own message names nothing about the credentials sent
    assert cause("Pushing the image failed: unauthorized: authentication required") == "CREDENTIALS_MISSING"


# --- which of several error lines ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "If I manually enter our company's DNS server address the error message changes to:",
        'When we uncheck the "Verify Remote Cert" box, the error is',
        "After I changed the daemon's DNS setting, the error became:",
    ],
)
def test_an_error_seen_after_the_user_changed_the_setup_is_a_side_experiment(sentence):
    paste = (
        "I get the error:\n"
        "> Error response from daemon: Get http://companyrepo:5000/v2/: dial tcp: lookup companyrepo on "
        "192.168.65.1:53: no such host\n\n"
        f"{sentence}\n"
        "> Error while pulling image: Get http://companyrepo:5000/v1/repositories/app/images: dial tcp: lookup "
        "companyrepo on 192.168.65.9:53: server misbehaving\n\n"
        "Our internal addresses are all assigned through DHCP."
    )
    assert cause(paste) == "DNS_NXDOMAIN"


def test_the_error_named_when_the_user_runs_a_command_is_not_a_side_experiment():
    paste = (
        "docker pull works fine for me.\n"
        "> Error response from daemon: Get https://reg.example.com/v2/: dial tcp: lookup reg.example.com: no such host\n"
        "When I run docker push, the error is:\n"
        "> Get https://reg.example.com/v2/: dial tcp: lookup reg.example.com: server misbehaving"
    )
    assert cause(paste) == "DNS_TIMEOUT"


# --- whose failure it is -----------------------------------------------------------------------------------------------

_OTHER_DOWNLOADS = [
    'go: github.com/{a}/{b}@v1.4.2: Get "https://proxy.golang.org/github.com/{a}/{b}/@v/v1.4.2.mod": dial tcp: '
    "lookup proxy.golang.org on 192.168.0.1:53: read udp 172.17.0.2:36832->192.168.0.1:53: read: no route to host",
    "Error: head request failed: https://github.com/{a}/{b}/releases/latest/download/rootfs.tar.xz: Head "
    '"https://objects.githubusercontent.com/github-production-release-asset-2e65be/5136?X-Amz-Expires=300": x509: '
    "certificate has expired or is not yet valid:",
    'Get "https://pypi.org/simple/{a}/": dial tcp 151.101.0.223:443: i/o timeout',
]


@FAMILY
@given(line=st.sampled_from(_OTHER_DOWNLOADS), a=LABELS, b=LABELS, tool=st.sampled_from(["docker build", "podman"]))
def test_a_request_to_a_code_or_package_host_is_another_programs_whatever_tool_ran_it(line, a, b, tool):
    line = line.format(a=a, b=b)
    paste = f"While running `{tool}` I get the error at the end.\n```\nStep 7/43 : RUN go mod download\n{line}\n```"
    assert cause(paste) is None
    # a bare line is still read (it was asked here, as the written sets label it), and a registry's layer redirect on
    # such a host is a registry's
    if line.startswith("go: "):
        assert cause(line) == "DNS_TIMEOUT"
    ghcr = (
        'docker: error pulling image configuration: Get "https://pkg-containers.githubusercontent.com/ghcr1/blobs/'
        'sha256:409ea3ba1465b940629bf3fd741c90289011ea76d3d1a72ea926bef0d6534ba7?se=2022": x509: certificate signed '
        "by unknown authority."
    )
    assert cause(f"I was trying to pull the image with `{tool}`:\n```\n{ghcr}\n```") == "TLS_UNTRUSTED"


def test_advice_urls_on_the_error_line_are_not_where_the_request_went():
    paste = (
        "we are getting below error intermittently.\n* What went wrong:\n> com.google.cloud.tools.jib.plugins.common."
        "BuildStepsExecutionException: Tried to push image manifest for artifactory/app but failed because: Registry "
        "may not support pushing OCI Manifest or Docker Image Manifest Version 2, Schema 2 | If this is a bug, please "
        "file an issue at https://github.com/GoogleContainerTools/jib/issues/new"
    )
    assert cause(paste) == "SERVER_ERROR"


@pytest.mark.parametrize(
    "paste",
    [
        "Uploading LFS objects:   0% (0/101), 0 B | 0 B/s, done.\nbatch response: This repository is over its data "
        "quota. Account responsible for LFS bandwidth should purchase more data packs to restore access.",
        "When pushing a bucket: `Error: updating bucket pin: storage quota exhausted`\nThis is on a paid account.",
    ],
)
def test_a_quota_of_git_lfs_or_a_storage_bucket_is_not_the_registrys(paste):
    assert cause(paste) is None
    assert cause("629d9dbab5ed: Preparing\ndenied: 超出命名空间配额") == "QUOTA_EXCEEDED"


@pytest.mark.parametrize(
    "typed",
    [
        "sudo chmod 666 /var/run/docker.sock",
        "DOCKER_HOST=unix:///docker/docker.sock",
        "export DOCKER_HOST=unix:///run/user/1000/docker.sock",
    ],
)
def test_what_the_user_typed_or_set_is_not_output(typed):
    paste = (
        "I've granted the core user access to the docker socket\n\n"
        f"{typed}\n\n"
        'attempt to login with -u and -p flags returns "Error: too many arguments, login takes only 1 argument"'
    )
    assert cause(paste) == "LOGIN_USAGE"
    assert cause(f"{typed}\npack: ERROR: image 'gcr.io/b/builder:v1' does not exist on the daemon: not found") is None


# --- wordings from the printing code, second batch --------------------------------------------------------------------

_ERRCODES = {
    "BLOB_UPLOAD_INVALID": "SERVER_ERROR",
    "BLOB_UPLOAD_UNKNOWN": "SERVER_ERROR",
    "BLOB_UNKNOWN": "SERVER_ERROR",
    "DIGEST_INVALID": "SERVER_ERROR",
    "SIZE_INVALID": "SERVER_ERROR",
    "MANIFEST_BLOB_UNKNOWN": "SERVER_ERROR",
    "MANIFEST_INVALID": "SERVER_ERROR",
    "UNSUPPORTED": "SERVER_ERROR",
    "NAME_UNKNOWN": "REPO_NOT_FOUND",
    "DENIED": "PERMISSION_DENIED",
}


@FAMILY
@given(code=st.sampled_from(sorted(_ERRCODES)), host=HOSTS, sp=st.sampled_from(["", " "]))
def test_a_raw_errcode_body_is_read_by_its_code(code, host, sp):
    # distribution registry/api/v2/errors.go, printed as the registry sent it (.NET's container builder, crane)
    line = (
        f"Failed to upload blob to https://{host}/v2/ns/app/blobs/uploads/abc; received BadRequest with detail "
        f'{{"errors":[{{"code":{sp}"{code}","message":"Stream uploads after first write are not allowed"}}]}}'
    )
    assert cause(line) == _ERRCODES[code]


@FAMILY
@given(
    path=PATHS,
    digest=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    status=st.sampled_from(["404 Not Found", "404"]),
)
def test_a_404_for_a_blob_is_a_lost_layer_not_a_missing_tag(path, digest, status):
    access_log = f"2024/07/19 10:23:46 {status} - GET /v2/{path}/blobs/sha256:{digest}?ns=docker.io - (15.665µs)"
    assert cause(access_log) == "SERVER_ERROR"
    assert cause(f"GET https://r.example.com/v2/{path}/manifests/1.0: {status}") == "TAG_NOT_FOUND"


def test_go_dns_answer_without_records_is_a_name_that_does_not_resolve():
    for text in ("no answer from server", "no answer from DNS server"):
        line = f"Get https://registry-1.docker.io/v1/repositories/library/registry/tags: dial tcp: lookup registry-1.docker.io on 8.8.8.8:53: {text}"
        assert cause(line) == "DNS_NXDOMAIN"


def test_helm_finding_no_chart_of_that_version():
    paste = (
        "$ helm install router-test oci://ghcr.io/org/helm-charts/router --version 0.14.0\n\n"
        'Error: INSTALLATION FAILED: failed to download "oci://ghcr.io/org/helm-charts/router" at version "0.14.0"'
    )
    assert cause(paste) == "TAG_NOT_FOUND"


def test_moby_error_from_registry_with_a_bare_denied():
    assert (
        cause("When trying to pull the image I get:\n\n> Error response from daemon: error from registry: denied")
        == "PERMISSION_DENIED"
    )


# --- the user's own sentence naming the cause ------------------------------------------------------------------------

_ECR_403 = (
    "```\nERROR: failed to solve: failed to push 2094.dkr.ecr.us-west-2.amazonaws.com/app:fc52: failed commit on ref "
    '"manifest-sha256:cf82f3": unexpected status from PUT request to https://2094.dkr.ecr.us-west-2.amazonaws.com/v2/'
    "app/manifests/fc52: 403 Forbidden\n```\n"
)


@pytest.mark.parametrize(
    "said, want",
    [
        ("The root cause is that we've hit a limit for images per repository quota.", "QUOTA_EXCEEDED"),
        ("We reached the maximum number of images limit of the repository.", "QUOTA_EXCEEDED"),
        ("A user ran docker login earlier and the token has expired (12-hour lifetime).", "CREDENTIALS_EXPIRED"),
        ("It fails only for long-running builds; a fresh docker push afterwards works.", "CREDENTIALS_EXPIRED"),
        (
            "Pulling still won't work as the credentials (as it seems) are not sent along the request.",
            "CREDENTIALS_MISSING",
        ),
        ("This is a generic refusal and I do not know why.", "PERMISSION_DENIED"),
    ],
)
def test_the_users_diagnosis_refines_a_generic_refusal(said, want):
    assert cause(_ECR_403 + said) == want


def test_the_users_diagnosis_never_replaces_a_specific_wording():
    paste = "```\nError response from daemon: Get https://r.example.com/v2/: unauthorized: incorrect username or password\n```\nThe token has expired, I think."
    assert cause(paste) == "CREDENTIALS_INVALID"


@pytest.mark.parametrize(
    "said, want",
    [
        ("We just branched last week and there is no F38 toolbox container:", "TAG_NOT_FOUND"),
        ("Basic authentication stopped working for us with private docker hub images.", "CREDENTIALS_MISSING"),
        ("I personally can read the image, but my Cloud Build service account cannot.", "PERMISSION_DENIED"),
    ],
)
def test_the_users_sentence_settles_an_ambiguous_pull_refusal(said, want):
    pulls = {
        "TAG_NOT_FOUND": "Error: failed to pull image registry.fedoraproject.org/fedora-toolbox:38\nIf it was a private image, log in with: podman login registry.fedoraproject.org",
        "CREDENTIALS_MISSING": "Failed to pull `docker.io/org/keycloak:1.2`: API error (404): pull access denied for org/keycloak, repository does not exist or may require 'docker login'",
        "PERMISSION_DENIED": "Error response from daemon: pull access denied for gcr.io/council/make, repository does not exist or may require 'docker login'",
    }
    assert cause(f"{said}\n\n```\n{pulls[want]}\n```") == want


def test_a_registry_only_reachable_over_http_read_from_the_users_words():
    paste = (
        "we have a private registry that is currently available only via HTTP not HTTPS.\n```\n"
        "v2 ping attempt failed with error: Get https://docker.example.com:5000/v2/: EOF\n"
        " v1 ping attempt failed with error: Get https://docker.example.com:5000/v1/_ping: EOF\n```"
    )
    assert cause(paste) == "HTTP_NOT_HTTPS"


_ANONYMOUS_CHALLENGE = '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}'


@pytest.mark.parametrize(
    "told",
    [
        "If I directly access https://registry-1.docker.io/v2/ it says I need to be authenticated, why?",
        "the Link above contains the following response message :",
        "Opening the registry in a browser I see:",
    ],
)
def test_the_anonymous_challenge_of_v2_seen_by_hand_is_not_the_failure(told):
    # distribution answers every anonymous GET /v2/ with this 401 body: the normal start of the token flow
    paste = (
        "```\nPulling rd (redis:3.2)...\nERROR: Get https://registry-1.docker.io/v2/: net/http: request canceled "
        "while waiting for connection (Client.Timeout exceeded while awaiting headers)\n```\n"
        f"{told}\n```\n{_ANONYMOUS_CHALLENGE}\n```"
    )
    assert cause(paste) == "HTTP_TIMEOUT"


def test_a_5xx_while_the_user_pulls_through_a_proxy_is_the_proxys():
    pull = "$ sudo docker pull alpine\nUsing default tag: latest\nError response from daemon: received unexpected HTTP status: 503 Service Unavailable"
    assert (
        cause(f"I trying to `docker pull` through a proxy but I keep having HTTP 503 errors :\n```\n{pull}\n```")
        == "PROXY_ERROR"
    )
    assert cause(f"I keep having HTTP 503 errors :\n```\n{pull}\n```") == "SERVER_ERROR"
    # docker's own advice names a proxy too: not the user's diagnosis
    advice = (
        "Network timed out while trying to connect to https://index.docker.io/v1/repositories/a/b/images. You may "
        "want to check your internet connection or if you are behind a proxy."
    )
    assert cause(f"$ docker pull a/b\n{advice}") == "TCP_TIMEOUT"


def test_a_private_repository_named_in_a_push_refusal_stays_a_refused_right():
    paste = (
        "After `docker login` successfully, `docker push` fails with error: `denied: requested access to the resource "
        "is denied`.\nI created a private repository named `curl` in the console first."
    )
    assert cause(paste) == "PERMISSION_DENIED"


# --- round-5 parts 10-11 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("driver", ["devicemapper", "overlay2", "aufs", "btrfs"])
@pytest.mark.parametrize("call", ["link", "mkdir", "rename", "open"])
def test_an_os_call_on_the_daemons_graph_driver_path_is_the_daemon(driver, call):
    line = (
        f"65e9dbc42589: Error pulling image (latest) from phusion/baseimage, {call} /var/lib/docker/{driver}/mnt/"
        "444041ffab2c/rootfs/.wh..wh.plnk/317.9290: no such file or directory"
    )
    assert (
        cause(f"Pulling repository phusion/baseimage\n{line}\n444041ffab2c: Error downloading dependent layers")
        == "DAEMON_ERROR"
    )


def test_a_dev_container_feature_with_no_manifest_under_its_tag():
    line = (
        "[13386 ms] Could not resolve Feature manifest for 'ghcr.io/org/features/quarto-cli:prerelease'.  If "
        "necessary, provide registry credentials with 'docker login <registry>'."
    )
    assert cause(line) == "TAG_NOT_FOUND"


@pytest.mark.parametrize("action", ["upload to", "push to", "deploy to", "read from"])
def test_a_known_user_unauthorized_to_act_is_a_refused_right(action):
    line = f"Could not push image: error from registry: User is unauthorized to {action} docker-local/corp/app/_uploads"
    assert cause(line) == "PERMISSION_DENIED"


def test_a_generic_wording_never_hides_a_decisive_one_on_the_same_line():
    line = (
        '400 Client Error: Bad Request ("no such image: homeassistant/supervisor:latest:152: invalid reference format")'
    )
    assert cause(line) == "NAME_INVALID"
    # context (an exporter's own failure, tier 0) still hides what it wraps
    assert (
        cause(
            'traces export: Post "https://localhost:4318/v1/traces": dial tcp 127.0.0.1:4318: connect: connection refused'
        )
        is None
    )


@pytest.mark.parametrize(
    "said", ["Getting this intermittently today:", "Randomly the build fails with:", "It happens sporadically, with:"]
)
def test_a_failure_that_comes_and_goes_with_nothing_changed_is_the_servers(said):
    for line in (
        "login attempt to https://registry.hub.docker.com/v2/ failed with status: 401 Unauthorized",
        "ERROR: failed to authorize: failed to fetch oauth token: unexpected status: 404 Not Found",
    ):
        assert cause(f"{said}\n```\n{line}\n```\nbefore and after that the same login works fine") == "SERVER_ERROR"
    # a DNS failure that comes and goes keeps its own reading
    dns = "Error response from daemon: Get https://r.example.com/v2/: dial tcp: lookup r.example.com: no such host"
    assert cause(f"{said}\n```\n{dns}\n```") == "DNS_NXDOMAIN"


def test_a_plain_401_after_a_login_that_worked_is_refused_credentials():
    # the majority of the real labels (rounds 1-5): credentials the login accepted and the pull then sent were refused
    paste = (
        "$ echo $CR_PAT | docker login ghcr.io -u me --password-stdin\nLogin Succeeded\n\n"
        "$ docker pull ghcr.io/me/app\nUsing default tag: latest\n"
        'Error response from daemon: Head "https://ghcr.io/v2/me/app/manifests/latest": unauthorized'
    )
    assert cause(paste) == "CREDENTIALS_INVALID"
    assert cause(paste.split("\n\n", 1)[1]) == "CREDENTIALS_MISSING"


# --- round-5 part 12 ---------------------------------------------------------------------------------------------------


@FAMILY
@given(
    region=st.sampled_from(["us-east4", "europe-west3", "asia-east1"]),
    project=LABELS,
    repo=LABELS,
    cut=st.integers(8, 30),
    tree=st.sampled_from(["", "      │   ", "│ │ ╰╴ "]),
)
def test_an_anonymous_token_refused_by_artifact_registry_is_a_missing_login(region, project, repo, cut, tree):
    # containerd asks for an anonymous token only without credentials; a terminal UI may draw its tree before each
    # line and wrap the URL anywhere
    url = f"https://{region}-docker.pkg.dev/v2/token?scope=repository%3A{project}%2F{repo}%3Apull&service={region}-docker.pkg.dev"
    at = len("https://") + cut
    while url[at - 1] not in "-./?&=%_":
        at += 1
    line = f"failed to copy: httpReadSeeker: failed open: failed to authorize: failed to fetch anonymous token: unexpected status from GET request to {url}: 403 Forbidden"
    head, tail = line.split(url[at:], 1)[0], url[at:] + line.split(url[at:], 1)[1]
    assert cause(f"{tree}! {head}\n{tree}  {tail}") == "CREDENTIALS_MISSING"
    # GHCR's 403 to an anonymous token request stays a refused scope
    ghcr = line.replace(f"{region}-docker.pkg.dev", "ghcr.io")
    assert cause(ghcr) == "PERMISSION_DENIED"


def test_the_daemons_authorization_plugin_refusing_a_call():
    line = 'time="2024-09-18T19:00:50Z" level=error msg="AuthZRequest for HEAD /_ping returned error: authorization denied by plugin pipelines: "'
    assert cause(f"On Sep 17 I started experiencing this issue on my pipelines:\n```\n{line}\n```") == "DAEMON_ERROR"


@pytest.mark.parametrize(
    "paste",
    [
        "```\n  DOCKER_HOST=unix:///docker/docker.sock\nERROR: image 'gcr.io/b/builder:v1' does not exist on the daemon: not found\n```",
        "      │   ! failed to authorize: failed to fetch anonymous token: unexpected status from GET request to "
        "https://us-east4-docker.pkg.dev/v2/token?scope=repository%3Ap%2Fr%3Apull: 403 Forbidden",
    ],
)
def test_a_quote_marker_before_indented_lines_reads_as_the_lines_unquoted(paste):
    quoted = "\n".join("> " + line for line in paste.split("\n"))
    assert cause(quoted) == cause(paste)
