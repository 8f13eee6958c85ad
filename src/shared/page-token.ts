import { invalid } from './errors.ts';

/**
 * Opaque page tokens for MLflow-style searches: base64url JSON carrying the offset and a
 * fingerprint of the query, so a token replayed against another query is refused.
 */
export function encodePageToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint })).toString('base64url');
}

export function decodePageToken(token: string | undefined | null, fingerprint: string): number {
  if (token === undefined || token === null || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; f?: unknown };
    if (typeof parsed.o === 'number' && Number.isSafeInteger(parsed.o) && parsed.o >= 0 && parsed.f === fingerprint) return parsed.o;
  } catch {
    // fall through to the error below
  }
  throw invalid(`Invalid page token, could not decode '${token.slice(0, 100)}'`);
}
