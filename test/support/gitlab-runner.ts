import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The real GitLab Runner 17.5.0, kept (xz-compressed, with its SHA256SUMS) in the shared tools
 * folder beside the clone, since no package registry here serves it. Unpacked once into a cache
 * outside the clone and checked against SHA256SUMS, before and after unpacking.
 */
export const GITLAB_RUNNER_VERSION = '17.5.0';
const ARCHIVE = `gitlab-runner-${GITLAB_RUNNER_VERSION}-linux-amd64.xz`;
const BINARY = `gitlab-runner-${GITLAB_RUNNER_VERSION}-linux-amd64`;

/** `shared/tools/gitlab-runner` in the clone's parent folder (or one above it, for a worktree). */
function toolsDir(): string {
  const override = process.env.MODELYARD_GITLAB_RUNNER_DIR;
  if (override) return override;
  for (let dir = path.resolve('..'); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'tools', 'gitlab-runner');
    if (fs.existsSync(path.join(candidate, 'SHA256SUMS'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error('GitLab Runner not found: ../shared/tools/gitlab-runner/ (or MODELYARD_GITLAB_RUNNER_DIR) must hold it with its SHA256SUMS');
  }
}

const sha256Of = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function expectedSums(dir: string): { archive: string; binary: string } {
  const lines = fs.readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8').split('\n');
  const sumOf = (name: string) => {
    const line = lines.find((l) => l.split(/\s+/)[1] === name);
    if (!line) throw new Error(`SHA256SUMS lists no ${name}`);
    return line.split(/\s+/)[0]!;
  };
  return { archive: sumOf(ARCHIVE), binary: sumOf(BINARY) };
}

/** The path of a verified `gitlab-runner` binary, unpacking it into the cache the first time. */
export function gitlabRunnerBinary(): string {
  const dir = toolsDir();
  const sums = expectedSums(dir);
  const cache = path.join(process.env.MODELYARD_CI_CACHE ?? path.join(os.homedir(), '.cache', 'modelyard-ci'), `gitlab-runner-${GITLAB_RUNNER_VERSION}`);
  const binary = path.join(cache, 'gitlab-runner');
  if (fs.existsSync(binary) && sha256Of(binary) === sums.binary) return binary;
  if (sha256Of(path.join(dir, ARCHIVE)) !== sums.archive) throw new Error(`${ARCHIVE} does not match SHA256SUMS`);
  fs.mkdirSync(cache, { recursive: true });
  const partial = `${binary}.${process.pid}.partial`;
  fs.writeFileSync(partial, execFileSync('xz', ['-dc', path.join(dir, ARCHIVE)], { maxBuffer: 512 * 1024 * 1024 }), { mode: 0o755 });
  if (sha256Of(partial) !== sums.binary) {
    fs.rmSync(partial, { force: true });
    throw new Error(`the unpacked ${BINARY} does not match SHA256SUMS`);
  }
  fs.renameSync(partial, binary);
  return binary;
}
