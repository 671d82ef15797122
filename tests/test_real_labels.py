"""The label-change list of tests/data/real/README.md is true of the label files (issue 11, label consistency).

Each listed change names a line by half, round and source; the line must carry the new label, so a later edit that
reverts a change, or a list entry with a typo, fails here. Only tuning lines and the measured r1–r5 blind lines are
read; a round-6 blind line is never looked at.
"""

import json
import re
from pathlib import Path

REAL = Path(__file__).resolve().parent / "data" / "real"
MEASURED = {None, "r2", "r3", "r4", "r5"}  # round 1 lines carry no batch
ENTRY = re.compile(r"^- (tune|blind) (r[1-5]), (\S+): (.+?) → (.+?); (C\d)(?: \(.*\))?$")
LABEL = re.compile(r"^`([A-Z_]+|null)`(?: \(([A-Z_, ]+)\))?$")


def _label(text: str) -> tuple[str | None, list[str]]:
    match = LABEL.match(text)
    assert match, f"unreadable label {text!r}"
    cause = None if match.group(1) == "null" else match.group(1)
    return cause, [code.strip() for code in match.group(2).split(",")] if match.group(2) else []


def _listed_changes() -> list[dict]:
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- label-changes:start -->", 1)[1].split("<!-- label-changes:end -->", 1)[0]
    changes = []
    for line in block.splitlines():
        if line.startswith("- "):
            match = ENTRY.match(line)
            assert match, f"unreadable entry: {line}"
            half, batch, source, old, new, rule = match.groups()
            changes.append({"half": half, "batch": batch, "source": source, "old": _label(old), "new": _label(new)})
    header = re.search(r"^(\d+) labels changed \(", block, re.M)
    assert header and int(header.group(1)) == len(changes), "the count line disagrees with the list"
    return changes


def _measured_labels(half: str) -> dict[str, tuple[str, tuple[str | None, list[str]]]]:
    labels = {}
    for line in (REAL / f"logs_{half}.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("batch") in MEASURED:
            labels[row["source"]] = (row.get("batch") or "r1", (row["cause"], row["also_ok"]))
    return labels


def test_every_listed_label_change_is_in_the_files():
    changes = _listed_changes()
    assert changes, "the README lists no label change"
    files = {"tune": _measured_labels("tune"), "blind": _measured_labels("blind")}
    for change in changes:
        found = files[change["half"]].get(change["source"])
        assert found is not None, f"{change['half']} {change['source']}: no r1-r5 line with that source"
        batch, label = found
        assert batch == change["batch"], f"{change['source']}: listed as {change['batch']}, the line is {batch}"
        assert label == change["new"], f"{change['source']}: the line is not relabelled as listed"
        assert change["old"] != change["new"], f"{change['source']}: listed with the same old and new label"


def test_a_line_is_listed_once():
    keys = [(change["half"], change["source"]) for change in _listed_changes()]
    assert len(keys) == len(set(keys))
