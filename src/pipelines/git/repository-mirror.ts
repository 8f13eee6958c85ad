import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import type { OutboundPolicy } from '../../outbound/outbound-policy.ts';
import { StorageErrors } from '../../storage/errors.ts';
import { runGit, runGitOrThrow } from './git-command.ts';
import { connectRepository, repositoryUnreachable } from './repository-access.ts';
import { describeRepositoryUrl, redactCredentials } from './repository-url.ts';
import { trimTrailing } from '../../shared/trim.ts';
import { PipelineErrors } from '../errors.ts';

/**
 * Read access to a project's linked git repository through a bare mirror on local disk. Pipelines
 * only ever read (the definition file and commit metadata at the triggering commit), so a
 * mirror that is fetched on push is all they need; nothing is ever checked out.
 *
 * Reads never fetch by themselves (the caller decides when the mirror must be fresh, usually on
 * a push webhook), except that the first read of a repository clones it.
 */
export const PIPELINE_FILE_NAMES = ['.modelyard-ci.yml', '.gitlab-ci.yml'] as const;
export const MAX_FILE_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 120_000;
const READ_TIMEOUT_MS = 30_000;

export interface CommitInfo {
  sha: string;
  title: string;
  message: string;
  authorName: string;
  authorEmail: string;
  /** Author date, epoch ms. */
  timestamp: number;
}

export interface RepositoryMirrorOptions {
  /** Limit for one clone or fetch. */
  timeoutMs?: number;
  /** Decides which repositories the server may reach (local paths included) and pins git to them. */
  policy: OutboundPolicy;
}

export class RepositoryMirror {
  private readonly root: string;
  private readonly timeoutMs: number;
  private readonly policy: OutboundPolicy;
  /** The last sync started for each mirror directory; the next one waits for it. */
  private readonly syncs = new Map<string, Promise<void>>();

  constructor(cacheDir: string, options: RepositoryMirrorOptions) {
    this.root = resolvePath(cacheDir);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.policy = options.policy;
  }

  /** Clones the repository on first use, then fetches with prune; one at a time per URL. */
  async sync(url: string): Promise<void> {
    const dir = this.mirrorDir(url);
    const previous = this.syncs.get(dir) ?? Promise.resolve();
    // A sync queued behind a running one still fetches: the push that asked for it may have
    // landed after the running fetch had read the refs.
    const current = previous.catch(() => undefined).then(() => this.syncNow(url, dir));
    this.syncs.set(dir, current);
    try {
      await current;
    } finally {
      if (this.syncs.get(dir) === current) this.syncs.delete(dir);
    }
  }

