import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookDispatcher } from '../../src/events/webhook-dispatcher.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { modelWithVersions } from '../support/serving.ts';

/**
 * Model-development issues (docs/issues.md): GitLab's Issues and Notes APIs, its guest and
 * confidentiality rules, links to the project's objects in both directions, references in
 * Markdown, the events and webhooks, and the review gate on approvals and protected deployments.
 */
let t: TestApp;
let projectId: number;
let modelId: number;
let owner: TestUser;
let maintainer: TestUser;
let developer: TestUser;
let reporter: TestUser;
let guest: TestUser;
let otherGuest: TestUser;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const api = (path: string) => `/api/v4/projects/${projectId}${path}`;
const call = (method: Method, path: string, token: string | null, payload?: Record<string, unknown>) => t.call({ method, url: api(path), token, ...(payload ? { payload } : {}) });

async function countOf(table: 'issues' | 'issue_notes' | 'issue_links' | 'issue_labels' | 'events'): Promise<number> {
  const row = await t.services.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function open(token: string, payload: Record<string, unknown>): Promise<{ iid: number; id: number }> {
  const res = await call('POST', '/issues', token, payload);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { iid: number; id: number };
}

beforeAll(async () => {
  t = await startTestApp({ MODELYARD_OUTBOUND_ALLOW: '127.0.0.1' });
  owner = await t.createUser('iss-owner');
  maintainer = await t.createUser('iss-maintainer');
  developer = await t.createUser('iss-developer');
  reporter = await t.createUser('iss-reporter');
  guest = await t.createUser('iss-guest');
  otherGuest = await t.createUser('iss-guest-2');
  projectId = (await t.createProject(owner.token, 'issues')).id;
  await t.addMember(projectId, maintainer.id, 40);
  await t.addMember(projectId, developer.id, 30);
  await t.addMember(projectId, reporter.id, 20);
  await t.addMember(projectId, guest.id, 10);
  await t.addMember(projectId, otherGuest.id, 10);
  modelId = await modelWithVersions(t, projectId, 'churn', 2, maintainer.token);
});

afterAll(async () => t?.close());

describe('issues', () => {
  it("are GitLab's: numbered per project, listed with filters and pagination headers, edited, closed, reopened, deleted by owners", async () => {
    const first = await call('POST', '/issues', reporter.token, {
      title: '  Drift in churn v2  ',
      description: 'See **this**',
      labels: 'bug,stage::triage',
      assignee_ids: [developer.id],
      due_date: '2027-01-31',
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      iid: 1,
      project_id: projectId,
      title: 'Drift in churn v2',
      description: 'See **this**',
      description_html: '<p>See <strong>this</strong></p>\n',
      state: 'opened',
      labels: ['bug', 'stage::triage'],
      assignees: [{ id: developer.id, username: 'iss-developer' }],
      assignee: { id: developer.id },
      author: { id: reporter.id, username: 'iss-reporter' },
      closed_by: null,
      closed_at: null,
      due_date: '2027-01-31',
      confidential: false,
      user_notes_count: 0,
      type: 'ISSUE',
      web_url: `http://modelyard.test/projects/${projectId}/issues/1`,
      references: { short: '#1' },
    });
    const second = await open(guest.token, { title: 'Second', description: 'about latency' });
    expect(second.iid).toBe(2);

    const page = await call('GET', '/issues?per_page=1&page=1', guest.token);
    expect(page.headers['x-total']).toBe('2');
    expect(page.headers['x-total-pages']).toBe('2');
    expect(page.headers['x-next-page']).toBe('2');
    expect(String(page.headers.link)).toContain('rel="next"');
    expect((page.json() as { iid: number }[]).map((i) => i.iid)).toEqual([2]);
    const iids = async (query: string) => ((await call('GET', `/issues?${query}`, guest.token)).json() as { iid: number }[]).map((i) => i.iid).sort();
    expect(await iids('labels=stage::triage')).toEqual([1]);
    expect(await iids('search=LATENCY')).toEqual([2]);
    expect(await iids(`assignee_id=${developer.id}`)).toEqual([1]);
    expect(await iids('assignee_id=None')).toEqual([2]);
    expect(await iids('assignee_username=iss-developer')).toEqual([1]);

    const closed = await call('PUT', '/issues/1', developer.token, { state_event: 'close' });
    expect(closed.json()).toMatchObject({ state: 'closed', closed_by: { id: developer.id } });
    expect(closed.json().closed_at).not.toBeNull();
    expect(await iids('state=closed')).toEqual([1]);
    expect(await iids('state=opened')).toEqual([2]);
    const reopened = await call('PUT', '/issues/1', developer.token, { state_event: 'reopen', add_labels: 'stage::review', remove_labels: 'bug' });
    expect(reopened.json()).toMatchObject({ state: 'opened', closed_by: null, closed_at: null, labels: ['stage::review'] });

    expect((await call('DELETE', '/issues/2', maintainer.token)).statusCode).toBe(403);
    expect((await call('DELETE', '/issues/2', owner.token)).statusCode).toBe(204);
    expect((await call('GET', '/issues/2', owner.token)).statusCode).toBe(404);
    // The number of a deleted issue is not given again while a later one exists; the next is 2 again only because 2 was the last.
    expect((await open(reporter.token, { title: 'Third' })).iid).toBe(2);
  });

  it('refuse bad input with a 4xx and change nothing', async () => {
    const before = await Promise.all([countOf('issues'), countOf('issue_labels'), countOf('events')]);
    const bad: [Record<string, unknown>, number, RegExp][] = [
      [{}, 400, /title/],
      [{ title: '   ' }, 400, /title is missing/],
      [{ title: 'x'.repeat(256) }, 400, /title/],
      [{ title: 'ok', due_date: '2027-02-30' }, 400, /due_date/],
      [{ title: 'ok', labels: 'a::b,a::c' }, 400, /one label of the scope "a"/],
      [{ title: 'ok', labels: '<script>' }, 400, /Invalid label/],
      [{ title: 'ok', assignee_ids: [999999] }, 400, /not a member/],
      [{ title: 'ok', unknown: 1 }, 400, /./],
    ];
    for (const [payload, status, message] of bad) {
      const res = await call('POST', '/issues', reporter.token, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.json().message).toMatch(message);
    }
    expect((await call('PUT', '/issues/1', reporter.token, { labels: 'x::1,x::2' })).statusCode).toBe(400);
    expect((await call('PUT', '/issues/1', reporter.token, {})).statusCode).toBe(400);
    expect((await call('PUT', '/issues/999', reporter.token, { title: 'x' })).statusCode).toBe(404);
    expect((await call('POST', '/issues/1/notes', reporter.token, { body: '  ' })).statusCode).toBe(400);
    expect((await call('POST', '/issues/1/links', reporter.token, { type: 'run', id: 'not-a-run' })).statusCode).toBe(404);
    expect((await call('POST', '/issues/1/links', reporter.token, { type: 'issue', id: 1 })).statusCode).toBe(400);
    expect((await call('GET', '/issues?state=bogus', reporter.token)).statusCode).toBe(400);
    expect(await Promise.all([countOf('issues'), countOf('issue_labels'), countOf('events')])).toEqual(before);
  });

  it('keep one label per scope, as scoped labels do', async () => {
    const issue = await open(reporter.token, { title: 'Board card', labels: ['stage::todo', 'team::ml'] });
    const moved = await call('PUT', `/issues/${issue.iid}`, reporter.token, { add_labels: 'stage::doing' });
    expect(moved.json().labels).toEqual(['stage::doing', 'team::ml']);
  });
});

describe("GitLab's permission rules", () => {
  it('let guests open issues and comment, and edit only their own issue, and not its labels', async () => {
    const own = await open(guest.token, { title: 'Guest report' });
    expect((await call('PUT', `/issues/${own.iid}`, guest.token, { title: 'Guest report, edited', state_event: 'close' })).json()).toMatchObject({ title: 'Guest report, edited', state: 'closed' });
    const labelled = await call('PUT', `/issues/${own.iid}`, guest.token, { labels: 'bug' });
    expect(labelled.statusCode).toBe(403);
    expect(labelled.json().message).toMatch(/reporter role/);
    expect((await call('POST', '/issues', guest.token, { title: 'With labels', labels: 'bug' })).statusCode).toBe(403);
    const others = await open(reporter.token, { title: "Reporter's" });
    expect((await call('PUT', `/issues/${others.iid}`, guest.token, { title: 'hijacked' })).statusCode).toBe(403);
    expect((await call('GET', `/issues/${others.iid}`, reporter.token)).json().title).toBe("Reporter's");
    expect((await call('PUT', `/issues/${own.iid}`, reporter.token, { labels: 'triaged' })).json().labels).toEqual(['triaged']);
    const note = await call('POST', `/issues/${others.iid}/notes`, guest.token, { body: 'Me too' });
    expect(note.statusCode).toBe(201);
    expect(note.json()).toMatchObject({ body: 'Me too', author: { id: guest.id }, noteable_type: 'Issue', noteable_iid: others.iid, system: false });
  });

  it('show confidential issues only to reporters and up, their author and their assignees', async () => {
    const secret = await open(guest.token, { title: 'Leaked credentials in the card', confidential: true });
    const assigned = await open(reporter.token, { title: 'Confidential, assigned', confidential: true, assignee_ids: [otherGuest.id] });
    const sees = async (user: TestUser, iid: number) => (await call('GET', `/issues/${iid}`, user.token)).statusCode;
    expect(await sees(guest, secret.iid)).toBe(200);
    expect(await sees(reporter, secret.iid)).toBe(200);
    expect(await sees(otherGuest, secret.iid)).toBe(404);
    expect(await sees(otherGuest, assigned.iid)).toBe(200);
    expect(await sees(guest, assigned.iid)).toBe(404);
    const listed = async (user: TestUser) => ((await call('GET', '/issues?per_page=100', user.token)).json() as { iid: number }[]).map((i) => i.iid);
    expect(await listed(otherGuest)).not.toContain(secret.iid);
    expect(await listed(otherGuest)).toContain(assigned.iid);
    expect(await listed(reporter)).toEqual(expect.arrayContaining([secret.iid, assigned.iid]));
    expect((await call('POST', `/issues/${secret.iid}/notes`, otherGuest.token, { body: 'peek' })).statusCode).toBe(404);
    expect((await call('GET', `/issues/${secret.iid}/notes`, otherGuest.token)).statusCode).toBe(404);
  });

  it('let authors edit their own notes only; maintainers delete anyone’s', async () => {
    const issue = await open(reporter.token, { title: 'Notes' });
    const note = (await call('POST', `/issues/${issue.iid}/notes`, guest.token, { body: 'first' })).json() as { id: number };
    expect((await call('PUT', `/issues/${issue.iid}/notes/${note.id}`, guest.token, { body: 'edited' })).json().body).toBe('edited');
    expect((await call('PUT', `/issues/${issue.iid}/notes/${note.id}`, maintainer.token, { body: 'not yours' })).statusCode).toBe(403);
    expect((await call('DELETE', `/issues/${issue.iid}/notes/${note.id}`, otherGuest.token)).statusCode).toBe(403);
    const list = await call('GET', `/issues/${issue.iid}/notes?sort=asc`, otherGuest.token);
    expect(list.headers['x-total']).toBe('1');
    expect(list.json()[0].body).toBe('edited');
    expect((await call('GET', `/issues/${issue.iid}`, guest.token)).json().user_notes_count).toBe(1);
    expect((await call('DELETE', `/issues/${issue.iid}/notes/${note.id}`, maintainer.token)).statusCode).toBe(204);
    expect((await call('GET', `/issues/${issue.iid}/notes/${note.id}`, guest.token)).statusCode).toBe(404);
  });
});

describe('links', () => {
  it('join an issue to models, versions, experiments, runs and pipelines, and show both directions', async () => {
    const issue = await open(reporter.token, { title: 'Linked' });
    const version = (await call('GET', `/ml/models/${modelId}/versions/1`, reporter.token)).json() as { id: number };
    const mlflow = (path: string) => `/ml/mlflow/api/2.0/mlflow/${path}`;
    const experimentId = (await call('POST', mlflow('experiments/create'), developer.token, { name: 'issue-exp' })).json().experiment_id as string;
    const runId = (await call('POST', mlflow('runs/create'), developer.token, { experiment_id: experimentId, run_name: 'baseline' })).json().run.info.run_id as string;
    expect((await call('PUT', '/ci/config', maintainer.token, { content: 'train:\n  script: [python train.py]\n' })).statusCode).toBe(200);
    const pipeline = (await call('POST', '/pipeline', developer.token, { ref: 'main' })).json() as { id: number; iid: number };
    const links: [string, string | number][] = [
      ['model', modelId],
      ['version', version.id],
      ['experiment', experimentId],
      ['run', runId],
      ['pipeline', pipeline.id],
    ];
    for (const [type, id] of links) {
      const res = await call('POST', `/issues/${issue.iid}/links`, reporter.token, { type, id });
      expect(res.statusCode, res.body).toBe(201);
    }
    expect((await call('POST', `/issues/${issue.iid}/links`, reporter.token, { type: 'model', id: modelId })).statusCode).toBe(409);
    expect((await call('POST', `/issues/${issue.iid}/links`, reporter.token, { type: 'pipeline', id: 999999 })).json().message).toMatch(/pipeline 999999 Not Found/);
    const listed = (await call('GET', `/issues/${issue.iid}/links`, guest.token)).json() as { type: string; target_id: string; title: string }[];
    expect(listed.map((l) => [l.type, l.title])).toEqual([
      ['model', 'churn'],
      ['version', 'churn v1 (1.0.0)'],
      ['experiment', 'issue-exp'],
      ['run', `baseline (${runId.slice(0, 8)})`],
      ['pipeline', `pipeline #${pipeline.iid}`],
    ]);
    for (const [type, id] of links) {
      const back = await call('GET', `/linked_issues?type=${type}&target_id=${id}`, guest.token);
      expect(back.statusCode, back.body).toBe(200);
      expect((back.json() as { iid: number }[]).map((i) => i.iid)).toEqual([issue.iid]);
    }
    // A guest who may not see a confidential issue does not see it linked either.
    const hidden = await open(reporter.token, { title: 'Hidden link', confidential: true });
    await call('POST', `/issues/${hidden.iid}/links`, reporter.token, { type: 'model', id: modelId });
    expect(((await call('GET', `/linked_issues?type=model&target_id=${modelId}`, guest.token)).json() as { iid: number }[]).map((i) => i.iid)).toEqual([issue.iid]);
    expect(((await call('GET', `/linked_issues?type=model&target_id=${modelId}`, reporter.token)).json() as { iid: number }[]).map((i) => i.iid)).toEqual([issue.iid, hidden.iid]);
    const linkId = (listed as unknown as { id: number }[])[0]!.id;
    expect((await call('DELETE', `/issues/${issue.iid}/links/${linkId}`, guest.token)).statusCode).toBe(403);
    expect((await call('DELETE', `/issues/${issue.iid}/links/${linkId}`, reporter.token)).statusCode).toBe(204);
  });
});

describe('Markdown', () => {
  it('renders #iid and model:name/version as links in issues, notes, model cards and version descriptions', async () => {
    const issue = await open(reporter.token, { title: 'Refs', description: 'Fixes #1 and needs model:churn/2, not a#3 nor `#4`.' });
    const html = (await call('GET', `/issues/${issue.iid}`, guest.token)).json().description_html as string;
    expect(html).toContain(`<a href="/projects/${projectId}/issues/1" rel="nofollow noopener noreferrer">#1</a>`);
    expect(html).toContain(`<a href="/projects/${projectId}/model-refs/churn/2" rel="nofollow noopener noreferrer">model:churn/2</a>`);
    expect(html).toContain('a#3');
    expect(html).toContain('<code>#4</code>');
    const note = await call('POST', `/issues/${issue.iid}/notes`, guest.token, { body: 'see #2' });
    expect(note.json().body_html).toContain(`href="/projects/${projectId}/issues/2"`);
    await call('PUT', `/ml/models/${modelId}`, maintainer.token, { description: 'Tracked in #1' });
    expect((await call('GET', `/ml/models/${modelId}`, guest.token)).json().card.description_html).toContain(`href="/projects/${projectId}/issues/1"`);
    await call('PUT', `/ml/models/${modelId}/versions/2`, maintainer.token, { description: 'Replaces model:churn/1' });
    expect((await call('GET', `/ml/models/${modelId}/versions/2`, guest.token)).json().card.description_html).toContain(`href="/projects/${projectId}/model-refs/churn/1"`);
  });

  it('keeps XSS payloads in issues and notes inert', async () => {
    const payloads = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '[click](javascript:alert(1))',
      '<a href="javascript:alert(1)">x</a>',
      '<svg onload=alert(1)>',
      '<iframe src="https://evil.example"></iframe>',
      '"><script>alert(1)</script>',
      '#1"><img src=x onerror=alert(1)>',
      'model:a"onmouseover="alert(1)/1',
      '<details open ontoggle=alert(1)>',
      '![x](https://evil.example/pixel.png)',
      '<style>body{display:none}</style>',
    ];
    const issue = await open(guest.token, { title: '<script>alert(1)</script>', description: payloads.join('\n\n') });
    const note = await call('POST', `/issues/${issue.iid}/notes`, guest.token, { body: payloads.join('\n\n') });
    const got = (await call('GET', `/issues/${issue.iid}`, guest.token)).json();
    expect(got.title).toBe('<script>alert(1)</script>');
    for (const html of [got.description_html as string, note.json().body_html as string]) {
      expect(html).not.toMatch(/<script|<iframe|<svg|<style|<details|<img/i);
      expect(html).not.toMatch(/\son[a-z]+\s*=/i);
      expect(html).not.toMatch(/javascript:/i);
      expect(html).not.toContain('src="https://evil.example');
    }
  });
});

