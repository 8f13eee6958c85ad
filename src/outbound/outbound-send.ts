import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { OutboundResponse } from './outbound-get.ts';
import type { OutboundPolicy } from './outbound-policy.ts';
import { pinnedLookup } from './pinned-lookup.ts';

export interface OutboundSendOptions {
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  headers: Record<string, string>;
  /** A JSON document, or a file's bytes streamed (its length in the headers). */
  body?: Buffer | Readable;
  /** No byte for this long ends the request. */
  idleTimeoutMs?: number;
}

/**
 * A request with a body (an API call, an upload) through the outbound policy, the connection
 * pinned to the addresses checked. Redirects are not followed: a redirected write would carry
 * its body and its credential to an address nobody named. The caller reads or destroys the
 * answer's body. Throws OutboundRefusedError when the policy refuses the host.
 */
export async function outboundSend(policy: OutboundPolicy, url: URL, options: OutboundSendOptions): Promise<OutboundResponse> {
  const checked = await policy.checkUrl(url);
  const idle = options.idleTimeoutMs ?? 60_000;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<OutboundResponse>((resolve, reject) => {
    const request = client.request(url, { method: options.method, headers: options.headers, lookup: pinnedLookup(checked), timeout: idle }, (response) =>
      resolve({ status: response.statusCode ?? 0, headers: response.headers, url, body: response }),
    );
    request.on('timeout', () => request.destroy(new Error(`${url.origin} sent nothing for ${idle} ms`)));
    request.on('error', reject);
    const body = options.body;
    if (body === undefined || Buffer.isBuffer(body)) request.end(body);
    else pipeline(body, request).catch((error: unknown) => request.destroy(error as Error));
  });
}
