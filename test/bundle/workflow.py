"""The MLflow client's everyday workflow against the unpacked bundle (run by offline-run.sh)."""
import os
import tempfile
import time
import urllib.request

import mlflow
import numpy as np
from mlflow import MlflowClient
from sklearn.linear_model import LogisticRegression

base = os.environ["MODELYARD_URL"]
deadline = time.time() + 120
while True:
    try:
        with urllib.request.urlopen(f"{base}/-/readiness", timeout=2) as answer:
            if answer.status == 200:
                break
    except OSError:
        pass
    if time.time() > deadline:
        raise SystemExit("the bundled server did not become ready in 120 s")
    time.sleep(0.5)

with urllib.request.urlopen(f"{base}/", timeout=5) as page:
    html = page.read().decode()
    assert "<div id=\"root\"" in html or "id=\"root\"" in html, "the web UI's page is not served"

mlflow.set_tracking_uri(f"{base}/api/v4/projects/default/ml/mlflow")
mlflow.set_experiment("air-gapped")
X = np.array([[0.0], [1.0], [2.0], [3.0]])
y = np.array([0, 0, 1, 1])
with mlflow.start_run() as run:
    mlflow.log_param("C", 1.0)
    for step in range(5):
        mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
    scratch = tempfile.mkdtemp()
    notes = os.path.join(scratch, "notes.txt")
    with open(notes, "w") as file:
        file.write("trained offline\n")
    mlflow.log_artifact(notes)
    model = LogisticRegression().fit(X, y)
    mlflow.sklearn.log_model(model, name="model", registered_model_name="offline-model")

client = MlflowClient()
assert [m.value for m in client.get_metric_history(run.info.run_id, "loss")] == [1.0, 0.5, 1.0 / 3, 0.25, 0.2]
with open(client.download_artifacts(run.info.run_id, "notes.txt", tempfile.mkdtemp())) as downloaded:
    assert downloaded.read() == "trained offline\n"
loaded = mlflow.pyfunc.load_model("models:/offline-model/1")
assert list(loaded.predict(X)) == [0, 0, 1, 1]
print("MLflow workflow against the bundle: experiment, run, params, metrics, artifact, model registered and loaded")
