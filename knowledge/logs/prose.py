"""The author's own words (labelling convention C4b, docs/logs.md): what a note, a heading or a post in any language
says of a failed pull, push or login when no output line names the cause, or only a bare symptom does.

Personal notes and non-English posts often paste no error at all, or only its head: "registry.k8s.io/pause:3.6 拉不下来"
and then the fix ("改为 registry.cn-beijing.aliyuncs.com/…"); a bare `Error response from daemon: i/o timeout` and
"change the DNS server to 8.8.8.8"; "由于某些权限问题，Argo CD 无法拉取 GAR 中的 chart". The labels read them from the
author's words: the failure the author names, refined by the cause or the fix the author gives. Three readings, each
one small function:

- `fix_cause`: the fix the author names, and the cause it implies (a proxy or a registry mirror set up → the network
  could not reach the registry; the DNS server changed → DNS; a CA installed → an untrusted certificate;
  `insecure-registries` → a plain-HTTP registry; a login or a pull secret added → no credentials were sent; the tag
  or the path corrected → not found; the registry's storage directory's owner → the registry's own failure; a proxy
  or a mirror removed → that proxy's or that mirror's failure);
- `told_family`: the family a failure told in words names ("拉取镜像 timeout", "由于权限问题无法拉取", "未登录");
- `told_failure`: whether a sentence (or a heading, a list item) tells a registry pull, push or login that failed
  ("X 拉不下来", "pull できない", "풀 실패", "can't pull", a quoted `Error response from daemon: Get …/v2/` cut before
  its reason).

`told_cause` puts them together for a text whose output names no cause (a weak reading, `confidence: low`, that any
pasted error line overrules: the reader asks it only when no line matched); `refine` lets the fix refine a symptom
(`ErrImagePull`, no reason printed) or a timeout that names no address (C4b: never a specific wording). A fix the
author tried that did not help ("包括配置镜像加速器都不行") names nothing.
"""

from __future__ import annotations

import re
from typing import Any

from diagnostics import PERSONAL_SUFFIX

from ..dialogue import LazyRe
from ..structure import is_prose

# Han, kana, Hangul and Vietnamese letters: a line in them is the author's own words, whatever its symbols
_OWN_SCRIPT = LazyRe(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịọỏốồổỗộớờởỡợụủứừửữự]")
# a shell comment inside a fence, where notes keep their words beside the commands ("# Sửa: Dùng đúng image tag")
# Markdown's emphasis, list and heading marks and quotes, which are not the symbols of output
_MARKUP = LazyRe(r"\*\*|__|^[#>*\d.\s-]{1,8}|[\"“”]")
_COMMENT = LazyRe(r"^#+\s?(?:=>\s?)?")
# a command the author ran to fix it, typed in a fence: a certificate put where the engine or the system reads it
_FIX_COMMAND = LazyRe(
    r"^(?:#+\s?)?(?:\$\s)?(?:sudo\s)?(?:touch|cp|mv|ln|install|update-ca-certificates|update-ca-trust)\b[^\n]{0,200}"
    r"(?:\.crt\b|\.pem\b|certs\.d|ca-certificates|ca-trust|\bextract\b)"
)

