"""The model registry: models, versions (semantic versions, aliases, labels, approvals, cards,
lineage, evaluations) and each version's files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, cast
from urllib.parse import quote

from . import _files, _multipart
from .errors import ChecksumMismatchError, NotFoundError
from .models import ApprovalRequest, Evaluation, Lineage, ModelVersion, PackageFile, RegisteredModel

if TYPE_CHECKING:
    from .client import Client


class ModelsResource:
    """`project.models`: the project's registered models."""

    def __init__(self, client: Client, project_base: str) -> None:
        self._client = client
        self._base = f"{project_base}/ml/models"
        self._project_base = project_base

    def list(self, *, search: str | None = None) -> Iterator[RegisteredModel]:
        return cast(Iterator[RegisteredModel], self._client._http().pages(self._base, {"search": search} if search else None))

    def create(self, name: str, *, description: str | None = None, card: dict[str, Any] | None = None) -> ModelResource:
        body: dict[str, Any] = {"name": name}
        if description is not None:
            body["description"] = description
        if card is not None:
            body["card"] = card
        created = cast(RegisteredModel, self._client._http().json("POST", self._base, json=body))
        return ModelResource(self._client, self._project_base, created)

    def get(self, name_or_id: str | int) -> ModelResource:
        """A model by id, or by its exact name."""
        if isinstance(name_or_id, int):
            return ModelResource(self._client, self._project_base, cast(RegisteredModel, self._client._http().json("GET", f"{self._base}/{name_or_id}")))
        for model in self.list(search=name_or_id):
            if model["name"] == name_or_id:
                return ModelResource(self._client, self._project_base, model)
        raise NotFoundError(404, f"no model named {name_or_id!r}", method="GET", url=self._client._transport.absolute(self._base))


