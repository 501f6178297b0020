"""Tests for the local web service: Alexa request verification, refusals as JSON 400s, the CLI.

Requests go through the real Flask app, flask-ask-sdk's SkillAdapter and the verifiers;
only the certificate download is replaced, through its documented parameter.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import flask
import pytest
from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.skill_builder import CustomSkillBuilder
from cryptography.utils import CryptographyDeprecationWarning

from local import web_service
from local.web_service import (
    CERTIFICATE_CHAINS_KEPT,
    CLIENT_TIMEOUT_SECONDS,
    MAX_REQUEST_BYTES,
    THREADS_PER_WORKER,
    UNVERIFIED_WARNING,
    DeadlineThreadWorker,
    SkillWebService,
    VerificationException,
    check_signing_certificate,
    create_app,
    main,
    parse_arguments,
)
from si_coach.skill import create_skill_builder
from tests.support.signing import (
    CERTIFICATE_CHAIN_URL,
    OTHER_SKILL_ID,
    OUR_SKILL_ID,
    CertificateAuthority,
    SigningIdentity,
    alexa_timestamp,
    encode_envelope,
    launch_request_envelope,
    make_certificate_authority,
    make_signing_identity,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


class ChainServer:
    """Serves certificate chains by URL in place of S3, and records what was asked for."""

    def __init__(self, chain_pem: bytes) -> None:
        self.chain_pem = chain_pem
        self.requested_urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.requested_urls.append(url)
        return self.chain_pem


@pytest.fixture(scope="module")
def test_root() -> CertificateAuthority:
    return make_certificate_authority()


@pytest.fixture(scope="module")
def alexa_signer(test_root: CertificateAuthority) -> SigningIdentity:
    return make_signing_identity(test_root)


def skill(skill_id: str | None = None):
    return create_skill_builder(None, skill_id=skill_id).create()


def verifying_client(
    signer: SigningIdentity,
    *,
    trusted_root: CertificateAuthority | None = None,
    fetch_certificate_chain: Callable[[str], bytes] | None = None,
    skill_id: str | None = None,
) -> flask.testing.FlaskClient:
    app = create_app(
        skill(skill_id),
        trusted_roots=[(trusted_root or signer.issuer).certificate_pem],
        fetch_certificate_chain=fetch_certificate_chain or ChainServer(signer.chain_pem),
    )
    return app.test_client()


def post_signed(
    client: flask.testing.FlaskClient,
    signer: SigningIdentity,
    envelope: dict[str, Any] | None = None,
    **header_overrides: str,
) -> flask.Response:
    body = encode_envelope(envelope or launch_request_envelope())
    headers = signer.headers_for(body) | header_overrides
    return client.post("/", data=body, headers=headers)


def assert_refused(response: flask.Response, reason_fragment: str) -> None:
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.is_json
    error = response.get_json()["error"]
    assert reason_fragment.lower() in error.lower(), error


def assert_launch_answered(response: flask.Response) -> None:
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["version"] == "1.0"
    assert answer["response"]["outputSpeech"]["ssml"].startswith("<speak>")


# Correctly signed requests


def test_signed_fresh_launch_request_is_answered(alexa_signer: SigningIdentity) -> None:
    chain_server = ChainServer(alexa_signer.chain_pem)
    client = verifying_client(alexa_signer, fetch_certificate_chain=chain_server)

    with warnings.catch_warnings():
        # cryptography deprecates the naive validity properties the SDK's verifier used.
        warnings.simplefilter("error", CryptographyDeprecationWarning)
        warnings.simplefilter("error", DeprecationWarning)
        response = post_signed(client, alexa_signer)

    assert_launch_answered(response)
    assert chain_server.requested_urls == [CERTIFICATE_CHAIN_URL]


def test_certificate_chain_is_fetched_once_per_url(alexa_signer: SigningIdentity) -> None:
    chain_server = ChainServer(alexa_signer.chain_pem)
    client = verifying_client(alexa_signer, fetch_certificate_chain=chain_server)

    assert_launch_answered(post_signed(client, alexa_signer))
    assert_launch_answered(post_signed(client, alexa_signer))
    assert chain_server.requested_urls == [CERTIFICATE_CHAIN_URL]


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
        "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
    ],
)
def test_equivalent_certificate_urls_are_accepted(alexa_signer: SigningIdentity, url: str) -> None:
    client = verifying_client(alexa_signer)

    assert_launch_answered(post_signed(client, alexa_signer, SignatureCertChainUrl=url))


def test_request_at_the_edge_of_the_timestamp_tolerance_is_answered(
    alexa_signer: SigningIdentity,
) -> None:
    client = verifying_client(alexa_signer)
    timestamp = alexa_timestamp(datetime.now(UTC) - timedelta(seconds=140))

    assert_launch_answered(
        post_signed(client, alexa_signer, launch_request_envelope(timestamp=timestamp))
    )


# Refusals


def test_verification_is_on_by_default() -> None:
    client = create_app(skill()).test_client()
    body = encode_envelope(launch_request_envelope())

    assert_refused(
        client.post("/", data=body, content_type="application/json"), "Missing Signature"
    )


@pytest.mark.parametrize("dropped_header", ["Signature-256", "SignatureCertChainUrl", "both"])
def test_missing_signature_headers_are_refused(
    alexa_signer: SigningIdentity, dropped_header: str
) -> None:
    client = verifying_client(alexa_signer)
    body = encode_envelope(launch_request_envelope())
    headers = {
        name: value
        for name, value in alexa_signer.headers_for(body).items()
        if dropped_header not in (name, "both") or name == "Content-Type"
    }

    assert_refused(client.post("/", data=body, headers=headers), "Missing Signature")


def test_body_changed_after_signing_is_refused(alexa_signer: SigningIdentity) -> None:
    client = verifying_client(alexa_signer)
    signed_body = encode_envelope(launch_request_envelope())
    sent_body = signed_body.replace(b"en-US", b"en-GB")

    response = client.post("/", data=sent_body, headers=alexa_signer.headers_for(signed_body))

    assert_refused(response, "Signature does not match")


def test_signature_from_another_key_is_refused(
    alexa_signer: SigningIdentity, test_root: CertificateAuthority
) -> None:
    forger = make_signing_identity(test_root)
    client = verifying_client(alexa_signer)
    body = encode_envelope(launch_request_envelope())

    response = client.post(
        "/",
        data=body,
        headers=alexa_signer.headers_for(body) | {"Signature-256": forger.sign(body)},
    )

    assert_refused(response, "Signature does not match")


def test_signature_that_is_not_base64_is_refused(alexa_signer: SigningIdentity) -> None:
    client = verifying_client(alexa_signer)

    assert_refused(
        post_signed(client, alexa_signer, **{"Signature-256": "not*base64!"}), "not base64"
    )


@pytest.mark.parametrize(
    ("signature", "reason"),
    [("not*base64!", "not base64"), ("c2hvcnQ=", "implausible length"), ("", "implausible")],
    ids=["not base64", "too short", "empty"],
)
def test_a_malformed_signature_is_refused_before_any_fetch(
    alexa_signer: SigningIdentity, signature: str, reason: str
) -> None:
    chain_server = ChainServer(alexa_signer.chain_pem)
    client = verifying_client(alexa_signer, fetch_certificate_chain=chain_server)

    assert_refused(post_signed(client, alexa_signer, **{"Signature-256": signature}), reason)
    assert chain_server.requested_urls == []


def test_certificate_chains_are_cached_by_url_up_to_a_bound(
    alexa_signer: SigningIdentity,
) -> None:
    chain_server = ChainServer(alexa_signer.chain_pem)
    client = verifying_client(alexa_signer, fetch_certificate_chain=chain_server)
    # Equivalent spellings of Alexa's URL: each is a URL of its own to the cache.
    urls = [
        CERTIFICATE_CHAIN_URL.replace("/echo.api/", "/echo.api/" + "../echo.api/" * n)
        for n in range(CERTIFICATE_CHAINS_KEPT + 1)
    ]

    for url in urls:
        assert_launch_answered(post_signed(client, alexa_signer, SignatureCertChainUrl=url))
    assert chain_server.requested_urls == urls
    assert_launch_answered(post_signed(client, alexa_signer, SignatureCertChainUrl=urls[-1]))
    assert len(chain_server.requested_urls) == len(urls), "the latest chain is kept"
    assert_launch_answered(post_signed(client, alexa_signer, SignatureCertChainUrl=urls[0]))
    assert chain_server.requested_urls[-1] == urls[0], "the oldest was let go, and fetched again"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "invalid protocol"),
        ("https://notamazon.com/echo.api/echo-api-cert.pem", "invalid hostname"),
        ("https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem", "invalid hostname"),
        ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "invalid path"),
        ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "invalid path"),
        ("https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem", "invalid path"),
        ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "invalid port"),
    ],
)
def test_bad_certificate_urls_are_refused_without_fetching(
    alexa_signer: SigningIdentity, url: str, reason: str
) -> None:
    chain_server = ChainServer(alexa_signer.chain_pem)
    client = verifying_client(alexa_signer, fetch_certificate_chain=chain_server)

    assert_refused(post_signed(client, alexa_signer, SignatureCertChainUrl=url), reason)
    assert chain_server.requested_urls == []


# Alexa's timestamps have whole seconds, so "151 s ahead" may arrive as 150.x s ahead and,
# a moment later, fall inside the 150 s window: the cases keep a margin past the limit.
@pytest.mark.parametrize("age_seconds", [155, 3600, -155])
def test_stale_or_future_timestamps_are_refused(
    alexa_signer: SigningIdentity, age_seconds: int
) -> None:
    client = verifying_client(alexa_signer)
    timestamp = alexa_timestamp(datetime.now(UTC) - timedelta(seconds=age_seconds))

    response = post_signed(client, alexa_signer, launch_request_envelope(timestamp=timestamp))

    assert_refused(response, "Timestamp verification failed")


def test_timestamp_without_time_zone_is_refused(alexa_signer: SigningIdentity) -> None:
    client = verifying_client(alexa_signer)
    zoneless = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")

    response = post_signed(client, alexa_signer, launch_request_envelope(timestamp=zoneless))

    assert_refused(response, "no time zone")


def test_unfetchable_certificate_chain_is_refused(alexa_signer: SigningIdentity) -> None:
    def unreachable_s3(url: str) -> bytes:
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    client = verifying_client(alexa_signer, fetch_certificate_chain=unreachable_s3)

    assert_refused(post_signed(client, alexa_signer), "Unable to fetch the certificate chain")


def test_default_download_failing_is_refused(
    alexa_signer: SigningIdentity, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempted_urls: list[str] = []

    def offline_urlopen(url: str, timeout: float) -> Any:
        attempted_urls.append(url)
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", offline_urlopen)
    app = create_app(skill(), trusted_roots=[alexa_signer.issuer.certificate_pem])

    assert_refused(
        post_signed(app.test_client(), alexa_signer), "Unable to fetch the certificate chain"
    )
    assert attempted_urls == [CERTIFICATE_CHAIN_URL]


@pytest.mark.parametrize("served", [b"", b"not a certificate", b"-----BEGIN CERTIFICATE-----\n"])
def test_certificate_chain_that_is_not_pem_is_refused(
    alexa_signer: SigningIdentity, served: bytes
) -> None:
    client = verifying_client(alexa_signer, fetch_certificate_chain=ChainServer(served))

    assert_refused(post_signed(client, alexa_signer), "Certificate chain")


def test_certificate_from_an_untrusted_root_is_refused(alexa_signer: SigningIdentity) -> None:
    impostor = make_signing_identity(make_certificate_authority("Impostor Root CA"))
    client = verifying_client(
        impostor, trusted_root=alexa_signer.issuer, fetch_certificate_chain=None
    )

    assert_refused(post_signed(client, impostor), "Certificate chain is not valid")


def test_expired_certificate_is_refused(test_root: CertificateAuthority) -> None:
    now = datetime.now(UTC)
    expired = make_signing_identity(
        test_root, not_before=now - timedelta(days=60), not_after=now - timedelta(days=1)
    )
    client = verifying_client(expired)

    assert_refused(post_signed(client, expired), "expired")


@pytest.mark.parametrize("dns_names", [["example.com"], []], ids=["other-name", "no-san"])
def test_certificate_not_naming_echo_api_is_refused(
    test_root: CertificateAuthority, dns_names: list[str]
) -> None:
    signer = make_signing_identity(test_root, dns_names=dns_names)
    client = verifying_client(signer)

    assert_refused(post_signed(client, signer), "echo-api.amazon.com is missing")


def test_signing_certificate_check_covers_its_validity_period(
    test_root: CertificateAuthority,
) -> None:
    now = datetime.now(UTC)
    certificate = make_signing_identity(
        test_root, not_before=now + timedelta(days=1), not_after=now + timedelta(days=2)
    ).certificate

    with pytest.raises(VerificationException, match="expired or not yet valid"):
        check_signing_certificate(certificate, now)
    with pytest.raises(VerificationException, match="expired or not yet valid"):
        check_signing_certificate(certificate, now + timedelta(days=3))
    check_signing_certificate(certificate, now + timedelta(days=1, hours=1))


@pytest.mark.parametrize("verify", [True, False], ids=["verified", "unverified"])
@pytest.mark.parametrize(
    "body",
    [b"not json", b"\xff\xfe{}", b"[1, 2]", b"{}", b'{"request": {"type": "NoSuchRequest"}}'],
)
def test_body_that_is_not_an_alexa_envelope_is_refused(body: bytes, verify: bool) -> None:
    client = create_app(skill(), verify=verify).test_client()

    response = client.post("/", data=body, content_type="application/json")

    assert_refused(response, "envelope")


# Unverified mode and the skill ID


def test_unverified_mode_accepts_an_unsigned_request() -> None:
    client = create_app(skill(), verify=False).test_client()
    body = encode_envelope(launch_request_envelope())

    assert_launch_answered(client.post("/", data=body, content_type="application/json"))


def test_the_sdk_alone_raises_for_another_skill() -> None:
    # Why the web layer checks the ID itself: the SDK's refusal is an exception that
    # flask-ask-sdk would answer with a 500.
    from ask_sdk_model import RequestEnvelope

    our_skill = skill(OUR_SKILL_ID)
    envelope = our_skill.serializer.deserialize(
        json.dumps(launch_request_envelope(application_id=OTHER_SKILL_ID)), RequestEnvelope
    )
    with pytest.raises(AskSdkException, match="Skill ID Verification failed"):
        our_skill.invoke(envelope, None)


@pytest.mark.parametrize("verify", [True, False], ids=["verified", "unverified"])
def test_request_for_another_skill_is_refused(alexa_signer: SigningIdentity, verify: bool) -> None:
    app = create_app(
        skill(OUR_SKILL_ID),
        verify=verify,
        trusted_roots=[alexa_signer.issuer.certificate_pem],
        fetch_certificate_chain=ChainServer(alexa_signer.chain_pem),
    )
    client = app.test_client()

    refused = post_signed(
        client, alexa_signer, launch_request_envelope(application_id=OTHER_SKILL_ID)
    )
    answered = post_signed(client, alexa_signer, launch_request_envelope())

    assert_refused(refused, "another skill")
    assert_launch_answered(answered)


def test_skill_id_from_the_environment_refuses_other_skills(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SKILL_ID", OUR_SKILL_ID)
    monkeypatch.setenv("SI_COACH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TABLE_NAME", raising=False)
    client = create_app(verify=False).test_client()

    def post(application_id: str) -> flask.Response:
        body = encode_envelope(launch_request_envelope(application_id=application_id))
        return client.post("/", data=body, content_type="application/json")

    assert_refused(post(OTHER_SKILL_ID), "another skill")
    assert_launch_answered(post(OUR_SKILL_ID))


def test_skill_failure_is_a_json_500_not_a_refusal() -> None:
    skill_without_handlers = CustomSkillBuilder().create()
    client = create_app(skill_without_handlers, verify=False).test_client()
    body = encode_envelope(launch_request_envelope())

    response = client.post("/", data=body, content_type="application/json")

    assert response.status_code == 500
    assert response.get_json() == {"error": "Exception occurred during skill dispatch"}


def test_other_methods_and_paths_get_json_errors() -> None:
    client = create_app(skill(), verify=False).test_client()

    wrong_method = client.get("/")
    wrong_path = client.post("/skill", data=b"{}")

    assert (wrong_method.status_code, wrong_method.is_json) == (405, True)
    assert (wrong_path.status_code, wrong_path.is_json) == (404, True)


# Command line


def test_arguments_default_to_a_verifying_loopback_service() -> None:
    arguments = parse_arguments([])

    assert (arguments.host, arguments.port, arguments.verify) == ("127.0.0.1", 3000, True)
    assert (arguments.workers, arguments.client_timeout) == (1, CLIENT_TIMEOUT_SECONDS)
    assert arguments.threads == THREADS_PER_WORKER


def test_arguments_set_host_port_workers_timeout_and_no_verify() -> None:
    arguments = parse_arguments(
        [
            *("--host", "0.0.0.0", "--port", "3100"),
            *("--workers", "4", "--client-timeout", "2.5", "--no-verify", "--threads", "3"),
        ]
    )

    assert (arguments.host, arguments.port, arguments.verify) == ("0.0.0.0", 3100, False)
    assert (arguments.workers, arguments.client_timeout, arguments.threads) == (4, 2.5, 3)


@pytest.mark.parametrize(
    ("arguments", "option"),
    [
        (["--port", "three thousand"], "--port"),
        (["--workers", "0"], "--workers"),
        (["--threads", "0"], "--threads"),
    ],
)
def test_bad_numbers_are_usage_errors(
    capsys: pytest.CaptureFixture[str], arguments: list[str], option: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_arguments(arguments)

    assert exit_info.value.code == 2
    assert option in capsys.readouterr().err


@pytest.mark.parametrize("verify", [True, False], ids=["verified", "unverified"])
def test_main_runs_gunicorn_as_asked_and_warns_only_without_verification(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], verify: bool
) -> None:
    served: list[SkillWebService] = []

    def run(service: SkillWebService) -> None:
        served.append(service)

    monkeypatch.setattr(SkillWebService, "run", run)

    main(["--port", "3111", "--workers", "3", *([] if verify else ["--no-verify"])])

    (service,) = served
    assert service.cfg.bind == ["127.0.0.1:3111"]
    assert service.cfg.workers == 3
    assert service.cfg.worker_class is DeadlineThreadWorker
    assert service.cfg.threads == THREADS_PER_WORKER
    assert service.cfg.preload_app is False, "each worker builds its own storage clients"
    assert service.verify is verify
    stderr = capsys.readouterr().err
    if verify:
        assert "VERIFICATION IS OFF" not in stderr
    else:
        assert UNVERIFIED_WARNING in stderr
        assert len(UNVERIFIED_WARNING.splitlines()) >= 4
        assert "REQUEST VERIFICATION IS OFF" in UNVERIFIED_WARNING


def test_each_worker_builds_the_app_it_was_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[bool] = []
    real_create_app = web_service.create_app

    def recording_create_app(*, verify: bool) -> flask.Flask:
        built.append(verify)
        return real_create_app(skill(), verify=verify)

    monkeypatch.setattr(web_service, "create_app", recording_create_app)
    service = SkillWebService(host="127.0.0.1", port=3112, workers=1, verify=False)

    assert isinstance(service.load(), flask.Flask)
    assert built == [False]


def test_a_body_over_the_cap_is_refused_by_the_app_itself() -> None:
    client = create_app(skill(), verify=False).test_client()

    response = client.post("/", data=b"{" + b" " * MAX_REQUEST_BYTES + b"}")

    assert response.status_code == 413
    assert "error" in response.get_json()


# The real server process


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_web_service(arguments: list[str], workdir: Path) -> Iterator[tuple[str, Path]]:
    """Start ``python -m local.web_service`` on a free loopback port; always stop it."""
    port = free_loopback_port()
    stderr_path = workdir / f"web_service_{port}.stderr"
    environment = {
        key: value for key, value in os.environ.items() if key not in ("SKILL_ID", "TABLE_NAME")
    }
    environment |= {
        "PYTHONPATH": f"{REPO_ROOT / 'lambda'}{os.pathsep}{REPO_ROOT}",
        "SI_COACH_DATA_DIR": str(workdir / "data"),
    }
    with stderr_path.open("wb") as stderr_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "local.web_service", "--port", str(port), *arguments],
            cwd=REPO_ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stderr_file,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"web service exited early:\n{stderr_path.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"web service did not listen in time:\n{stderr_path.read_text()}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/", stderr_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def post_json(url: str, body: bytes) -> tuple[int, dict[str, Any]]:
    post = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(post, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def test_server_process_answers_unverified_and_refuses_unsigned_when_verifying(
    tmp_path: Path,
) -> None:
    body = encode_envelope(launch_request_envelope())

    with running_web_service(["--no-verify"], tmp_path) as (url, stderr_path):
        status, answer = post_json(url, body)
        assert status == 200
        assert answer["response"]["outputSpeech"]["type"] == "SSML"
        assert UNVERIFIED_WARNING in stderr_path.read_text()

    with running_web_service([], tmp_path) as (url, stderr_path):
        status, answer = post_json(url, body)
        assert status == 400
        assert "Missing Signature" in answer["error"]
        assert "VERIFICATION IS OFF" not in stderr_path.read_text()
        # An ordinary unsigned request is one line in the log, not a traceback.
        log = stderr_path.read_text()
        assert "Traceback" not in log
        (refusal,) = [line for line in log.splitlines() if "Missing Signature" in line]
        assert "refused a request that failed verification" in refusal


SAMPLE_LAUNCH = REPO_ROOT / "local" / "samples" / "launch.json"


def test_the_sample_envelope_is_answered_without_verification(tmp_path: Path) -> None:
    """The docs' curl line: `make serve ARGS=--no-verify`, then POST local/samples/launch.json."""
    with running_web_service(["--no-verify"], tmp_path) as (url, _):
        status, answer = post_json(url, SAMPLE_LAUNCH.read_bytes())
    assert status == 200
    assert "Welcome to S.I. joint coach." in answer["response"]["outputSpeech"]["ssml"]


