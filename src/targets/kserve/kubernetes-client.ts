import https from 'node:https';
import http from 'node:http';
import { OutboundRefusedError, type OutboundPolicy } from '../../outbound/outbound-policy.ts';
import { pinnedLookup } from '../../outbound/pinned-lookup.ts';
import { KServeErrors } from './errors.ts';
import { KSERVE_API_VERSION, type InferenceService } from './inference-service-manifest.ts';

/** How Modelyard reaches one namespace of a cluster (the token and CA opened from their sealed columns). */
export interface KubernetesConnection {
  apiUrl: string;
  namespace: string;
  /** PEM of the CA that signed the API server's certificate; null: the system's CAs. */
  caPem: string | null;
  token: string;
}

/** The parts of an InferenceService Modelyard reads back. */
export interface InferenceServiceObject {
  metadata: { name: string; namespace?: string; generation?: number; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: InferenceService['spec'];
  status?: {
    observedGeneration?: number;
    url?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    components?: Record<string, { traffic?: { revisionName?: string; percent?: number; latestRevision?: boolean }[] }>;
  };
}

/** Modelyard's name as a field manager: server-side apply records it as the owner of what it sets. */
export const FIELD_MANAGER = 'modelyard';
const TIMEOUT_MS = 15_000;
const MAX_BODY = 4 * 1024 * 1024;

/**
 * The Kubernetes API calls the KServe target makes, over the outbound policy (the API URL's
 * addresses are checked, and the connection pinned to them): server-side apply, get, list by
 * label and delete of InferenceServices in the connection's namespace. A refusal (a Status
 * body) becomes KUBERNETES_API_FAILED with the API server's reason and message.
 */
export class KubernetesClient {
  constructor(
    private readonly connection: KubernetesConnection,
    private readonly outbound: OutboundPolicy,
  ) {}

  private collection(): string {
    const [group, version] = KSERVE_API_VERSION.split('/') as [string, string];
    return `/apis/${group}/${version}/namespaces/${encodeURIComponent(this.connection.namespace)}/inferenceservices`;
  }

  /** Server-side apply: Modelyard owns the fields it sets and takes them over from anyone else (force). */
  async apply(manifest: InferenceService): Promise<InferenceServiceObject> {
    const query = new URLSearchParams({ fieldManager: FIELD_MANAGER, force: 'true', fieldValidation: 'Strict' });
    // JSON is YAML: the apply patch needs no YAML writer.
    const { body } = await this.call('PATCH', `${this.collection()}/${encodeURIComponent(manifest.metadata.name)}?${query}`, JSON.stringify(manifest), 'application/apply-patch+yaml');
    return body as InferenceServiceObject;
  }

  /** null when there is none of that name. */
  async get(name: string): Promise<InferenceServiceObject | null> {
    const { status, body } = await this.call('GET', `${this.collection()}/${encodeURIComponent(name)}`, undefined, undefined, [404]);
    return status === 404 ? null : (body as InferenceServiceObject);
  }

  async list(labelSelector: string): Promise<InferenceServiceObject[]> {
    const { body } = await this.call('GET', `${this.collection()}?${new URLSearchParams({ labelSelector })}`);
    return ((body as { items?: InferenceServiceObject[] }).items ?? []) as InferenceServiceObject[];
  }

  /** Idempotent: a service already gone is fine. */
  async delete(name: string): Promise<void> {
    await this.call('DELETE', `${this.collection()}/${encodeURIComponent(name)}`, undefined, undefined, [404]);
  }

  private async call(method: string, pathAndQuery: string, payload?: string, contentType?: string, tolerated: readonly number[] = []): Promise<{ status: number; body: unknown }> {
    const base = new URL(this.connection.apiUrl);
    const url = new URL(base.pathname.replace(/\/+$/, '') + pathAndQuery, base);
    let checked;
    try {
      checked = await this.outbound.checkUrl(url);
    } catch (error) {
      if (error instanceof OutboundRefusedError)
        throw KServeErrors.KUBERNETES_API_FAILED({ status: 0, reason: 'Refused', message: `the outbound policy refuses ${url.host} (MODELYARD_OUTBOUND_ALLOW)` });
      throw error;
    }
    const headers: Record<string, string> = { Authorization: `Bearer ${this.connection.token}`, Accept: 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    // A connection per call (agent: false): each environment has its own CA and pinned addresses,
    // and a kept-alive socket the API server has since closed would fail the next call.
    const options: https.RequestOptions = { method, headers, agent: false, lookup: pinnedLookup(checked), timeout: TIMEOUT_MS, ...(this.connection.caPem ? { ca: this.connection.caPem } : {}) };
    const client = url.protocol === 'https:' ? https : http;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = client.request(url, options, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY) request.destroy(new Error(`the answer is larger than ${MAX_BODY} bytes`));
          else chunks.push(chunk);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
      request.on('error', (error) => reject(KServeErrors.KUBERNETES_API_FAILED({ status: 0, reason: 'Unreachable', message: `${url.origin}: ${error.message}` })));
      request.end(payload);
    });
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    if ((status >= 200 && status < 300) || tolerated.includes(status)) return { status, body };
    const failure = (body ?? {}) as { kind?: string; reason?: string; message?: string };
    throw KServeErrors.KUBERNETES_API_FAILED({
      status,
      reason: failure.kind === 'Status' && failure.reason ? failure.reason : 'Failure',
      message: failure.kind === 'Status' && failure.message ? failure.message : text.slice(0, 200),
    });
  }
}
