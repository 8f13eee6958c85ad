import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Agent, type AgentTiming } from '../../src/agent/agent.ts';
import { AGENT_TOKEN, StubServer, fakeInstance } from '../support/agent/stub-server.ts';

/** Fast enough for tests, and in the same proportions as the defaults. */
const TIMING: Partial<AgentTiming> = {
  backoffInitialMs: 200,
  backoffMaxMs: 1_600,
  stopGraceMs: 2_000,
  startTimeoutMs: 15_000,
  unhealthyLimit: 3,
  stableMs: 60_000,
  contactInitialMs: 100,
  contactMaxMs: 400,
  finalReportsMs: 2_000,
};

let stub: StubServer;
let workDir: string;
let control: string;
let agent: Agent;
let running: Promise<void>;
const lines: string[] = [];

function startAgent(): void {
  agent = new Agent({ url: stub.url, token: AGENT_TOKEN, labels: ['cpu'], workDir, python: 'python3-not-needed', version: 'test', timing: TIMING, log: (line) => lines.push(line) });
  running = agent.run();
}

beforeEach(async () => {
  stub = new StubServer();
  await stub.up();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-work-'));
  control = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-control-'));
  lines.length = 0;
});

afterEach(async () => {
  agent?.stop();
  await running?.catch(() => undefined);
  await stub.down();
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.rmSync(control, { recursive: true, force: true });
  expect(stub.invalid, 'calls the protocol schema refuses').toEqual([]);
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; agent log:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const pidsOf = async (endpoint: string) => (await (await fetch(`${endpoint}/pids`)).json()) as { server: number; child: number | null };
const predict = async (endpoint: string) => ((await (await fetch(`${endpoint}/invocations`, { method: 'POST' })).json()) as { predictions: string }).predictions;

describe('the agent reconciling against a server', () => {
  it('runs every listed instance: fetching → starting → ready on a loopback endpoint, serving its files', async () => {
    const files = await stub.addArchive('v1', { 'answer.txt': 'setosa' });
    stub.setInstances([fakeInstance('i-1', files)]);
    startAgent();
    const ready = await stub.waitForReport((r) => r.instanceId === 'i-1' && r.state === 'ready');
    expect(stub.reportsOf('i-1').map((r) => r.state)).toEqual(['fetching', 'starting', 'ready']);
    expect(ready.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.restarts).toBe(0);
    expect(await predict(ready.endpoint!)).toBe('setosa');
    expect(stub.checkIns).toEqual([{ version: 'test', platform: `${process.platform}/${process.arch}`, labels: ['cpu'] }]);
    // The archive was unpacked under its SHA-256 and nothing was left half-done.
    expect(fs.readdirSync(path.join(workDir, 'archives'))).toEqual([files.sha256]);
  });

  it('is idempotent: the same assignments again, under a new revision, change nothing', async () => {
    const files = await stub.addArchive('v1', { 'answer.txt': 'a' });
    const instance = fakeInstance('i-1', files);
    stub.setInstances([instance]);
    startAgent();
    const ready = await stub.waitForReport((r) => r.state === 'ready');
    const { server } = await pidsOf(ready.endpoint!);
    const calls = stub.assignmentCalls;
    stub.setInstances([{ ...instance }]);
    await until(() => stub.assignmentCalls >= calls + 2);
    expect(stub.reports).toHaveLength(3);
    expect((await pidsOf(ready.endpoint!)).server).toBe(server);
  });

  it('reports an instance again when a new deployment assigns the same server, which keeps running', async () => {
    const files = await stub.addArchive('v1', { 'answer.txt': 'a' });
    const instance = fakeInstance('i-1', files);
    stub.setInstances([instance]);
    startAgent();
    const ready = await stub.waitForReport((r) => r.state === 'ready');
    const { server } = await pidsOf(ready.endpoint!);
    // The server forgets what it was told when an answer leaves the instance out; the agent may
    // never get that answer, so the next assignment is the one it must confirm.
    stub.setInstances([{ ...instance, deployment_id: 2, variant: 'canary' }]);
    const again = await stub.waitForReport((r) => r.state === 'ready' && r.at > ready.at);
    expect(again.endpoint).toBe(ready.endpoint);
    expect(stub.reports).toHaveLength(4);
    expect((await pidsOf(ready.endpoint!)).server).toBe(server);
  });

  it('restarts a crashed server with exponential back-off, counting the restarts', async () => {
    const files = await stub.addArchive('v1', { 'answer.txt': 'a' });
    stub.setInstances([fakeInstance('i-1', files)]);
    startAgent();
    const waits: number[] = [];
    for (let crash = 1; crash <= 3; crash++) {
      const ready = await stub.waitForReport((r) => r.state === 'ready' && r.restarts === crash - 1);
      await fetch(`${ready.endpoint}/crash`, { method: 'POST' });
      const failed = await stub.waitForReport((r) => r.state === 'failed' && r.restarts === crash - 1);
      expect(failed.message).toContain('the model server exited with code 3');
      expect(failed.message).toContain('crashing as asked');
      const restarted = await stub.waitForReport((r) => r.state === 'starting' && r.restarts === crash);
      waits.push(restarted.at - failed.at);
    }
    // 200, 400, 800 ms: each wait at least its step, and each about twice the one before.
    expect(waits[0]).toBeGreaterThanOrEqual(190);
    expect(waits[1]).toBeGreaterThanOrEqual(390);
    expect(waits[2]).toBeGreaterThanOrEqual(790);
    const ready = await stub.waitForReport((r) => r.state === 'ready' && r.restarts === 3);
    expect(await predict(ready.endpoint!)).toBe('a');
  }, 30_000);

  it('stops the whole process group of an instance no longer listed, and reports it stopped', async () => {
    const files = await stub.addArchive('v1', { 'answer.txt': 'a' });
    stub.setInstances([fakeInstance('i-1', files, { FAKE_SPAWN_CHILD: '1' })]);
    startAgent();
    const ready = await stub.waitForReport((r) => r.state === 'ready');
    const pids = await pidsOf(ready.endpoint!);
    expect(pids.child).not.toBeNull();
    expect(alive(pids.child!)).toBe(true);
    stub.setInstances([]);
    await stub.waitForReport((r) => r.state === 'stopped');
    await until(() => !alive(pids.server) && !alive(pids.child!));
    expect(agent.instances()).toEqual([]);
    expect(fs.readdirSync(path.join(workDir, 'processes'))).toEqual([]);
  });

  it('replaces an instance whose files changed: the new server starts, the old one stops', async () => {
    const v1 = await stub.addArchive('v1', { 'answer.txt': 'one' });
    const v2 = await stub.addArchive('v2', { 'answer.txt': 'two' });
    stub.setInstances([fakeInstance('i-1', v1)]);
    startAgent();
    const first = await stub.waitForReport((r) => r.state === 'ready');
    const old = await pidsOf(first.endpoint!);
    stub.setInstances([fakeInstance('i-1', v2)]);
    const second = await stub.waitForReport((r) => r.state === 'ready' && r.endpoint !== first.endpoint);
    expect(await predict(second.endpoint!)).toBe('two');
    await until(() => !alive(old.server));
  });

  it('keeps serving while the server is down, restarts a crash without it, and reports once it is back', async () => {
    const files = await stub.addArchive('v1', { 'answer.txt': 'a' });
    stub.setInstances([fakeInstance('i-1', files)]);
    startAgent();
    const ready = await stub.waitForReport((r) => r.state === 'ready');
    await stub.down();
    await until(() => lines.some((line) => line.includes('ECONNREFUSED')));
    expect(await predict(ready.endpoint!)).toBe('a');
    // A crash while the server cannot be told: restarted all the same, from the cached files.
    await fetch(`${ready.endpoint}/crash`, { method: 'POST' });
    await until(() => lines.some((line) => line.startsWith('reporting i-1 failed failed') && line.includes('ECONNREFUSED')));
    const recordedPort = () => {
      const [record] = fs.readdirSync(path.join(workDir, 'processes')).filter((name) => name.endsWith('.json'));
      return record ? (JSON.parse(fs.readFileSync(path.join(workDir, 'processes', record), 'utf8')) as { port: number }).port : null;
    };
    await until(async () => {
      const port = recordedPort();
      if (port === null || `http://127.0.0.1:${port}` === ready.endpoint) return false;
      return predict(`http://127.0.0.1:${port}`).then(
        (answer) => answer === 'a',
        () => false,
      );
    });
    const callsWhileDown = stub.assignmentCalls;
    await stub.up();
    // The latest state, not the history: one report per instance once the server is back.
    const back = await stub.waitForReport((r) => r.state === 'ready' && r.restarts === 1);
    expect(back.endpoint).toBe(`http://127.0.0.1:${recordedPort()}`);
    await until(() => stub.assignmentCalls > callsWhileDown);
    // Contact lost and found again means a new check-in.
    await until(() => stub.checkIns.length === 2);
  }, 30_000);

  it('restarts a server that keeps failing its health checks', async () => {
    const files = await stub.addArchive('v1', { 'answer.txt': 'a' });
    stub.setInstances([fakeInstance('i-1', files, { FAKE_CONTROL_DIR: control })]);
    startAgent();
    const ready = await stub.waitForReport((r) => r.state === 'ready');
    const { server } = await pidsOf(ready.endpoint!);
    fs.writeFileSync(path.join(control, 'unhealthy'), '');
    await stub.waitForReport((r) => r.state === 'unhealthy');
    const failed = await stub.waitForReport((r) => r.state === 'failed');
    expect(failed.message).toContain('failed 3 health checks in a row');
    await until(() => !alive(server));
    fs.rmSync(path.join(control, 'unhealthy'));
    await stub.waitForReport((r) => r.state === 'ready' && r.restarts === 1);
  }, 30_000);

  it('stops an instance the server answers 404 for, before its assignments say so', async () => {
    const files = await stub.addArchive('v1', { 'answer.txt': 'a' });
    stub.setInstances([fakeInstance('i-1', files)]);
    startAgent();
    const ready = await stub.waitForReport((r) => r.state === 'ready');
    // The server dropped the instance; the agent's long poll has not returned yet.
    stub.gone.add('i-1');
    stub.setInstances([], { wake: false });
    await fetch(`${ready.endpoint}/crash`, { method: 'POST' });
    const failed = await stub.waitForReport((r) => r.state === 'failed');
    await until(() => agent.instances().length === 0, 1_500);
    expect(lines).toContain('stopping i-1: the server no longer assigns it');
    await new Promise((r) => setTimeout(r, 600));
    // Not restarted (no new fetching or starting), and nothing reported after the refusal.
    expect(stub.reports.filter((r) => r.at > failed.at)).toEqual([]);
  });

  it('refuses an archive whose SHA-256 is not the announced one, and says so', async () => {
    const files = await stub.addArchive('v1', { 'answer.txt': 'a' });
    stub.setInstances([fakeInstance('i-1', { ...files, sha256: '0'.repeat(64) })]);
    startAgent();
    const failed = await stub.waitForReport((r) => r.state === 'failed');
    expect(failed.message).toContain(`the server announced ${files.size} bytes with ${'0'.repeat(64)}`);
    expect(fs.readdirSync(path.join(workDir, 'archives'))).toEqual([]);
  });

  it('stops every model server and reports them stopped when stopped itself', async () => {
    const files = await stub.addArchive('v1', { 'answer.txt': 'a' });
    stub.setInstances([fakeInstance('i-1', files), fakeInstance('i-2', files)]);
    startAgent();
    await stub.waitForReport((r) => r.instanceId === 'i-1' && r.state === 'ready');
    const second = await stub.waitForReport((r) => r.instanceId === 'i-2' && r.state === 'ready');
    const first = stub.reportsOf('i-1').find((r) => r.state === 'ready')!;
    const pids = [(await pidsOf(first.endpoint!)).server, (await pidsOf(second.endpoint!)).server];
    agent.stop();
    await running;
    expect(pids.filter(alive)).toEqual([]);
    expect(stub.reportsOf('i-1').at(-1)?.state).toBe('stopped');
    expect(stub.reportsOf('i-2').at(-1)?.state).toBe('stopped');
    // One download served both instances of the same version.
    expect(fs.readdirSync(path.join(workDir, 'archives'))).toEqual([files.sha256]);
  });

  it('refuses to share its work directory with a live agent', async () => {
    const files = await stub.addArchive('v1', { 'answer.txt': 'a' });
    stub.setInstances([fakeInstance('i-1', files)]);
    startAgent();
    await stub.waitForReport((r) => r.state === 'ready');
    fs.writeFileSync(path.join(workDir, 'agent.lock'), JSON.stringify({ pid: process.ppid, startTime: fs.readFileSync(`/proc/${process.ppid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19] }));
    const second = new Agent({ url: stub.url, token: AGENT_TOKEN, labels: [], workDir, python: 'python3', version: 'test', timing: TIMING, log: () => undefined });
    await expect(second.run()).rejects.toThrow(/another agent \(pid \d+\) uses/);
  });

  it("ends at start with the server's message when its token is refused, and refuses tokens of another kind", async () => {
    const refused = new Agent({ url: stub.url, token: 'glagent-revoked', labels: [], workDir, python: 'python3', version: 'test', timing: TIMING, log: () => undefined });
    await expect(refused.run()).rejects.toThrow('POST /api/v4/agent/sessions: 401 401 Unauthorized');
    expect(() => new Agent({ url: stub.url, token: 'glrt-runner-token', labels: [], workDir, python: 'python3', version: 'test', log: () => undefined })).toThrow(
      'an agent token starts with glagent-',
    );
  });
});
