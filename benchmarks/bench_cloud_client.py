"""CPU per TCR API call of the product's own client (diagnostics/cloud_tc3.py) vs Tencent's SDK (a test extra), both
against the TCR API stand-in in a process of its own (so only the client's CPU is counted). A script that prints
figures, not a test.

    .venv/bin/python benchmarks/bench_cloud_client.py [--calls 300]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _serve(out, stop) -> None:
    from tests.harness.tcr_api import Account, TCRAPIServer

    with TCRAPIServer(Account.example()) as api:
        out.put(api.endpoint)
        stop.wait()


def _per_call(fn, calls: int) -> tuple[float, float]:
    for _ in range(20):  # warm-up: connections, first-use imports
        fn()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.process_time() - cpu) / calls * 1000, (time.perf_counter() - wall) / calls * 1000


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=300)
    args = ap.parse_args(argv)
    from diagnostics.cloud_tc3 import TC3Client
    from tests.harness.tcr_api import Account

    mp = multiprocessing.get_context("spawn")
    out, stop = mp.Queue(), mp.Event()
    server = mp.Process(target=_serve, args=(out, stop), daemon=True)
    server.start()
    try:
        endpoint = out.get(timeout=60)
        params = {"AllRegion": True, "Filters": [{"Name": "RegistryName", "Values": ["shop-tcr"]}], "Limit": 100}
        own = TC3Client(endpoint, Account.SECRET_ID, Account.SECRET_KEY, service="tcr", version="2019-09-24")
        rows = [
            ("own client (diagnostics/cloud_tc3.py)", lambda: own.call("DescribeInstances", "ap-guangzhou", params, 5))
        ]
        try:
            from tencentcloud.common import credential
            from tencentcloud.common.profile.client_profile import ClientProfile
            from tencentcloud.common.profile.http_profile import HttpProfile
            from tencentcloud.tcr.v20190924 import tcr_client

            profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=endpoint.split("://")[1]))
            sdk = tcr_client.TcrClient(
                credential.Credential(Account.SECRET_ID, Account.SECRET_KEY), "ap-guangzhou", profile
            )
            rows.append(("Tencent's SDK (call_json)", lambda: sdk.call_json("DescribeInstances", params)))
        except ImportError:
            print("tencentcloud-sdk-python-tcr is not installed (pip install -e '.[test]'): SDK row skipped")
        print(
            f"command: .venv/bin/python benchmarks/bench_cloud_client.py --calls {args.calls}; "
            f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        for label, fn in rows:
            cpu, wall = _per_call(fn, args.calls)
            print(f"   {label}: {cpu:.2f} ms CPU per call, {wall:.2f} ms wall per call (DescribeInstances, loopback)")
    finally:
        stop.set()
        server.join(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
