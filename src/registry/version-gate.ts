import type { ProjectAccess } from '../auth/policy.ts';

/** A version about to be approved or deployed to a protected environment. */
export interface GatedVersion {
  versionId: number;
  modelId: number;
  modelName: string;
  version: number;
}

/**
 * A rule outside the registry that may hold a version back: the issue review gate
 * (src/issues/review-gate.ts). It throws a 4xx naming what holds the version back, and records
 * the refusal in the audit log.
 */
export interface VersionGate {
  check(access: ProjectAccess, version: GatedVersion, action: 'approve' | 'deploy'): Promise<void>;
}
