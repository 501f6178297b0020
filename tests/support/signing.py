"""Test stand-ins for Alexa's request signing: a private CA, signing certificates, envelopes.

Alexa signs each request body with the key of a certificate whose chain it publishes on
S3; tests play that part with a CA of their own, which the web service is told to trust.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

ALEXA_CERTIFICATE_DOMAIN = "echo-api.amazon.com"
CERTIFICATE_CHAIN_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"
OUR_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000001"
OTHER_SKILL_ID = "amzn1.ask.skill.99999999-9999-9999-9999-999999999999"


@dataclass(frozen=True)
class CertificateAuthority:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class SigningIdentity:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    issuer: CertificateAuthority

    @property
    def chain_pem(self) -> bytes:
        """What the certificate URL serves: the signing certificate, then its issuer."""
        return self.certificate.public_bytes(serialization.Encoding.PEM) + (
            self.issuer.certificate_pem
        )

    def sign(self, body: bytes) -> str:
        """The ``Signature-256`` header value for ``body``."""
        signature = self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")

    def headers_for(self, body: bytes, url: str = CERTIFICATE_CHAIN_URL) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "Signature-256": self.sign(body),
            "SignatureCertChainUrl": url,
        }


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_certificate_authority(
    common_name: str = "SI Joint Coach Test Root CA",
) -> CertificateAuthority:
    key = _new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return CertificateAuthority(key=key, certificate=certificate)


def make_signing_identity(
    issuer: CertificateAuthority,
    *,
    dns_names: list[str] | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> SigningIdentity:
    """A signing certificate issued by ``issuer``: Alexa-like unless told otherwise.

    ``dns_names=[]`` leaves the subject alternative names extension out altogether.
    """
    key = _new_key()
    now = datetime.now(UTC)
    dns_names = [ALEXA_CERTIFICATE_DOMAIN] if dns_names is None else dns_names
    builder = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ALEXA_CERTIFICATE_DOMAIN)])
        )
        .issuer_name(issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(not_after or now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    )
    if dns_names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name) for name in dns_names]),
            critical=False,
        )
    certificate = builder.sign(issuer.key, hashes.SHA256())
    return SigningIdentity(key=key, certificate=certificate, issuer=issuer)


def alexa_timestamp(moment: datetime | None = None) -> str:
    """ISO 8601 UTC with a Z, as Alexa writes request timestamps."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def launch_request_envelope(
    *,
    application_id: str = OUR_SKILL_ID,
    timestamp: str | None = None,
) -> dict[str, Any]:
    """A LaunchRequest envelope as Alexa sends it to a web service, as plain JSON."""
    user_id = "amzn1.ask.account.TESTUSER"
    device_id = "amzn1.ask.device.TESTDEVICE"
    application = {"applicationId": application_id}
    return {
        "version": "1.0",
        "session": {
            "new": True,
            "sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}",
            "application": application,
            "attributes": {},
            "user": {"userId": user_id},
        },
        "context": {
            "System": {
                "application": application,
                "user": {"userId": user_id},
                "device": {"deviceId": device_id, "supportedInterfaces": {}},
                "apiEndpoint": "https://api.amazonalexa.com",
            }
        },
        "request": {
            "type": "LaunchRequest",
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": timestamp or alexa_timestamp(),
            "locale": "en-US",
        },
    }


def encode_envelope(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope).encode("utf-8")