# ---- what failed: a registry pull, push or login told in words (the reading needs one) ----
_FAILED_PULL = LazyRe(
    r"拉不(?:下来|下|到|了|动)|拉(?:取|去)?(?:镜像)?(?:不下来|不了|不到)|(?:拉取|拉去|下载|pull)\s?\S{0,8}(?:失败|报错|出错|超时|不下来|不了)|"
    r"(?:拉取|拉去|下载)\S{0,8}\s?(?:timeout|time out|timed out)|"
    # the registry itself out of reach ("外网的 docker hub 访问不通", "无法访问 gcr.io")
    r"(?:docker ?hub|hub\.docker\.com|registry|镜像仓库|gcr\.io|quay\.io|ghcr\.io)\S{0,6}\s?(?:访问不通|无法访问|连不上|不通)|"
    r"(?:无法|不能)(?:访问|连接)\s?(?:docker ?hub|hub\.docker\.com|镜像仓库|gcr\.io|quay\.io|ghcr\.io)|"
    r"(?:无法|不能|没法|没办法)[^。！？!?\n]{0,30}?(?:拉取|拉去|拉|下载|pull)|(?:拉取|下载|pull)[^。；;\n]{0,60}?(?:均|都|总是|一直)提示|镜像\S{0,6}(?:拉取|下载)\S{0,4}(?:失败|不了|不下来)|"
    # stuck on an image, or an image that times out ("一直卡在下载镜像", "安装基础镜像一直超时")
    r"卡(?:在|住)\S{0,6}(?:下载|拉取|pull)|镜像\S{0,6}(?:一直)?(?:超时|卡住)|"
    # the pull and the address it cannot reach ("containerd 会从 registry.k8s.io/pause:3.6 拉取镜像，而国内网络环境无法访问这个地址")
    r"(?:拉取|下载|pull)[^。！？!?\n]{0,40}?(?:无法|不能)(?:访问|连接)|"
    # a failure named by its error ("镜像复制x509错误", "提示格式错误")
    r"(?:x509|证书|certificate)\s?(?:错误|报错|问题|error)|"
    r"(?:pull|プル)\S{0,4}(?:できない|できません|に失敗|が失敗|出来ない)|(?:イメージ|image)\S{0,6}(?:取得|ダウンロード)(?:でき|に失敗)|"
    r"(?:pull|풀|이미지)[^.\n]{0,12}(?:실패|안 ?됨|안 ?돼|못 ?(?:받|가져)|할 수 없)|"
    r"không (?:thể )?(?:pull|kéo|tải)|"
    r"\b(?:can't|cannot|can not|couldn't|could not|unable to|fails? to|failed to|won't)\s(?:\w+\s)?(?:pull|download|fetch)\b|"
    r"\b(?:image )?(?:pull|download)(?:ing|s)?\s(?:\w+\s)?(?:fails?|failed|failing|times? out|timed out|hangs?|is stuck)\b|"
    r"\bpull(?:ing)? images? is (?:always )?waitt?ing\b|"
    # a pull and the message it got in one sentence ("When trying to pull the latest image `X` I get `not found`")
    r"\b(?:when|while) (?:trying to |i try to |attempting to |i )?pull(?:ing)?\b(?:[^.!?\n]|\.(?=\S)){0,160}?\bi (?:get|got|see|receive|am getting)\b|"
    # a pull and its failure in one sentence ("When run "docker pull X" always timeout")
    r"\bpull\b(?:[^.!?\n]|\.(?=\S)){0,160}?\b(?:always |keeps? |still )?(?:timeouts?|times? out|timed out|fails|failed|hangs|is stuck)\b|"
    r"\berrimagepull\b|\bimagepullbackoff\b|\bfailed to pull image\b|"
    # a pull and its failure in one clause, whatever stands between ("拉取到sha256:d08d… 0B / 84.18kB的时候就会失败",
    # "拉取镜像时出现503", "pull时一直处于wait状态")
    r"(?:拉取|拉去|下载|pull)[^。，,；;！!？?\n]{0,160}?(?:失败|报错|出错|超时|不了|不下来|报\s?[45]\d\d|出现\s?[45]\d\d|返回\s?[45]\d\d)|"
    r"(?:拉取|下载|pull)\s?(?:时|的时候)\S{0,6}(?:一直|总是)(?:处于|是|在)?\s?(?:wait|等待|卡)|"
    # Russian, Portuguese, Spanish, German, French: the verb of pulling and its failure
    r"не (?:удается|удалось|могу|получается|получилось) (?:\w+ )?(?:скачать|загрузить|получить|спулить|сделать pull|pull)|"
    r"ошибка (?:при )?(?:скачивании|загрузке|получении|pull)|"
    r"\b(?:erro|falha) ao (?:puxar|baixar|fazer (?:o )?pull|obter)|não (?:consigo|consegue|foi possível|é possível) (?:\w+ )?(?:puxar|baixar|fazer (?:o )?pull)|"
    r"\b(?:error|fallo|falla) al (?:descargar|bajar|hacer (?:el )?pull|obtener)|no (?:puedo|se puede|pude|consigo|es posible) (?:\w+ )?(?:descargar|bajar|hacer (?:el )?pull)|"
    r"\bfehler beim (?:pullen|herunterladen|laden|pull)|\b(?:kann|lässt sich|konnte) (?:\w+ ){0,3}nicht (?:gepullt|pullen|herunterladen|heruntergeladen|geladen)|"
    r"\bimpossible de (?:télécharger|puller|récupérer|faire (?:le |un )?pull)|\b(?:erreur|échec) (?:lors )?(?:du |de )?(?:pull|téléchargement)"
)
_FAILED_PUSH = LazyRe(
    r"推送\S{0,4}(?:失败|报错|出错|超时|不上去|不了)|推不(?:上去|了)|(?:无法|不能|没法)\S{0,6}(?:推送|push)|push\S{0,4}(?:失败|不上去|不了)|"
    r"(?:push|プッシュ)\S{0,4}(?:できない|できません|に失敗)|(?:push|푸시)[^.\n]{0,12}(?:실패|안 ?됨|할 수 없)|"
    r"\b(?:can't|cannot|can not|couldn't|could not|unable to|fails? to|failed to)\s(?:\w+\s)?push\b|"
    r"\bpush(?:ing|es)?\s(?:\w+\s)?(?:fails?|failed|failing|times? out|timed out)\b|"
    r"(?:推送|push)[^。，,；;！!？?\n]{0,80}?(?:失败|报错|出错|不了|不上去|报\s?[45]\d\d|出现\s?[45]\d\d|返回\s?[45]\d\d)|"
    r"не (?:удается|удалось|могу|получается|получилось) (?:\w+ )?(?:запушить|отправить|сделать push|push)|"
    r"\b(?:erro|falha) ao (?:enviar|fazer (?:o )?push)|não (?:consigo|foi possível) (?:\w+ )?(?:enviar|fazer (?:o )?push)|"
    r"\b(?:error|fallo|falla) al (?:subir|hacer (?:el )?push)|no (?:puedo|se puede|pude) (?:\w+ )?(?:subir|hacer (?:el )?push)|"
    r"\bfehler beim (?:pushen|hochladen|push)|\bkann (?:\w+ ){0,3}nicht (?:pushen|hochladen)|"
    r"\bimpossible de (?:pousser|pusher|faire (?:le |un )?push)|\b(?:erreur|échec) (?:lors )?(?:du )?push"
)
_FAILED_LOGIN = LazyRe(
    r"(?:登录|登陆|login)\s?\S{0,4}(?:失败|报错|不上|不了)|(?:无法|不能)\S{0,4}(?:登录|登陆|login)|"
    r"ログイン(?:でき(?:ない|ません)|に失敗)|로그인[^.\n]{0,8}(?:실패|안 ?됨)|"
    r"\b(?:can't|cannot|can not|couldn't|could not|unable to|fails? to|failed to)\s(?:docker\s)?log ?in\b|\blogin fail(?:s|ed|ing)?\b|"
    # a login refused told as its check ("授权验证一直不能通过", "登入不进去", "登不上")
    r"(?:登入|登录|登陆)不进去|登不(?:上|进)|(?:授权|认证|鉴权)\S{0,6}(?:失败|不通过|不能通过|无法通过|通不过)|"
    r"не (?:удается|удалось|могу|получается) (?:\w+ )?(?:залогиниться|авторизоваться|войти)|"
    r"\b(?:erro|falha) ao (?:fazer )?login|não (?:consigo|foi possível) (?:fazer )?login|"
    r"\b(?:error|fallo|falla) al (?:iniciar sesión|hacer login)|no (?:puedo|pude) (?:iniciar sesión|hacer login)|"
    r"\b(?:anmeldung|login) (?:\w+ )?fehlgeschlagen|\bfehler beim (?:login|anmelden)|\b(?:échec|erreur) (?:de |lors de )?(?:la )?connexion au registre"
)
# a registry request quoted with no reason after it (`Error response from daemon: Get "https://…/v2/"`): a
# heading or list item that quotes the failure's head
_CUT_REQUEST = LazyRe(
    r"error response from daemon:\s?(?:get|head|post|put)\s\"?https?://[^\s\"`]{1,200}/v[12]/[^\s\"`]{0,200}\"?`?\s?$"
)
# the image, the registry or the container tool the failure is about (a note about git or pip is not ours)
_ABOUT_IMAGES = LazyRe(
    r"镜像|image|イメージ|이미지|registry|仓库|docker|containerd|podman|kubelet|k8s|kubernetes|helm|chart|harbor|"
    # (a file's address is not an image's: a tarball, an archive, a package, a script)
    r"[a-z0-9-]{1,60}(?:\.[a-z0-9-]{1,60}){1,5}(?::\d{1,5})?/[a-z0-9._/-]{1,200}(?![a-z0-9._/-])"
    r"(?<!\.gz)(?<!\.tgz)(?<!\.zip)(?<!\.xz)(?<!\.whl)(?<!\.deb)(?<!\.rpm)(?<!\.jar)(?<!\.sh)(?<!\.py)(?<!\.git)(?::[\w.-]{1,128})?"
)

