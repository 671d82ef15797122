"""The context checks share: target, options, deadline, policy, and memoised network facts.

Checks run concurrently. Facts several checks need (the DNS resolution, which address accepts TCP, the
TLS handshake, the `/v2/` answer, the token) are computed once, by whichever check asks first, and the
others wait for that result. A fact that failed raises `Unavailable` carrying the failing finding, so
a dependent check is skipped (or, when the check owning that fact was not selected, reports it).

Connections are shared too: the context keeps the idle kept-alive connections (transport.ConnectionPool), so the TLS
check's handshake also serves `/v2/`, the token flow and the image look-ups.

The TLS/HTTP half (transport, the tls and http checks, auth: ssl, http.client and email, about 25 ms of start-up by
python -X importtime) is imported by the methods that first need it, not with this module: a diagnosis whose DNS step
fails never loads it (tests/test_startup.py).
"""

from __future__ import annotations

import _thread
from collections.abc import Callable, Iterable

from . import net
from .checks import dns as dns_check
from .checks import name as name_check
from .checks import tcp as tcp_check
from .findings import Finding, Unavailable, finding
from .ip_literal import is_ip
from .target import Target
from .value import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:  # typing only: a wire-only diagnosis never imports the cloud client or the TLS/HTTP half
    import ssl
    from typing import Any, Protocol, TypeVar

    from . import auth, transport
    from .cloud import CloudOptions

    T = TypeVar("T")

    class Policy(Protocol):
        """What the context asks of a policy (diagnostics.policy.AddressPolicy); `check_port(port)` and
        `check_url(url)` are asked for too when the policy has them. A refusal is any object whose str() (or `en`
        and `zh`) says why; None allows."""

        def check_host(self, host: str) -> object | None:
            """Why HOST (a name as given) may not be diagnosed, or None."""

        def check_address(self, ip: str) -> object | None:
            """Why an address a host resolved to may not be connected to, or None."""


def _reason(reason: object) -> dict[str, str] | str:
    """A policy's refusal as evidence: {zh, en} when it carries both languages."""
    en, zh = getattr(reason, "en", None), getattr(reason, "zh", None)
    if en and zh:
        return {"zh": str(zh), "en": str(en)}
    return str(reason)


def _url_host(url: str) -> str:
    from urllib.parse import urlsplit  # with the HTTP half (see the module's docstring)

    try:
        return urlsplit(url).netloc[-200:] or url[:200]
    except ValueError:
        return url[:200]


class DiagnoseOptions(Record):
    """How to diagnose: the deadline, which checks, credentials, resolver, CA, docker config, policy, cloud.

    `only` and `skip` name checks or groups as runner.select() reads them: a list, or one comma-separated string as
    `--only dns,tcp` gives it.

    A plain class, not a dataclass: see diagnostics.findings.Finding."""

    hidden = ("password",)  # never shown

    def __init__(
        self,
        timeout: float = 10.0,
        only: str | Iterable[str] | None = None,
        skip: str | Iterable[str] | None = None,
        username: str | None = None,
        password: str | None = None,
        push: bool = False,
        nameserver: str | None = None,
        ca_file: str | None = None,
        docker_config: str | None = None,
        policy: Policy | None = None,
        step_timeout: float | None = None,
        env: dict[str, str] | None = None,
        cloud: CloudOptions | None = None,
        edition: str | None = None,
    ) -> None:
        self.timeout = timeout
        self.only = only
        self.skip = skip
        self.username = username
        self.password = password
        self.push = push
        self.nameserver = nameserver
        self.ca_file = ca_file
        self.docker_config = docker_config
        self.policy = policy
        self.step_timeout = step_timeout
        self.env = env  # environment for proxy detection / docker config (default os.environ)
        self.cloud = cloud  # account-side checks through the TCR API (None: none run)
        self.edition = edition  # "personal" | "enterprise": the TCR edition a custom (or test) host stands for


class _Memo:
    """One fact being computed: `pending` is held until it is known (threading.Event's job, with _thread's lock: see
    diagnostics.runner on why not threading)."""

    def __init__(self) -> None:
        self.pending = _thread.allocate_lock()
        self.pending.acquire()
        self.value: Any = None
        self.error: BaseException | None = None

    def known(self) -> None:
        """The value (or the error) is set: every waiter goes on."""
        self.pending.release()

    def wait(self, timeout: float) -> bool:
        """Wait at most TIMEOUT seconds for the value; whether it is known."""
        if not self.pending.acquire(timeout=timeout):
            return False
        self.pending.release()  # the next waiter
        return True


