import type { Readable } from 'node:stream';

/** A file the job copies, as the source describes it. */
export interface PlannedFile {
  path: string;
  size: number;
  /** When the source names one (the Hub's LFS files): the copy is refused if it differs. */
  sha256: string | null;
}

/** The source of a job as stored: JSON, strings and lists of strings (presented as they are). */
export type SourceRecord = Record<string, string | string[]>;

export interface ImportPlan {
  source: SourceRecord;
  /** One string naming the pinned source and its selection: a re-import with the same key reuses the version. */
  sourceKey: string;
  files: PlannedFile[];
}

/** What the new version says about itself, read from the imported files (the model card). */
export interface VersionDescription {
  description: string;
  license: string | null;
  labels: string[];
  tags: Record<string, string>;
}

/** A body from byte `start`: 0 when the source ignored the offset asked for (no Range support). */
export interface OpenedFile {
  body: Readable;
  start: number;
}

/**
 * What each kind of import brings: its source resolved and listed (refusals are the caller's
 * 4xx), each file opened from an offset (a resumed download), the version's card from the
 * files, and where the version came from, for its lineage. The job framework does the rest:
 * storing, verifying, resuming, retrying, the version.
 */
export interface ImportFetcher<Request> {
  readonly kind: string;
  plan(request: Request, credential: string | null): Promise<ImportPlan>;
  open(source: SourceRecord, credential: string | null, file: PlannedFile, offset: number): Promise<OpenedFile>;
  describe(source: SourceRecord, readText: (path: string) => Promise<string | null>): Promise<VersionDescription>;
  /** Tags that record the origin on the version (read back by the registry's lineage). */
  origin(source: SourceRecord, jobId: number): Record<string, string>;
}
