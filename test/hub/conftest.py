"""Fixtures for the Hugging Face clients' suite: a live Modelyard server (SQLite, or PostgreSQL
when MODELYARD_TEST_DB=postgres), people with tokens, and the clients pointed at it through
HF_ENDPOINT. The clients read HF_ENDPOINT when they are imported, so the server's port is chosen
and the variables are set here, before any test module imports them."""

import json
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "test" / "support" / "python"))
from live_server import free_port, live_server  # noqa: E402

ADMIN_TOKEN = "hub-admin-token-0123456789abcdef"
LEVELS = {"guest": 10, "reporter": 20, "developer": 30, "maintainer": 40, "owner": 50}

PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
HF_HOME = tempfile.mkdtemp(prefix="modelyard-hf-home-")
os.environ.update(
    {
        "HF_ENDPOINT": f"{BASE}/api/hf",
        # A home of its own: no token or cache of the machine's is read.
        "HF_HOME": HF_HOME,
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
        "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    }
)
for variable in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ.pop(variable, None)


def request(method: str, path: str, token: str | None = ADMIN_TOKEN, body: bytes | dict | None = None) -> tuple[int, dict | list | None]:
    headers = {}
    data = None
    if token:
        headers["PRIVATE-TOKEN"] = token
    if isinstance(body, dict):
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    elif body is not None:
        data = body
        headers["Content-Type"] = "application/octet-stream"
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=120) as res:
            text = res.read()
            return res.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, {"error": error.read().decode()}


def ok(method: str, path: str, token: str | None = ADMIN_TOKEN, body: bytes | dict | None = None):
    status, answer = request(method, path, token, body)
    assert status < 300, f"{method} {path}: {status} {answer}"
    return answer


@dataclass
class User:
    id: int
    username: str
    token: str


@dataclass
class Project:
    id: int
    path: str


class Server:
    base = BASE

    def create_user(self, prefix: str, scopes=("api",)) -> User:
        username = f"{prefix}-{uuid.uuid4().hex[:8]}"
        user_id = ok("POST", "/api/v4/users", body={"username": username, "password": "hub-password-1"})["id"]
        token = ok("POST", f"/api/v4/users/{user_id}/personal_access_tokens", body={"name": "hub", "scopes": list(scopes)})["token"]
        return User(user_id, username, token)

    def create_project(self, owner: User, visibility: str = "private") -> Project:
        path = f"hub-{uuid.uuid4().hex[:10]}"
        project_id = ok("POST", "/api/v4/projects", owner.token, {"name": path, "path": path, "visibility": visibility})["id"]
        return Project(project_id, path)

    def add_member(self, project: Project, user: User, role: str) -> None:
        ok("POST", f"/api/v4/projects/{project.id}/members", body={"user_id": user.id, "access_level": LEVELS[role]})

    def register_files(self, project: Project, token: str, model: str, semver: str, files: dict[str, bytes], alias: str | None = None) -> None:
        """A version of the model (created if new) whose files are uploaded, as GitLab's ml_model packages."""
        models = ok("GET", f"/api/v4/projects/{project.id}/ml/models?per_page=100", token)
        existing = next((m for m in models if m["name"] == model), None)
        model_id = existing["id"] if existing else ok("POST", f"/api/v4/projects/{project.id}/ml/models", token, {"name": model})["id"]
        version = ok("POST", f"/api/v4/projects/{project.id}/ml/models/{model_id}/versions", token, {"semver": semver})
        for path, content in files.items():
            ok("PUT", f"/api/v4/projects/{project.id}/packages/ml_models/{version['id']}/files/{path}", token, content)
        if alias:
            ok("PUT", f"/api/v4/projects/{project.id}/ml/models/{model_id}/aliases/{alias}", token, {"version": version["version"]})


@pytest.fixture(scope="session")
def server():
    # Imports read from this same server's Hub protocol (the outbound policy must allow it).
    env = {"MODELYARD_HF_ENDPOINT": f"{BASE}/api/hf", "MODELYARD_OUTBOUND_ALLOW": f"127.0.0.1:{PORT}"}
    with live_server("hub", ADMIN_TOKEN, port=PORT, env=env):
        yield Server()
    shutil.rmtree(HF_HOME, ignore_errors=True)
