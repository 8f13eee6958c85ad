import { createHash, randomBytes } from 'node:crypto';

/** A write the server answered 2xx to, with the moment the answer arrived. */
export interface AcknowledgedRun {
  runId: string;
  metricKey: string;
  values: number[];
  artifactPath: string;
  artifactSha256: string;
  ackedAt: number;
}

/**
 * Concurrent MLflow-protocol writers: each round creates a run, logs a batch of metric points
 * and uploads an artifact over HTTP. A round counts as acknowledged once its last write was
 * answered; only then is it recorded, with the time of that answer.
 */
export class MlflowWriteLoad {
  readonly acknowledged: AcknowledgedRun[] = [];
  readonly failures: string[] = [];
  private stopped = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  }

  private async worker(index: number): Promise<void> {
    const created = await this.call('POST', '/api/2.0/mlflow/experiments/create', { name: `backup-load-${index}-${randomBytes(4).toString('hex')}` });
    const experimentId = String(created.experiment_id);
    for (let round = 0; !this.stopped; round++) {
      const run = (await this.call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId, start_time: Date.now() })) as { run: { info: { run_id: string } } };
      const runId = run.run.info.run_id;
      const metricKey = `loss_${index}`;
      const values = Array.from({ length: 20 }, (_, step) => round * 1000 + step + index / 10);
      await this.call('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: runId, metrics: values.map((value, step) => ({ key: metricKey, value, step, timestamp: Date.now() })) });
      const bytes = randomBytes(4096 + ((round * 997) % 60000));
      const artifactPath = `backup-load/${runId}/payload-${round}.bin`;
      const uploaded = await fetch(`${this.base}/api/2.0/mlflow-artifacts/artifacts/${artifactPath}`, { method: 'PUT', headers: { authorization: `Bearer ${this.token}` }, body: bytes });
      if (!uploaded.ok) throw new Error(`PUT ${artifactPath}: ${uploaded.status} ${await uploaded.text()}`);
      this.acknowledged.push({ runId, metricKey, values, artifactPath, artifactSha256: createHash('sha256').update(bytes).digest('hex'), ackedAt: Date.now() });
    }
  }

  start(workers: number): void {
    this.workers = Array.from({ length: workers }, (_, i) => this.worker(i).catch((error: Error) => void this.failures.push(error.message)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.workers);
  }
}
