import { createHash } from 'node:crypto';

/**
 * What an environment's name implies, computed the same way by CI (the predefined variables a
 * deploy job gets) and by the deployments domain (the environment it records), so that a job's
 * `$CI_ENVIRONMENT_SLUG` names the environment the server shows.
 */

export const ENVIRONMENT_TIERS = ['production', 'staging', 'testing', 'development', 'other'] as const;
export type EnvironmentTier = (typeof ENVIRONMENT_TIERS)[number];

/** GitLab's guess of a tier from the name, used when neither the job nor the caller gives one. */
const TIER_GUESSES: [RegExp, EnvironmentTier][] = [
  [/^(production|prod|live)\b/i, 'production'],
  [/^(staging|stage|model|demo|pre-?prod)\b/i, 'staging'],
  [/^(test|testing|qa|qc)\b/i, 'testing'],
  [/^(dev|development|review|trunk)\b/i, 'development'],
];

export function guessTier(name: string): EnvironmentTier {
  // `review/feature-x` is a review app: the first path segment decides.
  const first = name.split('/')[0] ?? name;
  return TIER_GUESSES.find(([pattern]) => pattern.test(first))?.[1] ?? 'other';
}

export function isTier(value: string): value is EnvironmentTier {
  return (ENVIRONMENT_TIERS as readonly string[]).includes(value);
}

const SLUG_MAX = 24;

/**
 * GitLab's `$CI_ENVIRONMENT_SLUG`: DNS-safe (lowercase letters, digits and '-', starting with a
 * letter), at most 24 characters. When the name had to change beyond lowercasing runs of other
 * characters into '-' (upper case letters, a cut), a suffix made from the name keeps two
 * environments apart; unlike GitLab's random suffix it is the same on every computation.
 */
export function environmentSlug(name: string): string {
  let slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(slug)) slug = `env-${slug}`.replace(/-+$/, '');
  const changed = name !== name.toLowerCase() || slug.length > SLUG_MAX;
  if (!changed) return slug;
  const suffix = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 6);
  return `${slug.slice(0, SLUG_MAX - 7).replace(/-+$/, '')}-${suffix}`;
}
