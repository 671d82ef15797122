"""The log reader on the words of the tools that wrap a cloud registry's answer (issue 11, eleventh round): credential
helpers called by other programs, cloud platforms that pull with a role of their own, AWS SDK requests that got no
answer, the Terraform docker provider, OCIR's anonymous refusal, docker push's local lookup, an updater's HEAD
fallback.

Each line is built from the program's format string or its documented error text (the variable parts drawn or
invented), not copied from a post; each case asserts the cause and the line it was read from. Each failed on the code
before its commit; the controls passed there too.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from knowledge.logs import explain
from tests.harness.log_families import LABELS

DRAWS = settings(max_examples=10, deadline=None)
ACCOUNT = "123456789012"
ECR = f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com"


def read(text: str) -> tuple[str | None, str]:
    """The reader's first cause and its evidence line ("" when it names none)."""
    r = explain(text)
    return (r["cause"], r["evidence"]) if r else (None, "")


# (text, cause, a piece of the evidence line)
CASES = [
    # Nomad drivers/docker/utils.go: "%s with input %q failed with stderr: %s" (the helper Nomad runs itself)
    (
        f'failed to initialize task "web" for alloc "5a4b": Failed to find docker auth for repo "{ECR}/web": '
        f'docker-credential-ecr-login with input "{ECR}/web" failed with stderr: exit status 1',
        "CREDENTIAL_HELPER_ERROR",
        "docker-credential-ecr-login with input",
    ),
    # docker-credential-helpers credentials/error.go ErrCredentialsNotFound, printed by a program that called the helper
    (
        "failed to get ECR credentials: credentials not found in native keychain",
        "CREDENTIAL_HELPER_ERROR",
        "credentials not found in native keychain",
    ),
    # amazon-ecr-credential-helper ecr-login/api/client.go: "ecr: Failed to get authorization token: %w", logged by
    # its own logger: the helper's own AWS call failed
    (
        'time="2024-01-01T00:00:00Z" level=error msg="Error retrieving credentials" error="ecr: Failed to get '
        'authorization token: ExpiredTokenException: The security token included in the request is expired"',
        "CREDENTIAL_HELPER_ERROR",
        "Error retrieving credentials",  # a logfmt line shows its msg
    ),
    # amazon-ecs-agent: the task's registry auth through aws-sdk-go, its RequestError cut before "caused by"
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval "
        "failed: unable to retrieve ecr registry auth: service call has been retried 5 time(s): RequestError: "
        "send request failed",
        "TCP_TIMEOUT",
        "RequestError: send request failed",
    ),
    # kreuzwerker/terraform-provider-docker resource_docker_registry_image_funcs.go
    (
        "Error: resourceDockerRegistryImageCreate: Unable to get authConfig for registry: no auth config found "
        f"for registry {ECR} in auth configs: map[string]types.AuthConfig(nil)",
        "CREDENTIALS_MISSING",
        "no auth config found for registry",
    ),
    # Oracle OCIR's refusal of a request without a login
    (
        "> Task :dockerPush FAILED\ndenied: Anonymous users are only allowed read access on public repos",
        "CREDENTIALS_MISSING",
        "Anonymous users are only allowed",
    ),
    # AWS App Runner's service events
    (
        f"Error in assuming access role arn:aws:iam::{ACCOUNT}:role/service-role/AppRunnerECRAccessRole",
        "PERMISSION_DENIED",
        "Error in assuming access role",
    ),
    (
        "Failed to pull your application image. Be sure you configure your service with a valid access role to "
        "your ECR repository.",
        "PERMISSION_DENIED",
        "valid access role",
    ),
    # Cloud Run's revision condition when its service agent cannot read the image
    (
        "ERROR: (gcloud.run.deploy) Revision 'api-00002-xyz' is not ready and cannot serve traffic. Google Cloud "
        "Run Service Agent service-42@serverless-robot-prod.iam.gserviceaccount.com must have permission to read "
        "the image, europe-docker.pkg.dev/proj/apps/api:1.2. Ensure that the provided container image URL is correct "
        "and that the above account has permission to access the image.",
        "PERMISSION_DENIED",
        "must have permission to read the image",
    ),
    # ACR Tasks on a subscription that may not run them (az acr build)
    (
        "(TasksOperationsNotAllowed) ACR Tasks requests for the registry shopreg and "
        "00000000-0000-0000-0000-000000000000 are not permitted. Please file an Azure support request.",
        "PERMISSION_DENIED",
        "TasksOperationsNotAllowed",
    ),
    # Microsoft Entra ID refusing a service principal (ACR's 401 body; AADSTS7000215)
    (
        'Error response from daemon: Get "https://shopreg.azurecr.io/v2/": unauthorized: Application not '
        "registered with AAD.",
        "CREDENTIALS_INVALID",
        "Application not",
    ),
    (
        "ERROR: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the "
        "client secret value, not the client secret ID",
        "CREDENTIALS_INVALID",
        "AADSTS7000215",
    ),
    # a right named with any subject ("you are not authorized to perform this operation", notary's push of a signature)
    (
        "failed to sign : you are not authorized to perform this operation: server returned 401",
        "PERMISSION_DENIED",
        "not authorized to perform",
    ),
    # containers/image docker_image_dest.go: "determining upload URL: %w" around net/http's missing Location
    (
        "Error writing blob: Error initiating layer upload to /v2/app/blobs/uploads/ in "
        f"{ECR}: Error determining upload URL: http: no Location header in response",
        "SERVER_ERROR",
        "no Location header",
    ),
]


