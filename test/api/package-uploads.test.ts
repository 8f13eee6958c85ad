import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { RunningUploadDigests } from '../../src/packages/running-upload-digests.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

/**
 * Resumable multipart uploads of package files, on the store MODELYARD_TEST_S3_URL names (the
 * S3 driver: scripts/test-all.sh) or else the local disk.
 */
const MIB = 1024 * 1024;
const MAX = 64 * MIB;
let t: TestApp;
let dev: TestUser;
let colleague: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp({ MODELYARD_MAX_UPLOAD_SIZE: String(MAX), ...(process.env.MODELYARD_TEST_S3_URL ? { MODELYARD_ARTIFACTS_URL: process.env.MODELYARD_TEST_S3_URL } : {}) });
  dev = await t.createUser('uploader');
  colleague = await t.createUser('colleague');
  projectId = (await t.createProject(dev.token, 'multipart')).id;
  await t.addMember(projectId, colleague.id, 30);
});
afterAll(async () => t?.close());

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const crc32Of = (bytes: Buffer) => crc32(bytes).toString(16).padStart(8, '0');
const base = () => `/api/v4/projects/${projectId}/packages`;
const fileUrl = (name: string, file: string) => `${base()}/generic/${name}/1.0.0/${file}`;
const sessionUrl = (id: string) => `${base()}/uploads/${id}`;

async function create(name: string, file: string, bytes: Buffer, extra: Record<string, unknown> = {}, token = dev.token) {
  return t.call({ method: 'POST', url: `${fileUrl(name, file)}/uploads`, token, payload: { size: bytes.length, sha256: sha256(bytes), part_size: 5 * MIB, ...extra } });
}

function putPart(id: string, n: number, bytes: Buffer, headers: Record<string, string> = { 'x-content-sha256': sha256(bytes) }, token = dev.token) {
  return t.call({ method: 'PUT', url: `${sessionUrl(id)}/parts/${n}`, token, payload: bytes, headers: { 'content-type': 'application/octet-stream', ...headers } });
}

const partOf = (bytes: Buffer, n: number) => bytes.subarray((n - 1) * 5 * MIB, n * 5 * MIB);
const complete = (id: string, token = dev.token, payload?: Record<string, unknown>) => t.call({ method: 'POST', url: `${sessionUrl(id)}/complete`, token, payload });
const session = (id: string, token = dev.token) => t.call({ method: 'GET', url: sessionUrl(id), token });
const packageCount = async () => (await t.call({ method: 'GET', url: `${base()}?per_page=100`, token: dev.token })).json().length as number;

