"""Imports of models from elsewhere into new registry versions: the Hugging Face Hub (or a mirror)
and a Vertex AI model registry."""

from __future__ import annotations

import time
import builtins
from typing import TYPE_CHECKING, Any, Iterator, Sequence, cast

from . import _files
from .errors import ImportFailedError
from .models import ImportJob

if TYPE_CHECKING:
    from .client import Client

ENDED = frozenset({"succeeded", "failed", "canceled"})


class ImportsResource:
    """`project.imports`: start an import, follow it, cancel it."""

    def __init__(self, client: Client, project_base: str) -> None:
        self._client = client
        self._base = f"{project_base}/ml/imports"

    def from_huggingface(
        self,
        repository: str,
        *,
        model: str,
        revision: str | None = None,
        allow_patterns: Sequence[str] | None = None,
        ignore_patterns: Sequence[str] | None = None,
        token: str | None = None,
    ) -> ImportJob:
        """Queues an import of a Hub repository (`namespace/name`) at `revision` (a branch, tag or
        commit; default main, pinned to its commit now) into a new version of `model`.

        The patterns are globs as huggingface_hub's `allow_patterns`/`ignore_patterns`. `token`
        (for private and gated repositories) is sent once; the server keeps it sealed until the job
        ends and never returns it (`has_credential` says one is held).
        """
        body: dict[str, Any] = {"repository": repository, "model": model}
        if revision is not None:
            body["revision"] = revision
        if allow_patterns:
            body["include"] = list(allow_patterns)
        if ignore_patterns:
            body["exclude"] = list(ignore_patterns)
        if token is not None:
            body["token"] = token
        return cast(ImportJob, self._client._http().json("POST", f"{self._base}/huggingface", json=body))

    def from_vertex(
        self,
        google_project: str,
        location: str,
        vertex_model: str,
        *,
        model: str,
        key: str,
        versions: Sequence[str] | None = None,
        aiplatform_url: str | None = None,
        storage_url: str | None = None,
    ) -> builtins.list[ImportJob]:
        """Queues imports of a Vertex AI model's versions (ids or aliases; default every version),
        one job and one new version of `model` each, with their artifacts copied from Cloud Storage.

        `key` is a service account's JSON key (Vertex AI viewer, Storage object viewer), sent once
        and kept sealed by the server until each job ends. The endpoints default to Google's.
        """
        body: dict[str, Any] = {"google_project": google_project, "location": location, "vertex_model": vertex_model, "model": model, "key": key}
        for field, value in (("versions", list(versions) if versions else None), ("aiplatform_url", aiplatform_url), ("storage_url", storage_url)):
            if value is not None:
                body[field] = value
        return cast(builtins.list[ImportJob], self._client._http().json("POST", f"{self._base}/vertex", json=body))

    def vertex_models(self, google_project: str, location: str, *, key: str, vertex_model: str | None = None, aiplatform_url: str | None = None) -> builtins.list[dict[str, Any]]:
        """The models of a Vertex AI registry, or one model's versions with `vertex_model`, to pick from."""
        body: dict[str, Any] = {"google_project": google_project, "location": location, "key": key}
        for field, value in (("vertex_model", vertex_model), ("aiplatform_url", aiplatform_url)):
            if value is not None:
                body[field] = value
        return cast(builtins.list[dict[str, Any]], self._client._http().json("POST", f"{self._base}/vertex/models", json=body))

    def get(self, import_id: int) -> ImportJob:
        return cast(ImportJob, self._client._http().json("GET", f"{self._base}/{import_id}"))

    def list(self, *, state: str | None = None) -> Iterator[ImportJob]:
        """The project's imports, newest first, every page."""
        return cast(Iterator[ImportJob], self._client._http().pages(self._base, {"state": state} if state else None))

    def cancel(self, import_id: int) -> ImportJob:
        """Stops a queued or running import (ConflictError once it ended or made its version)."""
        return cast(ImportJob, self._client._http().json("POST", f"{self._base}/{import_id}/cancel"))

    def wait(self, import_id: int, *, interval: float = 1.0, timeout: float | None = None, raise_on_failure: bool = True) -> ImportJob:
        """Polls an import to its end with a progress bar (bytes, rate, time left; none without a
        terminal unless the client's `progress` says otherwise).

        Returns the ended job; raises ImportFailedError when it failed or was canceled (unless
        `raise_on_failure` is False) and TimeoutError after `timeout` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        job = self.get(import_id)
        with _files.progress_bar(job["progress"]["bytes_total"], f"import {import_id}", self._client.progress) as bar:
            while True:
                progress = job["progress"]
                bar.update(max(0, progress["bytes_done"] - bar.n))
                bar.set_postfix_str(f"{progress['files_done']}/{progress['files_total']} files, {job['state']}")
                if job["state"] in ENDED:
                    break
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(f"import {import_id} still {job['state']} after {timeout} s")
                time.sleep(interval)
                job = self.get(import_id)
        if raise_on_failure and job["state"] != "succeeded":
            raise ImportFailedError(f"import {import_id} ended {job['state']}" + (f": {job['error']}" if job.get("error") else ""), job)
        return job
