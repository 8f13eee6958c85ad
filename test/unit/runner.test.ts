import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkThresholds, parseThresholds } from '../../src/cli/ci-commands.ts';
import { detectGpus, parseGpuList } from '../../src/runner/gpus.ts';
import { LogStream } from '../../src/runner/log-stream.ts';
import type { Job, ProtocolClient } from '../../src/runner/protocol-client.ts';
import { runCommands, scriptOf } from '../../src/runner/shell-executor.ts';
import { expandVariables } from '../../src/runner/job-environment.ts';
import { matchArtifacts } from '../../src/runner/workspace.ts';

/** A server that stores appended chunks at their offsets, and can lose one answer. */
function fakeServer() {
  let stored = Buffer.alloc(0);
  let loseNextAnswer = false;
  const client = {
    async appendTrace(_job: Job, offset: number, chunk: Buffer) {
      if (offset !== stored.length) return { size: stored.length, accepted: false, status: 'running' };
      stored = Buffer.concat([stored, chunk]);
      if (loseNextAnswer) {
        loseNextAnswer = false;
        throw new Error('connection reset');
      }
      return { size: stored.length, accepted: true, status: 'running' };
    },
  } as unknown as ProtocolClient;
  return { client, text: () => stored.toString('utf8'), loseNext: () => (loseNextAnswer = true) };
}

const job = { id: 1, token: 't', features: { trace_sections: true, token_mask_prefixes: ['glcbt-'], failure_reasons: [] } } as unknown as Job;

describe('the log stream', () => {
  it('masks a secret split across two writes, since it sends whole lines', async () => {
    const server = fakeServer();
    const log = new LogStream(server.client, job, ['s3cr3t-value'], 60_000);
    log.write('token: s3cr');
    await log.flush(false);
    log.write('3t-value\nnext line\n');
    await log.close();
    expect(server.text()).toBe('token: [MASKED]\nnext line\n');
  });

  it("hides tokens by GitLab's prefixes and reports the CRC-32 and length of what the server holds", async () => {
    const server = fakeServer();
    const log = new LogStream(server.client, job, [], 60_000);
    log.write('curl -H "JOB-TOKEN: glcbt-1_abcdefghijklmnopqrstuv" x\nok ✓\n');
    await log.close();
    expect(server.text()).toBe('curl -H "JOB-TOKEN: glcbt-[MASKED]" x\nok ✓\n');
    const bytes = Buffer.from(server.text());
    expect(log.output()).toEqual({ checksum: `crc32:${zlib.crc32(bytes).toString(16).padStart(8, '0')}`, bytesize: bytes.length });
  });

  it('re-sends after a lost answer without writing twice', async () => {
    const server = fakeServer();
    const log = new LogStream(server.client, job, [], 60_000);
    log.write('one\n');
    server.loseNext();
    await log.flush(false); // stored, but the answer was lost
    log.write('two\n');
    await log.close();
    expect(server.text()).toBe('one\ntwo\n');
  });
});

