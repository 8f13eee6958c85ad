import { gzipSync } from 'node:zlib';
import yauzl from 'yauzl';
import yazl from 'yazl';

/** A zip holding these files, as GitLab Runner's artifacts uploader makes one. */
export function zipOf(files: Record<string, string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
}

/** GitLab Runner's gzip report format: one gzip member per file, concatenated. */
export function gzipOf(...contents: string[]): Buffer {
  return Buffer.concat(contents.map((c) => gzipSync(Buffer.from(c))));
}

/** The files of a zip, as text. */
export function unzipText(data: Buffer): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      const out: Record<string, string> = {};
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream
            .on('data', (c: Buffer) => chunks.push(c))
            .on('end', () => {
              out[entry.fileName] = Buffer.concat(chunks).toString('utf8');
              zip.readEntry();
            });
        });
      });
      zip.on('end', () => resolve(out));
      zip.readEntry();
    });
  });
}

/** A multipart form with one file part, as GitLab Runner sends artifacts. */
export function multipartUpload(field: string, filename: string, content: Buffer): { contentType: string; body: Buffer } {
  const boundary = 'modelyard-test-boundary';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { contentType: `multipart/form-data; boundary=${boundary}`, body };
}
