import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { BENCH_TOKEN, startModelyard } from './servers.ts';

export interface WebhookRound {
  endpoints: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  deliveriesPerSecond: number;
  inOrder: boolean;
}

/**
 * Webhook delivery as a server runs it: `events` registry events land in the outbox at once
 * (written straight into the server's SQLite file, as a burst of committed changes would be),
 * and a fast receiver in this process counts deliveries until every endpoint has every event.
 * Measures the dispatcher (fan-out, signing, keep-alive POSTs, recording), not the API.
 */
export async function benchWebhooks(endpoints: number, events: number, log: (line: string) => void): Promise<WebhookRound> {
  const arrivals = new Map<string, number[]>();
  let total = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const receiver = http.createServer((request, response) => {
    let body = '';
    request.on('data', (d) => (body += d));
    request.on('end', () => {
      const list = arrivals.get(request.url!) ?? [];
      list.push((JSON.parse(body) as { id: number }).id);
      arrivals.set(request.url!, list);
      response.writeHead(204).end();
      if (++total === endpoints * events) done();
    });
  });
  receiver.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const server = await startModelyard({ MODELYARD_OUTBOUND_ALLOW: '127.0.0.1' });
  try {
    const headers = { 'private-token': BENCH_TOKEN, 'content-type': 'application/json' };
    const project = (await (await fetch(`${server.base}/api/v4/projects`, { method: 'POST', headers, body: JSON.stringify({ name: 'hooks', path: 'hooks' }) })).json()) as { id: number };
    for (let i = 0; i < endpoints; i++) {
      const res = await fetch(`${server.base}/api/v4/projects/${project.id}/hooks`, { method: 'POST', headers, body: JSON.stringify({ url: `${base}/e${i}`, events: ['registry.*'] }) });
      if (res.status !== 201) throw new Error(`creating a hook: ${res.status} ${await res.text()}`);
    }
    const db = new SQLite(path.join(server.dataDir, 'modelyard.db'));
    db.pragma('busy_timeout = 5000');
    const insert = db.prepare('insert into events (type, project_id, actor_id, payload, created_at) values (?, ?, null, ?, ?)');
    const started = performance.now();
    db.transaction(() => {
      for (let n = 0; n < events; n++) insert.run('registry.model.updated', project.id, JSON.stringify({ model_name: 'm', n }), Date.now());
    })();
    db.close();
    const timeout = setTimeout(done, 300_000);
    await finished;
    clearTimeout(timeout);
    const seconds = (performance.now() - started) / 1000;
    const inOrder = [...arrivals.values()].every((ids) => ids.every((id, i) => i === 0 || id > ids[i - 1]!));
    const round = { endpoints, events, seconds, eventsPerSecond: events / seconds, deliveriesPerSecond: total / seconds, inOrder };
    log(`webhooks: ${JSON.stringify(round)}`);
    return round;
  } finally {
    await server.stop();
    receiver.close();
  }
}
