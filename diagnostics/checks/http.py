"""HTTP `/v2/`: is this a registry (200/401 + Docker-Distribution-Api-Version), or 403/429/5xx/something else."""

from __future__ import annotations

import base64
import email.utils
import http.client
import os
import ssl
import time
from urllib.parse import SplitResult, unquote, urlsplit

from .. import net, transport
from ..findings import TIMED_OUT, Finding, Said, Unavailable, finding
from ..target import is_ip

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:  # the context is handed in; importing it would tie the checks to it
    from typing import Any

    from ..context import Context

NAME = "http"
DEPENDS = ("tls",)
ORDER = 60

PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")

# Where a request through a proxy failed (PROXY_ERROR's stage), as a Chinese text says it.
STAGES = {
    "dns": Said("dns", "解析代理域名"),
    "connect": Said("connect", "连接代理"),
    "tls": Said("tls", "与代理的 TLS 握手"),
    "tunnel": Said("tunnel", "经代理建立隧道（CONNECT）"),
    "http": Said("http", "经代理的 HTTP 请求"),
}


def run(ctx: Context) -> list[Finding]:
    """The /v2/ finding, plain HTTP, clock skew, and the proxy in effect tested."""
    t = ctx.target
    resp, f = ctx.v2()
    out = [f]
    if t.scheme == "http" and f.code == "HTTP_OK":
        out.append(finding(NAME, "HTTP_PLAIN", hostport=t.hostport))
    if resp is not None:
        skew = clock_skew_finding(resp)
        if skew is not None:
            out.append(skew)
    p = proxy_finding(ctx)
    if p is not None:
        out.append(through_proxy(ctx, p))
    return out


SKEW_WARN_SECONDS = 300


def clock_skew_finding(resp: transport.Response, now: float | None = None) -> Finding | None:
    """CLOCK_SKEW when the registry's Date header and this machine's clock differ by more than 5 minutes."""
    date = resp.header("date")
    if not date:
        return None
    try:
        server = email.utils.parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    now = time.time() if now is None else now
    skew = now - server
    if abs(skew) <= SKEW_WARN_SECONDS:
        return None
    s = int(abs(skew))
    text = (
        f"{s // 86400}d{s % 86400 // 3600}h"
        if s >= 86400
        else f"{s // 3600}h{s % 3600 // 60}m"
        if s >= 3600
        else f"{s // 60}m{s % 60}s"
    )
    ahead = {"en": "ahead", "zh": "快"} if skew > 0 else {"en": "behind", "zh": "慢"}
    return finding(
        NAME,
        "CLOCK_SKEW",
        skew={"en": f"{text} ({ahead['en']})", "zh": f"{text}（本机{ahead['zh']}）"},
        seconds=round(skew),
        server_date=date,
        local_date=time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now)),
    )


def _no_proxy_matches(host: str, no_proxy: str) -> bool:
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        entry = entry.lstrip("*")
        if host == entry.lstrip(".") or host.endswith(entry if entry.startswith(".") else "." + entry):
            return True
    return False


def proxy_finding(ctx: Context) -> Finding | None:
    """PROXY_IN_EFFECT when an HTTP(S)_PROXY/ALL_PROXY variable applies to the target (NO_PROXY honoured)."""
    env = ctx.options.env if ctx.options.env is not None else os.environ
    t = ctx.target
    wanted = (
        ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
        if t.scheme == "https"
        else ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
    )
    in_effect = [v for v in wanted if env.get(v)]
    if not in_effect:
        return None
    no_proxy = env.get("NO_PROXY") or env.get("no_proxy") or ""
    if _no_proxy_matches(t.host or "", no_proxy):
        return None
    proxies = []
    for v in in_effect:
        u = urlsplit(env[v] if "://" in env[v] else "http://" + env[v])
        proxies.append(f"{v}={u.hostname}:{u.port}" if u.port else f"{v}={u.hostname}")  # never the user:password part
    f = finding(NAME, "PROXY_IN_EFFECT", variables=in_effect, proxies=proxies, host=t.host)
    f.evidence["_url"] = env[in_effect[0]]  # taken out again by through_proxy: it may hold credentials
    return f


def through_proxy(ctx: Context, in_effect: Finding) -> Finding:
    """Test the path the client takes: through the proxy (CONNECT for https, an absolute URL for http) to the
    registry's /v2/. PROXY_OK or PROXY_ERROR; PROXY_IN_EFFECT when the proxy's kind cannot be tested here."""
    ev = dict(in_effect.evidence)
    raw = ev.pop("_url")
    in_effect.evidence.pop("_url", None)
    t = ctx.target
    u = urlsplit(raw if "://" in raw else "http://" + raw)
    port = _port_of(u)
    if u.scheme != "http" or not u.hostname or port is None:
        return in_effect  # https:// or socks proxies: reported, not tested
    base: dict[str, Any] = {"proxy": f"{u.hostname}:{port}", "variable": ev["variables"][0], "host": t.hostport}
    try:
        ips = [u.hostname] if is_ip(u.hostname) else ctx.resolve_other(u.hostname)
    except Unavailable as exc:
        return finding(NAME, "PROXY_ERROR", stage=STAGES["dns"], error=exc.finding.code, **base)
    try:
        status, api_version = _get_v2_through(ctx, ips[0], port, _proxy_authorization(u))
    except (OSError, http.client.HTTPException, net.DeadlineExceeded) as exc:
        stage, text = _proxy_failure(exc)
        return finding(NAME, "PROXY_ERROR", stage=stage, error=text, **base)
    if t.scheme == "http" and status in (407, 502, 503, 504) and not api_version:
        error = Said(f"the proxy answered HTTP {status}", f"代理返回了 HTTP {status}")
        return finding(NAME, "PROXY_ERROR", stage=STAGES["http"], error=error, **base)
    return finding(NAME, "PROXY_OK", status=status, **base)


