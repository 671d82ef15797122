"""Public knowledge API: what is asked (FAQ match, entities, secrets to mask).

Imports are inside the functions, not at the top, so that `import knowledge` costs nothing until a function is
called: `tcr-doctor diagnose` imports the package for the one secret detector and must not pay for the matcher
(~120 ms with the knowledge base, python -X importtime) or the log reader (~70 ms); tests/test_startup.py keeps
it so. Each module the functions import, imported alone after the package, costs (valgrind instructions,
PYTHONHASHSEED=0): `.matcher` ~210 M (with `.kb` and `.text`), `.text` ~167 M, `.confirm` ~145 M, `.logs` ~143 M,
`.kb` ~126 M, `.structure` ~52 M, `.combiner` ~41 M, `.entities` ~35 M, `.dialogue` ~17 M; of the standard
library, `dataclasses` ~47 M (build_matcher's `replace`: `.kb` has loaded it by then) and `logging` ~34 M (only
when the log reader fails).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence

from diagnostics import LANGS
from diagnostics.value import Value

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:  # the modules are imported lazily at run time (CLI start-up), eagerly for the type checker
    from typing import Any

    from .kb import FAQ_DIR, OUT_OF_SCOPE_PATH, Entry, KnowledgeBase, KnowledgeError, Topic, TopicSet
    from .matcher import Candidate, Match, Matcher
    from .results import Alternative, Answer, AskResult, CauseText, Entities, LogCause, LogVerdict, Refusal, Status

__all__ = [
    "ask",
    "ask_ranked",
    "load_kb",
    "extract_entities",
    "redact",
    "explain_log",
    "explain_paste",
    "decisive_lines",
    "KnowledgeError",
    "get_matcher",
    "build_matcher",
    "Overlay",
    "set_overlay_source",
    "question_vector",
    "detect_lang",
    "cjk_count",
    "log_causes",
    "cause_text",
    "log_verdict",
    "faq_question",
    "install_log_redaction",
    "RedactingFilter",
    "load_topics",
    "Topic",
    "FAQ_DIR",
    "OUT_OF_SCOPE_PATH",
    "KnowledgeBase",
    "Matcher",
    "AskResult",
    "Answer",
    "Entities",
    "LogCause",
    "Refusal",
    "CauseText",
    "LogVerdict",
]

# A pasted log whose cause has an FAQ entry is answered with that entry even when the words around it matched
# nothing (docs/matching.md, "One story per answer"; measured both ways).
LOG_ANSWERS_UNMATCHED = False  # ... always; when the text names TCR it is always done
# An answer reached only through an entry's error signature needs the log reader to agree that it is a registry's error.
SIGNATURE_NEEDS_LOG = True

# Imported eagerly (it only compiles a few regexes): the submodule `knowledge.redact` and the function share a
# name, and a lazy `from .redact import ...` would make the package attribute the module after the first call.
from .redact import RedactingFilter, install_log_redaction, redact  # noqa: E402


def load_kb(path: str | None = None) -> KnowledgeBase:
    """The knowledge base of the FAQ files (`path`: another knowledge directory)."""
    from .kb import load_kb as _load

    return _load(path)


class Overlay(Value):
    """Knowledge taught at run time (the support leads' console) on top of the files: extra phrasings of
    entries and extra out-of-scope topics. `version` identifies the content: equal versions, equal overlays.

    Not a dataclass: `tcr-doctor diagnose` imports this package (for `redact`), and `dataclasses` costs its start-up
    more than the whole DNS step (see diagnostics.value)."""

    __slots__ = ("version", "phrasings", "topics")

    def __init__(
        self,
        version: str,
        phrasings: dict[str, dict[str, tuple[str, ...]]] | None = None,  # entry id -> lang -> texts
        topics: tuple[Topic, ...] = (),
    ) -> None:
        self.version = version
        self.phrasings: dict[str, dict[str, tuple[str, ...]]] = {} if phrasings is None else phrasings
        self.topics = topics

    def __hash__(self) -> int:
        return hash(self.version)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Overlay) and other.version == self.version


# Where the current overlay comes from (set by the web service; None = the knowledge files alone). Called on
# every ask: it must be cheap (the web service's source checks the database version at most once a second).
_overlay_source: Callable[[], Overlay | None] | None = None


def set_overlay_source(source: Callable[[], Overlay | None] | None) -> None:
    """Install the callable that returns the overlay in force (None: none)."""
    global _overlay_source
    _overlay_source = source


def build_matcher(path: str | None = None, overlay: Overlay | None = None) -> tuple[KnowledgeBase, Matcher]:
    """(KnowledgeBase, Matcher) of the knowledge files plus `overlay`, built afresh (not cached)."""
    from dataclasses import replace

    from .kb import load_kb as _load
    from .kb import load_topics
    from .matcher import Matcher

    kb = _load(path)
    topics = list(load_topics(entry_ids=kb.by_id).topics)
    entries = kb.entries
    cache_key: str | None = f"{path}:{kb.version}"
    if overlay is not None and (overlay.phrasings or overlay.topics):
        entries = [
            replace(e, phrasings=_merged(e.phrasings, overlay.phrasings[e.id])) if e.id in overlay.phrasings else e
            for e in entries
        ]
        topics += list(overlay.topics)
        cache_key = None  # an overlay changes often: its index is built in memory (~0.15 s), never written
    return kb, Matcher(entries, cache_key=cache_key, topics=topics)


def _merged(base: dict[str, tuple[str, ...]], extra: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {lang: tuple(base.get(lang, ())) + tuple(extra.get(lang, ())) for lang in {*base, *extra}}


@functools.lru_cache(maxsize=4)
def _cached(path: str | None, overlay: Overlay | None = None) -> tuple[KnowledgeBase, Matcher]:
    return build_matcher(path, overlay)


def get_matcher(path: str | os.PathLike[str] | None = None) -> tuple[KnowledgeBase, Matcher]:
    """(KnowledgeBase, Matcher) built once per process (and once per overlay version) and cached."""
    overlay = _overlay_source() if _overlay_source is not None else None
    if overlay is not None and not (overlay.phrasings or overlay.topics):
        overlay = None
    return _cached(str(path) if path is not None else None, overlay)


def question_vector(text: str) -> dict[str, float]:
    """The matcher's features of `text` weighted by their IDF in the knowledge base (unknown features count as
    rare): a vector for comparing questions with each other (the console groups near-duplicates with it)."""
    from . import text as T

    _, matcher = get_matcher()
    bag = T.features(text[:2000], matcher.concepts)
    idf, default = matcher.idf, matcher.max_idf
    return {tok: w * idf.get(tok, default) for tok, w in bag.items()}


def extract_entities(text: str) -> Entities:
    """What `text` mentions: registry host, instance, image, repository, namespace, tag, digest and error lines
    (knowledge/entities.py)."""
    from .entities import extract_entities as _extract

    return _extract(text)


def explain_log(text: str) -> LogCause | None:
    """The cause of a pasted docker/podman/containerd/kubelet error (knowledge/logs/); None when there is none."""
    from .logs import explain_log as _explain

    return _explain(text)


def explain_paste(text: str) -> LogCause | None:
    """The cause of a pasted log as `tcr-doctor explain` tells it, the way ask() tells it: a log about another
    vendor's registry gets the generic cause and a vendor-neutral fix, and no TCR FAQ entry; where no wording
    matched or the rules only guess (a generic wording), the learned model's likelier cause (`learned`); None when
    there is no cause."""
    result = explain_log(text)
    if result is None or _overrulable(result):
        from .logs.learned import learned_cause  # learned: here, as `.logs` is; only where the rules name no cause

        result = learned_cause(text, result) or result  # a likelier cause, marked `learned`
    if result is None:
        return None
    stepless = _without_step_image(result)
    if stepless is not result:
        from .logs import complete_target  # lazy, as `.logs` is here: only for a CI step's image

        result = complete_target(stepless, extract_entities(text))
    from .dialogue import other_vendor

    if other_vendor(text, result):
        from .logs import for_other_registry

        return for_other_registry(result)
    return result


def decisive_lines(text: str, limit: int = 20) -> list[tuple[int, int]]:
    """(start, end) offsets in `text` of its last `limit` lines that hold an error wording the log reader knows: the
    lines that may decide a pasted log's cause, for a channel that reads only part of a long paste (`tcr-doctor
    explain`'s window looks for them in the part it skips)."""
    from .logs.window import decisive_lines as lines  # lazy: the log reader, only for a long paste (see explain_log)

    return lines(text, limit)


def _without_step_image(log: LogCause) -> LogCause:
    """`log` without the image a CI step's own image gave it (knowledge.logs.diagnosis.without_step_image)."""
    from .logs.diagnosis import without_step_image  # lazy, as `.logs` is here: only for a log cause

    return without_step_image(log)


def detect_lang(text: str) -> str:
    """ "zh" or "en": the language a text is written in (knowledge/text.py)."""
    from .text import detect_lang as _detect

    return _detect(text)


def cjk_count(text: str) -> int:
    """How many CJK characters `text` holds (a text with none and no ASCII word has nothing to match)."""
    from .text import cjk_count as _count

    return _count(text)


def log_causes() -> tuple[str, ...]:
    """Every cause code a pasted log can have (`explain_log(...)["cause"]`, knowledge/logpatterns.toml)."""
    from .logs import CODES

    return tuple(CODES)


def cause_text(code: str) -> CauseText:
    """Summary and fix of a log cause code ({"summary": {zh, en}, "fix": {zh, en}, "faq": id|None}); KeyError when
    `code` is not a cause."""
    from .logs import cause_text as _text

    return _text(code)


def log_verdict(cause: str, also: Sequence[str], findings: Iterable[Mapping[str, Any]]) -> LogVerdict:
    """Whether a diagnosis' findings confirm a pasted log's cause: the one rule of the web API and the CLI
    (knowledge/confirm.py)."""
    from .confirm import log_verdict as _verdict

    return _verdict(cause, also, findings)


# knowledge.kb.FAQ_DIR, named here without importing knowledge.kb (dataclasses): `diagnose` names the entries its
# findings cite on a failing diagnosis's start-up path
_FAQ_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "faq")


def faq_question(faq_id: str) -> dict[str, str] | None:
    """The question ({zh, en}) of the FAQ entry `faq_id`, or None when there is no such entry."""
    from diagnostics.cache import compiled  # only where an entry is cited (its module is loaded by then: ~0 cost)

    # One file read, not the whole knowledge base: `explain` and `diagnose` name the entries they cite and nothing
    # else; its question is kept compiled in the cache directory (no TOML parser once kept), keyed by the file's bytes.
    suffix = f"-{faq_id}.toml"
    try:
        names = sorted(n for n in os.listdir(_FAQ_DIR) if n.endswith(suffix) and n[: -len(suffix)].isdigit())
    except OSError:
        return None
    for name in names:
        question = compiled(os.path.join(_FAQ_DIR, name), _faq_question_of, f"faq-question-{faq_id}")
        return {str(k): str(v) for k, v in question.items()} or None
    return None


def _faq_question_of(data: bytes) -> dict[str, str]:
    import tomllib  # only when no kept copy is found

    question = tomllib.loads(data.decode("utf-8")).get("question")
    return {str(k): str(v) for k, v in question.items()} if isinstance(question, dict) else {}


def _log_cause(text: str, entities: Entities) -> tuple[LogCause | None, bool]:
    """(the pasted log's cause, whether the reader ran): False when it failed, and then no learned fallback either."""
    # The FAQ answer must survive a bug in the log reader: it is an addition to the answer, not a condition for it.
    try:
        cause = explain_log(text)
        if cause is not None:
            from .logs import complete_target

            cause = complete_target(_without_step_image(cause), entities)
        return cause, True
    except Exception:
        import logging

        logging.getLogger(__name__).warning("explain_log failed; answering without a log cause", exc_info=True)
        return None, False


def _overrulable(reading: LogCause) -> bool:
    """Whether the learned part may put another cause before the rules' `reading`: a guess of the rules
    (knowledge/logs/rules.py) or a reading whose alternatives the re-ranker weighs (knowledge/logs/learned.py)."""
    from .logs.learned import reorderable  # lazy, as `.logs` is here (see the module's docstring)
    from .logs.rules import overrulable  # lazy, as `.logs` is here

    return overrulable(reading) or reorderable(reading)


def _learned_log(text: str, entities: Entities, why: Refusal | None, rules: LogCause | None) -> LogCause | None:
    """The learned model's likelier cause of a paste the rules found none in, or read only by a generic wording
    (`rules`; knowledge/logs/learned.py), as the reply shows it: another vendor's registry gets the generic cause;
    None where it may not speak. A bug in it never costs the answer."""
    try:
        from .logs import complete_target
        from .logs.learned import learned_cause  # learned: here, as `.logs` is; only where the rules name no cause

        log = learned_cause(text, rules)
        if log is None:
            return None
        if why is not None and why["kind"] == "other_registry":
            from .logs import for_other_registry

            return for_other_registry(log)
        return complete_target(_without_step_image(log), entities)
    except Exception:
        import logging

        logging.getLogger(__name__).warning("learned_cause failed; answering without a log cause", exc_info=True)
        return None


# Network causes tell the story of entry 7 ("logging in fails") only when the failing command was a login.
# And a login that fails on the network is that entry's story even when the cause itself links no entry (a
# plain-HTTP port, a silent resolver: tests/data/README.md's boundary rule, "failures of docker login go to 7").
_LOGIN_ENTRY = "login-failed"
_LOGIN_ONLY_CAUSES = frozenset(
    "DNS_NXDOMAIN DNS_TIMEOUT TCP_TIMEOUT TCP_REFUSED HTTP_TIMEOUT TLS_UNTRUSTED TLS_HOSTNAME TLS_EXPIRED "
    "HTTP_NOT_HTTPS PROXY_ERROR".split()
)


def _log_may_answer(text: str, log: LogCause, decision: Match) -> bool:
    """Whether a pasted log the words around it did not match may be answered with the log's own entry: TCR is
    named, the user's own sentences ask nothing the entries do not answer (no out-of-scope topic, no facet
    mismatch), and a network cause comes from a login or a command the paste does not show (entry 7 is about
    logging in; a pull or a push is not)."""
    from .dialogue import names_tcr

    if LOG_ANSWERS_UNMATCHED:
        return True
    from .matcher import TOPIC_RATIO

    if not names_tcr(text):
        return False
    top = decision.cands[0] if decision.cands else None
    if top is not None and top.facet and not top.facet.startswith("requires:"):
        return False  # (a context the top entry requires is no objection: the log's own entry is checked below)
    if decision.topic is not None and (top is None or decision.topic.coverage >= TOPIC_RATIO * top.coverage):
        return False
    return log["cause"] not in _LOGIN_ONLY_CAUSES or log.get("op") in ("login", None)


COMBINER = True  # use knowledge/combiner.json when it is there and enabled (False: the lexical rule alone)


def _combiner_model() -> dict[str, Any] | None:
    if not COMBINER:
        return None
    from .combiner import model

    return model()


def combiner_features(text: str, decision: Match, log: LogCause | None, whole: str | None = None) -> list[float]:
    """The combiner's feature vector for `text` (knowledge/combiner.py FEATURES): the matcher's `decision` and the
    pasted-log cause `log`; `whole` is the message `text` is the question view of (default: `text`), read for whether
    TCR is named: a TCR host in a dropped paste (`TCR_REGISTRY=ccr.ccs.tencentyun.com` in a config block) still
    names it. Used by ask() and by benchmarks/fit_combiner.py, so both see the same numbers."""
    from .combiner import features
    from .dialogue import names_tcr

    top = decision.cands[0] if decision.cands else None
    agree = False
    if log is not None and top is not None:
        from .logs import agreeing_entries

        agree = top.entry.id in agreeing_entries(log["cause"], log.get("tool")) | {log.get("faq")}
    return features(text, decision, log, agree, names_tcr(text if whole is None else whole))


def _registry_context(text: str) -> bool:
    from .logs import registry_context

    return registry_context(text)


# Names of submodules the package exports, looked up on first use (importing kb costs tomllib and the loader, the
# matcher much more): KnowledgeError; Topic, an out-of-scope topic as Overlay.topics holds it; FAQ_DIR and
# OUT_OF_SCOPE_PATH, the knowledge files that `tcr-doctor kb export` writes taught texts into; KnowledgeBase and
# Matcher, the types get_matcher() returns; AskResult and its parts, the shapes of the results (knowledge/results.py).
_LAZY_EXPORTS = {
    "KnowledgeError": "kb",
    "Topic": "kb",
    "FAQ_DIR": "kb",
    "OUT_OF_SCOPE_PATH": "kb",
    "KnowledgeBase": "kb",
    "Matcher": "matcher",
    **dict.fromkeys(("AskResult", "Answer", "Entities", "LogCause", "Refusal", "CauseText", "LogVerdict"), "results"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY_EXPORTS.get(name)
    if module is not None:
        # (__import__, not importlib.import_module: see diagnostics.checks._import)
        return getattr(__import__(f"{__name__}.{module}", fromlist=[name]), name)
    raise AttributeError(name)


def load_topics(path: str | None = None, entry_ids: Iterable[str] = ()) -> TopicSet:
    """The out-of-scope topics of knowledge/out_of_scope.toml (`path`: another file), validated; `entry_ids`: FAQ ids
    a topic may not reuse. KnowledgeError names the file and the field of a problem."""
    from .kb import load_topics as _load

    return _load(path, entry_ids=entry_ids)


def ask(text: str, lang: str | None = None, *, kb_path: str | None = None, limit: int = 3) -> AskResult:
    """Answer `text` from the FAQ: the `ask --json` object described in docs/ARCHITECTURE.md."""
    return ask_ranked(text, lang, base=get_matcher(kb_path), limit=limit)[0]


def ask_ranked(
    text: str, lang: str | None = None, *, base: tuple[KnowledgeBase, Matcher] | None = None, limit: int = 3
) -> tuple[AskResult, list[Entry]]:
    """ask()'s result for `text` and the entries in the order ask() ranks them: the answering entry first when one
    answers (the log's story may have lifted it over the words' best match), else the one it would have answered
    with. What evaluations call top-1 and top-3, so that they measure the product's answer, not the raw text's
    lexical rank. `base`: the (KnowledgeBase, Matcher) to answer from (a console preview's taught overlay); the
    cached one of get_matcher() by default."""
    from .text import detect_lang

    if not isinstance(text, str):
        raise TypeError("question must be a str")
    if lang not in LANGS:
        lang = detect_lang(text)
    from .dialogue import refusal, smalltalk
    from .structure import question_view

    kb, matcher = get_matcher() if base is None else base
    from .matcher import unmet_requirement

    talk = smalltalk(text)
    view = "" if talk else question_view(text)
    decision = matcher.match(view, limit=max(limit, 3))
    reply = _Reply(cands=decision.cands, answered=decision.answered and not talk)
    entities = extract_entities(text)
    # A pasted error log (issue 6): its cause leads the reply in every channel; None for a plain question.
    reply.log, read = (None, False) if talk else _log_cause(text, entities)
    if reply.top is not None and not talk:
        reply.answered = _combiner_answers(view, decision, reply.log, reply.answered, text) and not unmet_requirement(
            reply.top
        )
    top = reply.top
    reply.why = refusal(text, answered=reply.answered, log=reply.log, signature=bool(top and top.signature), talk=talk)
    _refuse_other_vendor(reply, matcher)
    _refuse_foreign_signature(reply, text)
    reply.status = (decision.status if decision.answered else "answered") if reply.answered else "no_answer"
    _tell_the_log_story(reply, text, view, (kb, matcher), decision)
    rules_log = reply.log  # what the rules read decides every field but the log block (the topic below too)
    if read and (reply.log is None or _overrulable(reply.log)):
        # Only now, after the answer and the refusal are decided: a learned reading never chooses an entry; and only
        # where the rules read the paste and named no cause or only guessed one (a failing reader gives no log cause
        # at all).
        reply.log = _learned_log(text, entities, reply.why, reply.log) or reply.log
    result: AskResult = {
        "matched": reply.answered,
        "answer": _answer_of(reply, lang),
        "alternatives": _alternatives(reply, lang, limit),
        "entities": entities,
        "diagnostics": list(entry.diagnostics) if (entry := _answering_entry(reply)) is not None else [],
        "lang": lang,
        "status": reply.status,
        "kb_version": kb.version,
        "log": reply.log,
        # Why no entry answers (docs/ARCHITECTURE.md): smalltalk | other_registry | documentation | troubleshooting.
        "refusal": reply.why,
    }
    topic = decision.topic.topic if decision.topic is not None else None
    if (
        topic is not None
        and not reply.answered
        and not talk
        and topic.agrees(rules_log["cause"] if rules_log is not None else None, _names_a_vendor(reply, text, topic))
    ):
        # A known subject the FAQ does not document: {"id", "title", "hint"} (docs/matching.md); never one that
        # contradicts the pasted log's cause ("Local docker build errors" beside a pull's DNS failure) or names
        # other vendors' registries where none is named.
        result["topic"] = topic.to_dict(lang)
    return result, [c.entry for c in reply.cands]


def _names_a_vendor(reply: _Reply, text: str, topic: Topic) -> list[str]:
    """The other vendors' registries `text` names (read only for a topic about them): the one the refusal names,
    and those the text names beside TCR ("migrate our images from ECR to TCR")."""
    if not topic.vendor:
        return []
    from .dialogue import named_vendors

    named = named_vendors(text, reply.log)
    if reply.why is not None and reply.why["kind"] == "other_registry":
        named.insert(0, str(reply.why.get("vendor") or ""))
    return named


class _Reply:
    """What ask() has decided so far: the ranked entries (the first one answers when `answered`), the status,
    the pasted log's cause and why no entry answers."""

    def __init__(self, cands: list[Candidate], answered: bool) -> None:
        self.cands = cands
        self.answered = answered
        self.status: Status = "no_answer"
        self.log: LogCause | None = None
        self.why: Refusal | None = None

    @property
    def top(self) -> Candidate | None:
        return self.cands[0] if self.cands else None


def _answering_entry(reply: _Reply) -> Entry | None:
    """The entry that answers; None when the reply refuses."""
    top = reply.top
    return top.entry if reply.answered and top is not None else None


def _combiner_answers(view: str, decision: Match, log: LogCause | None, answered: bool, text: str) -> bool:
    """Answer or refuse by the fitted combiner over all the signals (docs/matching.md), not coverage alone;
    `answered` (the matcher's rule) when no combiner model is in use."""
    model = _combiner_model()
    if model is None:
        return answered
    from .combiner import probability

    # The features read the question view too: a long paste must not look "long" to the combiner.
    threshold: float = model["threshold"]
    return probability(combiner_features(view, decision, log, text), model) >= threshold


def _refuse_other_vendor(reply: _Reply, matcher: Matcher) -> None:
    """Another vendor's registry and TCR never named: no TCR entry answers it, unless the entry itself is about
    other registries (image acceleration covers pulls from Docker Hub and gcr.io)."""
    top, why = reply.top, reply.why
    if reply.answered and top is not None and why is not None and why["kind"] == "other_registry":
        objs = matcher.profile(matcher.entries.index(top.entry))[1]
        if objs & {"other-vendor", "self-hosted"}:
            reply.why = None
        else:
            reply.answered = False


def _refuse_foreign_signature(reply: _Reply, text: str) -> None:
    """Answered through an error wording in a text with nothing about images, registries or container tools
    around it (a VPN client's "dial tcp … i/o timeout"): another program's error, no registry answer."""
    top = reply.top
    if (
        reply.answered
        and top is not None
        and reply.log is None
        and top.signature
        and SIGNATURE_NEEDS_LOG
        and not _registry_context(text)
    ):
        from .dialogue import refusal

        reply.answered = False
        reply.why = refusal(text, answered=False, signature=True)


def _tell_the_log_story(
    reply: _Reply, text: str, view: str, base: tuple[KnowledgeBase, Matcher], decision: Match
) -> None:
    """Make the answer and the pasted log's cause tell one story: another vendor's log gets the generic cause;
    a confident log whose entry the answer disagrees with is answered by the log's own entry, or by nothing.
    `view` is the text the matcher read (structure.question_view); `base` the knowledge base and its matcher."""
    log, why = reply.log, reply.why
    if log is not None and why is not None and why["kind"] == "other_registry":
        from .logs import for_other_registry

        reply.log = for_other_registry(log)  # the generic cause, a vendor-neutral fix and the diagnosis; no TCR entry
    elif (
        log is not None and log.get("confidence") != "low" and (reply.answered or _log_may_answer(text, log, decision))
    ):
        _answer_by_the_log(reply, text, view, base, log)


def _answer_by_the_log(reply: _Reply, text: str, view: str, base: tuple[KnowledgeBase, Matcher], log: LogCause) -> None:
    """One story per answer: the entry must agree with the pasted log's cause (a missing tag is never the
    "unauthorized" entry; a kubelet auth failure is the cluster-pull entry). Otherwise the log's own entry
    answers, unless the text is not in a context that entry requires (`facets.requires`, read on `view`: a
    third-party image missing is not "the image I pushed is missing"), or nothing does."""
    from .dialogue import refusal
    from .logs import agreeing_entries

    kb, matcher = base
    agree = set(agreeing_entries(log["cause"], log.get("tool"))) | {log.get("faq")}
    story = log.get("faq") if log.get("faq") in kb.by_id else None
    if log["cause"] in _LOGIN_ONLY_CAUSES and log.get("op") not in ("login", None):
        # A pull or push that fails on the network is not "logging in fails": neither the log's own (login)
        # entry nor an answer that is that entry (an x509 wording matched it) tells this story.
        agree.discard(log.get("faq"))
        agree.discard(_LOGIN_ENTRY)  # also when the cause lists it among the entries that agree (HTTP_TIMEOUT)
        story = None
    elif log["cause"] in _LOGIN_ONLY_CAUSES and log.get("op") == "login" and story is None and _LOGIN_ENTRY in kb.by_id:
        story = _LOGIN_ENTRY
        agree.add(story)
    top = reply.top
    if reply.answered and top is not None and top.entry.id in agree:
        return
    # A network cause on a login (or on a command the paste does not show) tells the login entry's story by the
    # reader's reading of the operation, not by the words: entry 07 requires a text about logging in, and a bare
    # `Get https://<instance>/v2/: x509: …` names no login.
    login_story = story == _LOGIN_ENTRY and log["cause"] in _LOGIN_ONLY_CAUSES
    if story is not None and not login_story and matcher.unmet_context(view, kb.by_id[story]) is not None:
        story = None  # the log's entry needs a context the text is not in (a pushed image, for a missing one)
    if story is not None:
        pick = _story_candidate(reply.cands, kb, story)
        reply.cands = [pick] + [c for c in reply.cands if c is not pick]
        reply.answered, reply.status = True, "answered"
    elif reply.answered:
        reply.answered, reply.status = False, "no_answer"
    top = reply.top
    reply.why = refusal(text, answered=reply.answered, log=log, signature=bool(top and top.signature))


