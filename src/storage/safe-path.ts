import { StorageErrors } from './errors.ts';

/**
 * The one check every stored location goes through. MLflow's artifact handlers have had more
 * than a dozen traversal CVEs, from `..` segments through double-encoded `%252e%252e`
 * (CVE-2024-1560) to `#` and `?` in stored locations (CVE-2023-6909); here a path is refused
 * unless it is plain: relative, `/`-separated segments of printable characters, no `.` or `..`
 * segment, no backslash, no drive letter, and no percent-escape that a second decode would turn
 * into a climb out of the root.
 */
export const MAX_PATH_LENGTH = 1024;
const MAX_SEGMENT_LENGTH = 255;

export function safeRelativePath(raw: string, what = 'path'): string {
  if (typeof raw !== 'string' || raw.length === 0) throw StorageErrors.UNSAFE_PATH({ what, problem: 'missing' });
  if (raw.length > MAX_PATH_LENGTH) throw StorageErrors.UNSAFE_PATH({ what, problem: 'too_long', maximum: MAX_PATH_LENGTH });
  const refuse = (reason: string): never => {
    throw StorageErrors.UNSAFE_PATH({ what, problem: 'not_allowed', path: raw, reason });
  };
  // Control characters, NUL included, and the characters that change a URL's meaning.
  if (/[\u0000-\u001f\u007f]/.test(raw)) refuse('control characters');
  if (raw.includes('\\')) refuse('backslashes');
  if (raw.includes('#') || raw.includes('?')) refuse('"#" and "?"');
  // A `%` left after the URL was decoded is literal text: nothing here decodes a stored path
  // again. It is refused only where decoding it again, as a careless reader downstream might,
  // would climb out of the root (`%252e%252e` → `%2e%2e` → `..`, CVE-2024-1560). Refusing
  // every escape refused mlflow 2.x's own image names (`key%step%1%timestamp%17…`).
  if (climbsWhenDecodedAgain(raw)) refuse('percent-encoded traversal');
  if (raw.startsWith('/') || raw.startsWith('~')) refuse('absolute paths');
  if (/^[A-Za-z]:/.test(raw)) refuse('drive letters');
  const trimmed = raw.replace(/\/+$/, '');
  const segments = trimmed.split('/');
  for (const segment of segments) {
    if (segment === '') refuse('empty segments ("//")');
    if (segment === '.' || segment === '..') refuse('"." and ".." segments');
    if (segment.length > MAX_SEGMENT_LENGTH) refuse(`segments longer than ${MAX_SEGMENT_LENGTH} characters`);
    if (/^\s|\s$/.test(segment)) refuse('segments starting or ending with white space');
  }
  return segments.join('/');
}

const ESCAPE = /%([0-9A-Fa-f]{2})/g;
const HAS_ESCAPE = /%[0-9A-Fa-f]{2}/;

/** Whether decoding the path's escapes, once or again and again, would give an absolute path or a `.`/`..` segment. */
function climbsWhenDecodedAgain(path: string): boolean {
  let current = path;
  for (let round = 0; round < 4 && HAS_ESCAPE.test(current); round++) {
    current = current.replace(ESCAPE, (_escape, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (current.startsWith('/') || current.split('/').some((segment) => segment === '.' || segment === '..')) return true;
  }
  return false;
}

/** A single file name (no directory part), as package file names are. */
export function safeFileName(raw: string, what = 'file name'): string {
  const path = safeRelativePath(raw, what);
  if (path.includes('/')) throw StorageErrors.UNSAFE_PATH({ what, problem: 'has_slash' });
  return path;
}
