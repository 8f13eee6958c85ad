import type { Readable } from 'node:stream';
import { outboundGet, type OutboundResponse } from '../../outbound/outbound-get.ts';
import { OutboundRefusedError, type OutboundPolicy } from '../../outbound/outbound-policy.ts';
import { outboundSend } from '../../outbound/outbound-send.ts';
import type { GoogleAccessTokens } from './access-tokens.ts';
import { GoogleErrors } from './errors.ts';
import type { ServiceAccountKey } from './service-account-key.ts';

/** A server error or throttle (5xx, 429) from a Google API: another try may pass, so it is not a refusal. */
export class GoogleUnavailable extends Error {
  override readonly name = 'GoogleUnavailable';
}

/** A 401: the token was refused, which a new grant may mend. */
class TokenRejected extends Error {
  constructor(readonly refusal: Error) {
    super(refusal.message);
  }
}

/** The largest JSON answer read (a listing page of 1000 objects is far below it). */
const MAX_JSON_BYTES = 32 * 1024 * 1024;
const MAX_ERROR_BYTES = 64 * 1024;

async function readAtMost(body: Readable, limit: number, endpoint: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw GoogleErrors.GOOGLE_BAD_ANSWER({ endpoint, detail: `an answer larger than ${limit} bytes` });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Google's error body (GoogleRpcStatus under "error"), its parts as far as they are there. */
function rpcStatus(text: string, httpStatus: number): { code: number; status: string; message: string } {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; status?: unknown; message?: unknown } };
    const error = parsed.error ?? {};
    return {
      code: typeof error.code === 'number' ? error.code : httpStatus,
      status: typeof error.status === 'string' ? error.status : `HTTP ${httpStatus}`,
      message: typeof error.message === 'string' ? error.message.slice(0, 500) : '',
    };
  } catch {
    return { code: httpStatus, status: `HTTP ${httpStatus}`, message: text.slice(0, 200) };
  }
}

/** What a write sends: a JSON document, or bytes opened anew for each try (a retried upload starts over). */
export type GoogleBody = { json: unknown } | { open: () => Promise<Readable>; size: number; contentType: string };

/** How a request goes out once a token is in hand. */
type Send = (url: URL, authorization: string) => Promise<OutboundResponse>;

/**
 * Calls to Google's REST APIs (Vertex AI, Cloud Storage) with a service account's access token,
 * through the outbound policy; the token goes only to the URL's own origin. Google's refusals
 * become named errors quoting its status and message (a 401 drops the held token and tries once
 * more with a new one); 5xx and 429 become GoogleUnavailable.
 */
export class GoogleApi {
  constructor(
    private readonly policy: OutboundPolicy,
    private readonly tokens: GoogleAccessTokens,
  ) {}

  get(url: URL, key: ServiceAccountKey, headers: Record<string, string> = {}): Promise<OutboundResponse> {
    return this.withToken(url, key, (target, authorization) => outboundGet(this.policy, target, { headers: { 'user-agent': 'modelyard', ...headers }, originHeaders: { authorization } }));
  }

  /** A write (POST, PATCH, DELETE), its JSON answer parsed; never redirected. */
  async send<T>(method: 'POST' | 'PATCH' | 'DELETE', url: URL, key: ServiceAccountKey, body?: GoogleBody): Promise<T> {
    const response = await this.withToken(url, key, async (target, authorization) => {
      const headers: Record<string, string> = { 'user-agent': 'modelyard', accept: 'application/json', authorization };
      if (body === undefined) return outboundSend(this.policy, target, { method, headers: { ...headers, 'content-length': '0' } });
      if ('json' in body) {
        const payload = Buffer.from(JSON.stringify(body.json));
        return outboundSend(this.policy, target, { method, headers: { ...headers, 'content-type': 'application/json', 'content-length': String(payload.length) }, body: payload });
      }
      const stream = await body.open();
      return outboundSend(this.policy, target, { method, headers: { ...headers, 'content-type': body.contentType, 'content-length': String(body.size) }, body: stream });
    });
    const text = await readAtMost(response.body, MAX_JSON_BYTES, url.origin);
    try {
      return (text === '' ? {} : JSON.parse(text)) as T;
    } catch {
      throw GoogleErrors.GOOGLE_BAD_ANSWER({ endpoint: url.origin, detail: `${url.pathname} is not JSON` });
    }
  }

  private async withToken(url: URL, key: ServiceAccountKey, send: Send): Promise<OutboundResponse> {
    try {
      return await this.once(url, key, send);
    } catch (error) {
      // A held token the API no longer takes (the key was disabled, the token revoked): one more
      // try with a new grant, whose refusal (invalid_grant) says what is wrong better than a 401.
      if (!(error instanceof TokenRejected)) throw error;
      this.tokens.forget(key);
      try {
        return await this.once(url, key, send);
      } catch (again) {
        if (again instanceof TokenRejected) throw again.refusal;
        throw again;
      }
    }
  }

  private async once(url: URL, key: ServiceAccountKey, send: Send): Promise<OutboundResponse> {
    const token = await this.tokens.token(key);
    let response: OutboundResponse;
    try {
      response = await send(url, `Bearer ${token}`);
    } catch (error) {
      if (error instanceof OutboundRefusedError) throw GoogleErrors.GOOGLE_ENDPOINT_NOT_ALLOWED({ endpoint: url.origin });
      throw error;
    }
    if (response.status >= 200 && response.status < 300) return response;
    const { code, status, message } = rpcStatus(await readAtMost(response.body, MAX_ERROR_BYTES, url.origin), response.status);
    if (response.status >= 500 || response.status === 429) throw new GoogleUnavailable(`${url.origin} answered ${response.status} ${status}: ${message}`);
    if (response.status === 404) throw GoogleErrors.GOOGLE_NOT_FOUND({ endpoint: url.origin, message: message || url.pathname });
    const refusal = GoogleErrors.GOOGLE_API_REFUSED({ endpoint: url.origin, code, status, message }, { status });
    if (response.status === 401) throw new TokenRejected(refusal);
    throw refusal;
  }

  async json<T>(url: URL, key: ServiceAccountKey): Promise<T> {
    const response = await this.get(url, key, { accept: 'application/json' });
    const text = await readAtMost(response.body, MAX_JSON_BYTES, url.origin);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw GoogleErrors.GOOGLE_BAD_ANSWER({ endpoint: url.origin, detail: `${url.pathname} is not JSON` });
    }
  }
}
