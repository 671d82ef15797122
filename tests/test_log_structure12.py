"""Which part of a text decides (issue 11, eleventh round, logs12b; docs/logs.md "(eleventh round, logs12b)").

The author's own words (knowledge/logs/prose.py, convention C4b): a failure told in Chinese, Russian, Portuguese,
Spanish, German or French with the message it showed (an HTTP status, a connection timeout, SSL, plain HTTP turned
into HTTPS, credentials refused, an image not found), each case written from the shape of such posts (not copied) and
asserting the cause and the line it was read from, with a control beside it: a file's download, a negated or asked
message, a pasted error line that names its own cause."""

from __future__ import annotations

import pytest

from knowledge.logs import explain
from knowledge.logs.prose import told_failure, told_family


def reading(text: str) -> tuple[str | None, str | None]:
    r = explain(text)
    return (None, None) if r is None else (r["cause"], r["evidence"])


# A failure told in words and the message the author says it showed: (text, cause, the line read as evidence)
SHOWN = [
    # an HTTP status told in words, in the failure's own clause or a few lines on
    ("拉取镜像时出现503\n\n拉取时有一层一直在 retrying，然后会报503，其余层正常", "SERVER_ERROR", "拉取镜像时出现503"),
    (
        "构建时 FROM example.com/base/app:1.2，拉取到 sha256:0a1b 12kB / 80kB 的时候就会失败报403错误",
        "PERMISSION_DENIED",
        "构建时 FROM example.com/base/app:1.2，拉取到 sha256:0a1b 12kB / 80kB 的时候就会失败报403错误",
    ),
    ("docker pull 镜像失败，返回429", "RATE_LIMITED", "docker pull 镜像失败，返回429"),
    ("推送镜像到私有仓库一直失败，返回401", "CREDENTIALS_MISSING", "推送镜像到私有仓库一直失败，返回401"),
    # a connection (not a request) that timed out
    ("一键脚本安装应用时一直无法下载docker镜像 一直提示连接超时", "TCP_TIMEOUT", None),
    # a request that waits for ever
    ("请问 docker pull 时一直处于 wait 状态是什么原因", "HTTP_TIMEOUT", None),
    # SSL, and a plain-HTTP registry the client turned to HTTPS
    ("在面板里拉取任何 Docker 应用均提示，无法验证 SSL", "TLS_UNTRUSTED", None),
    ("内网仓库是 http 模式，push 不了镜像，客户端会自己把 http 转成 https", "HTTP_NOT_HTTPS", None),
    # credentials refused: a login told as its check
    ("镜像仓库的授权验证一直不能通过，临时密码和长期密码都试过", "CREDENTIALS_INVALID", None),
    # an image (a repository) not found, told as such; a version not found stays the tag's (C8)
    ("用官方 docker-compose 拉取镜像失败，都提示镜像源不存在", "REPO_NOT_FOUND", None),
    ("镜像拉取失败，提示这个版本找不到", "TAG_NOT_FOUND", None),
    # other languages: the verb of pulling, its failure and the message
    ("Não consigo puxar a imagem do registry privado: tempo esgotado.", "HTTP_TIMEOUT", None),
    ("Error al descargar la imagen desde nuestro registry: acceso denegado.", "PERMISSION_DENIED", None),
    ("Fehler beim Pullen des Images aus der Registry: Zertifikat ungültig.", "TLS_UNTRUSTED", None),
    ("Не удается скачать образ из registry: ошибка 503.", "SERVER_ERROR", None),
    ("Impossible de télécharger l'image depuis le registre : connexion refusée.", "TCP_REFUSED", None),
]


@pytest.mark.parametrize(("text", "want", "evidence"), SHOWN)
def test_a_failure_told_in_words_takes_the_family_of_the_message_it_showed(text, want, evidence):
    r = explain(text)
    assert r is not None and r["cause"] == want
    assert (
        r["confidence"] == "low"
    )  # a weak reading (the author's words, or a symptom they refine): output overrules it
    if evidence is not None:
        assert r["evidence"] == evidence


