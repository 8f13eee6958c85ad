import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { TOKEN_SCOPES, type Caller } from '../auth/caller.ts';
import { toCallerUser, type UserRow } from '../auth/users-service.ts';
import { withSetupLock } from '../db/setup-lock.ts';
import { AppError } from '../shared/errors.ts';
import { isUniqueViolation } from '../shared/unique-violation.ts';
import { INITIAL_PASSWORD_FILE, removeStaleInitialPassword, writeInitialPassword } from './initial-password-file.ts';
import type { Services } from './services.ts';

export const INITIAL_ADMIN_USERNAME = 'root';

export function systemCallerFor(user: UserRow): Caller {
  return { user: toCallerUser(user), credential: 'personal_token', scopes: 'all', projectLimit: null, tokenId: null, jobId: null, ip: null };
}

export interface FirstStartResult {
  createdAdmin: boolean;
  initialPassword: string | null;
}

/**
 * On the first start (no users yet) creates the administrator `root`, whose password goes to
 * a file in the data folder (and to the console when a person reads it there), and, with
 * MODELYARD_INITIAL_ADMIN_TOKEN, its first token with that value.
 * On every start makes sure the default project exists.
 */
export interface Console {
  print: (line: string) => void;
  /** A person reads it as it is printed (a terminal); otherwise it goes to a log kept by others. */
  interactive: boolean;
}

export async function prepareInstance(services: Services, logger: Logger, console: Console): Promise<FirstStartResult> {
  return withSetupLock(services.database, () => prepareUnderLock(services, logger, console));
}

async function prepareUnderLock(services: Services, logger: Logger, console: Console): Promise<FirstStartResult> {
  const { print } = console;
  const { users, tokens, projects, config } = services;
  let admin: UserRow | undefined;
  let initialPassword: string | null = null;
  if ((await users.count()) === 0) {
    initialPassword = randomBytes(18).toString('base64url');
    try {
      admin = await services.database.db.transaction().execute(async (trx) => {
        const created = await users.create({ username: INITIAL_ADMIN_USERNAME, name: 'Administrator', password: initialPassword, isAdmin: true }, null, trx);
        if (config.initialAdminToken) {
          await tokens.create({ userId: created.id, kind: 'personal' }, { name: 'initial-admin-token', scopes: [...TOKEN_SCOPES] }, null, trx, config.initialAdminToken);
        }
        return created;
      });
      const file = writeInitialPassword(config.dataDir, initialPassword);
      if (console.interactive) print(`Created the administrator "${INITIAL_ADMIN_USERNAME}". Its password, shown only this once: ${initialPassword}`);
      else print(`Created the administrator "${INITIAL_ADMIN_USERNAME}". Its password is in ${file} (readable by the server's user only; removed at a start after 24 hours).`);
      if (config.initialAdminToken) print('Its first personal access token is the value of MODELYARD_INITIAL_ADMIN_TOKEN.');
    } catch (error) {
      // Another process starting at the same moment created it first (the setup lock keeps
      // PostgreSQL replicas apart; two processes on one SQLite file can still meet here).
      if (!isUniqueViolation(error) && !(error instanceof AppError && error.kind === 'already_exists')) throw error;
      initialPassword = null;
    }
  } else if (config.initialAdminToken) {
    logger.warn('MODELYARD_INITIAL_ADMIN_TOKEN is ignored: it only applies to the first start, when there are no users');
  }
  if (removeStaleInitialPassword(config.dataDir, Date.now())) logger.info(`removed ${INITIAL_PASSWORD_FILE} from the data folder: it was made more than 24 hours ago`);
  admin ??= await users.findByUsername(INITIAL_ADMIN_USERNAME);
  if (admin === undefined) {
    const page = await users.list({ offset: 0, limit: 1, includeBots: false });
    admin = page.items[0];
  }
  if (admin) await projects.ensureDefault(config.defaultProject, systemCallerFor(admin));
  for (const problem of await services.groupLinks.seed(config.sso.groupLinks)) logger.warn(problem);
  return { createdAdmin: initialPassword !== null, initialPassword };
}
