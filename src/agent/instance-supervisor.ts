import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Instance, InstanceState } from '../agent-protocol/protocol.ts';
import type { ArchiveCache } from './archive-cache.ts';
import { Backoff, sleep } from './backoff.ts';
import { freePort } from './free-port.ts';
import { endpointOf } from './listen-address.ts';
import { processStartTime, stopGroup, type GroupRecords } from './process-groups.ts';
import type { Reporter } from './reporter.ts';
import { containerCommand, removeContainer, type ServeMode } from './container-command.ts';
import { serverCommand, type ServerCommand } from './server-command.ts';

export interface SupervisorTiming {
  /** The first wait before restarting a crashed server; it doubles up to `backoffMaxMs`. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Between SIGTERM and SIGKILL when stopping a server. */
  stopGraceMs: number;
  /** A server that does not pass its health check this long after starting is restarted. */
  startTimeoutMs: number;
  /** A ready server failing this many health checks in a row is restarted. */
  unhealthyLimit: number;
  /** A server ready this long has recovered: the next crash waits the first back-off step again. */
  stableMs: number;
}

export interface SupervisorDeps {
  cache: ArchiveCache;
  reporter: Reporter;
  records: GroupRecords;
  python: string;
  /** The IP address model servers listen on and are reported at (listen-address.ts). */
  listenAddress: string;
  /** `container`: the version's recorded image runs with podman instead of a process from `python`. */
  mode: ServeMode;
  logsDir: string;
  baseEnv: NodeJS.ProcessEnv;
  timing: SupervisorTiming;
  log: (line: string) => void;
}

/** While a server starts, its health is asked this often (its own interval once it is up). */
const STARTING_PROBE_MS = 250;
/** A log bigger than this is started afresh when its server restarts. */
const MAX_LOG_BYTES = 10 * 1024 * 1024;

/**
 * One instance: fetches its version's files, runs its model server in a process group of its
 * own on a fresh loopback port, health-checks it, restarts it after a crash with exponential
 * back-off, and reports every change of state. `stop()` ends it all, process group included.
 */
export class InstanceSupervisor {
  private readonly abort = new AbortController();
  private restarts = 0;
  private endpoint: string | undefined;
  private running: Promise<void> | undefined;
  private silent = false;
  /** The last state reported, to say again when the instance is assigned anew. */
  private last: { state: InstanceState; message?: string } | undefined;

  constructor(
    private current: Instance,
    private readonly deps: SupervisorDeps,
  ) {}

  get instance(): Instance {
    return this.current;
  }

  /**
   * The same server under a new assignment (another deployment, another variant name): it keeps
   * running, and its state is reported again, because the server may have forgotten it in
   * between (it forgets instances an answer left out, even an answer the agent never got).
   */
  reassign(instance: Instance): void {
    this.current = instance;
    if (this.last) this.report(this.last.state, this.last.message);
  }

  /** What the instance runs: a different key under the same id means start it afresh (in container mode, another image too). */
  static keyOf(instance: Instance, mode: ServeMode): string {
    return JSON.stringify([instance.files.sha256, instance.server, instance.health, ...(mode === 'container' ? [instance.image ?? null] : [])]);
  }

  start(): void {
    this.running ??= this.run().catch((error: unknown) => this.deps.log(`${this.instance.instance_id}: ${(error as Error).stack ?? String(error)}`));
  }

  /** Stops the server; `report: false` when the server no longer knows the instance. */
  async stop(options: { report: boolean } = { report: true }): Promise<void> {
    if (!options.report) this.silent = true;
    this.abort.abort();
    await this.running;
  }

  private report(state: InstanceState, message?: string): void {
    if (this.silent) return;
    this.last = { state, ...(message ? { message } : {}) };
    const withEndpoint = state === 'starting' || state === 'ready' || state === 'unhealthy';
    this.deps.reporter.report(this.instance.instance_id, {
      state,
      restarts: this.restarts,
      ...(withEndpoint && this.endpoint ? { endpoint: this.endpoint } : {}),
      ...(message ? { message: message.slice(0, 4000) } : {}),
    });
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    const { timing, log } = this.deps;
    const id = this.instance.instance_id;
    const backoff = new Backoff(timing.backoffInitialMs, timing.backoffMaxMs);
    let crashed = false;
    while (!signal.aborted) {
      if (crashed) this.restarts++;
      crashed = false;
      this.endpoint = undefined;
      this.report('fetching');
      let dir: string;
      try {
        dir = await this.deps.cache.ensure(this.instance.files, signal);
      } catch (error) {
        if (signal.aborted) break;
        const wait = backoff.next();
        log(`${id}: fetching ${this.instance.files.url} failed: ${(error as Error).message}; trying again in ${wait / 1000} s`);
        this.report('failed', `fetching the version's files failed: ${(error as Error).message}`);
        await sleep(wait, signal);
        continue;
      }
      if (signal.aborted) break;
      const ended = await this.serveOnce(dir, backoff);
      if (signal.aborted) break;
      crashed = true;
      this.endpoint = undefined;
      const wait = backoff.next();
      log(`${id}: ${ended}; restarting in ${wait / 1000} s`);
      this.report('failed', `${ended}; restarting in ${wait / 1000} s`);
      await sleep(wait, signal);
    }
    this.endpoint = undefined;
    this.report('stopped');
  }

