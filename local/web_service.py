"""Serves the skill as a web service (Alexa's HTTPS endpoint type), under gunicorn.

``python -m local.web_service [--host 127.0.0.1] [--port 3000] [--workers 1] [--no-verify]``
answers Alexa requests with POST / through flask-ask-sdk's SkillAdapter, in gunicorn
worker processes (each builds its own skill and storage clients). Every request's
signature (``Signature-256`` over the exact body, certificate chain from Amazon's S3
bucket) and timestamp (150 s) are checked unless ``--no-verify`` is given, which is
meant only for local test tools. When the SKILL_ID environment variable is set,
requests for any other skill are refused. Every refusal is an HTTP 4xx with a short
JSON body, ``{"error": "..."}``; no request can provoke a 500 by being malformed.

Hostile clients cannot hold the service: a body declared larger than MAX_REQUEST_BYTES
(Alexa's requests are a few kilobytes) is refused with a 413 before any of it is read; a
chunked body (no declared length) is read up to the same cap and refused with a 413 past
it. Each request has one deadline, CLIENT_TIMEOUT_SECONDS (``--client-timeout``), for all
of its head and body together, however the client spreads its bytes: past it, the client
is cut off (a 408 once its body has started, the connection closed before that). Each
worker answers on THREADS_PER_WORKER threads (``--threads``), so a slow client holds one
thread for that long at most, never the worker, and the others are answered meanwhile.

A request's signature is checked for form (base64, of a plausible length) before its
certificate chain is fetched; chains are cached by URL, the last CERTIFICATE_CHAINS_KEPT.

The verifiers here replace the ask-sdk-webservice-support ones, which let a missing
network connection, a malformed signature or a certificate without SANs escape as a
500, cannot be given test trust roots, and use certificate properties that
cryptography deprecates.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import logging
import socket
import sys
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from local.oscrypto_fix import ensure_oscrypto_loads
from local.terminal import ctrl_c_for_this_process

# certvalidator, imported by the SDK's verifier module, imports oscrypto, which needs
# its libcrypto version detection fixed before it can load on OpenSSL 3.0.10+.
ensure_oscrypto_loads()

from ask_sdk_core.exceptions import SerializationException  # noqa: E402
from ask_sdk_core.skill import CustomSkill  # noqa: E402
from ask_sdk_model import RequestEnvelope  # noqa: E402
from ask_sdk_webservice_support.verifier import (  # noqa: E402
    AbstractVerifier,
    RequestVerifier,
    TimestampVerifier,
    VerificationException,
)
from ask_sdk_webservice_support.verifier_constants import (  # noqa: E402
    CERT_CHAIN_DOMAIN,
    CHARACTER_ENCODING,
)
from asn1crypto import pem  # noqa: E402
from certvalidator import CertificateValidator, ValidationContext  # noqa: E402
from certvalidator.errors import PathError, ValidationError  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from flask import Flask, Response, jsonify, request  # noqa: E402
from flask_ask_sdk.skill_adapter import (  # noqa: E402
    VERIFY_SIGNATURE_APP_CONFIG,
    VERIFY_TIMESTAMP_APP_CONFIG,
    SkillAdapter,
)
from gunicorn.app.base import BaseApplication  # noqa: E402
from gunicorn.workers.gthread import ThreadWorker  # noqa: E402
from werkzeug.exceptions import (  # noqa: E402
    BadRequest,
    ClientDisconnected,
    HTTPException,
    RequestEntityTooLarge,
    RequestTimeout,
)

from si_coach.skill import skill_builder_from_environment  # noqa: E402

CertificateChainFetcher = Callable[[str], bytes]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000
DEFAULT_WORKERS = 1
THREADS_PER_WORKER = 16
"""Requests one worker answers at once: slow clients each hold a thread, not the worker."""
MAX_REQUEST_BYTES = 64 * 1024
"""The largest request body accepted: Alexa's requests are a few kilobytes."""
CLIENT_TIMEOUT_SECONDS = 5.0
"""The longest a client may take to send one whole request, head and body together."""
CERTIFICATE_DOWNLOAD_TIMEOUT_SECONDS = 5.0
CERTIFICATE_CHAINS_KEPT = 8
"""Certificate chains cached, by URL; Alexa signs with one chain at a time."""
SIGNATURE_BYTES = range(128, 1025)
"""Plausible lengths of a decoded signature: RSA keys of 1024 to 8192 bits."""
# flask-ask-sdk files each adapter under this key in app.extensions; it is not a skill ID.
SKILL_ADAPTER_KEY = "si-joint-coach"

