"""Prometheus metrics of the service, through prometheus_client.

One process: the counters live in this process's registry and `GET /metrics` shows them. Several worker processes
(gunicorn, started with `-c python:bot.gunicorn_conf`): prometheus_client's multiprocess mode — each worker writes
its values to files in `PROMETHEUS_MULTIPROC_DIR`, and a scrape landing on any worker sums every worker of that
host, including workers that have exited since (their counts stay). Several hosts: Prometheus scrapes each host's
`/metrics` on its private address (nginx does not serve it publicly) and `sum()` adds the hosts up; every series is
a counter or histogram, so sums are exact.

Callers count by name, `metrics.inc("tcr_doctor_questions_total", {"lang": "en", ...})`; the names, kinds and
labels are declared once in `SPECS`, and the README's metrics table is generated from it:

    .venv/bin/python -m bot.metrics --readme-update
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

import knowledge

# Latency buckets (seconds) for the request-duration histogram.
BUCKETS: tuple[float, ...] = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# name -> (kind, help, label names). Label names in alphabetical order: the exposition lists them so.
SPECS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "tcr_doctor_questions_total": (
        "counter",
        "Questions asked, by channel, language and answer status.",
        ("channel", "lang", "status"),
    ),
    "tcr_doctor_matches_total": ("counter", "Questions that matched an FAQ entry (answered or ambiguous).", ("lang",)),
    "tcr_doctor_no_answers_total": ("counter", "Questions that got no answer (a hand-off was offered).", ("lang",)),
    "tcr_doctor_answers_total": ("counter", "Answers given, by FAQ entry id.", ("id",)),
    "tcr_doctor_diagnoses_total": ("counter", "Diagnoses run, by outcome (ok, failed, refused, error).", ("outcome",)),
    "tcr_doctor_diagnosis_findings_total": (
        "counter",
        "Diagnosis findings, by check, status and finding code.",
        ("check", "code", "status"),
    ),
    "tcr_doctor_feedback_total": ("counter", "Feedback received, by channel and helpfulness.", ("channel", "helpful")),
    "tcr_doctor_http_responses_total": (
        "counter",
        "HTTP responses, by endpoint and status code.",
        ("code", "endpoint"),
    ),
    "tcr_doctor_rate_limited_total": ("counter", "Requests refused with 429, by endpoint.", ("endpoint",)),
    "tcr_doctor_storage_errors_total": (
        "counter",
        "Storage writer errors, by kind (question row skipped, flush retried, queue overflow, ...).",
        ("kind",),
    ),
    "tcr_doctor_backend_fallbacks_total": (
        "counter",
        "Requests a shared backend could not answer, served from narrower state instead, by backend (redis; "
        "database: the shared database's slack_seen table; sqlite_file: the host's SQLite dedupe file) and use "
        "(rate_limit, slack_dedupe).",
        ("backend", "use"),
    ),
    # Deprecated (kept for existing dashboards and alerts until DEPRECATED says): the redis part of
    # tcr_doctor_backend_fallbacks_total.
    "tcr_doctor_redis_fallbacks_total": (
        "counter",
        'Deprecated, removed in 0.2.0: use tcr_doctor_backend_fallbacks_total{backend="redis"}. Redis fallbacks, by use.',
        ("use",),
    ),
    "tcr_doctor_request_duration_seconds": ("histogram", "Request latency, by endpoint.", ("endpoint",)),
}

# A renamed metric keeps counting under its old name for the rest of the release series it was renamed in, so that
# dashboards and alerts can move; it goes in the version named here (tests/test_shared.py fails once that version
# is the project's and the old name is still declared).
DEPRECATED = {"tcr_doctor_redis_fallbacks_total": "0.2.0"}

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

README_BEGIN = "<!-- metrics:begin (generated: python -m bot.metrics --readme-update) -->"
README_END = "<!-- metrics:end -->"


@functools.lru_cache(maxsize=4096)
def label_value(value: Any) -> str:
    """A label value as exposed: masked by the one secret detector (label values are few, so cached)."""
    return knowledge.redact(str(value))[0]


def multiprocess_dir() -> str | None:
    """The directory of multiprocess mode, when this process runs in it (set before prometheus_client's import)."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir") or None


class Metrics:
    """The service's counters and histograms, in a registry of their own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._lock = threading.Lock()
        self._metrics: dict[str, Any] = {}
        for name, (kind, help_, labels) in SPECS.items():
            self._metrics[name] = self._make(name, kind, help_, labels)

    def _make(self, name: str, kind: str, help_: str, labels: tuple[str, ...]) -> Any:
        if kind == "histogram":
            return Histogram(name, help_, labels, buckets=BUCKETS, registry=self.registry)
        return Counter(name, help_, labels, registry=self.registry)

    def _metric(self, name: str, labels: dict[str, Any]) -> Any:
        metric = self._metrics.get(name)
        if metric is None:  # a name not in SPECS: a counter with the labels of its first use
            with self._lock:
                metric = self._metrics.get(name)
                if metric is None:
                    metric = self._metrics[name] = self._make(name, "counter", name, tuple(sorted(labels)))
        return metric

    def inc(self, name: str, labels: dict[str, Any] | None = None, value: float = 1.0) -> None:
        """Add `value` to the counter `name` with these labels."""
        labels = labels or {}
        metric = self._metric(name, labels)
        (metric.labels(**{k: label_value(v) for k, v in labels.items()}) if labels else metric).inc(value)

    def observe(self, name: str, seconds: float, labels: dict[str, Any] | None = None) -> None:
        """Record `seconds` in the histogram `name` with these labels."""
        labels = labels or {}
        metric = self._metric(name, labels)
        (metric.labels(**{k: label_value(v) for k, v in labels.items()}) if labels else metric).observe(seconds)

    def render(self) -> bytes:
        """The Prometheus text exposition: this host's workers summed (multiprocess mode), else this process."""
        directory = multiprocess_dir()
        if directory:
            from prometheus_client import multiprocess  # multiprocess mode only (gunicorn's workers)

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


def render_readme_table() -> str:
    """The README's metrics table, one row per metric of SPECS, between its markers."""
    rows = ["| metric | kind | labels | what it counts |", "| --- | --- | --- | --- |"]
    for name, (kind, help_, labels) in SPECS.items():
        shown = ", ".join(f"`{label}`" for label in labels) or "none"
        rows.append(f"| `{name}` | {kind} | {shown} | {help_.replace('|', '/')} |")
    return "\n".join([README_BEGIN, *rows, README_END])


if __name__ == "__main__":  # pragma: no cover
    from bot.settings import readme_table_command

    sys.exit(readme_table_command(sys.argv[1:], render_readme_table, "bot.metrics"))
