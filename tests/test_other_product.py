"""A Tencent Cloud API refusal names the action it refused ("perform operation (sms:SendSms)"). When that action
belongs to another product, the refusal is not about registry permissions: no TCR entry answers it, although the
words (UnauthorizedOperation, CAM, permission) are entry 11's. Texts written for these tests."""

from __future__ import annotations

import pytest

import knowledge
from knowledge import text as T

RESTRICT = "restrict-access-namespace-repo"


@pytest.mark.parametrize(
    "text,other",
    [
        ("you are not authorized to perform operation (sms:SendSms) resource (*) has no permission", True),
        ("You are not authorized to perform operation (cvm:RunInstances)", True),
        ("you are not authorized to perform operation (tcr:PushRepository)", False),
        # "...UnauthorizedOperation message:you" is no action: the word before is not "operation ("
        ("code:AuthFailure.UnauthorizedOperation message:you are not authorized", False),
    ],
)
def test_facet_scan_reads_another_products_action(text, other):
    assert ("other-product" in T.default_facets().scan(text).objects) is other


@pytest.mark.parametrize(
    "q",
    [
        "[TencentCloudSDKException]message:AuthFailure.UnauthorizedOperation-You are not authorized to perform this "
        "operation. Check your CAM policies. [[request id:0f1e]you are not authorized to perform operation "
        "(sms:SendSms)\nresource (*) has no permission\n这个异常怎么解决？",
        "UnauthorizedOperation: you are not authorized to perform operation (cdn:PurgeUrlsCache) resource (*) has no "
        "permission",
    ],
)
def test_another_products_cam_refusal_is_not_the_registry_permission_entry(q):
    res = knowledge.ask(q)
    assert not (res["matched"] and res["answer"]["id"] == RESTRICT), res


@pytest.mark.parametrize(
    "q",
    [
        "UnauthorizedOperation: you are not authorized to perform operation (tcr:PushRepository) resource "
        "(qcs::tcr:ap-guangzhou:uin/100:repository/tcr-x/ns/app) has no permission",
        "[TencentCloudSDKException] code:AuthFailure.UnauthorizedOperation message:you are not authorized to perform "
        "operation (tcr:DescribeInstances) resource has no permission",
    ],
)
def test_tcrs_own_cam_refusal_is_still_the_registry_permission_entry(q):
    res = knowledge.ask(q)
    assert res["matched"] and res["answer"]["id"] == RESTRICT, res
