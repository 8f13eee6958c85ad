import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportJobNative } from '../../src/imports/contract.ts';
import type { ModelVersionsService } from '../../src/registry/versions-service.ts';
import { startHubStandIn, type HubStandIn } from '../support/hub-stand-in.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

/**
 * The moments between an import's files being stored and its version being recorded on the job:
 * a cancel arriving then, and a replica dying then. Whatever lands first, the end is one of two
 * consistent states: the job succeeded with its version and every file, or it is canceled and
 * no version of it remains; and a job taken over never makes a second version.
 */
const files = { 'README.md': Buffer.from('---\nlicense: mit\ntags:\n  - raced\n---\n# Raced\n'), 'model.safetensors': Buffer.from('weights of a raced model') };

let hub: HubStandIn;
let t: TestApp;
let owner: TestUser;
let project: { id: number };

beforeAll(async () => {
  hub = await startHubStandIn({ 'acme/raced': { files, lfs: ['model.safetensors'] } });
  t = await startTestApp({ MODELYARD_HF_ENDPOINT: hub.url, MODELYARD_OUTBOUND_ALLOW: `127.0.0.1:${hub.port}` });
  owner = await t.createUser('racer');
  project = await t.createProject(owner.token, 'races');
}, 180_000);

afterAll(async () => {
  await t?.close();
  await hub?.close();
});

const base = () => `/api/v4/projects/${project.id}/ml/imports`;

async function startImport(model: string): Promise<ImportJobNative> {
  const res = await t.call({ method: 'POST', url: `${base()}/huggingface`, token: owner.token, payload: { repository: 'acme/raced', model } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as ImportJobNative;
}

async function job(id: number): Promise<ImportJobNative> {
  return (await t.call({ method: 'GET', url: `${base()}/${id}`, token: owner.token })).json() as ImportJobNative;
}

/** Every version the model holds, with its files and labels. */
async function versionsOf(model: string): Promise<{ id: number; files: string[]; labels: string[] }[]> {
  const db = t.services.database.db;
  const rows = await db
    .selectFrom('model_versions')
    .innerJoin('registered_models', 'registered_models.id', 'model_versions.model_id')
    .select('model_versions.id')
    .where('registered_models.project_id', '=', project.id)
    .where('registered_models.name', '=', model)
    .execute();
  return Promise.all(
    rows.map(async ({ id }) => {
      const held: string[] = [];
      for (const name of Object.keys(files)) {
        const res = await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/packages/ml_models/${id}/files/${name}`, token: owner.token });
        if (res.statusCode === 200) held.push(name);
      }
      const labels = await db.selectFrom('version_labels').select('label').where('version_id', '=', id).execute();
      return { id: Number(id), files: held.sort(), labels: labels.map((l) => l.label) };
    }),
  );
}

/** Runs `during` once, when the worker calls the registry's version creation, before or after it. */
function interceptVersionCreation(when: 'before' | 'after', during: () => Promise<void>): () => void {
  const versions: ModelVersionsService = t.services.versions;
  const original = versions.create.bind(versions);
  let done = false;
  versions.create = async (...args: Parameters<ModelVersionsService['create']>) => {
    if (done) return original(...args);
    done = true;
    if (when === 'before') await during();
    const made = await original(...args);
    if (when === 'after') await during();
    return made;
  };
  return () => {
    versions.create = original;
  };
}

async function expectConsistent(id: number, model: string): Promise<ImportJobNative> {
  const end = await job(id);
  const versions = await versionsOf(model);
  if (end.state === 'succeeded') {
    expect(versions.map((v) => v.id)).toEqual([end.version_id]);
    expect(versions[0]!.files).toEqual(Object.keys(files).sort());
  } else {
    expect(end.state).toBe('canceled');
    expect(end.version_id).toBeNull();
    expect(versions).toEqual([]);
    const kept = await t.services.database.db.selectFrom('import_job_files').select('upload_key').where('job_id', '=', id).where('upload_key', 'is not', null).execute();
    expect(kept).toEqual([]);
  }
  return end;
}

describe('a cancel arriving while the job makes its version', () => {
  for (const when of ['before', 'after'] as const) {
    it(`ends consistent when it lands just ${when} the version is created`, async () => {
      const model = `cancel-${when}`;
      const started = await startImport(model);
      let answer = 0;
      const restore = interceptVersionCreation(when, async () => {
        answer = (await t.call({ method: 'POST', url: `${base()}/${started.id}/cancel`, token: owner.token })).statusCode;
      });
      try {
        await t.services.importWorker.runPending();
      } finally {
        restore();
      }
      const end = await expectConsistent(started.id, model);
      // The cancel was either taken (the job canceled) or refused because the version was made.
      expect(answer).toBe(end.state === 'canceled' ? 200 : 409);
    }, 60_000);
  }
});

describe('a replica dying between making the version and recording it', () => {
  it('leaves the version to the replica that takes the job over, which makes no second one', async () => {
    const model = 'taken-over';
    const started = await startImport(model);
    // The first replica makes the version, then hangs for good (as a killed one would); its lease is then given up as run out.
    const restore = interceptVersionCreation('after', async () => {
      await t.services.database.db.updateTable('import_jobs').set({ lease_owner: 'dead-replica', lease_until: 0 }).where('id', '=', started.id).execute();
      await new Promise(() => undefined);
    });
    void t.services.importWorker.runPending();
    try {
      const deadline = Date.now() + 30_000;
      while ((await t.services.database.db.selectFrom('import_jobs').select('lease_owner').where('id', '=', started.id).executeTakeFirstOrThrow()).lease_owner !== 'dead-replica') {
        if (Date.now() > deadline) throw new Error('the first replica never made the version');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      restore();
    }
    await t.services.importWorker.runPending();
    const end = await expectConsistent(started.id, model);
    expect(end.state, end.error ?? '').toBe('succeeded');
    // What the card gives is applied by the replica that took over too.
    expect((await versionsOf(model))[0]!.labels).toEqual(expect.arrayContaining(['license::mit', 'raced']));

    const again = await startImport(model);
    expect(again).toMatchObject({ state: 'succeeded', version_id: end.version_id });
    expect((await versionsOf(model)).length).toBe(1);
  }, 60_000);
});
