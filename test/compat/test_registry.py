"""The MLflow client's model registry against Modelyard, at both mounts."""

import mlflow
import numpy as np
import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from sklearn.linear_model import LogisticRegression

from conftest import MLFLOW_MAJOR, model_name, unique

X = np.array([[0.0], [1.0], [2.0], [3.0]])
Y = np.array([0, 0, 1, 1])


def _train():
    return LogisticRegression().fit(X, Y)


def test_log_model_registers_sets_alias_and_loads_by_alias(tracking):
    name = unique("fraud")
    mlflow.set_experiment(unique("reg"))
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(_train(), registered_model_name=name, input_example=X[:1], **model_name("model"))
    assert str(info.registered_model_version) == "1"
    client = MlflowClient()
    client.set_registered_model_alias(name, "champion", "1")
    loaded = mlflow.pyfunc.load_model(f"models:/{name}@champion")
    assert list(loaded.predict(X)) == [0, 0, 1, 1]
    # The integer version still loads (GitLab's gitlab#506768 does not happen here).
    assert list(mlflow.pyfunc.load_model(f"models:/{name}/1").predict(X)) == [0, 0, 1, 1]
    assert list(mlflow.sklearn.load_model(f"models:/{name}/latest").predict(X)) == [0, 0, 1, 1]
    assert client.get_model_version_by_alias(name, "champion").version == "1"
    uri = client.get_model_version_download_uri(name, "1")
    # mlflow 3 registers the logged model; mlflow 2 the run's artifacts.
    assert uri.startswith("mlflow-artifacts:/") and ("/models/m-" in uri if MLFLOW_MAJOR >= 3 else uri.endswith("/artifacts/model"))


def test_register_model_from_a_run(tracking):
    name = unique("from-run")
    mlflow.set_experiment(unique("reg-run"))
    with mlflow.start_run() as run:
        mlflow.sklearn.log_model(_train(), **model_name("model"))
    version = mlflow.register_model(f"runs:/{run.info.run_id}/model", name)
    assert version.version == "1"
    assert version.run_id == run.info.run_id
    again = mlflow.register_model(f"runs:/{run.info.run_id}/model", name)
    assert again.version == "2"
    assert list(mlflow.pyfunc.load_model(f"models:/{name}/2").predict(X)) == [0, 0, 1, 1]


def test_copy_model_version_reads_the_originals_files(tracking):
    client = MlflowClient()
    mlflow.set_experiment(unique("copy"))
    with mlflow.start_run() as run:
        mlflow.log_text("flavors: {}", "model/MLmodel")
    source = unique("source")
    client.create_registered_model(source)
    original = client.create_model_version(source, f"runs:/{run.info.run_id}/model", run.info.run_id, description="first", tags={"team": "fraud"})
    client.set_registered_model_alias(source, "champion", original.version)
    target = unique("target")
    copy = client.copy_model_version(f"models:/{source}@champion", target)
    assert (copy.name, copy.version, copy.source, copy.run_id) == (target, "1", f"models:/{source}/1", run.info.run_id)
    assert (copy.description, copy.tags) == ("first", {"team": "fraud"})
    assert client.get_model_version_download_uri(target, "1") == client.get_model_version_download_uri(source, "1")
    folder = mlflow.artifacts.download_artifacts(f"models:/{target}/1")
    assert open(f"{folder}/MLmodel").read() == "flavors: {}"
    with pytest.raises(MlflowException, match="must match the referenced model version"):
        client.create_model_version(target, f"models:/{source}/1", run_id="0" * 32)