  /** A branch, tag, full ref or (short) sha, peeled to its commit; undefined when unknown. */
  async resolve(url: string, ref: string): Promise<string | undefined> {
    assertRefName(ref);
    const dir = await this.ensureMirror(url);
    const outcome = await runGit([`--git-dir=${dir}`, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], { timeoutMs: READ_TIMEOUT_MS });
    if (outcome.exitCode !== 0) return undefined;
    const sha = outcome.stdout.toString('utf8').trim();
    return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha) ? sha : undefined;
  }

  /** The text of a file at a commit; undefined when the path is absent or not a file. */
  async readFile(url: string, sha: string, path: string): Promise<string | undefined> {
    assertCommitSha(sha);
    assertRepositoryPath(path);
    const dir = await this.ensureMirror(url);
    // One batch-check answers both "is the commit here" and "what is at the path", without
    // putting the path on the command line.
    const check = await runGitOrThrow([`--git-dir=${dir}`, 'cat-file', '--batch-check=%(objecttype) %(objectname) %(objectsize)'], {
      timeoutMs: READ_TIMEOUT_MS,
      input: `${sha}^{commit}\n${sha}:${path}\n`,
    });
    const [commitLine = '', fileLine = ''] = check.toString('utf8').split('\n');
    if (!commitLine.startsWith('commit ')) throw PipelineErrors.COMMIT_NOT_FOUND({ sha });
    const [type, objectId = '', size = ''] = fileLine.split(' ');
    if (type !== 'blob') return undefined;
    if (Number(size) > MAX_FILE_BYTES) throw StorageErrors.FILE_TOO_LARGE({ path, commit: sha, maxBytes: MAX_FILE_BYTES });
    const content = await runGitOrThrow([`--git-dir=${dir}`, 'cat-file', 'blob', objectId], {
      timeoutMs: READ_TIMEOUT_MS,
      maxBuffer: MAX_FILE_BYTES + 1,
    });
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(content);
    } catch {
      throw PipelineErrors.FILE_NOT_TEXT({ path, sha });
    }
  }

  /** The first pipeline definition present at the commit, in order of preference. */
  async readPipelineFile(url: string, sha: string): Promise<{ path: string; content: string } | undefined> {
    for (const path of PIPELINE_FILE_NAMES) {
      const content = await this.readFile(url, sha, path);
      if (content !== undefined) return { path, content };
    }
    return undefined;
  }

  async commit(url: string, sha: string): Promise<CommitInfo | undefined> {
    assertCommitSha(sha);
    const fullSha = await this.resolve(url, sha);
    if (fullSha === undefined) return undefined;
    const dir = await this.ensureMirror(url);
    const output = await runGitOrThrow([`--git-dir=${dir}`, 'log', '-1', '--no-show-signature', '--format=%H%x00%an%x00%ae%x00%at%x00%B', fullSha, '--'], { timeoutMs: READ_TIMEOUT_MS });
    const [commitSha = fullSha, authorName = '', authorEmail = '', seconds = '0', ...rest] = output.toString('utf8').split('\0');
    const message = trimTrailing(rest.join('\0'), '\n');
    return {
      sha: commitSha,
      title: message.split('\n', 1)[0] ?? '',
      message,
      authorName,
      authorEmail,
      timestamp: Number(seconds) * 1000,
    };
  }

  /** The mirror's git directory, cloned first if it is not there yet: what the server serves to runners. */
  async gitDirOf(url: string): Promise<string> {
    return this.ensureMirror(url);
  }

  /** Where a URL's mirror lives; validates the URL's form on the way (the policy is asked when git connects). */
  private mirrorDir(url: string): string {
    describeRepositoryUrl(url);
    return join(this.root, `${createHash('sha256').update(url).digest('hex')}.git`);
  }

  private async ensureMirror(url: string): Promise<string> {
    const dir = this.mirrorDir(url);
    const running = this.syncs.get(dir);
    if (running) await running.catch(() => undefined);
    if (!(await isRepository(dir))) await this.sync(url);
    return dir;
  }

  private async syncNow(url: string, dir: string): Promise<void> {
    // Checked again before each transfer: the name may resolve elsewhere than when it was linked.
    const connection = await connectRepository(url, this.policy);
    const settings = connection.config.flatMap((setting) => ['-c', setting]);
    const options = { timeoutMs: this.timeoutMs };
    if (await isRepository(dir)) {
      // The checked URL, not the one stored in the mirror: the pin is made for its host.
      await this.transfer(url, [...settings, `--git-dir=${dir}`, 'fetch', '--prune', '--quiet', '--', connection.url, '+refs/*:refs/*'], options);
      return;
    }
    await mkdir(this.root, { recursive: true });
    // Cloned aside and renamed into place, so a clone cut short never passes for a mirror.
    const staging = `${dir}.partial-${randomBytes(6).toString('hex')}`;
    try {
      // --no-local: a local source goes through git's transport like a remote one, instead of
      // having its object files hard-linked or copied as they are.
      await this.transfer(url, [...settings, 'clone', '--mirror', '--quiet', '--no-local', '--', connection.url, staging], options);
      await rename(staging, dir).catch(async (error: unknown) => {
        // Another server process sharing the cache won the race; its mirror is as good.
        if (!(await isRepository(dir))) throw error;
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** A clone or fetch; whatever stops it reads the same to the caller (see repository-access.ts). */
  private async transfer(url: string, args: string[], options: { timeoutMs: number }): Promise<void> {
    try {
      await runGitOrThrow(args, options);
    } catch (error) {
      if (PipelineErrors.GIT_COMMAND_FAILED.is(error)) throw repositoryUnreachable(`${redactCredentials(url)}: ${error.message}`);
      throw error;
    }
  }
}

async function isRepository(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, 'HEAD'))).isFile();
  } catch {
    return false;
  }
}

/**
 * Names as `git check-ref-format` allows them, plus shas. Revision syntax (`main~1`, `a..b`,
 * `main:path`, `@{-1}`) is refused: callers name refs, they do not write git expressions.
 */
function assertRefName(ref: string): void {
  if (typeof ref !== 'string' || ref === '') throw PipelineErrors.INVALID_REF({ detail: 'Git ref is empty' });
  if (ref.startsWith('-')) throw PipelineErrors.INVALID_REF({ detail: `Git ref '${ref.slice(0, 100)}' must not start with '-'` });
  if (ref.length > 255 || /[\u0000-\u0020\u007f~^:?*[\\]|\.\.|@\{|\/\/|^\/|\/$|\.lock$|\.$/.test(ref)) {
    throw PipelineErrors.INVALID_REF({ detail: `Git ref '${ref.slice(0, 100)}' is not a valid branch, tag or sha` });
  }
}

function assertCommitSha(sha: string): void {
  if (typeof sha !== 'string' || !/^[0-9a-f]{4,64}$/i.test(sha)) {
    throw PipelineErrors.INVALID_SHA({ given: String(sha) });
  }
}

/** A path inside the tree: relative, no `.`/`..` segments (git would read those from the cwd). */
function assertRepositoryPath(path: string): void {
  const segments = typeof path === 'string' ? path.split('/') : [];
  const bad = path === '' || path.length > 4096 || /[\u0000-\u001f\u007f]/.test(path);
  if (bad || segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw PipelineErrors.INVALID_PATH({ given: String(path) });
  }
}
