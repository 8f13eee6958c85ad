"""A live Modelyard server for the client's tests (SQLite, or PostgreSQL when
MODELYARD_TEST_DB=postgres), an administrator's client, and users with their own tokens.
The client under test is the installed wheel (scripts/python-client.sh builds it and installs
it into a fresh venv), never the source folder."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import requests

import modelyard

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "test" / "support" / "python"))
from live_server import live_server  # noqa: E402

ADMIN_TOKEN = "client-admin-token-0123456789abcdef"


class Killed(Exception):
    """What the process dying in the middle of an upload looks like to the upload."""


def record_part_puts(client: modelyard.Client, *, die_after: int | None = None) -> list[str]:
    """The part numbers `client` PUTs from now on (in order);
    with `die_after`, each PUT of a part after that many raises Killed instead of being sent."""
    transport = client._transport
    original = type(transport).request.__get__(transport)
    sent: list[str] = []

    def recording(method: str, path: str, **kwargs: object):  # type: ignore[no-untyped-def]
        if method == "PUT" and "/parts/" in path:
            if die_after is not None and len(sent) >= die_after:
                raise Killed()
            sent.append(path.rsplit("/", 1)[1])
        return original(method, path, **kwargs)  # type: ignore[arg-type]

    transport.request = recording  # type: ignore[method-assign]
    return sent


@dataclass
class User:
    id: int
    username: str
    token: str


class Server:
    def __init__(self, url: str) -> None:
        self.url = url

    def api(self, method: str, path: str, token: str | None = ADMIN_TOKEN, **kwargs: object) -> requests.Response:
        headers = {"PRIVATE-TOKEN": token} if token else {}
        return requests.request(method, self.url + path, headers=headers, timeout=60, **kwargs)  # type: ignore[arg-type]

    def create_user(self, scopes: tuple[str, ...] = ("api",)) -> User:
        username = f"user-{uuid.uuid4().hex[:8]}"
        res = self.api("POST", "/api/v4/users", json={"username": username, "password": "client-password-1"})
        assert res.status_code == 201, res.text
        user_id = res.json()["id"]
        res = self.api("POST", f"/api/v4/users/{user_id}/personal_access_tokens", json={"name": "t", "scopes": list(scopes)})
        assert res.status_code == 201, res.text
        return User(user_id, username, res.json()["token"])


# The repositories of the Hub stand-in the server imports from (test/support/hub-stand-in.ts).
HUB_TOKEN = "hf_client_test_token_123"
HUB_REPOS = {
    "acme/tiny": {
        "files": {"README.md": "---\nlicense: mit\ntags:\n  - tiny\n---\n# Tiny\n", "config.json": '{"hidden_size": 8}', "onnx/model.onnx": "onnx"},
        "random": {"model.safetensors": 3 * 1024 * 1024 + 17},
        "lfs": ["model.safetensors"],
    },
    "acme/private": {"files": {"config.json": "{}"}, "private": True, "tokens": [HUB_TOKEN]},
    "acme/lying": {"files": {"model.safetensors": "not what the tree says"}, "lfs": ["model.safetensors"], "wrongSha": ["model.safetensors"]},
}


@dataclass
class Hub:
    url: str
    commits: dict[str, str]


@pytest.fixture(scope="session")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """The Hub stand-in as a process, until its standard input closes."""
    spec = tmp_path_factory.mktemp("hub") / "repos.json"
    spec.write_text(json.dumps(HUB_REPOS))
    proc = subprocess.Popen([str(REPO / "node_modules" / ".bin" / "tsx"), "test/support/scripts/hub-stand-in-serve.ts", str(spec)], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    started = json.loads(proc.stdout.readline() or "null")
    if not started:
        raise RuntimeError("the Hub stand-in did not start")
    yield Hub(started["url"], started["commits"])
    proc.stdin.close()
    proc.wait(timeout=30)


@pytest.fixture(scope="session")
def server(hub: Hub) -> Iterator[Server]:
    env = {"MODELYARD_HF_ENDPOINT": hub.url, "MODELYARD_OUTBOUND_ALLOW": hub.url.split("//", 1)[1], "MODELYARD_IMPORT_LEASE_SECONDS": "5"}
    with live_server("client", ADMIN_TOKEN, env=env) as live:
        yield Server(live.url)


@pytest.fixture(scope="session")
def admin(server: Server) -> modelyard.Client:
    return modelyard.Client(server.url, ADMIN_TOKEN, progress=False)


@pytest.fixture()
def project(admin: modelyard.Client) -> modelyard.projects.ProjectResource:
    path = f"p-{uuid.uuid4().hex[:10]}"
    return admin.create_project(path, path=path)
