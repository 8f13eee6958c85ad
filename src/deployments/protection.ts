import type { Kysely, Selectable } from 'kysely';
import { can, type ProjectAccess } from '../auth/policy.ts';
import { ACCESS_LEVEL } from '../auth/roles.ts';
import type { UsersService } from '../auth/users-service.ts';
import type { Schema } from '../db/schema.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import type { ApprovalRuleInput, DeployAccessInput, ProtectedEnvironment, ProtectEnvironmentBody, UpdateProtectionBody } from './contract.ts';
import { DeploymentErrors } from './errors.ts';
import type { ProtectedEnvironmentsTable } from './tables.ts';

type ProtectionRow = Selectable<ProtectedEnvironmentsTable>;

/** Who: a role and above, or one user. */
interface Who {
  id: number;
  access_level: number | null;
  user_id: number | null;
  description: string;
}
interface ApproverRule extends Who {
  required_approvals: number;
}

export interface ProtectionRule {
  name: string;
  deployers: Who[];
  approvers: ApproverRule[];
  requiredApprovalCount: number;
}

const LEVEL_NAMES: Record<number, string> = { 30: 'Developers + Maintainers', 40: 'Maintainers', 50: 'Owners', 60: 'Administrators' };

function ruleOf(row: ProtectionRow): ProtectionRule {
  return { name: row.name, deployers: JSON.parse(row.deploy_access_levels) as Who[], approvers: JSON.parse(row.approval_rules) as ApproverRule[], requiredApprovalCount: row.required_approval_count };
}

const invalidRule = (detail: string) => DeploymentErrors.INVALID_PROTECTION({ detail });

function matches(who: Who, access: ProjectAccess): boolean {
  if (who.user_id !== null) return access.caller.user?.id === who.user_id;
  return who.access_level !== null && access.level >= who.access_level;
}

/**
 * Deployers: the rule's people and roles, and a member whose custom role adds
 * `deploy_to_protected_environments` wherever maintainers may deploy (not where only owners or
 * administrators may). Approving stays with the rule's own people and roles.
 */
function mayDeployAs(who: Who, access: ProjectAccess): boolean {
  if (matches(who, access)) return true;
  return who.user_id === null && who.access_level !== null && who.access_level <= ACCESS_LEVEL.maintainer && can(access, 'deployments:protected');
}

/**
 * Protected environments (GitLab's API): who may deploy to an environment, how many approvals
 * a deployment needs and who may give them. Approvers are the approval rules' people, or,
 * without rules, those who may deploy; nobody approves their own deployment.
 */
