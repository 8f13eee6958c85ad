import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import type { ExperimentsService } from '../tracking/experiments-service.ts';
import type { RunsService } from '../tracking/runs-service.ts';
import type { ModelRow, VersionRow } from './registry-model.ts';

/** The experiment that holds a model's own runs, named as GitLab names it (gitlab-mlops looks it up by this name). */
export function modelExperimentName(modelName: string): string {
  return `[model]${modelName}`;
}

/** Where a version's files are read and written over HTTP: GitLab's ml_model package files of the version. */
export function versionFilesUrl(publicUrl: string, projectId: number, versionId: number): string {
  return `${publicUrl}/api/v4/projects/${projectId}/packages/ml_models/${versionId}/files`;
}

/**
 * A version created without a source gets a run of its own, as GitLab gives it a model
 * "candidate": clients (gitlab-mlops) log the version's params, metrics and files to the
 * version's `run_id`. The run's artifact URI is the version's files, so what the client logs
 * there is what the version holds. The `[model]<name>` experiment is made the first time such
 * a run is needed, never for models whose versions all come from runs.
 */
export class VersionRuns {
  constructor(
    private readonly experiments: ExperimentsService,
    private readonly runs: RunsService,
    private readonly publicUrl: string,
  ) {}

  /** Creates the version's run in the caller's transaction; answers the run's id. */
  async create(access: ProjectAccess, db: Kysely<Schema>, model: ModelRow, version: VersionRow): Promise<string> {
    const experimentId = await this.modelExperiment(access, db, model.name);
    const run = await this.runs.insert(access, { experimentId, runName: version.semver, userId: version.user_id, artifactUri: versionFilesUrl(this.publicUrl, access.project.id, version.id) }, db);
    return run.uuid;
  }

  private async modelExperiment(access: ProjectAccess, db: Kysely<Schema>, modelName: string): Promise<number> {
    const name = modelExperimentName(modelName);
    const existing = await db.selectFrom('experiments').select('id').where('project_id', '=', access.project.id).where('name', '=', name).executeTakeFirst();
    if (existing) return existing.id;
    // As ExperimentsService.create does: the default experiment first, so it keeps the lowest id.
    await this.experiments.defaultExperiment(access, db);
    const at = now();
    const created = await db
      .insertInto('experiments')
      .values({ project_id: access.project.id, name, is_default: 0, lifecycle_stage: 'active', creation_time: at, last_update_time: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordChange(db, access.caller, { type: 'tracking.experiment.created', projectId: access.project.id, payload: { experiment_id: created.id, name } });
    return created.id;
  }
}
