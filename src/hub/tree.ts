import type { HubTreeEntry } from './contract.ts';
import { HubErrors } from './errors.ts';
import { directoryId, type FileDigest } from './git-objects.ts';
import { presentTreeFile } from './present.ts';

/**
 * A directory's listing, as `GET /api/models/{repo}/tree/{rev}[/{path}]` answers it: its files
 * and directories, or with `recursive` everything beneath it, sorted by path. Null when the path
 * is no directory of the revision.
 */
export function listTree(files: readonly FileDigest[], rawPath: string, recursive: boolean): HubTreeEntry[] | null {
  const dir = rawPath.replace(/^\/+|\/+$/g, '');
  const prefix = dir === '' ? '' : `${dir}/`;
  const beneath = files.filter((file) => file.path.startsWith(prefix));
  if (dir !== '' && beneath.length === 0) return null;
  const directories = new Set<string>();
  const entries: HubTreeEntry[] = [];
  for (const file of beneath) {
    const parts = file.path.slice(prefix.length).split('/');
    const depth = recursive ? parts.length - 1 : Math.min(1, parts.length - 1);
    for (let i = 1; i <= depth; i++) directories.add(prefix + parts.slice(0, i).join('/'));
    if (recursive || parts.length === 1) entries.push(presentTreeFile(file));
  }
  for (const path of directories) {
    const under = beneath.filter((file) => file.path.startsWith(`${path}/`));
    entries.push({ type: 'directory', oid: directoryId(path, under), size: 0, path });
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A page's cursor: where it starts in the listing, which is the same for the same commit. */
export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const match = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!match) throw HubErrors.HUB_INVALID_CURSOR();
  return Number(match[1]);
}
