"""Resumable multipart uploads of package files (the server's `.../uploads` API).

The file is read once, part after part in order, in blocks of BLOCK bytes: each block feeds the
whole file's SHA-256, the part's CRC-32 and the socket. A reading thread hashes up to
READ_AHEAD blocks ahead of the socket, so hashing overlaps sending and memory stays at a few
MiB whatever the file's size (hashlib, zlib and the socket let go of the GIL). The server
answers each part with the CRC-32 of what it received: a part that differs from what was read
is sent again. The whole file's SHA-256 is declared at completion, and the server refuses the
file if its own differs (ChecksumMismatchError). Sent in order, the parts let the server hash the
file as it arrives too, instead of reading it again at completion.
The upload's id and the file's fingerprint (size and modification time) are kept in a small
state file in the user's cache folder: calling upload again on the same file and target after
an interruption (a crash, a cut connection, Ctrl-C) asks the server which parts it has and
sends only the others (the finished ones are read again, to hash the file and to compare each
with the SHA-256 the server lists for it).
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import threading
import time
import zlib
from pathlib import Path
from typing import IO, Any, Iterator

from tqdm.auto import tqdm

from ._files import retry_delay
from ._transport import RETRIED_STATUSES, Transport
from .errors import ApiError, BadRequestError, ChecksumMismatchError, NotFoundError

MIB: int = 1024 * 1024
#: Files of at least this many bytes go up in parts.
MULTIPART_THRESHOLD: int = 64 * MIB
#: Bytes per part (the server takes 5 MiB to 5 GiB, at most 10,000 parts). Each part is a request,
#: a database row and a flush on the server: 128 MiB halves those of 64 MiB, and an interrupted
#: part costs at most this much to send again.
PART_SIZE: int = 128 * MIB
BLOCK = MIB
#: Blocks read and hashed ahead of the socket: enough to keep it busy while the next one is hashed.
READ_AHEAD = 4


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


class _HashingPartReader:
    """One part of the file as requests streams it (its length announced), read by a thread of
    its own that feeds each block to the whole file's SHA-256 and the part's CRC-32 first."""

    def __init__(self, handle: IO[bytes], offset: int, length: int, whole: Any, bar: tqdm[Any]) -> None:
        self._length = length
        self._bar = bar
        self._blocks: queue.Queue[bytes | BaseException | None] = queue.Queue(READ_AHEAD)
        self._stopped = threading.Event()
        self.crc32 = 0
        self.sent = 0
        self._thread = threading.Thread(target=self._read, args=(handle, offset, length, whole), name="modelyard-part-reader", daemon=True)
        self._thread.start()

    def _read(self, handle: IO[bytes], offset: int, length: int, whole: Any) -> None:
        item: bytes | BaseException | None = None
        try:
            for block in _blocks(handle, offset, length):
                whole.update(block)
                self.crc32 = zlib.crc32(block, self.crc32)
                if not self._put(block):
                    return
        except BaseException as error:  # handed to the sending thread, which raises it
            item = error
        self._put(item)

    def _put(self, item: bytes | BaseException | None) -> bool:
        while not self._stopped.is_set():
            try:
                self._blocks.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __len__(self) -> int:
        return self._length

    def read(self, _amount: int = -1) -> bytes:
        if self.sent >= self._length:
            return b""
        item = self._blocks.get()
        if isinstance(item, BaseException):
            raise item
        if item is None:
            return b""
        self.sent += len(item)
        self._bar.update(len(item))
        return item

    def close(self) -> None:
        """Stops the reading thread (a failed send leaves it waiting on a full queue)."""
        self._stopped.set()
        self._thread.join()

    def checksum(self) -> str:
        """The part's CRC-32 as the server writes it; the whole part has been read by now."""
        self._thread.join()
        return f"{self.crc32:08x}"


def _send_part(transport: Transport, url: str, handle: IO[bytes], offset: int, length: int, whole: Any, bar: tqdm[Any], attempts: int) -> Any:
    """PUTs one part and checks the CRC-32 the server answers; again after a failure or a
    difference (the part's bytes taken back out of `whole` and the progress bar). Returns the
    whole file's SHA-256 state with the part in it."""
    for attempt in range(1, attempts + 1):
        hashed = whole.copy()
        reader = _HashingPartReader(handle, offset, length, hashed, bar)
        try:
            headers = {"Content-Type": "application/octet-stream"}
            answer = transport.request("PUT", url, stream_body=True, data=reader, headers=headers).json()
            if answer.get("crc32") == reader.checksum():
                return hashed
            problem: BaseException = ChecksumMismatchError(f"the server received part {url.rsplit('/', 1)[1]} with CRC-32 {answer.get('crc32')}, not {reader.checksum()}")
        except (ApiError, OSError) as error:
            retriable = isinstance(error, OSError) or (isinstance(error, ApiError) and error.status in RETRIED_STATUSES)
            if not retriable:
                raise
            problem = error
        finally:
            reader.close()
        bar.update(-reader.sent)
        if attempt == attempts:
            raise problem
        time.sleep(retry_delay(problem, attempt))
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
    with source.open("rb") as handle:
        for number in range(1, session["part_count"] + 1):
            offset = (number - 1) * session["part_size"]
            length = min(session["part_size"], stat.st_size - offset)
            if number in received:
                # A resumed upload: the part the server has is read (for the whole file's
                # SHA-256) and kept if it is the file's.
                before = whole.copy()
                part = hashlib.sha256()
                for block in _blocks(handle, offset, length):
                    part.update(block)
                    whole.update(block)
                if part.hexdigest() == received[number]:
                    bar.update(length)
                    continue
                whole = before
            whole = _send_part(transport, f"{base}/parts/{number}", handle, offset, length, whole, bar, attempts)
    try:
        stored = transport.json("POST", f"{base}/complete", json={"sha256": whole.hexdigest()})
    except ApiError as error:
        if error.status < 500:
            _remember(key, None)
        if isinstance(error, BadRequestError):
            # The one refusal of a completion with a SHA-256: the file the server assembled is not this one.
            raise ChecksumMismatchError(f"the server refused the uploaded file: {error}") from error
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
