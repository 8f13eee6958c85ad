"""MLflow 3's LoggedModel calls (what log_model uses under the hood), without artifacts."""

import mlflow
import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from conftest import needs_mlflow3, unique

pytestmark = needs_mlflow3("logged models")


def test_logged_model_lifecycle(tracking):
    client = MlflowClient()
    experiment_id = client.create_experiment(unique("lm"))
    run = client.create_run(experiment_id)
    model = client.create_logged_model(experiment_id, name="classifier", source_run_id=run.info.run_id, tags={"owner": "ml"}, params={"alpha": "0.1"}, model_type="sklearn")
    assert model.model_id.startswith("m-") and len(model.model_id) == 34
    assert model.status.to_proto() == 1 or str(model.status).endswith("PENDING")
    assert model.artifact_location.startswith("mlflow-artifacts:/")
    assert model.source_run_id == run.info.run_id
    ready = client.finalize_logged_model(model.model_id, "READY")
    assert str(ready.status).endswith("READY")
    fetched = client.get_logged_model(model.model_id)
    assert fetched.name == "classifier" and fetched.tags["owner"] == "ml" and fetched.params["alpha"] == "0.1"
    client.set_logged_model_tags(model.model_id, {"stage": "candidate"})
    client.delete_logged_model_tag(model.model_id, "owner")
    client.log_model_params(model.model_id, {"beta": "2"})
    fetched = client.get_logged_model(model.model_id)
    assert fetched.tags == {"stage": "candidate"}
    assert fetched.params == {"alpha": "0.1", "beta": "2"}
    found = client.search_logged_models([experiment_id], filter_string="name = 'classifier' AND params.alpha = '0.1'")
    assert [m.model_id for m in found] == [model.model_id]
    client.delete_logged_model(model.model_id)
    with pytest.raises(MlflowException) as gone:
        client.get_logged_model(model.model_id)
    assert gone.value.error_code == "RESOURCE_DOES_NOT_EXIST"
