"""Out-of-scope topics (knowledge/out_of_scope.toml): near misses are refused naming the topic, real questions are
still answered, topics never leak into answers, and the loader names the file and the field of any mistake.

The questions here were written for these tests (none comes from shared/eval or tests/data)."""
from __future__ import annotations

import json

import pytest

import knowledge
from knowledge import matcher as M
from knowledge.kb import KnowledgeError, Topic, load_kb, load_topics

# Near misses: about TCR, the cloud or container tooling, but no FAQ entry answers them -> (question, topic id).
NEAR_MISS = [
    ("TCR 企业版能不能设置推送镜像时发 HTTP 回调给我们的发布系统", "webhooks"),
    ("Is there a way to get a Slack message every time someone pushes to our registry?", "webhooks"),
    ("怎么让 release 开头的镜像版本推上去之后就不能再被覆盖", "tag-immutability"),
    ("Our prod tag got overwritten by a CI job, can TCR lock tags so they can't be replaced?", "tag-immutability"),
    ("仓库里 tag 太多了，能不能配置规则每个仓库只留最近 10 个", "retention-policy"),
    ("Can TCR automatically delete images that haven't been pulled in 90 days?", "retention-policy"),
    ("helm chart 包怎么传到企业版实例里", "helm-charts"),
    ("Which helm command uploads a chart to a tencentcloudcr.com registry?", "helm-charts"),
    ("不想用 xxx.tencentcloudcr.com 这个域名了，想换成 registry.mycompany.com", "custom-domain"),
    ("企业版实例一年大概多少钱，高级版贵多少", "tcr-pricing"),
    ("My TCR instance expires next week, where do I renew it?", "tcr-pricing"),
    ("TCR 实例不要了，怎么把它退掉", "instance-deletion"),
    ("高级版最多支持多少个镜像仓库，能申请提高吗", "enterprise-quotas"),
    ("给 Jenkins 用的推送账号，除了长期凭证还有什么更安全的账号类型", "service-accounts"),
    ("镜像推上去以后能自动检查有没有高危 CVE 吗", "security-scanning"),
    ("Ubuntu 22.04 上装 docker 的步骤", "docker-install"),
    ("Node.js 项目的 Dockerfile 怎么写才能让镜像小一点", "dockerfile-writing"),
    ("How do I publish one tag that works on both Apple M1 and Intel servers?", "multi-arch-images"),
    ("k8s 里 pod 按照 QPS 自动扩容怎么配", "kubernetes-autoscaling"),
    ("TKE 节点状态 NotReady，pod 全部调度不上去", "tke-node-issues"),
    ("TKE 集群从 1.20 升级到 1.26 要注意什么", "tke-cluster-ops"),
    ("忘记了云服务器的登录密码，怎么重置", "cvm"),
    ("COS 存储桶开启版本控制怎么操作", "cos-storage"),
    ("广州和上海的 VPC 怎么用云联网打通", "ccn-vpc"),
    ("CODING 里构建计划怎么配置触发条件", "coding-devops"),
    ("Our self-hosted Harbor 2.8 upgrade to 2.10 failed on database migration", "harbor-admin"),
    ("Docker Hub 匿名拉取 6 小时 100 次的限制怎么解决", "docker-hub"),
    ("怎么把镜像从阿里云 ACR 迁移到 AWS ECR", "other-registries"),
    ("腾讯云的增值税专用发票怎么申请", "tencent-account-billing"),
    ("云函数 SCF 冷启动太慢怎么办", "other-tencent-products"),
    ("pod 一直 CrashLoopBackOff 重启", "kubernetes-workloads"),
]

# Measured misses (answered by an entry): kept so the rate below stays honest (docs/matching.md).
KNOWN_MISSES = [
    "How do I see who deleted a repository last Friday?",                         # delete-image-tag wins
    "my Dockerfile build fails at COPY requirements.txt: no such file or directory",  # dockerfile-path-build-dir wins
]

# General programming / chit-chat: no registry or cloud word at all -> the stricter threshold applies.
GENERIC = [
    "Java 里 HashMap 和 TreeMap 怎么选",
    "How do I undo the last git commit?",
    "写一个 Python 脚本统计文件行数",
    "Go 语言的 slice 和 array 有什么区别",
]

