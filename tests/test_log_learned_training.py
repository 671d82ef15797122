"""The learned part's training script (scripts/train_log_fallback.py) and what it wrote: which files a run trains on
(a missing seen copy of the blind rounds stops the run instead of training on the tuning half alone, as once
happened silently), never the blind half, and the shipped model's margins are the ones the script gives (the file
is a run of the script as it is); and a wording that names its cause is left in the rules' order whatever the
re-ranker learned. scikit-learn is not needed: nothing here trains."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from knowledge.logs import explain, learned
from knowledge.logs.learned import load_model
from tests.test_log_reorder import toy_reorder

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("train_log_fallback", ROOT / "scripts" / "train_log_fallback.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("train_log_fallback", module)
    spec.loader.exec_module(module)
    return module


def test_a_missing_seen_copy_stops_the_run_with_a_clear_error(script, tmp_path):
    missing = tmp_path / "logs_blind_r1-r99.jsonl"
    with pytest.raises(SystemExit, match="no seen copy of the blind rounds"):
        script.training_paths(str(missing))


def test_the_tuning_half_alone_must_be_asked_for(script, tmp_path):
    assert script.training_paths("none") == [script.TUNE]
    seen = tmp_path / "seen.jsonl"
    seen.write_text(json.dumps({"text": "x", "cause": None}) + "\n", encoding="utf-8")
    assert script.training_paths(str(seen)) == [script.TUNE, seen]


def test_the_blind_half_is_never_loaded(script):
    with pytest.raises(SystemExit, match="refusing to train on the blind half"):
        script.load([script.TUNE.parent / "logs_blind.jsonl"])


def test_rows_of_round_one_get_their_batch_and_a_null_cause_reads_none(script, tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text(
        json.dumps({"text": "a", "cause": None})
        + "\n\n"
        + json.dumps({"text": "b", "cause": "TAG_NOT_FOUND", "batch": "r4"}),
        encoding="utf-8",
    )
    rows = script.load([path])
    assert [(r["batch"], r["label"]) for r in rows] == [("r1", "NONE"), ("r4", "TAG_NOT_FOUND")]


def test_the_shipped_model_was_written_with_the_scripts_margins(script):
    m = load_model()
    assert m is not None
    assert (m.threshold, m.override) == (script.THRESHOLD, script.OVERRIDE)
    assert m.trained["script"] == "scripts/train_log_fallback.py"
    assert any(f.endswith(script.SEEN.name) for f in m.trained["files"])  # both halves, not the tuning half alone


# docker's answer for a repository the registry does not know: the wording names its cause (REPO_NOT_FOUND), with a
# missing tag among the alternatives, a pair the shipped re-ranker weighs
NAME_UNKNOWN = (
    "Error response from daemon: manifest for shop-tcr.tencentcloudcr.com/ns/nosuch:1.0 not found: manifest unknown:"
    " repository name not known to registry"
)


def test_a_wording_that_names_a_missing_repository_keeps_the_rules_order(monkeypatch):
    rules = explain(NAME_UNKNOWN)
    assert rules is not None and rules["pattern"] == "name-unknown" and rules["cause"] == "REPO_NOT_FOUND"
    assert "TAG_NOT_FOUND" in rules["also"]
    # a re-ranker sure of the swap (log-odds 9 for the first alternative) still leaves it
    pair = (rules["cause"], rules["also"][0])
    monkeypatch.setattr(learned, "_REORDER", [toy_reorder(10.0, pairs=frozenset({pair}))])
    assert not learned.reorderable(rules)
    assert learned.learned_cause(NAME_UNKNOWN, rules) is None
