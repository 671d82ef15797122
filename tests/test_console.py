"""The support leads' console (/console): sign-in on every route, CSRF, charts' data and CSV from the store,
grouping of missed questions, teach-and-undo through the overlay, `tcr-doctor kb export`."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from html import unescape

import pytest

from bot.web import create_app

TOKEN = "console-test-token-9f3a"
DAY = 86400
SCAN_ZH = ["镜像安全扫描在哪里开启", "镜像安全扫描怎么开启", "怎么开启镜像的安全扫描"]
SCAN_EN = ["can the registry email me a weekly usage summary"]


def make(tmp_path, **extra):
    """An app with the console on. Teaching is evaluated on a two-question set unless CONSOLE_EVAL_SETS="" (the
    default sets: the tuning sets, ~1,100 questions asked as ask() answers them, ~3.5 s per evaluation)."""
    small = tmp_path / "small_eval.jsonl"
    small.write_text('{"q": "How do I delete an image tag?", "faq": 10}\n{"q": "what is the weather", "faq": null}\n')
    config = {
        "DB": str(tmp_path / "c.sqlite3"),
        "SLACK": "off",
        "CONSOLE_TOKEN": TOKEN,
        "OVERLAY_CHECK_INTERVAL": 0,
        "CONSOLE_EVAL_SETS": str(small),
    }
    config.update(extra)
    app = create_app(config)
    return app, app.test_client()


def sign_in(client, name="Ann Lead"):
    page = client.get("/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = client.post("/console/login", data={"csrf": csrf, "name": name, "token": TOKEN})
    assert r.status_code == 303, r.text
    return r


def csrf_of(client, path="/console/audit") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def seed(app, rows=(), feedback=(), findings=(), prefix="q"):
    """rows: (ts, channel, text, status, answer_id, log_code[, refusal]); feedback: (ts, question_id, answer_id, helpful);
    findings: (ts, code, status). Written through the storage's engine and tables."""
    from bot import storage as S

    storage = app.extensions["tcr_doctor"].storage
    storage.flush()
    q = [
        {
            "id": f"{prefix}{i}",
            "ts": ts,
            "channel": channel,
            "lang": "zh" if re.search("[\u4e00-\u9fff]", text) else "en",
            "text": text,
            "redacted": "",
            "status": status,
            "answer_id": answer_id,
            "score": 0.9 if answer_id else 0.1,
            "kb_version": "v",
            "log_code": log_code,
            "refusal": refusal[0] if refusal else None,
        }
        for i, (ts, channel, text, status, answer_id, log_code, *refusal) in enumerate(rows)
    ]
    f = [
        {"ts": ts, "question_id": qid, "answer_id": a, "kb_version": "v", "helpful": h, "channel": "web"}
        for ts, qid, a, h in feedback
    ]
    d = [{"ts": ts, "channel": "web", "code": code, "status": status} for ts, code, status in findings]
    with storage.engine().begin() as conn:
        for table, values in ((S.questions, q), (S.feedback, f), (S.findings, d)):
            if values:
                conn.execute(table.insert(), values)


