"""What every channel keeps of a question it answered: the row `Storage.record_question` stores (with the masked
text, never the original) and the counters /metrics shows. The web API and Slack both use it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.storage import refusal_kind

if TYPE_CHECKING:
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


def _status(result: AskResult) -> str:
    return str(result.get("status") or "no_answer")
