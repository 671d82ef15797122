"""A setting exported by code under test (as `serve` does for its server processes) does not reach the next test."""

import os

from bot.settings import export


def test_a_test_may_export_a_setting():
    export({"TCR_DOCTOR_DB": "/tmp/leaked-by-a-test.sqlite3"})
    assert os.environ["TCR_DOCTOR_DB"] == "/tmp/leaked-by-a-test.sqlite3"


def test_the_next_test_does_not_see_it():
    assert os.environ.get("TCR_DOCTOR_DB") != "/tmp/leaked-by-a-test.sqlite3"
