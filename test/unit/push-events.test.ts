import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyPushWebhook, type PushVerification } from '../../src/pipelines/git/push-events.ts';

const SECRET = 's3cret';
const BEFORE = '28e1879d029cb852e4844d9c718537df08844e03';
const AFTER = 'bffeb74224043ba2feb48d137756c8a9331c449a';
const ZERO = '0'.repeat(40);

const hmac = (body: Buffer, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function eventOf(result: PushVerification) {
  if (!result.ok || !('event' in result)) throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.event;
}

const gitlabPush = {
  object_kind: 'push',
  ref: 'refs/heads/main',
  before: BEFORE,
  after: AFTER,
  checkout_sha: AFTER,
  user_username: 'jsmith',
  project: { git_http_url: 'https://gitlab.example.com/ml/demo.git', git_ssh_url: 'git@gitlab.example.com:ml/demo.git', web_url: 'https://gitlab.example.com/ml/demo' },
  repository: { git_http_url: 'https://gitlab.example.com/ml/demo.git', git_ssh_url: 'git@gitlab.example.com:ml/demo.git' },
  commits: [
    { id: BEFORE.replace('2', '3'), message: 'Older change\n', title: 'Older change' },
    { id: AFTER, message: 'Train with more data\n\nDetails.', title: 'Train with more data' },
  ],
};

const githubPush = {
  ref: 'refs/heads/main',
  before: BEFORE,
  after: AFTER,
  created: false,
  deleted: false,
  repository: { clone_url: 'https://github.com/ml/demo.git', ssh_url: 'git@github.com:ml/demo.git', html_url: 'https://github.com/ml/demo' },
  pusher: { name: 'octocat', email: 'o@example.com' },
  head_commit: { id: AFTER, message: 'Tune learning rate\n\nbody' },
};

const giteaPush = {
  ref: 'refs/heads/develop',
  before: BEFORE,
  after: AFTER,
  repository: { clone_url: 'http://localhost:3000/gitea/webhooks.git', ssh_url: 'gitea@localhost:gitea/webhooks.git', html_url: 'http://localhost:3000/gitea/webhooks' },
  pusher: { id: 1, login: 'gitea', username: 'gitea' },
  head_commit: { id: AFTER, message: 'Webhooks Yay!' },
};

describe('GitLab push webhooks', () => {
  const headers = (token = SECRET, event = 'Push Hook') => ({ 'x-gitlab-token': token, 'x-gitlab-event': event });

  it('accepts a push with the right token', () => {
    expect(eventOf(verifyPushWebhook('gitlab', headers(), json(gitlabPush), SECRET))).toEqual({
      provider: 'gitlab',
      ref: 'refs/heads/main',
      branch: 'main',
      before: BEFORE,
      after: AFTER,
      deleted: false,
      repositoryUrls: ['https://gitlab.example.com/ml/demo.git', 'git@gitlab.example.com:ml/demo.git', 'https://gitlab.example.com/ml/demo'],
      pusher: 'jsmith',
      commitTitle: 'Train with more data',
    });
  });

  it('accepts a tag push', () => {
    const body = json({ ...gitlabPush, object_kind: 'tag_push', ref: 'refs/tags/v1.0', before: ZERO, commits: [] });
    const event = eventOf(verifyPushWebhook('gitlab', headers(SECRET, 'Tag Push Hook'), body, SECRET));
    expect(event).toMatchObject({ tag: 'v1.0', deleted: false });
    expect(event.branch).toBeUndefined();
  });

  it('reports a branch deletion', () => {
    const body = json({ ...gitlabPush, after: ZERO, checkout_sha: null, commits: [] });
    expect(eventOf(verifyPushWebhook('gitlab', headers(), body, SECRET))).toMatchObject({ branch: 'main', deleted: true, after: ZERO });
  });

  it('refuses a wrong or missing token with 401', () => {
    expect(verifyPushWebhook('gitlab', headers('wrong'), json(gitlabPush), SECRET)).toMatchObject({ ok: false, status: 401 });
    const missing = verifyPushWebhook('gitlab', { 'x-gitlab-event': 'Push Hook' }, json(gitlabPush), SECRET);
    expect(missing).toEqual({ ok: false, status: 401, message: 'Missing X-Gitlab-Token header' });
  });

  it('ignores other events and refuses bad bodies with 400', () => {
    expect(verifyPushWebhook('gitlab', headers(SECRET, 'Merge Request Hook'), json({}), SECRET)).toMatchObject({ ok: true, ignored: expect.stringContaining('Merge Request Hook') });
    expect(verifyPushWebhook('gitlab', headers(), Buffer.from('{not json'), SECRET)).toMatchObject({ ok: false, status: 400 });
    expect(verifyPushWebhook('gitlab', headers(), json({ ...gitlabPush, after: undefined }), SECRET)).toMatchObject({ ok: false, status: 400, message: expect.stringContaining("'after'") });
    expect(verifyPushWebhook('gitlab', headers(), json({ ...gitlabPush, ref: 'main' }), SECRET)).toMatchObject({ ok: false, status: 400 });
  });
});

describe('GitHub push webhooks', () => {
  const send = (body: Buffer, event = 'push', signature = `sha256=${hmac(body)}`) =>
    verifyPushWebhook('github', { 'X-GitHub-Event': event, 'X-Hub-Signature-256': signature, 'content-type': 'application/json' }, body, SECRET);

  it('accepts a signed push', () => {
    expect(eventOf(send(json(githubPush)))).toEqual({
      provider: 'github',
      ref: 'refs/heads/main',
      branch: 'main',
      before: BEFORE,
      after: AFTER,
      deleted: false,
      repositoryUrls: ['https://github.com/ml/demo.git', 'git@github.com:ml/demo.git', 'https://github.com/ml/demo'],
      pusher: 'octocat',
      commitTitle: 'Tune learning rate',
    });
  });

  it('accepts a form-encoded push, signed over the raw form', () => {
    const body = Buffer.from(new URLSearchParams({ payload: JSON.stringify(githubPush) }).toString());
    const result = verifyPushWebhook('github', { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(body)}`, 'content-type': 'application/x-www-form-urlencoded' }, body, SECRET);
    expect(eventOf(result).branch).toBe('main');
  });

  it('reports tag pushes and deletions', () => {
    expect(eventOf(send(json({ ...githubPush, ref: 'refs/tags/v2' })))).toMatchObject({ tag: 'v2', deleted: false });
    const deletion = eventOf(send(json({ ...githubPush, after: ZERO, deleted: true, head_commit: null })));
    expect(deletion).toMatchObject({ branch: 'main', deleted: true });
    expect(deletion.commitTitle).toBeUndefined();
  });

  it('ignores ping', () => {
    const body = json({ zen: 'Encourage flow.', hook_id: 1 });
    expect(send(body, 'ping')).toEqual({ ok: true, ignored: "X-GitHub-Event 'ping' is not a push event" });
  });

  it('refuses wrong, malformed or missing signatures with 401', () => {
    const body = json(githubPush);
    expect(send(body, 'push', `sha256=${hmac(body, 'other')}`)).toMatchObject({ ok: false, status: 401, message: expect.stringContaining('does not match') });
    expect(send(body, 'push', hmac(body))).toMatchObject({ ok: false, status: 401, message: expect.stringContaining("'sha256='") });
    // A signature over other bytes (the body re-serialized, say) does not verify.
    expect(send(body, 'push', `sha256=${hmac(json({ ...githubPush, ref: 'refs/heads/evil' }))}`)).toMatchObject({ status: 401 });
    expect(verifyPushWebhook('github', { 'x-github-event': 'push' }, body, SECRET)).toEqual({ ok: false, status: 401, message: 'Missing X-Hub-Signature-256 header' });
    expect(send(body, 'push', `sha256=${hmac(body, '')}`)).toMatchObject({ status: 401 });
    expect(verifyPushWebhook('github', { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(body, '')}` }, body, '')).toMatchObject({ status: 401 });
  });

  it('refuses bad JSON and missing fields with 400', () => {
    expect(send(Buffer.from('not json'))).toMatchObject({ ok: false, status: 400 });
    expect(send(Buffer.from('[1,2]'))).toMatchObject({ ok: false, status: 400 });
    expect(send(json({ ...githubPush, before: 'nope' }))).toMatchObject({ ok: false, status: 400, message: expect.stringContaining("'before'") });
    expect(verifyPushWebhook('github', { 'x-hub-signature-256': `sha256=${hmac(json(githubPush))}` }, json(githubPush), SECRET)).toMatchObject({ status: 400 });
  });
});

