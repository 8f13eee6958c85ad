import type { ProjectAccess } from '../auth/policy.ts';
import type { Database } from '../db/database.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import type { Approval, ApprovalBody } from './contract.ts';
import { changeStatus, makeCurrent } from './deployment-writer.ts';
import { DeploymentErrors } from './errors.ts';
import { ProtectionService } from './protection.ts';
import { deploymentRow, loadDeployment, lockEnvironment, type DeploymentRecord } from './records.ts';
import type { Rollouts } from './rollouts.ts';

/**
 * Deployment approvals (GitLab's `POST …/deployments/:id/approval`): a deployment to a
 * protected environment that asks for approvals is `blocked` until enough people the rules
 * name approve it; then it becomes the environment's desired state. One rejection cancels it.
 * Only people decide (the route's ability lists no job, bot, agent or serve token), and never
 * on their own deployment.
 */
export class DeploymentApprovals {
  constructor(
    private readonly database: Database,
    private readonly deps: { protection: ProtectionService; rollouts: Rollouts },
  ) {}

  async decide(access: ProjectAccess, deploymentId: number, body: ApprovalBody): Promise<{ approval: Approval; deployment: DeploymentRecord }> {
    const db = this.database.db;
    const user = access.caller.user!;
    const before = await deploymentRow(db, access.project.id, deploymentId);
    const result = await db.transaction().execute(async (trx) => {
      const env = await lockEnvironment(trx, this.database.dialect, before.environment_id);
      const row = await deploymentRow(trx, access.project.id, deploymentId);
      if (row.status !== 'blocked') throw DeploymentErrors.APPROVAL_NOT_NEEDED({ id: row.id });
      const rule = await this.deps.protection.ruleFor(env.project_id, env.name, trx);
      if (rule && !ProtectionService.mayApprove(access, rule)) throw DeploymentErrors.APPROVAL_NOT_ALLOWED({ name: env.name });
      if (row.user_id === user.id) throw DeploymentErrors.DEPLOYMENT_SELF_APPROVAL();
      const decided = await trx.selectFrom('deployment_approvals').select('id').where('deployment_id', '=', row.id).where('user_id', '=', user.id).executeTakeFirst();
      if (decided) throw DeploymentErrors.DEPLOYMENT_ALREADY_DECIDED({ id: row.id });
      const at = now();
      await trx
        .insertInto('deployment_approvals')
        .values({ deployment_id: row.id, user_id: user.id, username: user.username, user_name: user.name, status: body.status, comment: body.comment ?? '', created_at: at })
        .execute();
      const approvals = await trx.selectFrom('deployment_approvals').select('status').where('deployment_id', '=', row.id).execute();
      const approved = approvals.filter((a) => a.status === 'approved').length;
      await recordChange(
        trx,
        access.caller,
        {
          type: 'deployments.deployment.approved',
          projectId: env.project_id,
          payload: { deployment_id: row.id, environment: env.name, user_id: user.id, status: body.status, approvals: approved, required: row.required_approvals },
        },
        {
          action: `deployments.deployment.${body.status}`,
          targetType: 'deployment',
          targetId: row.id,
          details: { environment: env.name, comment: body.comment ?? '', approvals: approved, required: row.required_approvals },
        },
      );
      let applied = false;
      if (body.status === 'rejected') {
        await changeStatus(trx, access.caller, env, row, 'canceled', { reason: `${row.reason}; rejected by ${user.username}${body.comment ? `: ${body.comment}` : ''}` });
      } else if (approved >= row.required_approvals) {
        const current = await makeCurrent(trx, env, row);
        await changeStatus(trx, access.caller, env, { ...current, status: 'blocked' }, 'running', {
          reason: `${row.reason.replace(/ \(waiting for \d+ approvals?\)$/, '')} (approved by ${approvals.length === 1 ? user.username : `${approved} people`})`,
        });
        applied = true;
      }
      return { applied, approval: { user: { id: user.id, username: user.username, name: user.name }, status: body.status, comment: body.comment ?? '', created_at: new Date(at).toISOString() } };
    });
    const deployment = await loadDeployment(db, await deploymentRow(db, access.project.id, deploymentId));
    if (result.applied) await this.deps.rollouts.applied(deployment);
    return { approval: result.approval, deployment };
  }
}
