"""The console as a support lead uses it, in Debian's headless Chromium through Playwright: sign in with the
keyboard, charts drawn with data, a teach-and-undo round trip. Screenshots go to artifacts/console-*.png."""

from __future__ import annotations

import pytest
import requests

from tests.test_console import SCAN_ZH, TOKEN, charts_fixture, missed_fixture
from tests.test_widget_browser import ARTIFACTS

pytestmark = pytest.mark.browser


def _start_service(tmp_path_factory, live_server):
    from bot.web import create_app

    db = tmp_path_factory.mktemp("console") / "console.sqlite3"
    app = create_app(
        {"DB": str(db), "SLACK": "off", "CONSOLE_TOKEN": TOKEN, "OVERLAY_CHECK_INTERVAL": 0, "RATE_LIMIT_ASK": "0"}
    )
    charts_fixture(app)
    missed_fixture(app)
    return live_server(app)


@pytest.fixture(scope="module")
def service(tmp_path_factory, live_server):
    """The charts and missed-questions fixtures' console, shared by the tests that only read it."""
    server = _start_service(tmp_path_factory, live_server)
    yield server
    server.stop()


@pytest.fixture
def own_service(tmp_path_factory, live_server):
    """The same console for one test that writes to it (asks, teaches): the shared one's counts stay the fixtures'
    whatever order the tests run in."""
    server = _start_service(tmp_path_factory, live_server)
    yield server
    server.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.console_errors = []
    # script errors and CSP violations (a 404 favicon or the wrong-token 401 are not)
    pg.on(
        "console",
        lambda m: (
            m.type == "error" and not m.text.startswith("Failed to load resource") and pg.console_errors.append(m.text)
        ),
    )
    yield pg
    context.close()


def sign_in_by_keyboard(page, service, name="Lin Lead"):
    page.goto(service.url + "/console")
    assert "/console/login" in page.url
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the language switch
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "name"
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(TOKEN)
    page.keyboard.press("Enter")
    page.wait_for_url(service.url + "/console")


def ask(service, q):
    return requests.post(service.url + "/api/ask", json={"q": q}, timeout=10).json()


def test_sign_in_and_see_charts_with_data(page, service):
    page.goto(service.url + "/console/login")
    page.fill("#name", "Lin")
    page.fill("#token", "wrong")
    page.click("button[type=submit]")
    assert page.locator("#login-error").is_visible()
    page.screenshot(path=str(ARTIFACTS / "console-login-error.png"))
    sign_in_by_keyboard(page, service)
    for chart in ("per_day", "outcomes", "top_entries", "log_causes", "findings"):
        canvas = page.locator(f"#chart-{chart}")
        canvas.wait_for()
        assert int(canvas.get_attribute("data-rendered")) > 0, chart
    # the canvases hold drawn pixels, and Chart.js has the data the store returned
    drawn = page.evaluate("""() => {
        const c = document.getElementById('chart-per_day');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
    }""")
    assert drawn > 1000
    top = page.evaluate("window.tcrConsoleCharts.top_entries.data.datasets[0].data")
    assert top[0] == 3  # entry 10: twice in the charts fixture, once in the missed one
    assert page.locator("#total strong").inner_text() == "15"
    labels = page.evaluate("window.tcrConsoleCharts.outcomes.data.datasets.map(d => d.label)")
    assert labels == ["Answered %", "Refused %", "Small talk %", "Thumbs-down %"]
    page.screenshot(path=str(ARTIFACTS / "console-overview.png"), full_page=True)
    # the filter form works from the keyboard: channel = slack
    page.select_option("#f-channel", "slack")
    page.locator("#f-channel").focus()
    page.keyboard.press("Tab")  # to Apply
    assert page.evaluate("document.activeElement.textContent") == "Apply"
    page.keyboard.press("Enter")
    page.wait_for_url("**channel=slack**")
    assert page.locator("#total strong").inner_text() == "3"
    page.goto(service.url + "/console?lang=zh")
    assert page.locator("h1").inner_text() == "概览"
    page.screenshot(path=str(ARTIFACTS / "console-overview-zh.png"), full_page=True)
    assert page.console_errors == []  # no CSP violation, no script error


