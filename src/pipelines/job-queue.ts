import type { Kysely } from 'kysely';
import { newSecret, sha256Hex } from '../auth/secrets.ts';
import type { Schema } from '../db/schema.ts';
import type { ProjectsService } from '../projects/projects-service.ts';
import { now } from '../shared/clock.ts';
import type { CiSettingsService } from './ci-settings-service.ts';
import { buildJobPayload, type JobPayload } from './job-payload.ts';
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
    private readonly deps: { projects: ProjectsService; settings: CiSettingsService; variables: VariablesService; publicUrl: string },
  ) {}

  notify(): void {
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  async request(runner: RunnerRow, waitMs: number, signal?: AbortSignal): Promise<JobPayload | null> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const job = await this.claim(runner);
      if (job || Date.now() >= deadline || signal?.aborted) return job;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
        this.waiters.add(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  /** The latest attempts of the jobs this one needs, with the artifact files they left. */
  private async dependenciesOf(job: { pipeline_id: number; needs: string }): Promise<JobPayload['dependencies']> {
    const names = JSON.parse(job.needs) as string[];
    if (names.length === 0) return [];
    const jobs = await this.db.selectFrom('ci_jobs').select(['id', 'name']).where('pipeline_id', '=', job.pipeline_id).where('retried', '=', 0).where('name', 'in', names).execute();
    if (jobs.length === 0) return [];
    const files = await this.db.selectFrom('ci_job_artifacts').select(['job_id', 'path', 'size']).where('job_id', 'in', jobs.map((j) => j.id)).execute();
    return jobs
      .map((j) => ({ id: j.id, name: j.name, artifacts: files.filter((f) => f.job_id === j.id).map((f) => ({ path: f.path, size: f.size })) }))
      .filter((d) => d.artifacts.length > 0);
  }

  private async claim(runner: RunnerRow): Promise<JobPayload | null> {
    if (runner.paused === 1) return null;
    let query = this.db.selectFrom('ci_jobs').select(['id', 'tags']).where('status', '=', 'pending').where(resourceGroupFree).orderBy('id').limit(CANDIDATES);
    if (runner.runner_type === 'project_type') query = query.where('project_id', '=', runner.project_id ?? -1);
    for (const candidate of await query.execute()) {
      if (!runnerMatches(runner, JSON.parse(candidate.tags) as string[])) continue;
      const token = newSecret('job');
      const at = now();
      const claimed = await takeUnlessGroupBusy(() => this.db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('ci_jobs')
          .set({ status: 'running', runner_id: runner.id, token_hash: sha256Hex(token), started_at: at, heartbeat_at: at })
          .where('id', '=', candidate.id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return undefined; // another runner was faster
        const job = await trx.selectFrom('ci_jobs').selectAll().where('id', '=', candidate.id).executeTakeFirstOrThrow();
        await trx
          .updateTable('ci_pipelines')
          .set({ status: 'running', started_at: at, updated_at: at })
          .where('id', '=', job.pipeline_id)
          .where('status', 'in', ['created', 'pending'])
          .execute();
        await trx.updateTable('ci_pipelines').set({ updated_at: at }).where('id', '=', job.pipeline_id).execute();
        const pipeline = await trx.selectFrom('ci_pipelines').selectAll().where('id', '=', job.pipeline_id).executeTakeFirstOrThrow();
        return { job, pipeline };
      }));
      if (!claimed) continue;
      const { job, pipeline } = claimed;
      const project = await this.deps.projects.getRow(job.project_id);
      const settings = await this.deps.settings.of(job.project_id);
      return buildJobPayload({
        job,
        token,
        runner: { id: runner.id, tags: JSON.parse(runner.tags) as string[] },
        pipeline,
        project,
        settings,
        protectedRef: this.deps.settings.isProtectedRef(settings, pipeline.ref, pipeline.tag === 1),
        projectVariables: await this.deps.variables.list(job.project_id),
        publicUrl: this.deps.publicUrl,
        startedAt: at,
        dependencies: await this.dependenciesOf(job),
      });
    }
    return null;
  }
}