# ---- a fix that was tried and did not help names nothing ----
_NOT_HELPED = LazyRe(
    r"都不行|也不行|还是不行|仍然不行|依然不行|没用|没有用|不管用|无效|没有效果|不起作用|解决不了|无法解决|"
    r"同样(?:的)?问题|一样的问题|问题依旧|还是一样|依旧|依然|"
    r"\b(?:didn't|did not|doesn't|does not|don't|won't) (?:help|work|fix|solve|change)\b|\bno luck\b|\bto no avail\b|\b(?:with|without) (?:no |any )?success\b|\bstill (?:fails?|failing|the same|no)\b|"
    r"効果がな|解決しな|효과가 없|해결되지"
)

# ---- the fix the author names, and the cause it implies (the earlier, more specific, row wins) ----
_SET = r"(?:配置|设置|设定|加上|添加|加了|增加|使用|用了|通过|走|挂|开启|开了|启用|改成|改为|换成|换了|修改|改|切换|set(?:ting)?|configur(?:e|ed|ing)|add(?:ed|ing)?|us(?:e|ed|ing)|enabl(?:e|ed|ing)|switch(?:ed|ing)? to|chang(?:e|ed|ing)|through|via|設定|使用|설정|사용)"
_DROP = r"(?:删掉|去掉|删除|清除|取消|关闭|关掉|移除|去除|不用|不使用|remov(?:e|ed|ing)|unset(?:ting)?|disabl(?:e|ed|ing)|drop(?:ped|ping)?|削除|無効|제거|삭제)"
_MIRROR = (
    r"(?:镜像加速|加速器|加速地址|容器加速|国内(?:的)?镜像(?:源|站|仓库|地址)?|镜像源|镜像站|registry-mirrors|\bregistry mirrors?\b|\bmirrors?\b|"
    r"[a-z0-9-]{1,40}\.mirror\.aliyuncs\.com|registry\.cn-[a-z0-9-]{1,30}\.aliyuncs\.com|docker\.m\.daocloud\.io|"
    + re.escape("mirror" + PERSONAL_SUFFIX)
    + r"|hub-mirror\.c\.163\.com|docker\.mirrors\.ustc\.edu\.cn|ミラー|미러)"
)
_PROXY = r"(?:代理|\bproxy\b|https?_proxy|プロキシ|프록시)"
# Japanese and Korean put the verb after its object ("プロキシを設定したら解決", "프록시를 설정하니")
_SET_AFTER = r"\S{0,6}(?:を|に|을|를)?\s?(?:設定|変更|追加|経由|使用|使っ|설정|변경|추가|사용)"
_FIXES: tuple[tuple[str, tuple[str, ...], LazyRe], ...] = (
    (
        # the registry's storage directory must belong to its user ("registry的镜像存储目录，需要设置registry用户的
        # 用户及用户组，不然镜像推送失败"): the registry itself fails the push
        "SERVER_ERROR",
        (),
        LazyRe(
            r"(?:存储|storage|数据|data)\S{0,8}(?:目录|directory|dir|folder|volume|卷)?[^。\n]{0,30}(?:权限|permissions?|owner|属主|用户组|chown)|"
            r"chown\b[^\n]{0,60}(?:registry|harbor|/var/lib/registry|/data)"
        ),
    ),
    # a proxy or a mirror removed, and it worked: that proxy's or that mirror's failure
    (
        "PROXY_ERROR",
        (),
        LazyRe(
            r"(?:" + _DROP + r"[^。\n]{0,20}" + _PROXY + r"|把[^。\n]{0,20}" + _PROXY + r"\S{0,4}" + _DROP + r")"
            r"[^\n]{0,80}(?:就好|好了|正常|成功|可以了|解决|works?|worked|fine)"
        ),
    ),
    (
        "SERVER_ERROR",
        ("TCP_TIMEOUT",),
        LazyRe(_DROP + r"[^。\n]{0,20}" + _MIRROR + r"|把[^。\n]{0,20}" + _MIRROR + r"\S{0,4}" + _DROP),
    ),
    # the DNS server changed ("change the DNS server from Automatic to Fixed 8.8.8.8", "nameserver 114.114.114.114")
    (
        "DNS_TIMEOUT",
        ("DNS_NXDOMAIN", "TCP_TIMEOUT"),
        LazyRe(
            _SET
            + r"[^。\n]{0,40}(?:\bdns ?(?:server|服务器|地址|サーバ|서버)|nameserver|8\.8\.8\.8|114\.114\.114\.114|223\.5\.5\.5|1\.1\.1\.1)|"
            r"(?:\bdns\b|nameserver)[^。\n]{0,40}(?:改为|改成|换成|设为|设置为|\bto\b|→)\s?[^。\n]{0,20}\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|"
            r"^\s?nameserver\s\d",
            re.MULTILINE,
        ),
    ),
    # a CA certificate installed or created where the engine reads it
    (
        "TLS_UNTRUSTED",
        (),
        LazyRe(
            r"(?:安装|导入|添加|复制|拷贝|放到|放入|信任|install(?:ed|ing)?|add(?:ed|ing)?|cop(?:y|ied|ying)|import(?:ed|ing)?|trust(?:ed|ing)?|touch)"
            r"[^。\n]{0,40}(?:\bca\b|根证书|证书|certificates?|\.crt\b|\.pem\b|certs\.d)|update-ca-(?:certificates|trust)"
        ),
    ),
    # the registry listed as insecure: it answers plain HTTP (or an untrusted certificate)
    ("HTTP_NOT_HTTPS", ("TLS_UNTRUSTED",), LazyRe(r"insecure-registr|insecure_registr|insecure registr|--insecure\b")),
    # a proxy or a registry mirror set up: the registry itself could not be reached
    (
        "TCP_TIMEOUT",
        ("HTTP_TIMEOUT", "PROXY_ERROR"),
        # (not "使用代理的镜像": images a proxy serves)
        LazyRe(
            _SET
            + r"[^。\n]{0,20}(?:daemon\s?|docker\s?|http\s?)?"
            + _PROXY
            + r"(?!的?镜像)|(?:プロキシ|프록시)"
            + _SET_AFTER
        ),
    ),
    (
        "TCP_TIMEOUT",
        ("HTTP_TIMEOUT",),
        # (not "都提示镜像源不存在": the error names the mirror, no mirror was set up)
        LazyRe(_SET + r"[^。\n]{0,30}" + _MIRROR + r"(?!\S{0,2}(?:不存在|找不到))|(?:ミラー|미러)" + _SET_AFTER),
    ),
    # a route out given to a task that had none ("solved this issue by assigning public ip address", a NAT gateway)
    (
        "TCP_TIMEOUT",
        ("HTTP_TIMEOUT",),
        LazyRe(
            r"\b(?:assign(?:ed|ing)?|enabl(?:e|ed|ing)|add(?:ed|ing)?)\s(?:a\s)?(?:public ip|nat gateway)|分配\S{0,4}公网\s?ip"
        ),
    ),
    # a login or a pull secret the failing program lacked
    (
        "CREDENTIALS_MISSING",
        ("PERMISSION_DENIED",),
        LazyRe(
            r"(?:需要|要|先|得|必须|need to|must|have to|first)\s?(?:先\s?)?(?:docker login|登录|登陆|log ?in)|"
            r"未登录|没(?:有)?登录|没登陆|not logged in|"
            r"(?:add|added|adding|create|created|加上|添加|配置|创建)[^。\n]{0,30}(?:imagepullsecrets?|pull ?secrets?|docker-registry secret)"
        ),
    ),
    # the tag or the name corrected
    (
        "TAG_NOT_FOUND",
        ("REPO_NOT_FOUND",),
        LazyRe(
            r"(?:加上|指定|带上|写上|写明|加|改正|修改|更正)\S{0,4}(?:版本号|版本|tag|标签)|(?:版本|tag|标签)\S{0,4}(?:不对|错了|错误|不存在|写错)|"
            r"dùng đúng[^.\n]{0,20}tag|\b(?:use|used|using|specify|specified|correct(?:ed)?|fix(?:ed)?)\s(?:the\s)?(?:right|correct|proper|existing|valid)\s(?:image\s)?(?:tag|version)\b|"
            r"タグ\S{0,4}(?:を指定|が(?:違|間違)|を修正)|태그[^.\n]{0,6}(?:잘못|지정|수정)"
        ),
    ),
    (
        "REPO_NOT_FOUND",
        ("TAG_NOT_FOUND",),
        LazyRe(
            r"(?:去除|去掉|删掉|删除|改正|修改|更正|写错|拼错)\S{0,4}(?:镜像名|镜像地址|路径|前缀|仓库名|名字|名称|/[a-z0-9._-]{2,60})|"
            r"将\s?/[a-z0-9._/-]{2,60}\s?(?:去除|去掉|删掉|删除)|"
            r"(?:镜像名|镜像地址|仓库名|路径)\S{0,4}(?:不对|错了|错误|写错)|"
            r"\b(?:wrong|incorrect|misspelt|misspelled|typo in the)\s(?:image\s)?(?:name|path|repository|repo)\b"
        ),
    ),
)

