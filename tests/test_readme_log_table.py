"""The README's pasted-log table says what the product does, row by row: it is checked here, not kept by hand.

For each cause: its FAQ column is the entry the log reader links (knowledge/logpatterns.toml `faq`, and
`faq_kubelet` for the kubelet), its diagnosis column is the command the reader builds (`target`, `only`, `push`),
and its first example wording, pasted after a `docker` command on a TCR host, is read as that cause, linked to
that entry and given that command; the answer the product gives the same paste is that entry or one that tells
the same story (`agrees`), or no entry at all — never another. Every cause has exactly one row.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

import knowledge

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CAUSES = tomllib.loads((ROOT / "knowledge" / "logpatterns.toml").read_text(encoding="utf-8"))["causes"]
HOST = "shop.tencentcloudcr.com"
IMAGE = f"{HOST}/ns/app:1.0"
# the operation a row's first wording is seen in (the others: a pull)
OPERATION = {"CREDENTIALS_INVALID": "login", "LOGIN_USAGE": "login", "QUOTA_EXCEEDED": "push"}
# wordings that Go's net/http and the daemon print after the URL they were fetching
AFTER_A_URL = ("DNS_", "TCP_", "HTTP_TIMEOUT", "TLS_", "HTTP_NOT_HTTPS", "PROXY_ERROR")


def _rows() -> list[list[str]]:
    section = README[README.index("\n## Pasted logs\n") :]
    table = section[section.index("| cause |") :]
    table = table[: table.index("\n\n")]
    return [[c.strip() for c in line.strip().strip("|").split(" | ")] for line in table.splitlines()[2:]]


ROWS = _rows()


def _faq_cell(meta: dict) -> str:
    faq = meta.get("faq") or "—"
    return f"{faq} (kubelet: {meta['faq_kubelet']})" if meta.get("faq_kubelet") else faq


def _diagnosis_cell(meta: dict) -> str:
    if meta.get("target", "host") == "none":
        return "—"
    command = f"tcr-doctor diagnose <{meta.get('target', 'host')}>"
    if meta.get("only"):
        command += " --only " + ",".join(meta["only"])
    return f"`{command}{' --push' if meta.get('push') else ''}`"


def _paste(cause: str, wording: str) -> str:
    operation = OPERATION.get(cause, "pull")
    # the table's placeholder X is the host (the repository where the cause is about an image)
    name = f"{HOST}/ns/app" if CAUSES[cause].get("target") == "image" else HOST
    wording = wording.replace("X", name).replace("…", "x")
    if cause.startswith(AFTER_A_URL):
        wording = f'Error response from daemon: Get "https://{HOST}/v2/": {wording}'
    return f"$ docker {operation} {HOST if operation == 'login' else IMAGE}\n{wording}\n"


def test_every_cause_has_exactly_one_row():
    causes = [row[0].strip("`") for row in ROWS]
    assert sorted(causes) == sorted(knowledge.log_causes()), "add or remove a row of the README's pasted-log table"


@pytest.mark.parametrize("row", ROWS, ids=[row[0].strip("`") for row in ROWS])
def test_a_row_says_what_the_product_does(row):
    cause, wordings, faq_cell, diagnosis_cell = row[0].strip("`"), row[1], row[2], row[3]
    meta = CAUSES[cause]
    assert faq_cell == _faq_cell(meta)
    assert diagnosis_cell.split(" (")[0] == _diagnosis_cell(meta)

    text = _paste(cause, re.findall(r"`([^`]+)`", wordings)[0])
    read = knowledge.explain_log(text)
    assert read and read["cause"] == cause, (text, read and read["cause"])
    assert read["faq"] == (meta.get("faq") or None)
    if meta.get("target") != "none":  # the command names the registry (<host>) or the image (<image>) of the paste
        assert read["diagnose"] == f"tcr-doctor diagnose {read['target']}" + (
            f" --only {','.join(meta['only'])}" if meta.get("only") else ""
        ) + (" --push" if meta.get("push") else ""), read["diagnose"]
        assert ("/" in read["target"]) == (meta.get("target") == "image"), read["target"]
    else:
        assert read["diagnose"] is None

    answer = knowledge.ask(text)
    same_story = {meta.get("faq"), *meta.get("agrees", [])} - {None}
    if answer["status"] != "no_answer":
        assert answer["answer"]["id"] in same_story, (text, answer["answer"]["id"], same_story)
