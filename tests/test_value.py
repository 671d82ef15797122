"""diagnostics.value.Value behaves as the frozen dataclass it replaces on the start-up path (see its docstring)."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from diagnostics.reference import Parts, parse
from diagnostics.stub_resolver import Config, Options


@dataclasses.dataclass(frozen=True)
class FrozenParts:
    domain: str | None
    path: str
    tag: str | None
    digest: str | None


def test_a_value_is_equal_hashable_and_shown_as_a_frozen_dataclass_is():
    a, b = Parts("example.com", "team/app", "1.0", None), Parts("example.com", "team/app", "1.0", None)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Parts("example.com", "team/app", "2.0", None)
    assert a != FrozenParts("example.com", "team/app", "1.0", None)  # another class is never equal
    assert repr(a) == repr(FrozenParts("example.com", "team/app", "1.0", None)).replace("FrozenParts", "Parts")
    assert Options() == Options(None, None, False, False) and Config([("127.0.0.1", 53)]).options == Options()


def test_a_value_cannot_be_changed():
    ref = parse("example.com/team/app:1.0")
    with pytest.raises(AttributeError):
        ref.tag = "2.0"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del ref.tag
    with pytest.raises(AttributeError):
        ref.extra = 1  # type: ignore[attr-defined]
    assert ref.tag == "1.0"


def test_a_value_copies_and_pickles():
    ref = parse("example.com/team/app@sha256:" + "a" * 64)
    assert copy.copy(ref) == ref == pickle.loads(pickle.dumps(ref))


# --- Record: the mutable records, compared as a dataclass (eq=True, not frozen) compares them --------------------
def _records():
    """One fresh instance of each mutable record class, built twice with the same fields (a callable)."""
    from diagnostics.auth import AuthResult, Credentials
    from diagnostics.checks.tcp import TCPResult
    from diagnostics.context import DiagnoseOptions
    from diagnostics.findings import finding
    from diagnostics.net import Resolution
    from diagnostics.runner import Report
    from diagnostics.stub_resolver import Answer
    from diagnostics.target import parse_target
    from diagnostics.transport import Response

    return [
        lambda: finding("dns", "DNS_NXDOMAIN", host="x.example", nameserver="system"),
        lambda: parse_target("shop.tencentcloudcr.com/team/app:1.0"),
        lambda: Report(parse_target("x.example"), [finding("dns", "DNS_OK", host="x.example")], ["dns"]),
        lambda: DiagnoseOptions(timeout=3, only="dns", password="s3cret"),
        lambda: Resolution("x.example", ["192.0.2.1"]),
        lambda: TCPResult(443),
        lambda: Answer(["192.0.2.1"], ["alias.example"]),
        lambda: Credentials("me", "s3cret", source="docker config"),
        lambda: AuthResult(["pull"]),
        lambda: Response(200, "OK", {"content-type": "text/plain"}, b"hi", "https://x.example/v2/"),
    ]


@pytest.mark.parametrize("make", _records(), ids=lambda make: type(make()).__name__)
def test_a_record_equals_a_record_with_equal_fields_and_is_not_hashable(make):
    a, b = make(), make()
    assert a == b and not (a != b)
    assert a != object() and a != copy.copy(vars(a))  # another class (or its fields as a dict) is never equal
    with pytest.raises(TypeError):
        hash(a)  # it changes: a set or dict key would lose it
    field = next(iter(vars(b)))
    setattr(b, field, "changed")
    assert a != b
    assert a == copy.deepcopy(a)


def test_a_record_hides_its_secrets_in_repr():
    from diagnostics.context import DiagnoseOptions

    shown = repr(DiagnoseOptions(only="dns", password="s3cret"))
    assert "s3cret" not in shown and "password='***'" in shown and "only='dns'" in shown
    assert "password=None" in repr(DiagnoseOptions())


def test_a_context_compares_by_identity():
    """A diagnosis's Context is working state (locks, memos, connections), not a record."""
    from diagnostics import net
    from diagnostics.context import Context, DiagnoseOptions
    from diagnostics.target import parse_target

    options, target = DiagnoseOptions(), parse_target("x.example")
    a, b = Context(target, options, net.Deadline(1)), Context(target, options, net.Deadline(1))
    assert a == a and a != b
