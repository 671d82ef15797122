"""scripts/split_real_eval.py: the batch marker, the append rule and the committed files' format."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def split(tmp_path, monkeypatch):
    """The script as a module, writing into a temporary directory instead of tests/data/real."""
    spec = importlib.util.spec_from_file_location("split_real_eval", ROOT / "scripts" / "split_real_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "OUT", tmp_path)
    return module


def _post(n: int, *, faq=None, cause="TAG_NOT_FOUND", batch=None) -> dict:
    item = {
        "q": f"docker pull example/app:{n}\nmanifest unknown ({n})",
        "faq": faq,
        "lang": "en",
        "kind": "real-paste",
        "vendor": None,
        "source": f"https://example.invalid/issues/{n}",
        "log": {"cause": cause, "also_ok": [], "tool": "docker", "host": None, "image": "example/app", "tag": None},
    }
    if batch is not None:
        item["batch"] = batch
    return item


def _write(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    return path


def _rows(directory: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (directory / name).read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("batch", ["r1", "2", "r0", "r02", "", 2, None])
def test_a_batch_names_round_two_or_later(split, batch):
    item = _post(1)
    item["batch"] = batch
    assert any("batch" in error for error in split.validate(item, "x"))


@pytest.mark.parametrize("batch", ["r2", "r3", "r10"])
def test_round_two_batches_and_unmarked_posts_are_valid(split, batch):
    assert split.validate(_post(1, batch=batch), "x") == []
    assert split.validate(_post(1), "x") == []


def test_append_marks_both_lines_keeps_earlier_posts_and_balances_each_round(split, tmp_path, capsys):
    first = _write(tmp_path / "r1.jsonl", [_post(n) for n in range(5)])
    assert split.main([str(first)]) == 0
    before = {half: _rows(tmp_path, f"faq_{half}.jsonl") for half in split.HALVES}

    second = _write(tmp_path / "r2.jsonl", [_post(n, batch="r2") for n in range(100, 110)])
    assert split.main([str(second)]) == 0
    capsys.readouterr()

    for half in split.HALVES:
        faq = _rows(tmp_path, f"faq_{half}.jsonl")
        logs = _rows(tmp_path, f"logs_{half}.jsonl")
        assert faq[: len(before[half])] == before[half]  # earlier posts never move
        assert all("batch" not in row for row in faq[: len(before[half])])
        new_faq = faq[len(before[half]) :]
        assert {row.get("batch") for row in new_faq} == {"r2"}
        assert {row["source"]: row.get("batch") for row in logs if row.get("batch")} == {
            row["source"]: "r2" for row in new_faq
        }
        # Round 1 is unbalanced (5 posts); round 2 is balanced on its own: 5 and 5.
        assert len(new_faq) == 5
    assert split.check(split.load_current()) == []


def test_check_reports_a_log_line_whose_batch_differs_from_its_post(split, tmp_path, capsys):
    items = _write(tmp_path / "new.jsonl", [_post(n, batch="r2") for n in range(4)])
    assert split.main([str(items)]) == 0
    capsys.readouterr()
    logs = _rows(tmp_path, "logs_tune.jsonl")
    del logs[0]["batch"]
    _write(tmp_path / "logs_tune.jsonl", logs)
    errors = split.check(split.load_current())
    assert len(errors) == 1 and "batch r1 differs" in errors[0]
    assert split.main(["--check"]) == 1


def test_counts_block_reports_rounds_apart(split, tmp_path, capsys):
    items = _write(tmp_path / "new.jsonl", [_post(1), _post(2, batch="r2"), _post(3, batch="r2")])
    assert split.main([str(items)]) == 0
    capsys.readouterr()
    block = split.counts_markdown(split.load_current())
    assert "| FAQ entry | tune | blind | r2 tune | r2 blind |" in block
    assert "| null | 2 | 1 | 1 | 1 |" in block
    assert "Batch r2: 2 posts, 2 with a labelled log." in block


def test_committed_real_sets_are_well_formed():
    spec = importlib.util.spec_from_file_location("split_real_eval_committed", ROOT / "scripts" / "split_real_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.check(module.load_current()) == []


def test_the_same_text_under_another_source_or_an_older_sets_thread_is_skipped(split, tmp_path, monkeypatch, capsys):
    older = _write(
        tmp_path / "heldout.jsonl", [{"text": "x", "cause": None, "source": "https://example.invalid/old/1"}]
    )
    monkeypatch.setattr(split, "OLDER_SETS", (older,))
    long_post = _post(1, batch="r3")
    long_post["q"] = "docker pull example/app\n" + " ".join(f"line {n} of a long log, layer {n * 7}" for n in range(30))
    assert split.main([str(_write(tmp_path / "a.jsonl", [long_post]))]) == 0
    capsys.readouterr()

    cross_post = dict(long_post, source="https://example.invalid/issues/2")  # same message, another thread
    trimmed = dict(long_post, q=long_post["q"][: len(long_post["q"]) * 2 // 3], source="https://example.invalid/3")
    from_older = _post(4, batch="r3")
    from_older["source"] = "https://example.invalid/old/1"
    common_line = _post(5, batch="r3")  # shares only a short, common error line with other posts
    items = _write(tmp_path / "b.jsonl", [cross_post, trimmed, from_older, common_line, _post(6, batch="r3")])
    assert split.main([str(items)]) == 0
    out = capsys.readouterr()
    assert "added 2 posts (3 already present)" in out.out
    assert out.err.count("text already in the files") == 2
    assert "older set, skipped: https://example.invalid/old/1" in out.err
    sources = {row["source"] for half in split.HALVES for row in _rows(tmp_path, f"faq_{half}.jsonl")}
    assert sources == {
        "https://example.invalid/issues/1",
        "https://example.invalid/issues/5",
        "https://example.invalid/issues/6",
    }


def test_same_text_needs_more_than_a_shared_error_line(split):
    error = "Error response from daemon: manifest for example/app:1 not found: manifest unknown: manifest unknown"
    a = split.shingles(f"I ran docker compose up on my laptop and got\n{error}")
    b = split.shingles(f"our CI job fails since yesterday with\n{error}\nany idea?")
    assert not split.same_text(a, b)
    long_text = " ".join(f"step {n}: pulling layer {n * 13} of the image and waiting" for n in range(20))
    assert split.same_text(split.shingles(long_text), split.shingles(long_text + "\n" + error))


def test_within_a_cause_the_halves_also_share_tools_and_vendors(split, tmp_path, capsys):
    # 24 posts of one cause: 8 from crictl (no vendor named), 16 from docker (Docker Hub). Label and cause counts
    # decide first, so they stay 12/12; tool and vendor counts break their ties, so neither lands on one side.
    posts = []
    for n in range(24):
        item = _post(n, batch="r4")
        if n % 3 == 0:
            item["log"]["tool"], item["vendor"] = "crictl", None
        else:
            item["vendor"] = "docker-hub"
        posts.append(item)
    assert split.main([str(_write(tmp_path / "new.jsonl", posts))]) == 0
    capsys.readouterr()
    logs = {half: _rows(tmp_path, f"logs_{half}.jsonl") for half in split.HALVES}
    faq = {half: _rows(tmp_path, f"faq_{half}.jsonl") for half in split.HALVES}
    assert [len(logs[half]) for half in split.HALVES] == [12, 12]
    for tool in ("crictl", "docker"):
        tune, blind = (sum(row["tool"] == tool for row in logs[half]) for half in split.HALVES)
        assert abs(tune - blind) <= 1, (tool, tune, blind)
    for vendor in (None, "docker-hub"):
        tune, blind = (sum(row["vendor"] == vendor for row in faq[half]) for half in split.HALVES)
        assert abs(tune - blind) <= 1, (vendor, tune, blind)


def test_a_tie_of_label_and_cause_goes_to_the_half_with_fewer_of_its_tool_then_vendor(split, tmp_path, capsys):
    def seeded(tool: str, vendor: str | None, n: int) -> dict:
        item = _post(n, batch="r4")
        item["log"]["tool"], item["vendor"] = tool, vendor
        return item

    def start() -> None:
        tune = [seeded("crictl", None, 1), seeded("crictl", None, 2)]
        blind = [seeded("docker", "docker-hub", 3), seeded("docker", "docker-hub", 4)]
        for half, items in (("tune", tune), ("blind", blind)):
            split._write(tmp_path / f"faq_{half}.jsonl", [split.faq_line(item) for item in items])
            split._write(tmp_path / f"logs_{half}.jsonl", [split.log_line(item) for item in items])

    def coin(item: dict) -> str:
        return split.HALVES[int(split._hash(split.item_key(item))[-1], 16) % 2]

    # Label and cause are tied 2/2; the seeded coin alone would put each new post in the tuning half. crictl has
    # 2/0, so a crictl post goes blind; a podman post (tool tied 0/0) with no vendor named (2/0) goes blind too.
    crictl = next(item for n in range(10, 99) if coin(item := seeded("crictl", "docker-hub", n)) == "tune")
    podman = next(item for n in range(100, 199) if coin(item := seeded("podman", None, n)) == "tune")
    for item in (crictl, podman):
        start()
        assert split.main([str(_write(tmp_path / "new.jsonl", [item]))]) == 0
        capsys.readouterr()
        assert item["source"] in {row["source"] for row in _rows(tmp_path, "faq_blind.jsonl")}