describe('events and webhooks', () => {
  it("record GitLab's issue and note hook bodies, confidential ones under their own names, and deliver them", async () => {
    const received: { event: string; body: string }[] = [];
    const receiver = http.createServer((request, response) => {
      let body = '';
      request.on('data', (d) => (body += d));
      request.on('end', () => {
        received.push({ event: String(request.headers['x-modelyard-event']), body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      expect((await call('POST', '/hooks', maintainer.token, { url, events: ['issues.issue.*', 'issues.note.*'] })).statusCode).toBe(201);
      const issue = await open(reporter.token, { title: 'Hooked', labels: 'stage::todo' });
      await call('PUT', `/issues/${issue.iid}`, reporter.token, { state_event: 'close' });
      await call('POST', `/issues/${issue.iid}/notes`, guest.token, { body: 'noted' });
      const secret = await open(reporter.token, { title: 'Secret hooked', confidential: true });
      const dispatcher = new WebhookDispatcher(t.services.database.db, t.services.keyring.box, pino({ level: 'silent' }), t.services.outbound, {
        pollMs: 10,
        retryBaseMs: 20,
        maxAttempts: 3,
        timeoutMs: 2000,
      });
      const deadline = Date.now() + 10_000;
      // The hook also gets the events of the issues the tests above made: this issue's are picked out.
      const ofIssue = () =>
        received.filter((r) => {
          const payload = (JSON.parse(r.body) as { payload: { object_attributes?: { iid?: number }; issue?: { iid: number } } }).payload;
          return (payload.issue?.iid ?? payload.object_attributes?.iid) === issue.iid;
        });
      while (ofIssue().length < 3 && Date.now() < deadline) {
        await dispatcher.tick();
        await new Promise((r) => setTimeout(r, 25));
      }
      await dispatcher.stop();
      const mine = ofIssue();
      expect(mine.map((r) => r.event)).toEqual(['issues.issue.opened', 'issues.issue.closed', 'issues.note.created']);
      const opened = JSON.parse(mine[0]!.body) as { payload: Record<string, unknown> };
      expect(opened.payload).toMatchObject({
        object_kind: 'issue',
        event_type: 'issue',
        user: { id: reporter.id, username: 'iss-reporter' },
        project: { id: projectId },
        object_attributes: { iid: issue.iid, title: 'Hooked', state: 'opened', action: 'open', confidential: false },
        labels: [{ title: 'stage::todo' }],
      });
      expect(JSON.parse(mine[1]!.body).payload).toMatchObject({ object_attributes: { action: 'close', state: 'closed' }, changes: { state: { previous: 'opened', current: 'closed' } } });
      expect(JSON.parse(mine[2]!.body).payload).toMatchObject({
        object_kind: 'note',
        event_type: 'note',
        object_attributes: { note: 'noted', noteable_type: 'Issue', action: 'create' },
        issue: { iid: issue.iid },
      });
      const confidential = await t.services.database.db.selectFrom('events').select(['type']).where('project_id', '=', projectId).where('type', 'like', 'issues.confidential_issue.%').execute();
      expect(confidential.map((e) => e.type)).toContain('issues.confidential_issue.opened');
      expect(received.map((r) => r.body).join()).not.toContain('Secret hooked');
      expect(secret.iid).toBeGreaterThan(issue.iid);
    } finally {
      receiver.close();
    }
  });
});

describe('the review gate', () => {
  it('holds a version back from approval and from protected environments while a linked review issue is open, and audits each refusal', async () => {
    const gated = await modelWithVersions(t, projectId, 'gated', 1, maintainer.token);
    const version = (await call('GET', `/ml/models/${gated}/versions/1`, reporter.token)).json() as { id: number };
    expect((await call('PUT', '/ml/registry/settings', maintainer.token, { review_issue_label: 'bad label!' })).statusCode).toBe(400);
    const set = await call('PUT', '/ml/registry/settings', maintainer.token, { review_issue_label: 'review::required' });
    expect(set.json()).toMatchObject({ review_issue_label: 'review::required' });
    const review = await open(reporter.token, { title: 'Bias review', labels: 'review::required', confidential: true });
    await call('POST', `/issues/${review.iid}/links`, reporter.token, { type: 'version', id: version.id });
    const other = await open(reporter.token, { title: 'Unlabelled' });
    await call('POST', `/issues/${other.iid}/links`, reporter.token, { type: 'version', id: version.id });

    expect((await call('POST', `/ml/models/${gated}/versions/1/approval_requests`, developer.token, {})).statusCode).toBe(201);
    const refused = await call('POST', `/ml/models/${gated}/versions/1/approve`, maintainer.token, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toBe(`Cannot approve gated v1: linked issue #${review.iid} "(confidential)" is labelled review::required and still open; close it first`);
    expect((await call('GET', `/ml/models/${gated}/versions/1`, reporter.token)).json().approval_status).toBe('pending');

    await call('POST', '/protected_environments', maintainer.token, { name: 'production', deploy_access_levels: [{ access_level: 30 }] });
    const deployRefused = await call('POST', '/deployments', developer.token, { environment: 'production', model: 'gated', version: '1' });
    expect(deployRefused.statusCode).toBe(409);
    expect(deployRefused.json().message).toMatch(new RegExp(`deploy gated v1 to a protected environment: linked issue #${review.iid}`));
    // An environment that is not protected is not gated.
    const unprotected = await call('POST', '/deployments', developer.token, { environment: 'review-app', model: 'gated', version: '1' });
    expect(unprotected.statusCode).toBe(201);
    // A deployment can be linked too, and lists the issue back.
    const deploymentId = (unprotected.json() as { id: number }).id;
    expect((await call('POST', `/issues/${other.iid}/links`, reporter.token, { type: 'deployment', id: deploymentId })).json()).toMatchObject({
      type: 'deployment',
      title: 'deployment #1 to review-app',
    });
    expect(((await call('GET', `/linked_issues?type=deployment&target_id=${deploymentId}`, guest.token)).json() as { iid: number }[]).map((i) => i.iid)).toEqual([other.iid]);

    const audit = (await call('GET', '/audit_events?action=issues.review_gate.refused', maintainer.token)).json() as { details: Record<string, unknown>; target_id: string }[];
    expect(audit.map((a) => a.details.refused).sort()).toEqual(['approve', 'deploy']);
    expect(audit[0]).toMatchObject({ target_id: String(version.id), details: { issue_iid: review.iid, label: 'review::required', model: 'gated' } });

    await call('PUT', `/issues/${review.iid}`, reporter.token, { state_event: 'close' });
    const approved = await call('POST', `/ml/models/${gated}/versions/1/approve`, maintainer.token, {});
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().approval_status).toBe('approved');
    expect((await call('POST', '/deployments', developer.token, { environment: 'production', model: 'gated', version: '1' })).statusCode).toBe(201);
  });

  it('gates through the model as well, and not at all when the setting is off', async () => {
    const gated = await modelWithVersions(t, projectId, 'gated-by-model', 1, maintainer.token);
    await call('PUT', '/ml/registry/settings', maintainer.token, { review_issue_label: 'review::required' });
    const review = await open(reporter.token, { title: 'Model review', labels: 'review::required' });
    await call('POST', `/issues/${review.iid}/links`, reporter.token, { type: 'model', id: gated });
    await call('POST', `/ml/models/${gated}/versions/1/approval_requests`, developer.token, {});
    const refused = await call('POST', `/ml/models/${gated}/versions/1/approve`, maintainer.token, {});
    expect(refused.json().message).toContain(`#${review.iid} "Model review"`);
    expect((await call('PUT', '/ml/registry/settings', maintainer.token, { review_issue_label: null })).json().review_issue_label).toBeNull();
    expect((await call('POST', `/ml/models/${gated}/versions/1/approve`, maintainer.token, {})).statusCode).toBe(200);
  });
});
