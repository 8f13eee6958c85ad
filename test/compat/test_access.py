"""Credentials the MLflow client sends, and what each role may do through it."""

import mlflow
import pytest
import requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from conftest import unique


def test_basic_auth_with_username_and_password(server, scientist, monkeypatch):
    project_id = server.create_project()
    server.add_member(project_id, scientist, "developer")
    uri = f"{server.base}/api/v4/projects/{project_id}/ml/mlflow"
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.delenv("MLFLOW_TRACKING_TOKEN", raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", scientist.username)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", scientist.token)
    mlflow.set_tracking_uri(uri)
    try:
        experiment_id = MlflowClient().create_experiment(unique("basic"))
        assert MlflowClient().get_experiment(experiment_id).experiment_id == experiment_id
        monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "mypat-wrong-token-000000000000000")
        with pytest.raises(MlflowException) as refused:
            MlflowClient().get_experiment(experiment_id)
        assert refused.value.error_code == "UNAUTHENTICATED"
    finally:
        mlflow.set_tracking_uri(None)


def test_reporter_reads_but_cannot_write(server, scientist, monkeypatch):
    project_id = server.create_project()
    server.add_member(project_id, scientist, "developer")
    reporter = server.create_user("reporter")
    server.add_member(project_id, reporter, "reporter")
    uri = f"{server.base}/api/v4/projects/{project_id}/ml/mlflow"
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    mlflow.set_tracking_uri(uri)
    try:
        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", scientist.token)
        experiment_id = MlflowClient().create_experiment(unique("shared"))
        run = MlflowClient().create_run(experiment_id)
        MlflowClient().log_metric(run.info.run_id, "m", 1.0)
        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", reporter.token)
        assert MlflowClient().get_run(run.info.run_id).data.metrics == {"m": 1.0}
        assert len(MlflowClient().search_runs([experiment_id])) == 1
        with pytest.raises(MlflowException) as refused:
            MlflowClient().log_metric(run.info.run_id, "m", 2.0)
        assert refused.value.error_code == "PERMISSION_DENIED"
        with pytest.raises(MlflowException):
            MlflowClient().create_experiment(unique("nope"))
    finally:
        mlflow.set_tracking_uri(None)


def test_outsiders_and_anonymous_callers_see_nothing(server, scientist):
    project_id = server.create_project()
    outsider = server.create_user("outsider")
    base = f"{server.base}/api/v4/projects/{project_id}/ml/mlflow/api/2.0/mlflow"
    as_outsider = requests.get(f"{base}/experiments/get?experiment_id=0", headers={"Authorization": f"Bearer {outsider.token}"})
    assert as_outsider.status_code == 404
    assert as_outsider.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    anonymous = requests.get(f"{base}/experiments/get?experiment_id=0")
    assert anonymous.status_code == 404


def test_read_model_registry_scope_reads_write_model_registry_scope_writes(server, scientist, monkeypatch):
    project_id = server.create_project()
    reader = server.create_user("scoped-reader", scopes=("read_model_registry",))
    writer = server.create_user("scoped-writer", scopes=("write_model_registry",))
    server.add_member(project_id, reader, "developer")
    server.add_member(project_id, writer, "developer")
    uri = f"{server.base}/api/v4/projects/{project_id}/ml/mlflow"
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    mlflow.set_tracking_uri(uri)
    try:
        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", writer.token)
        experiment_id = MlflowClient().create_experiment(unique("scoped"))
        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", reader.token)
        assert MlflowClient().get_experiment(experiment_id).experiment_id == experiment_id
        with pytest.raises(MlflowException) as refused:
            MlflowClient().create_experiment(unique("scoped-no"))
        assert refused.value.error_code == "PERMISSION_DENIED"
    finally:
        mlflow.set_tracking_uri(None)