UNVERIFIED_WARNING = """\
************************************************************************
*  WARNING: REQUEST VERIFICATION IS OFF (--no-verify)                  *
*  Signatures and timestamps of incoming requests are NOT checked:     *
*  anyone who can reach this port can act as any Alexa user.           *
*  Use it only with local test tools, never as a public endpoint.      *
************************************************************************"""


def download_certificate_chain(url: str) -> bytes:
    """Fetch the PEM certificate chain a request names (only called for checked URLs)."""
    with urllib.request.urlopen(url, timeout=CERTIFICATE_DOWNLOAD_TIMEOUT_SECONDS) as response:
        return response.read()


def check_signing_certificate(certificate: x509.Certificate, now: datetime) -> None:
    """Refuse a certificate outside its validity period at ``now`` or not naming Alexa's domain."""
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise VerificationException("Signing certificate is expired or not yet valid")
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        dns_names: list[str] = []
    else:
        dns_names = san.value.get_values_for_type(x509.DNSName)
    if CERT_CHAIN_DOMAIN not in dns_names:
        raise VerificationException(
            f"{CERT_CHAIN_DOMAIN} is missing from the signing certificate's names"
        )


class SignedRequestVerifier(RequestVerifier):
    """The SDK's signature verifier with every failure reported as a VerificationException.

    ``fetch_certificate_chain`` downloads the chain for a URL that passed the SDK's URL
    rules (https, s3.amazonaws.com, port 443, path under /echo.api/); tests pass a
    function serving their own chain. ``extra_trust_roots`` (DER or PEM certificates) are
    trusted on top of the system store; production passes none.
    """

    def __init__(
        self,
        *,
        fetch_certificate_chain: CertificateChainFetcher = download_certificate_chain,
        extra_trust_roots: Sequence[bytes] = (),
    ) -> None:
        super().__init__()
        self._fetch_certificate_chain = fetch_certificate_chain
        self._extra_trust_roots = list(extra_trust_roots)
        # The most recently used last; the SDK's own cache (a dict) would grow without end.
        self._chains: OrderedDict[str, bytes] = OrderedDict()

    def verify(
        self,
        headers: Mapping[str, Any],
        serialized_request_env: str,
        deserialized_request_env: RequestEnvelope,
    ) -> None:
        # A signature that cannot be one is refused before anything is fetched for it.
        for name, value in headers.items():
            if name.lower() == self._signature_key.lower():
                _check_signature_form(value)
        super().verify(headers, serialized_request_env, deserialized_request_env)

    def _load_cert_chain(self, cert_url: str) -> bytes:
        if cert_url in self._chains:
            self._chains.move_to_end(cert_url)
            return self._chains[cert_url]
        try:
            cert_chain = self._fetch_certificate_chain(cert_url)
        # URLError, HTTPError and timeouts are all OSErrors; the SDK only caught ValueError.
        except (OSError, ValueError) as error:
            raise VerificationException(
                f"Unable to fetch the certificate chain: {error}"
            ) from error
        self._chains[cert_url] = cert_chain
        while len(self._chains) > CERTIFICATE_CHAINS_KEPT:
            self._chains.popitem(last=False)
        return cert_chain

    def _validate_cert_chain(self, cert_chain: bytes) -> None:
        try:
            der_certificates = [der for _, _, der in pem.unarmor(cert_chain, multiple=True)]
            if not der_certificates:
                raise VerificationException("Certificate chain is empty")
            # A context fixes its validation moment when built, so build one per request.
            context = ValidationContext(extra_trust_roots=self._extra_trust_roots or None)
            validator = CertificateValidator(
                der_certificates[0], der_certificates[1:], validation_context=context
            )
            validator.validate_usage(key_usage={"digital_signature"})
        except (PathError, ValidationError, ValueError, TypeError) as error:
            raise VerificationException(f"Certificate chain is not valid: {error}") from error

    def _validate_end_certificate(self, x509_cert: x509.Certificate) -> None:
        # The SDK compares the naive not_valid_before/after (deprecated by cryptography)
        # with utcnow() and fails with a 500 when the SAN extension is absent.
        check_signing_certificate(x509_cert, datetime.now(UTC))

    def _valid_request_body(
        self, cert_chain: x509.Certificate, signature: str, serialized_request_env: str
    ) -> None:
        public_key = cert_chain.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise VerificationException("Signing certificate does not hold an RSA key")
        try:
            signature_bytes = base64.b64decode(signature, validate=True)
        except binascii.Error as error:
            raise VerificationException("Signature is not base64") from error
        try:
            public_key.verify(
                signature_bytes,
                serialized_request_env.encode(CHARACTER_ENCODING),
                self._padding,
                self._hash_algorithm,
            )
        except InvalidSignature as error:
            raise VerificationException("Signature does not match the request body") from error


