import type { GoogleApi } from '../../integrations/google/google-api.ts';
import { CloudStorage, DEFAULT_STORAGE_URL, parseGsUri } from '../../integrations/google/cloud-storage.ts';
import { parseServiceAccountKey, type ServiceAccountKey } from '../../integrations/google/service-account-key.ts';
import { defaultAiplatformUrl, VertexModels, type ModelPath, type VertexModel } from '../../integrations/google/vertex-models.ts';
import { MAX_DESCRIPTION } from '../../registry/contract.ts';
import { IMPORT_ORIGIN_TAGS } from '../../registry/lineage-service.ts';
import { isAppError } from '../../shared/errors.ts';
import type { CreateVertexImportBody, ListVertexModelsBody, VertexModelNative } from '../contract.ts';
import { ImportErrors } from '../errors.ts';
import type { ImportFetcher, ImportPlan, OpenedFile, PlannedFile, SourceRecord, VersionDescription } from '../fetcher.ts';
import { describeVertexVersion } from './vertex-description.ts';
import { validEndpoint, validGoogleProject, validLocation, validVertexId } from './vertex-names.ts';

export const VERTEX_KIND = 'vertex_ai';

/** One Vertex version to import: the creation body narrowed to one version id or alias. */
export type VertexVersionRequest = Omit<CreateVertexImportBody, 'versions' | 'key'> & { version: string };

interface Endpoints {
  path: ModelPath;
  aiplatform: string;
  storage: string;
}

const text = (source: SourceRecord, key: string) => (typeof source[key] === 'string' ? (source[key] as string) : '');
const list = (source: SourceRecord, key: string) => (Array.isArray(source[key]) ? (source[key] as string[]) : []);

/**
 * Imports versions of a model in Vertex AI's Model Registry: each version's artifacts (every
 * object under its `artifactUri` in Cloud Storage) into a registry version of its own, with its
 * metadata and its resource name (`…/models/{id}@{versionId}`) as lineage. The caller's service
 * account key is the credential: exchanged for access tokens at the key's token URI, and the
 * endpoints (Vertex AI, Cloud Storage) may be private ones; all of them pass the outbound policy.
 */
export class VertexFetcher implements ImportFetcher<VertexVersionRequest> {
  readonly kind = VERTEX_KIND;

  constructor(private readonly api: GoogleApi) {}

  private endpoints(request: Omit<CreateVertexImportBody, 'key' | 'versions'>): Endpoints {
    const location = validLocation(request.location);
    const path = { project: validGoogleProject(request.google_project), location, model: validVertexId(request.vertex_model, 'vertex_model') };
    return {
      path,
      aiplatform: validEndpoint(request.aiplatform_url ?? defaultAiplatformUrl(location), 'aiplatform_url'),
      storage: validEndpoint(request.storage_url ?? DEFAULT_STORAGE_URL, 'storage_url'),
    };
  }

  private key(credential: string | null): ServiceAccountKey {
    if (credential === null) throw ImportErrors.VERTEX_KEY_MISSING();
    return parseServiceAccountKey(credential);
  }

