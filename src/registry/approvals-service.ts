import type { Kysely, Selectable } from 'kysely';
import { can, type ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { invalid } from '../shared/errors.ts';
import { RegistryErrors } from './errors.ts';
import { registryEvent } from './events.ts';
import type { ModelKey } from './models-service.ts';
import type { ModelVersion } from './registry-model.ts';
import type { RegistrySettingsService } from './settings-service.ts';
import type { ApprovalDecisionsTable, ApprovalRequestsTable } from './tables.ts';
import type { VersionGate } from './version-gate.ts';
import type { ModelVersionsService } from './versions-service.ts';

export type ApprovalRequestRow = Selectable<ApprovalRequestsTable>;
export type ApprovalDecisionRow = Selectable<ApprovalDecisionsTable>;

/** A version's approval requests (newest first), their decisions, and the usernames of the people in them. */
export interface ApprovalHistory {
  requests: ApprovalRequestRow[];
  decisions: ApprovalDecisionRow[];
  usernames: Map<number, string>;
}

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
    /** What else may hold an approval back (the issue review gate); none in a registry on its own. */
    private readonly gate: VersionGate | null = null,
  ) {}

  /** Asks for a version's approval; answers the version's approval history with the new request. */
  async request(access: ProjectAccess, key: ModelKey, version: number | string, comment?: string): Promise<ApprovalHistory> {
    const text = validComment(comment);
    const versionId = await inTransaction(this.db, async (trx) => {
      const { model, row } = await this.versions.getRow(access, key, version, trx);
      if (row.approval_status === 'pending') throw RegistryErrors.APPROVAL_PENDING({ model: model.name, version: row.version });
      if (row.approval_status === 'approved') throw RegistryErrors.ALREADY_APPROVED({ model: model.name, version: row.version });
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
        registryEvent('registry.version.approval_requested', access.project.id, { model_name: model.name, version: row.version, version_id: row.id, semver: row.semver, request_id: request.id }),
        { action: 'registry.approval.requested', targetType: 'model_version', targetId: row.id, details: { request_id: request.id, comment: text } },
      );
      return row.id;
    });
    return this.historyOf(versionId);
  }

  /** Records a maintainer's decision, resolving the request when it is the last one needed; answers the version as it now is. */
  async decide(access: ProjectAccess, key: ModelKey, version: number | string, decision: 'approve' | 'reject', comment?: string): Promise<ModelVersion> {
    if (!can(access, 'registry:approve')) throw RegistryErrors.APPROVER_ROLE();
    const text = validComment(comment);
    if (decision === 'approve' && this.gate) {
      const { model, row } = await this.versions.getRow(access, key, version);
      await this.gate.check(access, { versionId: row.id, modelId: model.id, modelName: model.name, version: row.version }, 'approve');
    }
    const { model, row } = await inTransaction(this.db, async (trx) => {
      const { model, row } = await this.versions.getRow(access, key, version, trx);
      const request = await trx.selectFrom('approval_requests').selectAll().where('version_id', '=', row.id).where('status', '=', 'pending').executeTakeFirst();
      if (!request) throw RegistryErrors.NO_PENDING_REQUEST({ model: model.name, version: row.version });
      const approver = access.caller.user!.id;
      if (request.requester_id === approver) throw RegistryErrors.SELF_APPROVAL();
      const earlier = await trx.selectFrom('approval_decisions').select('id').where('request_id', '=', request.id).where('approver_id', '=', approver).executeTakeFirst();
      if (earlier) throw RegistryErrors.ALREADY_DECIDED();
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
        registryEvent(eventType, access.project.id, {
          model_name: model.name,
          version: row.version,
          version_id: row.id,
          semver: row.semver,
          request_id: request.id,
          decision,
          approvals: Number(approvals.n),
          required: request.required_approvals,
        }),
        { action: `registry.approval.${decision === 'approve' ? 'approved' : 'rejected'}`, targetType: 'model_version', targetId: row.id, details: { request_id: request.id, comment: text, outcome } },
      );
      return { model, row };
    });
    return this.versions.get(access, { id: model.id }, row.version);
  }

  /** Every request of a version with its decisions, newest first. */
  async history(access: ProjectAccess, key: ModelKey, version: number | string): Promise<ApprovalHistory> {
    const { row } = await this.versions.getRow(access, key, version);
    return this.historyOf(row.id);
  }

  private async historyOf(versionId: number): Promise<ApprovalHistory> {
    const requests = await this.db.selectFrom('approval_requests').selectAll().where('version_id', '=', versionId).orderBy('id', 'desc').execute();
    const decisions =
      requests.length === 0
        ? []
        : await this.db
            .selectFrom('approval_decisions')
            .selectAll()
            .where(
              'request_id',
              'in',
              requests.map((r) => r.id),
            )
            .orderBy('id')
            .execute();
    const people = new Set<number>([...requests.map((r) => r.requester_id), ...decisions.map((d) => d.approver_id)]);
    const users =
      people.size === 0
        ? []
        : await this.db
            .selectFrom('users')
            .select(['id', 'username'])
            .where('id', 'in', [...people])
            .execute();
    return { requests, decisions, usernames: new Map(users.map((u) => [u.id, u.username])) };
  }
}
