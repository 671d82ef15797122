"""Schemathesis against /api/openapi.json: every endpoint, generated and mutated bodies, every check
(no 5xx, status codes / content types / headers / bodies as documented, invalid data rejected, valid data
accepted, unsupported methods get 405 with Allow). A bounded sample per run; benchmarks/bench_hardening.py runs
thousands per endpoint."""

from __future__ import annotations

import os
import tempfile

import schemathesis
from hypothesis import HealthCheck, settings

from tests.harness.web import offline_app

EXAMPLES = int(os.environ.get("TCR_FUZZ_EXAMPLES", "25"))


def make_app():
    db = os.path.join(tempfile.mkdtemp(prefix="fuzz-api-"), "fuzz.sqlite3")
    return offline_app(db)  # the real engine, no network step (name only): nothing leaves the process


# A body the schema forbids is refused with 400 (malformed) or 413 (a field or the body over its limit).
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": [400, 405, 413, 415]}}}
)
APP = make_app()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APP, config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi_document(case):
    case.call_and_validate()
