"""Fixtures for the MLflow compatibility suites: a live Modelyard server (SQLite, or PostgreSQL
when MODELYARD_TEST_DB=postgres), users with tokens, and the MLflow client pointed at either
mount: GitLab's per-project tracking URI or the plain root URI (the default project)."""

import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "test" / "support" / "python"))
from live_server import live_server  # noqa: E402

# The suite runs on the pinned mlflow 3 and on mlflow 2.22 (scripts/test-all.sh); tests of what
# only one of them has are skipped on the other by this, with the reason.
MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])
# The MLflow release whose protocol Modelyard speaks (and answers at /version): the pinned 3.x.
SERVED_MLFLOW_VERSION = next(line.split("==")[1].strip() for line in (REPO / "test/compat/requirements.txt").read_text().splitlines() if line.startswith("mlflow=="))
# The mounts the `tracking` fixture runs each test at; the mlflow 2.22 stage takes only the
# per-project one (the mounts are the server's, and the pinned client's runs check both).
MOUNTS = os.environ.get("MODELYARD_TEST_MOUNTS", "project,root").split(",")
ADMIN_TOKEN = "compat-admin-token-0123456789abcdef"
LEVELS = {"guest": 10, "reporter": 20, "developer": 30, "maintainer": 40, "owner": 50}


@dataclass
class User:
    id: int
    username: str
    token: str


class Server:
    def __init__(self, base: str, data_dir: str):
        self.base = base
        self.data_dir = data_dir

    def api(self, method: str, path: str, token: str | None = ADMIN_TOKEN, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["PRIVATE-TOKEN"] = token
        return requests.request(method, self.base + path, headers=headers, timeout=120, **kwargs)

    def create_user(self, prefix: str, scopes=("api",)) -> User:
        username = f"{prefix}-{uuid.uuid4().hex[:8]}"
        res = self.api("POST", "/api/v4/users", json={"username": username, "password": "compat-password-1"})
        assert res.status_code == 201, res.text
        user_id = res.json()["id"]
        res = self.api("POST", f"/api/v4/users/{user_id}/personal_access_tokens", json={"name": "compat", "scopes": list(scopes)})
        assert res.status_code == 201, res.text
        return User(user_id, username, res.json()["token"])

    def create_project(self, path: str | None = None) -> int:
        path = path or f"compat-{uuid.uuid4().hex[:10]}"
        res = self.api("POST", "/api/v4/projects", json={"name": path, "path": path})
        assert res.status_code == 201, res.text
        return res.json()["id"]

    def add_member(self, project_id: int, user: User, role: str) -> None:
        res = self.api("POST", f"/api/v4/projects/{project_id}/members", json={"user_id": user.id, "access_level": LEVELS[role]})
        assert res.status_code == 201, res.text


@pytest.fixture(scope="session")
def server():
    env = {}
    s3_endpoint = os.environ.get("MODELYARD_TEST_S3_ENDPOINT")
    if s3_endpoint:
        # The S3 driver against the local S3-protocol server that scripts/s3-server.sh started.
        env = {
            "MODELYARD_ARTIFACTS_URL": f"s3://modelyard-test/compat-{uuid.uuid4().hex[:8]}",
            "MODELYARD_S3_ENDPOINT": s3_endpoint,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": "us-east-1",
        }
    with live_server("compat", ADMIN_TOKEN, env=env) as live:
        yield Server(live.url, live.data_dir)


@pytest.fixture(scope="session")
def scientist(server) -> User:
    user = server.create_user("scientist")
    server.add_member(1, user, "developer")  # the default project, served at the root mount
    return user


@dataclass
class Tracking:
    uri: str
    project_id: int
    mount: str
    token: str


@pytest.fixture(params=MOUNTS)
def tracking(request, server, scientist, monkeypatch) -> Tracking:
    """The MLflow client pointed at one mount, authenticated as a developer with a token."""
    if request.param == "project":
        project_id = server.create_project()
        server.add_member(project_id, scientist, "developer")
        uri = f"{server.base}/api/v4/projects/{project_id}/ml/mlflow"
    else:
        project_id = 1
        uri = server.base
    # A 5xx must fail the test at once rather than after the client's minutes of retries.
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", scientist.token)
    monkeypatch.delenv("MLFLOW_TRACKING_USERNAME", raising=False)
    monkeypatch.delenv("MLFLOW_TRACKING_PASSWORD", raising=False)
    mlflow.set_tracking_uri(uri)
    yield Tracking(uri, project_id, request.param, scientist.token)
    if mlflow.active_run():
        mlflow.end_run()
    mlflow.set_tracking_uri(None)


def model_name(name: str) -> dict:
    """log_model's name of the model: `name` on mlflow 3 (a logged model), `artifact_path` on mlflow 2 (run artifacts)."""
    return {"name": name} if MLFLOW_MAJOR >= 3 else {"artifact_path": name}


def needs_mlflow3(feature: str):
    """Skips a test on mlflow 2.x, whose client does not have `feature`."""
    return pytest.mark.skipif(MLFLOW_MAJOR < 3, reason=f"mlflow {mlflow.__version__}'s client has no {feature} (mlflow 3.0 added them)")


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"