# ---- the family a failure told in words names ----
# An HTTP status told in words ("报403错误", "然后会报503", "拉取镜像时出现503", "返回 401", "got a 429"): the status
# names its family as the registry's own answer would (RFC 9110's classes; the labels' bare-status conventions C5/C8:
# 401 no credentials sent, 403 refused, 404 a missing tag, 408 a request timeout, 429 the rate limit, 5xx the server)
_STATUS_WORD = (
    r"(?:报|出现|返回|提示|显示|响应|状态码|错误码|错误|\berror|\bstatus|\bcode|\bhttp|\breturns?|\breturned|\bgot|\bgets|\bgetting|\bwith a|\bwith an|"
    r"\bкод|\bошибк[аиу]|\bcódigo|\berro|\bfehler|\berreur)\s?:?\s?(?:an? |http |状态码|错误|code )?"
)
_STATUS_AFTER = r"(?=\s?(?:$|[^\w]|错误|错|error|forbidden|unauthorized|not found|too many|状态|的))"
_TOLD_STATUS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("CREDENTIALS_MISSING", ("CREDENTIALS_INVALID",), "401"),
    ("PERMISSION_DENIED", ("CREDENTIALS_MISSING",), "403"),
    ("TAG_NOT_FOUND", ("REPO_NOT_FOUND",), "404"),
    ("HTTP_TIMEOUT", ("SERVER_ERROR",), "408"),
    ("RATE_LIMITED", (), "429"),
    ("SERVER_ERROR", ("PROXY_ERROR",), r"5\d\d"),
)
_FAMILIES: tuple[tuple[str, tuple[str, ...], LazyRe], ...] = (
    (
        "CREDENTIALS_MISSING",
        ("PERMISSION_DENIED",),
        LazyRe(r"未登录|没(?:有)?登录|没登陆|\bnot logged in\b|ログインしていない|로그인(?:을)? ?안"),
    ),
    *(
        (
            cause,
            also,
            LazyRe(
                _STATUS_WORD
                + code
                + r"\b"
                + _STATUS_AFTER
                + "|"
                + r"(?<![a-z\d.:/-])"
                + code
                + r"\s?(?:错误|错|error)\b"
            ),
        )
        for cause, also, code in _TOLD_STATUS
    ),
    # the engine's own local fault, told or quoted in words while a pull failed ("无法拉取镜像，报错code:200 operation not
    # supported!", "磁盘空间不足"): the daemon fails the pull in its own store (C2)
    (
        "DAEMON_ERROR",
        (),
        LazyRe(
            r"\boperation not supported\b|\bno space left on device\b|磁盘\S{0,4}(?:空间)?(?:不足|已满|满了)|空间不足"
        ),
    ),
    # the rate limit told in words (Docker Hub's pull limit, "拉取次数限制", "too many requests")
    (
        "RATE_LIMITED",
        (),
        LazyRe(
            r"限流|(?:拉取|下载|pull)?次数\S{0,2}(?:限制|上限)|频率限制|\brate[- ]limit|\btoo many requests\b|\btoomanyrequests\b|\bpull limit\b"
        ),
    ),
    # a connection refused told in words
    (
        "TCP_REFUSED",
        ("TCP_TIMEOUT",),
        LazyRe(
            r"连接被拒绝|拒绝(?:了)?连接|\bconnection refused\b|conexão recusada|conexión rechazada|verbindung abgelehnt|connexion refusée|в соединении отказано|соединение отклонено"
        ),
    ),
    # a connection (not a request) that timed out ("一直提示链接超时", "connection timed out")
    (
        "TCP_TIMEOUT",
        ("HTTP_TIMEOUT",),
        LazyRe(
            r"(?:连接|链接|連線|連接)\s?(?:超时|逾时|逾時)|\bconnection (?:timed out|timeout)\b|\bconnect timeout\b|接続(?:が)?タイムアウト|연결 시간 초과"
        ),
    ),
    # a timeout told with no address is read as the bare `i/o timeout` of a request is (HTTP_TIMEOUT first: three of
    # the four labellers of the two such told timeouts of rounds 9-10); the registry told out of reach is the network's
    (
        "HTTP_TIMEOUT",
        ("TCP_TIMEOUT",),
        LazyRe(
            r"超时|timeout|times? out|timed out|タイムアウト|시간 ?초과|卡住|卡在|一直卡|\bhangs?\b|\bis stuck\b|"
            # a layer that waits for ever ("永远都是waitting", "无限等待", "Pull Images is always waitting", "一直处于wait状态")
            # a pull told failing, slow and retried ("速度很慢，拉不下来镜像，反复重试")
            r"速度\S{0,2}慢|反复重试|一直(?:在)?重试|不停\S{0,1}重试|\bkeeps? retrying\b|"
            r"(?:一直|永远|总是)\S{0,4}\s?(?:waitt?ing|等待)|(?:一直|总是)(?:处于|是|在)\s?wait|无限等待|\b(?:always|forever) waitt?ing\b|\bwaitt?ing (?:forever|indefinitely)\b|"
            r"тайм-?аут|превышено время ожидания|tempo (?:limite )?esgotado|tiempo de espera|zeitüberschreitung|délai d'attente"
        ),
    ),
    (
        "TCP_TIMEOUT",
        ("HTTP_TIMEOUT",),
        LazyRe(
            r"(?:不能|无法|没法)访问外网|外网\S{0,8}(?:访问)?不通|访问不通|网络不通|被墙|\bgfw\b|"
            r"无法访问\s?(?:docker ?hub|hub\.docker|gcr|k8s\.gcr|registry)"
        ),
    ),
    # a plain-HTTP registry the client turned to HTTPS ("私有库http模式的push不了镜像，会自己将http转成https")
    (
        "HTTP_NOT_HTTPS",
        ("TLS_UNTRUSTED",),
        LazyRe(
            r"(?<![a-z])http\s?(?:转成|转为|转换成|变成|改成|换成|跳转到|->|→|to)\s?https(?![a-z])|(?<![a-z/])http\s?(?:模式|协议)|只(?:用|能用|支持)\s?http(?![a-z])|"
            r"\b(?:switch(?:es|ed)?|tries|try|trying|forces?|forced) (?:to )?https\b"
        ),
    ),
    (
        "TLS_UNTRUSTED",
        (),
        LazyRe(
            r"证书|x509|certificate|証明書|인증서|(?<![a-z])ssl(?![a-z])|сертификат|certificado|zertifikat|certificat"
        ),
    ),
    # a reference the client refused ("提示格式错误": docker's `invalid reference format`)
    (
        "NAME_INVALID",
        (),
        LazyRe(r"格式错误|格式不对|格式不正确|invalid reference format|\binvalid (?:image )?(?:name|format)\b"),
    ),
    # the credentials refused ("授权验证一直不能通过", "密码都对的", "incorrect password"): a login that fails (C6)
    (
        "CREDENTIALS_INVALID",
        ("CREDENTIALS_MISSING",),
        LazyRe(
            r"(?:授权|认证|鉴权)\S{0,6}(?:失败|不通过|不能通过|无法通过|通不过)|(?:登入|登录|登陆)不进去|密码\S{0,3}(?:错误|不对|都对|正确)|用户名或密码|"
            r"\b(?:incorrect|invalid|wrong) (?:username or )?password\b|\binvalid credentials\b|"
            r"неверн\w{0,3} (?:пароль|логин)|senha (?:incorreta|inválida|errada)|contraseña (?:incorrecta|inválida)|falsches passwort|mot de passe incorrect"
        ),
    ),
    (
        "PERMISSION_DENIED",
        ("CREDENTIALS_MISSING",),
        LazyRe(
            r"权限|permission|権限|권한|\bforbidden\b|доступ запрещ|нет доступа|acesso negado|permissão negada|acceso denegado|permiso denegado|zugriff verweigert|keine berechtigung|accès refusé"
        ),
    ),
    # an image (a repository) not found, told as such ("镜像源不存在", "一直找不到image"); a version or a tag not found
    # stays the tag's (C8)
    (
        "REPO_NOT_FOUND",
        ("TAG_NOT_FOUND",),
        LazyRe(
            r"(?:镜像|镜像源|仓库|image)\S{0,3}(?:不存在|找不到)|找不到\s?(?:该|这个)?\s?(?:镜像|image)(?!\s?(?:版本|tag|标签))"
        ),
    ),
    (
        "TAG_NOT_FOUND",
        ("REPO_NOT_FOUND",),
        LazyRe(
            # (+ a version the author says is not released yet: the tag is not published)
            r"\bnot (?:yet )?(?:been )?(?:released|published)(?: yet)?\b|尚未发布|还没(?:有)?发布|"
            r"找不到|不存在|\bnot found\b|見つから|찾을 수 없|존재하지|не найден|não (?:foi )?encontrad|não existe|no (?:se )?encontr|no existe|nicht gefunden|existiert nicht|introuvable|n'existe pas"
        ),
    ),
)

