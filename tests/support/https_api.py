"""Alexa's APIs played by the tests: HTTPS servers on 127.0.0.1 with a certificate they trust.

The skill calls Alexa's APIs over HTTPS only, so a test serves the API itself, with a
self-signed certificate for 127.0.0.1 that the client trusts through SSL_CERT_FILE, as a
device's real certificate would be trusted through the system store. One certificate serves
the whole test run: a client that keeps its connection pools between tests (the Lambda's
clients do, for warm starts) then still trusts every server.
"""

from __future__ import annotations

import ipaddress
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Certificate:
    cert_file: Path
    key_file: Path


def self_signed_certificate(directory: Path) -> Certificate:
    """A new certificate for 127.0.0.1 and its key, as PEM files in `directory`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    result = Certificate(directory / "api-cert.pem", directory / "api-key.pem")
    result.cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    result.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return result


@cache
def shared_certificate() -> Certificate:
    """The certificate every test server of this run presents (made once, on first use)."""
    return self_signed_certificate(Path(tempfile.mkdtemp(prefix="si-coach-test-api-")))


@contextmanager
def serve_https(
    handler: type[BaseHTTPRequestHandler],
    monkeypatch: pytest.MonkeyPatch,
    certificate: Certificate | None = None,
) -> Iterator[str]:
    """Serve `handler` over HTTPS on a free port of 127.0.0.1; yields the base URL.

    The shared certificate is made trusted (SSL_CERT_FILE) for the rest of the test. Pass
    another `certificate` to serve one that clients do not trust.
    """
    import ssl

    trusted = shared_certificate()
    monkeypatch.setenv("SSL_CERT_FILE", str(trusted.cert_file))
    presented = certificate or trusted
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(presented.cert_file, presented.key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    # A short poll: shutdown() waits for the loop to notice, once per test.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
