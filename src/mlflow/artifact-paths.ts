import { AppError } from '../shared/errors.ts';
import { safeRelativePath } from '../storage/safe-path.ts';
import { MlflowErrors } from './errors.ts';

const PROXY_SCHEME = 'mlflow-artifacts:';

/**
 * The path inside the project's artifact tree that a `mlflow-artifacts:` URI names, or null for
 * any other URI: those are never read by the server. `mlflow-artifacts://host/path` names
 * another server and is not ours either.
 */
export function proxiedPath(uri: string): string | null {
  if (!uri.startsWith(PROXY_SCHEME)) return null;
  const rest = uri.slice(PROXY_SCHEME.length);
  if (rest.startsWith('//')) return null;
  const path = rest.replace(/^\/+/, '').replace(/\/+$/, '');
  if (path === '') return '';
  try {
    return safeRelativePath(path);
  } catch {
    return null;
  }
}

/**
 * A path a client asks for under an artifact root, checked as MLflow's UI endpoints check it
 * (`validate_path_is_safe`): anything with `..`, an absolute path or an encoded trick is
 * MLflow's 400 "Invalid path". '' is the root itself.
 */
export function requestedPath(raw: string | undefined): string {
  if (raw === undefined || raw === '' || raw === '/') return '';
  try {
    return safeRelativePath(raw.replace(/\/+$/, ''));
  } catch (error) {
    if (error instanceof AppError) throw MlflowErrors.UNSAFE_ARTIFACT_PATH();
    throw error;
  }
}

/** `root/path`, or `root` for the root itself. */
export function under(root: string, path: string): string {
  if (root === '') return path;
  return path === '' ? root : `${root}/${path}`;
}
