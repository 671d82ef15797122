"""A loopback reverse proxy in front of a real registry that adds `n`/`last` pagination to tags/list.

distribution 2.8.2 ignores `n` on GET /v2/<name>/tags/list (it returns every tag, unsorted); TCR (Harbor) and
distribution 3 paginate with `n`/`last` and a `Link: <...>; rel="next"` header. This proxy forwards every request
unchanged (Authorization, WWW-Authenticate, Docker-Content-Digest, ... all pass through, so the token flow is
the real registry's) and only rewrites tags/list: sorted lexically, `last` excludes tags <= last, `n` limits the
page (no `n` -> `default_page_size`, None = all), `Link` points at the next page.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, quote, urlsplit

import requests

from ._net import LOOPBACK, QuietHandler, ServerThread, ThreadingHTTPServer, assert_loopback

_TAGS = re.compile(r"^/v2/(?P<name>.+)/tags/list$")
_BLOB = re.compile(r"^/v2/(?P<name>.+)/blobs/(?P<digest>sha256:[0-9a-f]{64})$")
_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-authorization",
    "proxy-authenticate",
    "content-length",
    "host",
    "date",
    "server",
}


class TagPaginationProxy:
    def __init__(
        self, upstream, *, default_page_size: int | None = None, host: str = LOOPBACK, blob_redirect: str | None = None
    ):
        """UPSTREAM: a harness Registry (plain HTTP or HTTPS; its ca_file is used for verification).
        BLOB_REDIRECT: a base URL; blob GETs are answered `307 Location: <base>/v2/<name>/blobs/<digest>` the way a
        registry whose layers live in object storage (TCR: COS) answers them."""
        assert_loopback(host)
        self.blob_redirect = blob_redirect
        self.upstream = upstream
        self.default_page_size = default_page_size
        self.bind_host = host
        self.port: int | None = None
        self._thread: ServerThread | None = None
        self.scheme = "http"

    # Same read-only attributes as a Registry so tests can use either.
    @property
    def host(self):
        return f"{self.bind_host}:{self.port}"

    @property
    def url(self):
        return f"http://{self.host}"

    @property
    def verify(self):
        return True

    @property
    def seed(self):
        return self.upstream.seed

    @property
    def token_server(self):
        return self.upstream.token_server

    @property
    def auth(self):
        return self.upstream.auth

    def start(self):
        proxy = self
        session = requests.Session()
        session.trust_env = False

        class Handler(QuietHandler):
            def _forward(self):
                blob = _BLOB.match(urlsplit(self.path).path)
                if blob and proxy.blob_redirect and self.command in ("GET", "HEAD"):
                    location = f"{proxy.blob_redirect}/v2/{blob.group('name')}/blobs/{blob.group('digest')}"
                    return self.send_body(307, b"", "text/plain", {"Location": location})
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                up = proxy.upstream
                try:
                    r = session.request(
                        self.command,
                        up.url + self.path,
                        headers=headers,
                        data=body,
                        allow_redirects=False,
                        timeout=10,
                        verify=up.verify,
                        stream=False,
                    )
                except requests.RequestException as exc:
                    return self.send_body(502, f"upstream error: {exc.__class__.__name__}\n")
                content = r.content
                out_headers = {k: v for k, v in r.headers.items() if k.lower() not in _HOP | {"content-type"}}
                if "Location" in out_headers and out_headers["Location"].startswith(up.url):
                    out_headers["Location"] = proxy.url + out_headers["Location"][len(up.url) :]
                u = urlsplit(self.path)
                m = _TAGS.match(u.path)
                if m and self.command in ("GET", "HEAD") and r.status_code == 200:
                    content, link = proxy._paginate(m.group("name"), content, parse_qs(u.query))
                    out_headers.pop("Link", None)
                    if link:
                        out_headers["Link"] = link
                if self.command == "HEAD":  # keep the upstream Content-Length (the manifest size), no body
                    self.send_response(r.status_code)
                    for k, v in r.headers.items():
                        if k.lower() not in _HOP - {"content-length"}:
                            self.send_header(k, v)
                    self.end_headers()
                    return
                self.send_body(
                    r.status_code, content, r.headers.get("Content-Type", "application/octet-stream"), out_headers
                )

            do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = _forward

        server = ThreadingHTTPServer((self.bind_host, 0), Handler)
        self.port = server.server_address[1]
        self._thread = ServerThread(server, "tag-pagination-proxy").start()
        return self

    def _paginate(self, name: str, content: bytes, query: dict) -> tuple[bytes, str | None]:
        doc = json.loads(content)
        tags = sorted(doc.get("tags") or [])
        last = (query.get("last") or [None])[0]
        if last:
            tags = [t for t in tags if t > last]
        n = (query.get("n") or [None])[0]
        size = int(n) if n and n.isdigit() else self.default_page_size
        link = None
        if size is not None and len(tags) > size:
            tags = tags[:size]
            link = f'</v2/{name}/tags/list?n={size}&last={quote(tags[-1])}>; rel="next"'
        doc["tags"] = tags
        return json.dumps(doc).encode(), link

    def stop(self):
        if self._thread:
            self._thread.stop()
            self._thread = None
