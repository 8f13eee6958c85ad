import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Schema } from '../db/schema.ts';
import { recordChange } from '../events/outbox.ts';
import type { ProjectsService } from '../projects/projects-service.ts';
import { now } from '../shared/clock.ts';
import { AppError, invalid } from '../shared/errors.ts';
import type { CiSettingsService } from './ci-settings-service.ts';
import { compileConfig } from './config/compile.ts';
import { planPipeline } from './config/plan.ts';
import type { ConfigError, PlannedJob } from './config/types.ts';
import type { RepositoryMirror } from './git/repository-mirror.ts';
import { DEFAULT_JOB_TIMEOUT_SECONDS, specOf } from './job-spec.ts';
import { advancePipeline } from './pipeline-processor.ts';
import { pipelineVariables } from './predefined-variables.ts';
import type { CiPipelinesTable, PipelineSource } from './tables.ts';
import { bundledTemplate } from './templates/catalog.ts';
import type { VariablesService } from './variables-service.ts';
import { PipelineErrors } from './errors.ts';

export type PipelineRow = Selectable<CiPipelinesTable>;

export interface PipelineRequest {
  projectId: number;
  source: PipelineSource;
  /** A branch or tag; the default branch when left out. */
  ref?: string;
  /** The commit; resolved from `ref` in the linked repository when left out. */
  sha?: string;
  beforeSha?: string;
  tag?: boolean;
  /** Variables given by the trigger (API, trigger token, registry event): the highest precedence. */
  variables?: Record<string, string>;
  userId: number | null;
  triggerEventId?: number;
  modelVersionId?: number;
}

export type PipelineOutcome = { created: true; pipeline: PipelineRow } | { created: false; reason: string };

/** Where the pipeline file came from and what it says. */
interface LoadedConfig {
  source: 'repository' | 'project';
  content: string;
  sha: string | null;
  commitTitle: string | null;
}

const VARIABLE_KEY = /^[A-Za-z0-9_]{1,255}$/;

export function checkPipelineVariables(variables: Record<string, string>): void {
  for (const [key, value] of Object.entries(variables)) {
    if (!VARIABLE_KEY.test(key)) throw invalid(`variable key '${key.slice(0, 60)}' can contain only letters, digits and _`);
    if (typeof value !== 'string' || value.length > 10_000) throw invalid(`variable ${key} must be a string of at most 10000 characters`);
  }
}

/**
 * Turns a trigger into a pipeline: reads the pipeline file (the linked repository at the commit,
 * or the project's stored file), compiles it, applies `workflow:rules` and job `rules` with the
 * predefined, project and trigger variables, and writes the pipeline and its jobs. An invalid
 * file still makes a pipeline, failed and carrying its errors, so the push that broke it shows.
 */
export class PipelineCreator {
  constructor(
    private readonly database: Database,
    private readonly projects: ProjectsService,
    private readonly settings: CiSettingsService,
    private readonly variables: VariablesService,
    private readonly mirror: RepositoryMirror,
    private readonly publicUrl: string,
    private readonly onQueued: () => void,
  ) {}

  async create(request: PipelineRequest): Promise<PipelineOutcome> {
    const project = await this.projects.getRow(request.projectId);
    const settings = await this.settings.of(project.id);
    const ref = request.ref ?? settings.default_branch;
    const tag = request.tag ?? false;
    const loaded = await this.loadConfig(settings.repository_url, settings.config_content, ref, request.sha);
    const protectedRef = this.settings.isProtectedRef(settings, ref, tag);
    const triggerVariables = request.variables ?? {};
    checkPipelineVariables(triggerVariables);

    const compiled = compileConfig(loaded.content, { templates: bundledTemplate });
    let errors: ConfigError[] | null = compiled.ok ? null : compiled.errors;
    let jobs: PlannedJob[] = [];
    if (compiled.ok) {
      const projectVariables = (await this.variables.list(project.id)).filter((v) => v.protected === 0 || protectedRef);
      const ruleVariables = {
        ...pipelineVariables({
          publicUrl: this.publicUrl,
          project: { id: project.id, path: project.path, name: project.name },
          pipeline: { source: request.source, ref, tag, sha: loaded.sha, beforeSha: request.beforeSha ?? null, commitTitle: loaded.commitTitle },
          defaultBranch: settings.default_branch,
          protectedRef,
        }),
        ...Object.fromEntries(projectVariables.map((v) => [v.key, v.value])),
        ...triggerVariables,
      };
      const plan = planPipeline(compiled.config, ruleVariables);
      if (!plan.created && 'reason' in plan) return { created: false, reason: plan.reason };
      if (!plan.created) errors = plan.errors;
      else jobs = plan.jobs;
    }

    const pipeline = await this.insert(request, { ref, tag, loaded, errors, jobs, variables: triggerVariables });
    if (jobs.length > 0) this.onQueued();
    return { created: true, pipeline };
  }

