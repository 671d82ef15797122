"""Text normalisation, language detection and feature extraction for question matching.

A text becomes a bag of weighted features (see docs/matching.md):

    w:<word>        English/Latin word, lower-cased, lightly stemmed, stop words dropped
    b:<xy>          Chinese character bigram (inside a run of Chinese characters)
    u:<x>           Chinese content character (unigram; catches 删 ~ 删除)
    p:<syl>_<syl>   toneless pinyin syllable bigram (homophone typos: 实力 ~ 实例, neiwang ~ 内网)
    c:<concept>     concept from knowledge/concepts.toml (个人版 / CCR / personal edition -> c:personal)

Everything here is pure Python over small data files; nothing is imported that would slow a cold start.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from diagnostics import TENCENT_DOMAINS
from diagnostics.cache import kept

from .vendors import VENDOR_HOSTS

HERE = Path(__file__).resolve().parent

# Feature weights (measured on the dev set, see docs/matching.md).
WEIGHTS = {"w": 1.0, "b": 1.0, "u": 0.25, "p": 0.35, "c": 1.6, "n": 0.3}  # n: a word inside a name

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_CJK_RUN_RE = re.compile(f"[{_CJK}]+")
# Stretches between Chinese characters; those with a letter or digit are searched for Latin terms. (One pattern
# "[^CJK]*[a-z0-9][^CJK]*" found them directly, in quadratic time on a long run without one: a pasted separator.)
_NON_CJK_RUN_RE = re.compile(f"[^{_CJK}]+")
_ALNUM_RE = re.compile("[a-z0-9]")
_LATIN_RE = re.compile(r"[a-z0-9][a-z0-9_.+-]{0,63}")
_WORD_SPLIT_RE = re.compile(r"[._+-]+")
_HEXISH_RE = re.compile(r"^(?:[0-9a-f]{12,}|sha256:?[0-9a-f]*|[0-9]+[a-z]?[0-9]*s?)$")

# Function words carry no topic; they neither match nor count as unexplained content.
EN_STOP = frozenset(
    """a an the and or but if then than so of to in on at by for with from into onto over under about as is are was
    were be been being am do does did doing done have has had having can could should would will shall may might must
    i me my mine we us our ours you your yours he him his she her it its they them their this that these those there
    here what which who whom whose when where why how whats hows all any some each every no not only own same such too
    very just also even still yet again up down out off s t d ll re ve m o y isn aren wasn weren don doesn didn won
    wouldn shouldn couldn cannot cant im ive id youre we're theyre it's i'm let lets please thanks thank hi hello hey
    get got getting gets one ones something anything thing things way really actually exactly sometimes always never
    after before while during because since until though although whether via per vs versus like want wants wanted
    need needs know tell help instead other another more most much many lot lots use using used""".split()
)
ZH_STOP_CHARS = frozenset(
    "的了吗呢吧啊呀么是我你他她它们这那个有在和与及或就都也还很又把被给让从对向到为着过将能会要该可以怎什哪谁几请问下一些没不啥嘛哦呗之其所而"
)

_STEM_RULES = (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))


def normalize(text: str) -> str:
    """NFKC (full-width -> ASCII), lower case, control characters -> space."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _CONTROL_RE.sub(" ", text)


def cjk_count(text: str) -> int:
    """How many CJK characters `text` holds."""
    return len(_CJK_RE.findall(text))


def detect_lang(text: str) -> str:
    """'zh' when the text holds any Han character (people who write one Chinese word read Chinese), else 'en'; but
    Japanese, which writes Han among its kana, is no Chinese: a text whose kana are at least five and a fifth of its
    Han is answered in English, the language of neither that its readers read (as a locale in neither language)."""
    head = text[:20000]
    if not _CJK_RE.search(head):
        return "en"
    kana = len(_KANA_RE.findall(head))
    return "en" if kana >= 5 and kana * 5 >= len(_CJK_RE.findall(head)) else "zh"


