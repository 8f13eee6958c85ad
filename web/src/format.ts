/**
 * Numbers, sizes, durations and counts as people read them. Each keeps what matters (three or
 * four significant digits, the largest units) and leaves the exact value to a tooltip or the API.
 */

/** Up to `digits` significant digits, without trailing zeros: 0.9777777777777777 → 0.9778, 1.50 → 1.5. */
function significant(value: number, digits: number): string {
  return String(Number(value.toPrecision(digits)));
}

/** A metric or other measured number; exponent form only far from 1. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  if (n !== 0 && (Math.abs(n) >= 1e6 || Math.abs(n) < 1e-4)) return n.toExponential(3).replace(/\.?0+e/, 'e');
  return significant(n, 4);
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** A size in bytes in binary units: 1073741824 → 1 GiB, 1536 → 1.5 KiB, 940 → 940 B. */
export function formatBytes(size: number): string {
  let value = size;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : significant(value, 3)} ${BYTE_UNITS[unit]}`;
}

/** A duration in seconds: 0.35 → 350 ms, 42 → 42s, 125 → 2m 05s, 7260 → 2h 01m, 2 days → 2d 0h. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '';
  if (seconds > 0 && seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** How long a run ran (or has been running), from its start and end in epoch ms; '' before it started. */
export function runDuration(run: { start_time: number; end_time: number | null; status: string }, now = Date.now()): number | null {
  if (!run.start_time) return null;
  if (run.end_time) return Math.max(0, run.end_time - run.start_time);
  return run.status === 'RUNNING' ? Math.max(0, now - run.start_time) : null;
}

/** Milliseconds as seconds, for formatDuration; null stays null. */
export function secondsOf(ms: number | null): number | null {
  return ms === null ? null : ms / 1000;
}

/** "1 model", "2 models"; the plural form is given where adding an s is wrong. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}

/**
 * "12 s ago": how recent a moment is, where that matters more than the exact time (a runner's
 * last contact, a run's start); the exact time goes in a title beside it. Takes epoch
 * milliseconds or an ISO string.
 */
export function formatAgo(at: number | string | null | undefined, now = Date.now()): string {
  if (at === null || at === undefined || at === '') return 'never';
  const ms = typeof at === 'number' ? at : Date.parse(at);
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}
