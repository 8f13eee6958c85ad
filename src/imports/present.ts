import { now } from '../shared/clock.ts';
import type { ImportJobNative } from './contract.ts';
import type { SourceRecord } from './fetcher.ts';
import type { ImportJobRow } from './import-jobs-service.ts';

const iso = (epochMs: number | null) => (epochMs === null ? null : new Date(epochMs).toISOString());

/** Bytes per second over the current run, and the time left at that rate; null before a second of it. */
function pace(row: ImportJobRow, at: number): { rate: number | null; eta: number | null } {
  if (row.state !== 'running' || row.run_started_at === null) return { rate: null, eta: null };
  const seconds = (at - row.run_started_at) / 1000;
  const bytes = Number(row.bytes_done) - Number(row.run_bytes_start);
  if (seconds < 1 || bytes <= 0) return { rate: null, eta: null };
  const rate = bytes / seconds;
  const left = Math.max(0, Number(row.bytes_total ?? 0) - Number(row.bytes_done));
  return { rate: Math.round(rate), eta: Math.round(left / rate) };
}

/** The only place an import job row becomes JSON: the sealed credential is reported only as present or not. */
export function presentImportJob(row: ImportJobRow): ImportJobNative {
  const { rate, eta } = pace(row, now());
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    model_name: row.model_name,
    source: JSON.parse(row.source) as SourceRecord,
    has_credential: row.credential !== null,
    progress: {
      files_done: Number(row.files_done),
      files_total: Number(row.files_total ?? 0),
      bytes_done: Number(row.bytes_done),
      bytes_total: Number(row.bytes_total ?? 0),
      bytes_per_second: rate,
      eta_seconds: eta,
    },
    error: row.error,
    version_id: row.version_id === null ? null : Number(row.version_id),
    created_at: iso(row.created_at)!,
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
  };
}
