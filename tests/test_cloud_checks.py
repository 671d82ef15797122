"""Account-side checks: one scenario per finding code, against the loopback TCR API and the test DNS server.

Names resolve only in the test DNS; the addresses the account hands out (AccessIp, whitelist entries, public IPs)
are data and are never connected to: these diagnoses run `--only dns,endpoint,cloud` (or `cloud` alone), which
touches no registry.
"""

from __future__ import annotations

import time

import pytest

from diagnostics import DiagnoseOptions, ReportDict, catalogue, diagnose
from diagnostics.cloud import ALLOWED_ACTIONS, CloudCredentials, CloudOptions
from tests.harness.dns_server import PUBLIC_V4, DNSServer, Zone
from tests.harness.findings import codes, one
from tests.harness.shapes import problems
from tests.harness.tcr_api import (
    Account,
    Key,
    PersonalRegion,
    TCRAPIServer,
    custom_domain,
    make_instance,
    namespace,
    personal_repo,
)

HOST = "shop-tcr.tencentcloudcr.com"
ACCESS_IP = "10.20.0.15"
REACHED: set[str] = set()  # every code a scenario produced (the last test checks the catalogue is covered)


@pytest.fixture
def account() -> Account:
    return Account.example()


@pytest.fixture
def api(account):
    with TCRAPIServer(account) as server:
        yield server
    assert set(server.actions()) <= ALLOWED_ACTIONS  # nothing outside the allow-list ever reached the service


@pytest.fixture(scope="module")
def dns():
    zone = Zone(
        records={
            HOST: [("A", PUBLIC_V4)],
            "registry.shop.example": [("A", PUBLIC_V4)],
            "shop-tcr-vpc.tencentcloudcr.com": [("A", ACCESS_IP)],
            "linked-tcr.tencentcloudcr.com": [("A", ACCESS_IP)],
            "gone-tcr.tencentcloudcr.com": [("A", PUBLIC_V4)],
            # custom domains CNAMEd to an instance's default domain (the console guide's public set-up)
            "r111.paged.example": [("CNAME", "many-127.tencentcloudcr.com")],
            "many-127.tencentcloudcr.com": [("A", PUBLIC_V4)],
            "r112.paged.example": [("CNAME", HOST)],  # names an instance that does not have the domain
        }
    )
    with DNSServer(zone) as server:
        yield server


def run(api, dns, target, only="dns,endpoint,cloud", creds=None, **cloud_kw):
    creds = creds or CloudCredentials(Account.SECRET_ID, Account.SECRET_KEY)
    extra = {k: cloud_kw.pop(k) for k in ("username", "push") if k in cloud_kw}
    report = diagnose(
        target,
        DiagnoseOptions(
            timeout=cloud_kw.pop("timeout", 8),
            only=only,
            nameserver=dns.nameserver,
            env={},
            cloud=CloudOptions(credentials=creds, endpoint=api.endpoint, **cloud_kw),
            **extra,
        ),
    )
    assert not problems(report.to_dict(), ReportDict, "report")  # as diagnostics/results.py declares
    for f in report.findings:
        REACHED.add(f.code)
        for text in (*f.summary.values(), *f.fix.values()):
            assert "{" not in text, (f.code, text)
    return report


# ------------------------------------------------------------------------------------------------ healthy
def test_healthy_instance(api, dns):
    r = run(api, dns, f"{HOST}/team/app:1.0", client_ip="203.0.113.7")
    assert codes(r, "cloud_instance") == ["INSTANCE_OK"]
    assert codes(r, "cloud_network") == ["PUBLIC_ACCESS_OPEN", "PUBLIC_IP_ALLOWED"]
    assert codes(r, "cloud_image") == ["NAMESPACE_FOUND", "TAG_FOUND"]
    assert codes(r, "cloud_quota") == ["CLOUD_QUOTA_OK"]
    assert codes(r, "cloud_access") == ["ACCESS_CREDENTIALS_OK"]
    assert codes(r, "cloud_vpc") == ["VPC_LINKS"]
    assert r.exit_code == 0 and r.verdict == []
    # the instance was looked up once, shared by every check
    assert api.actions().count("DescribeInstances") == 1


def test_no_credentials_skips_with_a_reason(dns):
    r = diagnose(f"{HOST}/team/app:1.0", DiagnoseOptions(only="cloud", env={}, cloud=CloudOptions(credentials=None)))
    assert {f.code for f in r.findings} == {"CLOUD_NO_CREDENTIALS"}
    assert all(f.status == "skip" for f in r.findings) and len(r.findings) == 6
    REACHED.add("CLOUD_NO_CREDENTIALS")


def test_not_a_tcr_host(api, dns):
    """A host that is neither a TCR name nor a custom domain of the account's instances: every instance's custom
    domains were asked for (read-only), none matched."""
    r = run(api, dns, "registry.example.com/team/app:1.0", only="cloud")
    assert set(codes(r)) == {"CLOUD_NOT_TCR"}
    assert "not a custom domain of an instance of account" in one(r, "CLOUD_NOT_TCR").summary["en"]
    assert sorted(set(api.actions())) == ["DescribeInstanceCustomizedDomain", "DescribeInstances"]


