import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config/config.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createServices, type Services } from '../server/services.ts';
import { SEALED_COLUMNS } from '../server/sealed-columns.ts';
import { openKeyring } from '../secrets/keyring.ts';
import { assertKeysForStoredSecrets } from '../secrets/rotation.ts';
import { AppError } from '../shared/errors.ts';
import { assertExistingDatabase } from './existing-database.ts';

/** Opens the configured database (which must exist), migrated, for one command, and closes it after. */
export async function withServices<T>(work: (services: Services, database: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  assertExistingDatabase(config);
  const keyring = openKeyring(config);
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database, keyring.box);
    await assertKeysForStoredSecrets(database.db, keyring, SEALED_COLUMNS);
    return await work(createServices(config, database, keyring), database);
  } finally {
    await database.close();
  }
}

function fail(error: unknown): never {
  if (error instanceof AppError) throw new Error(error.message);
  throw error;
}

export async function migrateCommand(): Promise<void> {
  const config = loadConfig();
  const keyring = openKeyring(config);
  const database = openDatabase(config.database);
  try {
    const applied = await migrateToLatest(database, keyring.box);
    process.stdout.write(applied.length === 0 ? 'database is up to date\n' : `applied: ${applied.join(', ')}\n`);
  } finally {
    await database.close();
  }
}

export async function createUserCommand(options: { username: string; name?: string; email?: string; password?: string; admin: boolean }): Promise<void> {
  await withServices(async ({ users }) => {
    const password = options.password ?? randomBytes(18).toString('base64url');
    const user = await users.create({ username: options.username, name: options.name, email: options.email ?? null, password, isAdmin: options.admin }, null).catch(fail);
    process.stdout.write(`created user ${user.username} (id ${user.id})${user.is_admin ? ' as administrator' : ''}\n`);
    if (!options.password) process.stdout.write(`password (shown once): ${password}\n`);
  });
}

export async function createTokenCommand(options: { username: string; name: string; scopes: string; expiresAt?: string }): Promise<void> {
  await withServices(async ({ users, tokens }) => {
    const user = await users.findByUsername(options.username);
    if (!user || user.is_bot) throw new Error(`no user named ${options.username}`);
    const created = await tokens
      .create({ userId: user.id, kind: 'personal' }, { name: options.name, scopes: options.scopes.split(',').map((s) => s.trim()), expiresAt: options.expiresAt ?? null }, null)
      .catch(fail);
    process.stdout.write(`${created.secret}\n`);
  });
}