describe('multipart uploads of package files', () => {
  it('take parts in any order, list the ones received, and complete into the file a single upload makes', async () => {
    const bytes = randomBytes(11 * MIB + 123);
    const created = await create('weights', 'model.bin', bytes);
    expect(created.statusCode, created.body).toBe(201);
    const upload = created.json();
    expect(upload).toMatchObject({
      package_type: 'generic',
      package_name: 'weights',
      package_version: '1.0.0',
      file_name: 'model.bin',
      size: bytes.length,
      part_size: 5 * MIB,
      part_count: 3,
      parts: [],
    });

    const third = await putPart(upload.id, 3, partOf(bytes, 3));
    expect(third.statusCode, third.body).toBe(200);
    expect(third.json()).toEqual({ part_number: 3, size: MIB + 123, sha256: sha256(partOf(bytes, 3)), crc32: crc32Of(partOf(bytes, 3)) });
    // RFC 9530's Content-Digest names the part's SHA-256 as well.
    const digest = `sha-256=:${createHash('sha256').update(partOf(bytes, 1)).digest('base64')}:`;
    expect((await putPart(upload.id, 1, partOf(bytes, 1), { 'content-digest': digest })).statusCode).toBe(200);

    expect((await session(upload.id)).json().parts.map((p: { part_number: number }) => p.part_number)).toEqual([1, 3]);
    const early = await complete(upload.id);
    expect(early.statusCode).toBe(409);
    expect(early.json().message).toContain('parts not uploaded yet: 2');
    expect(await packageCount()).toBe(0);

    expect((await putPart(upload.id, 2, partOf(bytes, 2))).statusCode).toBe(200);
    const done = await complete(upload.id);
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json()).toMatchObject({ file_name: 'model.bin', size: bytes.length, file_sha256: sha256(bytes) });

    const download = await t.call({ method: 'GET', url: fileUrl('weights', 'model.bin'), token: dev.token });
    expect(download.statusCode).toBe(200);
    expect(sha256(download.rawPayload)).toBe(sha256(bytes));
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/storage`, token: dev.token })).json().packages).toEqual({ files: 1, bytes: bytes.length });
    const events = await t.services.database.db.selectFrom('events').select('type').where('project_id', '=', projectId).where('type', 'like', 'packages.%').orderBy('id').execute();
    expect(events.map((e) => e.type)).toEqual(['packages.package.created', 'packages.file.uploaded']);
    expect((await session(upload.id)).statusCode).toBe(404);
  });

  it('replace a file as a single upload does', async () => {
    const url = fileUrl('replaced', 'data.bin');
    await t.call({ method: 'PUT', url, token: dev.token, payload: 'old bytes', headers: { 'content-type': 'application/octet-stream' } });
    const bytes = randomBytes(5 * MIB + 1);
    const upload = (await create('replaced', 'data.bin', bytes)).json();
    await putPart(upload.id, 1, partOf(bytes, 1));
    await putPart(upload.id, 2, partOf(bytes, 2));
    expect((await complete(upload.id)).statusCode).toBe(201);
    expect(sha256((await t.call({ method: 'GET', url, token: dev.token })).rawPayload)).toBe(sha256(bytes));
  });

  it("take the file's SHA-256 at completion from a client that hashes while it sends", async () => {
    const bytes = randomBytes(5 * MIB + 3);
    const upload = (await create('late', 'a.bin', bytes, { sha256: undefined })).json();
    expect(upload.sha256).toBeNull();
    await putPart(upload.id, 1, partOf(bytes, 1));
    await putPart(upload.id, 2, partOf(bytes, 2));
    expect((await complete(upload.id)).json().message).toContain("completion needs the file's sha256");
    const done = await complete(upload.id, dev.token, { sha256: sha256(bytes) });
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json().file_sha256).toBe(sha256(bytes));

    const declared = (await create('late', 'b.bin', bytes)).json();
    const conflicting = await complete(declared.id, dev.token, { sha256: sha256(Buffer.from('x')) });
    expect(conflicting.statusCode).toBe(400);
    expect(conflicting.json().message).toContain('the upload was created for SHA-256');
  });

  it('refuse a part whose bytes do not match its SHA-256, or of the wrong length, and forget it', async () => {
    const bytes = randomBytes(6 * MIB);
    const upload = (await create('checked', 'a.bin', bytes)).json();
    expect((await putPart(upload.id, 1, partOf(bytes, 1))).statusCode).toBe(200);
    const corrupt = await putPart(upload.id, 1, partOf(bytes, 1), { 'x-content-sha256': sha256(Buffer.from('other')) });
    expect(corrupt.statusCode).toBe(400);
    expect(corrupt.json().message).toContain('send it again');
    const short = await putPart(upload.id, 2, Buffer.alloc(10));
    expect(short.statusCode).toBe(400);
    expect(short.json().message).toBe(`part 2 must be sent with Content-Length: ${MIB}`);
    const malformed = await putPart(upload.id, 2, partOf(bytes, 2), { 'x-content-sha256': 'abc' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().message).toContain('X-Content-SHA256 takes 64 hex digits');
    expect((await putPart(upload.id, 2, partOf(bytes, 2), { 'x-content-crc32': 'xyz' })).statusCode).toBe(400);
    expect((await putPart(upload.id, 3, Buffer.alloc(1))).statusCode).toBe(400);
    expect((await session(upload.id)).json().parts).toEqual([]);
  });

  it('refuse a part whose bytes do not match its CRC-32, and forget it', async () => {
    const bytes = randomBytes(6 * MIB);
    const upload = (await create('crc-checked', 'a.bin', bytes)).json();
    const corrupt = await putPart(upload.id, 1, partOf(bytes, 1), { 'x-content-crc32': crc32Of(Buffer.from('other')) });
    expect(corrupt.statusCode).toBe(400);
    expect(corrupt.json().message).toBe(`part 1 arrived with CRC-32 ${crc32Of(partOf(bytes, 1))}, not the one sent with it: send it again`);
    expect((await session(upload.id)).json().parts).toEqual([]);
    const matching = await putPart(upload.id, 1, partOf(bytes, 1), { 'x-content-crc32': crc32Of(partOf(bytes, 1)).toUpperCase() });
    expect(matching.statusCode, matching.body).toBe(200);
    // A part with no checksum at all is taken; its answer's CRC-32 is the client's to compare.
    const unsigned = await putPart(upload.id, 2, partOf(bytes, 2), {});
    expect(unsigned.statusCode, unsigned.body).toBe(200);
    expect(unsigned.json()).toEqual({ part_number: 2, size: MIB, sha256: sha256(partOf(bytes, 2)), crc32: crc32Of(partOf(bytes, 2)) });
    expect((await complete(upload.id)).json()).toMatchObject({ file_sha256: sha256(bytes) });
  });

  it('discard an upload whose assembled file does not have the declared SHA-256', async () => {
    const bytes = randomBytes(5 * MIB + 7);
    const upload = (await create('lying', 'a.bin', bytes, { sha256: sha256(Buffer.from('something else')) })).json();
    await putPart(upload.id, 1, partOf(bytes, 1));
    await putPart(upload.id, 2, partOf(bytes, 2));
    const res = await complete(upload.id);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain(`the assembled file's SHA-256 is ${sha256(bytes)}`);
    expect((await session(upload.id)).statusCode).toBe(404);
    expect((await t.call({ method: 'GET', url: fileUrl('lying', 'a.bin'), token: dev.token })).statusCode).toBe(404);
  });

  it('refuse bad sessions with a 4xx and nothing made', async () => {
    const bytes = randomBytes(16);
    const before = await t.services.database.db.selectFrom('package_uploads').select('id').execute();
    expect((await create('bad name!', 'a.bin', bytes)).statusCode).toBe(400);
    expect((await create('ok', 'a.bin', bytes, { part_size: MIB })).json().message).toBe(`part_size must be between ${5 * MIB} and ${5 * 1024 * MIB} bytes`);
    expect((await create('ok', 'a.bin', bytes, { size: MAX + 1 })).statusCode).toBe(413);
    expect((await create('ok', 'a.bin', bytes, { sha256: 'nothex' })).statusCode).toBe(400);
    expect((await create('ok', 'a.bin', bytes, { size: 0 })).statusCode).toBe(400);
    expect((await session('00000000-0000-0000-0000-000000000000')).json()).toEqual({ message: '404 Upload Not Found' });
    expect(await t.services.database.db.selectFrom('package_uploads').select('id').execute()).toEqual(before);
  });

  it("are their creator's alone, and end by abort or expiry with their parts", async () => {
    const bytes = randomBytes(5 * MIB + 1);
    const upload = (await create('private', 'a.bin', bytes)).json();
    expect((await session(upload.id, colleague.token)).statusCode).toBe(404);
    expect((await putPart(upload.id, 1, partOf(bytes, 1), undefined, colleague.token)).statusCode).toBe(404);
    expect((await complete(upload.id, colleague.token)).statusCode).toBe(404);
    expect((await t.call({ method: 'DELETE', url: sessionUrl(upload.id), token: dev.token })).statusCode).toBe(204);
    expect((await session(upload.id)).statusCode).toBe(404);

    const expiring = (await create('expiring', 'a.bin', bytes)).json();
    await putPart(expiring.id, 1, partOf(bytes, 1));
    const db = t.services.database.db;
    await db
      .updateTable('package_uploads')
      .set({ expires_at: Date.now() - 1 })
      .where('id', '=', expiring.id)
      .execute();
    expect((await session(expiring.id)).statusCode).toBe(404);
    expect(await t.services.packageUploads.removeExpired()).toBe(1);
    expect(await db.selectFrom('package_upload_parts').select('part_number').where('upload_id', '=', expiring.id).execute()).toEqual([]);
    expect(await db.selectFrom('package_uploads').select('id').where('id', '=', expiring.id).execute()).toEqual([]);
  });
});

