"""Adversarial text is read in time linear in its length (the brief: bad input never hangs a channel).

A regex that can retry the rest of a line from every position is quadratic; the log reader caps lines at
knowledge.logs.MAX_LINE characters, so one such wording costs seconds per line and a web or Slack message of a few
lines holds a worker for a minute. Each case here took 6-25 s (load 7-22) before its fix and takes milliseconds
after; the bounds are wide so a loaded machine does not flake them.
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import knowledge
from knowledge.logs import MAX_LINE, explain
from knowledge.logs.rules import _rx, load_rules
from knowledge.structure import strip_envelope
from knowledge.text import latin_tokens

# seconds one regex search on one capped line may take, loaded machine included (a fixed wording: a few ms)
LINE_BOUND = 1.0


def _timed(func, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - start, result


def _repeated(unit: str, length: int = MAX_LINE) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def test_every_log_wording_reads_a_line_of_its_own_triggers_repeated_in_bounded_time():
    """Every wording and backoff frame of knowledge/logpatterns.toml, on a capped line made of one of its own
    trigger substrings repeated (alone, glued to a letter, spaced): the shape that made the credential helper's
    `docker-credential-[a-z0-9_.-]+` retry the rest of the line from each occurrence (23 s a line)."""
    rules = load_rules()
    slow = []
    for p in (*rules["patterns"], *rules["backoff"]):
        if not p["rx_src"]:
            continue
        rx = _rx(p)
        for trigger in p["any"]:
            for unit in (trigger, trigger + "a", trigger + " "):
                seconds, _ = _timed(rx.search, _repeated(unit))
                if seconds > LINE_BOUND:
                    slow.append((p["id"], unit, round(seconds, 2)))
    assert not slow, slow


def test_a_paste_of_credential_helper_names_is_read_in_linear_time():
    """A message of several capped lines of `docker-credential-` repeated: 16 s a line before (48 s for three, one
    /api/ask request's worth); the reader still names the helper's failure on a real line after them."""
    flood = "\n".join([_repeated("docker-credential-")] * 3)
    real = 'error getting credentials - err: exec: "docker-credential-desktop.exe": executable file not found in $PATH'
    seconds, cause = _timed(explain, flood + "\n" + real)
    assert seconds < 3 * LINE_BOUND, seconds
    assert cause is not None and cause["cause"] == "CREDENTIAL_HELPER_ERROR"


def test_a_message_of_pleas_alone_is_read_in_linear_time():
    """The question view drops thanks and pleas at a message's end (at most eight: the same on every open and seen
    text) and never leaves nothing. 16,000 characters of "ty " (the web's longest question) took 12 s: the tail was
    tried from every word of the run."""
    for unit in ("ty ", "thank you ", "谢谢，", "急"):
        text = _repeated(unit, 16_000)
        seconds, core = _timed(strip_envelope, text)
        assert seconds < 2 * LINE_BOUND, (unit, seconds)
        assert core and text.startswith(core), unit
    # the tail is still dropped where a question has one
    assert strip_envelope("docker pull fails with unauthorized, any ideas? thanks in advance!!") == (
        "docker pull fails with unauthorized"
    )
    assert strip_envelope("镜像拉取失败 谢谢 急") == "镜像拉取失败"


def test_a_question_of_one_long_run_that_is_no_name_is_answered_in_linear_time():
    """The question reader's name pattern (hosts, image paths: knowledge/text.py _NAME_RE) was tried from every
    character of a long run of name characters with no separator, each try re-reading the rest of the run: a
    16,000-character `docker login` paste of "1-1-1-…" took 12-15 s in ask(). A name inside such a text is still
    read as a name."""
    text = ("$ docker login " + "1-" * 8000)[:15_900] + "\nError: unauthorized"
    seconds, result = _timed(knowledge.ask, text)
    assert seconds < 3 * LINE_BOUND, seconds
    assert result["status"] in {"answered", "ambiguous", "no_answer"}
    tokens = latin_tokens("1-1-1 ccr.ccs.tencentyun.com -_-x_y.z")
    assert ("1-1-1", False) in tokens and ("ccr.ccs.tencentyun.com", True) in tokens and ("x_y.z", True) in tokens


def test_a_question_with_a_long_run_of_digits_is_answered_in_linear_time():
    """The size pattern ("6.84gb" -> "6.84 gb", knowledge/text.py _SIZE_UNIT_RE) runs on any question holding a "b"
    and was tried from every digit of a run: "harbor registry " and 16,000 digits took over 20 s in ask(). Sizes
    still read as before, also right after a letter ("k21mb": its "1mb")."""
    from knowledge.text import _SIZE_UNIT_RE

    seconds, _ = _timed(knowledge.ask, "harbor registry " + "1" * 15_984)
    assert seconds < 3 * LINE_BOUND, seconds
    sizes = "the layer is 6.84gb, 512mib; k21mb 1.2.3gb"
    assert _SIZE_UNIT_RE.sub(r"\1 \2", sizes) == "the layer is 6.84 gb, 512 mib; k21 mb 1.2.3 gb"


def test_a_question_of_one_long_word_is_answered_in_linear_time():
    """The URL pattern of the question reader (knowledge/text.py _URL_RE) looked for "://" from every letter of a
    word: 16,000 letters after a daemon's error prefix took 1.3-1.5 s in ask(), 64,000 took 5 s (the square). URLs are still
    found where a run of other characters comes before them."""
    from knowledge.text import _URL_RE

    seconds, _ = _timed(knowledge.ask, "Error response from daemon: " + "a" * 150_000)  # a CLI paste
    assert seconds < 3 * LINE_BOUND, seconds
    assert [m.group("n") for m in _URL_RE.finditer("see 1.2https://x.io/a and ftp://h/")] == [
        "https://x.io/a",
        "ftp://h/",
    ]


# Slack's longest message (its API cuts text at 40,000 characters): the longest text a worker is given to read
SLACK_CHARS = 40_000


def test_a_stored_question_of_several_questions_and_one_long_sentence_is_described_in_linear_time():
    """The matcher splits a text of several questions into its questions (knowledge/matcher.py _QUESTION_RE) and
    findall retried the rest of a sentence from each of its characters: the console's group page, which matches a
    stored question whole (bot/console/groups.describe), took 5 s for one 16,000-character question (load 8) and
    grows as the square. The questions are still split where sentences end."""
    from bot.console.groups import describe
    from knowledge.matcher import _QUESTION_RE

    lead = _repeated("how to delete an image? how to push an image? " + "word " * 8_000, SLACK_CHARS)
    group = {"texts": [{"text": lead}], "count": 1, "refused": 0, "down": 0, "reasons": {}, "answer_ids": []}
    knowledge.get_matcher()
    seconds, described = _timed(describe, group, "en")
    assert seconds < 3 * LINE_BOUND, seconds
    assert described["considered"], described
    assert _QUESTION_RE.findall("Hi. How do I push?? 为什么失败？好的。And now? done") == [
        " How do I push?",
        "?",
        " 为什么失败？",
        "And now?",
    ]


def test_a_one_line_text_is_told_bare_or_not_in_linear_time():
    """Whether a one-line text is a bare error line drops every run of non-blanks that holds a "/" or "@" (a path,
    a module, an image) before looking for the user's words (knowledge/logs/rules.py _PATH_TOKEN): 300 characters
    either side of the "/" were tried from every character, 600 steps a character (0.26 s for 16,000, 3 s for
    200,000; ask() reads the whole question this way). A path's words still are no prose; the user's are."""
    from knowledge.logs import registry_context

    for unit in (".", "a", "1/", " /"):
        seconds, _ = _timed(registry_context, _repeated(unit, 200_000))
        assert seconds < LINE_BOUND, (unit, seconds)
    assert registry_context("github.com/a/i@v1.4.2: dial tcp: i/o timeout")
    assert registry_context("we/" + "a" * 400 + "/i: dial tcp: i/o timeout")
    assert not registry_context("i have proxy.golang.org/x: dial tcp: i/o timeout")


def test_a_host_checked_whole_is_checked_in_linear_time():
    """Three host and URL patterns can retry the rest of a text from each character when searched, but their
    callers only match them whole or at the start of a line: the typed login's registry (commands._LOGIN_HOST,
    fullmatch), a name's host (text._HOST_SHAPE_RE, fullmatch) and a wrapped URL's next line
    (reader._URL_GOES_ON, match: at most 300 characters). Each, as its caller uses it, on Slack's longest text
    made of its worst units (1-10 ms each; a search would take seconds)."""
    from knowledge.logs.commands import _LOGIN_HOST, login_from_command
    from knowledge.logs.reader import _URL_GOES_ON
    from knowledge.text import _HOST_SHAPE_RE

    slow = []
    for unit in ("a", "a.", "a.a", "1.", "a-", "[1:", "http://a.", "a:1"):
        for tail in ("", "!"):
            text = _repeated(unit, SLACK_CHARS) + tail
            for name, call, arg in (
                ("login", login_from_command, text[-MAX_LINE:]),  # (a line of the paste; shlex reads it too)
                ("_LOGIN_HOST", _LOGIN_HOST.fullmatch, text),
                ("_HOST_SHAPE_RE", _HOST_SHAPE_RE.fullmatch, text),
                ("_URL_GOES_ON", _URL_GOES_ON.match, text),
            ):
                seconds, _ = _timed(call, arg)
                if seconds > LINE_BOUND:
                    slow.append((name, unit, tail, round(seconds, 2)))
    assert not slow, slow
    assert login_from_command("ccr.ccs.tencentyun.com:443") == "ccr.ccs.tencentyun.com:443"
    assert login_from_command("报错 怎么办") is None


def test_a_paste_of_engine_api_urls_is_read_in_linear_time():
    """The Engine API wording (logpatterns.toml engine-api-status: a URL with a port 2375/2376, /v1.NN/ or /_ping,
    then a 4xx/5xx) tried every port or path mark of each URL, and from each a 600-character window: a capped line
    of "https://a/v1.0/" repeated took 0.25 s (load 11) and was read ~5 times a line, so 16,000 characters held
    ask() 8 s and 40,000 (Slack's longest) 18 s; now 1-1.4 s and 3 s, spread over every wording. The windows after
    the first and after the last mark cover every status the marks between them reached (the marks lie < 600
    characters apart): the same lines match."""
    from knowledge.logs.rules import load_rules

    for unit in ("https://a/v1.0/", "http://a:2375/"):
        flood = "\n".join([_repeated("." + unit * 300, 3_990)] * 4)  # the web's longest question
        seconds, _ = _timed(explain, flood)
        assert seconds < 3 * LINE_BOUND, (unit, seconds)
    (wording,) = [p for p in load_rules()["patterns"] if p["id"] == "engine-api-status"]
    rx = _rx(wording)
    assert rx.search('Get "http://localhost:2375/v1.41/containers/json": 404 page not found')
    assert rx.search("https://h/v1.4/" + "a" * 200 + "/_ping" + " " * 500 + "500")  # 705 after the first mark
    assert rx.search("https://h/v1.4/404/" + "a" * 240 + "/_ping" + "x" * 700)  # between the marks
    assert not rx.search("https://h/v1.4/" + " " * 601 + "404")
    assert not rx.search('Get "https://h/v2/": dial tcp 10.0.0.1:2375: 404')


def test_a_registrys_long_challenge_is_parsed_in_linear_time():
    """A registry's WWW-Authenticate header (diagnostics/auth.py parse_challenge) was read by a pattern tried from
    every character of a run with no "=": 16,000 characters took 16.7 s (load 10) and http.client admits a
    65,536-character header line, so a diagnosed registry could hold a worker for minutes. Parameters still read
    as before."""
    from diagnostics.auth import parse_challenge

    for unit in ("a", "a-1", "a "):
        seconds, _ = _timed(parse_challenge, "Bearer " + _repeated(unit, 65_536))
        assert seconds < LINE_BOUND, (unit, seconds)
    assert parse_challenge('Bearer realm="https://r/token",service="r", scope="repository:a/b:pull",x=1') == (
        "bearer",
        {"realm": "https://r/token", "service": "r", "scope": "repository:a/b:pull", "x": "1"},
    )
    assert parse_challenge('Basic 1abc=2, -d_e = "q\\"x"') == ("basic", {"abc": "2", "d_e": 'q\\"x'})


def test_an_operators_long_duration_is_refused_in_linear_time():
    """`db prune --older-than` read its duration with a pattern that retried a run of spaces after the number from
    each of its characters: "1" + 16,000 tabs + "!" took 5.6 s (load 10; audit9). Refused at once now."""
    from bot.commands.db import parse_days

    for text in ("1" + "\t" * 65_536 + "!", "1" + " " * 65_536 + "d" + " " * 65_536 + "x", " " * 65_536 + "1x"):
        start = time.perf_counter()
        try:
            parse_days(text)
        except ValueError:
            pass
        else:
            raise AssertionError("a duration with a stray character was accepted")
        assert time.perf_counter() - start < LINE_BOUND


_OLD_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dhm]?)\s*$")  # the grammar before the fix, on short inputs only


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789.dhmsx \t\n", max_size=12))
def test_the_duration_grammar_is_unchanged(text):
    """What `--older-than` accepts and what it reads are those of the pattern before the fix."""
    from bot.commands.db import parse_days

    old = _OLD_DURATION.match(text)
    try:
        days = parse_days(text)
    except ValueError:
        assert old is None
    else:
        assert old is not None
        assert days == float(old.group(1)) * {"d": 1.0, "": 1.0, "h": 1 / 24, "m": 1 / 1440}[old.group(2)]


@pytest.mark.parametrize(
    ("text", "days"), [("90d", 90.0), ("12h", 0.5), (" 30m ", 30 / 1440), ("1.5", 1.5), ("2 d\n", 2.0)]
)
def test_the_durations_an_operator_writes_still_read(text, days):
    from bot.commands.db import parse_days

    assert parse_days(text) == pytest.approx(days)
