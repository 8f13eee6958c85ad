import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPaths, withQuery } from '../../web/src/api-paths.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

const WEB = path.resolve(import.meta.dirname, '../../web/src');
/** Anything that reads as a server API path: the native API, MLflow's REST API, its UI's ajax API. */
const API_PATH = /\/api\/v4\b|\/api\/2\.0\b|\/ajax-api\b/;
/** The values a builder's action parameter takes (the type says so; at run time they are listed here). */
const ACTIONS: Record<string, string[]> = { 'project.job.action': ['retry', 'cancel', 'play'], 'project.pipeline.action': ['retry', 'cancel'] };

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/**
 * Every path the builders make, each builder called with a sample identifier (a function that
 * returns more builders is followed), so a builder added later is checked without a new line here.
 */
function everyPath(node: unknown, name: string): string[] {
  if (typeof node === 'string') return [node];
  if (typeof node === 'function') {
    const firsts = ACTIONS[name] ?? ['7'];
    return firsts.flatMap((first) => everyPath((node as (...values: string[]) => unknown)(first, '7', '7'), name));
  }
  if (node && typeof node === 'object') return Object.entries(node).flatMap(([key, child]) => everyPath(child, name ? `${name}.${key}` : key));
  return [];
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

describe("the web UI's API paths", () => {
  it('are written in web/src/api-paths.ts only', () => {
    const elsewhere = sourceFiles(WEB)
      .filter((file) => path.basename(file) !== 'api-paths.ts')
      .flatMap((file) =>
        fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .map((line, index) => ({ where: `${path.relative(WEB, file)}:${index + 1}`, line }))
          .filter(({ line }) => API_PATH.test(line)),
      )
      .map(({ where }) => where);
    expect(elsewhere).toEqual([]);
  });

  it('encode identifiers as one segment, keep the slashes of file paths, and leave out empty query values', () => {
    expect(apiPaths.project('group/project').self).toBe('/api/v4/projects/group%2Fproject');
    expect(apiPaths.project(3).job('../runners').self).toBe('/api/v4/projects/3/jobs/..%2Frunners');
    expect(apiPaths.project(3).job(9).artifactFile('reports/a b#1.json')).toBe('/api/v4/projects/3/jobs/9/artifacts/reports/a%20b%231.json');
    expect(apiPaths.project(3).model(4).version('1.0.0').label('needs review')).toBe('/api/v4/projects/3/ml/models/4/versions/1.0.0/labels/needs%20review');
    expect(apiPaths.project(3).mlflowArtifacts.list('1/abc/artifacts')).toBe('/api/v4/projects/3/ml/mlflow/api/2.0/mlflow-artifacts/artifacts?path=1%2Fabc%2Fartifacts');
    expect(withQuery('/x', { a: 1, b: undefined, c: null, d: 'p&q', e: false })).toBe('/x?a=1&d=p%26q&e=false');
    expect(withQuery('/x')).toBe('/x');
  });

  it("each reach one of the server's routes", async () => {
    const paths = [...new Set(everyPath(apiPaths, ''))];
    expect(paths.length).toBeGreaterThan(50);
    const unrouted: string[] = [];
    for (const url of paths) {
      // Without credentials no handler runs, so nothing changes; a route that exists answers
      // 401 or 400 for some method, a missing one the not-found handler's 404 for all.
      const answers = await Promise.all(
        ['GET', 'POST', 'PUT', 'DELETE'].map((method) => t.call({ method: method as 'GET', url, token: null, payload: method === 'GET' || method === 'DELETE' ? undefined : {} })),
      );
      const routed = answers.some((res) => !(res.statusCode === 404 && res.json().message === '404 Not Found') && res.statusCode !== 405);
      if (!routed) unrouted.push(url);
    }
    expect(unrouted).toEqual([]);
  });
});
