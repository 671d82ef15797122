"""The learned part of the log reader: a likelier cause where the rules name none or only guess (issue 11).

The rule-based reader (`reader.explain`) names a cause only when a wording it knows is in the paste; on text nobody
wrote a rule for it says nothing. Measured on rounds it had never seen, a character-n-gram linear classifier trained
on the labelled real pastes names the right cause for part of those (docs/logs.md, "Learned fallback"), so
`learned_cause(text, rules)` asks it there, and where the rules' own reading is a guess.

The model is knowledge/logs/fallback.json, written by scripts/train_log_fallback.py (scikit-learn, training only):
TF-IDF over the `char_wb` 3-5-grams of the paste's last 4,000 characters (sublinear tf, L2 norm), beside it TF-IDF
over the word tokens of the output lines there and their pairs, with hosts, image names, digests, addresses and numbers
replaced by their kind and HTTP statuses kept (`output_tokens`: a registry's answer reads the same on names the model
has never seen), and one linear weight vector per cause code and NONE (no registry cause). Here it is read in pure Python, on the first call only,
and computes what scikit-learn computes (tests/test_log_learned.py checks a fixed sample).

When it may speak (the combiner, chosen by leave-one-round-out over rounds 1-7: docs/logs.md, "Learned fallback"):
where the rules name no cause and its margin exceeds the file's `margin_threshold`; and where the rules' reading is
weak (`overrulable`: a generic wording such as a bare 401/denied, a backoff frame, or a low-tier line) and it names
another cause with a margin above `override_threshold`, its cause goes first and the rules' cause follows in `also`.
A reading of the rules that is not weak is never touched, and then the model is not even loaded.

The re-ranker (knowledge/logs/reorder.json, written by scripts/train_log_reorder.py; chosen by leave-one-round-out
over rounds 1-8 with readers that had not seen the round: docs/logs.md, "Re-ranker"): where the rules' reading names
a cause and an alternative in `also` that the labels put first at least three times in training (`reorderable`; not
docker's refused pull, which convention C6 reads from the host), a small logistic model over the model's decision
values, how the rules decided (a generic wording, a low tier, a backoff frame) and the credential story
(`story.read_story`) may put that alternative first. It only reorders causes the rules already named: it never
invents one and never touches a reading without a cause.

A learned reading is marked `learned: true` with its `margin` (best minus second decision value; for a reordered
reading, the re-ranker's log-odds for the alternative) and `confidence: "low"`; the channels word it as a likelier
cause, not a finding, and it never chooses or refuses an FAQ entry (`knowledge.ask` attaches it after the answer is
decided).
"""

from __future__ import annotations

import json
import math
import re
import sys
from operator import itemgetter, mul
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..redact import redact_part
from ..structure import OUTPUT_LINE, is_prose
from .commands import detect_tool, guess_op
from .diagnosis import reading
from .images import entities
from .paste import MAX_EVIDENCE, MAX_INPUT, MAX_LINE, clean_lines, strip_prefix
from .reader import paste_story
from .rules import (
    GENERIC_IDS,
    OVERRULABLE_IDS,
    is_other_host,
    line_hosts,
    load_rules,
    overrulable,
    wordings_own,
)
from .story import Story

if TYPE_CHECKING:
    from array import array

    from ..results import LogCause

MODEL_FILE = Path(__file__).with_name("fallback.json")
REORDER_FILE = Path(__file__).with_name("reorder.json")
FORMAT = 1
MIN_PASTED_CHARS = 40  # characters of lines shaped like output (not the user's own sentences) a paste needs


class Model(NamedTuple):
    """The fallback's parameters as written by scripts/train_log_fallback.py."""

    classes: list[str]
    none: str
    columns: dict[str, int]  # n-gram -> column
    idf: array[float]
    weights: array[float]  # classes x n-grams, row-major
    intercepts: array[float]
    tail: int
    ngram_range: tuple[int, int]
    threshold: float  # margin needed where the rules name no cause
    trained: dict[str, Any]
    override: float | None = None  # margin needed to put another cause before a guess of the rules; None: never
    # The output's word tokens (`output_tokens`) and their pairs: n-gram -> column, after the character n-grams' columns
    # (a model without them reads character n-grams alone).
    token_columns: dict[str, int] | None = None


