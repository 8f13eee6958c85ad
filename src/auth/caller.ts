/** Who is calling, as established by authentication; the policy decides what they may do. */
/** `serve`: the serving gateway only (docs/permissions.md); `api` does not imply it. */
export const TOKEN_SCOPES = ['api', 'read_api', 'read_model_registry', 'write_model_registry', 'serve'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface CallerUser {
  id: number;
  username: string;
  name: string;
  isAdmin: boolean;
  isBot: boolean;
}

export type CredentialKind = 'anonymous' | 'session' | 'personal_token' | 'project_token' | 'job_token';

export interface Caller {
  user: CallerUser | null;
  credential: CredentialKind;
  /** 'all' for a signed-in browser session, which is not limited by token scopes. */
  scopes: readonly TokenScope[] | 'all';
  /** Job tokens and project access tokens reach one project only. */
  projectLimit: number | null;
  tokenId: number | null;
  /** For CI job tokens: the job the token belongs to, recorded on runs it logs. */
  jobId: number | null;
  /** For CI job tokens: the job's pipeline, also recorded on runs (lineage: run → job → pipeline → commit). */
  pipelineId?: number;
  ip: string | null;
}

export function anonymousCaller(ip: string | null = null): Caller {
  return { user: null, credential: 'anonymous', scopes: [], projectLimit: null, tokenId: null, jobId: null, ip };
}

/** The name written into audit entries and `user_id` fields. */
export function callerName(caller: Caller): string {
  return caller.user?.username ?? 'anonymous';
}
