"""Whether a value has a declared shape: a TypedDict of knowledge/results.py or diagnostics/results.py, checked at
run time on real results (tests/test_result_types.py, the diagnoses of tests/test_diagnostics_network.py and
tests/test_cloud_checks.py), so the declarations the channels are type-checked against cannot drift from the code."""

from __future__ import annotations

import types
import typing


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
    if tp is typing.Any:
        return []
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
