"""CI pipelines: the project's CI file, triggering, watching with a live log, job artifacts."""

from __future__ import annotations

import sys
import time
from pathlib import Path
import builtins
from typing import TYPE_CHECKING, Any, Callable, Iterator, TextIO, cast

from . import _files
from .errors import JobFailedError
from .models import Job, Pipeline

if TYPE_CHECKING:
    from .client import Client

FINISHED = frozenset({"success", "failed", "canceled", "skipped"})


class PipelinesResource:
    """`project.pipelines`."""

    def __init__(self, client: Client, project_base: str) -> None:
        self._client = client
        self._project = project_base

    def ci_config(self) -> dict[str, Any]:
        return cast(dict[str, Any], self._client._http().json("GET", f"{self._project}/ci/config"))

    def set_ci_config(self, content: str) -> dict[str, Any]:
        """Stores `.modelyard-ci.yml`; the answer says whether it is valid and why not."""
        return cast(dict[str, Any], self._client._http().json("PUT", f"{self._project}/ci/config", json={"content": content}))

    def list(self, *, status: str | None = None, ref: str | None = None) -> Iterator[Pipeline]:
        params = {k: v for k, v in {"status": status, "ref": ref}.items() if v is not None}
        return cast(Iterator[Pipeline], self._client._http().pages(f"{self._project}/pipelines", params))

    def trigger(self, ref: str = "main", variables: dict[str, str] | None = None) -> Pipeline:
        body: dict[str, Any] = {"ref": ref}
        if variables:
            body["variables"] = [{"key": k, "value": v} for k, v in variables.items()]
        return cast(Pipeline, self._client._http().json("POST", f"{self._project}/pipeline", json=body))

    def get(self, pipeline_id: int) -> Pipeline:
        return cast(Pipeline, self._client._http().json("GET", f"{self._project}/pipelines/{pipeline_id}"))

    def jobs(self, pipeline_id: int) -> builtins.list[Job]:
        return cast(builtins.list[Job], list(self._client._http().pages(f"{self._project}/pipelines/{pipeline_id}/jobs")))

    def cancel(self, pipeline_id: int) -> Pipeline:
        return cast(Pipeline, self._client._http().json("POST", f"{self._project}/pipelines/{pipeline_id}/cancel"))

    def retry(self, pipeline_id: int) -> Pipeline:
        return cast(Pipeline, self._client._http().json("POST", f"{self._project}/pipelines/{pipeline_id}/retry"))

    def play(self, job_id: int) -> Job:
        """Starts a manual job."""
        return cast(Job, self._client._http().json("POST", f"{self._project}/jobs/{job_id}/play"))

    def trace(self, job_id: int, offset: int = 0) -> bytes:
        """A job's log from byte `offset` on (a Range request: only what is new is sent)."""
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        response = self._client._http().request("GET", f"{self._project}/jobs/{job_id}/trace", headers=headers, ok=(416,))
        return b"" if response.status_code == 416 else response.content

    def download_artifacts(self, job_id: int, destination: str | Path) -> Path:
        """A job's artifacts archive (zip)."""
        target = _files.destination_for(destination, f"job-{job_id}-artifacts.zip")
        return _files.download(self._client._http(), f"{self._project}/jobs/{job_id}/artifacts", target, progress=self._client.progress)

    def watch(self, pipeline_id: int, *, log: TextIO | None = sys.stdout, interval: float = 1.0, timeout: float | None = None, raise_on_failure: bool = True, on_job: Callable[[Job], None] | None = None) -> Pipeline:
        """Follows a pipeline to its end, writing each job's log to `log` as it grows.

        Returns the finished pipeline; raises JobFailedError when it did not succeed (unless
        `raise_on_failure` is False) and TimeoutError after `timeout` seconds.
        """
        offsets: dict[int, int] = {}
        seen: dict[int, str] = {}
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            pipeline = self.get(pipeline_id)
            for job in self.jobs(pipeline_id):
                if seen.get(job["id"]) != job["status"]:
                    seen[job["id"]] = job["status"]
                    if on_job:
                        on_job(job)
                if log is not None and job["status"] not in ("created", "pending", "manual", "skipped"):
                    chunk = self.trace(job["id"], offsets.get(job["id"], 0))
                    if chunk:
                        offsets[job["id"]] = offsets.get(job["id"], 0) + len(chunk)
                        log.write(chunk.decode("utf-8", errors="replace"))
                        log.flush()
            if pipeline["status"] in FINISHED:
                if raise_on_failure and pipeline["status"] != "success":
                    raise JobFailedError(f"pipeline {pipeline_id} ended {pipeline['status']}", pipeline["status"])
                return pipeline
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"pipeline {pipeline_id} still {pipeline['status']} after {timeout} s")
            time.sleep(interval)