# Hostile clients, against the real server (gunicorn, one worker, a short client timeout)

STALL_SECONDS = 1.0


def raw_exchange(url: str, request_head: bytes, *, wait: float = 15.0) -> bytes:
    """Send ``request_head`` (and nothing more), then read until the server closes.

    ``wait`` bounds every read: a server that never answers fails the test, never hangs it.
    """
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    received = b""
    with socket.create_connection((host, int(port)), timeout=wait) as connection:
        connection.sendall(request_head)
        while chunk := connection.recv(65536):
            received += chunk
    return received


def status_of(http_answer: bytes) -> int:
    return int(http_answer.split(b" ", 2)[1])


def post_head(content_length: int) -> bytes:
    return (
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {content_length}\r\n\r\n".encode()
    )


def test_a_body_over_the_cap_is_refused_before_it_is_sent(tmp_path: Path) -> None:
    arguments = ["--no-verify", "--client-timeout", "30"]
    with running_web_service(arguments, tmp_path) as (url, _):
        # Only the head is sent: a server reading the body first would wait for it (30 s
        # here) and then time out; the refusal comes at once, without it.
        answer = raw_exchange(url, post_head(60_000_000), wait=15)

        assert status_of(answer) == 413
        assert b'{"error":' in answer
        status, _ = post_json(url, encode_envelope(launch_request_envelope()))
        assert status == 200


