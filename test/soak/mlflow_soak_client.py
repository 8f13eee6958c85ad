"""One MLflow client of the replica soak (test/soak/replicas-faults.ts), as its own process.

  load LEDGER STOP NAME     : logs metric batches and small artifacts through the real mlflow
                              client until the file STOP exists; every write the server
                              acknowledged is appended to LEDGER (one JSON line, flushed) and a
                              JSON summary of calls and client-visible failures is printed.
  verify LEDGER             : reads every acknowledged point and artifact back through the API
                              and prints what is missing or differs.

MLFLOW_TRACKING_URI (HAProxy and the project mount) and MLFLOW_TRACKING_TOKEN come from the
environment; the client's own retries (MLFLOW_HTTP_REQUEST_*) are what absorbs the faults.
"""

import hashlib
import json
import os
import sys
import tempfile
import time

from mlflow.entities import Metric
from mlflow.exceptions import MlflowException, RestException
from mlflow.tracking import MlflowClient

KEYS = 10
ARTIFACT_EVERY = 5
RUN_EVERY = 100

# Error codes a retry cannot fix: the request itself was refused.
NON_RETRYABLE_CODES = {"INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST", "RESOURCE_ALREADY_EXISTS", "PERMISSION_DENIED", "UNAUTHENTICATED", "BAD_REQUEST", "INVALID_STATE"}


def classify(error):
    """(class, retryable) of an error that escaped the mlflow client's own retries."""
    if isinstance(error, RestException):
        code = error.error_code
        return f"rest:{code}", code not in NON_RETRYABLE_CODES
    if isinstance(error, MlflowException):
        text = str(error)
        if "Max retries exceeded" in text or "too many" in text:
            return "retries-exhausted", True
        if "timed out" in text.lower() or "Read timed out" in text:
            return "timeout", True
        if "Connection" in text:
            return "connection", True
        return f"mlflow:{error.error_code}", error.error_code not in NON_RETRYABLE_CODES
    return f"python:{type(error).__name__}", False


def metric_value(step, key_index):
    return round(step * 0.001 + key_index, 6)


# However the harness fares, a client stops by itself after this long.
MAX_SECONDS = 3600


def load(ledger_path, stop_path, name):
    client = MlflowClient()
    give_up = time.time() + MAX_SECONDS

    def going():
        return time.time() < give_up and not os.path.exists(stop_path)

    summary = {"name": name, "calls": 0, "ok": 0, "points": 0, "artifacts": 0, "failures": {}, "first_messages": {}, "non_retryable": 0, "slowest_call_s": 0.0}
    ledger = open(ledger_path, "a", buffering=1)

    def call(what, fn):
        summary["calls"] += 1
        started = time.time()
        try:
            result = fn()
        except Exception as error:  # every escaped error is counted by class, then the loop goes on
            cls, retryable = classify(error)
            key = f"{what}:{cls}"
            summary["failures"][key] = summary["failures"].get(key, 0) + 1
            summary["first_messages"].setdefault(key, str(error)[:300])
            if not retryable:
                summary["non_retryable"] += 1
                print(f"{name}: non-retryable {key}: {error}", file=sys.stderr)
            time.sleep(0.5)
            return None, False
        finally:
            summary["slowest_call_s"] = max(summary["slowest_call_s"], round(time.time() - started, 2))
        summary["ok"] += 1
        return result, True

    experiment_id = None
    while experiment_id is None and going():
        experiment_id, _ = call("create_experiment", lambda: client.create_experiment(f"soak-{name}-{os.getpid()}-{int(time.time() * 1000)}"))
    run_id = None
    scratch = tempfile.mkdtemp(prefix=f"soak-{name}-")
    step = 0
    while going():
        if run_id is None or step % RUN_EVERY == 0:
            run, ok = call("create_run", lambda: client.create_run(experiment_id))
            if not ok:
                continue
            run_id = run.info.run_id
        step += 1
        now = int(time.time() * 1000)
        metrics = [Metric(f"m{k}", metric_value(step, k), now, step) for k in range(KEYS)]
        _, ok = call("log_batch", lambda: client.log_batch(run_id, metrics=metrics, synchronous=True))
        if ok:
            ledger.write(json.dumps({"t": "m", "run": run_id, "step": step}) + "\n")
            summary["points"] += KEYS
        if step % ARTIFACT_EVERY == 0:
            payload = os.urandom(1024 + (step * 131) % 7168)
            local = os.path.join(scratch, f"blob-{step}.bin")
            with open(local, "wb") as out:
                out.write(payload)
            _, ok = call("log_artifact", lambda: client.log_artifact(run_id, local, "blobs"))
            if ok:
                ledger.write(json.dumps({"t": "a", "run": run_id, "path": f"blobs/blob-{step}.bin", "sha256": hashlib.sha256(payload).hexdigest()}) + "\n")
                summary["artifacts"] += 1
            os.remove(local)
    ledger.close()
    print(json.dumps(summary))


def verify(ledger_path):
    client = MlflowClient()
    steps_by_run = {}
    artifacts = []
    with open(ledger_path) as lines:
        for line in lines:
            entry = json.loads(line)
            if entry["t"] == "m":
                steps_by_run.setdefault(entry["run"], set()).add(entry["step"])
            else:
                artifacts.append(entry)
    result = {"points_checked": 0, "points_missing": 0, "artifacts_checked": 0, "artifacts_bad": 0, "examples": []}
    for run_id, steps in steps_by_run.items():
        for k in range(KEYS):
            stored = {(m.step, m.value) for m in client.get_metric_history(run_id, f"m{k}")}
            for step in steps:
                result["points_checked"] += 1
                if (step, metric_value(step, k)) not in stored:
                    result["points_missing"] += 1
                    if len(result["examples"]) < 5:
                        result["examples"].append(f"run {run_id} m{k} step {step}")
    scratch = tempfile.mkdtemp(prefix="soak-verify-")
    for entry in artifacts:
        result["artifacts_checked"] += 1
        try:
            local = client.download_artifacts(entry["run"], entry["path"], scratch)
            with open(local, "rb") as blob:
                digest = hashlib.sha256(blob.read()).hexdigest()
        except Exception as error:  # a missing artifact is a finding, not a crash of the check
            digest = f"error: {error}"
        if digest != entry["sha256"]:
            result["artifacts_bad"] += 1
            if len(result["examples"]) < 5:
                result["examples"].append(f"artifact {entry['run']}/{entry['path']}: {digest[:80]}")
    print(json.dumps(result))


if __name__ == "__main__":
    if sys.argv[1] == "load":
        load(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "verify":
        verify(sys.argv[2])
    else:
        sys.exit("usage: mlflow_soak_client.py load LEDGER STOP NAME | verify LEDGER")
