import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { VersionArchives } from '../../src/targets/local-agent/archives.ts';
import { ADMIN_TOKEN, type TestApp } from './app.ts';

/**
 * What the serving tests need besides the app: registered versions, agents that speak the
 * protocol by hand, and tiny model servers that answer as MLflow's scoring server does (and
 * fail on purpose).
 */

/** A model with `count` versions (READY, as the registry makes them); its id. */
export async function modelWithVersions(t: TestApp, projectId: number, name: string, count: number, token = ADMIN_TOKEN): Promise<number> {
  const created = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/models`, token, payload: { name } });
  if (created.statusCode !== 201) throw new Error(`could not create model ${name}: ${created.body}`);
  const modelId = (created.json() as { id: number }).id;
  for (let i = 0; i < count; i++) {
    const version = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, token, payload: {} });
    if (version.statusCode !== 201) throw new Error(`could not create a version of ${name}: ${version.body}`);
  }
  return modelId;
}

/** Archives of fixed bytes per version: agents under test need digests, not real model files. */
export function fakeArchives(): VersionArchives {
  const bytes = (modelId: number, version: number) => Buffer.from(`model ${modelId} version ${version}`);
  const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  return {
    locate: async (access, modelId, version) => {
      const b = bytes(modelId, version);
      return { url: `/api/v4/projects/${access.project.id}/ml/models/${modelId}/versions/${version}/archive`, sha256: digest(b), size: b.length };
    },
    prepare: async (_access, modelId, version) => {
      const b = bytes(modelId, version);
      return { sha256: digest(b), size: b.length, fileName: `m-${version}.tar.gz`, open: () => Readable.from([b]) };
    },
  };
}

export interface ModelServer {
  url: string;
  requests: number;
  /** Answer 500 to predictions from now on (true), or answer normally again (false). */
  failing(on: boolean): void;
  close(): Promise<void>;
}

/**
 * A model server as MLflow's scoring server answers: `/ping` 200, `/version`, and
 * `/invocations` answering `{"predictions": [...]}`, one per input row, tagged with `label`
 * so a test can tell who answered. A body it cannot read gets MLflow's 400. It listens on
 * `host`: another loopback address (127.0.0.2) stands for an agent's pod address.
 */
export async function startModelServer(label: string, host = '127.0.0.1'): Promise<ModelServer> {
  let fail = false;
  let requests = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/ping') return void res.writeHead(200, { 'content-type': 'application/json' }).end('\n');
      if (req.url === '/version') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('2.22.1');
      if (req.url !== '/invocations' || req.method !== 'POST') return void res.writeHead(404).end();
      requests++;
      if (fail) return void res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error_code: 'INTERNAL_ERROR', message: `${label} fails on purpose` }));
      const text = Buffer.concat(chunks).toString('utf8');
      let rows = 0;
      if ((req.headers['content-type'] ?? '').startsWith('text/csv')) rows = Math.max(0, text.trim().split('\n').length - 1);
      else {
        try {
          const body = JSON.parse(text) as { dataframe_split?: { data: unknown[] }; dataframe_records?: unknown[]; instances?: unknown[]; inputs?: unknown[] };
          rows = (body.dataframe_split?.data ?? body.dataframe_records ?? body.instances ?? body.inputs ?? []).length;
        } catch {
          return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error_code: 'BAD_REQUEST', message: 'Invalid input' }));
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ predictions: Array.from({ length: rows }, () => label) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    get requests() {
      return requests;
    },
    failing: (on) => {
      fail = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A serving agent driven by the test: the protocol calls, by hand. */
export class ScriptedAgent {
  revision: string | undefined;
  instances: { instance_id: string; environment: { name: string }; variant: string; model: { name: string; version: number }; deployment_id: number }[] = [];

  constructor(
    private readonly t: TestApp,
    readonly token: string,
  ) {}

  static async create(t: TestApp, projectId: number | null, labels: string[] = []): Promise<ScriptedAgent> {
    const url = projectId === null ? '/api/v4/serving_agents' : `/api/v4/projects/${projectId}/serving_agents`;
    const res = await t.call({ method: 'POST', url, token: ADMIN_TOKEN, payload: { description: 'scripted', labels } });
    if (res.statusCode !== 201) throw new Error(`could not create an agent: ${res.body}`);
    const agent = new ScriptedAgent(t, (res.json() as { token: string }).token);
    await agent.call('POST', '/api/v4/agent/sessions', { version: 'test', platform: 'linux/x64' });
    return agent;
  }

  call(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
    return this.t.call({ method, url, headers: { authorization: `Bearer ${this.token}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  }

  /** Reads the assignments (at once) and remembers them. */
  async sync() {
    const res = await this.call('GET', '/api/v4/agent/assignments');
    if (res.statusCode !== 200) throw new Error(`assignments: ${res.statusCode} ${res.body}`);
    const body = res.json() as { revision: string; instances: ScriptedAgent['instances'] };
    this.revision = body.revision;
    this.instances = body.instances;
    return body;
  }

  /** Reports every assigned instance of a version as ready at the endpoint the test chooses. */
  async serve(endpointOf: (instance: ScriptedAgent['instances'][number]) => string | undefined) {
    await this.sync();
    for (const instance of this.instances) {
      const endpoint = endpointOf(instance);
      if (!endpoint) continue;
      const res = await this.call('PUT', `/api/v4/agent/instances/${instance.instance_id}`, { state: 'ready', endpoint, restarts: 0 });
      // 404: an earlier report rolled a deployment out and this instance is no longer wanted (an agent stops it).
      if (res.statusCode !== 200 && res.statusCode !== 404) throw new Error(`report: ${res.statusCode} ${res.body}`);
    }
  }
}

/** A personal access token with the serve scope for a user (the admin by default). */
export async function serveToken(t: TestApp, userId?: number): Promise<string> {
  const owner = userId ?? (await t.call({ method: 'GET', url: '/api/v4/user', token: ADMIN_TOKEN })).json().id;
  const created = await t.services.tokens.create({ userId: owner, kind: 'personal' }, { name: 'serve', scopes: ['serve'] }, null);
  return created.secret;
}
