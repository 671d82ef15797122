"""What every channel keeps of a question it answered: the row `Storage.record_question` stores (with the masked
text, never the original) and the counters /metrics shows; and which of the targets an answer names the service's
address policy refuses (no channel offers a diagnosis of them). The web API and Slack both use it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from bot.storage import refusal_kind

if TYPE_CHECKING:
    from diagnostics import AddressPolicy
    from knowledge import AskResult


def question_fields(result: AskResult) -> dict[str, Any]:
    """`Storage.record_question`'s keyword fields (but the channel) for an `ask()` result."""
    answer = result.get("answer")
    log = result.get("log")
    return {
        "lang": result.get("lang"),
        "status": _status(result),
        "answer_id": answer.get("id") if answer else None,
        "score": answer.get("score") if answer else None,
        "kb_version": result.get("kb_version"),
        "log_code": log.get("cause") if isinstance(log, dict) else None,
        "refusal": refusal_kind(dict(result)),
    }


def count_question(inc: Callable[[str, dict[str, Any]], Any], channel: str, result: AskResult) -> None:
    """Count an answered question with INC (a Metrics.inc): by channel, language and status; matched or not."""
    lang = result.get("lang") or ""
    inc("tcr_doctor_questions_total", {"channel": channel, "lang": lang, "status": _status(result)})
    if result.get("matched"):
        inc("tcr_doctor_matches_total", {"lang": lang})
        answer = result.get("answer")
        inc("tcr_doctor_answers_total", {"id": answer.get("id", "") if answer else ""})
    else:
        inc("tcr_doctor_no_answers_total", {"lang": lang})


def refused_targets(result: Mapping[str, Any], policy: AddressPolicy, mask: Callable[[str], str]) -> list[str]:
    """The diagnosis targets an answer names (its log's target, the image and the registry asked about) that a
    diagnosis under POLICY refuses before any lookup (TCR_DOCTOR_REGISTRY_DOMAINS, _PORTS): each target masked by
    MASK (the channel's redaction, as its diagnosis masks it) and checked by `policy.check_target`, the policy's own
    decision. The one rule by which the web's /api/ask (`refused_targets`) and Slack offer no diagnosis the service
    always refuses."""
    log = result.get("log")
    entities = result.get("entities")
    named = [log.get("target") if isinstance(log, Mapping) else None]
    if isinstance(entities, Mapping):
        named += [entities.get("image"), entities.get("registry")]
    targets = dict.fromkeys(n for n in named if isinstance(n, str) and n.strip())
    return [t for t in targets if policy.check_target(mask(t.strip()))[1] is not None]


def _status(result: AskResult) -> str:
    return str(result.get("status") or "no_answer")
