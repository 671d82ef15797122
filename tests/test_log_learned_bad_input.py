"""The learned fallback (knowledge/logs/learned.py) on bad input and a damaged model file: untrusted text of any
shape is read in bounded time without an error, and a model file that is missing or damaged at run time is one
warning naming the file, after which the rules read alone (never an exception on a user's paste, never a 500)."""

from __future__ import annotations

import json
import logging
import math
import time
from array import array
from pathlib import Path

import pytest

import knowledge
from bot.web import create_app
from knowledge.logs import learned
from knowledge.logs.learned import MODEL_FILE, learned_cause, load_model

# the rules place no wording in it; the packaged model reads a missing login (tests/test_log_learned.py)
UNPLACED = "$ docker pull ccr.ccs.tencentyun.com/team/app:1\n请先登录"  # (tests/test_log_learned.py)


def _damaged(tmp_path: Path) -> dict[str, Path]:
    """Model files damaged the ways a deploy or an editor damages them."""
    whole = MODEL_FILE.read_text(encoding="utf-8")
    data = json.loads(whole)
    files: dict[str, str] = {
        "empty": "",
        "not json": "<html>502 Bad Gateway</html>",
        "cut in half": whole[: len(whole) // 2],
        "deeply nested": "[" * 100_000,
        "a list": "[1, 2]",
        "no vocabulary": json.dumps({k: v for k, v in data.items() if k != "vocabulary"}),
        "vocabulary not text": json.dumps({**data, "vocabulary": 7}),
        "weights cut": json.dumps({**data, "weights": data["weights"][: len(data["weights"]) // 2]}),
        "weights not base64": json.dumps({**data, "weights": "%%%"}),
        "one n-gram too many": json.dumps({**data, "vocabulary": data["vocabulary"] + "\nzzz"}),
        "no such n-grams": json.dumps({**data, "ngram_range": [0, 99]}),
        "threshold NaN": json.dumps({**data, "margin_threshold": float("nan")}),
        "no NONE class": json.dumps({**data, "none": "NOT-A-CLASS"}),
    }
    out = {}
    for name, text in files.items():
        path = tmp_path / (name.replace(" ", "_") + ".json")
        path.write_text(text, encoding="utf-8")
        out[name] = path
    out["missing"] = tmp_path / "missing.json"
    return out


def test_a_damaged_model_file_is_one_warning_naming_it(tmp_path, caplog):
    for name, path in _damaged(tmp_path).items():
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="knowledge.logs.learned"):
            assert load_model(path) is None, name
        lines = [r.getMessage() for r in caplog.records if r.name == "knowledge.logs.learned"]
        assert len(lines) == 1 and str(path) in lines[0] and "rules" in lines[0], (name, lines)
    assert load_model() is not None  # the packaged file is whole


@pytest.mark.parametrize("name", ["missing", "cut in half", "weights cut", "no such n-grams"])
def test_with_a_damaged_model_every_channel_answers_with_the_rules_reading(name, tmp_path, monkeypatch, caplog):
    """ask(), `explain` (explain_paste) and POST /api/ask: the rules' reading (none for this paste), no error."""
    monkeypatch.setattr(learned, "MODEL_FILE", _damaged(tmp_path)[name])
    monkeypatch.setattr(learned, "_MODEL", [])  # loaded again, now from the damaged file
    with caplog.at_level(logging.WARNING, logger="knowledge.logs.learned"):
        assert knowledge.explain_paste(UNPLACED) is None
        assert knowledge.ask(UNPLACED)["log"] is None
        client = create_app({"DB": str(tmp_path / "web.sqlite3"), "SLACK": "off"}).test_client()
        response = client.post("/api/ask", json={"q": UNPLACED})
    assert response.status_code == 200 and response.get_json()["log"] is None
    warned = [r for r in caplog.records if r.name == "knowledge.logs.learned"]
    assert len(warned) == 1, [r.getMessage() for r in warned]  # once a process, not once a paste


def test_a_model_that_computes_nan_reads_no_cause(monkeypatch):
    """NaN weights make every margin NaN, which is not above the threshold: no reading (a "margin": NaN would also
    be invalid JSON for the widget)."""
    m = learned.model()
    assert m is not None
    m = m._replace(threshold=0.0)  # below UNPLACED's margin (0.2-0.4), so the model reads it before the NaNs
    monkeypatch.setattr(learned, "_MODEL", [m])
    assert learned_cause(UNPLACED) is not None
    monkeypatch.setattr(learned, "_MODEL", [m._replace(weights=array("f", [math.nan]) * len(m.weights))])
    assert learned_cause(UNPLACED) is None
    assert knowledge.ask(UNPLACED)["log"] is None


@pytest.mark.parametrize(
    "text",
    [
        UNPLACED + "\n" + "\ud800\udfff\udc00x" * 1000,  # unpaired surrogates (JSON's \ud800 arrives as one)
        UNPLACED.replace("登录", "登\x00录") + "\x00" * 1000,
        "\u202e" + UNPLACED + "\u200f\u202b" * 1000,  # right-to-left marks and overrides
        UNPLACED + "\n" + "abc " * 250_000,  # 1 MB of one n-gram
        "\ufeff" + UNPLACED + "\r\n\x1b[31m\x07",
    ],
    ids=["surrogates", "nul", "rtl", "one-ngram-1MB", "bom-ansi"],
)
def test_untrusted_text_is_read_without_error(text):
    result = learned_cause(text)
    assert result is None or result["learned"] is True
    shown = knowledge.explain_paste(text)
    assert shown is None or shown["cause"] in knowledge.log_causes()
    json.dumps(knowledge.ask(text[:16_000]))  # what /api/ask returns, the web's longest question


def test_one_huge_line_is_read_in_bounded_time():
    """Whether a text holds pasted output was decided on all of it; the CLI's stdin takes 64 MB and one 8 MB line
    took seconds (1.3 s a MB, growing with the input). It reads what the rules read now: the last
    knowledge.logs.MAX_INPUT characters, each line cut at MAX_LINE."""
    learned.model()
    for text in ("拉取失败：认证失败，请先登录" + "失" * 8_000_000, "error: " + "a b " * 2_000_000):
        start = time.perf_counter()
        learned_cause(text)
        assert time.perf_counter() - start < 2.0
    assert learned.pasted("x" * 10_000_000 + "\nError: denied")
    assert not learned.pasted("I have a question about my registry, please help me with it " * 3)
