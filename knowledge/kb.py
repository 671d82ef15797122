"""Knowledge base loader: one TOML file per FAQ entry in knowledge/faq/, validated field by field.

Any problem raises `KnowledgeError` naming the file and the field, e.g.
`knowledge/faq/07-login-failed.toml: answer.en: missing (both zh and en are required)`.
"""

from __future__ import annotations

import marshal
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn, overload

from diagnostics import LANGS
from diagnostics.cache import cache_dir as cache_dir  # the one cache directory (re-exported: the matcher uses it)
from diagnostics.cache import kept, write_kept

try:  # hashlib's SHA-256 without hashlib, which loads OpenSSL's libcrypto (~11 M instructions of a cold `ask`)
    from _sha256 import sha256 as sha256  # (re-exported: the matcher keys its index with it)
except ImportError:  # (Python 3.12 renamed the module; a build without it has OpenSSL's)
    from hashlib import sha256 as sha256
from diagnostics.checks import known_names

if TYPE_CHECKING:
    from .results import AnswerLink, TopicHint

FAQ_DIR = Path(__file__).resolve().parent / "faq"

EDITIONS = ("personal", "enterprise", "both")
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FILE_RE = re.compile(r"^(\d{2,})-([a-z0-9-]+)\.toml$")
_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_KNOWN_KEYS = {
    "id",
    "number",
    "category",
    "edition",
    "diagnostics",
    "question",
    "answer",
    "phrasings",
    "links",
    "keywords",
    "error_signatures",
    "facets",
}
_FACET_KEYS = ("actions", "objects", "requires")


class KnowledgeError(ValueError):
    """A knowledge file is missing, unreadable or does not follow the schema."""


@dataclass(frozen=True)
class Link:
    """A documentation link of an entry: a bilingual title and a URL."""

    title: dict[str, str]
    url: str

    def to_dict(self, lang: str) -> AnswerLink:
        """The link in `lang`: {"title", "url"}."""
        return {"title": self.title.get(lang) or self.title["en"], "url": self.url}


@dataclass(frozen=True)
class Entry:
    """One FAQ entry as validated from its knowledge/faq/NN-<id>.toml file."""

    id: str
    number: int
    category: dict[str, str]
    edition: str
    diagnostics: tuple[str, ...]
    question: dict[str, str]
    answer: dict[str, str]
    phrasings: dict[str, tuple[str, ...]]
    links: tuple[Link, ...]
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    error_signatures: tuple[str, ...] = ()
    path: str = ""
    # Declared facets (docs/matching.md): {"actions": (...), "objects": (...), "requires": (...)}, ids of
    # concepts.toml [[facet]] (requires: contexts the question must be in).
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class KnowledgeBase:
    """Every FAQ entry, in file order, with `by_id` and the `version` hash of the files."""

    entries: list[Entry]
    version: str
    by_id: dict[str, Entry] = field(init=False)
    by_number: dict[int, Entry] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {e.id: e for e in self.entries}
        self.by_number = {e.number: e for e in self.entries}


# ---------------------------------------------------------------- validation helpers


