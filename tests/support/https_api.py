"""Alexa's APIs played by the tests: HTTPS servers on 127.0.0.1 with a certificate they trust.

The skill calls Alexa's APIs over HTTPS only, so a test serves the API itself, with a
self-signed certificate for 127.0.0.1 that the client trusts through SSL_CERT_FILE, as a
device's real certificate would be trusted through the system store. One certificate serves
the whole test run: a client that keeps its connection pools between tests (the Lambda's
clients do, for warm starts) then still trusts every server.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from local.alexa_stand_in import Certificate, self_signed_certificate

__all__ = ["Certificate", "self_signed_certificate", "serve_https", "shared_certificate"]


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
