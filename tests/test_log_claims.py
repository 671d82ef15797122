"""Pasted logs, the user's sentences read as claims (issue 11, labelling conventions C3/C4/C6 in docs/logs.md): a
claim its own clause negates is not made, a tool's own composition of a name shows the name wrong, a failure that
the user says goes away on a retry is the server's. Each mechanism on its own, then through `explain` with a control
beside it (hypothesis draws hosts and names; the stories are told in the words users write)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from knowledge.logs.images import parse_image
from knowledge.logs.story import (
    _LOGIN_SHOWN,
    asserted,
    doubled_name,
    relogin_fixed,
    said_logged_in,
    said_not_logged_in,
    worked_before,
)
from knowledge.structure import is_prose
from tests.harness.log_families import HOSTS, LABELS, PATHS, cause

CLASS = settings(max_examples=15, deadline=None)


@pytest.mark.parametrize(
    ("prose", "claimed"),
    [
        ("i was able to login with the same token", True),
        ("i was not able to login with the same token", False),
        ("i wasn't able to log in at all", False),
        ("i could not pull, but i was able to login", True),  # the negation is the other clause's
        ("it still won't work as i was able to login", True),
        ("登录成功", True),
    ],
)
def test_a_claim_its_own_clause_negates_is_not_made(prose, claimed):
    assert asserted(_LOGIN_SHOWN, prose) is claimed


@CLASS
@given(host=HOSTS, path=PATHS)
def test_a_login_the_user_could_not_do_shows_no_credentials(host, path):
    failed = (
        f"I was not able to login to {host} with my token either.\n"
        f"$ docker push {host}/{path}:1.0\nunauthorized: authentication required\n"
    )
    assert cause(failed) == "CREDENTIALS_MISSING"
    # control: the login worked, so the 401 refuses the credentials it stored (C6)
    assert cause(failed.replace("was not able", "was able")) == "CREDENTIALS_INVALID"


@CLASS
@given(ns=LABELS, repo=LABELS)
def test_a_private_image_the_user_says_they_do_not_have_is_no_missing_login(ns, repo):
    said = (
        "I don't have any private repository on Docker Hub.\n"
        f"$ docker pull {ns}x/{repo}\n"
        f"Error response from daemon: pull access denied for {ns}x/{repo}, repository does not exist or may require "
        "'docker login': denied: requested access to the resource is denied\n"
    )
    assert cause(said) == "REPO_NOT_FOUND"
    # control: the user says it is a private image, so the pull lacked a login (C6)
    assert cause(said.replace("I don't have any private", "It is a private")) == "CREDENTIALS_MISSING"


@pytest.mark.parametrize(
    ("line", "whole", "doubled"),
    [
        ("could not download oci://ghcr.io/acme/helm-charts/homepage/homepage: failed to authorize", "", True),
        (
            "get https://ghcr.io/token?scope=repository%3aacme%2fcharts%2fngf%2fngf%3apull&service=ghcr.io: 403",
            "",
            True,
        ),
        ("could not download oci://ghcr.io/acme/helm-charts/homepage: failed to authorize", "", False),
        ("scope=repository:grafana/grafana:pull", "", False),  # a Hub name whose owner and repository agree
        ("failed to fetch anonymous token", "  url: oci://ghcr.io/acme/charts/router\n      chart: router\n", True),
        ("failed to fetch anonymous token", "  url: oci://ghcr.io/acme/charts\n      chart: router\n", False),
        (
            "image pull failed",
            "pulling image acr1.azurecr.io/acr1.azurecr.io/webapp:latest failed\nimage pull failed",
            True,
        ),
        ("image pull failed", "pulling image acr1.azurecr.io/webapp:latest failed\nimage pull failed", False),
    ],
)
def test_a_name_a_tool_doubled_is_read_from_the_reference_or_the_flux_objects(line, whole, doubled):
    assert doubled_name(line, whole or line) is doubled


@CLASS
@given(owner=LABELS, chart=LABELS)
def test_a_chart_name_helm_appended_to_a_url_that_already_ends_in_it_is_the_name(owner, chart):
    base = f"oci://ghcr.io/{owner}/helm-charts/{chart}"
    doubled = (
        f"$ helm install {chart} {base}\n"
        f"Error: could not download {base}/{chart}: failed to authorize: failed to fetch oauth token: unexpected "
        f"status from GET request to https://ghcr.io/token?scope=repository%3A{owner}%2Fhelm-charts%2F{chart}%2F"
        f"{chart}%3Apull&service=ghcr.io: 403 Forbidden\n"
    )
    assert cause(doubled) == "REPO_NOT_FOUND"
    # control: the chart under its repository URL once; the 403 keeps its reading (C7)
    once = doubled.replace(f"/{chart}/{chart}", f"/{chart}").replace(f"%2F{chart}%2F{chart}", f"%2F{chart}")
    assert cause(once) != "REPO_NOT_FOUND"


@pytest.mark.parametrize(
    ("prose", "told"),
    [
        ("i have tried providing the docker_username & auth token but still getting the error", True),
        ("i used trivy in drone ci and  add trivy_auth_url& trivy_password& trivy_username ,but  it need auth", True),
        ("we passed the access token with --password", True),
        ("i configured docker credentials through docker-credential-gcr configure-docker", False),  # a helper set-up
        ("i have not provided any password", False),
        ("the password field was empty", False),
    ],
)
def test_the_user_says_they_handed_the_failing_program_credentials(prose, told):
    assert said_logged_in(prose) is told


@CLASS
@given(host=HOSTS, path=PATHS)
def test_credentials_the_user_says_they_provided_make_a_generic_401_a_refusal_of_them(host, path):
    told = (
        "In the build I get this error. I have tried providing the registry username & auth token but still the same:\n"
        f"```\n$ docker push {host}/{path}:1.0\nunauthorized: authentication required\n```\n"
    )
    assert cause(told) == "CREDENTIALS_INVALID"
    # control: the user says nothing of credentials: a missing login (C6)
    assert cause(told.replace("I have tried providing the registry username & auth token but still", "It is")) == (
        "CREDENTIALS_MISSING"
    )


@CLASS
@given(ns=LABELS, repo=LABELS)
def test_the_user_saying_they_forgot_to_log_in_decides_a_bare_denied(ns, repo):
    push = (
        f"The push refers to repository [docker.io/{ns}/{repo}]\n9cc81488ac50: Layer already exists\n"
        "denied: requested access to the resource is denied\n"
    )
    told = push + "\nThe reason for my error was that I forget to use docker login. After that it worked.\n"
    assert cause(told) == "CREDENTIALS_MISSING"
    # control: the same output without the user's account keeps the refusal's reading
    assert cause(push) != "CREDENTIALS_MISSING"


@pytest.mark.parametrize(
    ("fact", "prose", "told"),
    [
        (said_logged_in, "我执行了 docker login，还是报错", True),
        (said_logged_in, "docker login を実行しましたが push できません", True),
        (said_logged_in, "docker login 했는데 push가 안 됩니다", True),
        (said_logged_in, "已经登录过了", False),  # a state, a belief: as "I am logged in"
        (worked_before, "以前は問題なく動いていました", True),
        (worked_before, "어제까지는 잘 됐는데 오늘 안 됩니다", True),
        (worked_before, "之前一直正常", True),
        (relogin_fixed, "다시 로그인하니 해결됐어요", True),
        (said_not_logged_in, "docker hub にログインしていなかったのが原因でした", True),
        (said_not_logged_in, "로그인을 안 했어요", True),
        (said_not_logged_in, "没有先执行 docker login", True),
    ],
)
def test_the_story_is_read_in_chinese_japanese_and_korean(fact, prose, told):
    assert fact(prose) is told


@CLASS
@given(host=HOSTS, path=PATHS)
def test_a_refusal_the_user_says_comes_and_goes_is_the_servers_in_any_language(host, path):
    output = f"$ docker pull {host}/{path}:1.0\nError response from daemon: unauthorized: authentication required\n"
    for told in (
        "偶尔会失败，重试一下就好了。",
        "このエラーはたまに発生します。同じコマンドをもう一度実行すると成功します。",
        "이 오류는 가끔 발생합니다. 같은 명령을 다시 실행하면 성공합니다.",
        "The first pull fails, the second attempt works.",
    ):
        assert cause(told + "\n" + output) == "SERVER_ERROR", told
    # control: nothing told: a missing login (C6)
    assert cause(output) == "CREDENTIALS_MISSING"


@CLASS
@given(host=HOSTS, path=PATHS)
def test_a_quota_told_in_chinese_or_korean_refines_a_bare_denied(host, path):
    output = f"$ docker push {host}/{path}:1.0\ndenied: requested access to the resource is denied\n"
    for told in ("我们的仓库数量已经超过了配额。", "저장소 할당량을 초과했습니다."):
        assert cause(told + "\n" + output) == "QUOTA_EXCEEDED", told
    assert cause(output) != "QUOTA_EXCEEDED"


@pytest.mark.parametrize(
    ("line", "prose"),
    [
        ("このエラーはたまに発生します", True),  # kana carry a Japanese sentence: 3 Han characters only
        ("같은 명령을 다시 실행하면 성공합니다", True),  # Hangul: no Han at all
        ("偶尔会失败", True),
        ("エラー: 401", False),
    ],
)
def test_a_japanese_or_korean_sentence_is_the_users_own(line, prose):
    assert is_prose(line) is prose


@CLASS
@given(host=HOSTS, path=PATHS)
def test_an_expiry_the_user_tells_refines_a_401_to_a_token_request(host, path):
    error = (
        f"#12 ERROR: failed to push {host}/{path}:1.0: failed to authorize: failed to fetch oauth token: unexpected "
        f"status from GET request to https://{host}/v2/token?scope=repository%3A{path}%3Apull%2Cpush: 401 Unauthorized\n"
    )
    # "(?)" hedges one word; the sentence is still the user's account, not a question
    told = "It seems the federated token has a <10 min (?) lifetime before the token expires.\n" + error
    assert cause(told) == "CREDENTIALS_EXPIRED"
    long_build = (
        "If the image is a docker build that takes >10 minutes, it always fails at the very end with:\n" + error
    )
    assert cause(long_build) == "CREDENTIALS_EXPIRED"
    # control: no account of time: the credentials containerd sent were refused
    assert cause(error) == "CREDENTIALS_INVALID"


@CLASS
@given(app=LABELS)
def test_a_registry_host_written_twice_in_the_name_is_the_name(app):
    host = f"{app}acr.azurecr.io"
    log = (
        f"2024-10-31T13:08:27.664Z ERROR - Pulling docker image {host}/{host}/{app}:latest over VNET failed.\n"
        "2024-10-31T13:08:27.681Z ERROR - Image pull failed: Verify docker image configuration and credentials (if "
        "using private repository)\n"
    )
    assert cause(log) == "REPO_NOT_FOUND"
    # control: the host once: the platform's generic message keeps its reading
    assert cause(log.replace(f"{host}/{host}/", f"{host}/")) != "REPO_NOT_FOUND"


@CLASS
@given(a=LABELS, b=LABELS)
def test_a_dotted_name_with_an_underscore_is_a_docker_hub_name_not_a_host(a, b):
    name = f"docker_{a}.{b}.latest"  # a Terraform reference (docker_image.ubuntu.latest) written as a string
    assert parse_image(name)["host"] == "docker.io"
    assert parse_image(f"{a}.example.com") is None  # control: a host name alone is no image
    log = (
        f"Error: Unable to create container with image {name}: unable to pull image {name}: Error response from "
        f"daemon: pull access denied for {name}, repository does not exist or may require 'docker login': denied: "
        "requested access to the resource is denied\n"
    )
    assert cause(log) == "REPO_NOT_FOUND"


@CLASS
@given(host=HOSTS, path=PATHS)
def test_a_login_the_user_names_in_a_sentence_starts_no_login(host, path):
    told = (
        f"It seems that the deploy tool doesn't run `docker login` prior to pulling the images from {host}.\n"
        f"Pulling this image: {host}/{path}:latest\n"
        f"Error: (HTTP code 500) server error - Get https://{host}/v2/{path}/manifests/latest: unauthorized: "
        "authentication required\n"
    )
    assert cause(told) == "CREDENTIALS_MISSING"
    # control: a typed login answered 401 is the login's own refusal of what was typed
    typed = f"`docker login {host} -u bot -p abc`\nError response from daemon: Get https://{host}/v2/: unauthorized\n"
    assert cause(typed) == "CREDENTIALS_INVALID"


@pytest.mark.parametrize(
    ("prose", "missing"),
    [
        ("the docker build doesn't try to authenticate with the source ecr repository", True),
        ("it is not logging in before trying to pull the image", True),
        ("this is not a login issue, as that step succeeds in the workflow", False),
        ("docker login doesn't work", False),
    ],
)
def test_the_user_says_the_program_did_not_log_in(prose, missing):
    assert said_not_logged_in(prose) is missing