class Reorder(NamedTuple):
    """The re-ranker's parameters as written by scripts/train_log_reorder.py: a logistic model over REORDER_FEATURES
    of (the rules' reading, one of its alternatives)."""

    weights: list[float]  # one per REORDER_FEATURES name
    intercept: float
    threshold: float  # log-odds an alternative needs to go first
    pairs: frozenset[tuple[str, str]]  # (the rules' cause, an alternative) the re-ranker may swap
    trained: dict[str, Any]


# The re-ranker's features of (the rules' reading, its alternative number i): where the alternative stands, what the
# learned model says of it against the rules' cause, how the rules decided, and the credential story.
REORDER_FEATURES = (
    "second",  # the alternative is also[0]
    "third",  # also[1]
    "score_gain",  # the model's decision value of the alternative minus that of the rules' cause
    "alternative_is_models",  # the model's best class is the alternative
    "cause_is_models",  # ... is the rules' cause
    "models_is_none",  # ... is NONE
    "models_margin_for_alternative",  # the model's margin where its best class is the alternative, else 0
    "generic_wording",  # the rules read a generic wording (GENERIC_IDS)
    "overrulable_wording",  # ... one of OVERRULABLE_IDS
    "low_tier",  # the rules' reading is of a low-tier line
    "high_confidence",
    "backoff_frame",
    "shown_and_alternative_invalid",  # credentials shown, the alternative is CREDENTIALS_INVALID
    "shown_and_cause_invalid",
    "shown_and_alternative_missing",
    "worked_and_alternative_server_or_credentials",  # worked before / a new login fixed it
    "told_missing_and_alternative_missing",  # the user says no login reached the program
    # C6, which all three labellers of round 9 follow: credentials the user says they gave were sent (and refused)
    "told_and_alternative_invalid",
)
_UNSCORED = -2.0  # the decision value of a cause the model has no class for
# Readings the re-ranker leaves in the rules' order: docker's refused pull (`pull access denied for NAME`) is read by
# convention C6 from its host (a Hub name: a wrong name; a private host: a missing login), which the model cannot
# see. Weighed, it put a wrong name first for private hosts on 3 written lines; on held-out rounds it gained a net 2
# lines of 2,652 but cost round 7 two (docs/logs.md, "Re-ranker"). Nor `name-unknown` ("repository name not known to
# registry" names its cause, as rule 2 already holds): once round 11 taught the pair, the re-ranker put a missing tag
# before it on a written line; left alone, leave-one-round-out over r1-r10 is +1 line (docs/logs.md, learn12).
NOT_REORDERED = frozenset({"pull-access-denied", "name-unknown"})


_MODEL: list[Model | None] = []  # loaded on the first call; [None] when the file is missing or unreadable
_REORDER: list[Reorder | None] = []  # likewise, the re-ranker


def _warn(message: str, *args: object) -> None:
    # logging: here, as only a missing or damaged file warns (its import, ~4-8 ms with traceback and threading, is
    # otherwise not paid by a cold `ask` whose reading only asks `reorderable`)
    import logging

    logging.getLogger(__name__).warning(message, *args)


def _floats(b64: str) -> array[float]:
    # base64 and array: here, with the model file they decode (~1 ms of imports a paste the rules place never pays)
    import base64
    from array import array

    values = array("f", base64.b64decode(b64))
    if sys.byteorder == "big":  # pragma: no cover - the file is little-endian
        values.byteswap()
    return values


def load_model(path: Path | None = None) -> Model | None:
    """The fallback model of `path` (the packaged one by default), or None when there is none of a known format or
    it is damaged: then a warning names the file and what is wrong, and the rules' reading stands alone."""
    path = MODEL_FILE if path is None else path
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a format-{FORMAT} model")
        return _checked(data)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError) as exc:
        # a missing, truncated or hand-edited file: one line (no text of anybody's), then no learned readings
        _warn("learned log fallback off, the rules read alone: %s: %s", path, exc)
        return None


