import type { Logger } from 'pino';
import type { OutboundPolicy } from '../../outbound/outbound-policy.ts';
import { isAppError } from '../../shared/errors.ts';
import { MAX_DESCRIPTION } from '../../registry/contract.ts';
import { IMPORT_ORIGIN_TAGS } from '../../registry/lineage-service.ts';
import type { CreateHuggingFaceImportBody } from '../contract.ts';
import { ImportErrors } from '../errors.ts';
import type { ImportFetcher, ImportPlan, OpenedFile, PlannedFile, SourceRecord, VersionDescription } from '../fetcher.ts';
import { selectedBy, validPatterns } from '../patterns.ts';
import type { RetryPolicy } from '../retries.ts';
import { describeModelCard } from './card-metadata.ts';
import { HubClient, type HubTreeEntry } from './hub-client.ts';
import { SHA256, validRepositoryId, validRevision } from './repo-ids.ts';

export const HUGGING_FACE_KIND = 'huggingface';

interface HubSource {
  endpoint: string;
  repository: string;
  revision: string;
  commit: string;
  include: string[];
  exclude: string[];
}

function hubSource(source: SourceRecord): HubSource {
  const text = (key: string) => String(source[key] ?? '');
  const list = (key: string) => (Array.isArray(source[key]) ? (source[key] as string[]) : []);
  return { endpoint: text('endpoint'), repository: text('repository'), revision: text('revision'), commit: text('commit'), include: list('include'), exclude: list('exclude') };
}

/** A file of the tree: an LFS file names its SHA-256 (checked after the copy); a plain git file only its size. */
function plannedFile(entry: HubTreeEntry): PlannedFile | null {
  if (entry.type !== 'file' || typeof entry.path !== 'string') return null;
  const lfsOid = entry.lfs?.oid?.replace(/^sha256:/, '');
  const size = entry.lfs?.size ?? entry.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return null;
  return { path: entry.path, size, sha256: lfsOid !== undefined && SHA256.test(lfsOid) ? lfsOid : null };
}

/**
 * Imports from the Hugging Face Hub or a Hub-compatible endpoint (MODELYARD_HF_ENDPOINT): the
 * revision resolved to its commit when the job is created, every file read at that commit.
 */
export class HuggingFaceFetcher implements ImportFetcher<CreateHuggingFaceImportBody> {
  readonly kind = HUGGING_FACE_KIND;
  private readonly client: HubClient;

  constructor(policy: OutboundPolicy, endpoint: string, retries: RetryPolicy, logger: Logger) {
    this.client = new HubClient(policy, endpoint, retries, logger);
  }

  async plan(request: CreateHuggingFaceImportBody, token: string | null): Promise<ImportPlan> {
    const repository = validRepositoryId(request.repository);
    const revision = validRevision(request.revision ?? 'main');
    const include = validPatterns(request.include, 'include');
    const exclude = validPatterns(request.exclude, 'exclude');
    const { commit, entries } = await this.listed(repository, revision, token);
    const files = entries.map(plannedFile).filter((file): file is PlannedFile => file !== null && selectedBy(file.path, include, exclude));
    if (files.length === 0) throw ImportErrors.IMPORT_NO_FILES({ repo: repository });
    const endpoint = this.client.endpoint;
    const selection =
      include.length + exclude.length > 0 ? `?${new URLSearchParams([...include.map((p): [string, string] => ['include', p]), ...exclude.map((p): [string, string] => ['exclude', p])])}` : '';
    return { source: { endpoint, repository, revision, commit, include, exclude }, sourceKey: `${HUGGING_FACE_KIND}:${endpoint}/${repository}@${commit}${selection}`, files };
  }

  /** The commit and its files; a source that cannot be reached (after the retries) is the caller's 503, not a 500. */
  private async listed(repository: string, revision: string, token: string | null): Promise<{ commit: string; entries: HubTreeEntry[] }> {
    try {
      const { sha: commit } = await this.client.revision(repository, revision, token);
      return { commit, entries: await this.client.tree(repository, commit, token) };
    } catch (error) {
      if (isAppError(error)) throw error;
      throw ImportErrors.IMPORT_SOURCE_UNAVAILABLE({ endpoint: this.client.endpoint, detail: (error as Error).message });
    }
  }

  open(source: SourceRecord, token: string | null, file: PlannedFile, offset: number): Promise<OpenedFile> {
    const { repository, commit } = hubSource(source);
    return this.client.open(repository, commit, file.path, token, offset);
  }

  async describe(_source: SourceRecord, readText: (path: string) => Promise<string | null>): Promise<VersionDescription> {
    return describeModelCard(await readText('README.md'), MAX_DESCRIPTION);
  }

  origin(source: SourceRecord, jobId: number): Record<string, string> {
    const { endpoint, repository, commit } = hubSource(source);
    return { [IMPORT_ORIGIN_TAGS.kind]: HUGGING_FACE_KIND, [IMPORT_ORIGIN_TAGS.source]: `${endpoint}/${repository}`, [IMPORT_ORIGIN_TAGS.commit]: commit, [IMPORT_ORIGIN_TAGS.job]: String(jobId) };
  }
}
