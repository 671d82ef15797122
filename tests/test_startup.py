"""Start-up stays close to the floor: a command imports only what it uses (measured with python -X importtime;
figures in benchmarks/bench_startup.py). A fresh interpreter runs the command and lists its modules."""

from __future__ import annotations

import datetime as dt
import json
import marshal
import os
import shutil
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.harness.dns_server import Zone

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import io, json, sys
from bot.cli import main
stdout, sys.stdout = sys.stdout, io.StringIO()  # (not contextlib.redirect_stdout: contextlib is watched for)
code = main(json.loads(sys.argv[1]))
sys.stdout = stdout
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

# Never at start-up of these commands: the web stack, Slack, the database, the cloud SDK, HTTP client libraries.
SERVICES = {"flask", "werkzeug", "slack_bolt", "slack_sdk", "sqlalchemy", "alembic", "redis", "prometheus_client"}
CLIENTS = {"requests", "urllib3", "tencentcloud", "gunicorn", "waitress"}


def modules_of(argv: list[str]) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1])["modules"])


@pytest.fixture(scope="module")
def kept_registry() -> None:
    """The check registry's declarations and the code catalogue kept in the cache, as after any earlier diagnosis: a
    missing or stale copy (new sources, a fresh cache directory) is parsed again, with ast and tomllib, once, by
    whichever process reads it first."""
    modules_of(["diagnose", "127.0.0.1", "--only", "name", "--json"])


