"""Errors the client raises, one class per kind of answer the server gives.

The server answers every refusal with a status and `{"message": ...}` (GitLab's shape); the
status names the kind (src/shared/errors.ts on the server: invalid, unauthenticated,
forbidden, not_found, conflict, too_large, ...), so each kind is a class here and callers can
catch exactly what they expect: `except NotFoundError`.
"""

from __future__ import annotations

from typing import Any, Mapping


class ModelyardError(Exception):
    """Any failure talking to Modelyard."""


class ConfigurationError(ModelyardError):
    """The client lacks what it needs to connect (no URL), or the URL is not a Modelyard server."""


class VersionMismatchError(ConfigurationError):
    """The server's version is outside what this client speaks."""


class ChecksumMismatchError(ModelyardError):
    """A file's SHA-256 after transfer differs from the server's: nothing is kept."""


class JobFailedError(ModelyardError):
    """A watched pipeline or job ended in a state other than success."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status = status


class ImportFailedError(JobFailedError):
    """An import ended `failed` or `canceled`; `job` is the job as it ended (`error` says why)."""

    def __init__(self, message: str, job: Mapping[str, Any]) -> None:
        super().__init__(message, str(job["state"]))
        self.job = job


class ApiError(ModelyardError):
    """The server refused or failed a request; `status` and `message` are its answer."""

    def __init__(self, status: int, message: str, *, method: str, url: str, body: Any = None) -> None:
        super().__init__(f"{method} {url}: {status} {message}")
        self.status = status
        self.message = message
        self.method = method
        self.url = url
        self.body = body


class BadRequestError(ApiError):
    """400: the request was invalid; nothing changed."""


class AuthenticationError(ApiError):
    """401: no token, or a token the server does not accept."""


class PermissionDeniedError(ApiError):
    """403: the token's user, role or scopes may not do this."""


class NotFoundError(ApiError):
    """404: no such thing, or one the caller may not see."""


class ConflictError(ApiError):
    """409: the state does not allow it (it exists already, it is not approved, ...)."""


class PayloadTooLargeError(ApiError):
    """413: the body is over the server's limit."""


class RangeNotSatisfiableError(ApiError):
    """416: a download range past the end of the file."""


class UnprocessableError(ApiError):
    """422: well-formed but not acceptable (GitLab's use of 422)."""


class RateLimitedError(ApiError):
    """429: too many requests; `retry_after` is the server's advice in seconds."""

    retry_after: float | None = None


class ServerError(ApiError):
    """5xx: the server failed; idempotent requests were retried before this was raised."""


class ServiceUnavailableError(ServerError):
    """503: the server (or the environment served) cannot answer now."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: BadRequestError,
    409: ConflictError,
    413: PayloadTooLargeError,
    416: RangeNotSatisfiableError,
    422: UnprocessableError,
    429: RateLimitedError,
    503: ServiceUnavailableError,
}


def error_for(status: int, message: str, *, method: str, url: str, body: Any = None, retry_after: str | None = None) -> ApiError:
    """The error class for a status: the table above, else ServerError for 5xx and ApiError otherwise."""
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    error = cls(status, message, method=method, url=url, body=body)
    if isinstance(error, RateLimitedError) and retry_after:
        try:
            error.retry_after = float(retry_after)
        except ValueError:
            error.retry_after = None
    return error
