"""perf12: speed fixes that must not change a reading (the speed itself is measured by benchmarks, not here)."""

from __future__ import annotations

import pytest

from knowledge.logs import paste

WHITESPACE = [" ", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u2028", "\u3000"]


@pytest.mark.parametrize("blank", [*WHITESPACE, "".join(WHITESPACE), " \t \u3000 \r"])
def test_a_blank_line_cleans_to_nothing(blank):
    # clean_lines() skips _clean_line() for a line of whitespace alone: that is only right while such a line cleans
    # to "" (its markup, stamp and emphasis substitutions all leave nothing)
    assert blank.isspace()
    assert paste._clean_line(blank) == ""


def test_blank_lines_are_not_cleaned_one_by_one(monkeypatch):
    # '\n' * 500_000 pasted into `explain` spent 0.3 s of its 0.42 s of CPU in _clean_line's six substitutions per
    # blank line (0.13 s after); the lines kept, and the blank line that parts them, are as before
    cleaned: list[str] = []
    real = paste._clean_line

    def counting(raw: str) -> str:
        cleaned.append(raw)
        return real(raw)

    monkeypatch.setattr(paste, "_clean_line", counting)
    text = "\n" * 1000 + "Error: first\n" + " \t\u3000\n" * 1000 + "\x1b[31mError: second\x1b[0m\n\n"
    assert paste.clean_lines(text) == ["Error: first", "Error: second"]
    assert cleaned == ["Error: first", "Error: second"]


@pytest.mark.parametrize("size", [0, 1, 2, 200])
def test_decision_is_each_classs_dot_product_plus_its_intercept(size):
    # learned.decision() picks the vector's columns from each class's row at once: the same floats, in the same
    # order, as a plain loop over the vector's items (0 and 1 columns take the loop: itemgetter of one is no tuple)
    import random

    from knowledge.logs import learned

    m = learned.model()
    assert m is not None
    width = len(m.idf)
    rnd = random.Random(size)
    vec = {col: rnd.uniform(-1, 1) for col in rnd.sample(range(width), size)}
    want = []
    for k, b in enumerate(m.intercepts):
        total = 0.0
        for col, v in vec.items():
            total += v * m.weights[k * width + col]
        want.append(total + b)
    assert learned.decision(m, vec) == want
    assert len(want) == len(m.classes) > 2
