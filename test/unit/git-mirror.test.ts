import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors.ts';
import { parseAllowList } from '../../src/outbound/allow-list.ts';
import { OutboundPolicy } from '../../src/outbound/outbound-policy.ts';
import { REPOSITORY_UNREACHABLE_MESSAGE } from '../../src/pipelines/git/repository-access.ts';
import { RepositoryMirror } from '../../src/pipelines/git/repository-mirror.ts';
import { classifyRepositoryUrl, redactCredentials } from '../../src/pipelines/git/repository-url.ts';

/** These tests read repositories on this disk, which only `file://` in the allow-list permits. */
const localPaths = new OutboundPolicy(parseAllowList('file://'));

const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', HOME: tmpdir() };

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    env,
    encoding: 'utf8',
  }).trim();
}

function commitFile(repo: string, files: Record<string, string>, message: string): string {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(repo, name), content);
  git(repo, 'add', '--', ...Object.keys(files));
  git(repo, 'commit', '--quiet', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

describe('RepositoryMirror', () => {
  let workdir: string;
  let source: string;
  let mirror: RepositoryMirror;
  let first: string;
  let second: string;

  beforeAll(() => {
    workdir = mkdtempSync(join(tmpdir(), 'modelyard-git-'));
    source = join(workdir, 'source');
    git(workdir, 'init', '--quiet', source);
    first = commitFile(source, { '.gitlab-ci.yml': 'stages: [gitlab]\n', 'README.md': '# demo\n' }, 'First commit\n\nWith a body.');
    git(source, 'tag', '-a', 'v1.0', '-m', 'release 1.0');
    git(source, 'branch', 'feature');
    second = commitFile(source, { '.gitlab-ci.yml': 'stages: [gitlab2]\n', '.modelyard-ci.yml': 'stages: [modelyard]\n' }, 'Second commit');
    mirror = new RepositoryMirror(join(workdir, 'cache'), { policy: localPaths });
  });

  afterAll(() => rmSync(workdir, { recursive: true, force: true }));

  it('clones on first sync and resolves branches, tags and shas', async () => {
    await mirror.sync(source);
    expect(await mirror.resolve(source, 'main')).toBe(second);
    expect(await mirror.resolve(source, 'refs/heads/main')).toBe(second);
    expect(await mirror.resolve(source, 'feature')).toBe(first);
    // An annotated tag is peeled to the commit it names.
    expect(await mirror.resolve(source, 'v1.0')).toBe(first);
    expect(await mirror.resolve(source, first)).toBe(first);
    expect(await mirror.resolve(source, first.slice(0, 8))).toBe(first);
    expect(await mirror.resolve(source, 'no-such-branch')).toBeUndefined();
    expect(await mirror.resolve(source, '0'.repeat(40))).toBeUndefined();
  });

  it('reads files at a commit', async () => {
    expect(await mirror.readFile(source, first, 'README.md')).toBe('# demo\n');
    expect(await mirror.readFile(source, first, '.gitlab-ci.yml')).toBe('stages: [gitlab]\n');
    expect(await mirror.readFile(source, second, '.gitlab-ci.yml')).toBe('stages: [gitlab2]\n');
    expect(await mirror.readFile(source, first, '.modelyard-ci.yml')).toBeUndefined();
    expect(await mirror.readFile(source, first, 'missing/file.txt')).toBeUndefined();
    await expect(mirror.readFile(source, 'f'.repeat(40), 'README.md')).rejects.toThrow(/Commit .* Not Found/);
  });

  it('prefers .modelyard-ci.yml over .gitlab-ci.yml', async () => {
    expect(await mirror.readPipelineFile(source, first)).toEqual({ path: '.gitlab-ci.yml', content: 'stages: [gitlab]\n' });
    expect(await mirror.readPipelineFile(source, second)).toEqual({ path: '.modelyard-ci.yml', content: 'stages: [modelyard]\n' });
  });

  it('returns commit metadata', async () => {
    const info = await mirror.commit(source, first);
    expect(info).toMatchObject({ sha: first, title: 'First commit', message: 'First commit\n\nWith a body.', authorName: 't', authorEmail: 't@t' });
    expect(info!.timestamp).toBeGreaterThan(Date.parse('2020-01-01'));
    expect(info!.timestamp % 1000).toBe(0);
    expect(await mirror.commit(source, 'a'.repeat(40))).toBeUndefined();
  });

  it('sees a new commit only after sync, and prunes deleted branches', async () => {
    const third = commitFile(source, { 'README.md': '# changed\n' }, 'Third commit');
    git(source, 'branch', '-D', 'feature');
    expect(await mirror.resolve(source, 'main')).toBe(second);
    await Promise.all([mirror.sync(source), mirror.sync(source)]);
    expect(await mirror.resolve(source, 'main')).toBe(third);
    expect(await mirror.resolve(source, 'feature')).toBeUndefined();
    expect(await mirror.readFile(source, third, 'README.md')).toBe('# changed\n');
  });

  it('refuses files over 1 MiB', async () => {
    const big = commitFile(source, { 'big.txt': 'x'.repeat(1024 * 1024 + 1), 'ok.txt': 'y'.repeat(1024 * 1024) }, 'Big file');
    await mirror.sync(source);
    await expect(mirror.readFile(source, big, 'big.txt')).rejects.toThrow(/larger than 1048576 bytes/);
    expect(await mirror.readFile(source, big, 'ok.txt')).toHaveLength(1024 * 1024);
  });

  it('clones lazily on first read, and accepts file:// URLs', async () => {
    const lazy = new RepositoryMirror(join(workdir, 'cache-lazy'), { policy: localPaths });
    const head = git(source, 'rev-parse', 'HEAD');
    expect(await lazy.resolve(`file://${source}`, 'main')).toBe(head);
  });

  it('refuses refs, shas and paths that git could misread', async () => {
    await expect(mirror.resolve(source, '--upload-pack=touch /tmp/x')).rejects.toThrow(/must not start with '-'/);
    await expect(mirror.resolve(source, '-n')).rejects.toThrow(/must not start with '-'/);
    await expect(mirror.resolve(source, 'main~1')).rejects.toThrow(/not a valid/);
    await expect(mirror.resolve(source, 'main:README.md')).rejects.toThrow(/not a valid/);
    await expect(mirror.readFile(source, '--all', 'README.md')).rejects.toThrow(/not a commit sha/);
    await expect(mirror.readFile(source, first, '../README.md')).rejects.toThrow(/not a valid path/);
    await expect(mirror.readFile(source, first, '/etc/passwd')).rejects.toThrow(/not a valid path/);
    await expect(mirror.readFile(source, first, 'a\nb')).rejects.toThrow(/not a valid path/);
  });

  it('refuses unsupported or dangerous URLs', async () => {
    for (const url of ['', '-oProxyCommand=x', 'ext::sh -c touch% /tmp/pwned', 'git://host/repo.git', 'ftp://host/repo', 'relative/path', 'ssh://-oProxyCommand=x/repo', 'https://host/a b']) {
      await expect(mirror.sync(url), url).rejects.toThrow(/Repository URL|Repository path/);
    }
    for (const url of ['https://gitlab.com/a/b.git', 'http://host:8080/a.git', 'ssh://git@host:22/a.git', 'git@github.com:a/b.git', 'file:///srv/repo.git', '/srv/repo.git']) {
      expect(() => classifyRepositoryUrl(url), url).not.toThrow();
    }
    const remoteOnly = new RepositoryMirror(join(workdir, 'cache-remote-only'), { policy: new OutboundPolicy(parseAllowList('')) });
    await expect(remoteOnly.sync(source)).rejects.toThrow(REPOSITORY_UNREACHABLE_MESSAGE);
  });

  it('keeps credentials out of error messages', async () => {
    expect(redactCredentials('fatal: https://oauth2:glpat-secret@gitlab.example/a.git not found')).toBe('fatal: https://oauth2:*****@gitlab.example/a.git not found');
    expect(redactCredentials('https://ghp_token@github.com/a/b')).toBe('https://*****@github.com/a/b');
    expect(redactCredentials('ssh://git@host/a.git')).toBe('ssh://git@host/a.git');
    const failing = new RepositoryMirror(join(workdir, 'cache-failing'), { timeoutMs: 20_000, policy: new OutboundPolicy(parseAllowList('127.0.0.1')) });
    const error = await failing.sync('http://user:hunter2@127.0.0.1:9/repo.git').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe(REPOSITORY_UNREACHABLE_MESSAGE);
    // The server log gets git's own words, with the password hidden.
    expect(String((error as AppError).details?.serverLog)).toMatch(/git clone failed/);
    expect(JSON.stringify(error)).not.toContain('hunter2');
    expect(String((error as AppError).details?.serverLog)).not.toContain('hunter2');
  });

  it('redacts in linear time, whatever the remote wrote', () => {
    expect(redactCredentials('a https://u:p@h/ b HTTPS://t@h c x-git+ssh://git@h/')).toBe('a https://u:*****@h/ b HTTPS://*****@h c x-git+ssh://git@h/');
    // A backtracking engine retries the run of scheme characters from each position: seconds here.
    const hostile = `remote: ${'-a'.repeat(50_000)}`;
    const started = performance.now();
    expect(redactCredentials(hostile)).toBe(hostile);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('reads a commit whose message ends in a long run of blank lines quickly', async () => {
    const message = `Title\n${'\n'.repeat(100_000)}body`;
    writeFileSync(join(source, 'blank-lines.txt'), 'x');
    git(source, 'add', '--', 'blank-lines.txt');
    git(source, 'commit', '--quiet', '--cleanup=verbatim', '-m', message);
    const sha = git(source, 'rev-parse', 'HEAD');
    await mirror.sync(source);
    const started = performance.now();
    const info = await mirror.commit(source, sha);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(info?.message).toBe(message);
    expect(info?.title).toBe('Title');
  });
});
