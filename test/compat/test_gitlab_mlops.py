"""GitLab's MLOps Python client (gitlab-mlops 0.3.0, unchanged from PyPI) against Modelyard, as
GitLab's documentation sets it up: the tracking URI of a project by its numeric id and a
`glpat-` token. Its whole public API: the client and its checks, experiments, runs with params,
metrics and artifacts, models, versions with semantic versions and their own runs, duplicates
refused, the latest version, and missing objects.

It lives beside the MLflow client's suite to share its live server: gitlab-mlops pins mlflow<3,
so it runs in the mlflow 2.22 venv (test/compat/requirements-mlflow2.txt, the "MLflow 2.x"
stage of scripts/test-all.sh) and is skipped, with that reason, under the pinned mlflow 3."""

import os
import uuid

import mlflow
import pytest
import requests
from mlflow import MlflowClient

from conftest import MLFLOW_MAJOR, unique

pytestmark = pytest.mark.skipif(MLFLOW_MAJOR >= 3, reason="gitlab-mlops 0.3.0 pins mlflow<3: it runs in the mlflow 2.22 stage (test/compat/requirements-mlflow2.txt)")

if MLFLOW_MAJOR < 3:
    from gitlab_mlops import Client
    from gitlab_mlops.mlflow.exceptions import AlreadyExistsException, NotFoundException
    from gitlab_mlops.model import ModelVersion


@pytest.fixture
def gitlab(server, scientist, monkeypatch):
    """A gitlab-mlops Client on a fresh project, as a developer with a personal access token."""
    assert scientist.token.startswith("glpat-")
    project_id = server.create_project()
    server.add_member(project_id, scientist, "developer")
    uri = f"{server.base}/api/v4/projects/{project_id}/ml/mlflow"
    # The Client writes both variables into os.environ; monkeypatch puts them back afterwards.
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", scientist.token)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.delenv("GITLAB_CI", raising=False)
    mlflow.set_tracking_uri(None)
    yield Client(tracking_uri=uri, gitlab_token=scientist.token)
    mlflow.set_tracking_uri(None)


def _get(url: str, token: str) -> requests.Response:
    return requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def test_the_client_takes_a_numeric_project_uri_and_a_glpat_token_and_refuses_others(server, scientist, monkeypatch):
    good = f"{server.base}/api/v4/projects/1/ml/mlflow"
    with pytest.raises(ValueError, match="tracking URI"):
        Client(tracking_uri=f"{server.base}/api/v4/projects/group%2Fproject/ml/mlflow", gitlab_token=scientist.token)
    with pytest.raises(ValueError, match="glpat-"):
        Client(tracking_uri=good, gitlab_token="not-a-gitlab-token-0123456789")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", good)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", scientist.token)
    Client()  # from the environment, as GitLab's documentation shows it


def test_experiments_created_found_refused_twice_and_missing(gitlab):
    name = unique("mlops-exp")
    created = gitlab.create_experiment(name, tags={"team": "risk"})
    assert created.name == name and created.tags == {"team": "risk"}
    found = gitlab.get_experiment(name)
    assert (found.id, found.name, found.tags["team"]) == (created.id, name, "risk")
    with pytest.raises(AlreadyExistsException):
        gitlab.create_experiment(name)
    assert gitlab.get_experiment(unique("no-such-experiment")) is None


def test_runs_log_params_metrics_and_artifacts(gitlab, tmp_path):
    experiment = gitlab.create_experiment(unique("mlops-runs"))
    run = experiment.create_run()
    assert run.experiment_id == experiment.id
    run.log_param("alpha", 0.5)
    run.log_metric("loss", 0.25, step=1)
    run.log_metric("loss", 0.125, timestamp=1_700_000_000_000, step=2)
    (tmp_path / "model.pkl").write_bytes(b"\x80\x04pickled")
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / "w.bin").write_bytes(b"0123")
    run.log_artifact(str(tmp_path / "model.pkl"))
    run.log_artifact(str(tmp_path / "weights" / "w.bin"), artifact_path="weights")
    run.log_text("trained on the March data", "notes/README.md")

    again = gitlab.get_run(run.id)
    assert (again.id, again.experiment_id) == (run.id, experiment.id)
    assert again.get_params() == {"alpha": "0.5"}
    assert again.get_metrics() == {"loss": 0.125}
    history = MlflowClient().get_metric_history(run.id, "loss")
    assert [(m.step, m.value) for m in history] == [(1, 0.25), (2, 0.125)]
    downloaded = mlflow.artifacts.download_artifacts(run_id=run.id, dst_path=str(tmp_path / "out"))
    assert open(os.path.join(downloaded, "model.pkl"), "rb").read() == b"\x80\x04pickled"
    assert open(os.path.join(downloaded, "weights", "w.bin"), "rb").read() == b"0123"
    assert open(os.path.join(downloaded, "notes", "README.md")).read() == "trained on the March data"
    assert gitlab.get_run(uuid.uuid4().hex) is None


