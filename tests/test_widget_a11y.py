"""The help widget against WCAG 2.2 AA (issue 14): axe-core in every state, the modal phone panel, focus on each
new answer's heading, the focus ring, forced-colors mode; and the issue 11 presentation items (the "not covered"
pointer, did-you-mean only when close, long evidence collapsed, the phone layout without a viewport meta tag).

axe-core 4.14.1 comes from npm (`npm pack axe-core`) and is vendored in tests/vendor/axe-core/ with its license.
One Chromium for the module; each test walks several states on one page. Screenshots go to artifacts/.
"""

from __future__ import annotations

import pathlib

import pytest

from tests.test_widget_browser import ARTIFACTS, XSS_LOG, HostPages

pytestmark = pytest.mark.browser

AXE = pathlib.Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
ROOT = "document.getElementById('tcr-doctor-widget').shadowRoot"


@pytest.fixture(scope="module")
def service(tmp_path_factory, live_server):
    from bot.web import create_app

    app = create_app(
        {
            "DB": str(tmp_path_factory.mktemp("a11y") / "a11y.sqlite3"),
            "SLACK": "off",
            "RATE_LIMIT_ASK": "0",
            "RATE_LIMIT_DIAGNOSE": "0",
            "RATE_LIMIT_FEEDBACK": "0",
        }
    )
    server = live_server(app)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pages():
    host = HostPages()
    yield host
    host.stop()


def new_page(browser, **context):
    ctx = browser.new_context(**({"viewport": {"width": 1280, "height": 800}} | context))
    page = ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return ctx, page


def axe(page, state: str) -> list[dict]:
    """axe-core on the widget (its shadow tree included); violations of every impact, with where they are."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run({include: [['#tcr-doctor-widget']]}, {resultTypes: ['violations', 'passes']});
            return {passes: r.passes.length,
                    violations: r.violations.map(v => ({id: v.id, impact: v.impact,
                        nodes: v.nodes.map(n => n.target.join(' ') + ' ' + n.failureSummary)}))};
        }"""
    )
    assert result["passes"] > 10, f"{state}: axe checked almost nothing; is the widget there?"
    return [dict(v, state=state) for v in result["violations"]]


def ask(page, question, count_selector=".tcrd-bot", timeout=15000):
    before = page.evaluate(f"() => {ROOT}.querySelectorAll('{count_selector}').length")
    page.locator("textarea.tcrd-input").fill(question)
    page.locator("textarea.tcrd-input").press("Enter")
    page.wait_for_function(
        f"n => {ROOT}.querySelectorAll('{count_selector}').length > n && !{ROOT}.querySelector('.tcrd-pending')",
        arg=before,
        timeout=timeout,
    )


def active(page) -> str:
    return page.evaluate(f"""() => {{
        const a = {ROOT}.activeElement || document.activeElement;
        return a ? (a.className || a.id || a.tagName) : '';
    }}""")


def heading_in_view(page) -> bool:
    """The focused heading's top is inside the conversation's visible area."""
    return page.evaluate(f"""() => {{
        const root = {ROOT}, h = root.activeElement, log = root.querySelector('.tcrd-log');
        if (!h || !/^H[1-6]$/.test(h.tagName)) return false;
        const a = h.getBoundingClientRect(), b = log.getBoundingClientRect();
        return a.top >= b.top - 1 && a.top + 12 <= b.bottom;
    }}""")


def contrast(page, fg: str, bg: str) -> float:
    return page.evaluate(
        """([fg, bg]) => {
            const lum = c => { const m = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(v => v / 255)
                .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
                return 0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]; };
            const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
            return (a + 0.05) / (b + 0.05);
        }""",
        [fg, bg],
    )


# -- axe-core in every state -----------------------------------------------------------------------------------
def test_axe_finds_nothing_in_any_state_on_desktop(browser, service, pages):
    ctx, page = new_page(browser)
    try:
        page.goto(pages.add("a11y-desktop", service.url))
        page.locator(".tcrd-launcher").wait_for()
        found = axe(page, "closed")
        page.locator(".tcrd-launcher").click()
        found += axe(page, "open")
        ask(page, "push")  # an ambiguous question: the answer, its chips and the feedback buttons
        assert page.locator(".tcrd-chip").count() >= 1
        assert "tcrd-answer-title" in active(page) and heading_in_view(page)
        found += axe(page, "answered")
        page.locator(".tcrd-thumb.tcrd-up").last.click()
        page.locator(".tcrd-thanks").last.wait_for()
        found += axe(page, "feedback given")
        ask(page, XSS_LOG)
        assert "tcrd-cause-title" in active(page) and heading_in_view(page)  # the cause comes first
        found += axe(page, "log answer")
        page.locator(".tcrd-panel").screenshot(path=str(ARTIFACTS / "a11y-log-answer.png"))
        ask(page, "docker login fails, what should I check?")
        form = page.locator(".tcrd-target-form").last
        form.locator("input").fill("10.0.0.8:5000/team/app:1.0")  # refused by the policy: nothing is contacted
        form.locator("input").press("Enter")
        page.locator('.tcrd-finding[data-code="TARGET_REFUSED"]').wait_for(timeout=15000)
        page.wait_for_function(
            f"() => ({ROOT}.activeElement || {{}}).className === 'tcrd-findings-title tcrd-focus-target'"
        )
        assert heading_in_view(page)
        found += axe(page, "diagnosis")
        page.locator(".tcrd-panel").screenshot(path=str(ARTIFACTS / "a11y-diagnosis.png"))
        assert page.errors == []
    finally:
        ctx.close()
    assert found == [], found