  /** A source that cannot be reached (after the retries) is the caller's 503, not a 500. */
  private async reaching<T>(endpoint: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isAppError(error)) throw error;
      throw ImportErrors.IMPORT_SOURCE_UNAVAILABLE({ endpoint, detail: (error as Error).message });
    }
  }

  /** The version ids the request names (aliases resolved), or every version of the model; checked before any job is made. */
  async selectVersions(request: CreateVertexImportBody, credential: string): Promise<string[]> {
    const key = this.key(credential);
    const { path, aiplatform } = this.endpoints(request);
    const models = new VertexModels(this.api, aiplatform);
    return this.reaching(aiplatform, async () => {
      const found = request.versions ? await Promise.all(request.versions.map((version) => models.get(path, validVertexId(version, 'version'), key))) : await models.versions(path, key);
      return [...new Set(found.map((model) => model.versionId))];
    });
  }

  /** For picking what to import: the location's models (at their default versions), or one model's versions. */
  async list(request: ListVertexModelsBody & { key: string }): Promise<VertexModelNative[]> {
    const key = this.key(request.key);
    const project = validGoogleProject(request.google_project);
    const location = validLocation(request.location);
    const aiplatform = validEndpoint(request.aiplatform_url ?? defaultAiplatformUrl(location), 'aiplatform_url');
    const models = new VertexModels(this.api, aiplatform);
    const found = await this.reaching(aiplatform, () =>
      request.vertex_model === undefined ? models.models(project, location, key) : models.versions({ project, location, model: validVertexId(request.vertex_model, 'vertex_model') }, key),
    );
    return found.map((model) => ({
      resource: `${model.name}@${model.versionId}`,
      vertex_model: model.name.slice(model.name.lastIndexOf('/') + 1),
      version_id: model.versionId,
      version_aliases: model.versionAliases ?? [],
      display_name: model.displayName ?? '',
      description: model.description ?? '',
      artifact_uri: model.artifactUri ?? '',
      version_create_time: model.versionCreateTime ?? '',
    }));
  }

  async plan(request: VertexVersionRequest, credential: string | null): Promise<ImportPlan> {
    const key = this.key(credential);
    const { path, aiplatform, storage } = this.endpoints(request);
    const version = await this.reaching(aiplatform, () => new VertexModels(this.api, aiplatform).get(path, validVertexId(request.version, 'version'), key));
    const resource = `${version.name}@${version.versionId}`;
    const gs = parseGsUri(version.artifactUri ?? '');
    if (gs === null) throw ImportErrors.VERTEX_NO_ARTIFACTS({ resource, artifactUri: version.artifactUri ?? '' });
    const objects = await this.reaching(storage, () => new CloudStorage(this.api, storage).list(gs.bucket, gs.prefix, key));
    // Objects ending in "/" are the console's folder placeholders, not files.
    const files: PlannedFile[] = objects.filter((object) => !object.name.endsWith('/')).map((object) => ({ path: object.name.slice(gs.prefix.length), size: object.size, sha256: null }));
    if (files.length === 0) throw ImportErrors.IMPORT_NO_FILES({ repo: `${resource} (${version.artifactUri})` });
    return { source: this.source(version, aiplatform, storage), sourceKey: `${VERTEX_KIND}:${aiplatform}/v1/${resource}`, files };
  }

  private source(version: VertexModel, aiplatform: string, storage: string): SourceRecord {
    return {
      aiplatform_url: aiplatform,
      storage_url: storage,
      resource: `${version.name}@${version.versionId}`,
      version_id: version.versionId,
      artifact_uri: version.artifactUri ?? '',
      display_name: version.displayName ?? '',
      description: version.description ?? '',
      version_description: version.versionDescription ?? '',
      version_aliases: version.versionAliases ?? [],
      version_create_time: version.versionCreateTime ?? '',
      labels: Object.entries(version.labels ?? {}).map(([name, value]) => `${name}=${value}`),
      container_spec: version.containerSpec === undefined ? '' : JSON.stringify(version.containerSpec),
    };
  }

  open(source: SourceRecord, credential: string | null, file: PlannedFile, offset: number): Promise<OpenedFile> {
    const gs = parseGsUri(text(source, 'artifact_uri'))!;
    return new CloudStorage(this.api, text(source, 'storage_url')).open(gs.bucket, `${gs.prefix}${file.path}`, this.key(credential), offset);
  }

  async describe(source: SourceRecord): Promise<VersionDescription> {
    return describeVertexVersion(
      {
        displayName: text(source, 'display_name'),
        description: text(source, 'description'),
        versionDescription: text(source, 'version_description'),
        labels: list(source, 'labels'),
        versionAliases: list(source, 'version_aliases'),
        containerSpec: text(source, 'container_spec'),
        artifactUri: text(source, 'artifact_uri'),
        versionId: text(source, 'version_id'),
        versionCreateTime: text(source, 'version_create_time'),
      },
      MAX_DESCRIPTION,
    );
  }

  origin(source: SourceRecord, jobId: number): Record<string, string> {
    return {
      [IMPORT_ORIGIN_TAGS.kind]: VERTEX_KIND,
      [IMPORT_ORIGIN_TAGS.source]: text(source, 'resource'),
      [IMPORT_ORIGIN_TAGS.commit]: text(source, 'version_id'),
      [IMPORT_ORIGIN_TAGS.job]: String(jobId),
    };
  }
}
