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
    "empty": {"zh": "{what}为空：{hint}", "en": "{what} is empty: {hint}"},
    "binary": {
        "zh": "输入看起来是二进制数据（或不是 UTF-8 编码的文字），不是{what}。",
        "en": "The input looks like binary data (or text that is not UTF-8), not {what}.",
    },
    "binary_stdin": {
        "zh": "标准输入看起来是二进制数据，不是文字形式的{items}（每行一个）",
        "en": "stdin looks like binary data, not {items} in text (one per line)",
    },
    "stdin_too_large": {"zh": "标准输入超过 {mb} MB", "en": "stdin is larger than {mb} MB"},
    "not_utf8": {"zh": "{what}不是 UTF-8 文本", "en": "{what} is not UTF-8 text"},
}

# What is empty, and what to give instead (INPUT["empty"]: "WHAT is empty: HINT"), per kind of input.
EMPTY: dict[str, dict[str, Text]] = {
    "question": {
        "what": {"zh": "问题", "en": "The question"},
        "hint": {"zh": "请用文字描述您的问题。", "en": "please describe your problem in words."},
    },
    "log": {
        "what": {"zh": "输入", "en": "The input"},
        "hint": {
            "zh": "请粘贴完整的报错输出（例如 docker pull/push 的最后几行）。",
            "en": "paste the full error output (e.g. the last lines of docker pull/push).",
        },
    },
    "target": {
        "what": {"zh": "诊断目标", "en": "the target"},
        "hint": {
            "zh": "请给出仓库地址（shop-tcr.tencentcloudcr.com）或镜像地址（host/ns/app:1.0）",
            "en": "give a registry (shop-tcr.tencentcloudcr.com) or an image (host/ns/app:1.0)",
        },
    },
    "line": {"what": {"zh": "这一行", "en": "the line"}, "hint": {"zh": "没有要检查的名称", "en": "no value to check"}},
    "file": {
        "what": {"zh": "{path} 的内容", "en": "{path}"},
        "hint": {"zh": "文件中没有问题", "en": "no questions in the file"},
    },
}
# An input longer than a channel takes (`ask` and /api/ask: a question; `diagnose` and /api/diagnose: a target), and
# what to do about it; LIMIT is one of UNITS (too_long).
TOO_LONG: dict[str, Text] = {
    "question": {
        "zh": "问题太长（最多 {limit}）：请只粘贴最相关的几行。",
        "en": "The question is too long (at most {limit}): paste only the most relevant lines.",
    },
    "target": {"zh": "诊断目标太长（最多 {limit}）", "en": "the target is too long (at most {limit})"},
}
UNITS: dict[str, Text] = {
    "characters": {"zh": "{n} 个字符", "en": "{n} characters"},
    "KB": {"zh": "{n} KB", "en": "{n} KB"},
}
# What binary input is not (INPUT["binary"]), and what stdin should hold (INPUT["binary_stdin"]).
INSTEAD: dict[str, Text] = {
    "question": {"zh": "文字问题", "en": "a question in text"},
    "log": {"zh": "日志", "en": "a log"},
    "questions": {"zh": "问题", "en": "questions"},
    "names": {"zh": "名称", "en": "names"},
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
    errno.EFBIG: {"zh": "文件太大", "en": "file too large"},
}
NOT_UTF8: Text = {"zh": "不是 UTF-8 文本", "en": "not UTF-8 text"}
NOT_PEM: Text = {"zh": "其中没有 PEM 格式的证书（{error}）", "en": "no PEM certificate in it ({error})"}
NOT_JSON: Text = {
    "zh": "不是有效的 JSON（第 {line} 行第 {column} 列）",
    "en": "not valid JSON (line {line}, column {column})",
}
NOT_JSON_OBJECT: Text = {"zh": "不是 JSON 对象", "en": "not a JSON object"}