  /** Runs the server once, until it crashes, fails its health checks or is stopped; says why it ended. */
  private async serveOnce(dir: string, backoff: Backoff): Promise<string> {
    const { records, timing } = this.deps;
    const id = this.instance.instance_id;
    const host = this.deps.listenAddress;
    const port = await freePort(host);
    const command = this.commandFor(dir, host, port);
    if (typeof command === 'string') return command;
    this.endpoint = endpointOf(host, port);
    const logFile = path.join(this.deps.logsDir, `${id}.log`);
    const fd = openLog(logFile);
    fs.writeSync(fd, `--- ${new Date().toISOString()} ${command.program} ${command.args.join(' ')}\n`);
    // The server writes to its log file itself, not through the agent: it keeps serving (and
    // logging) when the agent is killed.
    const child = spawn(command.program, command.args, { cwd: dir, env: command.env, detached: true, stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    const exited = new Promise<string>((resolve) => child.once('exit', (code, sig) => resolve(sig ? `the model server was killed by ${sig}` : `the model server exited with code ${code}`)));
    const spawnError = await new Promise<Error | null>((resolve) => {
      child.once('spawn', () => resolve(null));
      child.once('error', resolve);
    });
    if (spawnError || child.pid === undefined) return `the model server could not start: ${spawnError?.message ?? 'no process'}`;
    const pgid = child.pid;
    records.save({ instanceId: id, pgid, startTime: processStartTime(pgid), port });
    this.report('starting');
    try {
      const ended = await this.watch(exited, backoff);
      return ended === 'stopped' ? ended : `${ended}${lastLines(logFile)}`;
    } finally {
      // Whatever ended it, nothing it started outlives it.
      await stopGroup(pgid, timing.stopGraceMs);
      if (this.deps.mode === 'container') await removeContainer(id);
      records.remove(id);
    }
  }

  /** The model server's command, or why there is none. */
  private commandFor(dir: string, host: string, port: number): ServerCommand | string {
    const { instance, deps } = this;
    if (deps.mode === 'process') return serverCommand(instance.server, { python: deps.python, modelDir: dir, host, port, baseEnv: deps.baseEnv });
    if (!instance.image)
      return `no container image is recorded on ${instance.model.name} version ${instance.model.version}: build its image context and record the image (POST …/versions/${instance.model.version}/images)`;
    return containerCommand(instance.image, { instanceId: instance.instance_id, host, port, baseEnv: deps.baseEnv });
  }

  private async watch(exited: Promise<string>, backoff: Backoff): Promise<string> {
    const { signal } = this.abort;
    const { timing } = this.deps;
    const { health } = this.instance;
    const url = `${this.endpoint}${health.path}`;
    const startedAt = Date.now();
    let exit: string | undefined;
    void exited.then((why) => (exit = why));
    let state: 'starting' | 'ready' | 'unhealthy' = 'starting';
    let readySince: number | undefined;
    let failures = 0;
    for (;;) {
      const pause = state === 'starting' ? Math.min(STARTING_PROBE_MS, health.interval_seconds * 1000) : health.interval_seconds * 1000;
      await Promise.race([sleep(pause, signal), exited]);
      if (signal.aborted) return 'stopped';
      if (exit) return exit;
      const healthy = await probe(url, health.timeout_seconds * 1000, signal);
      if (signal.aborted) return 'stopped';
      if (exit) return exit;
      if (healthy) {
        failures = 0;
        if (state !== 'ready') {
          state = 'ready';
          readySince = Date.now();
          this.report('ready');
        } else if (readySince !== undefined && Date.now() - readySince >= timing.stableMs) {
          backoff.reset();
        }
        continue;
      }
      if (state === 'starting') {
        if (Date.now() - startedAt >= timing.startTimeoutMs) return `the model server did not answer ${health.path} within ${Math.round(timing.startTimeoutMs / 1000)} s of starting`;
        continue;
      }
      failures++;
      if (state === 'ready') {
        state = 'unhealthy';
        readySince = undefined;
        this.report('unhealthy', `GET ${health.path} failed`);
      }
      if (failures >= timing.unhealthyLimit) return `the model server failed ${failures} health checks in a row`;
    }
  }
}

/** Whether GET `url` answers 200 within `timeoutMs`. */
async function probe(url: string, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), signal]) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

function openLog(file: string): number {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const big = fs.existsSync(file) && fs.statSync(file).size > MAX_LOG_BYTES;
  return fs.openSync(file, big ? 'w' : 'a', 0o600);
}

/** The end of a server's log, for the report of why it ended. */
function lastLines(file: string, lines = 20): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const length = Math.min(size, 4096);
      const buffer = Buffer.alloc(length);
      fs.readSync(fd, buffer, 0, length, size - length);
      const tail = buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
      return tail ? `:\n${tail}` : '';
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}
