"""Runs logged through MLflow's REST protocol, read back with the client: experiments, native
search with MLflow's filter syntax across pages, a run, and a metric's whole history."""

from __future__ import annotations

import modelyard

from .conftest import Server


def test_runs_are_searched_and_read(server: Server, project: modelyard.projects.ProjectResource) -> None:
    mlflow = f"/api/v4/projects/{project.id}/ml/mlflow/api/2.0/mlflow"
    experiment = server.api("POST", f"{mlflow}/experiments/create", json={"name": "exp"}).json()["experiment_id"]
    run_ids = []
    for i in range(5):
        run = server.api("POST", f"{mlflow}/runs/create", json={"experiment_id": experiment, "run_name": f"r{i}", "start_time": 1000 + i}).json()["run"]
        run_id = run["info"]["run_id"]
        run_ids.append(run_id)
        metrics = [{"key": "loss", "value": 1.0 / (i + 1), "timestamp": 1, "step": s} for s in range(3)]
        res = server.api("POST", f"{mlflow}/runs/log-batch", json={"run_id": run_id, "metrics": metrics, "params": [{"key": "lr", "value": str(i)}]})
        assert res.status_code == 200, res.text
    assert "exp" in [e["name"] for e in project.experiments()]
    found = list(project.runs(filter="metrics.loss < 0.3", order_by="metrics.loss ASC", page_size=1))
    assert [r["name"] for r in found] == ["r4", "r3"]
    assert len(list(project.runs(page_size=2))) == 5
    assert project.run(run_ids[0])["params"]["lr"] == "0"
    assert [p["step"] for p in project.metric_history(run_ids[0], "loss")] == [0, 1, 2]
