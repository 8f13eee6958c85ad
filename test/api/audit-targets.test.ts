import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app.ts';

/**
 * The audit log names its targets: `iris v1` rather than `model_version 3`, today's name after a
 * rename, the recorded name once the target is deleted, and the target's page when it has one.
 */
let t: TestApp;
let projectId: number;

interface AuditEvent {
  action: string;
  target_type: string;
  target_id: string | null;
  target_name: string | null;
  target_web_path: string | null;
  details: Record<string, unknown>;
}

const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => {
  const res = await t.call({ method, url, token: ADMIN_TOKEN, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.statusCode === 204 ? null : res.json();
};

async function auditOf(action: string): Promise<AuditEvent[]> {
  return call('GET', `/api/v4/projects/${projectId}/audit_events?action=${action}`);
}

beforeAll(async () => {
  t = await startTestApp({ MODELYARD_OUTBOUND_ALLOW: '127.0.0.1' });
  projectId = (await t.createProject(ADMIN_TOKEN, 'audited')).id;
});
afterAll(async () => t?.close());

describe('the audit log’s targets', () => {
  it('names a model version by its model and number, linked to its page, and follows a rename', async () => {
    const model = await call('POST', `/api/v4/projects/${projectId}/ml/models`, { name: 'iris' });
    const version = await call('POST', `/api/v4/projects/${projectId}/ml/models/${model.id}/versions`, { semver: '1.0.0' });
    const [created] = await auditOf('registry.version.created');
    expect(created).toMatchObject({ target_type: 'model_version', target_id: String(version.id), target_name: 'iris v1', target_web_path: `/projects/${projectId}/models/${model.id}/versions/1` });

    await call('POST', `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/registered-models/rename`, { name: 'iris', new_name: 'iris-classifier' });
    expect((await auditOf('registry.version.created'))[0]!.target_name).toBe('iris-classifier v1');
    const [modelCreated] = await auditOf('registry.model.created');
    expect(modelCreated).toMatchObject({ target_name: 'iris-classifier', target_web_path: `/projects/${projectId}/models/${model.id}` });
  });

  it('keeps the name the entry recorded once the target is deleted, without a page', async () => {
    const model = await call('POST', `/api/v4/projects/${projectId}/ml/models`, { name: 'churn' });
    await call('POST', `/api/v4/projects/${projectId}/ml/models/${model.id}/versions`, { semver: '1.0.0' });
    await call('POST', `/api/v4/projects/${projectId}/ml/models/${model.id}/versions`, { semver: '2.0.0' });
    await call('DELETE', `/api/v4/projects/${projectId}/ml/models/${model.id}/versions/2`);
    const [deleted] = await auditOf('registry.version.deleted');
    expect(deleted).toMatchObject({ target_name: 'churn v2', target_web_path: null });
  });

  it('names projects, users and webhooks, and the instance log does too', async () => {
    const user = await t.createUser('auditee');
    await t.addMember(projectId, user.id, 30);
    const hook = await call('POST', `/api/v4/projects/${projectId}/hooks`, { url: 'http://127.0.0.1:9/audit', events: ['registry.version.created'] });
    const [hookCreated] = await auditOf('webhook.created');
    expect(hookCreated).toMatchObject({ target_id: String(hook.id), target_name: 'http://127.0.0.1:9/audit' });
    const instance: AuditEvent[] = await call('GET', '/api/v4/audit_events?per_page=100');
    const projectCreated = instance.find((e) => e.action === 'project.created' && e.target_id === String(projectId));
    expect(projectCreated).toMatchObject({ target_name: 'audited', target_web_path: `/projects/${projectId}` });
    const userCreated = instance.find((e) => e.target_type === 'user' && e.target_id === String(user.id));
    expect(userCreated?.target_name).toBe('auditee');
  });
});
