"""Caches derived from the package's data files, kept between runs (knowledge's index, the code catalogue, the check
registry).

A cached value is keyed by the bytes it was derived from (and the Python version), so an edit is never served stale.
This module is read by every diagnosis, also by one that ends at its DNS step, so it uses os.path rather than pathlib
and blake2b from `_blake2` rather than hashlib (which loads OpenSSL's libcrypto: 15-20 M instructions, valgrind): each
costs more than the cache saves.
"""

from __future__ import annotations

import marshal
import os
import sys
from _blake2 import blake2b  # the object hashlib.blake2b is, without hashlib's OpenSSL (see the docstring)
from collections.abc import Callable

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any


def cache_root() -> str | None:
    """$TCR_DOCTOR_CACHE_DIR (default $XDG_CACHE_HOME or ~/.cache, + /tcr-doctor); None when it is off/0/none."""
    base = os.environ.get("TCR_DOCTOR_CACHE_DIR")
    if base and base.lower() in ("off", "0", "none"):
        return None
    if base:
        return base
    return os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "tcr-doctor"
    )


def cache_dir() -> Path | None:
    """`cache_root()` as a Path (for the callers that work with paths)."""
    from pathlib import Path  # here, not at the top: see the module's docstring

    root = cache_root()
    return None if root is None else Path(root)


def compiled(source: str | os.PathLike[str], parse: Callable[[bytes], Any], kind: str, of_type: type = dict) -> Any:
    """`parse(source's bytes)`, kept in the cache directory as marshal data keyed by those bytes.

    For data read on every run whose parsing costs more than reading marshal (a 50 KB TOML file: ~15 ms vs
    ~0.3 ms). The value must be marshal-able (dicts, lists, strings, numbers); anything else is parsed every time.
    A kept copy that is not an OF_TYPE (a damaged file) is ignored and written anew."""
    with open(source, "rb") as fh:
        data = fh.read()
    return kept(data, parse, kind, of_type)


def kept(data: bytes, parse: Callable[[bytes], Any], kind: str, of_type: type = dict) -> Any:
    """`parse(data)`, kept in the cache directory as marshal data keyed by DATA (see `compiled`)."""
    root = cache_root()
    if root is None:
        return parse(data)
    key = blake2b(data + sys.version.encode(), digest_size=12).hexdigest()
    path = os.path.join(root, f"{kind}-{key}.marshal")
    try:
        with open(path, "rb") as fh:
            value = marshal.loads(fh.read())
        if isinstance(value, of_type):
            return value
    except (OSError, EOFError, ValueError, TypeError):
        pass
    value = parse(data)
    try:
        write_kept(path, marshal.dumps(value), kind)
    except ValueError:  # (not marshal-able: parsed every time)
        pass
    return value


# Besides the current version of a kind, the newest other one is kept: two installs of different versions sharing one
# cache directory (a checkout and an installed copy) then do not rebuild each other's copies at every switch.
SPARE_VERSIONS = 1
# A temporary file older than this is a writer's that died between writing and renaming it (a write takes
# milliseconds); a younger one may be another process's write under way.
STALE_TEMPORARY_SECONDS = 600.0


