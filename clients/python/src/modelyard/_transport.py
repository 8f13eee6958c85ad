"""HTTP for the client: one session, retries for idempotent requests, the system's trust store.

Retries follow urllib3's `Retry`: connection failures, 429 and 5xx answers are retried with
exponential back-off, honouring `Retry-After`, for GET, HEAD, PUT, DELETE and OPTIONS only:
a POST may have been applied before its answer was lost, so it is never sent twice. Streamed
uploads go through a second session without retries (a consumed stream cannot be resent);
the upload code retries them itself, reopening the file.

Certificates: with `REQUESTS_CA_BUNDLE` / `CURL_CA_BUNDLE` (or `verify=` a path) requests uses
that bundle; otherwise the operating system's trust store (truststore), so a company CA
installed on the machine works without configuration. Proxies come from the environment
(`HTTPS_PROXY`, `NO_PROXY`), as requests reads them.
"""

from __future__ import annotations

import os
import ssl
from typing import Any, Iterator, Mapping

import requests
import truststore
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from . import __version__
from .errors import error_for

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


class _SystemTrustAdapter(HTTPAdapter):
    """Verifies TLS against the operating system's trust store (and any bundle requests adds)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        super().init_poolmanager(*args, **kwargs)  # type: ignore[no-untyped-call]

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        kwargs["ssl_context"] = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return super().proxy_manager_for(proxy, **kwargs)  # type: ignore[no-untyped-call]


def _adapter(retries: int, backoff: float, system_trust: bool) -> HTTPAdapter:
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff,
        status_forcelist=RETRIED_STATUSES,
        allowed_methods=IDEMPOTENT,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    cls = _SystemTrustAdapter if system_trust else HTTPAdapter
    return cls(max_retries=retry, pool_connections=4, pool_maxsize=16)


class Transport:
    """Requests against one server with one token; raises the typed errors of errors.py."""

    def __init__(self, url: str, token: str | None, *, timeout: float, retries: int, backoff: float, verify: bool | str | None) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        bundle_from_env = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        system_trust = verify is None and not bundle_from_env
        headers = {"User-Agent": f"modelyard-python/{__version__}", "Accept": "application/json"}
        if token:
            headers["PRIVATE-TOKEN"] = token
        self.session = self._session(_adapter(retries, backoff, system_trust), headers, verify)
        self.streaming = self._session(_adapter(0, backoff, system_trust), headers, verify)

    @staticmethod
    def _session(adapter: HTTPAdapter, headers: Mapping[str, str], verify: bool | str | None) -> requests.Session:
        session = requests.Session()
        session.headers.update(headers)
        if verify is not None:
            session.verify = verify
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    def absolute(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.url}{path}"

    def request(self, method: str, path: str, *, stream_body: bool = False, ok: tuple[int, ...] = (), **kwargs: Any) -> requests.Response:
        """The answer, or a typed error for a status >= 400 not listed in `ok`."""
        session = self.streaming if stream_body else self.session
        kwargs.setdefault("timeout", self.timeout)
        url = self.absolute(path)
        response = session.request(method, url, **kwargs)
        if response.status_code >= 400 and response.status_code not in ok:
            raise self.error(response, method, url)
        return response

    @staticmethod
    def error(response: requests.Response, method: str, url: str) -> Exception:
        body: Any = None
        message = response.reason or ""
        try:
            body = response.json()
            if isinstance(body, dict):
                message = str(body.get("message") or body.get("error") or message)
        except ValueError:
            text = response.text.strip()
            if text:
                message = text[:500]
        return error_for(response.status_code, message, method=method, url=url, body=body, retry_after=response.headers.get("Retry-After"))

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def pages(self, path: str, params: Mapping[str, Any] | None = None, per_page: int = 100) -> Iterator[Any]:
        """Every item of a GitLab-paginated list, page by page (`X-Next-Page`)."""
        query = {**(params or {}), "per_page": per_page, "page": 1}
        while True:
            response = self.request("GET", path, params=query)
            yield from response.json()
            following = response.headers.get("X-Next-Page", "")
            if not following:
                return
            query["page"] = int(following)

    def close(self) -> None:
        self.session.close()
        self.streaming.close()
