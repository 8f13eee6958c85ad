import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import type { MembersService } from '../projects/members-service.ts';
import { forbidden, invalid, notFound } from '../shared/errors.ts';
import type { ProjectAccess } from './policy.ts';
import { roleOfLevel } from './roles.ts';
import { presentToken, type TokenRow, type TokensService } from './tokens-service.ts';
import type { UsersService } from './users-service.ts';

/**
 * A project access token acts as a bot user that is a member of one project, as in GitLab:
 * its rights are its role there, and it reaches no other project.
 */
export class ProjectAccessTokensService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly users: UsersService,
    private readonly members: MembersService,
    private readonly tokens: TokensService,
  ) {}

  async create(access: ProjectAccess, input: { name: string; scopes: string[]; accessLevel: number; expiresAt?: string | null }) {
    if (roleOfLevel(input.accessLevel) === null) throw invalid('access_level does not have a valid value: use 10, 20, 30, 40 or 50');
    if (input.accessLevel > access.level) throw forbidden('403 Forbidden: a token cannot have a higher role than its creator');
    return inTransaction(this.db, async (trx) => {
      const bot = await this.users.create(
        { username: `project_${access.project.id}_bot_${randomBytes(6).toString('hex')}`, name: `${input.name} (project bot)`, isBot: true },
        access.caller,
        trx,
      );
      await this.members.add(access, bot.id, input.accessLevel, trx);
      return this.tokens.create(
        { userId: bot.id, kind: 'project', projectId: access.project.id },
        { name: input.name, scopes: input.scopes, expiresAt: input.expiresAt },
        access.caller,
        trx,
      );
    });
  }

  async get(access: ProjectAccess, tokenId: number): Promise<TokenRow> {
    const token = await this.tokens.getById(tokenId);
    if (token.kind !== 'project' || token.project_id !== access.project.id) throw notFound('404 Token');
    return token;
  }

  async revoke(access: ProjectAccess, tokenId: number): Promise<void> {
    const token = await this.get(access, tokenId);
    await inTransaction(this.db, async (trx) => {
      await this.tokens.revoke(token, access.caller, trx);
      // The bot stays (its name appears in history) but loses its role.
      const stillMember = await this.members.find(access, token.user_id, trx);
      if (stillMember) await this.members.remove(access, token.user_id, trx);
    });
  }

  async present(row: TokenRow) {
    const member = await this.db
      .selectFrom('members')
      .select('access_level')
      .where('user_id', '=', row.user_id)
      .where('project_id', '=', row.project_id ?? -1)
      .executeTakeFirst();
    return { ...presentToken(row), access_level: member?.access_level ?? null };
  }
}
