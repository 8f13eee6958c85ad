"""Generic packages: streamed uploads checked by SHA-256, downloads that resume from a cut,
whole packages, deletion, and progress bars that stay off without a terminal."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

import modelyard

from .conftest import ADMIN_TOKEN, Killed, Server, record_part_puts


def test_files_and_folders_go_up_and_come_back_identical(project: modelyard.projects.ProjectResource, tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    source = tmp_path / "data.bin"
    source.write_bytes(data)
    stored = project.packages.upload("dataset", "1.0.0", source)
    assert not isinstance(stored, list) and stored["size"] == len(data)
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("a")
    (folder / "sub" / "b.txt").write_text("b")
    uploaded = project.packages.upload("dataset", "1.0.0", folder)
    assert sorted(f["file_name"] for f in uploaded) == ["a.txt", "sub__b.txt"]  # type: ignore[union-attr]

    package = next(project.packages.list(package_name="dataset"))
    assert sorted(f["file_name"] for f in project.packages.files(package["id"])) == ["a.txt", "data.bin", "sub__b.txt"]
    back = project.packages.download("dataset", "1.0.0", "data.bin", tmp_path / "back.bin")
    assert back.read_bytes() == data
    everything = project.packages.download_all(package["id"], tmp_path / "all")
    assert sorted(p.name for p in everything) == ["a.txt", "data.bin", "sub__b.txt"]
    project.packages.delete(package["id"])
    with pytest.raises(modelyard.NotFoundError):
        project.packages.get(package["id"])


def test_a_cut_download_resumes_where_it_stopped(server: Server, project: modelyard.projects.ProjectResource, tmp_path: Path) -> None:
    data = os.urandom(2 * 1024 * 1024)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    project.packages.upload("resume", "1", source)
    target = tmp_path / "dl" / "big.bin"
    target.parent.mkdir()
    # What an interrupted earlier download left: the first half, in the .part file.
    (target.parent / "big.bin.part").write_bytes(data[: len(data) // 2])
    ranges: list[str | None] = []
    client = modelyard.Client(server.url, ADMIN_TOKEN, progress=False)
    original = client._transport.request

    def spy(method: str, path: str, **kwargs: object):  # type: ignore[no-untyped-def]
        headers = kwargs.get("headers") or {}
        ranges.append(headers.get("Range") if isinstance(headers, dict) else None)
        return original(method, path, **kwargs)  # type: ignore[arg-type]

    client._transport.request = spy  # type: ignore[method-assign]
    client.project(project.id).packages.download("resume", "1", "big.bin", target)
    assert target.read_bytes() == data
    assert f"bytes={len(data) // 2}-" in ranges
    assert not (target.parent / "big.bin.part").exists()


def test_a_corrupt_partial_file_is_caught_by_the_checksum_and_not_kept(project: modelyard.projects.ProjectResource, tmp_path: Path) -> None:
    source = tmp_path / "f.bin"
    source.write_bytes(b"x" * 100_000)
    project.packages.upload("corrupt", "1", source)
    target = tmp_path / "dl.bin"
    (tmp_path / "dl.bin.part").write_bytes(b"y" * 50_000)
    with pytest.raises(modelyard.ChecksumMismatchError):
        project.packages.download("corrupt", "1", "f.bin", target)
    assert not target.exists() and not (tmp_path / "dl.bin.part").exists()
    assert project.packages.download("corrupt", "1", "f.bin", target).read_bytes() == b"x" * 100_000


def test_progress_bars_show_only_when_asked_or_on_a_terminal(server: Server, project: modelyard.projects.ProjectResource, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "p.bin"
    source.write_bytes(b"z" * 300_000)
    quiet = modelyard.Client(server.url, ADMIN_TOKEN)  # progress=None: stderr here is not a terminal
    quiet.project(project.id).packages.upload("progress", "1", source)
    assert capsys.readouterr().err == ""
    loud = modelyard.Client(server.url, ADMIN_TOKEN, progress=True)
    loud.project(project.id).packages.upload("progress", "1", source, file_name="again.bin")
    assert "p.bin" in capsys.readouterr().err


def test_an_interrupted_multipart_upload_resumes_without_resending_finished_parts(server: Server, project: modelyard.projects.ProjectResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    mib = 1024 * 1024
    data = os.urandom(15 * mib + 321)  # four parts of 5 MiB, the last one short
    source = tmp_path / "weights.bin"
    source.write_bytes(data)
    client = modelyard.Client(server.url, ADMIN_TOKEN, progress=False, multipart_threshold=5 * mib, part_size=5 * mib)
    sent = record_part_puts(client, die_after=2)
    packages = client.project(project.id).packages
    with pytest.raises(Killed):
        packages.upload("big", "1.0.0", source)
    assert sorted(sent) == ["1", "2"]

    # The server kept the two finished parts, and the state file names the upload.
    state = json.loads((tmp_path / "cache" / "modelyard" / "uploads.json").read_text())
    (entry,) = state.values()
    session = server.api("GET", f"/api/v4/projects/{project.id}/packages/uploads/{entry['upload_id']}").json()
    assert [p["part_number"] for p in session["parts"]] == [1, 2]

    sent = record_part_puts(client)
    stored = packages.upload("big", "1.0.0", source)
    assert sorted(sent) == ["3", "4"]
    assert not isinstance(stored, list) and stored["size"] == len(data) and stored["file_sha256"] == hashlib.sha256(data).hexdigest()
    assert json.loads((tmp_path / "cache" / "modelyard" / "uploads.json").read_text()) == {}
    assert packages.download("big", "1.0.0", "weights.bin", tmp_path / "back.bin").read_bytes() == data


def test_a_part_the_server_received_differently_is_sent_again(server: Server, project: modelyard.projects.ProjectResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    mib = 1024 * 1024
    data = os.urandom(12 * mib + 7)
    source = tmp_path / "garbled.bin"
    source.write_bytes(data)
    client = modelyard.Client(server.url, ADMIN_TOKEN, progress=False, multipart_threshold=5 * mib, part_size=5 * mib)
    original = client._transport.request
    sent: list[str] = []

    class Garbled:
        """Part 2's length in other bytes, as a broken proxy might deliver it."""

        def __init__(self, length: int) -> None:
            self.left = length

        def __len__(self) -> int:
            return self.left

        def read(self, _amount: int = -1) -> bytes:
            block, self.left = b"x" * min(mib, self.left), self.left - min(mib, self.left)
            return block

    def garble_part_2_once(method: str, path: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        if method == "PUT" and "/parts/" in path:
            sent.append(path.rsplit("/", 1)[1])
            if sent.count("2") == 1 and path.endswith("/parts/2"):
                reader = kwargs["data"]
                while reader.read():  # the client's reader, drained as a real send would
                    pass
                kwargs["data"] = Garbled(len(reader))
        return original(method, path, **kwargs)

    client._transport.request = garble_part_2_once  # type: ignore[method-assign]
    stored = client.project(project.id).packages.upload("garbled", "1.0.0", source)
    assert sent == ["1", "2", "2", "3"]
    assert not isinstance(stored, list) and stored["file_sha256"] == hashlib.sha256(data).hexdigest()


def test_a_file_the_server_assembled_differently_is_refused_with_a_checksum_error(server: Server, project: modelyard.projects.ProjectResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    mib = 1024 * 1024
    source = tmp_path / "declared.bin"
    source.write_bytes(os.urandom(6 * mib))
    client = modelyard.Client(server.url, ADMIN_TOKEN, progress=False, multipart_threshold=5 * mib, part_size=5 * mib)
    original = client._transport.request

    def declare_another_digest(method: str, path: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        if path.endswith("/complete"):
            kwargs["json"] = {"sha256": hashlib.sha256(b"another file").hexdigest()}
        return original(method, path, **kwargs)

    client._transport.request = declare_another_digest  # type: ignore[method-assign]
    with pytest.raises(modelyard.ChecksumMismatchError):
        client.project(project.id).packages.upload("declared", "1.0.0", source)
    assert json.loads((tmp_path / "cache" / "modelyard" / "uploads.json").read_text()) == {}