def test_models_created_found_refused_twice_and_missing(gitlab):
    name = unique("mlops-model")
    model = gitlab.create_model(name, description="churn classifier")
    assert (model.name, model.description) == (name, "churn classifier")
    found = gitlab.get_model(name)
    assert (found.name, found.description) == (name, "churn classifier")
    with pytest.raises(AlreadyExistsException):
        gitlab.create_model(name)
    assert gitlab.get_model(unique("no-such-model")) is None
    # A model without versions has no latest one, and no experiment until its first own run.
    assert found.get_latest_version() is None
    assert found.get_experiment() is None


def test_versions_with_semantic_versions_log_into_their_own_run_and_files(gitlab, scientist, tmp_path):
    name = unique("mlops-versions")
    model = gitlab.create_model(name)
    version = model.create_version(description="first", tags={"data": "march"}, version="1.0.0")
    assert (version.model_name, version.version, version.description) == (name, "1.0.0", "first")
    assert version.tags == {"data": "march", "gitlab.version": "1.0.0"}
    # The version's run (GitLab's model "candidate"), in the model's experiment made for it.
    experiment = model.get_experiment()
    assert experiment.name == f"[model]{name}"
    run = MlflowClient().get_run(version.run_id)
    assert run.info.experiment_id == experiment.id

    version.log_param("alpha", "0.5")
    version.log_metric("auc", 0.91, step=3)
    version.log_text("How to run this model", "README.md")
    (tmp_path / "model.pkl").write_bytes(b"weights")
    version.log_artifact(str(tmp_path / "model.pkl"))
    (tmp_path / "extra" / "sub").mkdir(parents=True)
    (tmp_path / "extra" / "a.txt").write_text("a")
    (tmp_path / "extra" / "sub" / "b.txt").write_text("b")
    version.log_artifacts(str(tmp_path / "extra"), artifact_path="extra")
    assert version.get_params() == {"alpha": "0.5"}
    assert version.get_metrics() == {"auc": 0.91}
    # What the client logged is the version's files (GitLab's ml_model package of the version).
    files = run.info.artifact_uri
    assert files.endswith("/files") and "/packages/ml_models/" in files
    assert MlflowClient().get_model_version_download_uri(name, "1") == files
    for path, content in {"README.md": b"How to run this model", "model.pkl": b"weights", "extra/a.txt": b"a", "extra/sub/b.txt": b"b"}.items():
        got = _get(f"{files}/{path}", scientist.token)
        assert (got.status_code, got.content) == (200, content), path

    fetched = gitlab.get_model_version(name, "1.0.0")
    assert (fetched.version, fetched.run_id, fetched.description, fetched.tags["data"]) == ("1.0.0", version.run_id, "first", "march")
    assert gitlab.get_model_version(name, "1").version == "1.0.0"
    # The semantic version is the version's, not an alias of the model.
    assert MlflowClient().get_registered_model(name).aliases == {}
    assert MlflowClient().get_model_version_by_alias(name, "1.0.0").version == "1"


def test_versions_duplicates_latest_versions_from_runs_and_missing_ones(gitlab):
    name = unique("mlops-latest")
    model = gitlab.create_model(name)
    model.create_version(version="1.0.0")
    with pytest.raises(AlreadyExistsException):
        model.create_version(version="1.0.0")
    with pytest.raises(ValueError, match="SemVer"):
        model.create_version(version="one")
    experiment = gitlab.create_experiment(unique("mlops-training"))
    training = experiment.create_run()
    training.log_metric("auc", 0.93)
    from_run = model.create_version(version="1.1.0-rc.1", run_id=training.id)
    assert (from_run.version, from_run.run_id) == ("1.1.0-rc.1", training.id)
    assert from_run.get_metrics() == {"auc": 0.93}
    latest = model.get_latest_version()
    assert isinstance(latest, ModelVersion)
    assert (latest.version, latest.run_id) == ("1.1.0-rc.1", training.id)
    with pytest.raises(NotFoundException):
        gitlab.get_model_version(name, "9.9.9")
    with pytest.raises(NotFoundException):
        gitlab.get_model_version(unique("no-such-model"), "1.0.0")