def write_kept(path: str, data: bytes, kind: str, mode: int = 0o777) -> None:
    """Write DATA to PATH whole or not at all, then prune the other versions of KIND in its folder.

    PATH is named `<kind>-<version>` (+ an extension), version in hex digits and dashes: one file per version of
    the inputs a copy was derived from. Without pruning, every edit or upgrade left its copies behind for good. Several
    processes may write and prune at once: a reader whose copy was pruned under it finds no copy and derives it again
    (each read is one open: a file is read whole or found missing). Never raises OSError: a cache is never worth
    failing a command for. MODE is the folder's, when it is made."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, mode=mode, exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)  # whole or not at all, when several processes write it at once
    except OSError:
        return
    prune(folder, kind, os.path.basename(path))


def prune(folder: str, kind: str, current: str) -> None:
    """Remove FOLDER's copies of KIND other than CURRENT and the newest SPARE_VERSIONS others, and temporary files of
    KIND older than STALE_TEMPORARY_SECONDS. Files whose names are not `<kind>-<hex and dashes>[.ext]` are left
    alone. Another process may remove the same files at the same time: a file already gone is no error."""
    import time  # (only when a copy was written: the first run of a version)

    prefix = f"{kind}-"
    now = time.time()
    others: list[tuple[float, str]] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if not name.startswith(prefix) or name == current:
                    continue
                version, _, rest = name[len(prefix) :].partition(".")
                if not version or version.strip("0123456789abcdef-"):
                    continue
                try:
                    mtime = entry.stat(follow_symlinks=False).st_mtime
                except OSError:
                    continue
                if name.endswith(".tmp"):  # `<copy>.<pid>.tmp`: a write under way, or a writer's that died
                    if now - mtime > STALE_TEMPORARY_SECONDS:
                        _remove(os.path.join(folder, name))
                elif "." not in rest:
                    others.append((mtime, name))
    except OSError:
        return
    others.sort(reverse=True)
    for _, name in others[SPARE_VERSIONS:]:
        _remove(os.path.join(folder, name))


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:  # (removed by another process meanwhile, or not ours to remove)
        pass


# At most this many compiled patterns are kept for a command (re keeps 512 in its own cache). More means that edited
# sources left old patterns behind: the copy is started again with this run's new patterns.
MAX_KEPT_PATTERNS = 500


def kept_patterns(kind: str) -> Callable[[], None]:
    """Let `re` find the regular expressions compiled by an earlier run of KIND (a one-shot command) as compiled
    programs; returns the function to call when the command is done, which keeps this run's new ones.

    The compiled program of a pattern (re's parser and code generator, pure Python) is what `.pyc` files are for code:
    ~160 patterns of the FAQ matcher and the log reader, compiled anew in every process, were ~40 % of a cold
    `tcr-doctor ask` (valgrind; a character class of Chinese ranges alone ~4 M instructions). re's own cache becomes a
    `_KeptPrograms`, which loads a kept program where re would compile, and compiles a new pattern as
    re._compiler.compile does, noting its program: the Pattern is the one `re.compile` returns (equal, program
    included). The copy is keyed by the Python version and re's program format (`_sre.MAGIC`); anything unexpected (a
    damaged copy, a pattern it cannot compile) is left to re. Patterns are the package's own (a question's or a log's
    text never becomes one: tests/test_startup.py)."""
    import re  # (only for the commands that keep their patterns: see bot/cli.py; loaded by then)

    root = cache_root()
    if root is None or type(getattr(re, "_cache", None)) is not dict:
        return _keep_nothing
    import _sre  # (as re)

    version = blake2b(f"{sys.version}:{_sre.MAGIC}:{sys.byteorder}".encode(), digest_size=6).hexdigest()
    path = os.path.join(root, f"patterns-{kind}-{version}.marshal")
    kept: dict[tuple[type, str | bytes, int], tuple[Any, ...]] = {}
    try:
        with open(path, "rb") as fh:
            entries = marshal.loads(fh.read())
        for entry in entries:
            kept[type(entry[0]), entry[0], entry[1]] = entry
    except (OSError, EOFError, ValueError, TypeError, IndexError):  # (no copy yet, or not one this run can read:
        # compiled as usual, written anew)
        kept.clear()
    cache = _KeptPrograms(kept)
    cache.update(re._cache)  # type: ignore[attr-defined]
    re._cache = cache  # type: ignore[attr-defined]

    def keep() -> None:
        if not cache.new:
            return
        entries = list(kept.values()) if len(kept) + len(cache.new) <= MAX_KEPT_PATTERNS else []
        entries += list(cache.new.values())[:MAX_KEPT_PATTERNS]
        try:
            write_kept(path, marshal.dumps(entries), f"patterns-{kind}")
        except ValueError:  # (a cache is never worth failing the command for)
            pass

    return keep


class _KeptPrograms(dict):  # type: ignore[type-arg]
    """re's cache ({(type, pattern, flags): Pattern}) that makes a pattern it lacks from its kept program, or compiles
    it and notes the program in `new`. re's `_compile` looks a pattern up here before compiling it: a KeyError (a
    compiled Pattern given again, a debug flag, an invalid pattern) leaves the pattern to re. Only the patterns a
    run uses are made (all ~380 kept for `ask` cost ~20 M instructions, mostly `_sre.compile` reading programs)."""

    def __init__(self, kept: dict[tuple[type, str | bytes, int], tuple[Any, ...]]) -> None:
        super().__init__()
        self.kept = kept
        self.new: dict[tuple[type, str | bytes, int], tuple[Any, ...]] = {}

    def __missing__(self, key: tuple[type, str | bytes, int]) -> Any:
        # (both loaded by then: this is re's cache)
        import _sre
        import re

        entry = self.kept.get(key)
        try:
            if entry is None:
                entry = _program(key)
                if entry is None:
                    raise KeyError(key)
                self.new[key] = entry
            pattern, _, final, code, groups, groupindex, indexgroup = entry
            # (the program is kept as bytes: a marshal list of ints, one object each, read ~4x slower)
            compiled = _sre.compile(pattern, final, memoryview(code).cast("I").tolist(), groups, groupindex, indexgroup)
        except (re.error, RuntimeError, ValueError, TypeError, OverflowError, RecursionError):  # (a pattern re's
            # parser refuses, a program this _sre refuses ("invalid SRE code"): left to re, which says why)
            self.new.pop(key, None)
            raise KeyError(key) from None
        self[key] = compiled
        return compiled


def _program(key: tuple[type, str | bytes, int]) -> tuple[Any, ...] | None:
    """(pattern, flags, and the arguments of `_sre.compile` after the pattern, the program as bytes): what
    re._compiler.compile computes (Python 3.11-3.13); None for what re must see itself (a compiled Pattern, a flag
    that prints or warns)."""
    import re  # (loaded by then: see _KeptPrograms.__missing__)

    kind, pattern, flags = key
    if kind not in (str, bytes) or type(flags) is not int or flags & (re.DEBUG | _TEMPLATE):
        return None
    # only when a run compiles a pattern that was not kept (array: ~1 M instructions, valgrind)
    from array import array

    parsed = re._parser.parse(pattern, flags)  # type: ignore[attr-defined]
    code = array("I", re._compiler._code(parsed, flags)).tobytes()  # type: ignore[attr-defined]
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    final = int(flags | parsed.state.flags)
    return (pattern, flags, final, code, parsed.state.groups - 1, groupindex, tuple(indexgroup))


_TEMPLATE = 1  # re.TEMPLATE (deprecated in 3.11, gone in 3.13): re warns about it, so such a pattern is left to re


def _keep_nothing() -> None:
    """What `kept_patterns` returns when there is no cache: nothing to keep."""
