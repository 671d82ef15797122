"""The web app as the API's request tests start it: no Slack, no rate limits, and a diagnosis that runs only the
name check (the real engine with no network step, so nothing a request names is ever connected to)."""

from __future__ import annotations

from typing import Any

from bot.web import create_app

OFFLINE = {
    "SLACK": "off",
    "RATE_LIMIT_ASK": "0",
    "RATE_LIMIT_DIAGNOSE": "0",
    "RATE_LIMIT_FEEDBACK": "0",
    "DIAGNOSE_CHECKS": "name",
}


def offline_app(database: str | dict[str, str], **config: Any) -> Any:
    """create_app with OFFLINE's settings, on the SQLite file DATABASE (or the DB/DATABASE_URL/REDIS_URL settings it
    maps), plus CONFIG."""
    db = {"DB": database} if isinstance(database, str) else database
    return create_app({**db, **OFFLINE, **config})


def dns_only_app(database: str | dict[str, str], nameserver: str, **config: Any) -> Any:
    """offline_app whose diagnoses run the dns and endpoint checks only, asking the test DNS server at NAMESERVER:
    what a name resolves to (the test zones hand out internal and documentation addresses) is judged by the address
    policy and never connected to, even if the guard were broken."""
    return offline_app(database, DNS_NAMESERVER=nameserver, DIAGNOSE_CHECKS="dns,endpoint", **config)
