"""TLS: handshake with SNI = host name against the pinned address; unknown CA, name mismatch, expiry."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl

from .. import net, transport
from ..findings import Finding, finding

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:  # the context is handed in; importing it would tie the checks to it
    from typing import Any

    from ..context import Context

NAME = "tls"
DEPENDS = ("tcp",)
ORDER = 50

UNTRUSTED_CODES = {2, 18, 19, 20, 21, 27}
HOSTNAME_CODES = {62, 64}
EXPIRING_DAYS = 14


def run(ctx: Context) -> list[Finding]:
    """TLS_OK or why the handshake failed; SKIPPED for a plain-HTTP target."""
    t = ctx.target
    if t.scheme != "https":
        return [
            finding(
                NAME,
                "SKIPPED",
                reason={"en": f"plain HTTP requested ({t.base_url})", "zh": f"指定了明文 HTTP（{t.base_url}）"},
            )
        ]
    f, info = ctx.tls()
    out = [f]
    if f.code == "TLS_OK" and info.get("not_after"):
        left = dt.datetime.fromisoformat(info["not_after"]) - dt.datetime.now(dt.UTC)  # "...Z": UTC
        if left < dt.timedelta(days=EXPIRING_DAYS):
            out.append(
                finding(
                    NAME,
                    "TLS_EXPIRING",
                    not_after=info["not_after"],
                    days=max(0, left.days),
                    subject=info.get("subject"),
                )
            )
    return out


def _iso(d: dt.datetime | None) -> str | None:
    if d is None:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.UTC)
    return d.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _cert_time(text: str) -> dt.datetime:
    """A time as `getpeercert()` writes it ("Jun  1 12:00:00 2030 GMT"), in UTC: what ssl.cert_time_to_seconds reads,
    without its strptime, whose first use builds _strptime's locale tables (~15 M instructions, valgrind: 4-5 ms of a
    diagnosis). ValueError when it is not such a time."""
    month, day, clock, year, zone = text.split()
    if zone != "GMT" or month.title() not in _MONTHS:
        raise ValueError(f"not a certificate time: {text!r}")
    hour, minute, second = clock.split(":")
    month_number = _MONTHS.index(month.title()) + 1
    return dt.datetime(int(year), month_number, int(day), int(hour), int(minute), int(second), tzinfo=dt.UTC)


def verified_cert_info(cert: dict[str, Any] | None) -> dict[str, Any]:
    """`cert_info` of a certificate the handshake verified, from ssl's own decoding (`getpeercert()`): the healthy
    path never imports cryptography (45+ ms, python -X importtime)."""
    if not cert:
        return {}

    def name(rdns: tuple[Any, ...]) -> str:
        pairs = [pair for rdn in rdns for pair in rdn]
        values = dict(pairs)
        if values.get("commonName"):
            return "CN=" + str(values["commonName"])
        if values.get("organizationName"):
            return "O=" + str(values["organizationName"])
        return ",".join(f"{k}={v}" for k, v in reversed(pairs)) or "-"

    def when(text: str | None) -> str | None:
        return _iso(_cert_time(text)) if text else None

    sans = cert.get("subjectAltName", ())
    names = [v for k, v in sans if k == "DNS"]
    names += [ipaddress.ip_address(v.strip()).compressed for k, v in sans if k == "IP Address"]
    subject, issuer = cert.get("subject", ()), cert.get("issuer", ())
    return {
        "subject": name(subject),
        "issuer": name(issuer),
        "not_before": when(cert.get("notBefore")),
        "not_after": when(cert.get("notAfter")),
        "names": names or [name(subject)],
        "self_signed": subject == issuer,
    }


def cert_info(der: bytes | None) -> dict[str, Any]:
    """Subject, issuer, validity and names of a DER certificate (evidence only; {} when it cannot be read)."""
    if not der:
        return {}
    # Imported here, not at the top: cryptography.x509 costs 45+ ms (python -X importtime), more than ssl itself;
    # only a certificate the handshake refused is read with it (a verified one: verified_cert_info).
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return {}

    def name(n: x509.Name) -> str:
        cn = n.get_attributes_for_oid(NameOID.COMMON_NAME)
        org = n.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        if cn:
            return "CN=" + str(cn[0].value)
        if org:
            return "O=" + str(org[0].value)
        return n.rfc4514_string() or "-"

    names: list[str] = []
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(v) for v in san.get_values_for_type(x509.DNSName)]
        names += [str(v) for v in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        pass
    return {
        "subject": name(cert.subject),
        "issuer": name(cert.issuer),
        "not_before": _iso(cert.not_valid_before_utc),
        "not_after": _iso(cert.not_valid_after_utc),
        "names": names or [name(cert.subject)],
        "self_signed": cert.subject == cert.issuer,
    }


def _peer_cert_unverified(ctx: Context, ip: str) -> bytes | None:
    """The DER certificate the peer presents, read without verifying it (None when it cannot be read)."""
    t = ctx.target
    try:
        sock = net.tcp_connect(ip, t.port, ctx.deadline.timeout())
        with transport.tls_context(None, verify=False).wrap_socket(
            sock, server_hostname=t.host if not t.is_ip else None
        ) as s:
            return s.getpeercert(binary_form=True)
    except Exception:  # noqa: BLE001
        return None


def handshake(ctx: Context) -> tuple[Finding, dict[str, Any]]:
    """(finding, cert info) for the TLS handshake with the target; shared by every check that needs it."""
    t = ctx.target
    ip = ctx.address()
    now = _iso(dt.datetime.now(dt.UTC))
    base: dict[str, Any] = {"host": t.host, "hostport": t.hostport, "address": ip, "port": t.port, "now": now}
    try:
        sock = net.tcp_connect(ip, t.port, ctx.deadline.timeout())
    except (net.DeadlineExceeded, TimeoutError):
        return finding(NAME, "TLS_TIMEOUT", timeout=round(ctx.deadline.step, 1), **base), {}
    except OSError as exc:
        return finding(NAME, "TLS_ERROR", error=str(exc), **base), {}
    try:
        timeout = ctx.deadline.timeout()
        sock.settimeout(timeout)
        context = ctx.ssl_context()
        assert t.host is not None  # ctx.address() resolved it
        s = context.wrap_socket(sock, server_hostname=transport.server_name(t.host))
        try:
            info = verified_cert_info(s.getpeercert())
            info["version"] = s.version()
        except BaseException:
            s.close()
            raise
        # the verified connection serves the next request to the registry (`/v2/`): one handshake, not one per check
        ctx.pool.adopt(("https", t.host, t.port, ip), s, context, timeout)
        return finding(NAME, "TLS_OK", **base, **info), info
    except ssl.SSLCertVerificationError as exc:
        return _refused_certificate(ctx, ip, exc, base)
    except (TimeoutError, net.DeadlineExceeded):
        return finding(NAME, "TLS_TIMEOUT", timeout=round(ctx.deadline.step, 1), **base), {}
    except OSError as exc:  # ssl.SSLError included
        return _failed_handshake(ctx, ip, exc, base), {}
    finally:
        try:
            sock.close()
        except OSError:
            pass


def _refused_certificate(
    ctx: Context, ip: str, exc: ssl.SSLCertVerificationError, base: dict[str, Any]
) -> tuple[Finding, dict[str, Any]]:
    """Why the certificate was refused (expired, not yet valid, another name, unknown CA), read unverified."""
    info = cert_info(_peer_cert_unverified(ctx, ip))
    code = exc.verify_code
    ev = {**base, **info, "verify_code": code, "verify_message": exc.verify_message}
    if code == 10:
        return finding(NAME, "TLS_EXPIRED", **ev), info
    if code == 9:
        return finding(NAME, "TLS_NOT_YET_VALID", **ev), info
    if code in HOSTNAME_CODES:
        return finding(NAME, "TLS_HOSTNAME", **ev), info
    if code in UNTRUSTED_CODES:
        return finding(NAME, "TLS_UNTRUSTED", **ev), info
    return finding(NAME, "TLS_ERROR", error=f"{exc.verify_message} ({code})", **ev), info


def _failed_handshake(ctx: Context, ip: str, exc: OSError, base: dict[str, Any]) -> Finding:
    """A handshake that broke: HTTP_NOT_HTTPS when the peer speaks plain HTTP, else TLS_ERROR."""
    if isinstance(exc, ssl.SSLError):
        error = exc.reason or str(exc)
        plain = transport.looks_like_plain_http(exc) or _answers_plain_http(ctx, ip)
    else:  # a server that just hangs up on a TLS ClientHello may still be a plain-HTTP server
        error = str(exc) or type(exc).__name__
        plain = _answers_plain_http(ctx, ip)
    return finding(NAME, "HTTP_NOT_HTTPS" if plain else "TLS_ERROR", error=error, **base)


def _answers_plain_http(ctx: Context, ip: str) -> bool:
    """Does the peer answer a plaintext HTTP request? (Tells 'speaks HTTP, not HTTPS' from other TLS failures.)"""
    t = ctx.target
    try:
        sock = net.tcp_connect(ip, t.port, ctx.deadline.timeout(1.0))
        try:
            sock.sendall(f"GET /v2/ HTTP/1.0\r\nHost: {t.hostport}\r\nUser-Agent: tcr-doctor\r\n\r\n".encode())
            return sock.recv(5) == b"HTTP/"
        finally:
            sock.close()
    except Exception:  # noqa: BLE001
        return False