def _checked(data: dict[str, Any]) -> Model:
    """The Model of a parsed file, its shapes checked (a damaged file would otherwise fail on a user's paste)."""
    vocabulary = data["vocabulary"].split("\n")
    low, high = (int(n) for n in data["ngram_range"])
    tokens = data["token_vocabulary"].split("\n") if data.get("token_vocabulary") else []
    m = Model(
        classes=[str(c) for c in data["classes"]],
        none=str(data["none"]),
        columns={g: i for i, g in enumerate(vocabulary)},
        idf=_floats(data["idf"]),
        weights=_floats(data["weights"]),
        intercepts=_floats(data["intercepts"]),
        tail=int(data["tail"]),
        ngram_range=(low, high),
        threshold=float(data["margin_threshold"]),
        trained=dict(data.get("trained") or {}),
        override=float(data["override_threshold"]) if data.get("override_threshold") is not None else None,
        token_columns={g: len(vocabulary) + i for i, g in enumerate(tokens)} if tokens else None,
    )
    width, k = len(m.idf), len(m.classes)
    if k < 2 or m.none not in m.classes or len(m.intercepts) != k or len(m.weights) != k * width:
        raise ValueError(f"{k} classes, {len(m.intercepts)} intercepts, {len(m.weights)} weights for {width} columns")
    thresholds = (m.threshold,) if m.override is None else (m.threshold, m.override)
    if (
        len(vocabulary) + len(tokens) != width
        or not (1 <= low <= high <= 10)
        or m.tail < 1
        or not all(map(math.isfinite, thresholds))
    ):
        raise ValueError(f"{len(vocabulary)} n-grams for {width} columns, n-grams {low}-{high}, tail {m.tail}")
    return m


def model() -> Model | None:
    """The packaged model, loaded once."""
    if not _MODEL:
        _MODEL.append(load_model())
    return _MODEL[0]


def load_reorder(path: Path | None = None) -> Reorder | None:
    """The re-ranker of `path` (the packaged one by default), or None when there is none of a known format or it is
    damaged (a warning names the file; the rules' order then stands)."""
    path = REORDER_FILE if path is None else path
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("features") != list(REORDER_FEATURES):
            raise ValueError(f"not a format-{FORMAT} re-ranker of these features")
        r = Reorder(
            weights=[float(w) for w in data["weights"]],
            intercept=float(data["intercept"]),
            threshold=float(data["threshold"]),
            pairs=frozenset((str(a), str(b)) for a, b in data["pairs"]),
            trained=dict(data.get("trained") or {}),
        )
        if len(r.weights) != len(REORDER_FEATURES) or not all(
            map(math.isfinite, [*r.weights, r.intercept, r.threshold])
        ):
            raise ValueError(f"{len(r.weights)} weights for {len(REORDER_FEATURES)} features")
        return r
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        _warn("learned log re-ranker off, the rules' order stands: %s: %s", path, exc)
        return None


def reorderer() -> Reorder | None:
    """The packaged re-ranker, loaded once (a few hundred bytes: no learned model)."""
    if not _REORDER:
        _REORDER.append(load_reorder())
    return _REORDER[0]


def reorderable(reading: LogCause | None) -> bool:
    """Whether the re-ranker may put one of the rules' alternatives first: a reading of the rules (not a learned one)
    whose cause is its wording's own (`rules.wordings_own`) and, with an alternative, forms a pair it was trained to
    swap. Reads no learned model."""
    if reading is None or reading.get("learned") or reading.get("pattern") in NOT_REORDERED:
        return False
    if not wordings_own(reading):
        return False  # the story, the user's account or the paste's other lines decided it: no guess to reorder
    r = reorderer()
    return r is not None and any((reading["cause"], alt) in r.pairs for alt in reading["also"][:2])


def reorder_features(reading: LogCause, i: int, scores: dict[str, float], story: Story) -> list[float]:
    """REORDER_FEATURES of the rules' `reading` and its alternative `also[i - 1]` (i = 1, 2), given the learned
    model's decision value per class (`scores`) and the paste's credential story."""
    cause, alt = reading["cause"], reading["also"][i - 1]
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    best, margin = ranked[0], scores[ranked[0]] - scores[ranked[1]]
    pattern = str(reading.get("pattern") or "")
    confidence = reading.get("confidence")
    credentials = ("SERVER_ERROR", "CREDENTIALS_EXPIRED", "CREDENTIALS_INVALID")
    flags = (
        i == 1,
        i == 2,
        None,
        best == alt,
        best == cause,
        best == "NONE",
        None,
        pattern in GENERIC_IDS,
        pattern in OVERRULABLE_IDS,
        confidence == "low",
        confidence == "high",
        pattern.startswith("backoff-"),
        story.shown and alt == "CREDENTIALS_INVALID",
        story.shown and cause == "CREDENTIALS_INVALID",
        story.shown and alt == "CREDENTIALS_MISSING",
        (story.worked or story.relogin) and alt in credentials,
        story.told_missing and alt == "CREDENTIALS_MISSING",
        story.told and alt == "CREDENTIALS_INVALID",
    )
    out = [float(bool(f)) for f in flags]
    out[2] = scores.get(alt, _UNSCORED) - scores.get(cause, _UNSCORED)
    out[6] = margin if best == alt else 0.0
    return out


