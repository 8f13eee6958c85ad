"""Environments and deployments from the client: deploy a version by alias, list and read
deployments, refusals as typed errors, results, stop, A/B traffic and feedback, and a protected
environment's approval by another maintainer."""

from __future__ import annotations

import pytest

import modelyard

from .conftest import Server


def test_deploy_list_refuse_and_stop(project: modelyard.projects.ProjectResource) -> None:
    model = project.models.create("ranker")
    model.create_version(semver="1.0.0")
    model.create_version(semver="2.0.0")
    model.set_alias("champion", 1)
    env = project.deployments.create_environment("staging", tier="staging")
    assert env["tier"] == "staging"
    first = project.deployments.deploy("staging", "ranker", "champion", reason="first")
    assert first["variants"][0]["version"]["version"] == 1
    canary = project.deployments.deploy("staging", "ranker", "2.0.0", policy={"kind": "canary", "steps": [10, 50, 100]}, reason="try v2")
    assert canary["policy"]["kind"] == "canary"
    assert [d["id"] for d in project.deployments.list(environment="staging")][:2] == [canary["id"], first["id"]]
    assert project.deployments.get(first["id"])["reason"] == "first"
    assert project.deployments.environment("staging")["id"] == env["id"]
    with pytest.raises(modelyard.NotFoundError):
        project.deployments.deploy("staging", "ranker", "9.9.9")
    with pytest.raises(modelyard.BadRequestError):
        project.deployments.deploy("staging", "ranker", "1", policy={"kind": "canary", "steps": [200]})
    results = project.deployments.results("staging")
    assert results["deployment_id"] == canary["id"]
    assert project.deployments.stop("staging", force=True)["state"] == "stopped"
    with pytest.raises(modelyard.NotFoundError, match="no environment named"):
        project.deployments.environment("nowhere")


def test_traffic_promote_and_feedback(project: modelyard.projects.ProjectResource) -> None:
    model = project.models.create("scorer")
    model.create_version(semver="1.0.0")
    model.create_version(semver="2.0.0")
    project.deployments.create_environment("ab")
    assert project.deployments.traffic("ab") == []
    project.deployments.deploy("ab", "scorer", policy={"kind": "ab"}, variants=[{"name": "a", "version": "1.0.0", "weight": 50}, {"name": "b", "version": "2.0.0", "weight": 50}])
    split = project.deployments.traffic("ab")
    assert sorted((v["name"], v["version"]["semver"], v["weight"]) for v in split) == [("a", "1.0.0", 50), ("b", "2.0.0", 50)]
    counted = project.deployments.feedback("ab", "user-7", 1)
    assert counted["variant"] in {"a", "b"}
    # The same subject always lands on the same variant.
    assert project.deployments.feedback("ab", "user-7", 0)["variant"] == counted["variant"]


def test_approval_of_a_protected_environment_and_refused_promote_and_rollback(server: Server, project: modelyard.projects.ProjectResource) -> None:
    model = project.models.create("gated")
    model.create_version(semver="1.0.0")
    project.deployments.create_environment("production", tier="production")
    res = server.api("POST", f"{project.base}/protected_environments", json={"name": "production", "deploy_access_levels": [{"access_level": 40}], "required_approval_count": 1})
    assert res.status_code == 201, res.text
    # Nothing ran in production before: nothing to roll back to, and a single deployment has no canary step.
    with pytest.raises(modelyard.ConflictError, match="no earlier successful deployment"):
        project.deployments.rollback("production", "too early")
    blocked = project.deployments.deploy("production", "gated", "1.0.0", reason="release")
    assert blocked["status"] == "blocked"
    with pytest.raises(modelyard.ApiError):
        project.deployments.promote("production")
    # Another maintainer approves (the deployer may not).
    reviewer = server.create_user()
    project.add_member(reviewer.id, 40)
    as_reviewer = modelyard.Client(server.url, reviewer.token, progress=False).project(project.key)
    answer = as_reviewer.deployments.approve(blocked["id"], "checked the card")
    assert answer["status"] == "approved"
    assert project.deployments.get(blocked["id"])["status"] != "blocked"
