import type { Kysely } from 'kysely';
import { newSecret, sha256Hex } from '../auth/secrets.ts';
import type { Schema } from '../db/schema.ts';
import type { ProjectsService } from '../projects/projects-service.ts';
import type { Dependency, JobResponse } from '../runner-protocol/job-response.ts';
import { now } from '../shared/clock.ts';
import type { CiSettingsService } from './ci-settings-service.ts';
import type { JobArtifactsService } from './job-artifacts-service.ts';
import { buildJobResponse } from './job-payload.ts';
import { readSpec } from './job-spec.ts';
import { resourceGroupFree, takeUnlessGroupBusy } from './resource-groups.ts';
import type { RunnerRow } from './runners-service.ts';
import type { VariablesService } from './variables-service.ts';

/** How often a waiting request looks at the database, for jobs queued by another replica. */
const POLL_MS = 500;
const CANDIDATES = 200;

/** Whether a runner may take a job: every tag of the job is one of the runner's; untagged jobs only if it runs untagged. */
export function runnerMatches(runner: Pick<RunnerRow, 'tags' | 'run_untagged'>, jobTags: string[]): boolean {
  const tags = JSON.parse(runner.tags) as string[];
  if (jobTags.length === 0) return runner.run_untagged === 1;
  return jobTags.every((t) => tags.includes(t));
}

/** A job handed to a runner, and what identifies this handout (to put it back if the answer is lost). */
export interface Handout {
  response: JobResponse;
  jobId: number;
  tokenHash: string;
}

/**
 * Hands pending jobs to runners. A runner's request waits (long polling) until a job fits it or
 * its wait is over. Claiming is one conditional UPDATE (`where status = 'pending'`), so two
 * runners, or two server replicas, can never take the same job: the loser sees no row changed
 * and tries the next candidate. Jobs queued in this process wake waiting requests at once;
 * jobs queued by another replica are found by polling.
 */
export class JobQueue {
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly deps: { projects: ProjectsService; settings: CiSettingsService; variables: VariablesService; artifacts: JobArtifactsService; publicUrl: string },
  ) {}

  notify(): void {
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  async request(runner: RunnerRow, waitMs: number, signal?: AbortSignal): Promise<Handout | null> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const job = await this.claim(runner);
      if (job || Date.now() >= deadline || signal?.aborted) return job;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
        this.waiters.add(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  /**
   * The latest attempts of the jobs whose artifacts this one fetches (`dependencies:`, else
   * the jobs it needs), each with the running job's token to download them with (GitLab's
   * running-job token for artifacts), and the variables their dotenv reports set.
   */
  private async dependenciesOf(job: { pipeline_id: number; needs: string; spec: string }, token: string): Promise<{ dependencies: Dependency[]; dotenv: Record<string, string> }> {
    const names = readSpec(job).dependencies ?? (JSON.parse(job.needs) as string[]);
    if (names.length === 0) return { dependencies: [], dotenv: {} };
    const jobs = await this.db.selectFrom('ci_jobs').select(['id', 'name']).where('pipeline_id', '=', job.pipeline_id).where('retried', '=', 0).where('name', 'in', names).orderBy('id').execute();
    const archives = await this.deps.artifacts.archivesOf(jobs.map((j) => j.id));
    const dotenv: Record<string, string> = {};
    const dependencies = jobs.map((j) => {
      const own = archives.filter((a) => a.job_id === j.id);
      for (const report of own.filter((a) => a.file_type === 'dotenv' && a.report !== null)) Object.assign(dotenv, (JSON.parse(report.report!) as { variables: Record<string, string> }).variables);
      const archive = own.find((a) => a.file_type === 'archive');
      return { id: j.id, name: j.name, token, ...(archive ? { artifacts_file: { filename: archive.filename, size: archive.size } } : {}) };
    });
    return { dependencies, dotenv };
  }

  private async claim(runner: RunnerRow): Promise<Handout | null> {
    if (runner.paused === 1) return null;
    let query = this.db.selectFrom('ci_jobs').select(['id', 'tags']).where('status', '=', 'pending').where(resourceGroupFree).orderBy('id').limit(CANDIDATES);
    if (runner.runner_type === 'project_type') query = query.where('project_id', '=', runner.project_id ?? -1);
    for (const candidate of await query.execute()) {
      if (!runnerMatches(runner, JSON.parse(candidate.tags) as string[])) continue;
      const token = newSecret('job');
      const tokenHash = sha256Hex(token);
      const at = now();
      const claimed = await takeUnlessGroupBusy(() =>
        this.db.transaction().execute(async (trx) => {
          const result = await trx
            .updateTable('ci_jobs')
            .set((eb) => ({ status: 'running', runner_id: runner.id, token_hash: tokenHash, started_at: at, heartbeat_at: at, confirmed_at: null, pickups: eb('pickups', '+', 1) }))
            .where('id', '=', candidate.id)
            .where('status', '=', 'pending')
            .executeTakeFirst();
          if (Number(result.numUpdatedRows) !== 1) return undefined; // another runner was faster
          const job = await trx.selectFrom('ci_jobs').selectAll().where('id', '=', candidate.id).executeTakeFirstOrThrow();
          await trx.updateTable('ci_pipelines').set({ status: 'running', started_at: at, updated_at: at }).where('id', '=', job.pipeline_id).where('status', 'in', ['created', 'pending']).execute();
          await trx.updateTable('ci_pipelines').set({ updated_at: at }).where('id', '=', job.pipeline_id).execute();
          const pipeline = await trx.selectFrom('ci_pipelines').selectAll().where('id', '=', job.pipeline_id).executeTakeFirstOrThrow();
          return { job, pipeline };
        }),
      );
      if (!claimed) continue;
      const { job, pipeline } = claimed;
      const project = await this.deps.projects.getRow(job.project_id);
      const settings = await this.deps.settings.of(job.project_id);
      const { dependencies, dotenv } = await this.dependenciesOf(job, token);
      const response = buildJobResponse({
        job,
        token,
        runner: { id: runner.id, tags: JSON.parse(runner.tags) as string[], runnerType: runner.runner_type },
        pipeline,
        project,
        settings,
        protectedRef: this.deps.settings.isProtectedRef(settings, pipeline.ref, pipeline.tag === 1),
        projectVariables: await this.deps.variables.list(job.project_id),
        publicUrl: this.deps.publicUrl,
        startedAt: at,
        dependencies,
        dotenvVariables: dotenv,
      });
      return { response, jobId: job.id, tokenHash };
    }
    return null;
  }
}
