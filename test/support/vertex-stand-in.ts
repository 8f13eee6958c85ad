import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Vertex AI's Model Registry REST API (aiplatform v1), built from Google's
 * discovery document (googleapis/google-api-go-client aiplatform/v1/aiplatform-api.json):
 *  - GET /v1/projects/{p}/locations/{l}/models?pageSize=&pageToken= → ListModelsResponse
 *    `{models: [Model], nextPageToken}` (each model at its default version);
 *  - GET /v1/{name} and /v1/{name}@{versionId|alias} → Model (projects.locations.models.get;
 *    without a version, the one whose versionAliases hold "default");
 *  - GET /v1/{name}:listVersions?pageSize=&pageToken= → ListModelVersionsResponse `{models, nextPageToken}`.
 * A Model carries the schema's field names: name (`projects/{number}/locations/{l}/models/{id}`,
 * the project by number as Google answers it, the version not in it), versionId, versionAliases,
 * versionCreateTime, versionUpdateTime, displayName, description, versionDescription, labels,
 * artifactUri, containerSpec, metadata, createTime, updateTime. Pages are at most `pageSize`
 * entries (the stand-in's own cap, default 1, so that every listing has pages). Errors are
 * GoogleRpcStatus bodies `{error: {code, message, status}}`: 401 UNAUTHENTICATED without a valid
 * bearer token, 403 PERMISSION_DENIED for an account the model does not grant, 404 NOT_FOUND.
 */
export interface VertexContainerSpec {
  imageUri: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value: string }[];
  ports?: { containerPort: number }[];
  predictRoute?: string;
  healthRoute?: string;
}

export interface VertexVersionSpec {
  versionId: string;
  versionAliases?: string[];
  displayName: string;
  description?: string;
  versionDescription?: string;
  labels?: Record<string, string>;
  artifactUri?: string;
  containerSpec?: VertexContainerSpec;
  metadata?: unknown;
}

export interface VertexModelSpec {
  project: string;
  projectNumber: string;
  location: string;
  id: string;
  /** Service accounts (e-mails) that may read it. */
  readers: string[];
  versions: VertexVersionSpec[];
}

export interface VertexStandIn {
  url: string;
  port: number;
  log: { path: string; account: string | null; status: number }[];
  nameOf(model: VertexModelSpec): string;
  close(): Promise<void>;
}

const CREATED = '2026-11-30T10:00:00.000000Z';

export async function startVertexStandIn(models: VertexModelSpec[], accountOf: (token: string) => string | null, options: { pageSize?: number } = {}): Promise<VertexStandIn> {
  const cap = options.pageSize ?? 1;
  const log: VertexStandIn['log'] = [];
  const nameOf = (model: VertexModelSpec) => `projects/${model.projectNumber}/locations/${model.location}/models/${model.id}`;

  function resource(model: VertexModelSpec, version: VertexVersionSpec): Record<string, unknown> {
    const index = model.versions.indexOf(version);
    const time = new Date(Date.parse(CREATED) + index * 60_000).toISOString();
    return {
      name: nameOf(model),
      displayName: version.displayName,
      ...(version.description === undefined ? {} : { description: version.description }),
      versionId: version.versionId,
      versionAliases: version.versionAliases ?? [],
      versionCreateTime: time,
      versionUpdateTime: time,
      ...(version.versionDescription === undefined ? {} : { versionDescription: version.versionDescription }),
      ...(version.artifactUri === undefined ? {} : { artifactUri: version.artifactUri }),
      ...(version.containerSpec === undefined ? {} : { containerSpec: version.containerSpec }),
      ...(version.labels === undefined ? {} : { labels: version.labels }),
      ...(version.metadata === undefined ? {} : { metadata: version.metadata }),
      supportedExportFormats: [],
      createTime: CREATED,
      updateTime: time,
      etag: `AMEw9yN${index}`,
    };
  }

  function page<T>(items: T[], url: URL): { items: T[]; next: string | null } {
    const asked = Number(url.searchParams.get('pageSize') ?? cap);
    const size = Math.max(1, Math.min(cap, Number.isFinite(asked) && asked > 0 ? asked : cap));
    const start = Number(url.searchParams.get('pageToken') || 0);
    const slice = items.slice(start, start + size);
    return { items: slice, next: start + size < items.length ? String(start + size) : null };
  }

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const authorization = String(request.headers.authorization ?? '');
    const account = authorization.startsWith('Bearer ') ? accountOf(authorization.slice(7)) : null;
    const send = (status: number, body: unknown) => {
      log.push({ path: url.pathname, account, status });
      response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body));
    };
    const fail = (code: number, status: string, message: string) => send(code, { error: { code, message, status } });
    if (request.method !== 'GET') return fail(404, 'NOT_FOUND', 'Method not found.');
    if (account === null) {
      return fail(
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
      );
    }
    const match = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/models(?:\/([^/@:]+)(?:@([^/:]+))?(:listVersions)?)?$/.exec(url.pathname);
    if (!match) return fail(404, 'NOT_FOUND', `The requested URL ${url.pathname} was not found on this server.`);
    const [, project, location, id, version, listVersions] = match.map((part) => (part === undefined ? undefined : decodeURIComponent(part)));
    const inScope = models.filter((m) => (m.project === project || m.projectNumber === project) && m.location === location);
    if (id === undefined) {
      const readable = inScope.filter((m) => m.readers.includes(account));
      const { items, next } = page(readable, url);
      const defaults = items.map((m) => resource(m, m.versions.find((v) => v.versionAliases?.includes('default')) ?? m.versions[m.versions.length - 1]!));
      return send(200, { models: defaults, ...(next === null ? {} : { nextPageToken: next }) });
    }
    const model = inScope.find((m) => m.id === id);
    const target = `projects/${project}/locations/${location}/models/${id}`;
    if (!model || !model.readers.includes(account)) {
      // As Google answers: no telling "missing" from "not yours" for a model the caller may not read.
      return fail(403, 'PERMISSION_DENIED', `Permission 'aiplatform.models.get' denied on resource '//aiplatform.googleapis.com/${target}' (or it may not exist).`);
    }
    if (listVersions !== undefined) {
      if (version !== undefined) return fail(400, 'INVALID_ARGUMENT', 'Version should not be specified in the model name for ListModelVersions.');
      const { items, next } = page(model.versions, url);
      return send(200, { models: items.map((v) => resource(model, v)), ...(next === null ? {} : { nextPageToken: next }) });
    }
    const chosen =
      version === undefined ? model.versions.find((v) => v.versionAliases?.includes('default')) : model.versions.find((v) => v.versionId === version || v.versionAliases?.includes(version));
    if (!chosen) return fail(404, 'NOT_FOUND', `The Model does not exist.`);
    return send(200, resource(model, chosen));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, log, nameOf, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
