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
        os.makedirs(root, exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(marshal.dumps(value))
        os.replace(tmp, path)  # whole or not at all, when several processes write it at once
    except (OSError, ValueError):
        pass
    return value
