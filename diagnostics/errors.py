"""The error a caller's own input raises (an unknown check name, a malformed endpoint, an unusable tccli profile).

It is a ValueError whose `str()` is the English text, so callers that only log it keep working; channels show
`message[lang]` to users, who read Chinese or English.
"""

from __future__ import annotations


class InputError(ValueError):
    """Input that cannot be used: MESSAGE says why, in zh and en."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.message = {"zh": zh, "en": en}
