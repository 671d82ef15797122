"""The console's sign-in takes only a path of the console as where to go next: a crafted `next` (a line break, a
path that climbs out of /console, a backslash) is a redirect to /console, never a 500 or another place."""

from __future__ import annotations

import re

import pytest

from bot.web import create_app

TOKEN = "console-tok-123456"


@pytest.mark.parametrize(
    "given,location",
    [
        ("/console\r\nX-Evil: 1", "/console"),
        ("/console\n", "/console"),
        ("/console/..//evil.example", "/console"),
        ("/console/../api/ask", "/console"),
        ("/console\\evil.example", "/console"),
        ("/console" + "a" * 3000, "/console"),
        ("https://evil.example/console", "/console"),
        ("/console/questions?from=2026-12-01", "/console/questions?from=2026-12-01"),
    ],
)
def test_sign_in_goes_next_only_to_a_console_path(tmp_path, given, location):
    app = create_app({"DB": str(tmp_path / "c.sqlite3"), "SLACK": "off", "CONSOLE_TOKEN": TOKEN})
    client = app.test_client()
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/console/login").get_data(as_text=True)).group(1)
    response = client.post("/console/login", data={"csrf": csrf, "name": "lead", "token": TOKEN, "next": given})
    assert response.status_code == 303
    assert response.headers["Location"] == location
    assert "X-Evil" not in response.headers
