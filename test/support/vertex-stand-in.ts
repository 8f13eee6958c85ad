import { createHash, randomInt } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Vertex AI's REST API (aiplatform v1), built from Google's discovery
 * document (aiplatform.v1.json, as google-api-python-client and google-api-go-client ship it).
 *
 * The Model Registry, read side (what an import reads):
 *  - GET /v1/projects/{p}/locations/{l}/models?pageSize=&pageToken= → ListModelsResponse
 *    `{models: [Model], nextPageToken}` (each model at its default version);
 *  - GET /v1/{name} and /v1/{name}@{versionId|alias} → Model (projects.locations.models.get;
 *    without a version, the one whose versionAliases hold "default");
 *  - GET /v1/{name}:listVersions?pageSize=&pageToken= → ListModelVersionsResponse `{models, nextPageToken}`.
 * A Model carries the schema's field names: name (`projects/{number}/locations/{l}/models/{id}`,
 * the project by number as Google answers it, the version not in it), versionId, versionAliases,
 * versionCreateTime, versionUpdateTime, displayName, description, versionDescription, labels,
 * artifactUri, containerSpec, metadata, createTime, updateTime, and deployedModels
 * (DeployedModelRef `{endpoint, deployedModelId}`) once a version is deployed. Pages are at most
 * `pageSize` entries (the stand-in's own cap, default 1, so that every listing has pages).
 *
 * Uploading and deploying (what an export does):
 *  - POST /v1/projects/{p}/locations/{l}/models:upload (UploadModelRequest `{model, parentModel?,
 *    modelId?}`) → Operation; done, its response is UploadModelResponse `{model, modelVersionId}`
 *    and the model (or the new version of parentModel) is readable by the uploading account. With
 *    `storageUrl` (a fake-gcs-server), a model.artifactUri under which Cloud Storage lists no
 *    object fails the operation (code 3);
 *  - POST /v1/projects/{p}/locations/{l}/endpoints?endpointId= (Endpoint, displayName required)
 *    → Operation with the Endpoint as its response; GET .../endpoints and .../endpoints/{id};
 *  - PATCH .../endpoints/{id}?updateMask= (displayName, description, labels, trafficSplit: the
 *    synchronous endpoints.patch) → Endpoint;
 *  - POST .../endpoints/{id}:deployModel (DeployModelRequest `{deployedModel, trafficSplit}`, "0"
 *    standing for the model being deployed) and :undeployModel (`{deployedModelId, trafficSplit}`)
 *    → Operation; the endpoint changes when the operation is done;
 *  - POST .../endpoints/{id}:predict (`{instances}` → `{predictions, deployedModelId, ...}`) and
 *    :rawPredict (the JSON body as is, with the X-Vertex-AI-Endpoint-Id and
 *    X-Vertex-AI-Deployed-Model-Id headers): each prediction is the serving DeployedModel's
 *    displayName, the DeployedModel drawn by the traffic split's weights.
 *  - GET /v1/{operation name} (`.../endpoints/{id}/operations/{op}`, `.../models/{id}/operations/{op}`,
 *    `projects/{p}/locations/{l}/operations/{op}`), and the same under /ui/: Google's REST clients
 *    poll there (the first of the operations client's URI templates, in google-cloud-aiplatform's
 *    REST transports, is `/ui/{name=projects/*\/locations/*\/.../operations/*}`). An operation
 *    answers `done: false` to its first `operationPolls` GETs (default 1) and is done from the next
 *    one on, when its effect happens. Its metadata is `google.cloud.aiplatform.v1.<Kind>OperationMetadata`
 *    `{genericMetadata: {createTime, updateTime}}`, its response an Any of the method's response
 *    type: nothing but the proto's fields, as google-api-core parses an Operation strictly.
 *
 * What Google's REST clients send besides: `@` of a version in a name as %40 (paths are matched
 * decoded), `$alt=json;enum-encoding=int` in every query (enums of request bodies as numbers),
 * the update mask as `updateMask=trafficSplit` (camelCase paths; snake_case ones are taken too).
 *
 * Errors are GoogleRpcStatus bodies `{error: {code, message, status}}`: 401 UNAUTHENTICATED without
 * a valid bearer token, 403 PERMISSION_DENIED for an account a model does not grant, 404
 * NOT_FOUND, 400 INVALID_ARGUMENT / FAILED_PRECONDITION, 409 ALREADY_EXISTS / ABORTED (etag).
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

export type VertexOperationKind = 'deployModel' | 'undeployModel' | 'upload' | 'createEndpoint' | 'deleteEndpoint';

export interface VertexStandInOptions {
  /** The most entries a page of a listing holds (default 1). */
  pageSize?: number;
  /** How many GETs of an operation answer `done: false` before it is done (default 1). */
  operationPolls?: number;
  /** A fake-gcs-server's base URL: uploads check that their artifactUri holds an object. */
  storageUrl?: string;
  /** Project id → project number, for the names of created resources. */
  projectNumbers?: Record<string, string>;
}

export interface VertexStandIn {
  url: string;
  port: number;
  log: { method: string; path: string; account: string | null; status: number }[];
  nameOf(model: VertexModelSpec): string;
  /** Every endpoint (created ones, once their operation is done), as GET answers it. */
  endpoints(): Record<string, unknown>[];
  /** Every uploaded model version (the Model at that version), in the order of the uploads. */
  uploadedModels(): Record<string, unknown>[];
  /** The next operation of that kind completes with `error` {code (13 INTERNAL unless 9 FAILED_PRECONDITION is asked), message}. */
  failNextOperation(kind: VertexOperationKind, message: string, code?: 9 | 13): void;
  close(): Promise<void>;
}

