"""Pasted logs read from the author's own words (issue 11, labelling convention C4b in docs/logs.md;
knowledge/logs/prose.py): a note, a heading or a post in Chinese, English, Japanese, Korean or Vietnamese that tells a
failed pull, push or login with no error line naming the cause, and the fix or the family the author names; a symptom
or a bare timeout that the author's fix explains. Every mechanism has a control beside it: a fix that did not help, a
note about something else, a pasted error line that names its own cause."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from knowledge.logs import explain
from knowledge.logs.prose import fix_cause, told_failure, told_family
from tests.harness.log_families import HOSTS, PATHS

CLASS = settings(max_examples=15, deadline=None)


def cause(text: str) -> str | None:
    r = explain(text)
    return None if r is None else r["cause"]


# A failure told in words with the fix the author applied: the fix's cause (no error line in any of them)
FIXED = [
    # a registry mirror or a proxy set up: the registry could not be reached
    (
        "报错 registry.k8s.io/pause:3.6 拉不下来\n\n修改containerd的配置文件将 `registry.k8s.io/pause:3.6` 改为 "
        "`registry.cn-beijing.aliyuncs.com/kubesphereio/pause:3.8`",
        "TCP_TIMEOUT",
    ),
    ("k8s.gcr.io 的镜像拉取失败，配置了 daemon 代理之后就可以了。", "TCP_TIMEOUT"),
    ("gcr.io/distroless/base をpullできない。プロキシを設定したら解決した。", "TCP_TIMEOUT"),
    # a proxy or a mirror removed, and then it worked: that proxy's or that mirror's failure
    ("使用代理后部分镜像仍无法拉取，我把配置文件里的代理删掉，重新执行就好了。", "PROXY_ERROR"),
    ("有时候使用阿里云加速拉取镜像时会发生莫名错误导致拉取不到镜像，此时尝试移除阿里云容器加速再试试", "SERVER_ERROR"),
    # the DNS server changed
    ("- 无法拉取镜像: sudo vim /etc/resolv.conf 改为8.8.8.8", "DNS_TIMEOUT"),
    ("docker pull nginx fails. Solution: change the DNS server from Automatic to Fixed 8.8.8.8.", "DNS_TIMEOUT"),
    # a CA installed where the engine reads it
    (
        "Cannot pull image from `registry.example.com` on centos:\n\n```bash\n# touch /etc/rhsm/ca/redhat-uep.pem\n```",
        "TLS_UNTRUSTED",
    ),
    ("harbor 镜像推送失败，把 ca.crt 复制到 /etc/docker/certs.d/harbor.local/ 下就好了", "TLS_UNTRUSTED"),
    # the registry listed as insecure
    ("私有仓库 192.168.1.10:5000/app 拉不下来，需要在 daemon.json 里加 insecure-registries", "HTTP_NOT_HTTPS"),
    # a login the failing program lacked
    ("镜像推送失败，需要先 docker login 一下。", "CREDENTIALS_MISSING"),
    # the tag or the path corrected
    ("docker pull 111.231.253.204:5000/nginx:v1\n注意要加上版本号不然拉不下来", "TAG_NOT_FOUND"),
    ("# 发现storage-provisioner镜像拉不下来，需要编辑pod将/k8s-minikube去除", "REPO_NOT_FOUND"),
    # the registry's storage directory's owner: the registry itself fails the push
    ("踩坑二：registry的镜像存储目录，需要设置registry用户的用户及用户组，不然镜像推送失败", "SERVER_ERROR"),
]


@pytest.mark.parametrize(("text", "want"), FIXED)
def test_the_fix_the_author_names_gives_the_cause_of_a_failure_told_in_words(text, want):
    r = explain(text)
    assert r is not None and r["cause"] == want
    # a weak reading: any pasted error line would overrule it, and the answer says where it comes from
    assert r["confidence"] == "low" and r["pattern"] == "prose-told"
    assert r["note"] is not None and r["note"]["zh"] and r["note"]["en"]


# A failure told in words that names its family, with no fix and no error line
TOLD = [
    ("**遗留问题**：由于某些权限问题，Argo CD 无法拉取 GAR 中的 chart。", "PERMISSION_DENIED"),
    ("## 拉取镜像超时\n\nregistry.k8s.io 的镜像拉取超时，一直卡住。", "HTTP_TIMEOUT"),
    ("We can't pull the image from our registry: the pull times out after a minute.", "HTTP_TIMEOUT"),
    ("k8s.gcr.io 的镜像拉不下来，国内无法访问外网。", "TCP_TIMEOUT"),
    ("사설 레지스트리에서 이미지 pull 실패: 인증서 문제", "TLS_UNTRUSTED"),
    ("镜像复制x509错误\n\n原仓库：https://10.0.0.8\n目标仓库：https://10.0.0.9", "TLS_UNTRUSTED"),
    ("nvcr.io部分镜像不能下载，提示格式错误", "NAME_INVALID"),
    ("执行 docker compose up -d\n一直卡在下载镜像 Image ghcr.example.com/team/server:latest，", "HTTP_TIMEOUT"),
    ("image not found\n\n请问docker pull 不下来 是什么情况", "TAG_NOT_FOUND"),  # the title names the family
    (
        "Pull Images is always waitting\n\n### 描述问题\n\nimage：6d30f48d0ef3 永远都是waitting，无法下载",
        "HTTP_TIMEOUT",
    ),
    # the family of a later line that tells the failure ("4. See error: Download hangs indefinitely at layer 70f0")
    (
        "FunASR Docker 镜像无法下载 - 特定层损坏\n\n1. Run docker pull\n4. See error: Download hangs indefinitely at layer 70f0",
        "HTTP_TIMEOUT",
    ),
]


@pytest.mark.parametrize(("text", "want"), TOLD)
def test_a_failure_told_in_words_names_its_family(text, want):
    assert cause(text) == want


# Controls: the same words where they tell no failure of a registry, or a fix that did not help
NOTHING = [
    "今天学习了 docker pull 的用法，配置了镜像加速器，速度快了很多。",  # no failure
    "pip install 总是超时，配置了代理就好了。",  # another program's download
    "sudo docker compose up -d 拉取镜像一直超时，通过chatgpt查了好多方法都不行，包括配置镜像加速器。",  # a fix that did not help
    "registry.k8s.io 的镜像拉不下来，需要配置代理吗？",  # a fix asked about
    "使用代理的镜像在build打包时，会出现拉取不到的问题",  # images a proxy serves: no proxy set up, no family
    "This note shows how to pull an image and push it to a private registry.",
    "镜像拉不下来。",  # a failure told with no cause: nothing to read
]


@pytest.mark.parametrize("text", NOTHING)
def test_words_that_tell_no_registry_failure_or_no_cause_stay_unread(text):
    r = explain(text)
    # (the timeout told in words is a family: only the fix that did not help is dropped)
    assert r is None or (r["pattern"] == "prose-told" and r["cause"] == "HTTP_TIMEOUT" and "超时" in text)


def test_a_fix_that_did_not_help_names_nothing():
    assert fix_cause("包括配置镜像加速器都不行") is None
    assert fix_cause("setting a proxy didn't help") is None
    assert fix_cause("I have tried many changes with no success, including assigning public IPs to the tasks") is None
    assert fix_cause("尝试更换多个镜像加速源同样问题") is None
    assert fix_cause("配置镜像加速器之后就好了") == ("TCP_TIMEOUT", ("HTTP_TIMEOUT",))


@given(host=HOSTS, path=PATHS)
@CLASS
def test_a_pasted_error_line_overrules_the_authors_words(host, path):
    words = f"{host}/{path}:1 拉不下来，配置了代理之后就好了。\n"
    assert cause(words) == "TCP_TIMEOUT"
    pasted = words + f"Error response from daemon: manifest for {host}/{path}:1 not found: manifest unknown"
    assert cause(pasted) == "TAG_NOT_FOUND"


def test_the_fix_refines_a_symptom_that_prints_no_reason():
    symptom = 'kubectl describe pod web\n  Warning  Failed  kubelet  Failed to pull image "nginx:nonexistent"\n'
    assert cause(symptom) == "CREDENTIALS_MISSING"  # the symptom's own guess
    assert cause(symptom + "# Sửa: Dùng đúng image tag\n") == "TAG_NOT_FOUND"
    assert cause("coredns和metrics-server提示ImagePullBackOff，怀疑是镜像版本不对") == "TAG_NOT_FOUND"
    assert cause(symptom + "所以以上问题的出现都是由于不能访问外网,导致docker拉取镜像失败\n") == "TCP_TIMEOUT"


def test_an_output_line_that_tells_a_failed_pull_in_words_takes_the_fix():
    text = (
        "I tried deploying this but failed with below error.\n\n```\nResourceInitializationError: unable to pull "
        "secrets or registry auth\n```\n\nI solved this issue by assigning public ip address to pull secrets"
    )
    assert cause(text) == "TCP_TIMEOUT"
    assert cause(text.replace("I solved this issue by assigning public ip address to pull secrets", "")) is None


def test_a_told_timeout_refines_a_backoff_frame():
    frame = (
        "docker安装基础镜像一直超时问题\n\n```\nfailed to solve: failed to do request: Head "
        '"https://registry-1.docker.io/v2/pytorch/pytorch/manifests/2.4.1": dialing registry-1.docker.io:443 container '
        "via direct connection because  has no HTTPS proxy: connecting to registry-1.docker.io:443:\n```"
    )  # (cut before Go's `dial tcp …`: a cut inside the dial is read as a connect that failed, dial-tcp-cut)
    assert cause(frame) == "HTTP_TIMEOUT"
    assert cause(frame.replace("docker安装基础镜像一直超时问题", "docker安装基础镜像的问题")) != "HTTP_TIMEOUT"


def test_the_dns_fix_refines_a_bare_timeout_and_never_a_specific_wording():
    fix = '\n**Solution**: change the DNS server from Automatic to Fixed "8.8.8.8".'
    assert cause("## Troubleshooting\n- Error response from daemon: i/o timeout" + fix) == "DNS_TIMEOUT"
    # a timeout that names the request it stalled, or another family's wording, keeps its reading
    specific = (
        'Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: request canceled while '
        "waiting for connection (Client.Timeout exceeded while awaiting headers)"
    )
    assert cause(specific + fix) == "HTTP_TIMEOUT"
    untrusted = 'Error response from daemon: Get "https://registry.example.com/v2/": x509: certificate signed by unknown authority'
    assert cause(untrusted + fix) == "TLS_UNTRUSTED"
    # a dynamic DNS name configured for a host is no DNS server changed
    assert fix_cause("configure a dynamic dns for that host, obtain with certbot ssl certificates") is None


def test_a_list_item_quoting_a_cut_request_is_a_failure_told():
    text = (
        '## 问题\n\n1. `Error response from daemon: Get "https://registry-1.docker.io/v2/"`\n\n'
        "外网的 docker hub 访问不通，通过配置 daemon 代理访问。"
    )
    r = explain(text)
    assert r is not None and r["cause"] == "TCP_TIMEOUT" and r["host"] == "registry-1.docker.io"
    assert told_failure('1. `error response from daemon: get "https://registry-1.docker.io/v2/"`') == "pull"


@pytest.mark.parametrize(
    ("line", "op"),
    [
        ("registry.k8s.io/pause:3.6 拉不下来", "pull"),
        ("镜像推送失败", "push"),
        ("イメージをpullできない", "pull"),
        ("이미지 풀 실패", "pull"),
        ("không thể pull image nginx", "pull"),
        ("we cannot push the image to ghcr", "push"),
        ("docker login 失败", "login"),
        ("pip 下载失败", None),  # not about images or registries
        ("代码拉不下来", None),
        ("I pulled the image yesterday", None),  # no failure
    ],
)
def test_a_failed_registry_operation_told_in_each_language(line, op):
    assert told_failure(line) == op


def test_the_family_a_failure_names():
    assert told_family("由于某些权限问题无法拉取") == ("PERMISSION_DENIED", ("CREDENTIALS_MISSING",))
    assert told_family("拉取镜像 timeout") == ("HTTP_TIMEOUT", ("TCP_TIMEOUT",))
    assert told_family("外网的 docker hub 访问不通") == ("TCP_TIMEOUT", ("HTTP_TIMEOUT",))
    assert told_family("拉不下来") is None