# ------------------------------------------------------------------------------------------------ custom domains
CUSTOM = "registry.shop.example"  # Account.example(): a custom domain of shop-tcr


def test_custom_domain_is_mapped_to_its_instance(api, dns):
    """Before, a custom domain got CLOUD_NOT_TCR; now DescribeInstanceCustomizedDomain maps it to its instance and
    every account check runs against that instance."""
    r = run(api, dns, f"{CUSTOM}/team/app:1.0", only="cloud")
    assert one(r, "CUSTOM_DOMAIN_OK").evidence["name"] == "shop-tcr"
    assert one(r, "INSTANCE_OK").evidence["registry_id"] == "tcr-shop0001"
    assert one(r, "TAG_FOUND").check == "cloud_image" and "CLOUD_NOT_TCR" not in codes(r)
    sent = [x for x in api.received if x.action == "DescribeInstances"]
    assert len(sent) == 1 and "Filters" not in sent[0].params  # one list of the account's instances, shared
    assert [x.params["RegistryId"] for x in api.received if x.action == "DescribeInstanceCustomizedDomain"] == [
        "tcr-shop0001"
    ]


def test_custom_domain_in_another_region_is_asked_in_its_region(api, dns, account):
    account.instances.append(make_instance("hk-tcr", "tcr-hk000001", "ap-hongkong"))
    account.instance("hk-tcr").custom_domains.append(custom_domain("tcr-hk000001", "hk.shop.example"))
    r = run(api, dns, "hk.shop.example", only="cloud_instance")
    assert one(r, "INSTANCE_OK").evidence["region"] == "ap-hongkong"
    regions = {x.params["RegistryId"]: x.region for x in api.received if x.action == "DescribeInstanceCustomizedDomain"}
    assert regions == {"tcr-shop0001": "ap-guangzhou", "tcr-hk000001": "ap-hongkong"}


def test_custom_domain_in_a_vpc_needs_its_own_record(api, dns, account):
    """A VPC link exists but the custom domain resolves publicly: TCR's automatic resolution does not cover custom
    domains, so no DNS-status call is made and the finding says to add an A record to the access IP."""
    _link(account)
    r = run(api, dns, CUSTOM, vpc="vpc-abc12345", only="dns,endpoint,cloud_vpc")
    f = one(r, "PRIVATE_DNS_OFF")
    assert "A record" in f.summary["en"] and "A 记录" in f.summary["zh"]
    assert "DescribeInternalEndpointDnsStatus" not in api.actions()


def test_custom_domain_not_ready(api, dns, account):
    account.instance("shop-tcr").custom_domains[0]["Status"] = "FAILURE"
    r = run(api, dns, CUSTOM, only="cloud_instance")
    f = one(r, "CUSTOM_DOMAIN_NOT_READY")
    assert f.status == "warn" and f.evidence["status"] == "FAILURE" and "cert-0001" in f.fix["en"]


def test_custom_domain_lookup_refused_names_the_action(api, dns, account):
    account.keys[Account.SECRET_ID].denied.add("DescribeInstanceCustomizedDomain")
    r = run(api, dns, CUSTOM, only="cloud_instance")
    assert one(r, "CLOUD_PERMISSION_MISSING").evidence["action"] == "tcr:DescribeInstanceCustomizedDomain"


def _many(account, instances=130, domains=120, page_max=100):
    """An account with INSTANCES instances over three regions; the last but one has DOMAINS custom domains, the one
    asked for near the end of them. The stand-in pages as the API does (Offset/Limit, TotalCount)."""
    account.page_max = page_max
    regions = ("ap-guangzhou", "ap-shanghai", "ap-hongkong")
    for n in range(instances - 1):
        account.instances.append(make_instance(f"many-{n:03d}", f"tcr-many{n:04d}", regions[n % 3]))
    target = account.instances[-2]
    target.custom_domains = [custom_domain(target.id, f"r{k}.paged.example") for k in range(domains)]
    return target


@pytest.mark.parametrize("page_max", [100, 40])  # 40: a service that gives smaller pages than asked for
def test_custom_domain_lookup_pages_through_instances_and_domains(api, dns, account, page_max, monkeypatch):
    from diagnostics import cloud

    monkeypatch.setattr(cloud, "RATE", 1000.0)  # the stand-in has no rate limit here: no pacing (tested below)
    target = _many(account, page_max=page_max)
    r = run(api, dns, "r110.paged.example", only="cloud_instance")
    assert one(r, "CUSTOM_DOMAIN_OK").evidence["name"] == target.registry["RegistryName"]
    offsets = {x.params.get("Offset", 0) for x in api.received if x.action == "DescribeInstances"}
    assert offsets == set(range(0, 130, page_max))  # every page of the instance list, each once
    asked = [x for x in api.received if x.action == "DescribeInstanceCustomizedDomain"]
    assert {x.params.get("Offset", 0) for x in asked if x.params["RegistryId"] == target.id} == set(
        range(0, 120, page_max)
    )
    assert {x.region for x in asked if x.params["RegistryId"] == target.id} == {target.region}
    assert len({x.params["RegistryId"] for x in asked}) == 130  # every instance was asked, none twice per page
    assert len(asked) == len({(x.params["RegistryId"], x.params.get("Offset", 0)) for x in asked})


