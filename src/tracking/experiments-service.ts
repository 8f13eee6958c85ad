import { sql, type Expression, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { invalid } from '../shared/errors.ts';
import { decodePageToken, encodePageToken } from '../shared/page-token.ts';
import { LIMITS, validateExperimentName, validateKey, validateLength, validateMaxResults } from './limits.ts';
import { compileFilter, numericCondition, stringCondition } from './search/compile.ts';
import { parseFilter, parseOrderBy, type RawComparison } from './search/filter-parser.ts';
import type { ViewType } from './contract.ts';
import { mustBeInStage, TrackingErrors } from './errors.ts';
import { assignedArtifactLocation, chosenArtifactLocation, DEFAULT_EXPERIMENT_ARTIFACT_LOCATION } from './experiment-artifact-location.ts';
import type { ExperimentsTable } from './tables.ts';
import { groupedBy, groupOf } from '../shared/grouped-by.ts';

export type ExperimentRow = Selectable<ExperimentsTable>;
export type { ViewType } from './contract.ts';

export interface Experiment {
  id: number;
  projectId: number;
  name: string;
  isDefault: boolean;
  lifecycleStage: 'active' | 'deleted';
  creationTime: number;
  lastUpdateTime: number;
  artifactLocation: string;
  tags: { key: string; value: string }[];
}

export const DEFAULT_EXPERIMENT_NAME = 'Default';

/** Where the MLflow client sends an experiment's artifacts: through Modelyard's proxy, into the project's storage. */
export function experimentArtifactLocation(row: Pick<ExperimentRow, 'id' | 'artifact_location'>): string {
  return row.artifact_location ?? assignedArtifactLocation(row.id);
}

export interface ExperimentSearch {
  viewType?: ViewType;
  maxResults?: number;
  filter?: string;
  orderBy?: string[];
  pageToken?: string;
}

const ORDERABLE: Record<string, 'name' | 'id' | 'creation_time' | 'last_update_time'> = {
  name: 'name',
  experiment_id: 'id',
  creation_time: 'creation_time',
  last_update_time: 'last_update_time',
};

export class ExperimentsService {
  constructor(private readonly db: Kysely<Schema>) {}

  private async hydrate(rows: ExperimentRow[], db: Kysely<Schema> = this.db): Promise<Experiment[]> {
    if (rows.length === 0) return [];
    const tags = await db
      .selectFrom('experiment_tags')
      .selectAll()
      .where(
        'experiment_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('key')
      .execute();
    const tagsOf = groupedBy(tags, (t) => t.experiment_id);
    return rows.map((row) => ({
      id: row.id,
      projectId: row.project_id,
      name: row.name,
      isDefault: row.is_default === 1,
      lifecycleStage: row.lifecycle_stage,
      creationTime: row.creation_time,
      lastUpdateTime: row.last_update_time,
      artifactLocation: experimentArtifactLocation(row),
      tags: groupOf(tagsOf, row.id).map((t) => ({ key: t.key, value: t.value })),
    }));
  }

  /** The project's default experiment (MLflow's "0"), made on first use. */
  async defaultExperiment(access: ProjectAccess, db: Kysely<Schema> = this.db): Promise<ExperimentRow> {
    const existing = await db.selectFrom('experiments').selectAll().where('project_id', '=', access.project.id).where('is_default', '=', 1).executeTakeFirst();
    if (existing) return existing;
    const at = now();
    try {
      return await db
        .insertInto('experiments')
        .values({
          project_id: access.project.id,
          name: DEFAULT_EXPERIMENT_NAME,
          is_default: 1,
          lifecycle_stage: 'active',
          creation_time: at,
          last_update_time: at,
          artifact_location: DEFAULT_EXPERIMENT_ARTIFACT_LOCATION,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      // Two requests raced to create it, or a user took the name "Default" for another experiment.
      const raced = await db.selectFrom('experiments').selectAll().where('project_id', '=', access.project.id).where('is_default', '=', 1).executeTakeFirst();
      if (raced) return raced;
      throw error;
    }
  }

  async getRow(access: ProjectAccess, experimentId: number, db: Kysely<Schema> = this.db): Promise<ExperimentRow> {
    const row = await db.selectFrom('experiments').selectAll().where('id', '=', experimentId).where('project_id', '=', access.project.id).executeTakeFirst();
    if (!row) throw TrackingErrors.EXPERIMENT_NOT_FOUND({ id: experimentId });
    return row;
  }

  async get(access: ProjectAccess, experimentId: number): Promise<Experiment> {
    return (await this.hydrate([await this.getRow(access, experimentId)]))[0]!;
  }

  async getByName(access: ProjectAccess, name: string): Promise<Experiment> {
    if (name === DEFAULT_EXPERIMENT_NAME) await this.defaultExperiment(access);
    const row = await this.db.selectFrom('experiments').selectAll().where('project_id', '=', access.project.id).where('name', '=', name).executeTakeFirst();
    if (!row) throw TrackingErrors.EXPERIMENT_NOT_FOUND({ name });
    return (await this.hydrate([row]))[0]!;
  }

  /** An experiment that can take new runs; MLflow refuses runs in deleted experiments. */
  async requireActive(access: ProjectAccess, experimentId: number, db: Kysely<Schema> = this.db): Promise<ExperimentRow> {
    const row = await this.getRow(access, experimentId, db);
    if (row.lifecycle_stage !== 'active') throw mustBeInStage('experiment', experimentId, 'active', row.lifecycle_stage);
    return row;
  }

  async create(access: ProjectAccess, input: { name: unknown; artifactLocation?: string; tags?: { key: string; value: string }[] }): Promise<Experiment> {
    const name = validateExperimentName(input.name);
    const tags = (input.tags ?? []).map((tag, i) => this.validTag(tag.key, tag.value, `tags[${i}]`));
    const chosenLocation = input.artifactLocation ? chosenArtifactLocation(input.artifactLocation) : undefined;
    await this.defaultExperiment(access);
    const row = await inTransaction(this.db, async (trx) => {
      const clash = await trx.selectFrom('experiments').select('id').where('project_id', '=', access.project.id).where('name', '=', name).executeTakeFirst();
      if (clash) throw TrackingErrors.EXPERIMENT_EXISTS({ name });
      const at = now();
      const created = await trx
        .insertInto('experiments')
        .values({ project_id: access.project.id, name, is_default: 0, lifecycle_stage: 'active', creation_time: at, last_update_time: at, artifact_location: chosenLocation ?? null })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (tags.length > 0)
        await trx
          .insertInto('experiment_tags')
          .values(tags.map((t) => ({ experiment_id: created.id, ...t })))
          .execute();
      await recordChange(trx, access.caller, { type: 'tracking.experiment.created', projectId: access.project.id, payload: { experiment_id: created.id, name } });
      return created;
    });
    return (await this.hydrate([row]))[0]!;
  }

  private validTag(key: unknown, value: unknown, path: string): { key: string; value: string } {
    const validKey = validateKey(key, `${path}.key`, 'Tag');
    validateLength(validKey, LIMITS.maxExperimentTagKeyLength, `${path}.key`);
    if (typeof value !== 'string') throw invalid(`Missing value for required parameter '${path}.value'.`);
    return { key: validKey, value: validateLength(value, LIMITS.maxExperimentTagValueLength, `${path}.value`) };
  }

  async rename(access: ProjectAccess, experimentId: number, newName: unknown): Promise<void> {
    const name = validateExperimentName(newName);
    await inTransaction(this.db, async (trx) => {
      const row = await this.getRow(access, experimentId, trx);
      if (row.lifecycle_stage !== 'active') throw invalid(`Cannot rename a non-active experiment.`);
      if (row.name === name) return;
      const clash = await trx.selectFrom('experiments').select('id').where('project_id', '=', access.project.id).where('name', '=', name).executeTakeFirst();
      if (clash) throw TrackingErrors.EXPERIMENT_EXISTS({ name });
      await trx.updateTable('experiments').set({ name, last_update_time: now() }).where('id', '=', row.id).execute();
      await recordChange(trx, access.caller, { type: 'tracking.experiment.renamed', projectId: access.project.id, payload: { experiment_id: row.id, from: row.name, to: name } });
    });
  }

  /** Deleting an experiment deletes its runs too, as MLflow does; restoring brings both back. */
  async setLifecycle(access: ProjectAccess, experimentId: number, stage: 'active' | 'deleted'): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const row = await this.getRow(access, experimentId, trx);
      if (row.is_default && stage === 'deleted') throw invalid('Cannot delete the default experiment of a project.');
      if (row.lifecycle_stage === stage) {
        throw mustBeInStage('experiment', experimentId, stage === 'deleted' ? 'active' : 'deleted', row.lifecycle_stage);
      }
      const at = now();
      await trx.updateTable('experiments').set({ lifecycle_stage: stage, last_update_time: at }).where('id', '=', row.id).execute();
      await trx
        .updateTable('runs')
        .set({ lifecycle_stage: stage, deleted_time: stage === 'deleted' ? at : null })
        .where('experiment_id', '=', row.id)
        .where('lifecycle_stage', '=', stage === 'deleted' ? 'active' : 'deleted')
        .execute();
      await recordChange(trx, access.caller, {
        type: stage === 'deleted' ? 'tracking.experiment.deleted' : 'tracking.experiment.restored',
        projectId: access.project.id,
        payload: { experiment_id: row.id },
      });
    });
  }

  async setTag(access: ProjectAccess, experimentId: number, key: unknown, value: unknown): Promise<void> {
    const tag = this.validTag(key, value, 'tag');
    await inTransaction(this.db, async (trx) => {
      const row = await this.getRow(access, experimentId, trx);
      if (row.lifecycle_stage !== 'active') throw mustBeInStage('experiment', experimentId, 'active', row.lifecycle_stage);
      await trx
        .insertInto('experiment_tags')
        .values({ experiment_id: row.id, ...tag })
        .onConflict((oc) => oc.columns(['experiment_id', 'key']).doUpdateSet({ value: tag.value }))
        .execute();
      await trx.updateTable('experiments').set({ last_update_time: now() }).where('id', '=', row.id).execute();
    });
  }

  async deleteTag(access: ProjectAccess, experimentId: number, key: string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const row = await this.getRow(access, experimentId, trx);
      if (row.lifecycle_stage !== 'active') throw mustBeInStage('experiment', experimentId, 'active', row.lifecycle_stage);
      const deleted = await trx.deleteFrom('experiment_tags').where('experiment_id', '=', row.id).where('key', '=', key).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw TrackingErrors.TAG_NOT_FOUND({ key, experimentId });
    });
  }

  async search(access: ProjectAccess, search: ExperimentSearch): Promise<{ experiments: Experiment[]; nextPageToken?: string }> {
    await this.defaultExperiment(access);
    const maxResults = validateMaxResults(search.maxResults, 1000, LIMITS.maxSearchResults);
    const filter = parseFilter(search.filter);
    const orders = (search.orderBy ?? []).map((clause) => {
      const parsed = parseOrderBy(clause);
      const key = parsed.prefix === null || ['attribute', 'attributes', 'attr'].includes(parsed.prefix) ? ORDERABLE[parsed.key] : undefined;
      if (!key) throw invalid(`Invalid order_by entity: ${clause}`);
      return { column: key, ascending: parsed.ascending };
    });
    const fingerprint = JSON.stringify([search.viewType, search.filter, search.orderBy]);
    const offset = decodePageToken(search.pageToken, fingerprint);
    let query = this.db.selectFrom('experiments').selectAll().where('project_id', '=', access.project.id);
    const view = search.viewType ?? 'ACTIVE_ONLY';
    if (view === 'ACTIVE_ONLY') query = query.where('lifecycle_stage', '=', 'active');
    if (view === 'DELETED_ONLY') query = query.where('lifecycle_stage', '=', 'deleted');
    if (filter) query = query.where((eb) => compileFilter(eb, filter, (cmp) => this.experimentCondition(cmp)));
    for (const order of orders) query = query.orderBy(order.column, order.ascending ? 'asc' : 'desc');
    if (!orders.some((o) => o.column === 'creation_time')) query = query.orderBy('creation_time', 'desc');
    if (!orders.some((o) => o.column === 'id')) query = query.orderBy('id', 'asc');
    const rows = await query
      .offset(offset)
      .limit(maxResults + 1)
      .execute();
    const page = rows.slice(0, maxResults);
    return {
      experiments: await this.hydrate(page),
      nextPageToken: rows.length > maxResults ? encodePageToken(offset + maxResults, fingerprint) : undefined,
    };
  }

  private experimentCondition(cmp: RawComparison): Expression<SqlBool> {
    const prefix = cmp.prefix === null || ['attribute', 'attributes', 'attr'].includes(cmp.prefix) ? 'attribute' : ['tag', 'tags'].includes(cmp.prefix) ? 'tag' : null;
    if (prefix === 'tag') {
      if (cmp.comparator === 'IS NULL' || cmp.comparator === 'IS NOT NULL') {
        const exists = sql<SqlBool>`exists (select 1 from experiment_tags et where et.experiment_id = experiments.id and et.key = ${cmp.key})`;
        return cmp.comparator === 'IS NULL' ? sql<SqlBool>`not ${exists}` : exists;
      }
      const condition = stringCondition(sql.ref('et.value'), cmp, `tag '${cmp.key}'`);
      return sql<SqlBool>`exists (select 1 from experiment_tags et where et.experiment_id = experiments.id and et.key = ${cmp.key} and ${condition})`;
    }
    if (prefix === 'attribute') {
      if (cmp.key === 'name') return stringCondition(sql.ref('experiments.name'), cmp, 'attribute name');
      if (cmp.key === 'creation_time' || cmp.key === 'last_update_time') return numericCondition(sql.ref(`experiments.${cmp.key}`), cmp, `attribute ${cmp.key}`);
      throw invalid(`Invalid attribute key '${cmp.key}' specified. Valid keys are 'name', 'creation_time', 'last_update_time'`);
    }
    throw invalid(`Invalid entity type '${cmp.prefix}'. Valid values are ['tag', 'attribute']`);
  }

  /** Lists a project's experiments for the native API (offset pagination). */
  async list(access: ProjectAccess, options: { offset: number; limit: number; viewType: ViewType }) {
    await this.defaultExperiment(access);
    let base = this.db.selectFrom('experiments').where('project_id', '=', access.project.id);
    if (options.viewType === 'ACTIVE_ONLY') base = base.where('lifecycle_stage', '=', 'active');
    if (options.viewType === 'DELETED_ONLY') base = base.where('lifecycle_stage', '=', 'deleted');
    const [count, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base.selectAll().orderBy('creation_time', 'desc').orderBy('id').offset(options.offset).limit(options.limit).execute(),
    ]);
    return { total: Number(count.n), items: await this.hydrate(rows) };
  }
}
