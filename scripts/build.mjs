#!/usr/bin/env node
// The production build: the server's TypeScript to JavaScript in dist/ (tsc, with relative
// `.ts` imports rewritten to `.js`), the files the server reads beside its modules (pipeline
// templates, the upload worker) copied along, and the web UI bundled into web/dist by Vite.
//   node scripts/build.mjs            server and web
//   node scripts/build.mjs server     server only
//   node scripts/build.mjs web        web only
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { markBuilt, SERVER_OUT, SERVER_SRC } from '../bin/build-state.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const what = process.argv[2] ?? 'all';

function copyAssets(from, to) {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyAssets(source, target);
    else if (!entry.name.endsWith('.ts')) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(source, target);
    }
  }
}

if (what === 'all' || what === 'server') {
  execFileSync(bin('tsc'), ['-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  copyAssets(path.join(root, SERVER_SRC), path.join(root, SERVER_OUT));
  markBuilt('server');
}
if (what === 'all' || what === 'web') {
  execFileSync(bin('vite'), ['build', '--config', path.join(root, 'web/vite.config.ts'), '--logLevel', 'warn'], { stdio: 'inherit' });
  markBuilt('web');
}