# Hiragana and katakana (not the prolonged-sound and middle-dot marks Chinese text borrows: ー・)
_KANA_RE = re.compile("[\u3041-\u3096\u30a1-\u30fa]")


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light English stem of `word` (plural and -ing/-ed endings), enough to match inflections."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix, repl in _STEM_RULES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + repl
    return word


# ---------------------------------------------------------------- data files


@functools.cache
def pinyin_table() -> tuple[dict[str, str], frozenset[str]]:
    """(character -> toneless syllable, set[str] of syllables) from knowledge/pinyin.txt."""
    table: dict[str, str] = {}
    for line in (HERE / "pinyin.txt").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        syl, _, chars = line.partition(" ")
        for ch in chars:
            table.setdefault(ch, syl)
    return table, frozenset(table.values())


class Concepts:
    """Cross-lingual concept table: surface forms (zh/en, abbreviations, slang) -> one concept id."""

    def __init__(self, path: Path | None = None):
        path = path or HERE / "concepts.toml"
        # the TOML document kept in the cache directory, keyed by the file's bytes (reading it: ~38 M instructions)
        data = kept(path.read_bytes(), _toml, "concepts") if path.exists() else {}
        self.facet_items: list[dict[str, Any]] = data.get("facet", [])  # read by Facets (default_facets)
        self.cjk_terms: list[tuple[str, str]] = []  # substring match
        self._cjk_by_first: dict[str, list[tuple[str, str]]] | None = None
        latin: dict[str, str] = {}
        for item in data.get("concept", []):
            cid = item["id"]
            for term in item.get("terms", []):
                term = normalize(term).strip()
                if not term:
                    continue
                if _CJK_RE.search(term):
                    self.cjk_terms.append((term, cid))
                else:
                    latin[term] = cid
        self.latin = latin
        # Latin terms match on word boundaries; longest first so "personal edition" wins over "personal".
        self.latin_re = _boundary_re(latin)
        # Domain vocabulary ([domain]): its own terms plus every form of the listed concepts.
        domain = data.get("domain", {})
        dconcepts = set(domain.get("concepts", ()))
        dterms = [normalize(t).strip() for t in domain.get("terms", ())]
        dterms += [
            normalize(t).strip()
            for item in data.get("concept", [])
            if item["id"] in dconcepts
            for t in item.get("terms", [])
        ]
        # Matched against a query's feature bag (after typo fixes and pinyin): the concepts, the words of the
        # Latin terms and the character bigrams and pinyin bigrams of the Chinese terms (实力 ~ 实例, 个人板 ~ 个人版).
        keys = {"c:" + cid for cid in dconcepts}
        table, _ = pinyin_table()
        for term in dterms:
            if _CJK_RE.search(term):
                for a, b in zip(term, term[1:]):
                    if _CJK_RE.match(a) and _CJK_RE.match(b):
                        keys.add("b:" + a + b)
                        if a in table and b in table:
                            keys.add(f"p:{table[a]}_{table[b]}")
            else:
                keys.update("w:" + stem(w) for w in latin_words(term))
        self.domain_keys = frozenset(keys)

    def in_domain(self, bag: dict[str, float]) -> bool:
        """Whether a feature bag holds any registry / container / cloud word (the [domain] table)."""
        keys = self.domain_keys
        return any(k in keys for k in bag)

    def find(self, norm_text: str) -> list[str]:
        """Ids of the cross-lingual concepts (concepts.toml) that normalised text `norm` mentions."""
        by_first = self._cjk_by_first
        if by_first is None:
            by_first = self._cjk_by_first = {}
            for term, cid in self.cjk_terms:
                by_first.setdefault(term[0], []).append((term, cid))
        # Only the terms whose first character occurs in the text are looked for (same result as trying all).
        found = [cid for ch in by_first.keys() & set(norm_text) for term, cid in by_first[ch] if term in norm_text]
        if self.latin_re is not None:
            # Latin terms hold no Chinese character and a Chinese neighbour is a word boundary, so searching the
            # non-Chinese stretches one by one finds exactly what searching the whole text would (faster on zh).
            latin, finditer = self.latin, self.latin_re.finditer
            for seg in _NON_CJK_RUN_RE.findall(norm_text):
                if _ALNUM_RE.search(seg) is None:
                    continue
                found.extend(latin[m.group(0)] for m in finditer(seg))
        return found


