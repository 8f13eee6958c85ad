import { randomUUID } from 'node:crypto';
import { runKeysOf, type RunKeys } from './run-keys.ts';
import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { invalid } from '../shared/errors.ts';
import { mustBeInStage, TrackingErrors } from './errors.ts';
import { experimentArtifactLocation, type ExperimentsService, type ViewType } from './experiments-service.ts';
import { LIMITS, validateBatchLimits, validateKey, validateLength, validateTimestamp } from './limits.ts';
import type { MetricPoint } from './metrics/metric-point.ts';
import { writeMetrics, writesMetricsAtOnce } from './metrics/metric-writer.ts';
import { recordModelMetrics } from './metrics/model-metrics.ts';
import { randomRunName } from './run-names.ts';
import { hydrateRuns } from './run-reader.ts';
import { searchRuns } from './search/run-search.ts';
import { CI_JOB_TAG, CI_PIPELINE_TAG, RUN_NAME_TAG, RUN_STATUSES, runArtifactUri, type DatasetRecord, type KeyValue, type Run, type RunRow, type RunStatus } from './run-model.ts';

/** What the MLflow client sends as a run's user when it knows none. */
const CLIENT_UNKNOWN_USER = 'unknown';

export interface NewRun {
  experimentId: number;
  userId?: string;
  runName?: string;
  startTime?: number;
  tags?: KeyValue[];
}

/** What the native runs list asks for: a search, or runs by id (not both). */
export interface RunsQuery {
  runIds?: string[];
  experimentIds?: number[];
  filter?: string;
  orderBy?: string[];
  viewType?: ViewType;
  maxResults?: number;
  pageToken?: string;
}

export interface Batch {
  metrics?: MetricPoint[];
  params?: KeyValue[];
  tags?: KeyValue[];
}

function validTag(tag: KeyValue, path: string): KeyValue {
  return { key: validateKey(tag.key, `${path}.key`, 'Tag'), value: validateLength(tag.value, LIMITS.maxTagValueLength, `${path}.value`) };
}

function validParam(param: KeyValue, path: string): KeyValue {
  return { key: validateKey(param.key, `${path}.key`, 'Param'), value: validateLength(param.value, LIMITS.maxParamValueLength, `${path}.value`) };
}

function validMetric(metric: MetricPoint, path: string): MetricPoint {
  validateKey(metric.key, `${path}.key`, 'Metric');
  if (typeof metric.value !== 'number') throw invalid(`Invalid value for parameter '${path}.value': must be a double`);
  validateTimestamp(metric.timestamp, `${path}.timestamp`);
  if (!Number.isSafeInteger(metric.step)) throw invalid(`Invalid value ${metric.step} for parameter '${path}.step' supplied: Step must be a valid long (64-bit integer).`);
  return metric;
}

