"""The one registry of checks: every module in this package is a check, found by listing the package.

A check module exposes

    NAME = "tcp"                 # what --only/--skip, the web API, Slack and the FAQ entries call it
    DEPENDS = ("dns",)           # checks whose failure makes this one a `skip`
    ORDER = 40                   # its place in reports (ties between checks whose dependencies are met)
    ANONYMOUS = True             # optional (default True): may run for an anonymous web / Slack user
    CREDENTIALS = False          # optional (default False): its answer is about the user's own credentials
    GROUP = "cloud"              # optional (default None): runs only when its group is asked for (`--cloud`,
                                 # or the group's or the check's name in --only); the group is a name for --only/--skip
    SUBJECT = "registry"         # optional (default "registry"): what it looks at: the registry over the network,
                                 # "image" (one image: nothing to do unless one is named) or "reference" (the written
                                 # name alone, no network); Slack offers no diagnosis of a bare host that would run
                                 # only those (`content_checks()`)
    def run(ctx) -> list[Finding]: ...

Adding a check is adding its module here, its codes to diagnostics/codes.toml and its tests: the runner,
`--only/--skip`, the web API (validation and OpenAPI schema), Slack, the FAQ validation and the generated docs all
read this registry. A module elsewhere (a test, a plug-in) joins with `register("package.module")`.

The declarations are read from each module's source, not by importing it: a diagnosis imports only the checks it
runs (importing all 14 cost `tcr-doctor diagnose` about 60 ms of start-up, with the cloud SDK glue and rapidfuzz).
So a package check writes them as one-line literals at the top level, as above; `load()` verifies that the imported
module agrees with what was read.
"""

from __future__ import annotations

import _thread
import os
import re
import sys
from types import ModuleType

from ..cache import kept
from ..value import Value

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from typing import Any


class CheckInfo(Value):
    """What the registry knows of one check."""

    __slots__ = ("name", "depends", "module", "order", "anonymous", "credentials", "group", "subject")

    def __init__(
        self,
        name: str,
        depends: tuple[str, ...],
        module: str,
        order: float = 100.0,
        anonymous: bool = True,
        credentials: bool = False,
        group: str | None = None,
        subject: str = "registry",
    ) -> None:
        self.name = name
        self.depends = depends
        self.module = module  # dotted module name; `load()` imports it
        self.order = order
        self.anonymous = anonymous
        self.credentials = credentials
        self.group = group
        self.subject = subject  # what it looks at: "registry", "image" or "reference" (SUBJECTS)

    def load(self) -> ModuleType:
        """The check's module (its `run(ctx)`); RegistryError when it declares other values than were read."""
        module = _import(self.module)
        declared = info_of(module)
        if declared != self:
            raise RegistryError(f"{self.module}: its declarations {declared} differ from those read, {self}")
        return module


class RegistryError(ValueError):
    """A check module that cannot be registered: a missing attribute, a duplicate, an unknown dependency, a cycle."""


_lock = _thread.allocate_lock()  # (threading's Lock; see diagnostics.runner on why not threading)
_registered: dict[str, CheckInfo] = {}  # name -> info, from this package and register()
_ordered: tuple[CheckInfo, ...] | None = None
_discovered: list[bool] = []  # [True] once this package's modules are read


def info_of(module: ModuleType) -> CheckInfo:
    """The CheckInfo a check module declares (RegistryError when it does not follow the interface)."""
    name, depends, run = getattr(module, "NAME", None), getattr(module, "DEPENDS", None), getattr(module, "run", None)
    if not isinstance(name, str) or not name or not isinstance(depends, tuple) or not callable(run):
        raise RegistryError(f"{module.__name__}: a check module needs NAME (str), DEPENDS (tuple) and run(ctx)")
    subject = getattr(module, "SUBJECT", "registry")
    if subject not in SUBJECTS:
        raise RegistryError(f"{module.__name__}: SUBJECT must be one of {', '.join(SUBJECTS)}, not {subject!r}")
    return CheckInfo(
        name=name,
        depends=tuple(depends),
        module=module.__name__,
        order=float(getattr(module, "ORDER", 100.0)),
        anonymous=bool(getattr(module, "ANONYMOUS", True)),
        credentials=bool(getattr(module, "CREDENTIALS", False)),
        group=getattr(module, "GROUP", None) or None,
        subject=subject,
    )


