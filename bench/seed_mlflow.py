"""Seeds the real MLflow server's SQLite database directly, so that the benchmark can measure
its reads over large data without waiting hours for its own ingest. Usage:
  seed_mlflow.py runs DB EXPERIMENT_ID COUNT
  seed_mlflow.py history DB RUN_ID KEY POINTS
"""

import sqlite3
import sys
import time
import uuid


def seed_runs(db: str, experiment_id: int, count: int) -> None:
    conn = sqlite3.connect(db, timeout=60)
    start = int(time.time() * 1000) - count
    batch_runs, batch_latest, batch_metrics, batch_params, batch_tags = [], [], [], [], []

    def flush():
        conn.executemany(
            "insert into runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time,"
            " source_version, lifecycle_stage, artifact_uri, experiment_id) values (?, ?, 'LOCAL', '', '', 'bench', 'FINISHED', ?, ?, '', 'active', ?, ?)",
            batch_runs,
        )
        conn.executemany("insert into latest_metrics (key, value, timestamp, step, is_nan, run_uuid) values (?, ?, ?, 0, 0, ?)", batch_latest)
        conn.executemany("insert into metrics (key, value, timestamp, run_uuid, step, is_nan) values (?, ?, ?, ?, 0, 0)", batch_metrics)
        conn.executemany("insert into params (key, value, run_uuid) values (?, ?, ?)", batch_params)
        conn.executemany("insert into tags (key, value, run_uuid) values (?, ?, ?)", batch_tags)
        conn.commit()
        for b in (batch_runs, batch_latest, batch_metrics, batch_params, batch_tags):
            b.clear()

    for i in range(count):
        run = uuid.uuid4().hex
        loss = ((i * 7919) % 1000) / 1000
        acc = ((i * 104729) % 1000) / 1000
        batch_runs.append((run, f"run-{i}", start + i, start + i + 1, f"mlflow-artifacts:/{experiment_id}/{run}/artifacts", experiment_id))
        for key, value in (("loss", loss), ("acc", acc)):
            batch_latest.append((key, value, start + i, run))
            batch_metrics.append((key, value, start + i, run))
        batch_params.append(("lr", str(i % 10), run))
        batch_tags.append(("mlflow.runName", f"run-{i}", run))
        if len(batch_runs) >= 5000:
            flush()
    flush()
    conn.close()


def seed_history(db: str, run_id: str, key: str, points: int) -> None:
    conn = sqlite3.connect(db, timeout=60)
    now = int(time.time() * 1000)
    rows = []
    for step in range(points):
        value = ((step * 2654435761) % 10007) / 10007
        rows.append((key, value, now + step, run_id, step))
        if len(rows) >= 50_000:
            conn.executemany("insert into metrics (key, value, timestamp, run_uuid, step, is_nan) values (?, ?, ?, ?, ?, 0)", rows)
            rows.clear()
    if rows:
        conn.executemany("insert into metrics (key, value, timestamp, run_uuid, step, is_nan) values (?, ?, ?, ?, ?, 0)", rows)
    conn.execute(
        "insert or replace into latest_metrics (key, value, timestamp, step, is_nan, run_uuid) values (?, 0.5, ?, ?, 0, ?)",
        (key, now + points - 1, points - 1, run_id),
    )
    conn.commit()
    conn.close()


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "runs":
        seed_runs(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif command == "history":
        seed_history(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        raise SystemExit(__doc__)