def tops(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_ask_json_imports_no_network_stack():
    modules = modules_of(["ask", "--json", "docker login fails with unauthorized"])
    assert not tops(modules) & (SERVICES | CLIENTS | {"dns", "cryptography", "jinja2", "ssl", "email", "http"})
    assert not {"diagnostics.context", "diagnostics.net", "diagnostics.runner"} & modules
    assert "knowledge.matcher" in modules  # the probe did answer


def test_json_output_loads_no_template_and_ask_or_explain_not_the_diagnose_command(tmp_path):
    """`--json` renders nothing: bot.render (~1.5 M instructions with bot.messages) and Jinja2 (~66-127 M) are
    imported where a command renders text. `ask` and `explain` take the `--cloud` hint from bot.commands, not from the
    diagnose command's module, whose diagnostics engine imports sit at its top."""
    log = tmp_path / "pull.log"
    log.write_text(
        'Error response from daemon: Get "https://shop-tcr.tencentcloudcr.com/v2/": net/http: TLS handshake timeout\n'
    )
    for argv, loaded in (
        (["ask", "--json", "docker login fails with unauthorized"], "knowledge.matcher"),
        (["explain", str(log), "--json"], "knowledge.logs"),
        (["check-name", "repo", "team/app", "--json"], "diagnostics.names"),
    ):
        modules = modules_of(argv)
        assert loaded in modules, argv  # the command did its work
        assert not {"bot.render", "bot.commands.diagnose", "jinja2"} & modules, (argv, sorted(modules))


# A wire diagnosis pays for its checks and the stdlib they use, nothing else: not dnspython (about 100 modules;
# the stub resolver asks), not the account-side checks or their SDK glue, not rapidfuzz (imported when a tag is
# missing), not the settings object, not cryptography (only a refused certificate is read with it).
NOT_FOR_A_WIRE_DIAGNOSIS = SERVICES | CLIENTS | {"dns", "cryptography", "rapidfuzz", "markdown_it", "nh3", "jinja2"}
WIRE_CHECKS = ["name", "dns", "endpoint", "tcp", "tls", "http", "credentials", "image"]
# The TLS/HTTP half of the stack: loaded once a name resolved and a port answered, never before.
TLS_AND_HTTP = {"ssl", "_ssl", "http.client", "email.parser", "diagnostics.transport", "diagnostics.auth"}
# What a diagnosis that ends at its DNS or TCP step does without (measured with valgrind, benchmarks/bench_startup.py):
# dataclasses (the types are plain classes: diagnostics.value); typing, ~12 M instructions (its modules read
# `TYPE_CHECKING = False` and import typing's names only for the type checker, annotations being postponed); argparse
# with gettext and locale, ~16 M (a plain command line is read by bot.quick_args); queue with heapq, ~2.3 M (the
# runner's checks hand their outcomes over under a threading.Condition).
NOT_BEFORE_THE_FIRST_CHECK = {"dataclasses", "inspect", "ast", "dis", "tokenize", "typing", "argparse", "locale"}
NOT_BEFORE_THE_FIRST_CHECK |= {"queue", "heapq"}
# contextlib, ~2.9 M (Deadline.stopped is a class; the CLI imports contextlib with argparse, for its Chinese words)
NOT_BEFORE_THE_FIRST_CHECK |= {"contextlib"}
# importlib's package, whose import imports warnings, ~2 M (modules load through __import__: diagnostics.checks._import)
NOT_BEFORE_THE_FIRST_CHECK |= {"importlib", "warnings"}


def test_a_whole_wire_diagnosis_imports_its_checks_and_nothing_else(registry_noauth, kept_registry):
    image = f"http://127.0.0.1:{registry_noauth.port}/team/app:latest"
    modules = modules_of(["diagnose", image, "--json"])
    assert not tops(modules) & NOT_FOR_A_WIRE_DIAGNOSIS
    assert {f"diagnostics.checks.{name}" for name in WIRE_CHECKS} <= modules
    assert not {m for m in modules if m.startswith(("diagnostics.checks.cloud", "diagnostics.cloud", "bot.settings"))}
    floor = modules_of_code("import ssl, http.client, json")
    # 59 when this was written: argparse, dataclasses (inspect, ast, dis, tokenize), typing, hashlib, queue, pathlib
    # and the package's own modules; not logging, shutil, tomllib (imported only when needed). Now neither argparse,
    # dataclasses, typing nor pathlib (~70 M instructions of the healthy diagnosis's start-up, valgrind): the token
    # flow's and the transport's types are plain classes too, and the docker config is read with pathlib only
    # when there is no --username.
    assert len(modules - floor) <= 70, sorted(modules - floor)
    assert not {"logging", "shutil", "tomllib", "pathlib"} & modules
    assert not (modules - floor) & NOT_BEFORE_THE_FIRST_CHECK, sorted((modules - floor) & NOT_BEFORE_THE_FIRST_CHECK)


def test_a_diagnosis_stopped_at_dns_or_tcp_loads_no_tls_or_http(dns_server, kept_registry):
    """The checks after a failed one never run, so their modules (and ssl, http.client, email) are never imported:
    an unknown name costs the interpreter, the DNS question and the report."""
    nxdomain = modules_of(
        ["diagnose", f"{Zone.NXDOMAIN}/team/app:latest", "--nameserver", dns_server.nameserver, "--json"]
    )
    assert "diagnostics.checks.dns" in nxdomain and "diagnostics.stub_resolver" in nxdomain
    assert not nxdomain & TLS_AND_HTTP, sorted(nxdomain & TLS_AND_HTTP)
    # dataclasses imports inspect, ast, dis and tokenize and compiles each class's methods: ~80 M of the 242 M
    # instructions this diagnosis took
    assert not nxdomain & NOT_BEFORE_THE_FIRST_CHECK, sorted(nxdomain & NOT_BEFORE_THE_FIRST_CHECK)
    # an unknown name has no address to classify: ipaddress (~5 M instructions) is imported only when one is, the host
    # names and the IPv4 nameserver being told apart by diagnostics.ip_literal
    assert "ipaddress" not in nxdomain
    # nor the socket module (its enum conversions and selectors, ~15 M instructions): the stub resolver asks through
    # the socket type itself (_socket); a connection (the TCP step, ssl) imports socket
    assert not {"socket", "selectors"} & nxdomain, sorted({"socket", "selectors"} & nxdomain)
    # nor threading, ~4 M: the runner starts its checks with _thread and the locks are _thread's (diagnostics.runner);
    # the TCP step's parallel connects and the TLS half use threading
    assert "threading" not in nxdomain
    # (the context holds the tcp fact, so diagnostics.checks.tcp is loaded with it)
    assert not {f"diagnostics.checks.{c}" for c in ("endpoint", "tls", "http", "credentials", "image")} & nxdomain
    refused = modules_of(["diagnose", "http://127.0.0.1:1/team/app", "--json", "--timeout", "3"])  # port 1: refused
    assert {"diagnostics.checks.tcp", "diagnostics.checks.endpoint"} <= refused
    assert not refused & TLS_AND_HTTP, sorted(refused & TLS_AND_HTTP)
    assert not refused & NOT_BEFORE_THE_FIRST_CHECK, sorted(refused & NOT_BEFORE_THE_FIRST_CHECK)
    assert not {f"diagnostics.checks.{c}" for c in ("tls", "http", "credentials", "image")} & refused


# Records every pattern re compiles (re.compile, re.findall... all go through re._compile), then runs the command.
PATTERNS_PROBE = """
import contextlib, io, json, re, sys
compiled, compile = [], re._compile
def recording(pattern, flags):
    compiled.append(getattr(pattern, "pattern", pattern))
    return compile(pattern, flags)
re._compile = recording
from bot.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main(json.loads(sys.argv[1]))
from diagnostics import checks, names, reference, stub_resolver
declaration = getattr(checks._DECLARATION, "pattern", checks._DECLARATION)
unneeded = [reference.DIGEST, reference.HEX64, reference._BRACKETED, names.INSTANCE, names.NS_CHARS, names.REPO_CHARS]
print(json.dumps({"declaration": declaration, "compiled": compiled, "unneeded": unneeded, "host": stub_resolver._HOST}))
"""


def test_a_diagnosis_with_the_declarations_kept_compiles_no_declaration_pattern(dns_server, kept_registry):
    """The check registry's declaration pattern reads a check's source only when the kept copy is missing or stale:
    compiled at import it cost every diagnosis ~1.1 M instructions (valgrind). Patterns the target does not need
    are not compiled either."""
    argv = ["diagnose", f"{Zone.NXDOMAIN}/team/app:latest", "--nameserver", dns_server.nameserver, "--json"]
    out = subprocess.run(
        [sys.executable, "-c", PATTERNS_PROBE, json.dumps(argv)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["compiled"], "the probe records nothing: re no longer compiles through re._compile"
    assert seen["declaration"] not in seen["compiled"]
    # nor a pattern a name:tag on a host that is not TCR's never needs (0.4-1 M each): a digest, a bare image ID, a
    # bracketed IPv6 host, TCR's instance, namespace and repository rules
    assert not set(seen["unneeded"]) & set(seen["compiled"]), set(seen["unneeded"]) & set(seen["compiled"])


def test_a_diagnosis_of_an_address_compiles_no_host_name_pattern():
    """The stub resolver's host-name pattern is compiled when a name is first asked: a diagnosis of an IP address
    (the TCP step refused here) asks none (~0.9 M instructions)."""
    argv = ["diagnose", "http://127.0.0.1:1/team/app", "--only", "name,dns,tcp", "--json"]
    out = subprocess.run(
        [sys.executable, "-c", PATTERNS_PROBE, json.dumps(argv)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["compiled"] and seen["host"] not in seen["compiled"]


def modules_of_code(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout))


@pytest.mark.parametrize("output", [["--json"], []])
def test_diagnose_imports_the_engine_and_nothing_else(output):
    modules = modules_of(["diagnose", "127.0.0.1", "--only", "name", *output])
    assert not tops(modules) & (SERVICES | CLIENTS | {"cryptography", "rapidfuzz", "markdown_it", "nh3"})
    assert not {m for m in modules if m.startswith("knowledge.") and m != "knowledge.redact"}
    assert "diagnostics.runner" in modules
    assert ("jinja2" in tops(modules)) is (not output)  # the human output is a template; --json is not


def test_a_diagnosis_exits_cleanly_while_the_tls_context_loads():
    """Once a name resolved, the TCP step starts loading the TLS context in a background thread (with the caches off
    that reads the whole system CA store); a diagnosis that then ends at once (the port is refused) must wait for it:
    a daemon thread inside OpenSSL at exit crashed the interpreter (SIGSEGV)."""
    for _ in range(4):
        out = subprocess.run(
            [sys.executable, "-m", "bot.cli", "diagnose", "https://127.0.0.1:1", "--only", "tcp", "--json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "TCR_DOCTOR_CACHE_DIR": "off"},
        )
        assert out.returncode == 1 and json.loads(out.stdout)["findings"][0]["code"] == "TCP_REFUSED", (
            out.returncode,
            out.stderr,
        )


def test_the_prewarmed_tls_context_is_the_one_the_diagnosis_uses(tls_material):
    from diagnostics import transport

    transport.prewarm_tls_context(tls_material.ca_file)
    context = transport.tls_context(tls_material.ca_file)
    assert context is transport.tls_context(tls_material.ca_file)
    assert any(c["subject"] for c in context.get_ca_certs())  # the extra CA is in it


def test_the_code_catalogue_is_kept_compiled_and_a_damaged_copy_is_ignored(tmp_path, monkeypatch):
    import tomllib

    from diagnostics.cache import compiled
    from diagnostics.findings import CATALOGUE_PATH

    monkeypatch.setenv("TCR_DOCTOR_CACHE_DIR", str(tmp_path))
    parsed = tomllib.loads(Path(CATALOGUE_PATH).read_text(encoding="utf-8"))

    def parse(data: bytes) -> dict:
        calls.append(1)
        return tomllib.loads(data.decode("utf-8"))

    calls: list[int] = []
    assert compiled(CATALOGUE_PATH, parse, "codes") == parsed and calls == [1]
    assert compiled(CATALOGUE_PATH, parse, "codes") == parsed and calls == [1]  # read from the kept copy
    (kept,) = tmp_path.glob("codes-*.marshal")
    kept.write_bytes(b"\xe9\x00\x00\x00\x00")  # marshal of an int, not a dict
    assert compiled(CATALOGUE_PATH, parse, "codes") == parsed and calls == [1, 1]


def test_the_check_declarations_are_kept_compiled_and_follow_the_sources(tmp_path, monkeypatch):
    """The registry reads NAME/DEPENDS/... from each check's source; the parsed declarations are kept between runs
    (ast.literal_eval of ~50 literals was ~15 M instructions of every diagnosis) and an edit is read anew."""
    from diagnostics import checks

    monkeypatch.setenv("TCR_DOCTOR_CACHE_DIR", str(tmp_path / "cache"))
    source = tmp_path / "probe.py"
    source.write_text('NAME = "probe"\nDEPENDS = ("dns",)\nORDER = 5\n\n\ndef run(ctx):\n    return []\n')
    first = checks._declarations({"probe": str(source)})
    assert first["probe"] == {
        "name": "probe",
        "depends": ("dns",),
        "order": 5.0,
        "anonymous": True,
        "credentials": False,
        "group": None,
        "subject": "registry",
    }
    assert len(list((tmp_path / "cache").glob("checks-*.marshal"))) == 1
    assert checks._declarations({"probe": str(source)}) == first  # the kept copy
    source.write_text(source.read_text().replace("ORDER = 5", "ORDER = 7"))
    assert checks._declarations({"probe": str(source)})["probe"]["order"] == 7.0
    source.write_text("NAME = make_name()\nDEPENDS = ()\n\n\ndef run(ctx):\n    return []\n")
    assert checks._declarations({"probe": str(source)})["probe"] is None  # not a literal: the module is imported


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(9999, 12, 31)))
def test_the_tls_check_reads_certificate_times_as_ssl_does(when):
    """The TLS check reads getpeercert()'s times itself: ssl.cert_time_to_seconds would build _strptime's tables on
    its first use (~15 M instructions of every healthy diagnosis). Same answer, OpenSSL's format (day padded)."""
    from diagnostics.checks.tls import _cert_time

    text = f"{when:%b} {when.day:2d} {when:%H:%M:%S} {when.year} GMT"
    assert _cert_time(text) == dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(text), dt.UTC)


def test_a_one_shot_command_ends_at_once_with_its_output_and_atexit_handlers():
    """`diagnose` and `ask` skip the interpreter's teardown (os._exit) once their output is flushed and the atexit
    handlers ran; long-lived commands keep the ordinary exit (the storage writer of `serve` flushes at exit)."""
    from bot.cli import NO_COLLECTIONS, ONE_SHOT

    assert not {"serve", "slack"} & ONE_SHOT and NO_COLLECTIONS <= ONE_SHOT
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write('atexit ran\\n'))\n"
        "sys.argv = ['tcr-doctor', *sys.argv[1:]]\n"
        "from bot.cli import console\n"
        "console()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "diagnose", "http://127.0.0.1:1/team/app", "--only", "tcp", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1 and json.loads(out.stdout)["findings"][0]["code"] == "TCP_REFUSED", out.stderr
    assert out.stderr.count("atexit ran") == 1


def test_the_lazy_imports_kept_for_their_cost_stay_off_the_paths_they_spare(tmp_path, dns_server):
    """Function-level imports kept for a measured cost (the comments at each): a ticket report that cites an FAQ entry
    reads its question without the text tools (knowledge.kb imports knowledge.text only to parse entries, ~74 M
    instructions; knowledge.faq_question reads one entry's file, not knowledge.kb), and `check-name --cloud` asks
    CheckInstanceName without the findings and the check registry (diagnostics.cloud imports them in the functions
    of the account checks, ~2.7 M)."""
    ticket = tmp_path / "ticket.md"
    # a TCR name on the loopback DNS server (only a TCR registry's findings cite TCR's FAQ)
    target = f"http://{Zone.TCR_LOCAL}:1/team/app"
    argv = ["diagnose", target, "--only", "name,dns,tcp", "--nameserver", dns_server.nameserver]
    report = modules_of([*argv, "--report", str(ticket)])
    # the report did cite an entry by its question (port 1 is refused: the login FAQ entry)
    assert "(`login-failed`)" in ticket.read_text(encoding="utf-8")
    assert not {"knowledge.text", "knowledge.kb"} & report
    env = {"TENCENTCLOUD_SECRET_ID": "AKID" + "x" * 32, "TENCENTCLOUD_SECRET_KEY": "y" * 32}
    argv = ["check-name", "instance", "my-tcr", "--cloud", "--cloud-endpoint", "http://127.0.0.1:1", "--json"]
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )
    assert out.returncode == 0, out.stderr
    cloud = set(json.loads(out.stdout.strip().splitlines()[-1])["modules"])
    assert "diagnostics.cloud" in cloud  # the service was asked (port 1: refused, reported as not checked)
    assert not {"diagnostics.findings", "diagnostics.checks"} & cloud


