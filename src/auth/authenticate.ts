import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { recordAudit } from '../events/audit-log.ts';
import { AppError, unauthenticated } from '../shared/errors.ts';
import { accountBlocked, AuthErrors } from './errors.ts';
import { anonymousCaller, type Caller, type TokenScope } from './caller.ts';
import { isJobToken } from './secrets.ts';
import { CSRF_HEADER, SESSION_COOKIE, SessionsService } from './sessions-service.ts';
import type { TokensService } from './tokens-service.ts';

export interface CredentialRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  ip: string | null;
}

/** Resolves a CI job token to a caller; the pipelines domain registers one. */
export type JobTokenResolver = (secret: string, ip: string | null) => Promise<Caller | null>;

type Presented =
  | { kind: 'token'; secret: string; via: 'PRIVATE-TOKEN' | 'Bearer' | 'Basic' }
  | { kind: 'job'; secret: string; via: 'JOB-TOKEN' | 'Bearer' | 'Basic' }
  | { kind: 'session'; secret: string }
  | { kind: 'none' };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function header(request: CredentialRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function readCookie(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function classify(secret: string, via: 'Bearer' | 'Basic'): Presented {
  return isJobToken(secret) ? { kind: 'job', secret, via } : { kind: 'token', secret, via };
}

/** Reads the credential in GitLab's order of precedence; the first one present decides. */
function presented(request: CredentialRequest): Presented {
  const privateToken = header(request, 'private-token');
  if (privateToken) return { kind: 'token', secret: privateToken.trim(), via: 'PRIVATE-TOKEN' };
  const jobToken = header(request, 'job-token');
  if (jobToken) return { kind: 'job', secret: jobToken.trim(), via: 'JOB-TOKEN' };
  const authorization = header(request, 'authorization');
  if (authorization) {
    const [scheme, value = ''] = authorization.trim().split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'bearer' && value) return classify(value, 'Bearer');
    if (scheme?.toLowerCase() === 'basic' && value) {
      // The MLflow client sends MLFLOW_TRACKING_USERNAME/PASSWORD this way; the password is a token.
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const password = colon >= 0 ? decoded.slice(colon + 1) : '';
      if (password) return classify(password, 'Basic');
    }
    throw unauthenticated('401 Unauthorized: unsupported or malformed Authorization header');
  }
  const session = readCookie(header(request, 'cookie'), SESSION_COOKIE);
  if (session) return { kind: 'session', secret: session };
  return { kind: 'none' };
}

export class Authenticator {
  private jobTokenResolver: JobTokenResolver | null = null;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly tokens: TokensService,
    private readonly sessions: SessionsService,
  ) {}

  registerJobTokenResolver(resolver: JobTokenResolver): void {
    this.jobTokenResolver = resolver;
  }

  async authenticate(request: CredentialRequest): Promise<Caller> {
    let credential: Presented;
    try {
      credential = presented(request);
    } catch (error) {
      await this.refuse(request, 'malformed_authorization', {});
      throw error;
    }
    switch (credential.kind) {
      case 'none':
        return anonymousCaller(request.ip);
      case 'token':
        return this.fromToken(credential.secret, credential.via, request);
      case 'job':
        return this.fromJobToken(credential.secret, request);
      case 'session':
        return this.fromSession(credential.secret, request);
    }
  }

  private async fromToken(secret: string, via: string, request: CredentialRequest): Promise<Caller> {
    const found = await this.tokens.lookup(secret);
    if (!found.ok) {
      await this.refuse(request, `token_${found.reason}`, { via, token_id: found.token?.id ?? null }, found.token?.user_id);
      throw unauthenticated(`401 Unauthorized: the token is ${found.reason === 'unknown' ? 'invalid' : found.reason}`);
    }
    const user = found.user;
    if (!user) {
      await this.refuse(request, 'user_blocked', { via, token_id: found.token.id }, found.token.user_id);
      throw accountBlocked();
    }
    await this.tokens.touch(found.token);
    return {
      user,
      credential: found.token.kind === 'project' ? 'project_token' : 'personal_token',
      scopes: found.token.scopes.split(',') as TokenScope[],
      projectLimit: found.token.project_id,
      tokenId: found.token.id,
      jobId: null,
      ip: request.ip,
    };
  }

  private async fromJobToken(secret: string, request: CredentialRequest): Promise<Caller> {
    const caller = this.jobTokenResolver ? await this.jobTokenResolver(secret, request.ip) : null;
    if (!caller) {
      await this.refuse(request, 'job_token_invalid', {});
      throw unauthenticated('401 Unauthorized: the job token is invalid or its job has finished');
    }
    return caller;
  }

  private async fromSession(secret: string, request: CredentialRequest): Promise<Caller> {
    const found = await this.sessions.findWithUser(secret);
    if (!found) {
      await this.refuse(request, 'session_invalid', {});
      throw AuthErrors.SESSION_ENDED();
    }
    const { session, user } = found;
    if (!user) throw accountBlocked();
    // A cookie is sent by the browser on its own; a write must also prove it came from our page.
    if (!SAFE_METHODS.has(request.method) && !SessionsService.csrfMatches(session, header(request, CSRF_HEADER))) {
      throw AuthErrors.CSRF_FAILED();
    }
    return {
      user,
      credential: 'session',
      scopes: 'all',
      projectLimit: null,
      tokenId: null,
      jobId: null,
      ip: request.ip,
    };
  }

  private async refuse(request: CredentialRequest, reason: string, details: Record<string, unknown>, userId?: number) {
    await recordAudit(
      this.db,
      { ...anonymousCaller(request.ip) },
      {
        action: 'authentication.failed',
        targetType: 'user',
        targetId: userId ?? null,
        details: { reason, method: request.method, ...details },
      },
    );
  }
}

export function isAuthError(error: unknown): error is AppError {
  return error instanceof AppError && (error.kind === 'unauthenticated' || AuthErrors.CSRF_FAILED.is(error));
}