/**
 * Completion reads the staged file for its SHA-256 only when the parts did not all come in order
 * through this server (the disk store's staging file is named `staged`; on S3 the read is a GET).
 */
describe('completing a multipart upload', () => {
  const onDisk = !process.env.MODELYARD_TEST_S3_URL;
  let reads: MockInstance<typeof fs.createReadStream>;
  const stagedReads = () => reads.mock.calls.filter(([file]) => String(file).endsWith(`${path.sep}staged`)).length;
  beforeEach(() => {
    reads = vi.spyOn(fs, 'createReadStream');
  });
  afterEach(() => reads.mockRestore());

  const sendAll = async (id: string, bytes: Buffer, order: number[]) => {
    for (const n of order) {
      const sent = await putPart(id, n, partOf(bytes, n), {});
      expect(sent.statusCode, sent.body).toBe(200);
    }
  };

  it('with parts sent in order, uses the SHA-256 hashed on the way and does not read the file again', async () => {
    const bytes = randomBytes(11 * MIB + 5);
    const upload = (await create('in-order', 'a.bin', bytes, { sha256: undefined })).json();
    await sendAll(upload.id, bytes, [1, 2, 3]);
    const done = await complete(upload.id, dev.token, { sha256: sha256(bytes) });
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json().file_sha256).toBe(sha256(bytes));
    if (onDisk) expect(stagedReads()).toBe(0);
    expect(sha256((await t.call({ method: 'GET', url: fileUrl('in-order', 'a.bin'), token: dev.token })).rawPayload)).toBe(sha256(bytes));
  });

  it('with parts sent in order, refuses a wrong declared SHA-256 and discards the upload', async () => {
    const bytes = randomBytes(5 * MIB + 5);
    const upload = (await create('in-order-wrong', 'a.bin', bytes, { sha256: sha256(Buffer.from('not it')) })).json();
    await sendAll(upload.id, bytes, [1, 2]);
    const res = await complete(upload.id);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain(`the assembled file's SHA-256 is ${sha256(bytes)}`);
    expect((await session(upload.id)).statusCode).toBe(404);
    expect((await t.call({ method: 'GET', url: fileUrl('in-order-wrong', 'a.bin'), token: dev.token })).statusCode).toBe(404);
  });

  it('takes a refused part’s bytes back out of the running SHA-256', async () => {
    const bytes = randomBytes(10 * MIB + 5);
    const upload = (await create('rolled-back', 'a.bin', bytes)).json();
    await sendAll(upload.id, bytes, [1]);
    const wrong = Buffer.from(partOf(bytes, 2));
    wrong[0] = wrong[0]! ^ 0xff;
    expect((await putPart(upload.id, 2, wrong, { 'x-content-crc32': crc32Of(partOf(bytes, 2)) })).statusCode).toBe(400);
    await sendAll(upload.id, bytes, [2, 3]);
    const done = await complete(upload.id);
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json().file_sha256).toBe(sha256(bytes));
    if (onDisk) expect(stagedReads()).toBe(0);
  });

  it('resumed on a restarted server, reads the file once for its SHA-256 and still refuses a wrong one', async () => {
    // A restart loses what the server process held in memory: here, the running digests.
    const restart = () => Object.assign(t.services.packageUploads as unknown as { digests: RunningUploadDigests }, { digests: new RunningUploadDigests() });
    const bytes = randomBytes(11 * MIB + 5);
    const resumed = (await create('resumed', 'a.bin', bytes, { sha256: undefined })).json();
    await sendAll(resumed.id, bytes, [1]);
    restart();
    await sendAll(resumed.id, bytes, [2, 3]);
    const done = await complete(resumed.id, dev.token, { sha256: sha256(bytes) });
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json().file_sha256).toBe(sha256(bytes));
    if (onDisk) expect(stagedReads()).toBe(1);

    const lying = (await create('resumed-wrong', 'a.bin', bytes, { sha256: undefined })).json();
    await sendAll(lying.id, bytes, [1, 2]);
    restart();
    await sendAll(lying.id, bytes, [3]);
    const refused = await complete(lying.id, dev.token, { sha256: sha256(Buffer.from('another file')) });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toContain(`the assembled file's SHA-256 is ${sha256(bytes)}`);
    expect((await session(lying.id)).statusCode).toBe(404);
  });

  it('with parts out of order or sent again, reads the file once for its SHA-256', async () => {
    const bytes = randomBytes(11 * MIB + 5);
    const shuffled = (await create('out-of-order', 'a.bin', bytes)).json();
    await sendAll(shuffled.id, bytes, [2, 1, 3]);
    const done = await complete(shuffled.id);
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json().file_sha256).toBe(sha256(bytes));
    if (onDisk) expect(stagedReads()).toBe(1);

    // Part 1 replaced after part 2 was hashed: the running SHA-256 is no longer the file's.
    const changed = Buffer.from(bytes);
    changed[7] = changed[7]! ^ 0xff;
    const resent = (await create('resent', 'a.bin', changed, { sha256: undefined })).json();
    await sendAll(resent.id, bytes, [1, 2, 3]);
    await sendAll(resent.id, changed, [1]);
    const wrong = await complete(resent.id, dev.token, { sha256: sha256(bytes) });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().message).toContain(`the assembled file's SHA-256 is ${sha256(changed)}`);
    expect((await t.call({ method: 'GET', url: fileUrl('resent', 'a.bin'), token: dev.token })).statusCode).toBe(404);
  });
});

