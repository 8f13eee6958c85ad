"""What MLflow's own server tests check beyond the client's calls, with the real client and its
URLs built from the tracking URI: the MLflow UI's endpoints under `/ajax-api` (and `/api`),
`/graphql`, `/get-artifact`, `/health` and `/version`, at both tracking URIs; and the registry
and logged-model links MLflow stores as given."""

import math

import mlflow
import pytest
import requests
from mlflow import MlflowClient
from mlflow.entities import Dataset, DatasetInput

from conftest import SERVED_MLFLOW_VERSION, needs_mlflow3, unique

API_PREFIXES = ["api", "ajax-api"]


def _get(tracking, path, **kwargs):
    return requests.get(f"{tracking.uri}{path}", headers={"Authorization": f"Bearer {tracking.token}"}, timeout=60, **kwargs)


def _post(tracking, path, **kwargs):
    headers = {"Authorization": f"Bearer {tracking.token}", **kwargs.pop("headers", {})}
    return requests.post(f"{tracking.uri}{path}", headers=headers, timeout=60, **kwargs)


def _run_with_files(tmp_path):
    mlflow.set_experiment(unique("ui"))
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "b.txt").write_text("b")
    (tmp_path / "a.txt").write_text("abcdefg")
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(tmp_path / "a.txt"))
        mlflow.log_artifact(str(tmp_path / "report.pdf"))
        mlflow.log_artifacts(str(tmp_path / "dir"), artifact_path="dir")
    return run


@pytest.mark.parametrize("api", API_PREFIXES)
def test_artifacts_list_and_get_artifact_as_mlflow_serves_them(tracking, tmp_path, api):
    run = _run_with_files(tmp_path)
    run_id = run.info.run_id
    listing = _get(tracking, f"/{api}/2.0/mlflow/artifacts/list", params={"run_id": run_id})
    assert listing.status_code == 200, listing.text
    assert listing.json() == {
        "root_uri": run.info.artifact_uri,
        "files": [
            {"path": "a.txt", "is_dir": False, "file_size": 7},
            {"path": "dir", "is_dir": True},
            {"path": "report.pdf", "is_dir": False, "file_size": 8},
        ],
    }
    assert _get(tracking, f"/{api}/2.0/mlflow/artifacts/list", params={"run_id": run_id, "path": "../x"}).json()["message"] == "Invalid path"
    text = _get(tracking, "/get-artifact", params={"run_id": run_id, "path": "a.txt"})
    assert (text.status_code, text.text, text.headers["Content-Type"]) == (200, "abcdefg", "text/plain")
    assert text.headers["Content-Disposition"] == "attachment; filename=a.txt"
    assert _get(tracking, "/get-artifact", params={"run_uuid": run_id, "path": "report.pdf"}).headers["Content-Type"] == "application/pdf"
    assert _get(tracking, "/get-artifact", params={"run_id": run_id, "path": "../../etc/passwd"}).status_code == 400


@pytest.mark.parametrize("api", API_PREFIXES)
def test_ui_upload_bulk_history_and_dataset_summaries(tracking, api):
    mlflow.set_experiment(unique("ui-bulk"))
    with mlflow.start_run() as run:
        for step, value in enumerate([3.0, 1.0, 2.0]):
            mlflow.log_metric("loss", value, step=step)
        mlflow.log_input(_pandas_dataset(), context="training")
    run_id = run.info.run_id
    bulk = _get(tracking, f"/{api}/2.0/mlflow/metrics/get-history-bulk", params={"run_id": [run_id], "metric_key": "loss"})
    assert [(m["step"], m["value"], m["run_id"]) for m in bulk.json()["metrics"]] == [(0, 3.0, run_id), (1, 1.0, run_id), (2, 2.0, run_id)]
    summaries = _post(tracking, f"/{api}/2.0/mlflow/experiments/search-datasets", json={"experiment_ids": [run.info.experiment_id]})
    assert [(s["name"], s.get("context")) for s in summaries.json()["dataset_summaries"]] == [("train", "training")]
    upload = _post(tracking, f"/{api}/2.0/mlflow/upload-artifact", params={"run_uuid": run_id, "path": "notes/up.txt"}, data=b"uploaded", headers={"Content-Type": "text/plain"})
    assert upload.status_code == 200, upload.text
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/notes/up.txt") == "uploaded"


def _pandas_dataset():
    import pandas as pd

    return mlflow.data.from_pandas(pd.DataFrame({"x": [1, 2]}), name="train")


