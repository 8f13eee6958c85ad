"""Streaming file transfers: SHA-256 on the fly, progress bars that vanish without a terminal,
downloads that resume from a partial file, uploads retried by reopening the file."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import IO, Any, Callable

from tqdm.auto import tqdm

from ._transport import RETRIED_STATUSES, Transport
from .errors import ApiError, ChecksumMismatchError, ModelyardError

CHUNK = 1024 * 1024


def retry_delay(error: BaseException, attempt: int) -> float:
    """Seconds before another try of a streamed upload: the server's Retry-After when it gave
    one (a 429), else a doubling back-off from half a second, at most 30 s."""
    advised: object = getattr(error, "retry_after", None)
    if isinstance(advised, (int, float)) and advised >= 0:
        return float(advised)
    return min(30.0, 0.5 * 2.0 ** (attempt - 1))


def progress_bar(total: int | None, description: str, enabled: bool | None) -> tqdm[Any]:
    """tqdm's own rule when `enabled` is None: a bar on a terminal, nothing otherwise (CI logs stay clean)."""
    return tqdm(total=total, desc=description, unit="B", unit_scale=True, unit_divisor=1024, disable=None if enabled is None else not enabled, leave=False)


def destination_for(destination: str | Path, name: str) -> Path:
    """`destination` itself, or `destination/name` when it is a folder (existing, or written with a trailing slash)."""
    text = str(destination)
    target = Path(destination)
    if target.is_dir() or text.endswith(("/", os.sep)):
        return target / name
    return target


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


class _HashingReader:
    """A file as requests streams it: read in large blocks, hashed and counted as it goes."""

    def __init__(self, handle: IO[bytes], size: int, bar: tqdm[Any]) -> None:
        self._handle = handle
        self._size = size
        self._bar = bar
        self.digest = hashlib.sha256()

    def __len__(self) -> int:
        return self._size

    def read(self, amount: int = -1) -> bytes:
        block = self._handle.read(max(amount, CHUNK) if amount != -1 else -1)
        if block:
            self.digest.update(block)
            self._bar.update(len(block))
        return block


def upload(transport: Transport, path: str, source: Path, *, params: dict[str, Any] | None = None, progress: bool | None = None, attempts: int = 4) -> tuple[Any, str]:
    """PUTs a file, streamed; returns the server's JSON answer and the file's SHA-256.

    A connection failure or a 5xx answer is retried with back-off by sending the file again
    from its start (a PUT of the same bytes to the same name is idempotent).
    """
    size = source.stat().st_size
    for attempt in range(1, attempts + 1):
        with source.open("rb") as handle, progress_bar(size, source.name, progress) as bar:
            reader = _HashingReader(handle, size, bar)
            try:
                response = transport.request("PUT", path, stream_body=True, params=params, data=reader, headers={"Content-Type": "application/octet-stream"})
                return (response.json() if response.content else None), reader.digest.hexdigest()
            except (ApiError, OSError) as error:
                retriable = isinstance(error, OSError) or (isinstance(error, ApiError) and error.status in RETRIED_STATUSES)
                if not retriable or attempt == attempts:
                    raise
                time.sleep(retry_delay(error, attempt))
    raise ModelyardError("unreachable")  # pragma: no cover - the loop returns or raises


def download(transport: Transport, path: str, destination: Path, *, progress: bool | None = None, expected_sha256: str | None = None, on_response: Callable[[Any], None] | None = None) -> Path:
    """GETs a file into `destination`, resuming from `destination.part` when an earlier try was cut.

    The server's ETag is the file's SHA-256: the bytes written are checked against it (or
    `expected_sha256`), and a mismatch keeps nothing.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".part")
    have = partial.stat().st_size if partial.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    response = transport.request("GET", path, stream=True, headers=headers, ok=(416,))
    with response:
        if on_response:
            on_response(response)
        etag = response.headers.get("ETag", "").strip('"')
        expected = expected_sha256 or (etag if len(etag) == 64 else None)
        if response.status_code == 416:  # the partial file is complete already (or longer than the file)
            have, mode = 0, "wb"
            response = transport.request("GET", path, stream=True)
        elif response.status_code == 206:
            mode = "ab"
        else:
            have, mode = 0, "wb"
        total = have + int(response.headers.get("Content-Length", "0")) if response.headers.get("Content-Length") else None
        with partial.open(mode) as out, progress_bar(total, destination.name, progress) as bar:
            bar.update(have)
            for block in response.iter_content(CHUNK):
                out.write(block)
                bar.update(len(block))
    actual = sha256_of(partial)
    if expected and actual != expected:
        partial.unlink(missing_ok=True)
        raise ChecksumMismatchError(f"{destination.name}: SHA-256 {actual} does not match the server's {expected}")
    os.replace(partial, destination)
    return destination