def _boundary_re(terms: Iterable[str]) -> re.Pattern[str] | None:
    # longest first; equal lengths in a fixed order, so the pattern is the same in every process (a set's order
    # follows the hash seed) and is found compiled (diagnostics.cache.kept_patterns)
    alts = sorted(set(terms), key=lambda term: (-len(term), term))
    if not alts:
        return None
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(t) for t in alts) + r")(?![a-z0-9])")


def _toml(data: bytes) -> dict[str, Any]:
    import tomllib  # only when no kept copy of the document is found (see Concepts)

    return tomllib.loads(data.decode("utf-8"))


@functools.cache
def default_concepts() -> Concepts:
    """The concepts of knowledge/concepts.toml, loaded once."""
    return Concepts()


# ---------------------------------------------------------------- features


def _pinyin_split(word: str, syllables: frozenset[str]) -> list[str] | None:
    """Split a Latin word into pinyin syllables (longest match first); None when it is not pinyin."""
    out: list[str] = []
    i = 0
    while i < len(word):
        for j in range(min(len(word), i + 6), i, -1):
            if word[i:j] in syllables:
                out.append(word[i:j])
                i = j
                break
        else:
            return None
    return out


# Names: tokens with "." ":" "@" or two "/" inside (hosts, image paths, URLs, file names). Words inside them are
# names rather than what a question is about: they weigh WEIGHTS["n"] and are never typo-corrected ("trainer"
# in an image path is not a misspelt "transfer").
# The name is group "n"; it is tried only where a run of its characters starts (a leading _+- is skipped), and no
# part is given back: tried from every character of a long run that is no name ("1-1-1-…"), each try re-read the
# rest of the run, 15 s for a 16,000-character question. The same names as the plain pattern.
_NAME_RE = re.compile(r"(?<![a-z0-9_+-])[_+-]*+(?P<n>[a-z0-9][a-z0-9_+-]*+(?:[./:@][a-z0-9_+-]++)+)")
_NAME_MARK_RE = re.compile(r"[.:@]|/.*/")  # a single slash ("linux/arm64", "ci/cd") does not make a name
# (tried where a run of digits starts, or at its second digit after a letter, as before: from every digit of a long
# run, each try re-read the rest of it, 14 s on a 16,000-character question holding a "b"; the same sizes)
_SIZE_UNIT_RE = re.compile(r"(?:(?<![a-z0-9])|(?<=[a-z][0-9]))([0-9]++(?:\.[0-9]++)?)([kmgt]i?b)(?![a-z0-9])")
# Sizes and version numbers ("6.84gb", "2.1", "1.20.3") carry no topic.
_NUMBERISH_RE = re.compile(r"^v?[0-9]+(?:\.[0-9]+)*(?:[kmgt]i?b?|b)?$")


@functools.lru_cache(maxsize=1 << 16)
def _token_words(tok: str) -> tuple[str, ...]:
    """The words of one Latin token (itself, then its parts split at . _ + -); stop words, hashes, numbers dropped."""
    parts = [tok] + ([p for p in _WORD_SPLIT_RE.split(tok) if p] if _WORD_SPLIT_RE.search(tok) else [])
    return tuple(p for p in parts if not (p in EN_STOP or len(p) < 2 or _HEXISH_RE.match(p) or _NUMBERISH_RE.match(p)))