class _Checker:
    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, fld: str, msg: str) -> NoReturn:
        raise KnowledgeError(f"{self.name}: {fld}: {msg}")

    @overload
    def str_(self, data: dict[str, Any], key: str, fld: str, required: Literal[True] = True) -> str: ...

    @overload
    def str_(self, data: dict[str, Any], key: str, fld: str, required: bool) -> str | None: ...

    def str_(self, data: dict[str, Any], key: str, fld: str, required: bool = True) -> str | None:
        if key not in data:
            if required:
                self.fail(fld, "missing")
            return None
        value = data[key]
        if not isinstance(value, str):
            self.fail(fld, f"must be a string, got {type(value).__name__}")
        if not value.strip():
            self.fail(fld, "must not be empty")
        return value

    @overload
    def bilingual(
        self, data: dict[str, Any], key: str, required: Literal[True] = True, prefix: str = ""
    ) -> dict[str, str]: ...

    @overload
    def bilingual(self, data: dict[str, Any], key: str, required: bool, prefix: str = "") -> dict[str, str] | None: ...

    def bilingual(
        self, data: dict[str, Any], key: str, required: bool = True, prefix: str = ""
    ) -> dict[str, str] | None:
        fld = prefix + key
        if key not in data:
            if required:
                self.fail(fld, "missing")
            return None
        value = data[key]
        if not isinstance(value, dict):
            self.fail(fld, f"must be a table {{zh = ..., en = ...}}, got {type(value).__name__}")
        for lang in LANGS:
            if lang not in value:
                self.fail(f"{fld}.{lang}", "missing (both zh and en are required)")
            self.str_(value, lang, f"{fld}.{lang}")
        extra = set(value) - set(LANGS)
        if extra:
            self.fail(f"{fld}.{sorted(extra)[0]}", "unknown language (only zh and en)")
        return {lang: value[lang].strip() for lang in LANGS}

    def bilingual_lists(self, data: dict[str, Any], key: str, required: bool) -> dict[str, tuple[str, ...]]:
        if key not in data:
            if required:
                self.fail(key, "missing")
            return {lang: () for lang in LANGS}
        value = data[key]
        if not isinstance(value, dict):
            self.fail(key, f"must be a table {{zh = [...], en = [...]}}, got {type(value).__name__}")
        out = {}
        for lang in LANGS:
            if lang not in value:
                self.fail(f"{key}.{lang}", "missing (both zh and en are required)")
            out[lang] = self.strings(value[lang], f"{key}.{lang}", required)
        extra = set(value) - set(LANGS)
        if extra:
            self.fail(f"{key}.{sorted(extra)[0]}", "unknown language (only zh and en)")
        return out

    def strings(self, items: Any, fld: str, required: bool) -> tuple[str, ...]:
        """`items` as a tuple of stripped strings; fails unless it is a list of non-empty strings (and, when
        `required`, not empty)."""
        if not isinstance(items, list):
            self.fail(fld, f"must be a list of strings, got {type(items).__name__}")
        if required and not items:
            self.fail(fld, "must not be empty")
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{fld}[{i}]", "must be a non-empty string")
        return tuple(s.strip() for s in items)


def _checker(path: Path) -> _Checker:
    return _Checker(f"knowledge/faq/{path.name}" if path.parent == FAQ_DIR else str(path))


def _parse_entry(path: Path, data: dict[str, Any]) -> Entry:
    ck = _checker(path)
    unknown = set(data) - _KNOWN_KEYS
    if unknown:
        ck.fail(sorted(unknown)[0], f"unknown field (allowed: {', '.join(sorted(_KNOWN_KEYS))})")
    entry_id, number = _entry_id_and_number(ck, data, path.name)
    category = ck.bilingual(data, "category")
    edition = ck.str_(data, "edition", "edition")
    if edition not in EDITIONS:
        ck.fail("edition", f"{edition!r} is not one of {', '.join(EDITIONS)}")
    diags = _check_names(ck, data)
    question = ck.bilingual(data, "question")
    answer = ck.bilingual(data, "answer")
    phrasings = ck.bilingual_lists(data, "phrasings", required=True)
    keywords = ck.bilingual_lists(data, "keywords", required=False)
    links = _links(ck, data)
    sigs = _error_signatures(ck, data)
    facets = _facets(ck, data)
    return Entry(
        id=entry_id,
        number=number,
        category=category,
        edition=edition,
        diagnostics=tuple(diags),
        question=question,
        answer=answer,
        phrasings=phrasings,
        links=tuple(links),
        keywords=keywords,
        error_signatures=tuple(sigs),
        path=str(path),
        facets=facets,
    )


def _load_toml(ck: _Checker, raw: bytes) -> dict[str, Any]:
    """The TOML document of a knowledge file; fails on bytes that are not UTF-8 or not TOML."""
    import tomllib  # only when no kept copy of the file's document is found (see load_kb)

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        ck.fail("(file)", f"not UTF-8: {exc}")
    except tomllib.TOMLDecodeError as exc:
        ck.fail("(file)", f"invalid TOML: {exc}")


