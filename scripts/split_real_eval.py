"""Add labelled real posts to the real-text evaluation sets, split once into tuning and blind halves.

Usage:
    python scripts/split_real_eval.py NEW_ITEMS.jsonl     # validate, then add the new items to both halves
    python scripts/split_real_eval.py --check             # validate the committed files only
    python scripts/split_real_eval.py --check --readme    # ... and rewrite the README's counts block

Each input line is one real post, labelled before the product ever saw it:

    {"q": "...", "faq": 1-20 | null, "lang": "zh" | "en" | "mixed",
     "kind": "real-post" | "real-question" | "real-paste", "vendor": null | "tcr" | "docker-hub" | ...,
     "source": "https://...", "note": "..." (optional), "batch": "r2" (optional; absent = round 1),
     "log": {"cause": CODE | null, "also_ok": [...], "tool": ..., "host": ..., "image": ..., "tag": ...} (optional)}

A post goes to exactly one half, so a pasted log never sits in a tuning FAQ file while the same text is blind in
the log file. The assignment is stratified: posts are taken in a fixed order (FAQ label, then log cause, then a
seeded hash of the source and text) and each one goes to the half that has fewer posts of its FAQ label, then
fewer of its log cause, then fewer of its log's tool, then fewer of its vendor, counting only posts of the same
batch; a seeded hash bit breaks full ties. Posts already in the files keep their half, so running
the script again with more posts (appending) never moves an earlier post and keeps both halves balanced.

A new post is skipped when its thread (source) is already in the files or in an older log set
(tests/data/log_heldout.jsonl, tests/data/log_dev/), or when its text is one already in the files under another
source (a cross-post, or the same message with other trimming: see same_text()).

An optional "batch" key marks the collection round a post came from ("r2", "r3", ...; posts of the first round
have none), so each round can be reported apart. It is copied to the post's log line, and --check verifies that a
post's FAQ line and log line carry the same batch.

The blind halves (faq_blind.jsonl, logs_blind.jsonl) are report-only: this script writes them and checks their
format, and prints only counts per label.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

from knowledge.logs import CODES

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "real"
SEED = "tcr-doctor/real-eval/2026-12-04"
HALVES = ("tune", "blind")

LANGS = {"zh", "en", "mixed"}
KINDS = {"real-post", "real-question", "real-paste"}
TOOLS = {
    "other",
    "docker",
    "podman",
    "containerd",
    "kubelet",
    "skopeo",
    "crictl",
    "helm",
    "go",
    "nerdctl",
    "buildah",
    "curl",
}
# The cause codes of the "pasted-log causes" table (README.md, docs/logs.md): the log reader's own list, read
# as data only (labels are fixed from the texts; the product never runs on them here).
CAUSES = frozenset(CODES)
FAQ_KEYS = ("q", "faq", "lang", "kind", "vendor", "source", "note", "batch")
# Round 1 is written as no "batch" key (the files predate the marker), so a batch names round 2 or later.
BATCH = re.compile(r"r(?:[2-9]|[1-9][0-9]+)")
ROUND_1 = "r1"
LOG_KEYS = ("cause", "also_ok", "tool", "host", "image", "tag")
# Older log sets whose threads a new post must not come from (their lines were rewritten and have been studied).
OLDER_SETS = (ROOT / "tests" / "data" / "log_heldout.jsonl", ROOT / "tests" / "data" / "log_dev")
# Two posts are "the same text" (a cross-post, or one thread copied twice with other trimming) when their word
# 5-gram sets overlap this much; a shared common error line alone stays below both bounds.
SAME_TEXT_JACCARD, SAME_TEXT_MIN = 0.8, 30
CONTAINED, CONTAINED_MIN = 0.9, 60


def item_key(item: dict) -> str:
    """A stable identity for a post: its source and its text."""
    text = item.get("q") if "q" in item else item["text"]
    return hashlib.sha256(f"{item['source']}\n{text}".encode()).hexdigest()


def _hash(key: str) -> str:
    return hashlib.sha256(f"{SEED}\n{key}".encode()).hexdigest()


def shingles(text: str) -> frozenset[tuple[str, ...]]:
    """The word 5-grams of a text (lower-cased), used to find the same post copied twice."""
    words = re.findall(r"\w+", text.lower())
    return frozenset(tuple(words[i : i + 5]) for i in range(max(1, len(words) - 4)))


def same_text(a: frozenset, b: frozenset) -> bool:
    """Whether two shingle sets are one post: nearly equal, or one a trimmed copy of the other."""
    shared = len(a & b)
    if not shared:
        return False
    smaller = min(len(a), len(b))
    if smaller >= SAME_TEXT_MIN and shared / len(a | b) >= SAME_TEXT_JACCARD:
        return True
    return smaller >= CONTAINED_MIN and shared / smaller >= CONTAINED


def older_sources() -> set[str]:
    """The sources cited by the older log sets (tests/data/log_heldout.jsonl, tests/data/log_dev/)."""
    paths: list[Path] = []
    for path in OLDER_SETS:
        paths += sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    return {str(row["source"]) for path in paths for row in _read(path) if row.get("source")}


def validate(item: dict, where: str) -> list[str]:
    """Return the problems of one input item (empty when it is well-formed)."""
    errors = []
    q = item.get("q")
    if not isinstance(q, str) or not q.strip():
        errors.append(f"{where}: empty q")
        q = ""
    if len(q) > 4500:
        errors.append(f"{where}: q has {len(q)} characters (trim to the first ~4,000)")
    faq = item.get("faq")
    if faq is not None and not (isinstance(faq, int) and 1 <= faq <= 20):
        errors.append(f"{where}: faq must be 1-20 or null, not {faq!r}")
    if item.get("lang") not in LANGS:
        errors.append(f"{where}: lang {item.get('lang')!r}")
    if item.get("kind") not in KINDS:
        errors.append(f"{where}: kind {item.get('kind')!r}")
    if not str(item.get("source", "")).startswith("http"):
        errors.append(f"{where}: source must be a URL")
    if "batch" in item and not (isinstance(item["batch"], str) and BATCH.fullmatch(item["batch"])):
        errors.append(f"{where}: batch must be 'r2', 'r3', ... (absent for round 1), not {item['batch']!r}")
    if faq is not None and item.get("vendor") not in (None, "tcr"):
        errors.append(f"{where}: another vendor ({item['vendor']}) with a TCR entry")
    log = item.get("log")
    if log is not None:
        if log.get("cause") is not None and log["cause"] not in CAUSES:
            errors.append(f"{where}: unknown cause {log['cause']!r}")
        also = log.get("also_ok", [])
        if not isinstance(also, list) or any(code not in CAUSES for code in also) or len(also) > 3:
            errors.append(f"{where}: also_ok {also!r}")
        if log.get("tool") not in TOOLS:
            errors.append(f"{where}: tool {log.get('tool')!r}")
        for field in ("host", "image", "tag"):
            value = log.get(field)
            if value is not None and value not in q:
                errors.append(f"{where}: {field} {value!r} is not a substring of the text")
    return errors


def batch_of(row: dict) -> str:
    """The collection round of a committed line: its "batch", or "r1" when it has none."""
    return row.get("batch") or ROUND_1


def faq_line(item: dict) -> dict:
    line = {key: item.get(key) for key in FAQ_KEYS}
    for optional in ("note", "batch"):
        if not line[optional]:
            del line[optional]
    return line


def log_line(item: dict) -> dict:
    log = item["log"]
    line = {"text": item["q"]}
    line.update({key: log.get(key) for key in LOG_KEYS})
    line["also_ok"] = list(log.get("also_ok", []))
    line["source"] = item["source"]
    if item.get("batch"):
        line["batch"] = item["batch"]
    return line


def _read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    path.write_text(body, encoding="utf-8")


def load_current() -> dict[str, dict[str, list[dict]]]:
    """The committed files: {"tune": {"faq": [...], "logs": [...]}, "blind": {...}}."""
    return {
        half: {"faq": _read(OUT / f"faq_{half}.jsonl"), "logs": _read(OUT / f"logs_{half}.jsonl")} for half in HALVES
    }


def assign(new_items: list[dict], current: dict) -> dict[str, list[dict]]:
    """Give each new post a half; return {"tune": [...], "blind": [...]} of the new posts."""
    # Counted per batch, so each round's halves are balanced on their own and can be reported apart.
    faq_count = {half: Counter((batch_of(row), row["faq"]) for row in current[half]["faq"]) for half in HALVES}
    cause_count = {half: Counter((batch_of(row), row["cause"]) for row in current[half]["logs"]) for half in HALVES}
    # Then by the log's tool and the post's vendor, so a round's halves also get a similar mix of programs and
    # registries (round 3 ended with crictl 3/0 and "no vendor named" 23/10). These only break ties of the
    # label and cause counts, so those stay balanced exactly as before.
    tool_count = {half: Counter((batch_of(row), row["tool"]) for row in current[half]["logs"]) for half in HALVES}
    vendor_count = {half: Counter((batch_of(row), row["vendor"]) for row in current[half]["faq"]) for half in HALVES}

    def order(item: dict) -> tuple:
        log = item.get("log")
        cause = "~" if log is None else str(log.get("cause"))
        return (str(item["faq"]), cause, _hash(item_key(item)))

    out: dict[str, list[dict]] = {half: [] for half in HALVES}
    for item in sorted(new_items, key=order):
        log = item.get("log")
        label = (batch_of(item), item["faq"])
        cause = (batch_of(item), None if log is None else log.get("cause"))
        tool = (batch_of(item), None if log is None else log.get("tool"))
        vendor = (batch_of(item), item.get("vendor"))
        by_faq = faq_count["tune"][label] - faq_count["blind"][label]
        by_cause = 0 if log is None else cause_count["tune"][cause] - cause_count["blind"][cause]
        by_tool = 0 if log is None else tool_count["tune"][tool] - tool_count["blind"][tool]
        by_vendor = vendor_count["tune"][vendor] - vendor_count["blind"][vendor]
        balance = (by_faq, by_cause, by_tool, by_vendor)
        if any(balance):
            half = "blind" if balance > (0, 0, 0, 0) else "tune"
        else:
            half = HALVES[int(_hash(item_key(item))[-1], 16) % 2]
        out[half].append(item)
        faq_count[half][label] += 1
        vendor_count[half][vendor] += 1
        if log is not None:
            cause_count[half][cause] += 1
            tool_count[half][tool] += 1
    return out


def check(current: dict) -> list[str]:
    """Format checks of the committed files, and that no post is in both halves."""
    errors = []
    seen: dict[str, str] = {}
    batches: dict[str, str] = {}
    for half in HALVES:
        for row in current[half]["faq"]:
            item = dict(row)
            errors += validate(item, f"faq_{half}")
            key = item_key(row)
            if seen.get(key, half) != half:
                errors.append(f"faq_{half}: a post is in both halves: {row['source']}")
            seen[key] = half
            batches[key] = batch_of(row)
        for row in current[half]["logs"]:
            item = {"q": row["text"], "faq": None, "lang": "en", "kind": "real-paste", "source": row["source"]}
            item["log"] = {key: row.get(key) for key in LOG_KEYS}
            if "batch" in row:
                item["batch"] = row["batch"]
            errors += validate(item, f"logs_{half}")
            key = item_key(row)
            if seen.get(key, half) != half:
                errors.append(f"logs_{half}: a post is in both halves: {row['source']}")
            seen[key] = half
            if key in batches and batches[key] != batch_of(row):
                errors.append(f"logs_{half}: batch {batch_of(row)} differs from the post's FAQ line: {row['source']}")
    return errors


def summary(current: dict) -> str:
    """Counts per label and half (never the posts themselves)."""
    lines = []
    for half in HALVES:
        faq = current[half]["faq"]
        logs = current[half]["logs"]
        in_scope = sum(1 for row in faq if row["faq"] is not None)
        labels = Counter("null" if row["faq"] is None else row["faq"] for row in faq)
        causes = Counter(str(row["cause"]) for row in logs)
        lines.append(f"{half}: {len(faq)} faq items ({in_scope} in scope), {len(logs)} log items")
        rounds = Counter(batch_of(row) for row in faq)
        round_logs = Counter(batch_of(row) for row in logs)
        lines.append("  batch: " + ", ".join(f"{k}={rounds[k]} ({round_logs[k]} logs)" for k in sorted(rounds)))
        lines.append("  faq: " + ", ".join(f"{k}={labels[k]}" for k in sorted(labels, key=str)))
        lines.append("  cause: " + ", ".join(f"{k}={causes[k]}" for k in sorted(causes)))
    return "\n".join(lines)


def _label_order(value) -> tuple:
    """FAQ numbers in order, then names alphabetically, "null" last."""
    if isinstance(value, int):
        return (0, value, "")
    return (2 if value == "null" else 1, 0, str(value))


def counts_markdown(current: dict) -> str:
    """Markdown tables of counts per label, kind and language for each half (no post text).

    Each table has a tune and a blind column for the whole files, then the same two columns for every batch after
    round 1 ("r2 tune", "r2 blind", ...), so a round can be reported apart.
    """
    out = []
    faq = {half: current[half]["faq"] for half in HALVES}
    logs = {half: current[half]["logs"] for half in HALVES}
    total = sum(len(rows) for rows in faq.values())
    in_scope = sum(1 for rows in faq.values() for row in rows if row["faq"] is not None)
    n_logs = sum(len(rows) for rows in logs.values())
    later = sorted({batch_of(row) for rows in faq.values() for row in rows} - {ROUND_1}, key=lambda b: int(b[1:]))
    out.append(f"{total} posts ({in_scope} in scope), {n_logs} of them with a labelled log.")
    for batch in later:
        posts = sum(1 for rows in faq.values() for row in rows if batch_of(row) == batch)
        batch_logs = sum(1 for rows in logs.values() for row in rows if batch_of(row) == batch)
        out.append(f"Batch {batch}: {posts} posts, {batch_logs} with a labelled log.")
    out.append("")

    def table(title: str, rows_by_half: dict, key) -> None:
        columns = [(half, None) for half in HALVES] + [(half, batch) for batch in later for half in HALVES]
        counts = {
            (half, batch): Counter(key(row) for row in rows_by_half[half] if batch is None or batch_of(row) == batch)
            for half, batch in columns
        }
        labels = sorted(set().union(*counts.values()), key=_label_order)
        names = [half if batch is None else f"{batch} {half}" for half, batch in columns]
        out.append(f"| {title} | " + " | ".join(names) + " |")
        out.append("| --- |" + " --- |" * len(columns))
        for label in labels:
            out.append(f"| {label} | " + " | ".join(str(counts[column][label]) for column in columns) + " |")
        out.append("")

    table("FAQ entry", faq, lambda row: "null" if row["faq"] is None else row["faq"])
    table("kind", faq, lambda row: row["kind"])
    table("lang", faq, lambda row: row["lang"])
    table("vendor", faq, lambda row: str(row["vendor"]).replace("None", "null"))
    table("log cause", logs, lambda row: "null" if row["cause"] is None else row["cause"])
    table("log tool", logs, lambda row: row["tool"])
    return "\n".join(out)


def write_readme_counts(current: dict) -> None:
    """Replace the generated counts block of tests/data/real/README.md."""
    path = OUT / "README.md"
    text = path.read_text(encoding="utf-8")
    start, end = "<!-- counts:start -->", "<!-- counts:end -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{counts_markdown(current)}\n{end}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Validate new items and add them to the halves, or only check the committed files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("items", nargs="?", type=Path, help="JSON Lines of newly labelled posts")
    parser.add_argument("--check", action="store_true", help="only validate the committed files")
    parser.add_argument("--readme", action="store_true", help="also rewrite the counts block of the README")
    args = parser.parse_args(argv)

    current = load_current()
    errors = check(current)
    if args.check or args.items is None:
        print("\n".join(errors) if errors else summary(current))
        if args.readme and not errors:
            write_readme_counts(current)
        return 1 if errors else 0

    known = {item_key(row) for half in HALVES for row in current[half]["faq"]}
    # A thread already in the files (even with other trimming) is not added again: a second copy of the same
    # first message could land in the other half. Only the new item's own source is printed.
    known_sources = {row["source"] for half in HALVES for row in current[half]["faq"]} | older_sources()
    # The same first message under another source (a cross-post) or copied twice with other trimming.
    known_texts = [shingles(row["q"]) for half in HALVES for row in current[half]["faq"]]
    new_items, skipped = [], 0
    for number, line in enumerate(args.items.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        errors += validate(item, f"{args.items.name}:{number}")
        if item_key(item) in known:
            print(f"{args.items.name}:{number}: already in the files, skipped: {item.get('source')}", file=sys.stderr)
            skipped += 1
            continue
        if item.get("source") in known_sources:
            print(
                f"{args.items.name}:{number}: thread already in the files or an older set, skipped: {item['source']}",
                file=sys.stderr,
            )
            skipped += 1
            continue
        text = shingles(str(item.get("q", "")))
        if any(same_text(text, other) for other in known_texts):
            print(f"{args.items.name}:{number}: text already in the files, skipped: {item['source']}", file=sys.stderr)
            skipped += 1
            continue
        known.add(item_key(item))
        known_sources.add(item["source"])
        known_texts.append(text)
        new_items.append(item)
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1

    for half, items in assign(new_items, current).items():
        current[half]["faq"] += [faq_line(item) for item in items]
        current[half]["logs"] += [log_line(item) for item in items if item.get("log") is not None]
        _write(OUT / f"faq_{half}.jsonl", current[half]["faq"])
        _write(OUT / f"logs_{half}.jsonl", current[half]["logs"])
    if args.readme:
        write_readme_counts(current)
    print(f"added {len(new_items)} posts ({skipped} already present)")
    print(summary(current))
    return 0


if __name__ == "__main__":
    sys.exit(main())
