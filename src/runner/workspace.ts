import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { RE2JS } from 're2js';
import type { GitInfo } from '../runner-protocol/job-response.ts';

const run = promisify(execFile);

/** A clean directory per job, under the runner's builds directory. */
export function prepareWorkspace(buildsDir: string, jobId: number): string {
  const dir = path.join(buildsDir, `job-${jobId}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Fetches the pipeline's commit as GitLab Runner does: a fresh repository, the job's refspecs
 * fetched from `repo_url` (the server itself, the job token in the URL) to the given depth, and
 * the commit checked out detached.
 */
export async function checkout(git: GitInfo, depth: number, dir: string, log: (line: string) => void): Promise<void> {
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_SSH_COMMAND: 'ssh -o BatchMode=yes' };
  const options = { env, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 };
  log(`Fetching changes${depth > 0 ? ` with git depth set to ${depth}` : ''}...\n`);
  await run('git', ['init', '--quiet', dir], options);
  await run('git', ['-C', dir, 'fetch', '--quiet', '--no-recurse-submodules', ...(depth > 0 ? ['--depth', String(depth)] : []), '--', git.repo_url, ...git.refspecs], options);
  log(`Checking out ${git.sha.slice(0, 8)} as detached HEAD (ref is ${git.ref})...\n`);
  await run('git', ['-C', dir, 'checkout', '--quiet', '--force', '--detach', git.sha, '--'], options);
}

/** A zip of these files (paths relative to `root`), made while it is read. */
export function zipFiles(root: string, files: readonly string[]): Readable {
  const zip = new yazl.ZipFile();
  for (const file of files) zip.addFile(path.join(root, file), file);
  zip.end();
  return zip.outputStream as Readable;
}

/** GitLab Runner's gzip artifact format: each file as its own gzip member, one after the other. */
export function gzipFiles(root: string, files: readonly string[]): Readable {
  const out = new PassThrough();
  (async () => {
    for (const file of files) await pipeline(fs.createReadStream(path.join(root, file)), createGzip(), out, { end: false });
    out.end();
  })().catch((error: Error) => out.destroy(error));
  return out;
}

/** Unpacks a dependency's artifacts zip into the job's directory; entries that would land outside it are refused (yauzl checks names). */
export function extractZip(file: string, into: string): Promise<number> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('no zip'));
      let count = 0;
      zip.on('error', reject);
      zip.on('end', () => resolve(count));
      zip.on('entry', (entry: yauzl.Entry) => {
        const target = path.join(into, entry.fileName);
        if (!path.resolve(target).startsWith(path.resolve(into) + path.sep)) return reject(new Error(`unsafe entry ${entry.fileName}`));
        if (entry.fileName.endsWith('/')) {
          fs.mkdirSync(target, { recursive: true });
          return zip.readEntry();
        }
        fs.mkdirSync(path.dirname(target), { recursive: true });
        zip.openReadStream(entry, (openError, stream) => {
          if (openError || !stream) return reject(openError ?? new Error('no stream'));
          pipeline(stream, fs.createWriteStream(target)).then(() => {
            count++;
            zip.readEntry();
          }, reject);
        });
      });
      zip.readEntry();
    });
  });
}

/**
 * The files an `artifacts:paths` list names: plain files, whole directories, and globs with
 * `*` (within a name) and `**` (any depth). Only files inside the workspace are taken.
 */
export function matchArtifacts(root: string, patterns: string[]): string[] {
  const found = new Set<string>();
  const all: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) all.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  walk(root);
  for (const raw of patterns) {
    const pattern = raw.replace(/^\.\//, '').replace(/\/+$/, '');
    if (pattern === '' || pattern.split('/').includes('..') || path.isAbsolute(pattern)) continue;
    // RE2 (linear time): the globs come from the pipeline file, and a backtracking engine takes
    // polynomial time on globs such as `*a*a*a*a*b` against long names.
    const regex = RE2JS.compile(`^${globSource(pattern)}(?:/.*)?$`);
    for (const file of all) if (regex.test(file)) found.add(file);
  }
  return [...found].sort();
}

/** `**` (a whole segment) matches any depth, `*` any run within a name; the rest matches itself. */
function globSource(pattern: string): string {
  const quote = (text: string) => (text === '' ? '' : RE2JS.quote(text));
  const segments = pattern.split('/');
  return segments
    .map((part, index) => {
      if (part === '**') return index === segments.length - 1 ? '.*' : '(?:.*/)?';
      const source = part.split('*').map(quote).join('[^/]*');
      return index === segments.length - 1 ? source : `${source}/`;
    })
    .join('');
}
