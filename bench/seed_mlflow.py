"""Seeds the real MLflow server's database directly, so that the benchmark can measure
its reads over large data without waiting hours for its own ingest. Usage:
  seed_mlflow.py runs DB EXPERIMENT_ID COUNT [FIRST [T0]]
  seed_mlflow.py history DB RUN_ID KEY POINTS
DB is a SQLite file, or a postgresql:// URL (then psycopg2, from bench/requirements-postgres.txt).
FIRST numbers the runs from there, so that a second call grows the same experiment; run i
starts at T0 + i milliseconds (by default T0 is now minus COUNT).
"""

import sqlite3
import sys
import time
import uuid


class Postgres:
    """psycopg2 behind the few sqlite3 calls used here ('?' placeholders become '%s')."""

    def __init__(self, url: str):
        import psycopg2

        self.conn = psycopg2.connect(url)

    def executemany(self, statement: str, rows):
        if rows:
            with self.conn.cursor() as cur:
                cur.executemany(statement.replace("?", "%s"), rows)

    def execute(self, statement: str, row):
        self.executemany(statement, [row])

    def commit(self):
        self.conn.commit()

    def close(self):
        self.conn.close()


def connect(db: str):
    if db.startswith("postgresql://"):
        return Postgres(db)
    return sqlite3.connect(db, timeout=60)


def seed_runs(db: str, experiment_id: int, count: int, first: int = 0, t0: int = 0) -> None:
    conn = connect(db)
    start = t0 or int(time.time() * 1000) - count
    batch_runs, batch_latest, batch_metrics, batch_params, batch_tags = [], [], [], [], []

    def flush():
        conn.executemany(
            "insert into runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time,"
            " source_version, lifecycle_stage, artifact_uri, experiment_id) values (?, ?, 'LOCAL', '', '', 'bench', 'FINISHED', ?, ?, '', 'active', ?, ?)",
            batch_runs,
        )
        conn.executemany("insert into latest_metrics (key, value, timestamp, step, is_nan, run_uuid) values (?, ?, ?, 0, false, ?)", batch_latest)
        conn.executemany("insert into metrics (key, value, timestamp, run_uuid, step, is_nan) values (?, ?, ?, ?, 0, false)", batch_metrics)
        conn.executemany("insert into params (key, value, run_uuid) values (?, ?, ?)", batch_params)
        conn.executemany("insert into tags (key, value, run_uuid) values (?, ?, ?)", batch_tags)
        conn.commit()
        for b in (batch_runs, batch_latest, batch_metrics, batch_params, batch_tags):
            b.clear()

    for i in range(first, first + count):
        run = uuid.uuid4().hex
        loss = ((i * 7919) % 1000) / 1000
        acc = ((i * 104729) % 1000) / 1000
        batch_runs.append((run, f"run-{i}", start + i, start + i + 1, f"mlflow-artifacts:/{experiment_id}/{run}/artifacts", experiment_id))
        for key, value in (("loss", loss), ("acc", acc)):
            batch_latest.append((key, value, start + i, run))
            batch_metrics.append((key, value, start + i, run))
        batch_params.append(("lr", str(i % 10), run))
        batch_tags.append(("mlflow.runName", f"run-{i}", run))
        batch_tags.append(("team", "risk" if i % 2 else "growth", run))
        if len(batch_runs) >= 5000:
            flush()
    flush()
    conn.close()


def seed_history(db: str, run_id: str, key: str, points: int) -> None:
    conn = connect(db)
    now = int(time.time() * 1000)
    rows = []
    for step in range(points):
        value = ((step * 2654435761) % 10007) / 10007
        rows.append((key, value, now + step, run_id, step))
        if len(rows) >= 50_000:
            conn.executemany("insert into metrics (key, value, timestamp, run_uuid, step, is_nan) values (?, ?, ?, ?, ?, false)", rows)
            rows.clear()
    if rows:
        conn.executemany("insert into metrics (key, value, timestamp, run_uuid, step, is_nan) values (?, ?, ?, ?, ?, false)", rows)
    conn.execute(
        "insert into latest_metrics (key, value, timestamp, step, is_nan, run_uuid) values (?, 0.5, ?, ?, false, ?)"
        " on conflict (key, run_uuid) do update set value = excluded.value, timestamp = excluded.timestamp, step = excluded.step",
        (key, now + points - 1, points - 1, run_id),
    )
    conn.commit()
    conn.close()


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "runs":
        seed_runs(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), *(int(a) for a in sys.argv[5:7]))
    elif command == "history":
        seed_history(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        raise SystemExit(__doc__)
