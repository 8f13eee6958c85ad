"""Artifacts through Modelyard's proxy with the real MLflow client, on whichever driver the
server runs (the filesystem, or S3 when MODELYARD_TEST_S3_ENDPOINT is set)."""

import hashlib
import json
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mlflow  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.store.artifact.http_artifact_repo import HttpArtifactRepository  # noqa: E402

from conftest import MLFLOW_MAJOR, model_name, needs_mlflow3, unique  # noqa: E402


def _folder(path: Path) -> str:
    """A download destination; mlflow 2's client wants it to exist."""
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def test_log_and_read_back_every_kind_of_artifact(tracking, tmp_path):
    mlflow.set_experiment(unique("artifacts"))
    source = tmp_path / "source"
    (source / "nested" / "deeper").mkdir(parents=True)
    (source / "top.txt").write_text("top")
    (source / "nested" / "mid.csv").write_text("a,b\n1,2\n")
    (source / "nested" / "deeper" / "bottom.bin").write_bytes(bytes(range(256)) * 10)
    single = tmp_path / "single.json"
    single.write_text(json.dumps({"x": 1}))
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(single))
        mlflow.log_artifact(str(single), artifact_path="copies/json")
        mlflow.log_artifacts(str(source), artifact_path="tree")
        mlflow.log_text("some notes", "notes/readme.md")
        mlflow.log_dict({"lr": 0.1, "layers": [1, 2]}, "config/params.json")
        figure, axis = plt.subplots()
        axis.plot([1, 2, 3], [3, 1, 2])
        mlflow.log_figure(figure, "plots/curve.png")
        mlflow.log_image(np.zeros((8, 8, 3), dtype=np.uint8), "images/black.png")
    client = MlflowClient()
    run_id = run.info.run_id
    top = {f.path: f for f in client.list_artifacts(run_id)}
    assert set(top) == {"single.json", "copies", "tree", "notes", "config", "plots", "images"}
    assert top["single.json"].is_dir is False and top["single.json"].file_size == single.stat().st_size
    assert top["tree"].is_dir
    assert [f.path for f in client.list_artifacts(run_id, "tree")] == ["tree/nested", "tree/top.txt"]
    assert [f.path for f in client.list_artifacts(run_id, "tree/nested/deeper")] == ["tree/nested/deeper/bottom.bin"]
    assert [f.path for f in client.list_artifacts(run_id, "copies/json")] == ["copies/json/single.json"]
    downloaded = Path(client.download_artifacts(run_id, "tree", _folder(tmp_path / "down")))
    assert (downloaded / "top.txt").read_text() == "top"
    assert (downloaded / "nested" / "deeper" / "bottom.bin").read_bytes() == bytes(range(256)) * 10
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/notes/readme.md") == "some notes"
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config/params.json") == {"lr": 0.1, "layers": [1, 2]}
    png = Path(client.download_artifacts(run_id, "plots/curve.png", _folder(tmp_path / "png")))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.list_artifacts(run_id, "images")[0].path.startswith("images/black")


def test_images_logged_by_key_and_step_are_stored_under_the_names_the_client_gives(tracking):
    """mlflow 3 joins the parts of these names with `+`, mlflow 2 with `%` (`loss%step%3%timestamp%17…%<uuid>.png`):
    both are kept as they are, and read back."""
    mlflow.set_experiment(unique("images-by-step"))
    image = np.full((6, 6, 3), 200, dtype=np.uint8)
    with mlflow.start_run() as run:
        for step in (1, 2):
            mlflow.log_image(image, key="confusion", step=step, synchronous=True)
    names = [f.path for f in MlflowClient().list_artifacts(run.info.run_id, "images")]
    separator = "+" if MLFLOW_MAJOR >= 3 else "%"
    pngs = sorted(n for n in names if n.endswith(".png"))
    assert len(pngs) == 2 and all(n.startswith(f"images/confusion{separator}step{separator}") for n in pngs), names
    assert len([n for n in names if n.endswith(".webp")]) == 2, names
    loaded = mlflow.artifacts.load_image(f"runs:/{run.info.run_id}/{pngs[0]}")
    assert loaded.size == (6, 6)


def test_an_empty_file_is_logged_and_read_back_empty(tracking, tmp_path):
    """The client PUTs an empty file with no body; MLflow's own server stores it (200)."""
    mlflow.set_experiment(unique("empty-artifact"))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(empty), artifact_path="logs")
    client = MlflowClient()
    listed = client.list_artifacts(run.info.run_id, "logs")
    assert [(f.path, f.file_size) for f in listed] == [("logs/empty.txt", 0)]
    downloaded = Path(client.download_artifacts(run.info.run_id, "logs/empty.txt", _folder(tmp_path / "down")))
    assert downloaded.read_bytes() == b""


def test_sklearn_log_model_and_load_it_back(tracking):
    from sklearn.linear_model import LogisticRegression

    mlflow.set_experiment(unique("sk"))
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(LogisticRegression().fit(x, y), input_example=x[:1], **model_name("model"))
    loaded = mlflow.pyfunc.load_model(info.model_uri)
    assert list(loaded.predict(x)) == [0, 0, 1, 1]
    if MLFLOW_MAJOR < 3:
        assert info.model_uri.endswith("/model") and info.model_uri.startswith("runs:/")
        return
    assert info.model_uri.startswith("models:/m-")
    logged = MlflowClient().get_logged_model(info.model_id)
    assert str(logged.status).endswith("READY")


@needs_mlflow3("logged models")
def test_fluent_external_model_and_model_metrics(tracking):
    mlflow.set_experiment(unique("external"))
    with mlflow.start_run() as run:
        model = mlflow.create_external_model(name="served-elsewhere", params={"k": "v"})
        mlflow.log_metric("accuracy", 0.93, model_id=model.model_id)
    fetched = MlflowClient().get_logged_model(model.model_id)
    assert fetched.source_run_id == run.info.run_id
    assert [(m.key, m.value) for m in fetched.metrics] == [("accuracy", 0.93)]
    assert model.model_id in [m.model_id for m in mlflow.search_logged_models(output_format="list")]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(8 * 1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def test_a_600_mb_file_goes_through_the_multipart_path(tracking, tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    calls = []
    original = HttpArtifactRepository.create_multipart_upload

    def counting(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(HttpArtifactRepository, "create_multipart_upload", counting)
    big = tmp_path / "weights.bin"
    block = os.urandom(1024 * 1024)
    with open(big, "wb") as f:
        for i in range(600):
            f.write(block[i:] + block[:i])
    mlflow.set_experiment(unique("big"))
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(big), artifact_path="checkpoints")
    assert len(calls) == 1, "the upload did not take the multipart path"
    client = MlflowClient()
    [entry] = client.list_artifacts(run.info.run_id, "checkpoints")
    assert entry.file_size == 600 * 1024 * 1024
    back = Path(client.download_artifacts(run.info.run_id, "checkpoints/weights.bin", _folder(tmp_path / "back")))
    assert _sha256(back) == _sha256(big)