describe("multipart uploads of a model version's files", () => {
  const versionUploads = () => `${base()}/ml_models/uploads`;

  it('go up in parts under the registry’s ability, as a version file PUT does, and become the version’s file', async () => {
    const registry = await t.createUser('registry-bot', { scopes: ['write_model_registry'] });
    await t.addMember(projectId, registry.id, 30);
    const model = (await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/models`, token: dev.token, payload: { name: 'classifier' } })).json();
    const version = (await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/models/${model.id}/versions`, token: dev.token, payload: {} })).json();
    const bytes = randomBytes(10 * MIB + 5);
    const startUrl = `${base()}/ml_models/${version.id}/uploads`;
    const created = await t.call({ method: 'POST', url: startUrl, token: registry.token, payload: { file_name: 'weights/model.bin', size: bytes.length, part_size: 5 * MIB } });
    expect(created.statusCode, created.body).toBe(201);
    const upload = created.json();
    expect(upload).toMatchObject({ package_type: 'ml_model', package_name: 'classifier', package_version: '1.0.0', file_name: 'weights/model.bin', part_count: 3 });

    const part = (n: number, token = registry.token, url = versionUploads()) =>
      t.call({
        method: 'PUT',
        url: `${url}/${upload.id}/parts/${n}`,
        token,
        payload: partOf(bytes, n),
        headers: { 'content-type': 'application/octet-stream', 'x-content-sha256': sha256(partOf(bytes, n)) },
      });
    // The packages' routes are not the way to it: a registry token may not use them, and they do not know the upload.
    expect((await part(1, registry.token, `${base()}/uploads`)).statusCode).toBe(403);
    for (const n of [2, 1, 3]) expect((await part(n)).statusCode).toBe(200);
    expect((await t.call({ method: 'GET', url: `${versionUploads()}/${upload.id}`, token: registry.token })).json().parts).toHaveLength(3);
    const done = await t.call({ method: 'POST', url: `${versionUploads()}/${upload.id}/complete`, token: registry.token, payload: { sha256: sha256(bytes) } });
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json()).toMatchObject({ file_name: 'weights/model.bin', size: bytes.length, file_sha256: sha256(bytes) });
    const back = await t.call({ method: 'GET', url: `${base()}/ml_models/${version.id}/files/weights/model.bin`, token: dev.token });
    expect(sha256(back.rawPayload)).toBe(sha256(bytes));
  });

  it('are refused for an unknown version, and a generic upload is not found through them', async () => {
    expect((await t.call({ method: 'POST', url: `${base()}/ml_models/999999/uploads`, token: dev.token, payload: { file_name: 'a.bin', size: 10 } })).statusCode).toBe(404);
    const bytes = randomBytes(5 * MIB + 1);
    const generic = (await create('generic-only', 'a.bin', bytes)).json();
    expect((await t.call({ method: 'GET', url: `${versionUploads()}/${generic.id}`, token: dev.token })).statusCode).toBe(404);
    expect((await t.call({ method: 'DELETE', url: `${versionUploads()}/${generic.id}`, token: dev.token })).statusCode).toBe(404);
    expect((await session(generic.id)).statusCode).toBe(200);
  });
});