_LETTER = LazyRe(r"[^\W\d_]")  # a letter of any script
_ASKED = LazyRe(r"[?？]\s?$|吗|\bshould i\b|\bdo i need\b")
_SENTENCE = LazyRe(r"[^。！？!?\n]{1,1000}(?:[。！？!?]|$)|[^。！？!?\n]{1000}", re.MULTILINE)
_SENTENCE_STOP = LazyRe(r"(?<=\.)\s")


def own_lines(lines: list[str], fenced: frozenset[int]) -> list[tuple[int, str]]:
    """The author's lines (index, lower-cased): outside code fences, those that read as prose or are written in Han,
    kana, Hangul or Vietnamese; inside a fence, its comments in the author's words."""
    out = []
    for i, line in enumerate(lines):
        if _LETTER.search(line) is None:
            continue  # (no word in any script: neither prose nor a comment nor a command; a fast pass over output)
        if i in fenced and _FIX_COMMAND.search(line.lower()):
            pass  # the author's own act
        elif i in fenced:
            m = _COMMENT.match(line)
            if m is not None:
                line = line[m.end() :]
            if not ((m is not None and is_prose(line)) or (is_prose(line) and _OWN_SCRIPT.search(line))):
                continue
        elif not (is_prose(_MARKUP.sub(" ", line)) or _OWN_SCRIPT.search(line) or _CUT_REQUEST.search(line.lower())):
            continue
        out.append((i, line.lower()))
    return out