def reorder_logit(r: Reorder, values: list[float]) -> float:
    """The re-ranker's log-odds that the alternative of `values` (REORDER_FEATURES) is the cause to put first."""
    return sum(w * v for w, v in zip(r.weights, values, strict=True)) + r.intercept


def ngrams(text: str, low: int, high: int) -> list[str]:
    """scikit-learn's `char_wb` analyzer: the lower-cased text's words, each padded with a space, cut into
    `low`..`high`-character n-grams (a word shorter than n once, whole)."""
    out = []
    for word in text.lower().split():
        w = f" {word} "
        size = len(w)
        for n in range(low, high + 1):
            if size <= n:
                out.append(w)
                break
            out.extend(w[i : i + n] for i in range(size - n + 1))
    return out


def features(m: Model, text: str) -> dict[int, float]:
    """The TF-IDF vector (column -> value) of the last `m.tail` characters of `text`: sublinear tf, L2-normed; for a
    model with token columns, that of the character n-grams and that of the output's tokens, each L2-normed (as
    scikit-learn's two vectorizers side by side)."""
    tail = text[-m.tail :]
    vec = _tfidf(m, ngrams(tail, *m.ngram_range), m.columns)
    if m.token_columns:
        vec.update(_tfidf(m, token_ngrams(output_tokens(tail)), m.token_columns))
    return vec


