import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from './http.ts';
import { BENCH_TOKEN, type RunningServer } from './servers.ts';

export interface CiResult {
  jobs: number;
  runners: number;
  seconds: number;
  jobsPerSecond: number;
  enqueueToStartMedianMs: number;
  enqueueToStartP95Ms: number;
  idlePickupMedianMs: number;
}

type JobJson = { id: number; status: string; queued_at: string | null; started_at: string | null; finished_at: string | null };

async function api<T>(server: RunningServer, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.base}/api/v4${route}`, {
    method,
    headers: { 'private-token': BENCH_TOKEN, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

const ms = (iso: string | null) => (iso === null ? Number.NaN : Date.parse(iso));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Queues `jobs` no-op jobs (pipelines of `parallel: 200`) while `runners` runner processes wait,
 * then measures how fast they drain: jobs per second from the first enqueue to the last finish,
 * and each job's wait from enqueue to start. Then the pickup delay of a single job when the
 * runners are idle (what a person sees after a push).
 */
export async function benchCi(server: RunningServer, options: { jobs: number; runners: number; log: (line: string) => void }): Promise<CiResult> {
  const project = await api<{ id: number }>(server, 'POST', '/projects', { name: `ci-bench-${Date.now()}`, path: `ci-bench-${Date.now()}` });
  const builds = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ci-'));
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < options.runners; i++) {
      const runner = await api<{ token: string }>(server, 'POST', '/user/runners', { runner_type: 'instance_type', description: `bench-${i}`, run_untagged: true });
      children.push(
        spawn(process.execPath, ['bin/modelyard.mjs', 'runner', '--url', server.base, '--token', runner.token, '--builds-dir', path.join(builds, String(i)), '--wait', '30', '--heartbeat', '10'], {
          stdio: 'ignore',
        }),
      );
    }
    for (;;) {
      const runners = await api<{ status: string; description: string }[]>(server, 'GET', '/runners?per_page=100');
      if (runners.filter((r) => r.description.startsWith('bench-') && r.status === 'online').length >= options.runners) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    options.log(`ci: ${options.runners} runners online; queueing ${options.jobs} jobs`);
    const perPipeline = 200;
    await api(server, 'PUT', `/projects/${project.id}/ci/config`, { content: `noop:\n  parallel: ${perPipeline}\n  script: ["true"]\n` });
    const pipelines: number[] = [];
    for (let queued = 0; queued < options.jobs; queued += perPipeline) pipelines.push((await api<{ id: number }>(server, 'POST', `/projects/${project.id}/pipeline`, { ref: 'main' })).id);
    for (;;) {
      const states = await Promise.all(pipelines.map((id) => api<{ status: string }>(server, 'GET', `/projects/${project.id}/pipelines/${id}`)));
      if (states.every((s) => s.status === 'success')) break;
      if (states.some((s) => s.status === 'failed' || s.status === 'canceled')) throw new Error(`a benchmark pipeline ended ${JSON.stringify(states)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const jobs: JobJson[] = [];
    for (const id of pipelines) jobs.push(...(await api<JobJson[]>(server, 'GET', `/projects/${project.id}/pipelines/${id}/jobs`)));
    const first = Math.min(...jobs.map((j) => ms(j.queued_at)));
    const last = Math.max(...jobs.map((j) => ms(j.finished_at)));
    const waits = jobs.map((j) => ms(j.started_at) - ms(j.queued_at));
    options.log(`ci: ${jobs.length} jobs in ${((last - first) / 1000).toFixed(1)} s`);

    await api(server, 'PUT', `/projects/${project.id}/ci/config`, { content: 'one:\n  script: ["true"]\n' });
    const pickups: number[] = [];
    for (let i = 0; i < 10; i++) {
      const pipeline = await api<{ id: number }>(server, 'POST', `/projects/${project.id}/pipeline`, { ref: 'main' });
      for (;;) {
        const [job] = await api<JobJson[]>(server, 'GET', `/projects/${project.id}/pipelines/${pipeline.id}/jobs`);
        if (job && job.status === 'success') {
          pickups.push(ms(job.started_at) - ms(job.queued_at));
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return {
      jobs: jobs.length,
      runners: options.runners,
      seconds: (last - first) / 1000,
      jobsPerSecond: jobs.length / ((last - first) / 1000),
      enqueueToStartMedianMs: median(waits),
      enqueueToStartP95Ms: percentile(waits, 95),
      idlePickupMedianMs: median(pickups),
    };
  } finally {
    for (const child of children) child.kill('SIGKILL');
    fs.rmSync(builds, { recursive: true, force: true });
  }
}
