import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { invalid } from '../shared/errors.ts';
import { compileFilter, numericCondition, stringCondition } from '../tracking/search/compile.ts';
import { parseOrderBy, type FilterNode, type RawComparison } from '../tracking/search/filter-parser.ts';
import { tagCondition } from './tagging.ts';

/** MLflow's search_model_versions: the filter and order as one statement, before paging. */

const VERSION_ORDERABLE: Record<string, string> = {
  name: 'registered_models.name',
  version_number: 'model_versions.version',
  creation_timestamp: 'model_versions.created_at',
  timestamp: 'model_versions.created_at',
  last_updated_timestamp: 'model_versions.updated_at',
};

/**
 * The versions of a project that match `filter`, in `orderBy`'s order, each with its model's
 * name; the caller pages it. Without an order, MLflow's default: the most recently updated first,
 * read backwards along `model_versions_by_update` (migration 0025) so a page stops early; the
 * model's name, then the newest version, break ties.
 */
export function versionSearchQuery(db: Kysely<Schema>, projectId: number, filter: FilterNode | null, orderBy: readonly string[]) {
  let query = db
    .selectFrom('model_versions')
    .innerJoin('registered_models', 'registered_models.id', 'model_versions.model_id')
    .selectAll('model_versions')
    .select('registered_models.name as model_name')
    .where('registered_models.project_id', '=', projectId);
  if (filter) query = query.where((eb) => compileFilter(eb, filter, versionCondition));
  for (const clause of orderBy) {
    const parsed = parseOrderBy(clause);
    const column = parsed.prefix === null ? VERSION_ORDERABLE[parsed.key] : undefined;
    if (!column) throw invalid(`Invalid order by key '${clause}' specified. Valid keys are ${Object.keys(VERSION_ORDERABLE).join(', ')}`);
    query = query.orderBy(sql.ref(column), parsed.ascending ? 'asc' : 'desc');
  }
  if (orderBy.length === 0) query = query.orderBy('model_versions.updated_at', 'desc');
  return query.orderBy('registered_models.name', 'asc').orderBy('model_versions.version', 'desc');
}

function versionCondition(cmp: RawComparison): Expression<SqlBool> {
  if (cmp.prefix === 'tags' || cmp.prefix === 'tag') return tagCondition('version', cmp);
  if (cmp.prefix !== null && cmp.prefix !== 'attributes' && cmp.prefix !== 'attribute') throw invalid(`Invalid entity type '${cmp.prefix}' for model versions`);
  switch (cmp.key) {
    case 'name':
      return stringCondition(sql.ref('registered_models.name'), cmp, 'name');
    case 'run_id':
      return stringCondition(sql.ref('model_versions.run_id'), cmp, 'run_id');
    case 'source_path':
      return stringCondition(sql.ref('model_versions.source'), cmp, 'source_path');
    case 'semver':
      return stringCondition(sql.ref('model_versions.semver'), cmp, 'semver');
    case 'approval_status':
      return stringCondition(sql.ref('model_versions.approval_status'), cmp, 'approval_status');
    case 'current_stage':
      return stringCondition(sql.ref('model_versions.current_stage'), cmp, 'current_stage');
    case 'version_number':
      return numericCondition(sql.ref('model_versions.version'), cmp, 'version_number');
    default:
      throw invalid(`Invalid attribute key '${cmp.key}' specified. Valid keys are 'name', 'run_id', 'source_path', 'version_number', 'semver', 'current_stage', 'approval_status' and 'tags.<key>'`);
  }
}
