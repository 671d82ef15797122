"""Knowledge loader: the real base loads; every kind of bad file fails naming the file and the field."""

from __future__ import annotations

import re

import pytest

from diagnostics.checks import names as check_names
from knowledge.kb import KnowledgeError, load_kb

GOOD = """id = "{id}"
number = {number}
category = {{ zh = "其他", en = "Other" }}
edition = "both"
diagnostics = ["dns"]
keywords = {{ zh = ["关键词"], en = ["keyword"] }}
error_signatures = ["no such host", "/dial tcp [^ ]+:443/"]

[question]
zh = "问题{number}？"
en = "Question {number}?"

[answer]
zh = "答案。"
en = "Answer."

[phrasings]
zh = ["问法"]
en = ["another way to ask"]

[[links]]
title = {{ zh = "文档", en = "Docs" }}
url = "https://cloud.tencent.com/document/product/1141/1"
"""


def write(tmp_path, number=1, entry_id="sample-entry", text=None, name=None):
    body = GOOD.format(id=entry_id, number=number) if text is None else text
    path = tmp_path / (name or f"{number:02d}-{entry_id}.toml")
    path.write_text(body, encoding="utf-8")
    return path


def test_real_knowledge_base_loads():
    kb = load_kb()
    assert [e.number for e in kb.entries] == list(range(1, len(kb.entries) + 1))
    assert len(kb.entries) == 20
    assert re.fullmatch(r"[0-9a-f]{12}", kb.version)
    for e in kb.entries:
        assert e.question["zh"] and e.question["en"] and e.answer["zh"] and e.answer["en"]
        assert set(e.diagnostics) <= set(check_names())
        assert kb.by_id[e.id] is e


def test_good_file_and_version_changes_with_content(tmp_path):
    write(tmp_path)
    kb1 = load_kb(tmp_path)
    assert kb1.entries[0].links[0].url.startswith("https://")
    assert load_kb(tmp_path).version == kb1.version
    write(tmp_path, text=GOOD.format(id="sample-entry", number=1).replace("答案。", "新的答案。"))
    assert load_kb(tmp_path).version != kb1.version


@pytest.mark.parametrize(
    "old,new,field",
    [
        ('id = "sample-entry"\n', "", "id"),
        ("number = 1\n", 'number = "1"\n', "number"),
        ("number = 1\n", "number = 0\n", "number"),
        ('edition = "both"', 'edition = "premium"', "edition"),
        ('diagnostics = ["dns"]', 'diagnostics = ["dns", "ping"]', "diagnostics[1]"),
        ('diagnostics = ["dns"]', 'diagnostics = "dns"', "diagnostics"),
        ('en = "Answer."', 'en = ""', "answer.en"),
        ('en = "Answer."\n', "", "answer.en"),
        ('zh = "问题1？"', "zh = 7", "question.zh"),
        ('en = ["another way to ask"]', "en = []", "phrasings.en"),
        ('url = "https://cloud.tencent.com/document/product/1141/1"', 'url = "ftp://example.com/x"', "links[0].url"),
        ('title = { zh = "文档", en = "Docs" }', 'title = { zh = "文档" }', "links[0].title.en"),
        ('"no such host"', '"No Such Host"', "error_signatures[0]"),
        ('"/dial tcp [^ ]+:443/"', '"/dial tcp [/"', "error_signatures[1]"),
        ('edition = "both"', 'edition = "both"\ncolour = "red"', "colour"),
        (
            'category = { zh = "其他", en = "Other" }',
            'category = { zh = "其他", en = "Other", fr = "Autre" }',
            "category.fr",
        ),
    ],
)
def test_bad_field_is_named(tmp_path, old, new, field):
    text = GOOD.format(id="sample-entry", number=1)
    assert old in text
    write(tmp_path, text=text.replace(old, new, 1))
    with pytest.raises(KnowledgeError) as err:
        load_kb(tmp_path)
    msg = str(err.value)
    assert "01-sample-entry.toml" in msg
    assert f": {field}:" in msg, msg


def test_invalid_toml_names_file(tmp_path):
    write(tmp_path, text="id = \n")
    with pytest.raises(KnowledgeError, match=r"01-sample-entry\.toml: \(file\): invalid TOML"):
        load_kb(tmp_path)


def test_duplicate_ids_and_numbers(tmp_path):
    write(tmp_path, 1, "same-id")
    write(tmp_path, 2, "same-id", text=GOOD.format(id="same-id", number=2))
    with pytest.raises(KnowledgeError, match="id: 'same-id' is also used by 01-same-id.toml"):
        load_kb(tmp_path)


def test_numbers_must_be_contiguous(tmp_path):
    write(tmp_path, 1, "first")
    write(tmp_path, 3, "third")
    with pytest.raises(KnowledgeError, match=r"number: .*missing \[2\]"):
        load_kb(tmp_path)


def test_file_name_must_match(tmp_path):
    write(tmp_path, 1, "sample-entry", name="02-sample-entry.toml")
    with pytest.raises(KnowledgeError, match="number: 1 does not match the file name prefix 02"):
        load_kb(tmp_path)
    (tmp_path / "02-sample-entry.toml").unlink()
    write(tmp_path, 1, "sample-entry", name="01-other-name.toml")
    with pytest.raises(KnowledgeError, match="01-other-name.toml: id:"):
        load_kb(tmp_path)


def test_empty_or_missing_directory(tmp_path):
    with pytest.raises(KnowledgeError, match="no knowledge files"):
        load_kb(tmp_path)
    with pytest.raises(KnowledgeError, match="not found"):
        load_kb(tmp_path / "nope")


# ---------------------------------------------------------------- declared facets (docs/matching.md, "Facets")


@pytest.mark.parametrize(
    "facets,field",
    [
        ('facets = "count"', "facets: must be a table"),
        ('facets = { verbs = ["count"] }', "facets.verbs: unknown field (allowed: actions, objects, requires)"),
        ('facets = { actions = "count" }', "facets.actions: must be a list of facet ids"),
        ('facets = { actions = ["Count"] }', "facets.actions[0]: 'Count' is not a facet id"),
        (
            'facets = { actions = ["teleport"] }',
            "facets.actions[0]: 'teleport' is not a [[facet]] of knowledge/concepts.toml",
        ),
        ('facets = { actions = ["tag"] }', "facets.actions[0]: 'tag' is an object, not an action"),
        ('facets = { objects = ["delete"] }', "facets.objects[0]: 'delete' is an action, not an object"),
    ],
)
def test_bad_facets_name_the_field(tmp_path, facets, field):
    text = GOOD.format(id="sample-entry", number=1).replace('edition = "both"', 'edition = "both"\n' + facets)
    write(tmp_path, text=text)
    with pytest.raises(KnowledgeError) as exc:
        load_kb(tmp_path)
    msg = str(exc.value)
    assert "01-sample-entry.toml: " in msg and field in msg, msg


def test_good_facets_are_kept(tmp_path):
    text = GOOD.format(id="sample-entry", number=1).replace(
        'edition = "both"', 'edition = "both"\nfacets = { actions = ["count", "who"], objects = ["tag"] }'
    )
    write(tmp_path, text=text)
    e = load_kb(tmp_path).entries[0]
    assert e.facets == {"actions": ("count", "who"), "objects": ("tag",)}
    write(tmp_path, text=GOOD.format(id="sample-entry", number=1))
    assert load_kb(tmp_path).entries[0].facets == {}
