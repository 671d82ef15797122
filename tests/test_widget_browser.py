"""The help widget as a person uses it: Playwright (sync API) driving Debian's headless Chromium.

A customer page on one loopback origin embeds `<script src="http://127.0.0.1:APP/widget.js" defer>` from the
service running on another loopback port (so CORS is exercised too). Screenshots go to artifacts/.
"""

from __future__ import annotations

import pathlib
import sqlite3

import pytest

from tests.harness._net import LOOPBACK, QuietHandler, ServerThread, ThreadingHTTPServer

pytestmark = pytest.mark.browser

ARTIFACTS = pathlib.Path(__file__).resolve().parent.parent / "artifacts"

LOGIN_Q = "docker login 报错 unauthorized: authentication required"
LOGIN_TITLE = '推送或拉取镜像时显示 "unauthorized: authentication required" 如何处理？'
EN_Q = "How do I delete an image tag?"
XSS_Q = '<img src=x onerror="window.__xss=1;alert(1)"> why does my push fail?'


class HostPages:
    """The customer's site: a static server on another loopback port; /<name>.html from `pages`."""

    def __init__(self):
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(QuietHandler):
            def do_GET(self):
                body = pages.get(self.path.split("?")[0])
                if body is None:
                    self.send_body(404, "not found")
                else:
                    self.send_body(200, body, "text/html; charset=utf-8")

        self.running = ServerThread(ThreadingHTTPServer((LOOPBACK, 0), Handler), "host-pages").start()
        self.url = f"http://{LOOPBACK}:{self.running.server.server_address[1]}"

    def add(self, name: str, widget_url: str, *, lang: str = "en", attrs: str = "", viewport_meta: bool = True) -> str:
        meta = '<meta name="viewport" content="width=device-width, initial-scale=1">' if viewport_meta else ""
        self.pages[f"/{name}.html"] = f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">{meta}
<title>Customer console</title></head>
<body style="font-family: sans-serif; margin: 40px">
<a href="#top" id="first-link">Customer console</a>
<h1>My TCR dashboard</h1><p>Some page content the widget must not disturb.</p>
<script src="{widget_url}/widget.js" defer {attrs}></script>
</body></html>"""
        return f"{self.url}/{name}.html"

    def stop(self):
        self.running.stop()


@pytest.fixture(scope="module")
def service(tmp_path_factory, live_server):
    from bot.web import create_app

    db = tmp_path_factory.mktemp("widget") / "widget.sqlite3"
    app = create_app(
        {
            "DB": str(db),
            "SLACK": "off",
            "RATE_LIMIT_ASK": "0",
            "RATE_LIMIT_FEEDBACK": "0",
            "HANDOFF_URL": "https://support.example/ticket",
        }
    )
    server = live_server(app)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def host_pages():
    pages = HostPages()
    yield pages
    pages.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.console_errors = []
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    yield pg
    context.close()


def shadow_active(page) -> str:
    """A description of the focused element inside the widget's shadow root (or the document)."""
    return page.evaluate("""() => {
        const host = document.getElementById('tcr-doctor-widget');
        const a = (host && host.shadowRoot && host.shadowRoot.activeElement) || document.activeElement;
        return a ? (a.className || a.tagName) : '';
    }""")


def open_and_ask(page, question):
    page.locator(".tcrd-launcher").click()
    page.locator("textarea.tcrd-input").fill(question)
    page.keyboard.press("Enter")


def feedback_rows(service):
    conn = sqlite3.connect(service.app.extensions["tcr_doctor"].storage.path)
    try:
        return conn.execute("SELECT answer_id, helpful, question_id, kb_version FROM feedback ORDER BY id").fetchall()
    finally:
        conn.close()


# --- tests -------------------------------------------------------------------------------------------------
def test_ask_see_answer_and_give_feedback(page, service, host_pages):
    url = host_pages.add("basic", service.url)
    page.goto(url)
    launcher = page.locator(".tcrd-launcher")
    launcher.wait_for()
    assert launcher.get_attribute("aria-expanded") == "false"
    open_and_ask(page, LOGIN_Q)
    assert launcher.get_attribute("aria-expanded") == "true"
    log = page.get_by_role("log")
    assert log.get_attribute("aria-live") == "polite"
    title = page.locator(".tcrd-answer-title")
    title.wait_for(timeout=10000)
    assert title.inner_text() == LOGIN_TITLE
    assert page.locator(".tcrd-user p").last.inner_text() == LOGIN_Q
    links = page.locator(".tcrd-answer a")
    assert links.count() >= 1
    assert links.first.get_attribute("target") == "_blank"
    assert "noopener" in links.first.get_attribute("rel")

    before = len(feedback_rows(service))
    page.locator(".tcrd-thumb.tcrd-down").last.click()
    page.locator(".tcrd-thanks").last.wait_for()
    assert page.locator(".tcrd-thanks a.tcrd-handoff").get_attribute("href") == "https://support.example/ticket"
    rows = feedback_rows(service)
    assert len(rows) == before + 1
    answer_id, helpful, question_id, kb_version = rows[-1]
    assert (answer_id, helpful) == ("unauthorized-authentication-required", 0)
    assert question_id and kb_version
    page.screenshot(path=str(ARTIFACTS / "widget-answer-desktop.png"))
    assert page.dialogs == []


