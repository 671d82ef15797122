"""The helpers that hand HTML or JSON to the autoescaping templates say so by their type: Markup is inserted as is,
every plain str is escaped. A helper returning str would be escaped twice (visible tags), and a caller wrapping an
unsanitised str in Markup would let HTML from a question into the page."""

from __future__ import annotations

import json

from markupsafe import Markup

from bot.api import markdown_html, render_findings, render_log, sanitized
from bot.console import dumps
from bot.render import environment


def test_markdown_html_is_sanitised_markup():
    html = markdown_html("Run `docker login` **first**.\n\n<img src=x onerror=alert(1)>")
    assert isinstance(html, Markup)
    assert "<code>docker login</code>" in html and "<strong>first</strong>" in html
    assert "<img" not in html and "&lt;img" in html  # raw HTML in markdown stays text
    template = environment("web").from_string("{% autoescape true %}<div>{{ x }}</div>{% endautoescape %}")
    assert template.render(x=html) == f"<div>{html}</div>"  # inserted as is, not escaped a second time
    assert "&lt;b&gt;" in template.render(x="<b>plain text</b>")  # a str is escaped


def test_sanitized_drops_scripts_and_marks_the_rest_safe():
    html = sanitized('<p onclick="x()">ok<script>alert(1)</script></p>')
    assert isinstance(html, Markup) and html == "<p>ok</p>"


def test_findings_insert_the_fix_as_html_and_escape_the_summary():
    finding = {
        "check": "dns",
        "code": "DNS_NXDOMAIN",
        "status": "fail",
        "summary": {"en": "<img src=x onerror=alert(1)> does not resolve", "zh": "x"},
        "fix": {"en": "Check the **instance name**.", "zh": "x"},
        "evidence": {},
    }
    html = render_findings({"target": "a.example", "findings": [finding]}, "en")
    assert "<strong>instance name</strong>" in html and "&lt;strong&gt;" not in html
    assert "<img" not in html and "&lt;img src=x" in html


def test_a_log_card_inserts_fix_and_note_once():
    import knowledge

    log = knowledge.explain_log(
        "Error response from daemon: login attempt failed: unauthorized: authentication required"
    )
    assert log is not None
    html = render_log(dict(log, fix={"en": "Use `--password-stdin`."}, note="a *note*"), "en")
    assert "<code>--password-stdin</code>" in html and "<em>note</em>" in html and "&lt;code&gt;" not in html


def test_console_json_is_markup_that_cannot_close_its_script_block():
    value = {"text": "</script><script>alert(1)</script>", "zh": "未回答"}
    data = dumps(value)
    assert isinstance(data, Markup)
    assert "</script>" not in data and json.loads(str(data)) == value