def day_ts(days_ago: int, hour: int = 10) -> float:
    today = int(time.time() // DAY) * DAY
    return today - days_ago * DAY + hour * 3600


# --- sign-in -------------------------------------------------------------------------------------------------
def console_rules(app):
    return [
        (rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/console")
    ]


def test_no_console_route_answers_without_a_session(tmp_path):
    app, client = make(tmp_path)
    seed(app, [(day_ts(1), "web", "secret-looking unanswered text", "no_answer", None, None)])
    rules = console_rules(app)
    assert len(rules) >= 9
    checked = 0
    for rule, methods in rules:
        url = rule.replace("<int:teach_id>", "1").replace("<path:name>", "console.css")
        for method in methods:
            r = client.open(url, method=method, data={"csrf": "x", "group": "x", "action": "assign"})
            if rule.startswith("/console/login") or rule == "/console/static/<path:name>":
                continue  # sign-in (form, Slack redirect and callback) and the stylesheet/scripts carry no data
            checked += 1
            assert r.status_code in (303, 401, 403), (method, url, r.status_code)
            if method == "GET":
                assert r.headers["Location"].startswith("/console/login")
            assert "secret-looking" not in r.text
    assert checked >= 8


def test_assets_are_only_the_known_files(tmp_path):
    _, client = make(tmp_path)
    assert client.get("/console/static/console.js").status_code == 200
    assert "Chart.js" in client.get("/console/static/vendor/chart.umd.min.js").text[:200]
    assert client.get("/console/static/widget.js").status_code == 404
    assert client.get("/console/static/../web.py").status_code == 404


def test_console_is_off_without_a_token(tmp_path):
    _, client = make(tmp_path, CONSOLE_TOKEN="")
    for url in ("/console", "/console/login", "/console/questions"):
        r = client.get(url)
        assert r.status_code == 404
        assert "TCR_DOCTOR_CONSOLE_TOKEN" in r.text


def test_sign_in_sets_a_strict_httponly_cookie_and_wrong_tokens_are_refused(tmp_path):
    _, client = make(tmp_path)
    page = client.get("/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    bad = client.post("/console/login", data={"csrf": csrf, "name": "Eve", "token": "guess"})
    assert bad.status_code == 401
    assert "tcr_console=" not in " ".join(bad.headers.getlist("Set-Cookie"))
    r = client.post("/console/login", data={"csrf": csrf, "name": "Ann", "token": TOKEN, "next": "/console/audit"})
    assert r.status_code == 303 and r.headers["Location"] == "/console/audit"
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith("tcr_console="))
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/console", "Max-Age=43200"):
        assert flag in cookie
    assert TOKEN not in cookie
    assert client.get("/console").status_code == 200
    # an open redirect through ?next is not possible
    client2 = make(tmp_path)[1]
    csrf2 = csrf_of(client2, "/console/login")
    r = client2.post("/console/login", data={"csrf": csrf2, "name": "A", "token": TOKEN, "next": "//evil.example/x"})
    assert r.headers["Location"] == "/console"


def test_a_tampered_or_foreign_cookie_is_no_session(tmp_path):
    _, client = make(tmp_path)
    sign_in(client)
    value = client.get_cookie("tcr_console", path="/console").value
    client.set_cookie("tcr_console", value[:-2] + ("AA" if not value.endswith("AA") else "BB"), path="/console")
    assert client.get("/console").status_code == 303
    # a cookie signed under another token is not accepted either
    _, other = make(tmp_path, CONSOLE_TOKEN="another-token")
    sign_in_other = other.get("/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', sign_in_other.text).group(1)
    other.post("/console/login", data={"csrf": csrf, "name": "B", "token": "another-token"})
    client.set_cookie("tcr_console", other.get_cookie("tcr_console", path="/console").value, path="/console")
    assert client.get("/console").status_code == 303


def test_csrf_and_cross_site_posts_are_rejected(tmp_path):
    app, client = make(tmp_path)
    # the login form needs its token too
    assert client.post("/console/login", data={"name": "A", "token": TOKEN}).status_code == 403
    sign_in(client)
    for url in ("/console/logout", "/console/teach", "/console/audit/1/undo"):
        assert client.post(url, data={}).status_code == 403
        assert client.post(url, data={"csrf": "wrong"}).status_code == 403
    good = csrf_of(client)
    r = client.post("/console/logout", data={"csrf": good}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert client.get("/console").status_code == 200  # still signed in
    r = client.post("/console/logout", data={"csrf": good}, headers={"Origin": "http://localhost"})
    assert r.status_code == 303
    assert client.get("/console").status_code == 303  # signed out


def test_the_public_widget_and_api_are_unchanged(tmp_path):
    _, client = make(tmp_path)
    r = client.post("/api/ask", json={"q": "How do I delete an image tag?"})
    assert r.status_code == 200 and r.json["matched"]
    assert not [c for c in r.headers.getlist("Set-Cookie") if "console" in c]
    assert client.get("/widget.js").status_code == 200
    assert client.get("/").status_code == 200


# --- charts and CSV ------------------------------------------------------------------------------------------
def charts_fixture(app):
    rows = [
        (day_ts(2), "web", "How do I delete an image tag?", "answered", "delete-image-tag", None),
        (day_ts(2), "web", "How do I delete an image tag?", "answered", "delete-image-tag", None),
        (
            day_ts(2),
            "slack",
            "docker push unauthorized",
            "answered",
            "unauthorized-authentication-required",
            "CREDENTIALS_MISSING",
        ),
        (day_ts(1), "slack", "what is the weather", "no_answer", None, None),
        (day_ts(1), "web", "x509: certificate has expired", "no_answer", None, "TLS_EXPIRED"),
        (day_ts(1), "web", "thanks a lot!", "no_answer", None, None, "smalltalk"),
        (day_ts(40), "web", "old question outside the default range", "no_answer", None, None),
    ]
    seed(
        app,
        rows,
        feedback=[(day_ts(2), "c0", "delete-image-tag", 0)],
        findings=[
            (day_ts(1), "DNS_NXDOMAIN", "fail"),
            (day_ts(1), "DNS_NXDOMAIN", "fail"),
            (day_ts(1), "TLS_EXPIRING", "warn"),
            (day_ts(1), "TCP_OK", "ok"),
        ],
        prefix="c",
    )


def page_data(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="console-data">(.*?)</script>', html, re.S)[1])


def test_overview_charts_come_from_the_store(tmp_path):
    app, client = make(tmp_path)
    charts_fixture(app)
    sign_in(client)
    data = page_data(client.get("/console").text)
    assert data["total"] == 6  # the 40-day-old question is outside the default 30 days
    d2 = data["days"].index(time.strftime("%Y-%m-%d", time.gmtime(day_ts(2))))
    assert data["per_day"]["web"][d2] == 2 and data["per_day"]["slack"][d2] == 1
    assert data["outcomes"]["questions"][d2] == 3
    assert data["outcomes"]["down"][d2] == pytest.approx(33.3)
    d1 = d2 + 1
    # small talk is not a refusal: two refused questions and a thanks
    assert data["outcomes"]["refused"][d1] == pytest.approx(66.7)
    assert data["outcomes"]["smalltalk"][d1] == pytest.approx(33.3)
    assert data["outcomes"]["answered"][d1] == 0.0 and data["outcomes"]["smalltalk"][d2] == 0.0
    assert data["top_entries"][0] == {"id": "delete-image-tag", "number": 10, "answered": 2, "down": 1}
    assert {r["code"]: r["count"] for r in data["log_causes"]} == {"CREDENTIALS_MISSING": 1, "TLS_EXPIRED": 1}
    assert data["findings"][0] == {"code": "DNS_NXDOMAIN", "status": "fail", "count": 2}
    assert "TCP_OK" not in [f["code"] for f in data["findings"]]
    # the channel filter and the date range
    slack = page_data(client.get("/console?channel=slack").text)
    assert slack["total"] == 2 and list(slack["per_day"]) == ["slack"]
    start = time.strftime("%Y-%m-%d", time.gmtime(day_ts(45)))
    wide = page_data(client.get(f"/console?from={start}").text)
    assert wide["total"] == 7
    assert client.get("/console?from=yesterday").status_code == 400


def test_charts_and_groups_on_postgresql(tmp_path, pg_url):
    """The same queries on a real PostgreSQL (started by the tests): days, shares, tops, groups."""
    app, client = make(tmp_path, DATABASE_URL=pg_url)
    charts_fixture(app)
    missed_fixture(app)
    sign_in(client)
    data = page_data(client.get("/console").text)
    assert data["total"] == 15
    d2 = data["days"].index(time.strftime("%Y-%m-%d", time.gmtime(day_ts(2))))
    assert data["per_day"]["web"][d2] == 2 and data["per_day"]["slack"][d2] == 1
    assert data["outcomes"]["down"][d2] == pytest.approx(33.3)
    assert data["top_entries"][0]["id"] == "delete-image-tag" and data["top_entries"][0]["answered"] == 3
    assert data["findings"][0] == {"code": "DNS_NXDOMAIN", "status": "fail", "count": 2}
    html = client.get("/console/questions").text
    assert all(t in html for t in SCAN_ZH) and re.search(r'class="tcrc-count">6<', html)


def test_csv_export_has_the_same_figures(tmp_path):
    app, client = make(tmp_path)
    charts_fixture(app)
    sign_in(client)
    data = page_data(client.get("/console").text)
    r = client.get("/console/export.csv?chart=per_day")
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(r.text)))
    assert table[0] == ["day", "slack", "web"]
    assert [int(x) for row in table[1:] for x in row[1:]] == [
        n for i in range(len(data["days"])) for n in (data["per_day"]["slack"][i], data["per_day"]["web"][i])
    ]
    top = list(csv.reader(io.StringIO(client.get("/console/export.csv?chart=top_entries").text)))
    assert top[1] == ["delete-image-tag", "10", "2", "1"]
    logs = list(csv.reader(io.StringIO(client.get("/console/export.csv?chart=log_causes").text)))
    assert sorted(r[0] for r in logs[1:]) == ["CREDENTIALS_MISSING", "TLS_EXPIRED"]
    outcomes = list(csv.reader(io.StringIO(client.get("/console/export.csv?chart=outcomes").text)))
    assert outcomes[0] == ["day", "questions", "answered_pct", "refused_pct", "thumbs_down_pct", "smalltalk_pct"]
    d2 = data["days"].index(time.strftime("%Y-%m-%d", time.gmtime(day_ts(2))))
    assert float(outcomes[1 + d2][4]) == pytest.approx(data["outcomes"]["down"][d2])
    assert float(outcomes[2 + d2][5]) == pytest.approx(data["outcomes"]["smalltalk"][d2 + 1]) == pytest.approx(33.3)
    findings = list(csv.reader(io.StringIO(client.get("/console/export.csv?chart=findings").text)))
    assert findings[0] == ["code", "status", "count"] and findings[1] == ["DNS_NXDOMAIN", "fail", "2"]
    assert client.get("/console/export.csv?chart=nope").status_code == 400


def test_diagnoses_and_log_causes_are_recorded_by_the_web_channel(tmp_path):
    app, client = make(tmp_path)
    client.post("/api/ask", json={"q": "docker push: unauthorized: authentication required"})
    client.post("/api/diagnose", json={"target": "bad name!!.tencentcloudcr.com"})
    from bot import storage as S

    storage = app.extensions["tcr_doctor"].storage
    storage.flush()
    with storage.engine().connect() as conn:
        assert conn.execute(S.sa.select(S.questions.c.log_code)).scalar() == "CREDENTIALS_MISSING"
        codes = list(conn.execute(S.sa.select(S.findings.c.code)).scalars())
    assert codes and all(re.fullmatch(r"[A-Z_]+", c) for c in codes)


# --- grouping, teaching, undo ------------------------------------------------------------------------------
def missed_fixture(app):
    rows = [(day_ts(1), "web", t, "no_answer", None, None) for t in SCAN_ZH for _ in range(2)]
    rows += [(day_ts(1), "slack", SCAN_EN[0], "no_answer", None, None)]
    rows += [(day_ts(1), "web", "我的密码是 AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE 能登录吗", "no_answer", None, None)]
    rows += [(day_ts(1), "web", "How do I delete an image tag?", "answered", "delete-image-tag", None)]
    seed(app, rows, feedback=[(day_ts(1), f"m{len(rows) - 1}", "delete-image-tag", 0)], prefix="m")


def groups_of(html: str) -> list[str]:
    return re.findall(r'data-group="([0-9a-f]{12})"', html)


def test_missed_questions_are_grouped_with_counts_examples_and_candidates(tmp_path):
    app, client = make(tmp_path)
    missed_fixture(app)
    sign_in(client)
    html = client.get("/console/questions").text
    keys = groups_of(html)
    first = html.split('data-group="')[1]
    # the three Chinese wordings are one group of 6, listed first
    assert keys and all(t in first.split("</article>")[0] for t in SCAN_ZH)
    assert re.search(r'class="tcrc-count">6<', first)
    assert "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE" not in html  # examples are redacted
    assert "users disliked this answer" in html  # the thumbs-down on entry 10 is a group too
    assert len(keys) >= 3
    # considered entries and scores are shown
    assert re.search(r"<td>0\.\d\d</td>", first)


def test_a_groups_title_is_the_posts_words_not_its_markdown(tmp_path):
    """A post written in an issue template's Markdown was titled "### 1Panel Version …" (qa12): the title is its
    words on one line; the examples below it still show the text as it was asked."""
    app, client = make(tmp_path)
    post = (
        "<!-- Please fill in the template -->\n### 1Panel Version\n\nv1.10.0-lts\n\n### **Description**\n"
        "Docker `pull` from [the mirror](https://mirror.example.com/v2/) times out\n```bash\ndocker pull nginx\n```"
    )
    seed(app, [(day_ts(1), "web", post, "no_answer", None, None) for _ in range(2)], prefix="t")
    sign_in(client)
    html = unescape(client.get("/console/questions").text)
    (heading,) = re.findall(r"<h2 id=\"g-[0-9a-f]{12}\">([^<]*)</h2>", html)
    assert heading.startswith("1Panel Version v1.10.0-lts Description Docker pull from the mirror times out"), heading
    assert not set(heading) & set("#*`[]()<>"), heading
    assert "### 1Panel Version" in html.split("</h2>", 1)[1]  # the example itself is unchanged


def test_a_title_keeps_words_and_stays_fast_on_hostile_text():
    from bot.console.groups import title

    assert title("- [x] **push** fails: `unauthorized` (see ~~old~~ *new* note)") == (
        "push fails: unauthorized (see old new note)"
    )
    assert title("docker push my_image__v2 2*3 *x") == "docker push my_image__v2 2*3 *x"  # no pair, no change
    assert title("> ## 推送失败 ##\n1. 登录\n2) 推送") == "推送失败 登录 推送"
    assert title("###") == "###" and title("  \n ") == ""  # nothing but marks: the text itself
    start = time.perf_counter()
    for hostile in (":" * 100_000, "[" * 100_000, "![a](" * 20_000, "*a " * 40_000, "<!--" * 25_000, "> " * 50_000):
        title(hostile)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_group_says_why_it_got_no_answer(tmp_path, lang):
    """Real posts about Docker Hub are refused as another vendor's registry, yet the matcher's top entry for them can
    score 1.00 and is preselected under "These are phrasings of": a lead who teaches them would make the bot answer
    Docker Hub questions with a TCR entry. Each group says why it got no answer, and warns when it is another
    vendor's registry."""
    app, client = make(tmp_path)
    hub = "docker pull whitelok/watermark-remover fails: manifest for whitelok/watermark-remover:latest not found"
    rows = [(day_ts(1), "web", hub, "no_answer", None, "TAG_NOT_FOUND", "other_registry") for _ in range(3)]
    rows += [(day_ts(1), "web", "can tcr scan my images for CVEs", "no_answer", None, None, "documentation")]
    seed(app, rows, prefix="w")
    sign_in(client)
    html = unescape(client.get(f"/console/questions?lang={lang}").text)
    hub_group = html.split(hub[:40])[1].split("</article>")[0]
    other = html.split("can tcr scan my images")[1].split("</article>")[0]
    if lang == "en":
        assert "Why no answer: another vendor's or a self-hosted registry ×3" in hub_group
        assert "would answer other vendors' questions" in hub_group
        assert "a how-to or pricing question the FAQ does not cover ×1" in other
        assert "would answer other vendors' questions" not in other
    else:
        assert "没有回答的原因：其他厂商或自建的镜像仓库 ×3" in hub_group
        assert "其他厂商" in hub_group and "TCR 的条目回答" in hub_group
        assert "常见问题没有涵盖的操作或计费问题 ×1" in other


def teach(client, key, **fields):
    data = {"csrf": csrf_of(client), "group": key, "step": "preview", **fields}
    preview = client.post("/console/teach", data=data)
    assert preview.status_code == 200, preview.text
    data["step"] = "accept"
    return preview, client.post("/console/teach", data=data)


def test_teach_a_group_then_undo_it(tmp_path):
    app, client = make(tmp_path, CONSOLE_EVAL_SETS="")  # evaluated on the real tuning sets
    missed_fixture(app)
    sign_in(client, "Ann Lead")
    assert client.post("/api/ask", json={"q": SCAN_ZH[0]}).json["status"] == "no_answer"
    key = groups_of(client.get("/console/questions").text)[0]
    preview, r = teach(client, key, action="assign", entry="image-acceleration")
    assert 'id="eval-table"' in preview.text and "top-1" in preview.text.lower()
    assert "faq_heldout.jsonl" in preview.text and "blind" not in preview.text
    assert r.status_code == 303 and r.headers["Location"].startswith("/console/audit?taught="), r.text[-1500:]
    answer = client.post("/api/ask", json={"q": "镜像安全扫描在哪里开启呢"}).json
    assert answer["matched"] and answer["answer"]["id"] == "image-acceleration"
    audit = client.get("/console/audit").text
    assert "Ann Lead (token)" in audit and "image-acceleration" not in groups_of(audit)
    assert SCAN_ZH[1] not in client.get("/console/questions").text  # taught texts leave the list
    teach_id = int(r.headers["Location"].rsplit("=", 1)[1])
    r = client.post(f"/console/audit/{teach_id}/undo", data={"csrf": csrf_of(client)})
    assert r.status_code == 303
    assert client.post("/api/ask", json={"q": SCAN_ZH[0]}).json["status"] == "no_answer"
    assert SCAN_ZH[1] in client.get("/console/questions").text
    audit = client.get("/console/audit").text
    assert "Undone" in audit
    # undoing twice is refused
    assert client.post(f"/console/audit/{teach_id}/undo", data={"csrf": csrf_of(client)}).status_code == 409


def test_out_of_scope_with_a_pointer(tmp_path):
    app, client = make(tmp_path)
    missed_fixture(app)
    sign_in(client)
    key = groups_of(client.get("/console/questions").text)[0]
    _, r = teach(
        client,
        key,
        action="out_of_scope",
        topic="Image security scanning",
        pointer="https://cloud.tencent.com/document/product/1141",
    )
    assert r.status_code == 303
    res = client.post("/api/ask", json={"q": "镜像安全扫描怎么开启呀"}).json
    assert res["status"] == "no_answer"
    assert res["topic"]["title"] == "Image security scanning"
    assert res["topic"]["hint"] == "https://cloud.tencent.com/document/product/1141"


def test_a_change_that_lowers_the_figures_needs_a_confirmation(tmp_path):
    evalset = tmp_path / "tiny_eval.jsonl"
    evalset.write_text(
        "\n".join(
            json.dumps(o, ensure_ascii=False)
            for o in ({"q": SCAN_EN[0], "faq": None}, {"q": "How do I delete an image tag?", "faq": 10})
        )
    )
    app, client = make(tmp_path, CONSOLE_EVAL_SETS=str(evalset))
    missed_fixture(app)
    sign_in(client)
    html = client.get("/console/questions").text
    key = next(k for k in groups_of(html) if SCAN_EN[0] in html.split(f'data-group="{k}"')[1].split("</article>")[0])
    preview, refused = teach(client, key, action="assign", entry="image-acceleration")
    assert 'id="lowered"' in preview.text  # the out-of-scope refusal rate drops from 100 % to 0 %
    assert refused.status_code == 409 and 'id="confirm"' in refused.text
    assert client.post("/api/ask", json={"q": SCAN_EN[0]}).json["status"] == "no_answer"
    data = {
        "csrf": csrf_of(client),
        "group": key,
        "step": "accept",
        "action": "assign",
        "entry": "image-acceleration",
        "confirm": "yes",
    }
    assert client.post("/console/teach", data=data).status_code == 303
    assert client.post("/api/ask", json={"q": SCAN_EN[0]}).json["matched"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_previews_figures_are_written_alike(tmp_path, lang):
    """The preview's table printed the raw floats: "98.93 %" above "98.8 %" in one column (a lead compares them
    digit by digit), and "None %" for a figure the evaluation set cannot give (no in-scope question). Every figure
    has two decimals; a missing one is a dash."""
    evalset = tmp_path / "three_eval.jsonl"
    questions = (SCAN_EN[0], "how do I bake sourdough bread", "what is the weather in Paris tomorrow")
    evalset.write_text("\n".join(json.dumps({"q": q, "faq": None}) for q in questions))
    app, client = make(tmp_path, CONSOLE_EVAL_SETS=str(evalset))
    missed_fixture(app)
    sign_in(client)
    html = client.get("/console/questions").text
    key = next(k for k in groups_of(html) if SCAN_EN[0] in html.split(f'data-group="{k}"')[1].split("</article>")[0])
    data = {"csrf": csrf_of(client), "group": key, "step": "preview", "action": "assign", "entry": "image-acceleration"}
    table = client.post(f"/console/teach?lang={lang}", data=data).text.split('id="eval-table"')[1].split("</table>")[0]
    figures = re.findall(r"<td>([^<]*)</td>", table)
    assert "100.00 %" in figures and "66.67 %" in figures, figures
    assert all(re.fullmatch(r"\d+\.\d\d %|—|[+-]\d+\.\d\d.*", f) for f in figures), figures


def test_the_previews_top1_is_the_entry_ask_answers_first(tmp_path):
    """The preview's top-1 ranked the raw text (matcher.match), not what ask() answers first: a kubelet paste that
    ask() answers with its labelled entry (the log's story, 08) counted as a miss because the words rank 09 first."""
    from tests.test_cli_ask import KUBELET_PASTE

    evalset = tmp_path / "paste_eval.jsonl"
    evalset.write_text(
        "\n".join(json.dumps(o) for o in ({"q": KUBELET_PASTE, "faq": 8}, {"q": SCAN_EN[0], "faq": None}))
    )
    app, client = make(tmp_path, CONSOLE_EVAL_SETS=str(evalset))
    missed_fixture(app)
    sign_in(client)
    html = client.get("/console/questions").text
    key = next(k for k in groups_of(html) if SCAN_EN[0] in html.split(f'data-group="{k}"')[1].split("</article>")[0])
    data = {"csrf": csrf_of(client), "group": key, "step": "preview", "action": "assign", "entry": "image-acceleration"}
    table = client.post("/console/teach?lang=en", data=data).text.split('id="eval-table"')[1].split("</table>")[0]
    top1 = re.search(r"<th scope=\"row\">[^<]*</th><td>([^<]*)</td><td>([^<]*)</td>", table)
    assert top1 is not None and top1.groups() == ("100.00 %", "100.00 %"), table


def test_blind_sets_are_never_evaluated(tmp_path):
    from bot.console.evaluate import DEFAULT_SETS, eval_paths

    assert not any("blind" in p.name for p in DEFAULT_SETS)
    blind = tmp_path / "faq_blind.jsonl"
    blind.write_text('{"q": "x", "faq": 1}\n')
    assert eval_paths(str(blind)) == []


def test_kb_export_writes_taught_phrasings_and_topics_into_the_files(tmp_path):
    import shutil

    from bot.cli import main
    from knowledge.kb import FAQ_DIR, OUT_OF_SCOPE_PATH, load_kb, load_topics

    faq = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, faq)
    topics = tmp_path / "out_of_scope.toml"
    shutil.copy(OUT_OF_SCOPE_PATH, topics)
    app, client = make(tmp_path)
    missed_fixture(app)
    sign_in(client)
    keys = groups_of(client.get("/console/questions").text)
    teach(client, keys[0], action="assign", entry="image-acceleration")
    key2 = groups_of(client.get("/console/questions").text)[0]
    teach(client, key2, action="out_of_scope", topic="Scanning", pointer="https://example.com/doc")
    args = ["kb", "export", "--db", str(tmp_path / "c.sqlite3"), "--faq-dir", str(faq), "--topics", str(topics)]
    assert main(args) == 0
    entry = load_kb(faq).by_id["image-acceleration"]
    assert all(t in entry.phrasings["zh"] for t in SCAN_ZH)
    taught = [t for t in load_topics(topics).topics if t.id.startswith("taught-")]
    assert len(taught) == 1 and taught[0].hint["en"] == "https://example.com/doc"
    before = (faq / "16-image-acceleration.toml").read_text()
    assert main(args) == 0  # idempotent
    assert (faq / "16-image-acceleration.toml").read_text() == before
    assert len([t for t in load_topics(topics).topics if t.id.startswith("taught-")]) == 1


def test_closed_days_are_kept_and_today_is_always_read(tmp_path, monkeypatch):
    from bot.console import store as console_store
    from bot.console.store import Filters

    app, _ = make(tmp_path)
    charts_fixture(app)
    store = app.extensions["tcr_console"].store
    today = int(time.time() // DAY) * DAY
    f = Filters(today - 60 * DAY, today + DAY)
    first = sorted(store.summary(f), key=repr)
    assert first == sorted(store._summary(f), key=repr)  # the kept days add up to one scan of the whole range
    assert {row[0] for row in first} == {today // DAY - 2, today // DAY - 40, today // DAY - 1}
    # today's questions show at once; a late row for a closed day shows once its kept rows are stale
    seed(app, [(time.time(), "web", "asked just now", "no_answer", None, None)], prefix="t")
    seed(app, [(day_ts(5), "web", "late row for a closed day", "no_answer", None, None)], prefix="late")
    days = {row[0] for row in store.summary(f)}
    assert today // DAY in days and today // DAY - 5 not in days
    monkeypatch.setattr(console_store, "CLOSED_TTL", 0.0)
    assert sorted(store.summary(f), key=repr) == sorted(store._summary(f), key=repr)
    # a channel filter keeps its own rows
    slack = Filters(f.start, f.end, "slack")
    assert sorted(store.summary(slack), key=repr) == sorted(store._summary(slack), key=repr)
    assert {row[1] for row in store.summary(slack)} == {"slack"}