def test_a_client_stalling_in_its_body_gets_a_408_and_frees_the_worker(tmp_path: Path) -> None:
    arguments = ["--no-verify", "--client-timeout", str(STALL_SECONDS)]
    with running_web_service(arguments, tmp_path) as (url, stderr_path):
        answer = raw_exchange(url, post_head(2000) + b'{"version": "1.0", ')

        assert status_of(answer) == 408
        status, _ = post_json(url, encode_envelope(launch_request_envelope()))
        assert status == 200
    assert "Traceback" not in stderr_path.read_text()


def test_a_client_stalling_in_its_headers_is_disconnected(tmp_path: Path) -> None:
    arguments = ["--no-verify", "--client-timeout", str(STALL_SECONDS)]
    with running_web_service(arguments, tmp_path) as (url, stderr_path):
        answer = raw_exchange(url, b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n")

        assert answer == b"", "closed without an answer"
        status, _ = post_json(url, encode_envelope(launch_request_envelope()))
        assert status == 200
    log = stderr_path.read_text()
    assert f"closed a connection whose client did not send its request in {STALL_SECONDS} s" in log
    assert "Traceback" not in log


def test_workers_answer_side_by_side(tmp_path: Path) -> None:
    arguments = ["--no-verify", "--workers", "2", "--client-timeout", "30"]
    with running_web_service(arguments, tmp_path) as (url, stderr_path):
        host, port = url.removeprefix("http://").rstrip("/").split(":")
        # One worker is held by a client that sends half a request and waits; the other
        # still answers. (With a single worker this request would wait 30 s.)
        with socket.create_connection((host, int(port)), timeout=15) as stalled:
            stalled.sendall(post_head(2000))
            status, answer = post_json(url, encode_envelope(launch_request_envelope()))
        assert status == 200
        assert answer["response"]["outputSpeech"]["type"] == "SSML"
    assert stderr_path.read_text().count("Booting worker") >= 2


def test_slow_clients_hold_a_thread_each_never_the_worker(tmp_path: Path) -> None:
    arguments = ["--no-verify", "--workers", "1", "--client-timeout", "30"]
    with running_web_service(arguments, tmp_path) as (url, _):
        host, port = url.removeprefix("http://").rstrip("/").split(":")
        slow = [socket.create_connection((host, int(port)), timeout=15) for _ in range(4)]
        try:
            for connection in slow:
                connection.sendall(post_head(2000) + b'{"version": ')
            # One worker, four clients half-way through their bodies: honest ones still
            # get answers (with one request at a time, each would wait 30 s).
            for _ in range(3):
                status, answer = post_json(url, encode_envelope(launch_request_envelope()))
                assert status == 200
                assert answer["response"]["outputSpeech"]["type"] == "SSML"
        finally:
            for connection in slow:
                connection.close()


def test_a_client_trickling_its_request_is_cut_off_at_one_deadline(tmp_path: Path) -> None:
    # Each byte comes well within the deadline of the one before; the request as a whole
    # does not, and is cut off while the client still has bytes to send.
    arguments = ["--no-verify", "--client-timeout", str(STALL_SECONDS)]
    trickle = 12
    with running_web_service(arguments, tmp_path) as (url, stderr_path):
        host, port = url.removeprefix("http://").rstrip("/").split(":")
        with socket.create_connection((host, int(port)), timeout=15) as connection:
            connection.sendall(post_head(2000))
            sent = 0
            answer = b""
            for _ in range(trickle):
                readable, _, _ = select.select([connection], [], [], STALL_SECONDS / 3)
                if readable:
                    break
                connection.sendall(b" ")
                sent += 1
            while chunk := connection.recv(65536):
                answer += chunk

        assert status_of(answer) == 408
        assert sent < trickle, "cut off before the trickle ended"
        status, _ = post_json(url, encode_envelope(launch_request_envelope()))
        assert status == 200
    assert "Traceback" not in stderr_path.read_text()


def chunked(body: bytes, piece: int = 1000) -> bytes:
    chunks = [body[i : i + piece] for i in range(0, len(body), piece)]
    return b"".join(f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in chunks) + b"0\r\n\r\n"


def chunked_head() -> bytes:
    return (
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )


def test_a_chunked_body_is_read_up_to_the_cap(tmp_path: Path) -> None:
    envelope = encode_envelope(launch_request_envelope())
    with running_web_service(["--no-verify"], tmp_path) as (url, _):
        answered = raw_exchange(url, chunked_head() + chunked(envelope))
        assert status_of(answered) == 200
        assert b'"outputSpeech"' in answered

        padded = envelope[:-1] + b" " * MAX_REQUEST_BYTES + b"}"
        refused = raw_exchange(url, chunked_head() + chunked(padded))
        assert status_of(refused) == 413
        assert b'{"error":' in refused