describe('Gitea push webhooks', () => {
  const send = (body: Buffer, signature = hmac(body), event = 'push') => verifyPushWebhook('gitea', { 'x-gitea-event': event, 'x-gitea-signature': signature }, body, SECRET);

  it('accepts a signed push', () => {
    expect(eventOf(send(json(giteaPush)))).toEqual({
      provider: 'gitea',
      ref: 'refs/heads/develop',
      branch: 'develop',
      before: BEFORE,
      after: AFTER,
      deleted: false,
      repositoryUrls: ['http://localhost:3000/gitea/webhooks.git', 'gitea@localhost:gitea/webhooks.git', 'http://localhost:3000/gitea/webhooks'],
      pusher: 'gitea',
      commitTitle: 'Webhooks Yay!',
    });
  });

  it('takes an all-zero after as a deletion, and reads tags', () => {
    expect(eventOf(send(json({ ...giteaPush, after: ZERO, head_commit: null })))).toMatchObject({ branch: 'develop', deleted: true });
    expect(eventOf(send(json({ ...giteaPush, ref: 'refs/tags/v3', pusher: { login: 'alice' } })))).toMatchObject({ tag: 'v3', pusher: 'alice' });
  });

  it('refuses wrong or missing signatures with 401 and ignores other events', () => {
    const body = json(giteaPush);
    expect(send(body, hmac(body, 'wrong'))).toMatchObject({ ok: false, status: 401 });
    expect(send(body, `sha256=${hmac(body)}`)).toMatchObject({ ok: false, status: 401 });
    expect(verifyPushWebhook('gitea', { 'x-gitea-event': 'push' }, body, SECRET)).toEqual({ ok: false, status: 401, message: 'Missing X-Gitea-Signature header' });
    expect(send(body, hmac(body), 'create')).toMatchObject({ ok: true, ignored: expect.any(String) });
    expect(send(Buffer.from('{"ref":'))).toMatchObject({ ok: false, status: 400 });
  });
});
