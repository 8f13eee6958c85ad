import { RegistryErrors } from './errors.ts';

/**
 * Semantic versions of model versions (`1.4.2`, `2.0.0-rc.1`), kept beside MLflow's integer
 * version instead of replacing it, so `models:/name/3` keeps working (GitLab's
 * gitlab#506768 broke it by forcing semver into that field).
 */
export interface Semver {
  major: number;
  minor: number;
  patch: number;
  prerelease: string;
}

const PATTERN = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export const FIRST_SEMVER = '1.0.0';

export function parseSemver(text: string): Semver {
  const match = PATTERN.exec(text.trim());
  if (!match || text.length > 64) throw RegistryErrors.INVALID_SEMVER({ text });
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), prerelease: match[4] ?? '' };
}

/** The text as a semantic version, written the one way it is stored; null when it is none. */
export function asSemver(text: string): string | null {
  const match = PATTERN.exec(text.trim());
  return match && text.length <= 64 ? formatSemver({ major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), prerelease: match[4] ?? '' }) : null;
}

export function formatSemver(v: Semver): string {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease ? `-${v.prerelease}` : ''}`;
}

function comparePrerelease(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return 1; // a release ranks above its prereleases
  if (b === '') return -1;
  const as = a.split('.');
  const bs = b.split('.');
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const x = as[i];
    const y = bs[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn && Number(x) !== Number(y)) return Number(x) - Number(y);
    if (xn !== yn) return xn ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Semver precedence: negative when a < b. */
export function compareSemver(a: Semver, b: Semver): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || comparePrerelease(a.prerelease, b.prerelease);
}

/** The next version when none is given: the patch of the highest release, plus one. */
export function nextSemver(existing: readonly string[]): string {
  if (existing.length === 0) return FIRST_SEMVER;
  const highest = existing.map(parseSemver).sort(compareSemver).at(-1)!;
  if (highest.prerelease) return formatSemver({ ...highest, prerelease: '' });
  return formatSemver({ ...highest, patch: highest.patch + 1, prerelease: '' });
}
