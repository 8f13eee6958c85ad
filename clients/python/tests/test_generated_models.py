"""src/modelyard/models.py is what tools/generate_models.py makes from the running server's
OpenAPI document: a change to the server's answers that the client's types do not follow fails
here (regenerate with the command in the generator's docstring)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from .conftest import Server

CLIENT = Path(__file__).resolve().parents[1]


def test_models_match_the_servers_openapi_document(server: Server, tmp_path: Path) -> None:
    document = tmp_path / "openapi.json"
    document.write_bytes(requests.get(server.url + "/api/v4/openapi.json", timeout=30).content)
    generated = subprocess.run([sys.executable, str(CLIENT / "tools" / "generate_models.py"), str(document)], check=True, capture_output=True, text=True).stdout
    committed = (CLIENT / "src" / "modelyard" / "models.py").read_text()
    assert generated == committed, "models.py is out of date: run tools/generate_models.py against the server's /api/v4/openapi.json"


def test_the_installed_client_is_the_built_wheel_not_the_source_folder() -> None:
    import modelyard

    assert "site-packages" in modelyard.__file__
    assert (Path(modelyard.__file__).parent / "py.typed").exists()
