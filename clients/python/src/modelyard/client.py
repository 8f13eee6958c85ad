"""The entry point: `Client(url, token)`; everything else hangs off it."""

from __future__ import annotations

import os
from typing import Any, Iterator, cast
from urllib.parse import quote

from . import __version__, _multipart
from ._transport import Transport
from .errors import ConfigurationError, VersionMismatchError
from .models import PersonalAccessToken, Project, ServerVersion, User
from .projects import ProjectResource

# The server versions this client speaks: the same major version (0.x: the same minor).
def _compatible(client: str, server: str) -> bool:
    c = [int(p) for p in client.split(".")[:2]]
    try:
        s = [int(p) for p in server.split("-")[0].split(".")[:2]]
    except ValueError:
        return False
    return c[0] == s[0] and (c[0] != 0 or c[1] == s[1])


def _server_of_tracking_uri(uri: str) -> str:
    """`http://host/api/v4/projects/x/ml/mlflow` (GitLab's shape) and `http://host` both mean `http://host`."""
    marker = uri.find("/api/v4/")
    return uri[:marker] if marker != -1 else uri


class Client:
    """A connection to one Modelyard server with one token.

    `url` and `token` default to `MODELYARD_URL` / `MODELYARD_TOKEN`, then to the MLflow
    client's `MLFLOW_TRACKING_URI` / `MLFLOW_TRACKING_TOKEN`, so a notebook already set up for
    MLflow needs nothing more. Idempotent requests are retried on 429/5xx (`retries`, with
    exponential back-off honouring `Retry-After`); `progress` forces progress bars on or off
    (None: only on a terminal). The server's version is checked on the first call. Package
    files of `multipart_threshold` bytes or more are uploaded in parts of `part_size`, resumably.
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 60.0,
        retries: int = 5,
        backoff: float = 0.5,
        verify: bool | str | None = None,
        progress: bool | None = None,
        check_version: bool = True,
        multipart_threshold: int = _multipart.MULTIPART_THRESHOLD,
        part_size: int = _multipart.PART_SIZE,
    ) -> None:
        tracking = os.environ.get("MLFLOW_TRACKING_URI", "")
        resolved = url or os.environ.get("MODELYARD_URL") or (_server_of_tracking_uri(tracking) if tracking.startswith(("http://", "https://")) else None)
        if not resolved:
            raise ConfigurationError("no server URL: pass Client(url=...) or set MODELYARD_URL (or MLFLOW_TRACKING_URI)")
        self.url = resolved.rstrip("/")
        self.progress = progress
        self.multipart_threshold = multipart_threshold
        self.part_size = part_size
        self._transport = Transport(
            self.url,
            token or os.environ.get("MODELYARD_TOKEN") or os.environ.get("MLFLOW_TRACKING_TOKEN"),
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            verify=verify,
        )
        self._checked = not check_version

    # -- plumbing shared with the resources ------------------------------------------------
    def _http(self) -> Transport:
        if not self._checked:
            self._checked = True
            self.check_server()
        return self._transport

    def check_server(self) -> ServerVersion:
        """The server's version; raises when the URL is not a Modelyard server this client speaks to."""
        response = self._transport.request("GET", "/api/v4/version")
        try:
            answer = cast(ServerVersion, response.json())
        except ValueError:
            answer = cast(ServerVersion, {})
        if not isinstance(answer, dict) or answer.get("product") != "modelyard":
            raise ConfigurationError(f"{self.url} does not answer as a Modelyard server (GET /api/v4/version); is the URL right?")
        if not _compatible(__version__, answer["version"]):
            raise VersionMismatchError(
                f"the server at {self.url} runs Modelyard {answer['version']}, and this client {__version__} speaks only "
                f"{__version__.rsplit('.', 1)[0]}.x: install the client that ships with the server (pip install ./clients/python from its release)"
            )
        return answer

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    # -- the caller and their tokens -------------------------------------------------------
    def whoami(self) -> User:
        return cast(User, self._http().json("GET", "/api/v4/user"))

    def create_personal_token(self, name: str, scopes: list[str], expires_at: str | None = None) -> PersonalAccessToken:
        """A token of the caller's own (shown once: keep `token`)."""
        body: dict[str, Any] = {"name": name, "scopes": scopes}
        if expires_at:
            body["expires_at"] = expires_at
        return cast(PersonalAccessToken, self._http().json("POST", "/api/v4/user/personal_access_tokens", json=body))

    # -- projects -------------------------------------------------------------------------
    def projects(self, *, search: str | None = None, membership: bool | None = None) -> Iterator[Project]:
        params: dict[str, Any] = {}
        if search:
            params["search"] = search
        if membership is not None:
            params["membership"] = str(membership).lower()
        return cast(Iterator[Project], self._http().pages("/api/v4/projects", params))

    def create_project(self, name: str, *, path: str | None = None, description: str | None = None, visibility: str | None = None) -> ProjectResource:
        body: dict[str, Any] = {"name": name}
        for key, value in (("path", path), ("description", description), ("visibility", visibility)):
            if value is not None:
                body[key] = value
        created = cast(Project, self._http().json("POST", "/api/v4/projects", json=body))
        return ProjectResource(self, created["id"], created)

    def project(self, key: int | str) -> ProjectResource:
        """A project by id or path (nothing is fetched until used; `.info()` reads it)."""
        return ProjectResource(self, key if isinstance(key, int) else quote(str(key), safe=""))
