import { GoogleErrors } from './errors.ts';
import type { GoogleApi } from './google-api.ts';
import type { ServiceAccountKey } from './service-account-key.ts';

/** A model deployed on an endpoint (aiplatform v1 `GoogleCloudAiplatformV1DeployedModel`), the fields a deployment reads. */
export interface DeployedModel {
  id: string;
  /** `projects/{project}/locations/{location}/models/{model}`. */
  model: string;
  displayName?: string;
  modelVersionId?: string;
  createTime?: string;
}

/** An endpoint (`GoogleCloudAiplatformV1Endpoint`): its deployed models and how its traffic is split among them. */
export interface VertexEndpoint {
  name: string;
  displayName?: string;
  deployedModels?: DeployedModel[];
  /** Deployed model id → percent; ids not listed get none. */
  trafficSplit?: Record<string, number>;
  labels?: Record<string, string>;
}

/** A long-running operation (`GoogleLongrunningOperation`). */
interface Operation {
  name?: unknown;
  done?: unknown;
  error?: { code?: unknown; message?: unknown };
  response?: Record<string, unknown>;
}

/** What a model upload asks for (`GoogleCloudAiplatformV1Model`, the fields Modelyard sets). */
export interface ModelToUpload {
  displayName: string;
  description: string;
  artifactUri: string;
  containerSpec: { imageUri: string; predictRoute?: string; healthRoute?: string; ports?: { containerPort: number }[]; env?: { name: string; value: string }[] };
  labels: Record<string, string>;
}

/** What a deployed model runs on (`dedicatedResources`): Google's prebuilt containers need dedicated machines. */
export interface MachineResources {
  machineType: string;
  minReplicaCount: number;
  maxReplicaCount: number;
}

/** Resource names come from the API and go back into URLs: only Google's shape is accepted, so an answer cannot steer a call elsewhere. */
const OPERATION_NAME = /^projects\/[A-Za-z0-9_-]+\/locations\/[a-z0-9-]+(?:\/[A-Za-z]+\/[A-Za-z0-9_-]+)*\/operations\/[A-Za-z0-9_-]+$/;
const MODEL_NAME = /^projects\/[A-Za-z0-9_-]+\/locations\/[a-z0-9-]+\/models\/[A-Za-z0-9_-]+$/;

export interface OperationPolling {
  /** The first wait between two reads of an operation; it doubles up to `maxIntervalMs`. */
  firstIntervalMs: number;
  maxIntervalMs: number;
  /** Vertex AI limits a deployment to two hours; a longer wait is a lost operation. */
  timeoutMs: number;
}

export const DEFAULT_POLLING: OperationPolling = { firstIntervalMs: 500, maxIntervalMs: 15_000, timeoutMs: 2 * 60 * 60 * 1000 };

/**
 * Vertex AI's endpoints and model uploads (aiplatform v1, projects.locations.endpoints and
 * models.upload), the calls a deployment makes. Each change Google makes in the background is
 * a long-running operation, read again (`GET v1/{operation}`) until it is done: its `response`
 * is the result, its `error` a GoogleRpcStatus that becomes GOOGLE_OPERATION_FAILED.
 */
export class VertexEndpoints {
  readonly base: string;

  constructor(
    private readonly api: GoogleApi,
    base: string,
    private readonly polling: OperationPolling = DEFAULT_POLLING,
  ) {
    this.base = base.replace(/\/+$/, '');
  }

  private url(resource: string, suffix = ''): URL {
    return new URL(`${this.base}/v1/${resource}${suffix}`);
  }

  /** The endpoint, or null when there is none by that name. */
  async endpoint(name: string, key: ServiceAccountKey): Promise<VertexEndpoint | null> {
    try {
      return await this.api.json<VertexEndpoint>(this.url(name), key);
    } catch (error) {
      if (GoogleErrors.GOOGLE_NOT_FOUND.is(error)) return null;
      throw error;
    }
  }

  /** Creates the endpoint by the id Modelyard chose; one that exists already (an earlier try, another replica) is read instead. */
  async createEndpoint(parent: string, endpointId: string, body: { displayName: string; description: string; labels: Record<string, string> }, key: ServiceAccountKey): Promise<VertexEndpoint> {
    const url = this.url(parent, '/endpoints');
    url.searchParams.set('endpointId', endpointId);
    try {
      await this.wait(await this.api.send<Operation>('POST', url, key, { json: body }), key);
    } catch (error) {
      if (!(GoogleErrors.GOOGLE_API_REFUSED.is(error) && error.details?.status === 'ALREADY_EXISTS')) throw error;
    }
    const created = await this.endpoint(`${parent}/endpoints/${endpointId}`, key);
    if (!created) throw GoogleErrors.GOOGLE_BAD_ANSWER({ endpoint: this.base, detail: `endpoint ${endpointId} is not there after it was created` });
    return created;
  }