def _check_signature_form(signature: object) -> None:
    if not isinstance(signature, str):
        raise VerificationException("Signature is not base64")
    try:
        decoded = base64.b64decode(signature, validate=True)
    except binascii.Error as error:
        raise VerificationException("Signature is not base64") from error
    if len(decoded) not in SIGNATURE_BYTES:
        raise VerificationException(f"Signature has an implausible length ({len(decoded)} bytes)")


class ZonedTimestampVerifier(TimestampVerifier):
    """The SDK's 150 s timestamp check, refusing (not crashing on) a zoneless timestamp."""

    def verify(
        self,
        headers: Mapping[str, Any],
        serialized_request_env: str,
        deserialized_request_env: RequestEnvelope,
    ) -> None:
        alexa_request = deserialized_request_env.request
        timestamp = alexa_request.timestamp if alexa_request is not None else None
        if timestamp is not None and timestamp.tzinfo is None:
            raise VerificationException("Request timestamp has no time zone")
        super().verify(headers, serialized_request_env, deserialized_request_env)


class SkillIdVerifier(AbstractVerifier):
    """Refuses requests addressed to another skill.

    The SDK checks the ID too, but raises a plain AskSdkException that flask-ask-sdk
    answers with a 500; as a verifier the refusal becomes a 400.
    """

    def __init__(self, skill_id: str | None) -> None:
        self.skill_id = skill_id

    def verify(
        self,
        headers: Mapping[str, Any],
        serialized_request_env: str,
        deserialized_request_env: RequestEnvelope,
    ) -> None:
        if self.skill_id is None:
            return
        context = deserialized_request_env.context
        application = context.system.application if context and context.system else None
        if application is None or application.application_id != self.skill_id:
            raise VerificationException("Request is for another skill")


class MalformedRequestError(Exception):
    """A request the web layer answers with a 400 before it reaches the skill."""


def _read_request_envelope(skill: CustomSkill, body: bytes) -> RequestEnvelope:
    try:
        text = body.decode(CHARACTER_ENCODING)
        envelope = skill.serializer.deserialize(payload=text, obj_type=RequestEnvelope)
    except (UnicodeDecodeError, SerializationException) as error:
        raise MalformedRequestError("Request body is not a JSON Alexa request envelope") from error
    if envelope is None or envelope.request is None:
        raise MalformedRequestError("Request envelope has no request")
    if envelope.context is None or envelope.context.system is None:
        raise MalformedRequestError("Request envelope has no context.System")
    return envelope


# Refusals that may leave a body unread on the connection: it cannot carry another request.
_CLOSING_STATUSES = frozenset({408, 413})


def _error_response(message: str, status: int) -> tuple[Response, int]:
    response = jsonify(error=message)
    if status in _CLOSING_STATUSES:
        response.headers["Connection"] = "close"
    return response, status


