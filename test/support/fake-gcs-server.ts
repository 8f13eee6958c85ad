import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * fake-gcs-server (github.com/fsouza/fake-gcs-server, pinned in scripts/go-tools.sh; the binary
 * from MODELYARD_FAKE_GCS_SERVER, which scripts/test-all.sh sets, else built now): Cloud
 * Storage's JSON API in memory on a free loopback port. Buckets and objects go in through the
 * same API (`POST /storage/v1/b`, `POST /upload/storage/v1/b/{bucket}/o?uploadType=media`).
 */
export interface FakeGcs {
  url: string;
  port: number;
  createBucket(name: string): Promise<void>;
  upload(bucket: string, name: string, data: Buffer): Promise<{ md5Hash: string; size: string }>;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function startFakeGcs(): Promise<FakeGcs> {
  const binary = process.env.MODELYARD_FAKE_GCS_SERVER ?? execFileSync('bash', ['scripts/go-tools.sh', 'fake-gcs-server'], { encoding: 'utf8' }).trim();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(binary, ['-scheme', 'http', '-host', '127.0.0.1', '-port', String(port), '-backend', 'memory', '-log-level', 'error'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  // Up to a minute: a loaded machine starts it slowly.
  for (let tried = 0; ; tried++) {
    if (child.exitCode !== null) throw new Error(`fake-gcs-server exited (${child.exitCode}): ${errors}`);
    const ready = await fetch(`${url}/storage/v1/b`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) break;
    if (tried > 600) throw new Error(`fake-gcs-server did not answer on ${url}: ${errors}`);
    await sleep(100);
  }
  return {
    url,
    port,
    async createBucket(name) {
      const res = await fetch(`${url}/storage/v1/b`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
      if (!res.ok) throw new Error(`creating bucket ${name}: ${res.status} ${await res.text()}`);
    },
    async upload(bucket, name, data) {
      const res = await fetch(`${url}/upload/storage/v1/b/${bucket}/o?uploadType=media&name=${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: data,
      });
      if (!res.ok) throw new Error(`uploading ${name}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { md5Hash: string; size: string };
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
