import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeFile } from './artifacts.ts';
import { median } from './http.ts';
import { BENCH_TOKEN, startModelyard } from './servers.ts';

export interface PythonClientUploadResult {
  bytes: number;
  rounds: number;
  curlSeconds: number[];
  clientSeconds: number[];
  clientMemoryGrowthBytes: number[];
}

/**
 * The Python client's upload of a large file against curl's on the same file and server:
 * `curl --upload-file` (one PUT of the generic packages API) and `Client.project(...).packages.upload(...)`
 * (a large file goes up as a resumable multipart upload, parts streamed and hashed), on loopback, alternated round by round so that
 * the disk's drift hits both alike. The client's memory growth is its peak resident set
 * during the upload minus its resident set just before.
 */
export async function benchPythonClientUpload(options: { bytes: number; rounds: number }, log: (line: string) => void): Promise<PythonClientUploadResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-python-client-'));
  const venv = path.join(dir, 'venv');
  execFileSync('bash', ['scripts/python-client.sh', '--install-into', venv], { stdio: ['ignore', 'ignore', 'inherit'] });
  const file = path.join(dir, 'payload.bin');
  makeFile(file, options.bytes);
  const server = await startModelyard();
  const result: PythonClientUploadResult = { bytes: options.bytes, rounds: options.rounds, curlSeconds: [], clientSeconds: [], clientMemoryGrowthBytes: [] };
  try {
    for (let round = 1; round <= options.rounds; round++) {
      const started = process.hrtime.bigint();
      const curl = spawnSync('curl', [
        '--fail-with-body',
        '-sS',
        '-o',
        '/dev/null',
        '-H',
        `PRIVATE-TOKEN: ${BENCH_TOKEN}`,
        '--upload-file',
        file,
        `${server.base}/api/v4/projects/default/packages/generic/bench-upload/curl-${round}/payload.bin`,
      ]);
      if (curl.status !== 0) throw new Error(`curl upload failed: ${curl.stderr.toString()}`);
      result.curlSeconds.push(Number(process.hrtime.bigint() - started) / 1e9);
      const client = spawnSync(path.join(venv, 'bin/python'), ['bench/python_client_upload.py', server.base, BENCH_TOKEN, 'default', file, `client-${round}`], { encoding: 'utf8' });
      if (client.status !== 0) throw new Error(`client upload failed: ${client.stderr}`);
      const measured = JSON.parse(client.stdout) as { seconds: number; memory_growth_bytes: number };
      result.clientSeconds.push(measured.seconds);
      result.clientMemoryGrowthBytes.push(measured.memory_growth_bytes);
      log(`round ${round}: curl ${result.curlSeconds.at(-1)!.toFixed(2)} s, client ${measured.seconds.toFixed(2)} s, client memory +${(measured.memory_growth_bytes / 1024 ** 2).toFixed(1)} MiB`);
    }
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

/** The section of docs/benchmarks.md for one run. */
export function pythonClientSection(r: PythonClientUploadResult, machine: string, command: string): string {
  const rate = (seconds: number) => r.bytes / seconds / 1024 ** 2;
  const curlRate = median(r.curlSeconds.map(rate));
  const clientRate = median(r.clientSeconds.map(rate));
  const growth = Math.max(...r.clientMemoryGrowthBytes) / 1024 ** 2;
  const share = (clientRate / curlRate) * 100;
  return `
## Python client upload (issue 21) — ${new Date().toISOString().slice(0, 10)}

Machine: ${machine}. Command: \`${command}\`. A ${(r.bytes / 1024 ** 3).toFixed(0)} GiB file uploaded to a generic package on loopback by \`curl --upload-file\` and by the Python client (\`packages.upload\`: a resumable multipart upload in parts of 64 MiB, two parts streamed at once in 1 MiB blocks, each with its SHA-256, while the next part is hashed; the whole file's declared at completion, when the server hashes the staged file once and moves it into place), alternated for ${r.rounds} rounds; each upload ends with the server's answer (the file hashed, flushed and recorded). Medians of the rounds.

| | curl | Python client | target | |
| --- | --- | --- | --- | --- |
| upload rate | ${curlRate.toFixed(0)} MiB/s | ${clientRate.toFixed(0)} MiB/s (${share.toFixed(0)} % of curl) | ≥ 80 % of curl | ${share >= 80 ? 'met' : 'missed'} |
| client memory growth during the upload (largest of the rounds) | | ${growth.toFixed(1)} MiB | ≤ 64 MB | ${growth * 1.048576 <= 64 ? 'met' : 'missed'} |

Rounds: curl ${r.curlSeconds.map((s) => s.toFixed(1)).join(', ')} s; client ${r.clientSeconds.map((s) => s.toFixed(1)).join(', ')} s.
`;
}