  private async loadConfig(repositoryUrl: string | null, stored: string | null, ref: string, sha: string | undefined): Promise<LoadedConfig> {
    if (repositoryUrl === null) {
      if (stored === null) throw PipelineErrors.MISSING_CI_CONFIG({ detail: 'link a repository with a .modelyard-ci.yml, or store one with PUT /projects/:id/ci/config' });
      return { source: 'project', content: stored, sha: sha ?? null, commitTitle: null };
    }
    await this.mirror.sync(repositoryUrl);
    // A pushed annotated tag names the tag object; resolving peels it to its commit.
    const commit = await this.mirror.resolve(repositoryUrl, sha ?? ref);
    if (commit === undefined) throw PipelineErrors.REF_NOT_FOUND({ ref: sha ?? ref });
    const file = await this.mirror.readPipelineFile(repositoryUrl, commit);
    if (!file) throw PipelineErrors.MISSING_CI_CONFIG({ detail: `no .modelyard-ci.yml or .gitlab-ci.yml at ${commit.slice(0, 8)}` });
    const info = await this.mirror.commit(repositoryUrl, commit);
    return { source: 'repository', content: file.content, sha: info?.sha ?? commit, commitTitle: info?.title ?? null };
  }

  private async insert(
    request: PipelineRequest,
    plan: { ref: string; tag: boolean; loaded: LoadedConfig; errors: ConfigError[] | null; jobs: PlannedJob[]; variables: Record<string, string> },
  ): Promise<PipelineRow> {
    // Two creations at once on PostgreSQL may pick the same per-project number; the loser retries.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.database.db.transaction().execute((trx) => this.insertOnce(trx, request, plan));
      } catch (error) {
        if (attempt >= 5 || error instanceof AppError || !/unique|duplicate/i.test(String(error))) throw error;
      }
    }
  }

  private async insertOnce(
    trx: Kysely<Schema>,
    request: PipelineRequest,
    plan: { ref: string; tag: boolean; loaded: LoadedConfig; errors: ConfigError[] | null; jobs: PlannedJob[]; variables: Record<string, string> },
  ): Promise<PipelineRow> {
    const at = now();
    const last = await trx
      .selectFrom('ci_pipelines')
      .select((eb) => eb.fn.max('iid').as('iid'))
      .where('project_id', '=', request.projectId)
      .executeTakeFirst();
    const pipeline = await trx
      .insertInto('ci_pipelines')
      .values({
        project_id: request.projectId,
        iid: Number(last?.iid ?? 0) + 1,
        status: plan.errors ? 'failed' : 'created',
        source: request.source,
        ref: plan.ref,
        tag: plan.tag ? 1 : 0,
        sha: plan.loaded.sha,
        before_sha: request.beforeSha ?? null,
        commit_title: plan.loaded.commitTitle,
        config_source: plan.loaded.source,
        yaml_errors: plan.errors ? JSON.stringify(plan.errors) : null,
        variables: JSON.stringify(plan.variables),
        trigger_event_id: request.triggerEventId ?? null,
        model_version_id: request.modelVersionId ?? null,
        user_id: request.userId,
        created_at: at,
        updated_at: at,
        started_at: null,
        finished_at: plan.errors ? at : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    for (const job of plan.jobs) {
      await trx
        .insertInto('ci_jobs')
        .values({
          pipeline_id: pipeline.id,
          project_id: request.projectId,
          name: job.name,
          stage: job.stage,
          stage_index: job.stageIndex,
          status: 'created',
          when: job.when,
          allow_failure: job.allowFailure ? 1 : 0,
          needs: JSON.stringify(job.needs),
          tags: JSON.stringify(job.tags),
          spec: JSON.stringify(specOf(job)),
          timeout_seconds: job.timeoutSeconds ?? DEFAULT_JOB_TIMEOUT_SECONDS,
          resource_group: job.resourceGroup ?? null,
          user_id: request.userId,
          created_at: at,
        })
        .execute();
    }
    if (!plan.errors) await advancePipeline(trx, pipeline.id);
    await recordChange(trx, null, {
      type: 'ci.pipeline.created',
      projectId: request.projectId,
      payload: { pipeline_id: pipeline.id, iid: pipeline.iid, source: request.source, ref: plan.ref, sha: plan.loaded.sha, yaml_errors: plan.errors !== null },
    });
    return trx.selectFrom('ci_pipelines').selectAll().where('id', '=', pipeline.id).executeTakeFirstOrThrow();
  }
}
