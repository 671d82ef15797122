"""The system CAs looked up on demand (diagnostics/truststore.py) only when that trusts what loading them would."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading

import pytest

from diagnostics import transport, truststore


@pytest.fixture
def system_store(tmp_path, monkeypatch, tls_material):
    """A pretend system store: a CA file and a hashed CA directory (openssl rehash), both holding the test CA."""
    if not shutil.which("openssl"):
        pytest.fail("openssl is installed by scripts/bootstrap")
    capath = tmp_path / "certs"
    capath.mkdir()
    shutil.copy(tls_material.ca_file, capath / "test-ca.pem")
    subprocess.run(["openssl", "rehash", str(capath)], check=True, capture_output=True)
    cafile = tmp_path / "ca-certificates.crt"
    shutil.copy(tls_material.ca_file, cafile)
    paths = ssl.DefaultVerifyPaths(str(cafile), str(capath), "", "", "", "")
    monkeypatch.setattr(ssl, "get_default_verify_paths", lambda: paths)
    monkeypatch.setenv("TCR_DOCTOR_CACHE_DIR", str(tmp_path / "cache"))
    truststore.lazy_capath.cache_clear()
    transport._verifying_context.cache_clear()
    yield cafile, capath
    truststore.lazy_capath.cache_clear()
    transport._verifying_context.cache_clear()


def handshake(context: ssl.SSLContext, server: ssl.SSLContext) -> str:
    """'ok' or the verification error of a handshake with a loopback server presenting SERVER's certificate."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        conn, _ = listener.accept()
        try:
            with server.wrap_socket(conn, server_side=True):
                pass
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with socket.create_connection(listener.getsockname(), timeout=10) as sock:
            with context.wrap_socket(sock, server_hostname="localhost"):
                return "ok"
    except ssl.SSLCertVerificationError as exc:
        return exc.verify_message
    finally:
        thread.join(10)
        listener.close()


def test_a_directory_holding_the_file_is_looked_up_on_demand_and_trusts_the_same(system_store, tls_material):
    cafile, capath = system_store
    assert truststore.lazy_capath() == str(capath)
    context = transport.tls_context(None)
    assert context.cert_store_stats()["x509_ca"] == 0  # nothing read up front
    assert handshake(context, tls_material.valid.server_context()) == "ok"  # the CA was found when needed
    assert handshake(context, tls_material.unknown_ca.server_context()) == "unable to get local issuer certificate"
    eager = ssl.create_default_context(cafile=str(cafile), capath=None)
    assert handshake(eager, tls_material.valid.server_context()) == "ok"


def test_the_answer_is_kept_and_follows_the_files(system_store, tls_material):
    cafile, capath = system_store
    assert truststore.lazy_capath() == str(capath)
    # a certificate in the file that the directory lacks: the file is loaded, as OpenSSL's defaults would
    cafile.write_bytes(cafile.read_bytes() + open(tls_material.unknown_ca_file, "rb").read())
    truststore.lazy_capath.cache_clear()
    assert truststore.lazy_capath() is None
    context = transport.tls_context(None)
    assert context.cert_store_stats()["x509_ca"] > 0  # ssl's default context: the system file read up front


@pytest.mark.parametrize(
    "extra",
    [b"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n", b"-----BEGIN TRUSTED CERTIFICATE-----\nAA==\n"],
)
def test_a_file_with_anything_but_certificates_is_loaded(system_store, extra):
    cafile, _ = system_store
    cafile.write_bytes(cafile.read_bytes() + extra)
    assert truststore.lazy_capath() is None


def test_without_a_system_file_the_directory_is_all_there_is(monkeypatch, tmp_path):
    paths = ssl.DefaultVerifyPaths(None, str(tmp_path), "", "", "", "")
    monkeypatch.setattr(ssl, "get_default_verify_paths", lambda: paths)
    truststore.lazy_capath.cache_clear()
    try:
        assert truststore.lazy_capath() == str(tmp_path)
    finally:
        truststore.lazy_capath.cache_clear()


def test_with_caches_off_the_file_is_loaded_as_before(system_store, monkeypatch):
    monkeypatch.setenv("TCR_DOCTOR_CACHE_DIR", "off")
    truststore.lazy_capath.cache_clear()
    assert truststore.lazy_capath() is None
