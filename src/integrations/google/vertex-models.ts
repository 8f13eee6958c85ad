import { GoogleErrors } from './errors.ts';
import type { GoogleApi } from './google-api.ts';
import type { ServiceAccountKey } from './service-account-key.ts';

/** A Model of Vertex AI's registry at one version (aiplatform v1 `GoogleCloudAiplatformV1Model`), the fields an import reads. */
export interface VertexModel {
  /** `projects/{project}/locations/{location}/models/{model}`, without the version. */
  name: string;
  versionId: string;
  displayName?: string;
  description?: string;
  versionDescription?: string;
  versionAliases?: string[];
  versionCreateTime?: string;
  labels?: Record<string, string>;
  artifactUri?: string;
  containerSpec?: Record<string, unknown>;
}

/** Where the regional endpoint is, as Google names it; a private endpoint or a stand-in replaces it. */
export const defaultAiplatformUrl = (location: string) => `https://${location}-aiplatform.googleapis.com`;

const MAX_PAGES = 1000;

export interface ModelPath {
  project: string;
  location: string;
  model: string;
}

function checkedModel(body: unknown, endpoint: string): VertexModel {
  const model = body as Partial<VertexModel> | null;
  if (model === null || typeof model !== 'object' || typeof model.name !== 'string' || typeof model.versionId !== 'string') {
    throw GoogleErrors.GOOGLE_BAD_ANSWER({ endpoint, detail: 'a Model without name or versionId' });
  }
  return model as VertexModel;
}

/**
 * Vertex AI's Model Registry (aiplatform v1, projects.locations.models): one version by id or
 * alias (`get` on `name@version`), every version of a model (`listVersions`) and every model of
 * a location (`list`), both by `nextPageToken`.
 */
export class VertexModels {
  readonly base: string;

  constructor(
    private readonly api: GoogleApi,
    base: string,
  ) {
    this.base = base.replace(/\/+$/, '');
  }

  private url(path: ModelPath, suffix = ''): URL {
    return new URL(`${this.base}/v1/projects/${encodeURIComponent(path.project)}/locations/${encodeURIComponent(path.location)}/models/${encodeURIComponent(path.model)}${suffix}`);
  }

  /** A version by id or alias; without one, the model's default version. */
  async get(path: ModelPath, version: string | null, key: ServiceAccountKey): Promise<VertexModel> {
    return checkedModel(await this.api.json<unknown>(this.url(path, version === null ? '' : `@${encodeURIComponent(version)}`), key), this.base);
  }

  async versions(path: ModelPath, key: ServiceAccountKey): Promise<VertexModel[]> {
    return this.pages(this.url(path, ':listVersions'), key);
  }

  /** The location's models, each at its default version (`models.list`). */
  async models(project: string, location: string, key: ServiceAccountKey): Promise<VertexModel[]> {
    return this.pages(new URL(`${this.base}/v1/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}/models`), key);
  }

  /** Every page of a list (`{models, nextPageToken}`, as both listings answer). */
  private async pages(start: URL, key: ServiceAccountKey): Promise<VertexModel[]> {
    const found: VertexModel[] = [];
    let pageToken: string | null = null;
    for (let page = 0; page === 0 || pageToken !== null; page++) {
      if (page >= MAX_PAGES) throw GoogleErrors.GOOGLE_BAD_ANSWER({ endpoint: this.base, detail: `more than ${MAX_PAGES} pages` });
      const url = new URL(start);
      url.searchParams.set('pageSize', '100');
      if (pageToken !== null) url.searchParams.set('pageToken', pageToken);
      const body = await this.api.json<{ models?: unknown[]; nextPageToken?: unknown }>(url, key);
      for (const model of body.models ?? []) found.push(checkedModel(model, this.base));
      pageToken = typeof body.nextPageToken === 'string' && body.nextPageToken !== '' ? body.nextPageToken : null;
    }
    return found;
  }
}
