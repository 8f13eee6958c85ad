import { defineErrors, notFound } from '../shared/errors.ts';

/** Why a stored location was refused (safe-path.ts, and the fs driver's last check). */
export type UnsafePath =
  | { what: string; problem: 'missing' }
  | { what: string; problem: 'too_long'; maximum: number }
  | { what: string; problem: 'not_allowed'; path: string; reason: string }
  | { what: string; problem: 'has_slash' }
  | { problem: 'outside_root' };

function describeUnsafePath(refusal: UnsafePath): string {
  switch (refusal.problem) {
    case 'missing':
      return `${refusal.what} is missing`;
    case 'too_long':
      return `${refusal.what} is too long (maximum is ${refusal.maximum} characters)`;
    case 'not_allowed':
      return `${refusal.what} ${JSON.stringify(refusal.path.slice(0, 200))} is not allowed: ${refusal.reason}`;
    case 'has_slash':
      return `${refusal.what} must not contain "/"`;
    case 'outside_root':
      return 'the path leads outside the artifact root';
  }
}

/**
 * The refusals of the stores every upload goes through (artifacts, packages, job artifacts, and
 * the files a pipeline reads from a repository).
 */
export const StorageErrors = defineErrors('storage', {
  /**
   * A file over a size limit: an upload over the instance's limit, or a repository file too big
   * to read (a pipeline's configuration), each worded as its callers know it.
   */
  FILE_TOO_LARGE: {
    kind: 'too_large',
    message: (file: { maxBytes: number } | { path: string; commit: string; maxBytes: number }) =>
      'path' in file ? `File '${file.path}' at ${file.commit} is larger than ${file.maxBytes} bytes` : `413 Payload Too Large: the file is larger than the limit of ${file.maxBytes} bytes`,
  },
  UNSAFE_PATH: { kind: 'invalid', message: describeUnsafePath },
  LENGTH_REQUIRED: { kind: 'invalid', message: 'a part upload needs a Content-Length' },
  PART_MISSING: { kind: 'invalid', message: ({ partNumber }: { partNumber: number }) => `part ${partNumber} was never uploaded` },
  /** The object store's own refusals of a multipart upload (S3's EntityTooSmall, InvalidPart). */
  PART_TOO_SMALL: { kind: 'invalid', message: 'every part except the last must be at least 5 MiB (the object store refuses smaller ones)' },
  INVALID_PART: { kind: 'invalid', message: 'a part is missing or its ETag does not match what was uploaded' },
});

/* Under the generic NOT_FOUND code, worded once: the stores and the artifact services answer them. */
export const fileNotFound = () => notFound('404 File');
export const uploadNotFound = () => notFound('404 Upload');
