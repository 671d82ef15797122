"""Caches derived from the package's data files, kept between runs (knowledge's index, the code catalogue).

A cached value is keyed by the bytes it was derived from (and the Python version), so an edit is never served stale.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def cache_dir() -> Path | None:
    """$TCR_DOCTOR_CACHE_DIR (default $XDG_CACHE_HOME or ~/.cache, + /tcr-doctor); None when it is off/0/none."""
    base = os.environ.get("TCR_DOCTOR_CACHE_DIR")
    if base and base.lower() in ("off", "0", "none"):
        return None
    return Path(base) if base else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tcr-doctor"


def compiled(source: Path, parse: Callable[[bytes], Any], kind: str, of_type: type = dict) -> Any:
    """`parse(source's bytes)`, kept in the cache directory as marshal data keyed by those bytes.

    For data read on every run whose parsing costs more than reading marshal (a 50 KB TOML file: ~15 ms vs
    ~0.3 ms). The value must be marshal-able (dicts, lists, strings, numbers); anything else is parsed every time.
    A kept copy that is not an OF_TYPE (a damaged file) is ignored and written anew."""
    data = source.read_bytes()
    root = cache_dir()
    if root is None:
        return parse(data)
    key = hashlib.blake2b(data + sys.version.encode(), digest_size=12).hexdigest()
    path = root / f"{kind}-{key}.marshal"
    try:
        kept = marshal.loads(path.read_bytes())
        if isinstance(kept, of_type):
            return kept
    except (OSError, EOFError, ValueError, TypeError):
        pass
    value = parse(data)
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(value))
        os.replace(tmp, path)  # whole or not at all, when several processes write it at once
    except (OSError, ValueError):
        pass
    return value
