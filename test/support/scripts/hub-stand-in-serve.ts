import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { startHubStandIn, type StandInRepo } from '../hub-stand-in.ts';

/**
 * The Hub stand-in as a process, for tests and benches outside vitest (the Python client's,
 * bench/hub-import.ts): `tsx hub-stand-in-serve.ts <spec.json>` prints `{"url": …, "commits": {…}}`
 * on one line once it listens, and serves until its standard input closes (its parent gone).
 * The spec names each repository's files by text (`files`) or by a size of random bytes (`random`).
 */
interface RepoSpec extends Omit<StandInRepo, 'files'> {
  files?: Record<string, string>;
  random?: Record<string, number>;
}

const spec = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as Record<string, RepoSpec>;
const repos: Record<string, StandInRepo> = {};
for (const [name, { files = {}, random = {}, ...rest }] of Object.entries(spec)) {
  const contents: Record<string, Buffer> = {};
  for (const [path, text] of Object.entries(files)) contents[path] = Buffer.from(text);
  for (const [path, size] of Object.entries(random)) contents[path] = randomBytes(size);
  repos[name] = { ...rest, files: contents };
}
const hub = await startHubStandIn(repos);
const commits = Object.fromEntries(Object.keys(repos).map((name) => [name, hub.commitOf(name)]));
process.stdout.write(`${JSON.stringify({ url: hub.url, port: hub.port, commits })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void hub.close().then(() => process.exit(0));
});
process.on('SIGTERM', () => {
  void hub.close().then(() => process.exit(0));
});
