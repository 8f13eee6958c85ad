import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { artifactFilename } from '../runner-protocol/artifacts.ts';
import type { Artifact } from '../runner-protocol/job-response.ts';
import { maskedValues } from '../runner-protocol/masking.ts';
import type { VersionInfo } from '../runner-protocol/requests.ts';
import { detectGpus, type GpuInfo } from './gpus.ts';
import { expandVariables, variableValue } from './job-environment.ts';
import { LogStream } from './log-stream.ts';
import { ProtocolClient, UnreadableJobError, type Job } from './protocol-client.ts';
import { runCommands } from './shell-executor.ts';
import { checkout, extractZip, gzipFiles, matchArtifacts, prepareWorkspace, zipFiles } from './workspace.ts';
import { RUNNER_VERSION } from './version.ts';
import { sendFinalReport, type FinalReportPatience } from './final-report.ts';

export interface RunnerOptions {
  url: string;
  token: string;
  buildsDir: string;
  /** Jobs run at once. */
  concurrent: number;
  heartbeatMs: number;
  /** Stop after this many jobs (tests, benchmarks); unlimited when undefined. */
  maxJobs?: number;
  log: (line: string) => void;
  /** How long and how often a final report the server did not answer is sent again. */
  finalReportPatience?: FinalReportPatience;
}

