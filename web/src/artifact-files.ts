import { apiPaths } from './api-paths.ts';

/**
 * The path, under the project's artifact store, of an artifact URI the server hands out
 * (`mlflow-artifacts:/2/models/m-…/artifacts`); null for one stored elsewhere (`s3://…`), which
 * the UI cannot read.
 */
export function artifactPathOf(uri: string): string | null {
  const m = /^mlflow-artifacts:\/+(.*?)\/*$/.exec(uri);
  return m ? m[1]! : null;
}

/** A small text file under the project's artifacts (at most 256 KiB of it), or null when there is none. */
export async function readArtifactText(projectId: number, path: string): Promise<string | null> {
  const res = await fetch(apiPaths.project(projectId).mlflowArtifacts.file(path), { headers: { range: 'bytes=0-262143' }, credentials: 'same-origin' });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${res.statusText}`);
  return res.text();
}