def _tfidf(m: Model, grams: list[str], index: dict[str, int]) -> dict[int, float]:
    counts: dict[int, int] = {}
    for g in grams:
        col = index.get(g)
        if col is not None:
            counts[col] = counts.get(col, 0) + 1
    vec = {col: (1.0 + math.log(c)) * m.idf[col] for col, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {col: v / norm for col, v in vec.items()} if norm else vec


# What varies from paste to paste in an output line is replaced by its kind, so that the model reads the words around
# it (a registry's answer, the verb, the tool) on text with names it has never seen: digests and long hex ids, URLs,
# addresses, times, host names and image references; a three-digit number 100-599 is kept as an HTTP status.
_I = re.IGNORECASE
_KIND_SOURCES = (  # (expression, flags, replacement), applied in this order
    (r"sha256:[0-9a-f]{12,64}", _I, " DIGEST "),
    (r"\b[0-9a-f]{12,}\b", _I, " HEX "),
    (r"https?://[^\s\"'<>]+", _I, " URL "),
    (r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b", 0, " IPADDR "),
    # tried only where a run of hex digits and colons starts, and bounded (an address has at most 39 characters):
    # tried inside a run and unbounded, a pasted ":" * 1,000 took 21 s (quadratic)
    (r"(?<![0-9a-f:])\[?[0-9a-f:]{3,39}::?[0-9a-f:]{0,39}\]?:\d+", _I, " IPADDR "),
    (r"\b\d{4}-\d\d-\d\d[T ][\d:.,]+Z?\b", 0, " "),
    (r"\b\d\d:\d\d:\d\d(?:[.,]\d+)?\b", 0, " "),
    (
        r"\b(?:[a-z0-9-]+\.)+(?:com|io|net|org|cn|cloud|dev|local|internal|svc|cluster|azurecr|amazonaws|pkg|app|co|de"
        r"|jp|ru|xyz|me)(?::\d+)?(?:/[\w./:@-]*)?",
        _I,
        " IMAGEREF ",
    ),
    (r"\b[\w.-]+/[\w./-]+(?::[\w.-]+)?(?:@\S+)?", 0, " IMAGEREF "),
    (r"(?<![\d.])([1-5]\d\d)(?![\d.])", 0, r" HTTP\1 "),
    (r"\b\d+\b", 0, " NUM "),
)
_KINDS: list[tuple[re.Pattern[str], str]] = []  # compiled on first use: most pastes never reach the model
_TOKEN = r"HTTP\d\d\d|[A-Za-z_][A-Za-z_']+"
_KIND_NAMES = frozenset({"DIGEST", "HEX", "URL", "IPADDR", "IMAGEREF", "NUM"})


def output_tokens(text: str) -> list[str]:
    """The word tokens of the lines of `text` shaped like output (not the user's own sentences), lower-cased, with
    names, addresses and numbers replaced by their kind (`IMAGEREF`, `URL`, `HTTP401`, ...)."""
    if not _KINDS:
        _KINDS.extend((re.compile(src, flags), kind) for src, flags, kind in _KIND_SOURCES)
        _KINDS.append((re.compile(_TOKEN), ""))
    *kinds, (token, _) = _KINDS
    out: list[str] = []
    for line in text.splitlines():
        if not line.strip() or not (OUTPUT_LINE.match(line) or not is_prose(line)):
            continue
        for rx, kind in kinds:
            line = rx.sub(kind, line)
        out.extend(w if w in _KIND_NAMES or _is_status(w) else w.lower() for w in token.findall(line))
    return out


def _is_status(word: str) -> bool:
    return word.startswith("HTTP") and word[4:].isdigit()


def token_ngrams(tokens: list[str]) -> list[str]:
    """The tokens and each pair of neighbours (scikit-learn's word n-grams 1-2 of the joined tokens)."""
    return [*tokens, *(f"{a} {b}" for a, b in zip(tokens, tokens[1:]))]


def decision(m: Model, vec: dict[int, float]) -> list[float]:
    """One decision value per class: the vector's dot product with the class's weights, plus its intercept."""
    width = len(m.idf)
    if len(vec) < 2:  # itemgetter of one column gives the value, not a tuple
        return [sum(v * m.weights[k * width + col] for col, v in vec.items()) + b for k, b in enumerate(m.intercepts)]
    # The vector's columns picked from each class's row at once (a slice of a memoryview copies nothing), multiplied
    # and summed in the vector's order, as the loop over its items did: the same floats, bit for bit, at 2/3 of the
    # cost (0.39 vs 0.59 s of CPU for the 1,870 pasted texts of the real tuning half)
    values = list(vec.values())
    pick = itemgetter(*vec)
    rows = memoryview(m.weights)
    return [sum(map(mul, values, pick(rows[k * width : (k + 1) * width]))) + b for k, b in enumerate(m.intercepts)]


def classify(text: str, m: Model | None = None) -> tuple[str, float] | None:
    """(the class with the highest decision value, its margin over the second) for `text`; None without a model."""
    m = m or model()
    if m is None:
        return None
    scores = decision(m, features(m, text))
    order = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)
    return m.classes[order[0]], scores[order[0]] - scores[order[1]]


def pasted(text: str) -> bool:
    """Whether `text` holds pasted output: at least MIN_PASTED_CHARS characters in lines shaped like output rather
    than the user's own sentences (a plain question gets no learned cause)."""
    shown = 0
    for line in text[-MAX_INPUT:].splitlines():  # what the rules read of a paste (a CLI's stdin takes 64 MB)
        line = line[:MAX_LINE]
        stripped = line.strip()
        if stripped and (OUTPUT_LINE.match(line) or not is_prose(line)):
            shown += len(stripped)
            if shown >= MIN_PASTED_CHARS:
                return True
    return False


def learned_cause(text: str, rules: LogCause | None = None) -> LogCause | None:
    """The learned model's reading of a paste, marked `learned`, where it may speak; None where it may not.

    With `rules` None (the rules found no cause): its cause when the text holds pasted output, the model reads a
    registry cause (not NONE) and its margin exceeds the trained threshold. With the rules' reading: when that reading
    is `overrulable` and the model names another cause with a margin above the override threshold (the rules' cause
    and its alternatives then follow in `also`); else, when it is `reorderable`, the alternative the re-ranker puts
    first, if any."""
    weak = rules is not None and overrulable(rules)
    if rules is not None and not weak and not reorderable(rules):
        return None  # a reading of a specific wording with no alternative to weigh: the model is not even loaded
    if not pasted(text):
        return None
    m = model()
    if m is None:
        return None
    vec = features(m, text)
    scores = decision(m, vec)
    order = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)
    cause, margin = m.classes[order[0]], scores[order[0]] - scores[order[1]]
    needed = m.threshold if rules is None else (m.override if weak else None)
    if (
        cause == m.none
        or needed is None
        or not margin > needed  # (a NaN of a damaged file is no margin)
        or (rules is not None and cause == rules["cause"])  # the model agrees: the rules' reading stands
        or cause not in load_rules()["causes"]  # a model trained on a cause code the rules no longer have
    ):
        return None if rules is None else _reordered(text, rules, dict(zip(m.classes, scores, strict=True)))
    lines = clean_lines(text)
    if rules is None and requests_elsewhere(lines):
        return None  # C2: another program's download (`go mod download` from proxy.golang.org), no registry cause
    idx = _evidence_index(m, lines, order[0], vec)
    line = lines[idx] if lines else ""
    ent = entities(lines, idx, guess_op("\n".join(lines[-2000:]).lower())) if lines else _NO_ENTITIES
    tool = detect_tool(lines, line, ent["tool"]) if lines else None
    # masked as the whole paste masks it (a secret it names on another line too), then cut: never a secret's start
    evidence = redact_part(strip_prefix(line), text)[:MAX_EVIDENCE]
    also = [] if rules is None else [c for c in (rules["cause"], *rules["also"]) if c != cause]
    result = reading(cause, ent, tool, evidence, also=list(dict.fromkeys(also)), confidence="low")
    result["learned"] = True
    result["margin"] = round(margin, 3)
    return result


