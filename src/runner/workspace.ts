import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { compileAssembledRegex, quoteRegex } from '../shared/untrusted-regex.ts';

const run = promisify(execFile);

/** A clean directory per job, under the runner's builds directory. */
export function prepareWorkspace(buildsDir: string, jobId: number): string {
  const dir = path.join(buildsDir, `job-${jobId}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Checks the repository out at the pipeline's commit (detached), as GitLab's runner does. */
export async function checkout(url: string, sha: string, dir: string, log: (line: string) => void): Promise<void> {
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_SSH_COMMAND: 'ssh -o BatchMode=yes' };
  log(`Fetching the repository at ${sha.slice(0, 8)}\n`);
  await run('git', ['clone', '--quiet', '--no-checkout', '--', url, dir], { env, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
  await run('git', ['-C', dir, 'checkout', '--quiet', '--detach', sha, '--'], { env, timeout: 600_000 });
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
    const regex = compileAssembledRegex(`^${globSource(pattern)}(?:/.*)?$`);
    for (const file of all) if (regex.test(file)) found.add(file);
  }
  return [...found].sort();
}

/** `**` (a whole segment) matches any depth, `*` any run within a name; the rest matches itself. */
function globSource(pattern: string): string {
  const segments = pattern.split('/');
  return segments
    .map((part, index) => {
      if (part === '**') return index === segments.length - 1 ? '.*' : '(?:.*/)?';
      const source = part.split('*').map(quoteRegex).join('[^/]*');
      return index === segments.length - 1 ? source : `${source}/`;
    })
    .join('');
}
