"""Pasted logs, the credential family decided by the story (issue 11, labelling conventions C6-C8 in docs/logs.md):
each fact of knowledge/logs/story.py on its own, then each decision through `explain`, with a control beside it that
keeps the reading it must not take away. Lines are built from the tools' format strings with their variable parts
(hypothesis draws hosts and names); the stories are told in the words users write."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from knowledge.logs.rules import load_rules
from knowledge.logs.story import (
    Story,
    credentials_shown,
    decide,
    needs_story,
    official_image,
    relogin_fixed,
    said_logged_in,
    said_not_logged_in,
    worked_before,
)
from tests.harness.log_families import HOSTS, LABELS, PATHS, cause, causes

CLASS = settings(max_examples=15, deadline=None)

# --- the facts ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('{\n\t"auths": {\n\t\t"10.0.0.5": {\n\t\t\t"auth": "ywrtaw46sgfyym9ymtizndu="\n\t\t}\n\t}\n}', True),
        ('"identitytoken": "eyjhbgcioijsuzi1nij9"', True),
        ("docker_registry_password=bluecat$7", True),
        ('ecs_engine_auth_data={"https://index.docker.io/v1/":{"username":"me","password":"pwd"}}', True),
        ('{"username":"me","password":"${password}"}', False),
        ("（通过docker login登录没有任何问题，提示`login succeeded`。之前装了加速服务）", True),
        ("i have been able to successfully log in with `docker login` using a token", True),
        ("  - echo $authfile > /kaniko/.docker/config.json", True),
        ("cat ~/.docker/config.json", False),
        ("registry_password: s3cret", True),
        ("login succeeded", True),
        ("$ docker login -u admin -p hunter2 r.example.com", True),
        ('"auths": {"r.example.com": {}}', False),  # an entry without credentials (a helper's placeholder)
        ('"auth": ""', False),
        ("docker_registry_password=$secret_from_ci", False),  # an unexpanded variable shows nothing
        ("i forgot my password", False),
    ],
)
def test_credentials_shown_in_the_output_or_its_configuration(text, shown):
    assert credentials_shown(text) is shown


@pytest.mark.parametrize(
    ("prose", "told"),
    [
        ("i have tried az login\naz acr login\ndocker login as well", False),  # a list, not a sentence of its own
        ("i have tried az acr login and docker login, none of those make a difference", True),
        ("we already ran docker login before the push", True),
        ("the same access token works fine when i connect to the same registry using docker login", True),
        ("i am logged in", False),  # a belief: the real labels read it as credentials that did not reach the tool
        ("how do i run docker login in ci?", False),
    ],
)
def test_the_user_says_the_failing_program_was_given_credentials(prose, told):
    assert said_logged_in(prose) is told


@pytest.mark.parametrize(
    ("prose", "worked"),
    [
        ("i was able to do this yesterday but i now keep getting unauthorized", True),
        ("the env. has been running for a couple of weeks without any issues", True),
        ("it worked fine until yesterday", True),
        ("昨天还可以拉取", True),
        ("it never worked", False),
        ("i want this to work before friday", False),
    ],
)
def test_the_user_says_the_same_set_up_worked_before(prose, worked):
    assert worked_before(prose) is worked


@pytest.mark.parametrize(
    ("prose", "fixed"),
    [
        ("logging out and back in again fixed it", True),
        ("solved it by docker logout and docker login", True),
        ("docker hub に入り直して解決しました", True),
        ("i logged in again but it still fails", False),
    ],
)
def test_the_user_says_a_new_login_fixed_it(prose, fixed):
    assert relogin_fixed(prose) is fixed


@pytest.mark.parametrize(
    ("line", "official"),
    [
        ("unexpected status from HEAD request to https://registry-1.docker.io/v2/library/php/manifests/8.4-fpm", True),
        ("scope=repository%3Alibrary%2Fubuntu%3Apull", True),
        ("[map[Action:pull Class: Name:library/nodee Type:repository]]", False),
        ("https://index.docker.io/v2/library/agent/manifests/latest", False),
    ],
)
def test_an_official_image_is_a_name_docker_hub_has(line, official):
    assert official_image(line) is official


# --- the decisions -----------------------------------------------------------------------------------------------


@CLASS
@given(host=HOSTS, path=PATHS)
def test_a_generic_401_after_credentials_stored_for_the_host_is_a_refusal_of_them(host, path):
    # docker sends a config.json `auth` entry with every request to its host: a 401 is those credentials refused (C6)
    push = (
        f"the auth token in /root/.docker/config.json\n"
        f'{{\n\t"auths": {{\n\t\t"{host}": {{\n\t\t\t"auth": "YWRtaW46SGFyYm9yMTIzNDU="\n\t\t}}\n\t}}\n}}\n'
        f"when i run command: `docker push {host}/{path}:latest`\n"
        f"the error : unauthorized: authentication required\n"
    )
    assert cause(push) == "CREDENTIALS_INVALID"
    # control: nothing stored, nothing typed: a missing login
    assert cause(f"$ docker push {host}/{path}:latest\nunauthorized: authentication required\n") == (
        "CREDENTIALS_MISSING"
    )


@CLASS
@given(host=HOSTS, path=PATHS)
def test_the_users_account_of_credentials_sent_makes_a_generic_401_invalid(host, path):
    error = (
        f'  Warning  Failed  2m  kubelet  Failed to pull image "{host}/{path}:1.0": rpc error: code = Unknown desc = '
        f"Error response from daemon: Get https://{host}/v2/{path}/manifests/1.0: unauthorized: authentication required"
    )
    worked = (
        f"The cluster has been running for a couple of weeks without any issues. Now pods report:\n```\n{error}\n```\n"
    )
    assert cause(worked) == "CREDENTIALS_INVALID"  # the kubelet had credentials: they worked before
    assert cause(f"```\n{error}\n```\n") == "CREDENTIALS_MISSING"  # control: no story
    push = f"I have tried az acr login and docker login, none of those make a difference.\n$ docker push {host}/{path}:1.0\nunauthorized: authentication required\n"
    assert cause(push) == "CREDENTIALS_INVALID"


def test_for_the_kubelet_only_its_own_history_counts():
    # a `docker login` on the node gives credentials to docker, not to the kubelet (C6: another program's)
    unauthorized = {"id": "unauthorized", "cause": "CREDENTIALS_MISSING", "logged_in_cause": "CREDENTIALS_INVALID"}
    told = Story(shown=True, told=True, worked=False, relogin=False)
    assert decide("CREDENTIALS_MISSING", [], unauthorized, told, "kubelet") == "CREDENTIALS_MISSING"
    assert decide("CREDENTIALS_MISSING", [], unauthorized, told, "docker") == "CREDENTIALS_INVALID"
    worked = Story(shown=False, told=False, worked=True, relogin=False)
    assert decide("CREDENTIALS_MISSING", [], unauthorized, worked, "kubelet") == "CREDENTIALS_INVALID"
    # a specific wording keeps its own cause whatever the story
    specific = {"id": "no-basic-auth", "cause": "CREDENTIALS_MISSING"}
    assert decide("CREDENTIALS_MISSING", [], specific, told, "docker") == "CREDENTIALS_MISSING"


def test_the_facts_are_read_only_for_the_wordings_the_story_decides():
    # read_story costs up to ~0.9 ms on a long paste; only 401 wordings with a story-dependent reading need it
    by_id = {p["id"]: p for p in load_rules()["patterns"]}
    assert needs_story(by_id["unauthorized"]) and needs_story(by_id["oauth-token-unauthorized"])
    assert not needs_story(by_id["dns-no-such-host"]) and not needs_story(by_id["denied"])


def test_a_401_for_an_official_image_is_the_credentials_and_for_another_library_name_the_name():
    php = (
        "failed to solve: php:8.4-fpm: failed to resolve source metadata for docker.io/library/php:8.4-fpm: unexpected "
        "status from HEAD request to https://registry-1.docker.io/v2/library/php/manifests/8.4-fpm: 401 Unauthorized\n"
    )
    assert cause(php + "Logging out and back in again fixed it.\n") == "CREDENTIALS_INVALID"
    # containerd asks for an oauth token only with credentials (authorizer.go): Hub refused the ones sent
    ubuntu = (
        "ERROR: failed to solve: ubuntu:focal: failed to authorize: failed to fetch oauth token: unexpected status from "
        "GET request to https://auth.docker.io/token?scope=repository%3Alibrary%2Fubuntu%3Apull&service=registry.docker.io"
        ": 401 Unauthorized"
    )
    assert cause(ubuntu) == "CREDENTIALS_INVALID"
    # control: a library/ name Docker Hub does not have is the name (C3)
    assert cause(ubuntu.replace("ubuntu", "ubuntuu")) == "REPO_NOT_FOUND"


# --- wordings of the tools' own printing code --------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        "Error: unknown flag: --password-stdin",  # docker < 17.07 under docker/login-action
        "unknown shorthand flag: 'e' in -e",  # `aws ecr get-login`'s `-e none`, removed from docker login in 17.06
        "unknown flag: --email",
        "flag needs an argument: 'p' in -p",  # an empty CI variable after -p
        "flag needs an argument: --password",
    ],
)
def test_pflags_refusal_of_a_flag_only_login_has_is_a_login_usage_error(error):
    assert cause(f"Run docker/login-action@v1\n🔑 Logging into Docker Hub...\n{error}\n") == "LOGIN_USAGE"
    # control: the same refusal of a flag of another command is no registry cause
    assert cause("$ docker run --gpus all x\nunknown flag: --gpus\n") != "LOGIN_USAGE"


@CLASS
@given(user=LABELS)
def test_gitlabs_http_basic_refusal_is_credentials_sent_and_refused_though_it_names_expiry(user):
    error = (
        'Error response from daemon: Get "https://registry.gitlab.com/v2/": unauthorized: HTTP Basic: Access denied. '
        "If a password was provided for Git authentication, the password was incorrect or you're required to use a "
        "token instead of a password. If a token was provided, it was either incorrect, expired, or improperly scoped."
    )
    assert causes(f"$ docker login registry.gitlab.com -u {user} -p [REDACTED]\n{error}\n")[:2] == [
        "CREDENTIALS_INVALID",
        "CREDENTIALS_EXPIRED",
    ]


@CLASS
@given(host=HOSTS, project=LABELS, repo=LABELS)
def test_harbors_401_naming_a_project_it_does_not_have_is_the_name(host, project, repo):
    line = (
        f'Failed to pull image "{host}/{project}/{repo}:1.6.1": rpc error: code = Unknown desc = Error response from '
        f"daemon: unauthorized: project not found, name: {project}: project not found, name: {project}"
    )
    assert cause(line) == "REPO_NOT_FOUND"


# --- what the user's sentences tell ------------------------------------------------------------------------------

_GHCR_DENIED = 'Error response from daemon: Head "https://ghcr.io/v2/doxygen/doxygen/manifests/latest": denied: denied'


@pytest.mark.parametrize(
    "story",
    [
        "期限切れのトークンが残っていて、そのせいで Denied となっている可能性あり。",
        "原因是本地保存的令牌已经过期了，重新登录就好。",
    ],
)
def test_an_expired_token_told_in_japanese_or_chinese_refines_a_bare_refusal(story):
    assert cause(f"{story}\n{_GHCR_DENIED}\n") == "CREDENTIALS_EXPIRED"
    assert cause(f"{_GHCR_DENIED}\n") == "PERMISSION_DENIED"  # control: no story, the wording's reading


def test_a_refusal_the_user_says_reruns_get_past_is_the_servers():
    error = "ERROR: failed to push ghcr.io/a/b:c: unexpected status: 403 Forbidden"
    assert cause(f"```\n{error}\n```\nThese are transient: re-runs are successful.\n") == "SERVER_ERROR"
    assert cause(f"```\n{error}\n```\nIt only succeeded on the 3rd retry.\n") == "SERVER_ERROR"
    # control: a "non-transient" refusal every retry repeats keeps the wording's reading
    assert cause(f"```\n{error}\n```\nA hard, non-transient denial: all 3 retries fail.\n") == "PERMISSION_DENIED"


def test_a_refusal_after_the_plan_reached_its_maximum_is_the_quota():
    error = 'Error when pushing image : "denied: The system is in read only mode. Any modification is prohibited."'
    told = f"As soon as my plan reach 199 G which is the max allowed for this plan, pushes fail.\n{error}\n"
    assert cause(told) == "QUOTA_EXCEEDED"
    assert cause(f"{error}\n") != "QUOTA_EXCEEDED"


@CLASS
@given(host=HOSTS, project=LABELS, repo=LABELS)
def test_a_refusal_after_the_user_says_the_upload_took_a_long_time_is_an_expiry(host, project, repo):
    error = (
        f"unauthorized: unauthorized to access repository: {project}/{repo}, action: push: unauthorized to access "
        f"repository: {project}/{repo}, action: push"
    )
    told = f"$ docker push {host}/{project}/{repo}:1\nAfter taking a huge time to upload the image, it fails with:\n"
    assert cause(told + error + "\n") == "CREDENTIALS_EXPIRED"
    assert cause(f"$ docker push {host}/{project}/{repo}:1\nIt fails with:\n{error}\n") == "PERMISSION_DENIED"


# --- round 7 (tuning parts, after their first look) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("prose", "missing"),
    [
        ("docker login action was missing.", True),
        ("i forgot to docker login before the push", True),
        ("we were not logged in", True),
        ("我忘了登录", True),
        ("the login step was fine", False),
    ],
)
def test_the_user_says_no_login_reached_the_failing_program(prose, missing):
    assert said_not_logged_in(prose) is missing


@CLASS
@given(name=LABELS)
def test_a_401_the_user_says_came_without_a_login_is_a_missing_login_even_for_a_library_scope(name):
    error = (
        f"ERROR: failed to solve: failed to push {name}: failed to authorize: failed to fetch oauth token: unexpected "
        f"status from GET request to https://auth.docker.io/token?scope=repository%3Alibrary%2F{name}%3Apull%2Cpush"
        "&service=registry.docker.io: 401 Unauthorized"
    )
    assert cause(f"Docker login action was missing.\n```\n{error}\n```\n") == "CREDENTIALS_MISSING"
    assert cause(f"```\n{error}\n```\n") == "REPO_NOT_FOUND"  # control: a library/ name Hub does not have


@pytest.mark.parametrize("code", ["LimitExceeded.ErrNamespaceMaxLimit", "LimitExceeded.ErrRepoMaxLimit"])
def test_tencent_clouds_limit_exceeded_error_codes_are_tcrs_quotas(code):
    assert cause(f"尝试 `CreateNamespacePersonal` 报 `{code}`。\n") == "QUOTA_EXCEEDED"
    assert cause(f"[TencentCloudSDKException] code:{code} requestId:0f1e\n") == "QUOTA_EXCEEDED"
    # control: the API's rate limit is another family
    assert cause("[TencentCloudSDKException] code:RequestLimitExceeded message:too many requests\n") != (
        "QUOTA_EXCEEDED"
    )


def test_acrs_disallowed_operation_is_a_right_withheld():
    paste = (
        "2018-04-13T20:18:21.0443063Z c3b1c273e512: Retrying in 1 second\n"
        "2018-04-13T20:18:22.2360036Z unknown: The operation is disallowed.\n"
        "2018-04-13T20:18:22.2543047Z ##[error]unknown: The operation is disallowed.\n"
    )
    assert cause(paste) == "PERMISSION_DENIED"


@CLASS
@given(host=HOSTS, path=PATHS)
def test_a_bare_denied_after_a_manifest_url_is_the_registrys_refusal(host, path):
    line = f'Error response from daemon: Head "https://{host}/v2/{path}/manifests/latest": denied'
    assert cause(f"$ docker pull {host}/{path}:latest\n{line}\n") == "PERMISSION_DENIED"
    # control: a proxy's reason phrase after the URL stays the proxy's
    assert cause(f'Error response from daemon: Get "https://{host}/v2/": Forbidden\n') == "PROXY_ERROR"


@CLASS
@given(path=PATHS)
def test_a_hub_name_quoted_at_the_end_of_the_users_sentence_is_read_as_the_refused_image(path):
    assert cause(f'When i run docker compose i get error stating "pull access denied for {path}"\n') == (
        "REPO_NOT_FOUND"
    )


def test_one_question_in_a_paragraph_drops_that_sentence_only():
    title = '[BUG]: Docker@2 intermittently failing for "unauthorized: authentication required"\n'
    prose = (
        "Since 3 hours ago we started seeing intermittent failures with our docker push pipelines. The timing checks "
        "out with a change that touches authentication. Can this be related?\n"
    )
    assert cause(title + prose) == "SERVER_ERROR"
    # control: the question alone tells no finding
    assert cause(title.replace("intermittently failing", "failing") + "Is it intermittent?\n") != "SERVER_ERROR"


@CLASS
@given(host=HOSTS, path=PATHS)
def test_the_machines_signature_policy_rejecting_an_image_is_no_registry_cause(host, path):
    paste = (
        f'ERRO[0001] image "{host}/{path}" not found in /etc/containers/registries.conf registries: image not known\n'
        f"Source image rejected: Running image docker://{host}/{path}:latest is rejected by policy.\n"
    )
    assert cause(paste) is None  # labelling convention C2: a local trust policy
    assert cause(paste.splitlines()[0]) == "REPO_NOT_FOUND"  # control: the lookup alone


@CLASS
@given(app=LABELS)
def test_a_401_whose_reason_refuses_the_action_is_a_right_withheld(app):
    assert (
        cause(
            f"==> Pushing image registry.fly.io/{app}:deploy\nerror rendering push status stream: "
            "unauthorized: not allowed\n"
        )
        == "PERMISSION_DENIED"
    )
    # control: a 401 that asks for credentials stays a missing login
    assert cause(f"==> Pushing image registry.fly.io/{app}:deploy\nunauthorized: authentication required\n") == (
        "CREDENTIALS_MISSING"
    )


def test_authorization_required_after_a_push_the_user_says_took_long_is_an_expiry():
    told = (
        "I am using ACR and can push small images successfully. I have one big, near 1 GB: after pushing it, like over 50 minutes, it "
        "finished. But finally it got return 'Authorization required'.\n"
    )
    assert cause(told) == "CREDENTIALS_EXPIRED"
    assert cause("I am using ACR and can push small images. Pushing another returned 'Authorization required'.\n") != (
        "CREDENTIALS_EXPIRED"
    )


@CLASS
@given(owner=LABELS)
def test_a_chart_path_without_a_name_on_a_namespaced_registry_is_the_name(owner):
    error = "Error: failed to authorize: failed to fetch anonymous token: unexpected status: 400 Bad Request"
    assert cause(f"$ helm show chart oci://ghcr.io/{owner}\n{error}\n") == "REPO_NOT_FOUND"  # C3
    assert cause(f"$ helm show chart oci://ghcr.io/{owner}/chart\n{error}\n") != "REPO_NOT_FOUND"  # control


# --- which line of one failure tells the credential cause --------------------------------------------------------


@CLASS
@given(host=HOSTS, path=PATHS)
def test_the_users_question_quoting_the_error_does_not_outrank_the_output(host, path):
    output = (
        f"pull access denied for {host}/{path}, repository does not exist or may require 'docker login': denied: "
        "Your authorization token has expired. Reauthenticate and try again."
    )
    assert cause(f'```\n{output}\n```\nWhy "Access denied"? It is a public repository: https://{host}/x\n') == (
        "CREDENTIALS_EXPIRED"
    )
    # control: a question alone still names what it quotes
    assert cause('Why "Access denied"?\n') == "PERMISSION_DENIED"


@CLASS
@given(host=HOSTS, path=PATHS)
def test_an_expiry_the_daemon_logged_above_its_generic_wrapper_decides(host, path):
    paste = (
        'time="2018-10-23T18:02:42Z" level=error msg="Not continuing with pull after error: denied: Your '
        "Authorization Token has expired. Please run 'aws ecr get-login --no-include-email' to fetch a new one.\"\n"
        f'time="2018-10-23T18:02:42Z" level=error msg="pulling image failed" error="pull access denied for '
        f"{host}/{path}, repository does not exist or may require 'docker login'\"\n"
    )
    assert cause(paste) == "CREDENTIALS_EXPIRED"
    assert cause(paste.splitlines()[1]) == "CREDENTIALS_MISSING"  # control: the wrapper alone, a private host


@CLASS
@given(ns=LABELS, repo=LABELS)
def test_docker_1xs_v1_fallback_not_found_does_not_hide_the_v2_refusal(ns, repo):
    paste = (
        'ECS_ENGINE_AUTH_DATA={"https://index.docker.io/v1/":{"username":"me","password":"pwd","email":"me@x.com"}}\n'
        'time="2017-03-23T20:05:24Z" level=error msg="Attempting next endpoint for pull after error: unauthorized: '
        'authentication required"\n'
        f'time="2017-03-23T20:05:24Z" level=error msg="Not continuing with pull after error: Error: image {ns}/{repo}'
        ':latest not found"\n'
    )
    assert cause(paste) == "CREDENTIALS_INVALID"  # the v2 401, to credentials the engine was given
    assert cause(paste.splitlines()[-1]) in ("TAG_NOT_FOUND", "REPO_NOT_FOUND")  # control: the v1 answer alone


@CLASS
@given(host=HOSTS, path=PATHS)
def test_a_docker_config_written_for_the_failing_program_makes_its_401_a_refusal_of_it(host, path):
    script = (
        "script:\n  - echo $authfile > /kaniko/.docker/config.json\n"
        f"  - /kaniko/executor --context . --destination {host}/{path}:1\n"
    )
    error = f'error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: checking push permission for "{host}/{path}:1": POST https://{host}/v2/{path}/blobs/uploads/: UNAUTHORIZED: authentication required\n'
    assert cause(script + error) == "CREDENTIALS_INVALID"
    assert cause(f"  - /kaniko/executor --context . --destination {host}/{path}:1\n" + error) == "CREDENTIALS_MISSING"
