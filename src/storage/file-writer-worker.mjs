// The threads behind off-thread-file-writer.ts: one hashes and one writes the slots that the
// main thread fills in a shared ring, each on its own core when one is free. Plain JavaScript,
// so that a worker thread loads it without the TypeScript loader the main thread uses. The slot
// protocol (states, layout) comes in workerData from off-thread-file-writer.ts, which is its one
// definition. A thread serves one file after another (file-writer-threads.ts keeps it between
// uploads): each job message names the ring, the file descriptor and where in the file to start.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const { role, slotBytes, writeBytes, slots, controlBytes, states } = workerData;
const abortIndex = slots * 2;
const mine = role === 'hash' ? states.hashed : states.written;
const both = states.full | states.hashed | states.written;

/** The slot is ready for this thread: filled (or the end mark) and not yet done by it. */
const ready = (state) => (state & (states.full | states.end)) !== 0 && (state & mine) === 0;

/** One file: its report at the end mark, or nothing when the main thread aborted it (it then ends this thread). */
function serve({ ring, fd, start }) {
  const control = new Int32Array(ring, 0, controlBytes / 4);
  const data = new Uint8Array(ring, controlBytes);
  const hash = role === 'hash' ? createHash('sha256') : undefined;
  let slot = 0;
  // Writes go to explicit positions (pwrite): a part of a multipart upload lands at its offset.
  let position = start;
  for (;;) {
    const stateIndex = slot * 2;
    // Wakes on a notify; the timeout only bounds how late an abort is seen.
    let state = Atomics.load(control, stateIndex);
    while (!ready(state) && Atomics.load(control, abortIndex) === 0) {
      Atomics.wait(control, stateIndex, state, 250);
      state = Atomics.load(control, stateIndex);
    }
    if (Atomics.load(control, abortIndex) !== 0) return undefined;
    if ((state & states.end) !== 0) return hash ? { sha256: hash.digest('hex') } : { written: true };
    const length = control[stateIndex + 1];
    const bytes = data.subarray(slot * slotBytes, slot * slotBytes + length);
    if (hash) hash.update(bytes);
    else {
      for (let written = 0; written < length;) {
        const wrote = fs.writeSync(fd, bytes, written, Math.min(writeBytes, length - written), position);
        written += wrote;
        position += wrote;
      }
    }
    // Whichever of the two threads finishes the slot second hands it back to the main thread.
    if ((Atomics.or(control, stateIndex, mine) | mine) === both) {
      Atomics.store(control, stateIndex, states.empty);
      Atomics.notify(control, stateIndex);
    }
    slot = (slot + 1) % slots;
  }
}

parentPort.on('message', (job) => {
  try {
    const report = serve(job);
    if (report) parentPort.postMessage(report);
  } catch (error) {
    parentPort.postMessage({ error: { message: error.message, code: error.code } });
  }
});
