import { hash } from 'node:crypto';
import type { Authenticator } from '../auth/authenticate.ts';
import type { ProjectsService } from '../projects/projects-service.ts';
import { AppError, forbidden, unauthenticated } from '../shared/errors.ts';

type Verdict = { ok: true; projectId: number } | { ok: false; error: AppError };

/** Remembered verdicts per process; beyond this many the oldest go. */
const MAX_ENTRIES = 10_000;

/**
 * Who may call the gateway: a personal or project access token with the `serve` scope, of a
 * member of the project (the policy's `serving:use`). The gateway must add almost nothing to a
 * prediction, so each verdict — yes or no — is remembered for the cache period
 * (MODELYARD_SERVING_CACHE_SECONDS): revoking a token, blocking its user or removing the member
 * takes effect on the gateway within that delay.
 */
export class ServeAuthorizer {
  private readonly verdicts = new Map<string, { at: number; verdict: Promise<Verdict> }>();

  constructor(
    private readonly deps: { authenticator: Authenticator; projects: ProjectsService },
    private readonly ttlMs: number,
  ) {}

  /** The project the token may call, or the error to answer; `headers` are the request's. */
  async authorize(headers: Record<string, string | string[] | undefined>, projectKey: string, ip: string | null): Promise<number> {
    const presented = String(headers.authorization ?? headers['private-token'] ?? '');
    // One-shot hashing: no Hash object per request on the gateway's path.
    const key = hash('sha256', `${presented}\n${projectKey}`, 'base64');
    const at = Date.now();
    let entry = this.verdicts.get(key);
    if (!entry || at - entry.at > this.ttlMs) {
      entry = { at, verdict: this.decide(headers, projectKey, ip) };
      this.verdicts.delete(key);
      this.verdicts.set(key, entry);
      if (this.verdicts.size > MAX_ENTRIES) this.verdicts.delete(this.verdicts.keys().next().value!);
    }
    const verdict = await entry.verdict;
    if (!verdict.ok) throw verdict.error;
    return verdict.projectId;
  }

  private async decide(headers: Record<string, string | string[] | undefined>, projectKey: string, ip: string | null): Promise<Verdict> {
    try {
      const credential = { authorization: headers.authorization, 'private-token': headers['private-token'] };
      const caller = await this.deps.authenticator.authenticate({ method: 'POST', headers: credential, ip });
      if (caller.credential === 'anonymous') throw unauthenticated('401 Unauthorized: the gateway needs a token with the serve scope (Authorization: Bearer …)');
      // Job tokens and sessions never reach the gateway; the policy says so too, with its own words.
      if (caller.credential !== 'personal_token' && caller.credential !== 'project_token')
        throw forbidden('403 Forbidden: only personal and project access tokens with the serve scope call the gateway');
      const { project } = await this.deps.projects.authorize(caller, projectKey, 'serving:use');
      return { ok: true, projectId: project.id };
    } catch (error) {
      if (error instanceof AppError) return { ok: false, error };
      // A database hiccup is not remembered as a refusal.
      throw error;
    }
  }

  /** Forgets every verdict (tests; a replica that wants to apply a revocation at once). */
  clear(): void {
    this.verdicts.clear();
  }
}
