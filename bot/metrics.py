"""Prometheus metrics for the web channel, without a client library.

Each process (gunicorn worker) counts in memory; `snapshot()` is written to the database by the storage's
write-behind flush, and `GET /metrics` sums the snapshots of every worker that ever wrote to that database, so a
scrape that lands on any one worker still sees the whole service. Counters are cumulative per worker, so
summing them (including workers that have since exited) gives service totals.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

# Latency buckets (seconds) for the request-duration histogram.
BUCKETS: tuple[float, ...] = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HELP: dict[str, tuple[str, str]] = {
    "tcr_doctor_questions_total": ("counter", "Questions asked, by channel, language and answer status."),
    "tcr_doctor_matches_total": ("counter", "Questions that matched an FAQ entry (answered or ambiguous)."),
    "tcr_doctor_no_answers_total": ("counter", "Questions that got no answer (a hand-off was offered)."),
    "tcr_doctor_answers_total": ("counter", "Answers given, by FAQ entry id."),
    "tcr_doctor_diagnoses_total": ("counter", "Diagnoses run, by outcome (ok, failed, refused, error)."),
    "tcr_doctor_diagnosis_findings_total": ("counter", "Diagnosis findings, by check, status and finding code."),
    "tcr_doctor_feedback_total": ("counter", "Feedback received, by helpfulness."),
    "tcr_doctor_http_responses_total": ("counter", "HTTP responses, by endpoint and status code."),
    "tcr_doctor_rate_limited_total": ("counter", "Requests refused with 429, by endpoint."),
    "tcr_doctor_storage_errors_total": (
        "counter",
        "Storage writer errors, by kind (question row skipped, flush retried, queue overflow, ...).",
    ),
    "tcr_doctor_redis_fallbacks_total": (
        "counter",
        "Requests served with this worker's own state because Redis was unreachable, by use (rate_limit, slack_dedupe).",
    ),
    "tcr_doctor_request_duration_seconds": ("histogram", "Request latency, by endpoint."),
}

Labels = tuple[tuple[str, str], ...]


def _labels(labels: dict[str, Any] | None) -> Labels:
    return tuple(sorted((k, str(v)) for k, v in (labels or {}).items()))


class Metrics:
    """Thread-safe in-process counters and histograms."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counters: dict[tuple[str, Labels], float] = defaultdict(float)
        # (name, labels) -> [bucket counts..., +Inf count, sum]
        self.histograms: dict[tuple[str, Labels], list[float]] = {}
        self.dirty = False

    def inc(self, name: str, labels: dict[str, Any] | None = None, value: float = 1.0) -> None:
        key = (name, _labels(labels))
        with self._lock:
            self.counters[key] += value
            self.dirty = True

    def observe(self, name: str, seconds: float, labels: dict[str, Any] | None = None) -> None:
        key = (name, _labels(labels))
        with self._lock:
            row = self.histograms.get(key)
            if row is None:
                row = self.histograms[key] = [0.0] * (len(BUCKETS) + 2)
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    row[i] += 1
                    break
            else:
                row[len(BUCKETS)] += 1
            row[-1] += seconds
            self.dirty = True

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able copy (non-cumulative bucket counts; `render` accumulates)."""
        with self._lock:
            self.dirty = False
            return {
                "counters": [[name, list(map(list, labels)), value] for (name, labels), value in self.counters.items()],
                "histograms": [
                    [name, list(map(list, labels)), list(row)] for (name, labels), row in self.histograms.items()
                ],
            }


def merge(snapshots: Iterable[dict[str, Any]]) -> Metrics:
    total = Metrics()
    for snap in snapshots:
        for name, labels, value in snap.get("counters", []):
            total.counters[(name, tuple(tuple(x) for x in labels))] += value
        for name, labels, row in snap.get("histograms", []):
            key = (name, tuple(tuple(x) for x in labels))
            if len(row) != len(BUCKETS) + 2:
                continue  # written by a version with other buckets
            have = total.histograms.setdefault(key, [0.0] * (len(BUCKETS) + 2))
            for i, v in enumerate(row):
                have[i] += v
    return total


def _fmt_labels(labels: Labels, extra: tuple[tuple[str, str], ...] = ()) -> str:
    items = labels + extra
    if not items:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in items) + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def render(metrics: Metrics) -> str:
    """Prometheus text exposition format 0.0.4."""
    lines: list[str] = []
    names = sorted({n for n, _ in metrics.counters} | {n for n, _ in metrics.histograms} | set(HELP))
    for name in names:
        kind, help_ = HELP.get(name, ("counter", name))
        lines.append(f"# HELP {name} {help_}")
        lines.append(f"# TYPE {name} {kind}")
        if kind == "histogram":
            for (n, labels), row in sorted(metrics.histograms.items()):
                if n != name:
                    continue
                cumulative = 0.0
                for bound, count in zip(BUCKETS, row):
                    cumulative += count
                    lines.append(f"{name}_bucket{_fmt_labels(labels, (('le', repr(bound)),))} {_num(cumulative)}")
                cumulative += row[len(BUCKETS)]
                lines.append(f"{name}_bucket{_fmt_labels(labels, (('le', '+Inf'),))} {_num(cumulative)}")
                lines.append(f"{name}_sum{_fmt_labels(labels)} {repr(float(row[-1]))}")
                lines.append(f"{name}_count{_fmt_labels(labels)} {_num(cumulative)}")
        else:
            for (n, labels), value in sorted(metrics.counters.items()):
                if n == name:
                    lines.append(f"{name}{_fmt_labels(labels)} {_num(value)}")
    return "\n".join(lines) + "\n"