def about_images(text: str) -> bool:
    """Whether `text` (lower-cased) names an image, a registry or a container tool."""
    return _ABOUT_IMAGES.search(text) is not None


def told_failure(line: str, about: bool = False) -> str | None:
    """The registry operation that a line of the author's words tells failed ("pull", "push", "login"), or None: the
    line must also name an image, a registry or a container tool, unless the rest of the text does (`about`:
    "注意要加上版本号不然拉不下来" under a `docker pull`)."""
    if _LETTER.search(line) is None:
        return None  # (every wording below is words: a line of symbols is none, and costs one search, not four)
    low = line.lower()
    if _CUT_REQUEST.search(low):
        return "pull"
    for op, rx in (("push", _FAILED_PUSH), ("login", _FAILED_LOGIN), ("pull", _FAILED_PULL)):
        if rx.search(low) and (about or _ABOUT_IMAGES.search(low)):
            return op
    return None


def _sentences(text: str) -> list[str]:
    return [s for part in _SENTENCE.rx.findall(text) for s in _SENTENCE_STOP.rx.split(part) if s.strip()]


def fix_cause(text: str) -> tuple[str, tuple[str, ...]] | None:
    """The cause the fix that `text` (the author's words, lower-cased) names implies, with its alternatives; None when
    it names none, or only a fix it says did not help."""
    for sentence in _sentences(text):
        if _NOT_HELPED.search(sentence) or _ASKED.search(sentence):
            continue  # a fix that did not help, or one the author asks about ("配置了代理吗？"), names nothing
        for cause, also, rx in _FIXES:
            if rx.search(sentence):
                return cause, also
    return None


