"""State shared by every worker on every host, through Redis (`TCR_DOCTOR_REDIS_URL`): per-client rate limits and
once-only keys (Slack retry dedupe).

Rate limits use the `limits` package (a moving window; Redis storage when configured, memory otherwise). Without
Redis each worker counts on its own, as a single host always did. When Redis stops answering while the service
runs, requests are not failed: for `RETRY_AFTER` seconds each worker falls back to its own in-memory window (or,
for once-only keys, to its own store), logs one warning and counts every fallback in
`tcr_doctor_backend_fallbacks_total{backend="redis",use}`; then it tries Redis again. At start-up an unreachable Redis is an error
(`RedisUnavailable`, one line), so a misconfigured URL is found before the first request.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("tcr_doctor.shared")

# Seconds to serve from the per-worker fallback after a Redis error before trying Redis again.
RETRY_AFTER = 5.0
# Redis operations must never hold a request for long: a stalled Redis costs each worker one timeout per
# RETRY_AFTER seconds, not one per request.
SOCKET_TIMEOUT = 0.25
KEY_PREFIX = "tcr-doctor"


class RedisUnavailable(RuntimeError):
    """Redis cannot be reached at start-up; the message is one line, without a password. `str()` is the English text
    (for logs); MESSAGE holds it in zh and en, for the commands that print it to a person."""

    def __init__(self, en: str, zh: str | None = None) -> None:
        super().__init__(en)
        self.message = {"zh": zh or en, "en": en}


def safe_redis_url(url: str) -> str:
    """The Redis URL with its password masked, for logs and errors."""
    from bot.storage import safe_url  # bot.storage imports this module

    return safe_url(url)


def connect(url: str) -> Any:
    """A Redis client for `url` with short timeouts, checked with PING (RedisUnavailable when that fails)."""
    import redis  # only where Redis is configured

    client = redis.Redis.from_url(
        url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT, health_check_interval=30
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise RedisUnavailable(
            f"cannot reach Redis at {safe_redis_url(url)}: {reason}", f"无法连接 Redis {safe_redis_url(url)}：{reason}"
        ) from None
    return client


# The shared backends a Breaker guards: the `backend` label of tcr_doctor_backend_fallbacks_total -> the name a
# log line gives it.
BACKENDS = {"redis": "Redis", "database": "The database"}


class Breaker:
    """Whether to use a shared backend (`backend`: "redis", or "database" for Slack dedupe in the shared database)
    now: after an error, not for RETRY_AFTER seconds (one warning per outage, naming the backend). Each call served
    without it is reported to `on_fallback(use, backend)` (the web service counts it in /metrics)."""

    def __init__(
        self, use: str, on_fallback: Callable[[str, str], Any] | None = None, *, backend: str = "redis"
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}: one of {', '.join(BACKENDS)}")
        self.use = use
        self.on_fallback = on_fallback
        self.backend = backend
        self._down_until = 0.0
        self._warned = False

    def up(self) -> bool:
        """Whether the backend may be tried now."""
        return time.monotonic() >= self._down_until

    def failed(self, exc: BaseException) -> None:
        """The backend failed: do not try it for RETRY_AFTER seconds (warn once per outage)."""
        self._down_until = time.monotonic() + RETRY_AFTER
        if not self._warned:
            self._warned = True
            log.warning(
                "%s unavailable for %s (%s): this worker falls back to its own state, retrying every %gs",
                BACKENDS[self.backend],
                self.use.replace("_", " "),
                type(exc).__name__,
                RETRY_AFTER,
            )

    def recovered(self) -> None:
        """The backend answered: say so once if an outage was warned about."""
        if self._warned:
            self._warned = False
            log.warning("%s is back for %s", BACKENDS[self.backend], self.use.replace("_", " "))

    def fell_back(self) -> None:
        """Report (to `on_fallback`, a metric) that this call was served without the backend."""
        if self.on_fallback is not None:
            try:
                self.on_fallback(self.use, self.backend)
            except Exception:  # noqa: BLE001 - counting must not fail the request
                pass


def parse_rate(spec: Any) -> tuple[int, float] | None:
    """ "N/SECONDS" -> (N, SECONDS); "0", "", "off" or None -> None (no limit)."""
    if spec in (None, "", 0, "0", "off", False):
        return None
    if isinstance(spec, (tuple, list)):
        return int(spec[0]), float(spec[1])
    count, _, window = str(spec).partition("/")
    return (int(count), float(window or 60)) if int(count) > 0 else None


class RateLimiter:
    """N requests per client per window of SECONDS (a moving window); shared through Redis when `redis_url` is
    given, else per worker. `check(client)` is None when allowed, else the seconds until a request would be."""

    def __init__(
        self,
        rate: tuple[int, float] | None,
        *,
        name: str = "api",
        redis_url: str | None = None,
        on_fallback: Callable[[str, str], Any] | None = None,
    ):
        # lazy: limits loads with the first limiter, ~77 M instructions after bot.storage's modules (valgrind): the
        # CLI commands that import bot.storage (db, report, kb), and through it this module, limit nothing.
        from limits import RateLimitItemPerSecond
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        self.rate = rate
        self.name = name
        self.shared_url = redis_url
        self._item = RateLimitItemPerSecond(rate[0], max(1, math.ceil(rate[1])), namespace=KEY_PREFIX) if rate else None
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._shared: Any = None
        self._shared_lock = threading.Lock()
        self.breaker = Breaker("rate_limit", on_fallback)

    def _redis_limiter(self) -> Any:
        if self._shared is None:
            with self._shared_lock:
                if self._shared is None:
                    # only where Redis is configured (limits.strategies is loaded by __init__ already)
                    from limits.storage import RedisStorage
                    from limits.strategies import MovingWindowRateLimiter

                    assert self.shared_url is not None  # only called when Redis is configured
                    storage = RedisStorage(
                        self.shared_url,
                        wrap_exceptions=True,
                        socket_timeout=SOCKET_TIMEOUT,
                        socket_connect_timeout=SOCKET_TIMEOUT,
                    )
                    self._shared = MovingWindowRateLimiter(storage)
        return self._shared

    def check(self, client: str) -> int | None:
        """None when `client` may make one more request now (counted), else the seconds to wait; uses this worker's
        window while Redis is down."""
        if self._item is None:
            return None
        limiter = self._memory
        if self.shared_url and self.breaker.up():
            try:
                limiter = self._redis_limiter()
                allowed = limiter.hit(self._item, self.name, client)
                self.breaker.recovered()
                return None if allowed else self._retry_after(limiter, client)
            except Exception as exc:  # noqa: BLE001 - any Redis failure: this worker's own window instead
                self.breaker.failed(exc)
                limiter = self._memory
        if self.shared_url:
            self.breaker.fell_back()
        if limiter.hit(self._item, self.name, client):
            return None
        return self._retry_after(limiter, client)

    def _retry_after(self, limiter: Any, client: str) -> int:
        try:
            reset: float = limiter.get_window_stats(self._item, self.name, client).reset_time
            return max(1, math.ceil(reset - time.time()))
        except Exception:  # noqa: BLE001
            return max(1, math.ceil(self.rate[1] if self.rate else 1))


class OnceKeys:
    """`first(key)` is True the first time a key is seen within `ttl` seconds (Redis SET NX EX), across every
    worker and host; None when Redis cannot say (the caller then uses its own store)."""

    def __init__(
        self,
        redis_url: str,
        *,
        ttl: float = 3600.0,
        namespace: str = "once",
        on_fallback: Callable[[str, str], Any] | None = None,
    ) -> None:
        self.url = redis_url
        self.ttl = int(max(1, ttl))
        self.namespace = namespace
        self.breaker = Breaker("slack_dedupe" if namespace == "slack" else namespace, on_fallback)
        self._client: Any = None

    def first(self, key: str) -> bool | None:
        """True the first time `key` is seen within the ttl, False after; None when Redis cannot say."""
        if not self.breaker.up():
            self.breaker.fell_back()
            return None
        try:
            if self._client is None:
                import redis  # only where Redis is configured

                self._client = redis.Redis.from_url(
                    self.url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT
                )
            created = self._client.set(f"{KEY_PREFIX}:{self.namespace}:{key}", b"1", nx=True, ex=self.ttl)
            self.breaker.recovered()
            return bool(created)
        except Exception as exc:  # noqa: BLE001
            self.breaker.failed(exc)
            self.breaker.fell_back()
            return None