const AFTER_SCRIPT_TIMEOUT_MS = 5 * 60 * 1000;
const CLI = fileURLToPath(new URL('../../bin/modelyard.mjs', import.meta.url));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether an artifact is uploaded after a job that ended so (GitLab's `artifacts:when`). */
const uploadsWhen = (artifact: Artifact, success: boolean) => artifact.when === 'always' || (artifact.when === 'on_success') === success;

/**
 * `modelyard runner`: GitLab's runner protocol with the shell executor, and the GPUs it finds
 * reported with each request. Asks for jobs (long polling), confirms a job before running any of
 * it (its first log line), fetches the code from the server, runs the script and after_script
 * steps in a clean directory, streams the log, learns of a cancel from the server's answers,
 * enforces the time limit, uploads zipped artifacts and reports, and reports the result with
 * the log's checksum.
 */
export class Runner {
  private readonly client: ProtocolClient;
  private stopping = false;
  private started = 0;
  private gpus: GpuInfo[] = [];
  private readonly active = new Set<AbortController>();

  constructor(private readonly options: RunnerOptions) {
    // GitLab Runner's system_id: one per machine and process (`r_` + 12 characters).
    this.client = new ProtocolClient(options.url, options.token, `r_${randomBytes(9).toString('base64url').slice(0, 12)}`);
  }

  private info(): VersionInfo {
    return {
      name: 'modelyard-runner',
      version: RUNNER_VERSION,
      platform: process.platform,
      architecture: process.arch,
      executor: 'shell',
      shell: 'bash',
      features: {
        variables: true,
        artifacts: true,
        upload_multiple_artifacts: true,
        upload_raw_artifacts: true,
        refspecs: true,
        masking: true,
        raw_variables: true,
        multi_build_steps: true,
        trace_checksum: true,
        trace_size: true,
        cancelable: true,
        return_exit_code: true,
      },
      config: { gpus: this.gpus.length > 0 ? 'all' : '' },
      gpus: this.gpus,
    };
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
    let lastUpdate: string | undefined;
    while (!this.stopping && (this.options.maxJobs === undefined || this.started < this.options.maxJobs)) {
      let job: Job | null;
      try {
        ({ job, lastUpdate } = await this.client.requestJob(this.info(), lastUpdate));
        backoff = 1000;
      } catch (error) {
        // An unreadable job is left unconfirmed: the server gives it back to the queue.
        const what = error instanceof UnreadableJobError ? 'a job came that this runner cannot read' : 'asking for a job failed';
        this.options.log(`${what}: ${(error as Error).message}; asking again in ${backoff / 1000} s`);
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
    return {
      ...process.env,
      ...expandVariables(job.variables),
      CI_PROJECT_DIR: dir,
      CI_BUILDS_DIR: this.options.buildsDir,
      CI_RUNNER_VERSION: RUNNER_VERSION,
      CI_RUNNER_EXECUTABLE_ARCH: `${process.platform}/${process.arch}`,
      CI_RUNNER_GPUS: String(this.gpus.length),
      PATH: `${path.join(this.options.buildsDir, '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    };
  }

  private async execute(job: Job): Promise<void> {
    const controller = new AbortController();
    let canceled = false;
    const stopFor = (status: string) => {
      if (status === 'running' || canceled) return;
      canceled = true;
      controller.abort();
    };
    const log = new LogStream(this.client, job, maskedValues(job), 1000, stopFor);
    const write = (text: string) => log.write(text);
    // Confirms the job: until the server took this first line, nothing of the job runs.
    write(`Running with modelyard-runner ${RUNNER_VERSION} on ${os.hostname()} (shell executor${this.gpus.length ? `, ${this.gpus.length} GPU(s)` : ''})\n`);
    await log.flush(false);
    if (log.lastStatus !== 'running' || log.output().bytesize === 0) {
      this.options.log(`job ${job.id} (${job.job_info.name}): not confirmed by the server (${log.lastStatus}); skipped`);
      return;
    }
    this.active.add(controller);
    let timedOut = false;
    log.start();
    const heartbeat = setInterval(() => {
      this.client.updateJob(job, { state: 'running', output: log.output() }).then(
        (outcome) => stopFor(outcome.status),
        () => undefined,
      );
    }, this.options.heartbeatMs);
    const timeout = setTimeout(() => {
      timedOut = true;
      write(`\nERROR: Job timed out after ${job.runner_info.timeout} seconds\n`);
      controller.abort();
    }, job.runner_info.timeout * 1000);
    const scriptDir = fs.mkdtempSync(path.join(os.tmpdir(), `modelyard-job-${job.id}-`));
    let state: 'success' | 'failed' = 'failed';
    let reason = 'script_failure';
    let exitCode: number | undefined;
    const dir = prepareWorkspace(this.options.buildsDir, job.id);
    try {
      if (job.image) write(`The shell executor ignores image: ${job.image.name}\n`);
      try {
        await this.prepare(job, dir, write);
      } catch (error) {
        write(`ERROR: preparing the job failed: ${(error as Error).message}\n`);
        reason = 'runner_system_failure';
        throw error;
      }
      const env = this.environment(job, dir);
      const script = job.steps.find((s) => s.name === 'script');
      const main = await runCommands({ commands: script?.script ?? [], cwd: dir, scriptDir, name: 'script', env, onOutput: write, signal: controller.signal });
      exitCode = main.exitCode;
      state = main.exitCode === 0 && !main.stopped ? 'success' : 'failed';
      if (timedOut) reason = 'job_execution_timeout';
      const after = job.steps.find((s) => s.name === 'after_script');
      if (!canceled && after && after.script.length > 0) {
        write('Running after_script\n');
        await runCommands({
          commands: after.script,
          cwd: dir,
          scriptDir,
          name: 'after_script',
          env: { ...env, CI_JOB_STATUS: state },
          onOutput: write,
          signal: AbortSignal.timeout(AFTER_SCRIPT_TIMEOUT_MS),
        });
      }
      if (!canceled) await this.uploadArtifacts(job, dir, state === 'success', write);
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
      fs.rmSync(dir, { recursive: true, force: true });
    }
    if (!canceled) await this.finalReport(job, log, { state, ...(state === 'failed' ? { failure_reason: reason } : {}), ...(exitCode !== undefined ? { exit_code: exitCode } : {}) });
    this.options.log(`job ${job.id} (${job.job_info.name}): ${canceled ? 'canceled' : state}`);
  }

  /** The code (unless GIT_STRATEGY is none) and the artifacts of the jobs this one depends on. */
  private async prepare(job: Job, dir: string, write: (text: string) => void): Promise<void> {
    if (variableValue(job.variables, 'GIT_STRATEGY') === 'none') write('Skipping Git repository setup\n');
    else {
      const depth = Number(variableValue(job.variables, 'GIT_DEPTH') ?? job.git_info.depth);
      await checkout(job.git_info, Number.isFinite(depth) ? depth : job.git_info.depth, dir, write);
    }
    for (const dependency of job.dependencies) {
      if (!dependency.artifacts_file) continue;
      write(`Downloading artifacts for ${dependency.name} (${dependency.id})...\n`);
      const zip = path.join(os.tmpdir(), `modelyard-artifacts-${job.id}-${dependency.id}-${randomBytes(4).toString('hex')}.zip`);
      try {
        await this.client.downloadArtifacts(dependency, zip);
        await extractZip(zip, dir);
      } finally {
        fs.rmSync(zip, { force: true });
      }
    }
  }

  private async uploadArtifacts(job: Job, dir: string, success: boolean, write: (text: string) => void): Promise<void> {
    for (const artifact of job.artifacts.filter((a) => uploadsWhen(a, success))) {
      const files = matchArtifacts(dir, artifact.paths).filter((file) => !matchArtifacts(dir, artifact.exclude).includes(file));
      if (files.length === 0) {
        write(`WARNING: ${artifact.artifact_type}: no files matched ${artifact.paths.join(', ')}\n`);
        continue;
      }
      write(`Uploading artifacts as "${artifact.artifact_type}": ${files.length} file(s)\n`);
      const body = artifact.artifact_format === 'zip' ? zipFiles(dir, files) : gzipFiles(dir, files);
      await this.client.uploadArtifact(job, artifact, artifactFilename(artifact.name, artifact.artifact_format), body);
    }
  }

  /** The verdict, with the log's checksum: sent until the server answers it (src/runner/final-report.ts). */
  private async finalReport(job: Job, log: LogStream, update: { state: 'success' | 'failed'; failure_reason?: string; exit_code?: number }): Promise<void> {
    try {
      await sendFinalReport(
        () => this.client.updateJob(job, { ...update, output: log.output() }),
        () => log.flush(true),
        (line) => this.options.log(`job ${job.id}: ${line}`),
        this.options.finalReportPatience,
      );
    } catch (error) {
      this.options.log(`job ${job.id}: the server refused the final report: ${(error as Error).message}`);
    }
  }
}