def test_custom_domain_lookup_asks_the_instance_its_cname_names_first(api, dns, account, monkeypatch):
    """A custom domain CNAMEd to <name>.tencentcloudcr.com: that instance is asked alone, and in the usual case it is
    the only one asked (two pages of its 120 domains), not all 130. A CNAME to an instance without the domain only
    costs that one look-up before all the others are asked."""
    from diagnostics import cloud

    monkeypatch.setattr(cloud, "RATE", 1000.0)
    # The hint is waited for HINT_WAIT after the instance list; on a loaded machine the loopback DNS answer can come
    # later (then every instance is asked, by design). This test is about what the hint does once it is there.
    monkeypatch.setattr(cloud, "HINT_WAIT", 30.0)
    target = _many(account)
    r = run(api, dns, "r111.paged.example", only="cloud_instance")
    assert one(r, "CUSTOM_DOMAIN_OK").evidence["name"] == "many-127" == target.registry["RegistryName"]
    asked = {x.params["RegistryId"] for x in api.received if x.action == "DescribeInstanceCustomizedDomain"}
    assert asked == {target.id}
    api.received.clear()
    r = run(api, dns, "r112.paged.example", only="cloud_instance")
    assert one(r, "CUSTOM_DOMAIN_OK").evidence["name"] == "many-127"
    asked = [x.params["RegistryId"] for x in api.received if x.action == "DescribeInstanceCustomizedDomain"]
    # Every instance up to the one that has the domain is asked. The last one's prefetched look-up may or may not have
    # reached the stand-in when the diagnosis returns (it is not waited for once the domain is found): under load a
    # whole-suite run saw 129 of 130.
    listed = [i.id for i in account.instances]
    up_to_target = set(listed[: listed.index(target.id) + 1])
    assert asked[0] == "tcr-shop0001" and up_to_target <= set(asked) and len(up_to_target) == 129


def test_custom_domain_lookup_keeps_to_the_rate_limit(api, dns, account, monkeypatch):
    """The API allows 20 calls per second per action; 130 DescribeInstanceCustomizedDomain calls would meet
    RequestLimitExceeded at 8 in flight. The client spaces them (here the limit is scaled to 100/s to keep the test
    short) so none is refused.

    Both halves keep a margin for a loaded machine (a full run failed once at load average 28): the paced client runs
    at 80 % of the stand-in's limit, because requests sent evenly can reach the server bunched when the scheduler
    delays one; the unpaced client meets a limit ten times lower, which it passes even when slowed down."""
    from diagnostics import cloud

    monkeypatch.setattr(cloud, "RATE", 80.0)
    account.per_second["DescribeInstanceCustomizedDomain"] = 100
    target = _many(account)
    r = run(api, dns, "r110.paged.example", only="cloud_instance", timeout=15)
    assert one(r, "CUSTOM_DOMAIN_OK").evidence["name"] == target.registry["RegistryName"]
    refused = [x for x in api.received if x.error == "RequestLimitExceeded"]
    assert refused == []
    monkeypatch.setattr(cloud, "RATE", 1_000_000.0)  # a client that does not pace: the same stand-in refuses some
    account.per_second["DescribeInstanceCustomizedDomain"] = 10
    api.received.clear()
    # 4 s, not 15: refused calls are retried until the deadline, so this half lasted the whole deadline (15 of the
    # test's 16.5 s), and the first refusal comes within the first second of 130 unpaced calls
    run(api, dns, "r110.paged.example", only="cloud_instance", timeout=4)
    assert any(x.error == "RequestLimitExceeded" for x in api.received)


def test_custom_domain_lookup_is_bounded(api, dns, account, monkeypatch):
    """At most MAX_PAGES pages of a list: a domain beyond them is not found, and the finding says the search was cut
    short rather than claim no instance has it."""
    from diagnostics import cloud

    monkeypatch.setattr(cloud, "MAX_PAGES", 1)
    monkeypatch.setattr(cloud, "RATE", 1000.0)
    _many(account)
    r = run(api, dns, "r110.paged.example", only="cloud_instance")
    f = one(r, "CLOUD_NOT_TCR")
    assert "only the first 100 of its 130 instances were searched" in f.summary["en"]
    assert "前 100 个" in f.summary["zh"]
    assert {x.params.get("Offset", 0) for x in api.received} == {0}