@pytest.mark.parametrize(
    ("line", "op"),
    [
        ("拉取到 sha256:0a1b 0B / 84kB 的时候就会失败", "pull"),
        ("在面板里拉取任何 Docker 应用均提示", "pull"),
        ("镜像仓库的授权验证一直不能通过", "login"),
        ("账号登入不进去，会频繁弹出登录界面", "login"),
        ("Erro ao fazer push da imagem para o registry", "push"),
        ("No puedo hacer pull de la imagen", "pull"),
        ("Das Image lässt sich nicht herunterladen", "pull"),
        ("Не удалось запушить образ в registry", "push"),
    ],
)
def test_failures_told_in_more_words_and_languages(line, op):
    assert told_failure(line, about=True) == op


@pytest.mark.parametrize(
    ("sentence", "want"),
    [
        ("然后会报503", "SERVER_ERROR"),
        ("报403错误", "PERMISSION_DENIED"),
        ("一直提示链接超时", "TCP_TIMEOUT"),
        ("提示：timeout", "HTTP_TIMEOUT"),
        ("got a 429 from the hub", "RATE_LIMITED"),
        ("会自己将http转成https", "HTTP_NOT_HTTPS"),
        ("无法认证SSL", "TLS_UNTRUSTED"),
        # a certificate's x509 is not a 509 status
        ("镜像复制x509错误", "TLS_UNTRUSTED"),
    ],
)
def test_the_family_a_told_message_names(sentence, want):
    found = told_family(sentence)
    assert found is not None and found[0] == want


@pytest.mark.parametrize(
    "sentence",
    ["port 5000 error", "version 1.13.0", "https://example.com/v2/ 正常", "用 http 访问首页"],
)
def test_numbers_and_words_that_name_no_status_or_family(sentence):
    assert told_family(sentence) is None


# Controls: the same words where they tell no registry failure, or say the message was not there
NOTHING = [
    # a file's download (a tarball) that showed a 404 is another program's, not a registry's
    "error: downloading 'https://mirrors.example.com/github.com/org/lib/archive/lib-0.6.2.tar.gz' failed\n"
    "这个文件没法下载呢，直接报404。",
    # the message negated: "there is no space problem", "the network is fine"
    "docker pull 一直卡住不动\n不存在空间不够问题，网络连接也没问题",
    # no failure told at all
    "今天把镜像推送到了私有仓库，返回 201，一切正常。",
]


@pytest.mark.parametrize("text", NOTHING)
def test_words_that_tell_no_registry_failure_or_no_message_name_no_status(text):
    cause, _ = reading(text)
    # (only "一直卡住" may be read, as a told hang: the family of the failure's own line; no status, no 404, no disk)
    assert cause is None or (cause == "HTTP_TIMEOUT" and "一直卡住" in text), cause


def test_a_mirror_named_by_the_error_is_not_a_mirror_set_up():
    # "使用…拉取镜像，都提示镜像源不存在": the error names the mirror; no fix (TCP_TIMEOUT) was told
    cause, _ = reading("使用官方文档的 docker-compose 拉取镜像，都提示镜像源不存在。")
    assert cause == "REPO_NOT_FOUND"
    cause, _ = reading("镜像拉不下来，配置了镜像加速器之后就好了。")
    assert cause == "TCP_TIMEOUT"


def test_a_pasted_error_line_overrules_the_message_told_in_words():
    told = "拉取镜像时出现503\n"
    assert reading(told)[0] == "SERVER_ERROR"
    pasted = (
        told
        + 'Error response from daemon: Get "https://r.example.com/v2/": x509: certificate signed by unknown authority'
    )
    assert reading(pasted)[0] == "TLS_UNTRUSTED"


@pytest.mark.parametrize("hostile", [":" * 100_000, "拉取" * 50_000, "报" * 100_000, "pull时" + "一直" * 50_000])
def test_hostile_input_stays_fast(hostile):
    import time

    start = time.perf_counter()
    explain(hostile)
    assert time.perf_counter() - start < 2.0