def test_teach_and_undo_round_trip(page, own_service):
    service = own_service
    assert ask(service, SCAN_ZH[0])["status"] == "no_answer"
    sign_in_by_keyboard(page, service, "Lin Lead")
    page.goto(service.url + "/console/questions")
    group = page.locator("article.tcrc-group").first
    assert SCAN_ZH[1] in group.inner_text()
    page.screenshot(path=str(ARTIFACTS / "console-questions.png"), full_page=True)
    group.locator("select[name=entry]").select_option("image-acceleration")
    button = group.locator("button[type=submit]")
    button.focus()
    page.keyboard.press("Enter")  # "Check and preview" by keyboard
    page.wait_for_selector("#eval-table", timeout=30000)
    assert "Top-1" in page.locator("#eval-table").inner_text()
    page.screenshot(path=str(ARTIFACTS / "console-preview.png"), full_page=True)
    page.locator("#accept").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#flash")
    assert "Accepted" in page.locator("#flash").inner_text()
    assert "Lin Lead (token)" in page.locator("#audit-table").inner_text()
    page.screenshot(path=str(ARTIFACTS / "console-audit.png"), full_page=True)
    res = ask(service, "镜像安全扫描在哪里开启啊")
    assert res["matched"] and res["answer"]["id"] == "image-acceleration"
    page.locator("#audit-table button", has_text="Undo").first.click()
    page.wait_for_selector("#flash")
    assert "Undone" in page.locator("#flash").inner_text()
    assert ask(service, "镜像安全扫描在哪里开启啊")["status"] == "no_answer"
    page.screenshot(path=str(ARTIFACTS / "console-audit-undone.png"), full_page=True)
    assert page.console_errors == []


def test_every_bar_of_a_long_chart_is_labelled(browser, tmp_path, live_server):
    """Real pastes give 20-30 distinct log causes: in a fixed 260 px box Chart.js dropped every other label, so a
    lead could not tell which bar was which. The box grows with the bars and no label is skipped."""
    import tomllib
    from pathlib import Path

    from bot.web import create_app
    from tests.test_console import day_ts, seed

    codes = list(tomllib.loads((Path(__file__).parents[1] / "diagnostics/codes.toml").read_text()))[:30]
    app = create_app({"DB": str(tmp_path / "c.sqlite3"), "SLACK": "off", "CONSOLE_TOKEN": TOKEN})
    rows = [(day_ts(1), "web", f"pasted log {i}", "no_answer", None, code) for i, code in enumerate(codes)]
    seed(app, rows, findings=[(day_ts(1), code, "fail") for code in codes], prefix="l")
    server = live_server(app)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        sign_in_by_keyboard(page, server)
        for chart in ("log_causes", "findings"):
            page.locator(f"#chart-{chart}").wait_for()
            bars = page.evaluate(f"window.tcrConsoleCharts.{chart}.data.labels.length")
            shown = page.evaluate(f"window.tcrConsoleCharts.{chart}.scales.y.ticks.length")
            assert bars >= 15 and shown == bars, chart
        page.screenshot(path=str(ARTIFACTS / "console-many-causes.png"), full_page=True)
    finally:
        context.close()
        server.stop()


def test_the_console_fits_a_phone_screen(browser, service):
    """At 390 px the overview's charts (a grid of 420 px minimum columns) and the teach form (a fieldset sized to
    its longest entry title) ran past the screen's right edge: a lead on a phone had to scroll sideways."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        sign_in_by_keyboard(page, service)
        for path in ("/console?lang=zh", "/console/questions?lang=zh", "/console?lang=en", "/console/questions"):
            page.goto(service.url + path)
            page.wait_for_load_state("networkidle")
            past = page.evaluate("""() => { const W = document.documentElement.clientWidth, out = [];
                document.querySelectorAll('main *').forEach(e => { const r = e.getBoundingClientRect();
                  if (r.width > 0 && r.right > W + 1 && !e.closest('.tcrc-scroll')) out.push(e.tagName + '.' + e.className + ' ' + Math.round(r.right)); });
                return out.slice(0, 5); }""")
            assert past == [], (path, past)
        page.screenshot(path=str(ARTIFACTS / "console-questions-phone.png"))
    finally:
        context.close()