# ------------------------------------------------------------------------------------------------ instance
def test_instance_not_found_name_taken_elsewhere(api, dns, account):
    account.taken_names.add("gone-tcr")
    r = run(api, dns, "gone-tcr.tencentcloudcr.com", only="cloud_instance")
    f = one(r, "INSTANCE_NOT_FOUND")
    assert f.evidence["detail_code"] == 3 and "another account" in f.summary["en"]
    assert "CheckInstanceName" in api.actions()


def test_instance_not_found_free_name_is_a_typo(api, dns):
    r = run(api, dns, "gone-tcr.tencentcloudcr.com", only="dns,endpoint,cloud")
    f = one(r, "INSTANCE_NOT_FOUND")
    assert f.evidence["detail_code"] == 0 and "typo" in f.summary["en"]
    # every other account check is skipped for it
    assert {f.code for f in r.findings if f.check in ("cloud_network", "cloud_vpc", "cloud_image")} == {"SKIPPED"}


def test_instance_outside_account_scope(api, dns):
    r = run(api, dns, "gone-tcr.tencentcloudcr.com", only="cloud_instance", scope="account", account="ops")
    f = one(r, "INSTANCE_OUTSIDE_ACCOUNT")
    assert f.status == "skip" and "ops" in f.summary["en"]
    assert "CheckInstanceName" not in api.actions()


@pytest.mark.parametrize("status,word", [("Isolate", "overdue"), ("Deploying", "deployed"), ("Bucket-Error", "COS")])
def test_instance_not_running(api, dns, account, status, word):
    account.instance("shop-tcr").registry["Status"] = status
    r = run(api, dns, HOST, only="cloud")
    f = one(r, "INSTANCE_NOT_RUNNING")
    assert f.evidence["status"] == status and word in f.summary["en"]
    assert r.exit_code == 1


def test_instance_in_another_region_is_called_in_its_region(api, dns, account):
    account.instances[0] = make_instance("shop-tcr", "tcr-shop0001", "ap-singapore")
    account.instances[0].registry["RegionName"] = "ap-singapore"
    r = run(api, dns, f"{HOST}/team/app:1.0", only="cloud", region="ap-shanghai")
    assert one(r, "INSTANCE_OK").evidence["region"] == "ap-singapore"
    assert "note" in one(r, "INSTANCE_OK").evidence
    regions = {x.region for x in api.received if x.action != "DescribeInstances"}
    assert regions == {"ap-singapore"}
    assert not any(x.error for x in api.received)


# ------------------------------------------------------------------------------------------------ public access
def test_public_access_closed(api, dns, account):
    account.instance("shop-tcr").external_status = "Closed"
    r = run(api, dns, HOST, only="dns,endpoint,cloud_network")
    f = one(r, "PUBLIC_ACCESS_CLOSED")
    assert f.status == "fail" and f.evidence["status"] == "Closed"


def test_public_ip_not_allowed(api, dns):
    r = run(api, dns, HOST, only="cloud_network", client_ip="198.51.100.9")
    f = one(r, "PUBLIC_IP_NOT_ALLOWED")
    assert f.evidence["cidrs"] == ["203.0.113.0/24"] and f.status == "fail"


def test_empty_whitelist_allows_nobody(api, dns, account):
    account.instance("shop-tcr").security_policies = []
    r = run(api, dns, HOST, only="cloud_network")
    assert one(r, "PUBLIC_IP_NOT_ALLOWED").evidence["cidrs"] == ["-"]


def test_whitelist_listed_without_client_ip(api, dns):
    r = run(api, dns, HOST, only="cloud_network")
    f = one(r, "PUBLIC_WHITELIST")
    assert f.evidence["cidrs"] == ["203.0.113.0/24"] and "--client-ip" in f.fix["en"]


def test_whitelist_open_to_all(api, dns, account):
    account.instance("shop-tcr").security_policies.append(
        {"PolicyIndex": 2, "Description": "", "CidrBlock": "0.0.0.0/0", "PolicyVersion": "v1"}
    )
    r = run(api, dns, HOST, only="cloud_network", client_ip="198.51.100.9")
    assert one(r, "WHITELIST_OPEN_TO_ALL").status == "warn"
    assert one(r, "PUBLIC_IP_ALLOWED").evidence["cidr"] == "0.0.0.0/0"


# ------------------------------------------------------------------------------------------------ VPC
def _link(account, status="Running", access_ip=ACCESS_IP, vpc="vpc-abc12345"):
    account.instance("shop-tcr").access_vpcs = [
        {"VpcId": vpc, "SubnetId": "subnet-1", "Status": status, "AccessIp": access_ip}
    ]


def test_vpc_link_missing(api, dns, account):
    _link(account, vpc="vpc-other001")
    r = run(api, dns, HOST, only="cloud_vpc", vpc="vpc-abc12345")
    f = one(r, "VPC_LINK_MISSING")
    assert "vpc-other001" in f.summary["en"] and f.evidence["region"] == "ap-guangzhou"


