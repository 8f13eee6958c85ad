import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { maskedValues } from '../pipelines/job-payload.ts';
import { VERSION } from '../shared/version.ts';
import { detectGpus, type GpuInfo } from './gpus.ts';
import { LogStream } from './log-stream.ts';
import { ProtocolClient, type Job } from './protocol-client.ts';
import { runCommands } from './shell-executor.ts';
import { checkout, matchArtifacts, prepareWorkspace } from './workspace.ts';

export interface RunnerOptions {
  url: string;
  token: string;
  buildsDir: string;
  /** Jobs run at once. */
  concurrent: number;
  /** How long one request for a job waits on the server. */
  waitSeconds: number;
  heartbeatMs: number;
  /** Stop after this many jobs (tests, benchmarks); unlimited when undefined. */
  maxJobs?: number;
  log: (line: string) => void;
}

const AFTER_SCRIPT_TIMEOUT_MS = 5 * 60 * 1000;
const CLI = fileURLToPath(new URL('../../bin/modelyard.mjs', import.meta.url));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `modelyard runner`: asks the server for jobs (long polling), runs each with the shell executor
 * in a clean directory, streams its log, heartbeats (learning of cancellation that way),
 * enforces its time limit, uploads its artifacts and reports the result.
 */
export class Runner {
  private readonly client: ProtocolClient;
  private stopping = false;
  private started = 0;
  private gpus: GpuInfo[] = [];
  private readonly active = new Set<AbortController>();

  constructor(private readonly options: RunnerOptions) {
    this.client = new ProtocolClient(options.url, options.token);
  }

  private info() {
    return { version: VERSION, platform: process.platform, architecture: process.arch, executor: 'shell', gpus: this.gpus };
  }

  async run(): Promise<void> {
    const { id } = await this.client.verify();
    this.gpus = await detectGpus();
    fs.mkdirSync(this.options.buildsDir, { recursive: true });
    this.installCli();
    this.options.log(`runner ${id} ready: ${this.options.concurrent} at a time, ${this.gpus.length} GPU(s)${this.gpus.length ? `: ${this.gpus.map((g) => g.name).join(', ')}` : ''}`);
    await Promise.all(Array.from({ length: this.options.concurrent }, () => this.loop()));
  }

  /** Stops taking jobs; `cancelRunning` also stops the ones running. */
  stop(cancelRunning = false): void {
    this.stopping = true;
    if (cancelRunning) for (const controller of this.active) controller.abort();
  }

