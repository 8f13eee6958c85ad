// Whether the compiled output in dist/ and web/dist/ matches the sources beside it. A fresh
// clone has no output yet, and a developer who edits a source and runs `npm start` expects to
// run what they edited, so the launcher rebuilds in both cases when the build tools are
// installed (an operator's install, pruned of dev dependencies, runs what it has).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SERVER_SRC = 'src';
export const SERVER_OUT = 'dist';

const PARTS = {
  server: { sources: [SERVER_SRC, 'tsconfig.json', 'tsconfig.build.json'], out: SERVER_OUT, stamp: path.join(SERVER_OUT, '.built') },
  web: { sources: ['web/src', 'web/index.html', 'web/vite.config.ts'], out: 'web/dist', stamp: 'web/dist/.built' },
};

/** Whether the output folder is a link to another checkout's build (a linked git worktree sharing one bundle). */
function isLinkedOutput(out) {
  try {
    return fs.lstatSync(path.join(root, out)).isSymbolicLink();
  } catch {
    return false;
  }
}

function newestChange(target) {
  const full = path.join(root, target);
  let stat;
  try {
    stat = fs.statSync(full);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(full)) newest = Math.max(newest, newestChange(path.join(target, entry)));
  return newest;
}

/**
 * 'missing' when never built, 'stale' when a source changed after the build, else 'current'.
 * An output folder that is a link belongs to the checkout it points into, built from that
 * checkout's sources: it counts as current, since rebuilding it from these sources would
 * overwrite the other checkout's build with this one's.
 */
export function buildState(part) {
  const { sources, stamp, out } = PARTS[part];
  if (isLinkedOutput(out) && fs.existsSync(path.join(root, stamp))) return 'current';
  let builtAt;
  try {
    builtAt = fs.statSync(path.join(root, stamp)).mtimeMs;
  } catch {
    return 'missing';
  }
  return Math.max(...sources.map(newestChange)) > builtAt ? 'stale' : 'current';
}

/** Whether the part was ever built (one stat, where buildState walks every source). */
export function isBuilt(part) {
  return fs.existsSync(path.join(root, PARTS[part].stamp));
}

export function markBuilt(part) {
  const stamp = path.join(root, PARTS[part].stamp);
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
}

export function canBuild() {
  return fs.existsSync(path.join(root, 'node_modules', '.bin', 'tsc')) && fs.existsSync(path.join(root, 'node_modules', '.bin', 'vite'));
}

/** Runs `work` while holding a lock directory; waits (up to 5 minutes) while another process holds it. */
export function withBuildLock(work) {
  const lock = path.join(root, '.build.lock');
  const deadline = Date.now() + 5 * 60 * 1000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A lock left by a killed build is older than any real build takes.
      const age = Date.now() - fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (age > 5 * 60 * 1000) fs.rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error('timed out waiting for another build to finish (.build.lock)', { cause: error });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    work();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
