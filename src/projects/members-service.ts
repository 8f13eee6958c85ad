import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import { ACCESS_LEVEL, roleOfLevel } from '../auth/roles.ts';
import type { UsersService } from '../auth/users-service.ts';
import type { Schema } from '../db/schema.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { inTransaction } from '../db/transaction.ts';
import { forbidden, invalid } from '../shared/errors.ts';
import { invalidAccessLevel } from '../auth/errors.ts';
import { memberNotFound, ProjectErrors } from './errors.ts';
import { CustomRoleErrors } from '../auth/custom-roles/errors.ts';
import type { MemberRolesService } from '../auth/custom-roles/member-roles-service.ts';

/** A member: the user's columns with their role in the project. */
export interface MemberRow {
  id: number;
  username: string;
  name: string;
  state: 'active' | 'blocked';
  is_bot: number;
  access_level: number;
  member_role_id: number | null;
  created_at: number;
}

function validLevel(level: number): number {
  if (roleOfLevel(level) === null) throw invalidAccessLevel();
  return level;
}

export class MembersService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly users: UsersService,
    private readonly memberRoles: MemberRolesService,
  ) {}

  private memberQuery(projectId: number, db: Kysely<Schema> = this.db) {
    return db.selectFrom('members').innerJoin('users', 'users.id', 'members.user_id').where('members.project_id', '=', projectId);
  }

  private static readonly COLUMNS = ['users.id', 'users.username', 'users.name', 'users.state', 'users.is_bot', 'members.access_level', 'members.member_role_id', 'members.created_at'] as const;

  async list(access: ProjectAccess, options: { offset: number; limit: number }): Promise<{ total: number; items: MemberRow[] }> {
    const base = this.memberQuery(access.project.id);
    const [count, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base.select(MembersService.COLUMNS).orderBy('users.id').offset(options.offset).limit(options.limit).execute(),
    ]);
    return { total: Number(count.n), items: rows };
  }

  async find(access: ProjectAccess, userId: number, db: Kysely<Schema> = this.db): Promise<MemberRow | undefined> {
    return this.memberQuery(access.project.id, db).where('users.id', '=', userId).select(MembersService.COLUMNS).executeTakeFirst();
  }

  async get(access: ProjectAccess, userId: number, db: Kysely<Schema> = this.db): Promise<MemberRow> {
    const found = await this.find(access, userId, db);
    if (!found) throw memberNotFound();
    return found;
  }

  /** The access levels of those of the given users who are members (for lists that show a role beside each). */
  async levelsOf(projectId: number, userIds: readonly number[]): Promise<Map<number, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('members')
      .select(['user_id', 'access_level'])
      .where('project_id', '=', projectId)
      .where('user_id', 'in', [...userIds])
      .execute();
    return new Map(rows.map((row) => [row.user_id, row.access_level]));
  }

  private levelOf(db: Kysely<Schema>, projectId: number, userId: number) {
    return db.selectFrom('members').select(['access_level', 'member_role_id']).where('project_id', '=', projectId).where('user_id', '=', userId).executeTakeFirst();
  }

  /** A custom role for a member: it exists, builds on the member's level (GitLab's rule), and the member is a person. */
  private async checkCustomRole(db: Kysely<Schema>, memberRoleId: number | null, level: number, isBot: boolean): Promise<void> {
    if (memberRoleId === null) return;
    const role = await this.memberRoles.get(memberRoleId, db);
    if (role.base_access_level !== level) throw CustomRoleErrors.MEMBER_ROLE_LEVEL_MISMATCH({ base: role.base_access_level, level });
    if (isBot) throw CustomRoleErrors.INVALID_MEMBER_ROLE({ detail: 'a project bot holds a base role only' });
  }

  /** Owners are the only ones who may create or touch owners, as in GitLab. */
  private assertMayTouch(access: ProjectAccess, levels: number[]): void {
    if (levels.some((l) => l >= ACCESS_LEVEL.owner) && access.level < ACCESS_LEVEL.owner) {
      throw forbidden('403 Forbidden: only owners can grant or change the owner role');
    }
  }

  private async ownerCount(db: Kysely<Schema>, projectId: number): Promise<number> {
    const row = await db
      .selectFrom('members')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', projectId)
      .where('access_level', '>=', ACCESS_LEVEL.owner)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async add(access: ProjectAccess, userId: number, level: number, db: Kysely<Schema> = this.db, memberRoleId: number | null = null): Promise<MemberRow> {
    validLevel(level);
    this.assertMayTouch(access, [level]);
    return inTransaction(db, async (trx) => {
      const user = await this.users.getById(userId, trx);
      const existing = await this.levelOf(trx, access.project.id, userId);
      if (existing) throw ProjectErrors.MEMBER_EXISTS();
      await this.checkCustomRole(trx, memberRoleId, level, user.is_bot === 1);
      await trx.insertInto('members').values({ project_id: access.project.id, user_id: userId, access_level: level, member_role_id: memberRoleId, created_at: now() }).execute();
      await recordChange(
        trx,
        access.caller,
        { type: 'project.member.added', projectId: access.project.id, payload: { user_id: userId, access_level: level, member_role_id: memberRoleId } },
        { action: 'member.added', targetType: 'user', targetId: userId, details: { username: user.username, access_level: level, member_role_id: memberRoleId } },
      );
      return this.get(access, userId, trx);
    });
  }

  /**
   * `memberRoleId`: a custom role to hold (null: none). Left out, the member keeps their custom
   * role while their level stays, and loses it when the level changes (a role fits one level).
   */
  async update(access: ProjectAccess, userId: number, level: number, memberRoleId?: number | null): Promise<MemberRow> {
    validLevel(level);
    return inTransaction(this.db, async (trx) => {
      const existing = await this.levelOf(trx, access.project.id, userId);
      if (!existing) throw memberNotFound();
      this.assertMayTouch(access, [level, existing.access_level]);
      if (existing.access_level >= ACCESS_LEVEL.owner && level < ACCESS_LEVEL.owner && (await this.ownerCount(trx, access.project.id)) <= 1) {
        throw invalid('the last owner cannot be demoted; make someone else owner first');
      }
      const roleId = memberRoleId !== undefined ? memberRoleId : existing.access_level === level ? existing.member_role_id : null;
      if (roleId !== existing.member_role_id) await this.checkCustomRole(trx, roleId, level, (await this.users.getById(userId, trx)).is_bot === 1);
      if (existing.access_level !== level || roleId !== existing.member_role_id) {
        await this.changeRole(trx, access, userId, { level: existing.access_level, roleId: existing.member_role_id }, { level, roleId });
      }
      return this.get(access, userId, trx);
    });
  }

  private async changeRole(trx: Kysely<Schema>, access: ProjectAccess, userId: number, from: { level: number; roleId: number | null }, to: { level: number; roleId: number | null }): Promise<void> {
    await trx.updateTable('members').set({ access_level: to.level, member_role_id: to.roleId }).where('project_id', '=', access.project.id).where('user_id', '=', userId).execute();
    const levelChanged = from.level !== to.level;
    await recordChange(
      trx,
      access.caller,
      { type: 'project.member.updated', projectId: access.project.id, payload: { user_id: userId, access_level: to.level, member_role_id: to.roleId } },
      levelChanged
        ? { action: 'member.access_level_changed', targetType: 'user', targetId: userId, details: { from: from.level, to: to.level, member_role_id: { from: from.roleId, to: to.roleId } } }
        : { action: 'member.member_role_changed', targetType: 'user', targetId: userId, details: { from: from.roleId, to: to.roleId } },
    );
  }

  async remove(access: ProjectAccess, userId: number, db: Kysely<Schema> = this.db): Promise<void> {
    await inTransaction(db, async (trx) => {
      const existing = await this.levelOf(trx, access.project.id, userId);
      if (!existing) throw memberNotFound();
      this.assertMayTouch(access, [existing.access_level]);
      if (existing.access_level >= ACCESS_LEVEL.owner && (await this.ownerCount(trx, access.project.id)) <= 1) {
        throw invalid('the last owner cannot be removed');
      }
      await trx.deleteFrom('members').where('project_id', '=', access.project.id).where('user_id', '=', userId).execute();
      await recordChange(
        trx,
        access.caller,
        { type: 'project.member.removed', projectId: access.project.id, payload: { user_id: userId } },
        { action: 'member.removed', targetType: 'user', targetId: userId, details: { access_level: existing.access_level } },
      );
    });
  }
}
