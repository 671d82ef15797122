"""Templates are compiled once and kept in the cache directory (bot.render.compiled_templates): a later process reads
the kept code instead of compiling, an edited template is compiled again, and a cache that cannot be used never
stops the output."""

from __future__ import annotations

import functools

import jinja2
import pytest

from bot import render
from bot.commands.diagnose import view
from diagnostics import DiagnoseOptions, diagnose


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh cache directory, and environments made anew (bot.render.environment is made once per process)."""
    monkeypatch.setenv("TCR_DOCTOR_CACHE_DIR", str(tmp_path / "cache"))
    render.environment.cache_clear()
    yield tmp_path / "cache"
    render.environment.cache_clear()


@pytest.fixture
def compilations(monkeypatch):
    """The names of the templates Jinja2 compiles from source."""
    names: list[str | None] = []
    compile_ = jinja2.Environment.compile

    def counted(self, source, name=None, filename=None, raw=False, defer_init=False):
        names.append(name)
        return compile_(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    return names


@functools.cache
def _report() -> dict:
    return diagnose("shop-tcr.tencentcloudcr.com/team/app:1.0", DiagnoseOptions(only="name")).to_dict()


def _diagnosis_text() -> str:
    return render.render("cli", "diagnose.j2", r=view(_report(), "en"), lang="en")


def test_a_template_is_compiled_once_and_read_back_after(cache, compilations):
    first = _diagnosis_text()
    assert compilations == ["diagnose.j2"]
    assert len(list(cache.glob("templates/*.marshal"))) == 1
    assert (cache / "templates").stat().st_mode & 0o077 == 0  # kept code: writable by its user alone
    render.environment.cache_clear()  # as a new process
    assert _diagnosis_text() == first
    assert compilations == ["diagnose.j2"]  # not compiled again
    assert "NAME_OK" in first


def test_an_edited_template_is_compiled_again(cache, tmp_path, compilations):
    folder = tmp_path / "templates"
    folder.mkdir()
    page = folder / "page.j2"

    def rendered() -> str:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), bytecode_cache=render.compiled_templates())
        return env.get_template("page.j2").render(x=1)

    page.write_text("a {{ x }}", encoding="utf-8")
    assert rendered() == "a 1" and rendered() == "a 1"
    page.write_text("b {{ x }}", encoding="utf-8")
    assert rendered() == "b 1"
    assert compilations == ["page.j2", "page.j2"]


def test_a_cache_that_cannot_be_used_costs_only_the_compilation(cache, compilations):
    expected = _diagnosis_text()
    kept = next(cache.glob("templates/*.marshal"))
    kept.write_bytes(kept.read_bytes()[:60])  # damaged: cut short
    render.environment.cache_clear()
    assert _diagnosis_text() == expected
    kept.write_bytes(b"not a kept template")
    render.environment.cache_clear()
    assert _diagnosis_text() == expected
    assert compilations == ["diagnose.j2"] * 3


def test_an_unwritable_or_switched_off_cache_still_renders(tmp_path, monkeypatch, compilations):
    (tmp_path / "a-file").write_text("not a directory", encoding="utf-8")
    for value in (str(tmp_path / "a-file"), "off"):
        monkeypatch.setenv("TCR_DOCTOR_CACHE_DIR", value)
        render.environment.cache_clear()
        try:
            assert "NAME_OK" in _diagnosis_text()
        finally:
            render.environment.cache_clear()
    assert compilations == ["diagnose.j2", "diagnose.j2"]
    assert render.compiled_templates() is None  # off: no cache at all
