"""Out-of-scope topics (knowledge/out_of_scope.toml): near misses are refused naming the topic, real questions are
still answered, topics never leak into answers, and the loader names the file and the field of any mistake.

The questions here were written for these tests (none comes from shared/eval or tests/data)."""

from __future__ import annotations

import json

import pytest

import knowledge
from knowledge import matcher as M
from knowledge.kb import KnowledgeError, Topic, load_kb, load_topics
from knowledge.results import AskResult

# Near misses: about TCR, the cloud or container tooling, but no FAQ entry answers them -> (question, topic id).
NEAR_MISS = [
    ("TCR 企业版能不能设置推送镜像时发 HTTP 回调给我们的发布系统", "webhooks"),
    ("刚开通了 TCR，怎么推送镜像上去？", "push-pull-quickstart"),
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

# Measured misses before the facets (answered by an entry then; both refused since): kept so the rate below stays
# honest (docs/matching.md).
KNOWN_MISSES = [
    "How do I see who deleted a repository last Friday?",  # delete-image-tag wins
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
    (
        "$ docker images shop.tencentcloudcr.com/web/frontend\nREPOSITORY                              TAG   IMAGE ID       "
        "CREATED       SIZE\nshop.tencentcloudcr.com/web/frontend    3.2   7a9c0e1d2b3f   5 hours ago   1.92GB\n"
        "console says 640 MB for the same tag, why the difference?",
        "image-size-mismatch",
    ),
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
    assert set(en) == AskResult.__required_keys__ | {"topic"}
    assert en["refusal"] == {"kind": "documentation"}  # a pricing question: point to the docs
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


GOOD = """
[[topic]]
id = "helm"
title = { zh = "标题", en = "Title" }
phrasings = { zh = ["一"], en = ["one"] }
"""


@pytest.mark.parametrize(
    "text,field",
    [
        ("[[topic]\n", "(file): invalid TOML"),
        ("x = 1\n" + GOOD, "x: unknown field"),
        ("", "topic: missing"),
        (GOOD.replace(', en = "Title"', ""), "topic[0] (helm): title.en: missing (both zh and en are required)"),
        (
            GOOD.replace('id = "helm"', 'id = "Helm Charts"'),
            "topic[0] (Helm Charts): id: 'Helm Charts' is not kebab-case",
        ),
        (GOOD + GOOD, "topic[1] (helm): id: 'helm' is also used by topic[0]"),
        (
            GOOD.replace('phrasings = { zh = ["一"], en = ["one"] }', 'phrasings = { zh = [], en = ["one"] }'),
            "topic[0] (helm): phrasings.zh: must not be empty",
        ),
        (GOOD.replace("phrasings", "phrasing"), "topic[0] (helm): phrasing: unknown field"),
        (GOOD + 'hint = { zh = "见"}\n', "topic[0] (helm): hint.en: missing"),
        (GOOD + "keywords = { zh = [1], en = [] }\n", "topic[0] (helm): keywords.zh[0]: must be a non-empty string"),
        (GOOD + 'causes = "DAEMON_ERROR"\n', "topic[0] (helm): causes: must be a list of strings"),
        (GOOD + 'causes = ["daemon error"]\n', "topic[0] (helm): causes[0]: 'daemon error' is not a log cause code"),
        (GOOD + 'vendor = "yes"\n', "topic[0] (helm): vendor: must be true, false or a list of vendor names"),
        (GOOD + "vendor = []\n", "topic[0] (helm): vendor: must not be empty"),
        (GOOD + 'vendor = ["Harbor", ""]\n', "topic[0] (helm): vendor[1]: must be a non-empty string"),
    ],
)
def test_loader_names_file_and_field(tmp_path, text, field):
    p = _write(tmp_path, text)
    with pytest.raises(KnowledgeError) as exc:
        load_topics(p)
    msg = str(exc.value)
    assert msg.startswith(str(p) + ": ") and field in msg, msg


def test_loader_refuses_an_faq_id_and_a_missing_file(tmp_path):
    p = _write(tmp_path, GOOD.replace('id = "helm"', 'id = "login-failed"'))
    with pytest.raises(
        KnowledgeError, match=r"topic\[0\] \(login-failed\): id: 'login-failed' is also the id of an FAQ"
    ):
        load_topics(p, entry_ids=load_kb().by_id)
    with pytest.raises(KnowledgeError, match="not found"):
        load_topics(tmp_path / "nope.toml")


def test_topics_cache_is_keyed_by_content(tmp_path, monkeypatch):
    """Validated topics are cached; a changed file is parsed and validated again, never served stale."""
    monkeypatch.setenv("TCR_DOCTOR_CACHE_DIR", str(tmp_path / "cache"))
    p = _write(tmp_path, GOOD)
    assert load_topics(p).topics[0].phrasings["en"] == ("one",)
    assert load_topics(p).topics[0].phrasings["en"] == ("one",)  # from the cache
    assert len(list((tmp_path / "cache").glob("topics-*.marshal"))) == 1
    p.write_text(GOOD.replace('en = "Title"', 'en = ""'), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"title\.en: must not be empty"):
        load_topics(p)
    p.write_text(GOOD.replace('id = "helm"', 'id = "login-failed"'), encoding="utf-8")
    load_topics(p)  # cached under its own content; the FAQ-id check still runs on every load
    with pytest.raises(KnowledgeError, match="also the id of an FAQ entry"):
        load_topics(p, entry_ids=["login-failed"])


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


# Three more batches written in rounds (each measured before the topics were extended for its misses:
# 42/48, 35/42 and 31/40 refused; in scope 59 of 60 answered with the right entry). Regression guard.
MORE_NEAR_MISS = [
    "TCR 支持 chart museum 吗，helm 3 怎么对接",
    "推送新版本后能不能自动调用我们的 Jenkins 接口",
    "怎么防止开发把 v1.0.0 这种正式版本覆盖了",
    "old images pile up in TCR, any way to auto-expire them?",
    "删了很多镜像但是 COS 账单没降，怎么回收空间",
    "不用的企业版实例怎么注销",
    "标准版一年多少钱？有没有优惠",
    "How do I switch my registry from pay-as-you-go to a yearly plan?",
    "实例能从标准版升级到高级版吗，会不会丢数据",
    "基础版能开多少个内网访问链路",
    "can I point harbor.mycorp.com at my TCR instance with our own cert?",
    "命名空间建错名字了能改吗",
    "CI 里不想用个人账号推镜像，有没有类似 robot 的账号",
    "TCR 能不能扫描镜像里的 log4j 漏洞",
    "How can I enforce that only cosign-signed images get deployed from TCR?",
    "tccli 怎么列出所有仓库",
    "Terraform 的 tencentcloud_tcr_instance 怎么写",
    "能看到每个镜像被拉了多少次吗",
    "实例一直是 Deploying 状态",
    "单个镜像层最大能有多大",
    "Mac 上 docker desktop 启动不了",
    "docker build 报 failed to solve: failed to compute cache key",
    "用 distroless 做基础镜像有什么坑",
    "how to build an image for linux/arm64 on a github actions runner",
    "怎么把本地镜像导出成 tar 包拷到另一台机器",
    "docker run 的容器访问不了宿主机网络",
    "Harbor 的 GC 任务失败怎么办",
    "Docker Hub 团队版多少钱一个月",
    "如何从 Azure Container Registry 拉镜像",
    "K8s 的 VPA 和 HPA 能一起用吗",
    "节点 kubelet 报 PLEG is not healthy",
    "TKE 托管集群的 master 规格怎么选",
    "Service 类型 LoadBalancer 一直 pending",
    "Deployment 更新后新 pod 起不来，旧的也没了",
    "CVM 磁盘扩容后文件系统没变大",
    "COS 对象怎么设置公共读",
    "How do I route traffic between two VPCs in different accounts?",
    "CLS 日志保留多少天，怎么改",
    "CODING 里的 Git 仓库怎么迁移到 GitHub",
    "腾讯云账号怎么开通子用户 MFA",
    "云数据库 Redis 怎么扩容",
    "What's the difference between a Go interface and a struct?",
    "帮我看下这段 SQL 为什么慢",
    "你好，在吗",
    "can you write me a bash one-liner to find large files",
    "pvc 绑定不上一直 Pending",
    "Prometheus 怎么采集 TKE 的 kubelet 指标",
    "域名备案需要什么材料",
    "我们想在 TCR 里放 helm 包，然后 argo cd 从这里拉，能行吗",
    "镜像 push 完想自动发个钉钉消息给测试同学",
    "is there a setting so a tag like 1.4.2 can never be pushed twice",
    "想每周自动清掉 30 天前的 snapshot 版本",
    "registry storage keeps growing even after deleting tags, how to shrink it",
    "I want to cancel my TCR subscription and get a refund",
    "高级版和标准版价格差多少",
    "企业版快到期了，续费入口在哪",
    "standard 版本命名空间上限是多少个",
    "实例域名想换个名字，现在这个太长了",
    "how do I delete a namespace that still has repos in it",
    "流水线推镜像用哪种账号最合适，不想用主账号的密码",
    "TCR 有没有镜像漏洞扫描报告导出",
    "镜像签名验证失败导致不能部署",
    "用 Python SDK 查询某个仓库下所有 tag",
    "谁在凌晨推了一个 latest，有审计记录吗",
    "TCR 实例显示 Unhealthy 是什么原因",
    "推 20G 的大模型镜像会不会有大小限制",
    "WSL2 里怎么装 docker",
    "Dockerfile 里 ARG 和 ENV 有什么区别",
    "docker buildx bake 怎么用",
    "docker images 里一堆 <none> 镜像怎么删",
    "docker compose up 之后服务之间互相访问不通",
    "自建 harbor 的 admin 密码忘了",
    "docker hub 上的私有仓库怎么共享给同事",
    "GitHub Container Registry 的 token 怎么生成",
    "HPA 的 targetCPUUtilizationPercentage 设多少合适",
    "节点上 containerd 占了 100G 磁盘，怎么让 kubelet 早点回收镜像",
    "TKE 集群怎么开启 IPVS",
    "ingress 的 https 证书怎么配",
    "pod 内存超限被 OOMKilled",
    "CVM 的安全组怎么放行 443 端口",
    "COS bucket 的跨域 CORS 怎么配置",
    "云联网跨境带宽怎么买",
    "CLS 告警怎么推到企业微信",
    "CODING 的制品仓库和 TCR 有什么关系，能不能二选一",
    "发票抬头开错了能重开吗",
    "Rust 的所有权机制怎么理解",
    "帮我翻译一段英文",
    "what's the weather like in Singapore",
    "TKE 里怎么给 pod 挂 CFS",
    "npm install 太慢有国内镜像吗",
    "TCR 企业版支持 Windows 容器镜像吗",
    "镜像能不能跨主账号共享给合作方",
    "can TCR encrypt image layers at rest with my own KMS key",
    "TKE 节点上怎么提前预热镜像",
    "Helm chart 的版本号能删除吗",
    "企业版实例支持多少并发推送",
    "TCR 控制台上怎么给仓库写 README 描述",
    "how do I copy one image from namespace a to namespace b inside the same instance",
    "skopeo copy 的用法",
    "crane 和 skopeo 哪个好用",
    "k8s 里的 DaemonSet 是干嘛的",
    "kubectl logs 看不到日志",
    "EKS 超级节点上 pod 怎么挂载 GPU",
    "Argo CD 部署失败 ComparisonError",
    "Jenkins pipeline 怎么写 docker build and push 步骤",
    "GitLab CI 用 kaniko 构建镜像",
    "how to set resource requests and limits for a pod",
    "CVM 实例怎么做快照备份",
    "怎么给云服务器挂载新的数据盘",
    "COS 上传大文件分片上传失败",
    "对等连接和云联网选哪个",
    "负载均衡 CLB 健康检查失败",
    "腾讯云的代金券能抵扣 TCR 费用吗",
    "怎么升级腾讯云账号的企业认证",
    "CODING 的项目怎么删除",
    "CODING 团队怎么邀请新成员",
    "Harbor 和 TCR 企业版功能上差在哪",
    "docker hub 的官方镜像和 verified publisher 有啥区别",
    "podman 和 docker 命令兼容吗",
    "containerd 怎么查看本地镜像",
    "What's a good base image for a Python web app?",
    "docker logs 太大把磁盘写满了",
    "How do I limit a container's memory with docker run?",
    "TCR 企业版有没有 Terraform 导入已有实例的方法",
    "操作日志里看不到 pull 记录",
    "企业版的高级版支持几个复制地域",
    "Vue 项目打包后白屏",
    "Linux 怎么查看端口占用",
    "周末有值班的技术支持吗",
    "please summarize the Kubernetes release notes for 1.30",
]

MORE_IN_SCOPE = [
    ("个人版和企业版的价格对比", "personal-vs-enterprise"),
    ("我个人版能建几个仓库，满了怎么办", "personal-quota"),
    ("以前个人版的构建规则现在在哪配置", "personal-build-triggers-retired"),
    ("push succeeded on ccr but the repo list doesn't show it, bug?", "personal-pushed-image-missing"),
    ("个人版镜像搬到企业版有工具吗", "migrate-personal-to-enterprise"),
    ("why can't I use 'my_registry' as the instance name", "instance-name-rejected"),
    ("企业版实例 docker login 总提示密码错误", "login-failed"),
    ("集群里的 pod 拉 TCR 镜像不想每个命名空间都建 secret", "cluster-pull-without-secret"),
    ("kubelet 报 401 Unauthorized 拉企业版镜像", "unauthorized-authentication-required"),
    ("删一个版本会把同 digest 的其他版本也删掉吗", "delete-image-tag"),
    ("CAM 策略怎么写才能让子账号只拉某个仓库", "restrict-access-namespace-repo"),
    ("从外网拉镜像要交多少流量费", "network-traffic-billing"),
    ("nslookup 出来是 10 开头的是不是就是内网", "internal-or-public-network"),
    ("CODING 账号密码输错太多次被锁", "coding-account-locked"),
    ("源码构建找不到 Dockerfile", "dockerfile-path-build-dir"),
    ("海外的 gcr 镜像拉不下来有加速吗", "image-acceleration"),
    ("同步和复制哪个更适合跨地域容灾", "sync-vs-replication"),
    ("节点上镜像比仓库里大三倍", "image-size-mismatch"),
    ("国际站有没有 TCR 的所有功能", "international-unsupported-features"),
    ("金融云地域在创建实例的时候选不了", "finance-zone-missing"),
    ("个人版 企业版 哪个适合小团队", "personal-vs-enterprise"),
    ("free personal registry: how many namespaces max?", "personal-quota"),
    ("personal edition build triggers disappeared, what replaced them?", "personal-build-triggers-retired"),
    ("个人版推上去的镜像找不到了，过了半小时还没有", "personal-pushed-image-missing"),
    ("从 ccr.ccs.tencentyun.com 迁到企业版要怎么操作", "migrate-personal-to-enterprise"),
    ("建实例提示名字被占用了，但是我没建过", "instance-name-rejected"),
    ("docker login xxx.tencentcloudcr.com 一直 timeout", "login-failed"),
    ("TKE 不配置 imagePullSecrets 直接拉企业版镜像可以吗", "cluster-pull-without-secret"),
    (
        "Error response from daemon: unauthorized: authentication required 推送时报这个",
        "unauthorized-authentication-required",
    ),
    ("I deleted tag v2 and tag stable disappeared too", "delete-image-tag"),
    ("只让某个子账号看到一个命名空间", "restrict-access-namespace-repo"),
    ("同地域内网拉镜像免费吗", "network-traffic-billing"),
    ("how do I verify my nodes pull over the private network", "internal-or-public-network"),
    ("coding devops 账户被锁定怎么办", "coding-account-locked"),
    ("源码构建的构建目录填什么", "dockerfile-path-build-dir"),
    ("大镜像拉取很慢，TCR 有按需加载吗", "image-acceleration"),
    ("实例同步 vs 实例复制 区别", "sync-vs-replication"),
    ("docker images 显示的大小和控制台不一样", "image-size-mismatch"),
    ("国际站 TCR 缺哪些功能", "international-unsupported-features"),
    ("怎么申请金融区", "finance-zone-missing"),
    ("个人版能不能给别人只读权限", "restrict-access-namespace-repo"),
    ("personal vs enterprise: which has an SLA?", "personal-vs-enterprise"),
    ("CCR 个人版 仓库数量 上限", "personal-quota"),
    ("TCR 个人版的触发器没有了", "personal-build-triggers-retired"),
    ("image pushed fine but not listed in the personal edition console", "personal-pushed-image-missing"),
    ("can I upgrade my personal registry to enterprise and keep the images", "migrate-personal-to-enterprise"),
    ("实例名称只能用小写吗", "instance-name-rejected"),
    ("login to the enterprise instance fails with the temporary password from yesterday", "login-failed"),
    ("TKE 集群免密拉 TCR 企业版镜像的插件叫什么", "cluster-pull-without-secret"),
    ("pull 镜像时提示 authentication required", "unauthorized-authentication-required"),
    ("删除镜像版本的注意事项", "delete-image-tag"),
    ("pulling over the public internet costs money?", "network-traffic-billing"),
    ("VPC 里访问 TCR 默认走内网吗", "internal-or-public-network"),
    ("CODING 账户锁定", "coding-account-locked"),
    ("源码构建 Dockerfile 路径", "dockerfile-path-build-dir"),
    ("镜像加速有哪几种方式", "image-acceleration"),
    ("instance replication only on premium?", "sync-vs-replication"),
    ("镜像大小 节点 仓库 不一致", "image-size-mismatch"),
    ("international site TCR limitations", "international-unsupported-features"),
    ("why no finance region when creating an instance", "finance-zone-missing"),
]


def test_more_near_misses_refused():
    answered = [q for q in MORE_NEAR_MISS if knowledge.ask(q)["matched"]]
    assert len(answered) <= 0.08 * len(MORE_NEAR_MISS), answered  # measured: 4 of 130 answered


def test_more_in_scope_answered():
    wrong = [(q, want) for q, want in MORE_IN_SCOPE if (knowledge.ask(q)["answer"] or {}).get("id") != want]
    assert len(wrong) <= 2, wrong  # measured: 1 of 60 (a login failure answered by the unauthorized entry)


# ---------------------------------------------------------------- facets (docs/matching.md, "Facets")

# Sub-aspects of documented subjects: the entry's words match, but it does not answer what is asked
# (question, the facet that speaks against the entry that would otherwise answer).
FACET_NEAR_MISS = [
    ("How do I get rid of a whole namespace including its repositories?", "delete-image-tag"),  # deletes a namespace
    ("删除整个镜像仓库要怎么操作", "delete-image-tag"),
    ("Can I bring back a tag somebody deleted by accident?", "delete-image-tag"),  # restore
    ("哪个同事删了我们的镜像版本，能查到吗", "delete-image-tag"),  # who
    ("仓库名称可以包含大写字母和下划线吗", "instance-name-rejected"),  # repository name
    ("What are the rules for namespace names?", "instance-name-rejected"),
    ("CODING 的登录密码忘了，怎么重置", "coding-account-locked"),  # reset password
    ("腾讯云主账号被冻结了，找谁解冻", "coding-account-locked"),  # cloud account
    ("公网下载镜像每 GB 多少钱", "network-traffic-billing"),  # price (an amount)
    ("How do I make our Python image smaller?", "image-size-mismatch"),  # shrink
    ("怎么关掉实例的匿名访问", "cluster-pull-without-secret"),  # disable
    ("国际站账户怎么充值", "international-unsupported-features"),  # recharge
    ("我们自建的 Harbor 能整体迁移到企业版吗", "migrate-personal-to-enterprise"),  # another registry
    (
        'Error response from daemon: Get "https://10.8.0.4:5000/v2/": x509: certificate signed by unknown authority',
        "login-failed",
    ),  # a self-hosted host
    (
        "$ docker pull quay.io/acme/tool:1\nunauthorized: authentication required",
        "unauthorized-authentication-required",
    ),
    ("How can I delete old tags in bulk through the TCR API?", "delete-image-tag"),  # API, not console
    ("CODING 账号被锁以后多久能自动解开", "coding-account-locked"),  # how long: no duration given
]

# Their in-scope neighbours, in our own words: the same facets where the entry does answer.
FACET_IN_SCOPE = [
    ("删除一个 tag 会不会连带删除别的 tag", "delete-image-tag"),
    ("How do I delete an old version of an image from a repository?", "delete-image-tag"),
    ("实例名称可以包含大写字母吗", "instance-name-rejected"),
    ("CODING 账号密码输错被锁了找谁", "coding-account-locked"),
    ("公网下载镜像怎么收费", "network-traffic-billing"),
    ("个人版最多能建多少个命名空间", "personal-quota"),
    ("why is the image smaller in the registry than on my node", "image-size-mismatch"),
    (
        "$ docker pull team.tencentcloudcr.com/web/api:3\nunauthorized: authentication required",
        "unauthorized-authentication-required",
    ),
    ("docker login team.tencentcloudcr.com: x509: certificate signed by unknown authority", "login-failed"),
    ("Pulling from gcr.io on TKE nodes is slow, can TCR speed it up?", "image-acceleration"),
    ("tccli 报 UnauthorizedOperation，子账号怎么只给一个仓库的权限", "restrict-access-namespace-repo"),  # declared api
    (
        "pushed team/blog-api:2 to ccr.ccs.tencentyun.com but the personal console never lists it",
        "personal-pushed-image-missing",
    ),
    ("临时访问凭证多久过期", "unauthorized-authentication-required"),  # declared duration (the 1-hour validity)
    # two questions, one of them answered: the unanswered "how long" does not demote the entry
    ("CODING 账号锁了，多久能自动解开？还是要找管理员？", "coding-account-locked"),
]


@pytest.mark.parametrize("q,entry", FACET_NEAR_MISS)
def test_facet_mismatch_is_refused(q, entry):
    res = knowledge.ask(q)
    assert res["status"] == "no_answer" and res["answer"] is None, (res["answer"], res["alternatives"])


@pytest.mark.parametrize("q,entry", FACET_IN_SCOPE)
def test_facet_neighbours_still_answered(q, entry):
    res = knowledge.ask(q)
    assert res["matched"] and res["answer"]["id"] == entry, (res["answer"], res.get("topic"))


def test_facets_are_what_refuses_them(monkeypatch):
    """Ablation: without the facet penalty most of these near misses would be answered by the entry named."""
    monkeypatch.setattr(M, "FACET_PENALTY", 1.0)
    monkeypatch.setattr(M, "FACET_PENALTY_BY", {})
    answered = [q for q, entry in FACET_NEAR_MISS if (knowledge.ask(q)["answer"] or {}).get("id") == entry]
    assert len(answered) >= 0.6 * len(FACET_NEAR_MISS), answered


def test_facet_mismatch_demotes_rather_than_hides():
    """A demoted entry keeps its rank (an alternative may still list it); a better-fitting entry can win instead."""
    kb, m = knowledge.get_matcher()
    sc = m.facets.scan("How do I get rid of a whole namespace including its repositories?")
    assert m.facet_mismatch(sc, kb.by_id["delete-image-tag"].number - 1) == "object-of-delete:namespace"
    sc = m.facets.scan("仓库名称可以包含大写字母和下划线吗")
    assert m.facet_mismatch(sc, kb.by_id["instance-name-rejected"].number - 1) == "name:repository-name"
    sc = m.facets.scan("公网下载镜像每 GB 多少钱")
    assert m.facet_mismatch(sc, kb.by_id["network-traffic-billing"].number - 1) == "action:price"
    sc = m.facets.scan("公网下载镜像怎么收费")
    assert m.facet_mismatch(sc, kb.by_id["network-traffic-billing"].number - 1) is None


# Batch 5, written after the facets existed and measured before anything was changed for it: 31/40 near misses
# refused, 22/22 in scope right (docs/matching.md). Regression guard; now 35/40.
BATCH5_NEAR_MISS = [
    "企业版标准版的 SLA 是几个 9",
    "How much does the premium edition cost per month compared to basic?",
    "企业版有没有免费试用",
    "Can I downgrade my instance from premium to standard?",
    "How long are personal edition images kept if nobody pulls them?",
    "Can I migrate images from Alibaba Cloud ACR into a TCR enterprise instance?",
    "企业版实例能从广州迁移到北京吗",
    "命名空间名称能包含大写字母吗",
    "What's the maximum length of a tag name?",
    "镜像仓库名能用中文吗",
    "ssh 登录云服务器一直超时",
    "docker login 成功之后凭证保存在哪个文件里",
    "How do I disable the TCR add-on in my TKE cluster?",
    "Which TKE versions support the TCR add-on?",
    "unauthorized: authentication required when pushing to our Nexus at nexus.corp.example:8443/app/api:2.0",
    "Can I undo deleting a namespace?",
    "谁把我们 prod 的镜像标签删了，能查到吗",
    "How do I delete a namespace together with all its repositories?",
    "删除整个命名空间会不会影响别的命名空间",
    "公网下行流量每 GB 单价是多少",
    "How much is it per GB to pull images over the internet?",
    "内网访问链路最多能建几个",
    "CODING 密码忘了怎么找回",
    "腾讯云账号被锁定了怎么办",
    "P2P 加速插件收费吗",
    "How do I turn off on-demand loading for one workload?",
    "实例同步规则能不能只同步某几个命名空间，怎么配",
    "How do I remove a replica region from instance replication?",
    "怎么把 Java 镜像的体积减小",
    "国际站账号怎么充值余额",
    "Can I move my China-site TCR instance to the international site?",
    "金融区的实例比普通地域贵多少",
    'Error response from daemon: Get "https://registry.internal.lan/v2/": x509: certificate signed by unknown authority',
    "$ docker push ghcr.io/acme/app:1.0\nunauthorized: authentication required",
    'Error response from daemon: Get "http://192.168.1.20:5000/v2/": dial tcp 192.168.1.20:5000: connect: connection refused',
    "How can I recover an image I deleted yesterday?",
    "What percentage uptime does TCR enterprise guarantee?",
    "How do I rename a repository in TCR?",
    "个人版的仓库能改名吗",
    "Who pushed the latest tag to our repo this morning?",
]

BATCH5_IN_SCOPE = [
    ("个人版和企业版哪个有 SLA 保障", "personal-vs-enterprise"),
    ("CCR 免费版最多多少个命名空间", "personal-quota"),
    ("企业版实例起名字有什么规则", "instance-name-rejected"),
    ("删除一个镜像版本后同 digest 的其他版本还在吗", "delete-image-tag"),
    ("x509: certificate signed by unknown authority when I docker login to acme.tencentcloudcr.com", "login-failed"),
    (
        "docker pull ccr.ccs.tencentyun.com/ns/app 报 unauthorized: authentication required",
        "unauthorized-authentication-required",
    ),
    ("怎么删除 TCR 里的某个 tag", "delete-image-tag"),
    ("why does docker images show a bigger size than TCR shows", "image-size-mismatch"),
    ("同步和复制我该用哪个", "sync-vs-replication"),
    ("国际站不支持哪些功能", "international-unsupported-features"),
    ("TKE 拉 TCR 镜像免密插件怎么装", "cluster-pull-without-secret"),
    ("个人版迁移企业版怎么操作", "migrate-personal-to-enterprise"),
    ("推送到个人版后 tag 列表为空", "personal-pushed-image-missing"),
    ("只给子账号某个仓库的只读权限", "restrict-access-namespace-repo"),
    ("怎么看节点拉镜像走没走内网", "internal-or-public-network"),
    ("源码构建 Dockerfile 不在根目录怎么填", "dockerfile-path-build-dir"),
    ("大镜像拉取慢怎么加速", "image-acceleration"),
    ("创建实例时地域列表里没有金融区", "finance-zone-missing"),
    ("个人版不能自动构建了吗", "personal-build-triggers-retired"),
    ("CODING 账号输错密码几次就被锁了", "coding-account-locked"),
    ("how is pulling images over the public network billed", "network-traffic-billing"),
    ("can I delete just one version of my image without touching the others", "delete-image-tag"),
]


def test_batch5_near_misses_refused():
    answered = [q for q in BATCH5_NEAR_MISS if knowledge.ask(q)["matched"]]
    assert len(answered) <= 5, answered  # measured: 5 of 40 answered


def test_batch5_in_scope_answered():
    wrong = [(q, want) for q, want in BATCH5_IN_SCOPE if (knowledge.ask(q)["answer"] or {}).get("id") != want]
    assert not wrong, wrong


# Batch 6, written after batch 5 to probe deeper sub-aspects (yes/no details about a documented object: "does
# migrating change my digests?", "can a public namespace be pulled from outside Tencent Cloud?"). First
# measurement, before any change for it: 7/40 refused (the code before facets: 5/40), 20/20 in scope right.
# Most of these carry no facet word at all; this is the measured limit of the lexical method
# (docs/matching.md, "Known weaknesses"). Regression guard; 10/40 after the duration facet, then 19/40 after
# actions read from its misses (export, extend, log out, revoke, protect, schedule, cross-account): tuned on.
BATCH6_NEAR_MISS = [
    "个人版和企业版的数据是存在同一个 COS 桶里吗",
    "Does the enterprise edition come with a dedicated support engineer?",
    "个人版配额用满以后，旧镜像会被自动清掉吗",
    "What happens to my personal edition namespaces if my account is overdue?",
    "个人版原来的构建记录还能导出吗",
    "After the build feature was retired, where can I see my old build logs?",
    "迁移到企业版的过程中，旧地址还能继续拉镜像吗",
    "Does migrating to enterprise change my image digests?",
    "实例创建好之后还能改名字吗",
    "Can two instances in different regions share the same name?",
    "docker login 的临时密码能不能延长有效期到一天",
    "How do I log out of a registry with docker?",
    "TCR 插件装好后，怎么确认节点真的没用 secret 在拉",
    "Can a public namespace be pulled from outside Tencent Cloud without login?",
    "How do I revoke a long-term access credential?",
    "删除镜像版本后存储空间多久释放",
    "Can I protect a tag from being deleted?",
    "子账号的 CAM 策略改了以后多久生效",
    "How do I see which sub-accounts have access to a namespace?",
    "流量费是按天结算还是按月结算",
    "Is there a free monthly traffic allowance for public pulls?",
    "怎么查看这个月公网拉镜像用了多少流量",
    "How do I add a private network access link for a second VPC?",
    "CODING 团队管理员离职了，怎么转移管理员",
    "How do I enable two-factor authentication on CODING?",
    "源码构建支持 GitLab 私有部署的代码仓库吗",
    "Can the source build run unit tests before building the image?",
    "镜像加速能加速 helm chart 的下载吗",
    "Does on-demand loading work with Windows nodes?",
    "P2P 加速对节点有什么资源要求",
    "实例复制的延迟一般是多少秒",
    "Can replication go across Tencent Cloud accounts?",
    "How do I check the total storage used by my instance?",
    "镜像层能不能去重节省空间",
    "国际站的控制台语言怎么切换成中文",
    "金融区的实例能和普通地域做实例同步吗",
    "Error response from daemon: pull access denied for myharbor.example.org/base/jdk, repository does not exist or may require 'docker login'",
    "个人版能不能开启镜像安全扫描",
    "Can I schedule a sync to run only at night?",
    "How do I export all images of a namespace as tar files?",
]

BATCH6_IN_SCOPE = [
    ("我一个人用，个人版够不够，跟企业版比少了什么", "personal-vs-enterprise"),
    ("个人版一个地域能建几个命名空间", "personal-quota"),
    ("个人版那个触发器功能去哪了", "personal-build-triggers-retired"),
    ("push 到 ccr 成功了但是列表里没有", "personal-pushed-image-missing"),
    ("想从个人版换到企业版，数据能带过去吗", "migrate-personal-to-enterprise"),
    ("实例名 abc 提示不可用", "instance-name-rejected"),
    ("docker login 企业版实例一直失败，用的是控制台复制的命令", "login-failed"),
    ("k8s 拉企业版镜像不想建 imagePullSecrets", "cluster-pull-without-secret"),
    ("docker pull 报 unauthorized: authentication required", "unauthorized-authentication-required"),
    ("删 tag 的时候相同 digest 的会一起删吗", "delete-image-tag"),
    ("如何只让某个子账号推某个仓库", "restrict-access-namespace-repo"),
    ("公网拉取镜像要收费吗", "network-traffic-billing"),
    ("我怎么知道是走内网还是公网拉的镜像", "internal-or-public-network"),
    ("coding 账号被锁定了", "coding-account-locked"),
    ("源码构建的 Dockerfile 路径怎么填", "dockerfile-path-build-dir"),
    ("拉镜像太慢有什么加速办法", "image-acceleration"),
    ("实例同步和实例复制有什么不一样", "sync-vs-replication"),
    ("为什么节点上镜像比控制台大", "image-size-mismatch"),
    ("国际版少了哪些功能", "international-unsupported-features"),
    ("创建实例选不到金融区", "finance-zone-missing"),
]


def test_batch6_measured_limit():
    refused = [q for q in BATCH6_NEAR_MISS if not knowledge.ask(q)["matched"]]
    assert len(refused) >= 19, len(refused)  # measured: 10 of 40 refused, 19 after the batch-6 vocabulary


def test_batch6_in_scope_answered():
    wrong = [(q, want) for q, want in BATCH6_IN_SCOPE if (knowledge.ask(q)["answer"] or {}).get("id") != want]
    assert not wrong, wrong


# Batch 7, written last in the facets round (after batch 6's vocabulary), measured before any change for it:
# 14/30 refused (the code before facets: 11/30), 15/15 in scope right. Then four general fixes read from its
# misses (payment / compensation / refund are billing; rotate revokes; registry error codes such as
# "blob upload unknown" are other-error; names are taken before overlapping objects): 18/30. Regression guard.
BATCH7_NEAR_MISS = [
    "个人版的镜像会不会被腾讯云扫描内容",
    "How do I move a repository from one namespace to another?",
    "命名空间可以改成私有之后再改回公开吗",
    "企业版实例到期没续费，镜像会保留多久",
    "Is pulling from TCR within the same region faster than cross-region?",
    "TCR 支持 IPv6 访问吗",
    "docker login 的时候能不能用子账号的 SecretId 直接登",
    "Which ports need to be open in the security group to reach my TCR instance?",
    "企业版能不能只允许某几个公网 IP 访问",
    "How do I rotate the long-term credential used by our CI?",
    "删除命名空间以后，同名命名空间多久可以重新创建",
    "Does deleting an image version free up the storage quota immediately?",
    "Why does my pod pull the image every time even though it is cached on the node?",
    "镜像拉取走内网的话，需要在 hosts 里写什么",
    "How do I set up a pull-through cache for Docker Hub in TCR?",
    "CODING 账号能绑定多个腾讯云账号吗",
    "源码构建的镜像 tag 命名规则能自定义吗",
    "P2P 加速和按需加载能同时开吗",
    "实例复制能复制到海外地域吗",
    "国际站的 TCR 能不能用人民币付款",
    "金融区的 TCR 实例能开公网访问吗",
    'Error: failed to do request: Head "https://registry.gitlab.com/v2/acme/app/manifests/1.0": dial tcp 35.227.35.254:443: i/o timeout',
    "Can I see a download count per image in the console?",
    "企业版的 SLA 赔偿怎么申请",
    "镜像太大推不上去，提示 blob upload unknown",
    "How do I configure Docker to use TCR as a registry mirror?",
    "TKE 节点上 crictl pull 很慢，是不是应该升级 containerd 版本",
    "企业版实例的内网访问能不能跨 VPC",
    "个人版的镜像能设置成私有吗",
    "How long does it take for a newly created enterprise instance to become available?",
]

BATCH7_IN_SCOPE = [
    ("个人版和企业版稳定性上差多少", "personal-vs-enterprise"),
    ("ccr 个人版命名空间满了建不了新的", "personal-quota"),
    ("为什么个人版不能自动构建镜像了", "personal-build-triggers-retired"),
    ("个人版 push 完显示成功但是找不到镜像", "personal-pushed-image-missing"),
    ("个人版能迁到企业版吗", "migrate-personal-to-enterprise"),
    ("实例名称为什么提示已被占用", "instance-name-rejected"),
    ("登录企业版实例失败怎么排查", "login-failed"),
    ("TKE 集群免密拉取企业版镜像", "cluster-pull-without-secret"),
    ("push 镜像时报 authentication required", "unauthorized-authentication-required"),
    ("删除某个镜像版本要注意什么", "delete-image-tag"),
    ("怎么让子账号只能访问某个命名空间", "restrict-access-namespace-repo"),
    ("镜像公网下载收费吗", "network-traffic-billing"),
    ("节点拉镜像怎么确认走的是内网", "internal-or-public-network"),
    ("CODING 账号为什么被锁", "coding-account-locked"),
    ("镜像大小在节点和仓库显示不一致", "image-size-mismatch"),
]


def test_batch7_measured():
    refused = [q for q in BATCH7_NEAR_MISS if not knowledge.ask(q)["matched"]]
    assert len(refused) >= 18, len(refused)


def test_batch7_in_scope_answered():
    wrong = [(q, want) for q, want in BATCH7_IN_SCOPE if (knowledge.ask(q)["answer"] or {}).get("id") != want]
    assert not wrong, wrong


# Batch 8, written at the end of the facets round in the style of the evaluation sets (30 near misses, 10 out of
# domain, 20 in scope of mixed kinds) and NOT tuned on: the clean estimate for a new set. Measured: 31/40 refused
# (near misses 21/30, out of domain 10/10; the code before facets: 23/40), 19/20 in scope right (the same
# question is missed before the facets: "把 v1 删了以后发现 v1-hotfix 也没了"). Regression guard.
BATCH8_OUT_OF_SCOPE = [
    "企业版标准版和高级版的命名空间配额分别是多少",
    "How do I change the access level of a namespace from public to private?",
    "TCR 企业版支持镜像多架构 manifest list 吗",
    "Can I use my own KMS key to encrypt images stored in TCR?",
    "TKE 集群里怎么批量把镜像地址从个人版换成企业版",
    "docker login 成功后 ~/.docker/config.json 里的 auth 字段是什么格式",
    "How do I find out which nodes have pulled a specific image?",
    "实例删除后域名多久能被别人重新注册",
    "Where do I download last month's TCR invoice?",
    "企业版能不能设置镜像只读，禁止任何人 push",
    "How do I copy a tag to a new name without pulling the image?",
    "个人版镜像仓库的描述信息怎么修改",
    "镜像同步到另一个实例失败了，失败的任务能重试吗",
    "Can I limit how many images a sub-account can push per day?",
    "TCR 的内网接入点能绑定到 CCN 上吗",
    "How do I check whether my image has the vulnerability CVE-2021-44228?",
    "CODING 的制品库和 TCR 个人版有什么区别",
    "源码构建能用私有的 base 镜像吗，需要配置什么凭证",
    "Error: INSTALLATION FAILED: failed to fetch https://charts.example.com/index.yaml : 404 Not Found",
    '$ docker push 192.168.10.5:5000/team/api:1.0\nGet "https://192.168.10.5:5000/v2/": http: server gave HTTP response to HTTPS client',
    "镜像加速插件会不会影响节点上已有的镜像",
    "按需加载需要的镜像格式转换怎么做",
    "国际站和国内站的 TCR 价格一样吗",
    "金融区的 TCR 实例可以和普通地域的 TKE 集群内网互通吗",
    "What is the maximum number of tags per repository in the enterprise edition?",
    "企业版的镜像删除后能在回收站找到吗",
    "How do I enable content trust / notary for pushes to TCR?",
    "实例复制会不会复制 helm chart",
    "个人版能绑定自定义域名吗",
    "How do I audit who pulled an image from our registry?",
    "What's a good laptop for programming?",
    "微信小程序怎么申请上线",
    "帮我写一个正则匹配邮箱",
    "How do I reset the root password on an Ubuntu server?",
    "腾讯会议怎么共享屏幕",
    "What's the difference between TCP and UDP?",
    "MySQL 主从延迟怎么排查",
    "How to center a div in CSS?",
    "给我讲个笑话",
    "Kafka 消费者组 rebalance 太频繁",
]

BATCH8_IN_SCOPE = [
    ("企业版和个人版在安全性上有什么不同", "personal-vs-enterprise"),
    ("personal edition: how many repos can I have in one region", "personal-quota"),
    ("个人版触发器没了，现在要自动构建该用什么", "personal-build-triggers-retired"),
    (
        "I pushed to ccr.ccs.tencentyun.com and it said pushed, but the console shows no tag",
        "personal-pushed-image-missing",
    ),
    ("个人版的镜像怎么整体搬到企业版", "migrate-personal-to-enterprise"),
    ("Why is 'my-Registry' not accepted as an instance name?", "instance-name-rejected"),
    ("docker login xxx.tencentcloudcr.com 报 x509: certificate signed by unknown authority", "login-failed"),
    ("TKE 用插件免密拉企业版镜像怎么配", "cluster-pull-without-secret"),
    ("podman pull 报 unauthorized: authentication required", "unauthorized-authentication-required"),
    ("把 v1 删了以后发现 v1-hotfix 也没了", "delete-image-tag"),
    ("How can I give a teammate pull-only access to one namespace?", "restrict-access-namespace-repo"),
    ("内网推拉镜像会产生流量费吗", "network-traffic-billing"),
    ("解析 TCR 域名得到 10.x 的地址，说明走内网了吗", "internal-or-public-network"),
    ("CODING 账号提示已被锁定", "coding-account-locked"),
    ("源码构建：Dockerfile 在子目录，构建目录要怎么填", "dockerfile-path-build-dir"),
    ("镜像很大，节点拉取慢，TCR 有什么加速能力", "image-acceleration"),
    ("跨地域的话用实例同步还是实例复制", "sync-vs-replication"),
    ("docker images 显示 1.2GB，控制台只显示 400MB", "image-size-mismatch"),
    ("国际站控制台为什么没有 CODING DevOps", "international-unsupported-features"),
    ("金融区的地域为什么在创建实例页面选不了", "finance-zone-missing"),
]


def test_batch8_untuned_estimate():
    refused = [q for q in BATCH8_OUT_OF_SCOPE if not knowledge.ask(q)["matched"]]
    assert len(refused) >= 31, len(refused)
    right = [q for q, want in BATCH8_IN_SCOPE if (knowledge.ask(q)["answer"] or {}).get("id") == want]
    assert len(right) >= 19, len(right)


# The "not covered" topic beside a pasted log (qa8): 224 of 357 "Local docker build errors" hints were on posts
# with no build, and a TCR `manifest unknown` got "Other vendors' registries". When the log reader names a cause the
# topic agrees with it or is not shown; a topic about other vendors' registries needs one named. -> (text, topic or
# None). Written for this test.
TOPIC_BESIDE_A_LOG = [
    (
        "docker pull ccr.ccs.tencentyun.com/team/app:v2\nError response from daemon: manifest for "
        "ccr.ccs.tencentyun.com/team/app:v2 not found: manifest unknown: manifest unknown",
        None,
    ),
    (
        "$ docker pull ccr.ccs.tencentyun.com/team/app:v2\nError response from daemon: Get "
        '"https://ccr.ccs.tencentyun.com/v2/": dial tcp: lookup ccr.ccs.tencentyun.com on 127.0.0.53:53: no such host',
        None,
    ),
    (
        'docker run hello-world\nUnable to find image "hello-world:latest" locally\ndocker: Error response from '
        'daemon: Get "https://registry-1.docker.io/v2/": net/http: TLS handshake timeout.',
        None,
    ),
    # agreeing topics stay
    (
        "docker pull nginx\nError response from daemon: toomanyrequests: You have reached your pull rate limit. You "
        "may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit",
        "docker-hub",
    ),
    ("How do I migrate images from AWS ECR to TCR?", "other-registries"),
    # a vendor topic where no vendor is named
    ("怎么看某个镜像一共被拉取了多少次", None),
]


@pytest.mark.parametrize("q,topic", TOPIC_BESIDE_A_LOG)
def test_the_topic_beside_a_log_agrees_with_the_logs_cause(q, topic):
    res = knowledge.ask(q)
    assert not res["matched"], res["answer"]
    assert (res.get("topic") or {}).get("id") == topic, (res.get("topic"), res["log"] and res["log"]["cause"])


# A vendor topic is for the vendor it is about (tidy9's left item): a Docker Hub pull with an untrusted
# certificate got "Running a self-hosted Harbor", a ghcr.io rate limit "Docker Hub accounts, plans and rate limits".
# -> (text, topic or None). Written for this test.
VENDOR_TOPIC_FOR_THE_VENDOR_NAMED = [
    (
        "docker pull 报错：Get https://registry-1.docker.io/v2/: x509: certificate signed by unknown authority，"
        "要不要给 docker 配置自签证书？",
        None,
    ),
    (
        "docker login to Docker Hub: Error response from daemon: Get https://registry-1.docker.io/v2/: x509: "
        "certificate signed by unknown authority. How do I add a self-signed CA?",
        None,
    ),
    ("docker pull ghcr.io/acme/web:2.1\nError response from daemon: toomanyrequests: rate limit exceeded", None),
    # the vendor named keeps its topic
    (
        "Our self-hosted Harbor: docker login harbor.example.com\nError response from daemon: Get "
        '"https://harbor.example.com/v2/": x509: certificate signed by unknown authority',
        "harbor-admin",
    ),
    (
        "docker pull nginx\nError response from daemon: toomanyrequests: You have reached your pull rate limit. You "
        "may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit",
        "docker-hub",
    ),
    ("How do I migrate images from AWS ECR to TCR?", "other-registries"),
]


@pytest.mark.parametrize("q,topic", VENDOR_TOPIC_FOR_THE_VENDOR_NAMED)
def test_a_vendor_topic_is_shown_for_the_vendor_it_is_about(q, topic):
    res = knowledge.ask(q)
    assert (res.get("topic") or {}).get("id") == topic, (res.get("topic"), res["refusal"])


def test_every_vendor_a_topic_names_is_one_the_reader_names():
    """A topic's `vendor = [...]` names vendors as knowledge.dialogue reads them (a misspelt one never matches)."""
    from knowledge.dialogue import VENDOR_WORDS
    from knowledge.vendors import VENDOR_HOSTS

    known = {name for _, name in (*VENDOR_HOSTS, *VENDOR_WORDS)}
    named = {v for t in load_topics().topics for v in t.vendors}
    assert named and named <= known, sorted(named - known)


def test_every_topic_cause_is_a_log_cause():
    topics = load_topics().topics
    known = set(knowledge.log_causes())
    assert {c for t in topics for c in t.causes} <= known
    assert any(t.causes for t in topics) and any(t.vendor for t in topics)
