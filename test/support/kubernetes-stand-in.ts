import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';
import { kserveSchemasDir } from './kubeconform.ts';

/**
 * A stand-in for a Kubernetes API server with KServe's InferenceService CRD installed, for the
 * calls Modelyard and `kubectl apply --server-side` make, answered on the wire as the real API
 * server answers them:
 *
 * - discovery: `/api`, `/apis` (the unaggregated APIVersions / APIGroupList, which a server
 *   may answer whatever Accept asked for), `/api/v1` and `/apis/serving.kserve.io/v1beta1`
 *   (APIResourceList), and `/openapi/v3` (the index kubectl reads to learn whether the server
 *   validates fields itself; it says no group, so kubectl does not ask for more);
 * - InferenceServices: GET, LIST by label selector, POST (409 AlreadyExists), DELETE, and the
 *   server-side apply PATCH (`application/apply-patch+yaml`, `fieldManager` required, 409
 *   Conflict when another manager owns a field that changes and `force` is not set), and
 *   Status bodies (`{kind: 'Status', apiVersion: 'v1', status: 'Failure', …}`) for 401, 404,
 *   409, 415 and 422, as the API server's;
 * - status: what KServe's controller would write, set by the test (`markReady`), or at once
 *   on every apply with `autoReady`.
 *
 * It serves HTTPS with a certificate made for 127.0.0.1 (its PEM is `caPem`), as API servers
 * do: kubectl sends a bearer token only over TLS (kubernetes/kubectl#744).
 */

const GROUP = 'serving.kserve.io';
const VERSION = 'v1beta1';
const PATH = /^\/apis\/serving\.kserve\.io\/v1beta1\/namespaces\/([^/]+)\/inferenceservices(?:\/([^/]+))?(\/status)?$/;
/** DNS-1035 label: what KServe's admission webhook asks of an InferenceService's name. */
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

type Json = Record<string, unknown>;

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  authorization: string | undefined;
  body: string;
}

interface StoredObject {
  object: Json & { metadata: Json; spec?: Json; status?: Json };
  /** Who applied `spec`, and what they applied (the fields they own). */
  managers: Map<string, Json>;
}

export interface KubernetesStandIn {
  url: string;
  /** The self-signed certificate the stand-in serves: the CA a client must trust. */
  caPem: string;
  token: string;
  requests: RecordedRequest[];
  get(namespace: string, name: string): StoredObject['object'] | undefined;
  /** What KServe's controller writes once the predictor is up: Ready, the URL, and the traffic split. */
  markReady(namespace: string, name: string): void;
  close(): Promise<void>;
}

const status = (code: number, reason: string, message: string, details?: Json): Json => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  ...(details ? { details } : {}),
  code,
});

function leafPaths(value: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) leafPaths(child, `${prefix}.${key}`, out);
  } else out.set(prefix, JSON.stringify(value));
  return out;
}