def reason(exc: BaseException) -> Text:
    """Why reading or writing failed, in both languages: an OSError by its errno, a decoding error as "not UTF-8",
    anything else by its own text."""
    if isinstance(exc, UnicodeDecodeError):
        return dict(NOT_UTF8)
    if isinstance(exc, OSError) and exc.errno in REASONS:
        return dict(REASONS[exc.errno])
    text = (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__
    return {"zh": text, "en": text}


def ca_file_reason(exc: BaseException) -> Text:
    """Why a CA bundle (`diagnose --ca-file`, TCR_DOCTOR_CA_FILE) cannot be used, from what
    diagnostics.load_ca_file raised: read, but no certificate in it (ssl.SSLError), or why it could not be read."""
    import ssl  # loaded already: only load_ca_file, which needs it, raises these

    if isinstance(exc, ssl.SSLError):
        return {lang: text.format(error=exc.reason or exc) for lang, text in NOT_PEM.items()}
    return reason(exc)


def message(key: str, **fields: object) -> Text:
    """INPUT[KEY] with FIELDS filled in, in both languages (a field that is itself a {zh, en} message is picked per
    language)."""
    return {
        lang: text.format(**{k: v[lang] if isinstance(v, dict) else v for k, v in fields.items()})
        for lang, text in INPUT[key].items()
    }


def empty(kind: str, **fields: object) -> Text:
    """The message "WHAT is empty: HINT" for an empty input of KIND (EMPTY: question, log, target, line, file) with FIELDS."""
    parts = {part: {lang: text.format(**fields) for lang, text in EMPTY[kind][part].items()} for part in EMPTY[kind]}
    return message("empty", **parts)


def too_long(kind: str, n: object, unit: str = "characters") -> Text:
    """The message "WHAT is too long (at most N UNIT)" for an input of KIND (TOO_LONG: question, target)."""
    return {lang: text.format(limit=UNITS[unit][lang].format(n=n)) for lang, text in TOO_LONG[kind].items()}


def sentence(text: Text) -> Text:
    """TEXT as a sentence of its own: a capital first letter, and a full stop when it ends without one."""
    return {
        lang: (value[:1].upper() + value[1:])
        + ("" if value.endswith((".", "。", "！", "？")) else "。" if lang == "zh" else ".")
        for lang, value in text.items()
    }


def cannot_read(path: object, exc: BaseException) -> Text:
    """The message "cannot read PATH: REASON" for the exception that reading PATH raised."""
    return message("unreadable", path=path, reason=reason(exc))


def not_found(path: object) -> Text:
    """The message "cannot read PATH: no such file or directory"."""
    return message("unreadable", path=path, reason=REASONS[errno.ENOENT])


def cannot_write(path: object, exc: BaseException) -> Text:
    """The message "cannot write PATH: REASON" for the exception that writing PATH raised."""
    return message("unwritable", path=path, reason=reason(exc))


# Where the TCR documentation is: the pointer of a how-to or pricing question the FAQ does not cover, in every channel
# and language (the FAQ's own links and knowledge/out_of_scope.toml's hints name the same site).
DOCS_URL = "https://cloud.tencent.com/document/product/1141"


# A pasted log's cause read by the learned fallback (knowledge/logs/learned.py: no known wording matched): every
# channel shows it as a likelier cause, not a finding, in these words (the CLI's ask and explain, the widget, Slack).
LEARNED_CAUSE: Text = {
    "zh": "（没有匹配到已知的报错措辞；这是按真实日志训练的模型给出的较可能原因，未经确认，请用下面的诊断核实）",
    "en": (
        "(no known error wording matched: this is the likelier cause by a model trained on real logs, "
        "not a finding; confirm it with the diagnosis below)"
    ),
}
LEARNED_TITLE: Text = {"zh": "日志最可能的原因", "en": "The log's likelier cause"}
LEARNED_EVIDENCE: Text = {"zh": "最能说明该原因的一行：", "en": "The line that points to it most:"}


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


# A pasted log whose cause was read (and shown above the reply) that no FAQ entry answers: Slack and the widget say
# so in these words, instead of asking for the error text that was just read.
NO_ENTRY_FOR_CAUSE: Text = {"zh": "常见问题中没有针对这个原因的条目。", "en": "No FAQ entry covers this cause."}


# Small talk (knowledge.ask's refusal {"kind": "smalltalk", "smalltalk": greeting | thanks | identity}): the CLI, the
# widget and Slack answer in these words (smalltalk()); Slack adds an emoji and what to type next.
SMALLTALK: dict[str, Text] = {
    "greeting": {"zh": "您好{who}！", "en": "Hi{who}! "},
    "identity": {"zh": "是的，我是一个机器人：TCR 助手。", "en": "Yes, I am a bot: the TCR assistant. "},
    "can": {
        "zh": "我可以回答腾讯云容器镜像服务（TCR）的问题（登录、推送和拉取、配额、网络），读懂粘贴的报错，并在线诊断镜像仓库。",
        "en": "I answer questions about Tencent Cloud Container Registry (login, push and pull, quotas, networking), "
        "read pasted errors, and diagnose a registry live.",
    },
    "thanks": {"zh": "不客气！还有 TCR 的问题随时问我。", "en": "Glad to help! Ask me anytime about TCR."},
}


def smalltalk(kind: str, lang: str, who: str = "") -> str:
    """The reply to small talk KIND (greeting, thanks, identity) in LANG: thanks, or a greeting (to WHO, Slack's
    mention) or "yes, a bot", then what the assistant can do."""
    lang = lang if lang in SMALLTALK["can"] else "en"
    if kind == "thanks":
        return SMALLTALK["thanks"][lang]
    lead = SMALLTALK["identity"][lang] if kind == "identity" else SMALLTALK["greeting"][lang].format(who=who)
    return lead + SMALLTALK["can"][lang]


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


# A cited FAQ entry, as `diagnose`, its ticket report and `explain` name it: one label and one form, "相关 FAQ：<question>
# （<id>）" (the id alone where the question was not read: `diagnose`'s text reads no FAQ file on its start-up path).
FAQ_LABEL: Text = {"zh": "相关 FAQ", "en": "FAQ"}


def cite_faq(faq_id: str, question: Text | None, lang: str, *, code: bool = False) -> str:
    """`label: question (id)` for the FAQ entry FAQ_ID in LANG; the id alone when QUESTION ({zh, en}) is None;
    `code`: the id in Markdown backticks (the ticket report)."""
    zh = lang == "zh"
    ident = f"`{faq_id}`" if code else faq_id
    text = (
        ident
        if not question
        else f"{question.get(lang) or question.get('en', '')}{'（' if zh else ' ('}{ident}{'）' if zh else ')'}"
    )
    return f"{FAQ_LABEL['zh' if zh else 'en']}{'：' if zh else ': '}{text}"


# The evidence keys of a finding as a Chinese `diagnose` text and ticket report name them (`hostport: …` read as
# "主机与端口：…"). English output names them by their key, as `--json` does: the keys stay stable in JSON.
EVIDENCE_LABELS_ZH: dict[str, str] = {
    "access_ip": "访问 IP",
    "account": "账号",
    "answered": "已应答",
    "action": "接口",
    "address": "地址",
    "addresses": "解析地址",
    "api_version": "接口版本",
    "attempts": "尝试",
    "blocked_by": "受阻于",
    "blocked_code": "受阻原因",
    "body": "响应内容",
    "bytes": "字节数",
    "cached": "来自缓存",
    "cause": "原因",
    "cert_id": "证书 ID",
    "challenge": "认证质询",
    "check_name": "检查项",
    "checked": "已检查",
    "cidr": "网段",
    "cidrs": "网段",
    "classes": "类别",
    "client_id": "客户端 ID",
    "client_ip": "客户端 IP",
    "closest": "最接近的版本",
    "cnames": "CNAME",
    "content_type": "内容类型",
    "count": "数量",
    "days": "天数",
    "detail": "详情",
    "detail_code": "详细错误码",
    "digest": "摘要（digest）",
    "dns_status": "DNS 状态",
    "dns_status_code": "DNS 状态码",
    "edition": "版本类型",
    "elapsed_ms": "耗时（毫秒）",
    "endpoint": "接入点",
    "error": "错误",
    "error_code": "错误码",
    "existing": "已有",
    "exit_code": "退出码",
    "expired": "已过期",
    "expired_at": "过期时间",
    "expires_at": "到期时间",
    "granted": "已授予的权限",
    "helper": "凭证助手",
    "host": "主机",
    "hostport": "主机与端口",
    "http_status": "HTTP 状态码",
    "issuer": "签发者",
    "layer": "镜像层",
    "layers": "镜像层",
    "limit": "上限",
    "links": "链路",
    "local_date": "本机时间",
    "location": "跳转地址",
    "media_type": "媒体类型",
    "message": "消息",
    "missing": "缺少",
    "name": "名称",
    "name_check": "名称检查",
    "nameserver": "DNS 服务器",
    "namespace": "命名空间",
    "not_after": "有效期至",
    "not_before": "生效时间",
    "note": "说明",
    "other_host": "另一个域名",
    "other_region": "另一个地域",
    "parts": "组成部分",
    "platform": "平台",
    "platforms": "平台",
    "port": "端口",
    "proxies": "代理",
    "proxy": "代理",
    "public": "公开",
    "public_domain": "公网域名",
    "realm": "认证地址（realm）",
    "reason": "原因",
    "reference": "版本或摘要（digest）",
    "region": "地域",
    "registry": "镜像仓库",
    "registry_id": "实例 ID",
    "registry_type": "实例规格",
    "remaining": "剩余",
    "repository": "镜像仓库名",
    "request": "请求",
    "request_id": "请求 ID",
    "retry_after": "建议重试间隔",
    "scope": "权限范围（scope）",
    "seconds": "秒数",
    "self_signed": "自签名",
    "server_date": "服务器时间",
    "size": "大小",
    "skew": "时间偏差",
    "source": "来源",
    "stage": "阶段",
    "status": "状态",
    "status_code": "状态码",
    "step_timeout": "单步时限",
    "storage_host": "存储域名",
    "subject": "证书主体",
    "suggestion": "建议的名称",
    "summary": "摘要",
    "tag": "镜像版本",
    "tag_count": "版本数",
    "tags": "版本",
    "tags_sample": "部分版本",
    "target": "目标",
    "timeout": "时限",
    "tokens": "访问凭证",
    "url": "URL",
    "usage": "用量",
    "valid": "有效",
    "used": "已用",
    "username": "用户名",
    "value": "值",
    "variable": "变量",
    "variables": "变量",
    "verify_code": "校验码",
    "verify_message": "校验信息",
    "visibility": "可见性",
    "vpc": "VPC",
    "vpc_domain": "内网域名",
    "what": "对象",
}
# Evidence values that are words of ours, not data (a host, a path, a code): how a Chinese report says them. "-" is
# evidence with no value (no user name, no right granted).
EVIDENCE_VALUES_ZH: dict[str, str] = {"-": "无", "anonymous": "匿名（未登录）", "dns": "DNS 解析", "env": "环境变量"}


def evidence_label(key: str, lang: str) -> str:
    """How a finding's evidence KEY is named in LANG's text output: its Chinese label, or the key itself (English,
    and a key with no label yet)."""
    return EVIDENCE_LABELS_ZH.get(key, key) if lang == "zh" else key


def evidence_value(text: str, lang: str) -> str:
    """An evidence value as LANG's text output says it: our own words ("-", "anonymous") in Chinese; data as it is."""
    return EVIDENCE_VALUES_ZH.get(text, text) if lang == "zh" else text


# Another vendor's (or a self-hosted) registry named, TCR not: knowledge.ask refuses with {"kind": "other_registry",
# "vendor": ...}, and the CLI, the widget and Slack say so in these words (other_registry).
OTHER_REGISTRY: dict[str, Text] = {
    "title": {"zh": "这不是 TCR 的镜像仓库", "en": "Not a TCR registry"},
    "lead": {
        "zh": "这是{whose}，不是腾讯云 TCR，TCR 的常见问题不适用。",
        "en": "This is {whose}, not Tencent Cloud TCR, so the TCR FAQ does not apply.",
    },
    "vendor": {"zh": "{vendor}的镜像仓库", "en": "{vendor}'s registry"},
    "self_hosted": {"zh": "自建的镜像仓库", "en": "a self-hosted registry"},
    "unnamed": {"zh": "其他厂商的镜像仓库", "en": "another vendor's registry"},
    # what the reply shows besides: the log's cause (and the command that confirms it), or nothing
    "cause": {"zh": "上面的原因对任何镜像仓库都适用。", "en": "The cause above applies to any registry."},
    "cause_and_command": {
        "zh": "上面的原因和诊断命令对任何镜像仓库都有效。",
        "en": "The cause and the diagnosis command above work for any registry.",
    },
    "cause_and_this_command": {
        "zh": "上面的原因和这条诊断命令对任何镜像仓库都有效：{command}",
        "en": "The cause above and this diagnosis command work for any registry: {command}",
    },
    "no_log": {
        "zh": "如果拉取或推送失败，请粘贴完整报错，我会说明通用原因；{command} 可在您的机器上检查任何镜像仓库。",
        "en": "If a pull or push fails, paste the whole error and I will explain its generic cause; {command} checks any "
        "registry from your machine.",
    },
    "any_registry_command": {"zh": "tcr-doctor diagnose <仓库域名>", "en": "tcr-doctor diagnose <registry>"},
}
SELF_HOSTED = "self-hosted registry"  # knowledge.ask's vendor for a registry that names none


def other_registry(
    vendor: str | None,
    lang: str,
    *,
    cause: object = False,
    command: str | None = None,
    command_above: object = False,
    code: str = "`{}`",
) -> str:
    """What a reply says when VENDOR's registry (not TCR) is asked about, in LANG: that the TCR FAQ does not apply,
    then what still helps. CAUSE: the reply shows the pasted log's generic cause above; COMMAND_ABOVE: and the command
    that confirms it; COMMAND: that command, to give in this sentence (the reply shows it nowhere else). Without a
    cause, the user is told what to paste (CAUSE and COMMAND_ABOVE are read as true or false, as a template passes
    them). CODE formats a command (`…` in the terminal and Slack; "{}" in HTML)."""
    lang = lang if lang in OTHER_REGISTRY["lead"] else "en"
    texts = {key: text[lang] for key, text in OTHER_REGISTRY.items()}
    if vendor == SELF_HOSTED:
        whose = texts["self_hosted"]
    else:
        if vendor and lang == "zh":  # Chinese sets a Latin name off with spaces: 这是 Quay 的镜像仓库
            vendor = (" " if vendor[0].isascii() else "") + vendor + (" " if vendor[-1].isascii() else "")
        whose = texts["vendor"].format(vendor=vendor) if vendor else texts["unnamed"]
    if cause and command_above:
        rest = texts["cause_and_command"]
    elif cause and command:
        rest = texts["cause_and_this_command"].format(command=code.format(command))
    elif cause:
        rest = texts["cause"]
    else:
        rest = texts["no_log"].format(command=code.format(texts["any_registry_command"]))
    return texts["lead"].format(whose=whose) + ("" if lang == "zh" else " ") + rest
