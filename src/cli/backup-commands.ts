import { loadConfig } from '../config/config.ts';
import { makeBackup } from '../backup/backup.ts';
import { restoreBackup } from '../backup/restore.ts';
import { AppError } from '../shared/errors.ts';

function asCliError(error: unknown): never {
  if (error instanceof AppError) throw new Error(error.message, { cause: error });
  throw error;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

export async function backupCommand(options: { to: string }): Promise<void> {
  const config = loadConfig();
  const manifest = await makeBackup(config, options.to).catch(asCliError);
  say(`backup written to ${options.to}`);
  say(`database: ${manifest.database.kind} snapshot taken at ${manifest.database.snapshot_started_at} (every write acknowledged before then is in it)`);
  say(
    `migrations: ${manifest.migrations.length}, ${Object.entries(manifest.counts)
      .map(([table, n]) => `${table} ${n}`)
      .join(', ')}`,
  );
  if (manifest.blobs.driver === 'fs') {
    say(`blob store files: ${manifest.blobs.copied} of ${manifest.blobs.referenced} referenced`);
    if (manifest.blobs.missing.length > 0) say(`WARNING: ${manifest.blobs.missing.length} referenced files were deleted before they could be copied (listed in manifest.json)`);
    if (manifest.blobs.changed_after_snapshot.length > 0)
      say(`WARNING: ${manifest.blobs.changed_after_snapshot.length} files were replaced after the snapshot; the backup holds the newer bytes (listed in manifest.json)`);
  } else {
    say(`WARNING: ${manifest.blobs.note}`);
  }
  if (manifest.secret_key.included) say(`secrets key: included (${manifest.secret_key.file}, mode 0600); keep this backup as secret as the key`);
  else say(`WARNING: ${manifest.secret_key.note}`);
}

export async function restoreCommand(options: { from: string }): Promise<void> {
  const config = loadConfig();
  const result = await restoreBackup(config, options.from).catch(asCliError);
  say(
    `restored the ${result.manifest.database.kind} snapshot of ${result.manifest.database.snapshot_started_at} (Modelyard ${result.manifest.modelyard_version}) and ${result.blobs} blob store files`,
  );
  if (result.manifest.blobs.driver === 's3') say(`WARNING: ${result.manifest.blobs.note}`);
  say(result.keyRestored ? 'secrets key: restored into the data folder (mode 0600)' : 'secrets key: not in the backup; the server uses MODELYARD_SECRET_KEY');
  say('start the server with `modelyard serve`; it applies any newer migrations');
}
