import type { Assignments, Instance } from '../agent-protocol/protocol.ts';
import { AGENT_TOKEN_PREFIX, MAX_ASSIGNMENTS_WAIT_SECONDS } from '../agent-protocol/protocol.ts';
import { ArchiveCache } from './archive-cache.ts';
import { Backoff, sleep } from './backoff.ts';
import type { ServeMode } from './container-command.ts';
import { InstanceSupervisor, type SupervisorTiming } from './instance-supervisor.ts';
import { LOOPBACK_LISTEN_ADDRESS } from './listen-address.ts';
import { GroupRecords } from './process-groups.ts';
import { AgentClient, AgentProtocolError } from './protocol-client.ts';
import { pythonInfo } from './python-info.ts';
import { Reporter } from './reporter.ts';
import { WorkDir } from './work-dir.ts';

export interface AgentOptions {
  url: string;
  token: string;
  labels: string[];
  workDir: string;
  /** The Python MLflow models are served with (`--python`). */
  python: string;
  /** The IP address model servers listen on (`--listen-address`); loopback when not given. */
  listenAddress?: string;
  /** How model servers run (`--serve-with`): processes from `python`, or the versions' images with podman. */
  mode?: ServeMode;
  version: string;
  timing?: Partial<AgentTiming>;
  log: (line: string) => void;
}

export interface AgentTiming extends SupervisorTiming {
  /** The first wait after the server could not be reached; it doubles up to `contactMaxMs`. */
  contactInitialMs: number;
  contactMaxMs: number;
  /** How long the last reports may take to leave when the agent stops. */
  finalReportsMs: number;
}

export const DEFAULT_TIMING: AgentTiming = {
  backoffInitialMs: 1_000,
  backoffMaxMs: 60_000,
  stopGraceMs: 10_000,
  startTimeoutMs: 300_000,
  unhealthyLimit: 5,
  stableMs: 60_000,
  contactInitialMs: 1_000,
  contactMaxMs: 60_000,
  finalReportsMs: 5_000,
};

/**
 * `modelyard agent`: checks in, then long-polls the server for its assignments and reconciles:
 * every listed instance runs, every other one stops — idempotently, so a repeated or replayed
 * answer changes nothing and a restarted agent, which finds no state but the server's, converges
 * with no manual step. While the server cannot be reached the servers keep serving and the
 * agent retries with back-off.
 */
export class Agent {
  private readonly client: AgentClient;
  private readonly workDir: WorkDir;
  private readonly timing: AgentTiming;
  private readonly supervisors = new Map<string, InstanceSupervisor>();
  private readonly stopping = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private reporter!: Reporter;
  private cache!: ArchiveCache;
  private records!: GroupRecords;
  private revision: string | undefined;
  private pollSeconds = 30;
  private python: { version: string; mlflow: string } | undefined;

  private get mode(): ServeMode {
    return this.options.mode ?? 'process';
  }

  constructor(private readonly options: AgentOptions) {
    if (!options.token.startsWith(AGENT_TOKEN_PREFIX)) throw new Error(`an agent token starts with ${AGENT_TOKEN_PREFIX}`);
    this.client = new AgentClient(options.url, options.token, `modelyard-agent/${options.version}`);
    this.workDir = new WorkDir(options.workDir);
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
  }

  /** Runs until `stop()`; then every model server is stopped before it resolves. */
  async run(): Promise<void> {
    const { log } = this.options;
    this.workDir.lock();
    try {
      this.records = new GroupRecords(this.workDir.processes);
      const leftovers = await this.records.killLeftovers(log);
      if (leftovers > 0) log(`stopped ${leftovers} model server(s) left by a previous agent`);
      this.cache = new ArchiveCache(this.workDir.archives, this.client);
      this.reporter = new Reporter(this.client, {
        backoffInitialMs: this.timing.contactInitialMs,
        backoffMaxMs: this.timing.contactMaxMs,
        log,
        onGone: (instanceId) => this.forget(instanceId),
      });
      this.python = await pythonInfo(this.options.python);
      await this.checkIn({ first: true });
      await this.pollLoop();
    } finally {
      await this.stopAll();
      this.workDir.unlock();
    }
  }

  stop(): void {
    this.shutdown.abort();
  }