def _describe_refusal(refusal: BadRequest) -> str:
    # flask-ask-sdk raises BadRequest while handling the VerificationException, so the
    # specific reason is the exception's context.
    cause = refusal.__context__
    if isinstance(cause, VerificationException) and cause.args:
        return f"Request verification failed: {cause.args[0]}"
    return refusal.description or "Bad request"


def create_app(
    skill: CustomSkill | None = None,
    *,
    verify: bool = True,
    trusted_roots: Sequence[bytes] | None = None,
    fetch_certificate_chain: CertificateChainFetcher = download_certificate_chain,
) -> Flask:
    """Build the Flask app serving ``skill`` (by default the one the environment configures).

    ``verify=False`` turns off signature and timestamp checks; the skill ID check stays.
    ``trusted_roots`` and ``fetch_certificate_chain`` exist for tests: extra certificates
    to trust and the source of certificate chains.
    """
    if skill is None:
        skill = skill_builder_from_environment().create()

    app = Flask(__name__)
    app.logger.addFilter(_REFUSAL_LOG_FILTER)
    # Werkzeug refuses a longer declared body with a 413 when the body is first asked for,
    # without reading it, and a chunked one with a 413 once it passes the cap.
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    # SkillAdapter reads these once, when constructed with app=app. Both stay off because
    # the verifiers below replace the SDK's own; left on, the SDK would add its versions.
    app.config[VERIFY_SIGNATURE_APP_CONFIG] = False
    app.config[VERIFY_TIMESTAMP_APP_CONFIG] = False

    verifiers: list[AbstractVerifier] = []
    if verify:
        verifiers.append(
            SignedRequestVerifier(
                fetch_certificate_chain=fetch_certificate_chain,
                extra_trust_roots=trusted_roots or (),
            )
        )
        verifiers.append(ZonedTimestampVerifier())
    verifiers.append(SkillIdVerifier(skill.skill_id))
    skill_adapter = SkillAdapter(
        skill=skill, skill_id=SKILL_ADAPTER_KEY, verifiers=verifiers, app=app
    )

    @app.post("/")
    def invoke_skill() -> Response:
        try:
            body = request.get_data()
        except ClientDisconnected as error:
            # Werkzeug reports the request's deadline, passed, as a disconnection.
            if isinstance(error.__context__, TimeoutError):
                raise RequestTimeout("The request body did not arrive in time") from error
            raise
        if request.content_length is None and len(body) >= MAX_REQUEST_BYTES:
            # Werkzeug stops reading a chunked body at the cap without a word.
            raise RequestEntityTooLarge("The request body is larger than the service accepts")
        _read_request_envelope(skill, body)
        return skill_adapter.dispatch_request()

    @app.errorhandler(MalformedRequestError)
    def refuse_request(refusal: MalformedRequestError) -> tuple[Response, int]:
        return _error_response(str(refusal), 400)

    @app.errorhandler(BadRequest)
    def refuse_unverified_request(refusal: BadRequest) -> tuple[Response, int]:
        return _error_response(_describe_refusal(refusal), 400)

    @app.errorhandler(HTTPException)
    def report_http_error(error: HTTPException) -> tuple[Response, int]:
        # Also receives unhandled exceptions, wrapped by Flask in InternalServerError.
        return _error_response(error.description or error.name, error.code or 500)

    return app


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m local.web_service",
        description="Serve the SI Joint Coach skill as a local web service (POST /).",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to listen on")
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=DEFAULT_WORKERS,
        help="gunicorn worker processes",
    )
    parser.add_argument(
        "--threads",
        type=_positive_int,
        default=THREADS_PER_WORKER,
        help="requests each worker answers at once",
    )
    parser.add_argument(
        "--client-timeout",
        type=float,
        default=CLIENT_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help="cut off a client that takes longer than this to send a whole request",
    )
    parser.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="skip signature and timestamp checks (local test tools only)",
    )
    return parser.parse_args(argv)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