def _entry_id_and_number(ck: _Checker, data: dict[str, Any], file_name: str) -> tuple[str, int]:
    """The entry's kebab-case id and positive number, both agreeing with its file name `NN-<id>.toml`."""
    entry_id = ck.str_(data, "id", "id")
    if not _ID_RE.match(entry_id):
        ck.fail("id", f"{entry_id!r} is not kebab-case (lower-case letters, digits and single hyphens)")
    number = data.get("number")
    if "number" not in data:
        ck.fail("number", "missing")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        ck.fail("number", f"must be a positive integer, got {number!r}")
    m = _FILE_RE.match(file_name)
    if not m:
        ck.fail("(file name)", "must be NN-<id>.toml")
    if int(m.group(1)) != number:
        ck.fail("number", f"{number} does not match the file name prefix {m.group(1)}")
    if m.group(2) != entry_id:
        ck.fail("id", f"{entry_id!r} does not match the file name ({m.group(2)!r})")
    return entry_id, number


def _check_names(ck: _Checker, data: dict[str, Any]) -> list[str]:
    """The entry's `diagnostics`: a list of distinct check names (possibly empty, never absent)."""
    diags = data.get("diagnostics")
    if "diagnostics" not in data:
        ck.fail("diagnostics", "missing (use [] when no check applies)")
    if not isinstance(diags, list):
        ck.fail("diagnostics", f"must be a list of check names, got {type(diags).__name__}")
    known = known_names()
    for i, name in enumerate(diags):
        if name not in known:
            ck.fail(f"diagnostics[{i}]", f"{name!r} is not a check name (allowed: {', '.join(sorted(known))})")
    if len(set(diags)) != len(diags):
        ck.fail("diagnostics", "duplicate check name")
    return diags


def _links(ck: _Checker, data: dict[str, Any]) -> list[Link]:
    """The entry's `[[links]]`: each a bilingual title and an http(s) URL."""
    links_raw = data.get("links", [])
    if not isinstance(links_raw, list):
        ck.fail("links", "must be an array of tables [[links]]")
    links = []
    for i, link in enumerate(links_raw):
        if not isinstance(link, dict):
            ck.fail(f"links[{i}]", "must be a table with title and url")
        t = ck.bilingual(link, "title", prefix=f"links[{i}].")
        url = ck.str_(link, "url", f"links[{i}].url")
        if not _URL_RE.match(url):
            ck.fail(f"links[{i}].url", f"{url!r} is not an http(s) URL")
        extra = set(link) - {"title", "url"}
        if extra:
            ck.fail(f"links[{i}].{sorted(extra)[0]}", "unknown field (allowed: title, url)")
        links.append(Link(title=t, url=url))
    return links


def _error_signatures(ck: _Checker, data: dict[str, Any]) -> list[str]:
    """The entry's `error_signatures`: lower-case substrings or `/regex/`es that compile."""
    sigs = data.get("error_signatures", [])
    if not isinstance(sigs, list):
        ck.fail("error_signatures", "must be a list of strings")
    for i, sig in enumerate(sigs):
        if not isinstance(sig, str) or not sig.strip():
            ck.fail(f"error_signatures[{i}]", "must be a non-empty string")
        if len(sig) > 2 and sig.startswith("/") and sig.endswith("/"):
            try:
                re.compile(sig[1:-1])
            except re.error as exc:
                ck.fail(f"error_signatures[{i}]", f"invalid regex: {exc}")
        elif sig != sig.lower():
            ck.fail(f"error_signatures[{i}]", "substring signatures must be lower-case (or /regex/)")
    return sigs


