"""Every ```python block of docs/python-client.md, run as written and in order, in one
namespace, against a live server: the docs cannot show code that does not work."""

from __future__ import annotations

import re
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
