import { createHash } from 'node:crypto';

/**
 * The identifiers a Hub client reads, made from what the registry knows of a version's files
 * (path, size, SHA-256) without reading their bytes. Every file is served as an LFS file, so its
 * git blob is the LFS pointer that names its SHA-256, as `git lfs` would write it.
 */

/** A file as the registry describes it. */
export interface FileDigest {
  path: string;
  size: number;
  sha256: string;
}

/** The git-lfs pointer file (spec v1) that stands for a file in git. */
export function lfsPointer(file: { size: number; sha256: string }): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${file.sha256}\nsize ${file.size}\n`;
}

/** git's blob id of some text: SHA-1 of `blob <length>\0<text>`. */
export function gitBlobId(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** Part of every commit sha: a change to how it is computed must change every sha, so no client cache is reused wrongly. */
const COMMIT_FORMAT = 'modelyard-hub-commit/v1';

/**
 * A version's commit sha: its version number in the first 8 hex digits (so that a sha finds its
 * version in one lookup), then 32 hex digits of the SHA-256 of the version's files (sorted paths,
 * sizes and SHA-256s). The same files give the same sha; a changed file gives another, so a
 * client's cache, kept by sha, never holds two contents under one.
 */
export function commitSha(version: number, files: readonly FileDigest[]): string {
  const manifest = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((f) => [f.path, f.size, f.sha256]);
  const digest = createHash('sha256')
    .update(JSON.stringify([COMMIT_FORMAT, version, manifest]))
    .digest('hex');
  return version.toString(16).padStart(8, '0') + digest.slice(0, 32);
}

/** The version number a commit sha was made for; null when the text is no commit sha. */
export function versionOfCommitSha(text: string): number | null {
  if (!/^[0-9a-f]{40}$/.test(text)) return null;
  const version = parseInt(text.slice(0, 8), 16);
  return version >= 1 ? version : null;
}

/** A directory's id: a digest of the blob ids beneath it, so that it changes when anything under it does. */
export function directoryId(path: string, files: readonly FileDigest[]): string {
  const hash = createHash('sha1').update(`tree ${path}\0`);
  for (const file of files) hash.update(`${file.path}\0${gitBlobId(lfsPointer(file))}\n`);
  return hash.digest('hex');
}