  private async checkIn(options: { first: boolean }): Promise<void> {
    const { python } = this;
    const backoff = new Backoff(this.timing.contactInitialMs, this.timing.contactMaxMs);
    while (!this.shutdown.signal.aborted) {
      try {
        const reply = await this.client.checkIn({
          version: this.options.version,
          platform: `${process.platform}/${process.arch}`,
          ...(this.options.labels.length ? { labels: this.options.labels } : {}),
          ...(python ? { python } : {}),
        });
        this.pollSeconds = Math.min(reply.poll_seconds, MAX_ASSIGNMENTS_WAIT_SECONDS);
        this.options.log(
          `agent ${reply.agent_id} checked in${python ? ` (Python ${python.version}, mlflow ${python.mlflow})` : ` (no mlflow in ${this.options.python}: MLflow models cannot be served)`}`,
        );
        return;
      } catch (error) {
        // A refused token at start is a configuration error, not an outage: say so and stop.
        if (options.first && error instanceof AgentProtocolError && (error.status === 401 || error.status === 403)) throw error;
        const wait = backoff.next();
        this.options.log(`checking in failed: ${(error as Error).message}; retrying in ${wait / 1000} s`);
        await sleep(wait, this.shutdown.signal);
      }
    }
  }

  private async pollLoop(): Promise<void> {
    const backoff = new Backoff(this.timing.contactInitialMs, this.timing.contactMaxMs);
    let lostContact = false;
    while (!this.shutdown.signal.aborted) {
      try {
        if (lostContact) await this.checkIn({ first: false });
        const assignments = await this.client.assignments(this.revision, this.revision === undefined ? 0 : this.pollSeconds, this.shutdown.signal);
        if (lostContact) this.options.log('the server answers again');
        lostContact = false;
        backoff.reset();
        if (assignments) this.reconcile(assignments);
      } catch (error) {
        if (this.shutdown.signal.aborted) break;
        lostContact = true;
        const wait = backoff.next();
        this.options.log(`asking for assignments failed: ${(error as Error).message}; the model servers keep serving; retrying in ${wait / 1000} s`);
        await sleep(wait, this.shutdown.signal);
      }
    }
  }

  /** Makes what runs equal what is assigned: idempotent, so any answer may be applied twice. */
  reconcile(assignments: Assignments): void {
    const desired = new Map<string, Instance>();
    for (const instance of assignments.instances) if (!desired.has(instance.instance_id)) desired.set(instance.instance_id, instance);
    // New servers first: a version change starts the new one before the old one stops.
    for (const [id, instance] of desired) {
      const running = this.supervisors.get(id);
      if (running && InstanceSupervisor.keyOf(running.instance, this.mode) === InstanceSupervisor.keyOf(instance, this.mode)) {
        if (JSON.stringify(running.instance) !== JSON.stringify(instance)) running.reassign(instance);
        continue;
      }
      if (running) this.retire(id, { report: false });
      const supervisor = new InstanceSupervisor(instance, {
        cache: this.cache,
        reporter: this.reporter,
        records: this.records,
        python: this.options.python,
        listenAddress: this.options.listenAddress ?? LOOPBACK_LISTEN_ADDRESS,
        mode: this.mode,
        logsDir: this.workDir.logs,
        baseEnv: process.env,
        timing: this.timing,
        log: this.options.log,
      });
      this.supervisors.set(id, supervisor);
      this.options.log(`starting ${id}: ${instance.model.name} ${instance.model.semver} (${instance.environment.name}, ${instance.variant})`);
      supervisor.start();
    }
    for (const id of [...this.supervisors.keys()]) {
      if (desired.has(id)) continue;
      this.options.log(`stopping ${id}: no longer assigned`);
      this.retire(id, { report: true });
    }
    this.revision = assignments.revision;
    this.cache.prune(new Set([...this.supervisors.values()].map((s) => s.instance.files.sha256)));
  }

  /** The server said it no longer knows the instance: stop it, and ask for the assignments anew. */
  private forget(instanceId: string): void {
    if (!this.supervisors.has(instanceId)) return;
    this.options.log(`stopping ${instanceId}: the server no longer assigns it`);
    this.retire(instanceId, { report: false });
    this.revision = undefined;
  }

  private retire(instanceId: string, options: { report: boolean }): void {
    const supervisor = this.supervisors.get(instanceId);
    if (!supervisor) return;
    this.supervisors.delete(instanceId);
    const stopped = supervisor.stop(options).finally(() => this.stopping.delete(stopped));
    this.stopping.add(stopped);
  }

  private async stopAll(): Promise<void> {
    for (const id of [...this.supervisors.keys()]) this.retire(id, { report: true });
    await Promise.all(this.stopping);
    await this.reporter?.close(this.timing.finalReportsMs);
  }

  /** What runs now, by instance id (tests and logs). */
  instances(): string[] {
    return [...this.supervisors.keys()];
  }
}