def told_family(sentence: str) -> tuple[str, tuple[str, ...]] | None:
    """The family a failure told in words names ("拉取镜像 timeout": a timeout; "由于权限问题无法拉取": a permission
    refused), with its alternatives; None when it names none. A family the sentence denies ("不是证书的问题", "it is not
    a certificate issue") it does not name."""
    low = sentence.lower()
    if _DENIED.search(low):
        low = _DENIED.sub(" ", low)
    for cause, also, rx in _FAMILIES:
        if rx.search(low):
            return cause, also
    return None


def denied_spans(line: str) -> list[tuple[int, int]]:
    """The (start, end) spans of `line` in which the author denies a family ("no error 404 or anything", "it's not a
    403 or auth problem", "不是证书的问题"), in order and not overlapping; none when lower-casing changes the line's
    length (the spans would not be the line's)."""
    low = line.lower()
    if len(low) != len(line):
        return []
    return [m.span() for m in _DENIED.rx.finditer(low)]


# A family the author denies: "不是/并非 … 问题" (not "是不是 … 问题", which asks), "不存在/没有 … 问题" with no 的 between
# ("不存在网络问题"; "镜像不存在的问题" and "没有权限的问题" tell the failure), "not a … issue/problem"; in English up to
# five words between: "it's not a certificate or TLS issue", "doesn't seem to be a DNS problem", "there is no DNS
# problem", "…, no error 404 or anything". A word that starts another clause or names a docker message of its own ("not
# pull because of a TLS issue", "no such host error", "no space left on device error") ends the denial. Each word has
# no blank and no more than 30 characters, and at most five: linear on any line.
_DENIED_WORD = (
    r"(?!(?:because|due|since|of|to|from|with|for|after|before|when|while|but|so|by|on|in|at|is|was|are|were|it|its|"
    r"this|that|there|which|what|i|we|you|they|if|as|than|then|such|space|route|left|match|matching|healthy|basic|"
    r"credentials|available|pull|push|login|work|"
    r"works|working)\b)[\w./-]{1,30},?\s"
)
_DENIED_EN_END = r"(?:related\s)?(?:issues?|problems?|errors?)\b(?:\s(?:code\s)?\d{3}\b)?"
_DENIED = LazyRe(
    r"(?<!是)(?:不是|并非|并不是)[^，,。；;！!？?\n]{0,12}?问题|(?:不存在|没有)[^的，,。；;！!？?\n]{1,12}?问题|"
    r"\b(?:not|isn't|wasn't)\s(?:an?\s|the\s)?[\w./-]{1,30}\s(?:issue|problem)\b|"
    r"\b(?:(?:not|isn[’']t|wasn[’']t|aren[’']t|weren[’']t)\s(?:really\s|just\s|even\s)?|"
    r"don[’']t think (?:it[’']s|it is|this is|that[’']s)\s|doesn[’']t (?:seem to be|look like)\s)"
    r"(?:an?|the|any)\s(?:" + _DENIED_WORD + r"){1,5}" + _DENIED_EN_END + "|"
    r"(?:^|[,;:.(]\s?|\bthere(?:[’']s|\sis|\swas|\sare|\swere)\s|\b(?:and|but|also|definitely|certainly|clearly|"
    r"had|have|has|see|saw|get|gets|got|getting|with)\s)no\s(?:" + _DENIED_WORD + r"){0,5}" + _DENIED_EN_END
)
_REGISTRY_VERB = LazyRe(r"拉取|拉去|拉不|\bpull|推送|推不|\bpush|登录|登陆|\blog ?in\b|プル|풀|푸시")
_NEXT = 2  # lines right below the told failure, which go on telling it
_NEAR = 8  # lines after the told failure in which the author says what it showed
# a line that reports what the failure showed ("提示：timeout", "报错 403", "it says connection refused"); negated
# ("不存在空间不够问题", "网络连接没问题") or asked ("是证书问题吗") it reports nothing
_SHOWN = LazyRe(
    r"提示|报错|报了|会报|显示|出现|返回|错误信息|\berror\b|\bsays\b|\bshows\b|\bsaid\b|\bgives\b|\bgot\b|"
    r"ошибк|\bdiz\b|\bmostra\b|\bdice\b|\bmuestra\b|\bmeldet\b|\bzeigt\b|\bindique\b|\baffiche\b"
)
_SHOWN_NOT = LazyRe(r"不存在\S{0,12}问题|没(?:有)?问题|正常|吗|[?？]|\bno (?:error|problem)|\bnot (?:a|the) ")


