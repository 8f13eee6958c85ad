import path from 'node:path';

/** The first-start administrator token the fixtures were made with (a test secret, nothing else). */
export const FIXTURE_ADMIN_TOKEN = 'upgrade-fixture-admin-token-0123456789';

/** Where a release's fixture for one database lives: `test/data/upgrade/<release>/<dialect>/`. */
export function fixtureDir(release: string, dialect: 'sqlite' | 'postgres'): string {
  return path.resolve(import.meta.dirname, '../data/upgrade', release, dialect);
}

/** What the fixture's maker wrote, for the upgrade test to read back. */
export interface FixtureFacts {
  release: string;
  projectId: number;
  projectPath: string;
  aliceToken: string;
  experimentId: string;
  runIds: string[];
  artifactPath: string;
  artifactSha256: string;
  variable: { key: string; value: string };
  deploymentId: number;
}
