/**
 * The log protocol: `PATCH /api/v4/jobs/:id/trace` with the job's token in `JOB-TOKEN` and the
 * byte range of the chunk, both ends inclusive, in `Content-Range: <start>-<end>`. The server
 * stores a chunk only when it starts at the end of the log: 202 and `Range: 0-<size>`; 416 with
 * that `Range` otherwise; 403 with `Job-Status` once the job is no longer running.
 */
export const JOB_TOKEN_HEADER = 'JOB-TOKEN';
export const JOB_STATUS_HEADER = 'Job-Status';
export const TRACE_UPDATE_INTERVAL_HEADER = 'X-GitLab-Trace-Update-Interval';
/** GitLab Runner never sends more than this in one patch. */
export const MAX_TRACE_PATCH_BYTES = 1024 * 1024;

export function contentRange(start: number, length: number): string {
  return `${start}-${start + length - 1}`;
}

/** `start-end` (inclusive); undefined when the header is malformed or the range is backwards. */
export function parseContentRange(value: string | undefined): { start: number; end: number } | undefined {
  const match = /^(\d{1,15})-(\d{1,15})$/.exec((value ?? '').trim());
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = Number(match[2]);
  return end + 1 < start ? undefined : { start, end };
}

/** The server's `Range: 0-<size>`: the log's length in bytes. */
export function traceSizeOf(range: string | null | undefined): number | undefined {
  const match = /^0-(\d{1,15})$/.exec((range ?? '').trim());
  return match ? Number(match[1]) : undefined;
}

/** GitLab Runner's `output.checksum`: CRC-32 (IEEE) of the log's bytes. */
export function traceChecksum(crc32: number): string {
  return `crc32:${(crc32 >>> 0).toString(16).padStart(8, '0')}`;
}
