import http from 'node:http';
import https from 'node:https';
import type { OutboundPolicy } from './outbound-policy.ts';
import { pinnedLookup } from './pinned-lookup.ts';

export interface OutboundAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** A token or an error body is small; more than this is not the answer asked for. */
const MAX_ANSWER_BYTES = 1024 * 1024;
const TIMEOUT_MS = 30_000;

/**
 * A form POST (`application/x-www-form-urlencoded`) through the outbound policy, the connection
 * pinned to the addresses checked. Redirects are not followed: a POST that is redirected would
 * carry its body (a credential) to an address nobody named. Throws OutboundRefusedError when the
 * policy refuses the host, and a plain Error when the connection fails.
 */
export async function outboundPostForm(policy: OutboundPolicy, url: URL, form: URLSearchParams): Promise<OutboundAnswer> {
  const checked = await policy.checkUrl(url);
  const payload = form.toString();
  const headers = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(payload)), accept: 'application/json', 'user-agent': 'modelyard' };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<OutboundAnswer>((resolve, reject) => {
    const request = client.request(url, { method: 'POST', headers, agent: false, lookup: pinnedLookup(checked), timeout: TIMEOUT_MS }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) request.destroy(new Error(`${url.origin} answered more than ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`${url.origin} sent nothing for ${TIMEOUT_MS} ms`)));
    request.on('error', reject);
    request.end(payload);
  });
}
