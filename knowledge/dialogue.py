"""What kind of message this is, beyond the FAQ match: small talk, another vendor's registry, and why a question
the FAQ does not answer is refused (the `refusal` field of `ask()`, docs/ARCHITECTURE.md).

Cheap on purpose: a few regular expressions compiled on first use, no data files.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .vendors import VENDOR_HOSTS

if TYPE_CHECKING:
    from .results import LogCause, Refusal


class LazyRe:
    """A regular expression compiled on first use: `tcr-doctor ask` starts in a fresh process every time, and most
    messages never reach most expressions."""

    __slots__ = ("_src", "_flags", "_rx")

    def __init__(self, src: str, flags: int = 0) -> None:
        self._src, self._flags = src, flags
        self._rx: re.Pattern[str] | None = None

    @property
    def rx(self) -> re.Pattern[str]:
        """The compiled expression (compiled now if it was not yet)."""
        if self._rx is None:
            self._rx = re.compile(self._src, self._flags)
        return self._rx

    def search(self, string: str) -> re.Match[str] | None:
        """`re.Pattern.search`."""
        return self.rx.search(string)

    def match(self, string: str) -> re.Match[str] | None:
        """`re.Pattern.match`."""
        return self.rx.match(string)

    def fullmatch(self, string: str) -> re.Match[str] | None:
        """`re.Pattern.fullmatch`."""
        return self.rx.fullmatch(string)

    def finditer(self, string: str) -> Iterator[re.Match[str]]:
        """`re.Pattern.finditer`."""
        return self.rx.finditer(string)

    def findall(self, string: str) -> list[Any]:
        """`re.Pattern.findall`."""
        return self.rx.findall(string)

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0) -> str:
        """`re.Pattern.sub`."""
        return self.rx.sub(repl, string, count)


# `.text` is imported inside the functions that need it, not here: knowledge.logs imports this module (LazyRe,
# names_tcr) and knowledge.text costs ~55 ms (python -X importtime: tomllib, unicodedata, its tables), which a
# `tcr-doctor explain` of a paste that names no registry never needs.
SMALLTALK_KINDS = ("greeting", "thanks", "identity")
REFUSAL_KINDS = ("smalltalk", "other_registry", "documentation", "troubleshooting")

# Small-talk phrases by kind (normalised, lower-case text). A message is small talk when nothing but these phrases,
# fillers, mentions and punctuation is left: "hi, docker login fails" is a question with a greeting in front.
_SMALLTALK = {
    "identity": [
        r"are (?:you|u) (?:a |an )?(?:bot|robot|human|real(?: person| human)?|person|ai|machine|chat ?gpt|gpt|llm)",
        r"(?:is this|am i talking to|am i chatting with|talking to) (?:a |an )?(?:bot|robot|human|real person|person|ai)",
        r"who (?:are|r) (?:you|u)",
        r"what (?:are|r) (?:you|u)",
        r"what can (?:you|u) do",
        r"你是(?:不是)?(?:机器人|人工智能|ai|真人|人|谁|什么)(?:吗|嘛|么)?",
        r"(?:是|是不是)(?:机器人|真人|人工|ai)(?:吗|嘛|么)?",
        r"(?:机器人|真人|人工)(?:吗|嘛|么)",
        r"你(?:能|会|可以)(?:做|干)(?:什么|啥)",
    ],
    "thanks": [
        r"(?:thanks?|thx|thnx|tks|ty|tysm|cheers|appreciate(?:d| it)?)(?: (?:you|u|a lot|so much|very much|a ton|again|mate|man|bro))*",
        r"(?:that|this|it)(?:'s| is| has been)? (?:fixed|solved|resolved|helped|worked|works|did the trick)(?: it| now| the problem| the issue| for me)*",
        r"(?:works|working|worked|solved|fixed|resolved) now",
        r"(?:problem|issue) (?:is )?(?:solved|fixed|resolved|gone)",
        r"(?:got it|all good|perfect|awesome|great|nice|cool|ok|okay|understood|makes sense|bye|goodbye|see you)",
        r"(?:谢谢|多谢|感谢|谢啦|谢了|thx|辛苦了?|好的|好滴|明白了?|懂了|知道了|了解了?|收到|ok了?|可以了|好了|行了|没问题了|拜拜|再见)",
        r"(?:问题)?(?:已经)?(?:解决|搞定|修好|弄好|处理好)了?",
        r"(?:成功|能用|正常|跑通)了",
        "[\U0001f44d\U0001f64f\U0001f44c\u2705\U0001f389\u2764\U0001f4af\U0001f60a\U0001f642\U0001f600\U0001f604\U0001f64c\U0001f44f]+",  # 👍🙏👌✅🎉❤💯😊🙂😀😄🙌👏
    ],
    "greeting": [
        r"(?:hi|hello|hey|hiya|yo|howdy|greetings|good (?:morning|afternoon|evening|day))(?: there| all| everyone| team| bot| guys| folks)*",
        r"(?:anyone|anybody|someone|somebody) (?:there|here|around|online|available)",
        r"(?:are )?(?:you|u) (?:there|around|online|available)",
        r"how are (?:you|u)(?: doing)?",
        r"(?:你好|您好|嗨|哈喽|哈啰|早上好|下午好|晚上好|早安|早|在吗|在不在|在么|在嘛|有人吗|有人在吗|有人么|大家好|请问有人吗)",
        "\U0001f44b+",  # 👋
    ],
}
# Words that carry no request on their own ("hi there, thanks a lot!", "你好呀", "<@U0123> hello").
_FILLER = (
    r"<@[a-z0-9]+>|@?tcr[- ]?doctor|@\S+|\b(?:so|very|much|really|again|please|pls|a lot|just|oh|ah|wow|and|man|"
    r"mate|bro|sir|guys|folks|team|bot|the|for|your|help|you|u|all|ok|okay|yes|yeah|yep|great|nice|cool|"
    r"now|it|its|that|this|is|was)\b|[啊呀呢吧哈嗯哦噢喔嘛吗么了的哇啦呐哟～~]|这个|那个|一下|非常|十分|太|真的?|"
    r"大佬|老师|同学|小助手|助手|机器人|兄弟|亲"
)


@functools.cache
def _smalltalk_res() -> tuple[list[tuple[str, re.Pattern[str]]], re.Pattern[str], re.Pattern[str]]:
    phrase = []
    for kind, pats in _SMALLTALK.items():
        for p in pats:
            # Latin phrases on word boundaries; Chinese ones anywhere.
            phrase.append((kind, re.compile(rf"(?<![a-z0-9])(?:{p})(?![a-z0-9])")))
    return phrase, re.compile(_FILLER), re.compile(r"[\w\u3400-\u9fff]")


MAX_SMALLTALK_CHARS = 80  # a longer message is never small talk alone
# Every small-talk phrase holds one of these (a plain substring test before any expression is compiled).
_SMALLTALK_WORDS = (
    "hi",
    "hello",
    "hey",
    "yo",
    "howdy",
    "greeting",
    "good ",
    "anyone",
    "anybody",
    "someone",
    "somebody",
    "there",
    "around",
    "online",
    "available",
    "how are",
    "thank",
    "thx",
    "thnx",
    "tks",
    "ty",
    "cheers",
    "appreciat",
    "fixed",
    "solved",
    "resolved",
    "helped",
    "worked",
    "works",
    "working",
    "did the trick",
    "gone",
    "got it",
    "all good",
    "perfect",
    "awesome",
    "great",
    "nice",
    "cool",
    "ok",
    "understood",
    "makes sense",
    "bye",
    "see you",
    "bot",
    "human",
    "person",
    "ai",
    "gpt",
    "llm",
    "machine",
    "who ",
    "what ",
    "你",
    "您",
    "嗨",
    "哈",
    "早",
    "在",
    "有人",
    "大家",
    "谢",
    "感",
    "辛苦",
    "好",
    "明白",
    "懂",
    "知道",
    "了解",
    "收到",
    "可以",
    "行了",
    "没问题",
    "拜",
    "再见",
    "解决",
    "搞定",
    "修好",
    "弄好",
    "处理好",
    "成功",
    "能用",
    "正常",
    "跑通",
    "机器人",
    "真人",
    "人工",
    # emoji that say thanks / hello on their own (a thumbs-up after an answer)
    *"\U0001f44d\U0001f64f\U0001f44c\u2705\U0001f389\u2764\U0001f4af\U0001f60a\U0001f642\U0001f600\U0001f604\U0001f64c\U0001f44f\U0001f44b",
)


def smalltalk(text: str) -> str | None:
    """ "greeting", "thanks" or "identity" when `text` is only small talk (hi / 你好 / 在吗, thanks / that fixed it /
    谢谢, are you a bot? / 你是机器人吗), else None. A greeting in front of a question is not small talk."""
    from .text import normalize

    t = normalize(text).strip()
    if not t or len(t) > MAX_SMALLTALK_CHARS or not any(w in t for w in _SMALLTALK_WORDS):
        return None
    phrases, filler, wordy = _smalltalk_res()
    found: list[tuple[int, str]] = []
    for kind, rx in phrases:
        for m in rx.finditer(t):
            if m.end() > m.start():
                found.append((m.start(), kind))
        t = rx.sub(" ", t)
    if not found:
        return None
    rest = filler.sub(" ", t)
    if wordy.search(rest):
        return None
    kinds = {k for _, k in found}
    # The most specific intent wins: a question about the bot, then thanks (also "ok thanks, bye"), then hello.
    for kind in ("identity", "thanks", "greeting"):
        if kind in kinds:
            return kind
    return None


# ---------------------------------------------------------------- other vendors' registries

# Vendors named in prose (normalised lower-case text; Latin on word boundaries).
VENDOR_WORDS = (
    (r"docker ?hub|hub\.docker\.com", "Docker Hub"),
    (r"ghcr|github container registry|github packages", "GitHub Container Registry"),
    (r"quay(?:\.io)?", "Quay"),
    (r"google container registry|gcr|google artifact registry|artifact registry", "Google Artifact Registry"),
    (r"amazon ecr|aws ecr|ecr", "Amazon ECR"),
    (r"azure container registry|azure acr|az acr", "Azure Container Registry"),  # `az acr login`: Azure's CLI
    (r"aliyun acr|阿里云(?:的)?(?:容器)?镜像(?:服务|仓库)?|阿里云\s*acr|aliyun|阿里云", "Aliyun ACR"),
    (r"huawei ?cloud swr|华为云(?:的)?(?:容器)?镜像(?:服务|仓库)?|华为云\s*swr|华为云|swr", "Huawei Cloud SWR"),
    (r"harbou?r", "Harbor"),  # "harbour": the British spelling users type for it
    (r"gitlab(?: container)? registry", "GitLab Container Registry"),
    (r"jfrog|artifactory", "JFrog Artifactory"),
    (r"nexus", "Nexus"),
    (r"火山引擎|volcengine", "Volcengine CR"),
    (r"daocloud", "DaoCloud"),
    # colloquial Chinese names (a pattern is either Latin, matched on word boundaries, or Chinese, matched anywhere)
    (r"阿里", "Aliyun ACR"),
    (r"华为", "Huawei Cloud SWR"),
    (r"谷歌", "Google Artifact Registry"),
    (r"亚马逊", "Amazon ECR"),
    (r"微软云", "Azure Container Registry"),
)
# TCR named: its hosts, its names, its product words. "企业版" alone is not TCR (Aliyun ACR has one too), nor is
# TKE (TKEStack's self-hosted registry.tke.com).
_TCR_RE = r"tencentcloudcr|tencentyun|\btcr\b|\bccr\b|tencent|腾讯|容器镜像服务|qcloud|coding\.net|\bcoding\b"
_HOST_IN_TEXT = LazyRe(
    r"(?<![a-z0-9.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,24}))(?::[0-9]{1,5})?(?=[/\s:\"'`,;)\]]|$)"
)


@functools.cache
def _vendor_res() -> tuple[re.Pattern[str], list[tuple[re.Pattern[str], str]]]:
    words = [(re.compile(rf"(?<![a-z0-9])(?:{p})(?![a-z0-9])" if p.isascii() else p), name) for p, name in VENDOR_WORDS]
    return re.compile(_TCR_RE), words


def names_tcr(text: str) -> bool:
    """Whether `text` names TCR: a TCR host, TCR / CCR / Tencent / 腾讯 / 容器镜像服务 / CODING (TKE alone is not:
    TKEStack ships its own registry)."""
    from .text import normalize

    return bool(_vendor_res()[0].search(normalize(text)))


def vendor_of_host(host: str) -> str | None:
    """The vendor whose registry `host` is ("Docker Hub" for registry-1.docker.io), None for TCR or an unknown host."""
    host = host.lower().split(":")[0]
    for suffix, name in VENDOR_HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return name
    return None


def other_vendor(text: str, log: LogCause | None = None) -> str | None:
    """The other vendor's registry a message is about when it does not name TCR, else None.

    Taken from the registry host of a pasted log first (the `host` of `log`), then the hosts in the text, then a
    vendor named in prose (Docker Hub, Harbor, 阿里云 ...). A message that names TCR anywhere is about TCR.
    """
    from .text import normalize

    t = _without_other_bases(normalize(text), log)
    tcr, _ = _vendor_res()
    if tcr.search(t):
        return None
    return _vendor_in(t, log, self_hosted=SELF_HOSTED)


def named_vendor(text: str, log: LogCause | None = None) -> str | None:
    """The other vendor's registry a message names, whether or not it names TCR too ("migrate from ECR to TCR"):
    a known vendor's host or name, as other_vendor() reads them; where TCR is named, an unknown registry host is
    not taken for a self-hosted registry (it may be the TCR one)."""
    return next(iter(_named_vendors(text, log)), None)


def named_vendors(text: str, log: LogCause | None = None) -> list[str]:
    """Every other vendor's registry a message names (named_vendor's reading, not only the first): a topic about
    one vendor (Harbor) is for a message that names that one, not another (Docker Hub)."""
    return list(dict.fromkeys(_named_vendors(text, log)))


def _named_vendors(text: str, log: LogCause | None) -> Iterator[str]:
    from .text import normalize

    t = _without_other_bases(normalize(text), log)
    tcr, _ = _vendor_res()
    return _vendors_in(t, log, self_hosted=SELF_HOSTED and not tcr.search(t))


def _failing_host(t: str, log: LogCause | None) -> str | None:
    """The registry host of the pasted log `log` when the normalised text `t` names it: the host written in the paste,
    or Docker Hub for an image the paste names without a registry ("pull access denied for minio", "docker pull
    gemfield/homepod:2.0": distribution normalises both onto docker.io); never a docker.io implied by a paste that
    names no image at all."""
    if not log or not log.get("host"):
        return None
    written = str(log.get("image_as_written") or "").lower()
    first = written.split("/")[0]
    hub_named = (
        bool(written)
        and ("/" not in written or not ("." in first or ":" in first or first == "localhost"))
        and written in t
        # a bare word is an image only where the error names it ("docker push say ..." is prose)
        and (log.get("pattern") == "pull-access-denied" or any(c in written for c in "/:@"))
    )
    return str(log["host"]) if str(log["host"]).lower() in t or hub_named else None


# A build's base image as builders print it: a Dockerfile's FROM line (the legacy builder's `Step 1/5 : FROM`,
# buildah's and podman's `STEP 1/3: FROM`), BuildKit's `[1/3] FROM` and the base's metadata it loads or resolves first,
# kaniko's `Retrieving image manifest`. Group 1 is the reference (normalised, lower-case text).
_BASE_IMAGE = LazyRe(
    r"(?:^[ \t]*(?:step[ \t]+\d+/\d+[ \t]*:[ \t]*)?from|\[[^\]\n]{1,40}\][ \t]+from|load metadata for|"
    r"resolve image config for|retrieving image(?: manifest)?)[ \t]+(?:--platform=\S+[ \t]+)?([^\s\"'`,;()\[\]]+)",
    re.M,
)


def _without_other_bases(t: str, log: LogCause | None) -> str:
    """The normalised text `t` without the base images of a build whose registry is not the one the pasted log
    `log` failed at: a Dockerfile's `FROM ghcr.io/…` says where the build started, not that a push to another
    registry failed at GHCR (nor that a push to Docker Hub is TCR's when the base came from TCR)."""
    failing = _failing_host(t, log)
    if failing is None or not any(w in t for w in ("from", "metadata for", "image config for", "retrieving image")):
        return t
    failing = failing.lower()

    def host_of(ref: str) -> str:
        first = ref.split("/")[0]
        return first if "/" in ref and ("." in first or ":" in first or first == "localhost") else "docker.io"

    def same(host: str) -> bool:
        return host == failing or (vendor_of_host(host) == vendor_of_host(failing) == "Docker Hub")

    def blank(m: re.Match[str]) -> str:
        ref = m.group(1)
        if same(host_of(ref)):
            return m.group(0)
        return m.group(0)[: m.start(1) - m.start(0)] + " " * len(ref)

    return _BASE_IMAGE.rx.sub(blank, t)


def _vendor_in(t: str, log: LogCause | None, *, self_hosted: bool) -> str | None:
    """other_vendor()'s reading of the normalised text `t`, TCR aside; `self_hosted`: whether a registry host of no
    known vendor (or self-hosting words) names a self-hosted registry."""
    return next(_vendors_in(t, log, self_hosted=self_hosted), None)


def _vendors_in(t: str, log: LogCause | None, *, self_hosted: bool) -> Iterator[str]:
    """The vendors _vendor_in reads in `t`, the first first: hosts (the log's, then the text's), then names in
    prose; a self-hosted registry only where no known vendor is named."""
    _, words = _vendor_res()
    failing = _failing_host(t, log)
    hosts = [failing] if failing else []
    hosts += [m.group(1) for m in _HOST_IN_TEXT.finditer(t)]
    found = False
    for host in hosts:
        name = vendor_of_host(host)
        if name:
            found = True
            yield name
    for rx, name in words:
        if rx.search(t):
            found = True
            yield name
    if not found and _BARE_ACR.search(t):
        # "ACR" alone: Azure's where the text speaks of Azure (in any language: "我们在 Azure 上用 ACR"), else
        # Aliyun's registry in a Chinese text (阿里云容器镜像服务 ACR), Azure's in an English one
        found = True
        azure = _AZURE.search(t) or not _CJK_TEXT.search(t)
        yield "Azure Container Registry" if azure else "Aliyun ACR"
    if not found and self_hosted and _self_hosted(t, log):
        yield "self-hosted registry"


_BARE_ACR = LazyRe(r"(?<![a-z0-9])acr(?![a-z0-9])")
# Azure named in the rest of a text with a bare "ACR": the cloud's name (Azure, 微软云, 微软), its registry domain, or
# its CLI (`az login`, `az acr`, `az aks`, `az account`)
_AZURE = LazyRe(r"(?<![a-z0-9])(?:azure|azurecr)|微软|(?<![a-z0-9])az (?:login|acr|aks|account)(?![a-z0-9])")
_CJK_TEXT = LazyRe(r"[\u3400-\u9fff]")
SELF_HOSTED = True  # a registry host that is neither TCR nor a known vendor's is a self-hosted registry (ablation)
_SELF_HOSTED_WORDS = LazyRe(
    r"(?<![a-z])(?:private (?:docker )?registry|self[- ]hosted registry|own registry|local registry|docker registry|"
    r"registry:2|distribution/distribution|私有(?:镜像)?仓库服务|自建(?:的)?(?:镜像)?仓库|自己搭(?:建)?的(?:镜像)?仓库)(?![a-z])"
)


def _self_hosted(t: str, log: LogCause | None) -> bool:
    """Whether normalised text `t` is about a self-hosted registry: a registry host in it (URL, image reference, host
    after login/pull/push, the log's host) that is not TCR, or self-hosting words."""
    from . import text as T

    # A daemon's failure names the daemon's address ("error during connect: Get http://docker:2375/…", "lookup docker
    # on …"), no registry: its reply says the registry is not involved, so it never says "a self-hosted registry".
    host = str(log.get("host") or "") if log and log.get("cause") != "DAEMON_ERROR" else ""
    if host and host.lower() in t and vendor_of_host(host) is None:
        return True
    if re.search(r"https?://[^/\s]+/v2/", t):
        return True  # a registry API URL whose host is not TCR (TCR named was checked before)
    if T.default_facets().scan(t, norm=True).objects & {"self-hosted"}:
        return True
    return bool(_SELF_HOSTED_WORDS.search(t))


# ---------------------------------------------------------------- why a question was not answered

# A problem report rather than a how-to: failure words in the user's own text, or a pasted error.
_PROBLEM_RE = LazyRe(
    r"(?<![a-z])(?:error|errors|err|fail|fails|failed|failing|failure|can ?not|can't|cant|couldn't|unable|won't|"
    r"doesn't work|does not work|not working|isn't working|broken|stuck|hangs?|hanging|denied|refused|"
    r"timed? ?out|timeout|crash\w*|exception|invalid|wrong|issue|problem|bug|unexpected|no such|not found|"
    r"unauthori[sz]ed|forbidden|backoff|errimagepull|x509|exit code|exit status)(?![a-z])"
    r"|报错|错误|失败|异常|出错|不行|不了|无法|不能用|超时|卡住|卡在|拒绝|没反应|不成功|不生效|不好使|问题|故障|挂了|报了|提示"
)


def refusal(
    text: str, *, answered: bool, log: LogCause | None = None, signature: bool = False, talk: str | None = None
) -> Refusal | None:
    """The `refusal` object of `ask()` (None when answered): small talk, another vendor's registry, a how-to /
    pricing / product question no entry answers (documentation), or a problem report no entry answers
    (troubleshooting: the channel asks for the error text and the command)."""
    if talk:
        return {"kind": "smalltalk", "smalltalk": talk}
    vendor = other_vendor(text, log)
    if vendor:
        return {"kind": "other_registry", "vendor": vendor}
    if answered:
        return None
    from .text import normalize

    t = normalize(text)
    # no words at all ("?", "..."): a problem not described yet, not a how-to question
    if log is not None or signature or _PROBLEM_RE.search(t) or not _WORDY.search(t):
        return {"kind": "troubleshooting"}
    return {"kind": "documentation"}


_WORDY = LazyRe(r"[^\W_]|[\u3400-\u9fff]")
