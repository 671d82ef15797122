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
