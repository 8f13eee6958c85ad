"""The real huggingface_hub and transformers clients (test/hub/requirements.txt) download
registry versions from Modelyard through HF_ENDPOINT (conftest.py sets it before they load)."""

import hashlib
import time
from pathlib import Path

import numpy as np
import pytest
import safetensors.numpy
from huggingface_hub import HfApi, hf_hub_download, list_repo_tree, model_info, snapshot_download
from huggingface_hub.errors import GatedRepoError, RemoteEntryNotFoundError, RepositoryNotFoundError, RevisionNotFoundError
from transformers import AutoConfig, AutoTokenizer, BertConfig, BertTokenizerFast

from conftest import ok

FILES = {
    "config.json": b'{"model_type": "demo"}\n',
    "weights/part-1.bin": bytes(range(256)) * 64,
    "README.md": "# Détecteur\n".encode(),
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def registry(server):
    """A private project with a model version of FILES, 1.2.0 alias `champion` (version 1), beside a newer 1.3.0."""
    owner = server.create_user("hub-owner")
    reader = server.create_user("hub-reader", scopes=("read_model_registry",))
    outsider = server.create_user("hub-outsider")
    serve_only = server.create_user("hub-serve", scopes=("serve",))
    project = server.create_project(owner)
    server.add_member(project, reader, "reporter")
    server.add_member(project, serve_only, "developer")
    server.register_files(project, owner.token, "demo", "1.2.0", FILES, alias="champion")
    server.register_files(project, owner.token, "demo", "1.3.0", {"config.json": b"{}"})
    return {"project": project, "repo": f"{project.path}/demo", "owner": owner, "reader": reader, "outsider": outsider, "serve_only": serve_only}


@pytest.mark.parametrize("revision", ["1.2.0", "champion", "1"])
def test_snapshot_download_by_semver_alias_and_number(registry, tmp_path, revision):
    token = registry["reader"].token
    sha = model_info(registry["repo"], revision=revision, token=token).sha
    folder = Path(snapshot_download(registry["repo"], revision=revision, token=token, cache_dir=tmp_path))
    assert folder.name == sha
    downloaded = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert {name: sha256(data) for name, data in downloaded.items()} == {name: sha256(data) for name, data in FILES.items()}


def test_model_info_and_hf_hub_download(registry, tmp_path):
    token = registry["reader"].token
    info = model_info(registry["repo"], revision="1.2.0", token=token, files_metadata=True)
    assert len(info.sha) == 40
    assert sorted(s.rfilename for s in info.siblings) == sorted(FILES)
    assert {s.rfilename: s.lfs.sha256 for s in info.siblings} == {name: sha256(data) for name, data in FILES.items()}
    # `main` is the newest version; the sha of a revision is the same on every call.
    assert model_info(registry["repo"], token=token).sha != info.sha
    assert HfApi().model_info(registry["repo"], revision="champion", token=token).sha == info.sha
    path = hf_hub_download(registry["repo"], "weights/part-1.bin", revision="champion", token=token, cache_dir=tmp_path)
    assert sha256(Path(path).read_bytes()) == sha256(FILES["weights/part-1.bin"])
    assert f"/snapshots/{info.sha}/" in path
    files = [f for f in list_repo_tree(registry["repo"], revision=info.sha, recursive=True, token=token) if hasattr(f, "lfs")]
    assert {f.path: f.lfs.sha256 for f in files} == {name: sha256(data) for name, data in FILES.items()}


def test_private_project_refused_without_token_and_to_strangers(registry, tmp_path):
    with pytest.raises(RepositoryNotFoundError) as anonymous:
        snapshot_download(registry["repo"], revision="1.2.0", token=False, cache_dir=tmp_path)
    assert anonymous.value.response.status_code == 401
    with pytest.raises(RepositoryNotFoundError) as stranger:
        hf_hub_download(registry["repo"], "config.json", revision="1.2.0", token=registry["outsider"].token, cache_dir=tmp_path)
    assert stranger.value.response.status_code == 404


def test_hub_error_codes_as_typed_exceptions(registry, tmp_path):
    token = registry["reader"].token
    with pytest.raises(RevisionNotFoundError):
        model_info(registry["repo"], revision="9.9.9", token=token)
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(registry["repo"], "config.json", revision="no-such-alias", token=token, cache_dir=tmp_path)
    with pytest.raises(RemoteEntryNotFoundError):
        hf_hub_download(registry["repo"], "missing.bin", revision="1.2.0", token=token, cache_dir=tmp_path)
    with pytest.raises(RepositoryNotFoundError) as missing_model:
        model_info(f"{registry['project'].path}/no-such-model", token=token)
    assert not isinstance(missing_model.value, GatedRepoError)
    # A token whose scopes do not reach the registry: the repository is there, its files are not for it.
    with pytest.raises(GatedRepoError):
        hf_hub_download(registry["repo"], "config.json", revision="1.2.0", token=registry["serve_only"].token, cache_dir=tmp_path)


def tiny_bert(folder: Path) -> None:
    """A 2-layer BERT made from a config, with a small WordPiece vocabulary and a safetensors file of weights: no download."""
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "model", "##s", "yard"]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32, max_position_embeddings=64)
    config.save_pretrained(folder)
    BertTokenizerFast(vocab_file=str(folder / "vocab.txt")).save_pretrained(folder)
    rng = np.random.default_rng(19)
    weights = {"bert.embeddings.word_embeddings.weight": rng.standard_normal((len(vocab), 16), dtype=np.float32)}
    for layer in range(2):
        weights[f"bert.encoder.layer.{layer}.attention.self.query.weight"] = rng.standard_normal((16, 16), dtype=np.float32)
    safetensors.numpy.save_file(weights, str(folder / "model.safetensors"))


