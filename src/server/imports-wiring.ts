import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { UsersService } from '../auth/users-service.ts';
import type { Config } from '../config/config.ts';
import type { Schema } from '../db/schema.ts';
import type { ImportFetcher } from '../imports/fetcher.ts';
import { HuggingFaceFetcher } from '../imports/hf/huggingface-fetcher.ts';
import { VertexFetcher } from '../imports/vertex/vertex-fetcher.ts';
import { GoogleAccessTokens } from '../integrations/google/access-tokens.ts';
import { GoogleApi } from '../integrations/google/google-api.ts';
import { jwtBearerGrant } from '../integrations/google/token-grant.ts';
import { ImportJobsService } from '../imports/import-jobs-service.ts';
import { ImportRunner } from '../imports/import-runner.ts';
import { ImportWorker } from '../imports/import-worker.ts';
import { ImportedVersion } from '../imports/imported-version.ts';
import { DEFAULT_RETRIES } from '../imports/retries.ts';
import type { OutboundPolicy } from '../outbound/outbound-policy.ts';
import type { PackagesService } from '../packages/packages-service.ts';
import type { ProjectsService } from '../projects/projects-service.ts';
import type { RegisteredModelsService } from '../registry/models-service.ts';
import type { ModelVersionsService } from '../registry/versions-service.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { BlobStore } from '../storage/blob-store.ts';

export interface ImportServices {
  importJobs: ImportJobsService;
  /** Imports from the Hugging Face Hub (MODELYARD_HF_ENDPOINT). */
  huggingFaceFetcher: HuggingFaceFetcher;
  /** Imports from Vertex AI's Model Registry and Cloud Storage (endpoints in each request). */
  vertexFetcher: VertexFetcher;
  /** Not started here: `modelyard serve` starts it; tests run its rounds themselves. */
  importWorker: ImportWorker;
}

interface ImportDeps {
  secrets: SecretBox;
  outbound: OutboundPolicy;
  blobStore: BlobStore;
  users: UsersService;
  projects: ProjectsService;
  models: RegisteredModelsService;
  versions: ModelVersionsService;
  packages: PackagesService;
  logger: Logger;
}

/** How often an idle worker looks for jobs a dead replica left (new jobs wake it at once). */
const IMPORT_POLL_MS = 2000;

export function createImportServices(config: Config, db: Kysely<Schema>, deps: ImportDeps): ImportServices {
  const importJobs = new ImportJobsService(db, deps.secrets, deps.versions);
  const huggingFaceFetcher = new HuggingFaceFetcher(deps.outbound, config.imports.hfEndpoint, DEFAULT_RETRIES, deps.logger);
  // One token cache for the server: a service account's token serves all its jobs until it nears expiry.
  const vertexFetcher = new VertexFetcher(new GoogleApi(deps.outbound, new GoogleAccessTokens(jwtBearerGrant(deps.outbound))));
  const fetchers = new Map<string, ImportFetcher<unknown>>([
    [huggingFaceFetcher.kind, huggingFaceFetcher as ImportFetcher<unknown>],
    [vertexFetcher.kind, vertexFetcher as ImportFetcher<unknown>],
  ]);
  const runner = new ImportRunner({
    db,
    store: deps.blobStore,
    secrets: deps.secrets,
    fetchers,
    users: deps.users,
    projects: deps.projects,
    jobs: importJobs,
    imported: new ImportedVersion({ models: deps.models, versions: deps.versions, packages: deps.packages, store: deps.blobStore }),
    maxBytes: config.maxUploadBytes,
    retries: DEFAULT_RETRIES,
    logger: deps.logger,
  });
  const importWorker = new ImportWorker(db, runner, { leaseMs: config.imports.leaseMs, intervalMs: IMPORT_POLL_MS }, deps.logger);
  importJobs.onQueued(() => importWorker.wake());
  return { importJobs, huggingFaceFetcher, vertexFetcher, importWorker };
}
