"""Pasted logs, fifth round (issue 11: generalise beyond the tuning posts). Each test stands for a class of reading
failure found on the seen round-4 half (/work/notes/seen/logs_blind_r1-r4.jsonl) — a wording printed by a tool's
own format string, or a way pages and people carry output — built with its variable parts, so a rule has to read
every message the code can print and every way it is carried, not the one post it was seen in.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.logs import explain

_ERROR_WORDS = re.compile(
    r"denied|forbidden|unauthori|quota|limit|exceed|timeout|timed|refused|reset|eof|expired|unknown|invalid|found|"
    r"error|fail|proxy|repositor|project|namespace|manifest|tag|image|host|sock|daemon|token|cred|auth|login|pull|push"
)
_LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12).filter(
    lambda s: s[0].isalpha() and not _ERROR_WORDS.search(s)
)
HOSTS = st.builds(lambda a, b: f"{a}.{b}.com", _LABEL, _LABEL)
PATHS = st.builds(lambda ns, repo: f"{ns}/{repo}", _LABEL, _LABEL)
FAMILY = settings(max_examples=20, deadline=None)


def cause(text: str) -> str | None:
    r = explain(text)
    return r and r["cause"]


def causes(text: str) -> list[str]:
    r = explain(text)
    return [r["cause"], *r["also"]] if r else []


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