class Context:
    """One diagnosis's shared state: the target, options, deadline, policy and the facts computed once."""

    def __init__(
        self, target: Target, options: DiagnoseOptions, deadline: net.Deadline, checks: Iterable[str] = ()
    ) -> None:
        self.target = target
        self.options = options
        self.deadline = deadline
        self.checks = frozenset(checks)  # the checks this diagnosis runs (runner.select's answer for the options)
        self.policy = options.policy
        self._memos: dict[str, _Memo] = {}
        self._lock = _thread.allocate_lock()
        self.timings: dict[str, float] = {}
        self._pool: transport.ConnectionPool | None = None

    def close(self) -> None:
        """Close the kept-alive connections (the diagnosis is over)."""
        with self._lock:
            pool = self._pool
        if pool is not None:
            pool.close()

    @property
    def pool(self) -> transport.ConnectionPool:
        """The idle kept-alive connections of this diagnosis, shared by its checks."""
        with self.deadline.stopped():  # the HTTP half, when first needed (see the module's docstring)
            from . import transport

        with self._lock:
            if self._pool is None:
                self._pool = transport.ConnectionPool()
            return self._pool

    # ------------------------------------------------------------------ memo
    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """COMPUTE's value, computed once for KEY: the first caller computes it, the others wait for it (until the
        deadline); an exception it raised is raised to every caller."""
        with self._lock:
            found = self._memos.get(key)
            owner = found is None
            m = self._memos[key] = found or _Memo()
        if owner:
            try:
                m.value = compute()
            except BaseException as exc:  # noqa: BLE001 - handed to every waiter
                m.error = exc
            finally:
                m.known()
        else:
            if not m.wait(max(0.0, self.deadline.remaining())):
                raise net.DeadlineExceeded()
        if m.error is not None:
            raise m.error
        value: T = m.value
        return value

    # ------------------------------------------------------------------ DNS
    def resolution(self) -> net.Resolution:
        """The target's DNS resolution (after the policy); NAME_INVALID, as unavailable, without a valid host."""
        t = self.target
        if t.host is None or t.error:
            err = t.error or {"rule": "target.format", "en": "no registry host", "zh": "没有仓库主机"}
            raise Unavailable(name_check.invalid_reference(t.raw, err))  # as the name check says it
        return self.memo("dns", lambda: self._resolve_target())

    def _resolve_target(self) -> net.Resolution:
        t = self.target
        assert t.host is not None
        if self.policy is not None:
            reason = self.policy.check_host(t.host) or self._check_port(t.port)
            if reason:
                return net.Resolution(host=t.host, error="refused", detail=_reason(reason))
        if t.is_ip:
            r = net.Resolution(host=t.host, addresses=[t.host], source="literal", nameserver="-")
        else:
            r = net.resolve(t.host, self.options.nameserver, self.deadline)
        return self._apply_address_policy(r)

    def _check_port(self, port: int) -> object | None:
        check = getattr(self.policy, "check_port", None) if self.policy is not None else None
        return check(port) if check else None

    def _apply_address_policy(self, r: net.Resolution) -> net.Resolution:
        """Every address must pass: a name mixing allowed and refused answers is refused as a whole (otherwise
        an address choice or a DNS rebinding could still reach the refused one)."""
        if self.policy is None or r.error or not r.addresses:
            return r
        for ip in r.addresses:
            reason = self.policy.check_address(ip)
            if reason:
                r.error, r.detail = "refused", _reason(reason)
                return r
        return r

    def addresses(self) -> list[str]:
        """The target's addresses; the dns finding, as unavailable, when there are none."""
        r = self.resolution()
        if r.error:
            raise Unavailable(dns_check.resolution_finding(r, step_timeout=self.deadline.step, target=self.target.raw))
        return list(r.addresses)

    def resolve_other(self, host: str) -> list[str]:
        """Addresses of another host (a token realm, a redirect), through the same resolver and policy."""
        host = host.lower()
        if host == self.target.host:
            return self.addresses()

        def compute() -> net.Resolution:
            if self.policy is not None:
                reason = self.policy.check_host(host)
                if reason:
                    return net.Resolution(host=host, error="refused", detail=_reason(reason))
            if is_ip(host):
                r = net.Resolution(host=host, addresses=[host], source="literal")
            else:
                r = net.resolve(host, self.options.nameserver, self.deadline)
            return self._apply_address_policy(r)

        r = self.memo(f"dns:{host}", compute)
        if r.error:
            raise Unavailable(dns_check.resolution_finding(r, step_timeout=self.deadline.step, target=self.target.raw))
        return list(r.addresses)

    # ------------------------------------------------------------------ TCP
    def tcp(self) -> tcp_check.TCPResult:
        """Which resolved address accepts a TCP connection (probed once). For an https target the TLS context starts
        loading meanwhile (transport.prewarm_tls_context)."""

        def probe() -> tcp_check.TCPResult:
            if self.target.scheme == "https":
                with self.deadline.stopped():  # the TLS half, once a name resolved (see the module's docstring)
                    from . import transport

                transport.prewarm_tls_context(self.options.ca_file)
            return tcp_check.probe(self)

        return self.memo("tcp", probe)

    def address(self) -> str:
        """The first address that accepted TCP; the tcp finding, as unavailable, when none did."""
        r = self.tcp()
        if r.address is None:
            raise Unavailable(tcp_check.result_finding(r, step_timeout=self.deadline.step))
        return r.address

    # ------------------------------------------------------------------ TLS
    def ssl_context(self) -> ssl.SSLContext:
        """The TLS context of this diagnosis (system CAs, or --ca-file), built once."""
        with self.deadline.stopped():  # the TLS half, when first needed (see the module's docstring)
            from . import transport

        return self.memo("sslctx", lambda: transport.tls_context(self.options.ca_file))

    def tls(self) -> tuple[Finding, dict[str, Any]]:
        """The TLS handshake result: (finding, cert_info). Only meaningful for https targets. The verified
        connection joins the pool (`/v2/` is asked on it)."""
        with self.deadline.stopped():  # the TLS half, when first needed (see the module's docstring)
            from .checks import tls as tls_check

        return self.memo("tls", lambda: tls_check.handshake(self))

    def require_tls(self) -> None:
        """Raise the TLS finding, as unavailable, when the handshake with an https target failed."""
        if self.target.scheme != "https":
            return
        f, _ = self.tls()
        if f.status == "fail":
            raise Unavailable(f)

    # ------------------------------------------------------------------ HTTP
    def client(
        self, host: str | None = None, port: int | None = None, scheme: str | None = None
    ) -> transport.HTTPClient:
        """A keep-alive client to the target (or another host via resolve_other); addresses pinned. It takes an idle
        connection of the pool when there is one, and `close()` gives it back."""
        with self.deadline.stopped():  # the HTTP half, when first needed (see the module's docstring)
            from . import transport

        t = self.target
        if host is None or (host.lower() == t.host and (port or t.port) == t.port):
            scheme = scheme or t.scheme
            if scheme == t.scheme:
                self.require_tls()
            ip = self.address()
            assert t.host is not None
            context = self.ssl_context() if scheme == "https" else None
            return transport.HTTPClient(scheme, t.host, t.port, ip, self.deadline, context, self.pool)
        scheme = scheme or "https"
        reason = self._check_port(port or (443 if scheme == "https" else 80))
        if reason:
            raise Unavailable(
                finding(
                    "dns", "TARGET_REFUSED", host=host, reason=_reason(reason), target=dns_check.asked(self.target.raw)
                )
            )
        ips = self.resolve_other(host)
        return transport.HTTPClient(
            scheme,
            host.lower(),
            port or (443 if scheme == "https" else 80),
            ips[0],
            self.deadline,
            self.ssl_context() if scheme == "https" else None,
            self.pool,
        )

    def fetch(
        self,
        url: str,
        headers: dict[str, str] | None = None,
        method: str = "GET",
        redirects: int = 3,
        body: bytes | None = None,
        max_body: int = 4 << 20,
    ) -> transport.Response:
        """One request to URL; redirects are followed only to hosts that pass the same resolver and policy."""
        with self.deadline.stopped():  # the HTTP half, when first needed (see the module's docstring)
            from urllib.parse import urljoin

            from . import transport

        for _ in range(redirects + 1):
            check_url = getattr(self.policy, "check_url", None) if self.policy is not None else None
            reason = check_url(url) if check_url else None
            if reason:
                refused = finding(
                    "dns",
                    "TARGET_REFUSED",
                    host=_url_host(url),
                    reason=_reason(reason),
                    target=dns_check.asked(self.target.raw),
                )
                raise Unavailable(refused)
            scheme, host, port, path = transport.split_url(url)
            c = self.client(host, port, scheme)
            try:
                resp = c.request(method, path, headers=headers, body=body, max_body=max_body)
            finally:
                c.close()
            location = resp.header("location")
            if resp.status in (301, 302, 303, 307, 308) and location and redirects:
                url = urljoin(url, location)
                if resp.status == 303:
                    method, body = "GET", None
                continue
            return resp
        return resp

    def v2(self) -> tuple[transport.Response | None, Finding]:
        """The answer to GET /v2/ on the target: (Response | None, error finding | None)."""
        with self.deadline.stopped():  # the HTTP half, when first needed (see the module's docstring)
            from .checks import http as http_check

        return self.memo("v2", lambda: http_check.probe_v2(self))

    def require_v2(self) -> transport.Response:
        """The /v2/ answer; the http finding, as unavailable, when there is none worth reading."""
        resp, f = self.v2()
        if f.status == "fail":
            raise Unavailable(f)
        assert resp is not None  # the http check answers without a response only with a failure
        return resp

    # ------------------------------------------------------------------ auth
    def auth(self) -> auth.AuthResult:
        """The token flow's result (diagnostics.auth.authenticate), computed once."""
        with self.deadline.stopped():  # the token flow, when first needed (see the module's docstring)
            from . import auth

        return self.memo("auth", lambda: auth.authenticate(self))
