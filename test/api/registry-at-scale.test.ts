import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkInsert } from '../../src/db/bulk-insert.ts';
import { parseFilter } from '../../src/tracking/search/filter-parser.ts';
import { versionSearchQuery } from '../../src/registry/version-search.ts';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app.ts';
import { TEST_DIALECT } from '../support/database.ts';

// One model of many versions, written straight to its table (through the API this would take
// minutes): the oldest archived, the newest unstaged, one in production, half tagged team=risk.
const VERSIONS = 5_000;
const ARCHIVED_UP_TO = 4_000;
const PRODUCTION = 10;
// Four versions at a time share an update time, so that the order's tie-breakers count.
const updatedAtOf = (version: number) => 1_000_000 + Math.floor(version / 4);
const stageOf = (version: number) => (version === PRODUCTION ? 'Production' : version <= ARCHIVED_UP_TO ? 'Archived' : 'None');

let t: TestApp;
let projectId: number;
let modelId: number;

beforeAll(async () => {
  t = await startTestApp();
  projectId = (await t.createProject(ADMIN_TOKEN, 'registry-at-scale')).id;
  const created = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/models`, token: ADMIN_TOKEN, payload: { name: 'many-versions' } });
  expect(created.statusCode, created.body).toBe(201);
  modelId = created.json().id;
  const db = t.services.database.db;
  const columns = [
    'model_id',
    'version',
    'semver',
    'semver_major',
    'semver_minor',
    'semver_patch',
    'semver_prerelease',
    'source',
    'source_kind',
    'status',
    'user_id',
    'created_at',
    'updated_at',
    'current_stage',
  ];
  const rows = Array.from({ length: VERSIONS }, (_, i) => {
    const version = i + 1;
    return [modelId, version, `1.0.${version}`, 1, 0, version, '', 's3://bucket/model', 'uri', 'READY', 'admin', version, updatedAtOf(version), stageOf(version)];
  });
  for (let i = 0; i < rows.length; i += 500) await bulkInsert(db, 'model_versions', columns, rows.slice(i, i + 500));
  const versions = await db.selectFrom('model_versions').select(['id', 'version']).where('model_id', '=', modelId).execute();
  const tags = versions.filter((v) => v.version % 2 === 0).map((v) => [v.id, 'team', 'risk']);
  for (let i = 0; i < tags.length; i += 500) await bulkInsert(db, 'version_tags', ['version_id', 'key', 'value'], tags.slice(i, i + 500));
  if (TEST_DIALECT === 'postgres') await sql`analyze`.execute(db);
}, 120_000);
afterAll(async () => t?.close());

const mlflow = (endpoint: string) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${endpoint}`;

describe('a model of 5,000 versions', () => {
  it("answers the newest version of each stage without comparing each version with its stage's others", async () => {
    const get = () => t.call({ method: 'GET', url: mlflow('registered-models/get?name=many-versions'), token: ADMIN_TOKEN });
    await get();
    const started = performance.now();
    const res = await get();
    const elapsed = performance.now() - started;
    expect(res.statusCode, res.body).toBe(200);
    const latest = (res.json().registered_model.latest_versions as { version: string; current_stage: string }[]).map((v) => [v.current_stage, v.version]);
    expect(latest.sort()).toEqual([
      ['Archived', String(ARCHIVED_UP_TO)],
      ['None', String(VERSIONS)],
      ['Production', String(PRODUCTION)],
    ]);
    // Ranked in one pass this takes 9–20 ms; asked version by version ("is it its stage's
    // highest?") it scanned the 1,000 newer versions for each of the 4,000 archived ones: 400 ms
    // on PostgreSQL, 580 ms on SQLite.
    expect(elapsed).toBeLessThan(150);
  });

  it('searches versions by tag, the most recently updated first, name and version breaking ties', async () => {
    const res = await t.call({ method: 'GET', url: mlflow(`model-versions/search?filter=${encodeURIComponent("tags.team = 'risk'")}&max_results=100`), token: ADMIN_TOKEN });
    expect(res.statusCode, res.body).toBe(200);
    const versions = (res.json().model_versions as { version: string; last_updated_timestamp: string }[]).map((v) => [Number(v.last_updated_timestamp), Number(v.version)]);
    const expected = Array.from({ length: VERSIONS / 2 }, (_, i) => 2 * (i + 1))
      .map((version) => [updatedAtOf(version), version])
      .sort((a, b) => b[0]! - a[0]! || b[1]! - a[1]!)
      .slice(0, 100);
    expect(versions).toEqual(expected);
    expect(res.json().next_page_token).toBeTruthy();
  });

  it.runIf(TEST_DIALECT === 'postgres')('reads a page of versions along their update time on PostgreSQL, where it sorted every match', async () => {
    const db = t.services.database.db;
    const compiled = versionSearchQuery(db, projectId, parseFilter("tags.team = 'risk'"), []).limit(101).compile();
    const { rows } = await db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]));
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan, plan).toMatch(/Index Scan Backward using model_versions_by_update/);
    expect(plan).not.toMatch(/Seq Scan on model_versions/);
  });
});
