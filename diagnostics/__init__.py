"""Live registry diagnostics: checks -> findings with stable codes (see docs/ARCHITECTURE.md).

The names below are imported on first use (PEP 562), so `import diagnostics.checks` or `diagnostics.names` does
not pay for the network stack: `tcr-doctor ask` validates check names without it.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from . import checks
    from .auth import docker_config_file, read_docker_config
    from .cache import cache_dir, kept_patterns, write_kept
    from .cloud import CloudError, CloudOptions, check_instance_name, parse_endpoint, valid_region
    from .cloud_credentials import credentials_available, load_credentials
    from .context import DiagnoseOptions
    from .errors import InputError
    from .findings import PROBLEMS, Finding, Said, catalogue, finding
    from .ip_literal import is_ip
    from .names import KIND_WORDS, check_name
    from .net import parse_nameserver
    from .policy import AddressPolicy, AnonymousDiagnosis
    from .results import FindingDict, ReportDict, TargetDict, Verdict
    from .runner import Report, check_names, diagnose, select
    from .target import Target, parse_target
    from .truststore import load_ca_file
    from .verdict import arrange_verdict

# The languages every text users read is written in (finding texts, FAQ entries, templates, usage errors), in the
# order a {"zh": ..., "en": ...} pair is written. The one declaration: knowledge and the channels import it from here.
LANGS = ("zh", "en")

# TCR's host names (shared/facts/tcr.md §1): an Enterprise instance answers at <instance>.tencentcloudcr.com and,
# inside a VPC, at <instance>-vpc.tencentcloudcr.com; the Personal edition at <region prefix>ccr.ccs.tencentyun.com
# (diagnostics.cloud's PERSONAL_REGIONS). The one declaration (tests/test_host_facts.py keeps it so): the name rules
# (diagnostics.names), the checks, knowledge's entities and the channels read it here, where importing it loads
# nothing (from knowledge, diagnostics.names and its reference grammar would cost `ask` ~4.2 M instructions, valgrind).
ENTERPRISE_DOMAIN = "tencentcloudcr.com"
PERSONAL_DOMAIN = "ccs.tencentyun.com"
ENTERPRISE_SUFFIX = "." + ENTERPRISE_DOMAIN
VPC_SUFFIX = "-vpc" + ENTERPRISE_SUFFIX  # an Enterprise instance's VPC (private) domain
PERSONAL_SUFFIX = "." + PERSONAL_DOMAIN
PERSONAL_HOST = "ccr" + PERSONAL_SUFFIX  # the Personal edition's host in Guangzhou; other regions prefix it (hkccr.)
TCR_SUFFIXES: tuple[str, ...] = (ENTERPRISE_SUFFIX, PERSONAL_SUFFIX)


def enterprise_instance(host: str) -> str | None:
    """The instance name of an Enterprise host (lower case, no port): the label before ENTERPRISE_SUFFIX, its `-vpc`
    removed; None for another host or when more than one label stands before the suffix (a mirror's, a look-alike)."""
    if not host.endswith(ENTERPRISE_SUFFIX):
        return None
    label = host[: -len(VPC_SUFFIX)] if host.endswith(VPC_SUFFIX) else host[: -len(ENTERPRISE_SUFFIX)]
    return None if "." in label else label


def edition(host: str | None) -> str | None:
    """ "enterprise" or "personal" for a TCR host, None for any other (the name check's, the endpoint's and the
    runner's one rule: what a diagnosis says of a registry follows it)."""
    if not host:
        return None
    if host.endswith(ENTERPRISE_SUFFIX):
        return "enterprise"
    if host.endswith(PERSONAL_HOST):
        return "personal"
    return None


# The account side's findings that place the host in one of the account's TCR instances (a custom domain's, say).
TCR_FOUND: frozenset[str] = frozenset(
    {"INSTANCE_OK", "INSTANCE_NOT_RUNNING", "CUSTOM_DOMAIN_OK", "CUSTOM_DOMAIN_NOT_READY", "PERSONAL_EDITION"}
)


def is_tcr_registry(host: str | None, findings: Iterable[Any] = (), *, stands_for: str | None = None) -> bool:
    """Whether the registry HOST is TCR's, so advice may speak of TCR's console, CAM, instances and FAQ (the one rule:
    the runner's fixes for a diagnosis, the channels' hints): a TCR host name, a host the caller says stands for an
    edition (STANDS_FOR: `DiagnoseOptions.edition`, a custom domain or a test registry), or, with a diagnosis's
    FINDINGS (Finding objects or their to_dict() dicts), a name whose CNAME chain ends at a TCR host (DNS_OK) or a
    custom domain the account side found. Anything else (another vendor's registry, a self-hosted one, an IP address)
    is not TCR."""
    if stands_for or edition(host):
        return True
    for f in findings:
        code = f.get("code") if isinstance(f, dict) else getattr(f, "code", None)
        if code in TCR_FOUND:
            return True
        evidence = (f.get("evidence") if isinstance(f, dict) else getattr(f, "evidence", None)) or {}
        if code == "DNS_OK" and any(edition(str(c).rstrip(".")) for c in evidence.get("cnames") or ()):
            return True
    return False


# Tencent Cloud's own domains (TCR's among them): a registry under one of them is Tencent's, never another vendor's
# or a self-hosted one (knowledge.text's registry facet).
TENCENT_DOMAINS: tuple[str, ...] = (
    ENTERPRISE_DOMAIN,
    "tencentyun.com",
    "myqcloud.com",
    "tencentcloud.com",
    "qcloud.com",
)

# What an anonymous diagnosis (the web API, Slack) may contact unless the operator says otherwise: the defaults of
# policy.AddressPolicy and of bot.settings' TCR_DOCTOR_REGISTRY_DOMAINS, _REGISTRY_PORTS and _REFUSED_NETWORKS
# (declared here, where the settings read them without loading the policy; policy.py says why these networks).
# The domains are TCR's own and no wider: `*.tencentyun.com` (listed until 2026-12) held no TCR host outside
# ccs.tencentyun.com, but it did name Tencent Cloud's internal services (metadata.tencentyun.com,
# mirrors.tencentyun.com), which only the address check then kept out.
DEFAULT_DOMAINS: tuple[str, ...] = tuple("*" + suffix for suffix in TCR_SUFFIXES)
DEFAULT_PORTS: tuple[int, ...] = (443, 80)
DEFAULT_REFUSED_NETWORKS: tuple[str, ...] = ("9.0.0.0/8", "11.0.0.0/8", "30.0.0.0/8")

_EXPORTS = {
    "diagnose": "runner",
    "DiagnoseOptions": "context",
    "Finding": "findings",
    "Report": "runner",
    "check_name": "names",
    "KIND_WORDS": "names",  # each kind of name (check_name's KIND) as a sentence says it, in zh and en
    "catalogue": "findings",
    "finding": "findings",
    "Said": "findings",  # our own words in an evidence value: the English string that knows its Chinese wording
    "PROBLEMS": "findings",  # the statuses that report a problem ("fail", "warn"): what a channel counts as one
    "check_names": "runner",
    "select": "runner",
    "Target": "target",
    "parse_target": "target",
    "arrange_verdict": "verdict",
    # What channels need besides a diagnosis: the address policy of anonymous diagnoses (web, Slack), the account
    # side (`--cloud`, Slack's operator account), the CLI's --nameserver and its TLS warm-up.
    "AddressPolicy": "policy",
    "AnonymousDiagnosis": "policy",
    "CloudOptions": "cloud",
    "CloudError": "cloud",
    "check_instance_name": "cloud",
    "parse_endpoint": "cloud",
    "valid_region": "cloud",
    "load_credentials": "cloud_credentials",
    "credentials_available": "cloud_credentials",
    "parse_nameserver": "net",
    "InputError": "errors",  # a caller's unusable input, said in zh and en
    "is_ip": "ip_literal",  # the one rule for "is this an IP address literal" (ipaddress's, without its import)
    # the shapes of a report's dicts (declarations for the type checker; diagnostics/results.py)
    **dict.fromkeys(("ReportDict", "FindingDict", "TargetDict", "Verdict"), "results"),
    "cache_dir": "cache",  # the one cache directory (the channels keep their compiled templates there)
    "kept_patterns": "cache",  # regular expressions kept compiled between runs of a one-shot command (the CLI)
    "write_kept": "cache",  # a copy kept in the cache directory, written whole and its older versions pruned
    "load_ca_file": "truststore",  # the CLI's --ca-file, read once: the diagnosis's TLS context is the one it made
    # the CLI's --docker-config, checked before the diagnosis as the credentials check reads it
    **dict.fromkeys(("docker_config_file", "read_docker_config"), "auth"),
}
__all__ = [
    "LANGS",
    "ENTERPRISE_DOMAIN",
    "PERSONAL_DOMAIN",
    "ENTERPRISE_SUFFIX",
    "VPC_SUFFIX",
    "PERSONAL_SUFFIX",
    "PERSONAL_HOST",
    "TCR_SUFFIXES",
    "enterprise_instance",
    "edition",
    "is_tcr_registry",
    "TCR_FOUND",
    "TENCENT_DOMAINS",
    "DEFAULT_DOMAINS",
    "DEFAULT_PORTS",
    "DEFAULT_REFUSED_NETWORKS",
    "diagnose",
    "DiagnoseOptions",
    "Finding",
    "Report",
    "check_name",
    "KIND_WORDS",
    "catalogue",
    "finding",
    "Said",
    "PROBLEMS",
    "check_names",
    "select",
    "Target",
    "parse_target",
    "arrange_verdict",
    "AddressPolicy",
    "AnonymousDiagnosis",
    "CloudOptions",
    "CloudError",
    "check_instance_name",
    "parse_endpoint",
    "valid_region",
    "load_credentials",
    "credentials_available",
    "parse_nameserver",
    "InputError",
    "is_ip",
    "ReportDict",
    "FindingDict",
    "TargetDict",
    "Verdict",
    "cache_dir",
    "kept_patterns",
    "write_kept",
    "load_ca_file",
    "docker_config_file",
    "read_docker_config",
    "checks",  # the subpackage: the one registry of checks (its docstring), read by the CLI, the web API and Slack
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'diagnostics' has no attribute {name!r}")
    # (__import__, not importlib.import_module: see diagnostics.checks._import)
    value = getattr(__import__(f"{__name__}.{module}", fromlist=[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