# Real questions next to the topics above: they must still be answered by their entry.
IN_SCOPE = [
    ("我们公司该选个人版还是企业版", "personal-vs-enterprise"),
    ("personal edition namespace limit per region?", "personal-quota"),
    ("个人版的自动构建功能去哪了", "personal-build-triggers-retired"),
    ("推到个人版的镜像在控制台列表里一直看不到", "personal-pushed-image-missing"),
    ("how do I move all my CCR images into an enterprise instance", "migrate-personal-to-enterprise"),
    ("实例名称填了之后提示不合法", "instance-name-rejected"),
    ("docker login 到 tencentcloudcr.com 总是失败", "login-failed"),
    ("TKE 拉企业版镜像怎么做到不用配 secret", "cluster-pull-without-secret"),
    ("docker pull 提示 unauthorized: authentication required 是什么原因", "unauthorized-authentication-required"),
    ("删掉一个 tag 之后另一个 tag 也没了", "delete-image-tag"),
    ("how to give a sub-account push permission on just one repository", "restrict-access-namespace-repo"),
    ("内网拉镜像收不收流量费", "network-traffic-billing"),
    ("怎么判断节点访问镜像仓库走的是内网", "internal-or-public-network"),
    ("CODING 账号被锁了，登录不上", "coding-account-locked"),
    ("源码构建时 Dockerfile 和构建目录怎么填", "dockerfile-path-build-dir"),
    ("TKE 节点拉大镜像太慢有什么加速方案", "image-acceleration"),
    ("instance sync or replication, which one for multi-region?", "sync-vs-replication"),
    ("why is the image bigger on my node than in the TCR console", "image-size-mismatch"),
    ("国际站的 TCR 有哪些功能用不了", "international-unsupported-features"),
    ("创建实例时看不到金融区的地域", "finance-zone-missing"),
    # pasted output around the question: names and numbers in it are not what the question is about
    ("$ docker images shop.tencentcloudcr.com/web/frontend\nREPOSITORY                              TAG   IMAGE ID       "
     "CREATED       SIZE\nshop.tencentcloudcr.com/web/frontend    3.2   7a9c0e1d2b3f   5 hours ago   1.92GB\n"
     "console says 640 MB for the same tag, why the difference?", "image-size-mismatch"),
]


@pytest.mark.parametrize("q,topic", NEAR_MISS)
def test_near_miss_is_refused_naming_the_topic(q, topic):
    res = knowledge.ask(q)
    assert res["status"] == "no_answer" and res["matched"] is False and res["answer"] is None, res
    # A topic is named only when it explains the question well enough (matcher.TOPIC_MIN); never a wrong one.
    assert res.get("topic") is None or res["topic"]["id"] == topic, res["topic"]


def test_near_miss_topics_named():
    named = [q for q, topic in NEAR_MISS if (knowledge.ask(q).get("topic") or {}).get("id") == topic]
    assert len(named) >= 0.85 * len(NEAR_MISS), len(named)  # measured: 28 of 31


def test_near_miss_rate():
    qs = [q for q, _ in NEAR_MISS] + KNOWN_MISSES
    refused = sum(not knowledge.ask(q)["matched"] for q in qs)
    assert refused / len(qs) >= 0.9, refused


@pytest.mark.parametrize("q", GENERIC)
def test_general_programming_is_refused(q):
    assert knowledge.ask(q)["status"] == "no_answer"


@pytest.mark.parametrize("q,want", IN_SCOPE)
def test_real_questions_still_answered(q, want):
    res = knowledge.ask(q)
    assert res["matched"] and res["answer"]["id"] == want, (res["answer"], res.get("topic"))
    assert "topic" not in res


def test_topics_never_answer_or_appear_as_alternatives():
    kb, matcher = knowledge.get_matcher()
    topic_ids = {t.id for t in matcher.topics}
    assert topic_ids and not topic_ids & set(kb.by_id)
    for q in [q for q, _ in NEAR_MISS + IN_SCOPE] + KNOWN_MISSES + GENERIC:
        res = knowledge.ask(q)
        ids = [a["id"] for a in res["alternatives"]] + ([res["answer"]["id"]] if res["answer"] else [])
        assert all(i in kb.by_id for i in ids), (q, ids)
        for c in matcher.rank(q, limit=5):
            assert c.entry.id in kb.by_id and c.topic is None


def test_topic_json_shape_and_language():
    en = knowledge.ask("How do I turn on auto-renewal for my TCR enterprise instance?")
    assert en["status"] == "no_answer" and en["matched"] is False and en["answer"] is None
    assert set(en) == {"matched", "answer", "alternatives", "entities", "diagnostics", "lang", "status",
                       "kb_version", "topic"}
    assert set(en["topic"]) == {"id", "title", "hint"} and en["topic"]["id"] == "tcr-pricing"
    assert en["topic"]["title"].isascii() and en["topic"]["hint"].isascii()
    zh = knowledge.ask("How do I turn on auto-renewal for my TCR enterprise instance?", lang="zh")
    topics = load_topics()
    assert zh["topic"]["title"] == topics.by_id["tcr-pricing"].title["zh"]
    json.dumps(en, ensure_ascii=False)