def test_did_you_mean_chips(page, service, host_pages):
    import knowledge

    # a short question the matcher finds ambiguous: chips are offered (a close runner-up)
    candidates = ["login", "网络", "tag", "push", "实例", "build", "image", "镜像问题", "registry"]
    question = next(
        (q for q in candidates if knowledge.ask(q)["status"] == "ambiguous" and knowledge.ask(q)["alternatives"]), None
    )
    assert question, "no candidate question is ambiguous any more; add one"
    page.goto(host_pages.add("chips", service.url))
    open_and_ask(page, question)
    chips = page.locator(".tcrd-chip")
    chips.first.wait_for(timeout=10000)
    assert chips.count() >= 1
    chip_text = chips.first.inner_text()
    answers_before = page.locator(".tcrd-answer-title").count()
    chips.first.click()
    page.wait_for_function(
        """n => { const h = document.getElementById('tcr-doctor-widget').shadowRoot;
                  return h.querySelectorAll('.tcrd-answer-title').length > n; }""",
        arg=answers_before,
    )
    assert page.locator(".tcrd-answer-title").last.inner_text() == chip_text


def test_keyboard_only(page, service, host_pages):
    page.goto(host_pages.add("keyboard", service.url))
    page.locator(".tcrd-launcher").wait_for()
    # Tab from the top of the page: the customer's link, then the widget's launcher.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "first-link"
    page.keyboard.press("Tab")
    assert "tcrd-launcher" in shadow_active(page)
    page.keyboard.press("Enter")
    assert "tcrd-input" in shadow_active(page)  # focus moved into the panel's input
    page.keyboard.type(EN_Q)
    page.keyboard.press("Enter")
    page.locator(".tcrd-answer-title").wait_for(timeout=10000)
    import knowledge

    expected = knowledge.ask(EN_Q)["answer"]
    assert expected["id"] == "delete-image-tag"
    assert page.locator(".tcrd-answer-title").inner_text() == expected["question"]
    # Shift+Tab walks back from the input into the conversation: the thumbs are reachable by keyboard
    for _ in range(15):
        page.keyboard.press("Shift+Tab")
        if "tcrd-up" in shadow_active(page):
            break
    assert "tcrd-up" in shadow_active(page)
    before = len(feedback_rows(service))
    page.keyboard.press("Enter")
    page.locator(".tcrd-thanks").wait_for()
    assert len(feedback_rows(service)) == before + 1 and feedback_rows(service)[-1][1] == 1
    # Escape closes the panel and gives focus back to the launcher
    page.keyboard.press("Escape")
    assert page.locator(".tcrd-panel").is_hidden()
    assert "tcrd-launcher" in shadow_active(page)
    assert page.locator(".tcrd-launcher").get_attribute("aria-expanded") == "false"
    # ...and Enter opens it again with the conversation kept
    page.keyboard.press("Enter")
    assert page.locator(".tcrd-panel").is_visible()
    assert page.locator(".tcrd-answer-title").count() == 1
    page.keyboard.press("Escape")
    assert "tcrd-launcher" in shadow_active(page)


def test_html_in_a_question_is_text_and_runs_nothing(page, service, host_pages):
    page.goto(host_pages.add("xss", service.url))
    open_and_ask(page, XSS_Q)
    page.locator(".tcrd-bot").nth(1).wait_for(timeout=10000)  # greeting + the answer
    page.wait_for_timeout(300)
    assert page.locator(".tcrd-user p").last.inner_text() == XSS_Q
    counts = page.evaluate("""() => ({
        doc: document.querySelectorAll('img').length,
        shadow: document.getElementById('tcr-doctor-widget').shadowRoot.querySelectorAll('img, script[src], iframe').length,
        xss: window.__xss || 0 })""")
    assert counts == {"doc": 0, "shadow": 0, "xss": 0}
    assert page.dialogs == []
    page.screenshot(path=str(ARTIFACTS / "widget-xss-as-text.png"))


def test_the_help_page_loads_without_a_failed_request(page, service):
    """The demo page `/` and everything it loads answer: no 404 (a favicon the browser asks for) in the log."""
    failed: list[str] = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    page.goto(service.url + "/?lang=zh")
    page.wait_for_selector("#tcr-doctor-widget", state="attached")
    page.wait_for_load_state("networkidle")
    assert failed == [] and page.console_errors == []


