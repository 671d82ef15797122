"""Question -> FAQ entry matching: weighted-feature BM25 over an inverted index, error signatures, calibration.

See docs/matching.md for the method, the measurements that chose it and the calibration.
"""

from __future__ import annotations

import heapq
import marshal
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diagnostics import LANGS

from . import text as T
from .kb import Entry, Topic, cache_dir, sha256, store_cache  # (sha256: hashlib's, without OpenSSL: see .kb)

if TYPE_CHECKING:
    from .results import Status

# (actions, objects, action -> the objects it applies to) of what an entry is about.
Profile = tuple[frozenset[str], frozenset[str], dict[str, frozenset[str]]]
# The index as built and cached: postings (feature -> flat [idx, tf, ...]), entry lengths, Latin vocabulary, profiles.
Index = tuple[dict[str, list[Any]], list[float], list[str], list[Any]]

# Field weights: how much a feature found in each part of an entry counts (measured, docs/matching.md).
FIELD_WEIGHTS = {"question": 2.0, "phrasings": 1.2, "keywords": 1.5, "category": 0.3, "answer": 0.5, "signatures": 0.5}
K1 = 1.2
B = 0.25
# Calibration: score = sigmoid(SLOPE * (coverage - MIDPOINT)); coverage is the share of the query's
# feature mass explained by the entry. Thresholds are on the calibrated score.
SLOPE = 12.0
MIDPOINT = 0.22
THRESHOLD = 0.5  # below -> no_answer (i.e. coverage below MIDPOINT)
AMBIGUOUS_RATIO = 0.9  # runner-up coverage >= ratio * top coverage (and above threshold) -> ambiguous
ALTERNATIVE_MIN = 0.25  # alternatives listed must score at least this
# A query feature no entry has counts as this share of the largest IDF, by feature kind: an unknown English
# word ("ipv6", "cdn") is real unexplained content; an unknown Chinese bigram is often just a word boundary.
UNKNOWN_IDF_FACTOR = {"w": 1.0, "b": 0.35, "u": 0.35, "p": 0.2, "c": 0.7}
# Evidence floor: a match whose raw score is below MIN_EVIDENCE (about one distinctive concept or two
# distinctive words) has its coverage scaled down by raw / MIN_EVIDENCE, so a three-word question that
# shares only "TCR" and "support" with an entry is not "covered".
MIN_EVIDENCE = 16.0
SIGNATURE_COVERAGE = 0.75  # an error signature found in the query guarantees at least this coverage
MAX_QUERY_CHARS = 20000  # longer input is matched on its first MAX_QUERY_CHARS characters
PRUNE_TO = 500  # large bases: candidates kept before very common features are added
# Out-of-scope topics (knowledge/out_of_scope.toml) compete in the same index as the entries. A topic whose
# coverage reaches TOPIC_RATIO x the best entry's (and at least TOPIC_MIN) means "no documented answer: this
# is <topic>". An entry reached through a pasted error signature is only overruled by a topic when the topic
# also beats the entry's coverage before the signature lift. Measured in docs/matching.md.
TOPIC_RATIO = 0.93
TOPIC_MIN = 0.15
# A question with no registry/container/cloud word (knowledge/concepts.toml [domain]) and no error signature is
# general chit-chat or programming: it must reach this stricter coverage to be answered.
GENERIC_MIDPOINT = 0.45
# Facets (knowledge/concepts.toml [[facet]], docs/matching.md): an entry whose question, phrasings, keywords and
# declared `facets` never mention an action the question asks for ("restore", "who", "price", "reset password"),
# or that is about another object of the same family ("repository name" vs "instance name"), or applies the
# question's action to another object ("delete a repository" vs "delete a tag") has its coverage multiplied by
# FACET_PENALTY. Families checked on every object named; "resource" only as the object of an action.
FACET_PENALTY = 0.3
FACET_FAMILIES = ("name", "account", "registry", "interface", "artifact")
FACET_STRICT = (
    "name",
    "interface",
    "artifact",
)  # families checked even against an entry that names no object of the family
FACET_CHECKS = ("action", "object-of")  # the other two checks (for ablations: docs/matching.md)
# A question about another registry (a self-hosted or another vendor's one, named or pasted as a host) is never
# answered by an entry about TCR: that mismatch drops the entry altogether.
FACET_PENALTY_BY = {"registry": 0.0, "requires": 1.0}
# An entry whose `facets.requires` names a context the question is not in ("the image I pushed" for a third-party
# image nobody pushed) keeps its rank but answers nothing: it is still what the question is about, so the next
# entry would be a worse answer, not a better one (measured in docs/matching.md).
PROFILES_EAGER_MAX = 2000  # bases up to this size build every entry's facet profile with the index


