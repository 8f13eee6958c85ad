import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

/**
 * The project's repository over git's smart-HTTP protocol, with the real git client: what a
 * CI job's checkout does (`gitlab-ci-token:<job token>@host/<project>.git`), and a member's.
 */
let t: TestApp;
let base: string;
let repo: string;
let head: string;
let maintainer: TestUser;
let reporter: TestUser;
let guest: TestUser;
let projectId: number;
let runnerToken: string;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'git-http-'));

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }).trim();
/** git talking to the server in this very process: asynchronously, or it would wait for itself. */
function gitAsync(cwd: string, ...args: string[]): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args],
      { cwd, encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'false' } },
      (error, stdout, stderr) => {
        resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}
/** A clone attempt: its exit status and what git said. */
async function clone(url: string, protocol = '2'): Promise<{ status: number; output: string; dir: string }> {
  const dir = fs.mkdtempSync(path.join(work, 'clone-'));
  return { ...(await gitAsync(work, '-c', `protocol.version=${protocol}`, 'clone', '--quiet', url, dir)), dir };
}
const withCredentials = (user: string, secret: string) => base.replace('http://', `http://${encodeURIComponent(user)}:${encodeURIComponent(secret)}@`);

beforeAll(async () => {
  t = await startTestApp({ MODELYARD_OUTBOUND_ALLOW: 'file://' });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  maintainer = await t.createUser('git-maint');
  reporter = await t.createUser('git-rep');
  guest = await t.createUser('git-guest');
  projectId = (await t.createProject(maintainer.token, 'git-project')).id;
  await t.addMember(projectId, reporter.id, 20);
  await t.addMember(projectId, guest.id, 10);
  repo = path.join(work, 'origin');
  fs.mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(repo, '.gitlab-ci.yml'), 'job:\n  script: [x]\n');
  fs.writeFileSync(path.join(repo, 'train.py'), 'print("train")\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'first');
  head = git(repo, 'rev-parse', 'HEAD');
  const linked = await t.call({ method: 'PUT', url: `/api/v4/projects/${projectId}/ci/settings`, token: maintainer.token, payload: { repository_url: `file://${repo}` } });
  expect(linked.statusCode, linked.body).toBe(200);
  runnerToken = (await t.call({ method: 'POST', url: '/api/v4/user/runners', token: maintainer.token, payload: { runner_type: 'project_type', project_id: projectId, run_untagged: true } })).json()
    .token;
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('git smart-HTTP', () => {
  it("lets a running job fetch its pipeline's commit with its token, as GitLab Runner does, and confirms the job", async () => {
    expect((await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/pipeline`, token: maintainer.token, payload: { ref: 'main' } })).statusCode).toBe(201);
    const job = (await t.call({ method: 'POST', url: '/api/v4/jobs/request', payload: { token: runnerToken } })).json() as {
      id: number;
      token: string;
      git_info: { repo_url: string; sha: string; refspecs: string[] };
    };
    expect(job.git_info.sha).toBe(head);
    // Moving the branch on does not matter: the job fetches its commit by id.
    fs.writeFileSync(path.join(repo, 'train.py'), 'print("newer")\n');
    git(repo, 'commit', '-q', '-am', 'second');
    const url = new URL(job.git_info.repo_url);
    expect(url.username).toBe('gitlab-ci-token');
    url.host = new URL(base).host; // the test server listens elsewhere than MODELYARD_PUBLIC_URL says
    for (const protocol of ['0', '2']) {
      const dir = fs.mkdtempSync(path.join(work, 'job-'));
      git(dir, 'init', '-q');
      const fetched = await gitAsync(dir, '-c', `protocol.version=${protocol}`, 'fetch', '--quiet', '--depth', '20', url.href, ...job.git_info.refspecs);
      expect(fetched.status, fetched.output).toBe(0);
      git(dir, 'checkout', '--quiet', '--detach', job.git_info.sha);
      expect(fs.readFileSync(path.join(dir, 'train.py'), 'utf8')).toBe('print("train")\n');
    }
    const row = await t.services.database.db.selectFrom('ci_jobs').select('confirmed_at').where('id', '=', job.id).executeTakeFirstOrThrow();
    expect(row.confirmed_at).not.toBeNull();
    const done = await t.call({ method: 'PUT', url: `/api/v4/jobs/${job.id}`, payload: { token: job.token, state: 'success' } });
    expect(done.statusCode).toBe(200);
    // Once the job ended its token opens nothing.
    const after = await clone(`${withCredentials('gitlab-ci-token', job.token)}/git-project.git`);
    expect(after.status).not.toBe(0);
  });

  it('serves members with a token (reporters up), challenges anonymous git, and refuses pushes', async () => {
    const byReporter = await clone(`${withCredentials(reporter.username, reporter.token)}/git-project.git`, '0');
    expect(byReporter.status, byReporter.output).toBe(0);
    expect(fs.existsSync(path.join(byReporter.dir, 'train.py'))).toBe(true);
    expect((await clone(`${withCredentials(guest.username, guest.token)}/git-project.git`)).status).not.toBe(0);
    const anonymous = await fetch(`${base}/git-project.git/info/refs?service=git-upload-pack`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
    const push = await fetch(`${base}/git-project.git/info/refs?service=git-receive-pack`, { headers: { 'private-token': maintainer.token } });
    expect(push.status).toBe(403);
    const pushed = await gitAsync(byReporter.dir, 'push', `${withCredentials(maintainer.username, maintainer.token)}/git-project.git`, 'HEAD:refs/heads/evil');
    expect(pushed.status).not.toBe(0);
    expect(git(repo, 'branch', '--list', 'evil')).toBe('');
    // Not a repository route: the web UI still serves its pages.
    expect((await fetch(`${base}/git-project/info/refs`)).status).not.toBe(401);
  });

  it('answers 404 for a project without a linked repository', async () => {
    const bare = await t.createProject(maintainer.token, 'no-repo');
    const res = await fetch(`${base}/no-repo.git/info/refs?service=git-upload-pack`, { headers: { 'private-token': maintainer.token } });
    expect(res.status).toBe(404);
    void bare;
    // Anyone may read a public project: no repository there is a 404 even for them, not a challenge.
    await t.createProject(maintainer.token, 'public-no-repo', 'public');
    expect((await fetch(`${base}/public-no-repo.git/info/refs?service=git-upload-pack`)).status).toBe(404);
  });
});
