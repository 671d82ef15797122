"""TCR's host names are declared once, in diagnostics/__init__.py (ENTERPRISE_SUFFIX, VPC_SUFFIX, PERSONAL_SUFFIX,
PERSONAL_HOST, TCR_SUFFIXES, TENCENT_DOMAINS): no other module of bot/, diagnostics/ or knowledge/ spells
`tencentcloudcr.com` or `ccs.tencentyun.com` as a suffix, a domain or a pattern. A concrete example host in a text
users read (`shop-tcr.tencentcloudcr.com`) is an example, not the fact; docstrings and comments are not code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import diagnostics
from diagnostics.checks.name import _instance_findings, edition
from knowledge.entities import extract_entities, instance_from_host

ROOT = Path(__file__).resolve().parents[1]
OWNER = ROOT / "diagnostics" / "__init__.py"

# The domain where it is not the tail of an example host: at the start of a string, after `*`, `<instance>`, `(?:`,
# a quote... , with or without `-vpc`, a leading dot, or regex escapes.
SPELLING = re.compile(r"(?<![a-z0-9.-])(?:-vpc)?(?:\\?\.)?(?:tencentcloudcr|ccs\\?\.tencentyun)\\?\.com")


def spellings(source: str) -> list[str]:
    """The string constants (f-string parts included, docstrings not) of SOURCE that spell a TCR host suffix."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        f"line {node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and SPELLING.search(node.value.lower())
    ]


def test_no_module_but_the_declaration_spells_a_tcr_host_suffix():
    found = []
    for package in ("bot", "diagnostics", "knowledge"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path != OWNER:
                found += [f"{path.relative_to(ROOT)} {s}" for s in spellings(path.read_text(encoding="utf-8"))]
    assert found == [], "\n".join(found)
    assert spellings(OWNER.read_text(encoding="utf-8"))  # the declaration itself is seen by the same rule


@pytest.mark.parametrize(
    "source",
    [
        'SUFFIX = ".tencentcloudcr.com"',
        'VPC = "-vpc.tencentcloudcr.com"',
        'DOMAINS = ("tencentcloudcr.com", "qcloud.com")',
        'ALLOWED = ["*.ccs.tencentyun.com"]',
        'def f(v):\n    return f"{v}.tencentcloudcr.com"',
        'RX = r"(?P<inst>[a-z0-9]+)\\.tencentcloudcr\\.com|ccr\\.ccs\\.tencentyun\\.com"',
        'TEXT = "for example <instance>.tencentcloudcr.com"',
    ],
)
def test_the_rule_finds_each_way_of_spelling_the_suffix(source):
    assert spellings(source), source


@pytest.mark.parametrize(
    "source",
    [
        'HELP = "give a registry (shop-tcr.tencentcloudcr.com) or an image"',
        'EXAMPLE = "拉取ccr.ccs.tencentyun.com/ns/app:1.0失败"',
        'def f():\n    """The instance of `<instance>.tencentcloudcr.com`."""\n    # quay.tencentcloudcr.com\n    return 1',
        'WORDS = r"tencentcloudcr|tencentyun|\\btcr\\b"',
    ],
)
def test_the_rule_leaves_example_hosts_docstrings_and_words(source):
    assert spellings(source) == []


def test_the_readers_agree_with_the_declaration():
    """Hosts built from the declaration are TCR's for the name check, the entity extractor and the anonymous policy's
    defaults; a look-alike outside the suffix is not."""
    enterprise, vpc = "shop-tcr" + diagnostics.ENTERPRISE_SUFFIX, "shop-tcr" + diagnostics.VPC_SUFFIX
    personal = "hk" + diagnostics.PERSONAL_HOST
    assert [edition(h) for h in (enterprise, vpc, personal, "shop-tcr.tencentcloudcr.com.evil.io")] == [
        "enterprise",
        "enterprise",
        "personal",
        None,
    ]
    assert instance_from_host(enterprise) == instance_from_host(vpc + ":443") == "shop-tcr"
    assert extract_entities(f"docker pull {vpc}/team/app:1.0 fails")["instance"] == "shop-tcr"
    assert {d.removeprefix("*") for d in diagnostics.DEFAULT_DOMAINS} >= set(diagnostics.TCR_SUFFIXES)
    assert all(s.endswith(diagnostics.TENCENT_DOMAINS) for s in diagnostics.TCR_SUFFIXES)


@pytest.mark.parametrize(
    ("host", "instance"),
    [
        ("shop-tcr.tencentcloudcr.com", "shop-tcr"),
        ("shop-tcr-vpc.tencentcloudcr.com", "shop-tcr"),
        ("vpc.tencentcloudcr.com", "vpc"),
        ("quay.tencentcloudcr.com", "quay"),  # (the name check leaves the mirrors' labels alone)
        ("a.b.tencentcloudcr.com", None),
        # the suffix twice: the label before the last one is `a.tencentcloudcr.com-vpc`, not the instance `a`
        ("a.tencentcloudcr.com-vpc.tencentcloudcr.com", None),
        ("shop-tcr.tencentcloudcr.com.evil.io", None),
        ("ccr.ccs.tencentyun.com", None),
    ],
)
def test_one_rule_reads_the_instance_of_an_enterprise_host(host, instance):
    """diagnostics.enterprise_instance is the rule the entity extractor, the name check and the account checks use."""
    assert diagnostics.enterprise_instance(host) == instance
    assert instance_from_host(host.upper()) == instance
    if instance is None and edition(host) == "enterprise":
        assert _instance_findings(host) == []  # more than one label: not an instance name to check


def test_the_default_registry_domains_are_tcrs_own_each_listed_once():
    """An anonymous diagnosis (web, Slack) may contact TCR's hosts by default and no other name: each default pattern
    is one of TCR's suffixes, none covers another, and a Tencent Cloud name outside them (the metadata service's) is
    refused by its name, before any look-up."""
    from diagnostics.policy import AddressPolicy

    suffixes = [d.removeprefix("*") for d in diagnostics.DEFAULT_DOMAINS]
    assert sorted(suffixes) == sorted(diagnostics.TCR_SUFFIXES)
    assert not [(a, b) for a in suffixes for b in suffixes if a != b and a.endswith(b)]
    policy = AddressPolicy()
    assert policy.check_host("hk" + diagnostics.PERSONAL_HOST) is None
    assert policy.check_host("shop-tcr" + diagnostics.ENTERPRISE_SUFFIX) is None
    refusal = policy.check_host("metadata.tencentyun.com")
    assert refusal is not None and refusal.code == "domain"
