import type { JobResponse } from './job-response.ts';

/** What a hidden value reads as in a job log. */
export const MASK = '[MASKED]';
/** Values shorter than this are not masked: they would hide ordinary words. */
export const MIN_MASKED_LENGTH = 4;

/** Replaces every occurrence of each secret; longest first, so a secret containing another is hidden whole. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length > 0) out = out.split(secret).join(MASK);
  }
  return out;
}

const TOKEN_CHAR = /[A-Za-z0-9_-]/;

/** Hides what follows any of the prefixes (`glcbt-…` becomes `glcbt-[MASKED]`), as GitLab Runner does. */
export function maskTokenPrefixes(text: string, prefixes: readonly string[]): string {
  let out = text;
  for (const prefix of prefixes) {
    if (prefix === '') continue;
    let from = 0;
    for (let at = out.indexOf(prefix, from); at >= 0; at = out.indexOf(prefix, from)) {
      let end = at + prefix.length;
      while (end < out.length && TOKEN_CHAR.test(out[end]!)) end++;
      const replaced = end > at + prefix.length ? `${prefix}${MASK}` : prefix;
      out = out.slice(0, at) + replaced + out.slice(end);
      from = at + replaced.length;
    }
  }
  return out;
}

/** The values a job's log must not show: its masked variables (the job token among them). */
export function maskedValues(job: Pick<JobResponse, 'variables'>): string[] {
  return job.variables.filter((v) => v.masked && v.value.length >= MIN_MASKED_LENGTH).map((v) => v.value);
}

/**
 * Masking that keeps every byte offset: each occurrence becomes `[MASKED]` padded with `*` to
 * the secret's length. The server masks again what a runner may have missed, and a runner
 * counts log offsets in its own bytes, so the server must not change the log's length.
 */
export function maskSecretsKeepingLength(bytes: Buffer, secrets: readonly string[]): Buffer {
  let text = bytes.toString('latin1');
  let changed = false;
  for (const secret of [...secrets].sort((a, b) => Buffer.byteLength(b) - Buffer.byteLength(a))) {
    const raw = Buffer.from(secret, 'utf8');
    if (raw.length < MIN_MASKED_LENGTH) continue;
    const needle = raw.toString('latin1');
    if (!text.includes(needle)) continue;
    const cover = (MASK + '*'.repeat(Math.max(0, raw.length - MASK.length))).slice(0, raw.length);
    text = text.split(needle).join(cover);
    changed = true;
  }
  return changed ? Buffer.from(text, 'latin1') : bytes;
}