def latin_tokens(norm: str) -> list[tuple[str, bool]]:
    """(word, is_name) for the Latin words of a normalised text; stop words, hashes and numbers dropped."""
    names = (
        [m.span("n") for m in _NAME_RE.finditer(norm) if _NAME_MARK_RE.search(m.group("n"))]
        if ("." in norm or "/" in norm or ":" in norm or "@" in norm)
        else ()
    )
    out: list[tuple[str, bool]] = []
    ni, nn = 0, len(names)
    for m in _LATIN_RE.finditer(norm):
        tok = m.group(0).strip("._+-")
        if not tok:
            continue
        is_name = False
        if nn:
            start = m.start()
            while ni < nn and names[ni][1] <= start:
                ni += 1
            is_name = ni < nn and names[ni][0] <= start
        for part in _token_words(tok):
            out.append((part, is_name))
    return out


def latin_words(norm: str) -> list[str]:
    """The Latin words of normalised text `norm`, in order."""
    return [w for w, _ in latin_tokens(norm)]


def features(
    text: str,
    concepts: Concepts | None = None,
    vocab_fix: Callable[[str], str] | None = None,
    words_out: list[Any] | None = None,
    query: bool | None = None,
    known: Callable[[str], bool] | None = None,
) -> dict[str, float]:
    """Weighted feature bag of `text`.

    `vocab_fix(word) -> word` corrects English typos (query side). `query` (default: vocab_fix is given)
    also reads Latin words as pinyin ("neiwang"); `known(word)` tells which Latin words the knowledge base
    has (those are never read as pinyin). Latin words seen are appended to `words_out`.
    """
    norm = normalize(text)
    if "b" in norm:
        norm = _SIZE_UNIT_RE.sub(r"\1 \2", norm)  # "6.84gb" -> "6.84 gb": the number drops, the unit stays
    concepts = concepts or default_concepts()
    if query is None:
        query = vocab_fix is not None
    bag: dict[str, float] = {}
    table, syllables = pinyin_table()
    _add_latin_features(bag, norm, concepts, vocab_fix, words_out, query, known, syllables)
    _add_cjk_features(bag, norm, table)
    get = bag.get
    wc = WEIGHTS["c"]
    for cid in concepts.find(norm):
        key = "c:" + cid
        bag[key] = get(key, 0.0) + wc
    return bag


def _add_latin_features(
    bag: dict[str, float],
    norm: str,
    concepts: Concepts,
    vocab_fix: Callable[[str], str] | None,
    words_out: list[Any] | None,
    query: bool,
    known: Callable[[str], bool] | None,
    syllables: frozenset[str],
) -> None:
    """Add the Latin words of `norm` to `bag`: stems (names weigh WEIGHTS["n"]), the concept of a corrected
    typo, and on the query side an unknown word that reads as pinyin as the pinyin bigrams it stands for."""
    get = bag.get
    ww, wc, wn = WEIGHTS["w"], WEIGHTS["c"], WEIGHTS["n"]
    for word, is_name in latin_tokens(norm):
        if words_out is not None:
            words_out.append(word)
        if is_name:
            key = "w:" + stem(word)
            bag[key] = get(key, 0.0) + wn
            continue
        if vocab_fix is not None:
            fixed = vocab_fix(word)
            if fixed != word:
                word = fixed
                cid = concepts.latin.get(word)
                if cid:
                    key = "c:" + cid
                    bag[key] = get(key, 0.0) + wc
        if query and len(word) >= 5 and word.isalpha() and not (known is not None and known(word)):
            if _add_pinyin_word(bag, word, syllables, known):
                continue
        key = "w:" + stem(word)
        bag[key] = get(key, 0.0) + ww


