import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import type { Experiment, ExperimentsService } from '../tracking/experiments-service.ts';
import type { LoggedModel, LoggedModelsService } from '../tracking/logged-models-service.ts';
import { CI_JOB_TAG, type Run } from '../tracking/run-model.ts';
import type { RunsService } from '../tracking/runs-service.ts';
import type { ModelKey } from './models-service.ts';
import type { ModelRow, VersionRow } from './registry-model.ts';
import type { ModelVersionsService } from './versions-service.ts';

/** The tags where the MLflow client and CI systems leave a run's origin. */
const GIT_COMMIT_TAG = 'mlflow.source.git.commit';
const GITLAB_JOB_TAG = 'gitlab.CI_JOB_ID';

/**
 * The tags an imported version carries (src/imports/): what kind of source, which one (for the
 * Hub: endpoint/repository), the commit it was pinned to, and the import job.
 */
export const IMPORT_ORIGIN_TAGS = { kind: 'modelyard.import.kind', source: 'modelyard.import.source', commit: 'modelyard.import.commit', job: 'modelyard.import.job_id' } as const;

export interface ImportOrigin {
  kind: string;
  source: string;
  commit: string;
  jobId: number | null;
}

/** Where a version came from: its logged model, the run that trained it and that run's experiment. */
export interface VersionLineage {
  model: ModelRow;
  version: VersionRow;
  loggedModel: LoggedModel | null;
  run: Run | null;
  experiment: Experiment | null;
  gitCommit: string | null;
  /** The CI job that trained it: the run's own, else the one its tags name. */
  ciJobId: number | null;
  /** The repository it was imported from, for an imported version. */
  importedFrom: ImportOrigin | null;
}

/** A version registered from a run. */
export interface RunVersion {
  id: number;
  modelName: string;
  version: number;
  semver: string;
  approvalStatus: VersionRow['approval_status'];
}

/**
 * Where a version came from, in one answer: version → logged model → run (params, metrics,
 * dataset inputs, git commit, CI job) → experiment; and the reverse, a run's versions.
 */
export class LineageService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly versions: ModelVersionsService,
    private readonly runs: RunsService,
    private readonly experiments: ExperimentsService,
    private readonly loggedModels: LoggedModelsService,
  ) {}

  async ofVersion(access: ProjectAccess, key: ModelKey, version: number | string): Promise<VersionLineage> {
    const { model, row } = await this.versions.getRow(access, key, version);
    const loggedModel = row.logged_model_id ? await this.loggedModels.get(access, row.logged_model_id).catch(() => null) : null;
    const runId = row.run_id ?? loggedModel?.row.source_run_id ?? null;
    const run = runId ? await this.runs.get(access, runId).catch(() => null) : null;
    const experiment = run ? await this.experiments.get(access, run.row.experiment_id) : null;
    const tags = Object.fromEntries((run?.tags ?? []).map((t) => [t.key, t.value]));
    const ciJob = run?.row.job_id ?? (tags[CI_JOB_TAG] ? Number(tags[CI_JOB_TAG]) : tags[GITLAB_JOB_TAG] ? Number(tags[GITLAB_JOB_TAG]) : null);
    const importedFrom = await this.importOrigin(row.id);
    return { model, version: row, loggedModel, run, experiment, gitCommit: tags[GIT_COMMIT_TAG] ?? null, ciJobId: Number.isFinite(ciJob) ? ciJob : null, importedFrom };
  }

  private async importOrigin(versionId: number): Promise<ImportOrigin | null> {
    const rows = await this.db.selectFrom('version_tags').select(['key', 'value']).where('version_id', '=', versionId).where('key', 'in', Object.values(IMPORT_ORIGIN_TAGS)).execute();
    const tag = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    const kind = tag[IMPORT_ORIGIN_TAGS.kind];
    const source = tag[IMPORT_ORIGIN_TAGS.source];
    if (kind === undefined || source === undefined) return null;
    const jobId = Number(tag[IMPORT_ORIGIN_TAGS.job]);
    return { kind, source, commit: tag[IMPORT_ORIGIN_TAGS.commit] ?? '', jobId: Number.isSafeInteger(jobId) ? jobId : null };
  }

  /** The versions registered from a run, directly or through a logged model it produced. */
  async versionsOfRun(access: ProjectAccess, runId: string): Promise<RunVersion[]> {
    const run = await this.runs.getRow(access, runId);
    const rows = await this.db
      .selectFrom('model_versions')
      .innerJoin('registered_models', 'registered_models.id', 'model_versions.model_id')
      .select(['model_versions.id', 'model_versions.version', 'model_versions.semver', 'model_versions.approval_status', 'registered_models.name'])
      .where('registered_models.project_id', '=', access.project.id)
      .where((eb) =>
        eb.or([
          eb('model_versions.run_id', '=', run.uuid),
          eb('model_versions.logged_model_id', 'in', eb.selectFrom('logged_models').select('logged_models.id').where('logged_models.source_run_id', '=', run.uuid)),
        ]),
      )
      .orderBy('registered_models.name')
      .orderBy('model_versions.version')
      .execute();
    return rows.map((r) => ({ id: r.id, modelName: r.name, version: r.version, semver: r.semver, approvalStatus: r.approval_status }));
  }
}
