"""The taught overlay as the matcher sees it: read from the database, re-read when its version changes.

Every worker of every host installs an OverlaySource (bot.web.create_app); each ask() calls it, and it asks the
database for the overlay's version at most once per `interval` seconds (one aggregate over a small table), so
a phrasing taught on one host is answered by all of them within `interval` seconds plus an index build.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

import knowledge
from diagnostics import LANGS

if TYPE_CHECKING:
    from bot.console.store import ConsoleStore

log = logging.getLogger("tcr_doctor.console")


def texts_by_lang(texts: list[dict[str, str]]) -> dict[str, list[str]]:
    """A taught row's texts ({text, lang}) by language: the language recorded with a text, else detected."""
    by_lang: dict[str, list[str]] = {"zh": [], "en": []}
    for t in texts:
        recorded = t.get("lang")
        lang = recorded if recorded in LANGS else knowledge.detect_lang(t["text"])
        by_lang[lang].append(t["text"])
    return by_lang


def overlay_from_rows(version: str, rows: list[dict[str, Any]]) -> knowledge.Overlay:
    """knowledge.Overlay of the active kb_overlay rows."""
    phrasings: dict[str, dict[str, list[str]]] = {}
    topics = []
    for row in rows:
        by_lang = texts_by_lang(row["texts"])
        if row["kind"] == "phrasings" and row.get("entry_id"):
            target = phrasings.setdefault(row["entry_id"], {"zh": [], "en": []})
            for lang, texts in by_lang.items():
                target[lang].extend(texts)
        elif row["kind"] == "topic":
            title = row.get("topic") or ""
            hint = row.get("pointer") or ""
            topics.append(
                knowledge.Topic(
                    id=f"taught-{row['id']}",
                    title={"zh": title, "en": title},
                    phrasings={k: tuple(v) for k, v in by_lang.items()},
                    keywords={},
                    hint={"zh": hint, "en": hint} if hint else None,
                )
            )
    content = json.dumps(
        [[r.get("kind"), r.get("entry_id"), r.get("topic"), r.get("pointer"), r["texts"]] for r in rows],
        ensure_ascii=False,
    )
    return knowledge.Overlay(
        # the content's hash, not only the database's counter: two databases (tests) never share a version
        version=f"{version}:{hashlib.sha256(content.encode()).hexdigest()[:16]}",
        phrasings={e: {k: tuple(v) for k, v in langs.items()} for e, langs in phrasings.items()},
        topics=tuple(topics),
    )


class OverlaySource:
    """Callable for knowledge.set_overlay_source: the overlay in force, checked at most every `interval` s."""

    def __init__(self, store: ConsoleStore, interval: float = 1.0):
        self.store = store
        self.interval = interval
        self._lock = threading.Lock()
        self._checked = -1e18
        self._version: str | None = None
        self._overlay: knowledge.Overlay | None = None

    def __call__(self) -> knowledge.Overlay | None:
        now = time.monotonic()
        if now - self._checked < self.interval:
            return self._overlay
        with self._lock:
            if now - self._checked < self.interval:
                return self._overlay
            self._checked = now
            try:
                version = self.store.overlay_version()
                if version != self._version:
                    rows = self.store.active_overlay()
                    self._overlay = overlay_from_rows(version, rows) if rows else None
                    self._version = version
            except SQLAlchemyError as exc:  # keep answering with the overlay we have
                log.warning("could not read the taught overlay (%s); keeping version %s", exc, self._version)
        return self._overlay

    def refresh(self) -> None:
        """Check the version on the next call (after this worker taught something)."""
        self._checked = -1e18