@DRAWS
@given(ns=LABELS, repo=LABELS)
def test_a_push_of_a_tag_never_made_here_is_a_local_lookup(ns, repo):
    # docker/cli push: "An image does not exist locally with the tag: %s" (C8 as `No such image`): in a paste that
    # tells nothing more it names no registry cause; the pull error above it says why it is missing
    ref = f"{ECR}/{ns}/{repo}"
    push = f"An image does not exist locally with the tag: {ref}"
    told = f"Our release script runs the push below and it fails:\n$ docker push {ref}:1.0\n{push}"
    assert read(told) == (None, "")
    pulled = (
        f"$ docker pull nginx:1.25\nno matching manifest for linux/amd64 in the manifest list entries\n"
        f"$ docker tag nginx:1.25 {ref}\nError response from daemon: No such image: nginx:1.25\n{push}"
    )
    got, line = read(pulled)
    assert got == "PLATFORM_MISMATCH"
    assert "no matching manifest" in line


def test_a_bare_local_lookup_line_keeps_its_wordings_reading():
    # control: the line alone was asked about as it stands (the written sets' reading)
    assert read(f"An image does not exist locally with the tag: {ECR}/app")[0] == "REPO_NOT_FOUND"


WATCHTOWER_HEAD = (
    'Could not do a head request for "ghcr.io/{ns}/{repo}:latest", falling back to regular pull.\n'
    'Reason: registry responded with invalid HEAD request: status "404 Not Found", auth: ""'
)


@DRAWS
@given(ns=LABELS, repo=LABELS)
def test_an_updaters_head_fallback_is_context(ns, repo):
    # Watchtower pkg/registry/digest: the HEAD request's failure is a warning before the pull it falls back to
    assert read(WATCHTOWER_HEAD.format(ns=ns, repo=repo)) == (None, "")
    older = (
        f'level=warning msg="Could not do a head request for \\"ghcr.io/{ns}/{repo}:latest\\", falling back to '
        'regular pull."\nlevel=warning msg="Reason: registry responded to head request with \\"404 Not Found\\", '
        'auth: \\"not present\\""'
    )
    assert read(older) == (None, "")


def test_the_pull_after_an_updaters_head_fallback_decides():
    # control: the regular pull's own error, after the warning, is the failure
    text = WATCHTOWER_HEAD.format(ns="acme", repo="web") + (
        '\nUnable to update container "/web": Error response from daemon: Head '
        '"https://ghcr.io/v2/acme/web/manifests/latest": denied: denied. Proceeding to next.'
    )
    got, line = read(text)
    assert got == "PERMISSION_DENIED"
    assert "Unable to update container" in line


