import type { TSchema, Static } from 'typebox';
import { Value } from 'typebox/value';
import { AgentPaths, Assignments, CheckInReply, type CheckInBody, type InstanceReport } from '../agent-protocol/protocol.ts';

/** A call the server refused (`status`) or that never got an answer (`status` null). */
export class AgentProtocolError extends Error {
  constructor(
    readonly status: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'AgentProtocolError';
  }
}

const CALL_TIMEOUT_MS = 30_000;
/** Beyond the server's long-poll wait: the time an answer takes to travel. */
const POLL_GRACE_MS = 15_000;

/**
 * The agent's side of the agent protocol (src/agent-protocol): plain HTTP with the agent's
 * token. Answers are checked against the protocol's schemas, so an answer the agent does not
 * understand is an error here, not a crash later.
 */
export class AgentClient {
  private readonly base: URL;

  constructor(
    url: string,
    private readonly token: string,
    private readonly userAgent: string,
  ) {
    this.base = new URL(url.endsWith('/') ? url : `${url}/`);
  }

  /**
   * A path the server named (a version archive) on the server the agent was given: the token
   * goes to that origin only, whatever the server answered.
   */
  resolve(path: string): URL {
    if (!path.startsWith('/') || path.startsWith('//')) throw new AgentProtocolError(null, `the server named a file at "${path.slice(0, 200)}", which is not a path on it`);
    return new URL(`.${path}`, this.base);
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, 'user-agent': this.userAgent, ...extra };
  }

  private async call(method: string, path: string, options: { body?: unknown; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<{ status: number; body: unknown }> {
    const signals = [AbortSignal.timeout(options.timeoutMs ?? CALL_TIMEOUT_MS), ...(options.signal ? [options.signal] : [])];
    let res: Response;
    try {
      res = await fetch(this.resolve(path), {
        method,
        headers: this.headers(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      throw new AgentProtocolError(null, `${method} ${path}: ${causeOf(error)}`);
    }
    const text = await res.text().catch(() => '');
    if (res.status >= 400) throw new AgentProtocolError(res.status, `${method} ${path}: ${res.status} ${messageOf(text)}`);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw new AgentProtocolError(res.status, `${method} ${path}: the answer is not JSON: ${text.slice(0, 200)}`);
    }
    return { status: res.status, body };
  }

  async checkIn(body: CheckInBody): Promise<CheckInReply> {
    return checked(CheckInReply, (await this.call('POST', AgentPaths.sessions, { body })).body, 'check-in');
  }

  /** The desired state when it differs from `revision`, else null (304 after the long poll). */
  async assignments(revision: string | undefined, waitSeconds: number, signal?: AbortSignal): Promise<Assignments | null> {
    const query = new URLSearchParams({ wait: String(waitSeconds), ...(revision === undefined ? {} : { revision }) });
    const res = await this.call('GET', `${AgentPaths.assignments}?${query}`, { timeoutMs: waitSeconds * 1000 + POLL_GRACE_MS, signal });
    if (res.status === 304) return null;
    return checked(Assignments, res.body, 'assignments');
  }

  /** 'gone' when the server no longer assigns the instance (404 or 410): the agent stops it. */
  async report(instanceId: string, report: InstanceReport): Promise<'accepted' | 'gone'> {
    try {
      await this.call('PUT', AgentPaths.instance(instanceId), { body: report });
      return 'accepted';
    } catch (error) {
      if (error instanceof AgentProtocolError && (error.status === 404 || error.status === 410)) return 'gone';
      throw error;
    }
  }

  /** Starts a download of a path on the server; the caller reads the body. */
  async download(path: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    let res: Response;
    try {
      res = await fetch(this.resolve(path), { headers: this.headers(), signal });
    } catch (error) {
      throw new AgentProtocolError(null, `GET ${path}: ${causeOf(error)}`);
    }
    if (res.status !== 200 || !res.body) {
      const text = await res.text().catch(() => '');
      throw new AgentProtocolError(res.status, `GET ${path}: ${res.status} ${messageOf(text)}`);
    }
    return res.body;
  }
}

function checked<T extends TSchema>(schema: T, body: unknown, what: string): Static<T> {
  if (Value.Check(schema, body)) return body;
  const first = Value.Errors(schema, body)[0];
  throw new AgentProtocolError(200, `the server's ${what} answer is not what this agent understands${first ? `: ${first.instancePath || '/'} ${first.message}` : ''}`);
}

/** The server's `{"message": …}`, else the start of the body. */
function messageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON
  }
  return text.slice(0, 300);
}

/** fetch's "fetch failed" says nothing: the cause (ECONNREFUSED, a timeout) does. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError') return 'no answer in time';
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
