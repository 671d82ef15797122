"""One registry of checks: a check registered once is known to every part that names checks."""

from __future__ import annotations

import json
import sys
import types

import pytest

from diagnostics import checks
from diagnostics.findings import catalogue
from tests import probe_check


@pytest.fixture
def probe(monkeypatch):
    """The probe check registered (and its code in the catalogue) for one test."""
    monkeypatch.setitem(catalogue(), probe_check.CODE, probe_check.ENTRY)
    info = checks.register("tests.probe_check")
    yield info
    checks.unregister(info.name)
    assert "probe" not in checks.names()


def test_the_package_checks_follow_the_interface():
    infos = checks.all_checks()
    wire = ["name", "dns", "endpoint", "tcp", "tls", "http", "credentials", "image"]
    assert [i.name for i in infos][: len(wire)] == wire
    assert checks.groups()["cloud"] == tuple(i.name for i in infos[len(wire) :])
    assert checks.anonymous_names() == tuple(wire)  # the account-side checks need cloud credentials
    placed: set[str] = set()
    for info in infos:
        module = info.load()
        assert module.NAME == info.name and callable(module.run)
        assert set(info.depends) <= placed, f"{info.name} comes before its dependencies"
        placed.add(info.name)
    assert checks.known_names() == set(placed)
    assert [i.name for i in infos if i.credentials] == ["credentials"]


def test_a_registered_check_runs_and_is_ordered_by_its_dependencies(probe):
    from diagnostics import DiagnoseOptions, diagnose

    assert checks.names()[:3] == ("name", "probe", "dns")
    report = diagnose("127.0.0.1", DiagnoseOptions(only="name,probe", env={})).to_dict()
    assert report["checks"] == ["name", "probe"]
    assert [(f["check"], f["code"]) for f in report["findings"]] == [("name", "NAME_OK"), ("probe", "PROBE_OK")]


