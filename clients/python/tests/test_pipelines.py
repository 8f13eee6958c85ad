"""Pipelines: the CI file with its lint answer, triggering with variables, jobs, and watching a
pipeline to its end (a canceled one raises JobFailedError with its status; a job run over the
runner protocol streams its log into `watch` and leaves artifacts to download)."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from pathlib import Path

import pytest
import requests

import modelyard

from .conftest import Server

CI = """
train:
  stage: build
  script:
    - echo training
"""


def test_ci_file_trigger_jobs_and_watch_to_the_end(project: modelyard.projects.ProjectResource) -> None:
    assert project.pipelines.set_ci_config("train: {script: 1}\n")["valid"] is False
    assert project.pipelines.set_ci_config(CI)["valid"] is True
    assert "echo training" in project.pipelines.ci_config()["content"]
    pipeline = project.pipelines.trigger("main", {"EPOCHS": "3"})
    assert [job["name"] for job in project.pipelines.jobs(pipeline["id"])] == ["train"]
    assert pipeline["id"] in [p["id"] for p in project.pipelines.list()]

    # No runner takes the job here: cancel it from another thread while watching.
    threading.Timer(1.5, lambda: project.pipelines.cancel(pipeline["id"])).start()
    log = io.StringIO()
    seen: list[str] = []
    started = time.monotonic()
    with pytest.raises(modelyard.JobFailedError) as ended:
        project.pipelines.watch(pipeline["id"], log=log, interval=0.3, timeout=60, on_job=lambda job: seen.append(job["status"]))
    assert ended.value.status == "canceled"
    assert seen[0] in ("created", "pending") and seen[-1] == "canceled"
    assert time.monotonic() - started < 60
    assert project.pipelines.watch(pipeline["id"], log=None, raise_on_failure=False)["status"] == "canceled"
    with pytest.raises(TimeoutError):
        second = project.pipelines.trigger("main")
        project.pipelines.watch(second["id"], log=None, interval=0.2, timeout=0.5)


def _run_job_as_a_runner(server: Server, runner_token: str, artifacts: bytes) -> None:
    """What GitLab Runner does with a job, over its protocol: take it, stream its log in two
    pieces, upload its artifacts archive, and report success."""
    job: dict[str, object] | None = None
    for _ in range(200):
        res = server.api("POST", "/api/v4/jobs/request", token=None, json={"token": runner_token, "info": {"version": "test"}})
        if res.status_code == 201:
            job = res.json()
            break
        time.sleep(0.05)
    assert job is not None, "no job to take"
    job_id, job_token = job["id"], job["token"]
    assert server.api("PUT", f"/api/v4/jobs/{job_id}", token=None, json={"token": job_token, "state": "running"}).status_code == 200
    sent = 0
    for piece in (b"$ python train.py\n", b"epoch 1 loss 0.42\n"):
        headers = {"JOB-TOKEN": str(job_token), "Content-Type": "text/plain", "Content-Range": f"{sent}-{sent + len(piece) - 1}"}
        assert requests.patch(f"{server.url}/api/v4/jobs/{job_id}/trace", data=piece, headers=headers, timeout=30).status_code == 202
        sent += len(piece)
        time.sleep(0.6)  # the watcher reads the log while the job still runs
    uploaded = requests.post(
        f"{server.url}/api/v4/jobs/{job_id}/artifacts",
        headers={"JOB-TOKEN": str(job_token)},
        params={"artifact_type": "archive", "artifact_format": "zip"},
        files={"file": ("artifacts.zip", artifacts)},
        timeout=30,
    )
    assert uploaded.status_code == 201, uploaded.text
    assert server.api("PUT", f"/api/v4/jobs/{job_id}", token=None, json={"token": job_token, "state": "success"}).status_code == 200


def test_watch_streams_a_running_jobs_log_and_its_artifacts_download(server: Server, project: modelyard.projects.ProjectResource, tmp_path: Path) -> None:
    project.pipelines.set_ci_config(CI)
    runner = server.api("POST", "/api/v4/user/runners", json={"runner_type": "project_type", "project_id": project.info()["id"], "description": "pytest", "run_untagged": True})
    assert runner.status_code == 201, runner.text
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("metrics.json", '{"loss": 0.42}')
    pipeline = project.pipelines.trigger("main")
    worker = threading.Thread(target=_run_job_as_a_runner, args=(server, runner.json()["token"], archive.getvalue()))
    worker.start()
    log = io.StringIO()
    finished = project.pipelines.watch(pipeline["id"], log=log, interval=0.2, timeout=60)
    worker.join()
    assert finished["status"] == "success"
    assert log.getvalue() == "$ python train.py\nepoch 1 loss 0.42\n"
    job = project.pipelines.jobs(pipeline["id"])[0]
    assert project.pipelines.trace(job["id"]) == b"$ python train.py\nepoch 1 loss 0.42\n"
    assert project.pipelines.trace(job["id"], offset=18) == b"epoch 1 loss 0.42\n"
    saved = project.pipelines.download_artifacts(job["id"], tmp_path)
    with zipfile.ZipFile(saved) as zipped:
        assert zipped.read("metrics.json") == b'{"loss": 0.42}'
