import net from 'node:net';
import { startModelyard } from './servers.ts';

/**
 * `npx tsx bench/stalled-bodies.ts [connections] [seconds] [source addresses]`: the red team's
 * slow-body attack, measured. A server on its defaults (or MODELYARD_* from the environment);
 * `connections` sockets, spread over loopback source addresses 127.0.0.1, 127.0.0.2, …, each
 * sends the headers of `POST /api/v4/session` with `Content-Length: 100000` and 9 bytes of
 * body, then nothing. Prints how many the server refused at once (the per-address budget),
 * and how many are still open after each step until `seconds` have passed.
 */
const connections = Number(process.argv[2] ?? 900);
const seconds = Number(process.argv[3] ?? 40);
const sources = Number(process.argv[4] ?? 1);
const log = (line: string) => process.stdout.write(`[stalled-bodies] ${line}\n`);

const passthrough = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('MODELYARD_')) as [string, string][]);
const server = await startModelyard(passthrough);
const { port } = new URL(server.base);

interface Probe {
  open: boolean;
  refused: boolean;
}

function stall(localAddress: string): Promise<Probe> {
  return new Promise((resolve) => {
    const probe: Probe = { open: true, refused: false };
    const socket = net.connect({ host: '127.0.0.1', port: Number(port), localAddress });
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      if (chunk.toString('latin1').startsWith('HTTP/1.1 503')) probe.refused = true;
    });
    socket.on('close', () => (probe.open = false));
    socket.once('connect', () => {
      socket.write('POST /api/v4/session HTTP/1.1\r\nHost: modelyard\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"login":');
      resolve(probe);
    });
  });
}

try {
  const startedAt = Date.now();
  const probes = await Promise.all(Array.from({ length: connections }, (_, i) => stall(`127.0.0.${(i % sources) + 1}`)));
  const report = () => {
    const open = probes.filter((p) => p.open).length;
    const refused = probes.filter((p) => p.refused).length;
    log(`t=${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${open} of ${connections} still open, ${refused} refused with 503`);
  };
  await new Promise((resolve) => setTimeout(resolve, 2000));
  report();
  while (Date.now() - startedAt < seconds * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    report();
  }
} finally {
  await server.stop();
}
