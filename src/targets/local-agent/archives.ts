import type { Readable } from 'node:stream';
import type { ProjectAccess } from '../../auth/policy.ts';

/**
 * A model version's files as one archive, as the registry packs it (the registry's version
 * archive service implements this; see src/registry/version-archive.ts): what agents download.
 */
export interface VersionArchives {
  /** The archive's SHA-256 and size (known before its bytes: the agent verifies them). */
  locate(access: ProjectAccess, modelId: number, version: number): Promise<{ url: string; sha256: string; size: number }>;
  /** The archive, to stream to an agent. */
  prepare(access: ProjectAccess, modelId: number, version: number): Promise<{ sha256: string; size: number; fileName: string; open(): Readable }>;
}