def test_a_ca_file_is_read_into_one_context_the_diagnosis_uses(tls_material, monkeypatch):
    """diagnose --ca-file reads the file once, into one SSLContext: the one its usage check made is the one the
    diagnosis verifies with, the system's CAs added (each SSLContext costs ~1.5 M instructions; there were two)."""
    import argparse

    from bot.commands.diagnose import _file_problem
    from diagnostics import transport

    made: list[ssl.SSLContext] = []
    new = ssl.SSLContext.__new__

    def counted(cls, *args, **kwargs):
        made.append(new(cls, *args, **kwargs))
        return made[-1]

    transport._verifying_context.cache_clear()  # as in a new process
    monkeypatch.setattr(ssl.SSLContext, "__new__", counted)
    args = argparse.Namespace(ca_file=tls_material.ca_file, docker_config=None)
    assert _file_problem(args) is None
    transport.prewarm_tls_context(tls_material.ca_file)  # as the TCP step does
    context = transport.tls_context(tls_material.ca_file)
    assert made == [context], made
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert any(c["subject"] for c in context.get_ca_certs())  # the --ca-file's CA
    reference = transport._make_context(tls_material.ca_file, True)  # what a diagnosis built before: the same trust
    assert context.cert_store_stats() == reference.cert_store_stats()
    assert sorted(map(repr, context.get_ca_certs())) == sorted(map(repr, reference.get_ca_certs()))  # in any order
    transport._verifying_context.cache_clear()


