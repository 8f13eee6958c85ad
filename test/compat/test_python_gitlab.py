"""python-gitlab (GitLab's own Python client, pinned) against the CI API: scripts written for
GitLab's pipelines, jobs, CI variables and trigger tokens work unchanged."""

import gitlab
import requests

from conftest import ADMIN_TOKEN, unique


def _runner_takes_and_finishes(server, runner_token: str, log: str) -> int:
    """Plays the runner: takes one job, writes its log, reports success."""
    job = requests.post(server.base + "/api/v4/jobs/request", json={"token": runner_token}, timeout=30).json()
    data = log.encode()
    res = requests.patch(
        f"{server.base}/api/v4/jobs/{job['id']}/trace",
        headers={"JOB-TOKEN": job["token"], "Content-Type": "text/plain", "Content-Range": f"0-{len(data) - 1}"},
        data=data,
        timeout=30,
    )
    assert res.status_code == 202, res.text
    res = requests.put(f"{server.base}/api/v4/jobs/{job['id']}", json={"token": job["token"], "state": "success"}, timeout=30)
    assert res.status_code == 200, res.text
    return job["id"]


def test_pipelines_jobs_variables_and_triggers(server):
    gl = gitlab.Gitlab(server.base, private_token=ADMIN_TOKEN)
    project_id = server.create_project(unique("gl"))
    project = gl.projects.get(project_id)
    assert project.id == project_id

    res = server.api("PUT", f"/api/v4/projects/{project_id}/ci/config", json={"content": "build:\n  script: [make]\ndeploy:\n  stage: deploy\n  when: manual\n  script: [ship]\n"})
    assert res.status_code == 200, res.text
    lint = project.ci_lint.create({"content": "job:\n  script: [x]\n  bogus: 1\n"})
    assert lint.valid is False
    assert "line 3" in lint.errors[0]

    variable = project.variables.create({"key": "DEPLOY_TOKEN", "value": "s3cret-value-123", "masked": True, "protected": True})
    assert variable.masked is True
    assert [v.key for v in project.variables.list()] == ["DEPLOY_TOKEN"]
    variable.value = "another-secret-456"
    variable.save()
    assert project.variables.get("DEPLOY_TOKEN").value == "another-secret-456"

    runner = server.api("POST", "/api/v4/user/runners", json={"runner_type": "project_type", "project_id": project_id, "run_untagged": True}).json()

    pipeline = project.pipelines.create({"ref": "main", "variables": [{"key": "EPOCHS", "value": "3"}]})
    assert pipeline.status == "pending"
    assert pipeline.source == "api"
    job_id = _runner_takes_and_finishes(server, runner["token"], "$ make\nbuilt\n")

    pipeline = project.pipelines.get(pipeline.id)
    jobs = pipeline.jobs.list()
    assert {j.name: j.status for j in jobs} == {"build": "success", "deploy": "manual"}
    job = project.jobs.get(job_id)
    assert job.trace() == b"$ make\nbuilt\n"
    deploy = project.jobs.get(next(j.id for j in jobs if j.name == "deploy"))
    deploy.play()
    _runner_takes_and_finishes(server, runner["token"], "shipped\n")
    assert project.pipelines.get(pipeline.id).status == "success"
    assert [p.id for p in project.pipelines.list(status="success")] == [pipeline.id]

    trigger = project.triggers.create({"description": "nightly"})
    assert trigger.token.startswith("glptt-")
    triggered = project.trigger_pipeline("main", trigger.token, variables={"NIGHTLY": "1"})
    assert triggered.source == "trigger"
    triggered.cancel()
    assert project.pipelines.get(triggered.id).status == "canceled"
    triggered.retry()
    assert project.pipelines.get(triggered.id).status == "pending"
