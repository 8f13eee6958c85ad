"""Every ```python block of docs/python-client.md, run as written and in order, in one
namespace, against a live server: the docs cannot show code that does not work."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ADMIN_TOKEN, REPO, Server

DOC = REPO / "docs" / "python-client.md"


def test_the_examples_of_the_docs_run_as_written(server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) >= 6
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MODELYARD_URL", server.url)
    monkeypatch.setenv("MODELYARD_TOKEN", ADMIN_TOKEN)
    namespace: dict[str, object] = {}
    for number, block in enumerate(blocks, 1):
        try:
            exec(compile(block, f"{DOC.name} example {number}", "exec"), namespace)
        except Exception as error:  # noqa: BLE001 - name the example that failed
            raise AssertionError(f"example {number} of {DOC.name} failed:\n{block}") from error
    assert (tmp_path / "downloads" / "train.csv").read_text() == "x,y\n1,2\n"


def test_the_readme_example_on_its_first_screen_runs_as_written(server: Server) -> None:
    """The README's first screen: `pip install ./clients/python` (done: these tests run in the
    installed wheel's venv), then one command, run here with the README's own words."""
    readme = (REPO / "README.md").read_text()
    block = next(b for b in re.findall(r"```sh\n(.*?)```", readme, flags=re.S) if "pip install ./clients/python" in b)
    assert readme.index(block) < 2000, "the example is no longer on the README's first screen"
    command = next(line for line in block.splitlines() if "python -c" in line)
    # The README names the default address; the test's server listens elsewhere.
    command = command.replace("MODELYARD_URL=http://127.0.0.1:8080 ", "").replace("python -c", f"{sys.executable} -c", 1)
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60, env={**os.environ, "MODELYARD_URL": server.url, "MODELYARD_TOKEN": ADMIN_TOKEN})
    assert done.returncode == 0, done.stderr
    assert "'default'" in done.stdout