  /** Jobs call `modelyard ci ...` (the bundled templates do); this runner's own CLI is first on their PATH. */
  private installCli(): void {
    const bin = path.join(this.options.buildsDir, '.bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'modelyard'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`, { mode: 0o755 });
  }

  private async loop(): Promise<void> {
    let backoff = 1000;
    while (!this.stopping && (this.options.maxJobs === undefined || this.started < this.options.maxJobs)) {
      let job: Job | null;
      try {
        job = await this.client.requestJob(this.info(), this.options.waitSeconds);
        backoff = 1000;
      } catch (error) {
        this.options.log(`asking for a job failed: ${(error as Error).message}; retrying in ${backoff / 1000} s`);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
        continue;
      }
      if (!job) continue;
      this.started++;
      await this.execute(job).catch((error) => this.options.log(`job ${job.id}: ${(error as Error).message}`));
    }
  }

  private environment(job: Job, dir: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const v of job.variables) env[v.key] = v.value;
    Object.assign(env, {
      CI_PROJECT_DIR: dir,
      CI_BUILDS_DIR: this.options.buildsDir,
      CI_RUNNER_VERSION: VERSION,
      CI_RUNNER_EXECUTABLE_ARCH: `${process.platform}/${process.arch}`,
      CI_RUNNER_GPUS: String(this.gpus.length),
      PATH: `${path.join(this.options.buildsDir, '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    });
    return env;
  }

  private async execute(job: Job): Promise<void> {
    const log = new LogStream(this.client, job, maskedValues(job));
    const write = (text: string) => log.write(text);
    const controller = new AbortController();
    this.active.add(controller);
    let canceled = false;
    let timedOut = false;
    log.start();
    const heartbeat = setInterval(() => {
      this.client
        .updateJob(job, { state: 'running' })
        .then((status) => {
          if (status !== 'running') {
            canceled = true;
            controller.abort();
          }
        })
        .catch(() => undefined);
    }, this.options.heartbeatMs);
    const timeout = setTimeout(() => {
      timedOut = true;
      write(`\nERROR: Job timed out after ${job.timeout_seconds} seconds\n`);
      controller.abort();
    }, job.timeout_seconds * 1000);
    const scriptDir = fs.mkdtempSync(path.join(os.tmpdir(), `modelyard-job-${job.id}-`));
    let state: 'success' | 'failed' = 'failed';
    let reason = 'script_failure';
    let exitCode: number | undefined;
    try {
      write(`Running with modelyard-runner ${VERSION} on ${os.hostname()} (shell executor${this.gpus.length ? `, ${this.gpus.length} GPU(s)` : ''})\n`);
      if (job.image) write(`The shell executor ignores image: ${job.image}\n`);
      const dir = prepareWorkspace(this.options.buildsDir, job.id);
      try {
        if (job.git) await checkout(job.git.url, job.git.sha, dir, write);
        for (const dependency of job.dependencies) {
          for (const file of dependency.artifacts) {
            const target = path.join(dir, file.path);
            fs.mkdirSync(path.dirname(target), { recursive: true });
            await this.client.downloadArtifact(job, dependency.id, file.path, target);
          }
          write(`Downloaded the artifacts of ${dependency.name}\n`);
        }
      } catch (error) {
        write(`ERROR: preparing the job failed: ${(error as Error).message}\n`);
        reason = 'runner_system_failure';
        throw error;
      }
      const env = this.environment(job, dir);
      const main = await runCommands({ commands: [...job.steps.before_script, ...job.steps.script], cwd: dir, scriptDir, name: 'script', env, onOutput: write, signal: controller.signal });
      exitCode = main.exitCode;
      state = main.exitCode === 0 && !main.stopped ? 'success' : 'failed';
      if (timedOut) reason = 'job_execution_timeout';
      if (!canceled && job.steps.after_script.length > 0) {
        write('Running after_script\n');
        const afterSignal = AbortSignal.timeout(AFTER_SCRIPT_TIMEOUT_MS);
        await runCommands({ commands: job.steps.after_script, cwd: dir, scriptDir, name: 'after_script', env: { ...env, CI_JOB_STATUS: state }, onOutput: write, signal: afterSignal });
      }
      if (!canceled && job.artifacts && (job.artifacts.when === 'always' || (job.artifacts.when === 'on_success') === (state === 'success'))) {
        const files = matchArtifacts(dir, job.artifacts.paths);
        write(`Uploading artifacts: ${files.length} file(s)\n`);
        if (files.length === 0) write('WARNING: no files matched the artifacts paths\n');
        for (const file of files) await this.client.uploadArtifact(job, file, path.join(dir, file));
      }
      if (!canceled) write(state === 'success' ? 'Job succeeded\n' : `ERROR: Job failed: exit code ${exitCode}\n`);
    } catch (error) {
      state = 'failed';
      write(`ERROR: ${(error as Error).message}\n`);
    } finally {
      clearInterval(heartbeat);
      clearTimeout(timeout);
      this.active.delete(controller);
      await log.close();
      fs.rmSync(scriptDir, { recursive: true, force: true });
      fs.rmSync(path.join(this.options.buildsDir, `job-${job.id}`), { recursive: true, force: true });
    }
    if (!canceled) {
      await this.client.updateJob(job, { state, ...(state === 'failed' ? { failure_reason: reason } : {}), ...(exitCode !== undefined ? { exit_code: exitCode } : {}) }).catch((error) => this.options.log(`job ${job.id}: the final report failed: ${(error as Error).message}`));
    }
    this.options.log(`job ${job.id} (${job.name}): ${canceled ? 'canceled' : state}`);
  }
}
