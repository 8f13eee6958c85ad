import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import type { AuditRow } from './audit-log.ts';

/** What a person reads for an audit entry's target: its name now, and the page that shows it. */
export interface AuditTarget {
  name: string | null;
  web_path: string | null;
}

type Found = Map<string, AuditTarget>;
type Resolver = (db: Kysely<Schema>, ids: number[]) => Promise<Found>;

const NONE: AuditTarget = { name: null, web_path: null };

/**
 * One query per target type names the targets of a page of entries. Entries store ids because
 * names change (a model renamed, a version's number is stable but its model's name is not); the
 * log shows today's name and falls back to the name the entry recorded when the target is gone.
 */
const RESOLVERS: Record<string, Resolver> = {
  model_version: async (db, ids) => {
    const rows = await db
      .selectFrom('model_versions as v')
      .innerJoin('registered_models as m', 'm.id', 'v.model_id')
      .select(['v.id', 'v.version', 'v.model_id', 'm.name', 'm.project_id'])
      .where('v.id', 'in', ids)
      .execute();
    return byId(rows, (r) => ({ name: `${r.name} v${r.version}`, web_path: `/projects/${r.project_id}/models/${r.model_id}/versions/${r.version}` }));
  },
  model: async (db, ids) => {
    const rows = await db.selectFrom('registered_models').select(['id', 'name', 'project_id']).where('id', 'in', ids).execute();
    return byId(rows, (r) => ({ name: r.name, web_path: `/projects/${r.project_id}/models/${r.id}` }));
  },
  project: async (db, ids) => {
    const rows = await db.selectFrom('projects').select(['id', 'path']).where('id', 'in', ids).execute();
    return byId(rows, (r) => ({ name: r.path, web_path: `/projects/${r.id}` }));
  },
  user: async (db, ids) => {
    const rows = await db.selectFrom('users').select(['id', 'username']).where('id', 'in', ids).execute();
    return byId(rows, (r) => ({ name: r.username, web_path: null }));
  },
  environment: async (db, ids) => {
    const rows = await db.selectFrom('environments').select(['id', 'name', 'project_id']).where('id', 'in', ids).execute();
    return byId(rows, (r) => ({ name: r.name, web_path: `/projects/${r.project_id}/environments/${r.id}` }));
  },
  deployment: async (db, ids) => {
    const rows = await db
      .selectFrom('deployments as d')
      .innerJoin('environments as e', 'e.id', 'd.environment_id')
      .select(['d.id', 'd.iid', 'e.id as environment_id', 'e.name', 'e.project_id'])
      .where('d.id', 'in', ids)
      .execute();
    return byId(rows, (r) => ({ name: `${r.name} deployment #${r.iid}`, web_path: `/projects/${r.project_id}/environments/${r.environment_id}` }));
  },
  webhook: async (db, ids) => {
    const rows = await db.selectFrom('webhooks').select(['id', 'url']).where('id', 'in', ids).execute();
    return byId(rows, (r) => ({ name: r.url, web_path: null }));
  },
  token: async (db, ids) => {
    const rows = await db.selectFrom('tokens').select(['id', 'name']).where('id', 'in', ids).execute();
    return byId(rows, (r) => ({ name: r.name, web_path: null }));
  },
  runner: async (db, ids) => {
    const rows = await db.selectFrom('ci_runners').select(['id', 'description']).where('id', 'in', ids).execute();
    return byId(rows, (r) => ({ name: r.description || `runner ${r.id}`, web_path: null }));
  },
  serving_agent: async (db, ids) => {
    const rows = await db.selectFrom('serving_agents').select(['id', 'description']).where('id', 'in', ids).execute();
    return byId(rows, (r) => ({ name: r.description || `agent ${r.id}`, web_path: null }));
  },
  ci_trigger: async (db, ids) => {
    const rows = await db.selectFrom('ci_triggers').select(['id', 'description']).where('id', 'in', ids).execute();
    return byId(rows, (r) => ({ name: r.description || `trigger ${r.id}`, web_path: null }));
  },
  member_role: async (db, ids) => {
    const rows = await db.selectFrom('member_roles').select(['id', 'name']).where('id', 'in', ids).execute();
    return byId(rows, (r) => ({ name: r.name, web_path: null }));
  },
  import_job: async (db, ids) => {
    const rows = await db.selectFrom('import_jobs').select(['id', 'model_name', 'source']).where('id', 'in', ids).execute();
    return byId(rows, (r) => ({ name: `${r.model_name} (${r.source})`, web_path: null }));
  },
};

/** The name an entry recorded in its details, for a target that no longer exists. */
function recordedName(row: AuditRow): string | null {
  const details = JSON.parse(row.details) as Record<string, unknown>;
  const text = (key: string) => (typeof details[key] === 'string' || typeof details[key] === 'number' ? String(details[key]) : null);
  if (text('model') !== null && text('version') !== null) return `${text('model')} v${text('version')}`;
  return text('model') ?? text('name') ?? text('username') ?? text('title') ?? text('url') ?? text('key') ?? text('path');
}

/** Names the targets of a page of audit entries, keyed by the entry's id. */
export async function describeAuditTargets(db: Kysely<Schema>, rows: AuditRow[]): Promise<Map<number, AuditTarget>> {
  const idsByType = new Map<string, Set<number>>();
  for (const row of rows) {
    const id = Number(row.target_id);
    if (row.target_id === null || !Number.isSafeInteger(id) || RESOLVERS[row.target_type] === undefined) continue;
    if (row.target_type === 'issue') continue; // an issue's target id is its per-project iid
    idsByType.set(row.target_type, (idsByType.get(row.target_type) ?? new Set()).add(id));
  }
  const found = new Map<string, AuditTarget>();
  await Promise.all(
    [...idsByType].map(async ([type, ids]) => {
      for (const [id, target] of await RESOLVERS[type]!(db, [...ids])) found.set(`${type}:${id}`, target);
    }),
  );
  const issues = await describeIssues(
    db,
    rows.filter((r) => r.target_type === 'issue' && r.project_id !== null && Number.isSafeInteger(Number(r.target_id))),
  );
  const described = new Map<number, AuditTarget>();
  for (const row of rows) {
    const live = row.target_type === 'issue' ? issues.get(`${row.project_id}:${row.target_id}`) : found.get(`${row.target_type}:${row.target_id}`);
    described.set(row.id, live ?? { ...NONE, name: recordedName(row) });
  }
  return described;
}

/** Issues are named by their project and iid, as GitLab's `#iid` references are. */
async function describeIssues(db: Kysely<Schema>, rows: AuditRow[]): Promise<Found> {
  const found: Found = new Map();
  if (rows.length === 0) return found;
  const projectIds = [...new Set(rows.map((r) => r.project_id!))];
  const issues = await db
    .selectFrom('issues')
    .select(['project_id', 'iid', 'title'])
    .where('project_id', 'in', projectIds)
    .where('iid', 'in', [...new Set(rows.map((r) => Number(r.target_id)).filter(Number.isSafeInteger))])
    .execute();
  for (const issue of issues) found.set(`${issue.project_id}:${issue.iid}`, { name: `#${issue.iid} ${issue.title}`, web_path: `/projects/${issue.project_id}/issues/${issue.iid}` });
  return found;
}

function byId<R extends { id: number }>(rows: R[], describe: (row: R) => AuditTarget): Found {
  return new Map(rows.map((r) => [String(r.id), describe(r)]));
}
