import { invalid } from '../../shared/errors.ts';

/**
 * Repository ids and revisions as `huggingface_hub` accepts them (validate_repo_id): `name` or
 * `namespace/name`, each of letters, digits, "_", "-" and ".", not starting or ending with "-"
 * or ".", without "--" or "..", at most 96 characters, not ending in ".git".
 */
const PART = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

export function validRepositoryId(text: string): string {
  const parts = text.split('/');
  const fits = parts.length <= 2 && parts.every((part) => PART.test(part)) && text.length <= 96 && !text.includes('--') && !text.includes('..') && !text.endsWith('.git');
  if (!fits) {
    throw invalid(`repository ${JSON.stringify(text)} is not a Hugging Face repository id: namespace/name, of letters, digits, "_", "-" and "." (at most 96 characters, no "--" or "..")`);
  }
  return text;
}

/** A branch, tag or commit: what git allows in a ref name, minus what would leave the URL path segment. */
export function validRevision(text: string): string {
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(text) || text.includes('..') || text.startsWith('/') || text.endsWith('/') || text.endsWith('.lock') || text.includes('@{')) {
    throw invalid(`revision ${JSON.stringify(text)} is not a branch, tag or commit name`);
  }
  return text;
}

export const COMMIT = /^[0-9a-f]{40}$/;
export const SHA256 = /^[0-9a-f]{64}$/;