def test_a_registered_check_is_an_option_of_the_cli(probe, capsys):
    from bot.cli import main

    assert main(["diagnose", "127.0.0.1", "--only", "name,probe", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["checks"] == ["name", "probe"]
    assert main(["diagnose", "127.0.0.1", "--only", "bogus"]) == 2
    assert "probe" in capsys.readouterr().err  # the choices the error lists
    with pytest.raises(SystemExit):
        main(["diagnose", "--help"])
    assert "name,probe,dns" in capsys.readouterr().out.replace("\n", "").replace(" ", "")


def test_a_registered_check_is_in_the_web_api_schema_and_validation(probe, tmp_path):
    from bot.web import create_app

    seen = []

    def spy(target, **kwargs):
        seen.append(kwargs["only"])
        return {"findings": [], "exit_code": 0}

    client = create_app(
        {"DB": str(tmp_path / "w.sqlite3"), "SLACK": "off", "DIAGNOSE_FUNC": spy, "RATE_LIMIT_DIAGNOSE": "0"}
    ).test_client()
    schema = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    assert "probe" in schema["DiagnosticCheckName"]["enum"] and "probe" in schema["AnonymousCheckName"]["enum"]
    response = client.post("/api/diagnose", json={"target": "x.tencentcloudcr.com", "checks": ["probe", "dns"]})
    assert response.status_code == 200, response.get_json()
    assert seen[-1] == ["probe", "dns"]  # in report order
    assert client.post("/api/diagnose", json={"target": "x.tencentcloudcr.com", "checks": ["nope"]}).status_code == 400


def test_a_registered_check_reaches_slack_the_faq_validation_and_the_docs(probe):
    from bot.slack import safe_checks
    from diagnostics.codes_doc import render_markdown, render_readme_table
    from knowledge.kb import load_kb

    assert "probe" in safe_checks() and "credentials" not in safe_checks()
    assert "probe" in checks.known_names()
    assert load_kb().entries  # the FAQ entries still validate against the registry
    assert "## probe" in render_markdown() and "| probe | `PROBE_OK` (ok) |" in render_readme_table()


def test_a_check_that_is_not_anonymous_stays_out_of_the_web_and_slack(monkeypatch):
    from bot.api import anonymous_checks
    from bot.slack import safe_checks

    private = types.ModuleType("tests.private_check")
    private.NAME, private.DEPENDS, private.ORDER, private.ANONYMOUS = "private", ("name",), 90, False
    private.run = lambda ctx: []
    monkeypatch.setitem(__import__("sys").modules, "tests.private_check", private)
    checks.register(private)
    try:
        assert "private" in checks.names()
        assert "private" not in anonymous_checks() and "private" not in safe_checks()
    finally:
        checks.unregister("private")


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"NAME": "x1", "DEPENDS": ("nothing",)}, "depends on unknown check(s) nothing"),
        ({"NAME": "dns", "DEPENDS": ()}, "defined by both"),
        ({"NAME": "x2", "DEPENDS": ["name"]}, "needs NAME (str), DEPENDS (tuple)"),
        ({"NAME": "x3", "DEPENDS": (), "SUBJECT": "host"}, "SUBJECT must be one of registry, image, reference"),
    ],
)
def test_a_bad_check_module_is_refused_with_a_reason(attrs, message):
    before = checks.names()
    module = types.ModuleType("tests.bad_check")
    for key, value in attrs.items():
        setattr(module, key, value)
    module.run = lambda ctx: []
    with pytest.raises(checks.RegistryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        checks.register(module)
    assert checks.names() == before


SCRATCH = '''"""A throw-away check written as a package check is: its module, nothing else."""

from diagnostics.findings import finding

NAME = "scratch"
DEPENDS = ("name",)
ORDER = 12
SUBJECT = "image"


def run(ctx):
    """One finding naming the host."""
    return [finding(NAME, "SCRATCH_OK", host=ctx.target.host)]
'''


@pytest.fixture
def scratch_package(tmp_path, monkeypatch):
    """A check module dropped into the checks package (a second directory on its __path__, as a namespace portion
    or a plug-in directory would add), its code in the catalogue, and the registry made to list the package anew."""
    (tmp_path / "scratch.py").write_text(SCRATCH, encoding="utf-8")
    monkeypatch.setattr(checks, "__path__", [*checks.__path__, str(tmp_path)])
    monkeypatch.setitem(catalogue(), "SCRATCH_OK", {**probe_check.ENTRY, "check": "scratch"})
    monkeypatch.setattr(checks, "_discovered", [])
    monkeypatch.setattr(checks, "_ordered", None)
    yield
    checks.unregister("scratch")
    sys.modules.pop("diagnostics.checks.scratch", None)


def test_a_check_module_added_to_the_package_reaches_every_part_that_names_checks(scratch_package, tmp_path, capsys):
    from bot.api import anonymous_checks
    from bot.cli import main
    from bot.slack import applicable_checks, safe_checks
    from bot.web import create_app
    from diagnostics.codes_doc import render_markdown

    # the registry read the declarations from the source: listed in report order, not imported until run
    assert checks.names()[:3] == ("name", "scratch", "dns") and "scratch" in checks.known_names()
    assert "diagnostics.checks.scratch" not in sys.modules
    assert checks.get("scratch").subject == "image" and "scratch" in checks.content_checks()
    # the runner and --only / --skip
    assert main(["diagnose", "127.0.0.1", "--only", "name,scratch", "--json"]) == 0
    assert [f["code"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["NAME_OK", "SCRATCH_OK"]
    assert main(["diagnose", "127.0.0.1", "--only", "name", "--skip", "scratch", "--json"]) == 0
    assert "scratch" not in json.loads(capsys.readouterr().out)["checks"]
    # the web API's validation and schema, Slack's options, the generated docs
    assert "scratch" in anonymous_checks() and "scratch" in safe_checks()
    assert applicable_checks(["scratch"], "host.example") == [] and applicable_checks(["scratch"], "h/ns/app")
    client = create_app({"DB": str(tmp_path / "w.sqlite3"), "SLACK": "off"}).test_client()
    enum = client.get("/api/openapi.json").get_json()["components"]["schemas"]["DiagnosticCheckName"]["enum"]
    assert "scratch" in enum
    assert "## scratch" in render_markdown()


# Literal collections of check names kept outside the registry, each with its reason. Anything else (a tuple of
# names, a "dns,tcp,tls" string) is a copy of the registry's facts that adding a check would have to edit.
ALLOWED_NAME_LISTS = {
    # the transport steps whose failure, met while fetching a token, is reported as the token server's
    ("diagnostics/auth.py", ("tcp", "tls", "dns")),
}


def _name_lists(names: set[str]) -> set[tuple[str, tuple[str, ...]]]:
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    found = set()
    for package in ("bot", "diagnostics", "knowledge"):
        for path in sorted((root / package).rglob("*.py")):
            if path.parent.name == "checks" and path.parent.parent.name == "diagnostics":
                continue  # the registry and the check modules themselves
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                values: list[object] = []
                if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
                    values = [e.value if isinstance(e, ast.Constant) else None for e in node.elts]
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    values = node.value.replace(",", " ").split()
                if len(values) >= 2 and all(isinstance(v, str) and v in names for v in values):
                    found.add((str(path.relative_to(root)), tuple(values)))
    return found


def test_no_product_module_keeps_its_own_list_of_checks():
    names = set(checks.names()) | set(checks.groups())
    assert _name_lists(names) == ALLOWED_NAME_LISTS


def test_kept_declarations_are_read_anew_when_what_is_read_changes(tmp_path, monkeypatch):
    """The kept copy of the declarations is keyed by what the registry reads too: a new declaration (SUBJECT was
    one) is read from the unchanged sources, not served from a copy made without it."""
    monkeypatch.setenv("TCR_DOCTOR_CACHE_DIR", str(tmp_path / "cache"))
    source = tmp_path / "probe.py"
    source.write_text('NAME = "probe"\nDEPENDS = ()\n\n\ndef run(ctx):\n    return []\n')
    assert checks._declarations({"probe": str(source)})["probe"]["subject"] == "registry"
    monkeypatch.setattr(checks, "_DEFAULTS", {**checks._DEFAULTS, "SUBJECT": "image"})
    monkeypatch.setattr(checks, "_READER", checks._READER + b"changed")
    assert checks._declarations({"probe": str(source)})["probe"]["subject"] == "image"
    assert len(list((tmp_path / "cache").glob("checks-*.marshal"))) == 2
