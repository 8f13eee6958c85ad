import type { IncomingHttpHeaders } from 'node:http';

/**
 * The body size a client announced, or undefined when it sent none (chunked) or nonsense.
 * Only a hint for how to store the body: the bytes that arrive are still counted and limited.
 */
export function announcedLength(headers: IncomingHttpHeaders): number | undefined {
  const value = headers['content-length'];
  if (value === undefined || !/^\d{1,16}$/.test(value)) return undefined;
  return Number(value);
}
