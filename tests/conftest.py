"""Shared pytest configuration: the harness fixtures (tests/harness/README.md)."""

import pathlib
import sys

_ROOT = str(pathlib.Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:  # so `from tests.harness import ...` works however pytest was started
    sys.path.insert(0, _ROOT)

from tests.harness.fixtures import *  # noqa: E402,F401,F403
