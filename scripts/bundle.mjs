#!/usr/bin/env node
// `npm run bundle`: one tarball that installs and runs Modelyard on a Linux x64 machine with no
// network (an air-gapped install). It holds the compiled server (dist/) and UI (web/dist/), the
// production dependencies with their native parts already built, the Node.js runtime this
// script runs on (so the target needs no Node of its own), the docs, and a `modelyard` launcher:
//
//   tar -xzf modelyard-<version>-linux-x64.tar.gz && modelyard-<version>-linux-x64/modelyard serve
//
//   node scripts/bundle.mjs [--out DIR] [--no-build]
// The tarball goes to DIR (default bundle/); its path is the last line printed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildState } from '../bin/build-state.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outDir = path.resolve(outIndex >= 0 ? args[outIndex + 1] : path.join(root, 'bundle'));

if (process.platform !== 'linux' || process.arch !== 'x64')
  throw new Error(`bundles are made for linux-x64 on linux-x64 (this is ${process.platform}-${process.arch}): the native modules and the runtime are copied from this machine`);

const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const name = `modelyard-${version}-linux-x64`;

if (!args.includes('--no-build')) execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
for (const part of ['server', 'web']) if (buildState(part) !== 'current') throw new Error(`the ${part} build is ${buildState(part)}: run npm run build first`);

const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-bundle-'));
const target = path.join(staging, name);
fs.mkdirSync(target);
const copy = (relative) => fs.cpSync(path.join(root, relative), path.join(target, relative), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
try {
  for (const item of ['bin', 'dist', 'web/dist', 'docs', 'deploy', 'package.json', 'package-lock.json', 'README.md']) copy(item);

  // The development tree's modules, then pruned to production ones by npm from the lockfile:
  // no download, and better-sqlite3's native module is the one built and tested here. A linked
  // node_modules (a git worktree sharing another checkout's) is copied as the folder it names.
  fs.cpSync(fs.realpathSync(path.join(root, 'node_modules')), path.join(target, 'node_modules'), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  execFileSync('npm', ['prune', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: target, stdio: ['ignore', 'ignore', 'inherit'] });

  // The Python client's wheel and its dependencies' wheels: `pip install --no-index
  // --find-links python modelyard` installs it on a machine without a package index.
  execFileSync('bash', [path.join(root, 'scripts/python-client.sh'), '--wheelhouse-into', path.join(target, 'python')], { stdio: ['ignore', 'ignore', 'inherit'] });

  // The runtime: this very Node.js, which the whole test suite ran on.
  fs.mkdirSync(path.join(target, 'runtime'));
  fs.copyFileSync(process.execPath, path.join(target, 'runtime/node'));
  fs.chmodSync(path.join(target, 'runtime/node'), 0o755);
  fs.writeFileSync(
    path.join(target, 'modelyard'),
    [
      '#!/bin/sh',
      '# Modelyard with the Node.js runtime it was bundled with (see docs/operations.md).',
      'here=$(dirname "$(readlink -f "$0")")',
      'exec "$here/runtime/node" "$here/bin/modelyard.mjs" "$@"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  fs.writeFileSync(
    path.join(target, 'BUNDLE.txt'),
    [
      `Modelyard ${version} for linux-x64, made ${new Date().toISOString()} with Node.js ${process.version}.`,
      'Start: ./modelyard serve (configuration by MODELYARD_* environment variables, see README.md).',
      'Python client: pip install --no-index --find-links python modelyard (see docs/python-client.md).',
      'Nothing in it reaches the network on its own: no telemetry, no update checks, no fonts or scripts from elsewhere.',
      '',
    ].join('\n'),
  );

  fs.mkdirSync(outDir, { recursive: true });
  const tarball = path.join(outDir, `${name}.tar.gz`);
  execFileSync('tar', ['-czf', tarball, '--owner=0', '--group=0', '-C', staging, name], { stdio: 'inherit' });
  console.log(tarball);
} finally {
  fs.rmSync(staging, { recursive: true, force: true });
}
