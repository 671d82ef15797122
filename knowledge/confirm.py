"""One rule for "does this diagnosis confirm the pasted log?", shared by the web API and `tcr-doctor explain --run`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from diagnostics.findings import PROBLEMS

from .logs import confirming_codes

if TYPE_CHECKING:
    from .results import LogVerdict


def log_verdict(cause: str, also: Sequence[str], findings: Iterable[Mapping[str, Any]]) -> LogVerdict:
    """{"verdict": confirmed|other|not_reproduced, "codes": [...]} for a log's `cause` (and its `also`) against a
    diagnosis' findings (dicts as `Finding.to_dict()` gives them).

    confirmed: a failing or warning finding has the cause's code, one of its confirming codes, or those of an `also`
    (codes: those, the most likely cause's first); other: something else failed (codes: what failed or warned, in
    report order); not_reproduced: nothing failed.
    """
    bad = [f for f in findings if f.get("status") in PROBLEMS]
    wanted: dict[str, int] = {}
    for rank, code in enumerate([cause, *also]):
        for confirming in [code, *confirming_codes(code)]:
            wanted.setdefault(confirming, rank)
    hits = sorted({str(f["code"]) for f in bad if f.get("code") in wanted}, key=lambda c: wanted[c])
    if hits:
        return {"verdict": "confirmed", "codes": hits}
    codes = list(dict.fromkeys(str(f.get("code", "")) for f in bad))
    if any(f.get("status") == "fail" for f in bad):
        return {"verdict": "other", "codes": codes}
    return {"verdict": "not_reproduced", "codes": codes}