# Format strings of programs that are not a registry answering (C2, C8): docker-py's view of the engine's inspect of
# its own store (requests' "%s Client Error for %s: %s" on GET /images/NAME/json, moby's "No such image") and a
# package manager's file missing from its mirror (yum/urlgrabber "[Errno 14] HTTP Error 404", apt "Failed to fetch")
NOT_A_REGISTRY = [
    "Can't install example/amd64-addon-a:1.2.3: 404 Client Error for http+docker://localhost/v1.45/images/example/"
    'amd64-addon-a:1.2.3/json: Not Found ("No such image: example/amd64-addon-a:1.2.3")',
    "requests.exceptions.HTTPError: 404 Client Error: Not Found for url: http+docker://localhost/v1.41/images/x/y:2/json",
    'fatal: [10.0.0.5]: FAILED! => {"msg": "http://mirrors.example.com/centos/7/os/x86_64/repodata/repomd.xml: '
    '[Errno 14] HTTP Error 404 - Not Found\\nTrying other mirror."}',
    "E: Failed to fetch http://archive.example.org/ubuntu/dists/focal/main/binary-amd64/Packages  404  Not Found [IP: 10.0.0.1 80]",
    "Err:3 http://deb.example.org/debian buster/main amd64 Packages 404  Not Found",
]


@pytest.mark.parametrize("text", NOT_A_REGISTRY)
def test_a_local_inspect_or_a_package_mirrors_404_names_no_registry_cause(text):
    assert explain(text) is None


def test_the_same_clients_pull_keeps_the_registrys_answer():
    # docker-py's POST /images/create is the pull: the registry's answer inside it decides (C8)
    text = (
        "Can't install example/addon:2: 404 Client Error for http+docker://localhost/v1.41/images/create?tag=2&"
        'fromImage=example%2Faddon: Not Found ("manifest for example/addon:2 not found: manifest unknown")'
    )
    assert reading(text)[0] == "TAG_NOT_FOUND"
    # a registry's own /v2/ path is never a package mirror's
    got = reading('Error response from daemon: Get "https://mirrors.example.com/v2/a/manifests/1": 404 Not Found')[0]
    assert got == "TAG_NOT_FOUND"  # (a manifest's bare 404, C8)


def test_a_wording_glued_to_han_words_is_read():
    # Python's \b counts Han as a word character: "提示image X not found" is docker 1.x's `image X not found` (C8)
    cause, evidence = reading("docker pull example/db\n这条命令运行后提示image example/db not found 是怎么回事。")
    assert cause == "TAG_NOT_FOUND" and evidence is not None and "not found" in evidence
    assert reading("拉取镜像时报错unauthorized: authentication required")[0] == "CREDENTIALS_MISSING"
    # a status glued to a word is not spaced apart: "直接报404" after a file's download stays unread
    assert reading("这个文件没法下载呢，直接报404。")[0] is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # a pull and its failure in one English sentence
        ('When I run "docker pull example/app:latest" it always timeout, I waited for hours.', "HTTP_TIMEOUT"),
        # the line right below the told failure goes on telling it, with no "it says"
        (
            "Cannot pull example/app:1.0\n\ndocker pull registry.example.com/team/app:1.0 fails to pull all layers\n\n"
            "Tried many times, but there is some timeout.",
            "HTTP_TIMEOUT",
        ),
    ],
)
def test_english_failures_told_in_a_sentence(text, want):
    assert reading(text)[0] == want


def test_a_line_far_below_needs_a_marker_and_a_fix_that_did_not_help_shows_nothing():
    far = "docker pull registry.example.com/app:1 fails\nline two\nline three\nline four\nthere is some timeout"
    assert reading(far)[0] is None
    # "setting a longer timeout did not help" tells no message the failure showed
    assert reading("docker pull registry.example.com/app:1 fails\nsetting a longer timeout did not help")[0] is None


# Which lines tell the credential story (C6): a login the output shows AFTER the failing line is the fix the author
# applied (the refused request carried no credentials), a login before it was sent with the request
LOGIN_FAILED = (
    "$ podman pull registry.example.internal:5000/team/app:1.0\n"
    "Trying to pull registry.example.internal:5000/team/app:1.0...\n"
    "Error: Error reading manifest 1.0 in registry.example.internal:5000/team/app: unauthorized: authentication required"
)
LOGIN = "$ podman login -u dev -p example registry.example.internal:5000\nLogin Succeeded!"


def test_a_login_shown_after_the_failure_is_the_fix_and_one_before_it_was_sent():
    assert (
        reading(
            LOGIN_FAILED + "\n" + LOGIN + "\n$ podman pull registry.example.internal:5000/team/app:1.0\n"
            "Getting image source signatures"
        )[0]
        == "CREDENTIALS_MISSING"
    )
    assert reading(LOGIN + "\n" + LOGIN_FAILED)[0] == "CREDENTIALS_INVALID"


