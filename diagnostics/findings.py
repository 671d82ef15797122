"""Findings and the code catalogue (diagnostics/codes.toml).

A finding is what one check learned: a stable upper-case code, a status, evidence (facts, never secrets) and
summary/fix text in zh and en rendered from the catalogue's templates with the evidence filled in.
"""

from __future__ import annotations

import functools
import os

from . import LANGS
from .cache import compiled
from .value import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from typing import Any

    from .results import FindingDict

STATUSES = ("ok", "warn", "fail", "skip")
PROBLEMS = ("fail", "warn")  # the statuses that report a problem: a verdict's symptoms, what confirms a log
CATALOGUE_PATH = os.path.join(os.path.dirname(__file__), "codes.toml")


@functools.lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, Any]]:
    """Every finding code -> its entry in diagnostics/codes.toml (check, status, summary, fix, faq).

    Kept compiled between runs (diagnostics.cache): parsing the 50 KB of TOML was ~15 ms of every diagnosis's
    start-up, reading the compiled copy is well under 1 ms."""
    catalogue: dict[str, dict[str, Any]] = compiled(CATALOGUE_PATH, _parse_toml, "codes")
    return catalogue


def _parse_toml(data: bytes) -> dict[str, Any]:
    import tomllib  # only when the compiled copy is missing or stale: the import alone is 1-3 ms of every start-up

    return tomllib.loads(data.decode("utf-8"))


class Said(str):
    """Our own English words written as an evidence value (a stage, a note, an error we name) that carry their
    Chinese wording: JSON and every plain use read the English string, as before; a Chinese text says `.zh`
    (`_text`, bot.render.pick). Text an upstream program wrote (an exception's, a server's) stays a plain str."""

    zh: str

    def __new__(cls, en: str, zh: str) -> Said:
        """The English string EN that a Chinese text says as ZH."""
        said = super().__new__(cls, en)
        said.zh = zh
        return said

    def __reduce__(self) -> tuple[Any, ...]:  # copies and pickles keep the Chinese wording
        return (Said, (str(self), self.zh))


TIMED_OUT = Said("timed out", "超时")  # an error of ours: a step ran past its deadline


def _text(value: Any, lang: str) -> str:
    """Evidence values as they read inside a sentence."""
    if isinstance(value, Said):
        return value.zh if lang == "zh" else str(value)
    if isinstance(value, dict) and any(k in value for k in LANGS):
        return str(value.get(lang) or value.get("en") or "")
    if isinstance(value, (list, tuple, set)):
        sep = "、" if lang == "zh" else ", "
        return sep.join(_text(v, lang) for v in value) or "-"
    if value is None:
        return "-"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    return str(value)


class _Fill(dict[str, str]):
    def __missing__(self, key: str) -> str:  # an absent placeholder stays visible rather than raising
        return "{" + key + "}"


def fill(template: str, evidence: dict[str, Any], lang: str) -> str:
    """`template` with `{name}` placeholders filled from `evidence` as the values read in `lang`."""
    return template.format_map(_Fill({k: _text(v, lang) for k, v in evidence.items()}))


def placeholders(template: str) -> set[str]:
    """The {names} a summary or fix template fills from evidence."""
    import string  # for the catalogue's tests and docs; filling a template needs only str.format_map

    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Finding(Record):
    """One result of a check: a stable code, its status, zh/en summary and fix, the evidence, the FAQ entry.

    A plain class, as are the other types a diagnosis creates before its first check: `dataclasses` imports
    `inspect` (with ast, dis and tokenize) and writes each class's methods as source to compile, together about a
    third of an NXDOMAIN diagnosis's instructions (valgrind, benchmarks/bench_startup.py)."""

    def __init__(
        self,
        check: str,
        status: str,
        code: str,
        summary: dict[str, str] | None = None,
        evidence: dict[str, Any] | None = None,
        fix: dict[str, str] | None = None,
        faq: str | None = None,
        other_fix: dict[str, str] | None = None,
    ) -> None:
        self.check = check
        self.status = status
        self.code = code
        self.summary: dict[str, str] = {} if summary is None else summary
        self.evidence: dict[str, Any] = {} if evidence is None else evidence
        self.fix: dict[str, str] = {} if fix is None else fix
        self.faq = faq
        # the fix for a registry that is not TCR (the catalogue's `fix_other`, filled when the finding was made), or
        # None when `fix` fits any registry: for_other_registry() puts it in place; never part of the report's data
        self.other_fix = other_fix

    def replace(self, **changes: Any) -> Finding:
        """A copy with CHANGES (as dataclasses.replace)."""
        return Finding(**{**vars(self), **changes})

    def for_other_registry(self) -> Finding:
        """The finding as said of a registry that is not TCR (another vendor's, a self-hosted one): the fix without
        TCR's console, CAM, instances or editions (the catalogue's `fix_other`), and no link to TCR's FAQ."""
        return self.replace(fix=dict(self.other_fix) if self.other_fix else self.fix, faq=None, other_fix=None)

    def to_dict(self) -> FindingDict:
        """The finding as JSON-safe data (docs/ARCHITECTURE.md)."""
        return {
            "check": self.check,
            "status": self.status,
            "code": self.code,
            "summary": dict(self.summary),
            "evidence": _plain(self.evidence),
            "fix": dict(self.fix),
            "faq": self.faq,
        }

    @property
    def failed(self) -> bool:
        """Whether the status is fail."""
        return self.status == "fail"


def _plain(value: Any) -> Any:
    """Evidence as JSON-safe data."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# Why a check about one image (image, cloud_image) is SKIPPED when the target names only a registry.
NO_IMAGE = {"en": "no image given (REGISTRY/NAMESPACE/REPO:TAG)", "zh": "未给出镜像（仓库地址/命名空间/仓库:版本）"}


def finding(check: str, code: str, level: str | None = None, **evidence: Any) -> Finding:
    """Build a finding for CODE from the catalogue, its text filled from EVIDENCE; LEVEL overrides its status."""
    entry = catalogue().get(code)
    if entry is None:
        raise KeyError(f"finding code {code!r} is not in diagnostics/codes.toml")
    status = level or entry["status"]
    if status not in STATUSES:
        raise ValueError(f"bad status {status!r}")
    # a sentence placeholder left empty at the end (NAME_INVALID's {suggested}) leaves no trailing space
    summary = {lang: fill(entry["summary"][lang], evidence, lang).rstrip() for lang in LANGS}
    fix = {lang: fill(entry["fix"][lang], evidence, lang).rstrip() for lang in LANGS}
    other = entry.get("fix_other")
    other_fix = {lang: fill(other[lang], evidence, lang).rstrip() for lang in LANGS} if other else None
    return Finding(
        check=check,
        status=status,
        code=code,
        summary=summary,
        evidence=evidence,
        fix=fix,
        faq=entry.get("faq") or None,
        other_fix=other_fix,
    )


class Unavailable(Exception):
    """A fact a check needs failed; FINDING says why (from the check that owns the fact)."""

    def __init__(self, finding_: Finding):
        super().__init__(finding_.code)
        self.finding = finding_