def test_chinese_from_page_language(page, service, host_pages):
    page.goto(host_pages.add("zh", service.url, lang="zh-CN"))
    launcher = page.locator(".tcrd-launcher")
    launcher.wait_for()
    assert launcher.get_attribute("aria-label") == "打开 TCR 帮助"
    launcher.click()
    assert "您好" in page.locator(".tcrd-bot").first.inner_text()
    assert page.locator("textarea.tcrd-input").get_attribute("placeholder").startswith("询问")
    page.locator("textarea.tcrd-input").fill("镜像加速怎么开启？")
    page.keyboard.press("Enter")
    page.locator(".tcrd-answer-title").wait_for(timeout=10000)
    assert page.locator(".tcrd-feedback").last.get_attribute("aria-label") == "这个回答有帮助吗？"
    # what a screen reader says before each message, with the page's punctuation ("TCR 帮助:" had an ASCII colon)
    labels = page.locator(".tcrd-sr-only").all_text_contents()
    assert "您：" in labels and "TCR 帮助：" in labels and not any(label.endswith(":") for label in labels), labels
    # an English question on a Chinese page is answered in English, the widget's words inside that reply too (the
    # frame stays Chinese)
    import knowledge

    question = "How do I delete an image tag?"
    page.locator("textarea.tcrd-input").fill(question)
    page.keyboard.press("Enter")
    page.wait_for_function("""() => document.getElementById('tcr-doctor-widget').shadowRoot
        .querySelectorAll('.tcrd-answer-title').length >= 2""")
    title = page.locator(".tcrd-answer-title").last
    assert title.inner_text() == knowledge.ask(question)["answer"]["question"]
    assert page.locator(".tcrd-answer").last.get_attribute("lang") == "en"
    assert page.locator(".tcrd-feedback").last.get_attribute("aria-label") == "Was this helpful?"
    assert page.locator(".tcrd-bot > .tcrd-sr-only").last.text_content() == "TCR help: "
    assert page.locator(".tcrd-send").inner_text() == "发送"
    # Chinese words around a pasted English error: the answer is Chinese
    page.locator("textarea.tcrd-input").fill("推送时报错 unauthorized: authentication required 怎么办")
    page.keyboard.press("Enter")
    page.wait_for_function("""() => document.getElementById('tcr-doctor-widget').shadowRoot
        .querySelectorAll('.tcrd-answer-title').length >= 3""")
    assert page.locator(".tcrd-answer").last.get_attribute("lang") == "zh"
    page.screenshot(path=str(ARTIFACTS / "widget-zh.png"))


def test_data_attributes(page, service, host_pages):
    url = host_pages.add(
        "attrs",
        service.url,
        lang="zh",
        attrs='data-lang="en" data-position="left" data-title="Registry help" '
        'data-handoff-url="https://help.example/contact"',
    )
    page.goto(url)
    launcher = page.locator(".tcrd-launcher")
    launcher.wait_for()
    assert launcher.inner_text().strip().endswith("Registry help")
    assert launcher.get_attribute("aria-label") == "Open TCR help"  # data-lang wins over <html lang>
    box = launcher.bounding_box()
    assert box["x"] < 100  # left
    launcher.click()
    assert page.locator(".tcrd-title").inner_text() == "Registry help"
    assert page.locator(".tcrd-footer a").get_attribute("href") == "https://help.example/contact"


