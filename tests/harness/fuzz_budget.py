"""An opt-in pytest plugin that multiplies every hypothesis test's `max_examples` by TCR_FUZZ_FACTOR (default 10):
the suite's property and fuzz tests are bounded for CI; this runs them once with a larger budget, locally.

    TCR_FUZZ_FACTOR=10 .venv/bin/python -m pytest -q -p tests.harness.fuzz_budget --timeout 1500 \\
        tests/test_redact.py tests/test_properties.py tests/test_fuzz_api.py ...

Pass a larger `--timeout`: pytest-timeout's 120 s ends a test whose larger run takes longer, and hypothesis then
reports the interrupted example as flaky (a replay that did not fail) rather than as a timeout.
"""

from __future__ import annotations

import os
from typing import Any

import hypothesis

FACTOR = int(os.environ.get("TCR_FUZZ_FACTOR", "10"))
_init = hypothesis.settings.__init__


def _scaled_init(self: hypothesis.settings, parent: hypothesis.settings | None = None, **kwargs: Any) -> None:
    if isinstance(kwargs.get("max_examples"), int):
        kwargs["max_examples"] *= FACTOR
    _init(self, parent, **kwargs)


hypothesis.settings.__init__ = _scaled_init  # type: ignore[method-assign]
