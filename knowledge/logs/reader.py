"""`explain(text)`: the decisive error line of a paste, its cause with up to two alternatives, the entities, the
tool, the FAQ entry, the confirming diagnosis and the evidence (redacted)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..dialogue import LazyRe, names_tcr
from ..redact import redact_part
from ..structure import is_prose
from ..vendors import VENDOR_HOSTS
from .commands import command_info, detect_tool, guess_op
from .diagnosis import reading
from .images import entities, login_finished
from .paste import (
    DEBUG_LINE,
    ERRCODE_LINE,
    HTML_LINE,
    MAX_EVIDENCE,
    MAX_LINE,
    clean_lines,
    logical_lines,
    redact,
    strip_prefix,
    template_label,
)
from .prose import refine as prose_refine
from .prose import told_cause
from .rules import (
    GENERIC_IDS,
    NETWORK_CAUSES,
    REGISTRY_TOOLS,
    asks_about,
    crosses,
    denied_by_author,
    describes,
    is_bare,
    is_other_host,
    line_hosts,
    load_rules,
    match_backoff,
    match_line,
    matched_words,
    only_other_hosts,
    pattern_rank,
    program_quote,
    quoted_output,
    registry_context,
    retells_outcome,
)
from .story import (
    Story,
    asserted,
    credentials_shown,
    decide,
    doubled_name,
    hub_path_without_namespace,
    local_lookup_cause,
    needs_story,
    official_image,
    read_story,
    said_logged_in,
    symptom_guess_stands,
    told_missing,
    told_name_right,
    told_private,
    told_wrong_name,
    works_from_cli,
)

# The causes a symptom reading (tier 1: `ErrImagePull`, `Back-off pulling image`, no reason printed) guesses, which the
# user's own finding of a wrong name replaces
_SYMPTOM_REFINED = frozenset({"CREDENTIALS_MISSING", "REPO_NOT_FOUND", "TAG_NOT_FOUND"})
# Refusals a registry sends anyone, which the reader reads as a missing repository on Docker Hub (C6)
_ANYONES_REFUSAL = frozenset({"pull-access-denied", "denied", "denied-and-unauthorized"})

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..results import LogCause

_UPLOAD_PROGRESS = re.compile(
    r"Pushing \[=|: Layer already exists|: Pushed\s*$|Image already exists|Copying blob \w+ done"
)
# A pull whose layers were already downloading: the token ran out during a long download (same story).
_DOWNLOAD_PROGRESS = LazyRe(r"Downloading \[=|: Download complete|: Pull complete|Extracting \[=")
# A layer's progress line and the sizes on it (moby prints units.HumanSize "196.9MB" / "3.327GB", containers/image
# "1.2 GiB"). A token can only expire during a transfer that takes minutes: at least one layer of this size.
_TRANSFER_LINE = LazyRe(r"Pushing|Downloading|Extracting|Copying blob|Writing blob|Uploading")
_SIZE = LazyRe(r"(\d{1,6}(?:\.\d{1,4})?)\s?([kKMGT])i?B\b")
_SIZE_MB = {"k": 0.001, "K": 0.001, "M": 1.0, "G": 1000.0, "T": 1_000_000.0}
LONG_TRANSFER_MB = 100.0
_EXPIRED_DURING_PUSH = {
    "zh": "推送开始时认证是成功的（已经在检查或上传镜像层），到最后才被拒绝：通常是上传大镜像层耗时过长，期间访问令牌过期。请重新登录后再推送；若仍然出现，请缩小镜像层或改善上传带宽。`tcr-doctor diagnose <镜像> --push` 可确认凭证本身有效。",
    "en": "Authentication worked when the push began (layers were already being checked or uploaded) and was refused only at the end: usually the access token expired while a large layer was uploading. Log in again and push again; if it recurs, make the layers smaller or the upload faster. `tcr-doctor diagnose <image> --push` confirms the credentials themselves are valid.",
}
_EXPIRED_DURING_PULL = {
    "zh": "拉取开始时认证是成功的（镜像层已经在下载），到后面才被拒绝：通常是下载大镜像层耗时过长，期间访问令牌过期。请重新登录后再拉取；若仍然出现，请缩小镜像层或改善网络（如走内网）。`tcr-doctor diagnose <镜像>` 可确认凭证本身有效。",
    "en": "Authentication worked when the pull began (layers were already downloading) and was refused later: usually the access token expired during a long layer download. Log in again and pull again; if it recurs, make the layers smaller or the network faster (e.g. the private network). `tcr-doctor diagnose <image>` confirms the credentials themselves are valid.",
}
_EXPIRED_OVER_TIME = {
    "zh": "按你的描述，它先是正常的，过了一段时间才开始被拒绝（重新登录或重启持有凭证的组件后又恢复）：这是短期令牌或登录凭证过期的表现。请重新登录（或重启那个组件让它重新取令牌）；长期使用请换成长期凭证，或使用会自动刷新令牌的凭证助手。",
    "en": "As you describe it, it worked first and was refused only after some time (and logging in again or restarting the component that holds the credentials fixes it): the mark of a short-lived token or login that expired. Log in again (or restart that component so it fetches a new token); for lasting use switch to long-lived credentials or a credential helper that refreshes the token.",
}
# The user's words for a refusal that began after a time of working, or went away with a new login or a restart: a
# short-lived token or a cached login expired ("fail after some time of inactivity. Restarting registry-facade
# resolves the issue", "works again after docker login", "几个小时后就报 401").
_EXPIRY_PROSE = LazyRe(
    # ("after some time of installation" is a time into the task, not after it worked: only idleness counts there)
    r"\bafter (?:some|a) (?:time|while)\b(?! of (?!inactivity|idl|no use|not using))|\bafter (?:a few|several|\d{1,3}) ?(?:hours?|hrs?|days?|minutes?|mins?)\b|"
    r"\b(?:works?|worked|working) (?:again |fine )?after (?:a |an )?(?:restart|restarting|re-?log(?:ging)? ?in|logging in again|re-?authenticat)|"
    r"\brestart(?:ing)? (?:the )?[\w.-]{1,40} (?:resolves|fixes|solves)|"
    r"\b(?:token|credentials?|login|session) (?:\w+ ){0,3}(?:expired|expires|has expired|expiring|expire)\b|"
    r"\b(?:an |the |a )?expired (?:\w+ ){0,3}(?:token|credentials?|login|session)s?\b|"
    r"\b(?:long[- ]running|lengthy|hours?-long) (?:builds?|pushe?s?|uploads?|jobs?|pipelines?)\b|"
    r"\b(?:builds?|jobs?|pushe?s?|pipelines?) that (?:takes?|runs?|lasts?) (?:for )?(?:a long time|several|many|hours|"
    r"(?:>\s?|more than |over |longer than |at least )?\d{1,3} ?(?:hours?|hrs?|minutes?|mins?))|"
    r"\b(?:can't|cannot|can not|could not|couldn't|fails? to|failed to|unable to) refresh (?:the |its |a )?(?:token|credentials?|login)|"
    # a login whose lifetime the command itself set to minutes (`doctl registry login --expiry-seconds 240`)
    r"\blogin\b[^\n]{0,200}--expiry-seconds[= ]\d{1,4}\b|"
    r"一段时间后|过一段时间|(?:几|\d{1,3}) ?个?小时(?:后|以后)|重新登录(?:后)?就(?:好|可以|正常)|"
    # an expired token told in Japanese or Chinese ("期限切れのトークンが残っていて", "令牌过期了")
    r"期限切れ|有効期限が切れ|(?:令牌|token|凭证|凭据|登录)\S{0,4}(?:已经|已)?(?:过期|失效)|"
    r"(?:토큰|인증|자격 ?증명|로그인|token)[^.\n]{0,6}만료"
)


def long_transfer(lines: list[str]) -> bool:
    """Whether a layer progress line among `lines` shows a size of at least LONG_TRANSFER_MB (a transfer long enough
    for a short-lived token to expire during it)."""
    for line in lines:
        if not _TRANSFER_LINE.search(line):
            continue
        for m in _SIZE.finditer(line):
            if float(m.group(1)) * _SIZE_MB[m.group(2)] >= LONG_TRANSFER_MB:
                return True
    return False


def explain(text: str) -> LogCause | None:
    """Name the cause of a pasted registry error log, or None when it contains no recognisable error."""
    try:
        result = _explain(text)
    except (ValueError, TypeError, IndexError, KeyError, UnicodeError, RecursionError):  # pragma: no cover
        # A channel must never fail on what a user pasted; the fuzz test in tests/test_logs.py keeps this unused.
        return None
    if result is None or not result.get("evidence"):
        return result
    # The evidence line was masked alone; a secret the paste names on another line ("-p X" … "X is wrong") too
    return {**result, "evidence": redact_part(result["evidence"], text)}


explain_log = explain  # the name `knowledge.explain_log` imports (ARCHITECTURE.md)


def _explain(text: str) -> LogCause | None:
    lines = clean_lines(text)
    if not lines:
        return None
    lines = _rejoin_wrapped_wordings(lines)
    whole_lower = "\n".join(lines[-2000:]).lower()
    fenced = _fenced(lines)  # read by both the choice of the line and the user's own diagnosis
    found = _decisive_line(lines, guess_op(whole_lower), fenced)
    if found is None:
        return _told_in_words(lines, fenced)  # no output line names a cause: what the author's words tell, if any
    (tier, idx, pattern, line, op), seen_causes = _reason_before_wrapper(lines, found[0]), found[1]

    ent = entities(lines, idx, op)
    op = _operation(line, ent, op)
    tool = detect_tool(lines, line, ent["tool"])
    cause, also, note = _refined_cause(pattern, line, op, ent, tool, lines[max(0, idx - 400) : idx], whole_lower)
    cause = _whole_paste_cause(cause, also, line, lines, text)
    prose = _user_prose(lines, fenced)
    if needs_story(pattern):  # (the facts are read only for the wordings the story decides: ~0.3 ms a paste)
        # (the output up to the failing line: a login shown after it is the fix the author applied, not credentials
        # the failing request carried, C6; the author's sentences are read whole)
        before = "\n".join(lines[max(0, idx - 2000) : idx + 1]).lower()
        cause = decide(cause, also, pattern, read_story(before, prose), tool)
    else:
        cause = told_missing(cause, also, pattern, prose, whole_lower)
    cause = _refused_after_login_here(cause, also, pattern, lines, ent["host"], tool)
    named, pattern = _name_story(cause, also, pattern, whole_lower, prose, tool)
    if named is None:
        return None  # docker's own store lacks the image and the text says not why (C8)
    told, note = _user_diagnosis(named, also, note, pattern, prose)
    if told == named and (fixed := prose_refine(told, pattern, line, lines, fenced)) is not None:
        # a symptom or a bare timeout the author's fix explains (C4b: "changed the DNS server to 8.8.8.8")
        also.insert(0, told)
        told = fixed[0]
    if told != cause:
        # the output's wording is not what is reported: its own FAQ link, diagnosis and texts are the cause's
        cause, pattern = told, {"id": pattern["id"], "tier": pattern["tier"], "cause": told}
    also = _fill_also(also, cause, seen_causes)
    if pattern.get("no_cause") or _symptom_unbacked(pattern, cause, whole_lower, prose):
        # another tool's network failure (git, pip, npm, apt ...), or a pull symptom the text does not back: no cause
        return None
    if tool in pattern.get("no_cause_tools", ()):
        return None  # a daemonless tool's local fault (podman, buildah, skopeo): no registry cause (C2)
    if _another_programs(cause, tool, line, whole_lower):
        return None
    note = _clock_note(cause, line) or note or pattern.get("note")
    return reading(
        cause,
        ent,
        tool,
        _evidence(line),
        pattern=pattern,
        also=also,
        note=note,
        confidence="low" if tier <= 1 else ("high" if not also else "medium"),
    )


# What a reading from the author's words alone says of itself (knowledge/logs/prose.py)
_TOLD_NOTE = {
    "zh": "贴出的内容里没有说明原因的错误输出：这个原因是根据你自己的描述（失败的操作和你提到的解决办法）推断的，可信度较低。请贴出完整的错误输出，或运行下面的诊断命令确认。",
    "en": "No pasted output names the cause: this one is read from your own words (what failed and the fix you mention), so it is a weak reading. Paste the full error output, or run the diagnosis below to confirm it.",
}


def _told_in_words(lines: list[str], fenced: frozenset[int]) -> LogCause | None:
    """The weak reading of a text whose output names no cause, from the author's words (`prose.told_cause`: a
    failed pull, push or login told, and the fix or the family the author names); None when they tell none."""
    told = told_cause(lines, fenced)
    if told is None:
        return None
    cause, also, idx, op = told
    ent = entities(lines, idx, op)
    tool = detect_tool(lines, lines[idx], ent["tool"])
    pattern = {"id": "prose-told", "tier": 1, "cause": cause}
    return reading(
        cause, ent, tool, _evidence(lines[idx]), pattern=pattern, also=also, note=_TOLD_NOTE, confidence="low"
    )


def _symptom_unbacked(pattern: dict[str, Any], cause: str, whole_lower: str, prose: str) -> bool:
    """Whether the reading is a pull symptom's guess (a pattern with `symptom_only`: a pull failed, no reason printed)
    that the text does not back (`story.symptom_guess_stands`): the guess fits 2 of 16 such real lines."""
    return (
        bool(pattern.get("symptom_only")) and cause == pattern["cause"] and not symptom_guess_stands(whole_lower, prose)
    )


def paste_story(text: str) -> Story:
    """The credential story of a paste as this reader reads it (its lines, the user's own sentences): what the
    learned re-ranker weighs beside the rules' reading."""
    lines = _rejoin_wrapped_wordings(clean_lines(text))
    whole_lower = "\n".join(lines[-2000:]).lower()
    return read_story(whole_lower, _user_prose(lines, _fenced(lines)) if lines else "")


_WRAP_WIDTH = 60  # a line shorter than this was not wrapped by an 80-column terminal or a narrow page
_WORD_WRAP_MIN = 40  # a line a page or a mail client word-wrapped is at least this long (wraps fall at 60-80 columns)
_JOIN_WINDOW = 60  # characters on each side of a wrap that a split wording can span


def _rejoin_wrapped_wordings(lines: list[str]) -> list[str]:
    """Lines a page, a mail client or an editor word-wrapped (at a space, at any width) put back together where the
    wrap fell inside a wording: a long line and the next are joined when a wording matches across the join and
    neither line alone reads the same ("…: Get https://r/v2/: unauthorized:" / "authentication required" is a refused
    login, not a missing one). Lines whose wordings do not cross the join stay apart, so two separate messages are
    never glued."""
    if len(lines) < 2:
        return lines
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        while (
            i + 1 < len(lines)
            and len(line) < MAX_LINE
            and _URL_CUT.search(line)
            and _URL_GOES_ON.match(lines[i + 1])
            and not template_label(lines[i + 1])  # "…/getting-started/" then "Supervisor logs:" is a page's end
        ):
            # a URL never holds a space: one cut after a separator ("…to https://us-east4-" / "docker.pkg.dev/v2/…")
            # goes on in the next line
            i += 1
            line += lines[i]
        if (
            i + 1 < len(lines)
            and len(line) >= _WORD_WRAP_MIN
            and not line.endswith((":", "...", "…"))
            and lines[i + 1][:1].isalnum()
            and not _MESSAGE_START.match(lines[i + 1])
        ):
            nxt = lines[i + 1]
            # only the words around the join: a wording split by a wrap lies within them (and this keeps a
            # long-gap regex from bridging two messages)
            head = line[-_JOIN_WINDOW:]
            window = head + " " + nxt[:_JOIN_WINDOW]
            p = match_line(window, None)
            if (p is not None and crosses(window, p, len(head)) and _reads_differently(line, nxt, p)) or (
                _goes_on_less_specific(line, nxt)
            ):
                out.append(line + " " + nxt)
                i += 2
                continue
        out.append(line)
        i += 1
    return out


_URL_CUT = LazyRe(r"\bhttps?://[^\s\"'`<>]{0,300}[-./?&=%_]$")
_URL_GOES_ON = LazyRe(r"[A-Za-z0-9][A-Za-z0-9._~%/?&=:+-]{0,300}(?:[\"'`]?:\s|\s|$)")
# A line that starts a message of its own ("Error: …", "Warning: …", "[ERROR] …", a date, a level tag, a prompt): not
# the tail of the line above
_MESSAGE_START = LazyRe(r"(?:[A-Z][A-Za-z]{1,20}(?: [A-Za-z]{1,20}){0,2}:\s|\d{4}[-/]\d{2}|[A-Z]{4}\[|time=|level=)")


# the middle of a Go network error chain (net.OpError "op net src->addr: err", DNSError, url.Error's transport part):
# where a page's or an editor's wrap falls inside one ("…: proxyconnect" / "tcp: dial tcp …: no route to host",
# "…: lookup H on S:53: read udp" / "10.0.2.15:54553->10.0.2.3:53: i/o timeout")
_NET_CHAIN_TAIL = LazyRe(
    r"(?:tcp|udp|dial|read|write|lookup|connect|net/http|http2?|tls|x509|i/o|proxyconnect|getsockopt|connectex|wsarecv)"
    r"\b[: ]|\[?[0-9a-f:.]{3,45}\]?:\d{1,5}(?:->|: )"
)


def _goes_on_less_specific(line: str, nxt: str) -> bool:
    """Whether `nxt` is the tail of the message `line` started, cut at a space by a page or an editor: `line` names a
    wording, the tail is the rest of a Go network error chain (_NET_CHAIN_TAIL), and alone it would read a less
    specific wording that, as the later line, would win the tie; joined, the message reads as its head does."""
    if not _NET_CHAIN_TAIL.match(nxt):
        return False
    head, tail = match_line(line, None), match_line(nxt, None)
    if head is None or tail is None or head["id"] == tail["id"] or _pattern_rank(tail) <= _pattern_rank(head):
        return False
    joined = match_line(line + " " + nxt, None)
    return joined is not None and joined["id"] == head["id"]


def _reads_differently(line: str, nxt: str, p: dict[str, Any]) -> bool:
    """Whether pattern `p`, found across the join, is not what either half already reads alone; and the second
    half is a tail (it starts in lower case, or names nothing alone), not a message of its own ("Tag 9 not found …"
    under "Pulling repository …")."""
    tail = match_line(nxt, None)
    if tail is not None and not (nxt[:1].islower() or nxt[:1].isdigit()):
        return False
    return all((q := match_line(part, None)) is None or q["id"] != p["id"] for part in (line, nxt))


# What the user's own sentences say the cause is, and the readings of the output each may replace: a generic or
# ambiguous reading only (a refused right, a missing login, an EOF, a symptom), never a specific wording.
_USER_SAYS: tuple[tuple[str, frozenset[str], LazyRe | Callable[[str], bool]], ...] = (
    (
        # the same request fails now and then and works again with nothing changed: the server's side, whatever the
        # wording says about credentials or names (credentials that work at other times are not wrong)
        "SERVER_ERROR",
        frozenset(
            {"CREDENTIALS_MISSING", "CREDENTIALS_INVALID", "PERMISSION_DENIED", "TAG_NOT_FOUND", "REPO_NOT_FOUND"}
        ),
        LazyRe(
            r"\b(?:intermittent(?:ly)?|randomly|sporadic(?:ally)?|from time to time|every now and then)\b|"
            # "This works a lot of the time but not all the time", "it's flaky", "hit or miss", "fails on and off"
            r"\b(?:works?|worked|succeeds?|succeeded) (?:a lot of|most of|much of|some of) the time\b|"
            r"\bnot (?:all|every) (?:of )?the time\b|\bflak(?:y|iness)\b|\bhit (?:or|and) miss\b|\b(?:on and off|off and on)\b|"
            r"\b(?:fails?|failed|failing) (?:only )?(?:some|part) of the time\b|"
            r"\bsometimes\b[^.\n]{0,40}\bsometimes\b|\b(?:does not|doesn't|not) work stabl[ey]\b|\bunstable\b|"
            r"\b(?:recovers?|recovered|resolves itself|goes away)\b[^.\n]{0,30}\b(?:seconds?|minutes?|mins?)\b|"
            # the user's "temporary failures of the service"; glibc's "Temporary failure in name resolution" is output
            r"\btemporary (?:failures?|outages?|glitch(?:es)?|problems?|issues?|errors?)\b(?! in name resolution)"
            # "These are obviously transient because re-runs are successful", "only succeeded on the 3rd retry"
            r"|\bre-?runs? (?:are|were|is|was) successful\b|"
            r"\bsucceed(?:s|ed)? (?:only )?(?:on|after) (?:the |a )?(?:\d(?:st|nd|rd|th)|second|third|next) (?:re-?try|attempt|run)\b|"
            # "I have to retry so many times can I succeed", "a second later, the same push triggered a success"
            r"\bretr(?:y|ies|ied|ying)\b(?:(?!\b(?:never|not|cannot|can't|won't|no)\b)[^.\n]){0,60}"
            r"\b(?:succeed(?:s|ed)?|success(?:ful(?:ly)?)?)\b|"
            r"\b(?:a (?:second|minute|few (?:seconds|minutes)) later|(?:seconds|minutes) later)\b[^.\n]{0,60}"
            r"\b(?:success(?:ful(?:ly)?)?|succeed(?:s|ed)?|worked)\b|"
            # "the first pull always fails and then the second attempt works"
            r"\b(?:second|2nd|next|third|3rd) (?:attempt|try|pull|push|run|time) (?:always |usually )?(?:works|succeeds|passes)\b|"
            # the same account in Chinese, Japanese and Korean
            r"时好时坏|时有时无|偶尔(?:会)?(?:失败|报错|出现)|间歇性|有时(?:候)?(?:可以|成功|正常)|断続的|간헐적|"
            # ("sometimes" alone is not the account: "GitHub Status: it goes down now and then" is another's)
            r"(?:たまに|時々|ときどき)[^。\n]{0,20}(?:失敗|エラー|成功|発生)|가끔[^.\n]{0,20}(?:실패|오류|에러|성공|발생)"
        ),
    ),
    (
        "CREDENTIALS_EXPIRED",
        frozenset({"CREDENTIALS_MISSING", "CREDENTIALS_INVALID", "PERMISSION_DENIED"}),
        _EXPIRY_PROSE,
    ),
    (
        "CREDENTIALS_MISSING",
        frozenset({"PERMISSION_DENIED", "CREDENTIALS_INVALID", "REPO_NOT_FOUND"}),
        LazyRe(
            r"\bcredentials?\b[^.\n]{0,40}\b(?:are|is|were|was) not (?:being )?(?:sent|passed|used|forwarded|picked up)\b|"
            r"\bauth:\s?nil\b"
        ),
    ),
    (
        # a public registry's refusal read as a missing repository, of an image the user says is private (a negation
        # must govern the noun: "I cannot not deploy a private image" still tells a private image)
        "CREDENTIALS_MISSING",
        frozenset({"REPO_NOT_FOUND"}),
        told_private,
    ),
    (
        # the same pull works from the docker CLI, the failing program lacks the CLI's credentials (C6)
        "CREDENTIALS_MISSING",
        frozenset({"PERMISSION_DENIED", "CREDENTIALS_INVALID", "REPO_NOT_FOUND"}),
        works_from_cli,
    ),
    (
        # the user found the project or namespace missing: a push creates a repository but never the project or
        # namespace it goes in (Harbor, TCR, Quay organisations); a repository that "doesn't exist" is not one
        "REPO_NOT_FOUND",
        frozenset({"PERMISSION_DENIED", "CREDENTIALS_MISSING"}),
        LazyRe(
            r"\b(?:project|namespace|organi[sz]ation)\b[^.\n]{0,30}\b(?:does not|doesn't|did not|didn't)"
            r" exist\b|\bno (?:such |corresponding )?(?:project|namespace)\b|"
            r"没有(?:对应的|这个|该|相应的)?\S{0,4}(?:项目|project|命名空间|仓库)|(?:项目|命名空间|project)\S{0,6}不存在|"
            r"(?:プロジェクト|名前空間|ネームスペース)が(?:存在しない|存在しません|ありません|ない)|(?:프로젝트|네임스페이스)가? ?(?:없|존재하지)"
        ),
    ),
    (
        "QUOTA_EXCEEDED",
        frozenset({"PERMISSION_DENIED", "SERVER_ERROR", "CREDENTIALS_INVALID", "CREDENTIALS_MISSING"}),
        LazyRe(
            r"\b(?:hit|reached|exceeded|hitting|reaching) (?:a |the |our |its )?(?:[\w-]+ ){0,4}(?:limit|quota)\b|"
            # "I had run out of private repositories" (a plan's repository count)
            r"\b(?:run|ran|running|runs) out of (?:\w+ ){0,2}(?:repos|repositories|quota)\b"
            # "as soon as my plan reach 199 G which is the max allowed for this Plan S"
            r"|\b(?:reach(?:es|ed)?|hit|hits|exceed(?:s|ed)?)\b[^.\n]{0,40}\b(?:the )?max(?:imum)? (?:allowed|size|storage)\b"
            r"|(?:超过|超出|达到)了?[^。\n]{0,10}(?:配额|限额|上限)|上限に達|クォータ|할당량|한도(?:를|에)? ?(?:초과|도달)"
        ),
    ),
    (
        # a forward proxy the client goes through; a registry that runs behind a (reverse) proxy is the server's side
        "PROXY_ERROR",
        frozenset({"SERVER_ERROR"}),
        LazyRe(
            r"^(?![^\n]*\b(?:registry|registries|harbor|nexus|artifactory|gitea|gitlab|server|instance|service)\b"
            r"[^.\n]{0,40}\bbehind\b)(?![^\n]*\breverse[- ]proxy)"
            r"[^\n]*\b(?:i|we|my|our)\b[^.\n]{0,60}\b(?:through|behind|via|using|use|need) (?:a |an |our |the |my )?"
            r"(?:corporate |company |http |https |squid )?proxy\b",
            re.MULTILINE,
        ),
    ),
    (
        # the failure comes and goes with the proxy setting ("it hits connection reset by peer if use proxy", "returns
        # 403 when set http_proxy to …", "when I remove http_proxy, docker pull is back to normal"): the proxy is in
        # the failing request's path, whatever refusal or network failure it caused
        "PROXY_ERROR",
        frozenset(
            {"SERVER_ERROR", "TCP_REFUSED", "TCP_TIMEOUT", "HTTP_TIMEOUT", "PERMISSION_DENIED", "REPO_NOT_FOUND"}
        ),
        LazyRe(
            r"\b(?:if|when|whenever|once) (?:i |we )?(?:use|using|set|setting|enable|enabling|configure|add)\b"
            r"[^.\n]{0,30}\b(?:a |the |an )?(?:proxy|https?_proxy)\b"
            r"|\b(?:remove|removing|unset|unsetting|disable|disabling)\b[^.\n]{0,20}\b(?:the )?(?:proxy|https?_proxy)\b"
            r"[^.\n]{0,60}\b(?:works?|worked|normal|fine|succeeds?|succeeded)\b"
        ),
    ),
    (
        "HTTP_NOT_HTTPS",
        frozenset({"SERVER_ERROR", "PROXY_ERROR", "TLS_UNTRUSTED"}),
        LazyRe(
            r"\b(?:only|just) (?:available |reachable )?(?:via|over|on|with|supports?|speaks?) (?:plain )?http\b(?!s)|"
            r"\bhttp,? (?:and )?not https\b|\bplain[- ]http\b"
        ),
    ),
    (
        "TAG_NOT_FOUND",
        frozenset({"CREDENTIALS_MISSING", "REPO_NOT_FOUND", "PERMISSION_DENIED"}),
        LazyRe(
            r"\bthere (?:is|are|'s) no (?:such )?[\w.:-]{1,40} ?(?:[\w-]+ )?(?:image|tag|version|container|chart)s?\b|"
            r"\b(?:tag|version) (?:\S+ )?(?:does not|doesn't) exist\b"
        ),
    ),
    (
        "PERMISSION_DENIED",
        frozenset({"REPO_NOT_FOUND", "CREDENTIALS_MISSING", "CREDENTIALS_INVALID"}),
        LazyRe(
            r"\b(?:i|we) (?:personally )?can (?:read|pull|access|see)\b[^.\n]{0,80}\bbut\b[^.\n]{0,80}\b(?:cannot|can't|can not)\b|"
            # the user found a right missing ("the IAM user has no ECR push permissions", German "keine …
            # Berechtigungen", Chinese "没有…权限", Japanese "権限がない")
            r"\b(?:has|have|had) no\b[^.\n]{0,30}\b(?:push|pull|write|read)[- ]?(?:permissions?|rights?|access)\b|"
            r"\b(?:lacks?|lacking|missing|without)\b[^.\n]{0,20}\b(?:push|pull|write|read)[- ]?(?:permissions?|rights?)\b|"
            r"\bkeine?\b[^.\n]{0,40}berechtigung|没有\S{0,10}(?:推送|拉取|写|读)?权限|権限が(?:ない|ありません)|권한이 없"
        ),
    ),
)
# Causes told by the user that may also refine a specific wording listing them among its alternatives (a 503 or a
# dial timeout may be a proxy's; an expiry never overrides "incorrect username or password")
_VIA_ALSO = frozenset({"PROXY_ERROR"})
# ... and those that refine any reading of the families they list (credentials that work at other times are not wrong)
_ANY_READING = frozenset({"SERVER_ERROR"})
# a user's question about the error: a line that opens with a question word and asks before its first full stop
_ASKS_WHY = LazyRe(r"(?:why|how|what|is|are|does|do|can|could)\b[^.?!\n]{0,200}[?？]", re.IGNORECASE)
# (a parenthesised "(?)" is a hedge on one word, not a question: "a <10 min (?) token lifetime")
_QUESTION = LazyRe(r"(?<!\()[?？](?!\))|吗|\bis it\b|\bcould it be\b", re.IGNORECASE)
_QUOTED_SPAN = LazyRe(r"`[^`\n]{1,600}`")
_SENTENCE_END = LazyRe(r"(?<=[.!?。！？])\s+")
# Output readings a user's diagnosis may refine: generic wordings (GENERIC_IDS) and tier-2 wrappers
_REFINABLE_TIER = 2


def _name_story(
    cause: str, also: list[str], pattern: dict[str, Any], whole_lower: str, prose: str, tool: str | None
) -> tuple[str | None, dict[str, Any]]:
    """What the text says of the missing image, for the readings that only guess it (the former cause joins `also`):
    docker's own store lacking it (`No such image`, C8) names the reason the text gives, or no cause (None) — a bare
    line alone keeps the wording's reading, it was asked about here; a symptom (a pull failed, no reason printed)
    the user says is a wrong name or tag (C3, C4b) takes theirs, with a pattern of that cause; a refusal that is
    anyone's answer read as a missing repository, of a name the user says is right, is the credentials' (C6)."""
    if pattern.get("local_lookup") and cause == pattern["cause"] and not is_bare(whole_lower):
        lookup = local_lookup_cause(whole_lower, prose)
        if lookup is not None:
            also.insert(0, cause)
        return lookup, pattern
    if cause == "REPO_NOT_FOUND" and pattern["id"] in _ANYONES_REFUSAL and tool != "kubelet" and told_name_right(prose):
        # a refusal read as a missing repository, of a name the user says is right: with a login told, the
        # account was refused (PERMISSION_DENIED); without, none reached it (C6)
        sent = credentials_shown(whole_lower) or said_logged_in(prose)
        named: str | None = "PERMISSION_DENIED" if sent else "CREDENTIALS_MISSING"
    else:
        named = told_wrong_name(prose) if pattern["tier"] <= 1 and cause in _SYMPTOM_REFINED else None
    if named is None or named == cause:
        return cause, pattern
    also.insert(0, cause)
    return named, {"id": pattern["id"], "tier": pattern["tier"], "cause": named}


def _user_prose(lines: list[str], fenced: frozenset[int]) -> str:
    """The user's own sentences (lower-cased, one per line): lines outside fences that read as prose, without what
    they quote in backticks (the output's words are not the user's diagnosis; a sentence that quotes a long error
    inline is still the user's) and without questions (a question names what the user wonders about, not what they
    found: "是因为没有权限吗？")."""
    unquoted = (_QUOTED_SPAN.sub(" ", line) for i, line in enumerate(lines) if i not in fenced)
    # (one question in a paragraph drops that sentence only: "Since 3 hours ago we see intermittent failures. … Can
    # this be related?" still tells the failures)
    return "\n".join(
        " ".join(part for part in _SENTENCE_END.rx.split(line) if not _QUESTION.search(part))
        for line in unquoted
        if is_prose(line)
    ).lower()


def _user_diagnosis(
    cause: str,
    also: list[str],
    note: dict[str, str] | None,
    pattern: dict[str, Any],
    prose: str,
) -> tuple[str, dict[str, str] | None]:
    """The cause the user's own sentences (`prose`) name ("the root cause is that we've hit a limit for images per
    repository quota", "the credentials are not sent along the request", "there is no F38 toolbox container", "I pull
    through a proxy"), when the output's reading is a generic one that this cause refines (a 403 that is a quota, a
    401 that is an expired token) or one whose wording lists it among its alternatives (a 503, a dial timeout: a
    proxy); the former cause joins `also`."""
    # (a 401 whose reading the story decides is as generic: "the token expires" told beside it is the user's account)
    generic = pattern["id"] in GENERIC_IDS or pattern["tier"] <= _REFINABLE_TIER or needs_story(pattern)
    if not prose:
        return cause, note
    for said, refines, rx in _USER_SAYS:
        # a generic wording, or one whose own alternatives name the cause told
        if (
            cause in refines
            and (generic or said in _ANY_READING or (said in _VIA_ALSO and said in pattern.get("also", ())))
            and (rx(prose) if callable(rx) else asserted(rx, prose))
            and not (said == "SERVER_ERROR" and not callable(rx) and _only_wondered(rx, prose))
        ):
            also.insert(0, cause)
            if said in also[1:]:
                also.remove(said)
            return said, (_EXPIRED_OVER_TIME if said == "CREDENTIALS_EXPIRED" else note)
    return cause, note


# The user wondering whether the failure comes and goes ("I am not sure whether this is a temporary issue", "maybe it
# is intermittent?"), which is not an account that it did
_WONDERED = LazyRe(
    r"\b(?:whether|wonder(?:ing)? if|not sure if|could it be|is (?:it|this) (?:just )?an?|maybe|perhaps)\b[^.\n]{0,40}$"
)


def _only_wondered(rx: LazyRe, prose: str) -> bool:
    """Whether every sentence of `prose` that `rx` matches only wonders whether it is so."""
    return all(_WONDERED.search(prose[max(0, m.start() - 60) : m.start()]) for m in rx.finditer(prose))


def _wget_download(line: str, whole_lower: str) -> bool:
    """Whether the line is wget's own status ("ERROR 403: Forbidden.", wget's `ERROR %d: %s.`) and every request wget
    logged in the paste ("--2024-02-23 16:25:44--  https://…") went elsewhere than a registry API: a file download."""
    if not _WGET_STATUS.match(line):
        return False
    urls = _WGET_REQUEST.findall(whole_lower)
    return bool(urls) and not any(_REGISTRY_API.search(u) for u in urls)


def _another_programs(cause: str, tool: str | None, line: str, whole_lower: str) -> bool:
    """Whether the failure is another program's, not a registry's: a quota of git LFS or a storage bucket; a network
    error with context around it, none of it about images, registries or container tools (a bare error line alone is
    read as the registry's: it was asked here); or every host the error line itself sent a request to serves code,
    packages or web content (`go mod download` from proxy.golang.org inside a build, `podman machine init` fetching
    from objects.githubusercontent.com: whatever tool ran it); or, when the line names none, every host the paste
    names does and no container tool speaks."""
    if _wget_download(line, whole_lower):
        return True
    if cause == "QUOTA_EXCEEDED":
        return bool(_OTHER_QUOTA.search(whole_lower))
    if cause not in NETWORK_CAUSES:
        return False
    if tool not in REGISTRY_TOOLS and not registry_context(whole_lower):
        return True
    if _FETCHER_ERROR.match(line) and _BUILD_STEP_FETCH.search(whole_lower):
        return True  # curl's or wget's own error under a Dockerfile step that runs it: the build's download
    own = line_hosts(line.lower()) if not is_bare(whole_lower) else None
    if own is not None:
        return bool(own) and all(is_other_host(h) for h in own)
    return tool not in REGISTRY_TOOLS and only_other_hosts(whole_lower)


# curl's error format ("curl: (%d) %s", tool_operate.c) and wget's ("wget: …"): a program of its own, never a
# container tool's output
_FETCHER_ERROR = LazyRe(r"^(?:curl: \(\d{1,3}\)|wget: )")
# a Dockerfile step that runs curl or wget ("Step 10/15 : RUN curl -fsSL …", BuildKit "#8 [4/9] RUN wget …")
_BUILD_STEP_FETCH = LazyRe(r"(?:^|\n|: |\] )run\s[^\n]{0,400}\b(?:curl|wget)\b")
# wget's final status line and the request line it logs before each download
_WGET_STATUS = LazyRe(r"^ERROR \d{3}: ")
_WGET_REQUEST = LazyRe(r"^--\d{4}-\d\d-\d\d \d\d:\d\d:\d\d--\s+(\S+)", re.MULTILINE)
_REGISTRY_API = LazyRe(r"/v2/|/v1/")
# Quotas of other services a build or a push touches: git LFS storage and bandwidth, object storage buckets
_OTHER_QUOTA = LazyRe(r"\blfs\b|\bbucket\b|\bgit-lfs\b")


def _operation(line: str, ent: dict[str, Any], op: str | None) -> str | None:
    """The operation that failed (else `op`, the one in force at the line), set in `ent`: the user's sentence names it ("pulling still says …"), or the error
    line says which side of a copy failed (`skopeo copy`, `crane copy`, `buildx --push` both pull and push:
    "uploading manifest … to", "writing blob" / "reading manifest … in", "initializing source")."""
    spoken = _prose_op(line)
    if spoken:
        ent["op"] = spoken
        return spoken
    direction = _line_direction(line)
    if direction and ent["op"] != "login":
        ent["op"] = direction
        return direction
    return op


def _whole_paste_cause(cause: str, also: list[str], line: str, lines: list[str], text: str) -> str:
    """The cause once the whole paste is looked at (the former cause joins `also`): a short name refused by every
    registry containers/image searched does not exist; a bare 400 to a tag that breaks the tag grammar is the name."""
    if cause not in NETWORK_CAUSES - {"SERVER_ERROR"} and _searched_registries(lines) >= 2:
        # "Trying to pull docker.io/library/x...", then quay.io/x ...: every one refused, so it exists on none
        also.insert(0, cause)
        return "REPO_NOT_FOUND"
    if cause == "SERVER_ERROR" and _BARE_400.search(line) and _NO_NAMESPACE.search(line):
        # GHCR, Quay and GCR names always have an owner: a 400 for a one-segment name is the name (ghcr.io/app)
        also.insert(0, cause)
        return "NAME_INVALID"
    cleaned = "\n".join(lines)  # (the lines as read: no-break spaces, quote markers and stamps gone)
    if cause in _REFUSALS and _HUB_DEEP_NAME.search(cleaned):
        # Docker Hub's names are namespace/name: a push to docker.io/a/b/c (a registry host without a dot, read as a
        # Hub namespace: "docker-registry/test/ubuntu") names a repository that cannot exist there
        also.insert(0, cause)
        return "REPO_NOT_FOUND"
    if cause in _REFUSALS and _HOST_AS_NAME.search(cleaned):
        # docker read a registry host with no repository path as a Docker Hub name ("pull access denied for
        # 123.dkr.ecr.eu-west-1.amazonaws.com, repository does not exist …"): the repository named is not there
        also.insert(0, cause)
        return "REPO_NOT_FOUND"
    if cause == "TAG_NOT_FOUND" and _HARBOR_ARTIFACT_NOT_FOUND.search(line) and _HARBOR_PROXY_CACHE.search(cleaned):
        # a Harbor proxy-cache project serves what it fetched from its upstream; when the fetch fails, Harbor falls
        # back to its local copy (server/middleware/repoproxy/proxy.go: "failed to proxy manifest, fallback to
        # local") and the local lookup answers "artifact … not found": the upstream fetch failed, not the name
        also.insert(0, cause)
        return "SERVER_ERROR"
    if cause == "SERVER_ERROR" and _BARE_400.search(line) and _BAD_TAG.search(text):
        # the tag grammar is [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; a `+` (semver build metadata) breaks it, and the
        # registry says no more than "Bad Request"
        also.insert(0, cause)
        return "NAME_INVALID"
    return cause


_HARBOR_ARTIFACT_NOT_FOUND = LazyRe(r"\bartifact [a-z0-9][^\s]{0,300} not found", re.IGNORECASE)
# a Harbor project of the proxy-cache type, as its settings, its users and its core log name it
_HARBOR_PROXY_CACHE = LazyRe(
    r"\bproxy[ _-]cache\b|\bpull[ -]through\b|\brepoproxy\b|failed to proxy (?:manifest|blob)|fetch it from remote repo",
    re.IGNORECASE,
)

_Best = tuple[int, int, dict[str, Any], str, str | None]  # (tier, line index, pattern, line, operation)


def _typed_command(line: str) -> tuple[str, str, str] | None:
    """`command_info` of a line that is a typed command: not a user's sentence naming a login in backticks
    ("caprover doesn't run `docker login` prior to pulling" tells what was or was not typed; it starts no login whose
    output follows)."""
    info = command_info(line) if len(line) < 2000 else None
    if info and info[1] == "login" and "`" in line and is_prose(_QUOTED_SPAN.sub(" ", line)):
        return None
    return info


def _decisive_line(lines: list[str], default_op: str | None, fenced: frozenset[int]) -> tuple[_Best, list[str]] | None:
    """The line that names the cause (the highest tier; a later line wins a tie, except a later entry of the same
    "errors:" list, a user's sentence after fenced output and a side command's output) and the causes of the other
    decisive lines (tier 3 and up), in order; None when no line matches a wording."""
    best: _Best | None = None
    best_where = (False, False)  # (inside a code fence, output of a side command) of the best line
    seen_causes: list[str] = []
    # The operation in force at each line: the last command typed above it, else guessed from the whole text.
    op = default_op
    in_errors = False  # inside a registry's "errors:" list, whose first entry is the primary error
    beside = _Beside(fenced)
    wrapped: str | None = None  # the line before, when it was long and named no error (a wrapped message's head)
    continued = False  # the line before ended with a shell's line continuation: this one is still what was typed
    logical = logical_lines(lines)  # joined once: _backoff reads the same lines when no wording names a cause
    for idx, line in logical:
        if continued:
            continued = _continues(line)
            wrapped = None
            continue  # `  --mount=type=bind,src=/var/run/docker.sock,dst=/var/run/docker.sock \`: an argument
        continued = _continues(line) and not is_prose(line)
        secondary = in_errors and bool(ERRCODE_LINE.match(line))
        in_errors = secondary or line.lower().startswith("errors:")
        info = _typed_command(line)
        op = info[1] if info and info[1] else op
        if op == "login" and info is None and login_finished([line]):
            op = None  # the login ended ("Login Succeeded"): the lines below are another command's output
        is_side = beside.update(idx, line, info is not None, best is not None and best[0] >= 3)
        if _INPUT_LINE.match(line):
            wrapped = None
            continue  # what the user typed or set (`sudo chmod 666 /var/run/docker.sock`, `DOCKER_HOST=unix://…`)
        p, line = _match(line, _prose_op(line) or op, wrapped)
        if p is not None and _BARE_WORD.fullmatch(line) and not (idx and _LAYER_LINE.match(lines[idx - 1])):
            p = None  # a bare "EOF" / "denied" is the client's final error only right under its layers' progress
        wrapped = line if p is None and len(line) >= _WRAP_WIDTH and line[-1].isalnum() and not is_prose(line) else None
        if p is None or asks_about(line, p) or denied_by_author(line, p):
            continue  # "ccr quota?", "临时登录密码多久过期": a question about a subject, not a program's output; "no
            # error 404 or anything": a message the author rules out
        if idx + 1 < len(lines) and _OFFER_TO_PULL.search(lines[idx + 1]):
            continue  # "Image X not found." then "Do you want to pull the image now? [Y/n]": a local lookup
        tier = _tier(line, p, best[3] if best is not None else None)
        if tier >= 3:
            seen_causes.append(p["cause"])
        where = (idx in fenced, is_side)
        if (
            best is None
            or tier > best[0]
            or (
                tier == best[0]
                and not secondary
                and _may_follow(line, where, best_where)
                and not _repeats(line, p, best[3])
            )
        ):
            best, best_where = (tier, idx, p, line, op), where
    best = _when_no_cause_named(lines, logical, best, op, default_op)
    return None if best is None else (_fuller_copy(lines, best), seen_causes)


def _when_no_cause_named(
    lines: list[str], logical: list[tuple[int, str]], best: _Best | None, op: str | None, default_op: str | None
) -> _Best | None:
    """The decisive line when no wording named a cause: the last line completed when the paste stops inside it; then,
    with no line or only a symptom (ErrImagePull), a line's frame: who answered, and where the answer stands in the
    chain, still tell the family (_backoff). `logical` is logical_lines(lines)."""
    if best is None:
        best = _cut_last_line(lines, op)
    if best is None or best[0] <= 1:
        best = _backoff(logical, default_op) or best
    return best


def _backoff(logical: list[tuple[int, str]], default_op: str | None) -> _Best | None:
    """The last line that stands in a backoff frame (knowledge/logpatterns.toml `[[backoff]]`: a daemon's local
    failure in a pull, an HTTP status, a registry's or daemon's answer with an unknown message), read at its frame's
    tier; None when none does. Typed commands, what the user set, and questions about a subject are not answers.
    `logical`: the paste's logical_lines."""
    found: _Best | None = None
    op = default_op
    continued = False
    for idx, line in logical:
        was_continued, continued = continued, _continues(line) and not is_prose(line)
        if was_continued:
            continue  # an argument of the command typed above (_decisive_line)
        info = command_info(line) if len(line) < 2000 else None
        op = info[1] if info and info[1] else op
        if info is not None or _INPUT_LINE.match(line):
            continue
        p = match_backoff(line, op)
        if p is not None and _context_only(line, op):
            continue  # a line a context wording names (an updater's HEAD fallback, telemetry): its status is no answer
        if p is not None and not asks_about(line, p):
            found = (int(p["tier"]), idx, p, line, op)
    return found


def _context_only(line: str, op: str | None) -> bool:
    """Whether `line` holds a context wording (tier 0, no cause: Watchtower's "Could not do a head request …, falling
    back to regular pull" and its "Reason: registry responded …", a telemetry exporter's failure): the status it
    quotes was answered to a side request, so no backoff frame reads it as the failure."""
    q = match_line(line, op)
    return q is not None and bool(q.get("no_cause")) and int(q["tier"]) == 0


_NEXT_ENDPOINT = LazyRe(r"\bAttempting next endpoint for (?:pull|push) after error: ", re.IGNORECASE)
_REASON_WINDOW = 20  # lines above a generic wrapper where the daemon logged the reason it wraps
# a credential cause only a specific wording names (a generic 401/denied never reads as it by itself); refused
# credentials named above a wrapper were tried too and read no better (a login's own failure is another command's)
_SPECIFIC_CREDENTIAL = frozenset({"CREDENTIALS_EXPIRED"})


def _reason_before_wrapper(lines: list[str], best: _Best) -> _Best:
    """The daemon's own reason logged a few lines above the generic wrapper it ends with ("Not continuing with pull
    after error: denied: Your Authorization Token has expired", then "pulling image failed" error="pull access denied
    for …, repository does not exist or may require 'docker login'"): an expired credential named there outranks the
    wrapper's three-way guess (labelling convention C5, across the lines of one failure)."""
    tier, idx, p, _line, op = best
    found = _not_found_of_same_reference(lines, best) or _left_of_the_pipe(lines, best) or _why_not_there(lines, best)
    if found is not None:
        return found
    helper = _helper_failed_above(lines, best)
    if helper is not None:
        return helper
    if p["id"] not in GENERIC_IDS or tier < _DECISIVE_TIER:
        return best
    if p["cause"] in ("TAG_NOT_FOUND", "REPO_NOT_FOUND"):
        # docker 1.x tried the v2 endpoint first and logged why it moved on ("Attempting next endpoint for pull after
        # error: unauthorized: authentication required"); the v1 fallback's "Error: image X not found" that ends the
        # pull is the old index's answer, not the reason (moby distribution/pull.go)
        for j in range(idx - 1, max(-1, idx - _REASON_WINDOW), -1):
            if _NEXT_ENDPOINT.search(lines[j]):
                q = match_line(lines[j], op)
                if q is not None and q["cause"] in _REFUSALS:
                    return (tier, j, q, lines[j], op)
    for j in range(idx - 1, max(-1, idx - _REASON_WINDOW), -1):
        q = match_line(lines[j], op)
        if q is not None and q["id"] not in GENERIC_IDS and q["cause"] in _SPECIFIC_CREDENTIAL and q["tier"] >= tier:
            return (tier, j, q, lines[j], op)
    return best


# docker's refused pull that names another registry than Docker Hub (`pull access denied for H/NAME, …: denied: …`)
_LOGIN_HERE_REFINES = frozenset({"pull-access-denied"})
_LOGIN_OK = LazyRe(r"^\W{0,4}login succeeded\b", re.IGNORECASE | re.MULTILINE)
_TYPED_LOGIN = LazyRe(
    r"(?:^|[$#>]\s?|&&\s?|;\s?)(?:sudo\s+)?(?:docker|podman|nerdctl|buildah|finch)\s+login\b([^\n|;&'\"`]{0,400})",
    re.IGNORECASE | re.MULTILINE,
)  # a command typed (at a line's start or after a prompt), not docker's "may require 'docker login'"


def _refused_after_login_here(
    cause: str, also: list[str], pattern: dict[str, Any], lines: list[str], host: str | None, tool: str | None
) -> str:
    """C6: docker's refused pull (`denied`) after a login to the very registry that refused is the account's refusal,
    `PERMISSION_DENIED` (the registry knew who asked); the former cause joins `also`."""
    if pattern["id"] in _LOGIN_HERE_REFINES and cause != "PERMISSION_DENIED" and _logged_in_here(lines, host, tool):
        also.insert(0, cause)
        return "PERMISSION_DENIED"
    return cause


def _logged_in_here(lines: list[str], host: str | None, tool: str | None) -> bool:
    """Whether the paste shows a login to the refused registry `host` that succeeded (labelling convention C6: `denied`
    after a login is the account's refusal): docker's `Login Succeeded`, and every login command typed in the paste
    names that host (a bare `docker login` logs in to Docker Hub, another registry's login is another's). Not for
    Docker Hub (its refusal of a missing name reads the same) nor the kubelet (a node's login is another program's)."""
    if host is None or tool == "kubelet":
        return False
    from diagnostics.reference import DOCKER_HUB_ALIASES  # (imported where used: the reader's start-up stays lean)

    host = host.lower()
    if host in DOCKER_HUB_ALIASES or host == "docker.io":
        return False
    text = "\n".join(lines)
    if not _LOGIN_OK.search(text):
        return False
    typed = [m.group(1).lower() for m in _TYPED_LOGIN.finditer(text)]
    return all(host in args for args in typed)


# The refusals a credential helper's failure above them explains: a generic answer to a request that carried nothing
# the helper should have given, and a tool's "login failed" that wraps the helper's error (`gcloud docker`)
_HELPER_EXPLAINS = frozenset((*GENERIC_IDS, "credentials-invalid-login"))
_HELPER_EXPLAINED_CAUSES = frozenset(
    {"CREDENTIALS_MISSING", "CREDENTIALS_INVALID", "PERMISSION_DENIED", "REPO_NOT_FOUND"}
)
_ERASE_WARNING = LazyRe(r"\berror erasing credentials\b|\bcould not erase credentials\b", re.IGNORECASE)


def _helper_failed_above(lines: list[str], best: _Best) -> _Best | None:
    """The credential helper's failure a few lines above a generic refusal (docker-credential-helpers' "Error saving
    credentials: error storing credentials - err: exit status 1, out: `not implemented`" on the login, then the
    pull's "pull access denied … denied"; `gcloud docker`'s "Docker login failed." after the helper's error): the
    refused request carried no credentials because the helper gave none, so the helper's line decides (convention
    C5 across the lines of one failure). A logout's erase warning explains nothing. None when no such line."""
    tier, idx, p, _line, op = best
    if p["id"] not in _HELPER_EXPLAINS or p["cause"] not in _HELPER_EXPLAINED_CAUSES:
        return None
    for j in range(idx - 1, max(-1, idx - _REASON_WINDOW), -1):
        q = match_line(lines[j], op)
        if q is not None and q["cause"] == "CREDENTIAL_HELPER_ERROR" and not _ERASE_WARNING.search(lines[j]):
            return (max(tier, int(q["tier"])), j, q, lines[j], op)
    return None


# A manifest request refused with a 401 (`Head "https://H/v2/REPO/manifests/TAG": unauthorized: …`), and the daemon's
# not-found of a reference (`manifest for H/REPO:TAG not found`)
_REFUSED_MANIFEST = LazyRe(r"https?://([^/\s\"'`]{1,253})/v2/([^\s\"'`]{1,300}?)/manifests/([^\s\"'`/]{1,128})")
_MANIFEST_NOT_FOUND = LazyRe(r"\bmanifest for ([^/\s\"'`]{1,253})/([^\s\"'`]{1,300}?):([^\s\"'`:]{1,128}) not found")
_CREDENTIAL_401 = frozenset({"CREDENTIALS_MISSING", "CREDENTIALS_INVALID"})


def _not_found_of_same_reference(lines: list[str], best: _Best) -> _Best | None:
    """The not-found a few lines above a 401 for the same reference (host, repository, tag): a platform that pulls
    with its credentials and then retries without them (Azure App Service's `DockerApiException … NotFound …
    manifest for H/R:T not found`, then `… unauthorized`) logs the registry's answer to the allowed request first;
    the anonymous retry's 401 says nothing about the tag. None when there is no such line."""
    tier, idx, p, line, op = best
    if p["cause"] not in _CREDENTIAL_401:
        return None
    refused = _REFUSED_MANIFEST.search(line)
    if refused is None:
        return None
    want = tuple(g.lower().rstrip(":") for g in refused.groups())  # (`…/manifests/TAG: unauthorized`, unquoted)
    for j in range(idx - 1, max(-1, idx - _REASON_WINDOW), -1):
        m = _MANIFEST_NOT_FOUND.search(lines[j])
        if m is None or tuple(g.lower() for g in m.groups()) != want:
            continue
        q = match_line(lines[j], op)
        if q is not None and q["cause"] in ("TAG_NOT_FOUND", "REPO_NOT_FOUND"):
            return (tier, j, q, lines[j], op)
    return None


def _why_not_there(lines: list[str], best: _Best) -> _Best | None:
    """The pull's own error a few lines above a local lookup that failed after it (moby's "failed to register layer:
    …", then `docker run`'s or compose's "No such image: X"): the store lacks the image because that pull failed, so
    its error says why (convention C8). None when the decisive line is no local lookup or nothing above names a
    cause."""
    tier, idx, p, _line, op = best
    if not p.get("local_lookup"):
        return None
    for j in range(idx - 1, max(-1, idx - _REASON_WINDOW), -1):
        q = match_line(lines[j], op)
        if q is not None and not q.get("local_lookup") and not q.get("no_cause") and q["tier"] >= tier:
            return (tier, j, q, lines[j], op)
    return None


# A login that reads its password from a pipe (`aws ecr get-login-password | docker login -u AWS --password-stdin H`,
# `gcloud auth print-access-token | helm registry login … --password-stdin`)
_PIPED_LOGIN = LazyRe(
    r"\|\s?(?:sudo\s)?(?:docker|podman|nerdctl|buildah|skopeo|oras|crane|helm\sregistry|finch)\slogin\b[^\n|]{0,400}"
    r"--password-stdin\b",
    re.IGNORECASE,
)


def _left_of_the_pipe(lines: list[str], best: _Best) -> _Best | None:
    """The error of the command left of a pipe into a login that reads its password from stdin: docker/cli's login
    reads the password from stdin and, given nothing (the command before the pipe failed and printed only its
    error), asks for one, which a pipe cannot answer ("Cannot perform an interactive login from a non TTY device",
    cli/command/registry.ConfigureAuth). That error is a consequence; the other command's, on the same line or
    a few lines above, is the cause. None when the login is not piped or no other error is there."""
    tier, idx, p, line, op = best
    if p["cause"] != "LOGIN_USAGE" or not _PIPED_LOGIN.search("\n".join(lines[max(0, idx - _REASON_WINDOW) : idx + 1])):
        return None
    q = match_line(line, op, skip_ids=(p["id"],))
    if q is not None and q["cause"] != "LOGIN_USAGE" and q["tier"] >= _DECISIVE_TIER:
        return (tier, idx, q, line, op)
    for j in range(idx - 1, max(-1, idx - _REASON_WINDOW), -1):
        q = match_line(lines[j], op)
        if (
            q is not None
            and q["cause"] != "LOGIN_USAGE"
            and q["tier"] >= _DECISIVE_TIER
            and not _PIPED_LOGIN.search(lines[j])
        ):
            return (tier, j, q, lines[j], op)
    return None


_MIN_COPY = 30  # characters of a line that make it recognisable as a copy of another


def _fuller_copy(lines: list[str], best: _Best) -> _Best:
    """The decisive line read from a fuller copy of it above, when the paste printed the same message twice and cut
    the last one ("…: x509:" under a log line that holds "…: x509: cannot validate certificate for … because it
    doesn't contain any IP SANs"): the more specific wording the copy goes on to, at the decisive line's tier."""
    tier, idx, p, line, op = best
    core = strip_prefix(line).strip()
    if len(core) < _MIN_COPY:
        return best
    for j in range(idx - 1, max(-1, idx - 60), -1):
        at = lines[j].find(core)
        if at < 0 or len(lines[j]) <= at + len(core):
            continue
        fuller = lines[j][at:]
        q = match_line(fuller, op)
        if q is not None and q["id"] != p["id"] and _pattern_rank(q) < _pattern_rank(p):
            return (tier, idx, q, fuller, op)
    return best


def _cut_last_line(lines: list[str], op: str | None) -> _Best | None:
    """A paste that stops inside its last error line (a stored excerpt, a copy cut short: "…: dial tcp …: i/o tim",
    "no basic auth cred", a UI's shortened message "…: connect: network is unr..."): when nothing else in it names an error, the last line is read with the wording it was
    cut inside completed, the shortest completion first. Only a cut inside a word counts (a line that ends with a
    whole word was not cut there); only an error chain ("…: …") is completed, never a question or the user's own
    sentence; a wording must keep a third of itself in the line (three fifths of a one-word one)."""
    if not lines:
        return None
    idx, line = len(lines) - 1, lines[-1]
    if line.startswith("```") and len(lines) > 1:
        idx, line = idx - 1, lines[-2]
    marked = _ELLIPSIS_CUT.search(line)  # a UI or a log viewer that shortens a message marks the cut ("unr...")
    if marked:
        line = line[: marked.start()]
    lower = line.lower()
    if len(line) < 12 or ": " not in line or _ASKS.search(line) or (is_prose(line) and _FIRST_PERSON.search(lower)):
        return None  # only an error chain ("…: …") is completed; never a question or the user's own sentence
    candidates = []
    for literal in load_rules()["completions"]:
        shortest = max(3, len(literal) // 3) if " " in literal else max(3, (len(literal) * 3 + 4) // 5)
        for k in range(len(literal) - 1, shortest - 1, -1):
            # a whole last word is not a cut, unless an ellipsis says it is ("connect: network is...")
            inside_word = literal[k - 1].isalnum() and (
                literal[k].isalnum() or (marked is not None and literal[k] == " ")
            )
            if inside_word and lower.endswith(literal[:k]) and not lower[-k - 1 : -k].isalnum():
                candidates.append((len(literal) - k, -len(literal), literal[k:]))
                break
    for _missing, _length, rest in sorted(candidates):
        p = match_line(line + rest, op)
        if p is not None:
            return (int(p["tier"]), idx, p, line, op)
    return None


_ELLIPSIS_CUT = LazyRe(r"(?<=[A-Za-z0-9])(?:\.{3}|\u2026)\s*$")
_ASKS = LazyRe(r"[?？]|怎么|如何|吗|\b(?:how|what|why|can|could|cant|can't)\b", re.IGNORECASE)
_FIRST_PERSON = LazyRe(r"\b(?:i|we|my|our|me|us)\b|我|我们")


# The operation words of a user's sentence, English and Chinese ("pulling still says `unauthorized`", "拉取镜像还是会报错").
_OP_WORDS = LazyRe(
    r"拉取|拉镜像|下载镜像|\bpull(?:ing|ed|s)?\b|推送|推镜像|上传镜像|\bpush(?:ing|ed|es)?\b|登录|登陆|\blog(?:ging)? ?in\b"
)


def _prose_op(line: str) -> str | None:
    """In a user's sentence that quotes output in backticks, the operation named last before the first quote that
    is not a command ("ran `docker login`, pulling still says `unauthorized`": pull); None for other lines."""
    if "`" not in line or not is_prose(line):
        return None
    at = 0
    for span in re.finditer(r"`([^`\n]{3,600})`", line):
        if not command_info(span.group(1)):
            at = span.start()
            break
    words = [m.group(0).lower() for m in _OP_WORDS.finditer(line[:at])] if at else []
    if not words:
        return None
    last = words[-1]
    if last in ("拉取", "拉镜像", "下载镜像") or last.startswith("pull"):
        return "pull"
    if last in ("推送", "推镜像", "上传镜像") or last.startswith("push"):
        return "push"
    return "login"


def _match(line: str, op: str | None, wrapped: str | None) -> tuple[dict[str, Any] | None, str]:
    """The pattern the line names (a user's backticked quote first) and the line it was found in: joined to the
    long line before it (`wrapped`) when a terminal or a web page wrapped one message inside its wording
    ("…: unauthorized: authentic" / "ation required") and neither piece names an error alone."""
    quoted = quoted_output(line)
    p = (match_line(quoted, op) if quoted else None) or match_line(line, op)
    if p is not None and p["tier"] == _DECISIVE_TIER - 1 and not p.get("no_cause"):
        # a generic wording (tier 2: a local "No such image", a wrapper) never hides a decisive one on the same line
        # ("no such image: X: invalid reference format"); context (tiers 0-1: a telemetry exporter's own failure) does
        q = match_line(quoted or line, op, skip_ids=(p["id"],))
        if q is not None and q["tier"] >= _DECISIVE_TIER:
            p = q
    if p is not None and p["id"] == "daemon-cannot-connect" and _DAEMON_OPTION.search(line):
        # the daemon's address given to a command that a program ran (`Failed to run 'docker -H unix:///var/run/
        # docker.sock pull X': exited with status 1; stderr='unauthorized: …'`) names where it went, not a failure
        q = match_line(_DAEMON_OPTION.sub(" ", line), op)
        if q is None or q["id"] != p["id"]:
            p = q
    inner = program_quote(line) if p is not None and not quoted else None
    if p is not None and inner:
        # the helper's own output refines the wrapper's reading within the same cause (D-Bus, a missing `pass` store)
        q = match_line(inner, op)
        if q is not None and q["cause"] == p["cause"]:
            p = q
    if p is None and _GLUED.search(line) is not None:
        # a wording glued to the author's Han words ("这条命令运行后提示image X not found", "报错unauthorized"): Python's
        # \b counts Han as word characters, so the wording is read with a space at each Han/ASCII seam
        p = match_line(_GLUED.sub(" ", line), op)
    if p is None and wrapped is not None:
        # the cut fell inside a word, or at a space that trimming the line removed: both are tried, and the more
        # specific reading (the earlier pattern) wins ("failed to" / "fetch anonymous token: …" is not "tofetch")
        found = [(q, joined) for joined in (wrapped + line, wrapped + " " + line) if (q := match_line(joined, op))]
        if found:
            return min(found, key=lambda pair: _pattern_rank(pair[0]))
    return p, line


# a seam between a Han character and an ASCII letter, with no space or punctuation between them
# (letters only: a status glued to a word, "直接报404", is read by its own told-status wordings)
_GLUED = LazyRe(r"(?<=[\u3400-\u9fff])(?=[A-Za-z])|(?<=[A-Za-z])(?=[\u3400-\u9fff])")
_pattern_rank = pattern_rank  # the pattern's place in the file (earlier = more specific)
# a daemon address given as a command's option (docker/cli `-H, --host`: `-H unix:///var/run/docker.sock`, `--host=tcp://…`)
_DAEMON_OPTION = LazyRe(r"(?<![\w-])(?:-H|--host)[ =](?:unix|tcp|npipe|ssh)://\S{1,300}")


# a line of a JSON body pasted as it came (`{`, `"errors": [`, `"code": "UNAUTHORIZED",`, `}`)
_JSON_BODY_LINE = LazyRe(r'^(?:[{}\[\]],?|"[\w-]{1,40}"\s?:)')


class _Beside:
    """Whether a line is output beside the failure the post is about: a side command's (`docker search`), what a
    request made by hand answered, what the user saw after changing the setup."""

    def __init__(self, fenced: frozenset[int]) -> None:
        self.fenced = fenced
        self.side = self.by_hand = self.altered = False
        self.told_at = -2

    def update(self, idx: int, line: str, typed: bool, have_error: bool) -> bool:
        """Take line `idx` (`typed`: a command; `have_error`: a decisive error was seen above) and say whether it
        is beside the failure."""
        self.side = True if _SIDE_COMMAND.search(line) else (False if typed else self.side)
        # what a request made by hand answered: the sentence telling it, and the fenced block right after it
        if _MANUAL_FETCH.search(line):
            self.by_hand, self.told_at = True, idx
        elif (
            self.by_hand
            and idx not in self.fenced
            and not line.startswith(("```", "~~~"))
            and idx != self.told_at + 1  # "Trying the URL directly returns:" then the answer on the next line
        ):
            self.by_hand = False
        elif self.by_hand and idx == self.told_at + 1 and _JSON_BODY_LINE.match(line):
            self.told_at = idx  # the answer is a JSON body pasted unfenced: each of its lines goes on with it
        # what the user saw after changing the setup ("If I manually enter our DNS server the error message changes
        # to:", "When we uncheck 'Verify Remote Cert', the error is"): an experiment beside the error the post is
        # about, up to the next sentence of the user's
        if have_error and _ALTERED_SETUP.search(line):
            self.altered = True
        elif self.altered and idx not in self.fenced and is_prose(line):
            self.altered = False
        return self.side or self.by_hand or self.altered


# A sentence telling what the user changed before the error shown next: a change verb, then the error "changes to" or
# "is" (it names the change, so a plain "When I push, the error is:" is not one)
_ALTERED_SETUP = LazyRe(
    r"\b(?:if|when|after|once)\s+(?:i|we)\b[^\n]{0,80}?\b(?:manually|uncheck(?:ed)?|un-?tick(?:ed)?|disabled?|"
    r"enabled?|chang(?:e|ed)|switch(?:ed)?|set|turn(?:ed)? (?:off|on)|remov(?:e|ed)|add(?:ed)?)\b[^\n]{0,120}?"
    r"\b(?:error|message|output)(?: message)? (?:changes|changed|becomes|became|turns into|is|was)\b",
    re.IGNORECASE,
)


_SPEAKER = LazyRe(r"\b(?:i|we|my|our|me|us|you|your)\b|[?？]|我", re.IGNORECASE)


def _repeats(line: str, p: dict[str, Any], best_line: str) -> bool:
    """Whether `line` is the user's sentence repeating words of the error line already chosen ("do you have any idea
    about this error authenticationrequired" under the message that ended with it): a retelling, not a new error."""
    if not is_prose(line) or not _SPEAKER.search(line):
        return False
    words = matched_words(line, p).strip().lower()
    return len(words) >= 4 and words in best_line.lower()


_DECISIVE_TIER = 3
# a line of an HTTP access log (nginx, the registry: `"GET /v2/x/manifests/1 HTTP/1.1" 500 228`)
_ACCESS_LOG = LazyRe(r'(?:^|\s)/\S{0,2000} HTTP/\d(?:\.\d)?" \d{3} (?:\d+|-)')
_FAILURE_WORD = LazyRe(r"\b(?:error|failed|unable to|cannot|could not)\b", re.IGNORECASE)


def _may_follow(line: str, where: tuple[bool, bool], best_where: tuple[bool, bool]) -> bool:
    """Whether a later line of the same tier may replace the best line: not a user's sentence after fenced output
    (it retells the output), not the output of a `docker search` tried on the side of the pull the post is about."""
    in_fence, side = where
    best_fenced, best_side = best_where
    if best_fenced and not in_fence and is_prose(line):
        return False
    return not (side and not best_side)


# A command that talks to a registry's search API, not its image API (`docker search` asks index.docker.io/v1/search
# whatever registry the post is about): its errors are a side test.
_SIDE_COMMAND = LazyRe(r"(?:^|[\s$#>])(?:sudo\s+)?(?:docker|podman|nerdctl)\s+search\b")


# The user telling what a request made by hand answered ("[That URL](…) returns this JSON: {…UNAUTHORIZED…}", "curl
# on /v2/ gives 401"): a registry asks an anonymous request for a token with a 401, so that answer is a side test,
# not the failure of the command the post is about.
_MANUAL_FETCH = LazyRe(
    r"\b(?:that|this|the) (?:url|link|endpoint|address)\b[^\n]{0,80}\b(?:returns?|gives?|shows?|answers?)\b|"
    r"\b(?:curl|wget|browser)\b[^\n]{0,80}\b(?:returns?|gives?|shows?|answers?|displays?|i see|i get|i got)\b|"
    r"\b(?:go|goes|went|navigate[ds]?|open(?:ed|ing)?|visit(?:ed|ing)?|brows(?:e|ed|ing)|hit|click(?:ed|ing|s)?)\b "
    r"(?:to |on )?(?:[a-z]{1,4} )?(?:url|link|address|endpoint|page)\b[^\n]{0,120}\b(?:i get|i got|i see|get|got|returns?|gives?|shows?|answers?)\b|"
    r"\b(?:directly )?access(?:ed|ing)? (?:https?://\S{1,300}|the (?:url|link|endpoint|address))[^\n]{0,60}\b(?:says?|shows?|returns?|gives?)\b|"
    r"\b(?:the )?(?:url|link|page) (?:above|below) (?:contains|says|shows|returns|gives)\b|"
    # the same told in Chinese, Japanese and Korean ("浏览器打开…显示", "ブラウザでアクセスすると", "링크타고 들어가보니")
    r"(?:浏览器|直接)(?:打开|访问)|(?:打开|访问)(?:这个|该|上面的)?(?:链接|网址|地址|url)|ブラウザで(?:開|アクセス)|"
    r"(?:링크|주소|url)\S{0,4}\s?(?:타고|로|에)?\s?(?:들어가|접속)",
    re.IGNORECASE,
)


def _fenced(lines: list[str]) -> frozenset[int]:
    """Indices of the lines inside Markdown code fences (```), where users paste the program's output."""
    inside, out = False, set()
    for i, line in enumerate(lines):
        if line.startswith(("```", "~~~")):
            inside = not inside
        elif inside:
            out.add(i)
    return frozenset(out)


# an error line whose message goes on as an HTML page: quoted ("invalid character '<'"), or printed after it
_OPENS_HTML = LazyRe(r"invalid character '<'|<(?:html|!doctype html)[^<]{0,40}$", re.IGNORECASE)


def _tier(line: str, pattern: dict[str, Any], best_line: str | None) -> int:
    """The pattern's tier on this line: at most 1 where the line is context rather than the error."""
    tier: int = pattern["tier"]
    if HTML_LINE.match(line) and best_line is not None and _OPENS_HTML.search(best_line):
        # the body an error line quoted (split into lines when unescaped) or printed after it ("Unexpected status
        # code [404] : <html>"): that line decides
        return min(tier, 1)
    if describes(line, pattern):
        return min(tier, 1)  # the user's own sentence naming a subject: context, not the error
    if _ASKS_WHY.match(line):
        return min(tier, 2)  # the user's question quoting the error ("Why "Access denied"?"): the output says more
    if _ACCESS_LOG.search(line):
        return min(tier, 2)  # a server's access log says what it answered; the error line it logged says why
    if retells_outcome(line, pattern):
        return min(tier, 2)  # "After that, the login failed.": the output's own reason, if any, outranks it
    if DEBUG_LINE.match(line) and "trying next host" not in line:  # containerd logs its resolver errors at info
        # debug/info chatter ("DEBU[0001] Credentials not found") never outranks an error; a failure a tool logs at
        # that level all the same ("[D] Error pulling image …: no such host") still outranks the chatter
        return min(tier, 2 if _FAILURE_WORD.search(line) else 1)
    return tier


def _refined_cause(
    pattern: dict[str, Any],
    line: str,
    op: str | None,
    ent: dict[str, Any],
    tool: str | None,
    before: list[str],
    whole_lower: str,
) -> tuple[str, list[str], dict[str, str] | None]:
    """(cause, other causes, note) of the decisive line, refined by what the pattern allows: the rest of the line,
    a long transfer before it, the kubelet, the registry's own reason, Docker Hub."""
    cause: str = pattern["cause"]
    note = None
    also = list(pattern.get("also", []))
    if pattern.get("also_from_rest"):
        key = pattern["also_from_rest"]
        rest = line[line.lower().find(key) + len(key) :]
        inner = match_line(rest, op, skip_ids=(pattern["id"], "proxy-auth"))
        if inner and inner["cause"] != cause:
            also.insert(0, inner["cause"])
    if pattern.get("expired_after_upload") and _expired_in_transfer(ent["op"], before, whole_lower):
        # Layers were already being uploaded (or downloaded), so the login worked at the start, and one of them was
        # large: a token that expired during the long transfer is the likely story (registry tokens are
        # short-lived). "Layer already exists" alone proves nothing: checking a layer needs only read access.
        also.insert(0, cause)
        cause = "CREDENTIALS_EXPIRED"
        note = _EXPIRED_DURING_PUSH if ent["op"] == "push" else _EXPIRED_DURING_PULL
    elif pattern.get("expired_after_upload") and cause == pattern["cause"] and _EXPIRY_PROSE.search(whole_lower):
        also.insert(0, cause)
        cause = "CREDENTIALS_EXPIRED"
        note = _EXPIRED_OVER_TIME
    cause = _host_cause(pattern, cause, also, whole_lower)
    if (
        pattern.get("official_cause")
        and cause == pattern["cause"]
        and _HUB_OFFICIAL.search(line)
        and not official_image(line)
    ):
        # Docker Hub's library/ namespace holds only public official images: a 401 there is asked of a name that
        # does not exist (kaniko, crane: `UNAUTHORIZED: authentication required; [map[… Name:library/nodee …]]`)
        also.insert(0, cause)
        cause = pattern["official_cause"]
    if pattern.get("kubelet_cause") and tool == "kubelet" and cause == pattern["cause"]:
        also.insert(0, cause)
        cause = pattern["kubelet_cause"]
    public = ent["hub"] or (
        pattern.get("public_too")
        and (ent["one_segment"] or _hub_like_one_segment(ent) or _public_registry(ent["host"], whole_lower))
    )
    on_hub = pattern.get("hub_cause") and public and (not pattern.get("hub_ops") or ent["op"] in pattern["hub_ops"])
    if pattern.get("refine_after") and not ent["hub"]:
        cause = _anyones_answer(_registry_reason(pattern, line, op, cause, also), also, line, ent)
    if on_hub and cause == pattern["cause"]:
        also.insert(0, cause)
        cause = pattern["hub_cause"]
    peer = _connection_peer(line, whole_lower) if cause in _CONNECTION_CAUSES and cause == pattern["cause"] else None
    if peer:
        also.insert(0, cause)
        cause = peer
    return _name_cause(cause, also, line, ent, whole_lower), also, note


def _anyones_answer(cause: str, also: list[str], line: str, ent: dict[str, Any]) -> str:
    """A refused pull whose registry's reason is `insufficient_scope` and that names no registry (docker asked its
    default, Docker Hub: compose's and BuildKit's "pull access denied, repository does not exist or may require
    authorization: server message: insufficient_scope: authorization failed"): what a registry answers anyone for a
    name it does not have, `REPO_NOT_FOUND` (labelling convention C6; the refusal's cause joins `also`)."""
    if (
        cause == "PERMISSION_DENIED"
        and ent["host"] is None
        and ent["op"] == "pull"
        and "insufficient_scope" in line.lower()
    ):
        also.insert(0, cause)
        return "REPO_NOT_FOUND"
    return cause


_CONNECTION_CAUSES = frozenset({"TCP_REFUSED", "TCP_TIMEOUT"})
# Go's url.Error "Get "https://HOST[:PORT]/…": " then net.OpError "dial tcp DST:P: …" / "read tcp SRC->DST:P: …"
_URL_THEN_PEER = LazyRe(
    r"\b(https?)://([a-z0-9][a-z0-9.-]{0,252}?)(?::(\d{1,5}))?/[^\s\"']{0,2000}[\"']?:\s"
    r"(?:[a-z ]{0,40}: )?(?:dial|read|write) tcp (?:\S{1,60}->)?(\[[0-9a-f:.]{2,45}\]|\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5}):",
    re.IGNORECASE,
)
_IP_OR_LOCAL = LazyRe(r"^(?:\d{1,3}(?:\.\d{1,3}){3}|localhost|[0-9a-f:]*:[0-9a-f:]*)$", re.IGNORECASE)


def _connection_peer(line: str, whole_lower: str) -> str | None:
    """The cause of a refused or stalled connection by whom it went to, when not the registry: a forward proxy (another
    port than the URL's, or the proxy's address the paste names: `PROXY_ERROR`), the container engine's own address
    (`DAEMON_ERROR`); None otherwise."""
    if connected_elsewhere(line) or proxy_endpoint(line, whole_lower):
        return "PROXY_ERROR"
    return "DAEMON_ERROR" if engine_endpoint(line, whole_lower) else None


def connected_elsewhere(line: str) -> bool:
    """Whether the client's TCP connection for a named host's URL went to another port than the URL's (Go's url.Error
    `Get "https://registry-1.docker.io/v2/": read tcp 10.10.10.229:48710->10.10.10.11:1081: …`): DNS answers
    addresses, never ports, so the peer on port 1081 is an intermediary the client was told to use (a forward proxy),
    not the registry. A URL whose host is an address, or localhost, says nothing (its port is the peer's)."""
    m = _URL_THEN_PEER.search(line)
    if m is None or _IP_OR_LOCAL.match(m.group(2)):
        return False
    url_port = int(m.group(3)) if m.group(3) else (443 if m.group(1).lower() == "https" else 80)
    return int(m.group(5)) != url_port


# The engine's own address as a client is told it: a docker context or podman connection over ssh
# (`ssh://user@localhost:60710/run/user/1000/podman/podman.sock`), DOCKER_HOST or dockerd's `-H tcp://H:P`
_ENGINE_URI = LazyRe(r"\b(?:ssh|tcp)://(?:[^@\s/]{1,100}@)?(\[[0-9a-f:]{2,45}\]|[a-z0-9][a-z0-9.-]{0,252}):(\d{1,5})\b")
# A forward proxy as a client is told it: `HTTPS_PROXY=http://127.0.0.1:3128`, `--docker-env="http_proxy=…"`,
# `http-proxy: …` in a config
_PROXY_URI = LazyRe(
    r"\b(?:https?|all|ftp)[_-]proxy\b\W{0,4}(?:https?|socks5h?)://(?:[^@\s/]{1,100}@)?"
    r"(\[[0-9a-f:]{2,45}\]|[a-z0-9][a-z0-9.-]{0,252}):(\d{1,5})\b"
)
# the peer a refused or stalled connection was made to: OpenSSH's "connect to host H port P", Go's "dial tcp H:P",
# a URL followed straight by the connect error (minikube's `…"http_proxy=http://127.0.0.1:3128": connect: …`)
_PEER = LazyRe(
    r"\bconnect to host (\S{1,253}) port (\d{1,5})\b|\bdial tcp (\[[0-9a-f:.]{2,45}\]|[a-z0-9][a-z0-9.-]{0,252}):(\d{1,5})\b|"
    r"https?://(\[[0-9a-f:.]{2,45}\]|[a-z0-9][a-z0-9.-]{0,252}):(\d{1,5})[\"']?: connect: "
)
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


def _peer(line: str) -> tuple[str, str] | None:
    """(host, port) the refused or stalled connection of `line` was made to, lower-cased; None when it names none."""
    m = _PEER.search(line.lower())
    if m is None:
        return None
    at = next(i for i in (1, 3, 5) if m.group(i))
    return m.group(at), m.group(at + 1)


def _named_as(peer: tuple[str, str], uri: LazyRe, whole_lower: str) -> bool:
    """Whether `peer` is an address the paste names in the way `uri` reads (loopback names are one address)."""
    host, port = peer
    return any(
        (e.group(1) == host or (e.group(1) in _LOOPBACK and host in _LOOPBACK)) and e.group(2) == port
        for e in uri.finditer(whole_lower)
    )


def engine_endpoint(line: str, whole_lower: str) -> bool:
    """Whether the refused or stalled connection of `line` went to the container engine's own address that the paste
    names as a client's connection (`ssh://user@localhost:60710/…/podman.sock` in `podman system connection list`,
    `DOCKER_HOST=tcp://10.0.0.5:2376`): then the engine (a podman machine's VM, a remote daemon) is what does not
    answer, not a registry."""
    peer = _peer(line)
    return peer is not None and _named_as(peer, _ENGINE_URI, whole_lower)


def proxy_endpoint(line: str, whole_lower: str) -> bool:
    """Whether the refused or stalled connection of `line` went to the forward proxy the paste names
    (`HTTP_PROXY=http://127.0.0.1:3128`, then `dial tcp 127.0.0.1:3128: connect: connection refused`): the proxy
    does not answer, not the registry."""
    peer = _peer(line)
    return peer is not None and _named_as(peer, _PROXY_URI, whole_lower)


def _name_cause(cause: str, also: list[str], line: str, ent: dict[str, Any], whole_lower: str) -> str:
    """REPO_NOT_FOUND for a refusal of a name that cannot exist (labelling convention C3), else `cause`; the former
    cause joins `also`."""
    if cause in _REFUSALS and ent["one_segment"] and ent["op"] != "push" and not credentials_shown(whole_lower):
        # a name without the namespace TCR, GHCR, Quay and GCR always have (`oci://ghcr.io/raffis` for a chart) cannot
        # exist there, whatever refusal answers it (labelling convention C3); not a push (helm appends the chart's
        # name to its `oci://` base) nor where credentials were handed over (C6 decides those)
        also.insert(0, cause)
        return "REPO_NOT_FOUND"
    if (
        cause in _REFUSALS
        and not _BARE_400.search(line)
        and (doubled_name(line.lower(), whole_lower) or hub_path_without_namespace(whole_lower))
    ):
        # a name a tool doubled (`oci://…/router` + chart `router` asks for `…/router/router`), or a Docker Hub name
        # sent without its namespace (`index.docker.io/v2/python/…`): C3, for a refusal (401, 403, denied); a 400 is
        # the request's own fault (helm's Docker Hub token request, log_dev/real)
        also.insert(0, cause)
        return "REPO_NOT_FOUND"
    if cause in _REFUSALS and _wrong_registry_in_name(line, ent["host"]):
        also.insert(0, cause)
        return "REPO_NOT_FOUND"
    return cause


# A registry's host written inside a Docker Hub name (`docker.io/lscr.io/linuxserver/heimdall`: an updater or a tool
# that prefixed Docker Hub to a name that already had its registry); Hub namespaces never hold a dot
_HUB_NAME_WITH_HOST = LazyRe(
    r"\b(?:index\.|registry-1\.)?docker\.io/(?:library/)?[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,4}"
    r"\.(?:io|com|org|net|dev|cloud|ai|cn|co|aws)/",
    re.IGNORECASE,
)
# Public registries whose host a user mistypes (two neighbouring letters swapped: `ghrc.io`, `qauy.io`): the one list
# of other vendors' registry hosts (knowledge/vendors.py)
_WELL_KNOWN_REGISTRIES = tuple(host for host, _vendor in VENDOR_HOSTS)


def _wrong_registry_in_name(line: str, host: str | None) -> bool:
    """Whether the refused name cannot exist because its registry is written wrong (labelling convention C3): a
    registry's host inside a Docker Hub name, or a well-known registry's host with two neighbouring letters swapped
    (`docker push ghrc.io/…` answered by whatever serves that domain)."""
    if "docker.io/" in line.lower() and _HUB_NAME_WITH_HOST.search(line):
        return True
    if not host:
        return False
    h = host.lower().split(":")[0]
    return any(len(h) == len(k) and h != k and _one_swap(h, k) for k in _WELL_KNOWN_REGISTRIES)


def _one_swap(a: str, b: str) -> bool:
    """Whether `a` is `b` with two neighbouring characters swapped (same length, checked by the caller)."""
    diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def _host_cause(pattern: dict[str, Any], cause: str, also: list[str], whole_lower: str) -> str:
    """The pattern's `host_cause` for a registry the paste names anywhere, whose answer to the same request means
    something else (GHCR's 403 to an anonymous token request: a package that is not public, where any other registry
    wants a login); the former cause joins `also`."""
    for host, other in (pattern.get("host_cause") or {}).items():
        if cause == pattern["cause"] and host in whole_lower:
            also.insert(0, cause)
            return str(other)
    return cause


# Docker Hub's official namespace named in a 401's access detail or URL: `Name:library/x` (the errcode detail as
# go-containerregistry prints it), `repository:library/x:pull` (the token scope), `index.docker.io/v2/library/x/`
_HUB_OFFICIAL = LazyRe(
    r"\bname:library/[a-z0-9._-]{1,100}\b|\brepository(?::|%3a)library(?:/|%2f)[a-z0-9._-]{1,100}(?::|%3a)|"
    r"\b(?:index|registry-1)\.docker\.io/v2/library/[a-z0-9._-]{1,100}/",
    re.IGNORECASE,
)
_BARE_400 = LazyRe(r"\b400\b(?: bad request)?(?![^\n]{0,40}(?:invalid|token|grant|scope))", re.IGNORECASE)
# the tag as a reference (`repo:1.2+build`) or in the manifest URL the client requested (`/v2/repo/manifests/1.2+build`:
# go-containerregistry / crane, `HEAD https://…: unexpected status code 400 Bad Request`)
_BAD_TAG = LazyRe(
    r"[a-z0-9][a-z0-9._/-]{0,200}/[a-z0-9._-]{1,100}:[A-Za-z0-9_][A-Za-z0-9_.-]{0,60}\+[A-Za-z0-9_.+-]{1,60}|"
    r"/manifests/[A-Za-z0-9_][A-Za-z0-9_.-]{0,60}\+[A-Za-z0-9_.+-]{1,60}"
)

_NO_NAMESPACE = LazyRe(
    r"\b(?:ghcr\.io|quay\.io|gcr\.io)/(?:v2/)?[a-z0-9._-]{1,100}(?:[:@][\w.-]|/(?:blobs|manifests|tags)/)",
    re.IGNORECASE,
)
_HOST_AS_NAME = LazyRe(
    r"\bpull access denied for\s{1,3}[^\s,/'\"]{1,200}\.(?:com|cn|io|net|org|dev|cloud|[a-z]{2})(?::\d{1,5})?,",
    re.IGNORECASE,
)
_HUB_DEEP_NAME = LazyRe(
    r"The push refers to (?:a )?repository \[docker\.io/[^\s/\]]{1,100}/[^\s/\]]{1,100}/[^\s\]]{1,200}\]"
)
_REFUSALS = frozenset({"CREDENTIALS_MISSING", "PERMISSION_DENIED", "CREDENTIALS_INVALID"})
_TRYING = LazyRe(
    r"^Trying to pull (?:repository )?([a-z0-9.-]{1,100}(?::\d{1,5})?)/([^\s:]{1,200}?)(?::[^\s/]{1,128})?(?: ?\.\.\.|\s|$)"
)


def _searched_registries(lines: list[str]) -> int:
    """How many registries the paste shows one repository name being tried on (podman, buildah and skopeo print
    "Trying to pull REGISTRY/NAME..." for each entry of unqualified-search-registries; docker on RHEL prints
    "Trying to pull repository REGISTRY/NAME ..."). 0 or 1 for an ordinary pull."""
    seen: dict[str, set[str]] = {}
    for line in lines:
        m = _TRYING.match(line)
        if m:
            name = m.group(2).removeprefix("library/")
            seen.setdefault(name, set()).add(m.group(1))
    return max((len(hosts) for hosts in seen.values()), default=0)


# Registries that serve public images to anonymous clients: a refused anonymous pull there almost always means the
# repository (or package) does not exist under that name, as on Docker Hub (GHCR and Quay answer a missing and a
# private package alike). Private instances (TCR, Harbor, ECR, ACR, a self-hosted registry) are left as they are.
_PUBLIC_REGISTRY = LazyRe(
    r"(?<![a-z0-9.-])(?:[a-z0-9-]+\.)?(?:docker\.io|ghcr\.io|quay\.io|gcr\.io|registry\.k8s\.io|mcr\.microsoft\.com|"
    r"public\.ecr\.aws|nvcr\.io)(?![a-z0-9.-])"
)
_ANY_HOST = LazyRe(r"(?<![a-z0-9.-])[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,6}\.[a-z]{2,12}(?::\d{1,5})?(?=/)")


# Registries whose own repository names may have one segment (ECR, ACR, Artifact Registry), and hosts of a local or
# self-run registry (an address, localhost, an explicit port): a one-segment name there can be a private repository.
_ONE_SEGMENT_OK = LazyRe(
    r"amazonaws\.com|azurecr\.(?:io|cn)|pkg\.dev|^localhost\b|^\d{1,3}(?:\.\d{1,3}){3}\b|:\d{1,5}$"
)


def _hub_like_one_segment(ent: dict[str, Any]) -> bool:
    """Whether the refused image is a one-segment name (`nginx`, `quark-auto-save`) on a named host that is not a
    registry whose names may have one segment: a Docker Hub mirror or proxy (dhub.example.xyz, a Cloudflare Pages
    proxy), which serves Hub's `library/` names and refuses one it does not serve as Hub does."""
    host, image = ent.get("host"), ent.get("image")
    if not host or not image or _ONE_SEGMENT_OK.search(host.lower()):
        return False
    path = str(image).split("/", 1)[1] if "/" in str(image) else ""
    path = path.split("@")[0].split(":")[0]
    return bool(path) and "/" not in path


def _public_registry(host: str | None, whole_lower: str) -> bool:
    """Whether the registry is one that serves public images (the log's host; with none, the only registry host the
    paste names, e.g. "拉取ghcr.io报错")."""
    if host:
        return bool(_PUBLIC_REGISTRY.fullmatch(host.lower().split(":")[0]))
    named = set(_PUBLIC_REGISTRY.findall(whole_lower))
    return len(named) == 1 and not _ANY_HOST.search(whole_lower)


def _expired_in_transfer(op: str | None, before: list[str], whole_lower: str) -> bool:
    """Whether the lines before the error show a push (pull) already transferring layers, one of them large; or a
    layer whose upload completed ("…: Pushed": the credentials worked, and had the push right); or the user says
    the refusal came after layers went up, or during a large or slow transfer."""
    if op == "push" and (any(_LAYER_PUSHED.match(prev) for prev in before) or _SLOW_PUSH_PROSE.search(whole_lower)):
        return True
    return (
        (op == "push" and any(_UPLOAD_PROGRESS.search(prev) for prev in before))
        or (op == "pull" and any(_DOWNLOAD_PROGRESS.search(prev) for prev in before))
    ) and long_transfer(before)


def _continues(line: str) -> bool:
    """Whether the line ends with a shell's line continuation: a typed command goes on in the next line
    (`docker service create \\`)."""
    return line.endswith("\\") and len(line) > 1 and line[-2].isspace()


_LAYER_PUSHED = LazyRe(r"^[0-9a-f]{12}: Pushed\s*$")
# A layer's progress line (moby's "<id>: Preparing | Waiting | Retrying in 5 seconds | Layer already exists | …"), and
# the bare error words a client prints alone under such lines.
# A line the user typed or a setting, never a program's output: an environment assignment (`DOCKER_HOST=unix:///…`,
# `export REGISTRY=…`) or a shell command other than a container tool's (`sudo chmod 666 /var/run/docker.sock`)
_INPUT_LINE = LazyRe(
    r"^(?:[$#>]\s{0,2})?(?:(?:export|set)\s{1,4})?[A-Z][A-Z0-9_]{1,60}=\S|"
    r"^(?:[$#>]\s{0,2})?(?:sudo\s{1,4})?(?:chmod|chown|chgrp|ls|cat|systemctl|service|export|echo|cd|mkdir|rm|cp|mv|ln|"
    r"usermod|groupadd|gpasswd|newgrp|touch|vi|vim|nano|setfacl|sudo)\s{1,4}[^\s:]"
)
_LAYER_LINE = LazyRe(r"^[0-9a-f]{12}: \S")
# A tool's offer to pull what its local lookup did not find (distrobox, toolbox: "Do you want to pull the image now?
# [Y/n]"): the "not found" above it is the local store's, and the pull that follows decides
_OFFER_TO_PULL = LazyRe(
    r"\b(?:want|like) to (?:pull|download) (?:the |this |it)|\bpull (?:it|the image) now\b", re.IGNORECASE
)
_BARE_WORD = LazyRe(r"(?:eof|denied)[\s.]{0,3}", re.IGNORECASE)
_SLOW_PUSH_PROSE = LazyRe(
    r"after (?:the |some |a few |few |all )?layers? (?:were|was|had been|have been|are|is|got) (?:uploaded|pushed)|"
    r"pushe[sd] (?:a )?few layers|\b(?:large|big|huge)(?: size)? (?:images?|layers?)\b|"
    r"\bslow (?:connection|network|upload)|connection is (?:too |very )?slow|"
    # the user tells that the layers went up and the end was refused, or names the expiry itself
    r"\blayers? (?:seems?|seemed|appears?|appeared) to (?:push|upload)|upload speed is (?:\w+ )?(?:bad|slow|low|poor)|"
    r"\b(?:bigger|larger|longer) (?:builds?|images?|layers?|pushe?s?)\b|"
    r"\btoken (?:\w+ ){0,2}expire[sd]? (?:while|during|before|in the middle)|"
    r"\b(?:taking|takes|took|after) (?:a |an )?(?:huge|long|very long|lot of) (?:time|while) to (?:upload|push)\b|"
    # the push's length or the image's size told in numbers ("after pushing, like over 50 minutes", "near 1 GB")
    r"\bpush(?:ing|ed)?\b[^.\n]{0,30}\b(?:over|more than|about|almost|nearly) \d{1,3} ?(?:minutes|mins|hours)\b|"
    r"\b(?:near(?:ly)?|about|over|around|almost) \d{1,2}(?:\.\d)? ?gb\b|"
    r"上传.{0,10}(?:很久|很慢|较慢|时间长)|大镜像|镜像(?:很|太|比较)大"
)
_PUSH_LINE = LazyRe(
    r"uploading (?:manifest|layer|blob)|writing (?:manifest|blob)|layer upload|blobs/uploads|push(?:ing)? (?:the )?(?:manifest|blob|layer)|"
    r"failed to push|error pushing|\bpush access denied"
)
_PULL_LINE = LazyRe(r"reading (?:manifest|blob)|initializing source|failed to pull|error pulling|pull access denied")


def _line_direction(line: str) -> str | None:
    """push or pull when the error line itself names the side of a transfer that failed; None otherwise."""
    lower = line.lower()
    if _PUSH_LINE.search(lower):
        return "push"
    if _PULL_LINE.search(lower):
        return "pull"
    return None


def _registry_reason(pattern: dict[str, Any], line: str, op: str | None, cause: str, also: list[str]) -> str:
    """ "pull access denied …: <registry's own reason>": a specific reason (expired token, a named permission) is
    put first (the former cause joins `also`); the generic ones leave the three-way ambiguity as it is."""
    lower = line.lower()
    for key in pattern["refine_after"]:
        at = lower.find(key)
        if at >= 0:
            inner = match_line(line[at + len(key) :], op, skip_ids=GENERIC_IDS)
            if inner and inner["cause"] != cause:
                also.insert(0, cause)
                cause = inner["cause"]
                for extra in inner.get("also", []):
                    also.append(extra)
            break
    return cause


def _fill_also(also: list[str], cause: str, seen_causes: list[str]) -> list[str]:
    """At most two other causes: the pattern's own, then those of other decisive lines of the paste (e.g. podman
    trying several registries), latest first."""
    also = [c for c in dict.fromkeys(also) if c != cause]
    for other in reversed(seen_causes):
        if len(also) >= 2:
            break
        if other != cause and other not in also:
            also.append(other)
    return also[:2]


def _about_tcr(host: str | None) -> bool:
    """Whether the fix should speak of TCR: the paste's registry (or, without one, the host the user's prose links
    to) is TCR's, or no host is named at all."""
    return not host or names_tcr(host)


# Where a tool's own message starts: the user's sentence may precede it on the same line ("I can't pull image X and
# Error response from daemon: Get …").
# Only prefixes no error chain holds in its middle: "rpc error: …", "Server Error: …" and "with error: …" do.
_TOOL_MESSAGE = re.compile(r"\bError response from daemon:|(?<![\w\[])FATA\[")


def _evidence(line: str) -> str:
    """The decisive line as shown to the user: prefix stripped, the user's own words before a tool's message cut,
    secrets masked, at most MAX_EVIDENCE characters."""
    evidence = strip_prefix(line)
    m = _TOOL_MESSAGE.search(evidence)
    if m and m.start() and is_prose(evidence[: m.start()]) and match_line(evidence[m.start() :], None) is not None:
        evidence = evidence[m.start() :]
    evidence = redact(evidence)
    if len(evidence) > MAX_EVIDENCE:
        evidence = evidence[:MAX_EVIDENCE] + " …"
    return evidence


def _clock_note(cause: str, line: str) -> dict[str, str] | None:
    """A certificate "not yet valid" is the client's clock, not the certificate."""
    if cause == "TLS_EXPIRED" and re.search(r"current time \S+ is before", line):
        return {
            "zh": "报错写的是 `current time … is before …`：证书还未生效，几乎可以肯定是客户端系统时间落后了，请先校时（启用 NTP）。",
            "en": "The message says `current time … is before …`: the certificate is not yet valid, which almost always means the client's clock is behind: fix the clock (enable NTP) first.",
        }
    return None