# `NAME = "dns"` or `DEPENDS: tuple = ()` at the top level (column 0), one line, a literal. A pattern, compiled by
# `_declared` on first use (re keeps it): only a missing or stale kept copy is read with it, and compiling it at
# import cost every diagnosis ~0.7 M instructions (valgrind).
_DECLARATION = r"^(NAME|DEPENDS|ORDER|ANONYMOUS|CREDENTIALS|GROUP|SUBJECT)(?: *: *[\w\[\]., ]+)? *= *(.+)$"
_DEFAULTS = {"ORDER": 100.0, "ANONYMOUS": True, "CREDENTIALS": False, "GROUP": None, "SUBJECT": "registry"}
SUBJECTS = ("registry", "image", "reference")
# What the declarations are read as, part of the kept copy's key (_declarations): a new declaration or default is
# read anew even where no check's source changed, instead of a kept copy without it (which `load()` would refuse).
_READER = f"{_DECLARATION}\n{sorted(_DEFAULTS.items())}\n".encode()


def _declared(source: str) -> dict[str, Any] | None:
    """CheckInfo's fields but `module`, as a check's source declares them; None when it cannot be read so."""
    if not re.search(r"^def run\(", source, re.M):
        return None  # let the import report what is missing
    import ast  # only when the kept declarations are missing or stale: the import is ~38 M instructions (valgrind)

    values: dict[str, object] = {}
    for key, text in re.findall(_DECLARATION, source, re.M):
        if key in values:
            return None  # assigned twice: only the import knows which value wins
        for candidate in (text, text.split("#", 1)[0]):
            try:
                values[key] = ast.literal_eval(candidate.strip())
                break
            except (ValueError, SyntaxError):
                continue
        else:
            return None
    name, depends = values.get("NAME"), values.get("DEPENDS")
    if not isinstance(name, str) or not name or not isinstance(depends, tuple):
        return None
    values = {**_DEFAULTS, **values}
    order, group, subject = values["ORDER"], values["GROUP"], values["SUBJECT"]
    if not isinstance(order, (int, float)) or isinstance(order, bool) or not isinstance(group, (str, type(None))):
        return None
    if subject not in SUBJECTS:
        return None  # let the import report it
    return {
        "name": name,
        "depends": tuple(depends),
        "order": float(order),
        "anonymous": bool(values["ANONYMOUS"]),
        "credentials": bool(values["CREDENTIALS"]),
        "group": group or None,
        "subject": subject,
    }


def _declarations(modules: dict[str, str]) -> dict[str, dict[str, Any] | None]:
    """module name -> `_declared(its source)`, for this package's check modules. Kept compiled between runs
    (diagnostics.cache, keyed by the sources and by what is read from them, _READER): reading the declarations
    parses about 50 literals, some 15 M instructions of every diagnosis's start-up (valgrind), where reading the
    kept copy costs under 1 M."""
    sources: list[bytes] = []
    for name, path in modules.items():
        try:
            with open(path, "rb") as fh:
                sources.append(name.encode() + b"\0" + fh.read())
        except OSError:
            sources.append(name.encode() + b"\0")

    def parse(data: bytes) -> dict[str, dict[str, Any] | None]:
        out: dict[str, dict[str, Any] | None] = {}
        for part in data[len(_READER) :].split(b"\0\0\0"):
            name, _, source = part.partition(b"\0")
            out[name.decode()] = _declared(source.decode("utf-8", "replace")) if source else None
        return out

    declared: dict[str, dict[str, Any] | None] = kept(_READER + b"\0\0\0".join(sources), parse, "checks")
    return declared


def _package_modules() -> dict[str, str]:
    """The check modules of this package: name -> source file, without importing them."""
    # A directory listing, not pkgutil (which costs more to import than the listing does to read).
    found: dict[str, str] = {}
    for directory in __path__:
        for f in sorted(os.listdir(directory)):
            if f.endswith(".py") and not f.startswith("_"):
                found.setdefault(f[:-3], os.path.join(directory, f))
    return dict(sorted(found.items()))


