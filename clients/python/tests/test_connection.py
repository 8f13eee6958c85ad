"""Connecting: where the URL and token come from, the version check, typed errors, retries of
idempotent requests only, and TLS verified against a given CA bundle."""

from __future__ import annotations

import http.server
import json
import ssl
import subprocess
import threading
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

import pytest

import modelyard
from modelyard import errors

from .conftest import ADMIN_TOKEN, Server


class StandIn:
    """A tiny HTTP server answering from a script: (status, headers, body) per request, in order."""

    def __init__(self, answers: list[tuple[int, dict[str, str], object]], tls: ssl.SSLContext | None = None) -> None:
        self.answers = answers
        self.requests: list[tuple[str, str]] = []
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                stand_in.requests.append((self.command, self.path))
                status, headers, body = stand_in.answers[min(len(stand_in.requests), len(stand_in.answers)) - 1]
                payload = json.dumps(body).encode()
                self.send_response(status)
                for key, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *_: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()


VERSION = (200, {}, {"version": modelyard.__version__, "product": "modelyard"})


@pytest.fixture()
def stand_in() -> Iterator[Callable[..., StandIn]]:
    made: list[StandIn] = []

    def make(answers: list[tuple[int, dict[str, str], object]], tls: ssl.SSLContext | None = None) -> StandIn:
        made.append(StandIn(answers, tls))
        return made[-1]

    yield make
    for s in made:
        s.close()


def test_url_and_token_come_from_modelyard_variables_then_mlflow_ones(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MODELYARD_URL", "MODELYARD_TOKEN", "MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(modelyard.ConfigurationError, match="MODELYARD_URL"):
        modelyard.Client()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"{server.url}/api/v4/projects/default/ml/mlflow")
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", ADMIN_TOKEN)
    assert modelyard.Client().whoami()["is_admin"] is True
    monkeypatch.setenv("MODELYARD_URL", server.url)
    monkeypatch.setenv("MODELYARD_TOKEN", "not-a-token")
    with pytest.raises(modelyard.AuthenticationError):
        modelyard.Client().whoami()


def test_a_server_that_is_not_modelyard_or_speaks_another_version_is_named_clearly(stand_in: Callable[..., StandIn]) -> None:
    other = stand_in([(200, {}, {"version": "16.0.0"})])
    with pytest.raises(modelyard.ConfigurationError, match="does not answer as a Modelyard server"):
        modelyard.Client(other.url, "t").whoami()
    newer = stand_in([(200, {}, {"version": "7.1.0", "product": "modelyard"})])
    with pytest.raises(modelyard.VersionMismatchError, match="runs Modelyard 7.1.0"):
        modelyard.Client(newer.url, "t").whoami()


def test_refusals_raise_the_error_class_of_their_kind(admin: modelyard.Client, server: Server) -> None:
    with pytest.raises(modelyard.NotFoundError) as missing:
        admin.project(987654).info()
    assert missing.value.status == 404 and "Not Found" in missing.value.message
    reader = server.create_user(scopes=("read_api",))
    with pytest.raises(modelyard.PermissionDeniedError):
        modelyard.Client(server.url, reader.token).create_project("nope")
    with pytest.raises(modelyard.BadRequestError):
        admin.create_project("")
    assert issubclass(errors.ServiceUnavailableError, errors.ServerError)


def test_idempotent_requests_are_retried_with_retry_after_and_posts_never(stand_in: Callable[..., StandIn]) -> None:
    flaky = stand_in([VERSION, (503, {"Retry-After": "0"}, {"message": "busy"}), (429, {"Retry-After": "0"}, {"message": "slow down"}), (200, {}, {"id": 1, "username": "u"})])
    client = modelyard.Client(flaky.url, "t", backoff=0)
    assert client.whoami()["username"] == "u"
    assert [path for _, path in flaky.requests] == ["/api/v4/version"] + ["/api/v4/user"] * 3

    failing = stand_in([VERSION, (503, {"Retry-After": "0"}, {"message": "busy"})])
    client = modelyard.Client(failing.url, "t", backoff=0)
    with pytest.raises(modelyard.ServiceUnavailableError, match="busy"):
        client.create_project("once")
    assert [method for method, _ in failing.requests] == ["GET", "POST"]

    limited = stand_in([VERSION, (429, {"Retry-After": "7"}, {"message": "slow down"})])
    with pytest.raises(modelyard.RateLimitedError) as refused:
        modelyard.Client(limited.url, "t", retries=0).whoami()
    assert refused.value.retry_after == 7.0


def test_tls_is_verified_against_the_system_trust_store_or_the_bundle_in_requests_ca_bundle(stand_in: Callable[..., StandIn], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    secure = stand_in([VERSION, (200, {}, {"id": 1, "username": "tls"})] * 2, tls=context)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with pytest.raises(OSError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        modelyard.Client(secure.url, "t", retries=0).whoami()
    # The operating system's trust store (truststore): OpenSSL's default bundle, which
    # SSL_CERT_FILE names here as a company CA installed on the machine would be found there.
    # requests alone never reads it (certifi's bundle), so success shows the system store in use.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    assert modelyard.Client(secure.url, "t", retries=0).whoami()["username"] == "tls"
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    assert modelyard.Client(secure.url, "t", retries=0).whoami()["username"] == "tls"


def test_streamed_uploads_wait_as_the_server_advises_before_another_try() -> None:
    from modelyard._files import retry_delay
    from modelyard.errors import error_for

    limited = error_for(429, "slow down", method="PUT", url="http://x/parts/1", retry_after="7")
    assert retry_delay(limited, 1) == 7.0
    unavailable = error_for(503, "restarting", method="PUT", url="http://x/parts/1")
    assert [retry_delay(unavailable, attempt) for attempt in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert retry_delay(ConnectionResetError(), 12) == 30.0


class _ForwardingProxy(http.server.BaseHTTPRequestHandler):
    """A plain HTTP proxy: the request line holds the absolute URL, which it fetches and answers."""

    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        type(self).seen.append(self.path)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "proxy-connection", "connection")}
        # Straight to the server: the test's own HTTP_PROXY would send this back here.
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with direct.open(urllib.request.Request(self.path, headers=headers), timeout=30) as answer:
            body = answer.read()
            self.send_response(answer.status)
            for key, value in answer.headers.items():
                if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_requests_go_through_the_proxy_that_the_environment_names(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ForwardingProxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        assert modelyard.Client(server.url, ADMIN_TOKEN, progress=False).whoami()["username"] == "root"
        assert f"{server.url}/api/v4/user" in _ForwardingProxy.seen
    finally:
        proxy.shutdown()