def _port_of(u: SplitResult) -> int | None:
    """The proxy URL's port (80 when none is written), None when it is not a port."""
    try:
        return u.port or 80
    except ValueError:
        return None


def _proxy_authorization(u: SplitResult) -> dict[str, str]:
    """The Proxy-Authorization header for the user:password of a proxy URL (none without one)."""
    if u.username is None:
        return {}
    token = base64.b64encode(f"{unquote(u.username)}:{unquote(u.password or '')}".encode()).decode()
    return {"Proxy-Authorization": f"Basic {token}"}


def _get_v2_through(ctx: Context, proxy_ip: str, port: int, headers: dict[str, str]) -> tuple[int, str | None]:
    """(status, Docker-Distribution-Api-Version) of GET /v2/ on the target through the proxy at PROXY_IP:PORT."""
    t = ctx.target
    timeout = ctx.deadline.timeout()
    conn: http.client.HTTPConnection
    if t.scheme == "https":
        conn = http.client.HTTPSConnection(proxy_ip, port, timeout=timeout, context=ctx.ssl_context())
        conn.set_tunnel(t.host or "", t.port, headers=headers)
        path, req_headers = "/v2/", {}
    else:
        conn = http.client.HTTPConnection(proxy_ip, port, timeout=timeout)
        path, req_headers = f"http://{t.hostport}/v2/", headers
    try:
        conn.request("GET", path, headers={**req_headers, "Host": t.hostport, "Connection": "close"})
        resp = conn.getresponse()
        resp.read(64 << 10)
        return resp.status, resp.getheader("docker-distribution-api-version")
    finally:
        conn.close()


def _proxy_failure(exc: Exception) -> tuple[str, str]:
    """(stage, error) of a request through a proxy that failed: connect, tls, tunnel (CONNECT refused) or http."""
    if isinstance(exc, ConnectionRefusedError):
        return STAGES["connect"], Said("connection refused", "连接被拒绝")
    if isinstance(exc, (TimeoutError, net.DeadlineExceeded)):
        return STAGES["connect"], TIMED_OUT
    if isinstance(exc, ssl.SSLError):
        return STAGES["tls"], exc.reason or str(exc)
    text = str(exc) or type(exc).__name__
    return STAGES["tunnel" if "Tunnel connection failed" in text else "http"], text[:200]


def _speaks_tls(ctx: Context, ip: str) -> bool:
    t = ctx.target
    try:
        sock = net.tcp_connect(ip, t.port, ctx.deadline.timeout())
        with transport.tls_context(None, verify=False).wrap_socket(
            sock, server_hostname=t.host if not t.is_ip else None
        ):
            return True
    except Exception:  # noqa: BLE001
        return False


def classify(resp: transport.Response, url: str) -> Finding:
    """What a /v2/ answer says: a registry (HTTP_OK), forbidden, rate-limited, a server error, or not a registry."""
    api = resp.header("docker-distribution-api-version")
    challenge = resp.header("www-authenticate") or ""
    ev: dict[str, Any] = {"url": url, "status": resp.status, "api_version": api or "-"}
    if resp.status in (200, 401) and (api or "realm=" in challenge.lower() or challenge.lower().startswith("basic")):
        if resp.status == 401:
            ev["challenge"] = challenge
        return finding(NAME, "HTTP_OK", **ev)
    if resp.status == 403:
        return finding(NAME, "HTTP_FORBIDDEN", body=resp.body[:200].decode("utf-8", "replace"), **ev)
    if resp.status == 429:
        return finding(NAME, "RATE_LIMITED", retry_after=resp.header("retry-after") or "-", **ev)
    if resp.status >= 500:
        return finding(NAME, "SERVER_ERROR", **ev)
    if resp.status in (301, 302, 303, 307, 308):
        ev["location"] = resp.header("location")
    ev["content_type"] = resp.header("content-type") or "-"
    return finding(NAME, "NOT_A_REGISTRY", **ev)


def probe_v2(ctx: Context) -> tuple[transport.Response | None, Finding]:
    """GET /v2/ on the target: (Response | None, finding)."""
    t = ctx.target
    url = f"{t.base_url}/v2/"
    client = ctx.client()  # raises Unavailable when DNS, TCP or TLS failed
    try:
        resp = client.request("GET", "/v2/", max_body=64 << 10)
    except (TimeoutError, net.DeadlineExceeded):
        return None, finding(NAME, "HTTP_TIMEOUT", url=url, timeout=round(ctx.deadline.step, 1))
    except (http.client.BadStatusLine, http.client.RemoteDisconnected, ConnectionResetError) as exc:
        if t.scheme == "http" and _speaks_tls(ctx, client.ip):
            return None, finding(NAME, "HTTPS_REQUIRED", url=url, hostport=t.hostport)
        return None, finding(NAME, "HTTP_ERROR", url=url, error=type(exc).__name__ + (f": {exc}" if str(exc) else ""))
    except ssl.SSLError as exc:
        return None, finding(NAME, "HTTP_ERROR", url=url, error=exc.reason or str(exc))
    except (OSError, http.client.HTTPException) as exc:
        return None, finding(NAME, "HTTP_ERROR", url=url, error=str(exc) or type(exc).__name__)
    finally:
        client.close()
    if t.scheme == "http" and resp.status == 400 and b"HTTPS server" in resp.body:
        return resp, finding(NAME, "HTTPS_REQUIRED", url=url, hostport=t.hostport)
    return resp, classify(resp, url)


__all__ = ["run", "probe_v2", "classify", "Unavailable"]