def _add_pinyin_word(
    bag: dict[str, float], word: str, syllables: frozenset[str], known: Callable[[str], bool] | None
) -> bool:
    """Add the pinyin bigrams of `word` when it reads as two or more syllables; True when that replaces the word
    itself (the knowledge base's vocabulary is known)."""
    syls = _pinyin_split(word, syllables)
    if not (syls and len(syls) >= 2):
        return False
    # A word the knowledge base does not know that reads as pinyin ("neiwang") stands for the
    # Chinese word: it counts like a Chinese bigram, not as an unknown English word.
    get = bag.get
    wpin = WEIGHTS["b"] if known is not None else WEIGHTS["p"]
    for a, b in zip(syls, syls[1:]):
        key = f"p:{a}_{b}"
        bag[key] = get(key, 0.0) + wpin
    return known is not None


def _add_cjk_features(bag: dict[str, float], norm: str, table: dict[str, str]) -> None:
    """Add the Chinese runs of `norm` to `bag`: characters (stop characters aside), bigrams and their pinyin."""
    get = bag.get
    wb, wu, wp = WEIGHTS["b"], WEIGHTS["u"], WEIGHTS["p"]
    stop = ZH_STOP_CHARS
    tget = table.get
    for run in _CJK_RUN_RE.findall(norm):
        prev = None
        for ch in run:
            if ch not in stop:
                key = "u:" + ch
                bag[key] = get(key, 0.0) + wu
            if prev is not None and not (prev in stop and ch in stop):
                key = "b:" + prev + ch
                bag[key] = get(key, 0.0) + wb
                sa, sb = tget(prev), tget(ch)
                if sa and sb:
                    key = "p:" + sa + "_" + sb
                    bag[key] = get(key, 0.0) + wp
            prev = ch


# ---------------------------------------------------------------- facets (what a text asks for and is about)

_FACET_WORD_RE = re.compile(r"[a-z0-9]+")
# (the URL is group "n", tried where a run of scheme characters starts: from every letter of a long word, each try
# re-read the rest of it looking for "://", 1.3 s on a 16,000-character one; the same URLs)
_URL_RE = re.compile(r"(?<![a-z0-9+.-])[0-9+.-]*+(?P<n>[a-z][a-z0-9+.-]*+://[^\s\"'<>]+)")
_SENTENCE_BREAK_RE = re.compile(r"[.?!。？！；;\n]")
_LOCATIVE_BEFORE = frozenset("in from inside within of under across into to on onto at".split())
_LOCATIVE_BEFORE_ZH = frozenset("在从到往向于")
_LOCATIVE_AFTER_ZH = frozenset("里中内下的上")
HEAD_AFTER = 30  # an action's object: the first object starting within this many characters after it ...
HEAD_BEFORE = 10  # ... else the last one ending within this many characters before it (仓库怎么删除)


@dataclass(frozen=True)
class Facet:
    """One [[facet]] of concepts.toml: an action, object or context id with its words in both languages."""

    id: str
    kind: str  # "action" | "object" | "context"
    family: str | None  # objects only
    heads: bool = False  # actions only: the object it applies to is checked
    declared: bool = False  # actions only: an entry answers it only when its `facets` declare it


@dataclass
class FacetScan:
    """Facets found in one text: actions and objects as (start, end, id); `heads` maps each action to the objects
    it applies to (never a place or a modifier: "in a repository", "仓库里", "镜像的"); `objects` all objects named."""

    actions: set[str]
    objects: set[str]
    heads: dict[str, Any]
    # Contexts the text is in (kind = "context": "the user pushed", ...), read apart from actions and objects so
    # their words never shadow one; an entry whose `facets.requires` names one answers only a text in it.
    contexts: frozenset[str] = frozenset()


