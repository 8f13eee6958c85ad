import { expect } from 'vitest';
import type { TestApp } from './app.ts';

/**
 * A registry version made as the MLflow client makes one: an experiment and a run, the model's
 * files logged as the run's artifacts under `model/`, and the version created from
 * `runs:/<run>/model`. Answers the version as the API does (its `id` is the version row's id).
 */
export async function versionFromRun(t: TestApp, projectId: number, token: string, modelId: number, files: Record<string, string | Buffer>): Promise<{ id: number; version: number }> {
  const api = (path: string) => `/api/v4/projects/${projectId}${path}`;
  const ok = async (url: string, payload: Record<string, unknown>) => {
    const res = await t.call({ method: 'POST', url, token, payload });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json();
  };
  const mlflow = (endpoint: string) => api(`/ml/mlflow/api/2.0/mlflow/${endpoint}`);
  const experimentId = (await ok(mlflow('experiments/create'), { name: `exp-${Date.now()}-${Math.random().toString(36).slice(2)}` })).experiment_id;
  const run = (await ok(mlflow('runs/create'), { experiment_id: experimentId })).run;
  const root = (run.info.artifact_uri as string).replace('mlflow-artifacts:/', '');
  for (const [path, content] of Object.entries(files)) {
    const res = await t.call({
      method: 'PUT',
      url: api(`/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/${root}/model/${path}`),
      token,
      payload: content,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(res.statusCode, res.body).toBeLessThan(300);
  }
  return ok(api(`/ml/models/${modelId}/versions`), { source: `runs:/${run.info.run_id}/model`, run_id: run.info.run_id });
}
