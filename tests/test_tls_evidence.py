"""The TLS check reads a verified certificate with ssl's own decoder and a refused one with cryptography: both
give the same evidence."""

from __future__ import annotations

import socket
import ssl
import threading

from diagnostics.checks.tls import cert_info, verified_cert_info


def test_both_decoders_agree(tls_material):
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tls_material.valid.cert_file, tls_material.valid.key_file)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        try:
            server.wrap_socket(conn, server_side=True).recv(1)
        except OSError:
            pass

    threading.Thread(target=serve, daemon=True).start()
    client = ssl.create_default_context(cafile=tls_material.ca_file)
    with client.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="localhost") as s:
        from_ssl, from_cryptography = verified_cert_info(s.getpeercert()), cert_info(s.getpeercert(binary_form=True))
    listener.close()
    assert from_ssl == from_cryptography
    assert from_ssl["subject"] == "CN=localhost" and "::1" in from_ssl["names"] and from_ssl["self_signed"] is False