class Facets:
    """The [[facet]] tables of concepts.toml: actions a question asks for, objects it is about (docs/matching.md)."""

    def __init__(self, items: list[dict[str, Any]]):
        self.by_id: dict[str, Facet] = {}
        self._cjk: list[tuple[str, str]] = []
        self._cjk_by_first: dict[str, list[tuple[str, str]]] | None = None
        # Latin terms are looked up word by word (no big regex to compile at start-up): first word -> [(words,
        # facet, last word is a prefix)]; prefix terms ("delet*") by their first three letters.
        self._words: dict[str, list[tuple[tuple[str, ...], str, bool]]] = {}
        self._prefix: dict[str, list[tuple[tuple[str, ...], str, bool]]] = {}
        self._rx_src: list[tuple[str, str]] = []
        self._rx: list[tuple[str, re.Pattern[str]]] | None = None
        for item in items:
            fid, kind = item["id"], item["kind"]
            if kind not in ("action", "object", "context"):
                raise ValueError(f"concepts.toml: facet {fid}: kind must be 'action', 'object' or 'context'")
            self.by_id[fid] = Facet(
                fid,
                kind,
                item.get("family") if kind == "object" else None,
                bool(item.get("heads")) and kind == "action",
                bool(item.get("declared")) and kind == "action",
            )
            for term in item.get("terms", ()):
                if term.startswith("/") and term.endswith("/") and len(term) > 2:
                    self._rx_src.append((fid, term[1:-1]))
                    continue
                term = normalize(term).strip()
                if _CJK_RE.search(term):
                    self._cjk.append((term, fid))
                    continue
                prefix = term.endswith("*")
                words = tuple(_FACET_WORD_RE.findall(term))
                if not words:
                    continue
                if prefix and len(words) == 1:
                    self._prefix.setdefault(words[0][:3], []).append((words, fid, True))
                else:
                    self._words.setdefault(words[0], []).append((words, fid, prefix))
        self.actions = frozenset(f for f, x in self.by_id.items() if x.kind == "action")

    def _latin(self, t: str) -> list[tuple[int, int, str]]:
        found = []
        toks = [(m.start(), m.end(), m.group(0)) for m in _FACET_WORD_RE.finditer(t)]
        words, prefixes = self._words, self._prefix
        for i, (s, _e, w) in enumerate(toks):
            cands = words.get(w)
            more = prefixes.get(w[:3])
            if more:
                cands = cands + more if cands else more
            if not cands:
                continue
            for seq, fid, prefix in cands:
                end = _term_end(t, toks, i, seq, prefix)
                if end is not None:
                    found.append((s, end, fid))
        found.extend(self._regex_terms(t))
        return found

    def _regex_terms(self, t: str) -> list[tuple[int, int, str]]:
        """(start, end, facet) of every non-empty match of the /regex/ terms in `t` (compiled on first use)."""
        if not self._rx_src:
            return []
        if self._rx is None:
            self._rx = [(fid, re.compile(r"(?<![a-z0-9])(?:" + src + r")(?![a-z0-9])")) for fid, src in self._rx_src]
        return [(m.start(), m.end(), fid) for fid, rx in self._rx for m in rx.finditer(t) if m.end() > m.start()]

    def _cjk_terms(self, t: str) -> list[tuple[int, int, str]]:
        """(start, end, facet) of every occurrence of a Chinese term in `t`."""
        by_first = self._cjk_by_first
        if by_first is None:
            by_first = self._cjk_by_first = {}
            for term, fid in self._cjk:
                by_first.setdefault(term[0], []).append((term, fid))
        found = []
        # Only the Chinese terms whose first character occurs in the text are looked for.
        for ch in by_first.keys() & set(t):
            for term, fid in by_first[ch]:
                i = t.find(term)
                while i >= 0:
                    found.append((i, i + len(term), fid))
                    i = t.find(term, i + 1)
        return found

    def scan(self, text: str, norm: bool = False) -> FacetScan:
        """The actions and objects `text` asks about, and which objects each action applies to (`norm`: text is
        already normalised)."""
        t = text if norm else normalize(text)
        found: list[tuple[int, int, str]] = []
        if "." in t or "/" in t or ":" in t or "@" in t:
            t, found = _blank_names(t)
        found.extend(self._cjk_terms(t))
        found.extend(self._latin(t))
        by_id = self.by_id
        contexts = frozenset(f[2] for f in found if by_id[f[2]].kind == "context")
        if contexts:
            found = [f for f in found if by_id[f[2]].kind != "context"]
        kept = self._longest_first(found)
        acts = [f for f in kept if by_id[f[2]].kind == "action"]
        mentioned = [f for f in kept if by_id[f[2]].kind == "object"]
        objs = [f for f in mentioned if not _locative(t, f[0], f[1], acts)]
        heads = _action_heads(t, acts, objs)
        return FacetScan(
            actions={a for _, _, a in acts}, objects={o for _, _, o in mentioned}, heads=heads, contexts=contexts
        )

    def _longest_first(self, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """The matches kept: longest match first at each place; overlapping shorter matches are dropped (镜像版本
        over 版本, "API key" over "API"). Names are taken first ("镜像 tag 命名" is about a tag name, not a tag)."""
        by_id = self.by_id
        found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
        names, last = [], -1
        for f in found:
            if by_id[f[2]].family == "name" and f[0] >= last:
                names.append(f)
                last = f[1]
        kept, last = list(names), -1
        for f in found:
            if by_id[f[2]].family != "name" and f[0] >= last and not any(f[0] < e and s < f[1] for s, e, _ in names):
                kept.append(f)
                last = f[1]
        if names:
            kept.sort()
        return kept


def _term_end(t: str, toks: list[tuple[int, int, str]], i: int, seq: tuple[str, ...], prefix: bool) -> int | None:
    """Where the term `seq` (its last word a prefix when `prefix`) ends when it starts at token `i` of `t`; None
    when it does not match there."""
    k = len(seq)
    if i + k > len(toks):
        return None
    s = toks[i][0]
    last = toks[i + k - 1][2]
    end = toks[i + k - 1][1]
    # a word inside a hyphenated compound is not the word ("blog-api", "api-gw")
    if (s > 0 and t[s - 1] == "-") or (end < len(t) and t[end] == "-" and not prefix):
        return None
    if all(toks[i + j][2] == seq[j] for j in range(k - 1)) and (
        last.startswith(seq[-1]) if prefix else last == seq[-1]
    ):
        return end
    return None


def _blank_names(t: str) -> tuple[str, list[tuple[int, int, str]]]:
    """`t` with its names blanked out, and the registry facets those names name.

    Names (hosts, image paths, URLs, file names; here any token with . / : @, so "team/api" too) are not prose:
    "3.12-slim" asks for nothing and "service=harbor-registry" in a TCR token URL is no self-hosted Harbor. A
    registry host in them names the registry: a TCR edition, another vendor's registry or a self-hosted one."""
    found: list[tuple[int, int, str]] = []
    spans = [m.span("n") for m in _URL_RE.finditer(t)]
    spans += [m.span("n") for m in _NAME_RE.finditer(t) if not any(a <= m.start("n") < b for a, b in spans)]
    if not spans:
        return t, found
    chars = list(t)
    for s, e in spans:
        fid = _registry_of(t, s, e)
        chars[s:e] = " " * (e - s)
        if fid:
            found.append((s, e, fid))
    return "".join(chars), found


def _action_heads(t: str, acts: list[tuple[int, int, str]], objs: list[tuple[int, int, str]]) -> dict[str, set[str]]:
    """action -> the objects it applies to: the first object after it in the same sentence (within HEAD_AFTER),
    else the last one before it (within HEAD_BEFORE)."""
    heads: dict[str, set[str]] = {}
    starts = [f[0] for f in objs]
    for s, e, aid in acts:
        head = None
        k = bisect.bisect_left(starts, e)  # the first object after the action (objects never overlap it)
        if k < len(objs):
            os_, oe, oid = objs[k]
            if os_ - e <= HEAD_AFTER and not _SENTENCE_BREAK_RE.search(t, e, os_):
                head = oid
        if head is None and k > 0:
            os_, oe, oid = objs[k - 1]
            if oe <= s and s - oe <= HEAD_BEFORE and not _SENTENCE_BREAK_RE.search(t, oe, s):
                head = oid
        if head is not None:
            heads.setdefault(aid, set()).add(head)
    return heads


# Other vendors' registries (a host ending so); any other non-TCR registry host counts as self-hosted.
VENDOR_REGISTRY_SUFFIXES = tuple(suffix for suffix, _vendor in VENDOR_HOSTS)
# A registry host: name.tld or an IPv4 address or localhost, with an optional port (not "qcs::tcr:ap-guangzhou").
_HOST_SHAPE_RE = re.compile(
    r"(?:(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*|(?:[0-9]{1,3}\.){3}[0-9]{1,3}|localhost)(?::[0-9]{1,5})?"
)
_BARE_HOST_BEFORE = ("login ", "pull ", "push ", "@", "registry ", "host ")
# A CAM action as Tencent Cloud API errors name it: <product>:<Action> ("tcr:DescribeInstances", "sms:SendSms").
_CAM_ACTION_RE = re.compile(r"[a-z][a-z0-9]*:[a-z][a-z0-9]*")
_CAM_BEFORE_RE = re.compile(r"(?<![a-z])operation \($")


def _registry_of(t: str, s: int, e: int) -> str | None:
    """The registry facet ("enterprise", "personal", "other-vendor", "self-hosted") a name at t[s:e] points to when
    it holds a registry host (URL, image reference, or a host after login/pull/push); "other-product" for the
    action a Tencent Cloud API refusal names when it belongs to another product ("perform operation
    (sms:SendSms)"); None otherwise."""
    name = t[s:e]
    if _CAM_BEFORE_RE.search(t, max(0, s - 12), s) and _CAM_ACTION_RE.fullmatch(name):
        return None if name.startswith("tcr:") else "other-product"
    if "tencentcloudcr" in name:
        return "enterprise"
    if "tencentyun" in name:
        return "personal"
    m = re.match(r"https?://([^/\s]+)", name)
    if m:
        host = m.group(1)
    elif "/" in name:
        host = name.split("/", 1)[0]
        if not ("." in host or ":" in host or host == "localhost"):
            return None
    elif t[max(0, s - 9) : s].endswith(_BARE_HOST_BEFORE) and ("." in name or ":" in name):
        host = name
    else:
        return None
    host = host.split("@")[-1]
    if not _HOST_SHAPE_RE.fullmatch(host):
        return None
    host = host.split(":")[0]
    if host.endswith(TENCENT_DOMAINS):
        return None
    return "other-vendor" if host.endswith(VENDOR_REGISTRY_SUFFIXES) else "self-hosted"


def _locative(t: str, s: int, e: int, acts: Iterable[tuple[int, int, str]] = ()) -> bool:
    """Whether the object at t[s:e] is a place or a modifier ("in a repository", "仓库里", "镜像的大小"); a
    preposition that ends an action ("get rid of") is part of the verb."""
    if e < len(t) and t[e] in _LOCATIVE_AFTER_ZH:
        return True
    if s > 0 and t[s - 1] in _LOCATIVE_BEFORE_ZH:
        return True
    start = max(0, s - 24, t.rfind("\n", 0, s) + 1)
    words = [(m.start() + start, m.group(0)) for m in re.finditer(r"\S+", t[start:s])]
    words = [
        (i, w)
        for i, w in words
        if w not in ("a", "an", "the", "my", "our", "your", "this", "that", "entire", "whole", "all")
    ]
    if not words or words[-1][1] not in _LOCATIVE_BEFORE:
        return False
    i = words[-1][0]
    return not any(a <= i < b for a, b, _ in acts)


@functools.cache
def default_facets() -> Facets:
    """The facets of knowledge/concepts.toml, loaded once."""
    return Facets(default_concepts().facet_items)