export class RunsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly experiments: ExperimentsService,
  ) {}

  async getRow(access: ProjectAccess, runUuid: string, db: Kysely<Schema> = this.db): Promise<RunRow> {
    const row = await this.findRow(access, runUuid, db);
    if (!row) throw TrackingErrors.RUN_NOT_FOUND({ id: runUuid });
    return row;
  }

  /** The run of the project with this id, or undefined (stored links may name runs it never held). */
  async findRow(access: ProjectAccess, runUuid: string, db: Kysely<Schema> = this.db): Promise<RunRow | undefined> {
    if (!/^[0-9a-f]{32}$/.test(runUuid)) return undefined;
    return db.selectFrom('runs').selectAll().where('uuid', '=', runUuid).where('project_id', '=', access.project.id).executeTakeFirst();
  }

  /** Several runs of the project at once; any unknown id fails the whole call. */
  async getRows(access: ProjectAccess, runUuids: string[]): Promise<RunRow[]> {
    const valid = runUuids.filter((id) => /^[0-9a-f]{32}$/.test(id));
    const rows = valid.length === 0 ? [] : await this.db.selectFrom('runs').selectAll().where('uuid', 'in', valid).where('project_id', '=', access.project.id).execute();
    const byUuid = new Map(rows.map((r) => [r.uuid, r]));
    return runUuids.map((id) => {
      const row = byUuid.get(id);
      if (!row) throw TrackingErrors.RUN_NOT_FOUND({ id });
      return row;
    });
  }

  private requireActive(row: RunRow): void {
    if (row.lifecycle_stage !== 'active') throw mustBeInStage('run', row.uuid, 'active', row.lifecycle_stage);
  }

  async get(access: ProjectAccess, runUuid: string): Promise<Run> {
    return (await hydrateRuns(this.db, [await this.getRow(access, runUuid)]))[0]!;
  }

  /** Several runs of the project in the order asked (each id once); any unknown id is a 404, as for one run. */
  async getMany(access: ProjectAccess, runUuids: string[]): Promise<Run[]> {
    return hydrateRuns(this.db, await this.getRows(access, [...new Set(runUuids)]));
  }

  /**
   * The native runs list: a search of experiments with MLflow's filter grammar, or (for a
   * comparison page, which needs a hundred known runs at once) up to 100 runs by id.
   */
  async find(access: ProjectAccess, query: RunsQuery): Promise<{ runs: Run[]; nextPageToken?: string }> {
    if (query.runIds) {
      if (query.experimentIds || query.filter !== undefined || query.orderBy || query.viewType || query.maxResults !== undefined || query.pageToken !== undefined) {
        throw invalid('run_id lists runs by id and takes none of experiment_id, filter, order_by, view_type, max_results or page_token');
      }
      return { runs: await this.getMany(access, query.runIds) };
    }
    if (!query.experimentIds) throw invalid('experiment_id (to search) or run_id (to fetch runs by id) is required');
    return searchRuns(this.db, access, {
      experimentIds: query.experimentIds,
      filter: query.filter,
      orderBy: query.orderBy,
      runViewType: query.viewType,
      maxResults: query.maxResults ?? 100,
      pageToken: query.pageToken,
    });
  }

  /** The metric, param and tag keys of all the experiment's runs (a 404 for an experiment the project lacks). */
  async keysOf(access: ProjectAccess, experimentId: number): Promise<RunKeys> {
    await this.experiments.getRow(access, experimentId);
    return runKeysOf(this.db, access.project.id, experimentId);
  }

  async create(access: ProjectAccess, input: NewRun): Promise<Run> {
    const row = await inTransaction(this.db, (trx) => this.insert(access, input, trx));
    return (await hydrateRuns(this.db, [row]))[0]!;
  }

  /**
   * Creates a run in the caller's transaction. `artifactUri` is for a run whose files live
   * elsewhere: a model version's own run logs into the version's files.
   */
  async insert(access: ProjectAccess, input: NewRun & { artifactUri?: string }, db: Kysely<Schema>): Promise<RunRow> {
    const tags = (input.tags ?? []).map((t, i) => validTag(t, `tags[${i}]`));
    const tagName = tags.find((t) => t.key === RUN_NAME_TAG)?.value;
    if (input.runName && tagName && input.runName !== tagName) {
      throw invalid(`Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${input.runName}', mlflow.runName='${tagName}').`);
    }
    const name = validateLength(input.runName || tagName || randomRunName(), LIMITS.maxRunNameLength, 'run_name');
    if (!tagName) tags.push({ key: RUN_NAME_TAG, value: name });
    const jobId = access.caller.jobId;
    if (jobId !== null && !tags.some((t) => t.key === CI_JOB_TAG)) tags.push({ key: CI_JOB_TAG, value: String(jobId) });
    const pipelineId = access.caller.pipelineId;
    if (pipelineId !== undefined && !tags.some((t) => t.key === CI_PIPELINE_TAG)) tags.push({ key: CI_PIPELINE_TAG, value: String(pipelineId) });
    const startTime = input.startTime !== undefined ? validateTimestamp(input.startTime, 'start_time') : now();
    // MlflowClient.create_run sends the placeholder "unknown" when it was given no mlflow.user
    // tag; the caller the server authenticated is a better answer than that.
    const userId = (input.userId !== CLIENT_UNKNOWN_USER && input.userId) || access.caller.user?.username || 'anonymous';
    return inTransaction(db, async (trx) => {
      const experiment = await this.experiments.requireActive(access, input.experimentId, trx);
      const uuid = randomUUID().replace(/-/g, '');
      const created = await trx
        .insertInto('runs')
        .values({
          uuid,
          project_id: access.project.id,
          experiment_id: experiment.id,
          name,
          user_id: userId,
          status: 'RUNNING',
          start_time: startTime,
          end_time: null,
          artifact_uri: input.artifactUri ?? runArtifactUri(experimentArtifactLocation(experiment), uuid),
          lifecycle_stage: 'active',
          deleted_time: null,
          creator_id: access.caller.user?.id ?? null,
          job_id: jobId,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (tags.length > 0)
        await trx
          .insertInto('run_tags')
          .values(tags.map((t) => ({ run_id: created.id, ...t })))
          .execute();
      await recordChange(trx, access.caller, { type: 'tracking.run.created', projectId: access.project.id, payload: { run_id: uuid, experiment_id: experiment.id, job_id: jobId } });
      return created;
    });
  }

  async update(access: ProjectAccess, runUuid: string, input: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunRow> {
    if (input.status !== undefined && !RUN_STATUSES.includes(input.status)) throw invalid(`Invalid value for parameter 'status': ${String(input.status)}`);
    if (input.endTime !== undefined) validateTimestamp(input.endTime, 'end_time');
    if (input.runName !== undefined) validateLength(input.runName, LIMITS.maxRunNameLength, 'run_name');
    return inTransaction(this.db, async (trx) => {
      const row = await this.getRow(access, runUuid, trx);
      this.requireActive(row);
      const changes: Partial<RunRow> = {};
      if (input.status !== undefined) changes.status = input.status;
      if (input.endTime !== undefined) changes.end_time = input.endTime;
      if (input.runName) {
        changes.name = input.runName;
        await this.upsertTags(trx, row.id, [{ key: RUN_NAME_TAG, value: input.runName }]);
      }
      if (Object.keys(changes).length === 0) return row;
      const updated = await trx.updateTable('runs').set(changes).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
      if (changes.status !== undefined && changes.status !== row.status) {
        await recordChange(trx, access.caller, { type: 'tracking.run.status_changed', projectId: access.project.id, payload: { run_id: row.uuid, from: row.status, to: changes.status } });
      }
      return updated;
    });
  }

  async setLifecycle(access: ProjectAccess, runUuid: string, stage: 'active' | 'deleted'): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const row = await this.getRow(access, runUuid, trx);
      if (stage === 'active') {
        const experiment = await this.experiments.getRow(access, row.experiment_id, trx);
        if (experiment.lifecycle_stage !== 'active') throw invalid(`Cannot restore run ${runUuid}: its experiment is deleted; restore the experiment first.`);
      }
      if (row.lifecycle_stage === stage) return;
      await trx
        .updateTable('runs')
        .set({ lifecycle_stage: stage, deleted_time: stage === 'deleted' ? now() : null })
        .where('id', '=', row.id)
        .execute();
      await recordChange(trx, access.caller, { type: stage === 'deleted' ? 'tracking.run.deleted' : 'tracking.run.restored', projectId: access.project.id, payload: { run_id: row.uuid } });
    });
  }

  private async upsertTags(db: Kysely<Schema>, runId: number, tags: KeyValue[]): Promise<void> {
    const last = new Map(tags.map((t) => [t.key, t.value]));
    if (last.size === 0) return;
    await db
      .insertInto('run_tags')
      .values([...last].map(([key, value]) => ({ run_id: runId, key, value })))
      .onConflict((oc) => oc.columns(['run_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
      .execute();
    const name = last.get(RUN_NAME_TAG);
    if (name !== undefined)
      await db
        .updateTable('runs')
        .set({ name: validateLength(name, LIMITS.maxRunNameLength, 'run_name') })
        .where('id', '=', runId)
        .execute();
  }

  /**
   * log-batch, log-metric, log-parameter and set-tag all land here: one transaction, so a batch
   * is written whole or not at all. Params are immutable: the same value again is accepted,
   * a different one is refused (MLflow's rule).
   */
  async logBatch(access: ProjectAccess, runUuid: string, batch: Batch): Promise<void> {
    const metrics = batch.metrics ?? [];
    const params = batch.params ?? [];
    const tags = batch.tags ?? [];
    validateBatchLimits(metrics.length, params.length, tags.length);
    metrics.forEach((m, i) => validMetric(m, `metrics[${i}]`));
    const validParams = params.map((p, i) => validParam(p, `params[${i}]`));
    const validTags = tags.map((t, i) => validTag(t, `tags[${i}]`));
    const seen = new Set<string>();
    const duplicates = validParams.filter((p) => (seen.has(p.key) ? true : (seen.add(p.key), false))).map((p) => p.key);
    if (duplicates.length > 0) {
      throw invalid(`Duplicate parameter keys have been submitted: [${duplicates.map((k) => `'${k}'`).join(', ')}]. Please ensure the request contains only one param value per param key.`);
    }
    if (validParams.length === 0 && validTags.length === 0 && !metrics.some((m) => m.modelId) && writesMetricsAtOnce(this.db)) {
      // Metrics alone are one statement there, whole or not at all by itself: a transaction
      // would only add `begin` and `commit`, two of the batch's round trips to the database.
      const row = await this.getRow(access, runUuid);
      this.requireActive(row);
      await writeMetrics(this.db, row.id, metrics);
      return;
    }
    await inTransaction(this.db, async (trx) => {
      const row = await this.getRow(access, runUuid, trx);
      this.requireActive(row);
      if (validParams.length > 0) await this.insertParams(trx, row, validParams);
      if (validTags.length > 0) await this.upsertTags(trx, row.id, validTags);
      if (metrics.length > 0) {
        await writeMetrics(trx, row.id, metrics);
        await recordModelMetrics(trx, access.project.id, row.uuid, metrics);
      }
    });
  }

  private async insertParams(db: Kysely<Schema>, run: RunRow, params: KeyValue[]): Promise<void> {
    const existing = await db
      .selectFrom('run_params')
      .select(['key', 'value'])
      .where('run_id', '=', run.id)
      .where(
        'key',
        'in',
        params.map((p) => p.key),
      )
      .execute();
    const known = new Map(existing.map((p) => [p.key, p.value]));
    for (const param of params) {
      const old = known.get(param.key);
      if (old !== undefined && old !== param.value) {
        throw invalid(
          `Changing param values is not allowed. Param with key='${param.key}' was already logged with value='${old}' for run ID='${run.uuid}'. Attempted logging new value '${param.value}'.`,
        );
      }
    }
    const fresh = params.filter((p) => !known.has(p.key));
    if (fresh.length > 0)
      await db
        .insertInto('run_params')
        .values(fresh.map((p) => ({ run_id: run.id, ...p })))
        .execute();
  }

  async deleteTag(access: ProjectAccess, runUuid: string, key: string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const row = await this.getRow(access, runUuid, trx);
      this.requireActive(row);
      const deleted = await trx.deleteFrom('run_tags').where('run_id', '=', row.id).where('key', '=', key).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw TrackingErrors.TAG_NOT_FOUND({ key, runId: runUuid });
    });
  }

  /** Datasets (and logged models) a run used, all or nothing. */
  async logInputs(access: ProjectAccess, runUuid: string, inputs: { dataset: DatasetRecord; tags: KeyValue[] }[], models: { modelId: string }[] = []): Promise<void> {
    if (models.length > LIMITS.maxDatasetsPerBatch) throw invalid(`A batch logging request can contain at most ${LIMITS.maxDatasetsPerBatch} models.`);
    if (inputs.length > LIMITS.maxDatasetsPerBatch) throw invalid(`A batch logging request can contain at most ${LIMITS.maxDatasetsPerBatch} datasets.`);
    inputs.forEach(({ dataset, tags }, i) => {
      const at = `datasets[${i}]`;
      if (!dataset.name) throw invalid(`Missing value for required parameter '${at}.dataset.name'.`);
      if (!dataset.digest) throw invalid(`Missing value for required parameter '${at}.dataset.digest'.`);
      validateLength(dataset.name, LIMITS.maxDatasetNameLength, `${at}.dataset.name`);
      validateLength(dataset.digest, LIMITS.maxDatasetDigestLength, `${at}.dataset.digest`);
      validateLength(dataset.source, LIMITS.maxDatasetSourceLength, `${at}.dataset.source`);
      if (dataset.schema) validateLength(dataset.schema, LIMITS.maxDatasetSchemaLength, `${at}.dataset.schema`);
      if (dataset.profile) validateLength(dataset.profile, LIMITS.maxDatasetProfileLength, `${at}.dataset.profile`);
      tags.forEach((t, j) => {
        validateLength(t.key, LIMITS.maxInputTagKeyLength, `${at}.tags[${j}].key`);
        validateLength(t.value, LIMITS.maxInputTagValueLength, `${at}.tags[${j}].value`);
      });
    });
    await inTransaction(this.db, async (trx) => {
      const run = await this.getRow(access, runUuid, trx);
      this.requireActive(run);
      for (const { dataset, tags } of inputs) {
        let stored = await trx
          .selectFrom('datasets')
          .select('id')
          .where('experiment_id', '=', run.experiment_id)
          .where('name', '=', dataset.name)
          .where('digest', '=', dataset.digest)
          .executeTakeFirst();
        stored ??= await trx
          .insertInto('datasets')
          .values({
            experiment_id: run.experiment_id,
            name: dataset.name,
            digest: dataset.digest,
            source_type: dataset.sourceType,
            source: dataset.source,
            schema: dataset.schema,
            profile: dataset.profile,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const context = tags.find((t) => t.key === 'mlflow.data.context')?.value ?? null;
        await trx
          .insertInto('run_inputs')
          .values({ run_id: run.id, dataset_id: stored.id, tags: JSON.stringify(tags), context })
          .onConflict((oc) => oc.columns(['run_id', 'dataset_id']).doNothing())
          .execute();
      }
      for (const model of models) {
        await this.requireLoggedModel(trx, access, model.modelId);
        await trx
          .insertInto('run_model_inputs')
          .values({ run_id: run.id, model_id: model.modelId })
          .onConflict((oc) => oc.columns(['run_id', 'model_id']).doNothing())
          .execute();
      }
    });
  }

  /** A logged model of the project, by id, inside the caller's transaction. */
  private async requireLoggedModel(db: Kysely<Schema>, access: ProjectAccess, modelId: string): Promise<void> {
    const found = await db.selectFrom('logged_models').select('id').where('id', '=', modelId).where('project_id', '=', access.project.id).executeTakeFirst();
    if (!found) throw TrackingErrors.LOGGED_MODEL_NOT_FOUND({ id: modelId });
  }

  async logOutputs(access: ProjectAccess, runUuid: string, models: { modelId: string; step: number }[]): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const run = await this.getRow(access, runUuid, trx);
      this.requireActive(run);
      for (const model of models) {
        await this.requireLoggedModel(trx, access, model.modelId);
        await trx
          .insertInto('run_outputs')
          .values({ run_id: run.id, model_id: model.modelId, step: model.step })
          .onConflict((oc) => oc.columns(['run_id', 'model_id']).doUpdateSet({ step: model.step }))
          .execute();
      }
    });
  }
}
