import net from 'node:net';

/**
 * A port nothing listens on now, on the address model servers listen on: the OS picks it. A model server left over from a
 * killed agent still holds its old port, so asking afresh for every start never collides with
 * one; the rare race with another program taking the port first ends as a failed start, and
 * the restart asks again.
 */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
