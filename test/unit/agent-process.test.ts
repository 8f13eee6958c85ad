import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_TOKEN, StubServer, fakeInstance, repoRoot } from '../support/agent/stub-server.ts';

/**
 * `modelyard agent` as a process of its own, as an operator runs it: killed with SIGKILL, its
 * model servers keep serving; a new agent on the same work directory stops them and converges
 * on what the server says, with no manual step; SIGTERM stops everything.
 */
let stub: StubServer;
let workDir: string;
const agents: ChildProcess[] = [];

beforeAll(async () => {
  stub = new StubServer();
  await stub.up();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-process-'));
});

afterAll(async () => {
  for (const agent of agents) if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
  await stub.down();
  fs.rmSync(workDir, { recursive: true, force: true });
});

function startAgent(extra: string[] = []): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  // The token from the environment: the model servers must not see it.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'agent', '--url', stub.url, '--work-dir', workDir, '--labels', 'cpu, local', ...extra], {
    cwd: repoRoot,
    env: { ...process.env, MODELYARD_AGENT_TOKEN: AGENT_TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  agents.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/**
 * Whether a process still runs. A killed orphan stays a zombie until init reaps it, and the init
 * of some containers never does: a zombie has ended and counts as gone.
 */
const alive = (pid: number) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};
const pidsOf = async (endpoint: string) => (await (await fetch(`${endpoint}/pids`)).json()) as { server: number; child: number };
const predict = async (endpoint: string) => ((await (await fetch(`${endpoint}/invocations`, { method: 'POST' })).json()) as { predictions: string }).predictions;

describe('the agent process', () => {
  it('converges after SIGKILL with no manual step, and stops everything on SIGTERM', async () => {
    const files = await stub.addArchive('v1', { 'answer.txt': 'virginica' });
    stub.setInstances([fakeInstance('i-1', files, { FAKE_SPAWN_CHILD: '1' })]);

    const first = startAgent();
    const ready = await stub
      .waitForReport((r) => r.state === 'ready', 60_000)
      .catch((error: Error) => {
        throw new Error(`${error.message}\nagent output:\n${first.output()}`);
      });
    expect(stub.checkIns[0]).toMatchObject({ labels: ['cpu', 'local'] });
    const old = await pidsOf(ready.endpoint!);
    const environ = fs.readFileSync(`/proc/${old.server}/environ`, 'utf8');
    expect(environ).not.toContain(AGENT_TOKEN);

    first.child.kill('SIGKILL');
    await first.exited;
    // Its model server does not depend on it: it keeps serving.
    expect(await predict(ready.endpoint!)).toBe('virginica');

    const restartedAt = Date.now();
    const second = startAgent();
    const again = await stub
      .waitForReport((r) => r.state === 'ready' && r.at > restartedAt, 60_000)
      .catch((error: Error) => {
        throw new Error(`${error.message}\nagent output:\n${second.output()}`);
      });
    expect(again.endpoint).not.toBe(ready.endpoint);
    expect(await predict(again.endpoint!)).toBe('virginica');
    expect(alive(old.server)).toBe(false);
    expect(alive(old.child)).toBe(false);
    expect(second.output()).toContain('stopped 1 model server(s) left by a previous agent');
    const current = await pidsOf(again.endpoint!);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(alive(current.server)).toBe(false);
    expect(alive(current.child)).toBe(false);
    expect(stub.reportsOf('i-1').at(-1)).toMatchObject({ state: 'stopped' });
    expect(fs.existsSync(path.join(workDir, 'agent.lock'))).toBe(false);
    expect(stub.invalid).toEqual([]);
  }, 120_000);

  it("serves on --listen-address (an agent in a pod of its own reports its pod's IP) and reports that endpoint", async () => {
    const files = await stub.addArchive('v2', { 'answer.txt': 'setosa' });
    stub.setInstances([fakeInstance('i-2', files)]);
    const startedAt = Date.now();
    const agent = startAgent(['--listen-address', '127.0.0.2']);
    const ready = await stub
      .waitForReport((r) => r.state === 'ready' && r.at > startedAt, 60_000)
      .catch((error: Error) => {
        throw new Error(`${error.message}\nagent output:\n${agent.output()}`);
      });
    expect(ready.endpoint).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    expect(await predict(ready.endpoint!)).toBe('setosa');
    // Nothing listens on loopback's usual address for it: the server is bound to the address given.
    await expect(fetch(ready.endpoint!.replace('127.0.0.2', '127.0.0.1') + '/ping')).rejects.toThrow();
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(stub.invalid).toEqual([]);
  }, 120_000);

  it('refuses a --listen-address that is no IP address a gateway can call', async () => {
    for (const address of ['0.0.0.0', 'agent.example.com']) {
      const agent = startAgent(['--listen-address', address]);
      expect(await agent.exited, agent.output()).not.toBe(0);
      expect(agent.output()).toMatch(/--listen-address must be/);
    }
  }, 60_000);
});