def test_axe_finds_nothing_on_a_phone_and_at_200_percent_zoom(browser, service, pages):
    found = []
    # A 375 px phone; and 200 % zoom of a 1280 x 800 window, which lays the page out at 640 x 400 CSS pixels.
    for state, context in (
        ("phone 375 px", {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}),
        ("200 % zoom", {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}),
    ):
        ctx, page = new_page(browser, **context)
        try:
            page.goto(pages.add("a11y-" + state.split()[0], service.url, lang="zh-CN"))
            page.locator(".tcrd-launcher").wait_for()
            found += axe(page, state + " closed")
            page.locator(".tcrd-launcher").click()
            ask(page, "登录实例失败怎么办？")
            assert heading_in_view(page), state  # the title, not the answer's bottom, is what shows
            found += axe(page, state + " answered")
            ask(page, "推送失败：\n" + XSS_LOG)
            assert heading_in_view(page), state
            found += axe(page, state + " log answer")
            page.screenshot(path=str(ARTIFACTS / f"a11y-{state.split()[0]}.png"))
        finally:
            ctx.close()
    assert found == [], found


# -- keyboard and focus ----------------------------------------------------------------------------------------
def test_on_a_phone_the_panel_is_modal_and_keeps_the_focus_inside(browser, service, pages):
    ctx, page = new_page(browser, viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    try:
        page.goto(pages.add("a11y-modal", service.url))
        page.locator(".tcrd-launcher").click()
        ask(page, "How do I delete an image tag?")
        assert page.locator(".tcrd-panel").get_attribute("aria-modal") == "true"
        seen = set()
        for _ in range(25):  # forwards past every control, then around again
            page.keyboard.press("Tab")
            seen.add(active(page))
            assert page.evaluate("() => document.activeElement.id") == "tcr-doctor-widget", seen
        for _ in range(10):
            page.keyboard.press("Shift+Tab")
            assert page.evaluate("() => document.activeElement.id") == "tcr-doctor-widget"
        assert {"tcrd-input", "tcrd-send", "tcrd-close"} <= seen
        # focus sent to the page behind (a script, a screen reader's jump) comes back
        page.evaluate("() => document.getElementById('first-link').focus()")
        assert page.evaluate("() => document.activeElement.id") == "tcr-doctor-widget"
        box = page.locator(".tcrd-panel").bounding_box()
        assert box["width"] >= 374 and box["height"] >= 660
        page.keyboard.press("Escape")
        assert page.locator(".tcrd-panel").is_hidden()
        assert page.locator(".tcrd-panel").get_attribute("aria-modal") == "false"
    finally:
        ctx.close()
    # On a wide screen the panel is not modal: the page stays reachable.
    ctx, page = new_page(browser)
    try:
        page.goto(pages.add("a11y-modeless", service.url))
        page.locator(".tcrd-launcher").click()
        assert page.locator(".tcrd-panel").get_attribute("aria-modal") == "false"
        page.evaluate("() => document.getElementById('first-link').focus()")
        assert page.evaluate("() => document.activeElement.id") == "first-link"
    finally:
        ctx.close()


def test_focus_ring_contrast_and_outlines_in_forced_colors_mode(browser, service, pages):
    ctx, page = new_page(browser)
    try:
        page.goto(pages.add("a11y-focus", service.url))
        page.locator(".tcrd-launcher").focus()
        page.keyboard.press("Enter")
        rings = {}
        for selector, surface in ((".tcrd-close", ".tcrd-header"), (".tcrd-send", ".tcrd-panel")):
            page.locator(selector).focus()
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
            style = page.locator(selector).evaluate(
                "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
            )
            bg = page.locator(surface).evaluate("e => getComputedStyle(e).backgroundColor")
            rings[selector] = (style, bg, contrast(page, style[2], bg))
        for selector, (style, _bg, ratio) in rings.items():
            assert style[0] == "solid" and float(style[1].rstrip("px")) >= 2, (selector, style)
            assert ratio >= 3, rings
        # White text on the accent colour: the launcher, the title bar, Send (AA: 4.5:1).
        for selector in (".tcrd-launcher", ".tcrd-header", ".tcrd-send"):
            fg, bg = page.locator(selector).evaluate(
                "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
            )
            assert contrast(page, fg, bg) >= 4.5, (selector, fg, bg)

        page.emulate_media(forced_colors="active")
        ask(page, "docker login fails, what should I check?")
        for selector in (".tcrd-close", ".tcrd-send", ".tcrd-launcher", ".tcrd-thumb"):
            border = page.locator(selector).first.evaluate(
                "e => [getComputedStyle(e).borderTopStyle, getComputedStyle(e).borderTopWidth]"
            )
            assert border[0] != "none" and border[1] != "0px", (selector, border)
        page.locator(".tcrd-send").focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        assert page.locator(".tcrd-send").evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
        page.screenshot(path=str(ARTIFACTS / "a11y-forced-colors.png"))
    finally:
        ctx.close()


# -- issue 11 item 6: what the widget shows --------------------------------------------------------------------
def test_refusals_pointer_chips_and_collapsed_evidence(browser, service, pages):
    import knowledge

    ctx, page = new_page(browser)
    try:
        page.goto(pages.add("a11y-refusals", service.url))
        page.locator(".tcrd-launcher").click()
        # a how-to question no entry answers: the "not covered" pointer, no chips, no request for error text
        question = "how do I push a helm chart"
        topic = knowledge.ask(question)["topic"]
        ask(page, question)
        last = page.locator(".tcrd-bot").last
        assert topic["hint"] in last.locator(".tcrd-topic").inner_text()
        assert last.locator(".tcrd-chip").count() == 0 and "error text" not in last.inner_text()
        assert last.locator(".tcrd-answer.tcrd-refusal-documentation").count() == 1
        # small talk: a short reply, no hand-off, no chips
        ask(page, "hi")
        last = page.locator(".tcrd-bot").last
        assert "Hi!" in last.inner_text() and last.locator("a.tcrd-handoff").count() == 0
        # a problem report: asks for the error text and the command, offers a person
        ask(page, "my registry webhook keeps failing, what is wrong?")
        last = page.locator(".tcrd-bot").last
        assert "exact error text and the command" in last.inner_text()
        assert last.locator("a.tcrd-handoff").count() == 1
        # long log evidence is collapsed until asked for
        long_log = "$ docker pull shop.tencentcloudcr.com/ns/app:1.0\n" + "\n".join(
            f'Get "https://shop.tencentcloudcr.com/v2/": dial tcp: lookup shop.tencentcloudcr.com: no such host {n}'
            for n in range(6)
        )
        ask(page, long_log)
        evidence = page.locator(".tcrd-bot").last.locator(".tcrd-evidence")
        if evidence.evaluate("e => e.tagName") == "DETAILS":
            assert evidence.get_attribute("open") is None
            assert evidence.locator("pre").is_hidden()
            evidence.locator("summary").click()
            assert evidence.locator("pre").is_visible()
        else:
            assert len(evidence.inner_text()) < 200
        panel = page.locator(".tcrd-log").bounding_box()
        card = page.locator(".tcrd-cause-wrap").last.bounding_box()
        assert card["height"] < panel["height"] * 2
    finally:
        ctx.close()


def test_the_phone_layout_works_without_a_viewport_meta_tag(browser, service, pages):
    ctx, page = new_page(browser, viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    try:
        page.goto(pages.add("a11y-nometa", service.url, viewport_meta=False))
        layout = page.evaluate("() => [window.innerWidth, screen.width]")
        assert layout[0] > 900 and layout[1] == 375  # the page is laid out ~980 px wide and shrunk to the screen
        page.locator(".tcrd-launcher").click()
        ask(page, "How do I delete an image tag?")
        box = page.locator(".tcrd-panel").bounding_box()
        assert box["width"] >= layout[0] - 2  # the whole (shrunk) page width: the whole screen
        # Text keeps its size on the screen: 14 CSS px of the widget are at least 13 screen px.
        scale = layout[1] / layout[0]
        size = page.locator(".tcrd-answer-title").evaluate("e => e.getBoundingClientRect().height")
        assert size * scale >= 13, (size, scale)
        assert page.locator(".tcrd-panel").get_attribute("aria-modal") == "true"
        found = axe(page, "phone without viewport meta")
        page.screenshot(path=str(ARTIFACTS / "a11y-phone-no-viewport-meta.png"))
    finally:
        ctx.close()
    assert found == [], found
