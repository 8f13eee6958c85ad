import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { BENCH_TOKEN, rssOf, type RunningServer } from './servers.ts';

export interface TransferResult {
  uploadMBps: number | null;
  downloadMBps: number | null;
  peakRssGrowthMB: number;
  note: string;
}

/** Makes a file of `bytes` from a repeated random block (fast to write, not compressible). */
export function makeFile(file: string, bytes: number): void {
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24;
  const fd = fs.openSync(file, 'w');
  for (let written = 0; written < bytes; written += block.length) {
    block.writeUInt32LE(written / block.length, 0);
    fs.writeSync(fd, block, 0, Math.min(block.length, bytes - written));
  }
  fs.closeSync(fd);
}

export interface CpResult {
  /** cp, then sync: the copy written to the disk. The yardstick of the targets. */
  withSyncMBps: number;
  /** cp alone: ends with the copy in the page cache, a memory-to-memory copy. */
  cpOnlyMBps: number;
}

/** Copies with `cp` (then `sync`) and returns MB/s: the yardstick the targets are set against. */
export function cpThroughput(file: string, bytes: number): CpResult {
  const target = `${file}.cp`;
  execFileSync('sync');
  const start = performance.now();
  execFileSync('cp', [file, target]);
  const copied = performance.now();
  execFileSync('sync');
  const synced = performance.now();
  fs.rmSync(target);
  execFileSync('sync');
  const mb = bytes / 1024 / 1024;
  return { withSyncMBps: mb / ((synced - start) / 1000), cpOnlyMBps: mb / ((copied - start) / 1000) };
}

/** Watches a process's resident memory while `work` runs; returns the peak growth. */
async function withRssWatch<T>(pid: number, limitBytes: number, work: (abort: AbortSignal) => Promise<T>): Promise<{ result: T | null; peakGrowth: number; aborted: boolean }> {
  const base = rssOf(pid);
  let peak = base;
  const controller = new AbortController();
  const timer = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
    if (peak - base > limitBytes) controller.abort();
  }, 25);
  try {
    const result = await work(controller.signal);
    return { result, peakGrowth: peak - base, aborted: false };
  } catch (error) {
    if (controller.signal.aborted) return { result: null, peakGrowth: peak - base, aborted: true };
    throw error;
  } finally {
    clearInterval(timer);
  }
}

/**
 * One transfer with curl, the same client for both servers. The download is counted and
 * dropped (`--output /dev/null`): writing it to this VM's disk ran anywhere from 200 to 760 MB/s
 * from one try to the next (a Node.js client writing in 64 KiB pieces, 150 MB/s), which timed
 * the client's disk and not the server, whose part of a download is reading the stored file
 * and sending it. The upload is read from disk by curl and written to disk by the server.
 */
function transfer(method: 'PUT' | 'GET', url: string, headers: Record<string, string>, file: string, signal: AbortSignal, timeoutMs: number): Promise<{ seconds: number; bytes: number }> {
  const args = [
    '--silent',
    '--show-error',
    '--fail-with-body',
    '--max-time',
    String(Math.ceil(timeoutMs / 1000)),
    '--output',
    '/dev/null',
    '--write-out',
    method === 'GET' ? '%{size_download}' : '%{size_upload}',
  ];
  for (const [name, value] of Object.entries(headers)) args.push('--header', `${name}: ${value}`);
  if (method === 'PUT') args.push('--upload-file', file);
  args.push(url);
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const curl = spawn('curl', args, { signal, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errors = '';
    curl.stdout.on('data', (d) => (out += d));
    curl.stderr.on('data', (d) => (errors += d));
    curl.on('error', reject);
    curl.on('close', (code) =>
      code === 0 ? resolve({ seconds: (performance.now() - start) / 1000, bytes: Number(out) }) : reject(new Error(`curl ${method} exited ${code}: ${errors.slice(0, 300)}`)),
    );
  });
}

/**
 * Uploads `file` through a server's MLflow artifact proxy and downloads it back, while watching
 * the server's memory. A server whose memory grows past `rssLimit` is stopped there and reported as such (the MLflow proxy has been seen to need 30 GB for 1 GB).
 */
export async function benchTransfer(server: RunningServer, file: string, bytes: number, options: { rssLimit: number; timeoutMs: number; name: string }): Promise<TransferResult> {
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (server.name === 'Modelyard') headers['private-token'] = BENCH_TOKEN;
  const url = `${server.base}/api/2.0/mlflow-artifacts/artifacts/bench/${options.name}`;
  const mb = bytes / 1024 / 1024;
  // Each transfer starts with no dirty pages left from the previous step (the file just made,
  // the upload just stored), so that the kernel's writeback of those is not timed as this one.
  execFileSync('sync');
  const upload = await withRssWatch(server.pid, options.rssLimit, (signal) => transfer('PUT', url, headers, file, signal, options.timeoutMs));
  if (upload.aborted || upload.result === null) {
    return { uploadMBps: null, downloadMBps: null, peakRssGrowthMB: upload.peakGrowth / 1024 / 1024, note: `upload stopped: memory grew past ${(options.rssLimit / 1024 ** 3).toFixed(0)} GiB` };
  }
  const getHeaders: Record<string, string> = server.name === 'Modelyard' ? { 'private-token': BENCH_TOKEN } : {};
  execFileSync('sync');
  const download = await withRssWatch(server.pid, options.rssLimit, (signal) => transfer('GET', url, getHeaders, file, signal, options.timeoutMs));
  const sameSize = download.result?.bytes === bytes;
  // Remove the stored copy, so the next round's disk holds the same as this one's did.
  await fetch(url, { method: 'DELETE', headers: getHeaders });
  return {
    uploadMBps: mb / upload.result.seconds,
    downloadMBps: download.result === null ? null : mb / download.result.seconds,
    peakRssGrowthMB: Math.max(upload.peakGrowth, download.peakGrowth) / 1024 / 1024,
    note: download.aborted ? 'download stopped by the memory limit' : sameSize ? '' : 'downloaded size differs',
  };
}

export interface TransferRound extends TransferResult {
  cp: CpResult;
}

/**
 * Rounds of `cp` + `sync` and then the transfers, one right after the other. This VM's disk
 * and memory speeds drift by a factor of two within minutes, so each transfer is set against
 * the `cp` of its own round, and the report takes the median of those ratios.
 */
export async function benchTransferRounds(server: RunningServer, file: string, bytes: number, rounds: number, log: (line: string) => void): Promise<TransferRound[]> {
  const results: TransferRound[] = [];
  for (let round = 1; round <= rounds; round++) {
    const cp = cpThroughput(file, bytes);
    const transfer = await benchTransfer(server, file, bytes, { rssLimit: 6 * 1024 ** 3, timeoutMs: 15 * 60 * 1000, name: `round-${round}.bin` });
    results.push({ ...transfer, cp });
    log(`${server.name} round ${round}: cp + sync ${cp.withSyncMBps.toFixed(0)} MB/s, ${JSON.stringify(transfer)}`);
  }
  return results;
}
