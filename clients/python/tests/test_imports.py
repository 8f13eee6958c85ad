"""`project.imports`: a Hugging Face import started, listed, followed to its end with `wait()`,
canceled, and a failed one raised as ImportFailedError, against the Hub stand-in."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import modelyard
from modelyard.projects import ProjectResource

from .conftest import HUB_TOKEN, Hub, Server


def test_an_import_runs_to_a_version_followed_by_wait(project: ProjectResource, hub: Hub, tmp_path: Path) -> None:
    job = project.imports.from_huggingface("acme/tiny", model="tiny", revision="main", allow_patterns=["*.json", "*.safetensors", "README.md"], ignore_patterns=["onnx/"])
    assert job["state"] in ("queued", "running", "succeeded")
    assert job["source"]["commit"] == hub.commits["acme/tiny"]
    assert job["source"]["include"] == ["*.json", "*.safetensors", "README.md"]
    assert job["progress"]["files_total"] == 3
    ended = project.imports.wait(job["id"], interval=0.2, timeout=120)
    assert ended["state"] == "succeeded"
    assert ended["progress"]["bytes_done"] == ended["progress"]["bytes_total"]
    version = next(v for v in project.models.get("tiny").versions() if v["id"] == ended["version_id"])
    assert "license::mit" in version["labels"]
    downloaded = project.models.get("tiny").version(version["version"]).download("config.json", tmp_path)
    assert downloaded.read_text() == '{"hidden_size": 8}'
    # A re-import of the same commit answers the same version at once.
    again = project.imports.from_huggingface("acme/tiny", model="tiny", allow_patterns=["*.json", "*.safetensors", "README.md"], ignore_patterns=["onnx/"])
    assert again["state"] == "succeeded" and again["version_id"] == ended["version_id"]


def test_list_follows_every_page_newest_first(project: ProjectResource) -> None:
    made = [project.imports.from_huggingface("acme/tiny", model=f"listed-{n}", allow_patterns=["config.json"])["id"] for n in range(3)]
    listed = list(project.imports._client._http().pages(f"{project.base}/ml/imports", per_page=2))
    assert [j["id"] for j in listed][:3] == sorted(made, reverse=True)
    assert [j["id"] for j in project.imports.list()][:3] == sorted(made, reverse=True)
    for job_id in made:
        project.imports.wait(job_id, interval=0.2, timeout=120)
    assert {j["id"] for j in project.imports.list(state="succeeded")} >= set(made)


def test_a_token_is_sent_and_never_echoed(project: ProjectResource) -> None:
    with pytest.raises(modelyard.NotFoundError):
        project.imports.from_huggingface("acme/private", model="private")
    job = project.imports.from_huggingface("acme/private", model="private", token=HUB_TOKEN)
    assert HUB_TOKEN not in repr(job)
    assert "token" not in job
    ended = project.imports.wait(job["id"], interval=0.2, timeout=120)
    assert ended["state"] == "succeeded" and ended["has_credential"] is False
    assert HUB_TOKEN not in repr(ended)


def test_wait_raises_the_typed_error_when_the_import_fails(project: ProjectResource) -> None:
    job = project.imports.from_huggingface("acme/lying", model="lying")
    with pytest.raises(modelyard.ImportFailedError) as raised:
        project.imports.wait(job["id"], interval=0.2, timeout=60)
    assert isinstance(raised.value, modelyard.JobFailedError)
    assert raised.value.status == "failed" and raised.value.job["id"] == job["id"]
    assert "SHA-256" in str(raised.value)
    assert project.imports.wait(job["id"], raise_on_failure=False)["state"] == "failed"
    # An ended import cannot be canceled.
    with pytest.raises(modelyard.ConflictError):
        project.imports.cancel(job["id"])


def test_the_progress_bar_shows_bytes_rate_and_files_when_asked(server: Server, project: ProjectResource, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = modelyard.Client(server.url, project._client._transport.session.headers["PRIVATE-TOKEN"], progress=True)  # type: ignore[arg-type]
    out = io.StringIO()
    monkeypatch.setattr("sys.stderr", out)
    job = shown.project(project.id).imports.from_huggingface("acme/tiny", model="shown", allow_patterns=["*.safetensors"])
    shown.project(project.id).imports.wait(job["id"], interval=0.2, timeout=120)
    text = out.getvalue()
    assert f"import {job['id']}" in text and "1/1 files, succeeded" in text and "B/s" in text


def test_vertex_imports_and_listings_reach_the_server_with_its_fields(project: ProjectResource) -> None:
    # No Vertex AI is reachable here: a key that is no service account key is refused before any
    # call leaves the server, which shows the request's fields are the server's own.
    with pytest.raises(modelyard.BadRequestError, match="key"):
        project.imports.from_vertex("acme-ml", "us-central1", "1234", model="churn", key="not a key", versions=["1"])
    with pytest.raises(modelyard.BadRequestError, match="key"):
        project.imports.vertex_models("acme-ml", "us-central1", key="not a key", vertex_model="1234")
