import { randomUUID } from 'node:crypto';
import { sql, type Expression, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { invalid } from '../shared/errors.ts';
import { decodePageToken, encodePageToken } from '../shared/page-token.ts';
import { TrackingErrors } from './errors.ts';
import { experimentArtifactLocation, type ExperimentsService } from './experiments-service.ts';
import { LIMITS, validateKey, validateLength, validateMaxResults } from './limits.ts';
import { loadedValue, type MetricPoint } from './metrics/metric-point.ts';
import type { KeyValue } from './run-model.ts';
import type { RunsService } from './runs-service.ts';
import { compileFilter, numericCondition, requireComparator, stringCondition, STRING_COMPARATORS } from './search/compile.ts';
import { parseFilter, type RawComparison } from './search/filter-parser.ts';
import type { LoggedModelsTable } from './tables.ts';
import { groupedBy, groupOf } from '../shared/grouped-by.ts';

export type LoggedModelRow = Selectable<LoggedModelsTable>;
export type LoggedModelStatus = LoggedModelRow['status'];
export const LOGGED_MODEL_STATUSES: readonly LoggedModelStatus[] = ['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'];

export interface LoggedModel {
  row: LoggedModelRow;
  artifactUri: string;
  tags: KeyValue[];
  params: KeyValue[];
  metrics: (MetricPoint & { runId: string | null })[];
}

/** A logged model's artifacts, under its experiment's artifact location (as MLflow places them). */
export function loggedModelArtifactUri(experimentLocation: string, modelId: string): string {
  return `${experimentLocation}/models/${modelId}/artifacts`;
}

const ATTRIBUTE_COLUMNS: Record<string, string> = {
  name: 'logged_models.name',
  model_id: 'logged_models.id',
  model_type: 'logged_models.model_type',
  status: 'logged_models.status',
  source_run_id: 'logged_models.source_run_id',
};
const NUMERIC_COLUMNS: Record<string, string> = {
  creation_timestamp: 'logged_models.creation_timestamp',
  creation_time: 'logged_models.creation_timestamp',
  last_updated_timestamp: 'logged_models.last_updated_timestamp',
};

/** MLflow 3's LoggedModel: the unit `log_model` creates, which a registry version can point to. */
/** Each dataset adds a condition to one query: a bound keeps the statement small. */
const MAX_SEARCH_DATASETS = 100;

export class LoggedModelsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly experiments: ExperimentsService,
    private readonly runs: RunsService,
  ) {}

  async getRow(access: ProjectAccess, modelId: string, db: Kysely<Schema> = this.db): Promise<LoggedModelRow> {
    const row = await db.selectFrom('logged_models').selectAll().where('id', '=', modelId).where('project_id', '=', access.project.id).executeTakeFirst();
    if (!row || row.lifecycle_stage === 'deleted') throw TrackingErrors.LOGGED_MODEL_NOT_FOUND({ id: modelId });
    return row;
  }

  private async hydrate(rows: LoggedModelRow[], db: Kysely<Schema> = this.db): Promise<LoggedModel[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [experiments, tags, params, metrics] = await Promise.all([
      db
        .selectFrom('experiments')
        .select(['id', 'artifact_location'])
        .where('id', 'in', [...new Set(rows.map((r) => r.experiment_id))])
        .execute(),
      db.selectFrom('logged_model_tags').selectAll().where('model_id', 'in', ids).orderBy('key').execute(),
      db.selectFrom('logged_model_params').selectAll().where('model_id', 'in', ids).orderBy('key').execute(),
      db.selectFrom('logged_model_metrics').selectAll().where('model_id', 'in', ids).orderBy('key').orderBy('step').execute(),
    ]);
    const tagsOf = groupedBy(tags, (t) => t.model_id);
    const paramsOf = groupedBy(params, (p) => p.model_id);
    const metricsOf = groupedBy(metrics, (m) => m.model_id);
    return rows.map((row) => ({
      row,
      artifactUri: loggedModelArtifactUri(experimentArtifactLocation(experiments.find((e) => e.id === row.experiment_id) ?? { id: row.experiment_id, artifact_location: null }), row.id),
      tags: groupOf(tagsOf, row.id).map((t) => ({ key: t.key, value: t.value })),
      params: groupOf(paramsOf, row.id).map((p) => ({ key: p.key, value: p.value })),
      metrics: groupOf(metricsOf, row.id).map((m) => ({
        key: m.key,
        value: loadedValue(m),
        timestamp: m.timestamp,
        step: m.step,
        modelId: m.model_id,
        runId: m.run_id,
        datasetName: m.dataset_name ?? undefined,
        datasetDigest: m.dataset_digest ?? undefined,
      })),
    }));
  }

  async get(access: ProjectAccess, modelId: string): Promise<LoggedModel> {
    return (await this.hydrate([await this.getRow(access, modelId)]))[0]!;
  }

  /**
   * The models a run logged: those naming it as their source, and those it recorded as outputs
   * (MLflow 3's `log_model` does both; a model logged elsewhere may be an output only). Oldest first.
   */
  async ofRun(access: ProjectAccess, runUuid: string): Promise<LoggedModel[]> {
    const run = await this.runs.getRow(access, runUuid);
    const rows = await this.db
      .selectFrom('logged_models')
      .selectAll()
      .where('project_id', '=', access.project.id)
      .where('lifecycle_stage', '=', 'active')
      .where((eb) => eb.or([eb('source_run_id', '=', run.uuid), eb('id', 'in', eb.selectFrom('run_outputs').select('model_id').where('run_id', '=', run.id))]))
      .orderBy('creation_timestamp')
      .orderBy('id')
      .execute();
    return this.hydrate(rows);
  }

  private validKeyValues(list: KeyValue[], path: string, limit: number): KeyValue[] {
    return list.map((kv, i) => ({ key: validateKey(kv.key, `${path}[${i}].key`, 'Key'), value: validateLength(kv.value, limit, `${path}[${i}].value`) }));
  }

  async create(access: ProjectAccess, input: { experimentId: number; name?: string; modelType?: string; sourceRunId?: string; params?: KeyValue[]; tags?: KeyValue[] }): Promise<LoggedModel> {
    const params = this.validKeyValues(input.params ?? [], 'params', LIMITS.maxParamValueLength);
    const tags = this.validKeyValues(input.tags ?? [], 'tags', LIMITS.maxTagValueLength);
    const id = `m-${randomUUID().replace(/-/g, '')}`;
    const name = input.name || id;
    validateLength(name, LIMITS.maxKeyLength, 'name');
    if (input.modelType) validateLength(input.modelType, LIMITS.maxKeyLength, 'model_type');
    const row = await inTransaction(this.db, async (trx) => {
      const experiment = await this.experiments.requireActive(access, input.experimentId, trx);
      // The source run is a link stored as given (MLflow does not look it up either): readers
      // resolve it inside the project and tolerate a run it does not hold.
      const at = now();
      const created = await trx
        .insertInto('logged_models')
        .values({
          id,
          project_id: access.project.id,
          experiment_id: experiment.id,
          name,
          model_type: input.modelType || null,
          source_run_id: input.sourceRunId || null,
          status: 'LOGGED_MODEL_PENDING',
          status_message: null,
          lifecycle_stage: 'active',
          creation_timestamp: at,
          last_updated_timestamp: at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (params.length > 0)
        await trx
          .insertInto('logged_model_params')
          .values(params.map((p) => ({ model_id: id, ...p })))
          .execute();
      if (tags.length > 0)
        await trx
          .insertInto('logged_model_tags')
          .values(tags.map((t) => ({ model_id: id, ...t })))
          .execute();
      await recordChange(trx, access.caller, {
        type: 'tracking.logged_model.created',
        projectId: access.project.id,
        payload: { model_id: id, experiment_id: experiment.id, source_run_id: input.sourceRunId ?? null },
      });
      return created;
    });
    return (await this.hydrate([row]))[0]!;
  }

  async finalize(access: ProjectAccess, modelId: string, status: LoggedModelStatus): Promise<LoggedModel> {
    if (status !== 'LOGGED_MODEL_READY' && status !== 'LOGGED_MODEL_UPLOAD_FAILED') {
      throw invalid(`Invalid status '${status}': a logged model is finalized as LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED`);
    }
    const row = await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, modelId, trx);
      const updated = await trx.updateTable('logged_models').set({ status, last_updated_timestamp: now() }).where('id', '=', current.id).returningAll().executeTakeFirstOrThrow();
      await recordChange(trx, access.caller, { type: 'tracking.logged_model.finalized', projectId: access.project.id, payload: { model_id: modelId, status } });
      return updated;
    });
    return (await this.hydrate([row]))[0]!;
  }

  async delete(access: ProjectAccess, modelId: string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, modelId, trx);
      await trx.updateTable('logged_models').set({ lifecycle_stage: 'deleted', last_updated_timestamp: now() }).where('id', '=', current.id).execute();
      await recordChange(trx, access.caller, { type: 'tracking.logged_model.deleted', projectId: access.project.id, payload: { model_id: modelId } });
    });
  }

  async setTags(access: ProjectAccess, modelId: string, tags: KeyValue[]): Promise<void> {
    const valid = this.validKeyValues(tags, 'tags', LIMITS.maxTagValueLength);
    await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, modelId, trx);
      for (const tag of valid) {
        await trx
          .insertInto('logged_model_tags')
          .values({ model_id: current.id, ...tag })
          .onConflict((oc) => oc.columns(['model_id', 'key']).doUpdateSet({ value: tag.value }))
          .execute();
      }
      await trx.updateTable('logged_models').set({ last_updated_timestamp: now() }).where('id', '=', current.id).execute();
    });
  }

  async deleteTag(access: ProjectAccess, modelId: string, key: string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, modelId, trx);
      const deleted = await trx.deleteFrom('logged_model_tags').where('model_id', '=', current.id).where('key', '=', key).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw TrackingErrors.TAG_NOT_FOUND({ key, loggedModelId: modelId });
    });
  }

  async logParams(access: ProjectAccess, modelId: string, params: KeyValue[]): Promise<void> {
    const valid = this.validKeyValues(params, 'params', LIMITS.maxParamValueLength);
    await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, modelId, trx);
      for (const param of valid) {
        await trx
          .insertInto('logged_model_params')
          .values({ model_id: current.id, ...param })
          .onConflict((oc) => oc.columns(['model_id', 'key']).doUpdateSet({ value: param.value }))
          .execute();
      }
    });
  }

  async search(
    access: ProjectAccess,
    search: {
      experimentIds: number[];
      filter?: string;
      /** Keep the models with a metric logged on one of these datasets (the digest narrows a name). */
      datasets?: { name: string; digest?: string }[];
      maxResults?: number;
      orderBy?: { fieldName: string; ascending: boolean }[];
      pageToken?: string;
    },
  ): Promise<{ models: LoggedModel[]; nextPageToken?: string }> {
    const maxResults = validateMaxResults(search.maxResults, 100, LIMITS.maxSearchResults);
    const filter = parseFilter(search.filter);
    const datasets = search.datasets ?? [];
    if (datasets.length > MAX_SEARCH_DATASETS) throw invalid(`At most ${MAX_SEARCH_DATASETS} datasets can be searched at once; got ${datasets.length}`);
    const fingerprint = JSON.stringify([search.experimentIds, search.filter ?? '', search.orderBy ?? [], datasets]);
    const offset = decodePageToken(search.pageToken, fingerprint);
    let query = this.db.selectFrom('logged_models').selectAll('logged_models').where('logged_models.project_id', '=', access.project.id).where('logged_models.lifecycle_stage', '=', 'active');
    if (search.experimentIds.length > 0) query = query.where('logged_models.experiment_id', 'in', search.experimentIds);
    if (filter) query = query.where((eb) => compileFilter(eb, filter, (cmp) => this.condition(cmp)));
    if (datasets.length > 0) {
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('logged_model_metrics as lmd')
            .select('lmd.model_id')
            .whereRef('lmd.model_id', '=', 'logged_models.id')
            .where((inner) => inner.or(datasets.map((d) => inner.and([inner('lmd.dataset_name', '=', d.name), ...(d.digest ? [inner('lmd.dataset_digest', '=', d.digest)] : [])])))),
        ),
      );
    }
    for (const order of search.orderBy ?? []) {
      const direction = order.ascending ? 'asc' : 'desc';
      if (order.fieldName.startsWith('metrics.')) {
        const key = order.fieldName.slice('metrics.'.length);
        query = query.orderBy(sql`(select max(lmm.value) from logged_model_metrics lmm where lmm.model_id = logged_models.id and lmm.key = ${key})`, direction);
      } else {
        const column = ATTRIBUTE_COLUMNS[order.fieldName] ?? NUMERIC_COLUMNS[order.fieldName];
        if (!column) throw invalid(`Invalid order_by field '${order.fieldName}'`);
        query = query.orderBy(sql.ref(column), direction);
      }
    }
    query = query.orderBy('logged_models.creation_timestamp', 'desc').orderBy('logged_models.id', 'asc');
    const rows = await query
      .offset(offset)
      .limit(maxResults + 1)
      .execute();
    return {
      models: await this.hydrate(rows.slice(0, maxResults)),
      nextPageToken: rows.length > maxResults ? encodePageToken(offset + maxResults, fingerprint) : undefined,
    };
  }

  private condition(cmp: RawComparison): Expression<SqlBool> {
    const prefix = cmp.prefix ?? 'attributes';
    if (['metric', 'metrics'].includes(prefix)) {
      const condition = numericCondition(sql.ref('lmm.value'), cmp, `metric '${cmp.key}'`);
      return sql<SqlBool>`exists (select 1 from logged_model_metrics lmm where lmm.model_id = logged_models.id and lmm.key = ${cmp.key} and lmm.is_nan = 0 and ${condition})`;
    }
    if (['param', 'params', 'tag', 'tags'].includes(prefix)) {
      const table = sql.raw(prefix.startsWith('param') ? 'logged_model_params' : 'logged_model_tags');
      requireComparator(cmp, STRING_COMPARATORS, `${prefix} '${cmp.key}'`);
      const condition = stringCondition(sql.ref('kv.value'), cmp, `${prefix} '${cmp.key}'`);
      return sql<SqlBool>`exists (select 1 from ${table} kv where kv.model_id = logged_models.id and kv.key = ${cmp.key} and ${condition})`;
    }
    if (['attribute', 'attributes', 'attr'].includes(prefix)) {
      const column = ATTRIBUTE_COLUMNS[cmp.key];
      if (column) return stringCondition(sql.ref(column), cmp, `attribute '${cmp.key}'`);
      const numeric = NUMERIC_COLUMNS[cmp.key];
      if (numeric) return numericCondition(sql.ref(numeric), cmp, `attribute '${cmp.key}'`);
      throw invalid(`Invalid attribute key '${cmp.key}' for logged models`);
    }
    throw invalid(`Invalid entity type '${prefix}'. Valid values are ['metrics', 'params', 'tags', 'attributes']`);
  }
}
