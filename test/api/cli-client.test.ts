import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { cliUser, listen, type CliUser } from '../support/cli-client.ts';

/**
 * The client commands against a live server over HTTP: login and where the token is kept, the
 * exit codes scripts branch on, JSON output, transfers (no progress bar without a terminal,
 * resumed downloads, uploads that skip what is there) and `pipelines run --watch`.
 */
// Each test starts the CLI up to a dozen times, a second or more each while the API suite runs two files at once.
vi.setConfig({ testTimeout: 180_000 });

let t: TestApp;
let base: string;
let owner: TestUser;
let user: CliUser;
let env: Record<string, string>;

beforeAll(async () => {
  t = await startTestApp();
  base = await listen(t);
  owner = await t.createUser('cli-owner');
  await t.createProject(owner.token, 'cli-project');
  user = cliUser();
  env = { MODELYARD_URL: base, MODELYARD_TOKEN: owner.token, MODELYARD_PROJECT: 'cli-project' };
});
afterAll(async () => {
  await t?.close();
  if (user) fs.rmSync(user.home, { recursive: true, force: true });
});

const json = <T>(text: string) => JSON.parse(text) as T;

describe('login', () => {
  it('keeps a checked token in the config folder with mode 0600, and refuses a wrong one with exit code 3', async () => {
    const wrong = await user.run(['login', '--url', base, '--token-stdin'], { input: 'glpat-not-a-token-000000000\n' });
    expect(wrong.code, wrong.stderr).toBe(3);
    expect(fs.existsSync(path.join(user.configDir, 'modelyard', 'config.json'))).toBe(false);

    const login = await user.run(['login', '--url', `${base}/`, '--token-stdin', '--project', 'cli-project'], { input: `${owner.token}\n` });
    expect(login.code, login.stderr).toBe(0);
    const file = path.join(user.configDir, 'modelyard', 'config.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(json(fs.readFileSync(file, 'utf8'))).toEqual({ url: base, token: owner.token, project: 'cli-project' });
    // The token never reaches the output.
    expect(login.stdout + login.stderr).not.toContain(owner.token);

    const me = await user.run(['whoami', '-o', 'json']);
    expect(me.code, me.stderr).toBe(0);
    expect(json<{ username: string }>(me.stdout).username).toBe('cli-owner');
  });

  it('takes MODELYARD_URL and MODELYARD_TOKEN over the saved ones', async () => {
    const me = await user.run(['whoami', '-o', 'json'], { env: { MODELYARD_URL: base, MODELYARD_TOKEN: ADMIN_TOKEN } });
    expect(me.code, me.stderr).toBe(0);
    expect(json<{ username: string }>(me.stdout).username).toBe('root');
  });

  it('says how to log in, with exit code 3, when there is nothing to log in with', async () => {
    const nobody = cliUser();
    try {
      const result = await nobody.run(['projects']);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/not logged in: run modelyard login --url URL, or set MODELYARD_URL and MODELYARD_TOKEN/);
    } finally {
      fs.rmSync(nobody.home, { recursive: true, force: true });
    }
  });
});