def test_an_aws_request_error_keeps_the_network_cause_it_names():
    # control: the cause after "caused by:" decides (TLS, timeout), for ECS and for ecr-login alike
    ecs = (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
        "unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request "
        'failed caused by: Post "https://api.ecr.eu-west-1.amazonaws.com/": dial tcp 10.0.0.9:443: i/o timeout'
    )
    assert read(ecs)[0] == "TCP_TIMEOUT"
    helper = (
        'level=error msg="Error retrieving credentials" error="ecr: Failed to get authorization token: RequestError: '
        "send request failed\\ncaused by: Post https://api.ecr.eu-west-1.amazonaws.com/: x509: certificate signed by "
        'unknown authority"'
    )
    assert read(helper)[0] == "TLS_UNTRUSTED"


def test_a_quota_in_a_documentation_link_is_no_quota():
    # a link's file name (`…/public-service-quotas.html`) names no limit; the sentence's own words decide
    text = (
        "Tests sometimes fail because rate limit exceeded.\n"
        "https://docs.aws.amazon.com/AmazonECR/latest/public/public-service-quotas.html"
    )
    assert read(text)[0] == "RATE_LIMITED"
    # control: a registry's quota answer is still a quota
    assert read("denied: Quota exceeded when processing the request of adding 3 MiB")[0] == "QUOTA_EXCEEDED"


def test_the_wrappers_wordings_stay_fast_on_hostile_input():
    # the new wordings' regexes are bounded: long runs of their own pieces read in well under a second
    import time

    for piece in ('docker-credential-ecr-login with input "', "ecr: failed to get authorization token", ":" * 10):
        start = time.perf_counter()
        explain(piece * 5_000)
        assert time.perf_counter() - start < 2.0


# (text, cause, a piece of the evidence line): ECS's and SageMaker's names for a refused pull, flyctl's
PLATFORM_PULLS = [
    # amazon-ecs-agent's error name and the AWS error code after it (the stopped reason, or a user retelling it)
    ("CannotPullECRContainerError: AccessDeniedException: status code: 400", "PERMISSION_DENIED", "CannotPull"),
    ("The task stops with CannotPullContainer AccessDenied for the ECR image.", "PERMISSION_DENIED", "CannotPull"),
    # SageMaker's ClientError for a job's image
    (
        "ClientError: An error occurred (ValidationException) when calling the CreateTrainingJob operation: Cannot "
        "pull algorithm container. Either the image does not exist or its permissions are incorrect.",
        "REPO_NOT_FOUND",
        "Cannot pull algorithm container",
    ),
    # flyctl's "Unable to access image %s: %s" (the platform's pull, GitHub Packages' registry)
    (
        "Error Unable to access image docker.pkg.github.com/acme/web/web:1.0: 401 Unauthorized",
        "CREDENTIALS_MISSING",
        "Unable to access image",
    ),
]


def test_a_git_hosts_unreachable_clone_stays_another_programs():
    # control: git's own "unable to access" of a repository on github.com is no registry's failure
    text = "fatal: unable to access 'https://github.com/acme/web.git/': Could not resolve host: github.com"
    assert read(text) == (None, "")


def test_a_sentence_about_a_password_in_the_docs_is_no_login_misuse():
    # docker/cli's "Password Required" is the login's own error; "username/password required" is the user's prose
    text = (
        'docker pull acme/web:1 errors with "Error response from daemon: Get https://registry-1.docker.io/v2/acme/'
        'web/manifests/1: unauthorized: incorrect username or password" - no mention of username/password required '
        "in the docs"
    )
    assert read(text)[0] == "CREDENTIALS_INVALID"
    assert read("$ docker login registry.acme.com\nUsername: bot\nError: Password Required")[0] == "LOGIN_USAGE"


def test_no_aws_credentials_anywhere_is_the_deepest_reason():
    # aws-sdk-go "NoCredentialProviders: no valid providers in chain" inside ecr-login's stderr under Nomad (C5: the
    # deepest specific reason on the line), botocore's "Unable to locate credentials"
    nomad = (
        f'Failed to find docker auth for repo "{ECR}/api": docker-credential-ecr-login with input "{ECR}/api" failed '
        "with stderr: Error retrieving credentials: NoCredentialProviders: no valid providers in chain. Deprecated."
    )
    got, line = read(nomad)
    assert got == "CREDENTIALS_MISSING"
    assert "Failed to find docker auth" in line
    cli = '$ aws ecr get-login-password --region eu-west-1\nUnable to locate credentials. You can configure credentials by running "aws configure".'
    assert read(cli)[0] == "CREDENTIALS_MISSING"


