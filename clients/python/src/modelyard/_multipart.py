"""Resumable multipart uploads of package files (the server's `.../uploads` API).

A file is sent in parts, each with its own SHA-256; the whole file's SHA-256 is computed on the
way and declared at completion. The file is read once for hashing and once for sending, part by
part, and the two overlap: while up to IN_FLIGHT parts are being sent (each on a thread of its
own, reading the file in blocks), the next part is hashed. Memory stays at a few blocks,
whatever the file's size; hashlib and the socket let go of the GIL, so the threads do run together.
The upload's id and the file's fingerprint (size and modification time) are kept in a small
state file in the user's cache folder: calling upload again on the same file and target after
an interruption (a crash, a cut connection, Ctrl-C) asks the server which parts it has and
sends only the others.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, Iterator

from tqdm.auto import tqdm

from ._transport import RETRIED_STATUSES, Transport
from .errors import ApiError, ChecksumMismatchError, NotFoundError

MIB: int = 1024 * 1024
#: Files of at least this many bytes go up in parts.
MULTIPART_THRESHOLD: int = 64 * MIB
#: Bytes per part (the server takes 5 MiB to 5 GiB, at most 10,000 parts).
PART_SIZE: int = 64 * MIB
BLOCK = MIB
#: Parts sent at once: one part's answer (the server flushes it to the disk) no longer leaves
#: the connection idle, and the next part's hashing overlaps the sending.
IN_FLIGHT = 2


def state_path() -> Path:
    """Where unfinished uploads are remembered: `$XDG_CACHE_HOME/modelyard/uploads.json` (`~/.cache/...`)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "modelyard" / "uploads.json"


def _load_state() -> dict[str, dict[str, Any]]:
    try:
        loaded = json.loads(state_path().read_text())
        return loaded if isinstance(loaded, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_state(state: dict[str, dict[str, Any]]) -> None:
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(state, indent=1))
    os.replace(temporary, path)


def _remember(key: str, entry: dict[str, Any] | None) -> None:
    state = _load_state()
    if entry is None:
        state.pop(key, None)
    else:
        state[key] = entry
    _save_state(state)


def _blocks(handle: IO[bytes], offset: int, length: int) -> Iterator[bytes]:
    handle.seek(offset)
    left = length
    while left > 0:
        block = handle.read(min(BLOCK, left))
        if not block:
            raise ChecksumMismatchError("the file got shorter while it was being uploaded")
        left -= len(block)
        yield block


class _PartReader:
    """One part of the file, as requests streams it, with its length announced."""

    def __init__(self, handle: IO[bytes], offset: int, length: int, bar: tqdm[Any]) -> None:
        self._blocks = _blocks(handle, offset, length)
        self._length = length
        self._bar = bar
        self.sent = 0

    def __len__(self) -> int:
        return self._length

    def read(self, _amount: int = -1) -> bytes:
        block = next(self._blocks, b"")
        self.sent += len(block)
        self._bar.update(len(block))
        return block


def _send_part(transport: Transport, url: str, source: Path, offset: int, length: int, digest: str, bar: tqdm[Any], attempts: int) -> None:
    """PUTs one part from its own handle on the file, again after a failure (progress taken back)."""
    with source.open("rb") as handle:
        reader: _PartReader | None = None

        def send() -> Any:
            nonlocal reader
            if reader is not None:
                bar.update(-reader.sent)
            reader = _PartReader(handle, offset, length, bar)
            headers = {"Content-Type": "application/octet-stream", "X-Content-SHA256": digest}
            return transport.request("PUT", url, stream_body=True, data=reader, headers=headers)

        _retrying(attempts, send)


def _retrying(attempts: int, send: Any) -> Any:
    """`send()`, again after a connection failure or a 5xx/429 (a part PUT is idempotent)."""
    for attempt in range(1, attempts + 1):
        try:
            return send()
        except (ApiError, OSError) as error:
            retriable = isinstance(error, OSError) or (isinstance(error, ApiError) and error.status in RETRIED_STATUSES)
            if not retriable or attempt == attempts:
                raise
            time.sleep(min(30.0, 0.5 * 2 ** (attempt - 1)))
    raise AssertionError("unreachable")  # pragma: no cover


def upload(
    transport: Transport, packages_base: str, create_path: str, source: Path, *, bar: tqdm[Any], part_size: int = PART_SIZE, attempts: int = 4, body: dict[str, Any] | None = None
) -> Any:
    """Uploads `source` in parts (a session made at `create_path`, then `packages_base/uploads/...`),
    resuming an earlier try at the same file and target; returns the stored file."""
    stat = source.stat()
    key = f"{transport.url}{create_path} {source.resolve()}"
    fingerprint = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    uploads = f"{packages_base}/uploads"
    session = _resumable(transport, uploads, key, fingerprint)
    if session is None:
        session = transport.json("POST", create_path, json={"size": stat.st_size, "part_size": part_size, **(body or {})})
        _remember(key, {"upload_id": session["id"], **fingerprint})
    received = {p["part_number"]: p["sha256"] for p in session["parts"]}
    base = f"{uploads}/{session['id']}"
    whole = hashlib.sha256()
    sending: deque[Future[None]] = deque()
    with source.open("rb") as handle, ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="modelyard-part") as senders:
        try:
            for number in range(1, session["part_count"] + 1):
                offset = (number - 1) * session["part_size"]
                length = min(session["part_size"], stat.st_size - offset)
                part = hashlib.sha256()
                for block in _blocks(handle, offset, length):
                    part.update(block)
                    whole.update(block)
                digest = part.hexdigest()
                if received.get(number) == digest:
                    bar.update(length)
                    continue
                while len(sending) >= IN_FLIGHT:
                    sending.popleft().result()
                sending.append(senders.submit(_send_part, transport, f"{base}/parts/{number}", source, offset, length, digest, bar, attempts))
            while sending:
                sending.popleft().result()
        finally:
            for waiting in sending:
                waiting.cancel()
    try:
        stored = transport.json("POST", f"{base}/complete", json={"sha256": whole.hexdigest()})
    except ApiError as error:
        if error.status < 500:
            _remember(key, None)
        raise
    _remember(key, None)
    return stored


def _resumable(transport: Transport, uploads: str, key: str, fingerprint: dict[str, int]) -> Any:
    """The server's session for an earlier try at the same file, if the file has not changed since.

    A changed file makes the earlier parts useless: that upload is aborted and a new one begins."""
    entry = _load_state().get(key)
    if not entry:
        return None
    session = f"{uploads}/{entry['upload_id']}"
    try:
        if all(entry.get(k) == v for k, v in fingerprint.items()):
            return transport.json("GET", session)
        transport.request("DELETE", session)
    except NotFoundError:
        pass
    _remember(key, None)
    return None
