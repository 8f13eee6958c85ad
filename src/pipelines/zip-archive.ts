import { PassThrough, Readable, Transform } from 'node:stream';
import yauzl from 'yauzl';
import { notFound } from '../shared/errors.ts';
import type { BlobStore, ByteRange } from '../storage/blob-store.ts';
import { PipelineErrors } from './errors.ts';

/** Listing more entries than this is refused: a zip's directory is read into memory to list it. */
export const MAX_ARCHIVE_ENTRIES = 50_000;

export interface ZipEntryInfo {
  /** `/`-separated; directories end with `/`. */
  path: string;
  size: number;
  crc32: number;
}

/** Reads a zip stored in the blob store by byte ranges, so a single file comes out without fetching the whole archive (S3 too). */
class BlobRangeReader extends yauzl.RandomAccessReader {
  constructor(
    private readonly store: BlobStore,
    private readonly key: string,
  ) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    if (end <= start) return Readable.from([]);
    const out = new PassThrough();
    const range: ByteRange = { start, end: end - 1 };
    this.store.get(this.key, range).then(
      (stream) => {
        stream.on('error', (error) => out.destroy(error));
        stream.pipe(out);
      },
      (error: Error) => out.destroy(error),
    );
    return out;
  }
}

function open(store: BlobStore, key: string, size: number): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // Entry names are validated by yauzl: absolute paths and `..` segments make the archive unreadable.
    yauzl.fromRandomAccessReader(new BlobRangeReader(store, key), size, { lazyEntries: true, autoClose: false }, (error, zip) => (error || !zip ? reject(error ?? new Error('no zip')) : resolve(zip)));
  });
}

/** Walks the central directory until `visit` returns true (found) or the entries end. */
async function walk(zip: yauzl.ZipFile, visit: (entry: yauzl.Entry) => boolean): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => (visit(entry) ? resolve(entry) : zip.readEntry()));
    zip.on('end', () => resolve(undefined));
    zip.on('error', reject);
    zip.readEntry();
  });
}

/** Skips `start` bytes and stops after `end` (inclusive): a byte range of a file that is only readable from its start. */
function slice(range: ByteRange): Transform {
  let position = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const from = Math.max(0, range.start - position);
      const to = Math.min(chunk.length, range.end + 1 - position);
      position += chunk.length;
      done(null, to > from ? chunk.subarray(from, to) : undefined);
    },
  });
}

/**
 * A job's artifacts archive as the runner zipped it. Reading never extracts it: the central
 * directory is read for a listing, and one entry is inflated for a download.
 */
export class ZipArchive {
  constructor(
    private readonly store: BlobStore,
    private readonly key: string,
    private readonly size: number,
  ) {}

  /** Every entry; throws when the archive is not a readable zip (or has entries with unsafe names). */
  async entries(limit = MAX_ARCHIVE_ENTRIES): Promise<ZipEntryInfo[]> {
    const zip = await open(this.store, this.key, this.size);
    try {
      if (zip.entryCount > limit) throw PipelineErrors.ARCHIVE_TOO_BIG({ entries: zip.entryCount, limit });
      const list: ZipEntryInfo[] = [];
      await walk(zip, (entry) => {
        list.push({ path: entry.fileName, size: entry.uncompressedSize, crc32: entry.crc32 });
        return false;
      });
      return list;
    } finally {
      zip.close();
    }
  }

  /** One file of the archive, with a way to read it (a byte range too). */
  async file(path: string): Promise<{ size: number; crc32: number; open(range?: ByteRange): Promise<Readable> }> {
    const zip = await open(this.store, this.key, this.size);
    let found: yauzl.Entry | undefined;
    try {
      found = await walk(zip, (entry) => entry.fileName === path);
    } finally {
      if (!found) zip.close();
    }
    if (!found) throw notFound('404 Artifact');
    const entry = found;
    let used = false;
    return {
      size: entry.uncompressedSize,
      crc32: entry.crc32,
      open: async (range) => {
        // The archive stays open for this one read; a second read opens it again.
        const source = used ? await open(this.store, this.key, this.size) : zip;
        used = true;
        const stream = await new Promise<Readable>((resolve, reject) => source.openReadStream(entry, (error, s) => (error || !s ? reject(error ?? new Error('no stream')) : resolve(s))));
        stream.once('close', () => source.close());
        return range ? stream.pipe(slice(range)) : stream;
      },
    };
  }
}
