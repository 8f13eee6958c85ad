import type { Kysely, Selectable } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import { recordChange } from '../../events/outbox.ts';
import { now } from '../../shared/clock.ts';
import { isUniqueViolation } from '../../shared/unique-violation.ts';
import type { Caller } from '../caller.ts';
import { authorizeInstance } from '../policy.ts';
import { roleOfLevel } from '../roles.ts';
import type { CreateMemberRoleBody } from './contract.ts';
import { abilitiesOf, baseRoleHolds, requirementOf, CUSTOM_ABILITY_FIELD_NAMES, CUSTOM_ABILITY_FIELDS, CUSTOM_ROLE_BASE_LEVELS, type CustomAbilityField } from './custom-abilities.ts';
import { CustomRoleErrors } from './errors.ts';
import type { MemberRolesTable } from './tables.ts';

export type MemberRoleRow = Selectable<MemberRolesTable>;

const refuse = (detail: string) => CustomRoleErrors.INVALID_MEMBER_ROLE({ detail });

/** The fields a request turned on, checked against the base role: additive only, and each field's requirement met. */
function chosenFields(body: CreateMemberRoleBody): CustomAbilityField[] {
  if (!CUSTOM_ROLE_BASE_LEVELS.includes(body.base_access_level)) {
    throw refuse(`base_access_level must be one of ${CUSTOM_ROLE_BASE_LEVELS.join(', ')} (guest, reporter, developer): a maintainer already holds every ability a custom role can add`);
  }
  const chosen = CUSTOM_ABILITY_FIELD_NAMES.filter((field) => body[field] === true);
  if (chosen.length === 0) throw refuse('a member role must add at least one ability; without one, use the base role');
  const base = roleOfLevel(body.base_access_level)!;
  for (const field of chosen) {
    if (baseRoleHolds(body.base_access_level, field)) throw refuse(`${field}: the ${base} role already has it`);
    const requires = requirementOf(field);
    if (requires && !chosen.includes(requires) && !baseRoleHolds(body.base_access_level, requires)) throw refuse(`${field} requires ${requires}`);
  }
  return chosen;
}

/**
 * Custom roles of the instance (GitLab's instance member roles). Administrators define and
 * delete them; maintainers give them to members (src/projects/members-service.ts); the policy
 * adds their abilities for people (src/auth/policy.ts).
 */
export class MemberRolesService {
  constructor(private readonly db: Kysely<Schema>) {}

  list(): Promise<MemberRoleRow[]> {
    return this.db.selectFrom('member_roles').selectAll().orderBy('id').execute();
  }

  async get(id: number, db: Kysely<Schema> = this.db): Promise<MemberRoleRow> {
    const row = await db.selectFrom('member_roles').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw CustomRoleErrors.MEMBER_ROLE_NOT_FOUND();
    return row;
  }

  async create(caller: Caller, body: CreateMemberRoleBody): Promise<MemberRoleRow> {
    authorizeInstance(caller, 'admin:write');
    const name = body.name.trim();
    if (name === '') throw refuse('name must not be blank');
    const abilities = chosenFields(body).map((field) => CUSTOM_ABILITY_FIELDS[field].ability);
    try {
      return await inTransaction(this.db, async (trx) => {
        if (await trx.selectFrom('member_roles').select('id').where('name', '=', name).executeTakeFirst()) throw CustomRoleErrors.MEMBER_ROLE_NAME_TAKEN({ name });
        const row = await trx
          .insertInto('member_roles')
          .values({ name, description: body.description ?? '', base_access_level: body.base_access_level, abilities: JSON.stringify(abilities), created_at: now() })
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordChange(
          trx,
          caller,
          { type: 'member_role.created', projectId: null, payload: { id: row.id, name, base_access_level: row.base_access_level, abilities } },
          { action: 'member_role.created', targetType: 'member_role', targetId: row.id, details: { name, base_access_level: row.base_access_level, abilities } },
        );
        return row;
      });
    } catch (error) {
      // Two administrators creating the same name at once: the unique index decides.
      if (isUniqueViolation(error)) throw CustomRoleErrors.MEMBER_ROLE_NAME_TAKEN({ name });
      throw error;
    }
  }

  /** Refused while members hold the role, as GitLab does: deleting it would silently take their abilities away. */
  async delete(caller: Caller, id: number): Promise<void> {
    authorizeInstance(caller, 'admin:write');
    await inTransaction(this.db, async (trx) => {
      const row = await this.get(id, trx);
      const held = await trx
        .selectFrom('members')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('member_role_id', '=', id)
        .executeTakeFirstOrThrow();
      if (Number(held.n) > 0) throw CustomRoleErrors.MEMBER_ROLE_IN_USE({ members: Number(held.n) });
      await trx.deleteFrom('member_roles').where('id', '=', id).execute();
      await recordChange(
        trx,
        caller,
        { type: 'member_role.deleted', projectId: null, payload: { id, name: row.name } },
        { action: 'member_role.deleted', targetType: 'member_role', targetId: id, details: { name: row.name, base_access_level: row.base_access_level, abilities: abilitiesOf(row) } },
      );
    });
  }
}
