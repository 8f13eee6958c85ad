#!/usr/bin/env node
// Runs the compiled server and CLI from dist/ with node alone. On a fresh clone (or after a
// source changed) it builds first, as long as the build tools are installed.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildState, canBuild, isBuilt, withBuildLock } from './build-state.mjs';

// Only the server serves the web UI: the other commands (the client ones above all, which
// should start fast) neither need it built nor pay for comparing its sources.
const needed = process.argv[2] === 'serve' ? ['server', 'web'] : ['server'];
const outdated = () => needed.filter((part) => buildState(part) !== 'current');
if (canBuild()) {
  if (outdated().length > 0) {
    // Several processes may start at once (tests, runners): one builds, the others wait for it.
    withBuildLock(() => {
      const parts = outdated();
      if (parts.length === 0) return;
      process.stderr.write(`modelyard: building ${parts.join(' and ')} (compiled output missing or older than its sources)\n`);
      const script = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));
      for (const part of parts) execFileSync(process.execPath, [script, part], { stdio: ['ignore', 2, 2] });
    });
  }
} else if (!isBuilt('server')) {
  // An operator's install (no build tools) runs what it has, without comparing it to sources.
  process.stderr.write('modelyard: dist/ is missing and the build tools are not installed: run `npm ci && npm run build`\n');
  process.exit(1);
}
await import('../dist/cli/main.js');
