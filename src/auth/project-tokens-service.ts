import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import type { PageWindow } from '../http/pagination.ts';
import type { MembersService } from '../projects/members-service.ts';
import { forbidden } from '../shared/errors.ts';
import { invalidAccessLevel, tokenNotFound } from './errors.ts';
import type { ProjectAccess } from './policy.ts';
import { roleOfLevel } from './roles.ts';
import type { NewToken, TokenRow, TokensService } from './tokens-service.ts';
import type { UsersService } from './users-service.ts';

/** A project access token with its bot's role in the project: null once the bot lost it. */
export interface ProjectTokenRecord {
  row: TokenRow;
  accessLevel: number | null;
}

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

  /** The bot, its membership and its token are made in one transaction. */
  async create(access: ProjectAccess, input: NewToken & { accessLevel: number }): Promise<ProjectTokenRecord & { secret: string }> {
    if (roleOfLevel(input.accessLevel) === null) throw invalidAccessLevel();
    if (input.accessLevel > access.level) throw forbidden('403 Forbidden: a token cannot have a higher role than its creator');
    const created = await inTransaction(this.db, async (trx) => {
      const bot = await this.users.create({ username: `project_${access.project.id}_bot_${randomBytes(6).toString('hex')}`, name: `${input.name} (project bot)`, isBot: true }, access.caller, trx);
      await this.members.add(access, bot.id, input.accessLevel, trx);
      return this.tokens.create({ userId: bot.id, kind: 'project', projectId: access.project.id }, { name: input.name, scopes: input.scopes, expiresAt: input.expiresAt }, access.caller, trx);
    });
    return { row: created.row, secret: created.secret, accessLevel: input.accessLevel };
  }

  async list(access: ProjectAccess, window: PageWindow): Promise<{ total: number; items: ProjectTokenRecord[] }> {
    const page = await this.tokens.listForProject(access.project.id, window.offset, window.limit);
    const levels = await this.members.levelsOf(
      access.project.id,
      page.items.map((row) => row.user_id),
    );
    return { total: page.total, items: page.items.map((row) => ({ row, accessLevel: levels.get(row.user_id) ?? null })) };
  }

  async get(access: ProjectAccess, tokenId: number): Promise<ProjectTokenRecord> {
    const row = await this.tokenOf(access, tokenId);
    const levels = await this.members.levelsOf(access.project.id, [row.user_id]);
    return { row, accessLevel: levels.get(row.user_id) ?? null };
  }

  /** Revoking takes the bot's role away in the same transaction. */
  async revoke(access: ProjectAccess, tokenId: number): Promise<void> {
    const token = await this.tokenOf(access, tokenId);
    await inTransaction(this.db, async (trx) => {
      await this.tokens.revoke(token, access.caller, trx);
      // The bot stays (its name appears in history) but loses its role.
      const stillMember = await this.members.find(access, token.user_id, trx);
      if (stillMember) await this.members.remove(access, token.user_id, trx);
    });
  }

  private async tokenOf(access: ProjectAccess, tokenId: number): Promise<TokenRow> {
    const token = await this.tokens.getById(tokenId);
    if (token.kind !== 'project' || token.project_id !== access.project.id) throw tokenNotFound();
    return token;
  }
}
