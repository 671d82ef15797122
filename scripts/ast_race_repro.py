#!/usr/bin/env python3
"""Reproduce `SystemError: AST constructor recursion depth mismatch` (CPython gh-106905), seen twice in whole-suite
runs at tests/test_languages.py (qa7, stop 13).

    .venv/bin/python scripts/ast_race_repro.py [FILE] [SECONDS]

CPython 3.11.0-3.11.7 keeps the depth counter of `ast.parse`'s conversion to Python objects in the `_ast` module's
state, which every thread shares. When the garbage collector runs Python code (a `__del__`) inside that conversion,
another thread can take the interpreter and run its own `ast.parse`, and the first one then finds the counter moved.
In the suite the other thread is a test HTTP server's request thread printing a traceback (`socketserver`'s
`handle_error`): 3.11's traceback module calls `ast.parse` to place its `^^^` markers. Fixed in CPython 3.11.8 and
3.12.2 (python/cpython#113476, #113472: one counter per call).

This script does the same on purpose: the main thread parses FILE for SECONDS while a second thread formats
tracebacks and leaves garbage with finalizers. On 3.11.7 it fails within a few parses; without the finalizers, or
without the second thread's tracebacks, it does not. Prints what happened; exit status 1 on the SystemError.
"""

from __future__ import annotations

import ast
import pathlib
import sys
import threading
import time
import traceback

ROOT = pathlib.Path(__file__).resolve().parents[1]


class Finalized:
    """An object whose finalizer is Python code: the collector runs it wherever it collects, inside C code too."""

    def __del__(self) -> None:
        sum(range(50))


def format_tracebacks(stop: threading.Event) -> None:
    """What a server's request thread does on an error: format a traceback (3.11: `ast.parse` for the carets)."""
    while not stop.is_set():
        try:
            {}["missing"] + [1][2]  # a failing expression: its traceback line gets carets
        except Exception:  # noqa: BLE001
            traceback.format_exc()
        garbage = [Finalized() for _ in range(50)]
        for item in garbage:
            item.self = item  # a cycle: freed by the collector, not by reference counting
        del garbage


def main() -> int:
    """Parse FILE in a loop beside the traceback thread; 1 when the SystemError comes."""
    source = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "bot" / "slack.py").read_text(encoding="utf-8")
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
    stop = threading.Event()
    threading.Thread(target=format_tracebacks, args=(stop,), daemon=True).start()
    deadline, parses = time.monotonic() + seconds, 0
    try:
        while time.monotonic() < deadline:
            ast.parse(source)
            parses += 1
    except SystemError as exc:
        print(f"Python {sys.version.split()[0]}: after {parses} parses: SystemError: {exc}")
        return 1
    finally:
        stop.set()
    print(f"Python {sys.version.split()[0]}: no error in {parses} parses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
