"""The learned model's second view of a paste (knowledge/logs/learned.py, issue 11): the word tokens of its output
lines, with hosts, image names, digests, addresses and numbers replaced by their kind and HTTP statuses kept, so that
a registry's answer reads the same on names the model has never seen (docs/logs.md, "Learned fallback")."""

from __future__ import annotations

import json
import time
from array import array
from pathlib import Path

import pytest

from knowledge.logs import learned
from knowledge.logs.learned import Model, classify, learned_cause, load_model, output_tokens, token_ngrams

PASTE = (
    "I tried to pull my image yesterday and it failed again today.\n"
    "$ docker pull {host}/team/app:1.2\n"
    'Error response from daemon: Get "https://{host}/v2/": received unexpected HTTP status: 418 I\'m a teapot\n'
    'time="2024-01-02T03:04:05Z" level=error msg="pull 10.0.0.7:5000 sha256:0123456789abcdef0123 failed"'
)


def test_output_tokens_replace_names_by_their_kind_and_keep_http_statuses():
    assert output_tokens(PASTE.format(host="registry.example.com:5000")) == [
        *("docker", "pull", "IMAGEREF"),
        *("error", "response", "from", "daemon", "get", "URL", "received", "unexpected", "http", "status"),
        *("HTTP418", "i'm", "teapot"),
        *("time", "level", "error", "msg", "pull", "IPADDR", "DIGEST", "failed"),
    ]
    # the same output on another registry, another port, another day: the same tokens
    assert output_tokens(PASTE.format(host="ccr.ccs.tencentyun.com")) == output_tokens(
        PASTE.format(host="registry.example.com:5000")
    )


def test_the_users_own_sentences_are_not_tokens():
    tokens = output_tokens(PASTE.format(host="h.example.com"))
    assert not {"tried", "yesterday", "again", "today"} & set(tokens)
    assert output_tokens("I tried to pull my image yesterday and it failed again today.") == []


def test_token_ngrams_are_the_tokens_and_their_neighbouring_pairs():
    # scikit-learn's word n-grams 1-2 of the joined tokens, which the training script's vectorizer reads through them
    assert token_ngrams(["a", "HTTP401", "c"]) == ["a", "HTTP401", "c", "a HTTP401", "HTTP401 c"]
    assert token_ngrams([]) == []


def toy_token_model() -> Model:
    """One character n-gram (" zzq", no weight) and one token, the status 418: a paste whose output answers 418
    reads as SERVER_ERROR with margin 2.0 over NONE, whatever registry it names; any other paste as NONE."""
    return Model(
        classes=["NONE", "SERVER_ERROR"],
        none="NONE",
        columns={" zzq": 0},
        idf=array("f", [1.0, 1.0]),
        weights=array("f", [0.0, 0.0, 0.0, 3.0]),
        intercepts=array("f", [1.0, 0.0]),
        tail=4000,
        ngram_range=(3, 5),
        threshold=0.75,
        trained={},
        token_columns={"HTTP418": 1},
    )


@pytest.mark.parametrize("host", ["registry.example.com:5000", "ccr.ccs.tencentyun.com", "10.1.2.3:8443"])
def test_a_token_model_reads_a_status_on_any_registry(monkeypatch, host):
    monkeypatch.setattr(learned, "_MODEL", [toy_token_model()])
    paste = PASTE.format(host=host)
    assert classify(paste) == ("SERVER_ERROR", pytest.approx(2.0))
    log = learned_cause(paste)
    assert log is not None and log["cause"] == "SERVER_ERROR" and log["learned"] is True
    assert classify(paste.replace("418", "200")) == ("NONE", pytest.approx(1.0))


def test_a_model_file_whose_token_columns_do_not_fit_is_not_loaded(tmp_path, caplog):
    data = json.loads(learned.MODEL_FILE.read_text(encoding="utf-8"))
    assert data.get("token_vocabulary"), "the shipped model reads the output's tokens"
    data["token_vocabulary"] += "\nan extra token"  # one more column than the weights have
    path = Path(tmp_path) / "damaged.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_model(path) is None
    assert "learned log fallback off" in caplog.text
    del data["token_vocabulary"]  # a file of character n-grams alone, with weights for more columns
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_model(path) is None


def test_the_shipped_model_reads_character_ngrams_and_tokens():
    m = learned.model()
    assert m is not None and m.token_columns
    assert min(m.token_columns.values()) == len(m.columns)  # token columns follow the character n-grams'
    assert len(m.columns) + len(m.token_columns) == len(m.idf)
    assert any(t.startswith("HTTP") for t in m.token_columns) and "IMAGEREF" in " ".join(m.token_columns)


GO_DOWNLOAD = (
    "Step 10/20 : RUN go mod download\n"
    " ---> Running in 626b9a203b39\n"
    'go: example.com/mod@v1.0.0: Get "https://proxy.golang.org/example.com/mod/@v/v1.0.0.mod": '
    "dial tcp 142.250.1.1:443: i/o timeout HTTP418\n"
    "The command '/bin/sh -c go mod download' returned a non-zero code: 1"
)


def test_another_programs_download_gets_no_learned_cause(monkeypatch):
    # C2: every request the paste names went to a module proxy (a code host): the rules give no cause, nor may the
    # model, however sure (here the toy model reads the status token as a server error)
    monkeypatch.setattr(learned, "_MODEL", [toy_token_model()])
    assert classify(GO_DOWNLOAD)[0] == "SERVER_ERROR"
    assert learned.requests_elsewhere(GO_DOWNLOAD.splitlines())
    assert learned_cause(GO_DOWNLOAD) is None
    # the same failure of a request to a registry is read
    to_registry = GO_DOWNLOAD.replace("proxy.golang.org/example.com/mod/@v/v1.0.0.mod", "reg.example.com/v2/")
    assert not learned.requests_elsewhere(to_registry.splitlines())
    log = learned_cause(to_registry)
    assert log is not None and log["cause"] == "SERVER_ERROR"


def test_output_tokens_read_a_long_run_of_colons_in_linear_time():
    """The IPv6 kind was tried from every colon of a run and backtracked over the rest: ':' * 1,000 took 21 s, so
    ask() on a pasted separator line hung. Addresses still read as their kind."""
    start = time.process_time()
    assert output_tokens(":" * 40_000) == []
    assert time.process_time() - start < 5  # ~0.03 s; wide for a loaded machine
    assert "IPADDR" in output_tokens("dial tcp [2001:db8::1]:443: connect: network is unreachable")
    assert "IPADDR" in output_tokens("lookup registry on fe80::1:53: no such host")