# AccessVpc.Status: the API definition's one example is "Running" (tccli api.json); the console guide wants 链路正常
# and an access IP; one tccli guide shows "Connected" (diagnostics/checks/cloud_vpc.py cites each). No not-ready value
# is documented, so any other word must be one, as must a ready word without an AccessIp.
@pytest.mark.parametrize("status", ["Running", "running", "Connected"])
def test_vpc_link_ready_words(api, dns, account, status):
    _link(account, status=status)
    r = run(api, dns, "shop-tcr-vpc.tencentcloudcr.com", vpc="vpc-abc12345", only="dns,endpoint,cloud_vpc")
    assert codes(r, "cloud_vpc") == ["VPC_LINK_OK"]
    r = run(api, dns, "shop-tcr-vpc.tencentcloudcr.com", only="dns,endpoint,cloud_vpc")  # found from the address
    assert codes(r, "cloud_vpc") == ["VPC_LINK_OK"]


@pytest.mark.parametrize(
    ("status", "access_ip"),
    [("Creating", ""), ("Running", ""), ("Connected", ""), ("", ""), ("Deleting", ACCESS_IP), ("Failed", ACCESS_IP)],
)
def test_vpc_link_not_ready(api, dns, account, status, access_ip):
    _link(account, status=status, access_ip=access_ip)
    r = run(api, dns, HOST, only="cloud_vpc", vpc="vpc-abc12345")
    f = one(r, "VPC_LINK_NOT_READY")
    assert f.evidence["status"] == (status or "-") and f.evidence["access_ip"] == (access_ip or "-")
    assert f.status == "fail"


def test_vpc_link_the_name_leads_to_is_not_ready(api, dns, account):
    """Without --vpc, the link is found by the address the name resolves to; if that link is not up, that is the
    finding (before, any link holding the address was taken as confirmed)."""
    _link(account, status="Deleting")
    r = run(api, dns, "shop-tcr-vpc.tencentcloudcr.com", only="dns,endpoint,cloud_vpc")
    assert one(r, "VPC_LINK_NOT_READY").evidence["vpc"] == "vpc-abc12345"


def test_no_link_answered_as_null(api, dns, account):
    """`"AccessVpcSet": null, "TotalCount": 0` (the API definition allows null; a tccli guide shows it)."""
    account.instance("shop-tcr").access_vpcs = None
    r = run(api, dns, HOST, only="cloud_vpc", vpc="vpc-abc12345")
    assert one(r, "VPC_LINK_MISSING").evidence["links"] == ["-"]


def test_private_dns_off(api, dns, account):
    _link(account)
    r = run(api, dns, HOST, vpc="vpc-abc12345", only="dns,endpoint,cloud_vpc")
    f = one(r, "PRIVATE_DNS_OFF")
    assert f.evidence["addresses"] == [PUBLIC_V4] and f.evidence["dns_status_code"] == "DISABLED"
    assert "automatic resolution: off for this VPC" in f.summary["en"]
    sent = next(x for x in api.received if x.action == "DescribeInternalEndpointDnsStatus")
    assert sent.params["VpcSet"][0]["UsePublicDomain"] is True  # the default domain was asked about
    # one verdict: the public address on the wire is explained by the account
    assert r.verdict[0]["cause"]["code"] == "PRIVATE_DNS_OFF"
    assert {"check": "endpoint", "code": "ENDPOINT_PUBLIC"} in r.verdict[0]["symptoms"]


def test_vpc_link_confirms_internal_endpoint(api, dns, account):
    account.instances[0] = make_instance("shop-tcr", "tcr-shop0001", "ap-guangzhou")
    _link(account)
    r = run(api, dns, "shop-tcr-vpc.tencentcloudcr.com", vpc="vpc-abc12345", only="dns,endpoint,cloud_vpc")
    ok = one(r, "VPC_LINK_OK")
    assert ok.evidence["account_confirms"] is True
    internal = one(r, "ENDPOINT_INTERNAL")
    assert "confirmed by the account" in internal.evidence["account"]["en"]
    # without --vpc the link is still recognised from the resolved address
    r = run(api, dns, "shop-tcr-vpc.tencentcloudcr.com", only="dns,endpoint,cloud_vpc")
    assert one(r, "VPC_LINK_OK").evidence["vpc"] == "vpc-abc12345"


# ------------------------------------------------------------------------------------------------ images
def test_namespace_not_found_explains_denied_push(api, dns):
    r = run(api, dns, f"{HOST}/tema/app:1.0", only="cloud_image", push=True)
    f = one(r, "NAMESPACE_NOT_FOUND")
    assert f.evidence["existing"] == ["team"] and f.status == "fail"


def test_public_namespace_is_noted(api, dns, account):
    account.instance("shop-tcr").namespaces.append(namespace("pub", public=True))
    r = run(api, dns, f"{HOST}/pub/x:1", only="cloud_image")
    assert one(r, "NAMESPACE_FOUND").evidence["public"] is True
    assert one(r, "REPO_NOT_FOUND").evidence["source"]["en"] == "the TCR API"


