import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Database, Dialect } from './database.ts';
import * as foundation from './migrations/0001_foundation.ts';
import * as tracking from './migrations/0002_tracking.ts';
import * as artifacts from './migrations/0003_artifacts.ts';
import * as registry from './migrations/0004_registry.ts';
import * as pipelines from './migrations/0005_pipelines.ts';
import * as signInThrottle from './migrations/0006_sign_in_throttle.ts';
import * as sessionsByUser from './migrations/0007_sessions_by_user.ts';
import * as sealStoredSecrets from './migrations/0008_seal_stored_secrets.ts';
import * as gitlabRunnerProtocol from './migrations/0009_gitlab_runner_protocol.ts';
import * as workLeases from './migrations/0010_work_leases.ts';
import * as deployments from './migrations/0011_deployments.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import * as runModelInputs from './migrations/0012_run_model_inputs.ts';
import * as explicitSemver from './migrations/0013_explicit_semver.ts';
import * as experimentArtifactLocations from './migrations/0014_experiment_artifact_locations.ts';
import * as singleSignOn from './migrations/0015_single_sign_on.ts';
import * as kubernetesTargets from './migrations/0016_kubernetes_targets.ts';
import * as importJobs from './migrations/0017_import_jobs.ts';
import * as customRoles from './migrations/0018_custom_roles.ts';
import * as modelIssues from './migrations/0019_model_issues.ts';
import * as packageUploads from './migrations/0020_package_uploads.ts';
import * as versionImages from './migrations/0021_version_images.ts';
import * as vertexTargets from './migrations/0022_vertex_targets.ts';
import * as dropFinestRollups from './migrations/0023_drop_finest_rollups.ts';
import * as artifactBlobKeys from './migrations/0024_artifact_blob_keys.ts';
import * as versionsByUpdate from './migrations/0025_versions_by_update.ts';

/** `secrets` is for data migrations that seal stored values; schema migrations ignore it. */
type DialectMigration = { up(db: Kysely<unknown>, dialect: Dialect, secrets: SecretBox): Promise<void> };

/** The one ordered list of migrations; both dialects run the same list. */
const MIGRATIONS: Record<string, DialectMigration> = {
  '0001_foundation': foundation,
  '0002_tracking': tracking,
  '0003_artifacts': artifacts,
  '0004_registry': registry,
  '0005_pipelines': pipelines,
  '0006_sign_in_throttle': signInThrottle,
  '0007_sessions_by_user': sessionsByUser,
  '0008_seal_stored_secrets': sealStoredSecrets,
  '0009_gitlab_runner_protocol': gitlabRunnerProtocol,
  '0010_work_leases': workLeases,
  '0011_deployments': deployments,
  '0012_run_model_inputs': runModelInputs,
  '0013_explicit_semver': explicitSemver,
  '0014_experiment_artifact_locations': experimentArtifactLocations,
  '0015_single_sign_on': singleSignOn,
  '0016_kubernetes_targets': kubernetesTargets,
  '0017_import_jobs': importJobs,
  '0018_custom_roles': customRoles,
  '0019_model_issues': modelIssues,
  '0020_package_uploads': packageUploads,
  '0021_version_images': versionImages,
  '0022_vertex_targets': vertexTargets,
  '0023_drop_finest_rollups': dropFinestRollups,
  '0024_artifact_blob_keys': artifactBlobKeys,
  '0025_versions_by_update': versionsByUpdate,
};

/** The names of every migration, in order. */
export function listMigrations(): string[] {
  return Object.keys(MIGRATIONS);
}

export async function migrateToLatest(database: Database, secrets: SecretBox): Promise<string[]> {
  return migrate(database, secrets, (migrator) => migrator.migrateToLatest());
}

/** Migrates up to `target` included: the upgrade tests stop at an older migration to write old data. */
export async function migrateUpTo(database: Database, secrets: SecretBox, target: string): Promise<string[]> {
  if (!(target in MIGRATIONS)) throw new Error(`no migration named ${target}`);
  return migrate(database, secrets, (migrator) => migrator.migrateTo(target));
}

async function migrate(database: Database, secrets: SecretBox, run: (migrator: Migrator) => Promise<MigrationResultSet>): Promise<string[]> {
  const migrations: Record<string, Migration> = {};
  for (const [name, migration] of Object.entries(MIGRATIONS)) {
    migrations[name] = { up: (db) => migration.up(db, database.dialect, secrets) };
  }
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const result = await run(migrator);
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${String(result.error)}`, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