const CREATED = '2026-11-30T10:00:00.000000Z';
const TYPE = 'type.googleapis.com/google.cloud.aiplatform.v1.';
const METADATA_TYPES: Record<VertexOperationKind, string> = {
  createEndpoint: 'CreateEndpointOperationMetadata',
  deployModel: 'DeployModelOperationMetadata',
  undeployModel: 'UndeployModelOperationMetadata',
  upload: 'UploadModelOperationMetadata',
  // endpoints.delete answers the generic DeleteOperationMetadata (GoogleCloudAiplatformV1DeleteOperationMetadata), and Empty once done.
  deleteEndpoint: 'DeleteOperationMetadata',
};
const STATUS_NAMES: Record<number, [number, string]> = {
  3: [400, 'INVALID_ARGUMENT'],
  5: [404, 'NOT_FOUND'],
  6: [409, 'ALREADY_EXISTS'],
  7: [403, 'PERMISSION_DENIED'],
  9: [400, 'FAILED_PRECONDITION'],
  10: [409, 'ABORTED'],
  13: [500, 'INTERNAL'],
};

/** A refusal: answered as GoogleRpcStatus `{error: {code: http, message, status}}`. */
class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
const invalid = (message: string) => new RpcError(3, message);
/** Vertex AI's wording for a request that misses a required field. */
const required = (field: string) => invalid(`List of found errors:\t1.Field: ${field}; Message: Required field is not set.\t`);

interface DeployedModelState {
  id: string;
  model: VertexModelSpec;
  version: VertexVersionSpec;
  displayName: string;
  createTime: string;
  resources: Record<string, unknown>;
}

interface EndpointState {
  projectNumber: string;
  location: string;
  id: string;
  displayName: string;
  description?: string;
  labels: Record<string, string>;
  deployedModels: DeployedModelState[];
  trafficSplit: Record<string, number>;
  createTime: string;
  updateTime: string;
  revision: number;
  /** DeployedModel ids of deployments whose operation is not done yet. */
  pendingIds: Set<string>;
}

type Outcome = { response: Record<string, unknown> } | { error: { code: number; message: string } };

