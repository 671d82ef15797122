"""What `explain` (and every channel showing a pasted log's cause) takes from the user's own sentences around a paste:
nothing. The evidence line is what the tool printed, and the registry to diagnose is one the paste talks to, not a
project page the user's prose links to. In-process, through the CLI."""

from __future__ import annotations

import io
import json
import sys

import pytest

import knowledge
from bot.cli import main

ERROR = 'Error response from daemon: Head "https://ccr.ccs.tencentyun.com/v2/team/app/manifests/1.0": unauthorized:'


def explain(text: str, capsys, monkeypatch) -> dict[str, object]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8"))
    assert main(["explain", "--json", "--lang", "en"]) == 0
    return json.loads(capsys.readouterr().out)["log"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("在使用 docker-compose 启动时，遇到了镜像拉取未授权的错误：", "这表明拉取镜像时出现了未授权的错误。"),
        ("下载镜像时报错:", ""),
        ("", "（可能是凭证的问题）"),
    ],
    ids=["sentence-before-and-after", "sentence-before", "sentence-after"],
)
def test_the_evidence_is_the_error_line_without_the_users_sentences(before, after, capsys, monkeypatch):
    text = "\n".join(line for line in (before, ERROR, after) if line)
    result = explain(text, capsys, monkeypatch)
    assert result["cause"] == knowledge.explain_log(ERROR)["cause"]
    assert result["evidence"] == ERROR, result["evidence"]


def test_a_wrapped_go_error_chain_is_still_one_evidence_line(capsys, monkeypatch):
    text = 'Error response from daemon: Get "https://ccr.ccs.tencentyun.com/v2/":\ndial tcp: lookup ccr.ccs.tencentyun.com: no such host'
    result = explain(text, capsys, monkeypatch)
    assert result["cause"] == "DNS_NXDOMAIN" and "no such host" in result["evidence"] and "Get" in result["evidence"]


def test_a_markdown_link_in_the_users_sentence_is_not_the_registry(capsys, monkeypatch):
    text = (
        "nerdctl login fails against [portus](http://port.us.org/) v2.1.0-dev:\n\n```\n"
        "nerdctl login -u me xxxhostnamexxx\n"
        "FATA[0000] failed to call rh.Authorizer.Authorize: failed to fetch oauth token: unexpected status: 401 "
        "Unauthorized\n```"
    )
    result = explain(text, capsys, monkeypatch)
    assert result["cause"].startswith("CREDENTIALS_"), result
    assert "port.us.org" not in json.dumps(result), result  # neither the host, the target nor the command
    assert result["diagnose"].startswith("tcr-doctor diagnose <registry>"), result
    # the fix does not turn into TCR's console steps because the registry is unknown: the post links another one
    assert "console" not in result["fix"]["en"], result["fix"]


def test_a_host_written_as_its_own_link_is_still_the_registry(capsys, monkeypatch):
    """GitHub renders a bare host as `[gcr.io](http://gcr.io/)`: that link names the registry itself."""
    text = (
        "Error response from daemon: pull access denied for [gcr.io](http://gcr.io/)/team/app, repository does not "
        "exist or may require 'docker login': denied: requested access to the resource is denied"
    )
    assert knowledge.explain_log(text)["host"] is not None
    result = explain(text, capsys, monkeypatch)
    assert result["host"] == "gcr.io", result
