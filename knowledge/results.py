"""The shapes of what `knowledge` answers: the `ask()` result (the `ask --json` object and the body of POST /api/ask)
and its parts, as TypedDicts.

They are declarations only: at run time every result is the plain dict (and JSON object) it always was, so the
channels, the storage API and stored rows see no change. docs/ARCHITECTURE.md says what each field means;
tests/test_result_types.py checks real results against these declarations, so they cannot drift from the code.
"""

# No `from __future__ import annotations`: TypedDict reads NotRequired[...] from the evaluated annotations.
from typing import Literal, NotRequired, TypedDict

# A text in each language the product speaks: {"zh": ..., "en": ...}.
Texts = dict[str, str]

Status = Literal["answered", "ambiguous", "no_answer"]
RefusalKind = Literal["smalltalk", "other_registry", "documentation", "troubleshooting"]
Confidence = Literal["low", "medium", "high"]


class AnswerLink(TypedDict):
    """A documentation link of the answering entry, in the answer's language."""

    title: str
    url: str


class Answer(TypedDict):
    """The FAQ entry that answers, in the answer's language; `score` is calibrated to [0, 1]."""

    id: str
    question: str
    answer: str  # Markdown
    score: float
    links: list[AnswerLink]


class Alternative(TypedDict):
    """A "did you mean" entry."""

    id: str
    question: str
    score: float


class Entities(TypedDict):
    """What a text names (knowledge/entities.py): every key present, None or [] when absent."""

    registry: str | None
    instance: str | None
    image: str | None
    repository: str | None
    tag: str | None
    digest: str | None
    namespace: str | None
    errors: list[str]  # error lines, redacted


class LogCause(TypedDict):
    """The cause of a pasted docker/podman/containerd/kubelet error (`explain_log`, knowledge/logs/, docs/logs.md)."""

    cause: str  # a cause code of knowledge/logpatterns.toml
    also: list[str]  # other possible causes, most likely first
    host: str | None
    image: str | None
    image_as_written: str | None
    tag: str | None
    digest: str | None
    tool: str | None
    op: str | None  # the operation that failed: login, pull, push ...
    diagnose: str | None  # the `tcr-doctor diagnose …` command that checks it
    target: str | None
    checks: list[str]
    push: bool
    evidence: str  # the line the cause was read from, redacted
    faq: str | None
    summary: Texts
    fix: Texts
    note: Texts | None
    confidence: Confidence
    pattern: str  # the id of the wording that matched ("learned" for the learned fallback's reading)
    # A reading of the learned fallback (knowledge/logs/learned.py), made only where no wording matched: a likelier
    # cause, not a finding; `margin` is its best decision value minus the second.
    learned: NotRequired[bool]
    margin: NotRequired[float]


class Refusal(TypedDict):
    """Why no entry answers (knowledge/dialogue.py): `smalltalk` names its kind (greeting, thanks, identity) and
    `vendor` the other vendor's registry."""

    kind: RefusalKind
    smalltalk: NotRequired[str]
    vendor: NotRequired[str]


class TopicHint(TypedDict):
    """A known subject the FAQ does not document (knowledge/out_of_scope.toml), in the answer's language."""

    id: str
    title: str
    hint: str | None


class AskResult(TypedDict):
    """What `knowledge.ask()` returns. `status == "no_answer"` means `matched` is false and `answer` None;
    `topic` is there only when a refused question is about a known undocumented subject."""

    matched: bool
    answer: Answer | None
    alternatives: list[Alternative]
    entities: Entities
    diagnostics: list[str]  # the check names that fit the answer
    lang: str  # "zh" | "en"
    status: Status
    kb_version: str
    log: LogCause | None
    refusal: Refusal | None
    topic: NotRequired[TopicHint]


class CauseText(TypedDict):
    """Summary, fix and FAQ entry of a log cause code (`cause_text`)."""

    summary: Texts
    fix: Texts
    faq: str | None


class LogVerdict(TypedDict):
    """Whether a diagnosis confirms a pasted log's cause (`log_verdict`, knowledge/confirm.py). `not_run` is the
    channels' word for a diagnosis that did not run (a refused target); `log_verdict` never says it."""

    verdict: Literal["confirmed", "other", "not_reproduced", "not_run"]
    codes: list[str]