def test_a_quoted_error_in_markdown_emphasis_reads_as_without_it():
    # a user's italics or bold around the daemon's message (`_Error response from daemon: denied_`)
    for mark in ("_", "*", "**"):
        got, line = read(f"I receive an error: {mark}Error response from daemon: denied{mark}")
        assert got == "PERMISSION_DENIED"
        assert "daemon: denied" in line


# (text, cause, a piece of the evidence line): a registry's policy, a gateway in front, BuildKit's own session
POLICIES = [
    # ECR ImageTagAlreadyExistsException as docker prints it
    (
        "ERROR: tag invalid: The image tag 'v1' already exists in the 'web' repository and cannot be overwritten "
        "because the repository is immutable.",
        "PERMISSION_DENIED",
        "immutable",
    ),
    # Amazon API Gateway's answer for a path without a route, quoted by docker's body parser
    (
        'error parsing HTTP 403 response body: no error details found in HTTP response body: "{\\"message\\":'
        '\\"Missing Authentication Token\\"}"',
        "SERVER_ERROR",
        "Missing Authentication Token",
    ),
    # BuildKit's gRPC session with the client closed while it asked for credentials
    (
        "#3 [internal] load metadata for docker.io/library/debian:bookworm\n"
        "WARN: (Load metadata linux/amd64) failed to authorize: rpc error: code = Unavailable desc = transport is "
        "closing",
        "DAEMON_ERROR",
        "transport is closing",
    ),
]


# One test reads the three lists (a wrapper's own words, a platform's refused pull, a policy, a gateway or the client's
# own session): the same check of the cause and the line it was read from.
_READ_CASES = CASES + PLATFORM_PULLS + POLICIES


@pytest.mark.parametrize(
    ("text", "want", "evidence"), _READ_CASES, ids=[c[1] + "-" + str(i) for i, c in enumerate(_READ_CASES)]
)
def test_a_wrappers_own_words_name_the_cause_and_the_line(text, want, evidence):
    got, line = read(text)
    assert got == want
    assert evidence in line


def test_a_user_who_says_they_had_not_authenticated_gets_the_missing_login():
    # C4b: the user's "I haven't authenticated to ghcr.io" refines a bare `denied` (as "I haven't logged in" does)
    text = (
        'docker: Error response from daemon: Head "https://ghcr.io/v2/acme/web/manifests/1.0": denied: denied.\n'
        "It is because I haven't authenticated to ghcr.io (it worked when I did login)."
    )
    assert read(text)[0] == "CREDENTIALS_MISSING"
    # control: without the account the bare `denied` stays a refusal
    assert read(text.splitlines()[0])[0] == "PERMISSION_DENIED"


def test_a_keychain_that_found_nothing_sent_no_credentials():
    # go-containerregistry's keychain as kaniko logs it: the config it could not read, then the anonymous fallback
    kaniko = (
        'INFO[0000] Unable to read "/config.json": open /config.json: no such file or directory\n'
        "INFO[0001] No matching credentials were found, falling back on anonymous"
    )
    got, line = read(kaniko)
    assert got == "CREDENTIALS_MISSING"
    assert "config.json" in line
    # the fallback is context: the push's own refusal after it is the decisive line
    push = (
        "INFO[0001] No matching credentials were found, falling back on anonymous\n"
        f"error pushing image: failed to push to destination {ECR}/app:1: HEAD https://{ECR}/v2/app/blobs/"
        "sha256:ab: unexpected status code 401 Unauthorized (HEAD responses have no body, use GET for details)"
    )
    got, line = read(push)
    assert got == "CREDENTIALS_MISSING"
    assert "error pushing image" in line


@DRAWS
@given(ns=LABELS, repo=LABELS)
def test_a_helper_that_failed_above_a_generic_refusal_decides(ns, repo):
    # docker-credential-helpers client.go: "error storing credentials - err: %v, out: `%s`" on the login, then the
    # pull's generic refusal: the pull carried nothing the helper should have given
    text = (
        f"$ aws ecr get-login-password | docker login --username AWS --password-stdin {ECR}\n"
        "Error saving credentials: error storing credentials - err: exit status 1, out: `not implemented`\n"
        f"$ docker compose up\nError response from daemon: pull access denied for {ns}/{repo}, repository does not "
        "exist or may require 'docker login': denied: requested access to the resource is denied"
    )
    got, line = read(text)
    assert got == "CREDENTIAL_HELPER_ERROR"
    assert "error storing credentials" in line