interface OperationState {
  id: string;
  name: string;
  kind: VertexOperationKind;
  projectNumber: string;
  location: string;
  createTime: string;
  updateTime: string;
  gets: number;
  outcome: Outcome | null;
  forced: { code: number; message: string } | null;
  complete(): Outcome;
  /** Runs when the operation is done, whatever its outcome (releases reserved ids). */
  settle(): void;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const now = () => new Date().toISOString();
/** A resource id as Google makes them: 19 decimal digits. */
const generatedId = () => `${randomInt(1_000_000_000, 10_000_000_000)}${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;

export async function startVertexStandIn(models: VertexModelSpec[], accountOf: (token: string) => string | null, options: VertexStandInOptions = {}): Promise<VertexStandIn> {
  const cap = options.pageSize ?? 1;
  const polls = options.operationPolls ?? 1;
  const numbers = options.projectNumbers ?? {};
  const log: VertexStandIn['log'] = [];
  const nameOf = (model: VertexModelSpec) => `projects/${model.projectNumber}/locations/${model.location}/models/${model.id}`;
  const uploaded: VertexModelSpec[] = [];
  const uploads: { model: VertexModelSpec; version: VertexVersionSpec }[] = [];
  /** Creation times of uploaded versions (the given ones have theirs from CREATED and their index). */
  const versionTimes = new Map<VertexVersionSpec, string>();
  /** `{number}/{location}/{id}` of models and endpoints whose creating operation is not done yet. */
  const pendingModels = new Set<string>();
  const pendingEndpoints = new Set<string>();
  const endpoints = new Map<string, EndpointState>();
  const operations = new Map<string, OperationState>();
  const failures: { kind: VertexOperationKind; code: number; message: string }[] = [];
  let operationCounter = 0;

  const allModels = () => [...models, ...uploaded];
  function projectNumberOf(project: string): string {
    if (numbers[project] !== undefined) return numbers[project];
    return allModels().find((m) => m.project === project)?.projectNumber ?? project;
  }
  function projectIdOf(projectNumber: string): string {
    const named = Object.entries(numbers).find(([, n]) => n === projectNumber);
    if (named) return named[0];
    return allModels().find((m) => m.projectNumber === projectNumber)?.project ?? projectNumber;
  }
  const findModel = (project: string, location: string, id: string) => allModels().find((m) => (m.project === project || m.projectNumber === project) && m.location === location && m.id === id);
  const defaultVersion = (model: VertexModelSpec) => model.versions.find((v) => v.versionAliases?.includes('default')) ?? model.versions[model.versions.length - 1]!;
  const endpointName = (e: EndpointState) => `projects/${e.projectNumber}/locations/${e.location}/endpoints/${e.id}`;

  function resource(model: VertexModelSpec, version: VertexVersionSpec): Record<string, unknown> {
    const index = model.versions.indexOf(version);
    const time = versionTimes.get(version) ?? new Date(Date.parse(CREATED) + index * 60_000).toISOString();
    const deployedModels = [...endpoints.values()].flatMap((e) =>
      e.deployedModels.filter((d) => d.model === model && d.version === version).map((d) => ({ endpoint: endpointName(e), deployedModelId: d.id })),
    );
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
      ...(deployedModels.length === 0 ? {} : { deployedModels }),
      supportedExportFormats: [],
      createTime: (model.versions[0] && versionTimes.get(model.versions[0])) ?? CREATED,
      updateTime: time,
      etag: `AMEw9yN${index}`,
    };
  }

  function deployedModelJson(d: DeployedModelState): Record<string, unknown> {
    const replicas = (d.resources.dedicatedResources ?? d.resources.automaticResources) as { minReplicaCount?: number } | undefined;
    return {
      id: d.id,
      model: nameOf(d.model),
      modelVersionId: d.version.versionId,
      displayName: d.displayName,
      createTime: d.createTime,
      ...d.resources,
      status: { availableReplicaCount: replicas?.minReplicaCount ?? 1, lastUpdateTime: d.createTime },
    };
  }

  function endpointJson(e: EndpointState): Record<string, unknown> {
    return {
      name: endpointName(e),
      displayName: e.displayName,
      ...(e.description === undefined ? {} : { description: e.description }),
      deployedModels: e.deployedModels.map(deployedModelJson),
      trafficSplit: { ...e.trafficSplit },
      etag: etagOf(e),
      labels: { ...e.labels },
      createTime: e.createTime,
      updateTime: e.updateTime,
    };
  }
  const etagOf = (e: EndpointState) =>
    `AMEw9yP${createHash('sha256')
      .update(`${endpointName(e)}#${e.revision}`)
      .digest('base64url')
      .slice(0, 20)}`;
  function touch(e: EndpointState) {
    e.revision += 1;
    e.updateTime = now();
  }

  function page<T>(items: T[], url: URL): { items: T[]; next: string | null } {
    const asked = Number(url.searchParams.get('pageSize') ?? cap);
    const size = Math.max(1, Math.min(cap, Number.isFinite(asked) && asked > 0 ? asked : cap));
    const start = Number(url.searchParams.get('pageToken') || 0);
    const slice = items.slice(start, start + size);
    return { items: slice, next: start + size < items.length ? String(start + size) : null };
  }

  /** A traffic split as the schema has it: DeployedModel id → percentage, summing to 100 (or empty). */
  function trafficSplitOf(value: unknown, field: string, ids: Set<string>): Record<string, number> {
    if (value === undefined || value === null) return {};
    if (!isObject(value)) throw invalid(`Invalid value at '${field}': a map of DeployedModel ids to percentages is expected.`);
    const split: Record<string, number> = {};
    for (const [id, share] of Object.entries(value)) {
      if (typeof share !== 'number' || !Number.isInteger(share) || share < 0 || share > 100) throw invalid(`Invalid value at '${field}' (${id}): the percentage must be an integer from 0 to 100.`);
      if (!ids.has(id)) throw invalid(`${field} refers to DeployedModel ${id}, which is not deployed in the Endpoint.`);
      split[id] = share;
    }
    const total = Object.values(split).reduce((sum, share) => sum + share, 0);
    if (Object.keys(split).length > 0 && total !== 100) throw invalid(`The sum of the values in ${field} must be 100, not ${total}.`);
    return split;
  }

  function startOperation(kind: VertexOperationKind, parent: string, projectNumber: string, location: string, complete: () => Outcome, settle: () => void = () => {}): OperationState {
    const id = `${randomInt(1_000_000_000, 10_000_000_000)}${String(++operationCounter).padStart(9, '0')}`;
    const failure = failures.findIndex((f) => f.kind === kind);
    const forced = failure < 0 ? null : failures.splice(failure, 1)[0]!;
    const time = now();
    const op: OperationState = {
      id,
      name: `${parent}/operations/${id}`,
      kind,
      projectNumber,
      location,
      createTime: time,
      updateTime: time,
      gets: 0,
      outcome: null,
      forced: forced && { code: forced.code, message: forced.message },
      complete,
      settle,
    };
    operations.set(id, op);
    return op;
  }

  function operationJson(op: OperationState): Record<string, unknown> {
    const metadata: Record<string, unknown> = { '@type': TYPE + METADATA_TYPES[op.kind], genericMetadata: { createTime: op.createTime, updateTime: op.updateTime } };
    if (op.kind === 'deployModel') metadata.deploymentStage = op.outcome === null ? 'STARTING_DEPLOYMENT' : 'response' in op.outcome ? 'SUCCESSFULLY_DEPLOYED' : 'FAILED_TO_DEPLOY';
    return { name: op.name, metadata, done: op.outcome !== null, ...(op.outcome ?? {}) };
  }

  function finish(op: OperationState) {
    try {
      op.outcome = op.forced ? { error: op.forced } : op.complete();
    } catch (error) {
      op.outcome = { error: error instanceof RpcError ? { code: error.code, message: error.message } : { code: 13, message: String(error) } };
    }
    op.updateTime = now();
    op.settle();
  }

  function requireEndpoint(project: string, location: string, id: string): EndpointState {
    const endpoint = endpoints.get(`${projectNumberOf(project)}/${location}/${id}`);
    if (!endpoint) throw new RpcError(5, `Endpoint \`projects/${project}/locations/${location}/endpoints/${id}\` not found.`);
    return endpoint;
  }

  /** A readable model at a version, from `projects/{p}/locations/{l}/models/{id}[@{version|alias}]`. */
  function modelAt(name: unknown, field: string, account: string): { model: VertexModelSpec; version: VertexVersionSpec; versionGiven: boolean } {
    if (typeof name !== 'string' || name === '') throw required(field);
    const match = /^projects\/([^/]+)\/locations\/([^/]+)\/models\/([^/@]+)(?:@([^/@]+))?$/.exec(name);
    if (!match) throw invalid(`Invalid Model resource name: ${name}. It must be projects/{project}/locations/{location}/models/{model}[@{version}].`);
    const [, project, location, id, versionName] = match as unknown as [string, string, string, string, string | undefined];
    const model = findModel(project, location, id);
    if (!model || !model.readers.includes(account)) throw new RpcError(5, `Model ${name} not found.`);
    const version = versionName === undefined ? defaultVersion(model) : model.versions.find((v) => v.versionId === versionName || v.versionAliases?.includes(versionName));
    if (!version) throw new RpcError(5, `Model ${name} not found: the model has no version ${versionName}.`);
    return { model, version, versionGiven: versionName !== undefined };
  }

  async function artifactProblem(artifactUri: string): Promise<{ code: number; message: string } | null> {
    if (options.storageUrl === undefined || artifactUri === '') return null;
    const [, bucket, path = ''] = /^gs:\/\/([^/]+)(?:\/(.*))?$/.exec(artifactUri)!;
    const prefix = path === '' || path.endsWith('/') ? path : `${path}/`;
    try {
      const res = await fetch(`${options.storageUrl}/storage/v1/b/${encodeURIComponent(bucket!)}/o?prefix=${encodeURIComponent(prefix)}&maxResults=1`);
      if (res.status === 404) return { code: 3, message: `The Cloud Storage bucket of ${artifactUri} does not exist or is not readable by the Vertex AI Service Agent.` };
      if (!res.ok) return { code: 13, message: `Listing ${artifactUri} failed: Cloud Storage answered ${res.status}.` };
      const listing = (await res.json()) as { items?: unknown[] };
      return listing.items?.length ? null : { code: 3, message: `There are no files under "${artifactUri}" to copy.` };
    } catch (error) {
      return { code: 13, message: `Listing ${artifactUri} failed: ${String(error)}` };
    }
  }

  // ---- Model Registry ----

  function readModels(url: URL, path: string, account: string): [number, unknown] {
    const match = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/models(?:\/([^/@:]+)(?:@([^/:]+))?(:listVersions)?)?$/.exec(path);
    if (!match) throw new RpcError(5, `The requested URL ${url.pathname} was not found on this server.`);
    const [, project, location, id, version, listVersions] = match as unknown as [string, string, string, string | undefined, string | undefined, string | undefined];
    const inScope = allModels().filter((m) => (m.project === project || m.projectNumber === project) && m.location === location);
    if (id === undefined) {
      const readable = inScope.filter((m) => m.readers.includes(account));
      const { items, next } = page(readable, url);
      return [200, { models: items.map((m) => resource(m, defaultVersion(m))), ...(next === null ? {} : { nextPageToken: next }) }];
    }
    const model = inScope.find((m) => m.id === id);
    const target = `projects/${project}/locations/${location}/models/${id}`;
    if (!model || !model.readers.includes(account)) {
      // As Google answers: no telling "missing" from "not yours" for a model the caller may not read.
      throw new RpcError(7, `Permission 'aiplatform.models.get' denied on resource '//aiplatform.googleapis.com/${target}' (or it may not exist).`);
    }
    if (listVersions !== undefined) {
      if (version !== undefined) throw invalid('Version should not be specified in the model name for ListModelVersions.');
      const { items, next } = page(model.versions, url);
      return [200, { models: items.map((v) => resource(model, v)), ...(next === null ? {} : { nextPageToken: next }) }];
    }
    const chosen =
      version === undefined ? model.versions.find((v) => v.versionAliases?.includes('default')) : model.versions.find((v) => v.versionId === version || v.versionAliases?.includes(version));
    if (!chosen) throw new RpcError(5, `The Model does not exist.`);
    return [200, resource(model, chosen)];
  }

  async function upload(project: string, location: string, body: Record<string, unknown>, account: string): Promise<[number, unknown]> {
    const spec = body.model;
    if (!isObject(spec)) throw required('model');
    if (typeof spec.displayName !== 'string' || spec.displayName === '') throw required('model.display_name');
    if (spec.displayName.length > 128) throw invalid('model.display_name is longer than 128 characters.');
    const container = spec.containerSpec;
    if (!isObject(container) || typeof container.imageUri !== 'string' || container.imageUri === '') throw required('model.container_spec.image_uri');
    const artifactUri = spec.artifactUri ?? '';
    if (typeof artifactUri !== 'string' || (artifactUri !== '' && !/^gs:\/\/[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](\/.*)?$/.test(artifactUri))) {
      throw invalid(`model.artifact_uri must be a Cloud Storage URI (gs://bucket/path), not ${JSON.stringify(artifactUri)}.`);
    }
    const labels = spec.labels ?? {};
    if (!isObject(labels) || Object.values(labels).some((v) => typeof v !== 'string')) throw invalid('model.labels must map strings to strings.');
    const aliases = spec.versionAliases ?? [];
    if (!Array.isArray(aliases) || aliases.some((a) => typeof a !== 'string' || !/^[a-z][a-z0-9-]{0,126}[a-z0-9]$/.test(a) || a === 'default')) {
      throw invalid('model.version_aliases: each alias must match [a-z][a-z0-9-]{0,126}[a-z0-9], and "default" is given by Vertex AI.');
    }
    for (const field of ['description', 'versionDescription'] as const) {
      if (spec[field] !== undefined && typeof spec[field] !== 'string') throw invalid(`model.${field} must be a string.`);
    }
    const projectNumber = projectNumberOf(project);
    let parent: VertexModelSpec | null = null;
    if (body.parentModel !== undefined && body.parentModel !== '') {
      const found = modelAt(body.parentModel, 'parent_model', account);
      if (found.versionGiven) throw invalid('parent_model must name a model, not a version of it.');
      if (found.model.projectNumber !== projectNumber || found.model.location !== location)
        throw invalid(`parent_model ${String(body.parentModel)} is not in projects/${project}/locations/${location}.`);
      parent = found.model;
      const taken = aliases.find((a) => parent!.versions.some((v) => v.versionAliases?.includes(a as string)));
      if (taken !== undefined) throw invalid(`The version alias ${String(taken)} is already used by another version of ${nameOf(parent)}.`);
    }
    const modelId = body.modelId ?? '';
    if (typeof modelId !== 'string' || (modelId !== '' && !/^[a-z_][a-z0-9_-]{0,62}$/.test(modelId))) {
      throw invalid(`model_id ${JSON.stringify(modelId)} is invalid: up to 63 characters of [a-z0-9_-], the first not a number or hyphen.`);
    }
    if (parent && modelId !== '' && modelId !== parent.id) throw invalid(`model_id ${modelId} does not match parent_model ${nameOf(parent)}.`);
    let id = parent?.id ?? modelId;
    if (!parent) {
      if (id === '') {
        do id = generatedId();
        while (findModel(projectNumber, location, id) || pendingModels.has(`${projectNumber}/${location}/${id}`));
      } else if (findModel(projectNumber, location, id) || pendingModels.has(`${projectNumber}/${location}/${id}`)) {
        throw new RpcError(6, `Model projects/${projectNumber}/locations/${location}/models/${id} already exists.`);
      }
      pendingModels.add(`${projectNumber}/${location}/${id}`);
    }
    const problem = await artifactProblem(artifactUri);
    const version: VertexVersionSpec = {
      versionId: '',
      displayName: spec.displayName,
      ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
      ...(typeof spec.versionDescription === 'string' ? { versionDescription: spec.versionDescription } : {}),
      ...(Object.keys(labels).length > 0 ? { labels: labels as Record<string, string> } : {}),
      artifactUri,
      containerSpec: container as unknown as VertexContainerSpec,
      ...(spec.metadata === undefined ? {} : { metadata: spec.metadata }),
    };
    const op = startOperation(
      'upload',
      `projects/${projectNumber}/locations/${location}/models/${id}`,
      projectNumber,
      location,
      () => {
        if (problem) return { error: problem };
        let model = parent;
        if (model) {
          version.versionId = String(Math.max(0, ...model.versions.map((v) => Number(v.versionId) || 0)) + 1);
          version.versionAliases = aliases as string[];
        } else {
          model = { project: projectIdOf(projectNumber), projectNumber, location, id, readers: [account], versions: [] };
          uploaded.push(model);
          version.versionId = '1';
          version.versionAliases = ['default', ...(aliases as string[])];
        }
        versionTimes.set(version, now());
        model.versions.push(version);
        uploads.push({ model, version });
        return { response: { '@type': `${TYPE}UploadModelResponse`, model: nameOf(model), modelVersionId: version.versionId } };
      },
      () => pendingModels.delete(`${projectNumber}/${location}/${id}`),
    );
    return [200, operationJson(op)];
  }

  // ---- Endpoints ----

  function createEndpoint(project: string, location: string, url: URL, body: Record<string, unknown>): [number, unknown] {
    const given = url.searchParams.get('endpointId') ?? url.searchParams.get('endpoint_id') ?? '';
    if (given !== '' && !/^(?:[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?|[1-9][0-9]{0,8})$/.test(given)) {
      throw invalid(
        `endpoint_id ${JSON.stringify(given)} is invalid: starting with a letter, up to 63 characters of [a-z0-9-] ending in a letter or number; starting with a number, up to 9 digits without a leading zero.`,
      );
    }
    if (typeof body.displayName !== 'string' || body.displayName === '') throw required('endpoint.display_name');
    if (body.displayName.length > 128) throw invalid('endpoint.display_name is longer than 128 characters.');
    const labels = body.labels ?? {};
    if (!isObject(labels) || Object.values(labels).some((v) => typeof v !== 'string')) throw invalid('endpoint.labels must map strings to strings.');
    if (body.description !== undefined && typeof body.description !== 'string') throw invalid('endpoint.description must be a string.');
    const projectNumber = projectNumberOf(project);
    const key = (id: string) => `${projectNumber}/${location}/${id}`;
    let id = given;
    if (id === '') {
      do id = generatedId();
      while (endpoints.has(key(id)) || pendingEndpoints.has(key(id)));
    } else if (endpoints.has(key(id)) || pendingEndpoints.has(key(id))) {
      throw new RpcError(6, `Endpoint projects/${projectNumber}/locations/${location}/endpoints/${id} already exists.`);
    }
    pendingEndpoints.add(key(id));
    const displayName = body.displayName;
    const description = body.description as string | undefined;
    const op = startOperation(
      'createEndpoint',
      `projects/${projectNumber}/locations/${location}/endpoints/${id}`,
      projectNumber,
      location,
      () => {
        const time = now();
        const endpoint: EndpointState = {
          projectNumber,
          location,
          id,
          displayName,
          ...(description === undefined ? {} : { description }),
          labels: labels as Record<string, string>,
          deployedModels: [],
          trafficSplit: {},
          createTime: time,
          updateTime: time,
          revision: 0,
          pendingIds: new Set(),
        };
        endpoints.set(key(id), endpoint);
        return { response: { '@type': `${TYPE}Endpoint`, ...endpointJson(endpoint) } };
      },
      () => pendingEndpoints.delete(key(id)),
    );
    return [200, operationJson(op)];
  }

  function patchEndpoint(endpoint: EndpointState, url: URL, body: Record<string, unknown>): [number, unknown] {
    const mask = url.searchParams.get('updateMask') ?? url.searchParams.get('update_mask') ?? '';
    if (mask.trim() === '') throw required('update_mask');
    const paths = mask.split(',').map((p) => p.trim().replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    const unknown = paths.find((p) => !['display_name', 'description', 'labels', 'traffic_split'].includes(p));
    if (unknown !== undefined) throw invalid(`update_mask path "${unknown}" is not an updatable field of Endpoint (display_name, description, labels, traffic_split).`);
    if (typeof body.etag === 'string' && body.etag !== '' && body.etag !== etagOf(endpoint)) {
      throw new RpcError(10, `The etag ${body.etag} of the Endpoint does not match its current one: it changed since it was read.`);
    }
    const changes: Partial<EndpointState> = {};
    if (paths.includes('display_name')) {
      if (typeof body.displayName !== 'string' || body.displayName === '') throw required('endpoint.display_name');
      changes.displayName = body.displayName;
    }
    if (paths.includes('description')) {
      if (body.description !== undefined && typeof body.description !== 'string') throw invalid('endpoint.description must be a string.');
      changes.description = (body.description as string | undefined) ?? '';
    }
    if (paths.includes('labels')) {
      const labels = body.labels ?? {};
      if (!isObject(labels) || Object.values(labels).some((v) => typeof v !== 'string')) throw invalid('endpoint.labels must map strings to strings.');
      changes.labels = labels as Record<string, string>;
    }
    if (paths.includes('traffic_split')) {
      changes.trafficSplit = trafficSplitOf(body.trafficSplit, 'endpoint.traffic_split', new Set(endpoint.deployedModels.map((d) => d.id)));
    }
    Object.assign(endpoint, changes);
    if (changes.description === '') delete endpoint.description;
    touch(endpoint);
    return [200, endpointJson(endpoint)];
  }

  function resourcesOf(deployed: Record<string, unknown>): Record<string, unknown> {
    const { dedicatedResources: dedicated, automaticResources: automatic } = deployed;
    const count = (value: unknown, field: string, least: number): number | undefined => {
      if (value === undefined) return undefined;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < least) throw invalid(`${field} must be an integer of at least ${least}.`);
      return value;
    };
    if (dedicated !== undefined && automatic !== undefined) throw invalid('Only one of deployed_model.dedicated_resources and deployed_model.automatic_resources may be set.');
    if (isObject(dedicated)) {
      const machine = dedicated.machineSpec;
      if (!isObject(machine) || typeof machine.machineType !== 'string' || machine.machineType === '') throw required('deployed_model.dedicated_resources.machine_spec.machine_type');
      if (dedicated.minReplicaCount === undefined) throw required('deployed_model.dedicated_resources.min_replica_count');
      const min = count(dedicated.minReplicaCount, 'deployed_model.dedicated_resources.min_replica_count', 1)!;
      const max = count(dedicated.maxReplicaCount, 'deployed_model.dedicated_resources.max_replica_count', min) ?? min;
      const machineSpec: Record<string, unknown> = { machineType: machine.machineType };
      if (machine.acceleratorType !== undefined) machineSpec.acceleratorType = machine.acceleratorType;
      if (machine.acceleratorCount !== undefined) machineSpec.acceleratorCount = count(machine.acceleratorCount, 'deployed_model.dedicated_resources.machine_spec.accelerator_count', 0);
      return { dedicatedResources: { machineSpec, minReplicaCount: min, maxReplicaCount: max } };
    }
    if (isObject(automatic)) {
      const min = count(automatic.minReplicaCount, 'deployed_model.automatic_resources.min_replica_count', 1) ?? 1;
      const max = count(automatic.maxReplicaCount, 'deployed_model.automatic_resources.max_replica_count', min) ?? min;
      return { automaticResources: { minReplicaCount: min, maxReplicaCount: max } };
    }
    throw invalid('deployed_model needs its resources: dedicated_resources (machine_spec.machine_type, min_replica_count ≥ 1) or automatic_resources.');
  }

  function deployModel(endpoint: EndpointState, body: Record<string, unknown>, account: string): [number, unknown] {
    const deployed = body.deployedModel;
    if (!isObject(deployed)) throw required('deployed_model');
    const { model, version } = modelAt(deployed.model, 'deployed_model.model', account);
    const resources = resourcesOf(deployed);
    const given: unknown = deployed.id ?? '';
    if (typeof given !== 'string' || (given !== '' && !/^[0-9]{1,10}$/.test(given))) throw invalid(`deployed_model.id ${JSON.stringify(given)} is invalid: 1 to 10 digits.`);
    let id = given;
    const taken = (candidate: string) => endpoint.deployedModels.some((d) => d.id === candidate) || endpoint.pendingIds.has(candidate);
    if (id === '') {
      do id = generatedId();
      while (taken(id));
    } else if (taken(id)) {
      throw new RpcError(6, `A DeployedModel with ID ${id} already exists in Endpoint ${endpointName(endpoint)}.`);
    }
    if (deployed.displayName !== undefined && typeof deployed.displayName !== 'string') throw invalid('deployed_model.display_name must be a string.');
    const displayName = (deployed.displayName as string | undefined) || version.displayName;
    const split = trafficSplitOf(body.trafficSplit, 'traffic_split', new Set([...endpoint.deployedModels.map((d) => d.id), '0']));
    const newId = id;
    endpoint.pendingIds.add(newId);
    const op = startOperation(
      'deployModel',
      endpointName(endpoint),
      endpoint.projectNumber,
      endpoint.location,
      () => {
        const state: DeployedModelState = { id: newId, model, version, displayName, createTime: now(), resources };
        const next = Object.fromEntries(Object.entries(split).map(([key, share]) => [key === '0' ? newId : key, share]));
        const gone = Object.keys(next).find((key) => key !== newId && !endpoint.deployedModels.some((d) => d.id === key));
        if (gone !== undefined) return { error: { code: 9, message: `traffic_split refers to DeployedModel ${gone}, which is no longer deployed in the Endpoint.` } };
        endpoint.deployedModels.push(state);
        if (Object.keys(next).length > 0) endpoint.trafficSplit = next;
        touch(endpoint);
        return { response: { '@type': `${TYPE}DeployModelResponse`, deployedModel: deployedModelJson(state) } };
      },
      () => endpoint.pendingIds.delete(newId),
    );
    return [200, operationJson(op)];
  }

  /** Why the DeployedModel may not go (it would keep traffic), or null. */
  function undeployProblem(endpoint: EndpointState, id: string, given: Record<string, number>): string | null {
    const effective = Object.keys(given).length > 0 ? given : endpoint.trafficSplit;
    if (endpoint.deployedModels.length > 1 && (effective[id] ?? 0) > 0) {
      return `DeployedModel ${id} has ${effective[id]}% of the traffic of Endpoint ${endpointName(endpoint)}: give its traffic to other DeployedModels (traffic_split) before undeploying it.`;
    }
    return null;
  }

  function undeployModel(endpoint: EndpointState, body: Record<string, unknown>): [number, unknown] {
    const id = body.deployedModelId;
    if (typeof id !== 'string' || id === '') throw required('deployed_model_id');
    if (!endpoint.deployedModels.some((d) => d.id === id)) throw new RpcError(5, `DeployedModel ${id} not found in Endpoint ${endpointName(endpoint)}.`);
    const given = trafficSplitOf(body.trafficSplit, 'traffic_split', new Set(endpoint.deployedModels.map((d) => d.id)));
    const problem = undeployProblem(endpoint, id, given);
    if (problem) throw new RpcError(9, problem);
    const op = startOperation('undeployModel', endpointName(endpoint), endpoint.projectNumber, endpoint.location, () => {
      if (!endpoint.deployedModels.some((d) => d.id === id)) return { error: { code: 5, message: `DeployedModel ${id} not found in Endpoint ${endpointName(endpoint)}.` } };
      const late = undeployProblem(endpoint, id, given);
      if (late) return { error: { code: 9, message: late } };
      const effective = Object.keys(given).length > 0 ? given : endpoint.trafficSplit;
      endpoint.deployedModels = endpoint.deployedModels.filter((d) => d.id !== id);
      endpoint.trafficSplit = endpoint.deployedModels.length === 0 ? {} : Object.fromEntries(Object.entries(effective).filter(([key]) => key !== id));
      touch(endpoint);
      return { response: { '@type': `${TYPE}UndeployModelResponse` } };
    });
    return [200, operationJson(op)];
  }

  /** endpoints.delete: only an endpoint without deployed models (Vertex refuses the others). */
  function deleteEndpoint(endpoint: EndpointState): [number, unknown] {
    if (endpoint.deployedModels.length > 0) throw new RpcError(9, `Endpoint ${endpointName(endpoint)} has deployed models: undeploy them before deleting it.`);
    const key = `${endpoint.projectNumber}/${endpoint.location}/${endpoint.id}`;
    const op = startOperation('deleteEndpoint', endpointName(endpoint), endpoint.projectNumber, endpoint.location, () => {
      endpoints.delete(key);
      return { response: { '@type': 'type.googleapis.com/google.protobuf.Empty' } };
    });
    return [200, operationJson(op)];
  }

  /** The DeployedModel a request goes to, drawn by the traffic split's weights. */
  function servingModel(endpoint: EndpointState): DeployedModelState {
    const shares = Object.entries(endpoint.trafficSplit).filter(([, share]) => share > 0);
    const total = shares.reduce((sum, [, share]) => sum + share, 0);
    if (total === 0) throw new RpcError(9, `Endpoint ${endpointName(endpoint)} has no DeployedModel with traffic: its traffic_split gives none.`);
    let draw = randomInt(0, total);
    for (const [id, share] of shares) {
      if (draw < share) return endpoint.deployedModels.find((d) => d.id === id)!;
      draw -= share;
    }
    throw new Error('unreachable');
  }

  // ---- Operations ----

  function getOperation(name: string): [number, unknown] {
    const match = /^projects\/([^/]+)\/locations\/([^/]+)\/(?:(endpoints|models)\/([^/]+)\/)?operations\/([^/]+)$/.exec(name)!;
    const [, project, location, collection, resourceId, id] = match as unknown as [string, string, string, string | undefined, string | undefined, string];
    const op = operations.get(id);
    const scope = collection === undefined ? '' : `/${collection}/${resourceId}`;
    const canonical = `projects/${projectNumberOf(project)}/locations/${location}${scope}/operations/${id}`;
    const atLocation = collection === undefined && op?.projectNumber === projectNumberOf(project) && op.location === location;
    if (!op || (canonical !== op.name && !atLocation)) throw new RpcError(5, `Operation ${name} not found.`);
    if (op.outcome === null) {
      op.gets += 1;
      if (op.gets > polls) finish(op);
    }
    return [200, operationJson(op)];
  }

  // ---- The server ----

  async function readBody(request: http.IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  function jsonOf(raw: Buffer): Record<string, unknown> {
    if (raw.length === 0) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw invalid('Invalid JSON payload received. Unexpected token.');
    }
    if (!isObject(parsed)) throw invalid('Invalid JSON payload received. Expected an object.');
    return parsed;
  }

  async function route(request: http.IncomingMessage, url: URL, account: string, reply: (status: number, body: unknown, headers?: Record<string, string>) => void): Promise<void> {
    const method = request.method ?? 'GET';
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      throw new RpcError(5, `The requested URL ${url.pathname} was not found on this server.`);
    }
    const notFound = () => new RpcError(5, `The requested URL ${url.pathname} was not found on this server.`);
    const operation = /^\/(?:v1|ui)\/(projects\/[^/]+\/locations\/[^/]+\/(?:(?:endpoints|models)\/[^/]+\/)?operations\/[^/]+)$/.exec(path);
    if (operation) {
      if (method !== 'GET') throw notFound();
      const [status, body] = getOperation(operation[1]!);
      return reply(status, body);
    }
    if (/^\/v1\/projects\/[^/]+\/locations\/[^/]+\/models(?:[/@:]|$)/.test(path) && !path.endsWith('/models:upload')) {
      if (method !== 'GET') throw notFound();
      const [status, body] = readModels(url, path, account);
      return reply(status, body);
    }
    const uploading = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/models:upload$/.exec(path);
    if (uploading) {
      if (method !== 'POST') throw notFound();
      const [status, body] = await upload(uploading[1]!, uploading[2]!, jsonOf(await readBody(request)), account);
      return reply(status, body);
    }
    const collection = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/endpoints$/.exec(path);
    if (collection) {
      const [, project, location] = collection as unknown as [string, string, string];
      if (method === 'POST') {
        const [status, body] = createEndpoint(project, location, url, jsonOf(await readBody(request)));
        return reply(status, body);
      }
      if (method !== 'GET') throw notFound();
      const number = projectNumberOf(project);
      const all = [...endpoints.values()].filter((e) => e.projectNumber === number && e.location === location);
      const { items, next } = page(all, url);
      return reply(200, { endpoints: items.map(endpointJson), ...(next === null ? {} : { nextPageToken: next }) });
    }
    const single = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/endpoints\/([^/:]+)(?::(deployModel|undeployModel|predict|rawPredict))?$/.exec(path);
    if (!single) throw notFound();
    const [, project, location, id, verb] = single as unknown as [string, string, string, string, string | undefined];
    if (verb === undefined) {
      if (method === 'GET') return reply(200, endpointJson(requireEndpoint(project, location, id)));
      if (method === 'DELETE') {
        const [status, body] = deleteEndpoint(requireEndpoint(project, location, id));
        return reply(status, body);
      }
      if (method !== 'PATCH') throw notFound();
      const endpoint = requireEndpoint(project, location, id);
      const [status, body] = patchEndpoint(endpoint, url, jsonOf(await readBody(request)));
      return reply(status, body);
    }
    if (method !== 'POST') throw notFound();
    const raw = await readBody(request);
    const endpoint = requireEndpoint(project, location, id);
    if (verb === 'deployModel' || verb === 'undeployModel') {
      const [status, body] = (verb === 'deployModel' ? deployModel : undeployModel)(endpoint, jsonOf(raw), account);
      return reply(status, body);
    }
    let payload = jsonOf(raw);
    // A gapic REST client wraps rawPredict's payload: RawPredictRequest `{httpBody: {contentType, data (base64)}}`.
    if (verb === 'rawPredict' && isObject(payload.httpBody) && typeof payload.httpBody.data === 'string') payload = jsonOf(Buffer.from(payload.httpBody.data, 'base64'));
    if (!Array.isArray(payload.instances)) throw required('instances');
    const serving = servingModel(endpoint);
    const predictions = payload.instances.map(() => serving.displayName);
    if (verb === 'rawPredict') return reply(200, { predictions }, { 'X-Vertex-AI-Endpoint-Id': endpoint.id, 'X-Vertex-AI-Deployed-Model-Id': serving.id });
    return reply(200, { predictions, deployedModelId: serving.id, model: nameOf(serving.model), modelVersionId: serving.version.versionId, modelDisplayName: serving.version.displayName });
  }

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const method = request.method ?? 'GET';
    const authorization = String(request.headers.authorization ?? '');
    const account = authorization.startsWith('Bearer ') ? accountOf(authorization.slice(7)) : null;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      log.push({ method, path: url.pathname, account, status });
      response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers }).end(JSON.stringify(body));
    };
    const fail = (error: unknown) => {
      const rpc = error instanceof RpcError ? error : new RpcError(13, `Internal error: ${String(error)}`);
      const [status, name] = STATUS_NAMES[rpc.code] ?? [500, 'INTERNAL'];
      send(status, { error: { code: status, message: rpc.message, status: name } });
    };
    if (account === null) {
      request.resume();
      return send(401, {
        error: {
          code: 401,
          message:
            'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
          status: 'UNAUTHENTICATED',
        },
      });
    }
    route(request, url, account, send).catch((error: unknown) => {
      request.resume();
      fail(error);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    nameOf,
    endpoints: () => [...endpoints.values()].map(endpointJson),
    uploadedModels: () => uploads.map(({ model, version }) => resource(model, version)),
    failNextOperation(kind, message, code = 13) {
      failures.push({ kind, code, message });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
