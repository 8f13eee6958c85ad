"""The package registry: GitLab's generic packages (any file, versioned by name and version)."""

from __future__ import annotations

from pathlib import Path
import builtins
from typing import TYPE_CHECKING, Iterator, cast
from urllib.parse import quote

from . import _files, _multipart
from .errors import ChecksumMismatchError
from .models import Package, PackageFile

if TYPE_CHECKING:
    from .client import Client


class PackagesResource:
    """`project.packages`: list, upload, download and delete packages and their files."""

    def __init__(self, client: Client, project_base: str) -> None:
        self._client = client
        self._base = f"{project_base}/packages"

    def list(self, *, package_type: str | None = None, package_name: str | None = None) -> Iterator[Package]:
        params = {k: v for k, v in {"package_type": package_type, "package_name": package_name}.items() if v is not None}
        return cast(Iterator[Package], self._client._http().pages(self._base, params))

    def get(self, package_id: int) -> Package:
        return cast(Package, self._client._http().json("GET", f"{self._base}/{package_id}"))

    def files(self, package_id: int) -> Iterator[PackageFile]:
        return cast(Iterator[PackageFile], self._client._http().pages(f"{self._base}/{package_id}/package_files"))

    def delete(self, package_id: int) -> None:
        self._client._http().json("DELETE", f"{self._base}/{package_id}")

    def _generic(self, name: str, version: str, file_name: str) -> str:
        return f"{self._base}/generic/{quote(name, safe='')}/{quote(version, safe='')}/{quote(file_name, safe='')}"

    def upload(self, name: str, version: str, path: str | Path, *, file_name: str | None = None) -> PackageFile | builtins.list[PackageFile]:
        """Uploads a file to a generic package (streamed, SHA-256 checked against what the server stored).

        Files of `client.multipart_threshold` bytes or more go up in parts of `client.part_size`,
        each checked by SHA-256, and resume after an interruption: calling upload again with the
        same file and target sends only the parts the server does not have.

        A folder uploads each file in it; generic packages keep flat file names, so a file
        in a subfolder is named with its path's slashes as `__` (`weights/a.bin` → `weights__a.bin`).
        """
        source = Path(path)
        if source.is_dir():
            return [self._upload_file(name, version, f, file_name=f.relative_to(source).as_posix().replace("/", "__")) for f in sorted(p for p in source.rglob("*") if p.is_file())]
        return self._upload_file(name, version, source, file_name=file_name)

    def _upload_file(self, name: str, version: str, source: Path, *, file_name: str | None) -> PackageFile:
        target = file_name or source.name
        path = self._generic(name, version, target)
        if source.stat().st_size >= self._client.multipart_threshold:
            # In parts, resumable: a second call after an interruption sends only the missing parts.
            with _files.progress_bar(source.stat().st_size, source.name, self._client.progress) as bar:
                return cast(PackageFile, _multipart.upload(self._client._http(), self._base, f"{path}/uploads", source, bar=bar, part_size=self._client.part_size))
        answer, digest = _files.upload(self._client._http(), path, source, params={"select": "package_file"}, progress=self._client.progress)
        stored = cast(PackageFile, answer)
        if stored["file_sha256"] != digest:
            raise ChecksumMismatchError(f"{target}: the server stored SHA-256 {stored['file_sha256']}, the file has {digest}")
        return stored

    def download(self, name: str, version: str, file_name: str, destination: str | Path) -> Path:
        """One file into `destination` (a folder or a file path); resumes a cut download; SHA-256 checked."""
        target = _files.destination_for(destination, file_name)
        return _files.download(self._client._http(), self._generic(name, version, file_name), target, progress=self._client.progress)

    def download_all(self, package_id: int, destination: str | Path) -> builtins.list[Path]:
        """Every file of a package into a folder."""
        package = self.get(package_id)
        folder = Path(destination)
        folder.mkdir(parents=True, exist_ok=True)
        paths: builtins.list[Path] = []
        for file in self.files(package_id):
            paths.append(_files.download(self._client._http(), self._generic(package["name"], package["version"], file["file_name"]), folder / file["file_name"], progress=self._client.progress, expected_sha256=file["file_sha256"]))
        return paths

