"""`tcr-doctor kb export`: write what support leads taught in the console (the database overlay) into the
knowledge files, for review in version control: phrasings into knowledge/faq/NN-<id>.toml, out-of-scope topics
into knowledge/out_of_scope.toml. Texts already in a file are skipped, so running it twice changes nothing."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

from bot.commands import add_lang_argument, default_lang, say, usage_error
from bot.commands.db import add_database_argument
from bot.console.overlay import texts_by_lang
from bot.console.store import ConsoleStore
from bot.messages import cannot_read, message
from bot.storage import DatabaseUnavailable, Storage, database_url, sqlite_path
from diagnostics import LANGS
from knowledge import FAQ_DIR, OUT_OF_SCOPE_PATH, KnowledgeError, load_kb, load_topics

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from bot.commands import Declarations
    from knowledge import KnowledgeBase


def add_arguments(parser: Declarations) -> None:
    """Arguments of `tcr-doctor kb`."""
    parser.add_argument(
        "action",
        choices=["export"],
        help={"zh": "export：把教过的内容写入 knowledge/", "en": "export: write the taught overlay into knowledge/"},
    )
    add_database_argument(parser)
    parser.add_argument(
        "--faq-dir",
        default=None,
        help={
            "zh": "FAQ 目录（默认为软件包的 knowledge/faq/）",
            "en": "FAQ directory (default the package's knowledge/faq/)",
        },
    )
    parser.add_argument(
        "--topics",
        default=None,
        help={
            "zh": "范围外话题文件（默认 knowledge/out_of_scope.toml）",
            "en": "out-of-scope file (default knowledge/out_of_scope.toml)",
        },
    )
    add_lang_argument(parser)


# What `kb export` says, in both languages (what every command says about unusable input: bot.messages).
MESSAGES = {
    "no_entry": {
        "zh": "#{id}：{faq_dir} 中没有条目 {entry!r}；已跳过",
        "en": "#{id}: no entry {entry!r} in {faq_dir}; skipped",
    },
    "does_not_load": {"zh": "导出的文件无法加载：{error}", "en": "the exported files do not load: {error}"},
    "written": {
        "zh": "已把 {added} 条问法写入 {faq_dir}，{topics} 个话题写入 {topics_path}",
        "en": "{added} phrasing(s) written to {faq_dir}, {topics} topic(s) to {topics_path}",
    },
}


def _toml_str(text: str) -> str:
    return json.dumps(" ".join(text.split()), ensure_ascii=False)  # a JSON string is a TOML basic string


def add_phrasings(source: str, lang: str, texts: list[str]) -> tuple[str, int]:
    """`source` (an entry file) with `texts` appended to its [phrasings] `lang` array; (new source, added)."""
    data = tomllib.loads(source)
    have = {" ".join(t.split()).casefold() for t in data.get("phrasings", {}).get(lang, [])}
    new = []
    for t in texts:
        key = " ".join(t.split()).casefold()
        if key and key not in have:
            have.add(key)
            new.append(t)
    if not new:
        return source, 0
    section = re.search(r"^\[phrasings\]\s*$", source, re.M)
    if section is None:
        return source.rstrip("\n") + f"\n\n[phrasings]\n{lang} = [\n" + "".join(
            f"  {_toml_str(t)},\n" for t in new
        ) + "]\n", len(new)
    array = re.compile(rf"^{lang}\s*=\s*\[(.*?)^\]", re.M | re.S).search(source, section.end())
    next_table = re.compile(r"^\[", re.M).search(source, section.end())
    lines = "".join(f"  {_toml_str(t)},\n" for t in new)
    if array is None or (next_table is not None and array.start() > next_table.start()):
        insert_at = next_table.start() if next_table else len(source)
        block = f"{lang} = [\n{lines}]\n"
        return source[:insert_at].rstrip("\n") + "\n" + block + ("\n" if next_table else "") + source[insert_at:], len(
            new
        )
    body = array.group(1).rstrip()
    if body and not body.endswith(","):
        body += ","
    start, end = array.start(1), array.end(1)
    return source[:start] + (body + "\n" if body else "\n") + lines + source[end:], len(new)


def topic_block(row: dict[str, Any]) -> str:
    """The TOML [[topic]] block for an out-of-scope topic taught in the console (the taught language stands in for the
    other until translated)."""
    by_lang = texts_by_lang(row["texts"])
    title, pointer = row.get("topic") or "", row.get("pointer") or ""
    out = [
        f"\n# taught in the console by {row['author']} (#{row['id']}); translate the title and hint before merging",
        "[[topic]]",
        f'id = "taught-{row["id"]}"',
        f"title = {{ zh = {_toml_str(title)}, en = {_toml_str(title)} }}",
    ]
    if pointer:
        out.append(f"hint = {{ zh = {_toml_str(pointer)}, en = {_toml_str(pointer)} }}")
    for lang in LANGS:  # the schema wants both languages: until translated, the other one stands in
        texts = by_lang[lang] or by_lang["en" if lang == "zh" else "zh"]
        out.append(f"phrasings.{lang} = [{', '.join(_toml_str(t) for t in texts)}]")
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    """`tcr-doctor kb export`: write the console's active overlay into the FAQ files and out_of_scope.toml, then load
    them again; exit status 2 when --faq-dir or --topics cannot be read (nothing is written), 1 on a missing database,
    a knowledge base that does not load, or files that do not load after the export."""
    lang = args.lang or default_lang()
    faq_dir: Path = Path(args.faq_dir) if args.faq_dir else FAQ_DIR
    topics_path: Path = Path(args.topics) if args.topics else OUT_OF_SCOPE_PATH
    # both are read before anything is written: a wrong path is a usage error, never a half-done export (nor a new
    # topics file that holds the taught topics alone)
    try:
        os.listdir(faq_dir)
    except OSError as exc:
        return usage_error("kb", cannot_read(faq_dir, exc), lang)
    try:
        existing = topics_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return usage_error("kb", cannot_read(topics_path, exc), lang)
    try:
        kb = load_kb(str(faq_dir))
    except KnowledgeError as exc:
        say("kb", message("invalid_kb", error=exc), lang)
        return 1
    rows = _overlay(args.database_url, lang)
    if rows is None:
        return 1
    added = _write_phrasings(rows, kb, faq_dir, lang)
    new_topics = [r for r in rows if r["kind"] == "topic" and f'id = "taught-{r["id"]}"' not in existing]
    if new_topics:
        topics_path.write_text(existing.rstrip("\n") + "\n" + "".join(topic_block(r) for r in new_topics), "utf-8")
    try:  # what was written must load: a broken file is reported now, not by the next deploy
        kb = load_kb(str(faq_dir))
        load_topics(str(topics_path), entry_ids=kb.by_id)
    except KnowledgeError as exc:
        say("kb", MESSAGES["does_not_load"], lang, error=exc)
        return 1
    say(
        "kb",
        MESSAGES["written"],
        lang,
        file=sys.stdout,
        added=added,
        faq_dir=faq_dir,
        topics=len(new_topics),
        topics_path=topics_path,
    )
    return 0


def _overlay(db: str | None, lang: str) -> list[dict[str, Any]] | None:
    """The console's active overlay in the database DB names; None (said on stderr) when there is no database."""
    url = database_url(db)
    path = sqlite_path(url)
    if path is not None and path != ":memory:" and not os.path.exists(path):
        say("kb", message("no_database", path=path), lang)
        return None
    try:
        storage = Storage(url)
    except DatabaseUnavailable as exc:
        say("kb", exc.message, lang)
        return None
    return ConsoleStore(storage.engine).active_overlay()


def _write_phrasings(rows: list[dict[str, Any]], kb: KnowledgeBase, faq_dir: Path, lang: str) -> int:
    """Append the taught phrasings of ROWS to their entries' files in FAQ_DIR: how many were new."""
    added = 0
    for row in rows:
        if row["kind"] != "phrasings":
            continue
        entry = kb.by_id.get(row["entry_id"])
        if entry is None:
            say("kb", MESSAGES["no_entry"], lang, id=row["id"], entry=row["entry_id"], faq_dir=faq_dir)
            continue
        entry_file = faq_dir / Path(entry.path).name
        source = entry_file.read_text(encoding="utf-8")
        for text_lang, texts in texts_by_lang(row["texts"]).items():  # the texts' languages, not the output's
            source, n = add_phrasings(source, text_lang, texts)
            added += n
        entry_file.write_text(source, encoding="utf-8")
    return added
