import { createHash, randomBytes } from 'node:crypto';

/**
 * Secrets carry GitLab's prefixes, so that GitLab's clients accept them and secret scanners
 * (gitleaks, GitHub's secret scanning) recognise a leaked one: `glpat-` for personal and
 * project access tokens, `glcbt-` for CI job tokens (with GitLab's `<partition>_` part),
 * `glrt-`/`glrtr-` for runners created by a person / registered with a registration token,
 * `glptt-` for pipeline trigger tokens, `GR1348941` for runner registration tokens. Only their
 * SHA-256 is stored. Tokens issued before with Modelyard's own prefixes keep working: they are
 * found by their hash like any other.
 */
export const TOKEN_PREFIX = {
  personal: 'glpat-',
  project: 'glpat-',
  job: 'glcbt-',
  runner: 'glrt-',
  registeredRunner: 'glrtr-',
  trigger: 'glptt-',
  runnerRegistration: 'GR1348941',
  session: 'mysess-',
} as const;

/** The prefixes Modelyard issued before it took GitLab's; still recognised where the kind matters. */
export const LEGACY_TOKEN_PREFIX = {
  personal: 'mypat-',
  project: 'myprt-',
  job: 'myjob-',
  runner: 'myrt-',
  trigger: 'myptt-',
  runnerRegistration: 'myrrt-',
} as const;

export type SecretKind = keyof typeof TOKEN_PREFIX;

/** The part GitLab puts between `glcbt-` and the random part (its partition id), which scanners expect. */
const JOB_TOKEN_PARTITION = '1_';

export function newSecret(kind: SecretKind): string {
  if (kind === 'trigger') return TOKEN_PREFIX.trigger + randomBytes(20).toString('hex');
  const middle = kind === 'job' ? JOB_TOKEN_PARTITION : '';
  return TOKEN_PREFIX[kind] + middle + randomBytes(24).toString('base64url');
}

/** Whether a secret is a CI job token, by its prefix (new or legacy). */
export function isJobToken(secret: string): boolean {
  return secret.startsWith(TOKEN_PREFIX.job) || secret.startsWith(LEGACY_TOKEN_PREFIX.job);
}

/** The prefixes a runner hides in job logs wherever they appear (GitLab's `token_mask_prefixes`). */
export const MASKED_TOKEN_PREFIXES: readonly string[] = [TOKEN_PREFIX.personal, TOKEN_PREFIX.job, TOKEN_PREFIX.runner, TOKEN_PREFIX.registeredRunner, TOKEN_PREFIX.trigger];

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** What a list may show of a secret: its prefix and a few characters, never enough to use it. */
export function secretHint(secret: string): string {
  return secret.slice(0, Math.min(secret.length, secret.indexOf('-') + 5));
}
