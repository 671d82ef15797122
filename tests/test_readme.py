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
    """The configuration table is generated from the one settings object (python -m bot.settings --readme-update)."""
    from bot.settings import README_BEGIN as SETTINGS_BEGIN
    from bot.settings import README_END as SETTINGS_END
    from bot.settings import documented, render_readme_table

    start, end = README.index(SETTINGS_BEGIN), README.index(SETTINGS_END) + len(SETTINGS_END)
    assert README[start:end] == render_readme_table(), "regenerate: python -m bot.settings --readme-update"
    for name in ["TCR_DOCTOR_DB", "TCR_DOCTOR_CACHE_DIR", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PORT"]:
        assert f"| `{name}` |" in README[start:end], name
    assert len({f.metadata["env"] for f in documented()}) == len(documented())
    assert "\n## Add to Slack\n" in README


def test_every_metric_is_documented():
    """The metrics table is generated from bot.metrics.SPECS (python -m bot.metrics --readme-update), and every name
    the code counts is declared there (an undeclared name would get a made-up help text)."""
    import re

    from bot.metrics import README_BEGIN, README_END, SPECS, render_readme_table

    start, end = README.index(README_BEGIN), README.index(README_END) + len(README_END)
    assert README[start:end] == render_readme_table(), "regenerate: python -m bot.metrics --readme-update"
    counted: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        counted.update(re.findall(r"\"(tcr_doctor_[a-z_]+_(?:total|seconds))\"", path.read_text(encoding="utf-8")))
    assert counted and counted <= set(SPECS), counted - set(SPECS)


def test_settings_are_read_only_through_the_settings_object():
    """No module reads a documented variable from the environment on its own, so the table is the whole story.

    diagnostics.cache reads TCR_DOCTOR_CACHE_DIR itself: the core runs without any channel (benchmarks, python -m).
    """
    from bot.settings import documented

    names = {f.metadata["env"] for f in documented()}
    allowed = {("diagnostics/cache.py", "TCR_DOCTOR_CACHE_DIR")}
    read = re.compile(r"""(?:environ(?:\.get)?\(?\[?|getenv\()\s*["']([A-Z][A-Z0-9_]+)["']""")
    offenders = []
    for package in ("bot", "diagnostics", "knowledge"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel == "bot/settings.py":
                continue
            for name in read.findall(path.read_text(encoding="utf-8")):
                if (name in names or name.startswith(("TCR_DOCTOR_", "SLACK_"))) and (rel, name) not in allowed:
                    offenders.append(f"{rel}: {name}")
    assert not offenders, offenders


def test_the_question_path_names_files_and_functions_that_exist():
    """ "How a question travels" is a newcomer's map: every file and function it names is there."""
    import bot.slack
    import knowledge

    section = README.split("## How a question travels", 1)[1].split("\n| path", 1)[0]  # the prose, not the table
    names = re.findall(r"`([^`]+)`", section)
    paths = [n for n in names if "/" in n]
    assert paths and all((ROOT / p).exists() for p in paths), [p for p in paths if not (ROOT / p).exists()]
    for method in ("build", "answer_message", "answer_blocks", "on_diagnose", "diagnose_in_thread"):
        assert f"`{method}" in section or f".{method}`" in section, method
        assert callable(getattr(bot.slack.SlackChannel, method)), method
    assert callable(bot.slack.message) and "`message()`" in section
    assert callable(knowledge.ask) and callable(knowledge.redact)