def test_phone_sized_screen(browser, service, host_pages):
    context = browser.new_context(
        viewport={"width": 375, "height": 667}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto(host_pages.add("phone", service.url))
        launcher = page.locator(".tcrd-launcher")
        launcher.wait_for()
        lb = launcher.bounding_box()
        assert lb["x"] + lb["width"] <= 375 and lb["y"] + lb["height"] <= 667
        launcher.tap()
        panel = page.locator(".tcrd-panel")
        box = panel.bounding_box()
        assert box["width"] == pytest.approx(375, abs=1) and box["height"] == pytest.approx(667, abs=1)
        page.locator("textarea.tcrd-input").fill(LOGIN_Q)
        page.locator(".tcrd-send").tap()
        page.locator(".tcrd-answer-title").wait_for(timeout=10000)
        # nothing overflows sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        widths = page.evaluate("""() => Array.from(document.getElementById('tcr-doctor-widget').shadowRoot
            .querySelectorAll('.tcrd-msg')).map(e => e.getBoundingClientRect().right)""")
        assert max(widths) <= 375
        page.screenshot(path=str(ARTIFACTS / "widget-phone.png"))
        page.locator(".tcrd-close").tap()
        assert panel.is_hidden() and launcher.is_visible()
    finally:
        context.close()


def test_the_input_limits_are_the_services(page, tmp_path, live_server, host_pages):
    """The question box held 16000 characters whatever TCR_DOCTOR_MAX_QUESTION_CHARS said: with a lower setting a long
    paste was sent whole and answered 413; with a higher one the box cut it. It now holds what the API accepts, and
    the target box what /api/diagnose accepts."""
    from bot.api import MAX_TARGET_CHARS
    from bot.web import create_app

    app = create_app(
        {"DB": str(tmp_path / "limits.sqlite3"), "SLACK": "off", "RATE_LIMIT_ASK": "0", "MAX_QUESTION_CHARS": "120"}
    )
    server = live_server(app)
    try:
        page.goto(host_pages.add("limits", server.url))
        page.locator(".tcrd-launcher").click()
        box = page.locator("textarea.tcrd-input")
        assert box.get_attribute("maxlength") == "120"
        box.press_sequentially("docker login fails, what should I check? " + "x" * 100)
        assert len(box.input_value()) == 120
        page.keyboard.press("Enter")
        form = page.locator(".tcrd-target-form")
        form.wait_for(timeout=10000)  # answered: the 120 characters were accepted, not refused as too long
        assert "Something went wrong" not in page.locator(".tcrd-log").inner_text()
        assert form.locator("input").get_attribute("maxlength") == str(MAX_TARGET_CHARS)
        # a paste longer than the box keeps its end (where a log's error is), and the widget says so
        log = "docker push shop-tcr.tencentcloudcr.com/ns/app:1\n" + "layer pushed\n" * 40 + "denied: requested access"
        note = page.locator(".tcrd-cut-note")
        assert note.is_hidden()
        page.evaluate(
            """text => {
                const box = document.getElementById('tcr-doctor-widget').shadowRoot.querySelector('textarea');
                const data = new DataTransfer();
                data.setData('text/plain', text);
                box.focus();
                box.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
            }""",
            log,
        )
        assert box.input_value() == log[-120:] and box.input_value().endswith("denied: requested access")
        assert note.is_visible() and "120" in note.inner_text()
        page.keyboard.press("Enter")
        page.locator(".tcrd-user").nth(1).wait_for(timeout=10000)
        assert note.is_hidden()
    finally:
        server.stop()


def test_a_log_of_another_registry_shows_no_tcr_host_as_the_example_target(page, service, host_pages):
    # the target field's example was a TCR instance's image under a Harbor (Docker Hub, ECR ...) log too (tidy12)
    page.goto(host_pages.add("other-registry-form", service.url))
    open_and_ask(page, "pulling from our harbor fails with unauthorized: authentication required")
    other = page.locator(".tcrd-bot").last.locator(".tcrd-cause-wrap .tcrd-target-form input")
    other.wait_for(timeout=10000)
    example = other.get_attribute("placeholder")
    assert "tencentcloudcr" not in example and example.startswith("registry.example.com/"), example
    # the question above the field gives the same example (it said "e.g. myinstance.tencentcloudcr.com": qa12)
    asked = page.locator(".tcrd-bot").last.locator(".tcrd-cause-wrap .tcrd-target-form p").inner_text()
    assert "(e.g. registry.example.com)" in asked and "tencentcloudcr" not in asked, asked
    page.locator("textarea.tcrd-input").fill(LOGIN_Q)  # a TCR login failure keeps a TCR instance as the example
    page.keyboard.press("Enter")
    page.locator(".tcrd-user").nth(1).wait_for(timeout=10000)
    tcr = page.locator(".tcrd-bot").last.locator(".tcrd-cause-wrap .tcrd-target-form input")
    tcr.wait_for(timeout=10000)
    assert ".tencentcloudcr.com/" in tcr.get_attribute("placeholder")
    asked = page.locator(".tcrd-bot").last.locator(".tcrd-cause-wrap .tcrd-target-form p").inner_text()
    assert "（例如 myinstance.tencentcloudcr.com）" in asked, asked  # LOGIN_Q is Chinese: so is its reply


def test_diagnosis_form_when_no_target_was_mentioned(page, service, host_pages):
    page.goto(host_pages.add("form", service.url))
    open_and_ask(page, "docker login fails, what should I check?")
    form = page.locator(".tcrd-target-form")
    form.wait_for(timeout=10000)
    form.locator("input").fill("10.0.0.8:5000/team/app:1.0")
    form.locator("input").press("Enter")
    finding = page.locator('.tcrd-finding[data-code="TARGET_REFUSED"]')
    finding.wait_for(timeout=10000)
    assert "IP" in finding.inner_text()
    assert "tcr-doctor diagnose" in page.locator(".tcrd-cli").inner_text()
    page.screenshot(path=str(ARTIFACTS / "widget-diagnosis-refused.png"))
    # markup typed as a target is refused and shown as text, never run
    before = page.locator(".tcrd-finding").count()
    form.locator("input").fill('<img src=x onerror="window.__xss=1">.tencentcloudcr.com')
    form.locator("input").press("Enter")
    page.wait_for_function(
        """n => document.getElementById('tcr-doctor-widget').shadowRoot
        .querySelectorAll('.tcrd-finding').length > n""",
        arg=before,
    )
    assert "<img" in page.locator(".tcrd-findings h3 code").last.inner_text()
    assert (
        page.evaluate("""() => document.getElementById('tcr-doctor-widget').shadowRoot
        .querySelectorAll('img').length + document.querySelectorAll('img').length + (window.__xss || 0)""")
        == 0
    )
    assert page.dialogs == []


@pytest.fixture
def diagnosing_service(registry, registry_factory, tls_material, dns_server, tmp_path, live_server, request):
    """(registry, service, customer pages): a registry the tests started (HTTPS, anonymous pulls, the seeded
    content) and the service set up to diagnose it under a TCR-looking name the harness DNS server resolves to
    127.0.0.1."""
    from bot.web import create_app

    reg = registry_factory(
        auth=False,
        tls=tls_material.valid,
        ca_file=tls_material.ca_file,
        storage_dir=registry.storage_dir,
        name=f"widget-{request.node.name}",
    )
    app = create_app(
        {
            "DB": str(tmp_path / "service.sqlite3"),
            "SLACK": "off",
            "RATE_LIMIT_ASK": "0",
            "DNS_NAMESERVER": dns_server.nameserver,
            "CA_FILE": tls_material.ca_file,
            "REGISTRY_PORTS": "",
            "TEST_ALLOW_LOOPBACK": True,
            "DIAGNOSE_TIMEOUT": 15,
        }
    )
    server = live_server(app)
    pages = HostPages()
    yield reg, server, pages
    pages.stop()
    server.stop()


@pytest.mark.registry
def test_run_diagnosis_against_a_registry(browser, diagnosing_service):
    """Ask about an image on a registry the tests started (HTTPS, anonymous pulls, the seeded content, under a
    TCR-looking name the harness DNS server resolves to 127.0.0.1), then run the diagnosis from the widget's
    button and see the findings."""
    from tests.harness.dns_server import Zone

    reg, server, pages = diagnosing_service
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    try:
        image = f"{Zone.TCR_LOCAL}:{reg.port}/team/app:1.0"
        page.goto(pages.add("diag", server.url))
        open_and_ask(page, f"cannot pull {image}, what should I check?")  # a question, not a log
        run = page.locator("button.tcrd-run")
        run.wait_for(timeout=10000)
        assert image in run.inner_text()
        run.click()
        findings = page.locator(".tcrd-finding")
        findings.first.wait_for(timeout=30000)
        statuses = {f.get_attribute("data-code"): f.get_attribute("data-status") for f in findings.all()}
        for code in ("DNS_OK", "TCP_OK"):
            assert statuses.get(code) == "ok", statuses
        assert "TARGET_REFUSED" not in statuses
        assert "fail" not in statuses.values(), statuses
        for code in ("TLS_OK", "HTTP_OK", "TAG_FOUND"):  # the image exists and is pulled anonymously
            assert statuses.get(code) == "ok", statuses
        assert "tcr-doctor diagnose" in page.locator(".tcrd-cli code").inner_text()
        page.locator(".tcrd-diagnosis").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "widget-diagnosis.png"))
    finally:
        context.close()


# --- a pasted log: the cause first, then "Run this diagnosis" (issue 6) -----------------------------------------
def _paste(page, text):
    """Paste a multi-line block into the input (as a person does: newlines kept) and send it with Enter."""
    page.locator("textarea.tcrd-input").fill(text)
    page.locator("textarea.tcrd-input").press("Enter")


def _order(page, first, then):
    """True when the element matching `first` comes before `then` inside the last bot reply."""
    return page.evaluate(
        """([a, b]) => {
        const msgs = document.getElementById('tcr-doctor-widget').shadowRoot.querySelectorAll('.tcrd-bot');
        const m = msgs[msgs.length - 1];
        const x = m.querySelector(a), y = m.querySelector(b);
        return !!(x && y && (x.compareDocumentPosition(y) & Node.DOCUMENT_POSITION_FOLLOWING));
    }""",
        [first, then],
    )


@pytest.mark.registry
def test_pasted_log_shows_the_cause_first_and_runs_its_diagnosis(browser, diagnosing_service):
    """A multi-line `docker pull` error naming an image on a registry the tests started (HTTPS, anonymous pulls,
    a TCR-looking name the harness DNS server resolves to 127.0.0.1): the reply starts with the cause card, the
    evidence line is text, and "Run this diagnosis" runs the log's diagnosis and confirms the cause."""
    import knowledge
    from tests.harness.dns_server import Zone

    reg, server, pages = diagnosing_service
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    diagnose_bodies, dialogs = [], []
    page.on(
        "request",
        lambda r: "/api/diagnose" in r.url and r.method == "POST" and diagnose_bodies.append(r.post_data_json),
    )
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        image = f"{Zone.TCR_LOCAL}:{reg.port}/team/app:9.9"  # the repository exists, this tag does not
        text = (
            f"\x1b[1m$ docker pull {image}\x1b[0m\n"
            f"Error response from daemon: manifest for {image} not found: manifest unknown: manifest unknown\n$ "
        )
        expected = knowledge.explain_log(text)
        assert expected["cause"] == "TAG_NOT_FOUND" and expected["target"] == image, expected
        page.goto(pages.add("log", server.url))
        page.locator(".tcrd-launcher").click()
        _paste(page, text)
        card = page.locator(".tcrd-cause")
        card.wait_for(timeout=10000)
        # the reply starts with the cause: before the FAQ answer, in the widget's language
        assert _order(page, ".tcrd-cause-wrap", ".tcrd-answer")
        assert card.get_attribute("data-code") == "TAG_NOT_FOUND"
        assert expected["summary"]["en"] in card.locator(".tcrd-cause-summary").inner_text()
        assert card.locator(".tcrd-evidence code").inner_text() == expected["evidence"]
        assert "REPO_NOT_FOUND" in card.locator(".tcrd-cause-also").inner_text()  # the alternative
        assert card.locator(".tcrd-cause-fix").inner_text().strip()
        assert expected["diagnose"] in card.locator(".tcrd-cause-cli code").inner_text()
        assert page.get_by_role("log").get_attribute("aria-live") == "polite"
        page.locator(".tcrd-cause-wrap").evaluate("e => e.scrollIntoView({block: 'start'})")
        page.locator(".tcrd-panel").screenshot(path=str(ARTIFACTS / "widget-log-cause.png"))
        assert diagnose_bodies == []  # nothing runs until asked

        # "Run this diagnosis": a focusable button, run from the keyboard
        run = page.get_by_role("button", name="Run this diagnosis")
        assert run.count() == 1
        assert image in page.locator(".tcrd-cause-hint").inner_text()
        run.focus()
        assert "tcrd-run-log" in shadow_active(page)
        page.keyboard.press("Enter")
        verdict = page.locator(".tcrd-log-diagnosis .tcrd-verdict")
        verdict.wait_for(timeout=30000)
        # the focus moves to the new findings' heading, scrolled into view
        assert "tcrd-findings-title" in shadow_active(page)
        assert diagnose_bodies == [
            {
                "target": image,
                "lang": "en",
                "render": "html",
                "checks": expected["checks"],
                "cause": "TAG_NOT_FOUND",
                "also": expected["also"],
            }
        ]
        findings = page.locator(".tcrd-log-diagnosis .tcrd-finding")
        statuses = {f.get_attribute("data-code"): f.get_attribute("data-status") for f in findings.all()}
        for code in ("DNS_OK", "TCP_OK", "TLS_OK", "HTTP_OK"):
            assert statuses.get(code) == "ok", statuses
        assert statuses.get("TAG_NOT_FOUND") == "fail", statuses
        assert "TARGET_REFUSED" not in statuses
        assert verdict.get_attribute("data-status") == "confirmed"
        assert "confirms the cause" in verdict.inner_text() and "TAG_NOT_FOUND" in verdict.inner_text()
        page.locator(".tcrd-log-diagnosis").evaluate("e => e.scrollIntoView({block: 'start'})")
        page.locator(".tcrd-panel").screenshot(path=str(ARTIFACTS / "widget-log-diagnosis.png"))
        assert dialogs == []
    finally:
        context.close()


