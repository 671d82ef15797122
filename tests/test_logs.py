"""knowledge.logs: cause detection on pasted docker/podman/containerd/kubelet logs (issue 6).

The development samples in tests/data/log_dev/ are ours: `samples.jsonl` covers every cause and tool with old and
new wordings and noisy multi-line pastes; `real.jsonl` holds lines quoted verbatim in public repositories and issue
threads. The held-out set is measured elsewhere and never read here.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from knowledge import logs
from knowledge.logs import CODES, explain

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "log_dev"
H = "shop-tcr.tencentcloudcr.com"
KEYS = {"cause", "also", "host", "image", "tag", "tool", "diagnose", "evidence", "faq", "summary", "fix"}


def _load(name: str) -> list[dict]:
    return [json.loads(line) for line in (DEV / name).read_text(encoding="utf-8").splitlines() if line.strip()]


SAMPLES = _load("samples.jsonl")
REAL = _load("real.jsonl")


# --- the data file -----------------------------------------------------------------------------------------------

def test_patterns_are_valid():
    rules = logs._rules()
    assert set(rules["causes"]) == set(CODES)
    for code, meta in rules["causes"].items():
        for field in ("summary", "fix"):
            assert meta[field]["zh"].strip() and meta[field]["en"].strip(), (code, field)
        assert meta.get("target", "host") in ("host", "image", "none")
        assert set(meta.get("only", [])) <= {"name", "dns", "endpoint", "tcp", "tls", "http", "credentials", "image"}
    ids = set()
    for p in rules["patterns"]:
        assert p["id"] not in ids
        ids.add(p["id"])
        assert p["cause"] in CODES, p["id"]
        assert set(p.get("also", [])) <= set(CODES), p["id"]
        assert p["any"], f"{p['id']}: every pattern needs trigger substrings (the pre-filter relies on them)"
        assert all(s == s.lower() for s in p["any"]), p["id"]
        if p.get("note"):
            assert p["note"]["zh"] and p["note"]["en"], p["id"]


def test_faq_ids_exist():
    faq_dir = ROOT / "knowledge" / "faq"
    ids = {path.stem.split("-", 1)[1] for path in faq_dir.glob("*.toml")}
    rules = logs._rules()
    wanted = {m.get("faq") for m in rules["causes"].values()} | {m.get("faq_kubelet") for m in rules["causes"].values()}
    wanted |= {p.get("faq") for p in rules["patterns"]}
    missing = {w for w in wanted if w} - ids
    assert not missing, f"FAQ ids named in logpatterns.toml without an entry: {missing}"


def test_import_is_cheap():
    code = "import knowledge.logs as l, sys; print(l._rules.cache_info().currsize, 'tomllib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split()[0] == "0"


# --- accuracy on the development samples -------------------------------------------------------------------------

def _score(samples: list[dict]) -> tuple[float, list]:
    good, bad = 0, []
    for i, s in enumerate(samples):
        r = explain(s["text"])
        if s["cause"] is None:
            ok = r is None
        else:
            ok = r is not None and (r["cause"] == s["cause"] or s["cause"] in r["also"])
        good += ok
        if not ok:
            bad.append((i, s["cause"], r and r["cause"], s["text"][:120]))
    return good / len(samples), bad


@pytest.mark.parametrize("name", ["samples.jsonl", "real.jsonl"])
def test_dev_accuracy(name):
    rate, bad = _score(_load(name))
    assert rate >= 0.95, bad


def test_dev_entities():
    total = right = 0
    wrong = []
    for s in SAMPLES + REAL:
        r = explain(s["text"])
        for key in ("host", "image", "tag", "tool"):
            if key in s and r is not None:
                total += 1
                if r[key] == s[key]:
                    right += 1
                else:
                    wrong.append((key, s[key], r[key], s["text"][:80]))
    assert total > 150
    assert right / total >= 0.95, wrong


def test_every_code_and_tool_is_covered():
    causes = {s["cause"] for s in SAMPLES if s["cause"]}
    assert causes == set(CODES)
    tools = {s.get("tool") for s in SAMPLES}
    assert {"docker", "podman", "containerd", "kubelet", "skopeo", "crictl", "helm"} <= tools


@pytest.mark.parametrize("sample", [s for s in SAMPLES if s["cause"]], ids=lambda s: s["cause"])
def test_result_shape(sample):
    r = explain(sample["text"])
    assert r is not None
    assert KEYS <= set(r)
    assert r["cause"] in CODES and r["cause"] not in r["also"] and len(r["also"]) <= 2
    assert set(r["also"]) <= set(CODES)
    assert r["summary"]["zh"] and r["summary"]["en"] and r["fix"]["zh"] and r["fix"]["en"]
    assert r["evidence"] and len(r["evidence"]) <= logs.MAX_EVIDENCE + 2
    assert r["diagnose"] is None or r["diagnose"].startswith("tcr-doctor diagnose ")
    json.dumps(r)   # serialisable as is


# --- wordings that changed over versions ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    f'Error response from daemon: Get "https://{H}/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority',
    f'Error response from daemon: Get https://{H}/v2/: x509: certificate signed by unknown authority',
])
def test_go_120_prefix_and_bare_x509(text):
    r = explain(text)
    assert r["cause"] == "TLS_UNTRUSTED" and r["host"] == H


def test_deepest_cause_wins_in_a_wrapped_chain():
    r = explain(f'Error response from daemon: Get "https://{H}/v2/": dial tcp: lookup {H} on 127.0.0.11:53: no such host')
    assert r["cause"] == "DNS_NXDOMAIN"
    assert r["diagnose"] == f"tcr-doctor diagnose {H} --only dns,endpoint"


@pytest.mark.parametrize("text,cause", [
    (f"dial tcp: lookup {H} on 10.0.0.2:53: read udp 10.0.0.5:1234->10.0.0.2:53: i/o timeout", "DNS_TIMEOUT"),
    (f'Get "https://{H}/v2/": dial tcp 1.2.3.4:443: i/o timeout', "TCP_TIMEOUT"),
    (f'Get "https://{H}/v2/": read tcp 10.0.0.5:1234->1.2.3.4:443: i/o timeout', "HTTP_TIMEOUT"),
    (f"dial tcp: lookup {H} on 127.0.0.53:53: server misbehaving", "DNS_TIMEOUT"),
])
def test_io_timeout_is_told_apart(text, cause):
    assert explain(text)["cause"] == cause


def test_login_context_turns_unauthorized_into_invalid_credentials():
    pull = explain(f'$ docker pull {H}/ns/app:1\nError response from daemon: Head "https://{H}/v2/ns/app/manifests/1": unauthorized: authentication required')
    login = explain(f'$ docker login {H} -u 1000\nError response from daemon: Get "https://{H}/v2/": unauthorized: authentication required')
    assert pull["cause"] == "CREDENTIALS_MISSING" and login["cause"] == "CREDENTIALS_INVALID"
    assert pull["image"] == f"{H}/ns/app:1" and pull["tag"] == "1"
    assert login["host"] == H and login["op"] == "login"


# --- ambiguity ---------------------------------------------------------------------------------------------------

def test_pull_access_denied_lists_the_three_causes():
    r = explain(f"Error response from daemon: pull access denied for {H}/ns/app, repository does not exist or may require 'docker login'")
    assert [r["cause"], *r["also"]] == ["CREDENTIALS_MISSING", "REPO_NOT_FOUND", "PERMISSION_DENIED"]
    assert "tcr-doctor diagnose" in r["note"]["en"] and "tcr-doctor diagnose" in r["note"]["zh"]
    assert r["diagnose"] == f"tcr-doctor diagnose {H}/ns/app"
    hub = explain("Error response from daemon: pull access denied for myapp, repository does not exist or may require 'docker login'")
    assert hub["cause"] == "REPO_NOT_FOUND" and "CREDENTIALS_MISSING" in hub["also"]


def test_expired_certificate_mentions_the_clock():
    r = explain(f'Get "https://{H}/v2/": x509: certificate has expired or is not yet valid: current time 2019-01-01T00:00:05Z is before 2024-05-01T00:00:00Z')
    assert r["cause"] == "TLS_EXPIRED"
    assert "clock" in r["note"]["en"] and "时间" in r["note"]["zh"]


# --- noise ---------------------------------------------------------------------------------------------------------

def test_ansi_progress_and_prompts():
    esc = "\x1b"
    text = (f"{esc}[1;32muser@host{esc}[0m:~$ docker push {H}/ns/app:2.0\n"
            f"The push refers to repository [{H}/ns/app]\n"
            "5f70bf18a086: Pushing [==>          ]  1.2MB/30MB\r5f70bf18a086: Pushing [=====>       ]  6MB/30MB\r"
            "5f70bf18a086: Retrying in 5 seconds\r5f70bf18a086: Retrying in 4 seconds\n"
            f"{esc}[31mdenied: requested access to the resource is denied{esc}[0m\n")
    r = explain(text)
    assert r["cause"] == "PERMISSION_DENIED"
    assert r["evidence"] == "denied: requested access to the resource is denied"
    assert r["image"] == f"{H}/ns/app:2.0" and r["tool"] == "docker" and r["op"] == "push"
    assert "--push" in r["diagnose"]


def test_kubectl_describe_picks_the_failed_event_not_the_backoff():
    text = f'''Events:
  Type     Reason     Age                From               Message
  ----     ------     ----               ----               -------
  Normal   Pulling    45s (x4 over 2m)   kubelet            Pulling image "{H}/prod/web:2.3.1"
  Warning  Failed     44s (x4 over 2m)   kubelet            Failed to pull image "{H}/prod/web:2.3.1": rpc error: code = NotFound desc = failed to pull and unpack image "{H}/prod/web:2.3.1": failed to resolve reference "{H}/prod/web:2.3.1": {H}/prod/web:2.3.1: not found
  Warning  Failed     44s (x4 over 2m)   kubelet            Error: ErrImagePull
  Normal   BackOff    5s (x6 over 2m)    kubelet            Back-off pulling image "{H}/prod/web:2.3.1"
  Warning  Failed     5s (x6 over 2m)    kubelet            Error: ImagePullBackOff'''
    r = explain(text)
    assert r["cause"] == "TAG_NOT_FOUND" and r["tool"] == "kubelet" and r["tag"] == "2.3.1"
    assert r["faq"] == "personal-pushed-image-missing"
    assert r["evidence"].startswith("Warning  Failed")


def test_symptom_only_is_low_confidence():
    r = explain("Warning  Failed  5s  kubelet  Error: ImagePullBackOff")
    assert r["confidence"] == "low" and r["tool"] == "kubelet" and r["faq"] == "cluster-pull-without-secret"


def test_json_escaped_events():
    text = ('{"message":"Failed to pull image \\"' + H + '/ns/a:1\\": rpc error: code = Unknown desc = failed to pull and '
            'unpack image \\"' + H + '/ns/a:1\\": failed to resolve reference \\"' + H + '/ns/a:1\\": failed to do request: '
            'Head \\"https://' + H + '/v2/ns/a/manifests/1\\": dial tcp 10.0.0.1:443: connect: connection refused"}')
    r = explain(text)
    assert r["cause"] == "TCP_REFUSED" and r["image"] == f"{H}/ns/a:1" and r["host"] == H


def test_informational_lines_are_not_errors():
    text = (f"$ docker login {H} -u 100012345 -p hunter2hunter2\n"
            "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n"
            "WARNING! Your password will be stored unencrypted in /root/.docker/config.json.\n"
            "Configure a credential helper to remove this warning. See\n"
            "https://docs.docker.com/engine/reference/commandline/login/#credential-stores\n\nLogin Succeeded\n")
    assert explain(text) is None


def test_secrets_are_not_echoed():
    r = explain(f"$ docker login {H} -u 100012345 -p hunter2hunter2\nError response from daemon: login attempt to https://{H}/v2/ failed with status: 401 Unauthorized -p hunter2hunter2")
    assert r["cause"] == "CREDENTIALS_INVALID"
    assert "hunter2" not in json.dumps(r)


@pytest.mark.parametrize("text", ["", "   \n\t", "hello", "如何创建命名空间？", "Status: Downloaded newer image for nginx:latest",
                                  "\x00\x01\x02" * 100])
def test_no_error_gives_none(text):
    assert explain(text) is None


# --- no crash, no hang ---------------------------------------------------------------------------------------------

def _pathological() -> dict[str, str]:
    rnd = random.Random(6)
    return {
        "progress": "a2abf6c4d29d: Downloading [=====>    ]  3.2MB/31.4MB\r" * 20000
                    + f'\nError response from daemon: Get "https://{H}/v2/": dial tcp: lookup {H}: no such host',
        "binary": os.urandom(1_000_000).decode("latin-1"),
        "long line": "a" * 1_000_000,
        "colon lines": ":\n" * 500_000,
        "lookup spam": "lookup " * 150_000,
        "quotes": '"' * 1_000_000,
        "urls": "https://a/v2/" * 80_000,
        "valid for": "x509: certificate is valid for " + "a, " * 300_000,
        "prompts": "$ docker pull " * 70_000,
        "ansi": "\x1b[" * 400_000 + "\x1b]" * 100_000,
        "refs": "docker://" + "a/" * 400_000,
        "random": "".join(rnd.choice("ab:/ .\"'-@\n\r\\x1b[") for _ in range(1_000_000)),
        "errors": f"Error response from daemon: manifest for {H}/ns/app:1 not found: manifest unknown\n" * 10_000,
        "surrogates": "\udcff\ud800" * 1000,
    }


@pytest.mark.parametrize("name", list(_pathological()))
def test_hostile_input_is_fast(name):
    text = _pathological()[name]
    start = time.monotonic()
    r = explain(text)
    assert time.monotonic() - start < 5.0
    if r is not None:
        json.dumps(r)
        assert r["cause"] in CODES


def test_progress_block_still_finds_the_error():
    assert explain(_pathological()["progress"])["cause"] == "DNS_NXDOMAIN"


def test_fuzzed_samples_never_crash():
    rnd = random.Random(42)
    texts = [s["text"] for s in SAMPLES + REAL if s["text"]]
    alphabet = list(":/\"'\\ \n\r\t@.-_[]{}()$#>\x1b\x00é中")
    for _ in range(1500):
        t = rnd.choice(texts)
        for _ in range(rnd.randint(0, 6)):
            op, k = rnd.random(), rnd.randint(0, len(t))
            if op < 0.3:
                t = t[:k] + "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 20))) + t[k:]
            elif op < 0.5:
                t = t[:k]
            elif op < 0.7:
                t = t[k:] + t[:k]
            elif op < 0.85:
                t = t + "\n" + rnd.choice(texts)
            else:
                t = t.replace(" ", rnd.choice([":", "\n", '"', "  "]))
        r = logs._explain(t)   # the unguarded core: a crash here is a bug even though explain() would hide it
        if r is not None:
            json.dumps(r)
            assert r["cause"] in CODES and len(r["also"]) <= 2 and r["cause"] not in r["also"]


def test_measure_reports_rates(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_text(json.dumps({"text": "x509: certificate signed by unknown authority", "cause": "TLS_UNTRUSTED"}) + "\n"
                 + json.dumps({"text": "hello", "cause": None}) + "\n"
                 + json.dumps({"text": "manifest unknown", "cause": "REPO_NOT_FOUND"}) + "\n", encoding="utf-8")
    m = logs.measure([str(f)])
    assert m["lines"] == 3 and m["cause_first_or_also"] == 1.0 and abs(m["cause_first"] - 2 / 3) < 1e-9


def test_unauthorized_at_the_end_of_a_long_push_is_an_expired_token():
    start = f"$ docker push {H}/ns/app:1.0\nThe push refers to repository [{H}/ns/app]\n"
    at_once = explain(start + "5f70bf18a086: Preparing\nunauthorized: authentication required")
    late = explain(start + "5f70bf18a086: Layer already exists\nc5cdd12b81c2: Pushing [=========>  ]  2.1GB/2.4GB\n"
                   "unauthorized: authentication required")
    assert at_once["cause"] == "CREDENTIALS_MISSING"
    assert late["cause"] == "CREDENTIALS_EXPIRED" and "CREDENTIALS_MISSING" in late["also"]
    assert "token" in late["note"]["en"] and "令牌" in late["note"]["zh"]


def test_package_entry_point_and_shared_redaction():
    import knowledge

    r = knowledge.explain_log(f'Error response from daemon: Get "https://{H}/v2/": unauthorized: authentication required '
                              "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefgh")
    assert r["cause"] == "CREDENTIALS_INVALID" and "eyJ" not in r["evidence"]


def test_default_tag_and_helm_version_fill_the_tag():
    r = explain(f"$ docker pull {H}/ns/app\nUsing default tag: latest\n"
                f"Error response from daemon: manifest for {H}/ns/app:latest not found: manifest unknown: manifest unknown")
    assert (r["image"], r["tag"]) == (f"{H}/ns/app:latest", "latest")
    r = explain(f"$ helm pull oci://{H}/charts/mychart --version 1.2.0\n"
                "Error: failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized")
    assert (r["image"], r["tag"], r["tool"]) == (f"{H}/charts/mychart:1.2.0", "1.2.0", "helm")
