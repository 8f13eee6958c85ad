import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createGzip } from 'node:zlib';
import { pack as tarPack, type Header } from 'tar-stream';

/** A file to put in an archive: its path inside it (relative, `/`-separated) and its bytes. */
export interface ArchiveFile {
  path: string;
  size: number;
  open(): Promise<Readable>;
}

/**
 * Every header field that could vary between two packings is fixed, so the same files always
 * give the same bytes (and the same SHA-256, the archive's ETag): entries sorted by path, each
 * directory once before its first file, mtime 0, owner 0:0 without names, modes 0644/0755, and
 * gzip at a fixed level (Node's gzip header carries no name and no time).
 */
const FIXED = { mtime: new Date(0), uid: 0, gid: 0, uname: '', gname: '' } as const;
const GZIP_LEVEL = 6;

type EntryHeader = Partial<Header> & Pick<Header, 'name'>;

/** Sorted by UTF-16 code units: the same order on every database and platform. */
const byPath = (a: ArchiveFile, b: ArchiveFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Headers in archive order: each directory before the first file under it. */
function* headersOf(files: ArchiveFile[]): Generator<{ header: EntryHeader; file?: ArchiveFile }> {
  const made = new Set<string>();
  for (const file of [...files].sort(byPath)) {
    const segments = file.path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join('/');
      if (made.has(dir)) continue;
      made.add(dir);
      yield { header: { ...FIXED, name: `${dir}/`, type: 'directory', mode: 0o755 } };
    }
    yield { header: { ...FIXED, name: file.path, type: 'file', mode: 0o644, size: file.size }, file };
  }
}

/**
 * A gzip-compressed tar of the files, produced as it is read: one file's bytes are in flight at
 * a time, whatever the total. A file whose stored bytes differ in length from its recorded size
 * fails the stream (tar-stream refuses it), so a truncated or replaced blob never yields an
 * archive that looks whole.
 */
export function packFiles(files: ArchiveFile[]): Readable {
  const tar = tarPack();
  const output = new PassThrough();
  const gzip = createGzip({ level: GZIP_LEVEL, strategy: zlibConstants.Z_DEFAULT_STRATEGY });
  let current: Readable | undefined;
  let closed = false;
  // A reader that goes away (a dropped download) ends the pipeline, which fails the entry being
  // written: the catch below closes the open blob, and no further file is opened.
  output.once('close', () => {
    closed = true;
  });
  pipeline(tar, gzip, output).catch((error: unknown) => output.destroy(error as Error));
  const add = (header: EntryHeader, source?: Readable) =>
    new Promise<void>((resolve, reject) => {
      const entry = tar.entry(header, (error) => (error ? reject(error) : resolve()));
      entry.once('error', reject);
      if (!source) return;
      source.once('error', (error) => {
        entry.destroy(error);
        reject(error);
      });
      source.pipe(entry);
    });
  void (async () => {
    for (const { header, file } of headersOf(files)) {
      if (closed) return;
      if (!file) {
        await add(header);
        continue;
      }
      current = await file.open();
      if (closed) return void current.destroy();
      await add(header, current);
      current = undefined;
    }
    tar.finalize();
  })().catch((error: unknown) => {
    current?.destroy();
    tar.destroy(error as Error);
    output.destroy(error as Error);
  });
  return output;
}
