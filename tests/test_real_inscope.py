"""The FAQ matcher on in-scope real TCR text (issue 11, round 7): mechanisms found on the in-scope tuning posts,
each written here in our own words (never a tuning post copied), each failing on the code before it.
docs/matching.md ("Round 7") gives the first-look figures and the ablation."""

from __future__ import annotations

import pytest

import knowledge
from knowledge import combiner
from knowledge.structure import question_view

# A status document of the user's: TCR is named only in a configuration block, which the question view drops.
_CONFIG_THEN_PROSE = (
    "## 3.1 镜像仓库选型\n\n"
    "**结论**：\n"
    "```bash\n"
    "REGISTRY_HOST=ccr.ccs.tencentyun.com\n"
    "REGISTRY_NAMESPACE=team-demo   # 沿用已有命名空间\n"
    "REGISTRY_KIND=personal\n"
    "```\n\n"
    "**为什么不再新建命名空间**：\n"
    "查询个人版配额，命名空间已经到了上限，新建时提示超过最大数量。\n"
    "个人版的命名空间是整个主账号共用的，历史上已经建满了。\n"
)


def test_a_tcr_host_in_a_dropped_paste_still_names_tcr_for_the_combiner():
    view = question_view(_CONFIG_THEN_PROSE)
    assert "ccr.ccs.tencentyun.com" not in view  # the config block is not part of what is matched
    _, matcher = knowledge.get_matcher()
    decision = matcher.match(view)
    tcr = combiner.FEATURES.index("tcr")
    assert knowledge.combiner_features(view, decision, None)[tcr] == 0.0
    assert knowledge.combiner_features(view, decision, None, _CONFIG_THEN_PROSE)[tcr] == 1.0


def test_a_status_document_whose_tcr_host_is_only_in_its_config_is_answered():
    r = knowledge.ask(_CONFIG_THEN_PROSE)
    assert r["matched"] and r["answer"]["id"] == "personal-quota"


@pytest.mark.parametrize(
    "text",
    [
        "个人版 docker login 登录失败怎么办",
        "docker login ccr.ccs.tencentyun.com 登录失败",
        "nerdctl login ccr.ccs.tencentyun.com fails: x509 certificate signed by unknown authority",
    ],
)
def test_a_failing_login_to_the_personal_edition_is_the_login_entry(text):
    # tests/data/README.md: failures of docker login go to 7, whichever edition; the entry's registry object
    # (enterprise) demoted it to nothing as soon as the personal edition was named
    _, matcher = knowledge.get_matcher()
    assert matcher.rank(text, limit=1)[0].entry.id == "login-failed"
    r = knowledge.ask(text)
    assert r["matched"] and r["answer"]["id"] == "login-failed"


def test_tencent_cloud_api_keys_are_a_credential_not_the_api():
    # "腾讯云 API 密钥" read as 云 API (the interface) + 密钥: the entries about logging in were demoted as if the
    # text asked about the API
    _, matcher = knowledge.get_matcher()
    scan = matcher.facets.scan("确认 CI 里用的是个人版的登录凭据，而不是腾讯云 API 密钥")
    assert "api-key" in scan.objects and "api" not in scan.objects
    assert "api" in matcher.facets.scan("腾讯云 API 怎么调用").objects  # the API itself still is


@pytest.mark.parametrize(
    "text, vendor",
    [
        ("阿里的镜像仓库怎么配置免密拉取", "Aliyun ACR"),
        ("求支持阿里国际站，好像不能用", "Aliyun ACR"),
        ("华为的 SWR 推送提示配额不足", "Huawei Cloud SWR"),
        ("谷歌的镜像拉取太慢了怎么办", None),  # image acceleration names other registries itself and answers
    ],
)
def test_colloquial_chinese_names_of_other_vendors_are_other_registries(text, vendor):
    r = knowledge.ask(text)
    if vendor is None:
        assert r["matched"] and r["answer"]["id"] == "image-acceleration"
    else:
        assert not r["matched"] and r["refusal"] == {"kind": "other_registry", "vendor": vendor}


def test_a_latin_vendor_name_still_needs_its_word_boundaries():
    # "ecr" inside "imagePullSecrets" is no Amazon ECR
    r = knowledge.ask("不想每个 namespace 都建 imagePullSecrets，TKE 有没有插件能自动搞定")
    assert r["refusal"] is None or r["refusal"]["kind"] != "other_registry"


@pytest.mark.parametrize(
    "text",
    [
        "the request to the server was cancelled and then timed out",
        "服务器的请求被取消，然后超时了",
    ],
)
def test_the_login_entry_answers_only_a_text_about_logging_in(text):
    # entry 07 ("logging in to an instance fails") matched a timeout alone through its network keywords
    r = knowledge.ask(text)
    assert not (r["matched"] and r["answer"]["id"] == "login-failed")


@pytest.mark.parametrize(
    "text",
    [
        "登不上实例，咋整",
        "docker login acme.tencentcloudcr.com 超时",
        # a bare paste of the instance's /v2/ answer: the reader cannot tell the command, the cause's own entry is 07
        'Error response from daemon: Get "https://acme.tencentcloudcr.com/v2/": x509: certificate signed by unknown '
        "authority",
    ],
)
def test_a_login_or_a_bare_tls_paste_is_still_the_login_entry(text):
    r = knowledge.ask(text)
    assert r["matched"] and r["answer"]["id"] == "login-failed"
