"""The TypedDicts of knowledge/results.py describe what the code really returns: every key, no other key, each value
of its declared type. Checked at run time on real answers (FAQ questions, pasted logs, small talk, other vendors'
registries, known undocumented subjects), so the declarations the channels are type-checked against cannot drift
from the results the storage API, the templates and the JSON clients read."""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path

import pytest

import knowledge
from knowledge import results

ROOT = Path(__file__).resolve().parents[1]


def problems(value: object, tp: object, path: str = "result") -> list[str]:
    """Where `value` does not have type `tp` (a TypedDict, a union, a Literal, list/dict of X, or a plain class)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if typing.is_typeddict(tp):
        return _record_problems(value, tp, path)
    if origin in (typing.Union, types.UnionType):
        each = [problems(value, arg, path) for arg in args]
        return [] if any(not p for p in each) else [f"{path}: {value!r:.80} is none of {tp}"]
    if origin is typing.Literal:
        return [] if value in args else [f"{path}: {value!r} is not one of {args}"]
    if origin in (list, dict):
        return _container_problems(value, origin, args, path)
    if tp is type(None):
        return [] if value is None else [f"{path}: {value!r:.80} is not None"]
    if tp is float:
        return [] if isinstance(value, (int, float)) and not isinstance(value, bool) else [f"{path}: not a number"]
    assert isinstance(tp, type), tp
    return [] if isinstance(value, tp) and not (tp is int and isinstance(value, bool)) else [f"{path}: not {tp}"]


def _record_problems(value: object, tp: typing.Any, path: str) -> list[str]:
    """A TypedDict: its required keys there, no undeclared key, each value of its declared type."""
    if not isinstance(value, dict):
        return [f"{path}: {type(value).__name__}, not an object"]
    hints = typing.get_type_hints(tp)
    found = [f"{path}: no {key!r}" for key in sorted(tp.__required_keys__ - value.keys())]
    found += [f"{path}: undeclared {key!r}" for key in sorted(value.keys() - hints.keys())]
    for key in sorted(value.keys() & hints.keys()):
        found += problems(value[key], hints[key], f"{path}.{key}")
    return found


def _container_problems(value: object, origin: type, args: tuple[object, ...], path: str) -> list[str]:
    """list[X] or dict[K, V]: the container, then every item."""
    if not isinstance(value, origin):
        return [f"{path}: {type(value).__name__}, not {'a list' if origin is list else 'an object'}"]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in problems(item, args[0], f"{path}[{i}]")]
    assert isinstance(value, dict)
    return [p for k, v in value.items() for p in problems(k, args[0], path) + problems(v, args[1], f"{path}.{k}")]


def _texts() -> list[str]:
    """Every 4th FAQ question and pasted log of two labelled sets, and the messages that reach the rare shapes."""
    picked = []
    for name, key in (("faq_heldout.jsonl", "q"), ("log_dev/samples.jsonl", "text")):
        lines = (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()
        picked += [json.loads(line)[key] for line in lines[::4] if line.strip()]
    return picked + [
        "hello",
        "谢谢，解决了",
        "are you a bot?",
        "docker login registry-1.docker.io fails: unauthorized: incorrect username or password",
        "How do I set up a Jenkins pipeline that builds Go binaries?",
        "",
    ]


@pytest.fixture(scope="module")
def answers() -> list[dict]:
    return [knowledge.ask(text) for text in _texts()]


def test_ask_results_have_the_declared_shape(answers):
    found = [p for result in answers for p in problems(result, results.AskResult)]
    assert not found, "\n".join(found[:20])


def test_the_sample_reaches_every_optional_shape(answers):
    # the check above is only as good as what it saw: every optional part and every kind appears at least once
    assert any("topic" in r for r in answers) and any("topic" not in r for r in answers)
    assert {r["status"] for r in answers} >= {"answered", "no_answer"}
    assert {r["refusal"]["kind"] for r in answers if r["refusal"]} == set(typing.get_args(results.RefusalKind))
    assert any("smalltalk" in r["refusal"] for r in answers if r["refusal"])
    assert any("vendor" in r["refusal"] for r in answers if r["refusal"])
    logs = [r["log"] for r in answers if r["log"]]
    assert any(log["note"] for log in logs) and any(log["note"] is None for log in logs)
    assert {log["confidence"] for log in logs} == set(typing.get_args(results.Confidence))
    assert any(r["answer"] and r["answer"]["links"] for r in answers)
    assert any(r["alternatives"] for r in answers)


def test_the_other_results_have_their_declared_shapes():
    for code in knowledge.log_causes():
        assert not problems(knowledge.cause_text(code), results.CauseText, code)
    findings = [{"check": "tcp", "status": "fail", "code": "TCP_REFUSED"}]
    for cause, found in (("TCP_REFUSED", findings), ("DNS_NXDOMAIN", findings), ("TCP_REFUSED", [])):
        assert not problems(knowledge.log_verdict(cause, [], found), results.LogVerdict)
    assert not problems(knowledge.extract_entities("pull shop.tencentcloudcr.com/ns/app:1.0 fails"), results.Entities)


def test_the_web_api_answers_an_ask_result(tmp_path):
    from bot.web import create_app

    client = create_app({"DB": str(tmp_path / "w.sqlite3"), "SLACK": "off"}).test_client()
    body = client.post("/api/ask", json={"q": "docker push: denied: requested access to the resource is denied"})
    assert body.status_code == 200
    assert not problems(body.get_json(), results.AskResult)
    html = client.post("/api/ask", json={"q": "Error: x509: certificate signed by unknown authority", "render": "html"})
    data = html.get_json()
    assert isinstance(data.pop("html"), str) and isinstance(data.pop("log_html"), str)  # the only additions
    assert not problems(data, results.AskResult)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r.pop("kb_version"), "no 'kb_version'"),
        (lambda r: r.update(extra=1), "undeclared 'extra'"),
        (lambda r: r.update(status="maybe"), "result.status: 'maybe' is not one of"),
        (lambda r: r["entities"].update(errors="x"), "result.entities.errors: str, not a list"),
        (lambda r: r.update(matched=1), "result.matched: not <class 'bool'>"),
        (lambda r: r.update(refusal={"kind": "smalltalk", "vendor": 3}), "result.refusal"),
    ],
)
def test_the_shape_check_can_fail(change, expected):
    result = knowledge.ask("hello")
    assert not problems(result, results.AskResult)
    change(result)
    assert any(expected in p for p in problems(result, results.AskResult))