class ModelResource:
    """One registered model and its versions."""

    def __init__(self, client: Client, project_base: str, info: RegisteredModel) -> None:
        self._client = client
        self._project_base = project_base
        self.info = info
        self.id = info["id"]
        self.name = info["name"]
        self._base = f"{project_base}/ml/models/{self.id}"

    def __repr__(self) -> str:
        return f"<Model {self.name!r} #{self.id}>"

    def refresh(self) -> RegisteredModel:
        self.info = cast(RegisteredModel, self._client._http().json("GET", self._base))
        return self.info

    def update(self, **fields: Any) -> RegisteredModel:
        """name, description, card."""
        self.info = cast(RegisteredModel, self._client._http().json("PUT", self._base, json=fields))
        return self.info

    def delete(self, *, force: bool = False) -> None:
        self._client._http().json("DELETE", self._base, params={"force": "true"} if force else None)

    def add_label(self, label: str) -> RegisteredModel:
        self.info = cast(RegisteredModel, self._client._http().json("POST", f"{self._base}/labels", json={"label": label}))
        return self.info

    def remove_label(self, label: str) -> None:
        self._client._http().json("DELETE", f"{self._base}/labels/{quote(label, safe='')}")

    def set_alias(self, alias: str, version: int) -> RegisteredModel:
        self.info = cast(RegisteredModel, self._client._http().json("PUT", f"{self._base}/aliases/{quote(alias, safe='')}", json={"version": version}))
        return self.info

    def delete_alias(self, alias: str) -> None:
        self._client._http().json("DELETE", f"{self._base}/aliases/{quote(alias, safe='')}")

    def versions(self) -> Iterator[ModelVersion]:
        return cast(Iterator[ModelVersion], self._client._http().pages(f"{self._base}/versions"))

    def create_version(self, *, semver: str | None = None, source: str | None = None, run_id: str | None = None, description: str | None = None, tags: dict[str, str] | None = None) -> VersionResource:
        body = {k: v for k, v in {"semver": semver, "source": source, "run_id": run_id, "description": description, "tags": tags}.items() if v is not None}
        created = cast(ModelVersion, self._client._http().json("POST", f"{self._base}/versions", json=body))
        return VersionResource(self._client, self._project_base, self._base, created)

    def version(self, ref: int | str) -> VersionResource:
        """A version by number (3), semantic version ("1.4.2") or alias ("champion")."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            number = int(ref)
        else:
            aliases = {a["alias"]: a["version"] for a in self.refresh()["aliases"]}
            if ref in aliases:
                number = aliases[ref]
            else:
                match = next((v for v in self.versions() if v["semver"] == ref), None)
                if match is None:
                    raise NotFoundError(404, f"{self.name} has no version, semantic version or alias {ref!r}", method="GET", url=self._client._transport.absolute(f"{self._base}/versions"))
                number = match["version"]
        info = cast(ModelVersion, self._client._http().json("GET", f"{self._base}/versions/{number}"))
        return VersionResource(self._client, self._project_base, self._base, info)


class VersionResource:
    """One version: its card, labels, approvals, lineage, evaluations and files."""

    def __init__(self, client: Client, project_base: str, model_base: str, info: ModelVersion) -> None:
        self._client = client
        self._project_base = project_base
        self.info = info
        self.number = info["version"]
        self.semver = info["semver"]
        self._base = f"{model_base}/versions/{self.number}"
        self._files = f"{project_base}/packages/ml_models/{info['id']}/files"

    def __repr__(self) -> str:
        return f"<Version {self.info['model_name']} {self.number} ({self.semver})>"

    def _set(self, answer: Any) -> ModelVersion:
        self.info = cast(ModelVersion, answer)
        return self.info

    def refresh(self) -> ModelVersion:
        return self._set(self._client._http().json("GET", self._base))

    def update(self, *, description: str | None = None, card: dict[str, Any] | None = None) -> ModelVersion:
        body = {k: v for k, v in {"description": description, "card": card}.items() if v is not None}
        return self._set(self._client._http().json("PUT", self._base, json=body))

    def delete(self) -> None:
        self._client._http().json("DELETE", self._base)

    def fill_card(self) -> ModelVersion:
        """Fills the card's empty fields from the version's run, signature and evaluations."""
        return self._set(self._client._http().json("POST", f"{self._base}/card/fill"))

    def add_label(self, label: str) -> ModelVersion:
        return self._set(self._client._http().json("POST", f"{self._base}/labels", json={"label": label}))

    def remove_label(self, label: str) -> None:
        self._client._http().json("DELETE", f"{self._base}/labels/{quote(label, safe='')}")

    def request_approval(self, comment: str | None = None) -> list[ApprovalRequest]:
        return cast(list[ApprovalRequest], self._client._http().json("POST", f"{self._base}/approval_requests", json={"comment": comment} if comment else {}))

    def approve(self, comment: str | None = None) -> ModelVersion:
        return self._set(self._client._http().json("POST", f"{self._base}/approve", json={"comment": comment} if comment else {}))

    def reject(self, comment: str | None = None) -> ModelVersion:
        return self._set(self._client._http().json("POST", f"{self._base}/reject", json={"comment": comment} if comment else {}))

    def approvals(self) -> list[ApprovalRequest]:
        return cast(list[ApprovalRequest], self._client._http().json("GET", f"{self._base}/approvals"))

    def lineage(self) -> Lineage:
        return cast(Lineage, self._client._http().json("GET", f"{self._base}/lineage"))

    def evaluations(self) -> list[Evaluation]:
        return cast(list[Evaluation], self._client._http().json("GET", f"{self._base}/evaluations"))

    def add_evaluation(self, metrics: dict[str, float], *, dataset: str | None = None, passed: bool | None = None, thresholds: list[str] | None = None) -> Evaluation:
        body: dict[str, Any] = {"metrics": metrics}
        for key, value in (("dataset", dataset), ("passed", passed), ("thresholds", thresholds)):
            if value is not None:
                body[key] = value
        return cast(Evaluation, self._client._http().json("POST", f"{self._base}/evaluations", json=body))

    # -- files ----------------------------------------------------------------------------------
    def upload(self, path: str | Path, *, name: str | None = None) -> PackageFile:
        """Uploads a file (streamed, SHA-256 checked against the server's); a folder uploads every file in it, keeping relative paths.

        Files of `client.multipart_threshold` bytes or more go up in parts of `client.part_size`,
        each checked by SHA-256, and resume after an interruption: calling upload again with the
        same file and name sends only the parts the server does not have.
        """
        source = Path(path)
        if source.is_dir():
            last: PackageFile | None = None
            for file in sorted(p for p in source.rglob("*") if p.is_file()):
                last = self.upload(file, name=(f"{name}/" if name else "") + file.relative_to(source).as_posix())
            if last is None:
                raise ValueError(f"{source} holds no files")
            return last
        target = name or source.name
        size = source.stat().st_size
        if size >= self._client.multipart_threshold:
            ml_models = f"{self._project_base}/packages/ml_models"
            with _files.progress_bar(size, source.name, self._client.progress) as bar:
                create = f"{ml_models}/{self.info['id']}/uploads"
                return cast(PackageFile, _multipart.upload(self._client._http(), ml_models, create, source, bar=bar, part_size=self._client.part_size, body={"file_name": target}))
        answer, digest = _files.upload(self._client._http(), f"{self._files}/{quote(target)}", source, progress=self._client.progress)
        stored = cast(PackageFile, answer)
        if stored and stored.get("file_sha256") and stored["file_sha256"] != digest:
            raise ChecksumMismatchError(f"{target}: the server stored SHA-256 {stored['file_sha256']}, the file has {digest}")
        return stored

    def download(self, name: str, destination: str | Path) -> Path:
        """One file of the version into `destination` (a folder or a file path), SHA-256 checked."""
        target = _files.destination_for(destination, Path(name).name)
        return _files.download(self._client._http(), f"{self._files}/{quote(name)}", target, progress=self._client.progress)

    def download_archive(self, destination: str | Path) -> Path:
        """The version's files as one .tar.gz."""
        target = _files.destination_for(destination, f"{self.info['model_name']}-{self.semver}.tar.gz")
        return _files.download(self._client._http(), f"{self._base}/archive", target, progress=self._client.progress)
