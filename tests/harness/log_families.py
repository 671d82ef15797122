"""What the log-family tests build pasted lines from: generated host, path, address and port names that are never
themselves an error word, and the reader's cause (first, or with its alternatives)."""

from __future__ import annotations

import re

from hypothesis import strategies as st

from knowledge.logs import explain

# A name that is itself an error word ("denied", "quota", "timeout") or a tool's name is a different question (which word is the
# name) than the families ask, so such names are never drawn.
ERROR_WORDS = re.compile(
    r"denied|forbidden|unauthori|quota|limit|exceed|timeout|timed|refused|reset|eof|expired|unknown|invalid|found|"
    r"error|fail|proxy|repositor|project|namespace|manifest|tag|image|host|sock|daemon|token|cred|auth|login|pull|push|permission|"
    # ... nor a tool's name: a host `a.podman.com` names the engine ("podman" reads as its API on a /v1/_ping path)
    r"docker|podman|containerd|nerdctl|kube|"
    # ... nor a word of the DNS/TLS families: a project named `nxdomain` reads as a resolver's status line
    r"nxdomain|servfail|x509"
)
LABELS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12).filter(
    lambda s: s[0].isalpha() and not ERROR_WORDS.search(s)
)
HOSTS = st.builds(lambda a, b: f"{a}.{b}.com", LABELS, LABELS)
PATHS = st.builds(lambda ns, repo: f"{ns}/{repo}", LABELS, LABELS)
IPV4 = st.builds(lambda *o: ".".join(map(str, o)), *[st.integers(1, 254)] * 4)
PORTS = st.integers(1024, 65535)


def cause(text: str) -> str | None:
    """The cause the log reader names first, or None."""
    r = explain(text)
    return r and r["cause"]


def causes(text: str) -> list[str]:
    """The cause the log reader names first, then its alternatives (empty when it names none)."""
    r = explain(text)
    return [r["cause"], *r["also"]] if r else []
