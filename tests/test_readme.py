"""The README stays true: its test command is what CI runs, and its code table is the catalogue's."""

import re
from pathlib import Path

from diagnostics.codes_doc import README_BEGIN, README_END, render_readme_table
from diagnostics.findings import catalogue

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _leading_commands() -> list[str]:
    """The indented command lines before the first horizontal rule: set up + run, then the tests."""
    head = README.split("\n---\n", 1)[0]
    return [line.strip() for line in head.splitlines() if line.startswith("    ")]


def test_readme_starts_with_the_two_newcomer_commands():
    setup_and_run, tests = _leading_commands()
    assert setup_and_run.startswith("scripts/bootstrap && ") and "tcr-doctor serve" in setup_and_run
    assert tests == ".venv/bin/python -m pytest"


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert "scripts/bootstrap" in ci_commands
    assert ci_commands[-1] == _leading_commands()[1]


def test_code_table_is_generated_from_the_catalogue():
    start, end = README.index(README_BEGIN), README.index(README_END) + len(README_END)
    assert README[start:end] == render_readme_table(), "regenerate: python -m diagnostics.codes_doc --readme"
    documented = set(re.findall(r"`([A-Z][A-Z_]+)`", README[start:end]))
    assert documented == set(catalogue())


def test_every_setting_is_documented():
    from bot.web import DEFAULTS, ENV_PREFIX

    settings = [ENV_PREFIX + key for key in DEFAULTS] + [ENV_PREFIX + "CACHE_DIR"]
    settings += [
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_BASE_URL",
        "SLACK_SUPPORT_CHANNEL",
        "PORT",
        "WEB_CONCURRENCY",
        "WEB_THREADS",
    ]
    missing = [name for name in settings if f"`{name}`" not in README]
    assert not missing, missing
    assert "\n## Add to Slack\n" in README