def test_graphql_health_version_and_unknown_endpoints(tracking):
    mlflow.set_experiment(unique("ui-graphql"))
    with mlflow.start_run() as run:
        mlflow.log_metric("nan", math.nan)
        mlflow.log_param("alpha", "0.1")
    query = f'query q {{ mlflowGetRun(input: {{runId: "{run.info.run_id}"}}) {{ run {{ info {{ runId }} data {{ metrics {{ key value }} params {{ key value }} }} }} }} }}'
    answer = _post(tracking, "/graphql", json={"query": query, "operationName": "q"})
    assert answer.status_code == 200 and answer.json()["errors"] is None
    data = answer.json()["data"]["mlflowGetRun"]["run"]
    assert data["info"]["runId"] == run.info.run_id
    assert data["data"]["metrics"] == [{"key": "nan", "value": None}]
    assert data["data"]["params"] == [{"key": "alpha", "value": "0.1"}]
    assert (requests.get(f"{tracking.uri}/health", timeout=30).text) == "OK"
    version = requests.get(f"{tracking.uri}/version", timeout=30)
    assert version.status_code == 200 and version.text == SERVED_MLFLOW_VERSION
    for api in API_PREFIXES:
        unknown = _post(tracking, f"/{api}/2.0/mlflow/traces", data=b"not json", headers={"Content-Type": "text/plain"})
        assert (unknown.status_code, unknown.json()["error_code"]) == (404, "ENDPOINT_NOT_FOUND")


@needs_mlflow3("logged models")
def test_logged_model_files_and_model_inputs_outputs_round_trip(tracking, tmp_path):
    from mlflow.entities import LoggedModelInput, LoggedModelOutput

    client = MlflowClient()
    experiment_id = mlflow.set_experiment(unique("ui-models")).experiment_id
    model = client.create_logged_model(experiment_id, name="m")
    (tmp_path / "MLmodel").write_text("artifact_path: m")
    client.log_model_artifacts(model.model_id, str(tmp_path))
    for api in API_PREFIXES:
        files = _get(tracking, f"/{api}/2.0/mlflow/logged-models/{model.model_id}/artifacts/directories")
        assert [f["path"] for f in files.json()["files"]] == ["MLmodel"]
        file = _get(tracking, f"/{api}/2.0/mlflow/logged-models/{model.model_id}/artifacts/files", params={"artifact_file_path": "MLmodel"})
        assert (file.status_code, file.text) == (200, "artifact_path: m")
    run = client.create_run(experiment_id)
    produced = client.create_logged_model(experiment_id, name="out")
    dataset = DatasetInput(Dataset(name="d", digest="x", source_type="local", source="d.csv"), tags=[])
    client.log_inputs(run.info.run_id, datasets=[dataset], models=[LoggedModelInput(model.model_id)])
    client.log_outputs(run.info.run_id, [LoggedModelOutput(produced.model_id, step=2)])
    fetched = client.get_run(run.info.run_id)
    assert [i.model_id for i in fetched.inputs.model_inputs] == [model.model_id]
    assert [(o.model_id, o.step) for o in fetched.outputs.model_outputs] == [(produced.model_id, 2)]


def test_registry_stores_sources_as_mlflow_does(tracking):
    client = MlflowClient()
    name = unique("sources")
    client.create_registered_model(name)
    version = client.create_model_version(name, "runs:/run_id/model", "run_id")
    assert (version.source, version.run_id) == ("runs:/run_id/model", "run_id")
    assert client.get_model_version_download_uri(name, version.version) == "runs:/run_id/model"
    assert [v.version for v in client.search_model_versions(f"name = '{name}' and run_id = 'run_id'")] == [version.version]
    with pytest.raises(mlflow.exceptions.MlflowException, match="The run_id request parameter must identify"):
        client.create_model_version(name, "runs:/run_id/model", "another_run")
    with pytest.raises(mlflow.exceptions.MlflowException, match="without relative path references"):
        client.create_model_version(name, "s3://bucket/a/../../b")


@needs_mlflow3("logged models")
def test_registry_lists_versions_on_their_logged_model_as_mlflow_does(tracking):
    client = MlflowClient()
    name = unique("sources-lm")
    client.create_registered_model(name)
    client.create_model_version(name, "runs:/run_id/model", "run_id")
    experiment_id = mlflow.set_experiment(unique("sources-exp")).experiment_id
    logged = client.create_logged_model(experiment_id, name="m", source_run_id="123")
    assert client.get_logged_model(logged.model_id).source_run_id == "123"
    client.create_model_version(name, logged.artifact_location, model_id=logged.model_id)
    assert client.get_logged_model(logged.model_id).tags["mlflow.modelVersions"] == f'[{{"name": "{name}", "version": 2}}]'


@needs_mlflow3("logged models")
def test_search_logged_models_by_dataset(tracking):
    client = MlflowClient()
    experiment_id = mlflow.set_experiment(unique("lm-datasets")).experiment_id
    run = client.create_run(experiment_id)
    scored = client.create_logged_model(experiment_id, name="scored")
    other = client.create_logged_model(experiment_id, name="other")
    client.log_metric(run.info.run_id, "acc", 0.9, model_id=scored.model_id, dataset_name="eval", dataset_digest="abc")
    client.log_metric(run.info.run_id, "acc", 0.5, model_id=other.model_id, dataset_name="train", dataset_digest="def")
    found = client.search_logged_models(experiment_ids=[experiment_id], datasets=[{"dataset_name": "eval", "dataset_digest": "abc"}])
    assert [m.model_id for m in found] == [scored.model_id]