describe('the shell executor', () => {
  it('echoes each command, stops at the first failure, and reports its exit code', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exec-'));
    let out = '';
    const outcome = await runCommands({
      commands: ['echo first', 'false', 'echo never'],
      cwd: dir,
      scriptDir: dir,
      name: 's',
      env: process.env,
      onOutput: (t) => (out += t),
      signal: new AbortController().signal,
    });
    expect(outcome).toEqual({ exitCode: 1, stopped: false });
    expect(out).toContain('$ echo first');
    expect(out).toContain('first\n');
    expect(out).not.toContain('never\n');
    expect(scriptOf(["echo 'quoted'"])).toContain(`'echo '\\''quoted'\\'''`);
  });

  it('stops the whole process group when aborted', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exec-'));
    const controller = new AbortController();
    const started = Date.now();
    const running = runCommands({ commands: ['sleep 60 & sleep 60'], cwd: dir, scriptDir: dir, name: 's', env: process.env, onOutput: () => undefined, signal: controller.signal, killGraceMs: 500 });
    setTimeout(() => controller.abort(), 300);
    const outcome = await running;
    expect(outcome.stopped).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('artifact paths', () => {
  it('matches files, directories and globs inside the workspace only', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'art-'));
    for (const f of ['model/weights.bin', 'model/config.json', 'reports/a.html', 'reports/deep/b.html', 'metrics.json', 'other.txt']) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), 'x');
    }
    expect(matchArtifacts(root, ['model/', 'metrics.json'])).toEqual(['metrics.json', 'model/config.json', 'model/weights.bin']);
    expect(matchArtifacts(root, ['reports/*.html'])).toEqual(['reports/a.html']);
    expect(matchArtifacts(root, ['reports/**/*.html'])).toEqual(['reports/a.html', 'reports/deep/b.html']);
    expect(matchArtifacts(root, ['../etc/passwd', '/etc/passwd'])).toEqual([]);
    expect(matchArtifacts(root, ['**/b.html', 'reports/**', 'm?del/*'])).toEqual(['reports/a.html', 'reports/deep/b.html']);
    expect(matchArtifacts(root, ['model/(x|y)+', 'model/[cw]*'])).toEqual([]);
  });

  it('matches a glob such as *a*a*a*b against a long name in linear time', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'art-'));
    fs.writeFileSync(path.join(root, 'a'.repeat(250)), 'x');
    const started = performance.now();
    expect(matchArtifacts(root, ['*a*a*a*b'])).toEqual([]);
    expect(performance.now() - started).toBeLessThan(100);
    expect(matchArtifacts(root, ['*a*a*a*'])).toEqual(['a'.repeat(250)]);
  });
});

describe('job variables', () => {
  it('expands $NAME and ${NAME} in values that are not raw, from the variables before them, as GitLab Runner does', () => {
    const v = (key: string, value: string, raw = false) => ({ key, value, raw, public: true, file: false, masked: false });
    expect(expandVariables([v('HOST', 'example.org'), v('URL', 'https://${HOST}/$MISSING/x'), v('LITERAL', '$HOST', true), v('SELF', '$URL/more')])).toEqual({
      HOST: 'example.org',
      URL: 'https://example.org//x',
      LITERAL: '$HOST',
      SELF: 'https://example.org//x/more',
    });
  });
});

describe('GPU detection', () => {
  it("reads nvidia-smi's CSV, and finds none without it", async () => {
    expect(parseGpuList('NVIDIA H100 80GB HBM3, 81559, 550.54.15\nNVIDIA H100 80GB HBM3, 81559, 550.54.15\n')).toEqual([
      { name: 'NVIDIA H100 80GB HBM3', memory_mib: 81559, driver: '550.54.15' },
      { name: 'NVIDIA H100 80GB HBM3', memory_mib: 81559, driver: '550.54.15' },
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smi-'));
    const fake = path.join(dir, 'nvidia-smi');
    fs.writeFileSync(fake, '#!/bin/sh\necho "NVIDIA A100-SXM4-40GB, 40960, 535.104.05"\n', { mode: 0o755 });
    expect(await detectGpus(fake)).toEqual([{ name: 'NVIDIA A100-SXM4-40GB', memory_mib: 40960, driver: '535.104.05' }]);
    expect(await detectGpus(path.join(dir, 'missing'))).toEqual([]);
  });
});

describe('validation thresholds', () => {
  it('parses and checks them', () => {
    const thresholds = parseThresholds('accuracy>=0.9, loss<=0.3,f1>0.5');
    expect(thresholds.map((t) => t.op)).toEqual(['>=', '<=', '>']);
    expect(checkThresholds({ accuracy: 0.95, loss: 0.4, f1: 0.6 }, thresholds)).toEqual(['loss<=0.3: got 0.4']);
    expect(checkThresholds({ accuracy: 0.95 }, thresholds)).toHaveLength(2);
    expect(() => parseThresholds('accuracy is high')).toThrow(/not of the form/);
  });
});
