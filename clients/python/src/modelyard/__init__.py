"""Modelyard's Python client: `Client(url, token)`, or `Client()` reading the environment."""

__version__ = "0.1.0"

from .client import Client  # noqa: E402
from .errors import (  # noqa: E402
    ApiError,
    AuthenticationError,
    BadRequestError,
    ChecksumMismatchError,
    ConfigurationError,
    ConflictError,
    ImportFailedError,
    JobFailedError,
    ModelyardError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RangeNotSatisfiableError,
    RateLimitedError,
    ServerError,
    ServiceUnavailableError,
    UnprocessableError,
    VersionMismatchError,
)

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "ChecksumMismatchError",
    "Client",
    "ConfigurationError",
    "ConflictError",
    "ImportFailedError",
    "JobFailedError",
    "ModelyardError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RangeNotSatisfiableError",
    "RateLimitedError",
    "ServerError",
    "ServiceUnavailableError",
    "UnprocessableError",
    "VersionMismatchError",
    "__version__",
]