/** `urlOf`: the URL KServe reports for a ready InferenceService (its ingress host by default). */
export async function startKubernetesStandIn(options: { token: string; autoReady?: boolean; urlOf?: (name: string, namespace: string) => string }): Promise<KubernetesStandIn> {
  const objects = new Map<string, StoredObject>();
  const requests: RecordedRequest[] = [];
  let resourceVersion = 1000;
  let uid = 0;
  const key = (ns: string, name: string) => `${ns}/${name}`;

  const ready = (stored: StoredObject) => {
    const { metadata, spec } = stored.object;
    const predictor = ((spec ?? {}) as Json).predictor as Json | undefined;
    const canary = typeof predictor?.canaryTrafficPercent === 'number' ? predictor.canaryTrafficPercent : undefined;
    const generation = Number(metadata.generation ?? 1);
    const url = options.urlOf?.(String(metadata.name), String(metadata.namespace)) ?? `http://${String(metadata.name)}.${String(metadata.namespace)}.example.com`;
    const latest = `${String(metadata.name)}-predictor-${String(generation).padStart(5, '0')}`;
    const previous = `${String(metadata.name)}-predictor-${String(Math.max(generation - 1, 1)).padStart(5, '0')}`;
    const at = new Date().toISOString();
    stored.object.status = {
      observedGeneration: generation,
      url,
      address: { url: `http://${String(metadata.name)}.${String(metadata.namespace)}.svc.cluster.local` },
      conditions: ['IngressReady', 'PredictorReady', 'Ready'].map((type) => ({ type, status: 'True', lastTransitionTime: at })),
      components: {
        predictor: {
          latestCreatedRevision: latest,
          latestReadyRevision: latest,
          ...(canary === undefined || canary === 100 ? {} : { previousRolledoutRevision: previous }),
          traffic:
            canary === undefined || canary === 100
              ? [{ revisionName: latest, percent: 100, latestRevision: true }]
              : [
                  { revisionName: latest, percent: canary, latestRevision: true, tag: 'latest' },
                  { revisionName: previous, percent: 100 - canary, latestRevision: false, tag: 'prev' },
                ],
        },
      },
    };
  };

  const send = (response: http.ServerResponse, code: number, body: Json) => {
    response.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    response.end(JSON.stringify(body));
  };

  const handle = (request: http.IncomingMessage, body: string, response: http.ServerResponse, base: string) => {
    const url = new URL(request.url ?? '/', base);
    requests.push({ method: request.method ?? '', path: url.pathname, query: url.searchParams, contentType: request.headers['content-type'], authorization: request.headers.authorization, body });
    if (request.headers.authorization !== `Bearer ${options.token}`) return send(response, 401, status(401, 'Unauthorized', 'Unauthorized'));
    const method = request.method ?? 'GET';
    if (method === 'GET' && url.pathname === '/version') return send(response, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0-modelyard-stand-in', platform: 'linux/amd64' });
    if (method === 'GET' && url.pathname === '/api')
      return send(response, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: url.host }] });
    if (method === 'GET' && url.pathname === '/api/v1') return send(response, 200, { kind: 'APIResourceList', groupVersion: 'v1', resources: [] });
    if (method === 'GET' && url.pathname === '/apis') {
      const version = { groupVersion: `${GROUP}/${VERSION}`, version: VERSION };
      return send(response, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: GROUP, versions: [version], preferredVersion: version }] });
    }
    if (method === 'GET' && url.pathname === `/apis/${GROUP}/${VERSION}`) {
      const verbs = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];
      return send(response, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: `${GROUP}/${VERSION}`,
        resources: [
          { name: 'inferenceservices', singularName: 'inferenceservice', namespaced: true, kind: 'InferenceService', verbs, shortNames: ['isvc'], categories: ['all'] },
          { name: 'inferenceservices/status', singularName: '', namespaced: true, kind: 'InferenceService', verbs: ['get', 'patch', 'update'] },
        ],
      });
    }
    if (method === 'GET' && url.pathname === '/openapi/v3')
      return send(response, 200, { paths: { [`apis/${GROUP}/${VERSION}`]: { serverRelativeURL: `/openapi/v3/apis/${GROUP}/${VERSION}?hash=standin1` } } });
    if (method === 'GET' && url.pathname === `/openapi/v3/apis/${GROUP}/${VERSION}`) return send(response, 200, groupOpenApi());
    const match = PATH.exec(url.pathname);
    if (!match) return send(response, 404, status(404, 'NotFound', 'the server could not find the requested resource', {}));
    const [, namespace = '', name, statusPath] = match;
    const notFound = (n: string) => status(404, 'NotFound', `inferenceservices.${GROUP} "${n}" not found`, { name: n, group: GROUP, kind: 'inferenceservices' });
    const stored = name === undefined ? undefined : objects.get(key(namespace, name));

    if (method === 'GET' && name === undefined) {
      const selector = url.searchParams.get('labelSelector') ?? '';
      const wanted = selector === '' ? [] : selector.split(',').map((term) => term.split('=') as [string, string]);
      const items = [...objects.values()].map((o) => o.object).filter((o) => o.metadata.namespace === namespace && wanted.every(([k, v]) => ((o.metadata.labels ?? {}) as Json)[k] === v));
      return send(response, 200, { apiVersion: `${GROUP}/${VERSION}`, kind: 'InferenceServiceList', metadata: { resourceVersion: String(resourceVersion) }, items });
    }
    if (method === 'GET') return stored ? send(response, 200, stored.object) : send(response, 404, notFound(name!));
    if (method === 'DELETE') {
      if (!stored) return send(response, 404, notFound(name!));
      objects.delete(key(namespace, name!));
      return send(response, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: GROUP, kind: 'inferenceservices', uid: stored.object.metadata.uid } });
    }

    let parsed: Json;
    try {
      parsed = parse(body) as Json;
    } catch (error) {
      return send(response, 400, status(400, 'BadRequest', `error decoding YAML: ${(error as Error).message}`));
    }
    const metadata = (parsed?.metadata ?? {}) as Json;
    const objectName = String(metadata.name ?? '');
    const invalid = (field: string, message: string) =>
      send(
        response,
        422,
        status(422, 'Invalid', `InferenceService.${GROUP} "${objectName}" is invalid: ${field}: ${message}`, {
          name: objectName,
          group: GROUP,
          kind: 'InferenceService',
          causes: [{ reason: 'FieldValueInvalid', message, field }],
        }),
      );
    if (parsed?.apiVersion !== `${GROUP}/${VERSION}` || parsed?.kind !== 'InferenceService') return invalid('kind', `must be InferenceService of ${GROUP}/${VERSION}`);
    if (!DNS_1035.test(objectName) || objectName.length > 63)
      return invalid(
        'metadata.name',
        `Invalid value: "${objectName}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character`,
      );

    if (method === 'POST' && name === undefined) {
      if (objects.has(key(namespace, objectName)))
        return send(response, 409, status(409, 'AlreadyExists', `inferenceservices.${GROUP} "${objectName}" already exists`, { name: objectName, group: GROUP, kind: 'inferenceservices' }));
      const created: StoredObject = {
        object: { ...parsed, metadata: { ...metadata, namespace, uid: `uid-${++uid}`, generation: 1, resourceVersion: String(++resourceVersion) } } as StoredObject['object'],
        managers: new Map([['before-first-apply', parsed]]),
      };
      objects.set(key(namespace, objectName), created);
      if (options.autoReady) ready(created);
      return send(response, 201, created.object);
    }
    if (method !== 'PATCH' || name === undefined || statusPath !== undefined)
      return send(response, 405, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
    if (request.headers['content-type'] !== 'application/apply-patch+yaml') {
      return send(
        response,
        415,
        status(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
        ),
      );
    }
    const manager = url.searchParams.get('fieldManager');
    if (!manager) return send(response, 400, status(400, 'BadRequest', 'PATCH, application/apply-patch+yaml: fieldManager is required for apply requests'));
    if (objectName !== name) return send(response, 400, status(400, 'BadRequest', `the name of the object (${objectName}) does not match the name on the URL (${name})`));
    const validation = url.searchParams.get('fieldValidation') ?? 'Warn';
    const unknown = unknownFields(parsed);
    if (validation === 'Strict' && unknown.length > 0) return send(response, 400, status(400, 'BadRequest', `.${unknown.map((f) => `${f}: field not declared in schema`).join(', ')}`));
    const force = url.searchParams.get('force') === 'true';
    const applied = { spec: parsed.spec ?? {}, labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {} };
    if (stored && !force) {
      const mine = leafPaths(applied, '', new Map());
      const conflicts: string[] = [];
      for (const [other, owned] of stored.managers) {
        if (other === manager) continue;
        for (const [field, value] of leafPaths(owned, '', new Map()))
          if (mine.has(field) && mine.get(field) !== value)
            conflicts.push(`conflict with "${other}": ${field.replace(/^\.labels/, '.metadata.labels').replace(/^\.annotations/, '.metadata.annotations')}`);
      }
      if (conflicts.length > 0) {
        return send(
          response,
          409,
          status(409, 'Conflict', `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${conflicts.join('\n')}`, {
            causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: c.split(': ')[0], field: c.split(': ')[1] })),
          }),
        );
      }
    }
    const next: StoredObject = stored ?? { object: { apiVersion: parsed.apiVersion, kind: parsed.kind, metadata: { name, namespace, uid: `uid-${++uid}`, generation: 0 } }, managers: new Map() };
    // With force, the applier takes the fields it sets from whoever owned them.
    if (force) for (const other of [...next.managers.keys()]) if (other !== manager) next.managers.delete(other);
    next.managers.set(manager, applied);
    const specChanged = JSON.stringify(next.object.spec) !== JSON.stringify(applied.spec);
    next.object.spec = applied.spec as Json;
    next.object.metadata = { ...next.object.metadata, labels: applied.labels, annotations: applied.annotations, resourceVersion: String(++resourceVersion) };
    if (specChanged) {
      next.object.metadata.generation = Number(next.object.metadata.generation ?? 0) + 1;
      next.object.status = {
        observedGeneration: Number(next.object.metadata.generation) - 1,
        conditions: [{ type: 'Ready', status: 'False', reason: 'PredictorNotReady', message: 'the new revision is starting' }],
      };
    }
    objects.set(key(namespace, name), next);
    if (options.autoReady) ready(next);
    return send(response, stored ? 200 : 201, next.object);
  };

  const tls = selfSignedCertificate();
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, Buffer.concat(chunks).toString('utf8'), response, `https://${request.headers.host ?? 'localhost'}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    caPem: tls.cert,
    token: options.token,
    requests,
    get: (namespace, name) => objects.get(key(namespace, name))?.object,
    markReady: (namespace, name) => {
      const stored = objects.get(key(namespace, name));
      if (!stored) throw new Error(`no InferenceService ${namespace}/${name}`);
      ready(stored);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * The OpenAPI v3 document of the group, as far as kubectl reads it: the apply PATCH operation,
 * tagged with its group, version and kind, and its `fieldValidation` parameter (so kubectl
 * leaves validation to the server, as with a real API server since Kubernetes 1.27).
 */
function groupOpenApi(): Json {
  const gvk = { group: GROUP, version: VERSION, kind: 'InferenceService' };
  const query = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: {
      [`/apis/${GROUP}/${VERSION}/namespaces/{namespace}/inferenceservices/{name}`]: {
        patch: {
          operationId: 'patchServingKserveIoV1beta1NamespacedInferenceService',
          'x-kubernetes-action': 'patch',
          'x-kubernetes-group-version-kind': gvk,
          parameters: [query('dryRun'), query('fieldManager'), query('fieldValidation'), { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } }],
          requestBody: { content: { 'application/apply-patch+yaml': { schema: { type: 'object' } } } },
          responses: { '200': { description: 'OK' }, '201': { description: 'Created' } },
        },
      },
    },
  };
}

let schema: Json | undefined;
/** Fields the InferenceService CRD's schema does not declare (what `fieldValidation=Strict` refuses). */
function unknownFields(object: Json): string[] {
  schema ??= JSON.parse(fs.readFileSync(path.join(kserveSchemasDir(), 'inferenceservice_v1beta1.json'), 'utf8')) as Json;
  const found: string[] = [];
  const walk = (value: unknown, node: Json | undefined, at: string) => {
    if (node === undefined || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, node.items as Json | undefined, `${at}[${i}]`));
      return;
    }
    const properties = node.properties as Record<string, Json> | undefined;
    for (const [field, child] of Object.entries(value)) {
      // metadata is the API server's ObjectMeta, which the CRD's schema does not spell out.
      if (at === '' && field === 'metadata') continue;
      const declared = properties?.[field];
      if (declared) walk(child, declared, at === '' ? field : `${at}.${field}`);
      else if (properties !== undefined && node.additionalProperties !== true && typeof node.additionalProperties !== 'object') found.push(at === '' ? field : `${at}.${field}`);
      else if (typeof node.additionalProperties === 'object') walk(child, node.additionalProperties as Json, `${at}.${field}`);
    }
  };
  walk(object, schema, '');
  return found;
}

/** A key and a self-signed certificate for 127.0.0.1, by openssl, in a scratch folder removed at once. */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-stand-in-tls-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=kubernetes-stand-in',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    return { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
