import type { HubModelInfo, HubSibling, HubTreeFile } from './contract.ts';
import { gitBlobId, lfsPointer, type FileDigest } from './git-objects.ts';
import type { HubSnapshot } from './repositories-service.ts';

/** The only place the registry becomes Hub JSON. */

export function presentTreeFile(file: FileDigest): HubTreeFile {
  const pointer = lfsPointer(file);
  return { type: 'file', oid: gitBlobId(pointer), size: file.size, path: file.path, lfs: { oid: file.sha256, size: file.size, pointerSize: Buffer.byteLength(pointer) } };
}

function presentSibling(file: FileDigest, blobs: boolean): HubSibling {
  if (!blobs) return { rfilename: file.path };
  const pointer = lfsPointer(file);
  return { rfilename: file.path, size: file.size, blobId: gitBlobId(pointer), lfs: { size: file.size, sha256: file.sha256, pointerSize: Buffer.byteLength(pointer) } };
}

/** `model_info`: the repository at a revision; `blobs` adds each file's size and digests, as the Hub does. */
export function presentModelInfo(snapshot: HubSnapshot, project: { path: string; visibility: string }, blobs: boolean): HubModelInfo {
  const { version } = snapshot;
  return {
    id: snapshot.repo,
    modelId: snapshot.repo,
    author: project.path,
    sha: snapshot.sha,
    lastModified: new Date(version.updated_at).toISOString(),
    createdAt: new Date(version.created_at).toISOString(),
    private: project.visibility !== 'public',
    gated: false,
    disabled: false,
    tags: [],
    siblings: snapshot.files.map((file) => presentSibling(file, blobs)),
  };
}
