"""TLS material (a trustme CA and good/bad leaf certificates) and HTTPS `/v2/` responders for each variant.

m = TLSMaterial(tmpdir)
m.ca_file                  # PEM of the test CA: pass as --ca-file / requests verify=
m.valid                    # CertFiles for localhost, 127.0.0.1, ::1, registry.tcr-doctor.test, *.tcr-doctor.test
m.wrong_host               # CertFiles for wrong-host.example.test only (hostname mismatch on 127.0.0.1)
m.expired                  # right names, notAfter yesterday
m.not_yet_valid            # right names, notBefore in 10 days
m.unknown_ca               # right names, issued by another CA (m.unknown_ca_file holds that CA)
"""

from __future__ import annotations

import datetime as dt
import pathlib
import socket
import ssl
from dataclasses import dataclass

import trustme
from cryptography import x509

from ._net import LOOPBACK, QuietHandler, ServerThread, ThreadingHTTPServer, assert_loopback

DNS_DOMAIN = "tcr-doctor.test"
VALID_NAMES = (
    "localhost",
    "127.0.0.1",
    "::1",
    f"registry.{DNS_DOMAIN}",
    f"*.{DNS_DOMAIN}",
    "local-tcr.tencentcloudcr.com",
)
WRONG_NAME = "wrong-host.example.test"


@dataclass
class CertFiles:
    name: str
    cert_file: str  # leaf (+ chain) PEM
    key_file: str  # private key PEM
    subject: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    names: tuple[str, ...]

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx


def _write(directory: pathlib.Path, name: str, leaf: trustme.LeafCert, names) -> CertFiles:
    cert_file = directory / f"{name}.crt"
    key_file = directory / f"{name}.key"
    cert_file.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    key_file.write_bytes(leaf.private_key_pem.bytes())
    key_file.chmod(0o600)
    c = x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes())
    return CertFiles(
        name,
        str(cert_file),
        str(key_file),
        c.subject.rfc4514_string(),
        c.issuer.rfc4514_string(),
        c.not_valid_before_utc,
        c.not_valid_after_utc,
        tuple(names),
    )


class TLSMaterial:
    def __init__(self, directory):
        d = pathlib.Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        self.directory = d
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.ca = trustme.CA(organization_name="tcr-doctor test CA")
        self.ca_file = str(d / "ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_file)
        self.other_ca = trustme.CA(organization_name="unknown test CA")
        self.unknown_ca_file = str(d / "unknown-ca.pem")
        self.other_ca.cert_pem.write_to_path(self.unknown_ca_file)

        self.valid = _write(d, "valid", self.ca.issue_cert(*VALID_NAMES, common_name="localhost"), VALID_NAMES)
        self.wrong_host = _write(d, "wrong-host", self.ca.issue_cert(WRONG_NAME, common_name=WRONG_NAME), (WRONG_NAME,))
        self.expired = _write(
            d,
            "expired",
            self.ca.issue_cert(
                *VALID_NAMES,
                common_name="localhost",
                not_before=now - dt.timedelta(days=30),
                not_after=now - dt.timedelta(days=1),
            ),
            VALID_NAMES,
        )
        self.not_yet_valid = _write(
            d,
            "not-yet-valid",
            self.ca.issue_cert(
                *VALID_NAMES,
                common_name="localhost",
                not_before=now + dt.timedelta(days=10),
                not_after=now + dt.timedelta(days=40),
            ),
            VALID_NAMES,
        )
        self.unknown_ca = _write(
            d, "unknown-ca", self.other_ca.issue_cert(*VALID_NAMES, common_name="localhost"), VALID_NAMES
        )

    VARIANTS = ("valid", "wrong_host", "expired", "not_yet_valid", "unknown_ca")

    def client_context(self) -> ssl.SSLContext:
        """An SSLContext trusting only the test CA."""
        return ssl.create_default_context(cafile=self.ca_file)


GO_PLAIN_REPLY = b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"


class TLSHTTPServer(ThreadingHTTPServer):
    """HTTPS server: the TLS handshake happens in the per-connection thread (a stuck client never blocks
    accept). A plaintext HTTP request gets Go's answer (what docker-registry says): 400 'Client sent an HTTP
    request to an HTTPS server.'"""

    block_on_close = False

    def __init__(self, addr, handler, context: ssl.SSLContext):
        self.ssl_context = context
        super().__init__(addr, handler)

    def finish_request(self, request, client_address):
        request.settimeout(10)
        try:
            first = request.recv(1, socket.MSG_PEEK)
        except OSError:
            return
        if not first:
            return
        if first != b"\x16":  # not a TLS handshake record
            try:
                request.sendall(GO_PLAIN_REPLY)
            except OSError:
                pass
            return
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass


def registry_v2_handler(status: int = 200, body: str = "{}", headers: dict | None = None):
    """A handler answering every path like a registry's /v2/ (Docker-Distribution-Api-Version header)."""

    class Handler(QuietHandler):
        def do_GET(self):
            h = {"Docker-Distribution-Api-Version": "registry/2.0"}
            h.update(headers or {})
            self.send_body(status, body, "application/json; charset=utf-8", h)

        do_HEAD = do_GET

    return Handler


class TLSServer:
    """An HTTPS registry-ish `/v2/` responder with the given certificate, on 127.0.0.1:<free port>."""

    def __init__(self, cert: CertFiles, handler=None, host: str = LOOPBACK):
        assert_loopback(host)
        self.cert = cert
        self.bind_host = host
        self.handler = handler or registry_v2_handler()
        self.port = None
        self._thread = None

    @property
    def host(self):
        return f"{self.bind_host}:{self.port}"

    @property
    def url(self):
        return f"https://{self.host}"

    @property
    def address(self):
        return (self.bind_host, self.port)

    def start(self):
        server = TLSHTTPServer((self.bind_host, 0), self.handler, self.cert.server_context())
        self.port = server.server_address[1]
        self._thread = ServerThread(server, f"tls-{self.cert.name}").start()
        return self

    def stop(self):
        if self._thread:
            self._thread.stop()
            self._thread = None


class TLSServers:
    """One started TLSServer per variant: .valid .wrong_host .expired .not_yet_valid .unknown_ca; .ca_file."""

    def __init__(self, material: TLSMaterial):
        self.material = material
        self.ca_file = material.ca_file
        self.servers = {}
        for v in TLSMaterial.VARIANTS:
            self.servers[v] = TLSServer(getattr(material, v)).start()
            setattr(self, v, self.servers[v])

    def stop(self):
        for s in self.servers.values():
            s.stop()
