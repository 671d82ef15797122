"""What every channel keeps of a question it answered: the row `Storage.record_question` stores (with the masked
text, never the original) and the counters /metrics shows. The web API and Slack both use it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.storage import refusal_kind


def question_fields(result: Mapping[str, Any]) -> dict[str, Any]:
    """`Storage.record_question`'s keyword fields (but the channel) for an `ask()` result."""
    answer = result.get("answer") or {}
    log = result.get("log")
    return {
        "lang": result.get("lang"),
        "status": _status(result),
        "answer_id": answer.get("id"),
        "score": answer.get("score"),
        "kb_version": result.get("kb_version"),
        "log_code": log.get("cause") if isinstance(log, dict) else None,
        "refusal": refusal_kind(dict(result)),
    }


def count_question(inc: Callable[[str, dict[str, Any]], Any], channel: str, result: Mapping[str, Any]) -> None:
    """Count an answered question with INC (a Metrics.inc): by channel, language and status; matched or not."""
    lang = result.get("lang") or ""
    inc("tcr_doctor_questions_total", {"channel": channel, "lang": lang, "status": _status(result)})
    if result.get("matched"):
        inc("tcr_doctor_matches_total", {"lang": lang})
        inc("tcr_doctor_answers_total", {"id": (result.get("answer") or {}).get("id", "")})
    else:
        inc("tcr_doctor_no_answers_total", {"lang": lang})


def _status(result: Mapping[str, Any]) -> str:
    return str(result.get("status") or "no_answer")
