import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../../src/agent/protocol-client.ts';

let server: http.Server;
let base: string;
let answer: unknown;

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe("the agent's protocol client", () => {
  it('sends its token only to the server it was given, whatever path the server names', () => {
    const client = new AgentClient('https://modelyard.example/sub', 'glagent-x', 'test');
    expect(client.resolve('/api/v4/projects/1/ml/models/2/versions/3/archive').href).toBe('https://modelyard.example/sub/api/v4/projects/1/ml/models/2/versions/3/archive');
    for (const elsewhere of ['https://evil.example/archive', '//evil.example/archive', 'archive.tar.gz']) {
      expect(() => client.resolve(elsewhere), elsewhere).toThrow('which is not a path on it');
    }
  });

  it('refuses assignments it does not understand rather than acting on them', async () => {
    const client = new AgentClient(base, 'glagent-x', 'test');
    answer = { revision: '1', instances: [] };
    expect(await client.assignments(undefined, 0)).toEqual({ revision: '1', instances: [] });
    answer = { revision: '2', instances: [{ instance_id: '../../etc' }] };
    await expect(client.assignments(undefined, 0)).rejects.toThrow("the server's assignments answer is not what this agent understands: /instances/0");
  });
});
