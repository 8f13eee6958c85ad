"""The Python client installed from the bundle's wheelhouse, used against the air-gapped server:
a project, a model version with a file, and the file read back byte for byte."""

import hashlib
import pathlib
import tempfile

from modelyard import Client

client = Client()
project = client.create_project("airgapped-client", path="airgapped-client")
version = project.models.create("offline-model").create_version(semver="1.0.0")
work = pathlib.Path(tempfile.mkdtemp())
payload = work / "weights.bin"
payload.write_bytes(bytes(range(256)) * 1000)
stored = version.upload(payload)
assert stored["file_sha256"] == hashlib.sha256(payload.read_bytes()).hexdigest(), stored
back = version.download("weights.bin", work / "back")
assert back.read_bytes() == payload.read_bytes()
print("python client from the bundle: project, version, upload and download passed")