HELP_PROBE = """
import io, json, sys
from bot.cli import main
stdout, sys.stdout = sys.stdout, io.StringIO()
try:
    main(json.loads(sys.argv[1]))
except SystemExit:
    pass
sys.stdout = stdout
print(json.dumps(sorted(sys.modules)))
"""


@pytest.mark.parametrize("command", ["serve", "db", "report"])
def test_a_server_commands_help_loads_no_server_stack(command):
    """`serve --help`, `db --help`, `report --help` read the arguments only: the web, database and server stack
    (1.3–1.9 G instructions, callgrind) is imported when the command runs."""
    out = subprocess.run(
        [sys.executable, "-c", HELP_PROBE, json.dumps([command, "--help"])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    modules = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert f"bot.commands.{command}" in modules  # the probe did build that command's parser
    assert not tops(modules) & (SERVICES | CLIENTS)


def test_kept_patterns_are_the_patterns_re_compiles(tmp_path, monkeypatch):
    """A pattern compiled by an earlier run is loaded from its kept program (diagnostics.cache.kept_patterns), equal
    to what re.compile builds (Pattern equality compares the program) and matching alike; re's compiler is not run."""
    import re

    from diagnostics.cache import kept_patterns

    monkeypatch.setenv("TCR_DOCTOR_CACHE_DIR", str(tmp_path))
    cases = [
        (r"(?P<host>[a-z0-9.-]+)/v2/(\w+)", 0),
        ("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", 0),  # a character class of Chinese ranges: a big charset
        (r"denied|unauthori[sz]ed", re.IGNORECASE),
        (rb"\x1b\[[0-?]*[@-~]", 0),
        (r"^(?:login succeeded)\s*$", re.MULTILINE),
    ]
    fresh = re._compiler.compile
    monkeypatch.setattr(re, "_cache", {})  # a new process's
    keep = kept_patterns("probe")
    for pattern, flags in cases:
        assert re.compile(pattern, flags) == fresh(pattern, flags)  # compiled as re does, its program noted
    keep()
    assert len(list(tmp_path.glob("patterns-probe-*.marshal"))) == 1
    monkeypatch.setattr(re, "_cache", {})  # the next run
    kept_patterns("probe")
    parse, parsed = re._parser.parse, []
    re._parser.parse = lambda *args: parsed.append(args) or parse(*args)
    try:
        loaded = [re.compile(pattern, flags) for pattern, flags in cases]
    finally:
        re._parser.parse = parse
    assert parsed == []  # nothing compiled again
    for (pattern, flags), pattern_object in zip(cases, loaded, strict=True):
        expected = fresh(pattern, flags)
        assert pattern_object == expected
        assert (pattern_object.flags, pattern_object.groups, pattern_object.groupindex) == (
            expected.flags,
            expected.groups,
            expected.groupindex,
        )
    assert re.compile(cases[0][0]).match("x.io/v2/app").group("host", 2) == ("x.io", "app")
    assert re.compile(r"new\d").match("new1")  # a pattern not kept is compiled as before
    with pytest.raises(re.error, match="missing \\)"):
        re.compile(r"(unclosed")  # and an invalid one refused by re itself
    assert re.compile(re.compile("x")).pattern == "x"  # a compiled Pattern given again


def test_kept_patterns_ignore_a_damaged_copy(tmp_path, monkeypatch):
    import re

    from diagnostics.cache import kept_patterns

    monkeypatch.setenv("TCR_DOCTOR_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(re, "_cache", {})
    keep = kept_patterns("probe")
    re.compile(r"a(b+)c")
    keep()
    (kept,) = tmp_path.glob("patterns-probe-*.marshal")
    kept.write_bytes(kept.read_bytes()[:-40])  # cut short
    monkeypatch.setattr(re, "_cache", {})
    keep = kept_patterns("probe")
    assert re.compile(r"a(b+)c").match("abbc").group(1) == "bb"
    keep()  # written anew
    assert [entry[0] for entry in marshal.loads(kept.read_bytes())] == [r"a(b+)c"]


KEPT_PROBE = """
import atexit, re, sys
compiled = []
parse = re._parser.parse
def counting(pattern, flags=0, state=None):
    compiled.append(pattern)
    return parse(pattern, flags, state)
re._parser.parse = counting
atexit.register(lambda: sys.stderr.write(f"loaded {sorted(sys.modules)}\\ncompiled {len(compiled)}\\n"))
sys.argv = ['tcr-doctor', *sys.argv[1:]]
from bot.cli import console
console()
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", "--json", "zqxwv-instance login fails: unauthorized on zqxwv-tcr.tencentcloudcr.com/zqxwv/app:zqxwv"],
        ["explain", "LOG", "--json"],
    ],
)
def test_a_second_run_compiles_no_pattern_and_keeps_none_of_the_users_text(tmp_path, argv):
    """`ask` and `explain` keep their compiled patterns (bot.cli KEEP_PATTERNS): the next run, with another hash
    seed, compiles none (a pattern built in a set's order would differ) and answers the same as with no cache; the
    user's text is never a pattern, so never in the kept copy."""
    log = tmp_path / "pull.log"
    log.write_text(
        'Error response from daemon: Get "https://zqxwv-tcr.tencentcloudcr.com/v2/zqxwv/": unauthorized: '
        "authentication required\n"
    )
    argv = [str(log) if arg == "LOG" else arg for arg in argv]
    cache = tmp_path / "cache"

    loaded: list[str] = []

    def run(seed: str, cache_dir: str) -> tuple[str, int]:
        env = {**os.environ, "PYTHONHASHSEED": seed, "TCR_DOCTOR_CACHE_DIR": cache_dir}
        out = subprocess.run(
            [sys.executable, "-c", KEPT_PROBE, *argv], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
        )
        assert out.returncode in (0, 1), out.stderr
        modules, compiled = out.stderr.rsplit("loaded ", 1)[1].split("\ncompiled ")
        loaded[:] = json.loads(modules.replace("'", '"'))
        return out.stdout, int(compiled)

    first, compiled = run("1", str(cache))
    assert compiled > 50  # the matcher's and the log reader's patterns
    (kept,) = cache.glob("patterns-cli-*.marshal")  # (one copy for both commands)
    data = kept.read_bytes()
    assert compiled == len(marshal.loads(data))  # each compiled once: its program is noted, not made again to keep
    again, compiled = run("2", str(cache))
    assert compiled == 0 and kept.read_bytes() == data
    # the knowledge files' and the log patterns' TOML documents are kept too (knowledge.kb, .text, .logs.rules:
    # ~250 M instructions), and SHA-256 is hashlib's without OpenSSL (~11 M)
    assert not {"tomllib", "hashlib", "_hashlib"} & set(loaded), sorted(
        {"tomllib", "hashlib", "_hashlib"} & set(loaded)
    )
    assert again == first == run("2", "off")[0]
    assert b"zqxwv" not in data


def test_the_log_rules_are_kept_and_follow_the_patterns_file(tmp_path, monkeypatch):
    """What load_rules derives from knowledge/logpatterns.toml (TOML read, trie of triggers: ~200 M instructions of
    a cold `ask`) is kept between runs, keyed by the file and by the module's source; an edit is read anew."""
    from knowledge.logs import rules

    monkeypatch.setenv("TCR_DOCTOR_CACHE_DIR", str(tmp_path))
    rules.load_rules.cache_clear()
    first = rules.load_rules()
    assert len(list(tmp_path.glob("logrules-*.marshal"))) == 1
    rules.load_rules.cache_clear()
    derive = rules._rules
    monkeypatch.setattr(rules, "_rules", lambda source: pytest.fail("derived again"))
    again = rules.load_rules()
    assert again["scanner"].pattern == first["scanner"].pattern and again["scanner"] is first["scanner"]  # re's cache
    assert {k: v for k, v in again.items() if k != "scanner"} == {k: v for k, v in first.items() if k != "scanner"}
    edited = tmp_path / "logpatterns.toml"
    source = Path(rules.PATTERNS_FILE).read_text(encoding="utf-8")
    edited.write_text(source.replace("\nignore = [", '\nignore = [\n    "zqxwv progress",', 1))
    monkeypatch.setattr(rules, "PATTERNS_FILE", edited)
    monkeypatch.setattr(rules, "_rules", derive)
    rules.load_rules.cache_clear()
    try:
        assert rules.load_rules()["ignore"][0] == "zqxwv progress"
    finally:
        rules.load_rules.cache_clear()


@pytest.mark.parametrize("cache", ["off", "new"])
def test_the_faq_entries_are_checked_once_per_load(tmp_path, monkeypatch, cache):
    """The FAQ files' TOML documents are kept between runs and what they say is checked on every load, once: a load
    that reads the TOML (no kept copy) checks each entry as it reads it, not again (~30 M instructions)."""
    from knowledge import kb

    monkeypatch.setenv("TCR_DOCTOR_CACHE_DIR", "off" if cache == "off" else str(tmp_path))
    checked: list[str] = []
    parse = kb._parse_entry
    monkeypatch.setattr(kb, "_parse_entry", lambda path, data: checked.append(path.name) or parse(path, data))
    files = sorted(p.name for p in kb.FAQ_DIR.glob("*.toml"))
    assert [e.path for e in kb.load_kb().entries] == [str(kb.FAQ_DIR / name) for name in files]
    assert checked == files
    if cache == "new":
        checked.clear()
        kb.load_kb()  # from the kept copy: checked all the same
        assert checked == files


def _kind_of(name: str) -> str:
    """The kind of a kept copy by its name, `<kind>-<version>[.ext]` (kinds: one word, or patterns-<command>)."""
    parts = name.split("-")
    return "-".join(parts[:2]) if parts[0] == "patterns" else parts[0]


def test_a_kept_copy_replaces_older_versions_of_its_kind(tmp_path, monkeypatch):
    """Each version of a kept copy's inputs (an edit, an upgrade) wrote a new file and nothing removed the old ones:
    a write now prunes its kind to the current copy and the newest other (another install's sharing the
    directory); a temporary file is removed once stale (its writer died), not while another process may be writing
    it; files of other kinds, or named otherwise, are left alone."""
    from diagnostics.cache import kept

    monkeypatch.setenv("TCR_DOCTOR_CACHE_DIR", str(tmp_path))
    ages = {
        "faq-aaaa.marshal": 300,  # an old version: removed
        "faq-bbbb.marshal": 200,  # the newest other version: the spare
        "faq-aaaa.marshal.4242.tmp": 3600,  # a writer's that died: removed
        "faq-cccc.4243.tmp": 3600,  # (the index's and topics' older temporary name): removed
        "faq-dddd.marshal.4244.tmp": 1,  # a write under way: kept
        "faq-notes.txt": 300,  # not a kept copy's name: kept
        "faqs-aaaa.marshal": 300,  # another kind: kept
        "index-aaaa.marshal": 300,
        "index-bbbb.marshal": 300,
    }
    for name, age in ages.items():
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (time.time() - age, time.time() - age))
    assert kept(b"data", lambda data: {"parsed": data.decode()}, "faq") == {"parsed": "data"}
    (current,) = set(os.listdir(tmp_path)) - set(ages)
    removed = {"faq-aaaa.marshal", "faq-aaaa.marshal.4242.tmp", "faq-cccc.4243.tmp"}
    assert sorted(os.listdir(tmp_path)) == sorted(set(ages) - removed | {current})
    assert current.startswith("faq-") and current.endswith(".marshal")


def test_the_cache_directory_keeps_two_versions_of_each_kept_copy(tmp_path):
    """Every writer of the cache directory prunes its kind (a command's index, topics, FAQ, concepts, log rules,
    patterns, templates, code catalogue, check declarations): after a run with other versions about, each kind holds
    its current copy and one spare."""
    cache = tmp_path / "cache"
    env = {**os.environ, "TCR_DOCTOR_CACHE_DIR": str(cache)}
    commands = [
        ["ask", "docker login says unauthorized: authentication required"],
        ["explain", "-", "--json"],
        ["diagnose", "127.0.0.1", "--only", "name", "--json"],
    ]

    def run_all() -> None:
        for argv in commands:
            log = "Error response from daemon: unauthorized: authentication required\n"
            out = subprocess.run(
                [sys.executable, "-m", "bot.cli", *argv],
                cwd=ROOT,
                input=log,
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
            )
            assert out.returncode in (0, 1), out.stderr

    run_all()
    folders = [cache, cache / "templates"]
    written = {folder: [n for n in os.listdir(folder) if n.endswith(".marshal")] for folder in folders}
    kinds = {_kind_of(name) for name in written[cache]}
    assert {"index", "topics", "faq", "concepts", "logrules", "patterns-cli", "codes"} <= kinds
    assert written[cache / "templates"]
    for folder, names in written.items():
        for name in names:
            kind = _kind_of(name)
            for n, age in enumerate((300, 200)):  # two older versions of each; the current one gone (rewritten)
                old = folder / f"{kind}-{n}{n}{n}{n}.marshal"
                old.write_bytes(b"x")
                os.utime(old, (time.time() - age, time.time() - age))
            (folder / name).unlink()
    run_all()
    for folder, names in written.items():
        left = sorted(os.listdir(folder))
        for name in names:
            kind = _kind_of(name)
            assert sorted(n for n in left if _kind_of(n) == kind) == sorted([name, f"{kind}-1111.marshal"]), left


KEEPING_PROBE = """
import sys
import time
from diagnostics.cache import kept
for i in range(40):
    data = f"version {(i + int(sys.argv[1])) % 6}".encode()
    assert kept(data, lambda d: {"value": d.decode()}, "probe") == {"value": data.decode()}, i
"""


def test_two_processes_keeping_copies_at_once_read_their_own_and_leave_the_directory_bounded(tmp_path):
    """Two processes writing and pruning six versions of one kind at once: each read is its own version's value
    (a copy pruned under a reader is derived again), nothing is left half-written, and at most three copies stay."""
    env = {**os.environ, "TCR_DOCTOR_CACHE_DIR": str(tmp_path)}
    procs = [
        subprocess.Popen([sys.executable, "-c", KEEPING_PROBE, str(n)], cwd=ROOT, env=env, stderr=subprocess.PIPE)
        for n in (0, 3)
    ]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    names = os.listdir(tmp_path)
    assert not [n for n in names if n.endswith(".tmp")]
    assert 1 <= len(names) <= 3, names


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """A cache directory as scripts/bootstrap leaves it: filled by `python -m bot.prepare`."""
    cache = tmp_path_factory.mktemp("prepared")
    env = {**os.environ, "TCR_DOCTOR_CACHE_DIR": str(cache)}
    out = subprocess.run(
        [sys.executable, "-m", "bot.prepare"], cwd=ROOT, capture_output=True, text=True, env=env, timeout=600
    )
    assert out.returncode == 0, out.stderr
    return cache


def probe(argv: list[str], cache: str) -> tuple[str, int, set[str]]:
    """(output, patterns compiled, modules loaded) of `tcr-doctor ARGV` with the cache directory CACHE."""
    env = {**os.environ, "TCR_DOCTOR_CACHE_DIR": cache}
    out = subprocess.run(
        [sys.executable, "-c", KEPT_PROBE, *argv], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode in (0, 1), out.stderr
    modules, compiled = out.stderr.rsplit("loaded ", 1)[1].split("\ncompiled ")
    return out.stdout, int(compiled), set(json.loads(modules.replace("'", '"')))


# Questions and a log none of bot.prepare's samples is: what a user's first command after an install may be.
FIRST_COMMANDS = [
    ["ask", "--json", "how do I delete old image tags automatically in my TCR instance?"],
    ["ask", "为什么 docker push 提示 denied: requested access to the resource is denied"],
    ["explain", "LOG"],
]


@pytest.mark.parametrize("argv", FIRST_COMMANDS)
def test_after_the_install_step_the_first_command_builds_nothing(tmp_path, prepared, argv):
    """scripts/bootstrap ends with `python -m bot.prepare`: the first `ask`/`explain` after an install then builds
    nothing again (the index, parsed files, log rules and templates kept), compiles next to no pattern and reads no
    TOML (~1,860 -> ~350 M instructions of an `ask --json`, valgrind), and answers as with no cache at all."""
    log = tmp_path / "push.log"
    log.write_text("unauthorized: authentication required\nError: failed to push ccr.ccs.tencentyun.com/ns/app:v2\n")
    argv = [str(log) if arg == "LOG" else arg for arg in argv]
    cache = tmp_path / "cache"
    shutil.copytree(prepared, cache)
    before = {str(p.relative_to(cache)): p.read_bytes() for p in cache.rglob("*") if p.is_file()}
    first, compiled, loaded = probe(argv, str(cache))
    after = {str(p.relative_to(cache)): p.read_bytes() for p in cache.rglob("*") if p.is_file()}
    rewritten = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    assert not {name for name in rewritten if not name.startswith("patterns-")}, sorted(rewritten)
    assert compiled <= 5  # (a pattern on a path none of the samples takes is compiled once, then kept)
    assert "tomllib" not in loaded
    assert first == probe(argv, "off")[0]


def test_a_damaged_prepared_cache_is_ignored_and_rebuilt(tmp_path, prepared):
    """Every file the install step wrote cut short: the first command answers as with no cache and writes whole copies
    again (a stale copy is another version's key: never read; tests above)."""
    cache = tmp_path / "cache"
    shutil.copytree(prepared, cache)
    damaged = [p for p in cache.rglob("*") if p.is_file()]
    assert len(damaged) >= 9  # (8 kinds and the templates)
    for path in damaged:
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    argv = ["ask", "docker login says unauthorized: authentication required"]
    answer, compiled, _ = probe(argv, str(cache))
    assert compiled > 50 and answer == probe(argv, "off")[0]
    again, compiled, _ = probe(argv, str(cache))
    assert compiled == 0 and again == answer


def test_a_second_diagnosis_compiles_no_pattern_and_keeps_none_of_the_users_text(tmp_path, dns_server):
    """`diagnose` keeps its patterns too, in a copy of its own (~6 M of ~100 M instructions of an NXDOMAIN
    diagnosis): the next run compiles none and reports the same; the names it was given never become a pattern."""
    argv = ["diagnose", f"zqxwv.{Zone.NXDOMAIN}/zqxwv/app:zqxwv", "--nameserver", dns_server.nameserver, "--json"]
    cache = tmp_path / "cache"
    first, compiled, _ = probe(argv, str(cache))
    assert compiled > 5
    (kept,) = cache.glob("patterns-diagnose-*.marshal")
    data = kept.read_bytes()
    assert compiled == len(marshal.loads(data)) and b"zqxwv" not in data
    again, compiled, _ = probe(argv, str(cache))
    assert compiled == 0 and kept.read_bytes() == data

    def steady(report: str) -> dict:
        return {k: v for k, v in json.loads(report).items() if k not in ("duration_s", "timings_s", "started_at")}

    assert steady(again) == steady(first)
