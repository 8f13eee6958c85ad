import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ImportJobNative } from '../../src/imports/contract.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { cliUser, listen, type CliUser } from '../support/cli-client.ts';
import { startHubStandIn, type HubStandIn } from '../support/hub-stand-in.ts';

/** `modelyard import hf`: starts the import, follows it to its end, and exits as scripts expect. */
vi.setConfig({ testTimeout: 180_000 });

let hub: HubStandIn;
let t: TestApp;
let user: CliUser;
let env: Record<string, string>;

beforeAll(async () => {
  hub = await startHubStandIn({
    'acme/cli-bert': { files: { 'config.json': Buffer.from('{}'), 'model.safetensors': Buffer.from('weights') }, lfs: ['model.safetensors'], private: true, tokens: ['hf_cli_token'] },
    'acme/cli-lying': { files: { 'model.safetensors': Buffer.from('weights') }, lfs: ['model.safetensors'], wrongSha: ['model.safetensors'] },
    'acme/cli-tty': { files: { 'config.json': Buffer.from('{}'), 'model.safetensors': Buffer.alloc(64 * 1024, 1) }, lfs: ['model.safetensors'] },
  });
  t = await startTestApp({ MODELYARD_HF_ENDPOINT: hub.url, MODELYARD_OUTBOUND_ALLOW: `127.0.0.1:${hub.port}` });
  t.services.importWorker.start();
  const owner = await t.createUser('cli-importer');
  await t.createProject(owner.token, 'cli-imports');
  user = cliUser();
  env = { MODELYARD_URL: await listen(t), MODELYARD_TOKEN: owner.token, MODELYARD_PROJECT: 'cli-imports', HF_CLI_TOKEN: 'hf_cli_token' };
});
afterAll(async () => {
  await t?.services.importWorker.stop();
  await t?.close();
  await hub?.close();
  if (user) fs.rmSync(user.home, { recursive: true, force: true });
});

describe('modelyard import hf', () => {
  it('imports with the token from the variable named, waits for the end and prints the job', async () => {
    const run = await user.run(['import', 'hf', 'acme/cli-bert', '--model', 'cli-bert', '--token-env', 'HF_CLI_TOKEN', '--include', '*.json', '--include', '*.safetensors', '-o', 'json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const job = JSON.parse(run.stdout) as ImportJobNative;
    expect(job).toMatchObject({ state: 'succeeded', model_name: 'cli-bert', has_credential: false, progress: { files_done: 2, files_total: 2 } });
    expect(job.version_id).not.toBeNull();
    expect(run.stdout + run.stderr).not.toContain('hf_cli_token');
  });

  it('exits 7 when the job fails, 4 for a repository that is not there, 2 for an unset token variable', async () => {
    const failed = await user.run(['import', 'hf', 'acme/cli-lying', '--model', 'lying'], { env });
    expect(failed.code, failed.stderr).toBe(7);
    expect(failed.stderr).toContain('SHA-256');
    const missing = await user.run(['import', 'hf', 'acme/nothing', '--model', 'm'], { env });
    expect(missing.code, missing.stderr).toBe(4);
    const unset = await user.run(['import', 'hf', 'acme/cli-bert', '--model', 'm', '--token-env', 'NOT_SET_ANYWHERE'], { env });
    expect(unset.code, unset.stderr).toBe(2);
  });

  it('follows the job with a progress bar on a terminal, erased at the end, and with none elsewhere', async () => {
    const onTerminal = await user.runOnTerminal(['import', 'hf', 'acme/cli-tty', '--model', 'cli-tty'], env);
    expect(onTerminal.status, onTerminal.stdout).toBe(0);
    expect(onTerminal.stdout).toMatch(/\r\x1b\[K\S[^\r]* \[[#.]+\] \d+% [\d.]+ (B|KiB) \/ 64\.0 KiB/);
    expect(onTerminal.stdout).toMatch(/\r\x1b\[K(\r\n)?\S/);
    // Without a terminal (a CI log): the outcome only, no carriage returns.
    const piped = await user.run(['import', 'hf', 'acme/cli-tty', '--model', 'cli-tty-2'], { env });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).not.toContain('\r');
  });
});