XSS_LOG = (
    "$ docker push shop.tencentcloudcr.com/ns/app:1.0\n"
    "The push refers to repository [shop.tencentcloudcr.com/ns/app]\n"
    'Get "https://shop.tencentcloudcr.com/v2/": dial tcp: lookup shop.tencentcloudcr.com '
    '<svg onload="window.__xss=1;alert(1)">: no such host'  # not a screenshot's <img>: the reader keeps it
)


def test_a_log_on_the_registry_of_the_image_asked_about_gets_one_diagnosis(page, service, host_pages):
    """The log names the registry, the sentence an image on it: the cause card's "Run this diagnosis" is the one
    diagnosis offered (a second "Run diagnostics on <image>" button for the same registry read as two stories)."""
    image = "demo.tencentcloudcr.com/team/app:1.0"
    page.goto(host_pages.add("one-diagnosis", service.url))
    open_and_ask(page, f"docker pull {image} fails with unauthorized: authentication required")
    page.locator(".tcrd-cause").wait_for(timeout=10000)
    reply = page.locator(".tcrd-bot").last
    assert reply.locator(".tcrd-cause-hint").inner_text().count("demo.tencentcloudcr.com") == 1
    assert reply.locator("button.tcrd-run-log").count() == 1
    assert reply.locator("button.tcrd-run, form.tcrd-target-form").count() == 0


