// The thread behind off-thread-file-writer.ts: hashes and writes the bytes that the main
// thread copies into a shared ring of slots. Plain JavaScript, so that a worker thread loads
// it without the TypeScript loader the main thread uses. The slot protocol (states, layout)
// comes in workerData from off-thread-file-writer.ts, which is its one definition.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const { ring, fd, slotBytes, slots, controlBytes, states } = workerData;
const control = new Int32Array(ring, 0, controlBytes / 4);
const data = new Uint8Array(ring, controlBytes);
const abortIndex = slots * 2;
const hash = createHash('sha256');

let slot = 0;
try {
  for (;;) {
    const stateIndex = slot * 2;
    // Wakes on the main thread's notify; the timeout only bounds how late an abort is seen.
    while (Atomics.load(control, stateIndex) === states.empty && Atomics.load(control, abortIndex) === 0) Atomics.wait(control, stateIndex, states.empty, 250);
    if (Atomics.load(control, abortIndex) !== 0) break;
    if (Atomics.load(control, stateIndex) === states.end) {
      parentPort.postMessage({ sha256: hash.digest('hex') });
      break;
    }
    const length = control[stateIndex + 1];
    const bytes = data.subarray(slot * slotBytes, slot * slotBytes + length);
    hash.update(bytes);
    for (let written = 0; written < length; ) written += fs.writeSync(fd, bytes, written, length - written);
    Atomics.store(control, stateIndex, states.empty);
    Atomics.notify(control, stateIndex);
    slot = (slot + 1) % slots;
  }
} catch (error) {
  parentPort.postMessage({ error: { message: error.message, code: error.code } });
}
