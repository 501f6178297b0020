"""Serves the skill as a web service (Alexa's HTTPS endpoint type) from a developer's machine.

``python -m local.web_service [--host 127.0.0.1] [--port 3000] [--no-verify]`` answers
Alexa requests with POST / through flask-ask-sdk's SkillAdapter. Every request's
signature (``Signature-256`` over the exact body, certificate chain from Amazon's S3
bucket) and timestamp (150 s) are checked unless ``--no-verify`` is given, which is
meant only for local test tools. When the SKILL_ID environment variable is set,
requests for any other skill are refused. Every refusal is an HTTP 400 with a short
JSON body, ``{"error": "..."}``; no request can provoke a 500 by being malformed.

The verifiers here replace the ask-sdk-webservice-support ones, which let a missing
network connection, a malformed signature or a certificate without SANs escape as a
500, cannot be given test trust roots, and use certificate properties that
cryptography deprecates.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import sys
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from local.oscrypto_fix import ensure_oscrypto_loads

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
from werkzeug.exceptions import BadRequest, HTTPException  # noqa: E402

from si_coach.skill import skill_builder_from_environment  # noqa: E402

CertificateChainFetcher = Callable[[str], bytes]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000
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
        _read_request_envelope(skill, request.get_data())
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
        "--no-verify",
        dest="verify",
        action="store_false",
        help="skip signature and timestamp checks (local test tools only)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    if not arguments.verify:
        print(UNVERIFIED_WARNING, file=sys.stderr, flush=True)
    app = create_app(verify=arguments.verify)
    # One request at a time: the skill's storage is not shared across threads.
    app.run(host=arguments.host, port=arguments.port, threaded=False)


if __name__ == "__main__":
    main()
