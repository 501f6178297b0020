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
(Alexa's requests are a few kilobytes) is refused with a 413 before any of it is read (a
body of undeclared length is not read at all), and a client that stalls for
CLIENT_TIMEOUT_SECONDS (``--client-timeout``) while sending its request is cut off (a 408
once its body has started, the connection closed before that), which frees the worker.

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
import sys
import urllib.request
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
from gunicorn.workers.sync import SyncWorker  # noqa: E402
from werkzeug.exceptions import (  # noqa: E402
    BadRequest,
    ClientDisconnected,
    HTTPException,
    RequestTimeout,
)

from si_coach.skill import skill_builder_from_environment  # noqa: E402

CertificateChainFetcher = Callable[[str], bytes]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000
DEFAULT_WORKERS = 1
MAX_REQUEST_BYTES = 64 * 1024
"""The largest request body accepted: Alexa's requests are a few kilobytes."""
CLIENT_TIMEOUT_SECONDS = 5.0
"""The longest a client may keep a worker waiting on one read or write of its connection."""
CERTIFICATE_DOWNLOAD_TIMEOUT_SECONDS = 5.0
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

    def _load_cert_chain(self, cert_url: str) -> bytes:
        if cert_url in self._cert_cache:
            return self._cert_cache[cert_url]
        try:
            cert_chain = self._fetch_certificate_chain(cert_url)
        # URLError, HTTPError and timeouts are all OSErrors; the SDK only caught ValueError.
        except (OSError, ValueError) as error:
            raise VerificationException(
                f"Unable to fetch the certificate chain: {error}"
            ) from error
        self._cert_cache[cert_url] = cert_chain
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


def _error_response(message: str, status: int) -> tuple[Response, int]:
    return jsonify(error=message), status


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
    # without reading it, and stops a chunked one at the cap.
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
            # Werkzeug reports the worker's socket timeout as a disconnection.
            if isinstance(error.__context__, TimeoutError):
                raise RequestTimeout("The request body did not arrive in time") from error
            raise
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
        help="gunicorn worker processes, each answering one request at a time",
    )
    parser.add_argument(
        "--client-timeout",
        type=float,
        default=CLIENT_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help="cut off a client that stalls this long while sending its request",
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
    """Reports a client cut off by the socket timeout in one line, not a traceback."""

    def __init__(self, client_timeout: float) -> None:
        super().__init__()
        self.client_timeout = client_timeout

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], TimeoutError):
            record.msg = "closed a connection whose client stalled for %s s"
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


class TimedSyncWorker(SyncWorker):
    """gunicorn's sync worker, with a time limit on every read and write of a client.

    The sync worker answers one connection at a time and would wait for ever on a client
    that stops sending; gunicorn's own ``timeout`` would then kill the whole worker.
    """

    def init_process(self) -> None:
        self.client_timeout = self.app.client_timeout
        logging.getLogger("gunicorn.error").addFilter(_SlowClientLogFilter(self.client_timeout))
        super().init_process()

    def accept(self, listener: Any) -> None:
        client, address = listener.accept()
        client.settimeout(self.client_timeout)
        self.handle(listener, client, address)


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
    ) -> None:
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": TimedSyncWorker,
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
    )
    # Ctrl-C stops gunicorn (it exits 0), not `make serve` above it.
    with ctrl_c_for_this_process(sys.stdin):
        service.run()


if __name__ == "__main__":
    main()
