// The SHA-256 worker behind background-sha256.ts. Plain JavaScript, so that a worker thread
// loads it without the TypeScript loader the main thread uses.
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

const hashes = new Map();

parentPort.on('message', (message) => {
  const { id } = message;
  if (message.type === 'data') {
    let hash = hashes.get(id);
    if (!hash) hashes.set(id, (hash = createHash('sha256')));
    hash.update(new Uint8Array(message.bytes, 0, message.length));
    parentPort.postMessage({ id, type: 'ack', length: message.length });
  } else if (message.type === 'digest') {
    const hash = hashes.get(id) ?? createHash('sha256');
    hashes.delete(id);
    parentPort.postMessage({ id, type: 'digest', hex: hash.digest('hex') });
  } else if (message.type === 'drop') {
    hashes.delete(id);
  }
});