describe('exit codes and output', () => {
  it('answers usage errors with 2, missing things with 4, refusals with 5 and an unreachable server with 6', async () => {
    expect((await user.run(['no-such-command'])).code).toBe(2);
    expect((await user.run(['versions', 'show', 'some-model'])).code).toBe(2);
    expect((await user.run(['projects', '--output', 'yaml'])).code).toBe(2);
    expect((await user.run(['versions', 'show', 'some-model', 'one'], { env })).code).toBe(2);

    const missing = await user.run(['versions', 'list', 'no-such-model'], { env });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe('modelyard: no model named no-such-model in project cli-project\n');

    expect((await user.run(['models', 'create', 'churn'], { env })).code).toBe(0);
    const again = await user.run(['models', 'create', 'churn'], { env });
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/409 .*already exists/);

    const down = await user.run(['whoami'], { env: { MODELYARD_URL: 'http://127.0.0.1:9', MODELYARD_TOKEN: owner.token } });
    expect(down.code).toBe(6);
    expect(down.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });

  it('prints what the API answered as JSON with --output json, and aligned columns by default', async () => {
    const created = await user.run(['versions', 'create', 'churn', '--semver', '1.2.0', '-o', 'json'], { env });
    expect(created.code, created.stderr).toBe(0);
    expect(json(created.stdout)).toMatchObject({ model_name: 'churn', version: 1, semver: '1.2.0' });

    const labelled = await user.run(['versions', 'label', 'churn', '1', 'stage::staging', '-o', 'json'], { env });
    expect(json<{ labels: string[] }>(labelled.stdout).labels).toEqual(['stage::staging']);

    const listed = await user.run(['versions', 'list', 'churn', '-o', 'json'], { env });
    expect(json<{ version: number; labels: string[] }[]>(listed.stdout)).toMatchObject([{ version: 1, labels: ['stage::staging'] }]);
    const models = await user.run(['models', '-o', 'json'], { env });
    expect(json<{ name: string }[]>(models.stdout).map((m) => m.name)).toEqual(['churn']);
    const projects = await user.run(['projects', '-o', 'json'], { env });
    expect(json<{ path: string }[]>(projects.stdout).map((p) => p.path)).toContain('cli-project');

    fs.writeFileSync(path.join(user.home, 'card.json'), JSON.stringify({ license: 'Apache-2.0', limitations: 'EUR only' }));
    const edited = await user.run(['versions', 'edit', 'churn', '1', '--card', 'intended_use=churn scores', '--card', 'limitations=EUR and USD', '--card-file', 'card.json', '-o', 'json'], { env });
    expect(edited.code, edited.stderr).toBe(0);
    const card = (await t.call({ method: 'GET', url: `/api/v4/projects/cli-project/ml/models/${json<{ model_id: number }>(edited.stdout).model_id}/versions/1`, token: owner.token })).json().card;
    expect(card.fields).toEqual({ intended_use: 'churn scores', limitations: 'EUR and USD', license: 'Apache-2.0' });
    expect((await user.run(['versions', 'edit', 'churn', '1', '--card', 'no-equals-sign'], { env })).code).toBe(2);
    const unknown = await user.run(['versions', 'edit', 'churn', '1', '--card', 'colour=blue'], { env });
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toContain('unknown field "colour"');

    const table = await user.run(['versions', 'list', 'churn'], { env });
    expect(table.stdout.split('\n')[0]).toMatch(/^VERSION +SEMVER +STATUS +APPROVAL +LABELS +ALIASES +CREATED$/);
    expect(table.stdout.split('\n')[1]).toMatch(/^1 +1\.2\.0 +READY +none +stage::staging +\d{4}-/);
  });
});

