"""A local stand-in of the Alexa APIs the skill calls: the Reminders API and the settings
API's time zone, served over HTTPS on 127.0.0.1.

The skill reaches Alexa's APIs over HTTPS only, at the request's `apiEndpoint`. The console
(`make run`) serves this stand-in there, so a reminder can be set, asked about, changed and
stopped as on a device; the tests serve the same stand-in, with faults added
(tests/support/alexa_service.py). Reminders live in memory, for as long as the server runs.
The certificate is self-signed for 127.0.0.1 and trusted through SSL_CERT_FILE: a bundle of
the usual roots and this one certificate, so other HTTPS calls still work.
"""

from __future__ import annotations

import ipaddress
import json
import re
import ssl
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REMINDERS = "/v1/alerts/reminders"
TIME_ZONE = re.compile(r"/v2/devices/[^/]+/settings/System\.timeZone")


@dataclass(frozen=True)
class Certificate:
    cert_file: Path
    key_file: Path


def self_signed_certificate(directory: Path) -> Certificate:
    """A new certificate for 127.0.0.1 and its key, as PEM files in `directory`."""
    # cryptography is a development dependency (hosting, tests): imported when serving.
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

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


def trust_bundle(certificate: Certificate) -> Path:
    """A CA bundle of the usual roots (certifi's, when installed) and `certificate`."""
    bundle = certificate.cert_file.with_name("trusted.pem")
    roots = ""
    try:
        import certifi  # noqa: PLC0415

        roots = Path(certifi.where()).read_text()
    except ImportError:
        pass
    bundle.write_text(roots + "\n" + certificate.cert_file.read_text())
    return bundle


@contextmanager
def serve_https(handler: type[BaseHTTPRequestHandler], certificate: Certificate) -> Iterator[str]:
    """Serve `handler` over HTTPS on a free port of 127.0.0.1; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate.cert_file, certificate.key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    # A short poll: shutdown() waits for the loop to notice.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class AlexaApis:
    """One user's reminders, kept as the Reminders API keeps them, and the device's zone."""

    time_zone: str | None = "Pacific/Auckland"
    reminders: dict[str, dict] = field(default_factory=dict)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                status, answer = service.answer(self.command, self.path, body)
                if status is None:
                    service.stall()
                    return
                data = b"" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def do_PUT(self) -> None:
                self._answer()

            def do_DELETE(self) -> None:
                self._answer()

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def stall(self) -> None:
        """What an answer with no status does (the tests' stand-in waits)."""

    def answer(self, method: str, path: str, body: Any) -> tuple[int | None, Any]:
        """(status, JSON answer) for one call."""
        if TIME_ZONE.fullmatch(path):
            if self.time_zone is None:
                return 500, {"message": "no time zone"}
            return 200, self.time_zone
        if not path.startswith(REMINDERS):
            return 404, {"message": "unknown path"}
        token = path[len(REMINDERS) + 1 :] or None
        return self.do(method, token, body)

    def do(self, method: str, token: str | None, body: Any) -> tuple[int, Any]:
        if method == "POST" and token is None:
            new = str(uuid.uuid4())
            self.reminders[new] = reminder(new, body, "ON")
            return 201, {"alertToken": new, "status": "ON", "version": "1"}
        if method == "GET" and token is None:
            alerts = list(self.reminders.values())
            return 200, {"alerts": alerts, "totalCount": str(len(alerts))}
        if token not in self.reminders:
            return 404, {"code": "NOT_FOUND", "message": "no such reminder"}
        if method == "GET":
            return 200, self.reminders[token]
        if method == "PUT":
            status = self.reminders[token]["status"]
            self.reminders[token] = reminder(token, body, status)
            return 200, {"alertToken": token, "status": status, "version": "2"}
        if method == "DELETE":
            del self.reminders[token]
            return 200, None
        return 405, {"message": "method not allowed"}


def reminder(token: str, body: dict, status: str) -> dict:
    return {
        "alertToken": token,
        "status": status,
        "trigger": body["trigger"],
        "alertInfo": body.get("alertInfo", {}),
        "version": "1",
    }


@contextmanager
def local_alexa_apis(time_zone: str | None) -> Iterator[str]:
    """The stand-in served and trusted (SSL_CERT_FILE) for this process; yields its URL."""
    import os  # noqa: PLC0415

    certificate = self_signed_certificate(Path(tempfile.mkdtemp(prefix="si-coach-apis-")))
    os.environ["SSL_CERT_FILE"] = str(trust_bundle(certificate))
    with serve_https(AlexaApis(time_zone=time_zone).handler(), certificate) as url:
        yield url
