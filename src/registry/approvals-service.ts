import type { Kysely, Selectable } from 'kysely';
import { can, type ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { conflict, forbidden, invalid } from '../shared/errors.ts';
import type { RegistrySettingsService } from './settings-service.ts';
import type { ApprovalDecisionsTable, ApprovalRequestsTable } from './tables.ts';
import type { ModelVersionsService } from './versions-service.ts';

export type ApprovalRequestRow = Selectable<ApprovalRequestsTable>;
export type ApprovalDecisionRow = Selectable<ApprovalDecisionsTable>;

const MAX_COMMENT = 10_000;

function validComment(comment: string | undefined): string {
  const text = comment ?? '';
  if (text.length > MAX_COMMENT) throw invalid(`comment is too long (maximum is ${MAX_COMMENT} characters)`);
  return text;
}

/**
 * Approvals of model versions (what MLflow OSS lacks, mlflow#2863): a developer asks, maintainers
 * decide, the requester never decides their own request, and every request and decision is kept.
 */
export class ApprovalsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly versions: ModelVersionsService,
    private readonly settings: RegistrySettingsService,
  ) {}

  async request(access: ProjectAccess, name: string, version: number | string, comment?: string): Promise<ApprovalRequestRow> {
    const text = validComment(comment);
    return inTransaction(this.db, async (trx) => {
      const { model, row } = await this.versions.getRow(access, name, version, trx);
      if (row.approval_status === 'pending') throw conflict(`Version ${row.version} of ${model.name} already has a pending approval request`, 'APPROVAL_PENDING');
      if (row.approval_status === 'approved') throw conflict(`Version ${row.version} of ${model.name} is already approved`, 'ALREADY_APPROVED');
      const settings = await this.settings.get(access.project.id, trx);
      const request = await trx
        .insertInto('approval_requests')
        .values({ version_id: row.id, requester_id: access.caller.user!.id, comment: text, status: 'pending', required_approvals: settings.required_approvals, created_at: now(), resolved_at: null })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx.updateTable('model_versions').set({ approval_status: 'pending', updated_at: now() }).where('id', '=', row.id).execute();
      await recordChange(
        trx,
        access.caller,
        { type: 'registry.version.approval_requested', projectId: access.project.id, payload: { model_name: model.name, version: row.version, version_id: row.id, semver: row.semver, request_id: request.id } },
        { action: 'registry.approval.requested', targetType: 'model_version', targetId: row.id, details: { request_id: request.id, comment: text } },
      );
      return request;
    });
  }

  async decide(access: ProjectAccess, name: string, version: number | string, decision: 'approve' | 'reject', comment?: string): Promise<ApprovalRequestRow> {
    if (!can(access, 'registry:approve')) throw forbidden('403 Forbidden: only maintainers can approve or reject a model version', 'APPROVER_ROLE');
    const text = validComment(comment);
    return inTransaction(this.db, async (trx) => {
      const { model, row } = await this.versions.getRow(access, name, version, trx);
      const request = await trx.selectFrom('approval_requests').selectAll().where('version_id', '=', row.id).where('status', '=', 'pending').executeTakeFirst();
      if (!request) throw conflict(`Version ${row.version} of ${model.name} has no pending approval request`, 'NO_PENDING_REQUEST');
      const approver = access.caller.user!.id;
      if (request.requester_id === approver) throw forbidden('403 Forbidden: the requester of an approval cannot decide it', 'SELF_APPROVAL');
      const earlier = await trx.selectFrom('approval_decisions').select('id').where('request_id', '=', request.id).where('approver_id', '=', approver).executeTakeFirst();
      if (earlier) throw conflict('You have already decided on this request', 'ALREADY_DECIDED');
      await trx.insertInto('approval_decisions').values({ request_id: request.id, approver_id: approver, decision, comment: text, created_at: now() }).execute();
      const approvals = await trx
        .selectFrom('approval_decisions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('request_id', '=', request.id)
        .where('decision', '=', 'approve')
        .executeTakeFirstOrThrow();
      const outcome = decision === 'reject' ? 'rejected' : Number(approvals.n) >= request.required_approvals ? 'approved' : 'pending';
      if (outcome !== 'pending') {
        await trx.updateTable('approval_requests').set({ status: outcome, resolved_at: now() }).where('id', '=', request.id).execute();
        await trx.updateTable('model_versions').set({ approval_status: outcome, updated_at: now() }).where('id', '=', row.id).execute();
      }
      const eventType = outcome === 'approved' ? 'registry.version.approved' : outcome === 'rejected' ? 'registry.version.rejected' : 'registry.version.approval_recorded';
      await recordChange(
        trx,
        access.caller,
        { type: eventType, projectId: access.project.id, payload: { model_name: model.name, version: row.version, version_id: row.id, semver: row.semver, request_id: request.id, decision, approvals: Number(approvals.n), required: request.required_approvals } },
        { action: `registry.approval.${decision === 'approve' ? 'approved' : 'rejected'}`, targetType: 'model_version', targetId: row.id, details: { request_id: request.id, comment: text, outcome } },
      );
      return { ...request, status: outcome };
    });
  }

  /** Every request of a version with its decisions, newest first. */
  async history(access: ProjectAccess, name: string, version: number | string) {
    const { row } = await this.versions.getRow(access, name, version);
    const requests = await this.db.selectFrom('approval_requests').selectAll().where('version_id', '=', row.id).orderBy('id', 'desc').execute();
    const decisions = requests.length === 0 ? [] : await this.db.selectFrom('approval_decisions').selectAll().where('request_id', 'in', requests.map((r) => r.id)).orderBy('id').execute();
    const people = new Set<number>([...requests.map((r) => r.requester_id), ...decisions.map((d) => d.approver_id)]);
    const users = people.size === 0 ? [] : await this.db.selectFrom('users').select(['id', 'username']).where('id', 'in', [...people]).execute();
    const username = (id: number) => users.find((u) => u.id === id)?.username ?? null;
    return requests.map((r) => ({
      id: r.id,
      status: r.status,
      requester: { id: r.requester_id, username: username(r.requester_id) },
      comment: r.comment,
      required_approvals: r.required_approvals,
      created_at: new Date(r.created_at).toISOString(),
      resolved_at: r.resolved_at === null ? null : new Date(r.resolved_at).toISOString(),
      decisions: decisions
        .filter((d) => d.request_id === r.id)
        .map((d) => ({ id: d.id, decision: d.decision, approver: { id: d.approver_id, username: username(d.approver_id) }, comment: d.comment, created_at: new Date(d.created_at).toISOString() })),
    }));
  }
}
