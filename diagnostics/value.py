"""`Value` and `Record`: the bases of the small immutable and mutable records a diagnosis creates before its first
check.

They are not dataclasses because of what `dataclasses` costs every `tcr-doctor diagnose` at start-up: the
module imports `inspect` (with ast, dis and tokenize), and each class compiles the source of its generated methods.
Together that was about a third of the 242 M instructions of a diagnosis that ends at its DNS step (valgrind,
benchmarks/bench_startup.py), for records whose methods are these four. tests/test_startup.py keeps `dataclasses`
out of that diagnosis; tests/test_value.py holds the records to what a dataclass (frozen for Value) does.
"""

from __future__ import annotations


class Value:
    """A record of the fields named in its class's `__slots__` (in that order), set once by its `__init__`:
    equal to a record of the same class with equal fields, hashable, shown with its fields, and never changed
    after (assigning a field again raises AttributeError, as a frozen dataclass does)."""

    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setattr__(self, name: str, value: object) -> None:
        if hasattr(self, name):
            raise AttributeError(f"cannot assign to field {name!r} of an immutable {type(self).__name__}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of an immutable {type(self).__name__}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Value)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__qualname__}({fields})"


class Record:
    """The base of the mutable records a diagnosis fills in (Finding, Target, Report, DiagnoseOptions, Resolution,
    ...): their fields are the attributes their `__init__` sets. As a dataclass (eq=True, not frozen), a record is
    equal to a record of the same class with equal fields and is not hashable (it changes); it is shown with its
    fields, except those named in the class's `hidden` (secrets), which are shown as *** when set.

    Stateful working objects (a diagnosis's Context, the token flow's session) are not records: they compare by
    identity."""

    hidden: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass with eq=True

    def __repr__(self) -> str:
        shown = (f"{k}={'***' if k in self.hidden and v else v!r}" for k, v in vars(self).items())
        return f"{type(self).__qualname__}({', '.join(shown)})"
