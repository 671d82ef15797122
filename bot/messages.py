"""The message catalogue: each text that more than one command or channel says, kept once, in Chinese and English.

A message is a {"zh": ..., "en": ...} mapping (what bot.commands.say, bot.commands.usage_error and the templates' `t`
filter take); the functions here fill a message's fields in both languages, so that a caller picks the language
last. The templates of every channel reach the same texts through bot.render (`messages`, `status_word`,
`why_no_answer`, `other_registry`). Only the standard library is imported: commands read this on their error paths.
"""

from __future__ import annotations

import errno

Text = dict[str, str]

# What a command says about input it cannot use: a file given on its command line, stdin, empty input.
INPUT: dict[str, Text] = {
    "unreadable": {"zh": "无法读取 {path}：{reason}", "en": "cannot read {path}: {reason}"},
    "unwritable": {"zh": "无法写入 {path}：{reason}", "en": "cannot write {path}: {reason}"},
    "no_database": {
        "zh": "{path} 处没有数据库（请设置 --database-url、TCR_DOCTOR_DATABASE_URL 或 TCR_DOCTOR_DB）",
        "en": "no database at {path} (set --database-url, TCR_DOCTOR_DATABASE_URL or TCR_DOCTOR_DB)",
    },
    "invalid_kb": {"zh": "知识库无效：{error}", "en": "the knowledge base is invalid: {error}"},
}

# The reason of an OSError in both languages (errno's own text is English only); others keep the system's text.
REASONS: dict[int, Text] = {
    errno.ENOENT: {"zh": "文件或目录不存在", "en": "no such file or directory"},
    errno.EACCES: {"zh": "没有权限", "en": "permission denied"},
    errno.EPERM: {"zh": "不允许的操作", "en": "operation not permitted"},
    errno.EISDIR: {"zh": "这是一个目录，不是文件", "en": "is a directory, not a file"},
    errno.ENOTDIR: {"zh": "不是目录", "en": "not a directory"},
    errno.ENAMETOOLONG: {"zh": "文件名太长", "en": "file name too long"},
    errno.ELOOP: {"zh": "符号链接层数过多", "en": "too many levels of symbolic links"},
}
NOT_UTF8: Text = {"zh": "不是 UTF-8 文本", "en": "not UTF-8 text"}


def reason(exc: BaseException) -> Text:
    """Why reading or writing failed, in both languages: an OSError by its errno, a decoding error as "not UTF-8",
    anything else by its own text."""
    if isinstance(exc, UnicodeDecodeError):
        return dict(NOT_UTF8)
    if isinstance(exc, OSError) and exc.errno in REASONS:
        return dict(REASONS[exc.errno])
    text = (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__
    return {"zh": text, "en": text}


def message(key: str, **fields: object) -> Text:
    """INPUT[KEY] with FIELDS filled in, in both languages (a field that is itself a {zh, en} message is picked per
    language)."""
    return {
        lang: text.format(**{k: v[lang] if isinstance(v, dict) else v for k, v in fields.items()})
        for lang, text in INPUT[key].items()
    }


def cannot_read(path: object, exc: BaseException) -> Text:
    """The message "cannot read PATH: REASON" for the exception that reading PATH raised."""
    return message("unreadable", path=path, reason=reason(exc))


def cannot_write(path: object, exc: BaseException) -> Text:
    """The message "cannot write PATH: REASON" for the exception that writing PATH raised."""
    return message("unwritable", path=path, reason=reason(exc))


# Why a question got no answer (knowledge.ask's refusal kinds, as stored with the question): the console's groups and
# `tcr-doctor report unanswered` say it with these words. "" is a row stored before the kinds were recorded.
WHY_NO_ANSWER: dict[str, Text] = {
    "other_registry": {"zh": "其他厂商或自建的镜像仓库", "en": "another vendor's or a self-hosted registry"},
    "documentation": {
        "zh": "常见问题没有涵盖的操作或计费问题",
        "en": "a how-to or pricing question the FAQ does not cover",
    },
    "troubleshooting": {"zh": "没有条目涵盖的问题报告", "en": "a problem report no entry covers"},
    "": {"zh": "未记录原因", "en": "reason not recorded"},
}
WHY_NO_ANSWER_LABEL: Text = {"zh": "没有回答的原因：", "en": "Why no answer: "}


def why_no_answer(reasons: dict[str, int], lang: str) -> str:
    """The line "Why no answer: REASON ×N · …" of a group of unanswered questions (REASONS: {refusal kind: count}),
    the most frequent reason first; "" when there is none to tell."""
    if not reasons:
        return ""
    lang = lang if lang in WHY_NO_ANSWER_LABEL else "en"
    parts = [
        f"{(WHY_NO_ANSWER.get(kind) or WHY_NO_ANSWER[''])[lang]} ×{n}"
        for kind, n in sorted(reasons.items(), key=lambda item: -item[1])
    ]
    return WHY_NO_ANSWER_LABEL[lang] + " · ".join(parts)


# A finding's status as every channel shows it beside the finding: `diagnose`'s marks ([FAIL] …), the ticket report's
# headings and result row, `explain --run`, `check-name`, and the widget's words for screen readers (Slack shows an
# icon). Machine-readable output (--json, the API) keeps the status itself: ok, warn, fail, skip.
STATUS: dict[str, Text] = {
    "ok": {"zh": "正常", "en": "OK"},
    "warn": {"zh": "警告", "en": "WARN"},
    "fail": {"zh": "失败", "en": "FAIL"},
    "skip": {"zh": "跳过", "en": "SKIP"},
}


def status_word(status: str, lang: str) -> str:
    """The word for a finding's STATUS in LANG (an unknown status: itself in capitals)."""
    text = STATUS.get(status)
    return text[lang if lang in text else "en"] if text else str(status).upper()
