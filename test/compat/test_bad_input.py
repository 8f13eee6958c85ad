"""Bad input over the MLflow protocol gets MLflow's 4xx error codes and never a 5xx."""

import json

import pytest
import requests
from mlflow import MlflowClient

from conftest import unique


def post(tracking, endpoint, body, raw=None, content_type="application/json"):
    base = tracking.uri + "/api/2.0/mlflow/"
    headers = {"Authorization": f"Bearer {tracking.token}", "Content-Type": content_type}
    data = raw if raw is not None else json.dumps(body)
    return requests.post(base + endpoint, data=data, headers=headers, timeout=30)


def get(tracking, endpoint, params):
    return requests.get(tracking.uri + "/api/2.0/mlflow/" + endpoint, params=params, headers={"Authorization": f"Bearer {tracking.token}"}, timeout=30)


@pytest.fixture
def run_id(tracking):
    client = MlflowClient()
    return client.create_run(client.create_experiment(unique("bad"))).info.run_id


def test_over_limit_batches_are_refused(tracking, run_id):
    # The client splits big batches itself, so these are sent as raw requests.
    metrics = [{"key": "m", "value": 1.0, "timestamp": 0, "step": i} for i in range(1001)]
    res = post(tracking, "runs/log-batch", {"run_id": run_id, "metrics": metrics})
    assert res.status_code == 400 and res.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "at most 1000 metrics" in res.json()["message"]
    params = [{"key": f"p{i}", "value": "v"} for i in range(101)]
    assert "at most 100 params" in post(tracking, "runs/log-batch", {"run_id": run_id, "params": params}).json()["message"]
    mixed = {"run_id": run_id, "metrics": metrics[:900], "params": params[:100], "tags": [{"key": "t", "value": "v"}]}
    assert "metrics, params, and tags" in post(tracking, "runs/log-batch", mixed).json()["message"]
    # Within the entity limits but over MLflow's 1 MB request limit.
    huge = {"run_id": run_id, "tags": [{"key": f"t{i}", "value": "x" * 8000} for i in range(100)], "params": [{"key": f"p{i}", "value": "x" * 6000} for i in range(34)]}
    res = post(tracking, "runs/log-batch", huge)
    assert res.status_code == 400 and "at most 1000000 bytes" in res.json()["message"]
    huger = {**huge, "params": [{"key": f"p{i}", "value": "x" * 6000} for i in range(100)]}
    assert post(tracking, "runs/log-batch", huger).status_code == 413
    assert MlflowClient().get_run(run_id).data.metrics == {}


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"metrics": [{"key": "m", "value": "abc", "timestamp": 0, "step": 0}]}, "value"),
        ({"metrics": [{"key": "m", "value": 1, "timestamp": -5, "step": 0}]}, "timestamp"),
        ({"metrics": [{"key": "m", "value": 1, "timestamp": "soon", "step": 0}]}, "timestamp"),
        ({"metrics": [{"key": "../etc", "value": 1, "timestamp": 0, "step": 0}]}, "key"),
        ({"metrics": [{"key": "bad\u0000key", "value": 1, "timestamp": 0, "step": 0}]}, "key"),
        ({"params": [{"key": "p", "value": "x" * 6001}]}, "6000"),
        ({"params": [{"key": "k" * 251, "value": "x"}]}, "250"),
        ({"tags": [{"key": "t", "value": "x" * 8001}]}, "8000"),
        ({"params": [{"key": "p", "value": "a"}, {"key": "p", "value": "b"}]}, "Duplicate"),
        ({"metrics": "not a list"}, "metrics"),
        ({"metrics": [{"key": "m", "timestamp": 0}]}, "value"),
    ],
)
def test_malformed_log_batch(tracking, run_id, body, fragment):
    res = post(tracking, "runs/log-batch", {"run_id": run_id, **body})
    assert res.status_code == 400, res.text
    assert res.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert fragment in res.json()["message"]
    assert MlflowClient().get_run(run_id).data.params == {}


@pytest.mark.parametrize(
    "filter_string",
    [
        "metrics.loss < 'abc'",
        "metrics.loss ~ 1",
        "foo.bar = 'x'",
        "attributes.nope = 'x'",
        "params.p = unquoted",
        "metrics.loss < 1 AND",
        "(metrics.loss < 1",
        "params.p > 'a'",
        "datasets.color = 'red'",
        "tags.t IN 'x'",
    ],
)
def test_bad_filter_strings(tracking, filter_string):
    res = post(tracking, "runs/search", {"experiment_ids": ["0"], "filter": filter_string})
    assert res.status_code == 400, res.text
    assert res.json()["error_code"] == "INVALID_PARAMETER_VALUE"


def test_unknown_ids(tracking):
    assert get(tracking, "runs/get", {"run_id": "f" * 32}).json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    assert get(tracking, "runs/get", {"run_id": "../../etc"}).status_code == 404
    assert get(tracking, "experiments/get", {"experiment_id": "987654321"}).json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    assert get(tracking, "experiments/get", {"experiment_id": "abc"}).json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert get(tracking, "metrics/get-history", {"run_id": "f" * 32, "metric_key": "m"}).status_code == 404
    assert post(tracking, "logged-models/m-missing", {}).status_code == 404


def test_wrong_types_and_bodies(tracking, run_id):
    assert post(tracking, "runs/log-batch", None, raw="{not json").status_code == 400
    assert post(tracking, "runs/log-batch", None, raw=b"{\"run_id\": \"\xff\"}").status_code == 400
    assert post(tracking, "runs/log-batch", None, raw="[1, 2]").json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert post(tracking, "experiments/create", {"name": 12}).json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert post(tracking, "experiments/create", {"name": ""}).status_code == 400
    assert post(tracking, "experiments/create", {"name": "x" * 501}).status_code == 400
    assert post(tracking, "runs/search", {"experiment_ids": ["0"], "max_results": 50001}).status_code == 400
    assert post(tracking, "runs/search", {"experiment_ids": ["0"], "page_token": "garbage"}).status_code == 400
    assert post(tracking, "runs/update", {"run_id": run_id, "status": "EXPLODED"}).status_code == 400
    res = post(tracking, "runs/log-batch", {"run_id": run_id}, content_type="text/plain")
    assert 400 <= res.status_code < 500
    assert get(tracking, "metrics/get-history-bulk-interval", {"run_ids": [run_id] * 101, "metric_key": "m"}).status_code == 400
    assert get(tracking, "metrics/get-history-bulk-interval", {"run_ids": [run_id], "metric_key": "m", "start_step": 5}).status_code == 400


def test_unknown_endpoint_answers_endpoint_not_found(tracking):
    res = post(tracking, "runs/teleport", {})
    assert res.status_code == 404
    assert res.json()["error_code"] == "ENDPOINT_NOT_FOUND"
