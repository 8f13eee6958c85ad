"""Pipelines: the CI file with its lint answer, triggering with variables, jobs, and watching a
pipeline to its end (a canceled one raises JobFailedError with its status)."""

from __future__ import annotations

import io
import threading
import time

import pytest

import modelyard

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
