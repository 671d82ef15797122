"""The answer-or-refuse combiner (knowledge/combiner.py, knowledge/combiner.json; issue 11 item 4)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import knowledge
from knowledge import combiner

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_model_is_valid_and_enabled():
    data = json.loads(combiner.PATH.read_text(encoding="utf-8"))
    assert data["enabled"] is True and data["features"] == list(combiner.FEATURES)
    for key in ("weights", "mean", "scale"):
        assert len(data[key]) == len(combiner.FEATURES)
    assert all(s > 0 for s in data["scale"]) and 0 < data["threshold"] < 1
    assert "real_tune" in data["fitted_on"] and not any("blind" in name for name in data["fitted_on"])
    assert combiner.model() is not None


def test_import_is_light():
    code = "import knowledge.combiner, sys; print(sorted(m for m in ('numpy', 'sklearn', 'scipy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_prose_share_tells_sentences_from_pasted_output():
    prose = "我在 TKE 里拉企业版的镜像一直失败，已经按文档配置了 secret，请问还需要检查什么？"
    paste = (
        "$ docker pull shop.tencentcloudcr.com/team/app:1\n"
        "1.0: Pulling from team/app\n"
        'Error response from daemon: Head "https://shop.tencentcloudcr.com/v2/team/app/manifests/1.0": unauthorized'
    )
    assert combiner.prose_share(prose) == 1.0
    assert combiner.prose_share(paste) < 0.3  # "1.0: Pulling from team/app" reads like words
    assert 0.2 < combiner.prose_share(prose + "\n" + paste) < 0.8


def test_features_have_the_declared_length_and_range():
    kb, matcher = knowledge.get_matcher()
    q = "docker login 到企业版实例一直失败"
    x = knowledge.combiner_features(q, matcher.match(q), None)
    assert len(x) == len(combiner.FEATURES)
    assert all(isinstance(v, float) for v in x)
    assert x[combiner.FEATURES.index("rule")] == 1.0 and x[combiner.FEATURES.index("log")] == 0.0


def test_ask_decides_with_the_model(monkeypatch):
    q = "docker login 到企业版实例一直失败，密码是控制台复制的"
    base = combiner.model()
    monkeypatch.setattr(knowledge, "_combiner_model", lambda: {**base, "threshold": 1.01})
    assert knowledge.ask(q)["matched"] is False  # nothing reaches a probability above 1
    monkeypatch.setattr(knowledge, "_combiner_model", lambda: {**base, "threshold": 0.0})
    r = knowledge.ask(q)
    assert r["matched"] and r["answer"]["id"] == "login-failed"
    monkeypatch.setattr(knowledge, "_combiner_model", lambda: None)  # the lexical rule alone
    assert knowledge.ask(q)["matched"]