def test_the_registrys_own_front_failing_on_its_configuration_is_the_servers_side():
    # nginx's "[emerg] host not found in upstream" (Harbor's proxy container): its backend, not the client's DNS
    text = (
        "$ docker login harbor.example.com\nError response from daemon: login attempt failed with status: 404 Not Found\n"
        'proxy[6369]: nginx: [emerg] host not found in upstream "registry:5000" in /etc/nginx/nginx.conf:17'
    )
    assert reading(text)[0] == "SERVER_ERROR"
    control = 'Error response from daemon: Get "https://harbor.example.com/v2/": dial tcp: lookup harbor.example.com: no such host'
    assert reading(control)[0] == "DNS_NXDOMAIN"


def test_the_engines_local_fault_told_with_a_failed_pull_is_the_daemons():
    assert reading("使用面板无法拉取镜像，报错code:200 operation not supported!")[0] == "DAEMON_ERROR"
    # the same words after the image was in place (a `docker run`) tell no pull: nothing is read from them
    assert reading("docker: Error response from daemon: operation not supported.\nSee 'docker run --help'.")[0] is None


@pytest.mark.parametrize(
    "text",
    [
        # the pull and the address it cannot reach, the hang told first
        "在内网 init 时会卡住，日志里 containerd 会从 registry.example.com/pause:3.6 拉取镜像，而这里的网络无法访问这个地址。",
        # a pull told failing, slow and retried
        "拉取镜像不稳定，有时候速度很慢，拉不下来镜像，反复重试。\ndocker pull registry.example.com/team/app:1.0",
    ],
)
def test_a_pull_told_hanging_slow_or_retried_is_a_timeout(text):
    assert reading(text)[0] == "HTTP_TIMEOUT"


def test_old_docker_pys_404_no_such_image_is_a_local_lookup():
    # docker-py before its URL was printed: '404 Client Error: Not Found ("no such image: X: No such image: X")'
    text = (
        "ERROR (SyncWorker_2) [hassio.docker.interface] Can't install example/addon-amd64:0.7.0 -> 404 Client Error: "
        'Not Found ("no such image: example/addon-amd64:0.7.0: No such image: example/addon-amd64:0.7.0").'
    )
    assert explain(text) is None


# (what the author denies, the same words said): "不是证书的问题" / "not a certificate issue" rules the family out
DENIED = [
    ("docker pull example/app 失败了，不是证书的问题", "docker pull example/app 失败了，是证书的问题", "TLS_UNTRUSTED"),
    (
        "docker pull example/app fails, it is not a certificate issue",
        "docker pull example/app fails, it is a certificate issue",
        "TLS_UNTRUSTED",
    ),
    # "不存在 … 问题" with no 的 between denies; "镜像不存在的问题" tells the failure
    (
        "docker pull example/app 一直失败，不存在网络问题",
        "docker pull example/app 失败，出现镜像不存在的问题",
        "REPO_NOT_FOUND",
    ),
]


@pytest.mark.parametrize(("denied", "said", "family"), DENIED)
def test_a_family_the_author_denies_is_not_named(denied, said, family):
    assert reading(denied)[0] is None
    assert reading(said)[0] == family


def test_a_family_the_author_asks_about_is_no_denial():
    # "是不是证书的问题" asks: it reads as the family said
    assert reading("docker pull example/app 失败了，是不是证书的问题")[0] == "TLS_UNTRUSTED"


def test_a_pull_and_the_message_it_got_in_one_english_sentence():
    # the dots of a reference do not end the sentence
    text = "When trying to pull the image `registry.example.com/team/controller:v1.6.0` I get `not found`."
    assert reading(text)[0] == "TAG_NOT_FOUND"
    # a version the author says is not released yet is a tag not published (C8)
    assert reading("docker pull example/app:6.0 fails, the image is not yet released.")[0] == "TAG_NOT_FOUND"
    # the sentence ends at a full stop followed by a space: no message after it is joined to the pull
    assert reading("When I pull the image it starts. I get coffee meanwhile.")[0] is None