  async uploadModel(parent: string, model: ModelToUpload, key: ServiceAccountKey): Promise<{ model: string; modelVersionId: string }> {
    const response = await this.wait(await this.api.send<Operation>('POST', this.url(parent, '/models:upload'), key, { json: { model } }), key);
    const name = response.model;
    if (typeof name !== 'string' || !MODEL_NAME.test(name)) throw GoogleErrors.GOOGLE_BAD_ANSWER({ endpoint: this.base, detail: 'an upload answered without a model name' });
    return { model: name, modelVersionId: typeof response.modelVersionId === 'string' ? response.modelVersionId : '1' };
  }

  /** Deploys a model with the endpoint's new split ("0" names the model being deployed); answers the deployed model. */
  async deployModel(
    endpoint: string,
    deployed: { model: string; displayName: string; resources: MachineResources },
    trafficSplit: Record<string, number>,
    key: ServiceAccountKey,
  ): Promise<DeployedModel> {
    const { machineType, minReplicaCount, maxReplicaCount } = deployed.resources;
    const body = {
      deployedModel: { model: deployed.model, displayName: deployed.displayName, dedicatedResources: { machineSpec: { machineType }, minReplicaCount, maxReplicaCount } },
      trafficSplit,
    };
    const response = await this.wait(await this.api.send<Operation>('POST', this.url(endpoint, ':deployModel'), key, { json: body }), key);
    const model = response.deployedModel as DeployedModel | undefined;
    if (!model || typeof model.id !== 'string') throw GoogleErrors.GOOGLE_BAD_ANSWER({ endpoint: this.base, detail: 'a deployment answered without its deployed model' });
    return model;
  }

  /** Undeploys a model; the split given must leave it no traffic. */
  async undeployModel(endpoint: string, deployedModelId: string, trafficSplit: Record<string, number>, key: ServiceAccountKey): Promise<void> {
    await this.wait(await this.api.send<Operation>('POST', this.url(endpoint, ':undeployModel'), key, { json: { deployedModelId, trafficSplit } }), key);
  }

  /** Sets the endpoint's traffic split (`endpoints.patch`, at once, no operation). */
  async setTrafficSplit(endpoint: string, trafficSplit: Record<string, number>, key: ServiceAccountKey): Promise<VertexEndpoint> {
    const url = this.url(endpoint);
    url.searchParams.set('updateMask', 'trafficSplit');
    return this.api.send<VertexEndpoint>('PATCH', url, key, { json: { trafficSplit } });
  }

  /** Deletes an endpoint that has no deployed model left. */
  async deleteEndpoint(name: string, key: ServiceAccountKey): Promise<void> {
    await this.wait(await this.api.send<Operation>('DELETE', this.url(name), key), key);
  }

  /** Reads the operation until it is done; answers its response. */
  private async wait(started: Operation, key: ServiceAccountKey): Promise<Record<string, unknown>> {
    let operation = started;
    const name = typeof operation.name === 'string' ? operation.name : '';
    if (!OPERATION_NAME.test(name)) throw GoogleErrors.GOOGLE_BAD_ANSWER({ endpoint: this.base, detail: 'a long-running operation without a resource name' });
    const deadline = Date.now() + this.polling.timeoutMs;
    let interval = this.polling.firstIntervalMs;
    while (operation.done !== true) {
      if (Date.now() > deadline) throw GoogleErrors.GOOGLE_OPERATION_TIMEOUT({ operation: name, seconds: Math.round(this.polling.timeoutMs / 1000) });
      await new Promise((resolve) => setTimeout(resolve, interval));
      interval = Math.min(interval * 2, this.polling.maxIntervalMs);
      operation = await this.api.json<Operation>(this.url(name), key);
    }
    if (operation.error) {
      const code = typeof operation.error.code === 'number' ? operation.error.code : 2;
      const message = typeof operation.error.message === 'string' ? operation.error.message.slice(0, 500) : 'no message';
      throw GoogleErrors.GOOGLE_OPERATION_FAILED({ operation: name, code, message });
    }
    return operation.response ?? {};
  }
}