describe('transfers', () => {
  it('approves and rejects a version that a developer asked a review for', async () => {
    const asker = await t.createUser('cli-asker');
    const project = (await t.call({ method: 'GET', url: '/api/v4/projects/cli-project', token: owner.token })).json() as { id: number };
    await t.addMember(project.id, asker.id, 30);
    expect((await user.run(['versions', 'create', 'churn', '--semver', '1.2.1'], { env })).code).toBe(0);
    const modelId = json<{ id: number; name: string }[]>((await user.run(['models', '-o', 'json'], { env })).stdout).find((m) => m.name === 'churn')!.id;
    for (const version of [1, 2]) {
      const asked = await t.call({ method: 'POST', url: `/api/v4/projects/cli-project/ml/models/${modelId}/versions/${version}/approval_requests`, token: asker.token, payload: { comment: 'ready' } });
      expect(asked.statusCode, asked.body).toBeLessThan(300);
    }
    const approved = await user.run(['versions', 'approve', 'churn', '1', '--comment', 'looks right', '-o', 'json'], { env });
    expect(approved.code, approved.stderr).toBe(0);
    expect(json(approved.stdout)).toMatchObject({ version: 1, approval_status: 'approved' });
    const rejected = await user.run(['versions', 'approve', 'churn', '2', '--reject', '-o', 'json'], { env });
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(json(rejected.stdout)).toMatchObject({ version: 2, approval_status: 'rejected' });
    // Deciding again is refused: the request is closed (exit code 5, as every refusal).
    expect((await user.run(['versions', 'approve', 'churn', '1'], { env })).code).toBe(5);
  });

  it('lists every item, not the first page of 100: it follows the server’s X-Next-Page', async () => {
    await t.createProject(owner.token, 'cli-many');
    for (let i = 0; i < 105; i++) {
      const made = await t.call({ method: 'POST', url: '/api/v4/projects/cli-many/ml/models', token: owner.token, payload: { name: `model-${String(i).padStart(3, '0')}` } });
      expect(made.statusCode).toBe(201);
    }
    const models = await user.run(['models', '--project', 'cli-many', '-o', 'json'], { env });
    expect(models.code, models.stderr).toBe(0);
    const names = json<{ name: string }[]>(models.stdout).map((m) => m.name);
    expect(names).toHaveLength(105);
    expect(new Set(names).size).toBe(105);
  });

  it('uploads and downloads without a progress bar when standard error is no terminal, resumes a download, and skips files already uploaded', async () => {
    const dir = user.home;
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17, 7).map((_, i) => (i * 31) % 251);
    fs.writeFileSync(path.join(dir, 'model.onnx'), bytes);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'notes\n');

    const upload = await user.run(['packages', 'upload', 'fraud', '1.0.0', 'model.onnx', 'notes.txt', '-o', 'json'], { env });
    expect(upload.code, upload.stderr).toBe(0);
    expect(upload.stderr).toBe('');
    expect(json<{ name: string; skipped: boolean; size: number }[]>(upload.stdout)).toMatchObject([
      { name: 'model.onnx', skipped: false, size: bytes.length },
      { name: 'notes.txt', skipped: false },
    ]);
    const again = await user.run(['packages', 'upload', 'fraud', '1.0.0', 'model.onnx', 'notes.txt', '-o', 'json'], { env });
    expect(json<{ skipped: boolean }[]>(again.stdout).map((u) => u.skipped)).toEqual([true, true]);

    // An interrupted download left its first megabyte: the next try asks only for the rest.
    fs.writeFileSync(path.join(dir, 'copy.onnx.part'), bytes.subarray(0, 1024 * 1024));
    const download = await user.run(['packages', 'download', 'fraud', '1.0.0', 'model.onnx', '--to', 'copy.onnx', '-o', 'json'], { env });
    expect(download.code, download.stderr).toBe(0);
    expect(download.stderr).toBe('');
    expect(json<{ resumedAt: number; bytes: number }[]>(download.stdout)).toMatchObject([{ resumedAt: 1024 * 1024, bytes: bytes.length }]);
    expect(fs.readFileSync(path.join(dir, 'copy.onnx')).equals(bytes)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'copy.onnx.part'))).toBe(false);

    // A stale partial file (other bytes) fails the SHA-256 check and is dropped, never renamed into place.
    fs.writeFileSync(path.join(dir, 'bad.onnx.part'), Buffer.alloc(1000, 1));
    const bad = await user.run(['packages', 'download', 'fraud', '1.0.0', 'model.onnx', '--to', 'bad.onnx'], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/do not match the server's SHA-256/);
    expect(fs.existsSync(path.join(dir, 'bad.onnx'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'bad.onnx.part'))).toBe(false);

    const missing = await user.run(['packages', 'download', 'fraud', '1.0.0', 'nothing.bin'], { env });
    expect(missing.code).toBe(4);
  });

  /**
   * Runs `args` through a proxy that cuts the connection carrying part 3, and every connection
   * after it; checks that the server kept parts 1 and 2; then runs `args` again uncut.
   */
  async function uploadCutAtPartThree(args: string[]) {
    let cutting = true;
    let cut = false;
    const proxy = net.createServer((client) => {
      if (cut) return client.destroy();
      const upstream = net.connect(Number(new URL(base).port), '127.0.0.1');
      client.on('data', (chunk: Buffer) => {
        if (cutting && chunk.includes('/parts/3 HTTP/1.1')) cut = true;
        if (cut) {
          client.destroy();
          upstream.destroy();
        } else upstream.write(chunk);
      });
      upstream.on('data', (chunk) => client.write(chunk));
      for (const socket of [client, upstream]) socket.on('error', () => undefined).on('close', () => (socket === client ? upstream : client).destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = { ...env, MODELYARD_URL: `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}` };
    try {
      const interrupted = await user.run(args, { env: proxied });
      expect(interrupted.code, interrupted.stderr).toBe(6);
      const received = await t.services.database.db.selectFrom('package_upload_parts').select('part_number').orderBy('part_number').execute();
      expect(received.map((p) => p.part_number)).toEqual([1, 2]);
      [cutting, cut] = [false, false];
      const resumed = await user.run(args, { env: proxied });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse(fs.readFileSync(path.join(user.home, '.cache', 'modelyard', 'cli-uploads.json'), 'utf8'))).toEqual({});
      return resumed;
    } finally {
      proxy.close();
    }
  }

  it('sends a large file in parts and, cut off mid-way, resumes it without sending the finished parts again', async () => {
    const MIB = 1024 * 1024;
    const bytes = randomBytes(15 * MIB + 5);
    fs.writeFileSync(path.join(user.home, 'large.bin'), bytes);
    const resumed = await uploadCutAtPartThree(['packages', 'upload', 'large', '1.0.0', 'large.bin', '--part-size', String(5 * MIB), '-o', 'json']);
    expect(json<Record<string, unknown>[]>(resumed.stdout)).toMatchObject([{ name: 'large.bin', size: bytes.length, parts: { sent: 2, reused: 2 } }]);
    const stored = await t.call({ method: 'GET', url: `/api/v4/projects/cli-project/packages/generic/large/1.0.0/large.bin`, token: owner.token });
    expect(stored.rawPayload.equals(bytes)).toBe(true);
  });

  it("sends a version's large file in parts and resumes it the same way", async () => {
    const MIB = 1024 * 1024;
    const bytes = randomBytes(15 * MIB + 9);
    fs.writeFileSync(path.join(user.home, 'model.safetensors'), bytes);
    const resumed = await uploadCutAtPartThree(['versions', 'upload', 'churn', '1', 'model.safetensors', '--dir', 'weights', '--part-size', String(5 * MIB), '-o', 'json']);
    expect(json<Record<string, unknown>[]>(resumed.stdout)).toMatchObject([{ name: 'weights/model.safetensors', size: bytes.length, parts: { sent: 2, reused: 2 } }]);
    const download = await user.run(['versions', 'download', 'churn', '1', 'weights/model.safetensors', '--to', 'model.copy'], { env });
    expect(download.code, download.stderr).toBe(0);
    expect(fs.readFileSync(path.join(user.home, 'model.copy')).equals(bytes)).toBe(true);
  });

  it('draws the progress bar on a terminal and erases it when done', async () => {
    fs.writeFileSync(path.join(user.home, 'tty.bin'), Buffer.alloc(256 * 1024, 3));
    const onTerminal = await user.runOnTerminal(['packages', 'upload', 'tty', '1.0.0', 'tty.bin'], env);
    expect(onTerminal.status, onTerminal.stdout).toBe(0);
    expect(onTerminal.stdout).toMatch(/\r\x1b\[Kuploading tty\.bin \[[#.]+\] \d+% [\d.]+ (B|KiB) \/ 256\.0 KiB/);
    expect(onTerminal.stdout).toMatch(/\r\x1b\[K(\r\n)?FILE +SIZE/);
  });

  it("uploads a version's files and downloads them again", async () => {
    fs.writeFileSync(path.join(user.home, 'weights.bin'), 'weights');
    const upload = await user.run(['versions', 'upload', 'churn', '1', 'weights.bin', '--dir', 'model', '-o', 'json'], { env });
    expect(upload.code, upload.stderr).toBe(0);
    expect(upload.stderr).toBe('');
    expect(json<{ name: string }[]>(upload.stdout)).toMatchObject([{ name: 'model/weights.bin' }]);
    const download = await user.run(['versions', 'download', 'churn', '1', 'model/weights.bin', '--to', 'weights.copy'], { env });
    expect(download.code, download.stderr).toBe(0);
    expect(fs.readFileSync(path.join(user.home, 'weights.copy'), 'utf8')).toBe('weights');
  });
});

describe('pipelines run --watch', () => {
  interface TakenJob {
    id: number;
    token: string;
  }

  /** This test is the runner: it takes the job, writes its log and reports how it ended. */
  async function runJob(log: string, state: 'success' | 'failed'): Promise<void> {
    let job: TakenJob | undefined;
    for (let tries = 0; !job && tries < 200; tries++) {
      const res = await t.call({ method: 'POST', url: '/api/v4/jobs/request', payload: { token: runnerToken, info: { version: 'test' } } });
      if (res.statusCode === 201) job = res.json() as TakenJob;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!job) throw new Error('no job to take');
    await t.call({ method: 'PUT', url: `/api/v4/jobs/${job.id}`, payload: { token: job.token, state: 'running' } });
    const trace = await t.call({
      method: 'PATCH',
      url: `/api/v4/jobs/${job.id}/trace`,
      headers: { 'job-token': job.token, 'content-type': 'text/plain', 'content-range': `0-${Buffer.byteLength(log) - 1}` },
      payload: log,
    });
    expect(trace.statusCode).toBe(202);
    // Let the watcher see the job running with its log before it ends.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await t.call({ method: 'PUT', url: `/api/v4/jobs/${job.id}`, payload: { token: job.token, state, ...(state === 'failed' ? { failure_reason: 'script_failure' } : {}) } });
  }

  let runnerToken: string;
  beforeAll(async () => {
    const runner = await t.call({ method: 'POST', url: '/api/v4/user/runners', token: ADMIN_TOKEN, payload: { runner_type: 'instance_type', description: 'cli test', run_untagged: true } });
    runnerToken = runner.json().token as string;
    const config = await t.call({ method: 'PUT', url: '/api/v4/projects/cli-project/ci/config', token: owner.token, payload: { content: 'train:\n  script: [python train.py]\n' } });
    expect(config.statusCode, config.body).toBe(200);
  });

  it("streams the job's log and exits 0 when the pipeline succeeds", async () => {
    const watching = user.run(['pipelines', 'run', '--ref', 'main', '--watch', '--interval', '0.1'], { env });
    await runJob('epoch 1: loss 0.3\n', 'success');
    const result = await watching;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('== job train (test, id');
    expect(result.stdout).toContain('epoch 1: loss 0.3\n');
    expect(result.stdout).toMatch(/status: +success/);
  });

  it('exits 7 when the pipeline fails, keeping standard output one JSON document with --output json', async () => {
    const watching = user.run(['pipelines', 'run', '--watch', '--interval', '0.1', '-o', 'json'], { env });
    await runJob('Traceback: out of memory\n', 'failed');
    const result = await watching;
    expect(result.code).toBe(7);
    expect(json(result.stdout)).toMatchObject({ status: 'failed' });
    expect(result.stderr).toContain('Traceback: out of memory');
    expect(result.stderr).toMatch(/modelyard: pipeline #\d+ failed\n$/);
  });
});

describe('shell completion', () => {
  it('completes commands, subcommands and options in bash from the command tree', async () => {
    const script = await user.run(['completion', 'bash']);
    expect(script.code, script.stderr).toBe(0);
    fs.writeFileSync(path.join(user.home, 'modelyard.bash'), script.stdout);
    const complete = (words: string[]) =>
      spawnSync('bash', ['-c', `source modelyard.bash; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _modelyard; echo "\${COMPREPLY[@]}"`], {
        cwd: user.home,
        encoding: 'utf8',
      });
    expect(complete(['modelyard', 'vers']).stdout).toBe('versions\n');
    expect(complete(['modelyard', 'versions', '']).stdout).toBe('list show create approve label edit upload download\n');
    expect(complete(['modelyard', 'pipelines', 'run', '--w']).stdout).toBe('--watch\n');
    expect(complete(['modelyard', 'versions', 'upload', '--d']).stdout).toBe('--dir\n');
    expect(complete(['modelyard', 'token', 'create', '--user']).stdout).toBe('--username\n');
  });

  it('writes zsh and fish scripts with every command, and refuses another shell with exit code 2', async () => {
    const zsh = await user.run(['completion', 'zsh']);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toMatch(/^#compdef modelyard\n/);
    expect(zsh.stdout).toContain("'versions') items=('list:a model'\\''s versions, newest first' 'show:one version' ");
    expect(zsh.stdout).toContain('compdef _modelyard modelyard');
    const fish = await user.run(['completion', 'fish']);
    expect(fish.code).toBe(0);
    for (const command of ['serve', 'login', 'whoami', 'projects', 'models', 'versions', 'packages', 'pipelines', 'deploy', 'rollback', 'traffic', 'completion'])
      expect(fish.stdout).toContain(`complete -c modelyard -n '__fish_use_subcommand' -a '${command}'`);
    expect(fish.stdout).toContain(
      "complete -c modelyard -n '__fish_seen_subcommand_from pipelines; and not __fish_seen_subcommand_from run' -a 'run' -d 'run a pipeline; with --watch, stream its logs and exit with its outcome (7: failed or canceled)'",
    );
    expect(fish.stdout).toContain("complete -c modelyard -n '__fish_seen_subcommand_from pipelines; and __fish_seen_subcommand_from run' -l watch -d 'follow it to its end'");
    // Each shell checks its own syntax (scripts/completion-shells.sh installs them for the test command).
    for (const [shell, text] of [
      ['zsh', zsh.stdout],
      ['fish', fish.stdout],
    ] as const) {
      // From a file: fish cannot read a script from the socket Node gives a child as its standard input.
      const script = path.join(user.home, `completion.${shell}`);
      fs.writeFileSync(script, text);
      const check = spawnSync(shell, ['-n', script], { encoding: 'utf8' });
      expect(check.error, `${shell} is not installed: run scripts/completion-shells.sh`).toBeUndefined();
      expect(check.status, check.stderr).toBe(0);
    }
    const other = await user.run(['completion', 'powershell']);
    expect(other.code).toBe(2);
    expect(other.stderr).toBe('modelyard: no completion for "powershell": choose bash, zsh, fish\n');
  });
});

describe('deploy, traffic and rollback', () => {
  it('deploys with the saved login, shows the traffic split, and rolls back', async () => {
    const deploy = await user.run(['deploy', '--environment', 'staging', '--model', 'churn', '--version', '1', '--reason', 'first']);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stdout).toMatch(/^deployment \d+ \(#1\) to staging: /);
    const nothingBefore = await user.run(['rollback', 'staging', '--reason', 'too early'], { env });
    expect(nothingBefore.code).toBe(5);
    expect(nothingBefore.stderr).toMatch(/409 Environment staging has no earlier successful deployment/);

    // No agent runs in this test: the first deployment is marked done as its agent would report it.
    await t.services.database.db.updateTable('deployments').set({ status: 'success' }).where('iid', '=', 1).execute();
    expect((await user.run(['versions', 'create', 'churn', '--semver', '1.3.0'], { env })).code).toBe(0);
    expect((await user.run(['deploy', '--environment', 'staging', '--model', 'churn', '--version', '1.3.0'])).code).toBe(0);
    const traffic = await user.run(['traffic', 'staging', '-o', 'json'], { env });
    expect(traffic.code, traffic.stderr).toBe(0);
    expect(json(traffic.stdout)).toMatchObject([{ name: 'stable', model: { name: 'churn' }, version: { semver: '1.3.0' }, weight: 100, role: 'live' }]);

    const rollback = await user.run(['rollback', 'staging', '--reason', 'latency doubled'], { env });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.stdout).toMatch(/^deployment: +#3 /m);
    expect(rollback.stdout).toMatch(/^traffic: +stable=churn@1\.2\.0 100%$/m);
    const after = await user.run(['traffic', 'staging'], { env });
    expect(after.stdout).toMatch(/^stable +churn +1 \(1\.2\.0\) +live +100%$/m);

    const unknown = await user.run(['traffic', 'nowhere'], { env });
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toBe('modelyard: no environment named nowhere in project cli-project\n');
  });

  it('takes a canary to its next step with traffic --promote', async () => {
    const first = await user.run(['deploy', '--environment', 'canary-env', '--model', 'churn', '--version', '1', '-o', 'json'], { env });
    expect(first.code, first.stderr).toBe(0);
    // No agent runs in this test: the stable deployment is marked done as its agent would report it.
    await t.services.database.db.updateTable('deployments').set({ status: 'success' }).where('id', '=', json<{ id: number }>(first.stdout).id).execute();
    const canary = await user.run(['deploy', '--environment', 'canary-env', '--model', 'churn', '--version', '1.3.0', '--policy', '{"kind":"canary","steps":[10,50,100]}', '-o', 'json'], { env });
    expect(canary.code, canary.stderr).toBe(0);
    const weights = async () => Object.fromEntries(json<{ name: string; weight: number }[]>((await user.run(['traffic', 'canary-env', '-o', 'json'], { env })).stdout).map((v) => [v.name, v.weight]));
    expect(await weights()).toEqual({ stable: 90, canary: 10 });
    const promoted = await user.run(['traffic', 'canary-env', '--promote', '--reason', 'error rate flat', '-o', 'json'], { env });
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(await weights()).toEqual({ stable: 50, canary: 50 });
  });

  it('answers deploy with the deployment as JSON for scripts, and with exit code 6 when the server cannot be reached', async () => {
    const deployed = await user.run(['deploy', '--environment', 'json-env', '--model', 'churn', '--version', '1', '-o', 'json'], { env });
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(json(deployed.stdout)).toMatchObject({ environment: { name: 'json-env' }, variants: [{ version: { version: 1 } }] });
    const away = await user.run(['deploy', '--environment', 'json-env', '--model', 'churn', '--version', '1', '--url', 'http://127.0.0.1:9', '--project', 'cli-project', '--token', owner.token]);
    expect(away.code).toBe(6);
    expect(away.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});