def _facets(ck: _Checker, data: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """The entry's `facets`: {actions, objects, requires} lists of facet ids of knowledge/concepts.toml of that kind
    (`requires`: contexts, kind = "context")."""
    facets_raw = data.get("facets", {})
    if not isinstance(facets_raw, dict):
        ck.fail("facets", "must be a table {actions = [...], objects = [...]}")
    facets = {}
    for key, items in facets_raw.items():
        if key not in _FACET_KEYS:
            ck.fail(f"facets.{key}", f"unknown field (allowed: {', '.join(_FACET_KEYS)})")
        if not isinstance(items, list):
            ck.fail(f"facets.{key}", f"must be a list of facet ids, got {type(items).__name__}")
        for i, item in enumerate(items):
            _check_facet(ck, f"facets.{key}[{i}]", item, "context" if key == "requires" else key[:-1])
        facets[key] = tuple(items)
    return facets


def _check_facet(ck: _Checker, fld: str, item: Any, kind_wanted: str) -> None:
    """Fail unless `item` is the id of a [[facet]] of knowledge/concepts.toml of kind `kind_wanted`."""
    if not isinstance(item, str) or not _ID_RE.match(item):
        ck.fail(fld, f"{item!r} is not a facet id (kebab-case, see knowledge/concepts.toml)")
    kind = _facet_kinds().get(item)
    if kind is None:
        ck.fail(fld, f"{item!r} is not a [[facet]] of knowledge/concepts.toml")
    if kind != kind_wanted:
        ck.fail(fld, f"{item!r} is {_an(kind)}, not {_an(kind_wanted)}")


def _an(word: str) -> str:
    """`word` with its indefinite article ("an action", "a context")."""
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _facet_kinds() -> dict[str, str]:
    """facet id -> "action" | "object" | "context", from knowledge/concepts.toml (read once, only when an entry declares facets)."""
    # only when an entry is parsed (load_kb): `diagnose --report` imports this module for FAQ_DIR alone (a cited
    # entry's question, knowledge.faq_question), and knowledge.text would add ~74 M instructions to it (valgrind)
    from .text import default_facets

    return {fid: f.kind for fid, f in default_facets().by_id.items()}


def _checked_entries(files: list[Path], raws: list[bytes]) -> list[Entry]:
    """The entries of the knowledge FILES (their bytes RAWS), each checked; the first problem raises."""
    # The files' TOML documents are kept in the cache directory, keyed by the files' names and bytes (reading the
    # TOML was ~82 M instructions of a cold `ask`, valgrind); what they say is checked every time, once.
    entries: list[Entry] = []

    def documents_of(_: bytes) -> list[dict[str, Any]]:
        documents = []
        for p, raw in zip(files, raws, strict=True):  # (file by file: the first problem is reported, as ever)
            documents.append(_load_toml(_checker(p), raw))
            entries.append(_parse_entry(p, documents[-1]))
        return documents

    documents = kept(
        b"".join(p.name.encode() + b"\0" + raw + b"\0" for p, raw in zip(files, raws, strict=True)),
        documents_of,
        "faq",
        list,
    )
    if not entries:  # (a kept copy: not checked yet)
        entries = [_parse_entry(p, data) for p, data in zip(files, documents, strict=True)]
    return entries


def load_kb(path: str | Path | None = None) -> KnowledgeBase:
    """Load and validate every `NN-<id>.toml` in `path` (default: knowledge/faq/)."""
    directory = Path(path) if path is not None else FAQ_DIR
    if not directory.is_dir():
        raise KnowledgeError(f"{directory}: knowledge directory not found")
    files = sorted(p for p in directory.iterdir() if p.suffix == ".toml" and p.is_file())
    if not files:
        raise KnowledgeError(f"{directory}: no knowledge files (*.toml)")
    digest = sha256()
    raws = []
    for p in files:
        raws.append(p.read_bytes())
        digest.update(p.name.encode() + b"\0" + raws[-1] + b"\0")
    entries = _checked_entries(files, raws)

    seen_ids: dict[str, str] = {}
    seen_numbers: dict[int, str] = {}
    for e in entries:
        name = Path(e.path).name
        if e.id in seen_ids:
            raise KnowledgeError(f"{name}: id: {e.id!r} is also used by {seen_ids[e.id]}")
        if e.number in seen_numbers:
            raise KnowledgeError(f"{name}: number: {e.number} is also used by {seen_numbers[e.number]}")
        seen_ids[e.id] = name
        seen_numbers[e.number] = name
    expected = set(range(1, len(entries) + 1))
    missing = sorted(expected - set(seen_numbers))
    if missing:
        raise KnowledgeError(
            f"{directory}: number: entries must be numbered 1..{len(entries)} without gaps; missing {missing[:5]}"
        )
    entries.sort(key=lambda e: e.number)
    return KnowledgeBase(entries=entries, version=digest.hexdigest()[:12])


def entry_from_dict(data: dict[str, Any], path: str = "<memory>") -> Entry:
    """Build an Entry from an already-parsed mapping without file checks (benchmarks, synthetic bases)."""
    return Entry(
        id=data["id"],
        number=data["number"],
        category=data.get("category", {"zh": "", "en": ""}),
        edition=data.get("edition", "both"),
        diagnostics=tuple(data.get("diagnostics", ())),
        question=data["question"],
        answer=data["answer"],
        phrasings={k: tuple(v) for k, v in data.get("phrasings", {"zh": [], "en": []}).items()},
        links=tuple(Link(**link) for link in data.get("links", ())),
        keywords={k: tuple(v) for k, v in data.get("keywords", {}).items()},
        error_signatures=tuple(data.get("error_signatures", ())),
        path=path,
    )


# ---------------------------------------------------------------- out-of-scope topics

OUT_OF_SCOPE_PATH = Path(__file__).resolve().parent / "out_of_scope.toml"
_TOPIC_KEYS = {"id", "title", "hint", "phrasings", "keywords", "causes", "vendor"}
# `vendor = true` (any other vendor's registry) or `vendor = ["Harbor", ...]` (those vendors, as
# knowledge.dialogue names them)


@dataclass(frozen=True)
class Topic:
    """A known subject the FAQ does not document (knowledge/out_of_scope.toml). It competes with the entries in
    the matcher's index; when it wins, the answer is "no documented answer" naming the topic (docs/matching.md)."""

    id: str
    title: dict[str, str]
    phrasings: dict[str, tuple[str, ...]]
    keywords: dict[str, tuple[str, ...]]
    hint: dict[str, str] | None = None
    # Beside a pasted log whose cause the reader names, the topic is shown only when it agrees with that cause:
    # `causes` lists the log cause codes (knowledge/logpatterns.toml) the subject explains. A `vendor` topic is
    # about another vendor's registry: shown only when the text names one, and then beside any cause (the log is
    # that registry's); with `vendors`, only when it names one of those (Harbor's topic is not for a Docker Hub post).
    causes: tuple[str, ...] = ()
    vendor: bool = False
    vendors: tuple[str, ...] = ()

    def agrees(self, cause: str | None, vendors_named: Collection[str]) -> bool:
        """Whether the topic may be shown beside a pasted log read as `cause` (None: no log cause) in a text that
        names `vendors_named` (other vendors' registries, knowledge.dialogue.named_vendors)."""
        if self.vendor:
            return any(v in self.vendors for v in vendors_named) if self.vendors else bool(vendors_named)
        return cause is None or cause in self.causes

    def to_dict(self, lang: str) -> TopicHint:
        """The topic in `lang` as `ask()` reports it: {"id", "title", "hint"}."""
        return {"id": self.id, "title": self.title[lang], "hint": self.hint[lang] if self.hint else None}


@dataclass
class TopicSet:
    """The out-of-scope topics (knowledge/out_of_scope.toml) with `by_id` and their `version` hash."""

    topics: list[Topic]
    version: str
    by_id: dict[str, Topic] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {t.id: t for t in self.topics}


def load_topics(path: str | Path | None = None, entry_ids: Iterable[str] = ()) -> TopicSet:
    """Load and validate the out-of-scope topics file (default knowledge/out_of_scope.toml); a missing default
    file gives an empty set. Errors name the file and the field: `knowledge/out_of_scope.toml: topic[3]
    (helm-charts).title.en: missing (both zh and en are required)`. `entry_ids`: FAQ ids a topic may not reuse."""
    p = Path(path) if path is not None else OUT_OF_SCOPE_PATH
    name = "knowledge/out_of_scope.toml" if p == OUT_OF_SCOPE_PATH else str(p)
    if not p.is_file():
        if path is None:
            return TopicSet(topics=[], version="none")
        raise KnowledgeError(f"{name}: (file): not found")
    raw = p.read_bytes()
    version = sha256(raw).hexdigest()[:12]
    topics = _cached_topics(version)
    if topics is None:
        topics = _parse_topics(raw, name)
        _store_topics(version, topics)
    reserved = set(entry_ids)
    for i, t in enumerate(topics):
        if t.id in reserved:
            raise KnowledgeError(f"{name}: topic[{i}] ({t.id}): id: {t.id!r} is also the id of an FAQ entry")
    return TopicSet(topics=topics, version=version)


def _parse_topics(raw: bytes, name: str) -> list[Topic]:
    ck = _Checker(name)
    data = _load_toml(ck, raw)
    extra = set(data) - {"topic"}
    if extra:
        ck.fail(sorted(extra)[0], "unknown field (the file holds only [[topic]] tables)")
    items = data.get("topic")
    if not isinstance(items, list) or not items:
        ck.fail("topic", "missing (write one [[topic]] table per subject)")
    topics: list[Topic] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            ck.fail(f"topic[{i}]", "must be a table")
        topics.append(_parse_topic(name, i, item, seen))
    return topics


def _parse_topic(name: str, i: int, item: dict[str, Any], seen: dict[str, int]) -> Topic:
    """The `i`-th [[topic]] of file `name`; `seen` (id -> index of the topics before it) gains its id."""
    label = f"topic[{i}]"
    tid = item.get("id")
    if isinstance(tid, str) and tid:
        label = f"topic[{i}] ({tid})"
    tck = _Checker(f"{name}: {label}")
    unknown = set(item) - _TOPIC_KEYS
    if unknown:
        tck.fail(sorted(unknown)[0], f"unknown field (allowed: {', '.join(sorted(_TOPIC_KEYS))})")
    tid = tck.str_(item, "id", "id")
    if not _ID_RE.match(tid):
        tck.fail("id", f"{tid!r} is not kebab-case (lower-case letters, digits and single hyphens)")
    if tid in seen:
        tck.fail("id", f"{tid!r} is also used by topic[{seen[tid]}]")
    seen[tid] = i
    title = tck.bilingual(item, "title")
    hint = tck.bilingual(item, "hint", required=False)
    phrasings = tck.bilingual_lists(item, "phrasings", required=True)
    keywords = tck.bilingual_lists(item, "keywords", required=False)
    causes = tck.strings(item.get("causes", []), "causes", required=False)
    for j, code in enumerate(causes):
        if not _CAUSE_RE.match(code):
            tck.fail(f"causes[{j}]", f"{code!r} is not a log cause code (upper-case, as in knowledge/logpatterns.toml)")
    vendor = item.get("vendor", False)
    vendors: tuple[str, ...] = ()
    if isinstance(vendor, list):
        vendors, vendor = tck.strings(vendor, "vendor", required=True), True
    elif not isinstance(vendor, bool):
        tck.fail("vendor", f"must be true, false or a list of vendor names, got {type(vendor).__name__}")
    return Topic(
        id=tid,
        title=title,
        phrasings=phrasings,
        keywords=keywords,
        hint=hint,
        causes=causes,
        vendor=vendor,
        vendors=vendors,
    )


_CAUSE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")


# ---------------------------------------------------------------- cache (validated topics, matcher index)


def _topics_cache_path(version: str) -> Path | None:
    root = cache_dir()
    # The loader's own source is part of the key: a change to validation re-validates every file.
    code = sha256(Path(__file__).read_bytes()).hexdigest()[:8]
    return None if root is None else root / f"topics-{version}-{code}.marshal"


def _cached_topics(version: str) -> list[Topic] | None:
    """Topics already validated by an earlier process (parsing the TOML costs ~10 ms of a cold start)."""
    path = _topics_cache_path(version)
    if path is None:
        return None
    try:
        rows = marshal.loads(path.read_bytes())
        return [
            Topic(
                id=r[0],
                title=r[1],
                phrasings={k: tuple(v) for k, v in r[2].items()},
                keywords={k: tuple(v) for k, v in r[3].items()},
                hint=r[4],
                causes=tuple(r[5]),
                vendor=r[6],
                vendors=tuple(r[7]),
            )
            for r in rows
        ]
    except (OSError, EOFError, ValueError, TypeError, IndexError, KeyError, AttributeError):
        return None


def _store_topics(version: str, topics: list[Topic]) -> None:
    rows = [
        (
            t.id,
            t.title,
            {k: list(v) for k, v in t.phrasings.items()},
            {k: list(v) for k, v in t.keywords.items()},
            t.hint,
            list(t.causes),
            t.vendor,
            list(t.vendors),
        )
        for t in topics
    ]
    store_cache(_topics_cache_path(version), rows, "topics")


def store_cache(path: Path | None, value: Any, kind: str) -> None:
    """Write `value` (marshal-able) to the cache file `path` (`<kind>-<version>.marshal`) atomically, pruning older
    versions of KIND (diagnostics.cache.write_kept); None or a read-only home only costs start-up time, never an error."""
    if path is not None:
        write_kept(str(path), marshal.dumps(value), kind)
