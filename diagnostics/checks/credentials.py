"""Credentials: Bearer challenge -> token for the exact repository scope -> granted actions.

Tells apart: not logged in, wrong password, expired credential (a JWT password whose `exp` passed),
valid but lacking an action (pull-only user asking for push), anonymous pull of a public repository.
"""

from __future__ import annotations

from ..findings import Finding

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:  # the context is handed in; importing it would tie the checks to it
    from ..context import Context

NAME = "credentials"
DEPENDS = ("http",)
ORDER = 70
CREDENTIALS = True  # about the user's own login: Slack, which never takes a password, points to the CLI


def run(ctx: Context) -> list[Finding]:
    """The token flow's findings (diagnostics.auth.authenticate)."""
    return list(ctx.auth().findings)