def test_tag_not_found_with_closest(api, dns):
    r = run(api, dns, f"{HOST}/team/app:1.0.0", only="cloud_image")
    f = one(r, "TAG_NOT_FOUND")
    assert f.evidence["closest"] == "1.0" and f.evidence["tag_count"] == 1


def test_repo_not_found_is_fine_for_a_push(api, dns):
    r = run(api, dns, f"{HOST}/team/new:1", only="cloud_image", push=True)
    assert one(r, "REPO_NOT_FOUND").status == "ok"


def test_private_dns_on_but_the_client_resolves_publicly(api, dns, account):
    """Automatic resolution is ENABLED for the VPC (the spelling of the tccli example and terraform's provider) and
    the name still resolves to a public address: the client does not use the VPC's DNS."""
    _link(account)
    account.instance("shop-tcr").dns_status[("vpc-abc12345", True)] = "ENABLED"
    r = run(api, dns, HOST, vpc="vpc-abc12345", only="dns,endpoint,cloud_vpc")
    f = one(r, "PRIVATE_DNS_OFF")
    assert f.evidence["dns_status_code"] == "ENABLED"
    assert "does not use the VPC's DNS" in f.summary["en"] and "没有使用 VPC 的 DNS" in f.summary["zh"]


def test_api_facts_as_the_sources_give_them():
    """The four facts issue 13 left as assumptions, pinned to their sources (cited in the modules)."""
    from diagnostics import cloud
    from diagnostics.checks import cloud_access, cloud_vpc

    # expiry fields are epoch ms: tccli's DescribeServiceAccounts example (created 2024-12-30, 30 days)
    assert cloud_access._when(1738133070653) == "2025-01-29 06:44 UTC"
    assert cloud_access._expired(1738133070653, now_ms=1738133070654) and not cloud_access._expired(0, 1e13)
    # a ready link: Status "Running" with an AccessIp (the API definition's example, tccli guides; the console's
    # 链路正常), "Connected" read as ready too (one tccli guide)
    assert cloud_vpc.ready({"Status": "Running", "AccessIp": "10.0.0.5"})
    assert not cloud_vpc.ready({"Status": "Running", "AccessIp": ""})
    assert cloud_vpc.ready({"Status": "Connected", "AccessIp": "10.0.0.5"})
    # the service's not-found codes (SDK errorcodes.py): what an instance call to another region gets
    for code in ("ResourceNotFound", "ResourceNotFound.TcrResourceNotFound"):
        assert cloud._classify(code, "", "", "DescribeSecurityPolicies", "ap-shanghai").kind == "not_found"


def test_personal_quota_reads_the_documented_answer(api, dns, account):
    """DescribeUserQuotaPersonal's LimitInfo as tccli's example gives it (Type namespace / repo / tag)."""
    from tests.harness.tcr_api import PersonalRegion

    account.personal["ap-guangzhou"] = PersonalRegion(limits={"namespace": 10, "repo": 1000, "tag": 1000})
    account.personal["ap-guangzhou"].namespaces = [
        {"Namespace": f"ns{i}", "CreationTime": "", "RepoCount": 0} for i in range(9)
    ]
    r = run(api, dns, "ccr.ccs.tencentyun.com/ns0/app:1", only="cloud_quota")
    f = one(r, "CLOUD_QUOTA_NEAR")
    assert (f.evidence["used"], f.evidence["limit"], f.evidence["kind"]) == (9, 10, "namespace")


# ------------------------------------------------------------------------------------------------ credentials
def test_disabled_and_expired_tokens(api, dns, account):
    past = int((time.time() - 86400) * 1000)
    account.instance("shop-tcr").tokens = [
        {"Id": "tok-1", "Desc": "ci", "RegistryId": "tcr-shop0001", "Enabled": False, "CreatedAt": "", "ExpiredAt": 0},
        {
            "Id": "tok-2",
            "Desc": "old",
            "RegistryId": "tcr-shop0001",
            "Enabled": True,
            "CreatedAt": "",
            "ExpiredAt": past,
        },
        {"Id": "tok-3", "Desc": "ok", "RegistryId": "tcr-shop0001", "Enabled": True, "CreatedAt": "", "ExpiredAt": 0},
    ]
    r = run(api, dns, HOST, only="cloud_access")
    assert one(r, "INSTANCE_TOKEN_DISABLED").evidence["tokens"] == ["tok-1 (ci)"]
    assert one(r, "INSTANCE_TOKEN_EXPIRED").evidence["tokens"] == ["tok-2 (old)"]