def _shown_family(line: str, after: int) -> tuple[str, tuple[str, ...]] | None:
    """The family of the message a line of the author's words, `after` lines below the told failure, says the failure
    showed ("提示：timeout"; right below it no marker is needed: "Tried multiple times, but there is some timeout"), or
    None: negated, asked or a fix that did not help, it shows nothing."""
    if (after > _NEXT and _SHOWN.search(line) is None) or _SHOWN_NOT.search(line) or _NOT_HELPED.search(line):
        return None
    return told_family(line)


def told_cause(lines: list[str], fenced: frozenset[int]) -> tuple[str, list[str], int, str] | None:
    """For a text whose output names no cause: (cause, alternatives, index of the line that tells the failure, the
    operation) read from the author's words, or None. The failure must be told (`told_failure`); the cause is the
    fix's (`fix_cause`), else the family the failure's line names (`told_family`), else none."""
    own = own_lines(lines, fenced)
    about = about_images("\n".join(lines).lower())
    failed = next(((i, op) for i, line in own if (op := told_failure(line, about))), None)
    if failed is None:  # an output line that tells a failed pull in words no wording reads ("unable to pull secrets
        # or registry auth")
        failed = next(((i, op) for i, line in enumerate(lines) if (op := told_failure(line))), None)
    if failed is None:
        return None
    idx, op = failed
    # the fix, else the family the failure's line names, else the title's ("image not found" over "docker pull 不下来")
    title = lines[0] if 0 not in fenced else ""
    found = (
        fix_cause("\n".join(line for _i, line in own))
        or next((f for i, line in own if i >= idx and told_failure(line, about) and (f := told_family(line))), None)
        or told_family(title)
        # the message the author says the failure showed, a few lines on ("提示：timeout", "然后会报503")
        or (
            _REGISTRY_VERB.search(lines[idx].lower()) is not None or about_images(lines[idx].lower())
        )  # (a file's download that showed a 404 is not a registry's)
        and next((f for i, line in own if idx < i <= idx + _NEAR and (f := _shown_family(line, i - idx))), None)
    )
    if found is None:
        return None
    cause, also = found
    return cause, list(also), idx, op


# readings the fix may refine: a symptom with no reason printed, and a timeout that names no address
_SYMPTOM_TIER = 1
_BARE_TIMEOUT = LazyRe(
    r"^(?:[\w .-]{0,40}:\s?)?(?:error response from daemon:\s?)?(?:net/http:\s?)?i/o timeout\W{0,3}$"
)
_NETWORK_FIXES = frozenset({"DNS_TIMEOUT", "TCP_TIMEOUT", "PROXY_ERROR"})


def refine(
    cause: str, pattern: dict[str, Any], line: str, lines: list[str], fenced: frozenset[int]
) -> tuple[str, tuple[str, ...]] | None:
    """The cause the author's fix or told failure gives a weak reading (C4b): a symptom (a wording of tier 1:
    `ErrImagePull`, no reason printed) or a backoff frame (no wording, only the line's shape) takes any fix's cause,
    else the family the author's failure names; a bare `i/o timeout` (no address, no request) a network fix's. None
    when the reading stays."""
    symptom = pattern["tier"] <= _SYMPTOM_TIER or str(pattern["id"]).startswith("backoff-") or "backoff" in pattern
    bare = _BARE_TIMEOUT.search(line.lower().strip()) is not None
    if not (symptom or bare):
        return None
    own = own_lines(lines, fenced)
    found = fix_cause("\n".join(text for _i, text in own))
    if found is None and symptom:
        about = about_images("\n".join(lines).lower())
        found = next((f for _i, text in own if told_failure(text, about) and (f := told_family(text))), None)
    if found is None or found[0] == cause or (bare and found[0] not in _NETWORK_FIXES):
        return None
    return found
