"""The MLflow client's tracking API against Modelyard, at both mounts."""

import math
import time

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag, ViewType
from mlflow.exceptions import MlflowException

from conftest import needs_mlflow3, unique


def test_set_experiment_creates_then_reuses(tracking):
    name = unique("exp")
    first = mlflow.set_experiment(name)
    again = mlflow.set_experiment(name)
    assert first.experiment_id == again.experiment_id
    assert first.name == name
    assert first.artifact_location.startswith("mlflow-artifacts:/")
    assert MlflowClient().get_experiment_by_name(unique("missing")) is None


def test_default_experiment_zero_exists(tracking):
    experiment = MlflowClient().get_experiment("0")
    assert experiment.experiment_id == "0"
    with mlflow.start_run(experiment_id="0") as run:
        mlflow.log_param("where", "default")
    assert MlflowClient().get_run(run.info.run_id).info.experiment_id == "0"
    assert MlflowClient().get_experiment("0").artifact_location == "mlflow-artifacts:/0"
    assert run.info.artifact_uri == f"mlflow-artifacts:/0/{run.info.run_id}/artifacts"


def test_experiment_artifact_location_is_a_folder_of_the_project_storage(tracking):
    client = MlflowClient()
    folder = unique("shared")
    experiment_id = client.create_experiment(unique("located"), artifact_location=f"mlflow-artifacts:/{folder}/")
    assert client.get_experiment(experiment_id).artifact_location == f"mlflow-artifacts:/{folder}"
    with mlflow.start_run(experiment_id=experiment_id) as run:
        mlflow.log_text("hello", "notes/a.txt")
    assert run.info.artifact_uri == f"mlflow-artifacts:/{folder}/{run.info.run_id}/artifacts"
    assert mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/notes/a.txt") == "hello"
    for elsewhere in ["s3://bucket/prefix", "/var/lib/modelyard", "my_location", f"mlflow-artifacts:/{folder}/../.."]:
        with pytest.raises(MlflowException, match="artifacts stay in its project's storage") as refused:
            client.create_experiment(unique("elsewhere"), artifact_location=elsewhere)
        assert refused.value.error_code == "INVALID_PARAMETER_VALUE"


def test_runs_params_metrics_tags_and_nested_runs(tracking):
    mlflow.set_experiment(unique("runs"))
    with mlflow.start_run(run_name="parent") as parent:
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"layers": 3, "optimizer": "adam"})
        mlflow.log_metric("loss", 0.9, step=0, timestamp=1_700_000_000_000)
        mlflow.log_metric("loss", 0.5, step=1, timestamp=1_700_000_001_000)
        mlflow.log_metrics({"acc": 0.8, "f1": 0.7}, step=1)
        mlflow.log_metric("odd", float("nan"))
        mlflow.log_metric("big", float("inf"))
        mlflow.set_tag("team", "fraud")
        mlflow.set_tags({"stage": "dev", "git": "abc123"})
        with mlflow.start_run(run_name="child", nested=True) as child:
            mlflow.log_metric("child_metric", 1.0)
    client = MlflowClient()
    run = client.get_run(parent.info.run_id)
    assert run.info.run_name == "parent"
    assert run.info.status == "FINISHED"
    assert run.info.end_time >= run.info.start_time
    assert run.data.params == {"lr": "0.01", "layers": "3", "optimizer": "adam"}
    assert run.data.metrics["loss"] == 0.5
    assert run.data.metrics["acc"] == 0.8
    assert math.isnan(run.data.metrics["odd"])
    assert run.data.metrics["big"] == float("inf")
    assert run.data.tags["team"] == "fraud"
    assert run.data.tags["mlflow.runName"] == "parent"
    child_run = client.get_run(child.info.run_id)
    assert child_run.data.tags["mlflow.parentRunId"] == parent.info.run_id
    history = client.get_metric_history(parent.info.run_id, "loss")
    assert [(m.step, m.value, m.timestamp) for m in history] == [(0, 0.9, 1_700_000_000_000), (1, 0.5, 1_700_000_001_000)]


def test_log_batch(tracking):
    client = MlflowClient()
    experiment_id = client.create_experiment(unique("batch"))
    run = client.create_run(experiment_id)
    now = int(time.time() * 1000)
    client.log_batch(
        run.info.run_id,
        metrics=[Metric("m", float(i), now + i, i) for i in range(500)],
        params=[Param(f"p{i}", str(i)) for i in range(50)],
        tags=[RunTag("t", "v")],
    )
    fetched = client.get_run(run.info.run_id)
    assert fetched.data.metrics["m"] == 499.0
    assert len(fetched.data.params) == 50
    assert len(client.get_metric_history(run.info.run_id, "m")) == 500