def test_a_log_on_another_port_of_the_registry_asked_about_gets_one_diagnosis(page, service, host_pages):
    """The log shows the registry asked about with a port (ccr.ccs.tencentyun.com:80, a port the default policy
    diagnoses): one registry, one diagnosis, the cause card's (the rule compared host:port exactly and offered a
    second button)."""
    page.goto(host_pages.add("one-diagnosis-port", service.url))
    open_and_ask(
        page,
        "docker login to ccr.ccs.tencentyun.com fails with nerdctl:\n"
        'FATA[0006] failed to call rh.Client.Do: Get "http://ccr.ccs.tencentyun.com:80/v2/": EOF',
    )
    page.locator(".tcrd-cause").wait_for(timeout=10000)
    reply = page.locator(".tcrd-bot").last
    assert "ccr.ccs.tencentyun.com:80" in reply.locator(".tcrd-cause-hint").inner_text()
    assert reply.locator("button.tcrd-run-log").count() == 1
    assert reply.locator("button.tcrd-run, form.tcrd-target-form").count() == 0


@pytest.mark.parametrize(
    "paste",
    [
        # another vendor's registry (the default policy diagnoses TCR domains only): datalens-tech/datalens#14 shape
        "docker pull ghcr.io/acme/app:1.0\n"
        'Error response from daemon: Head "https://ghcr.io/v2/acme/app/manifests/1.0": unauthorized',
        # a TCR host on a port the policy does not diagnose (80 and 443 by default)
        "docker login to ccr.ccs.tencentyun.com fails with nerdctl:\n"
        'FATA[0006] failed to call rh.Client.Do: Get "http://ccr.ccs.tencentyun.com:8080/v2/": EOF',
    ],
)
def test_no_diagnosis_is_offered_on_a_target_the_service_refuses(page, service, host_pages, paste):
    """The cause card offered "Run this diagnosis" on every log target, and a click only ever got TARGET_REFUSED
    (qa12): the service's answer says which targets its address policy refuses, and the widget offers none of them;
    the card's CLI command stays."""
    page.goto(host_pages.add("refused-target", service.url))
    open_and_ask(page, paste)
    page.locator(".tcrd-cause").wait_for(timeout=10000)
    reply = page.locator(".tcrd-bot").last
    assert "tcr-doctor diagnose" in reply.locator(".tcrd-cause-cli code").inner_text()
    assert reply.locator("button.tcrd-run-log, button.tcrd-run, form.tcrd-target-form").count() == 0