def test_cli_shows_the_topic(capsys):
    from bot.cli import main

    rc = main(["ask", "怎么把 helm chart 推送到企业版实例"])
    out = capsys.readouterr().out
    assert rc == 0
    title = load_topics().by_id["helm-charts"].title["zh"]
    assert title in out and "1141" in out


def test_default_topics_file_is_broad_and_bilingual():
    topics = load_topics(entry_ids=load_kb().by_id)
    assert len(topics.topics) >= 40
    for t in topics.topics:
        assert isinstance(t, Topic)
        for lang in ("zh", "en"):
            assert t.title[lang] and len(t.phrasings[lang]) >= 3, t.id


def test_threshold_decision_uses_the_topic_margin(monkeypatch):
    q = "How do I push a helm chart into my enterprise instance?"
    assert knowledge.ask(q)["topic"]["id"] == "helm-charts"
    monkeypatch.setattr(M, "TOPIC_MIN", 1.01)  # topics can never win: the entry is answered as before
    res = knowledge.ask(q)
    assert "topic" not in res


# ---------------------------------------------------------------- loader validation


def _write(tmp_path, text):
    p = tmp_path / "oos.toml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD = '''
[[topic]]
id = "helm"
title = { zh = "标题", en = "Title" }
phrasings = { zh = ["一"], en = ["one"] }
'''


@pytest.mark.parametrize("text,field", [
    ("[[topic]\n", "(file): invalid TOML"),
    ("x = 1\n" + GOOD, "x: unknown field"),
    ("", "topic: missing"),
    (GOOD.replace(', en = "Title"', ''), "topic[0] (helm): title.en: missing (both zh and en are required)"),
    (GOOD.replace('id = "helm"', 'id = "Helm Charts"'), "topic[0] (Helm Charts): id: 'Helm Charts' is not kebab-case"),
    (GOOD + GOOD, "topic[1] (helm): id: 'helm' is also used by topic[0]"),
    (GOOD.replace('phrasings = { zh = ["一"], en = ["one"] }', 'phrasings = { zh = [], en = ["one"] }'),
     "topic[0] (helm): phrasings.zh: must not be empty"),
    (GOOD.replace('phrasings', 'phrasing'), "topic[0] (helm): phrasing: unknown field"),
    (GOOD + 'hint = { zh = "见"}\n', "topic[0] (helm): hint.en: missing"),
    (GOOD + 'keywords = { zh = [1], en = [] }\n', "topic[0] (helm): keywords.zh[0]: must be a non-empty string"),
])
def test_loader_names_file_and_field(tmp_path, text, field):
    p = _write(tmp_path, text)
    with pytest.raises(KnowledgeError) as exc:
        load_topics(p)
    msg = str(exc.value)
    assert msg.startswith(str(p) + ": ") and field in msg, msg


def test_loader_refuses_an_faq_id_and_a_missing_file(tmp_path):
    p = _write(tmp_path, GOOD.replace('id = "helm"', 'id = "login-failed"'))
    with pytest.raises(KnowledgeError, match=r"topic\[0\] \(login-failed\): id: 'login-failed' is also the id of an FAQ"):
        load_topics(p, entry_ids=load_kb().by_id)
    with pytest.raises(KnowledgeError, match="not found"):
        load_topics(tmp_path / "nope.toml")


def test_index_cache_follows_the_topics(tmp_path, monkeypatch):
    """The on-disk index is keyed by the topics too: changing them never serves a stale index."""
    monkeypatch.setenv("TCR_DOCTOR_CACHE_DIR", str(tmp_path))
    kb = load_kb()
    a = load_topics(_write(tmp_path, GOOD)).topics
    b = load_topics(_write(tmp_path, GOOD.replace('["one"]', '["zebra crossing"]'))).topics
    m1 = M.Matcher(kb.entries, cache_key="k", topics=a)
    m2 = M.Matcher(kb.entries, cache_key="k", topics=b)
    assert len(list(tmp_path.glob("index-*.marshal"))) == 2
    assert "w:zebra" in m2.postings and "w:zebra" not in m1.postings
    assert M.Matcher(kb.entries, cache_key="k", topics=b).postings == m2.postings  # served from the cache
