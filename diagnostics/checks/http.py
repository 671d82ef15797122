"""HTTP `/v2/`: is this a registry (200/401 + Docker-Distribution-Api-Version), or 403/429/5xx/something else."""

from __future__ import annotations

import http.client
import os
import ssl
from typing import Any
from urllib.parse import urlsplit

from .. import net
from ..findings import Unavailable, finding

NAME = "http"
DEPENDS = ("tls",)
ORDER = 60

PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


def run(ctx) -> list:
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


def clock_skew_finding(resp, now: float | None = None):
    """CLOCK_SKEW when the registry's Date header and this machine's clock differ by more than 5 minutes."""
    import email.utils
    import time

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


def proxy_finding(ctx):
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
    if _no_proxy_matches(t.host, no_proxy):
        return None
    proxies = []
    for v in in_effect:
        u = urlsplit(env[v] if "://" in env[v] else "http://" + env[v])
        proxies.append(f"{v}={u.hostname}:{u.port}" if u.port else f"{v}={u.hostname}")  # never the user:password part
    f = finding(NAME, "PROXY_IN_EFFECT", variables=in_effect, proxies=proxies, host=t.host)
    f.evidence["_url"] = env[in_effect[0]]  # taken out again by through_proxy: it may hold credentials
    return f


def through_proxy(ctx, in_effect):
    """Test the path the client takes: through the proxy (CONNECT for https, an absolute URL for http) to the
    registry's /v2/. PROXY_OK or PROXY_ERROR; PROXY_IN_EFFECT when the proxy's kind cannot be tested here."""
    import base64
    from urllib.parse import unquote

    ev = dict(in_effect.evidence)
    raw = ev.pop("_url")
    in_effect.evidence.pop("_url", None)
    t = ctx.target
    u = urlsplit(raw if "://" in raw else "http://" + raw)
    try:
        port = u.port or 80
    except ValueError:
        port = None
    if u.scheme != "http" or not u.hostname or port is None:
        return in_effect  # https:// or socks proxies: reported, not tested
    proxy = f"{u.hostname}:{port}"
    base: dict[str, Any] = {"proxy": proxy, "variable": ev["variables"][0], "host": t.hostport}

    def error(stage, text):
        return finding(NAME, "PROXY_ERROR", stage=stage, error=text, **base)

    try:
        ips = [u.hostname] if _is_ip(u.hostname) else ctx.resolve_other(u.hostname)
    except Unavailable as exc:
        return error("dns", exc.finding.code)
    headers = {}
    if u.username is not None:
        token = base64.b64encode(f"{unquote(u.username)}:{unquote(u.password or '')}".encode()).decode()
        headers["Proxy-Authorization"] = f"Basic {token}"
    timeout = ctx.deadline.timeout()
    try:
        if t.scheme == "https":
            conn = http.client.HTTPSConnection(ips[0], port, timeout=timeout, context=ctx.ssl_context())
            conn.set_tunnel(t.host, t.port, headers=headers)
            path, req_headers = "/v2/", {}
        else:
            conn = http.client.HTTPConnection(ips[0], port, timeout=timeout)
            path, req_headers = f"http://{t.hostport}/v2/", headers
        try:
            conn.request("GET", path, headers={**req_headers, "Host": t.hostport, "Connection": "close"})
            resp = conn.getresponse()
            status = resp.status
            resp.read(64 << 10)
        finally:
            conn.close()
    except ConnectionRefusedError:
        return error("connect", "connection refused")
    except (TimeoutError, net.DeadlineExceeded):
        return error("connect", "timed out")
    except ssl.SSLError as exc:
        return error("tls", exc.reason or str(exc))
    except (OSError, http.client.HTTPException) as exc:
        text = str(exc) or type(exc).__name__
        stage = "tunnel" if "Tunnel connection failed" in text else "http"
        return error(stage, text[:200])
    if t.scheme == "http" and status in (407, 502, 503, 504) and not resp.getheader("docker-distribution-api-version"):
        return error("http", f"the proxy answered HTTP {status}")
    return finding(NAME, "PROXY_OK", status=status, **base)


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def _speaks_tls(ctx, ip) -> bool:
    t = ctx.target
    try:
        sock = net.tcp_connect(ip, t.port, ctx.deadline.timeout())
        with net.tls_context(None, verify=False).wrap_socket(sock, server_hostname=t.host if not t.is_ip else None):
            return True
    except Exception:  # noqa: BLE001
        return False


def classify(resp: net.Response, url: str):
    api = resp.header("docker-distribution-api-version")
    challenge = resp.header("www-authenticate") or ""
    ev = {"url": url, "status": resp.status, "api_version": api or "-"}
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


def probe_v2(ctx):
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