def test_every_page_of_tokens_is_read(api, dns, account):
    """A disabled credential on the third page is found, and the count covers all of them (before: the first 100)."""

    def token(n, enabled=True):
        return {"Id": f"tok-{n}", "Desc": "", "RegistryId": "tcr-shop0001", "Enabled": enabled, "ExpiredAt": 0}

    account.instance("shop-tcr").tokens = [token(n) for n in range(249)] + [token(249, enabled=False)]
    r = run(api, dns, HOST, only="cloud_access")
    assert one(r, "INSTANCE_TOKEN_DISABLED").evidence["tokens"] == ["tok-249 (-)"]
    account.instance("shop-tcr").tokens[-1]["Enabled"] = True
    r = run(api, dns, HOST, only="cloud_access")
    assert "250 long-term credential(s)" in one(r, "ACCESS_CREDENTIALS_OK").summary["en"]


def _sa(name, disable=False, expires=0, actions=("tcr:PullRepository",)):
    return {
        "Name": name,
        "Description": "",
        "Disable": disable,
        "ExpiresAt": expires,
        "CreateTime": "",
        "UpdateTime": "",
        "Permissions": [{"Resource": "team", "Actions": list(actions)}],
    }


@pytest.mark.parametrize(
    "sa,code",
    [
        (_sa("tcr$ci", disable=True), "SERVICE_ACCOUNT_DISABLED"),
        (_sa("tcr$ci", expires=int((time.time() - 60) * 1000)), "SERVICE_ACCOUNT_EXPIRED"),
        (_sa("tcr$ci"), "SERVICE_ACCOUNT_NO_PUSH"),
        (_sa("tcr$other"), "SERVICE_ACCOUNT_NOT_FOUND"),
        (_sa("tcr$ci", actions=("tcr:PullRepository", "tcr:PushRepository")), "ACCESS_CREDENTIALS_OK"),
    ],
)
def test_service_accounts(api, dns, account, sa, code):
    account.instance("shop-tcr").service_accounts = [sa]
    r = run(api, dns, f"{HOST}/team/app:1.0", only="cloud_access", username="tcr$ci", push=True)
    assert codes(r, "cloud_access") == [code]


def test_a_service_account_past_the_first_page_is_found(api, dns, account):
    """A name filter that matches by substring (as the stand-in's does): 150 accounts named tcr$ci-N come before
    tcr$ci itself, which is then on the second page (before, SERVICE_ACCOUNT_NOT_FOUND)."""
    ok = _sa("tcr$ci", actions=("tcr:PullRepository", "tcr:PushRepository"))
    account.instance("shop-tcr").service_accounts = [_sa(f"tcr$ci-{n}") for n in range(150)] + [ok]
    r = run(api, dns, f"{HOST}/team/app:1.0", only="cloud_access", username="tcr$ci", push=True)
    assert codes(r, "cloud_access") == ["ACCESS_CREDENTIALS_OK"]


# ------------------------------------------------------------------------------------------------ quota
def test_enterprise_quota_near_and_exceeded(api, dns, account):
    inst = account.instance("shop-tcr")
    inst.registry["RegistryType"] = "basic"
    inst.namespaces = [namespace(f"ns{i}") for i in range(50)]
    inst.repositories = [
        {
            "Name": f"ns0/r{i}",
            "Namespace": "ns0",
            "CreationTime": "",
            "Public": False,
            "Description": "",
            "BriefDescription": "",
            "UpdateTime": "",
        }
        for i in range(905)
    ]
    r = run(api, dns, HOST, only="cloud_quota")
    assert one(r, "CLOUD_QUOTA_EXCEEDED").evidence["kind"] == "namespace"
    near = one(r, "CLOUD_QUOTA_NEAR")
    assert (near.evidence["kind"], near.evidence["used"], near.evidence["limit"]) == ("repo", 905, 1000)


def _personal(account, region="ap-guangzhou", tags=("v1",), repo="mine/app", namespaces=("mine",)):
    pr = account.personal.setdefault(region, PersonalRegion())
    pr.namespaces = [{"Namespace": n, "CreationTime": "", "RepoCount": 1} for n in namespaces]
    if repo:
        pr.repos[repo] = personal_repo(repo, list(tags))
    return pr


def test_personal_edition_found(api, dns, account):
    _personal(account)
    r = run(api, dns, "ccr.ccs.tencentyun.com/mine/app:v1", only="cloud")
    assert codes(r, "cloud_instance") == ["PERSONAL_EDITION"]
    assert codes(r, "cloud_network") == ["NETWORK_ACL_NONE"]
    assert codes(r, "cloud_image") == ["TAG_FOUND"]
    assert codes(r, "cloud_quota") == ["CLOUD_QUOTA_OK"]


def test_personal_image_pushed_to_another_region(api, dns, account):
    _personal(account, repo=None)
    _personal(account, region="ap-hongkong")
    r = run(api, dns, "ccr.ccs.tencentyun.com/mine/app:v1", only="cloud_image")
    f = one(r, "IMAGE_IN_OTHER_REGION")
    assert f.evidence["other_host"] == "hkccr.ccs.tencentyun.com" and f.status == "fail"


