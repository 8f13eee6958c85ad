"""The registry: models, versions by number, semantic version and alias, labels, approvals,
cards, evaluations, lineage, and a version's files (single, folders, archive)."""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
from pathlib import Path

import pytest

import modelyard

from .conftest import ADMIN_TOKEN, Killed, Server, record_part_puts


def test_models_and_versions_with_semver_aliases_and_labels(project: modelyard.projects.ProjectResource) -> None:
    model = project.models.create("iris", description="flowers")
    assert project.models.get("iris").id == model.id
    assert project.models.get(model.id).name == "iris"
    with pytest.raises(modelyard.NotFoundError):
        project.models.get("no-such-model")
    first = model.create_version(semver="1.0.0", tags={"framework": "sklearn"})
    second = model.create_version(semver="1.1.0")
    assert (first.number, second.number) == (1, 2)
    model.set_alias("champion", 1)
    assert model.version("champion").semver == "1.0.0"
    assert model.version("1.1.0").number == 2
    assert model.version(2).semver == "1.1.0"
    assert model.version("2").semver == "1.1.0"
    with pytest.raises(modelyard.NotFoundError, match="no version"):
        model.version("9.9.9")
    assert [v["version"] for v in model.versions()] == [2, 1] or [v["version"] for v in model.versions()] == [1, 2]
    assert "stage::review" in first.add_label("stage::review")["labels"]
    first.remove_label("stage::review")
    assert "stage::review" not in first.refresh()["labels"]
    assert "team::vision" in model.add_label("team::vision")["labels"]
    model.delete_alias("champion")
    assert model.refresh()["aliases"] == []
    with pytest.raises(modelyard.ConflictError):
        project.models.create("iris")


def test_approvals_cards_evaluations_and_lineage(server: Server, project: modelyard.projects.ProjectResource) -> None:
    model = project.models.create("churn")
    # The requester of an approval may not decide it: a maintainer does.
    reviewer = server.create_user()
    project.add_member(reviewer.id, 40)
    as_reviewer = modelyard.Client(server.url, reviewer.token).project(project.id).models.get("churn")
    version = model.create_version(semver="0.1.0")
    requests = version.request_approval("please review")
    assert requests[0]["status"] == "pending"
    assert version.approvals()[0]["comment"] == "please review"
    with pytest.raises(modelyard.PermissionDeniedError, match="requester"):
        version.approve("my own")
    assert as_reviewer.version(1).approve("looks good")["approval_status"] == "approved"
    other = model.create_version(semver="0.2.0")
    other.request_approval()
    assert as_reviewer.version("0.2.0").reject("not yet")["approval_status"] == "rejected"
    card = version.update(description="A churn model", card={"intended_use": "Weekly churn scores"})["card"]
    assert card["description"] == "A churn model" and card["fields"]["intended_use"] == "Weekly churn scores"
    evaluation = version.add_evaluation({"auc": 0.91}, dataset="holdout", passed=True)
    assert version.evaluations()[0]["id"] == evaluation["id"]
    assert version.lineage()["version"]["version"] == 1
    # A card filled from the version's run: its metrics and params as tables.
    mlflow = f"{project.base}/ml/mlflow/api/2.0/mlflow"
    experiment = server.api("POST", f"{mlflow}/experiments/create", json={"name": "cards"}).json()["experiment_id"]
    run = server.api("POST", f"{mlflow}/runs/create", json={"experiment_id": experiment}).json()["run"]["info"]["run_id"]
    logged = server.api("POST", f"{mlflow}/runs/log-batch", json={"run_id": run, "metrics": [{"key": "auc", "value": 0.91, "timestamp": 1, "step": 0}], "params": [{"key": "depth", "value": "6"}]})
    assert logged.status_code == 200, logged.text
    fields = model.create_version(semver="0.3.0", run_id=run).fill_card()["card"]["fields"]
    assert "| auc | 0.91 | 0 |" in fields["evaluation_metrics"]
    assert "| depth | 6 |" in fields["training_data"]


def test_version_files_upload_and_download_checked_by_sha256(project: modelyard.projects.ProjectResource, tmp_path: Path) -> None:
    model = project.models.create("files")
    version = model.create_version(semver="1.0.0")
    folder = tmp_path / "model"
    (folder / "weights").mkdir(parents=True)
    (folder / "MLmodel").write_text("flavors: {}\n")
    (folder / "weights" / "w.bin").write_bytes(bytes(range(256)) * 4096)
    version.upload(folder)
    stored = version.upload(folder / "MLmodel", name="extra/MLmodel")
    assert stored["file_sha256"] == hashlib.sha256(b"flavors: {}\n").hexdigest()
    out = tmp_path / "out"
    out.mkdir()
    got = version.download("weights/w.bin", out)
    assert got.read_bytes() == (folder / "weights" / "w.bin").read_bytes()
    archive = version.download_archive(out)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert any(n.endswith("weights/w.bin") for n in names) and any(n.endswith("MLmodel") for n in names)
    with pytest.raises(modelyard.NotFoundError):
        version.download("missing.bin", out)


def test_a_large_version_file_goes_up_in_parts_and_an_interrupted_one_resumes(server: Server, project: modelyard.projects.ProjectResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    mib = 1024 * 1024
    data = os.urandom(15 * mib + 99)  # four parts of 5 MiB, the last one short
    source = tmp_path / "model.safetensors"
    source.write_bytes(data)
    client = modelyard.Client(server.url, ADMIN_TOKEN, progress=False, multipart_threshold=5 * mib, part_size=5 * mib)
    version = client.project(project.id).models.create("big-weights").create_version(semver="1.0.0")
    sent = record_part_puts(client, die_after=2)
    with pytest.raises(Killed):
        version.upload(source, name="weights/model.safetensors")
    assert sorted(sent) == ["1", "2"]
    (entry,) = json.loads((tmp_path / "cache" / "modelyard" / "uploads.json").read_text()).values()
    session = server.api("GET", f"/api/v4/projects/{project.id}/packages/ml_models/uploads/{entry['upload_id']}").json()
    assert session["package_type"] == "ml_model" and [p["part_number"] for p in session["parts"]] == [1, 2]

    sent = record_part_puts(client)
    stored = version.upload(source, name="weights/model.safetensors")
    assert sorted(sent) == ["3", "4"]
    assert stored["file_name"] == "weights/model.safetensors" and stored["file_sha256"] == hashlib.sha256(data).hexdigest()
    assert version.download("weights/model.safetensors", tmp_path / "back.bin").read_bytes() == data