def test_params_are_immutable_and_deleted_runs_refuse_writes(tracking):
    client = MlflowClient()
    run = client.create_run(client.create_experiment(unique("immutable")))
    client.log_param(run.info.run_id, "p", "a")
    client.log_param(run.info.run_id, "p", "a")  # the same value again is fine
    with pytest.raises(MlflowException) as changed:
        client.log_param(run.info.run_id, "p", "b")
    assert changed.value.error_code == "INVALID_PARAMETER_VALUE"
    client.delete_run(run.info.run_id)
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "deleted"
    with pytest.raises(MlflowException) as deleted:
        client.log_metric(run.info.run_id, "m", 1.0)
    assert deleted.value.error_code == "INVALID_PARAMETER_VALUE"
    client.restore_run(run.info.run_id)
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "active"
    client.log_metric(run.info.run_id, "m", 1.0)


def test_log_input_dataset(tracking):
    mlflow.set_experiment(unique("datasets"))
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0, 1, 0]})
    dataset = mlflow.data.from_pandas(frame, source="s3://bucket/train.csv", name="train", targets="y")
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="training")
    inputs = MlflowClient().get_run(run.info.run_id).inputs.dataset_inputs
    assert len(inputs) == 1
    assert inputs[0].dataset.name == "train"
    assert inputs[0].dataset.digest == dataset.digest
    assert {t.key: t.value for t in inputs[0].tags}["mlflow.data.context"] == "training"
    found = mlflow.search_runs(filter_string="datasets.context = 'training' AND datasets.name = 'train'")
    assert list(found["run_id"]) == [run.info.run_id]


def test_search_runs_filters_and_ordering(tracking):
    client = MlflowClient()
    experiment_id = client.create_experiment(unique("search"))
    ids = []
    for i in range(6):
        run = client.create_run(experiment_id, run_name=f"r{i}", tags={"family": "cnn" if i % 2 else "rnn"})
        client.log_metric(run.info.run_id, "loss", 1.0 - i / 10)
        client.log_param(run.info.run_id, "depth", str(i))
        ids.append(run.info.run_id)
    found = client.search_runs([experiment_id], "metrics.loss < 0.75 AND tags.family = 'cnn'", order_by=["metrics.loss ASC"])
    assert [r.info.run_name for r in found] == ["r5", "r3"]
    found = client.search_runs([experiment_id], "attributes.run_name IN ('r1', 'r2')")
    assert sorted(r.info.run_name for r in found) == ["r1", "r2"]
    found = client.search_runs([experiment_id], "tags.family LIKE 'c%'")
    assert len(found) == 3
    found = client.search_runs([experiment_id], "tags.family ILIKE 'CN%'")
    assert len(found) == 3
    found = client.search_runs([experiment_id], "params.`depth` = '4'")
    assert [r.info.run_name for r in found] == ["r4"]
    found = client.search_runs([experiment_id], 'metrics."loss" >= 0.9')
    assert sorted(r.info.run_name for r in found) == ["r0", "r1"]
    found = client.search_runs([experiment_id], "tags.missing IS NULL AND params.depth IS NOT NULL")
    assert len(found) == 6
    found = client.search_runs([experiment_id], "attributes.status = 'RUNNING'", order_by=["params.depth DESC"])
    assert [r.info.run_name for r in found] == ["r5", "r4", "r3", "r2", "r1", "r0"]
    # Beyond MLflow: OR and parentheses (mlflow#6075)
    found = client.search_runs([experiment_id], "(params.depth = '0' OR params.depth = '5') AND metrics.loss > 0.4")
    assert sorted(r.info.run_name for r in found) == ["r0", "r5"]
    # Default order: newest first
    found = client.search_runs([experiment_id])
    assert [r.info.run_name for r in found] == ["r5", "r4", "r3", "r2", "r1", "r0"]