def test_personal_tag_quota(api, dns, account):
    _personal(account, tags=[f"b{i}" for i in range(100)])
    r = run(api, dns, "ccr.ccs.tencentyun.com/mine/app:b1", only="cloud_quota")
    f = one(r, "CLOUD_QUOTA_EXCEEDED")
    assert (f.evidence["kind"], f.evidence["used"], f.evidence["limit"]) == ("tag", 100, 100)


def test_personal_namespace_not_ours(api, dns, account):
    _personal(account)
    r = run(api, dns, "ccr.ccs.tencentyun.com/theirs/app:v1", only="cloud_image")
    assert one(r, "NAMESPACE_NOT_FOUND").status == "warn"  # may be someone's public image


# ------------------------------------------------------------------------------------------------ API errors
def test_credentials_invalid(api, dns):
    r = run(api, dns, HOST, only="cloud", creds=CloudCredentials(Account.SECRET_ID, "wrong-key"))
    f = one(r, "CLOUD_CREDENTIALS_INVALID")
    assert f.evidence["error_code"] == "AuthFailure.SignatureFailure" and "wrong SecretKey" in f.summary["en"]
    assert api.actions() == ["DescribeInstances"]  # the failure is memoised: one request, six findings
    r = run(api, dns, HOST, only="cloud_instance", creds=CloudCredentials("AKIDunknown0000000000", "x"))
    assert one(r, "CLOUD_CREDENTIALS_INVALID").evidence["error_code"] == "AuthFailure.SecretIdNotFound"


def test_signature_expired(api, dns):
    api.clock_offset = -600
    r = run(api, dns, HOST, only="cloud_instance")
    assert one(r, "CLOUD_CREDENTIALS_INVALID").evidence["error_code"] == "AuthFailure.SignatureExpire"


def test_permission_missing_names_the_action(api, dns, account):
    account.keys[Account.SECRET_ID].denied.add("DescribeSecurityPolicies")
    r = run(api, dns, HOST, only="cloud_network")
    f = one(r, "CLOUD_PERMISSION_MISSING")
    assert f.evidence["action"] == "tcr:DescribeSecurityPolicies"
    assert "QcloudTCRReadOnlyAccess" in f.fix["en"]


def test_api_unreachable(dns):
    from tests.harness._net import free_port

    class Dead:
        endpoint = f"http://127.0.0.1:{free_port()}"

    r = run(Dead, dns, HOST, only="cloud_instance", timeout=3)
    assert "127.0.0.1" in one(r, "CLOUD_API_UNREACHABLE").evidence["endpoint"]


def test_rate_limited_then_ok(api, dns, account):
    account.rate_limit["DescribeInstances"] = 2
    r = run(api, dns, HOST, only="cloud_instance")
    assert codes(r) == ["INSTANCE_OK"]


def test_rate_limited_beyond_the_deadline(api, dns, account):
    account.rate_limit["DescribeInstances"] = 10_000
    r = run(api, dns, HOST, only="cloud_instance", timeout=1.5)
    f = one(r, "CLOUD_RATE_LIMITED")
    assert f.evidence["attempts"] >= 2
    # wide for a loaded 2-core CI machine: a retry loop that ignored the deadline would run for minutes
    assert r.duration < 1.5 + 1.5


def test_generic_api_error(api, dns, account):
    account.keys[Account.SECRET_ID] = Key(Account.SECRET_KEY)
    account.instance("shop-tcr").registry["RegistryId"] = "tcr-shop0001"
    r = run(api, dns, HOST, only="cloud_instance", region="xx-nowhere-1")
    assert one(r, "CLOUD_API_ERROR").evidence["error_code"] == "UnsupportedRegion"


@pytest.mark.after_module
def test_every_account_code_is_reached():
    """Runs after the module's scenarios (the mark keeps it last under any order): every account-side code in the
    catalogue was produced by one of them."""
    account_codes = {c for c, e in catalogue().items() if str(e.get("check", "")).startswith("cloud_")}
    missing = sorted(account_codes - REACHED)
    assert not missing, missing


@pytest.mark.parametrize(
    ("only", "expected"),
    [("dns,endpoint,cloud", 1 + 2 + 2 + 2 + 1), ("cloud_instance,cloud_quota", 2), ("cloud_instance", 0)],
)
def test_connections_are_warmed_for_the_selected_account_checks_only(api, dns, monkeypatch, only, expected):
    """While the instance look-up is in flight, one connection is opened for each look-up the selected account
    checks will send next (their API_CALLS), minus the look-up's own: as many as the diagnosis will use."""
    from diagnostics import cloud_tc3

    warmed: list[int] = []
    real = cloud_tc3.TC3Client.warm

    def counting(self, count, timeout):
        warmed.append(count)
        return real(self, count, timeout)

    monkeypatch.setattr(cloud_tc3.TC3Client, "warm", counting)
    run(api, dns, f"{HOST}/team/app:1.0", only=only, client_ip="203.0.113.7")
    assert warmed == [expected - 1]