@dataclass
class Candidate:
    """An FAQ entry (or out-of-scope topic) ranked for a question: raw BM25 score, calibrated coverage and score,
    and why it was lifted or demoted."""

    entry: Entry
    raw: float
    coverage: float
    score: float
    signature: str | None = None
    topic: Topic | None = None
    lexical: float = 0.0  # coverage before the signature lift
    facet: str | None = None  # why the entry was demoted (facet_mismatch), if it was


@dataclass
class Match:
    """The decision for one question: `cands` are FAQ entries only (best first); `topic` is the out-of-scope
    topic that made it a no_answer (or the best topic when nothing was answered), else None."""

    cands: list[Candidate]
    answered: bool
    status: Status
    topic: Candidate | None = None
    in_domain: bool = True
    best_topic: Candidate | None = None  # the best out-of-scope topic, whatever it decided (combiner signal)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def calibrate(coverage: float) -> float:
    """The 0..1 score shown for a coverage (a logistic curve around MIDPOINT)."""
    return round(_sigmoid(SLOPE * (coverage - MIDPOINT)), 4)


class Matcher:
    """BM25 over the entries' features (knowledge/text.py) with coverage, error signatures, facets and out-of-scope
    topics: `match(question)` ranks and decides."""

    def __init__(
        self,
        entries: list[Entry],
        concepts: T.Concepts | None = None,
        cache_key: str | None = None,
        topics: list[Topic] | tuple[Topic, ...] = (),
    ):
        """Index `entries` and the out-of-scope `topics` together. With `cache_key` (the knowledge base version)
        the index is kept in a cache file (see index_cache_path) and re-used by later processes while the
        entries, the topics and the matching code stay the same."""
        self.entries = list(entries)
        self.topics = list(topics)
        self.n_entries = len(self.entries)
        # Documents of the index: the entries, then one pseudo-entry per topic.
        self.docs: list[Entry] = self.entries + [_topic_entry(t, i) for i, t in enumerate(self.topics)]
        if cache_key and self.topics:
            cache_key += (
                ":topics:"
                + sha256(repr([(t.id, t.title, t.phrasings, t.keywords) for t in self.topics]).encode()).hexdigest()[
                    :16
                ]
            )
        self.concepts = concepts or T.default_concepts()
        self.facets = T.default_facets()
        self.signatures: list[tuple[int, str, re.Pattern[str] | None]] = []
        for idx, entry in enumerate(self.entries):
            for sig in entry.error_signatures:
                if len(sig) > 2 and sig.startswith("/") and sig.endswith("/"):
                    self.signatures.append((idx, sig, re.compile(sig[1:-1], re.IGNORECASE)))
                else:
                    self.signatures.append((idx, sig.lower(), None))
        built = _load_cached_index(cache_key) if cache_key else None
        if built is None:
            # Facet profiles go into the cache with the index; without a cache they are built per candidate on
            # first use (~1 ms each instead of ~20 ms for all 20 entries up front).
            built = self._build(
                with_profiles=cache_key is not None
                and index_cache_path(cache_key) is not None
                and len(self.entries) <= PROFILES_EAGER_MAX
            )
            if cache_key:
                _store_cached_index(cache_key, built)
        self.postings: dict[str, list[Any]]
        self.postings, lengths, vocab, profiles = built
        # Facet profiles of the entries: built with the index and cached with it; without a cache, or in a large
        # base, built on first use per candidate entry.
        self.profiles: list[Profile | None] = [
            (frozenset(a), frozenset(o), {k: frozenset(v) for k, v in h.items()}) for a, o, h in profiles
        ] or [None] * self.n_entries
        self.vocab_words = set(vocab)
        n = max(len(self.docs), 1)
        self.avg_len = (sum(lengths) / n) or 1.0
        self.norms = [1 - B + B * (length / self.avg_len) for length in lengths]
        self.idf = {
            tok: math.log(1 + (n - len(p) // 2 + 0.5) / (len(p) // 2 + 0.5)) for tok, p in self.postings.items()
        }
        self.max_idf = math.log(1 + (n + 0.5) / 0.5)
        self.unknown_idf = {k: f * self.max_idf for k, f in UNKNOWN_IDF_FACTOR.items()}
        # Postings longer than this are not walked; they only add to candidates found through rarer features.
        self.df_cap = max(64, n // 20)
        self._posting_maps: dict[str, dict[int, float]] = {}
        self._vocab_by_len: dict[int, list[str]] = {}
        for w in sorted(self.vocab_words):
            self._vocab_by_len.setdefault(len(w), []).append(w)
        self._fix_cache: dict[str, str] = {}
        # Whether any entry answers only texts in a context (`facets.requires`): then every question is checked.
        self._requirements = any(e.facets.get("requires") for e in self.entries)

    def _build(self, with_profiles: bool = True) -> Index:
        """postings: feature -> flat [idx, tf, idx, tf, ...] (marshal-friendly); entry lengths; Latin vocabulary;
        the entries' facet profiles as lists."""
        postings: dict[str, list[Any]] = {}
        lengths: list[float] = []
        vocab: set[str] = set()
        for idx, entry in enumerate(self.docs):
            bag = self._entry_bag(entry, vocab)
            lengths.append(sum(bag.values()))
            for tok, tf in bag.items():
                lst = postings.get(tok)
                if lst is None:
                    postings[tok] = [idx, tf]
                else:
                    lst.append(idx)
                    lst.append(tf)
        profiles, entries = [], self.entries if with_profiles else ()
        for entry in entries:
            a, o, h = self._profile(entry)
            profiles.append((sorted(a), sorted(o), {k: sorted(v) for k, v in h.items()}))
        return postings, lengths, sorted(vocab), profiles

    # ------------------------------------------------------------ index

    def _entry_bag(self, entry: Entry, vocab: set[str]) -> dict[str, float]:
        bag: dict[str, float] = {}

        def add(text: str, weight: float) -> None:
            words: list[str] = []
            for tok, w in T.features(text, self.concepts, words_out=words).items():
                bag[tok] = bag.get(tok, 0.0) + w * weight
            vocab.update(words)

        # One features() call per field: texts joined by newlines give the same bag (n-grams never cross a
        # line) at a fraction of the start-up cost.
        # Both languages of a field in one call, too.
        add("\n".join(entry.question[lang] for lang in LANGS), FIELD_WEIGHTS["question"])
        add("\n".join(entry.category[lang] for lang in LANGS), FIELD_WEIGHTS["category"])
        # Marked notes ("> 注：" / "> Note:") add facts next to the seed's answer; they are not what it is about.
        add("\n".join(_NOTE_RE.sub("", entry.answer[lang]) for lang in LANGS), FIELD_WEIGHTS["answer"])
        add("\n".join(t for lang in LANGS for t in entry.phrasings.get(lang, ())), FIELD_WEIGHTS["phrasings"])
        add("\n".join(t for lang in LANGS for t in entry.keywords.get(lang, ())), FIELD_WEIGHTS["keywords"])
        add("\n".join(sig for sig in entry.error_signatures if not sig.startswith("/")), FIELD_WEIGHTS["signatures"])
        return bag

    def _profile(self, entry: Entry) -> Profile:
        """(actions, objects, action -> objects it applies to) of what `entry` is about: its question, phrasings
        and keywords (never the answer text) plus its declared `facets`."""
        acts: set[str] = set(entry.facets.get("actions", ()))
        objs: set[str] = set(entry.facets.get("objects", ()))
        # The edition is what the entry is about, too (an entry for both editions is about both).
        objs.update(("personal", "enterprise") if entry.edition == "both" else (entry.edition,))
        heads: dict[str, set[str]] = {}
        texts = [entry.question[lang] for lang in LANGS]
        texts += [t for lang in LANGS for t in entry.phrasings.get(lang, ())]
        texts += [t for lang in LANGS for t in entry.keywords.get(lang, ())]
        # One scan over all texts, one per line: an action's object never crosses a line (~10x faster at start-up).
        sc = self.facets.scan("\n".join(t.replace("\n", " ") for t in texts))
        acts |= {a for a in sc.actions if not self.facets.by_id[a].declared}
        objs |= sc.objects
        for a, o in sc.heads.items():
            heads.setdefault(a, set()).update(o)
        for a in entry.facets.get("actions", ()):
            heads.setdefault(a, set()).update(
                o for o in entry.facets.get("objects", ()) if self.facets.by_id[o].family == "resource"
            )
        return frozenset(acts), frozenset(objs), {a: frozenset(o) for a, o in heads.items()}

    def profile(self, idx: int) -> Profile:
        """Entry `idx`'s facet profile (see _profile), built on first use when the index cache did not hold it."""
        prof = self.profiles[idx]
        if prof is None:
            prof = self.profiles[idx] = self._profile(self.entries[idx])
        return prof

    def facet_mismatch(self, scan: T.FacetScan, idx: int, parts: Sequence[T.FacetScan] = ()) -> str | None:
        """Why entry `idx` does not answer a question with facets `scan` (None when nothing speaks against it).
        `parts`: the scans of the text's separate questions when it asks two or more ("要等多久自动解锁？还是得找人
        处理？"); an unanswered action then counts only when no question is free of one."""
        acts, objs, heads = self.profile(idx)
        if "action" in FACET_CHECKS:
            for a in sorted(scan.actions):
                if a not in acts:
                    if any(not (p.actions - acts) for p in parts):
                        break
                    return f"action:{a}"
        by_id = self.facets.by_id
        # Sets iterate in hash-seed order: with two mismatching objects the answer would differ between processes.
        # The harshest mismatch (another registry drops the entry) is named first, then by name.
        for o in sorted(scan.objects, key=lambda o: (FACET_PENALTY_BY.get(by_id[o].family or "", FACET_PENALTY), o)):
            fam = by_id[o].family
            if (
                fam in FACET_FAMILIES
                and o not in objs
                and (fam in FACET_STRICT or any(by_id[x].family == fam for x in objs))
            ):
                return f"{fam}:{o}"
        for a, qobjs in sorted(scan.heads.items()):
            if not by_id[a].heads or "object-of" not in FACET_CHECKS:
                continue
            allowed = heads.get(a)
            if allowed and not qobjs & allowed:
                return f"object-of-{a}:{sorted(qobjs)[0]}"
        unmet = _unmet(self.entries[idx], scan.contexts)
        return f"requires:{unmet}" if unmet else None

    def unmet_context(self, question: str, entry: Entry) -> str | None:
        """The context `entry` requires (`facets.requires`) that `question` is not in, else None: the check for an
        answer chosen another way than by ranking (a pasted log's own entry)."""
        if not entry.facets.get("requires"):
            return None
        return _unmet(entry, self.facets.scan(question[:MAX_QUERY_CHARS]).contexts)

    def fix_word(self, word: str) -> str:
        """Correct an English typo to a knowledge-base word (edit similarity >= 80 %, >= 85 % below 6 letters)."""
        if word in self.vocab_words or len(word) < 4 or not word.isalpha():
            return word
        fixed = self._fix_cache.get(word)
        if fixed is None:
            from rapidfuzz import fuzz, process  # lazy: only queries with unknown words pay for it

            best, best_score = word, 0.0
            cutoff = 80 if len(word) >= 6 else 85
            for length in range(len(word) - 1, len(word) + 2):
                choices = self._vocab_by_len.get(length)
                if not choices:
                    continue
                hit = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
                if hit and (hit[1] > best_score or (hit[1] == best_score and hit[0] < best)):
                    best, best_score = hit[0], hit[1]
            fixed = best
            if len(self._fix_cache) < 10000:
                self._fix_cache[word] = fixed
        return fixed

    # ------------------------------------------------------------ query

    def rank(self, question: str, limit: int = 5) -> list[Candidate]:
        """The best FAQ entries for `question` (never a topic), best first."""
        return self._rank(question[:MAX_QUERY_CHARS], limit)[0]

    def match(self, question: str, limit: int = 3) -> Match:
        """Rank and decide: answered / ambiguous / no_answer, and which out-of-scope topic (if any) won."""
        question = question[:MAX_QUERY_CHARS]
        cands, topics, in_domain = self._rank(question, limit)
        top = cands[0] if cands else None
        best_topic = topics[0] if topics else None
        midpoint = MIDPOINT if in_domain else max(MIDPOINT, GENERIC_MIDPOINT)
        answered = top is not None and top.coverage >= midpoint and not unmet_requirement(top)
        topic = None
        if best_topic is not None and best_topic.coverage >= TOPIC_MIN:
            if not answered:
                topic = best_topic
            elif top is not None:
                rival = top.lexical if top.signature else top.coverage
                if best_topic.coverage >= TOPIC_RATIO * rival:
                    topic, answered = best_topic, False
        status: Status = "no_answer"
        if answered and top is not None:
            status = "answered"
            if len(cands) > 1 and cands[1].coverage >= midpoint and cands[1].coverage >= AMBIGUOUS_RATIO * top.coverage:
                status = "ambiguous"
        return Match(
            cands=cands, answered=answered, status=status, topic=topic, in_domain=in_domain, best_topic=best_topic
        )

    def _rank(self, question: str, limit: int) -> tuple[list[Candidate], list[Candidate], bool]:
        """(best entries, best topics, whether the question is in the domain: a registry / container / cloud
        word or an error signature)."""
        qbag = T.features(question, self.concepts, vocab_fix=self.fix_word, known=self.vocab_words.__contains__)
        if not qbag:
            return [], [], False
        scores, upper = self._bm25(qbag)
        sig_hits = self._signature_hits(question)
        for idx in sig_hits:
            scores.setdefault(idx, 0.0)
        in_domain = bool(sig_hits) or self.concepts.in_domain(qbag)
        if not scores or upper <= 0:
            return [], [], in_domain
        # (K1 + 1) is the most one feature can contribute, so coverage lies in [0, 1].
        denom = upper * (K1 + 1)
        n_entries = self.n_entries
        topic_scores = {}
        if len(self.docs) > n_entries:
            topic_scores = {idx: raw for idx, raw in scores.items() if idx >= n_entries}
            for idx in topic_scores:
                del scores[idx]
        cands = self._entry_candidates(scores, sig_hits, denom, limit)
        self._demote_facet_mismatches(question, cands)
        return cands[:limit], self._topic_candidates(topic_scores, denom), in_domain

    def _bm25(self, qbag: dict[str, float]) -> tuple[dict[int, float], float]:
        """(BM25 score of each document sharing a feature with the question, the most a document could score)."""
        scores: dict[int, float] = {}
        upper = 0.0
        common: list[tuple[str, float]] = []
        norms = self.norms
        for tok, qw in qbag.items():
            posting = self.postings.get(tok)
            if posting is None:
                upper += qw * self.unknown_idf[tok[0]]
                continue
            idf = self.idf[tok]
            upper += qw * idf
            if len(posting) > 2 * self.df_cap:
                common.append((tok, qw * idf))
                continue
            w = qw * idf
            for i in range(0, len(posting), 2):
                idx, tf = posting[i], posting[i + 1]
                scores[idx] = scores.get(idx, 0.0) + w * tf * (K1 + 1) / (tf + K1 * norms[idx])
        if common:
            scores = self._refine_by_common(scores, common)
        return scores, upper

    def _refine_by_common(self, scores: dict[int, float], common: list[tuple[str, float]]) -> dict[int, float]:
        """Very common features (only in large bases) refine the best candidates found through rarer ones
        instead of walking postings as long as the base itself."""
        norms = self.norms
        common.sort(key=lambda item: len(self.postings[item[0]]))
        if not scores:  # nothing rarer matched: walk the least common of them in full
            tok, w = common.pop(0)
            posting = self.postings[tok]
            for i in range(0, len(posting), 2):
                idx, tf = posting[i], posting[i + 1]
                scores[idx] = w * tf * (K1 + 1) / (tf + K1 * norms[idx])
        if len(scores) > PRUNE_TO:
            scores = dict(heapq.nlargest(PRUNE_TO, scores.items(), key=lambda kv: kv[1]))
        for tok, w in common:
            pmap = self._posting_maps.get(tok)
            if pmap is None:
                posting = self.postings[tok]
                pmap = self._posting_maps[tok] = dict(zip(posting[::2], posting[1::2]))
            for idx in scores:
                tf = pmap.get(idx)
                if tf:
                    scores[idx] += w * tf * (K1 + 1) / (tf + K1 * norms[idx])
        return scores

    def _entry_candidates(
        self, scores: dict[int, float], sig_hits: dict[int, str], denom: float, limit: int
    ) -> list[Candidate]:
        """The best entries by raw score, and every entry an error signature hit, calibrated and in rank order."""
        # Coverage grows with the raw score, so only the best raw scores (and signature hits) are calibrated.
        best = heapq.nlargest(limit + 2, scores.items(), key=lambda kv: (kv[1], -kv[0]))
        chosen = dict(best)
        for idx in sig_hits:
            chosen[idx] = scores[idx]
        cands = []
        for idx, raw in chosen.items():
            cov = lex = min(1.0, raw / denom) * min(1.0, raw / MIN_EVIDENCE)
            sig = sig_hits.get(idx)
            if sig is not None:
                cov = max(cov, SIGNATURE_COVERAGE) + 0.1 * cov
            cov = min(cov, 1.0)
            cands.append(Candidate(self.entries[idx], raw, cov, calibrate(cov), sig, lexical=lex))
        cands.sort(key=_rank_order)
        return cands

    def _demote_facet_mismatches(self, question: str, cands: list[Candidate]) -> None:
        """Demote (in place, then re-sort) the top entries whose facets contradict what the question asks."""
        scan = self.facets.scan(question)
        if not (scan.actions or scan.objects or self._requirements):
            return
        asked = (
            _QUESTION_RE.findall(question) if scan.actions and question.count("?") + question.count("？") > 1 else ()
        )
        parts = [self.facets.scan(q) for q in asked] if len(asked) > 1 else ()
        # Facets: only the top two decide (answer, ambiguity), so entries are checked from the top until the
        # best two have been checked (a demoted entry may fall below the next one, which is checked then).
        pos = {id(e): i for i, e in enumerate(self.entries)}
        checked: set[int] = set()
        while True:
            todo = [c for c in cands[:2] if id(c) not in checked]
            if not todo:
                break
            for c in todo:
                checked.add(id(c))
                why = self.facet_mismatch(scan, pos[id(c.entry)], parts)
                if why:
                    f = FACET_PENALTY_BY.get(why.split(":")[0], FACET_PENALTY)
                    c.coverage, c.lexical, c.facet = c.coverage * f, c.lexical * f, why
                    c.score = calibrate(c.coverage)
            cands.sort(key=_rank_order)

    def _topic_candidates(self, topic_scores: dict[int, float], denom: float) -> list[Candidate]:
        """The two best out-of-scope topics, calibrated like entries (no signature lift)."""
        n_entries = self.n_entries
        topics = []
        for idx, raw in heapq.nlargest(2, topic_scores.items(), key=lambda kv: (kv[1], -kv[0])):
            cov = min(1.0, raw / denom) * min(1.0, raw / MIN_EVIDENCE)
            topics.append(Candidate(self.docs[idx], raw, cov, calibrate(cov), None, self.topics[idx - n_entries], cov))
        topics.sort(key=lambda c: (-c.coverage, -c.raw))
        return topics

    def _signature_hits(self, question: str) -> dict[int, str]:
        low = question.lower()
        hits: dict[int, str] = {}
        best_len: dict[int, int] = {}
        for idx, sig, rx in self.signatures:
            if rx is not None:
                m = rx.search(low)
                found = m.group(0) if m else None
            else:
                found = sig if sig in low else None
            # The longest signature wins per entry; it is also the most specific.
            if found and len(found) > best_len.get(idx, 0):
                hits[idx], best_len[idx] = found, len(found)
        return hits


def _unmet(entry: Entry, contexts: frozenset[str]) -> str | None:
    """The first context `entry` requires (`facets.requires`) that is not among `contexts`, else None."""
    return next((c for c in entry.facets.get("requires", ()) if c not in contexts), None)


def unmet_requirement(c: Candidate) -> bool:
    """Whether candidate `c` was ruled out by a context its entry requires (`facets.requires`) and the question
    is not in: it may rank first but never answers."""
    return c.facet is not None and c.facet.startswith("requires:")


def _rank_order(c: Candidate) -> tuple[float, float, int]:
    """Best first: coverage, then raw score, then the entry's number."""
    return (-c.coverage, -c.raw, c.entry.number)


_NOTE_RE = re.compile(r"^> ?(?:注|Note)[:：].*$", re.MULTILINE)
# One question of a message: the text since the last sentence end, up to and including a question mark. Tried
# only where a sentence starts (findall retried the rest of a run from each of its characters: quadratic).
_QUESTION_RE = re.compile(r"(?<![^?？。.!！\n])[^?？。.!！\n]*+[?？]")


def _topic_entry(topic: Topic, i: int) -> Entry:
    """An out-of-scope topic as an index document: its title counts as the question, no answer text."""
    empty = {"zh": "", "en": ""}
    return Entry(
        id=topic.id,
        number=100000 + i,
        category=empty,
        edition="both",
        diagnostics=(),
        question=topic.title,
        answer=empty,
        phrasings=topic.phrasings,
        links=(),
        keywords=topic.keywords,
        error_signatures=(),
        path="out_of_scope.toml",
    )


# ---------------------------------------------------------------- index cache


def index_cache_path(cache_key: str) -> Path | None:
    """$TCR_DOCTOR_CACHE_DIR (default ~/.cache/tcr-doctor)/index-<hash>.marshal; None when disabled
    (TCR_DOCTOR_CACHE_DIR=off). The hash covers the knowledge base version, concepts, pinyin table and the
    matching code, so any change rebuilds the index."""
    root = cache_dir()
    if root is None:
        return None
    h = sha256(cache_key.encode())
    for name in ("concepts.toml", "pinyin.txt", "text.py", "matcher.py", "out_of_scope.toml"):
        try:
            h.update((T.HERE / name).read_bytes())
        except OSError:
            pass
    h.update(repr((FIELD_WEIGHTS, T.WEIGHTS)).encode())
    return root / f"index-{h.hexdigest()[:16]}.marshal"


def _load_cached_index(cache_key: str) -> Index | None:
    path = index_cache_path(cache_key)
    if path is None:
        return None
    try:
        data = marshal.loads(path.read_bytes())
        postings, lengths, vocab, profiles = data
        if (
            isinstance(postings, dict)
            and isinstance(lengths, list)
            and isinstance(vocab, list)
            and isinstance(profiles, list)
        ):
            return postings, lengths, vocab, profiles
    except (OSError, EOFError, ValueError, TypeError):
        pass
    return None


def _store_cached_index(cache_key: str, built: Index) -> None:
    store_cache(index_cache_path(cache_key), built, "index")