def _story_candidate(cands: list[Candidate], kb: KnowledgeBase, story: str) -> Candidate:
    """The candidate of entry `story`, lifted to the strength of an error signature: the log's reading is the
    evidence here."""
    from . import matcher as M

    pick = next((c for c in cands if c.entry.id == story), None)
    if pick is None:
        return M.Candidate(kb.by_id[story], 0.0, M.SIGNATURE_COVERAGE, M.calibrate(M.SIGNATURE_COVERAGE))
    if pick.coverage < M.SIGNATURE_COVERAGE:
        pick.coverage, pick.score = M.SIGNATURE_COVERAGE, M.calibrate(M.SIGNATURE_COVERAGE)
    return pick


def _answer_of(reply: _Reply, lang: str) -> Answer | None:
    """The answering entry in `lang` ({id, question, answer, score, links}); None when nothing answers."""
    top = reply.top
    if not reply.answered or top is None:
        return None
    e = top.entry
    return {
        "id": e.id,
        "question": e.question[lang],
        "answer": e.answer[lang],
        "score": top.score,
        "links": [link.to_dict(lang) for link in e.links],
    }


def _alternatives(reply: _Reply, lang: str, limit: int) -> list[Alternative]:
    """The "did you mean" entries: the ranked ones after the answer (all of them when nothing answers) that
    score at least ALTERNATIVE_MIN; none for small talk or another vendor's registry."""
    from .matcher import ALTERNATIVE_MIN

    if reply.why is not None and reply.why["kind"] in ("smalltalk", "other_registry"):
        return []
    others = reply.cands[1:limit] if _answering_entry(reply) is not None else reply.cands[:limit]
    return [
        {"id": c.entry.id, "question": c.entry.question[lang], "score": c.score}
        for c in others
        if c.score >= ALTERNATIVE_MIN
    ]
