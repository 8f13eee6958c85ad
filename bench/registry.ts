import { MlflowHttp, median, pool, timed } from './http.ts';
import { BENCH_TOKEN, type RunningServer } from './servers.ts';

export interface RegistryResult {
  seedSeconds: number;
  queries: { label: string; medianMs: number; rows: number }[];
}

/** One search a registry UI or client makes; `run` answers how many rows came back. */
export interface RegistryQuery {
  label: string;
  run: () => Promise<number>;
}

const headers = { 'private-token': BENCH_TOKEN, 'content-type': 'application/json' };
const modelsUrl = (server: RunningServer) => `${server.base}/api/v4/projects/default/ml/models`;

/** Seeds models × versions through the native API, half the versions tagged `team=risk`; answers the seconds it took. */
export async function seedRegistry(server: RunningServer, models: number, versionsPerModel: number, log: (line: string) => void): Promise<number> {
  const base = modelsUrl(server);
  const started = performance.now();
  await pool(models, 8, async (i) => {
    const created = await fetch(base, { method: 'POST', headers, body: JSON.stringify({ name: `model-${i}`, description: `Model number ${i}` }) });
    const { id } = (await created.json()) as { id: number };
    for (let v = 0; v < versionsPerModel; v++) {
      const res = await fetch(`${base}/${id}/versions`, { method: 'POST', headers, body: JSON.stringify({ tags: { team: i % 2 ? 'risk' : 'growth' } }) });
      if (res.status !== 201) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
    }
    if (i % 1000 === 999) log(`registry: ${i + 1} models`);
  });
  return (performance.now() - started) / 1000;
}

/** The searches timed on a seeded registry (the names follow `seedRegistry`'s). */
export function registryQueries(server: RunningServer): RegistryQuery[] {
  const client = new MlflowHttp(server.base, BENCH_TOKEN);
  return [
    {
      label: "MLflow search_registered_models, `name LIKE 'model-12%'`, 100 per page",
      run: async () => ((await client.get<{ registered_models?: unknown[] }>('registered-models/search', { filter: "name LIKE 'model-12%'", max_results: 100 })).registered_models ?? []).length,
    },
    {
      label: 'MLflow search_registered_models, first page of 100 by name',
      run: async () => ((await client.get<{ registered_models?: unknown[] }>('registered-models/search', { max_results: 100 })).registered_models ?? []).length,
    },
    {
      label: "MLflow search_model_versions, `name = 'model-4321'`",
      run: async () => ((await client.get<{ model_versions?: unknown[] }>('model-versions/search', { filter: "name = 'model-4321'" })).model_versions ?? []).length,
    },
    {
      label: "MLflow search_model_versions, `tags.team = 'risk'`, 1000 per page",
      run: async () => ((await client.get<{ model_versions?: unknown[] }>('model-versions/search', { filter: "tags.team = 'risk'", max_results: 1000 })).model_versions ?? []).length,
    },
    {
      label: 'native API, models list (`search=model-77`, 20 per page)',
      run: async () => ((await (await fetch(`${modelsUrl(server)}?search=model-77&per_page=20`, { headers })).json()) as unknown[]).length,
    },
  ];
}

/** Seeds models × versions, then times each of `registryQueries` `repeats` times (median). */
export async function benchRegistry(server: RunningServer, models: number, versionsPerModel: number, repeats: number, log: (line: string) => void): Promise<RegistryResult> {
  const seedSeconds = await seedRegistry(server, models, versionsPerModel, log);
  const results: RegistryResult['queries'] = [];
  for (const query of registryQueries(server)) {
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < repeats; i++) {
      const { ms, result } = await timed(query.run);
      times.push(ms);
      rows = result;
    }
    results.push({ label: query.label, medianMs: median(times), rows });
  }
  return { seedSeconds, queries: results };
}