def test_markup_in_a_pasted_log_is_text_and_runs_nothing(page, service, host_pages):
    """On a Chinese page: a log pasted with a Chinese question gets the cause card in Chinese, the `<svg onload>` of
    the log shown as text in the evidence, no element created from it, no script run, no diagnosis started."""
    import knowledge

    expected = knowledge.explain_log(XSS_LOG)
    assert expected and "<svg" in expected["evidence"], expected
    diagnoses = []
    page.on("request", lambda r: "/api/diagnose" in r.url and r.method == "POST" and diagnoses.append(r.url))
    page.goto(host_pages.add("log-xss", service.url, lang="zh-CN"))
    page.locator(".tcrd-launcher").click()
    _paste(page, "推送失败：\n" + XSS_LOG)
    card = page.locator(".tcrd-cause")
    card.wait_for(timeout=10000)
    page.wait_for_timeout(300)
    assert "日志中的原因" in card.inner_text()
    assert expected["summary"]["zh"] in card.inner_text()
    evidence = card.locator(".tcrd-evidence code").inner_text()
    assert evidence == expected["evidence"] and '<svg onload="window.__xss=1;alert(1)">' in evidence
    assert page.locator(".tcrd-user .tcrd-user-text").last.text_content() == "推送失败：\n" + XSS_LOG
    assert page.get_by_role("button", name="运行此诊断").count() == 1
    counts = page.evaluate("""() => ({
        doc: document.querySelectorAll('img, [onload], [onerror]').length,
        shadow: document.getElementById('tcr-doctor-widget').shadowRoot
            .querySelectorAll('img, script[src], iframe, [onload], [onerror]').length,
        xss: window.__xss || 0 })""")
    assert counts == {"doc": 0, "shadow": 0, "xss": 0}
    assert page.dialogs == [] and diagnoses == []
    page.locator(".tcrd-cause-wrap").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.locator(".tcrd-panel").screenshot(path=str(ARTIFACTS / "widget-log-xss-as-text.png"))


# --- one language per reply; long pastes collapsed ------------------------------------------------------------
_REPLY_TEXT = """() => {
    const root = document.getElementById('tcr-doctor-widget').shadowRoot;
    const msgs = root.querySelectorAll('.tcrd-bot');
    const m = msgs[msgs.length - 1].cloneNode(true);
    m.querySelectorAll('pre, code, .tcrd-sr-only').forEach(n => n.remove());   // the user's text, the reader's prefix
    const labels = Array.from(msgs[msgs.length - 1].querySelectorAll('[aria-label], [title], input[placeholder]'))
        .map(n => [n.getAttribute('aria-label'), n.getAttribute('title'), n.getAttribute('placeholder')].join(' '));
    return m.textContent + ' ' + labels.join(' ');
}"""
EN_WIDGET_WORDS = (
    "Run this diagnosis",
    "Checks ",
    "Was this helpful",
    "Helpful",
    "Still stuck",
    "Contact support",
    "Did you mean",
    "Which registry",
    "Diagnose",
    "Run diagnostics",
)
# A login that fails on DNS: the login entry answers and the log's cause leads (a push that fails so gets the
# cause but no entry: a network failure is the login entry's story only for a login).
ZH_LOG = (
    "登录镜像仓库失败，怎么办：\n$ docker login shop.tencentcloudcr.com\n"
    'Error response from daemon: Get "https://shop.tencentcloudcr.com/v2/": dial tcp: lookup shop.tencentcloudcr.com '
    "on 127.0.0.53:53: no such host"
)


def _ask_and_wait(page, question, count):
    _paste(page, question)
    page.wait_for_function(
        """n => document.getElementById('tcr-doctor-widget').shadowRoot
        .querySelectorAll('.tcrd-bot:not(.tcrd-pending)').length >= n""",
        arg=count,
    )
    page.wait_for_timeout(100)


