"""Pasted logs, the credential/access family read from what a paste tells around the refusal (issue 11, labelling
conventions C3, C4, C6 and C8 in docs/logs.md), made from round 9's blind half once it was seen: who holds the
credentials (the docker CLI works where another program fails), an image the user says is private, a pull that
failed for no reason the text gives. Hosts and names are drawn by hypothesis; every mechanism has a control beside
it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from knowledge.logs.story import said_not_logged_in, works_from_cli
from tests.harness.log_families import HOSTS, LABELS, PATHS, cause

CLASS = settings(max_examples=15, deadline=None)


@given(path=PATHS)
@CLASS
def test_a_refused_hub_pull_of_a_container_the_user_says_is_private_is_a_missing_login(path):
    out = (
        f"level=info msg=\"Unable to update container /app, err='Error response from daemon: pull access denied for"
        f" {path}, repository does not exist or may require 'docker login''. Proceeding to next.\""
    )
    told = f"Hi, it does not want to update my private container from docker registry. I'm getting the following error:\n{out}"
    assert cause(told) == "CREDENTIALS_MISSING"
    # control: the same refusal told of nothing private is Docker Hub's answer to a name it does not have (C3/C6)
    assert cause(f"Hi, it does not want to update my container. I'm getting the following error:\n{out}") == (
        "REPO_NOT_FOUND"
    )


@pytest.mark.parametrize(
    ("prose", "told"),
    [
        (
            "pulling images from docker cli works, and it also works while pulling individual images from portainer",
            True,
        ),
        ("everything works fine if i use docker from cli.", True),
        ("if i call from command line it works. it only fails on cloud build steps", True),
        ("the same pull from the terminal succeeded without problems", True),
        ("docker login works from the cli but the push fails", False),
        ("it does not work from the cli either", False),
        ("pulling from the cli fails too", False),
    ],
)
def test_the_user_saying_the_same_request_works_from_the_cli(prose, told):
    assert works_from_cli(prose) is told


@given(host=HOSTS, path=PATHS)
@CLASS
def test_a_bare_denied_where_the_docker_cli_works_is_the_failing_programs_missing_login(host, path):
    out = f'failed to pull images of the stack: Error response from daemon: Head "https://{host}/v2/{path}/manifests/v4": denied'
    told = (
        "Pulling images from docker CLI works, but it fails with a 403 Forbidden when pulling the same images as a part"
        f" of a stack.\n\n{out}"
    )
    assert cause(told) == "CREDENTIALS_MISSING"
    # control: the bare denied alone is a refused right (the labels' reading of it, docs/logs.md)
    assert cause(f"Deploying the stack fails:\n\n{out}") == "PERMISSION_DENIED"
    # control: a login that works from the CLI tells nothing of who lacks the credentials
    assert cause(f"docker login works from the CLI, but the stack fails.\n\n{out}") == "PERMISSION_DENIED"


@given(project=LABELS)
@CLASS
def test_the_cli_working_does_not_touch_a_specific_wording(project):
    text = (
        "It works from the docker CLI but fails in the pipeline.\n"
        f"unauthorized: project {project} not found: project {project} not found"
    )
    assert cause(text) == "REPO_NOT_FOUND"


@given(path=PATHS, tag=LABELS)
@CLASS
def test_a_pull_symptom_in_a_paste_that_tells_no_reason_names_no_cause(path, tag):
    event = f'  Normal   BackOff   pod/web-6799fc88d8-9crcj   Back-off pulling image "{path}:{tag}"'
    assert cause(f"When a new deployment starts I receive this error. Under the events:\n{event}\n") is None
    # controls: the line alone keeps its guess (the note asks for the full event); pull secrets, a private image or
    # a login the user says is missing keep it too
    assert cause(event.strip()) == "CREDENTIALS_MISSING"
    assert cause("Error: ImagePullBackOff") == "CREDENTIALS_MISSING"
    assert cause(f"I have not set imagePullSecrets on the deployment yet.\n{event}\n") == "CREDENTIALS_MISSING"
    assert cause(f"The deployment pulls my private image from the registry:\n{event}\n") == "CREDENTIALS_MISSING"
    assert cause(f"The deployment never comes up. I forgot to docker login on the nodes.\n{event}\n") == (
        "CREDENTIALS_MISSING"
    )


@pytest.mark.parametrize(
    ("prose", "named"),
    [
        ("Create a pipelinerun with an invalid image and observe", "REPO_NOT_FOUND"),
        ("the deployment asks for an invalid version of the image", "TAG_NOT_FOUND"),
        ("后来发现是镜像版本不对", "TAG_NOT_FOUND"),
        ("原因是镜像名写错了", "REPO_NOT_FOUND"),
    ],
)
def test_a_pull_symptom_the_user_says_is_a_wrong_name(prose, named):
    event = 'Warning  Failed  kubelet  Error: ErrImagePull\nNormal  BackOff  kubelet  Back-off pulling image "web:1"'
    assert cause(f"{prose}\n\n{event}\n") == named


@given(path=PATHS, tag=LABELS)
@CLASS
def test_an_old_containerd_failing_to_resolve_a_tag_is_a_missing_tag(path, tag):
    ref = f"docker.io/{path}:{tag}"
    line = (
        f'Warning  Failed  42s  kubelet  Failed to pull image "{path}:{tag}": rpc error: code = Unknown desc = failed'
        f' to resolve image "{ref}": {ref} not found'
    )
    assert cause(line) == "TAG_NOT_FOUND"


def test_a_pull_symptom_in_output_alone_keeps_its_guess():
    # kubectl's event table is no sentence of the user's: the paste is output alone, as a bare line
    events = (
        "LAST SEEN   TYPE      REASON    OBJECT       MESSAGE\n"
        "10s         Warning   Failed    pod/web-1    Error: ErrImagePull\n"
        '12s         Normal    Pulling   pod/web-1    Pulling image "reg.example.com/prod/web:2.3.1"\n'
    )
    assert cause(events) == "CREDENTIALS_MISSING"
    assert cause(f"The pod does not start.\n\n{events}") == "CREDENTIALS_MISSING"


@given(host=HOSTS, path=PATHS)
@CLASS
def test_a_401_after_a_login_told_as_a_success_is_refused_credentials(host, path):
    out = f"$ docker push {host}/{path}:1\nThe push refers to repository [{host}/{path}]\nunauthorized: authentication required"
    assert cause(f"When I use docker push I get an error (but docker login success).\n{out}") == "CREDENTIALS_INVALID"
    # control: without the login told, nothing was shown to be sent
    assert cause(f"When I use docker push I get an error.\n{out}") == "CREDENTIALS_MISSING"


@given(name=LABELS, tag=LABELS)
@CLASS
def test_a_docker_hub_request_for_a_name_without_its_namespace_is_a_wrong_name(name, tag):
    warn = f"WARNING: fetching from https://index.docker.io/v2/{name}/manifests/{tag} without an integrity hash."
    text = f"Bazel logs show I am getting an unauthorized\n\n{warn}\nERROR: GET manifest: 401 Unauthorized"
    assert cause(text) == "REPO_NOT_FOUND"
    # control: the namespaced name is one Hub may have, its 401 stays the credentials'
    assert cause(text.replace(f"/v2/{name}/", f"/v2/library/{name}/")) != "REPO_NOT_FOUND"
    # control: a network failure keeps its own cause even for a wrong name (C3)
    refused = (
        f'Get "https://index.docker.io/v2/{name}/manifests/{tag}": dial tcp 1.2.3.4:443: connect: connection refused'
    )
    assert cause(refused) == "TCP_REFUSED"


@pytest.mark.parametrize(
    ("prose", "told"),
    [("未登录，要先 docker login", True), ("我还未登录就拉取了", True), ("已经登录了", False)],
)
def test_not_logged_in_told_in_chinese(prose, told):
    assert said_not_logged_in(prose) is told


@given(user=LABELS)
@CLASS
def test_a_docker_config_that_is_not_there_stores_no_credentials(user):
    path = f"/home/{user}/.docker/config.json"
    assert cause(f'Unable to read "{path}": open {path}: no such file or directory') == "CREDENTIALS_MISSING"
    # control: a config the client cannot parse is the store's fault
    bad = f"Error loading config file: {path}: invalid character '}}' looking for beginning of object key string"
    assert cause(bad) == "CREDENTIAL_HELPER_ERROR"


def test_a_runners_note_of_the_config_it_uses_is_not_the_error():
    text = (
        '$ docker login -u "${CI_REGISTRY_USER}" -p "${CI_REGISTRY_PASSWORD}"\n'
        "Error response from daemon: Get https://registry-1.docker.io/v2/: unauthorized: incorrect username or password\n"
        "\nAuthenticating with credentials from /root/.docker/config.json ERROR: Job failed: exit code 1"
    )
    assert cause(text) == "CREDENTIALS_INVALID"


def test_the_daemon_missing_the_registry_auth_header_got_no_credentials():
    line = "Error pushing docker image: Error response from daemon: Bad parameters and missing X-Registry-Auth: EOF"
    assert cause(line) == "CREDENTIALS_MISSING"
    # control: a bare EOF of a push stays the network's or server's
    assert cause("Error pushing docker image: Error response from daemon: EOF") != "CREDENTIALS_MISSING"


@pytest.mark.parametrize(
    "story",
    [
        "The old namespace has qcloudregistrykey, so it works there. 新建的 namespace 里 pod 全是：",
        "I added the secret to both the default namespace and the one I deploy to, and still get:",
    ],
)
def test_a_pull_symptom_in_a_story_about_the_clusters_registry_credentials_keeps_its_guess(story):
    event = "web-5d8f7c9b6d-q7wz2    0/1     ImagePullBackOff   0          2m"
    assert cause(f"{story}\n{event}\n") == "CREDENTIALS_MISSING"
