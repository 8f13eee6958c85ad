import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { ProjectAccess } from '../../auth/policy.ts';
import type { Schema } from '../../db/schema.ts';
import { invalid } from '../../shared/errors.ts';
import { decodePageToken, encodePageToken } from '../../shared/page-token.ts';
import { previewValue } from '../../shared/preview.ts';
import type { ViewType } from '../experiments-service.ts';
import { LIMITS, validateMaxResults } from '../limits.ts';
import { hydrateRuns } from '../run-reader.ts';
import type { Run, RunRow } from '../run-model.ts';
import { compileFilterSql, numericCondition, requireComparator, stringCondition, STRING_COMPARATORS } from './compile.ts';
import { parseFilter, parseOrderBy, type RawComparison } from './filter-parser.ts';

export interface RunSearch {
  experimentIds: number[];
  filter?: string;
  runViewType?: ViewType;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

type Entity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

const ENTITY_OF_PREFIX: Record<string, Entity> = {
  metric: 'metric',
  metrics: 'metric',
  parameter: 'param',
  parameters: 'param',
  param: 'param',
  params: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

/** Run attributes a filter or sort may name, and the column each reads. */
const STRING_ATTRIBUTES: Record<string, string> = {
  run_id: 'runs.uuid',
  run_name: 'runs.name',
  'run name': 'runs.name',
  'Run name': 'runs.name',
  'Run Name': 'runs.name',
  user_id: 'runs.user_id',
  status: 'runs.status',
  artifact_uri: 'runs.artifact_uri',
};
const NUMERIC_ATTRIBUTES: Record<string, string> = {
  start_time: 'runs.start_time',
  end_time: 'runs.end_time',
  created: 'runs.start_time',
  Created: 'runs.start_time',
};
const DATASET_COLUMNS: Record<string, string> = { name: 'd.name', digest: 'd.digest', context: 'ri.context' };

function entityOf(prefix: string | null): Entity {
  if (prefix === null) return 'attribute';
  const entity = ENTITY_OF_PREFIX[prefix];
  if (!entity) throw invalid(`Invalid entity type '${prefix}'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']`);
  return entity;
}

function validAttributeKeys(): string {
  return [...Object.keys(STRING_ATTRIBUTES), ...Object.keys(NUMERIC_ATTRIBUTES)].join("', '");
}

/** One comparison of a run filter, as SQL over `runs`. */
function runCondition(cmp: RawComparison): Expression<SqlBool> {
  const entity = entityOf(cmp.prefix);
  switch (entity) {
    case 'metric': {
      const condition = numericCondition(sql.ref('lm.value'), cmp, `metric '${cmp.key}'`);
      return sql<SqlBool>`exists (select 1 from latest_metrics lm where lm.run_id = runs.id and lm.key = ${cmp.key} and lm.is_nan = 0 and ${condition})`;
    }
    case 'param':
    case 'tag': {
      const table = sql.raw(entity === 'param' ? 'run_params' : 'run_tags');
      const present = sql<SqlBool>`exists (select 1 from ${table} kv where kv.run_id = runs.id and kv.key = ${cmp.key})`;
      if (cmp.comparator === 'IS NULL') return sql<SqlBool>`not ${present}`;
      if (cmp.comparator === 'IS NOT NULL') return present;
      requireComparator(cmp, STRING_COMPARATORS, `${entity} '${cmp.key}'`);
      const condition = stringCondition(sql.ref('kv.value'), cmp, `${entity === 'param' ? 'parameter' : 'tag'} '${cmp.key}'`);
      return sql<SqlBool>`exists (select 1 from ${table} kv where kv.run_id = runs.id and kv.key = ${cmp.key} and ${condition})`;
    }
    case 'attribute': {
      const stringColumn = STRING_ATTRIBUTES[cmp.key];
      if (stringColumn) return stringCondition(sql.ref(stringColumn), cmp, `attribute '${cmp.key}'`);
      const numericColumn = NUMERIC_ATTRIBUTES[cmp.key];
      if (numericColumn) return numericCondition(sql.ref(numericColumn), cmp, `numeric attribute: ${cmp.key}`);
      throw invalid(`Invalid attribute key '${cmp.key}' specified. Valid keys are '${validAttributeKeys()}'`);
    }
    case 'dataset': {
      const column = DATASET_COLUMNS[cmp.key];
      if (!column) throw invalid(`Invalid dataset key '${cmp.key}' specified. Valid keys are 'name', 'digest', 'context'`);
      const condition = stringCondition(sql.ref(column), cmp, `dataset ${cmp.key}`);
      return sql<SqlBool>`runs.id in (select ri.run_id from run_inputs ri inner join datasets d on d.id = ri.dataset_id where ${condition})`;
    }
  }
}

interface OrderTerm {
  expression: RawBuilder<unknown> | Expression<unknown>;
  direction: 'asc' | 'desc';
}

/**
 * MLflow's sort: runs that have the value first, then NaN metrics, then runs without it; then
 * the value; ties broken by start time (newest first) and run id.
 */
function orderTerms(clauses: string[], skipFirst = false): OrderTerm[] {
  const terms: OrderTerm[] = [];
  const seen = new Set<string>();
  let sortsByStart = false;
  for (const [index, clause] of clauses.entries()) {
    const parsed = parseOrderBy(clause);
    const entity = entityOf(parsed.prefix);
    const id = `${entity}:${parsed.key}`;
    if (seen.has(id)) throw invalid(`\`order_by\` contains duplicate fields: ${previewValue(clauses)}`);
    seen.add(id);
    if (skipFirst && index === 0) continue;
    const direction = parsed.ascending ? 'asc' : 'desc';
    if (entity === 'metric') {
      terms.push({ expression: sql`coalesce((select lm.is_nan from latest_metrics lm where lm.run_id = runs.id and lm.key = ${parsed.key}), 2)`, direction: 'asc' });
      terms.push({ expression: sql`(select lm.value from latest_metrics lm where lm.run_id = runs.id and lm.key = ${parsed.key})`, direction });
    } else if (entity === 'param' || entity === 'tag') {
      const table = sql.raw(entity === 'param' ? 'run_params' : 'run_tags');
      terms.push({ expression: sql`coalesce((select 0 from ${table} kv where kv.run_id = runs.id and kv.key = ${parsed.key}), 1)`, direction: 'asc' });
      terms.push({ expression: sql`(select kv.value from ${table} kv where kv.run_id = runs.id and kv.key = ${parsed.key})`, direction });
    } else if (entity === 'attribute') {
      const column = STRING_ATTRIBUTES[parsed.key] ?? NUMERIC_ATTRIBUTES[parsed.key];
      if (!column) throw invalid(`Invalid order_by key '${parsed.key}'. Valid keys are '${validAttributeKeys()}'`);
      if (column === 'runs.end_time') terms.push({ expression: sql`case when runs.end_time is null then 1 else 0 end`, direction: 'asc' });
      terms.push({ expression: sql.ref(column), direction });
      if (column === 'runs.start_time') sortsByStart = true;
    } else {
      throw invalid(`Invalid order_by entity '${parsed.prefix}': datasets cannot be sorted on`);
    }
  }
  if (!sortsByStart) terms.push({ expression: sql.ref('runs.start_time'), direction: 'desc' });
  terms.push({ expression: sql.ref('runs.uuid'), direction: 'asc' });
  return terms;
}

/**
 * When the first sort key is a metric, param or tag, the search walks that key's value index
 * and stops after one page, instead of reading every run of the experiment. MLflow's order puts
 * runs in segments (values, then NaN for metrics, then runs without the key); each segment is
 * its own query, and the page token remembers the segment and the offset inside it.
 */
type Driver = { kind: 'runs' } | { kind: 'metric' | 'param' | 'tag'; key: string; ascending: boolean };

function driverOf(clauses: string[]): Driver {
  const first = clauses[0];
  if (first === undefined) return { kind: 'runs' };
  const parsed = parseOrderBy(first);
  const entity = entityOf(parsed.prefix);
  if (entity === 'metric' || entity === 'param' || entity === 'tag') return { kind: entity, key: parsed.key, ascending: parsed.ascending };
  return { kind: 'runs' };
}

function segmentsOf(driver: Driver): number {
  return driver.kind === 'metric' ? 3 : driver.kind === 'runs' ? 1 : 2;
}

function decodePosition(token: string | undefined, fingerprint: string): { segment: number; offset: number } {
  const packed = decodePageToken(token, fingerprint);
  return { segment: Math.floor(packed / 1e12), offset: packed % 1e12 };
}

function encodePosition(segment: number, offset: number, fingerprint: string): string {
  return encodePageToken(segment * 1e12 + offset, fingerprint);
}

export async function searchRuns(db: Kysely<Schema>, access: ProjectAccess, search: RunSearch): Promise<{ runs: Run[]; nextPageToken?: string }> {
  const maxResults = validateMaxResults(search.maxResults, LIMITS.defaultSearchResults, LIMITS.maxSearchResults);
  const filter = parseFilter(search.filter);
  const clauses = search.orderBy ?? [];
  const driver = driverOf(clauses);
  const terms = orderTerms(clauses, driver.kind !== 'runs');
  const fingerprint = JSON.stringify([search.experimentIds, search.filter ?? '', search.runViewType ?? 'ACTIVE_ONLY', clauses]);
  let { segment, offset } = decodePosition(search.pageToken, fingerprint);
  if (search.experimentIds.length === 0) return { runs: [] };
  const view = search.runViewType ?? 'ACTIVE_ONLY';

  /**
   * One segment's query, written so that both planners start from the sort key's index when
   * there is one: `latest_metrics o cross join runs` makes SQLite walk (key, value) in order and
   * stop after a page, instead of sorting every run of the experiment.
   */
  const segmentQuery = (seg: number, offset: number, limit: number) => {
    const conditions: Expression<SqlBool>[] = [sql<SqlBool>`runs.project_id = ${access.project.id}`, sql<SqlBool>`runs.experiment_id in (${sql.join(search.experimentIds)})`];
    if (view === 'ACTIVE_ONLY') conditions.push(sql<SqlBool>`runs.lifecycle_stage = 'active'`);
    if (view === 'DELETED_ONLY') conditions.push(sql<SqlBool>`runs.lifecycle_stage = 'deleted'`);
    if (filter) conditions.push(compileFilterSql(filter, runCondition));
    let from = sql`runs`;
    const order: { expression: Expression<unknown>; direction: 'asc' | 'desc' }[] = [];
    const driving = (driver.kind === 'metric' && seg < 2) || ((driver.kind === 'param' || driver.kind === 'tag') && seg === 0);
    if (driver.kind !== 'runs' && driving) {
      const table = sql.raw(driver.kind === 'metric' ? 'latest_metrics' : driver.kind === 'param' ? 'run_params' : 'run_tags');
      from = sql`${table} o cross join runs`;
      conditions.push(sql<SqlBool>`runs.id = o.run_id`, sql<SqlBool>`o.key = ${driver.key}`);
      if (driver.kind === 'metric') conditions.push(sql<SqlBool>`o.is_nan = ${seg}`);
      order.push({ expression: sql.ref('o.value'), direction: driver.ascending ? 'asc' : 'desc' });
    } else if (driver.kind !== 'runs') {
      const table = sql.raw(driver.kind === 'metric' ? 'latest_metrics' : driver.kind === 'param' ? 'run_params' : 'run_tags');
      conditions.push(sql<SqlBool>`not exists (select 1 from ${table} x where x.run_id = runs.id and x.key = ${driver.key})`);
    }
    order.push(...terms);
    const orderBy = sql.join(order.map((o) => sql`${o.expression} ${sql.raw(o.direction)}`));
    return sql<RunRow>`select runs.* from ${from} where ${sql.join(conditions, sql` and `)} order by ${orderBy} limit ${limit} offset ${offset}`.execute(db);
  };

  const page: RunRow[] = [];
  let next: string | undefined;
  while (segment < segmentsOf(driver)) {
    const wanted = maxResults - page.length;
    const rows = (await segmentQuery(segment, offset, wanted + 1)).rows;
    page.push(...rows.slice(0, wanted));
    if (rows.length > wanted) {
      next = encodePosition(segment, offset + wanted, fingerprint);
      break;
    }
    segment += 1;
    offset = 0;
    if (page.length === maxResults) {
      // The page is full exactly at a segment's end; the next page starts at the next segment
      // that has a run. None left: no token, so that a reader counting pages knows the total.
      while (segment < segmentsOf(driver) && (await segmentQuery(segment, 0, 1)).rows.length === 0) segment += 1;
      next = segment < segmentsOf(driver) ? encodePosition(segment, 0, fingerprint) : undefined;
      break;
    }
  }
  return { runs: await hydrateRuns(db, page), nextPageToken: next };
}
