import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app.ts';
import { listen } from '../support/cli-client.ts';
import { BIN } from '../support/process.ts';

/**
 * docs/cli.md's examples, run exactly as written: every ```sh block, in order, in one bash with
 * `set -euo pipefail`, against a live server, with `modelyard` on the PATH. While they run, this
 * test is the runner that takes the documented pipeline's job.
 */
// About 25 starts of the CLI in one test.
vi.setConfig({ testTimeout: 300_000 });

const DOC = path.resolve('docs/cli.md');
let t: TestApp;
let server: string;
let home: string;

beforeAll(async () => {
  t = await startTestApp();
  server = await listen(t);
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-cli-docs-'));
  fs.mkdirSync(path.join(home, 'bin'));
  fs.writeFileSync(path.join(home, 'bin', 'modelyard'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
  const config = await t.call({ method: 'PUT', url: '/api/v4/projects/default/ci/config', token: ADMIN_TOKEN, payload: { content: 'train:\n  script: [python train.py]\n' } });
  expect(config.statusCode, config.body).toBe(200);
});
afterAll(async () => {
  await t?.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** Takes every job offered until `stop` and reports it successful with a line of log. */
async function runnerUntil(stop: () => boolean): Promise<number> {
  const runner = await t.call({ method: 'POST', url: '/api/v4/user/runners', token: ADMIN_TOKEN, payload: { runner_type: 'instance_type', description: 'docs', run_untagged: true } });
  const token = runner.json().token as string;
  let ran = 0;
  while (!stop()) {
    const res = await t.call({ method: 'POST', url: '/api/v4/jobs/request', payload: { token, info: { version: 'test' } } });
    if (res.statusCode !== 201) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    const job = res.json() as { id: number; token: string };
    const log = 'training: auc 0.91\n';
    await t.call({ method: 'PUT', url: `/api/v4/jobs/${job.id}`, payload: { token: job.token, state: 'running' } });
    await t.call({ method: 'PATCH', url: `/api/v4/jobs/${job.id}/trace`, headers: { 'job-token': job.token, 'content-type': 'text/plain', 'content-range': `0-${log.length - 1}` }, payload: log });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await t.call({ method: 'PUT', url: `/api/v4/jobs/${job.id}`, payload: { token: job.token, state: 'success' } });
    ran++;
  }
  return ran;
}

describe('docs/cli.md', () => {
  it('runs every sh example as written', async () => {
    const blocks = shellBlocks(fs.readFileSync(DOC, 'utf8'));
    expect(blocks.length).toBe(8);
    const script = `set -euo pipefail\n${blocks.join('\n')}`;
    let finished = false;
    // The client's environment: no server setting, and the documented SERVER and TOKEN.
    const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MODELYARD_')));
    const env = { ...clean, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), PATH: `${path.join(home, 'bin')}:${process.env.PATH}`, SERVER: server, TOKEN: ADMIN_TOKEN };
    const child = spawn('bash', ['-c', script], { cwd: home, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const jobs = runnerUntil(() => finished);
    const code = await exited;
    finished = true;
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(await jobs).toBe(1);

    expect(stdout).toContain(`logged in to ${server} as root`);
    expect(stdout).toMatch(/^username: +root$/m);
    expect(stdout).toMatch(/^1 +1\.0\.0 +READY +none +stage::staging /m);
    expect(stdout).toContain('\n1.0.0\nexit code 4\n');
    expect(stderr).toContain('404 Model Version (name=fraud-model, version=99) not found');
    expect(stdout).toMatch(/^train\.csv +\d+ +[0-9a-f]{64} +uploaded$/m);
    expect(stdout).toMatch(/^train\.csv +\d+ +[0-9a-f]{64} +already there$/m);
    expect(fs.readFileSync(path.join(home, 'model-copy.onnx'), 'utf8')).toBe('weights\n');
    expect(fs.readFileSync(path.join(home, 'train-copy.csv'), 'utf8')).toBe('amount,label\n12.5,0\n');
    expect(stdout).toContain('training: auc 0.91\n');
    expect(stdout).toMatch(/^status: +success$/m);
    expect(stdout).toMatch(/^deployment \d+ \(#1\) to staging: /m);
    expect(stdout).toMatch(/^stable +fraud-model +1 \(1\.0\.0\) +live +100%$/m);
    // Completion was loaded into the shell without an error (set -e would have stopped it).
    expect(stderr).not.toMatch(/command not found|syntax error/);
  });
});
