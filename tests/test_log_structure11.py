"""The log reader on the words of programs around a registry and on which line decides (issue 11, tenth round):
botocore's connection exceptions, Go's resolver address without its `lookup … on` head, a bare `i/o timeout`, a
login fed by a pipe whose left side failed, AWS Lambda's answers about an image URI, a Harbor proxy-cache project's
local fallback.

Lines are built from the programs' format strings (hypothesis draws the variable parts), not from posts. Each test
failed on the code before its commit; the controls passed there too.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.logs import clean_lines
from tests.harness.log_families import HOSTS, IPV4, PATHS, cause, causes

DRAWS = settings(max_examples=15, deadline=None)
REGIONS = st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-1", "ca-central-1", "cn-north-1"])
ACCOUNTS = st.integers(100000000000, 999999999999)

# botocore/exceptions.py: the connection exceptions' fmt strings, with the cause each one names
BOTOCORE = [
    ('Could not connect to the endpoint URL: "{url}"', "TCP_REFUSED"),  # EndpointConnectionError
    ('Connection was closed before we received a valid response from endpoint URL: "{url}".', "TCP_REFUSED"),
    ('Connect timeout on endpoint URL: "{url}"', "TCP_TIMEOUT"),  # ConnectTimeoutError
    ('Read timeout on endpoint URL: "{url}"', "HTTP_TIMEOUT"),  # ReadTimeoutError
    ('Failed to connect to proxy URL: "http://{proxy}:3128"', "PROXY_ERROR"),  # ProxyConnectionError
]


@DRAWS
@given(form=st.sampled_from(BOTOCORE), region=REGIONS, proxy=HOSTS)
def test_botocores_connection_exceptions_read_their_network_cause(form, region, proxy):
    fmt, want = form
    line = fmt.format(url=f"https://api.ecr.{region}.amazonaws.com/", proxy=proxy)
    assert cause(f"$ aws ecr describe-images --repository-name app --region {region}\n{line}") == want


@DRAWS
@given(form=st.sampled_from(BOTOCORE), region=REGIONS, account=ACCOUNTS, proxy=HOSTS)
def test_a_piped_login_takes_the_cause_of_the_command_left_of_the_pipe(form, region, account, proxy):
    # docker/cli's login reads the password from stdin; given nothing it asks for one, which a pipe cannot answer
    fmt, want = form
    host = f"{account}.dkr.ecr.{region}.amazonaws.com"
    typed = f"$ aws ecr get-login-password --region {region} | docker login --username AWS --password-stdin {host}"
    error = fmt.format(url=f"https://api.ecr.{region}.amazonaws.com/", proxy=proxy)
    tty = "Error: Cannot perform an interactive login from a non TTY device"
    assert cause(f"{typed}\n{error}\n{tty}") == want
    assert cause(f"{typed}\nthe following error occurs: `{error} {tty}`") == want  # both on one line


def test_a_login_that_is_not_piped_keeps_its_usage_error():
    # control: the non-TTY error of a login typed alone is the login's own misuse, whatever else the paste says
    text = (
        'Could not connect to the endpoint URL: "https://api.ecr.us-east-1.amazonaws.com/"\n'
        "$ docker login 1234.dkr.ecr.us-east-1.amazonaws.com\n"
        "Error: Cannot perform an interactive login from a non TTY device"
    )
    assert cause(text) == "LOGIN_USAGE"
    piped_alone = "$ echo $PASS | docker login -u me --password-stdin r.example.com\nError: Cannot perform an interactive login from a non TTY device"
    assert cause(piped_alone) == "LOGIN_USAGE"


@DRAWS
@given(
    server=st.one_of(IPV4, st.just("[::1]"), st.just("127.0.0.53")),
    err=st.sampled_from(["connection refused", "i/o timeout"]),
)
def test_a_resolvers_address_without_its_lookup_head_is_dns(server, err):
    # Go's DNSError `lookup NAME on S:53: read udp A->S:53: ERR`, cut before the server's address
    assert cause(f"docker pull nginx\n{server}:53: read: {err}") == "DNS_TIMEOUT"
    assert cause(f"docker pull nginx\n{server}:53: read:{err}") == "DNS_TIMEOUT"


def test_port_53_in_a_host_name_or_a_longer_port_is_not_a_resolver():
    assert (
        cause("docker pull r.example.com:5353/app\ndial tcp 10.0.0.1:5353: connect: connection refused")
        == "TCP_REFUSED"
    )
    assert cause("docker pull r.example.com/app\ndial tcp 10.0.0.1:443: connect: connection refused") == "TCP_REFUSED"


@pytest.mark.parametrize(
    "line",
    ["Error response from daemon: i/o timeout", "- Error response from daemon: i/o timeout", "Error: i/o timeout"],
)
def test_a_bare_io_timeout_is_a_connection_that_was_never_made(line):
    # Go's net.OpError prints `op net addr: i/o timeout`; net/http's own timeouts name the client or the headers
    assert causes(f"docker pull nginx\n{line}")[:2] == ["TCP_TIMEOUT", "DNS_TIMEOUT"]


def test_io_timeouts_with_their_request_keep_their_phase():
    # controls: a read on an open connection is HTTP_TIMEOUT, a dial TCP_TIMEOUT, a query to the resolver DNS
    assert (
        cause("docker pull x\nGet https://r.example.com/v2/: read tcp 10.0.0.2:51234->10.0.0.1:443: i/o timeout")
        == "HTTP_TIMEOUT"
    )
    assert cause("docker pull x\nGet https://r.example.com/v2/: dial tcp 10.0.0.1:443: i/o timeout") == "TCP_TIMEOUT"
    assert (
        cause(
            "docker pull x\nGet https://r.example.com/v2/: dial tcp: lookup r.example.com on 10.0.0.53:53: read udp 10.0.0.2:5000->10.0.0.53:53: i/o timeout"
        )
        == "DNS_TIMEOUT"
    )


@DRAWS
@given(account=ACCOUNTS, region=REGIONS, repo=PATHS)
def test_lambdas_answers_about_an_image_uri(account, region, repo):
    uri = f"{account}.dkr.ecr.{region}.amazonaws.com/{repo}"
    tail = "(Service: Lambda, Status Code: 400, Request ID: fefa1440-cb4f-40c0-abe1-a72bbf5d0f0f)"
    invalid = (
        f'Resource handler returned message: "Source image {uri} is not valid. Provide a valid source image. {tail}"'
    )
    assert cause(invalid) == "NAME_INVALID"
    media = f'Resource handler returned message: "The image manifest, config or layer media type for the source image {uri}:latest is not supported. {tail}"'
    assert cause(media) is None  # the registry served the image; Lambda does not take its format (C2)
    # control: the image that does not exist stays a missing tag (logs10)
    assert (
        cause(
            f"InvalidParameterValueException: Source image {uri}:latest does not exist. Provide a valid source image."
        )
        == "TAG_NOT_FOUND"
    )


@DRAWS
@given(
    host=HOSTS,
    repo=PATHS,
    context=st.sampled_from(
        [
            "The project is a proxy cache project for Docker Hub.",
            "[ERROR] [/server/middleware/repoproxy/proxy.go:103]: failed to proxy manifest, fallback to local, error: EOF",
            "Our pull-through cache fails more and more often.",
        ]
    ),
)
def test_harbors_artifact_not_found_in_a_proxy_cache_is_the_upstream_fetch(host, repo, context):
    line = f"Error response from daemon: unknown: artifact proxy/{repo}:1.7 not found"
    assert causes(f"$ docker pull {host}/proxy/{repo}:1.7\n{line}\n{context}")[:2] == ["SERVER_ERROR", "TAG_NOT_FOUND"]
    # control: the same answer from an ordinary project is the missing tag
    assert cause(f"$ docker pull {host}/proxy/{repo}:1.7\n{line}") == "TAG_NOT_FOUND"


@pytest.mark.parametrize("driver", ["overlay2", "aufs", "devicemapper", "btrfs"])
def test_an_os_error_on_the_graph_drivers_own_directory_is_the_daemons(driver):
    # moby's graph driver reading its directory, inside docker-py's "500 Server Error (…)" (the Engine API's status)
    line = (
        "ERROR (SyncWorker_19) [supervisor.docker.interface] Can't install homeassistant/addon:1.2 -> "
        f'500 Server Error: Internal Server Error ("readlink /var/lib/docker/{driver}: invalid argument").'
    )
    assert cause(f"INFO Pull image homeassistant/addon tag 1.2.\n{line}") == "DAEMON_ERROR"


@DRAWS
@given(host=HOSTS, repo=PATHS, sock=st.sampled_from(["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"]))
def test_a_daemon_address_given_to_a_command_is_not_a_daemon_failure(host, repo, sock):
    # Mesos/Marathon runs `docker -H SOCK pull X` and quotes its stderr: the registry's answer decides
    line = f"Failed to launch container: Failed to run 'docker -H {sock} pull {host}/{repo}:1': exited with status 1; stderr='unauthorized: authentication required."
    assert cause(line) in ("CREDENTIALS_MISSING", "CREDENTIALS_INVALID")
    # control: the daemon that did not answer is still the daemon's
    down = f"docker -H {sock} pull {host}/{repo}:1\nCannot connect to the Docker daemon at {sock}. Is the docker daemon running?"
    assert cause(down) == "DAEMON_ERROR"


def test_what_a_browser_showed_is_beside_the_failure():
    text = (
        'app Error Get "https://ghcr.io/v2/acme/app/manifests/latest": dial tcp: lookup ghcr.io: no such host\n\n'
        "when i paste this link in a browser to see whats going on this is what i see\n"
        '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'
    )
    assert cause(text) == "DNS_NXDOMAIN"


@pytest.mark.parametrize(
    ("told", "want"),
    [
        ("I am not sure whether this is a temporary issue or a deprecated tag.", "TAG_NOT_FOUND"),
        ("Maybe it is a temporary error on their side?", "TAG_NOT_FOUND"),
        ("It fails intermittently, the same pull works a minute later.", "SERVER_ERROR"),  # control: the account
    ],
)
def test_wondering_whether_a_failure_comes_and_goes_is_not_saying_it_does(told, want):
    line = "Error response from daemon: manifest for acme/mysql:8.4.5 not found: manifest unknown: manifest unknown"
    assert cause(f"$ docker pull acme/mysql:8.4.5\n{line}\n\n{told}") == want


@pytest.mark.parametrize("width", [100, 120, 160])
def test_a_terminal_wrap_never_spans_a_blank_line(width):
    # a line that happens to be a terminal's width, a blank line, then the next message: two lines, not one cut
    head = 'app Error Get "https://ghcr.io/v2/acme/app/manifests/latest": dial tcp: lookup ghcr.io: no such host'
    head = head.replace("acme/app", "acme/" + "a" * (width - len(head) + 3))
    assert len(head) == width
    text = (
        f"{head}\n\nwhen i paste this link in a browser this is what i see\n" + '{"errors":[{"code":"UNAUTHORIZED"}]}'
    )
    assert cause(text) == "DNS_NXDOMAIN"
    assert clean_lines(f"{head}\n\nnext line")[-1] == "next line"


@DRAWS
@given(ip=IPV4)
def test_a_dial_timeout_spelt_time_out_is_a_dial_timeout(ip):
    line = f"fetch: Get https://quay-registry.s3.amazonaws.com/sharedimages/x/layer: dial tcp {ip}:443: i/o time out"
    assert cause(f"$ sudo rkt fetch quay.io/coreos/flannel:v0.8.0\n{line}") == "TCP_TIMEOUT"


@pytest.mark.parametrize(
    "query",
    ["?Expires=1750133389&OSSAccessKeyId=K&Signature=S", "?X-Amz-Algorithm=A&X-Amz-Signature=S", ""],
)
def test_an_eof_on_a_blob_the_registry_redirected_to_plain_http_is_not_a_tls_port(query):
    # the registry chose the http:// of its storage redirect: an EOF there is the storage's answer
    url = f"http://bucket.oss-cn-qingdao.aliyuncs.com/docker/registry/v2/blobs/sha256/ae/ae9e/data{query}"
    line = f'failed to copy: httpReadSeeker: failed open: failed to do request: Get "{url}": EOF'
    assert cause(f"$ docker pull registry.example.com/app:1\n{line}") == "SERVER_ERROR"
    # control: an EOF on a plain request to the registry's own API is HTTP spoken to a TLS port
    ping = 'failed to call rh.Client.Do: Get "http://registry.example.com:8080/v2/": EOF'
    assert cause(f"$ docker pull registry.example.com:8080/app:1\n{ping}") == "HTTP_NOT_HTTPS"


@pytest.mark.parametrize(
    "told",
    [
        "I'm getting a 500 response code when pushing a manifest.",
        "the registry returns 503 for every push",
        "I get a 502 when pushing, then it works",
        "push fails, server returns 500.",
        "推送一直报错 502",
    ],
)
def test_a_server_error_status_told_in_any_words_is_the_servers(told):
    assert cause(f"$ docker push r.example.com/app:1\n{told}") == "SERVER_ERROR"


def test_a_told_status_is_generic_and_a_number_of_things_is_no_status():
    # a program's own reason elsewhere in the paste outranks the told status; "500 tags" counts tags
    text = (
        "$ docker push r.example.com/app:1\nunauthorized: authentication required\nthe registry returns 500 sometimes"
    )
    assert cause(text) != "SERVER_ERROR"
    assert cause("$ docker pull r.example.com/app:1\nthe API returns 500 tags per page") is None


def test_an_unexpected_status_from_a_request_without_its_url_is_read():
    # containerd's "unexpected status from PUT request to URL: 400 Bad Request", retold without the URL
    line = "fail: docker push to ecr unexpected status from PUT request 400 Bad Request"
    assert cause(f"$ cdk deploy\n{line}") == "SERVER_ERROR"


@DRAWS
@given(ip=IPV4, cut=st.integers(1, 6))
def test_a_paste_cut_inside_gos_dial_error_is_a_connect_that_failed(ip, cut):
    head = (
        'failed to do request: Head "https://registry-1.docker.io/v2/library/alpine/manifests/3": dialing '
        "registry-1.docker.io:443 container via direct connection because  has no HTTPS proxy: connecting to "
        "registry-1.docker.io:443: dial tcp "
    )
    assert cause(f"$ docker build .\n{head}{ip[:-cut] if len(ip) > cut else ip}") == "TCP_TIMEOUT"
    # control: the whole reason, when it is there, decides
    assert cause(f"$ docker build .\n{head}{ip}:443: connect: connection refused") == "TCP_REFUSED"


@pytest.mark.parametrize(
    ("pull_error", "want"),
    [
        (
            "failed to register layer: Error processing tar file(exit status 1): archive/tar: invalid tar header",
            "DAEMON_ERROR",
        ),
        ('Get "https://r.example.com/v2/": dial tcp 10.0.0.1:443: connect: connection refused', "TCP_REFUSED"),
    ],
)
def test_a_local_lookup_after_a_failed_pull_takes_the_pulls_error(pull_error, want):
    # convention C8: "No such image" says the store lacks the image; the pull's own error above says why
    lookup = "Error response from daemon: No such image: r.example.com/acme/app:4.1\nError: No such image: r.example.com/acme/app:4.1"
    assert cause(f"$ ./upgrade.sh\n{pull_error}\n{lookup}") == want
    assert (
        cause(f"$ ./upgrade.sh\n{lookup}") != want
    )  # control: alone it is the local lookup's (story.local_lookup_cause)


@pytest.mark.parametrize(
    "tail",
    [
        "service call has been retried 5 time(s): RequestCanceled: request context canceled caused by: context deadline exceeded.",
        "service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::1:assumed-role/r is not authorized",
    ],
)
def test_ecs_reading_the_tasks_secrets_is_no_registry_request(tail):
    line = (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
        f"unable to retrieve secrets from ssm: {tail}"
    )
    assert cause(line) is None
    # control: the registry's part of the same start keeps its cause
    ecr = (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
        "unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request "
        'failed caused by: Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp 10.0.0.1:443: i/o timeout'
    )
    assert cause(ecr) == "TCP_TIMEOUT"
