"""Matching on our own paraphrases (never the shared dev set), calibration and the ask() JSON shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

import knowledge
from knowledge import matcher as M
from knowledge import text as T
from knowledge.results import AskResult
from knowledge.text import detect_lang, features

# Written for these tests; none comes from shared/eval.
OWN = [
    ("个人版和企业版主要差在哪", "personal-vs-enterprise"),
    ("enterprise edition vs personal edition, which one should a company pick?", "personal-vs-enterprise"),
    ("个人版一个地域最多能建几个命名空间", "personal-quota"),
    ("how many repositories can I create in the free personal registry", "personal-quota"),
    ("个人版的触发器功能去哪了", "personal-build-triggers-retired"),
    ("personal edition automatic build rules disappeared from the console", "personal-build-triggers-retired"),
    ("个人版 push 成功了但是控制台里看不到这个镜像", "personal-pushed-image-missing"),
    ("pushed an image to ccr.ccs.tencentyun.com but it does not show in the list", "personal-pushed-image-missing"),
    ("怎么从个人版迁到企业版", "migrate-personal-to-enterprise"),
    ("migration guide from CCR to a TCR enterprise instance", "migrate-personal-to-enterprise"),
    ("创建实例的时候提示名称不可用", "instance-name-rejected"),
    ("which characters are allowed in a TCR instance name", "instance-name-rejected"),
    ("docker login 一直失败，密码是控制台复制的", "login-failed"),
    ("docker login to my instance keeps failing", "login-failed"),
    ("TKE 集群拉私有镜像不想配置 secret 怎么办", "cluster-pull-without-secret"),
    ("kubernetes pull private images without imagePullSecrets", "cluster-pull-without-secret"),
    ("docker push 报 unauthorized: authentication required", "unauthorized-authentication-required"),
    ("删除一个镜像版本会不会影响别的版本", "delete-image-tag"),
    ("can I remove a single tag of an image", "delete-image-tag"),
    ("怎么给子账号只开放某一个命名空间的权限", "restrict-access-namespace-repo"),
    ("grant a CAM sub-account access to only one repository", "restrict-access-namespace-repo"),
    ("拉镜像的流量怎么收费", "network-traffic-billing"),
    ("is pulling images over the internal network billed", "network-traffic-billing"),
    ("怎么确认访问 TCR 走的是内网", "internal-or-public-network"),
    ("how to tell if my registry traffic goes over the public network or the VPC", "internal-or-public-network"),
    ("CODING 账号锁定了怎么解锁", "coding-account-locked"),
    ("my CODING DevOps account got locked", "coding-account-locked"),
    ("源码构建的 Dockerfile 路径怎么写", "dockerfile-path-build-dir"),
    ("what should the build directory be for a source code build", "dockerfile-path-build-dir"),
    ("拉取 docker hub 镜像太慢，有什么加速办法", "image-acceleration"),
    ("how do I speed up image pulls on TKE nodes", "image-acceleration"),
    ("实例同步和复制分别适合什么场景", "sync-vs-replication"),
    ("replication versus synchronization between instances", "sync-vs-replication"),
    ("节点上 docker images 看到的大小比控制台大", "image-size-mismatch"),
    ("image size in the registry is smaller than on the node", "image-size-mismatch"),
    ("国际站控制台缺少哪些功能", "international-unsupported-features"),
    ("features missing on the international site", "international-unsupported-features"),
    ("创建实例时地域列表里没有金融区", "finance-zone-missing"),
    ("how do I get access to the finance zone regions", "finance-zone-missing"),
    # typos and pinyin-ish slips
    ("登陆示例失败", "login-failed"),
    ("how to deleet an image tagg", "delete-image-tag"),
    ("geren ban 配额", "personal-quota"),
]

OUT_OF_SCOPE = [
    "今天北京天气怎么样",
    "how do I make a sourdough bread starter",
    "给我讲个笑话",
    "What is the capital of Australia?",
    "MySQL 主从延迟怎么排查",
]


# Near misses: about TCR or the cloud, but not answered by any FAQ entry. Before knowledge/out_of_scope.toml, 7 of
# these 20 were answered; now only the SLA one is (entry 1 does speak about the SLA). Guards the measured rate.
NEAR_MISS = [
    "TCR 镜像签名怎么做",
    "TCR 支持 cosign 签名验证吗",
    "TCR 的 API 怎么调用 CreateInstance",
    "Can I use a custom domain for my TCR instance?",
    "如何配置 TCR 的镜像安全扫描",
    "企业版怎么开启镜像漏洞扫描",
    "COS 存储桶怎么设置生命周期",
    "云服务器 CVM 怎么重装系统",
    "ingress nginx 502 怎么排查",
    "webhook 通知怎么配置",
    "how to configure a VPC peering connection between two regions",
    "k8s 的 HPA 怎么配置",
    "TCR 实例规格怎么从基础版升级到高级版",
    "企业版实例怎么续费",
    "How do I set a retention policy to clean up old tags automatically?",
    "What's the SLA of TCR enterprise edition?",
    "怎么用 Terraform 创建 TCR 实例",
    "what is the price of a CVM instance",
    "How do I reset my Tencent Cloud account password?",
    "TCR 支持多架构镜像 manifest list 吗",
]


@pytest.fixture(scope="module")
def matcher():
    return knowledge.get_matcher()[1]


def test_own_paraphrases_top1_and_top3(matcher):
    top1 = top3 = 0
    misses = []
    for q, want in OWN:
        ranked = [c.entry.id for c in matcher.rank(q, limit=3)]
        top1 += bool(ranked) and ranked[0] == want
        top3 += want in ranked
        if not ranked or ranked[0] != want:
            misses.append((q, want, ranked))
    assert top1 / len(OWN) >= 0.9, misses
    assert top3 / len(OWN) >= 0.97, misses


def test_own_paraphrases_are_answered():
    rejected = [q for q, _ in OWN if knowledge.ask(q)["status"] == "no_answer"]
    assert len(rejected) <= 2, rejected


@pytest.mark.parametrize("q", OUT_OF_SCOPE)
def test_out_of_scope_is_rejected(q):
    res = knowledge.ask(q)
    assert res["status"] == "no_answer" and res["matched"] is False and res["answer"] is None


@pytest.mark.parametrize(
    "log,want",
    [
        (
            'Error response from daemon: Get "https://x-tcr.tencentcloudcr.com/v2/": dial tcp 1.2.3.4:443: i/o timeout',
            "login-failed",
        ),
        (
            "$ docker pull x-tcr.tencentcloudcr.com/a/b:1\nError response from daemon: unauthorized: authentication required",
            "unauthorized-authentication-required",
        ),
        (
            'Warning  Failed  kubelet  Failed to pull image "x-tcr.tencentcloudcr.com/a/b:1": rpc error: code = Unknown '
            "desc = failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized",
            "cluster-pull-without-secret",  # a kubelet auth failure: the cluster-pull entry (issue 11, one story)
        ),
    ],
)
def test_pasted_terminal_output(log, want):
    res = knowledge.ask(log)
    assert res["matched"] and res["answer"]["id"] == want
    assert res["entities"]["registry"] == "x-tcr.tencentcloudcr.com"


@pytest.mark.parametrize(
    "q,want",
    [
        ("shanchu jingxiang banben", "delete-image-tag"),  # whole question typed in pinyin
        ("neiwang 还是 gongwang", "internal-or-public-network"),
        ("登录实力失败", "login-failed"),  # homophone: 实力 for 实例
        ("个人版的陪额", "personal-quota"),  # homophone: 陪额 for 配额
        ("whats the diffrence betwen sync and replicaton", "sync-vs-replication"),
    ],
)
def test_typos_and_pinyin(q, want):
    res = knowledge.ask(q)
    assert res["matched"] and res["answer"]["id"] == want


def test_near_misses_mostly_rejected():
    answered = [q for q in NEAR_MISS if knowledge.ask(q)["matched"]]
    assert len(answered) <= 2, answered  # measured: 1 of 20 answered (docs/matching.md)


def test_json_shape_and_language():
    res = knowledge.ask("What is the difference between the personal and enterprise editions?")
    assert set(res) == AskResult.__required_keys__  # no topic: a question the FAQ answers
    assert res["log"] is None  # a plain question carries no pasted-log cause
    assert res["refusal"] is None  # answered
    assert res["lang"] == "en" and res["status"] in ("answered", "ambiguous")
    ans = res["answer"]
    assert set(ans) == {"id", "question", "answer", "score", "links"}
    assert 0.0 <= ans["score"] <= 1.0
    assert ans["question"].isascii()
    assert all(set(link) == {"title", "url"} for link in ans["links"])
    for alt in res["alternatives"]:
        assert set(alt) == {"id", "question", "score"} and alt["score"] <= ans["score"]
    zh = knowledge.ask("What is the difference between the personal and enterprise editions?", lang="zh")
    assert zh["lang"] == "zh" and zh["answer"]["question"] == "个人版与企业版有什么区别？"
    assert knowledge.ask("个人版与企业版有什么区别？")["lang"] == "zh"


def test_seed_questions_match_themselves():
    kb, matcher = knowledge.get_matcher()
    for e in kb.entries:
        for lang in ("zh", "en"):
            res = knowledge.ask(e.question[lang])
            assert res["answer"] and res["answer"]["id"] == e.id, (e.id, lang)
            assert res["answer"]["score"] >= 0.8


def test_ambiguous_lists_runner_up(monkeypatch):
    monkeypatch.setattr(M, "AMBIGUOUS_RATIO", 0.0)
    res = knowledge.ask("实例同步 加速")
    assert res["status"] == "ambiguous"
    assert res["alternatives"] and res["alternatives"][0]["id"] != res["answer"]["id"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "？？？!!!",
        "😀😀😀",
        "\x00\x01\x02",
        "a" * 1_000_000,
        "镜" * 300_000,
        "".join(chr(i) for i in range(0x20, 0x3000)),
    ],
)
def test_bad_input_never_raises(text):
    res = knowledge.ask(text)
    assert res["status"] in ("no_answer", "answered", "ambiguous")
    if not text.strip() or text.strip("？!😀\x00\x01\x02 ") == "":
        assert res["status"] == "no_answer"


def test_features_and_language():
    assert detect_lang("登录失败") == "zh" and detect_lang("login failed") == "en"
    assert detect_lang("TCR 同步 vs 复制") == "zh"
    # Japanese writes Han among its kana: answered in English, the one of the two its readers read; a Chinese
    # sentence with a word or two of kana (or a borrowed ー) stays Chinese
    assert detect_lang("ログインに失敗しました。どうすればいいですか") == "en"
    assert detect_lang("docker pull をすると toomanyrequests でエラーになる") == "en"
    assert detect_lang("拉取镜像失败，报错 エラー") == "zh" and detect_lang("我の镜像推送不上去ー") == "zh"
    f = features("登录实力 neiwang", query=True)
    assert "p:shi_li" in f and "p:nei_wang" in f  # pinyin: 实力 ~ 实例, neiwang ~ 内网
    assert "c:personal" in features("free tier") and "c:personal" in features("个人版")
    assert features("the and of") == {}


# ---------------------------------------------------------------- facets (docs/matching.md, "Facets")


@pytest.mark.parametrize(
    "text,actions,objects,heads",
    [
        # the object an action applies to: the next object, else the one just before it; places and modifiers skipped
        (
            "How can I wipe a whole namespace and everything in it?",
            {"delete"},
            {"namespace"},
            {"delete": {"namespace"}},
        ),
        ("Can I remove one tag from a repository?", {"delete"}, {"tag", "repository"}, {"delete": {"tag"}}),
        ("仓库里的旧版本怎么删", {"delete"}, {"repository", "tag"}, {"delete": {"tag"}}),
        ("命名空间怎么删除", {"delete"}, {"namespace"}, {"delete": {"namespace"}}),
        ("镜像的大小为什么不一样", set(), {"image"}, {}),
        # asks
        ("谁动了我们的镜像标签", {"who"}, {"tag"}, {"who": {"tag"}}),
        ("how much is it per GB of egress", {"price"}, set(), {}),
        ("个人版最多能建多少个命名空间", {"count"}, {"personal", "namespace"}, {"count": {"namespace"}}),
        (
            "Is there a way to get back an image I removed?",
            {"restore", "delete"},
            {"image"},
            {"restore": {"image"}, "delete": {"image"}},
        ),
        # name family
        ("命名空间名称能用下划线吗", set(), {"namespace-name"}, {}),
        ("instance name with capital letters", set(), {"instance-name"}, {}),
        ("源码构建的镜像 tag 命名规则", set(), {"tag-name", "image"}, {}),  # names first: a tag name, not a tag
    ],
)
def test_facet_scan(text, actions, objects, heads):
    sc = T.default_facets().scan(text)
    assert sc.actions == actions and sc.objects == objects, sc
    assert {a: set(o) for a, o in sc.heads.items()} == heads, sc


@pytest.mark.parametrize(
    "text,objects",
    [
        ("docker pull registry.lab.example:5000/team/api:1.4", {"self-hosted"}),
        ('Get "https://172.16.0.9/v2/": x509: certificate signed by unknown authority', {"self-hosted"}),
        ("docker login localhost:5000", {"self-hosted"}),
        ("docker push ghcr.io/acme/web:2", {"other-vendor"}),
        ("pull from mirror.gcr.io/library/busybox fails", {"other-vendor"}),
        ("docker pull team.tencentcloudcr.com/ns/app:v1", {"enterprise"}),
        ("docker pull ccr.ccs.tencentyun.com/ns/app", {"personal"}),
        # names are not prose: no action in "3.10-slim", no Harbor in a TCR token URL, no host in a CAM resource
        ("pull team.tencentcloudcr.com/base/python:3.10-slim", {"enterprise"}),
        ("GET https://t.tencentcloudcr.com/service/token?service=harbor-registry: 401", {"enterprise"}),
        ("resource (qcs::tcr:ap-shanghai:uin/1000:instance/tcr-1) has no permission", set()),
        ("see config.json and ns/team/app", set()),
        # words inside hyphenated or slashed names are not facets ("blog-api" is no API, "team/api" no API)
        ("pushed team/blog-api but the console shows nothing", {"api"} - {"api"}),
    ],
)
def test_facet_scan_reads_registry_hosts_from_names(text, objects):
    sc = T.default_facets().scan(text)
    assert sc.objects == objects and not sc.actions, sc


@pytest.mark.parametrize(
    "text,objects",
    [
        ("list every repository with tccli", {"repository", "api"}),
        ("用 Python SDK 拿到所有镜像版本", {"api", "tag"}),
        ("docker login with an API key fails", {"api-key"}),  # a credential, not the API (unchecked family)
    ],
)
def test_facet_scan_interface(text, objects):
    assert T.default_facets().scan(text).objects == objects


def test_entry_profiles_come_from_what_the_entry_is_about():
    kb, m = knowledge.get_matcher()
    acts, objs, heads = m.profile(kb.by_id["delete-image-tag"].number - 1)
    assert "delete" in acts and "tag" in heads["delete"] and "repository" not in heads["delete"]
    acts, objs, heads = m.profile(kb.by_id["personal-quota"].number - 1)
    assert "count" in acts  # declared in the entry (its answer gives the numbers)
    assert "price" not in acts and "restore" not in acts
    acts, objs, heads = m.profile(kb.by_id["instance-name-rejected"].number - 1)
    assert "instance-name" in objs and "repository-name" not in objs


def test_profiles_with_and_without_the_index_cache(tmp_path, monkeypatch):
    """Profiles are cached with the index; without a cache they are built per entry on first use, the same."""
    from knowledge.kb import load_kb, load_topics

    kb = load_kb()
    monkeypatch.setenv("TCR_DOCTOR_CACHE_DIR", str(tmp_path))
    cached = M.Matcher(kb.entries, cache_key="p", topics=load_topics().topics)
    assert None not in cached.profiles
    assert M.Matcher(kb.entries, cache_key="p", topics=load_topics().topics).profiles == cached.profiles
    monkeypatch.setenv("TCR_DOCTOR_CACHE_DIR", "off")
    lazy = M.Matcher(kb.entries, cache_key="p", topics=load_topics().topics)
    assert lazy.profiles == [None] * len(kb.entries)
    assert [lazy.profile(i) for i in range(len(kb.entries))] == cached.profiles


def test_answer_is_the_same_under_every_hash_seed():
    """Facet checks iterate sets; the reply must not depend on the process's hash seed (it did for a question with
    two mismatching objects, whose alternatives came and went between runs)."""
    question = (
        "Error response from daemon: manifest for acme-prod.tencentcloudcr.com/app/web:v9 not found: manifest "
        "unknown: manifest unknown\nI think someone pushed v9 under a different repo name. How do I search for an "
        "image by tag across all repositories in an instance?"
    )
    code = "import json, sys, knowledge; print(json.dumps(knowledge.ask(sys.argv[1]), sort_keys=True))"
    replies = set()
    for seed in ("0", "1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code, question], env=env, capture_output=True, text=True, check=True, timeout=60
        ).stdout
        replies.add(out)
    assert len(replies) == 1
    reply = json.loads(replies.pop())
    assert reply["matched"] is False


def test_a_long_run_without_letters_is_read_in_linear_time():
    """A pasted separator, punctuation or blank run was read in quadratic time: 16,000 ':' took 3.6 s in ask(),
    20,000 '.' or newlines 20-40 s (Slack and the CLI take that much). The bound is wide for a loaded 2-core machine."""
    runs = (".", "\n", "\r", "\r\n", " \n", "\t", "。", "\u3000", "..")
    for text in (":" * 40_000, "=" * 20_000 + " docker login 失败 " + "-" * 20_000, *(r * 20_000 for r in runs)):
        start = time.perf_counter()
        knowledge.ask(text)
        assert time.perf_counter() - start < 5
    start = time.perf_counter()
    T.default_concepts().find("=" * 60_000)  # quadratic: about a minute
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize(
    "norm",
    ["", "::::", "docker 登录 :: push", "——.. ab 登录失败 ::cd::", "登录", "a", "::a::登::b", "内网 vpc 访问 内网"],
)
def test_concepts_are_found_in_every_latin_stretch(norm):
    """Concepts.find reads each stretch between Chinese characters that holds a letter or digit, whole."""
    concepts = T.default_concepts()
    whole = concepts.find(norm)
    assert sorted(whole) == sorted(concepts.find(norm + "::::"))
