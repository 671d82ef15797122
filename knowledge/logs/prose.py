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
    r"(?:无法|不能|没法|没办法)\S{0,10}(?:拉取|拉去|拉|下载|pull)|镜像\S{0,6}(?:拉取|下载)\S{0,4}(?:失败|不了|不下来)|"
    # stuck on an image, or an image that times out ("一直卡在下载镜像", "安装基础镜像一直超时")
    r"卡(?:在|住)\S{0,6}(?:下载|拉取|pull)|镜像\S{0,6}(?:一直)?(?:超时|卡住)|"
    # a failure named by its error ("镜像复制x509错误", "提示格式错误")
    r"(?:x509|证书|certificate)\s?(?:错误|报错|问题|error)|"
    r"(?:pull|プル)\S{0,4}(?:できない|できません|に失敗|が失敗|出来ない)|(?:イメージ|image)\S{0,6}(?:取得|ダウンロード)(?:でき|に失敗)|"
    r"(?:pull|풀|이미지)[^.\n]{0,12}(?:실패|안 ?됨|안 ?돼|못 ?(?:받|가져)|할 수 없)|"
    r"không (?:thể )?(?:pull|kéo|tải)|"
    r"\b(?:can't|cannot|can not|couldn't|could not|unable to|fails? to|failed to|won't)\s(?:\w+\s)?(?:pull|download|fetch)\b|"
    r"\b(?:image )?(?:pull|download)(?:ing|s)?\s(?:\w+\s)?(?:fails?|failed|failing|times? out|timed out|hangs?|is stuck)\b|"
    r"\bpull(?:ing)? images? is (?:always )?waitt?ing\b|"
    r"\berrimagepull\b|\bimagepullbackoff\b|\bfailed to pull image\b"
)
_FAILED_PUSH = LazyRe(
    r"推送\S{0,4}(?:失败|报错|出错|超时|不上去|不了)|推不(?:上去|了)|(?:无法|不能|没法)\S{0,6}(?:推送|push)|push\S{0,4}(?:失败|不上去|不了)|"
    r"(?:push|プッシュ)\S{0,4}(?:できない|できません|に失敗)|(?:push|푸시)[^.\n]{0,12}(?:실패|안 ?됨|할 수 없)|"
    r"\b(?:can't|cannot|can not|couldn't|could not|unable to|fails? to|failed to)\s(?:\w+\s)?push\b|"
    r"\bpush(?:ing|es)?\s(?:\w+\s)?(?:fails?|failed|failing|times? out|timed out)\b"
)
_FAILED_LOGIN = LazyRe(
    r"(?:登录|登陆|login)\s?\S{0,4}(?:失败|报错|不上|不了)|(?:无法|不能)\S{0,4}(?:登录|登陆|login)|"
    r"ログイン(?:でき(?:ない|ません)|に失敗)|로그인[^.\n]{0,8}(?:실패|안 ?됨)|"
    r"\b(?:can't|cannot|can not|couldn't|could not|unable to|fails? to|failed to)\s(?:docker\s)?log ?in\b|\blogin fail(?:s|ed|ing)?\b"
)
# a registry request quoted with no reason after it (`Error response from daemon: Get "https://…/v2/"`): a
# heading or list item that quotes the failure's head
_CUT_REQUEST = LazyRe(
    r"error response from daemon:\s?(?:get|head|post|put)\s\"?https?://[^\s\"`]{1,200}/v[12]/[^\s\"`]{0,200}\"?`?\s?$"
)
# the image, the registry or the container tool the failure is about (a note about git or pip is not ours)
_ABOUT_IMAGES = LazyRe(
    r"镜像|image|イメージ|이미지|registry|仓库|docker|containerd|podman|kubelet|k8s|kubernetes|helm|chart|harbor|"
    r"[a-z0-9-]{1,60}(?:\.[a-z0-9-]{1,60}){1,5}(?::\d{1,5})?/[a-z0-9._/-]{1,200}(?::[\w.-]{1,128})?"
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
    ("TCP_TIMEOUT", ("HTTP_TIMEOUT",), LazyRe(_SET + r"[^。\n]{0,30}" + _MIRROR + "|(?:ミラー|미러)" + _SET_AFTER)),
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
_FAMILIES: tuple[tuple[str, tuple[str, ...], LazyRe], ...] = (
    (
        "CREDENTIALS_MISSING",
        ("PERMISSION_DENIED",),
        LazyRe(r"未登录|没(?:有)?登录|没登陆|\bnot logged in\b|ログインしていない|로그인(?:을)? ?안"),
    ),
    # a timeout told with no address is read as the bare `i/o timeout` of a request is (HTTP_TIMEOUT first: three of
    # the four labellers of the two such told timeouts of rounds 9-10); the registry told out of reach is the network's
    (
        "HTTP_TIMEOUT",
        ("TCP_TIMEOUT",),
        LazyRe(
            r"超时|timeout|times? out|timed out|タイムアウト|시간 ?초과|卡住|卡在|一直卡|\bhangs?\b|\bis stuck\b|"
            # a layer that waits for ever ("永远都是waitting", "无限等待", "Pull Images is always waitting")
            r"(?:一直|永远|总是)\S{0,4}\s?(?:waitt?ing|等待)|无限等待|\b(?:always|forever) waitt?ing\b|\bwaitt?ing (?:forever|indefinitely)\b"
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
    ("TLS_UNTRUSTED", (), LazyRe(r"证书|x509|certificate|証明書|인증서")),
    # a reference the client refused ("提示格式错误": docker's `invalid reference format`)
    (
        "NAME_INVALID",
        (),
        LazyRe(r"格式错误|格式不对|格式不正确|invalid reference format|\binvalid (?:image )?(?:name|format)\b"),
    ),
    ("PERMISSION_DENIED", ("CREDENTIALS_MISSING",), LazyRe(r"权限|permission|権限|권한")),
    ("TAG_NOT_FOUND", ("REPO_NOT_FOUND",), LazyRe(r"找不到|不存在|\bnot found\b|見つから|찾을 수 없|존재하지")),
)

_ASKED = LazyRe(r"[?？]\s?$|吗|\bshould i\b|\bdo i need\b")
_SENTENCE = LazyRe(r"[^。！？!?\n]{1,1000}(?:[。！？!?]|$)|[^。！？!?\n]{1000}", re.MULTILINE)
_SENTENCE_STOP = LazyRe(r"(?<=\.)\s")


def own_lines(lines: list[str], fenced: frozenset[int]) -> list[tuple[int, str]]:
    """The author's lines (index, lower-cased): outside code fences, those that read as prose or are written in Han,
    kana, Hangul or Vietnamese; inside a fence, its comments in the author's words."""
    out = []
    for i, line in enumerate(lines):
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
    refused), with its alternatives; None when it names none."""
    low = sentence.lower()
    for cause, also, rx in _FAMILIES:
        if rx.search(low):
            return cause, also
    return None


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
