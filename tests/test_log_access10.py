"""Pasted logs, the credential/access family in words the reader had not seen (issue 11, labelling conventions C3, C6
and C8 in docs/logs.md): generic not-found / denied / unauthorized answers in a registry's, a platform's or a
wrapper's own words, each anchored to a registry reference or a registry's request so that the same words about
something else stay unread; and the user's own account of the credentials and the name. Hosts and names are drawn by
hypothesis; every mechanism has a control beside it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from knowledge.logs.story import (
    output_sent_none,
    said_logged_in,
    told_name_right,
    told_private,
    told_wrong_name,
    worked_before,
)
from tests.harness.log_families import HOSTS, LABELS, PATHS, cause

CLASS = settings(max_examples=15, deadline=None)


@given(host=HOSTS, path=PATHS)
@CLASS
def test_a_bare_denied_the_daemon_ends_with_a_full_stop_is_a_refusal(host, path):
    text = f"Unable to find image '{host}/{path}:latest' locally\ndocker: Error response from daemon: denied.\n"
    assert cause(text) == "PERMISSION_DENIED"


@given(host=HOSTS, project=LABELS)
@CLASS
def test_harbor_2_naming_a_project_it_does_not_have_inside_a_401_is_a_wrong_name(host, project):
    text = f"docker push {host}/{project}/app:1\nunauthorized: project {project} not found: project {project} not found"
    assert cause(text) == "REPO_NOT_FOUND"
    # control: a bare 401 of the same push stays the credentials'
    assert cause(f"docker push {host}/{project}/app:1\nunauthorized: authentication required") != "REPO_NOT_FOUND"


@given(host=HOSTS, path=PATHS)
@CLASS
def test_harbor_project_policy_refusing_a_request_is_a_refusal(host, path):
    text = (
        f"Error: signing [{host}/{path}@sha256:7aa]: accessing image: GET https://{host}/v2/{path}/manifests/sha256:7aa:"
        " PROJECTPOLICYVIOLATION: The image is not signed in Cosign."
    )
    assert cause(text) == "PERMISSION_DENIED"


@given(host=HOSTS, path=PATHS)
@CLASS
def test_the_registrys_own_log_of_a_request_without_credentials_is_a_missing_login(host, path):
    text = (
        f'level=error msg="error authorizing context: authorization header required" http.request.host="{host}"'
        f' http.request.uri="/v2/{path}/manifests/latest"'
    )
    assert cause(text) == "CREDENTIALS_MISSING"
    # control: a context error of another kind is not read as no credentials
    assert cause(f'level=error msg="error authorizing context: invalid token" http.request.host="{host}"') != (
        "CREDENTIALS_MISSING"
    )


@pytest.mark.parametrize("group", ["builds.submit", "run.deploy", "artifacts.docker.images.describe"])
def test_gclouds_not_found_is_a_missing_repository(group):
    assert cause(f"ERROR: (gcloud.{group}) NOT_FOUND: Requested entity was not found") == "REPO_NOT_FOUND"


def test_another_apis_not_found_is_not_a_registrys():
    assert cause("google.api_core.exceptions.NotFound: 404 NOT_FOUND: Requested entity was not found. (BigQuery)") != (
        "REPO_NOT_FOUND"
    )


@given(host=HOSTS, path=PATHS, tag=LABELS)
@CLASS
def test_a_platform_naming_a_quoted_image_not_found_is_a_missing_tag(host, path, tag):
    text = (
        f"ERROR: (gcloud.run.deploy) Revision 'app-00042-fow' is not ready and cannot serve traffic. "
        f"Image '{host}/{path}:{tag}' not found."
    )
    assert cause(text) == "TAG_NOT_FOUND"


@pytest.mark.parametrize(
    "text",
    [
        "Error: file 'config.yaml' not found",
        "ERROR: package 'left-pad' not found",
        "user 'admin' not found",
    ],
)
def test_not_found_about_something_else_names_no_registry_cause(text):
    assert cause(text) is None


@given(path=PATHS, tag=LABELS)
@CLASS
def test_dockers_own_store_lacking_an_image_names_no_registry_cause_alone(path, tag):
    # C8: `No such image` is a local lookup; the real labels read it alone as no registry cause
    text = f"Pulling docker image {path}:{tag} ...\nERROR: Preparation failed: Error: No such image: {path}:{tag}"
    assert cause(text) is None


@given(host=HOSTS, path=PATHS)
@CLASS
def test_a_bare_no_such_image_line_alone_keeps_the_wrong_name_reading(host, path):
    # (a bare error line alone is read as the registry's: it was asked about here)
    assert cause(f"Error response from daemon: No such image: {host}/{path}:1") == "REPO_NOT_FOUND"


@given(path=PATHS, tag=LABELS)
@CLASS
def test_swarm_tasks_that_find_no_image_got_no_login(path, tag):
    text = (
        "When deploying a stack, these tasks are in `rejected` state with the following error:\n"
        f"> No such image: {path}:{tag}\n"
        'When hitting "Redeploy" button from the UI, everything works.'
    )
    assert cause(text) == "CREDENTIALS_MISSING"
    flagged = f"We deploy it with docker stack deploy --with-registry-auth.\nNo such image: {path}:{tag}"
    assert cause(flagged) == "CREDENTIALS_MISSING"


@given(host=HOSTS, path=PATHS)
@CLASS
def test_a_private_image_docker_does_not_have_is_a_missing_login(host, path):
    text = f"I can't pull my private image with docker-compose.\n\nNo such image: {host}/{path}:latest"
    assert cause(text) == "CREDENTIALS_MISSING"


@given(host=HOSTS, path=PATHS)
@CLASS
def test_the_failed_pulls_own_error_still_decides_before_no_such_image(host, path):
    text = (
        f"docker pull {host}/{path}:1\nError response from daemon: manifest for {host}/{path}:1 not found: "
        f"manifest unknown: manifest unknown\nError response from daemon: No such image: {host}/{path}:1"
    )
    assert cause(text) == "TAG_NOT_FOUND"


@pytest.mark.parametrize(
    ("prose", "private"),
    [
        ("i can't pull my private image with docker-compose", True),
        ("cant pull image from private repository on docker hub", True),
        ("i cannot not deploy a private image which is stored on the docker registry.", True),
        ("it does not want to update my private container from docker registry.", True),
        ("拉取私有镜像会报错", True),
        ("私有镜像仓库配置完成，拉取镜像失败", False),
        ("for docker repository that not use default or private repo they must include authentication", False),
        ("it is not a private image", False),
        ("i don't have any private repository", False),
        ("this is a non-private repo", False),
    ],
)
def test_a_private_image_is_told_unless_the_noun_itself_is_negated(prose, private):
    assert told_private(prose) is private


@pytest.mark.parametrize(
    ("prose", "told"),
    [
        ("on client side i set the harbor as a insecure repository, did login and i get this error", True),
        ("login to the registry is successful but pull image does not have permission", True),
        ("confirming that docker login completes successfully prior to executing the docker pull command", True),
        ("i ran docker login first", True),
        ("though i could log in and push an image to acr repository, i failed to pull the same image", True),
        ("when use docker push command, got a error.(but docker login success)", True),
        ("i've logged in with success to my docker registry, however docker push isn't working", True),
        ("the github action login success but push fails", True),
        ("login success rate is what we measure", False),
        ("i have not logged in with success yet", False),
        ("i can log in to the web console with the same password", False),
        ("i could not log in at all", False),
        ("i did not login before the push", False),
        ("the login was not successful", False),
        ("i never ran docker login", False),
        ("this is not a login problem", False),
    ],
)
def test_a_login_told_in_other_words_is_credentials_sent(prose, told):
    assert said_logged_in(prose) is told


@given(host=HOSTS, path=PATHS)
@CLASS
def test_a_401_after_a_login_the_user_says_worked_is_refused_credentials(host, path):
    told = f"Login to the registry is successful but the pull fails.\n\ndocker pull {host}/{path}:1\n"
    assert cause(told + "unauthorized: authentication required") == "CREDENTIALS_INVALID"
    # control: the same 401 with no login told is a missing one
    assert cause(f"docker pull {host}/{path}:1\nunauthorized: authentication required") == "CREDENTIALS_MISSING"


@pytest.mark.parametrize(
    ("prose", "named"),
    [
        ("then i find **image tag mismatch between helm chart and repository", "TAG_NOT_FOUND"),
        ("the 1.2 version does not exist yet", None),  # (a version, not a tag, that "does not exist": no tag told)
        ("we used a wrong tag in the chart", "TAG_NOT_FOUND"),
        ("incorrect cattle-cluster-agent image being used from stgregistry", "REPO_NOT_FOUND"),
        ("when user set the error image address or image does not exists", "REPO_NOT_FOUND"),
        ("pull access denied for x, repository does not exist or may require 'docker login'", None),
        ("the image name is not wrong", None),
        ("the image exists and the tag is right", None),
    ],
)
def test_the_user_saying_the_name_is_wrong(prose, named):
    assert told_wrong_name(prose) == named


@given(host=HOSTS, path=PATHS)
@CLASS
def test_a_failed_pull_with_no_reason_the_user_says_is_a_wrong_name_is_one(host, path):
    events = f'  Normal   BackOff  3m21s (x121 over 31m)  kubelet  Back-off pulling image "{host}/{path}:0.2.0"\n'
    assert cause(f"Then I found the image tag mismatch between the chart and the registry.\n\n{events}") == (
        "TAG_NOT_FOUND"
    )
    assert cause(f"Incorrect image being used by the chart.\n\n{events}") == "REPO_NOT_FOUND"
    # control: the same symptom without the user's finding stays the missing pull secret
    assert cause(f"The pod does not start.\n\n{events}") == "CREDENTIALS_MISSING"


@given(host=HOSTS, path=PATHS)
@CLASS
def test_a_registrys_own_answer_is_not_overruled_by_a_told_wrong_name(host, path):
    text = f"Either the image is internal or doesn't exist.\n\ndocker pull {host}/{path}:1\nunauthorized: authentication required"
    assert cause(text) == "CREDENTIALS_MISSING"


@given(path=PATHS)
@CLASS
def test_a_refusal_the_clients_own_output_says_went_without_credentials_is_a_missing_login(path):
    push = (
        f"+ /usr/local/bin/docker push {path}:1\nThe push refers to a repository [docker.io/{path}]\n"
        "dc174c621de7: Preparing\ndenied: requested access to the resource is denied\n"
    )
    assert cause("Registry credentials not provided. Guest mode enabled.\n" + push) == "CREDENTIALS_MISSING"
    # control: the same refusal with nothing said of the credentials is a refusal of a known identity
    assert cause(push) == "PERMISSION_DENIED"


@pytest.mark.parametrize(
    ("output", "none"),
    [
        ("registry credentials not provided. guest mode enabled.", True),
        ("pulling image 172.30.52.227:5000/test/app@sha256:8dd9 without credentials", True),
        ("no credentials found for my.registry.example.com", True),
        ("debu[0000] pullimagerequest: &pullimagerequest{image:&imagespec{image:a.example.com/b:1,},auth:nil,}", True),
        (
            "debu[0000] pullimagerequest: &pullimagerequest{image:&imagespec{image:a.example.com/b:1,},auth:&authconfig{",
            False,
        ),
        ("credentials provided for my.registry.example.com", False),
    ],
)
def test_the_clients_own_output_saying_it_sent_no_credentials(output, none):
    assert output_sent_none(output) is none


@given(host=HOSTS, path=PATHS, tag=LABELS)
@CLASS
def test_a_platform_saying_the_source_image_does_not_exist_is_a_missing_tag(host, path, tag):
    assert cause(f"Source image {host}/{path}:{tag} does not exist. Provide a valid source image.") == "TAG_NOT_FOUND"
    masked = 'Reason: Resource handler returned message: "Source image [id] does not exist. Provide a valid source'
    assert cause(masked + ' image. (Service: Lambda, Status Code: 400, Request ID: [id])"') == "TAG_NOT_FOUND"
    # control: docker's local lookup keeps its own reading
    assert cause(f"Error: An image does not exist locally with the tag: {host}/{path}") == "REPO_NOT_FOUND"


def test_a_403_written_with_its_protocol_is_a_refusal():
    assert cause("using this flag causes http403 from the container registry when the nodes pull") == (
        "PERMISSION_DENIED"
    )


@pytest.mark.parametrize(
    ("prose", "worked"),
    [
        ("this worked until wednesday, began to fail on thursday.", True),
        ("it worked fine until the 3rd", True),
        ("it never worked until monday's fix", False),
    ],
)
def test_a_set_up_that_worked_until_a_day_worked_before(prose, worked):
    assert worked_before(prose) is worked


@given(name=LABELS)
@CLASS
def test_insufficient_scope_for_a_pull_that_names_no_registry_is_a_name_not_found(name):
    # docker asked its default registry, Docker Hub: its answer to anyone for a name it does not have (C6)
    pull = (
        f"failed to solve: {name}-local: pull access denied, repository does not exist or may require authorization:"
        " server message: insufficient_scope: authorization failed"
    )
    assert cause(f"docker compose build\n{pull}") == "REPO_NOT_FOUND"
    # control: the same answer to a push is a refusal of the action
    push = "ERROR: push access denied, repository does not exist or may require authorization: server message:"
    assert cause(f"docker compose push\n\n{push} insufficient_scope: authorization failed") == "PERMISSION_DENIED"


@pytest.mark.parametrize(
    ("prose", "right"),
    [
        ("despite using valid credentials, providing the correct image path, and confirming docker login", True),
        ("the repository exists and i can see it in the ui", True),
        ("i have the feeling that this docker image no longer exists", False),
        ("the repository does not exist", False),
    ],
)
def test_the_user_saying_the_name_is_right(prose, right):
    assert told_name_right(prose) is right


@pytest.mark.parametrize("host", ["ghcr.io", "quay.io"])
@given(path=PATHS)
@CLASS
def test_a_refused_pull_of_a_name_the_user_says_is_right_is_the_credentials(host, path):
    # (a public registry's refusal of a pull reads as a missing repository unless the user says the name is right)
    refusal = (
        f"Error response from daemon: pull access denied for {host}/{path}, repository does not exist or may require"
        " 'docker login': denied: requested access to the resource is denied"
    )
    told = "The pull fails despite providing the correct image path, and docker login completes successfully.\n\n"
    assert cause(told + refusal) == "PERMISSION_DENIED"
    assert cause("The pull fails although the image path is correct.\n\n" + refusal) == "CREDENTIALS_MISSING"
    # control: a Hub name with nothing told stays anyone's answer for a name it does not have
    assert cause(f"docker pull {path}\n" + refusal.replace(f"{host}/", "")) == "REPO_NOT_FOUND"


@given(host=HOSTS, path=PATHS)
@CLASS
def test_a_401_on_a_push_after_a_login_the_command_made_short_lived_is_an_expiry(host, path):
    steps = "- name: Log in\n  run: doctl registry login --expiry-seconds 240\n\n"
    push = f"Pushing backend ({host}/{path}:stag)...\nunauthorized: authentication required"
    assert cause(steps + push) == "CREDENTIALS_EXPIRED"
    # control: the same push after a login with no lifetime set is not read as an expiry
    assert cause("- name: Log in\n  run: doctl registry login\n\n" + push) != "CREDENTIALS_EXPIRED"
