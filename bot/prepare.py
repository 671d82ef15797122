"""`python -m bot.prepare`: fill the cache directory once after an install, as scripts/bootstrap does.

The first run of a command after an install (or an upgrade, or an edit of the knowledge files) builds what every later
run reads from the cache directory (diagnostics.cache): the FAQ matcher's index, the FAQ, concepts and log-pattern
files parsed, the log rules, the compiled regular expressions and templates, the code catalogue and the check
declarations. That first `tcr-doctor ask` costs ~1,860 M instructions against ~350 M for the next one (valgrind),
2.0-2.5x `python -c 'import requests'` against 0.7-0.9x (benchmarks/bench_ask.py). This step pays it at install time.

It runs the one-shot commands themselves on sample input of our own and on every FAQ entry's own questions (never anything of a user's), each in a process of
its own: the kept regular expressions are a command's, written when its process ends (bot.cli KEEP_PATTERNS). Every
kept copy is keyed by what it was derived from, so a copy that is stale (a later edit or upgrade) or damaged is
ignored and rebuilt by the first run that needs it, as without this step.
"""

from __future__ import annotations

import subprocess
import sys

from diagnostics import LANGS, cache_dir

# Pasted failures of each family the log reader tells apart (our own text): its rules and the patterns each family's
# reading compiles, besides the FAQ matcher's. Each is read by `explain` and asked with prose around it.
SAMPLE_LOGS = [
    'Error response from daemon: Get "https://demo-tcr.tencentcloudcr.com/v2/": net/http: TLS handshake timeout',
    "Error response from daemon: Get https://demo-tcr.tencentcloudcr.com/v2/: unauthorized: authentication required",
    "denied: requested access to the resource is denied",
    "Error response from daemon: manifest for demo-tcr.tencentcloudcr.com/team/app:1.0 not found: manifest unknown",
    'Error response from daemon: Get "https://demo-tcr.tencentcloudcr.com/v2/": dial tcp: lookup '
    "demo-tcr.tencentcloudcr.com on 127.0.0.53:53: no such host",
    "x509: certificate signed by unknown authority",
    "dial tcp 10.0.0.8:443: connect: connection refused",
    "toomanyrequests: You have reached your pull rate limit",
    "no matching manifest for linux/arm64/v8 in the manifest list entries",
    "received unexpected HTTP status: 500 Internal Server Error",
    "Error saving credentials: error storing credentials - err: exit status 1, out: `pass not initialized`",
]
# Prose around a paste, in both languages (the reader's story of what the user says happened).
PROSE = {
    "en": "After some time pulls fail, the credentials are passed and the repository does exist. Why?",
    "zh": "过了一段时间就拉不下来了，账号密码没错，仓库也存在，为什么？",
}


def samples() -> list[tuple[list[str], str]]:
    """(command line, standard input) of the runs: each output the CLI renders (text and JSON, English and Chinese, a
    question and a pasted log) and every FAQ entry's own questions, so that the first real command finds its index,
    rules, patterns and templates kept."""
    import json

    from knowledge import faq_question, load_kb

    entries = load_kb().entries
    for entry in entries:  # each entry's question as `explain` and `diagnose` cite it (kept per entry)
        faq_question(entry.id)
    questions = [entry.question[lang] for entry in entries for lang in LANGS]
    questions += [f"{PROSE[lang]}\n{log}" for log in SAMPLE_LOGS for lang in reversed(LANGS)]
    batch = "".join(json.dumps({"q": q}, ensure_ascii=False) + "\n" for q in questions)
    runs: list[tuple[list[str], str]] = [
        (["ask", "-"], batch),  # (JSON Lines out: one process, every entry's and family's path)
        (["ask", "docker login says unauthorized: authentication required"], ""),
        (["ask", "--json", "登录实例失败怎么办"], ""),
        (["ask", f"{PROSE['zh']}\n{SAMPLE_LOGS[0]}"], ""),
        (["ask", "--json", f"{PROSE['en']}\n{SAMPLE_LOGS[1]}"], ""),
        (["diagnose", "127.0.0.1", "--only", "name", "--json"], ""),  # the name check alone: nothing is connected to
    ]
    for i, log in enumerate(SAMPLE_LOGS):  # (`explain` reads one paste a run: bare, and with prose in each language)
        lang = LANGS[(i + 1) % 2]  # en, zh, en, …
        for paste in (log, f"{PROSE[lang]}\n{log}"):
            runs.append((["explain", "-", *(["--json"] if i % 4 < 2 else []), "--lang", lang], paste))
    return runs


def prepare() -> list[str]:
    """Run the samples with the cache directory on; returns the command lines that failed (none when all is well)."""
    failed = []
    for argv, stdin in samples():
        run = subprocess.run(
            [sys.executable, "-m", "bot.cli", *argv], input=stdin, capture_output=True, text=True, timeout=600
        )
        if run.returncode not in (0, 1):  # (1: a finding or no documented answer, as the CLI says)
            failed.append(" ".join(argv[:2]) + f": exit {run.returncode}: {run.stderr.strip()[-300:]}")
    return failed


def main() -> int:
    """Fill the cache directory; 0 when it is off (TCR_DOCTOR_CACHE_DIR=off: nothing to fill) or filled."""
    root = cache_dir()
    if root is None:
        print("tcr-doctor prepare: the cache directory is off (TCR_DOCTOR_CACHE_DIR): nothing to prepare")
        return 0
    failed = prepare()
    for line in failed:
        print(f"tcr-doctor prepare: {line}", file=sys.stderr)
    print(f"tcr-doctor prepare: {'failed' if failed else 'ready'} ({root})")
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