def test_a_logouts_erase_warning_explains_no_refusal():
    # control: "error erasing credentials" is a logout's warning; the refusal below it keeps its own reading
    text = (
        "WARNING: could not erase credentials: error erasing credentials - err: exit status 1, out: `not found`\n"
        'Error response from daemon: Get "https://registry.acme.com/v2/": unauthorized: authentication required'
    )
    assert read(text)[0] == read(text.splitlines()[1])[0] != "CREDENTIAL_HELPER_ERROR"


REFUSED_PULL = (
    "Error response from daemon: pull access denied for {host}/{ns}/{repo}, repository does not exist or may require "
    "'docker login': denied: requested access to the resource is denied"
)


@DRAWS
@given(ns=LABELS, repo=LABELS)
def test_a_refused_pull_after_a_login_to_that_registry_is_the_accounts(ns, repo):
    # C6: `denied` after a login that succeeded to the very registry that refused (an entitlement, a licence)
    host = "cp.icr.io"
    text = (
        f"$ docker login {host} --username cp --password-stdin\nLogin Succeeded\n$ docker pull {host}/{ns}/{repo}:1\n"
    )
    got, line = read(text + REFUSED_PULL.format(host=host, ns=ns, repo=repo))
    assert got == "PERMISSION_DENIED"
    assert "pull access denied" in line


def test_a_login_to_another_registry_does_not_make_a_refusal_the_accounts():
    # control: a bare `docker login` logs in to Docker Hub; the other registry's refusal keeps the missing login
    host = "registry.cn-hangzhou.aliyuncs.com"
    text = "$ docker login\nLogin Succeeded\n" + REFUSED_PULL.format(host=host, ns="team", repo="app")
    assert read(text)[0] == "CREDENTIALS_MISSING"


@pytest.mark.parametrize("registry", ["lscr.io", "ghcr.io", "quay.io"])
def test_a_registry_host_inside_a_docker_hub_name_is_a_wrong_name(registry):
    # an updater that prefixed Docker Hub to a name that had its registry (Diun: "reading digest %s in %s"): C3
    text = (
        'WRN Cannot get remote manifest error="Cannot get image digest from HEAD request: reading digest latest in '
        f'docker.io/{registry}/acme/web: errors: denied: requested access to the resource is denied"'
    )
    assert read(text)[0] == "REPO_NOT_FOUND"


@pytest.mark.parametrize(
    ("typed", "right"), [("ghrc.io", "ghcr.io"), ("qauy.io", "quay.io"), ("grc.io", "gcr.io"), ("lcsr.io", "lscr.io")]
)
def test_a_well_known_registry_host_with_two_letters_swapped_is_a_wrong_name(typed, right):
    # C3: the push went to another domain than the registry the user logged in to
    text = (
        f"$ echo $PAT | docker login {right} -u me --password-stdin\nLogin Succeeded\n"
        f"$ docker push {typed}/me/web:latest\nThe push refers to repository [{typed}/me/web]\n"
        "denied: requested access to the resource is denied"
    )
    assert read(text)[0] == "REPO_NOT_FOUND"
    # control: the registry's own host keeps the refusal's reading
    assert read(text.replace(typed, right))[0] != "REPO_NOT_FOUND"


def test_a_login_query_is_not_a_login():
    # containers/common `login --get-login` prints the user logged in; the 401 after it is another program's request
    # (ko: "writing sbom: HEAD https://…: unexpected status code 401 Unauthorized"), not a refused login
    text = (
        "$ podman login --get-login quay.io\nrobot_acme\n$ ko build ./cmd/web\n"
        "Error: failed to publish images: error publishing ko://example.com/web: HEAD https://quay.io/v2/acme/web/"
        "blobs/sha256:ab: unexpected status code 401 Unauthorized (HEAD responses have no body, use GET for details)"
    )
    assert read(text)[0] == "CREDENTIALS_MISSING"
    # control: a login typed is the login, and its 401 the login's refusal
    login = '$ podman login quay.io\nError: logging into "quay.io": invalid username/password'
    assert read(login)[0] == "CREDENTIALS_INVALID"
