import os from 'node:os';
import path from 'node:path';
import { Runner } from '../runner/runner.ts';

export interface RunnerCommandOptions {
  url: string;
  token: string;
  buildsDir?: string;
  concurrent: string;
  heartbeat: string;
  maxJobs?: string;
}

const positive = (value: string, name: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${value}"`);
  return n;
};

/** `modelyard runner --url URL --token TOKEN`: runs jobs until interrupted. */
export async function runnerCommand(options: RunnerCommandOptions): Promise<void> {
  const runner = new Runner({
    url: options.url,
    token: options.token,
    buildsDir: path.resolve(options.buildsDir ?? path.join(os.homedir(), '.modelyard-runner', 'builds')),
    concurrent: positive(options.concurrent, 'concurrent'),
    heartbeatMs: positive(options.heartbeat, 'heartbeat') * 1000,
    maxJobs: options.maxJobs === undefined ? undefined : positive(options.maxJobs, 'max-jobs'),
    log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  const stop = (signal: string) => {
    process.stdout.write(`${signal}: finishing running jobs, taking no new ones (again to cancel them)\n`);
    runner.stop(stopping);
    stopping = true;
  };
  let stopping = false;
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await runner.run();
}

/** `modelyard runner register`: trades a registration token for a runner token and prints it. */
export async function registerRunnerCommand(options: { url: string; registrationToken: string; description?: string; tagList?: string; runUntagged?: boolean }): Promise<void> {
  const res = await fetch(`${options.url.replace(/\/+$/, '')}/api/v4/runners`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token: options.registrationToken,
      description: options.description ?? os.hostname(),
      tag_list: options.tagList ?? '',
      ...(options.runUntagged === undefined ? {} : { run_untagged: options.runUntagged }),
    }),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`registration refused: ${res.status} ${text.slice(0, 300)}`);
  const created = JSON.parse(text) as { id: number; token: string };
  process.stdout.write(`runner ${created.id} registered; its token (shown once): ${created.token}\n`);
}
