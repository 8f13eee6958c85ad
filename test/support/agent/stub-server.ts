import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Value } from 'typebox/value';
import { CheckInBody, InstanceReport, type Instance } from '../../../src/agent-protocol/protocol.ts';
import { packFiles } from '../../../src/registry/deterministic-tar.ts';

export const AGENT_TOKEN = 'glagent-stub-token-0123456789';
export const FAKE_MODEL_SERVER = fileURLToPath(new URL('./fake-model-server.mjs', import.meta.url));

export interface RecordedReport extends InstanceReport {
  instanceId: string;
  at: number;
}

/**
 * The server's side of the agent protocol, small enough to read: desired instances set by the
 * test, long-polled assignments by revision, recorded check-ins and reports (each checked
 * against the protocol's schema), archives served by path. `down()` and `up()` make it
 * unreachable and back on the same port.
 */
export class StubServer {
  readonly reports: RecordedReport[] = [];
  readonly checkIns: CheckInBody[] = [];
  readonly invalid: string[] = [];
  /** Instances whose reports answer 404, as for an instance no longer assigned. */
  readonly gone = new Set<string>();
  assignmentCalls = 0;
  private instances: Instance[] = [];
  private revision = 1;
  private readonly archives = new Map<string, Buffer>();
  private waiters: (() => void)[] = [];
  private readonly sockets = new Set<Socket>();
  private server: http.Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private create(): http.Server {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  async up(): Promise<void> {
    const server = this.create();
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Makes an archive of these files downloadable; answers what an Instance says of it. */
  async addArchive(name: string, files: Record<string, string | Buffer>): Promise<Instance['files']> {
    const chunks: Buffer[] = [];
    const entries = Object.entries(files).map(([file, content]) => ({ path: file, size: Buffer.byteLength(content), open: async () => Readable.from([Buffer.from(content)]) }));
    for await (const chunk of packFiles(entries)) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const url = `/api/v4/projects/1/ml/models/1/versions/${name}/archive`;
    this.archives.set(url, bytes);
    return { url, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  }

  /** A new desired state; `wake: false` leaves held long polls waiting (a slow propagation). */
  setInstances(instances: Instance[], options: { wake: boolean } = { wake: true }): void {
    this.instances = instances;
    this.revision++;
    if (options.wake) for (const wake of this.waiters.splice(0)) wake();
  }

  reportsOf(instanceId: string): RecordedReport[] {
    return this.reports.filter((r) => r.instanceId === instanceId);
  }

  /** Resolves with the first report matching `predicate` (looking at past reports too). */
  async waitForReport(predicate: (report: RecordedReport) => boolean, timeoutMs = 20_000): Promise<RecordedReport> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.reports.find(predicate);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no such report in ${timeoutMs} ms; reports: ${JSON.stringify(this.reports.map(({ instanceId, state, restarts, message }) => ({ instanceId, state, restarts, message: message?.slice(0, 80) })))}`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stub');
    const send = (status: number, body?: unknown) => {
      res.statusCode = status;
      if (body !== undefined) res.setHeader('content-type', 'application/json');
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${AGENT_TOKEN}`) return send(401, { message: '401 Unauthorized' });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as unknown) : undefined;

    if (req.method === 'POST' && url.pathname === '/api/v4/agent/sessions') {
      if (!Value.Check(CheckInBody, body)) this.invalid.push(`check-in ${JSON.stringify(body)}`);
      this.checkIns.push(body as CheckInBody);
      return send(200, { agent_id: 1, poll_seconds: 2 });
    }
    if (req.method === 'GET' && url.pathname === '/api/v4/agent/assignments') {
      this.assignmentCalls++;
      const held = url.searchParams.get('revision');
      const wait = Number(url.searchParams.get('wait') ?? '0');
      if (held === String(this.revision)) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait * 1000);
          this.waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        if (held === String(this.revision)) return send(304);
      }
      return send(200, { revision: String(this.revision), instances: this.instances });
    }
    const instance = /^\/api\/v4\/agent\/instances\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'PUT' && instance) {
      const instanceId = decodeURIComponent(instance[1]!);
      if (!Value.Check(InstanceReport, body)) this.invalid.push(`report ${JSON.stringify(body)}`);
      this.reports.push({ ...(body as InstanceReport), instanceId, at: Date.now() });
      if (this.gone.has(instanceId)) return send(404, { message: '404 Instance Not Found' });
      return send(200, {});
    }
    const archive = this.archives.get(url.pathname);
    if (req.method === 'GET' && archive) {
      res.setHeader('content-type', 'application/gzip');
      return void res.end(archive);
    }
    send(404, { message: '404 Not Found' });
  }
}

/** An instance served by the fake model server, with health checks fast enough for tests. */
export function fakeInstance(id: string, files: Instance['files'], env: Record<string, string> = {}): Instance {
  return {
    instance_id: id,
    project: { id: 1, path: 'team/models' },
    environment: { id: 1, name: 'staging' },
    deployment_id: 1,
    variant: 'stable',
    model: { name: 'clf', version: 1, semver: '1.0.0', flavor: null },
    files,
    server: { kind: 'command', argv: [process.execPath, FAKE_MODEL_SERVER, '{port}', '{model_dir}', '{host}'], env },
    health: { path: '/ping', interval_seconds: 0.2, timeout_seconds: 1 },
  };
}

export const repoRoot = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