export class ProtectionService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly users: UsersService,
  ) {}

  async ruleFor(projectId: number, environmentName: string, db: Kysely<Schema> = this.db): Promise<ProtectionRule | null> {
    const row = await db.selectFrom('protected_environments').selectAll().where('project_id', '=', projectId).where('name', '=', environmentName).executeTakeFirst();
    return row ? ruleOf(row) : null;
  }

  static requiredApprovals(rule: ProtectionRule | null): number {
    if (!rule) return 0;
    if (rule.requiredApprovalCount > 0) return rule.requiredApprovalCount;
    return rule.approvers.reduce((sum, r) => sum + r.required_approvals, 0);
  }

  static mayDeploy(access: ProjectAccess, rule: ProtectionRule | null): boolean {
    return rule === null || rule.deployers.some((who) => mayDeployAs(who, access));
  }

  static mayApprove(access: ProjectAccess, rule: ProtectionRule): boolean {
    const approvers: Who[] = rule.approvers.length > 0 ? rule.approvers : rule.deployers;
    return approvers.some((who) => matches(who, access));
  }

  async list(access: ProjectAccess): Promise<ProtectedEnvironment[]> {
    const rows = await this.db.selectFrom('protected_environments').selectAll().where('project_id', '=', access.project.id).orderBy('name').execute();
    return rows.map((row) => present(ruleOf(row)));
  }

  async get(access: ProjectAccess, name: string): Promise<ProtectedEnvironment> {
    const rule = await this.ruleFor(access.project.id, name);
    if (!rule) throw DeploymentErrors.PROTECTED_ENVIRONMENT_NOT_FOUND({ name });
    return present(rule);
  }

  async protect(access: ProjectAccess, body: ProtectEnvironmentBody): Promise<ProtectedEnvironment> {
    const deployers = await this.who(body.deploy_access_levels);
    const approvers = await this.approvers(body.approval_rules ?? []);
    const required = body.required_approval_count ?? 0;
    return this.db.transaction().execute(async (trx) => {
      if (await this.ruleFor(access.project.id, body.name, trx)) throw DeploymentErrors.PROTECTED_ENVIRONMENT_EXISTS({ name: body.name });
      await trx
        .insertInto('protected_environments')
        .values({
          project_id: access.project.id,
          name: body.name,
          required_approval_count: required,
          deploy_access_levels: JSON.stringify(deployers),
          approval_rules: JSON.stringify(approvers),
          created_at: now(),
        })
        .execute();
      const rule = { name: body.name, deployers, approvers, requiredApprovalCount: required };
      await this.record(trx, access, rule, 'created');
      return present(rule);
    });
  }

  async update(access: ProjectAccess, name: string, body: UpdateProtectionBody): Promise<ProtectedEnvironment> {
    const deployers = body.deploy_access_levels ? await this.who(body.deploy_access_levels) : undefined;
    const approvers = body.approval_rules ? await this.approvers(body.approval_rules) : undefined;
    return this.db.transaction().execute(async (trx) => {
      const current = await this.ruleFor(access.project.id, name, trx);
      if (!current) throw DeploymentErrors.PROTECTED_ENVIRONMENT_NOT_FOUND({ name });
      const rule: ProtectionRule = {
        name,
        deployers: deployers ?? current.deployers,
        approvers: approvers ?? current.approvers,
        requiredApprovalCount: body.required_approval_count ?? current.requiredApprovalCount,
      };
      await trx
        .updateTable('protected_environments')
        .set({ required_approval_count: rule.requiredApprovalCount, deploy_access_levels: JSON.stringify(rule.deployers), approval_rules: JSON.stringify(rule.approvers) })
        .where('project_id', '=', access.project.id)
        .where('name', '=', name)
        .execute();
      await this.record(trx, access, rule, 'updated');
      return present(rule);
    });
  }

  async unprotect(access: ProjectAccess, name: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const current = await this.ruleFor(access.project.id, name, trx);
      if (!current) throw DeploymentErrors.PROTECTED_ENVIRONMENT_NOT_FOUND({ name });
      await trx.deleteFrom('protected_environments').where('project_id', '=', access.project.id).where('name', '=', name).execute();
      await this.record(trx, access, current, 'deleted');
    });
  }

  private async record(trx: Kysely<Schema>, access: ProjectAccess, rule: ProtectionRule, change: 'created' | 'updated' | 'deleted'): Promise<void> {
    await recordChange(
      trx,
      access.caller,
      {
        type: 'deployments.protected_environment.changed',
        projectId: access.project.id,
        payload: { environment: rule.name, change, required_approval_count: ProtectionService.requiredApprovals(rule) },
      },
      { action: `deployments.protected_environment.${change}`, targetType: 'protected_environment', targetId: rule.name, details: { ...present(rule) } },
    );
  }

  private async who(inputs: readonly DeployAccessInput[]): Promise<Who[]> {
    const out: Who[] = [];
    for (const [i, input] of inputs.entries()) {
      if (input.group_id !== undefined) throw invalidRule('group_id is not supported: Modelyard has no groups; name an access_level or a user_id');
      const given = [input.access_level, input.user_id].filter((v) => v !== undefined).length;
      if (given !== 1) throw invalidRule('each rule names exactly one of access_level or user_id');
      if (input.user_id !== undefined) {
        const user = await this.users.findById(input.user_id);
        if (!user) throw invalidRule(`user ${input.user_id} does not exist`);
        out.push({ id: i + 1, access_level: null, user_id: user.id, description: user.name || user.username });
      } else out.push({ id: i + 1, access_level: input.access_level!, user_id: null, description: LEVEL_NAMES[input.access_level!]! });
    }
    return out;
  }

  private async approvers(inputs: readonly ApprovalRuleInput[]): Promise<ApproverRule[]> {
    const who = await this.who(inputs.map(({ required_approvals: _ignored, ...rest }) => rest));
    return who.map((w, i) => ({ ...w, required_approvals: inputs[i]!.required_approvals ?? 1 }));
  }
}

function present(rule: ProtectionRule): ProtectedEnvironment {
  const whoOf = (w: Who) => ({ id: w.id, access_level: w.access_level, access_level_description: w.description, user_id: w.user_id, group_id: null, group_inheritance_type: 0 });
  return {
    name: rule.name,
    deploy_access_levels: rule.deployers.map(whoOf),
    required_approval_count: rule.requiredApprovalCount,
    approval_rules: rule.approvers.map((a) => ({ ...whoOf(a), required_approvals: a.required_approvals })),
  };
}