def _discover() -> None:
    if _discovered:
        return
    modules = _package_modules()
    declared = _declarations(modules)
    for name in modules:
        module = f"{__name__}.{name}"
        values = declared.get(name)
        info = CheckInfo(module=module, **values) if values is not None else info_of(_import(module))
        if info.name != name:
            raise RegistryError(f"{info.module}: NAME must be the module's name {name!r}")
        _add(info)
    _discovered.append(True)


def _import(module: str) -> ModuleType:
    """The module named MODULE, imported. importlib.import_module does this, but importing importlib imports warnings
    too: ~2 M instructions of a diagnosis's start-up (valgrind, benchmarks/bench_startup.py)."""
    __import__(module)
    return sys.modules[module]


def known_names() -> frozenset[str]:
    """Every check's name, without importing the checks (cheap: for validating names in data files)."""
    with _lock:
        return frozenset(_package_modules()) | frozenset(_registered)


def _add(info: CheckInfo) -> None:
    global _ordered
    old = _registered.get(info.name)
    if old is not None and old.module != info.module:
        raise RegistryError(f"check {info.name!r} is defined by both {old.module} and {info.module}")
    _registered[info.name] = info
    _ordered = None


def register(module: str | ModuleType) -> CheckInfo:
    """Add the check in `module` (a module or its dotted name) to the registry; returns what was registered."""
    mod = _import(module) if isinstance(module, str) else module
    info = info_of(mod)
    with _lock:
        _discover()
        _add(info)
        try:
            _order()
        except RegistryError:
            del _registered[info.name]
            raise
    return info


def unregister(name: str) -> None:
    """Remove a check added by `register` (tests)."""
    global _ordered
    with _lock:
        _registered.pop(name, None)
        _ordered = None


def _order() -> tuple[CheckInfo, ...]:
    """Dependencies first; among checks whose dependencies are met, by ORDER then name."""
    global _ordered
    if _ordered is not None:
        return _ordered
    for info in _registered.values():
        unknown = [d for d in info.depends if d not in _registered]
        if unknown:
            raise RegistryError(f"check {info.name!r} depends on unknown check(s) {', '.join(unknown)}")
    done: list[CheckInfo] = []
    placed: set[str] = set()
    left = sorted(_registered.values(), key=lambda i: (i.order, i.name))
    while left:
        ready = next((i for i in left if set(i.depends) <= placed), None)
        if ready is None:
            raise RegistryError(f"checks depend on each other in a cycle: {', '.join(i.name for i in left)}")
        done.append(ready)
        placed.add(ready.name)
        left.remove(ready)
    _ordered = tuple(done)
    return _ordered


def all_checks() -> tuple[CheckInfo, ...]:
    """Every registered check, in report order (each after its dependencies)."""
    with _lock:
        _discover()
        return _order()


def names() -> tuple[str, ...]:
    """The names of every check, in report order."""
    return tuple(i.name for i in all_checks())


def get(name: str) -> CheckInfo:
    """The check called `name` (KeyError when there is none)."""
    for info in all_checks():
        if info.name == name:
            return info
    raise KeyError(name)


def anonymous_names() -> tuple[str, ...]:
    """The checks an anonymous user of the web API or Slack may run, in report order."""
    return tuple(i.name for i in all_checks() if i.anonymous)


def groups() -> dict[str, tuple[str, ...]]:
    """group name -> its checks in report order (`cloud` -> the account-side checks)."""
    out: dict[str, tuple[str, ...]] = {}
    for info in all_checks():
        if info.group:
            out[info.group] = (*out.get(info.group, ()), info.name)
    return out


def content_checks() -> frozenset[str]:
    """The checks about what a target names rather than the registry: one image, or the written name alone (SUBJECT
    "image" or "reference"). On a bare registry host they have nothing live to look at."""
    return frozenset(i.name for i in all_checks() if i.subject != "registry")


def default_names() -> tuple[str, ...]:
    """The checks a diagnosis runs when not told otherwise: those outside any group, in report order."""
    return tuple(i.name for i in all_checks() if i.group is None)


def choices() -> tuple[str, ...]:
    """What --only / --skip offer in help and errors: the checks outside any group, then the groups' names (each
    grouped check's own name is accepted too)."""
    return (*default_names(), *groups())
