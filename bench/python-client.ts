import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeFile } from './artifacts.ts';
import { median } from './http.ts';
import { BENCH_TOKEN, cpuMsOf, startModelyard } from './servers.ts';

export interface PythonClientUploadResult {
  bytes: number;
  rounds: number;
  curlSeconds: number[];
  clientSeconds: number[];
  clientMemoryGrowthBytes: number[];
  /** CPU seconds (user + system) per upload: the uploading process's own, and the server's. */
  curlCpuSeconds: number[];
  clientCpuSeconds: number[];
  serverCpuSecondsForCurl: number[];
  serverCpuSecondsForClient: number[];
}

/** curl's own CPU time, from bash's `times` (its second line: the children's user and system time). */
function childCpuSeconds(times: string): number {
  const line = times.trim().split('\n').at(-1) ?? '';
  return [...line.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
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
  const result: PythonClientUploadResult = {
    bytes: options.bytes,
    rounds: options.rounds,
    curlSeconds: [],
    clientSeconds: [],
    clientMemoryGrowthBytes: [],
    curlCpuSeconds: [],
    clientCpuSeconds: [],
    serverCpuSecondsForCurl: [],
    serverCpuSecondsForClient: [],
  };
  try {
    for (let round = 1; round <= options.rounds; round++) {
      let serverCpu = cpuMsOf(server.pid);
      const started = process.hrtime.bigint();
      const curl = spawnSync('bash', [
        '-c',
        'curl "$@" && times',
        'curl',
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
      result.curlCpuSeconds.push(childCpuSeconds(curl.stdout.toString()));
      result.serverCpuSecondsForCurl.push((cpuMsOf(server.pid) - serverCpu) / 1000);
      serverCpu = cpuMsOf(server.pid);
      const client = spawnSync(path.join(venv, 'bin/python'), ['bench/python_client_upload.py', server.base, BENCH_TOKEN, 'default', file, `client-${round}`], { encoding: 'utf8' });
      if (client.status !== 0) throw new Error(`client upload failed: ${client.stderr}`);
      const measured = JSON.parse(client.stdout) as { seconds: number; memory_growth_bytes: number; cpu_seconds: number };
      result.serverCpuSecondsForClient.push((cpuMsOf(server.pid) - serverCpu) / 1000);
      result.clientSeconds.push(measured.seconds);
      result.clientMemoryGrowthBytes.push(measured.memory_growth_bytes);
      result.clientCpuSeconds.push(measured.cpu_seconds);
      log(
        `round ${round}: curl ${result.curlSeconds.at(-1)!.toFixed(2)} s (CPU: curl ${result.curlCpuSeconds.at(-1)!.toFixed(2)} s, server ${result.serverCpuSecondsForCurl.at(-1)!.toFixed(2)} s), ` +
          `client ${measured.seconds.toFixed(2)} s (CPU: client ${measured.cpu_seconds.toFixed(2)} s, server ${result.serverCpuSecondsForClient.at(-1)!.toFixed(2)} s), client memory +${(measured.memory_growth_bytes / 1024 ** 2).toFixed(1)} MiB`,
      );
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

Machine: ${machine}. Command: \`${command}\`. A ${(r.bytes / 1024 ** 3).toFixed(0)} GiB file uploaded to a generic package on loopback by \`curl --upload-file\` and by the Python client (\`packages.upload\`: a resumable multipart upload in parts of 128 MiB sent in order, the file read once in 1 MiB blocks that a reading thread hashes, whole-file SHA-256 and part CRC-32, a few blocks ahead of the socket; the server writes each part at its offset in one staging file on a pair of writer threads kept between parts, hashes the parts into the file's SHA-256 as they arrive in order, answers each part's CRC-32, flushes the staging file in the background while the next part arrives, and at completion flushes the rest and moves it into place), alternated for ${r.rounds} rounds; each upload ends with the server's answer (the file hashed, flushed and recorded). Medians of the rounds.

| | curl | Python client | target | |
| --- | --- | --- | --- | --- |
| upload rate | ${curlRate.toFixed(0)} MiB/s | ${clientRate.toFixed(0)} MiB/s (${share.toFixed(0)} % of curl) | ≥ 80 % of curl | ${share >= 80 ? 'met' : 'missed'} |
| client memory growth during the upload (largest of the rounds) | | ${growth.toFixed(1)} MiB | ≤ 64 MB | ${growth * 1.048576 <= 64 ? 'met' : 'missed'} |
| CPU per upload: the uploader's own | ${median(r.curlCpuSeconds).toFixed(2)} s | ${median(r.clientCpuSeconds).toFixed(2)} s | | |
| CPU per upload: the server's | ${median(r.serverCpuSecondsForCurl).toFixed(2)} s | ${median(r.serverCpuSecondsForClient).toFixed(2)} s | | |

Rounds: curl ${r.curlSeconds.map((s) => s.toFixed(1)).join(', ')} s; client ${r.clientSeconds.map((s) => s.toFixed(1)).join(', ')} s.
`;
}