def test_search_runs_pages_through_more_than_1000_runs(tracking):
    client = MlflowClient()
    experiment_id = client.create_experiment(unique("many"))
    for i in range(1050):
        run = client.create_run(experiment_id, start_time=1_700_000_000_000 + i)
        if i % 100 == 0:
            client.log_metric(run.info.run_id, "marker", float(i))
    first = client.search_runs([experiment_id], max_results=1000)
    assert len(first) == 1000 and first.token
    second = client.search_runs([experiment_id], max_results=1000, page_token=first.token)
    assert len(second) == 50 and not second.token
    assert len({r.info.run_id for r in first} | {r.info.run_id for r in second}) == 1050
    frame = mlflow.search_runs(experiment_ids=[experiment_id])
    assert isinstance(frame, pd.DataFrame) and len(frame) == 1050
    marked = mlflow.search_runs(experiment_ids=[experiment_id], filter_string="metrics.marker >= 500", order_by=["metrics.marker DESC"])
    assert list(marked["metrics.marker"]) == [1000.0, 900.0, 800.0, 700.0, 600.0, 500.0]


def test_search_experiments(tracking):
    client = MlflowClient()
    prefix = unique("se")
    for i in range(5):
        client.create_experiment(f"{prefix}-{i}", tags={"idx": str(i)})
    found = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", order_by=["name DESC"])
    assert [e.name for e in found] == [f"{prefix}-{i}" for i in (4, 3, 2, 1, 0)]
    page = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", max_results=2, order_by=["name ASC"])
    assert len(page) == 2 and page.token
    rest = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", max_results=10, order_by=["name ASC"], page_token=page.token)
    assert [e.name for e in rest] == [f"{prefix}-{i}" for i in (2, 3, 4)]
    tagged = client.search_experiments(filter_string=f"tags.idx = '3' AND name LIKE '{prefix}%'")
    assert [e.name for e in tagged] == [f"{prefix}-3"]
    victim = client.get_experiment_by_name(f"{prefix}-0")
    client.delete_experiment(victim.experiment_id)
    assert f"{prefix}-0" not in [e.name for e in client.search_experiments(filter_string=f"name LIKE '{prefix}-%'")]
    deleted = client.search_experiments(view_type=ViewType.DELETED_ONLY, filter_string=f"name LIKE '{prefix}-%'")
    assert [e.name for e in deleted] == [f"{prefix}-0"]
    client.restore_experiment(victim.experiment_id)
    client.rename_experiment(victim.experiment_id, f"{prefix}-renamed")
    assert client.get_experiment(victim.experiment_id).name == f"{prefix}-renamed"
    client.set_experiment_tag(victim.experiment_id, "k", "v")
    assert client.get_experiment(victim.experiment_id).tags["k"] == "v"


@needs_mlflow3("delete_experiment_tag")
def test_experiment_tags_are_deleted(tracking):
    client = MlflowClient()
    experiment_id = client.create_experiment(unique("tag-delete"), tags={"k": "v", "keep": "yes"})
    client.delete_experiment_tag(experiment_id, "k")
    assert client.get_experiment(experiment_id).tags == {"keep": "yes"}


def test_metric_history_of_50000_steps(tracking):
    client = MlflowClient()
    run = client.create_run(client.create_experiment(unique("history")))
    now = int(time.time() * 1000)
    for start in range(0, 50_000, 1000):
        client.log_batch(run.info.run_id, metrics=[Metric("loss", 1.0 / (i + 1), now + i, i) for i in range(start, start + 1000)])
    history = client.get_metric_history(run.info.run_id, "loss")
    assert len(history) == 50_000
    assert [m.step for m in history[:3]] == [0, 1, 2]
    assert history[-1].step == 49_999
    assert client.get_run(run.info.run_id).data.metrics["loss"] == pytest.approx(1.0 / 50_000)


def test_missing_runs_and_duplicate_experiments_raise_the_clients_exceptions(tracking):
    client = MlflowClient()
    with pytest.raises(MlflowException) as missing:
        client.get_run("0" * 32)
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    name = unique("dup")
    client.create_experiment(name)
    with pytest.raises(MlflowException) as duplicate:
        client.create_experiment(name)
    assert duplicate.value.error_code == "RESOURCE_ALREADY_EXISTS"


def test_update_run_status_and_name(tracking):
    client = MlflowClient()
    run = client.create_run(client.create_experiment(unique("update")))
    client.update_run(run.info.run_id, status="KILLED", name="renamed")
    fetched = client.get_run(run.info.run_id)
    assert fetched.info.status == "KILLED"
    assert fetched.info.run_name == "renamed"
    assert fetched.data.tags["mlflow.runName"] == "renamed"
    client.set_terminated(run.info.run_id, status="FAILED")
    assert client.get_run(run.info.run_id).info.status == "FAILED"
    client.set_tag(run.info.run_id, "gone", "soon")
    client.delete_tag(run.info.run_id, "gone")
    assert "gone" not in client.get_run(run.info.run_id).data.tags
