"""One registry of checks: a check registered once is known to every part that names checks."""

from __future__ import annotations

import json
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