def requests_elsewhere(lines: list[str]) -> bool:
    """Whether the lines name requests (a URL after a method or a transfer word, `rules.line_hosts`) and every one
    went to a host that serves code, packages or web content (`rules.is_other_host`): a failure of another program's
    download (convention C2), which the rules leave without a cause and the learned reading must too."""
    hosts = [h for line in lines for h in (line_hosts(line.lower()) or ())]
    return bool(hosts) and all(is_other_host(h) for h in hosts)


def _reordered(text: str, rules: LogCause, scores: dict[str, float]) -> LogCause | None:
    """The rules' reading with the alternative the re-ranker puts first (the rules' cause then leads `also`), marked
    `learned` with the re-ranker's log-odds as its margin; None where it keeps the rules' order."""
    r = reorderer()
    if r is None or not scores or not reorderable(rules):
        return None
    story: Story | None = None
    best, best_logit = None, r.threshold
    for i, alt in enumerate(rules["also"][:2], start=1):
        if (rules["cause"], alt) not in r.pairs or alt not in load_rules()["causes"]:
            continue
        story = story or paste_story(text)
        logit = reorder_logit(r, reorder_features(rules, i, scores, story))
        if logit > best_logit:  # (a NaN is never above)
            best, best_logit = alt, logit
    if best is None:
        return None
    ent = {key: rules.get(key) for key in ("host", "image", "image_as_written", "tag", "digest", "tool", "op")}
    also = [rules["cause"], *(c for c in rules["also"] if c != best)]
    result = reading(best, ent, rules.get("tool"), rules["evidence"], also=also, confidence="low")
    result["learned"] = True
    result["margin"] = round(best_logit, 3)
    return result


_NO_ENTITIES: dict[str, Any] = {
    "host": None,
    "image": None,
    "image_as_written": None,
    "tag": None,
    "digest": None,
    "tool": None,
    "op": None,
}


def _evidence_index(m: Model, lines: list[str], cls: int, vec: dict[int, float]) -> int:
    """The line, among those the model read (the last `m.tail` characters), whose n-grams (and output tokens) add most
    to class `cls`'s decision value: the evidence shown with a learned cause."""
    width, w, index = len(m.idf), m.weights, m.columns
    base = cls * width
    scored: list[tuple[float, bool, int]] = []  # (score, pasted output rather than the user's sentence, index)
    seen = 0
    for i in range(len(lines) - 1, -1, -1):
        seen += len(lines[i]) + 1
        if seen > m.tail and scored:
            break
        cols = {c for g in ngrams(lines[i], *m.ngram_range) if (c := index.get(g)) is not None}
        if m.token_columns:
            cols |= {c for g in token_ngrams(output_tokens(lines[i])) if (c := m.token_columns.get(g)) is not None}
        scored.append((sum(vec.get(c, 0.0) * w[base + c] for c in cols), not is_prose(lines[i]), i))
    if not scored:
        return 0
    # The evidence is a line of the paste when one speaks for the cause; the user's own sentence only otherwise.
    output = [s for s in scored if s[1] and s[0] > 0]
    return max(output or scored)[2]