def test_search_tags_stages_rename_and_delete(tracking):
    client = MlflowClient()
    prefix = unique("srch")
    for i in range(3):
        client.create_registered_model(f"{prefix}-{i}", tags={"team": "risk" if i < 2 else "ops"}, description=f"model {i}")
        client.create_model_version(f"{prefix}-{i}", source="", tags={"modelyard.semver": f"1.{i}.0"})
    found = client.search_registered_models(filter_string=f"name LIKE '{prefix}-%' AND tags.team = 'risk'", order_by=["name DESC"])
    assert [m.name for m in found] == [f"{prefix}-1", f"{prefix}-0"]
    versions = client.search_model_versions(filter_string=f"name = '{prefix}-2'")
    assert [(v.version, v.tags["modelyard.semver"]) for v in versions] == [("1", "1.2.0")]
    client.set_registered_model_tag(f"{prefix}-0", "owner", "alice")
    client.delete_registered_model_tag(f"{prefix}-0", "team")
    assert client.get_registered_model(f"{prefix}-0").tags == {"owner": "alice"}
    client.set_model_version_tag(f"{prefix}-0", "1", "validated", "yes")
    client.delete_model_version_tag(f"{prefix}-0", "1", "modelyard.semver")
    assert client.get_model_version(f"{prefix}-0", "1").tags == {"validated": "yes"}
    client.update_registered_model(f"{prefix}-0", description="updated")
    client.update_model_version(f"{prefix}-0", "1", description="v1 notes")
    assert client.get_registered_model(f"{prefix}-0").description == "updated"
    assert client.get_model_version(f"{prefix}-0", "1").description == "v1 notes"
    with pytest.warns(FutureWarning):
        client.transition_model_version_stage(f"{prefix}-0", "1", "Production")
    with pytest.warns(FutureWarning):
        latest = client.get_latest_versions(f"{prefix}-0", stages=["Production"])
    assert [v.version for v in latest] == ["1"]
    client.rename_registered_model(f"{prefix}-1", f"{prefix}-renamed")
    assert client.get_registered_model(f"{prefix}-renamed").name == f"{prefix}-renamed"
    client.delete_model_version(f"{prefix}-2", "1")
    client.delete_registered_model(f"{prefix}-2")
    with pytest.raises(MlflowException) as gone:
        client.get_registered_model(f"{prefix}-2")
    assert gone.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_semver_through_tags_and_duplicates(tracking):
    client = MlflowClient()
    name = unique("semver")
    client.create_registered_model(name)
    assert client.create_model_version(name, source="").tags == {}
    v2 = client.create_model_version(name, source="", tags={"modelyard.semver": "2.0.0"})
    assert v2.version == "2"
    v3 = client.create_model_version(name, source="", tags={"gitlab.version": "2.1.0"})
    assert v3.version == "3"
    with pytest.raises(MlflowException) as duplicate:
        client.create_model_version(name, source="", tags={"modelyard.semver": "2.0.0"})
    assert duplicate.value.error_code == "RESOURCE_ALREADY_EXISTS"
    assert "2.0.0" in duplicate.value.message
    # A given semantic version is among the version's aliases (GitLab's clients read it there),
    # a counted one is not, and neither is an alias of the model.
    assert [client.get_model_version(name, v).aliases for v in ("1", "2", "3")] == [[], ["2.0.0"], ["2.1.0"]]
    assert client.get_registered_model(name).aliases == {}


def test_models_uri_with_a_semantic_version_loads_given_and_counted_ones(tracking):
    name = unique("semver-uri")
    mlflow.set_experiment(unique("reg-semver"))
    with mlflow.start_run() as run:
        # Requirements given, so the client does not spend seconds inferring them.
        mlflow.sklearn.log_model(_train(), pip_requirements=["scikit-learn"], **model_name("model"))
    mlflow.register_model(f"runs:/{run.info.run_id}/model", name, tags={"gitlab.version": "2.0.0"})
    mlflow.register_model(f"runs:/{run.info.run_id}/model", name)
    assert list(mlflow.pyfunc.load_model(f"models:/{name}@2.0.0").predict(X)) == [0, 0, 1, 1]
    assert list(mlflow.pyfunc.load_model(f"models:/{name}@2.0.1").predict(X)) == [0, 0, 1, 1]
    assert MlflowClient().get_model_version_by_alias(name, "2.0.1").version == "2"
    with pytest.raises(MlflowException) as missing:
        MlflowClient().get_model_version_by_alias(name, "3.0.0")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_duplicate_model_and_reporter_refusal(tracking, server):
    client = MlflowClient()
    name = unique("dup")
    client.create_registered_model(name)
    with pytest.raises(MlflowException) as duplicate:
        client.create_registered_model(name)
    assert duplicate.value.error_code == "RESOURCE_ALREADY_EXISTS"
