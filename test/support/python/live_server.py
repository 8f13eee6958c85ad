"""One live Modelyard server for a Python suite (the MLflow compatibility suite, the Hugging Face
clients' suite, the Python client's suite): a fresh data folder, a fresh PostgreSQL database when
MODELYARD_TEST_DB=postgres (SQLite in the data folder otherwise), `modelyard serve` on a loopback
port, and on the way out a check that the server logged no error. Standard library only: each
suite imports it from its own venv, and not every venv has `requests`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

REPO = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(prefix: str) -> tuple[str | None, Callable[[], None]]:
    """A new PostgreSQL database on MODELYARD_TEST_PG_URL's server and how to drop it, or none (SQLite)."""
    if os.environ.get("MODELYARD_TEST_DB") != "postgres":
        return None, lambda: None
    admin = os.environ["MODELYARD_TEST_PG_URL"]
    name = f"modelyard_{prefix}_{uuid.uuid4().hex[:10]}"
    subprocess.run(["psql", admin, "-qc", f"create database {name}"], check=True, capture_output=True)

    def drop() -> None:
        subprocess.run(["psql", admin, "-qc", f"drop database if exists {name} with (force)"], capture_output=True)

    return admin.rsplit("/", 1)[0] + "/" + name, drop


@dataclass
class LiveServer:
    url: str
    data_dir: str


def _answers_health(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/-/health", timeout=2) as res:
            return res.status == 200
    except OSError:
        return False


@contextmanager
def live_server(name: str, admin_token: str, *, port: int | None = None, env: dict[str, str] | None = None, start_seconds: float = 120) -> Iterator[LiveServer]:
    """Runs the built server (bin/modelyard.mjs) until the block ends. Every JSON answer is held to
    its route's response schema (MODELYARD_CHECK_RESPONSES: a mismatch answers 500), and a line
    the server logged at level error fails the suite when it ends."""
    data_dir = tempfile.mkdtemp(prefix=f"modelyard-{name}-")
    port = port or free_port()
    database_url, drop_database = fresh_database(name)
    server_env = {
        **os.environ,
        "MODELYARD_PORT": str(port),
        "MODELYARD_DATA_DIR": data_dir,
        "MODELYARD_INITIAL_ADMIN_TOKEN": admin_token,
        "MODELYARD_LOG_LEVEL": "warn",
        "MODELYARD_CHECK_RESPONSES": "true",
        **(env or {}),
    }
    server_env.pop("MODELYARD_DATABASE_URL", None)
    if database_url:
        server_env["MODELYARD_DATABASE_URL"] = database_url
    log_path = Path(data_dir) / "server.log"
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(["node", "bin/modelyard.mjs", "serve"], cwd=REPO, env=server_env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + start_seconds
            while not _answers_health(url):
                if proc.poll() is not None or time.time() > deadline:
                    log.flush()
                    raise RuntimeError("Modelyard did not start:\n" + log_path.read_text())
                time.sleep(0.2)
            yield LiveServer(url, data_dir)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    server_log = log_path.read_text()
    drop_database()
    shutil.rmtree(data_dir, ignore_errors=True)
    assert '"level":50' not in server_log, "the server logged errors:\n" + server_log[-5000:]
