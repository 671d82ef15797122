"""English denials of a few words (issue 11, late round, negation12; knowledge/logs/prose.py `_DENIED`).

"docker pull fails, it's not a certificate or TLS issue" rules the family out as "不是证书的问题" does (031665f,
ad13781), with up to five words between the denial and "issue"/"problem"/"error"; a wording a pattern reads in the
author's own sentence ("no error 404 or anything") is ruled out the same way. Each denial has its control beside it:
the same words said, a clause that goes on past the denial, a docker message that starts with "no"."""

from __future__ import annotations

import time

import pytest

from knowledge.logs import explain
from knowledge.logs.prose import told_family


def cause(text: str) -> str | None:
    r = explain(text)
    return None if r is None else r["cause"]


# (the author denies, the same words said, the family said): each denial read the family before (main 3d0d6b8)
DENIED = [
    (
        "docker pull example/app fails, it's not a certificate or TLS issue",
        "docker pull example/app fails, it's a certificate or TLS issue",
        "TLS_UNTRUSTED",
    ),
    (
        "docker pull example/app fails, no error 404 or anything",
        "docker pull example/app fails, error 404",
        "TAG_NOT_FOUND",
    ),
    (
        "docker pull registry.example.com/team/app fails, not an auth or 403 problem",
        "docker pull registry.example.com/team/app fails, an auth or 403 problem",
        "PERMISSION_DENIED",
    ),
    (
        "docker pull example/app fails, I don't think it's a certificate issue",
        "docker pull example/app fails, I think it's a certificate issue",
        "TLS_UNTRUSTED",
    ),
    (
        "docker pull example/app fails, doesn't seem to be a certificate or proxy problem",
        "docker pull example/app fails, seems to be a certificate or proxy problem",
        "TLS_UNTRUSTED",
    ),
    (
        "docker pull example/app fails, there is no connection timed out or SSL problem here",
        "docker pull example/app fails, there is a connection timed out or SSL problem here",
        "TCP_TIMEOUT",
    ),
    (
        "docker pull registry.example.com/team/app fails, I got no 403 error",
        "docker pull registry.example.com/team/app fails, I got a 403 error",
        "PERMISSION_DENIED",
    ),
]


@pytest.mark.parametrize(("denied", "said", "family"), DENIED)
def test_an_english_denial_of_a_few_words_rules_the_family_out(denied, said, family):
    assert cause(denied) is None
    assert cause(said) == family


def test_only_the_denied_family_is_ruled_out():
    # the denial ends at "but": the family the author says next is read
    assert cause("docker pull registry.example.com/team/app fails, not a 404 error but a 403 error") == (
        "PERMISSION_DENIED"
    )
    assert cause("docker pull registry.example.com/team/app fails, I got no 401 error but a 403 error") == (
        "PERMISSION_DENIED"
    )
    assert told_family("docker pull example/app fails, not a 404 error but a timeout") == (
        "HTTP_TIMEOUT",
        ("TCP_TIMEOUT",),
    )


@pytest.mark.parametrize(
    ("text", "family"),
    [
        # a word that starts another clause ends the denial
        ("docker pull example/app fails, not sure why, maybe a certificate issue", "TLS_UNTRUSTED"),
        ("docker pull example/app fails, not a surprise because of a certificate issue", "TLS_UNTRUSTED"),
        ("docker pull example/app fails, not the first time, due to a certificate issue", "TLS_UNTRUSTED"),
        # a docker message that starts with "no" is the message, not a denial
        ("docker pull example/app fails, no basic auth credentials error", "CREDENTIALS_MISSING"),
        ("docker pull example/app fails, no such host error", "DNS_NXDOMAIN"),
    ],
)
def test_no_denial_across_a_clause_or_in_a_message_that_starts_with_no(text, family):
    assert cause(text) == family


def test_output_that_quotes_a_status_is_no_denial():
    # a program's line is never the author's denial; ": no error details found" denies nothing it quotes
    line = 'error parsing HTTP 403 response body: no error details found in HTTP response body: "{}"'
    from knowledge.logs.prose import denied_spans

    at = line.index("403")
    assert not any(a <= at and at + 3 <= b for a, b in denied_spans(line))
    assert cause("docker pull registry.example.com/team/app\n" + line) == "PERMISSION_DENIED"


@pytest.mark.parametrize(
    "hostile",
    ["not a " * 50_000, "there is no " * 30_000, "isn't the " + "x " * 100_000, "i got no 403 error, " * 20_000],
)
def test_denials_stay_linear_on_hostile_lines(hostile):
    t = time.perf_counter()
    told_family(hostile)
    explain(hostile)
    assert time.perf_counter() - t < 5