class _SlowClientLogFilter(logging.Filter):
    """Reports a client cut off at its request's deadline in one line, not a traceback."""

    def __init__(self, client_timeout: float) -> None:
        super().__init__()
        self.client_timeout = client_timeout

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], TimeoutError):
            record.msg = "closed a connection whose client did not send its request in %s s"
            record.args = (self.client_timeout,)
            record.exc_info = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class _RefusalLogFilter(logging.Filter):
    """Reports a request refused by verification in one line, not a traceback.

    flask-ask-sdk logs every refusal with its traceback; an unsigned or stale request is an
    ordinary event for a public endpoint (the client already gets a 400 saying why).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], VerificationException):
            reason = record.exc_info[1].args[0] if record.exc_info[1].args else "no reason given"
            record.msg = "refused a request that failed verification: %s"
            record.args = (reason,)
            record.exc_info = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_REFUSAL_LOG_FILTER = _RefusalLogFilter()


class RequestDeadlineSocket(socket.socket):
    """A client's connection on which each request must arrive whole within a deadline.

    The deadline starts with the first read of a request and covers every read until its
    answer is sent, so a client trickling one byte at a time is cut off as surely as one
    that stops: each read waits only for what is left of it, and one past it raises
    TimeoutError. Sending an answer starts the next request's deadline afresh.
    """

    request_seconds: float
    _deadline: float | None

    @classmethod
    def taking_over(
        cls, connection: socket.socket, request_seconds: float
    ) -> RequestDeadlineSocket:
        """``connection``'s socket as a RequestDeadlineSocket (``connection`` is detached)."""
        taken = cls(connection.family, connection.type, connection.proto, connection.detach())
        taken.request_seconds = request_seconds
        taken._deadline = None
        return taken

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        now = time.monotonic()
        if self._deadline is None:
            self._deadline = now + self.request_seconds
        left = self._deadline - now
        if left <= 0:
            raise TimeoutError("the client did not send its request in time")
        current = self.gettimeout()
        # A shorter wait set by the server (draining an unread body) stands.
        self.settimeout(min(left, current) if current else left)
        return super().recv(bufsize, flags)

    def sendall(self, data: Any, flags: int = 0) -> None:
        # A client that stops reading its answer is cut off too.
        self._deadline = None
        self.settimeout(self.request_seconds)
        super().sendall(data, flags)


class DeadlineThreadWorker(ThreadWorker):
    """gunicorn's threaded worker, with one deadline for each request a client sends.

    Every connection's socket becomes a RequestDeadlineSocket before a thread reads from
    it. Without it, a thread would wait for ever on a client that trickles its request,
    and enough such clients would take every thread.
    """

    def init_process(self) -> None:
        self.client_timeout = self.app.client_timeout
        logging.getLogger("gunicorn.error").addFilter(_SlowClientLogFilter(self.client_timeout))
        super().init_process()

    def enqueue_req(self, conn: Any) -> None:
        if not isinstance(conn.sock, RequestDeadlineSocket):
            conn.sock = RequestDeadlineSocket.taking_over(conn.sock, self.client_timeout)
        super().enqueue_req(conn)


class SkillWebService(BaseApplication):
    """gunicorn serving ``create_app(verify=...)``, built anew in each worker process."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        workers: int,
        verify: bool,
        client_timeout: float = CLIENT_TIMEOUT_SECONDS,
        threads: int = THREADS_PER_WORKER,
    ) -> None:
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": DeadlineThreadWorker,
            # Each worker builds its own app: storage clients must not cross a fork.
            "preload_app": False,
            # A stuck worker is replaced after this long (Alexa gives up after 8 s).
            "timeout": 30,
            "errorlog": "-",
            # One path per user: a second service (tests, benchmarks) would take it over.
            "control_socket_disable": True,
        }
        self.verify = verify
        self.client_timeout = client_timeout
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        return create_app(verify=self.verify)


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    if not arguments.verify:
        print(UNVERIFIED_WARNING, file=sys.stderr, flush=True)
    service = SkillWebService(
        host=arguments.host,
        port=arguments.port,
        workers=arguments.workers,
        verify=arguments.verify,
        client_timeout=arguments.client_timeout,
        threads=arguments.threads,
    )
    # Ctrl-C stops gunicorn (it exits 0), not `make serve` above it.
    with ctrl_c_for_this_process(sys.stdin):
        service.run()


if __name__ == "__main__":
    main()
