"""What the custom-domain look-up costs as an account grows: `diagnose <custom domain> --only cloud_instance` against
the TCR API stand-in in a process of its own, every answer delayed by --api-delay (a real API round trip), for
accounts of 1, 30 and 130 instances (the last two over more than one page of DescribeInstances; the instance with
the domain, near the end, has 120 domains: two pages of DescribeInstanceCustomizedDomain). A script that prints
figures, not a test.

    .venv/bin/python benchmarks/bench_cloud_paging.py [--runs 7] [--api-delay 0.03]

Two names are looked up: one with an A record only (every instance's domain list is asked, paced at the API's
documented 20 calls per second per action: 5 at once, then 15 a second), and one CNAMEd to the instance's default
domain as the console guide sets it up (that instance is asked first, alone). The names resolve through the test
DNS server on loopback, started with the API stand-in.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PLAIN, CNAMED = "r110.paged.example", "r111.paged.example"


def _account(instances: int, delay: float):
    from tests.harness.tcr_api import Account, custom_domain, make_instance

    account = Account.example()
    regions = ("ap-guangzhou", "ap-shanghai", "ap-hongkong")
    for n in range(instances - 1):
        account.instances.append(make_instance(f"many-{n:03d}", f"tcr-many{n:04d}", regions[n % 3]))
    target = account.instances[-2] if instances > 1 else account.instances[0]
    target.custom_domains = [custom_domain(target.id, f"r{k}.paged.example") for k in range(120)]
    account.delay = {"DescribeInstances": delay, "DescribeInstanceCustomizedDomain": delay}
    return account


def _serve(instances: int, delay: float, out, stop) -> None:
    from tests.harness.dns_server import PUBLIC_V4, DNSServer, Zone
    from tests.harness.tcr_api import TCRAPIServer

    account = _account(instances, delay)
    target = account.instances[-2] if instances > 1 else account.instances[0]
    default = target.registry["PublicDomain"]
    zone = Zone(records={PLAIN: [("A", PUBLIC_V4)], CNAMED: [("CNAME", default)], default: [("A", PUBLIC_V4)]})
    with TCRAPIServer(account) as api, DNSServer(zone) as dns:
        out.put((api.endpoint, dns.nameserver))
        stop.wait()


def _measure(endpoint: str, nameserver: str, name: str, runs: int) -> float:
    from diagnostics import DiagnoseOptions, diagnose
    from diagnostics.cloud import CloudCredentials, CloudOptions
    from tests.harness.tcr_api import Account

    creds = CloudCredentials(Account.SECRET_ID, Account.SECRET_KEY)
    times: list[float] = []
    for i in range(runs + 1):
        opts = DiagnoseOptions(
            only=["cloud_instance"],
            env={},
            timeout=30,
            nameserver=nameserver,
            cloud=CloudOptions(credentials=creds, endpoint=endpoint),
        )
        start = time.perf_counter()
        report = diagnose(name, opts)
        took = (time.perf_counter() - start) * 1000
        assert any(f.code == "CUSTOM_DOMAIN_OK" for f in report.findings), [f.code for f in report.findings]
        if i:  # the first run is a warm-up
            times.append(took)
    return statistics.median(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--api-delay", type=float, default=0.03, help="seconds before each answer (default 0.03)")
    args = ap.parse_args(argv)
    from diagnostics import cloud

    print(f"command: .venv/bin/python benchmarks/bench_cloud_paging.py --runs {args.runs} --api-delay {args.api_delay}")
    print(
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; page {cloud.PAGE}, {cloud.PARALLEL} in flight,"
        f" {cloud.RATE:g} calls per second per action ({cloud.BURST} at once); {args.api_delay * 1000:g} ms per answer"
    )
    ctx = multiprocessing.get_context("spawn")
    for instances in (1, 30, 130):
        out, stop = ctx.Queue(), ctx.Event()
        server = ctx.Process(target=_serve, args=(instances, args.api_delay, out, stop), daemon=True)
        server.start()
        try:
            endpoint, nameserver = out.get(timeout=30)
            medians = [_measure(endpoint, nameserver, name, args.runs) for name in (PLAIN, CNAMED)]
        finally:
            stop.set()
            server.join(5)
        plain, cnamed = medians
        print(f"  {instances:4d} instances: A record {plain:7.1f} ms, CNAME to the instance {cnamed:7.1f} ms (medians)")
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