def test_transformers_loads_a_tiny_bert_from_the_registry(server, registry, tmp_path):
    local = tmp_path / "made"
    local.mkdir()
    tiny_bert(local)
    files = {str(p.relative_to(local)): p.read_bytes() for p in sorted(local.rglob("*")) if p.is_file()}
    assert {"config.json", "vocab.txt", "tokenizer.json", "tokenizer_config.json", "model.safetensors"} <= set(files)
    server.register_files(registry["project"], registry["owner"].token, "tiny-bert", "0.1.0", files)
    repo = f"{registry['project'].path}/tiny-bert"
    token = registry["reader"].token
    cache = tmp_path / "cache"

    config = AutoConfig.from_pretrained(repo, revision="0.1.0", token=token, cache_dir=cache)
    assert (config.model_type, config.num_hidden_layers, config.hidden_size) == ("bert", 2, 16)
    tokenizer = AutoTokenizer.from_pretrained(repo, revision="0.1.0", token=token, cache_dir=cache)
    assert tokenizer("hello models yard")["input_ids"] == AutoTokenizer.from_pretrained(local)("hello models yard")["input_ids"]

    weights_path = hf_hub_download(repo, "model.safetensors", revision="0.1.0", token=token, cache_dir=cache)
    downloaded = safetensors.numpy.load_file(weights_path)
    expected = safetensors.numpy.load_file(str(local / "model.safetensors"))
    assert downloaded.keys() == expected.keys()
    for name, array in expected.items():
        np.testing.assert_array_equal(downloaded[name], array)
    # Byte-identical: every file the clients fetched is the one uploaded.
    snapshot = Path(snapshot_download(repo, revision="0.1.0", token=token, cache_dir=cache))
    assert {name: sha256((snapshot / name).read_bytes()) for name in files} == {name: sha256(data) for name, data in files.items()}


CARD = """---
license: mit
library_name: transformers
pipeline_tag: fill-mask
datasets:
  - wikitext
tags:
  - tiny
---
# Tiny BERT

Made from a config for the tests.
"""


def test_import_through_the_hub_protocol_into_another_project(server, registry, tmp_path):
    """A tiny BERT uploaded to one project, imported into another through this server's own Hub
    protocol (MODELYARD_HF_ENDPOINT), byte-identical, with its card and metadata."""
    local = tmp_path / "made"
    local.mkdir()
    tiny_bert(local)
    (local / "README.md").write_text(CARD)
    files = {str(p.relative_to(local)): p.read_bytes() for p in sorted(local.rglob("*")) if p.is_file()}
    server.register_files(registry["project"], registry["owner"].token, "tiny-bert-card", "0.2.0", files)
    importer = server.create_user("importer")
    target = server.create_project(importer)
    repo = f"{registry['project'].path}/tiny-bert-card"
    job = ok("POST", f"/api/v4/projects/{target.id}/ml/imports/huggingface", importer.token, {"repository": repo, "revision": "0.2.0", "model": "imported-bert", "token": registry["reader"].token})
    assert job["state"] == "queued" and job["has_credential"] is True
    deadline = time.time() + 120
    while job["state"] in ("queued", "running") and time.time() < deadline:
        time.sleep(0.5)
        job = ok("GET", f"/api/v4/projects/{target.id}/ml/imports/{job['id']}", importer.token)
    assert job["state"] == "succeeded", job
    assert job["progress"]["files_done"] == len(files)

    # Byte-identical, read back through the Hub protocol from the project it was imported into.
    imported = Path(snapshot_download(f"{target.path}/imported-bert", token=importer.token, cache_dir=tmp_path / "cache"))
    assert {name: sha256((imported / name).read_bytes()) for name in files} == {name: sha256(data) for name, data in files.items()}
    config = AutoConfig.from_pretrained(f"{target.path}/imported-bert", token=importer.token, cache_dir=tmp_path / "cache")
    assert config.num_hidden_layers == 2

    models = ok("GET", f"/api/v4/projects/{target.id}/ml/models", importer.token)
    version = next(m for m in models if m["name"] == "imported-bert")["latest_version"]
    assert version["card"]["fields"]["license"] == "mit"
    assert "Made from a config for the tests." in version["card"]["description"]
    assert {"license::mit", "library::transformers", "pipeline::fill-mask", "tiny"} <= set(version["labels"])
    assert version["tags"]["huggingface.datasets"] == "wikitext"

    # Again: the same commit makes no second version.
    again = ok("POST", f"/api/v4/projects/{target.id}/ml/imports/huggingface", importer.token, {"repository": repo, "revision": "0.2.0", "model": "imported-bert", "token": registry["reader"].token})
    assert again["state"] == "succeeded" and again["version_id"] == job["version_id"]
