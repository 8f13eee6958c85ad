import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import type { ExperimentsService } from '../tracking/experiments-service.ts';
import type { LoggedModelsService } from '../tracking/logged-models-service.ts';
import { presentRunNative } from '../tracking/presenters.ts';
import { CI_JOB_TAG } from '../tracking/run-model.ts';
import type { RunsService } from '../tracking/runs-service.ts';
import type { ModelVersionsService } from './versions-service.ts';

/** The tags where the MLflow client and CI systems leave a run's origin. */
const GIT_COMMIT_TAG = 'mlflow.source.git.commit';
const GITLAB_JOB_TAG = 'gitlab.CI_JOB_ID';

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

  async ofVersion(access: ProjectAccess, name: string, version: number | string) {
    const { model, row } = await this.versions.getRow(access, name, version);
    const logged = row.logged_model_id ? await this.loggedModels.get(access, row.logged_model_id).catch(() => null) : null;
    const runId = row.run_id ?? logged?.row.source_run_id ?? null;
    const run = runId ? await this.runs.get(access, runId).catch(() => null) : null;
    const experiment = run ? await this.experiments.get(access, run.row.experiment_id) : null;
    const tags = Object.fromEntries((run?.tags ?? []).map((t) => [t.key, t.value]));
    const ciJob = run?.row.job_id ?? (tags[CI_JOB_TAG] ? Number(tags[CI_JOB_TAG]) : tags[GITLAB_JOB_TAG] ? Number(tags[GITLAB_JOB_TAG]) : null);
    return {
      model: { id: model.id, name: model.name },
      version: { id: row.id, version: row.version, semver: row.semver, source: row.source, source_kind: row.source_kind, status: row.status, approval_status: row.approval_status },
      logged_model: logged ? { id: logged.row.id, name: logged.row.name, status: logged.row.status, artifact_uri: logged.artifactUri, params: Object.fromEntries(logged.params.map((p) => [p.key, p.value])) } : null,
      run: run ? presentRunNative(run) : null,
      experiment: experiment ? { id: experiment.id, name: experiment.name } : null,
      git_commit: tags[GIT_COMMIT_TAG] ?? null,
      ci_job_id: Number.isFinite(ciJob) ? ciJob : null,
      datasets: run ? presentRunNative(run).inputs : [],
    };
  }

  /** The versions registered from a run, directly or through a logged model it produced. */
  async versionsOfRun(access: ProjectAccess, runId: string) {
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
    return rows.map((r) => ({ model_name: r.name, version: r.version, version_id: r.id, semver: r.semver, approval_status: r.approval_status }));
  }
}
