import http from 'node:http';
import https from 'node:https';
import { OutboundRefusedError, type OutboundPolicy } from './outbound-policy.ts';
import { pinnedLookup } from './pinned-lookup.ts';

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The URL that answered, after the redirects followed. */
  url: URL;
  body: http.IncomingMessage;
}

export interface OutboundGetOptions {
  headers?: Record<string, string>;
  /** Sent only to the origin of the first URL: a redirect to another origin drops them (as the Hub's clients drop the token). */
  originHeaders?: Record<string, string>;
  maxRedirects?: number;
  /** No byte for this long ends the request. */
  idleTimeoutMs?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A redirect the client may not follow: too many, or to something that is not http(s). */
export class OutboundRedirectError extends Error {
  override readonly name = 'OutboundRedirectError';
}

/**
 * A GET through the outbound policy: every hop's host is checked and the connection pinned to
 * the addresses checked (DNS is not asked twice), redirects followed by hand so that each one is
 * checked as the first URL was, headers meant for the first origin dropped when a redirect leaves
 * it. The caller reads or destroys the body.
 */
export async function outboundGet(policy: OutboundPolicy, start: URL, options: OutboundGetOptions = {}): Promise<OutboundResponse> {
  const maxRedirects = options.maxRedirects ?? 5;
  let url = start;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundRedirectError(`${url.protocol} is not http(s)`);
    const checked = await policy.checkUrl(url);
    const sameOrigin = url.origin === start.origin;
    const headers = { ...options.headers, ...(sameOrigin ? options.originHeaders : {}) };
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const client = url.protocol === 'https:' ? https : http;
      const request = client.request(url, { method: 'GET', headers, lookup: pinnedLookup(checked), timeout: options.idleTimeoutMs ?? 60_000 }, resolve);
      request.on('timeout', () => request.destroy(new Error(`${url.origin} sent nothing for ${options.idleTimeoutMs ?? 60_000} ms`)));
      request.on('error', reject);
      request.end();
    });
    const location = response.headers.location;
    if (!REDIRECTS.has(response.statusCode ?? 0) || location === undefined) {
      return { status: response.statusCode ?? 0, headers: response.headers, url, body: response };
    }
    response.resume();
    if (hop >= maxRedirects) throw new OutboundRedirectError(`more than ${maxRedirects} redirects from ${start.origin}`);
    url = new URL(location, url);
  }
}

export { OutboundRefusedError };