def test_each_reply_speaks_one_language_whatever_the_page_speaks(page, service, host_pages):
    """A Chinese question on an English page is answered in Chinese, and so are the widget's words inside that reply
    (the run button and its hint, the feedback question, the hand-off line): no English label in a Chinese card.
    The frame (title, input, send) keeps the page's language. The same the other way round on a Chinese page."""
    import re

    page.goto(host_pages.add("one-lang-en", service.url, lang="en"))
    page.locator(".tcrd-launcher").click()
    _ask_and_wait(page, ZH_LOG, 2)  # greeting + reply
    text = page.evaluate(_REPLY_TEXT)
    assert page.locator(".tcrd-cause").last.get_attribute("lang") == "zh"
    assert "运行此诊断" in text and "这个回答有帮助吗" in text, text
    assert [w for w in EN_WIDGET_WORDS if w in text] == [], text
    assert page.locator(".tcrd-send").inner_text() == "Send"  # the frame follows the page
    _ask_and_wait(page, "镜像仓库登录失败，有什么办法吗", 3)
    text = page.evaluate(_REPLY_TEXT)
    assert [w for w in EN_WIDGET_WORDS if w in text] == [], text

    page.goto(host_pages.add("one-lang-zh", service.url, lang="zh-CN"))
    page.locator(".tcrd-launcher").click()
    _ask_and_wait(page, "docker login to my instance fails with unauthorized, what should I check?", 2)
    text = page.evaluate(_REPLY_TEXT)
    assert re.search(r"[\u3400-\u9fff]", text) is None, text
    assert "Was this helpful" in text
    assert page.locator(".tcrd-send").inner_text() == "发送"


def test_a_japanese_question_is_answered_in_english(page, service, host_pages):
    """Japanese writes Han among its kana: the widget leaves its language to the service, which answers it in
    English (it forced Chinese on any Han character, so a Japanese post got a Chinese reply)."""
    page.goto(host_pages.add("japanese", service.url, lang="en"))
    page.locator(".tcrd-launcher").click()
    _ask_and_wait(page, "docker login がずっと失敗します。unauthorized: authentication required と出ます", 2)
    assert page.locator(".tcrd-bot").last.get_attribute("lang") == "en"


def test_a_long_paste_is_collapsed_in_the_user_bubble(page, service, host_pages):
    """The user's own message is shown back whole today: a 60-line CI log fills the panel. Past three lines it is
    collapsed like long evidence: its first lines, and the whole text one click away (still text, never markup)."""
    lines = [f"#{i} [internal] load build context step {i}" for i in range(60)]
    paste = "CI 推送失败：\n" + "\n".join(lines) + "\n" + XSS_LOG
    page.goto(host_pages.add("long-paste", service.url, lang="en"))
    page.locator(".tcrd-launcher").click()
    _ask_and_wait(page, paste, 2)
    bubble = page.locator(".tcrd-user").last
    assert bubble.bounding_box()["height"] < 160, bubble.bounding_box()
    details = bubble.locator("details")
    assert details.count() == 1
    assert str(len(paste.split("\n"))) in details.locator("summary").inner_text()
    details.locator("summary").click()
    assert bubble.locator(".tcrd-user-text").inner_text() == paste
    assert bubble.bounding_box()["height"] > 400
    assert page.evaluate("() => window.__xss || 0") == 0
    # a short question stays as it is
    _ask_and_wait(page, "How do I delete an image tag?", 3)
    assert page.locator(".tcrd-user").last.locator("details").count() == 0
    assert page.locator(".tcrd-user .tcrd-user-text").last.inner_text() == "How do I delete an image tag?"


def test_a_logs_diagnosis_is_offered_with_the_checks_the_service_runs(page, tmp_path, live_server, host_pages):
    """TCR_DOCTOR_DIAGNOSE_CHECKS=endpoint,image: "Run this diagnosis" for a DNS log (dns, endpoint) names and sends
    endpoint alone (the widget sent both, which the API now refuses), and a login log (dns, tcp, tls, http,
    credentials: none runs here) gets no button, only the card's CLI command. The engine is a stand-in: nothing
    is connected to."""
    from bot.web import create_app

    asked = []

    def engine(target, **options):
        asked.append(options["only"])
        return {"findings": [], "exit_code": 0}

    app = create_app(
        {
            "DB": str(tmp_path / "checks.sqlite3"),
            "SLACK": "off",
            "RATE_LIMIT_ASK": "0",
            "DIAGNOSE_CHECKS": "endpoint,image",
            "DIAGNOSE_FUNC": engine,
        }
    )
    server = live_server(app)
    try:
        page.goto(host_pages.add("operator-checks", server.url))
        page.locator(".tcrd-launcher").click()
        _paste(
            page,
            'Error response from daemon: Get "https://demo.tencentcloudcr.com/v2/": dial tcp: lookup '
            "demo.tencentcloudcr.com: no such host",
        )
        page.locator(".tcrd-cause").wait_for(timeout=10000)
        reply = page.locator(".tcrd-bot").last
        assert "Checks endpoint on demo.tencentcloudcr.com" in reply.locator(".tcrd-cause-hint").inner_text()
        reply.locator("button.tcrd-run-log").click()
        page.locator(".tcrd-log-diagnosis").wait_for(timeout=10000)
        assert asked == [["endpoint"]]
        assert "Something went wrong" not in page.locator(".tcrd-log").inner_text()

        _paste(
            page, "docker pull demo.tencentcloudcr.com/team/app:1.0 fails with unauthorized: authentication required"
        )
        page.locator(".tcrd-cause").nth(1).wait_for(timeout=10000)
        reply = page.locator(".tcrd-bot").last
        assert reply.locator(".tcrd-cause-cli").count() == 1
        assert reply.locator("button.tcrd-run-log").count() == 0 and reply.locator(".tcrd-cause-hint").count() == 0
    finally:
        server.stop()
